//! What the rollout watcher asks AWS: a service's deployments and events, the tasks a
//! deployment stopped, the deployment history, the failing container's last log lines,
//! and which ECS service a stack runs.

use super::{Aws, AwsError, ErrorKind, call_error};
use crate::watch::poll::{RolloutApi, ServiceRef, ServiceState};
use crate::watch::snapshot::{ContainerExit, Deployment, HistoryRecord, ServiceEvent, StoppedTask};
use aws_sdk_ecs::types::{CreatedAt, DesiredStatus};
use aws_smithy_types::DateTime;

impl Aws {
    /// The service's deployments of any status, newest first (the 20 newest), with the
    /// task definitions they ran and their images, container `main`'s (else the
    /// first's) first (ListServiceDeployments, DescribeServiceRevisions).
    pub async fn deployment_history(
        &self,
        s: &ServiceRef,
        main: &str,
    ) -> Result<Vec<crate::deploy::rollback::PastDeployment>, AwsError> {
        let out = self
            .ecs
            .list_service_deployments()
            .cluster(&s.cluster)
            .service(&s.service)
            .max_results(20)
            .send()
            .await
            .map_err(|e| call_error("ListServiceDeployments", what(s), e))?;
        let briefs = out.service_deployments();
        let revisions: Vec<String> = briefs
            .iter()
            .filter_map(|b| b.target_service_revision_arn().map(str::to_string))
            .collect();
        let mut task_definitions = std::collections::BTreeMap::new();
        if !revisions.is_empty() {
            let revs = self
                .ecs
                .describe_service_revisions()
                .set_service_revision_arns(Some(revisions))
                .send()
                .await
                .map_err(|e| call_error("DescribeServiceRevisions", what(s), e))?;
            for r in revs.service_revisions() {
                if let (Some(arn), Some(td)) = (r.service_revision_arn(), r.task_definition()) {
                    let images: Vec<(&str, &str)> = r
                        .container_images()
                        .iter()
                        .filter_map(|c| Some((c.container_name()?, c.image()?)))
                        .collect();
                    let image = crate::deploy::rollback::release_images(main, &images);
                    task_definitions.insert(arn.to_string(), (td.to_string(), image));
                }
            }
        }
        let mut past: Vec<_> = briefs
            .iter()
            .filter_map(|b| {
                let (task_definition, image) = task_definitions
                    .get(b.target_service_revision_arn()?)?
                    .clone();
                Some(crate::deploy::rollback::PastDeployment {
                    arn: b.service_deployment_arn()?.to_string(),
                    created_ms: ms(b.created_at()),
                    task_definition,
                    image,
                    status: b.status()?.as_str().to_string(),
                })
            })
            .collect();
        past.sort_by_key(|p| std::cmp::Reverse(p.created_ms));
        Ok(past)
    }
}

impl Aws {
    /// The physical id of resource `logical` of `stack`; `None` when the stack or the
    /// resource does not exist (yet).
    pub async fn stack_resource(
        &self,
        stack: &str,
        logical: &str,
    ) -> Result<Option<String>, AwsError> {
        match self
            .cfn
            .describe_stack_resource()
            .stack_name(stack)
            .logical_resource_id(logical)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .stack_resource_detail()
                .and_then(|r| r.physical_resource_id())
                .filter(|id| !id.is_empty())
                .map(str::to_string)),
            Err(e) => {
                let e = call_error("DescribeStackResource", format!("stack {stack}"), e);
                match e.kind() {
                    Some(ErrorKind::NotFound | ErrorKind::Validation) => Ok(None),
                    _ => Err(e),
                }
            }
        }
    }
}

fn ms(t: Option<&DateTime>) -> i64 {
    t.and_then(|t| t.to_millis().ok()).unwrap_or(0)
}

fn what(s: &ServiceRef) -> String {
    format!("service {} in cluster {}", s.service, s.cluster)
}

