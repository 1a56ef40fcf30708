//! How a release rolls out: the rolling deployment's percentages and the alarms that
//! roll a deployment back (`deployment.rollback_alarms`). Its partial is `svc-alarms.yml`
//! and the deployment configuration in `svc-service.yml`.

use super::*;

/// Minimum healthy and maximum percent of the rolling deployment.
pub(super) fn percents(m: &ServiceManifest) -> (u32, u32) {
    let rolling = m
        .deployment()
        .and_then(|d| d.rolling.as_ref())
        .map_or(Rolling::Default, |r| r.value);
    match rolling {
        Rolling::Default => (100, 200),
        Rolling::Recreate => (0, 100),
    }
}

/// The alarms a deployment watches, when `deployment.rollback_alarms` is set.
pub(super) fn alarms(m: &ServiceManifest) -> Option<AlarmsPlan> {
    m.deployment()
        .as_ref()
        .and_then(|d| d.rollback_alarms.as_ref())
        .map(|a| alarms_plan(&a.value))
}

/// Existing alarm names as they are; thresholds become alarms named after the stack.
fn alarms_plan(a: &crate::manifest::service::RollbackAlarms) -> AlarmsPlan {
    use crate::manifest::service::RollbackAlarms;
    match a {
        RollbackAlarms::Names(names) => AlarmsPlan {
            names: names
                .iter()
                .map(|n| serde_json::Value::from(n.value.as_str()).to_string())
                .collect(),
            cpu: None,
            memory: None,
            messages_delayed: None,
        },
        RollbackAlarms::Thresholds {
            cpu_utilization,
            memory_utilization,
            messages_delayed,
        } => {
            let cpu = cpu_utilization.as_ref().map(|t| t.value);
            let memory = memory_utilization.as_ref().map(|t| t.value);
            let messages_delayed = messages_delayed.as_ref().map(|t| t.value);
            let mut names = Vec::new();
            if cpu.is_some() {
                names.push(sub("${AWS::StackName}-rollback-cpu"));
            }
            if memory.is_some() {
                names.push(sub("${AWS::StackName}-rollback-memory"));
            }
            if messages_delayed.is_some() {
                names.push(sub("${AWS::StackName}-rollback-messages-delayed"));
            }
            AlarmsPlan {
                names,
                cpu,
                memory,
                messages_delayed,
            }
        }
    }
}
