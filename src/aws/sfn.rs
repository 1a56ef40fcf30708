//! Step Functions for Scheduled Jobs: starting an execution of a job's state machine and
//! reading how it is going (`StartExecution`, `DescribeExecution`).

use super::{Aws, AwsError, call_error};
use crate::deploy::types::{Execution, ExecutionStatus};

impl Aws {
    /// Starts an execution of `state_machine` (an ARN) named `name`; returns its ARN.
    ///
    /// # Errors
    /// The call's [`AwsError`].
    pub async fn start_execution(
        &self,
        state_machine: &str,
        name: &str,
    ) -> Result<String, AwsError> {
        let out = self
            .sfn
            .start_execution()
            .state_machine_arn(state_machine)
            .name(name)
            .input("{}")
            .send()
            .await
            .map_err(|e| {
                call_error(
                    "StartExecution",
                    format!("state machine {state_machine}"),
                    e,
                )
            })?;
        Ok(out.execution_arn().to_string())
    }

    /// The status of execution `arn`, with the error and cause of a failed one.
    ///
    /// # Errors
    /// The call's [`AwsError`].
    pub async fn execution(&self, arn: &str) -> Result<Execution, AwsError> {
        let out = self
            .sfn
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .map_err(|e| call_error("DescribeExecution", format!("execution {arn}"), e))?;
        use aws_sdk_sfn::types::ExecutionStatus as S;
        Ok(Execution {
            status: match out.status() {
                S::Running | S::PendingRedrive => ExecutionStatus::Running,
                S::Succeeded => ExecutionStatus::Succeeded,
                S::TimedOut => ExecutionStatus::TimedOut,
                S::Aborted => ExecutionStatus::Aborted,
                _ => ExecutionStatus::Failed,
            },
            error: out.error().map(str::to_string),
            cause: out.cause().map(str::to_string),
            output: out.output().map(str::to_string),
        })
    }
}