impl RolloutApi for Aws {
    /// The ECS service stack `stack` runs (its `Service` resource), once it exists.
    async fn stack_service(&self, stack: &str) -> Result<Option<ServiceRef>, AwsError> {
        Ok(self
            .stack_resource(stack, crate::contract::logical::SERVICE)
            .await?
            .as_deref()
            .and_then(ServiceRef::from_arn))
    }
    async fn stack_task_definition(&self, stack: &str) -> Result<Option<String>, AwsError> {
        self.stack_resource(stack, crate::contract::logical::TASK_DEFINITION)
            .await
    }
    async fn service_state(&self, s: &ServiceRef) -> Result<Option<ServiceState>, AwsError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(&s.cluster)
            .services(&s.service)
            .send()
            .await
            .map_err(|e| call_error("DescribeServices", what(s), e))?;
        let Some(svc) = out
            .services()
            .first()
            .filter(|v| v.status() != Some("INACTIVE"))
        else {
            return Ok(None);
        };
        Ok(Some(ServiceState {
            deployments: svc
                .deployments()
                .iter()
                .map(|d| Deployment {
                    id: d.id().unwrap_or_default().to_string(),
                    status: d.status().unwrap_or_default().to_string(),
                    rollout_state: d.rollout_state().map(|r| r.as_str().to_string()),
                    rollout_reason: d.rollout_state_reason().map(str::to_string),
                    task_definition: d.task_definition().unwrap_or_default().to_string(),
                    desired: d.desired_count(),
                    running: d.running_count(),
                    pending: d.pending_count(),
                    failed: d.failed_tasks(),
                    created_ms: ms(d.created_at()),
                })
                .collect(),
            events: svc
                .events()
                .iter()
                .take(20)
                .map(|e| ServiceEvent {
                    id: e.id().unwrap_or_default().to_string(),
                    at_ms: ms(e.created_at()),
                    message: e.message().unwrap_or_default().to_string(),
                })
                .collect(),
        }))
    }

    async fn stopped_tasks(
        &self,
        s: &ServiceRef,
        deployment: &str,
    ) -> Result<Vec<StoppedTask>, AwsError> {
        let arns = self
            .ecs
            .list_tasks()
            .cluster(&s.cluster)
            .started_by(deployment)
            .desired_status(DesiredStatus::Stopped)
            .send()
            .await
            .map_err(|e| call_error("ListTasks", what(s), e))?
            .task_arns
            .unwrap_or_default();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        // DescribeTasks takes at most 100; the newest matter.
        let arns: Vec<String> = arns.into_iter().take(100).collect();
        let out = self
            .ecs
            .describe_tasks()
            .cluster(&s.cluster)
            .set_tasks(Some(arns))
            .send()
            .await
            .map_err(|e| call_error("DescribeTasks", what(s), e))?;
        let mut tasks: Vec<StoppedTask> = out
            .tasks()
            .iter()
            .map(|t| StoppedTask {
                arn: t.task_arn().unwrap_or_default().to_string(),
                deployment: t.started_by().map(str::to_string),
                task_definition: t.task_definition_arn().unwrap_or_default().to_string(),
                stopped_reason: t.stopped_reason().map(str::to_string),
                stop_code: t.stop_code().map(|c| c.as_str().to_string()),
                containers: t
                    .containers()
                    .iter()
                    .map(|c| ContainerExit {
                        name: c.name().unwrap_or_default().to_string(),
                        exit_code: c.exit_code(),
                        reason: c.reason().map(str::to_string),
                    })
                    .collect(),
                stopped_ms: ms(t.stopped_at()),
            })
            .collect();
        tasks.sort_by_key(|t| t.stopped_ms);
        Ok(tasks)
    }

    async fn history(
        &self,
        s: &ServiceRef,
        created_ms: i64,
    ) -> Result<Option<HistoryRecord>, AwsError> {
        let out = self
            .ecs
            .list_service_deployments()
            .cluster(&s.cluster)
            .service(&s.service)
            .created_at(
                CreatedAt::builder()
                    .after(DateTime::from_millis(created_ms - 60_000))
                    .build(),
            )
            // Optional information: a failure (or an endpoint without this API) must not
            // hold the watch up through retries.
            .customize()
            .config_override(
                aws_sdk_ecs::config::Builder::default()
                    .retry_config(aws_config::retry::RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| call_error("ListServiceDeployments", what(s), e))?;
        // The entry created closest to the deployment's own creation.
        Ok(out
            .service_deployments()
            .iter()
            .min_by_key(|b| (ms(b.created_at()) - created_ms).abs())
            .map(|b| HistoryRecord {
                arn: b.service_deployment_arn().unwrap_or_default().to_string(),
                status: b
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: b.status_reason().map(str::to_string),
            }))
    }

    async fn start_deployment(
        &self,
        s: &ServiceRef,
        task_definition: Option<&str>,
    ) -> Result<String, AwsError> {
        let out = self
            .ecs
            .update_service()
            .cluster(&s.cluster)
            .service(&s.service)
            .force_new_deployment(true)
            .set_task_definition(task_definition.map(str::to_string))
            .send()
            .await
            .map_err(|e| call_error("UpdateService", what(s), e))?;
        out.service()
            .and_then(|svc| {
                svc.deployments()
                    .iter()
                    .find(|d| d.status() == Some("PRIMARY"))
                    .and_then(|d| d.id())
            })
            .map(str::to_string)
            .ok_or_else(|| AwsError::Call {
                operation: "UpdateService",
                resource: what(s),
                kind: ErrorKind::Other,
                code: None,
                message: "the answer names no new deployment".into(),
                detail: None,
            })
    }

    async fn log_tail(&self, task: &StoppedTask, lines: usize) -> Result<Vec<String>, AwsError> {
        let Some(container) = task.failing_container().or(task.containers.first()) else {
            return Ok(Vec::new());
        };
        let td = self
            .ecs
            .describe_task_definition()
            .task_definition(&task.task_definition)
            .send()
            .await
            .map_err(|e| call_error("DescribeTaskDefinition", &task.task_definition, e))?;
        let Some(options) = td
            .task_definition()
            .map(|t| t.container_definitions())
            .unwrap_or_default()
            .iter()
            .find(|c| c.name() == Some(container.name.as_str()))
            .and_then(|c| c.log_configuration())
            .and_then(|l| l.options())
        else {
            return Ok(Vec::new());
        };
        let (Some(group), Some(prefix)) = (
            options.get("awslogs-group"),
            options.get("awslogs-stream-prefix"),
        ) else {
            return Ok(Vec::new());
        };
        let stream = format!("{prefix}/{}/{}", container.name, task.id());
        match self
            .logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(&stream)
            .limit(i32::try_from(lines).unwrap_or(20))
            .start_from_head(false)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .events()
                .iter()
                .filter_map(|e| e.message().map(str::to_string))
                .collect()),
            Err(e) => {
                let e = call_error("GetLogEvents", format!("{group}/{stream}"), e);
                if e.kind() == Some(ErrorKind::NotFound) {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            }
        }
    }
}
