//! What the deploy engine talks about: stacks, change sets, events, outcomes. Plain data,
//! no SDK types.

use serde::Serialize;
use std::collections::BTreeMap;

/// A stack as CloudFormation describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackInfo {
    /// Stack name.
    pub name: String,
    /// Stack ID (ARN).
    pub id: String,
    /// Status, like `UPDATE_COMPLETE`.
    pub status: String,
    /// Why it is in that status.
    pub reason: Option<String>,
    /// Outputs.
    pub outputs: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Parameter values.
    pub parameters: BTreeMap<String, String>,
}

/// Whether a change set creates the stack or updates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSetKind {
    /// The stack does not exist yet.
    Create,
    /// The stack exists.
    Update,
}

impl ChangeSetKind {
    /// The operation, as a noun: `create` or `update`.
    pub fn noun(self) -> &'static str {
        match self {
            ChangeSetKind::Create => "create",
            ChangeSetKind::Update => "update",
        }
    }
}

/// Everything a change set needs.
#[derive(Debug, Clone)]
pub struct ChangeSetRequest<'a> {
    /// Stack name.
    pub stack: &'a str,
    /// Change set name.
    pub name: String,
    /// Create or update.
    pub kind: ChangeSetKind,
    /// Template body.
    pub template: &'a str,
    /// Where the template was uploaded, when it is too large to send inline.
    pub template_url: Option<&'a str>,
    /// Parameter values.
    pub parameters: &'a BTreeMap<String, String>,
    /// Stack tags.
    pub tags: &'a BTreeMap<String, String>,
}

/// How far a change set got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSetState {
    /// Still being computed.
    Pending,
    /// Ready to execute, with its changes.
    Ready(Vec<Change>),
    /// It would change nothing.
    Empty,
    /// CloudFormation rejected it.
    Failed(String),
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `Add`, `Modify`, `Remove`, …
    pub action: String,
    /// Logical ID.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// `True`, `False` or `Conditional` for modifications.
    pub replacement: Option<String>,
}

/// One stack event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackEvent {
    /// Event ID.
    pub id: String,
    /// When, in milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// Logical ID of the resource (the stack name for stack events).
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Status, like `CREATE_IN_PROGRESS`.
    pub status: String,
    /// Why.
    pub reason: Option<String>,
}

impl StackEvent {
    /// Whether this is an event of the stack itself (not of a resource).
    pub fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
    }
}

/// What a deploy of one stack did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Created the stack.
    Created,
    /// Updated the stack.
    Updated,
    /// The template and parameters match what is deployed.
    NoChanges,
    /// The stack had no changes, and its service completed a new ECS deployment wharf
    /// started: `--force`, or the service ran another task definition than the stack
    /// references.
    Redeployed,
    /// The stack had no changes, and a deployment of its service that was still rolling
    /// out (an earlier, interrupted run's) was followed until it completed.
    Settled,
    /// The change set was executed and not followed (`env deploy --detach`): how the
    /// operation ends is not known.
    Started,
    /// Deleted the stack.
    Deleted,
    /// There was no stack to delete.
    Absent,
}

/// The result of deploying one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackOutcome {
    /// Stack name.
    pub stack: String,
    /// What happened.
    pub action: Action,
    /// Final status.
    pub status: Option<String>,
    /// Number of resource changes.
    pub changes: usize,
    /// Outputs after the deploy.
    pub outputs: BTreeMap<String, String>,
    /// Seconds it took.
    pub seconds: f64,
}

impl StackOutcome {
    /// A stack nothing was done to.
    pub fn unchanged(stack: &str) -> Self {
        StackOutcome {
            stack: stack.to_string(),
            action: Action::NoChanges,
            status: None,
            changes: 0,
            outputs: BTreeMap::new(),
            seconds: 0.0,
        }
    }
}

/// How to watch rollouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WatchSettings {
    /// Early stops.
    pub limits: crate::watch::machine::Limits,
    /// Polling.
    pub poll: crate::watch::poll::PollOptions,
    /// Return once the stack is deployed (`--detach`).
    pub detach: bool,
    /// When the stack has no changes, start a new ECS deployment anyway (`--force`).
    pub force: bool,
    /// When `--progress-timeout` fires while CloudFormation still updates the stack,
    /// cancel the update (`--rollback-on-timeout`).
    pub rollback_on_timeout: bool,
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
    /// Everything else that shapes the container, as comparable text by setting name
    /// (`command`, `port mappings`, `secret sources`, …): what `svc rollback` compares.
    #[serde(skip)]
    pub settings: std::collections::BTreeMap<&'static str, String>,
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
    /// The task's other settings (roles, network mode, volumes, …) as comparable text
    /// by setting name: what `svc rollback` compares.
    #[serde(skip)]
    pub settings: std::collections::BTreeMap<&'static str, String>,
}

/// A Step Functions execution of a job's state machine, as `DescribeExecution` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// Where it is.
    pub status: ExecutionStatus,
    /// The error of a failed execution (`States.TaskFailed`, `States.Timeout`, …).
    pub error: Option<String>,
    /// Its cause: for a failed ECS task, the task as JSON (containers with exit codes).
    pub cause: Option<String>,
    /// The output of a succeeded execution: for `ecs:runTask.sync`, the task as JSON.
    pub output: Option<String>,
}

/// Execution statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// Running (or waiting to be redriven).
    Running,
    /// Done, the task exited 0.
    Succeeded,
    /// Failed: the task failed or could not run.
    Failed,
    /// Longer than the job's `timeout`.
    TimedOut,
    /// Stopped by someone.
    Aborted,
}

impl Execution {
    /// The task's exit code, read from the task JSON in `output` (success) or `cause`
    /// (failure): the first non-zero exit code of its containers, else the first one;
    /// `None` when there is no task (it could not start) or no exit code.
    pub fn exit_code(&self) -> Option<i64> {
        let text = match self.status {
            ExecutionStatus::Succeeded => self.output.as_deref(),
            _ => self.cause.as_deref(),
        }?;
        let task: serde_json::Value = serde_json::from_str(text).ok()?;
        let containers = task
            .get("Containers")
            .or_else(|| task.get("containers"))?
            .as_array()?;
        containers
            .iter()
            .filter_map(|c| c.get("ExitCode").or_else(|| c.get("exitCode")))
            .filter_map(serde_json::Value::as_i64)
            .find(|c| *c != 0)
            .or_else(|| {
                containers
                    .iter()
                    .filter_map(|c| c.get("ExitCode").or_else(|| c.get("exitCode")))
                    .find_map(serde_json::Value::as_i64)
            })
    }
}
