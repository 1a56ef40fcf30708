//! ECS: what a service runs, for `svc status` and `svc show`.

use super::{Aws, AwsError, call_error};
use serde::Serialize;

/// One deployment of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeploymentInfo {
    /// Deployment ID.
    pub id: String,
    /// `PRIMARY`, `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout_state: Option<String>,
    /// Task definition ARN.
    pub task_definition: String,
    /// Desired tasks.
    pub desired: i32,
    /// Running tasks.
    pub running: i32,
    /// Pending tasks.
    pub pending: i32,
    /// Failed tasks.
    pub failed: i32,
}

/// An ECS service as `svc status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Service name.
    pub name: String,
    /// `ACTIVE`, `DRAINING`, `INACTIVE`.
    pub status: String,
    /// Desired tasks.
    pub desired: i32,
    /// Running tasks.
    pub running: i32,
    /// Pending tasks.
    pub pending: i32,
    /// Task definition ARN.
    pub task_definition: String,
    /// Deployments, newest first.
    pub deployments: Vec<DeploymentInfo>,
    /// The latest service events, newest first.
    pub events: Vec<String>,
}

pub use crate::deploy::types::{ContainerInfo, TaskDefinitionInfo};

impl Aws {
    /// The service, `None` when it does not exist.
    pub async fn service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceInfo>, AwsError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| {
                call_error(
                    "DescribeServices",
                    format!("service {service} in cluster {cluster}"),
                    e,
                )
            })?;
        Ok(out.services().first().map(|s| ServiceInfo {
            name: s.service_name().unwrap_or_default().to_string(),
            status: s.status().unwrap_or_default().to_string(),
            desired: s.desired_count(),
            running: s.running_count(),
            pending: s.pending_count(),
            task_definition: s.task_definition().unwrap_or_default().to_string(),
            deployments: s
                .deployments()
                .iter()
                .map(|d| DeploymentInfo {
                    id: d.id().unwrap_or_default().to_string(),
                    status: d.status().unwrap_or_default().to_string(),
                    rollout_state: d.rollout_state().map(|r| r.as_str().to_string()),
                    task_definition: d.task_definition().unwrap_or_default().to_string(),
                    desired: d.desired_count(),
                    running: d.running_count(),
                    pending: d.pending_count(),
                    failed: d.failed_tasks(),
                })
                .collect(),
            events: s
                .events()
                .iter()
                .take(5)
                .filter_map(|e| e.message().map(str::to_string))
                .collect(),
        }))
    }

    /// A task definition.
    pub async fn task_definition(&self, arn: &str) -> Result<TaskDefinitionInfo, AwsError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(|e| {
                call_error(
                    "DescribeTaskDefinition",
                    format!("task definition {arn}"),
                    e,
                )
            })?;
        let td = out.task_definition();
        // Debug text of the SDK's values: equal exactly when the settings are (maps are
        // written sorted, see `log_text` and `volumes_text`).
        let text = |v: &dyn std::fmt::Debug| format!("{v:?}");
        Ok(TaskDefinitionInfo {
            revision: td
                .map(|t| format!("{}:{}", t.family().unwrap_or_default(), t.revision()))
                .unwrap_or_default(),
            cpu: td.and_then(|t| t.cpu()).map(str::to_string),
            memory: td.and_then(|t| t.memory()).map(str::to_string),
            containers: td
                .map(|t| t.container_definitions())
                .unwrap_or_default()
                .iter()
                .map(|c| ContainerInfo {
                    name: c.name().unwrap_or_default().to_string(),
                    image: c.image().unwrap_or_default().to_string(),
                    environment: c
                        .environment()
                        .iter()
                        .filter_map(|kv| {
                            Some((
                                kv.name()?.to_string(),
                                kv.value().unwrap_or_default().to_string(),
                            ))
                        })
                        .collect(),
                    secrets: c.secrets().iter().map(|s| s.name().to_string()).collect(),
                    settings: std::collections::BTreeMap::from([
                        ("command", text(&c.command())),
                        ("entry point", text(&c.entry_point())),
                        ("port mappings", text(&c.port_mappings())),
                        ("health check", text(&c.health_check())),
                        ("cpu", text(&c.cpu())),
                        ("memory", text(&c.memory())),
                        ("memory reservation", text(&c.memory_reservation())),
                        ("essential", text(&c.essential())),
                        ("depends on", text(&c.depends_on())),
                        ("working directory", text(&c.working_directory())),
                        ("user", text(&c.user())),
                        (
                            "secret sources",
                            text(
                                &c.secrets()
                                    .iter()
                                    .map(|s| s.value_from())
                                    .collect::<Vec<_>>(),
                            ),
                        ),
                        ("log configuration", log_text(c.log_configuration())),
                        ("mount points", text(&c.mount_points())),
                        (
                            "read-only root file system",
                            text(&c.readonly_root_filesystem()),
                        ),
                        ("stop timeout", text(&c.stop_timeout())),
                    ]),
                })
                .collect(),
            settings: td
                .map(|t| {
                    std::collections::BTreeMap::from([
                        ("task role", text(&t.task_role_arn())),
                        ("execution role", text(&t.execution_role_arn())),
                        ("network mode", text(&t.network_mode())),
                        ("runtime platform", text(&t.runtime_platform())),
                        ("ephemeral storage", text(&t.ephemeral_storage())),
                        ("volumes", volumes_text(t.volumes())),
                    ])
                })
                .unwrap_or_default(),
        })
    }
}

/// A map in a fixed order: the SDK's maps are `HashMap`s, whose Debug order varies.
fn sorted(
    map: Option<&std::collections::HashMap<String, String>>,
) -> std::collections::BTreeMap<&str, &str> {
    map.into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// A container's log configuration as comparable text.
fn log_text(l: Option<&aws_sdk_ecs::types::LogConfiguration>) -> String {
    match l {
        None => "none".into(),
        Some(l) => format!(
            "{:?} {:?} {:?}",
            l.log_driver(),
            sorted(l.options()),
            l.secret_options()
        ),
    }
}

/// A task's volumes as comparable text.
fn volumes_text(volumes: &[aws_sdk_ecs::types::Volume]) -> String {
    let each: Vec<String> = volumes
        .iter()
        .map(|v| {
            let docker = v.docker_volume_configuration().map(|d| {
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    d.scope(),
                    d.autoprovision(),
                    d.driver(),
                    sorted(d.driver_opts()),
                    sorted(d.labels())
                )
            });
            format!(
                "{:?} {:?} {docker:?} {:?} {:?} {:?}",
                v.name(),
                v.host(),
                v.efs_volume_configuration(),
                v.fsx_windows_file_server_volume_configuration(),
                v.configured_at_launch()
            )
        })
        .collect();
    each.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{LogConfiguration, LogDriver};

    #[test]
    fn settings_text_does_not_depend_on_map_order() {
        let with = |keys: &[&str]| {
            let mut l = LogConfiguration::builder().log_driver(LogDriver::Awslogs);
            for k in keys {
                l = l.options(*k, format!("value of {k}"));
            }
            log_text(Some(&l.build().unwrap()))
        };
        let keys: Vec<String> = (0..32).map(|i| format!("option-{i}")).collect();
        let forward: Vec<&str> = keys.iter().map(String::as_str).collect();
        let backward: Vec<&str> = forward.iter().rev().copied().collect();
        assert_eq!(with(&forward), with(&backward));
        assert_ne!(with(&forward), with(&forward[1..]));
        assert_eq!(log_text(None), "none");
    }
}
