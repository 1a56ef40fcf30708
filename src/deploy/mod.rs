//! Deploying stacks: change sets, waiting, and the verdict, for one stack or many.
//!
//! The engine talks to CloudFormation through [`StackApi`] and reports through
//! [`DeployReporter`]; `aws` implements the first, `ui` the second, and tests script
//! both. No SDK types and no printing here.

pub mod diff;
pub mod lock;
pub mod multi;
pub mod owner;
pub mod release;
pub mod replace;
pub mod resolve;
pub mod rollback;
pub mod rollout;
pub mod stack;
pub mod status;
pub mod types;

use crate::api::AwsError;
use std::future::Future;
use types::{Change, ChangeSetRequest, ChangeSetState, StackEvent, StackInfo, StackOutcome};

/// The CloudFormation operations a deploy needs.
pub trait StackApi: Sync {
    /// The stack, or `None` when it does not exist.
    fn describe(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Option<StackInfo>, AwsError>> + Send;
    /// Creates a change set; `Ok(None)` when CloudFormation says at once there is nothing to change.
    fn create_change_set(
        &self,
        req: &ChangeSetRequest<'_>,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// Where the change set is.
    fn change_set(&self, id: &str)
    -> impl Future<Output = Result<ChangeSetState, AwsError>> + Send;
    /// Executes a change set; with `disable_rollback`, a failure leaves the stack as it
    /// is (`*_FAILED`) instead of rolling back.
    fn execute(
        &self,
        id: &str,
        disable_rollback: bool,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Deletes a change set.
    fn delete_change_set(&self, id: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Events of the stack, newest first, up to (not including) `until_id`.
    fn events(
        &self,
        stack: &str,
        until_id: Option<&str>,
    ) -> impl Future<Output = Result<Vec<StackEvent>, AwsError>> + Send;
    /// Starts deleting the stack, leaving the `retain` resources alone (only allowed for
    /// a stack in DELETE_FAILED).
    fn delete(
        &self,
        stack: &str,
        retain: &[String],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Cancels an update in progress.
    fn cancel_update(&self, stack: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// What a deploy reports while it works. Implemented by `ui` (live tree, plain lines,
/// JSON events) and by tests.
pub trait DeployReporter: Send + Sync {
    /// Work on `stack` starts.
    fn started(&self, stack: &str, kind: types::ChangeSetKind);
    /// The change set is ready.
    fn changes(&self, stack: &str, changes: &[Change]);
    /// A stack event arrived; `description` comes from the template's metadata.
    fn event(&self, stack: &str, event: &StackEvent, description: Option<&str>);
    /// Something worth saying that is not an event.
    fn note(&self, stack: &str, message: &str);
    /// Work on `stack` ended.
    fn finished(&self, stack: &str, result: &Result<StackOutcome, DeployError>);
    /// What a poll of the stack's ECS rollout found.
    fn rollout(&self, _stack: &str, _progress: &crate::watch::machine::Progress) {}
    /// The stack's ECS rollout ended.
    fn rollout_done(&self, _stack: &str, _watched: &crate::watch::poll::Watched) {}
}

/// Why a deploy did not succeed.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum DeployError {
    /// An AWS call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] std::sync::Arc<AwsError>),
    /// Another operation is running on the stack.
    #[error("stack {stack} is {status}: another operation is running on it")]
    #[diagnostic(
        code(wharf::deploy::in_progress),
        help("wait for it to finish (`--wait-in-progress` waits for you), then deploy again")
    )]
    InProgress {
        /// Stack.
        stack: String,
        /// Its status.
        status: String,
    },
    /// The stack exists but wharf did not make it (for this application, environment
    /// and service), so wharf leaves it alone.
    #[error(
        "stack {stack} is not wharf's stack of {expected}: it was made by {made_by}; wharf changed nothing"
    )]
    #[diagnostic(code(wharf::deploy::not_ours), help("{help}"))]
    NotOurs {
        /// Stack.
        stack: String,
        /// What wharf expected it to be (`application `shop`, environment `test``).
        expected: String,
        /// What made it, as its tags say.
        made_by: String,
        /// What to do.
        help: String,
    },
    /// CloudFormation would not create the change set.
    #[error("CloudFormation rejected the change set for {stack}: {reason}")]
    #[diagnostic(code(wharf::deploy::change_set))]
    ChangeSetFailed {
        /// Stack.
        stack: String,
        /// CloudFormation's reason.
        reason: String,
    },
    /// The deploy failed and CloudFormation rolled it back.
    #[error("deploying {stack} failed{} and was rolled back ({status})", resource.as_ref().map(|r| format!(" at {r}")).unwrap_or_default())]
    #[diagnostic(code(wharf::deploy::rolled_back), help("{}", reason.as_deref().unwrap_or("see the stack events for the cause")))]
    RolledBack {
        /// Stack.
        stack: String,
        /// Final status.
        status: String,
        /// The resource that failed first.
        resource: Option<String>,
        /// Its reason.
        reason: Option<String>,
    },
    /// The stack needs a person.
    #[error("stack {stack} is {status} and needs manual attention{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    #[diagnostic(
        code(wharf::deploy::needs_attention),
        help(
            "look at the stack's events in the CloudFormation console; an UPDATE_ROLLBACK_FAILED stack can be recovered with `aws cloudformation continue-update-rollback`; one left UPDATE_FAILED or CREATE_FAILED by `--no-rollback` keeps what succeeded: deploy again once the cause is fixed, or return it to its last good state with `aws cloudformation rollback-stack`"
        )
    )]
    NeedsAttention {
        /// Stack.
        stack: String,
        /// Final status.
        status: String,
        /// Why, when known.
        reason: Option<String>,
    },
    /// The stack deployed, but the ECS rollout it caused did not succeed.
    #[error("{stack}: {summary}{}{}", stack_error.as_ref().map(|e| format!("\n  stack: {e}")).unwrap_or_default(), log_text(logs))]
    #[diagnostic(
        code(wharf::deploy::rollout),
        help("`wharf svc status` shows the service's deployments and recent events")
    )]
    Rollout {
        /// Stack.
        stack: String,
        /// What happened, with the most frequent stopped reason.
        summary: String,
        /// How the watch ended.
        verdict: crate::watch::machine::Verdict,
        /// What CloudFormation reported, when the stack failed too.
        stack_error: Option<String>,
        /// The failing container's last log lines.
        logs: Vec<String>,
    },
    /// Not deployed: a stack it deploys after failed.
    #[error("{stack} was not deployed: {after}, which it deploys after, failed")]
    #[diagnostic(
        code(wharf::deploy::not_reached),
        help(
            "fix {after} and deploy again: {stack} deploys after it (a later `-n name/N` order, or a subscription to its topics)"
        )
    )]
    NotReached {
        /// The stack not deployed.
        stack: String,
        /// The stack it waits for, which failed.
        after: String,
    },
    /// A wait on CloudFormation lasted longer than its bound (`--timeout`).
    #[error("stopped waiting for {stack} after {after}: it was waiting for {waiting_for}")]
    #[diagnostic(
        code(wharf::deploy::timed_out),
        help(
            "nothing was cancelled; look at the stack's events, and run the command again (with `--wait-in-progress` or a longer `--timeout`) once it has settled"
        )
    )]
    TimedOut {
        /// Stack.
        stack: String,
        /// What wharf was waiting for.
        waiting_for: String,
        /// The bound, in words (`60m`).
        after: String,
    },
    /// The user interrupted the command (a deploy, or a watch of one).
    #[error("{stack}: interrupted: {outcome}")]
    #[diagnostic(code(wharf::deploy::interrupted))]
    Interrupted {
        /// Stack.
        stack: String,
        /// What became of the stack.
        outcome: String,
        /// Its status when wharf stopped (`None`: deleted, or never changed).
        status: Option<String>,
    },
}

impl DeployError {
    /// The process exit code of a failed deploy: 3 rolled back, 4 needs attention, 130
    /// interrupted, 1 otherwise; a rollout's is its verdict's.
    pub fn exit_code(&self) -> u8 {
        match self {
            DeployError::RolledBack { .. } => 3,
            DeployError::NeedsAttention { .. } | DeployError::TimedOut { .. } => 4,
            DeployError::Interrupted { .. } => 130,
            DeployError::Rollout { verdict, .. } => verdict.exit_code(),
            DeployError::Aws(_)
            | DeployError::InProgress { .. }
            | DeployError::ChangeSetFailed { .. }
            | DeployError::NotOurs { .. }
            | DeployError::NotReached { .. } => 1,
        }
    }
}

fn log_text(logs: &[String]) -> String {
    if logs.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n  last log lines of the failing container:");
    for l in logs {
        out.push_str("\n    ");
        out.push_str(l);
    }
    out
}

impl From<AwsError> for DeployError {
    fn from(e: AwsError) -> Self {
        DeployError::Aws(std::sync::Arc::new(e))
    }
}

#[cfg(test)]
mod tests;
