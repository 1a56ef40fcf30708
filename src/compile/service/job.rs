//! A Scheduled Job's schedule and runner: an EventBridge rule (disabled for
//! `schedule: none`) starts a Step Functions state machine that runs the task with
//! `ecs:runTask.sync`, retrying a failed task `retries` times and stopping a run after
//! `timeout`, as Copilot's jobs do
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html>). Its partial
//! is `svc-job.yml`.

use super::*;
use crate::manifest::service::Job;
use serde_json::json;

/// What a disabled rule keeps as its expression (Copilot's choice for `schedule: none`).
const DISABLED_EXPRESSION: &str = "rate(5 minutes)";

/// Seconds between a failed task and its retry, and the backoff between retries.
const RETRY_INTERVAL_SECS: u64 = 10;
const RETRY_BACKOFF: f64 = 1.5;

/// The rule and the state machine of a job.
pub(super) fn plan(j: &Job, app: &str, env: &str, name: &str, public_ip: bool) -> JobPlan {
    let expression = j.schedule.value.expression();
    let retries = j.retries.as_ref().map_or(0, |r| r.value);
    let timeout = j.timeout.as_ref().map(|t| t.value.secs());
    let mut run = json!({
        "Type": "Task",
        "Resource": "arn:${AWS::Partition}:states:::ecs:runTask.sync",
        "Parameters": {
            "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST",
            "Cluster": "${ClusterName}",
            "TaskDefinition": "${TaskDefinition}",
            "PropagateTags": "TASK_DEFINITION",
            "Group.$": "$$.Execution.Name",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": ["${Subnets}"],
                    "AssignPublicIp": if public_ip { "ENABLED" } else { "DISABLED" },
                    "SecurityGroups": ["${SecurityGroups}"],
                }
            }
        },
        "End": true,
    });
    if retries > 0 {
        run["Retry"] = json!([{
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": RETRY_INTERVAL_SECS,
            "MaxAttempts": retries,
            "BackoffRate": RETRY_BACKOFF,
        }]);
    }
    let mut definition = json!({
        "Version": "1.0",
        "Comment": format!("Run the task of job {name} in environment {env} of application {app}"),
        "StartAt": "Run Fargate Task",
        "States": {"Run Fargate Task": run},
    });
    if let Some(t) = timeout {
        definition["TimeoutSeconds"] = json!(t);
    }
    JobPlan {
        enabled: expression.is_some(),
        expression: expression.unwrap_or_else(|| DISABLED_EXPRESSION.into()),
        // Step Functions names are at most 80 characters; a longer one is left to
        // CloudFormation to generate (wharf finds the machine by the stack's output).
        state_machine_name: Some(format!("{app}-{env}-{name}")).filter(|n| n.len() <= 80),
        retries,
        timeout,
        definition: serde_json::to_string(&definition).unwrap_or_default(),
    }
}
