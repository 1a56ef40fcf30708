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

/// A container of a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerInfo {
    /// Name.
    pub name: String,
    /// Image.
    pub image: String,
    /// Environment variables (name, value).
    pub environment: Vec<(String, String)>,
    /// Secret names (values are never read).
    pub secrets: Vec<String>,
}

/// A task definition as `svc show` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDefinitionInfo {
    /// `family:revision`.
    pub revision: String,
    /// CPU units.
    pub cpu: Option<String>,
    /// Memory MiB.
    pub memory: Option<String>,
    /// Containers.
    pub containers: Vec<ContainerInfo>,
}

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
                })
                .collect(),
        })
    }
}
