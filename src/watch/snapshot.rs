//! What one poll of ECS says about a service, in wharf's own types: the watcher decides
//! from these alone, so it is tested with scripted sequences and no SDK.

use serde::Serialize;

/// One deployment of the service (DescribeServices `deployments[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// `ecs-svc/…`.
    pub id: String,
    /// `PRIMARY`, `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout_state: Option<String>,
    /// Why the rollout state is what it is (circuit breaker, alarms).
    pub rollout_reason: Option<String>,
    /// Task definition ARN.
    pub task_definition: String,
    /// Desired tasks.
    pub desired: i32,
    /// Running tasks.
    pub running: i32,
    /// Pending tasks.
    pub pending: i32,
    /// Tasks that failed to start or stay up.
    pub failed: i32,
    /// When ECS created it (ms since the epoch).
    pub created_ms: i64,
}

/// `family:revision` of a task definition ARN (`arn:aws:ecs:…:task-definition/web:7` is
/// `web:7`); `family:revision` itself is returned as it is.
pub fn revision_of(task_definition: &str) -> &str {
    task_definition
        .rsplit('/')
        .next()
        .unwrap_or(task_definition)
}

impl Deployment {
    /// `family:revision` of its task definition.
    pub fn revision(&self) -> &str {
        revision_of(&self.task_definition)
    }

    fn state(&self) -> &str {
        self.rollout_state.as_deref().unwrap_or("")
    }

    /// The rollout finished well.
    pub fn completed(&self) -> bool {
        self.state() == "COMPLETED"
    }

    /// The rollout failed.
    pub fn failed_rollout(&self) -> bool {
        self.state() == "FAILED"
    }
}

/// A service event (DescribeServices `events[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceEvent {
    /// Event id.
    pub id: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// What ECS said.
    pub message: String,
}

impl ServiceEvent {
    /// Whether the event says something is wrong.
    pub fn is_trouble(&self) -> bool {
        let m = self.message.to_ascii_lowercase();
        [
            "unable",
            "failed",
            "unhealthy",
            "error",
            "insufficient",
            "circuit breaker",
            "rolling back",
            "rolled back",
            "alarm",
            "throttl",
        ]
        .iter()
        .any(|w| m.contains(w))
    }
}

/// A container of a stopped task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerExit {
    /// Container name.
    pub name: String,
    /// Exit code, when it ran.
    pub exit_code: Option<i32>,
    /// Why it stopped, when ECS says.
    pub reason: Option<String>,
}

/// A stopped task (DescribeTasks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoppedTask {
    /// Task ARN.
    pub arn: String,
    /// The deployment that started it (`ecs-svc/…`), from `startedBy`.
    pub deployment: Option<String>,
    /// Task definition ARN.
    pub task_definition: String,
    /// ECS's stopped reason.
    pub stopped_reason: Option<String>,
    /// `TaskFailedToStart`, `EssentialContainerExited`, …
    pub stop_code: Option<String>,
    /// Its containers.
    pub containers: Vec<ContainerExit>,
    /// When it stopped (ms since the epoch).
    pub stopped_ms: i64,
}

impl StoppedTask {
    /// The task id (the last part of the ARN).
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// The container whose exit most likely stopped the task: a non-zero exit code first,
    /// then one with a reason.
    pub fn failing_container(&self) -> Option<&ContainerExit> {
        self.containers
            .iter()
            .find(|c| c.exit_code.is_some_and(|e| e != 0))
            .or_else(|| self.containers.iter().find(|c| c.reason.is_some()))
    }

    /// Why it stopped, grouped so that the same failure counts once: the error name for
    /// image pulls (`CannotPullContainerError`), the exit code for crashes, "failed ELB
    /// health checks", else ECS's words.
    pub fn reason_key(&self) -> String {
        let reason = self.stopped_reason.as_deref().unwrap_or("");
        let container_reason = self
            .containers
            .iter()
            .filter_map(|c| c.reason.as_deref())
            .find(|r| !r.is_empty())
            .unwrap_or("");
        for text in [reason, container_reason] {
            if let Some(i) = text.find("Error") {
                let start = text[..i]
                    .rfind(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(0, |j| j + 1);
                let name = &text[start..i + "Error".len()];
                if name.len() > "Error".len() {
                    return name.to_string();
                }
            }
        }
        if reason.contains("Essential container in task exited") {
            return match self.failing_container().and_then(|c| c.exit_code) {
                Some(code) => format!("Essential container exited (exit code {code})"),
                None => "Essential container exited".to_string(),
            };
        }
        if reason.contains("ELB health checks") {
            return "failed ELB health checks".to_string();
        }
        if reason.to_ascii_lowercase().contains("health check") {
            return "failed container health checks".to_string();
        }
        if reason.is_empty() {
            self.stop_code.clone().unwrap_or_else(|| "stopped".into())
        } else {
            reason.to_string()
        }
    }
}

/// A deployment's entry in the service's deployment history
/// (ListServiceDeployments/DescribeServiceDeployments), when that API is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRecord {
    /// Service deployment ARN.
    pub arn: String,
    /// `PENDING`, `IN_PROGRESS`, `SUCCESSFUL`, `STOPPED`, `STOP_REQUESTED`,
    /// `ROLLBACK_REQUESTED`, `ROLLBACK_IN_PROGRESS`, `ROLLBACK_SUCCESSFUL`, `ROLLBACK_FAILED`.
    pub status: String,
    /// Why.
    pub reason: Option<String>,
}

/// Everything one poll saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// When the poll ran (ms since the epoch).
    pub at_ms: i64,
    /// Whether the service exists.
    pub found: bool,
    /// Its deployments, as ECS lists them.
    pub deployments: Vec<Deployment>,
    /// Its latest events, newest first.
    pub events: Vec<ServiceEvent>,
    /// Recently stopped tasks.
    pub stopped: Vec<StoppedTask>,
    /// The history entry of the deployment being watched, if known.
    pub record: Option<HistoryRecord>,
    /// The poll was throttled: nothing else in it is news.
    pub throttled: bool,
    /// The task definition (ARN) the stack references now, looked up while an update's
    /// deployment is not chosen yet: the update's deployment is the one that runs it.
    pub stack_task_definition: Option<String>,
}
/// Which deployment `svc status --watch` follows, given the service's deployments as
/// `(id, status, rolloutState)`: a release the circuit breaker (or an alarm) failed while
/// its rollback is the PRIMARY, so that the watch reports the failed release and its
/// rollback (exit 3) rather than the rollback's own completion; otherwise the PRIMARY
/// deployment while it rolls out; otherwise none.
pub fn deployment_to_follow<'a>(
    deployments: &[(&'a str, &'a str, Option<&'a str>)],
) -> Option<&'a str> {
    let primary = deployments
        .iter()
        .find(|(_, status, _)| *status == "PRIMARY");
    let failed_release = deployments
        .iter()
        .find(|(_, status, state)| *status == "ACTIVE" && *state == Some("FAILED"));
    match (primary, failed_release) {
        (Some(_), Some((id, _, _))) => Some(id),
        (Some((id, _, Some("IN_PROGRESS"))), None) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod follow_tests {
    use super::deployment_to_follow;

    #[test]
    fn a_failed_release_is_followed_rather_than_its_rollback() {
        let rolling_back = [
            ("back", "PRIMARY", Some("IN_PROGRESS")),
            ("bad", "ACTIVE", Some("FAILED")),
        ];
        assert_eq!(deployment_to_follow(&rolling_back), Some("bad"));
        let rolled_back = [
            ("back", "PRIMARY", Some("COMPLETED")),
            ("bad", "ACTIVE", Some("FAILED")),
        ];
        assert_eq!(deployment_to_follow(&rolled_back), Some("bad"));
        let rolling = [
            ("new", "PRIMARY", Some("IN_PROGRESS")),
            ("old", "ACTIVE", Some("COMPLETED")),
        ];
        assert_eq!(deployment_to_follow(&rolling), Some("new"));
        assert_eq!(
            deployment_to_follow(&[("done", "PRIMARY", Some("COMPLETED"))]),
            None
        );
        assert_eq!(deployment_to_follow(&[]), None);
    }
}
