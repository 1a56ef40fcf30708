//! The deploy engine against scripted CloudFormation answers: every path of the change
//! set state machine, without AWS and without waiting (polls are 1 ms).

use super::owner;
use super::stack::{Options, StackSpec, deploy};
use super::types::*;
use super::{DeployError, DeployReporter, StackApi};
use crate::api::{AwsError, ErrorKind};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
struct Fake {
    describe: Mutex<VecDeque<Result<Option<StackInfo>, AwsError>>>,
    create: Mutex<VecDeque<Result<Option<String>, AwsError>>>,
    change_set: Mutex<VecDeque<ChangeSetState>>,
    events: Mutex<VecDeque<Vec<StackEvent>>>,
    calls: Mutex<Vec<String>>,
    /// Once `describe` runs out of answers: the stack while updating, and after a cancel.
    hold: Option<(StackInfo, StackInfo)>,
    cancelled: std::sync::atomic::AtomicBool,
    /// ECS: the service's states, one per DescribeServices (the last repeats).
    ecs: Mutex<VecDeque<crate::watch::poll::ServiceState>>,
    /// ECS: stopped tasks.
    stopped: Vec<crate::watch::snapshot::StoppedTask>,
    /// The task definition the stack references (its `TaskDefinition` resource).
    stack_td: Option<String>,
    /// A Ctrl-C pressed at this call (`change_set` or `execute`), as the user would.
    press_at: Option<(&'static str, tokio::sync::watch::Sender<u32>)>,
    /// CloudFormation refuses CancelUpdateStack (the update ended meanwhile).
    refuse_cancel: bool,
}

fn stack(status: &str) -> Option<StackInfo> {
    Some(StackInfo {
        name: "shop-test".into(),
        id: "arn:s".into(),
        status: status.into(),
        reason: None,
        outputs: BTreeMap::from([("Out".into(), "v".into())]),
        tags: ours(),
        parameters: BTreeMap::new(),
    })
}

/// The tags of the test stack: wharf's environment `test` of application `shop`.
fn ours() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("wharf-application".into(), "shop".into()),
        ("wharf-environment".into(), "test".into()),
    ])
}

/// The test stack as AWS Copilot deployed it, under the same name.
fn copilots(status: &str) -> Option<StackInfo> {
    stack(status).map(|s| StackInfo {
        tags: BTreeMap::from([
            ("copilot-application".into(), "shop".into()),
            ("copilot-environment".into(), "test".into()),
        ]),
        ..s
    })
}

fn ev(id: &str, logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent {
        id: id.into(),
        timestamp_ms: 0,
        logical_id: logical.into(),
        resource_type: kind.into(),
        status: status.into(),
        reason: reason.map(str::to_string),
    }
}

fn aws_err(kind: ErrorKind, message: &str) -> AwsError {
    AwsError::Call {
        operation: "X",
        resource: "stack s".into(),
        kind,
        code: None,
        message: message.into(),
        detail: None,
    }
}

impl Fake {
    fn press(&self, at: &str) {
        if let Some((when, tx)) = &self.press_at
            && *when == at
        {
            tx.send_modify(|n| *n += 1);
        }
    }
    fn call(&self, c: impl Into<String>) {
        self.calls.lock().unwrap().push(c.into());
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl StackApi for Fake {
    async fn describe(&self, _: &str) -> Result<Option<StackInfo>, AwsError> {
        self.call("describe");
        let next = self.describe.lock().unwrap().pop_front();
        match (next, &self.hold) {
            (Some(answer), _) => answer,
            (None, Some((running, after))) => Ok(Some(
                if self.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
                    after.clone()
                } else {
                    running.clone()
                },
            )),
            (None, None) => panic!("script has no describe answer left"),
        }
    }
    async fn create_change_set(
        &self,
        req: &ChangeSetRequest<'_>,
    ) -> Result<Option<String>, AwsError> {
        self.call(format!("create_change_set:{:?}", req.kind));
        self.create
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Some("cs-1".into())))
    }
    async fn change_set(&self, _: &str) -> Result<ChangeSetState, AwsError> {
        self.call("change_set");
        self.press("change_set");
        Ok(self
            .change_set
            .lock()
            .unwrap()
            .pop_front()
            .expect("script has a change set answer"))
    }
    async fn execute(&self, _: &str, disable_rollback: bool) -> Result<(), AwsError> {
        if disable_rollback {
            self.call("execute without rollback");
        }
        self.call("execute");
        self.press("execute");
        Ok(())
    }
    async fn delete_change_set(&self, _: &str) -> Result<(), AwsError> {
        self.call("delete_change_set");
        Ok(())
    }
    async fn events(&self, _: &str, _: Option<&str>) -> Result<Vec<StackEvent>, AwsError> {
        Ok(self.events.lock().unwrap().pop_front().unwrap_or_default())
    }
    async fn delete(&self, _: &str, retain: &[String]) -> Result<(), AwsError> {
        self.call(if retain.is_empty() {
            "delete".to_string()
        } else {
            format!("delete retaining {}", retain.join(","))
        });
        Ok(())
    }
    async fn cancel_update(&self, _: &str) -> Result<(), AwsError> {
        self.call("cancel_update");
        if self.refuse_cancel {
            return Err(aws_err(
                ErrorKind::Validation,
                "CancelUpdateStack cannot be called from current stack status",
            ));
        }
        self.cancelled
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl DeployReporter for Recorder {
    fn started(&self, _: &str, kind: ChangeSetKind) {
        self.0.lock().unwrap().push(format!("started {kind:?}"));
    }
    fn changes(&self, _: &str, changes: &[Change]) {
        self.0
            .lock()
            .unwrap()
            .push(format!("changes {}", changes.len()));
        for c in changes.iter().filter(|c| c.replacement.is_some()) {
            self.0.lock().unwrap().push(format!(
                "replacement {} {}",
                c.logical_id,
                c.replacement.as_deref().unwrap_or_default()
            ));
        }
    }
    fn event(&self, _: &str, e: &StackEvent, description: Option<&str>) {
        self.0.lock().unwrap().push(format!(
            "event {} {} {}",
            e.logical_id,
            e.status,
            description.unwrap_or("-")
        ));
    }
    fn note(&self, _: &str, m: &str) {
        self.0.lock().unwrap().push(format!("note {m}"));
    }
    fn finished(&self, _: &str, r: &Result<StackOutcome, DeployError>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("finished {}", if r.is_ok() { "ok" } else { "err" }));
    }
}

const TEMPLATE: &str = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata:\n      wharf:description: A bucket\nOutputs:\n  Out:\n    Value: v\n";

fn spec() -> StackSpec {
    StackSpec {
        follow_up: crate::compile::FollowUp::EcsRollout,
        ..StackSpec::bare("shop-test", TEMPLATE.into(), BTreeMap::new(), ours())
    }
}

fn opts() -> Options {
    Options {
        poll: Duration::from_millis(1),
        ..Options::default()
    }
}

fn ready() -> ChangeSetState {
    ChangeSetState::Ready(vec![Change {
        action: "Add".into(),
        logical_id: "Bucket".into(),
        resource_type: "AWS::S3::Bucket".into(),
        replacement: None,
    }])
}

fn script(
    describe: Vec<Result<Option<StackInfo>, AwsError>>,
    change_set: Vec<ChangeSetState>,
    events: Vec<Vec<StackEvent>>,
) -> Fake {
    Fake {
        describe: Mutex::new(describe.into()),
        change_set: Mutex::new(change_set.into()),
        events: Mutex::new(events.into()),
        ..Fake::default()
    }
}

#[tokio::test]
async fn creates_a_new_stack_and_streams_events_with_descriptions() {
    let api = script(
        vec![
            Ok(None),
            Ok(stack("CREATE_IN_PROGRESS")),
            Ok(stack("CREATE_COMPLETE")),
        ],
        vec![ChangeSetState::Pending, ready()],
        vec![
            vec![ev(
                "e0",
                "s",
                "AWS::CloudFormation::Stack",
                "REVIEW_IN_PROGRESS",
                None,
            )],
            vec![ev(
                "e1",
                "Bucket",
                "AWS::S3::Bucket",
                "CREATE_IN_PROGRESS",
                None,
            )],
            vec![
                ev(
                    "e3",
                    "s",
                    "AWS::CloudFormation::Stack",
                    "CREATE_COMPLETE",
                    None,
                ),
                ev("e2", "Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE", None),
            ],
        ],
    );
    let rec = Recorder::default();
    let out = deploy(&api, &spec(), &rec, &opts()).await.unwrap();
    assert_eq!(
        (out.action, out.changes, out.outputs["Out"].as_str()),
        (Action::Created, 1, "v")
    );
    assert_eq!(
        api.calls(),
        [
            "describe",
            "create_change_set:Create",
            "change_set",
            "change_set",
            "execute",
            "describe",
            "describe"
        ]
    );
    assert_eq!(
        *rec.0.lock().unwrap(),
        [
            "started Create",
            "changes 1",
            "event Bucket CREATE_IN_PROGRESS A bucket",
            "event Bucket CREATE_COMPLETE A bucket",
            "event s CREATE_COMPLETE -",
            "finished ok"
        ]
    );
}

#[tokio::test]
async fn empty_change_set_is_no_changes_and_is_deleted() {
    let api = script(
        vec![Ok(stack("UPDATE_COMPLETE"))],
        vec![ChangeSetState::Failed(
            "The submitted information didn't contain changes.".into(),
        )],
        vec![],
    );
    let out = deploy(&api, &spec(), &Recorder::default(), &opts())
        .await
        .unwrap();
    assert_eq!(out.action, Action::NoChanges);
    assert!(api.calls().contains(&"delete_change_set".to_string()));
    assert!(!api.calls().contains(&"execute".to_string()));
}

#[tokio::test]
async fn no_updates_validation_error_is_no_changes() {
    let api = script(vec![Ok(stack("UPDATE_COMPLETE"))], vec![], vec![]);
    api.create.lock().unwrap().push_back(Err(aws_err(
        ErrorKind::Validation,
        "No updates are to be performed.",
    )));
    assert_eq!(
        deploy(&api, &spec(), &Recorder::default(), &opts())
            .await
            .unwrap()
            .action,
        Action::NoChanges
    );
}

#[tokio::test]
async fn failed_update_reports_the_root_cause_and_rolled_back() {
    let api = script(
        vec![
            Ok(stack("UPDATE_COMPLETE")),
            Ok(stack("UPDATE_ROLLBACK_COMPLETE")),
        ],
        vec![ready()],
        vec![
            vec![ev(
                "e0",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            )],
            vec![
                ev(
                    "e4",
                    "s",
                    "AWS::CloudFormation::Stack",
                    "UPDATE_ROLLBACK_COMPLETE",
                    None,
                ),
                ev(
                    "e3",
                    "Other",
                    "AWS::SNS::Topic",
                    "UPDATE_FAILED",
                    Some("Resource update cancelled"),
                ),
                ev(
                    "e2",
                    "Bucket",
                    "AWS::S3::Bucket",
                    "UPDATE_FAILED",
                    Some("Bucket name taken"),
                ),
                ev(
                    "e1",
                    "s",
                    "AWS::CloudFormation::Stack",
                    "UPDATE_IN_PROGRESS",
                    Some("User Initiated"),
                ),
            ],
        ],
    );
    match deploy(&api, &spec(), &Recorder::default(), &opts()).await {
        Err(DeployError::RolledBack {
            resource,
            reason,
            status,
            ..
        }) => {
            assert_eq!(
                (resource.as_deref(), reason.as_deref(), status.as_str()),
                (
                    Some("Bucket"),
                    Some("Bucket name taken"),
                    "UPDATE_ROLLBACK_COMPLETE"
                )
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn failed_rollback_needs_attention() {
    let api = script(
        vec![
            Ok(stack("UPDATE_COMPLETE")),
            Ok(stack("UPDATE_ROLLBACK_FAILED")),
        ],
        vec![ready()],
        vec![vec![]],
    );
    assert!(
        matches!(deploy(&api, &spec(), &Recorder::default(), &opts()).await, Err(DeployError::NeedsAttention { status, .. }) if status == "UPDATE_ROLLBACK_FAILED")
    );
}

#[tokio::test]
async fn an_operation_in_progress_is_refused_or_waited_for() {
    let api = script(vec![Ok(stack("UPDATE_IN_PROGRESS"))], vec![], vec![]);
    assert!(matches!(
        deploy(&api, &spec(), &Recorder::default(), &opts()).await,
        Err(DeployError::InProgress { .. })
    ));
    let api = script(
        vec![
            Ok(stack("UPDATE_IN_PROGRESS")),
            Ok(stack("UPDATE_IN_PROGRESS")),
            Ok(stack("UPDATE_COMPLETE")),
        ],
        vec![ChangeSetState::Empty],
        vec![],
    );
    let o = Options {
        wait_in_progress: true,
        ..opts()
    };
    assert_eq!(
        deploy(&api, &spec(), &Recorder::default(), &o)
            .await
            .unwrap()
            .action,
        Action::NoChanges
    );
}

#[tokio::test]
async fn a_failed_first_create_is_deleted_and_created_again() {
    let api = script(
        vec![
            Ok(stack("ROLLBACK_COMPLETE")),
            Ok(stack("DELETE_IN_PROGRESS")),
            Ok(None),
            Ok(stack("CREATE_COMPLETE")),
        ],
        vec![ready()],
        vec![vec![], vec![]],
    );
    let rec = Recorder::default();
    assert_eq!(
        deploy(&api, &spec(), &rec, &opts()).await.unwrap().action,
        Action::Created
    );
    assert!(
        api.calls()
            .starts_with(&["describe".into(), "delete".into()])
    );
    assert!(
        rec.0
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("note the stack's first create failed"))
    );
}

#[tokio::test]
async fn throttling_while_watching_slows_down_instead_of_failing() {
    let api = script(
        vec![
            Ok(stack("UPDATE_COMPLETE")),
            Err(aws_err(ErrorKind::Throttled, "Rate exceeded")),
            Ok(stack("UPDATE_IN_PROGRESS")),
            Ok(stack("UPDATE_COMPLETE")),
        ],
        vec![ready()],
        vec![],
    );
    assert_eq!(
        deploy(&api, &spec(), &Recorder::default(), &opts())
            .await
            .unwrap()
            .action,
        Action::Updated
    );
}

/// A scripted deploy over a stack that `describe` answers with `statuses` in turn, whose
/// user presses Ctrl-C at the call `at` (`change_set` or `execute`); the options carry
/// the presses.
fn pressed_at(
    at: &'static str,
    statuses: &[&str],
    change_set: Vec<ChangeSetState>,
) -> (Fake, Options) {
    let (tx, rx) = tokio::sync::watch::channel(0u32);
    let mut api = script(
        statuses.iter().map(|s| Ok(stack(s))).collect(),
        change_set,
        vec![],
    );
    api.press_at = Some((at, tx));
    let o = Options {
        interrupts: Some(rx),
        poll: Duration::from_millis(20),
        ..Options::default()
    };
    (api, o)
}

/// The outcome of an interrupted deploy, which must exit 130.
fn interrupted(r: &Result<StackOutcome, DeployError>) -> &str {
    match r {
        Err(e @ DeployError::Interrupted { outcome, .. }) => {
            assert_eq!(e.exit_code(), 130);
            outcome
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_interrupt_cancels_the_update_and_reports_interrupted() {
    let (api, o) = pressed_at(
        "execute",
        &[
            "UPDATE_COMPLETE",
            "UPDATE_IN_PROGRESS",
            // What the cancel finds.
            "UPDATE_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "UPDATE_ROLLBACK_COMPLETE",
        ],
        vec![ready()],
    );
    let r = deploy(&api, &spec(), &Recorder::default(), &o).await;
    assert_eq!(
        interrupted(&r),
        "the update was cancelled; the stack is UPDATE_ROLLBACK_COMPLETE"
    );
    assert!(api.calls().contains(&"cancel_update".to_string()));
}

#[tokio::test]
async fn an_interrupt_past_the_point_of_cancelling_waits_for_the_end_and_says_so() {
    // Pressed during the cleanup after a successful update: nothing to cancel.
    let (api, o) = pressed_at(
        "execute",
        &[
            "UPDATE_COMPLETE",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_COMPLETE",
        ],
        vec![ready()],
    );
    let rec = Recorder::default();
    let r = deploy(&api, &spec(), &rec, &o).await;
    assert_eq!(
        interrupted(&r),
        "the update had finished before it could be cancelled: the stack is UPDATE_COMPLETE"
    );
    assert!(!api.calls().contains(&"cancel_update".to_string()));
    assert!(
        rec.0.lock().unwrap().iter().any(|l| l.contains(
            "past the point where it can be cancelled (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS)"
        )),
        "{:?}",
        rec.0.lock().unwrap()
    );

    // CloudFormation refuses the cancel (the update ended between the two calls): the
    // same, not an AWS error.
    let (mut api, o) = pressed_at(
        "execute",
        &[
            "UPDATE_COMPLETE",
            "UPDATE_IN_PROGRESS",
            "UPDATE_IN_PROGRESS",
            "UPDATE_COMPLETE",
        ],
        vec![ready()],
    );
    api.refuse_cancel = true;
    let r = deploy(&api, &spec(), &Recorder::default(), &o).await;
    assert!(
        matches!(&r, Err(DeployError::Interrupted { status: Some(s), .. }) if s == "UPDATE_COMPLETE"),
        "{r:?}"
    );
}

#[tokio::test]
async fn an_interrupt_before_the_change_set_runs_changes_nothing() {
    // Pressed while CloudFormation computes the change set: it is deleted, never run.
    let (api, o) = pressed_at(
        "change_set",
        &["UPDATE_COMPLETE"],
        vec![ChangeSetState::Pending, ready()],
    );
    let r = deploy(&api, &spec(), &Recorder::default(), &o).await;
    assert_eq!(
        interrupted(&r),
        "nothing was changed: the change set was not executed"
    );
    let calls = api.calls();
    assert!(!calls.contains(&"execute".to_string()), "{calls:?}");
    assert!(
        calls.contains(&"delete_change_set".to_string()),
        "{calls:?}"
    );
    // Pressed before the deploy began (the same options, already pressed): not even a
    // change set.
    let api = script(vec![Ok(stack("UPDATE_COMPLETE"))], vec![], vec![]);
    let r = deploy(&api, &spec(), &Recorder::default(), &o).await;
    assert!(matches!(r, Err(DeployError::Interrupted { .. })), "{r:?}");
    assert!(
        !api.calls()
            .iter()
            .any(|c| c.starts_with("create_change_set")),
        "{:?}",
        api.calls()
    );
}

#[tokio::test]
async fn an_update_that_ends_before_the_cancel_is_not_a_success() {
    // Pressed as the change set ran; the update completed before the cancel could act.
    let (api, o) = pressed_at(
        "execute",
        &["UPDATE_COMPLETE", "UPDATE_COMPLETE"],
        vec![ready()],
    );
    let r = deploy(&api, &spec(), &Recorder::default(), &o).await;
    assert_eq!(
        interrupted(&r),
        "the update had finished before it could be cancelled: the stack is UPDATE_COMPLETE"
    );
}

#[test]
fn descriptions_come_from_template_metadata() {
    assert_eq!(
        super::stack::descriptions(TEMPLATE)
            .get("Bucket")
            .map(String::as_str),
        Some("A bucket")
    );
    assert!(super::stack::descriptions("not: [valid").is_empty());
}

#[tokio::test]
async fn a_stuck_delete_of_a_failed_create_retains_what_cannot_be_deleted() {
    let api = script(
        vec![
            Ok(stack("ROLLBACK_COMPLETE")),
            Ok(stack("DELETE_FAILED")),
            Ok(None),
            Ok(stack("CREATE_COMPLETE")),
        ],
        vec![ready()],
        vec![
            vec![ev(
                "e0",
                "s",
                "AWS::CloudFormation::Stack",
                "ROLLBACK_COMPLETE",
                None,
            )],
            vec![
                ev(
                    "e2",
                    "Subnet",
                    "AWS::EC2::Subnet",
                    "DELETE_FAILED",
                    Some("no such subnet"),
                ),
                ev(
                    "e1",
                    "s",
                    "AWS::CloudFormation::Stack",
                    "DELETE_IN_PROGRESS",
                    None,
                ),
            ],
        ],
    );
    let rec = Recorder::default();
    assert_eq!(
        deploy(&api, &spec(), &rec, &opts()).await.unwrap().action,
        Action::Created
    );
    assert!(
        api.calls().contains(&"delete retaining Subnet".to_string()),
        "{:?}",
        api.calls()
    );
    assert!(
        rec.0
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("could not delete Subnet"))
    );
}

#[path = "tests_rollout.rs"]
mod rollout;

#[tokio::test]
async fn a_stack_wharf_did_not_make_is_never_changed() {
    for status in ["CREATE_COMPLETE", "ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"] {
        let api = script(vec![Ok(copilots(status))], vec![], vec![]);
        let rec = Recorder::default();
        let err = deploy(&api, &spec(), &rec, &opts()).await.unwrap_err();
        assert!(
            matches!(&err, DeployError::NotOurs { stack, made_by, .. }
                if stack == "shop-test" && made_by.starts_with("AWS Copilot")),
            "{status}: {err:?}"
        );
        assert_eq!(err.exit_code(), 1);
        assert_eq!(api.calls(), ["describe"], "{status}: only looked");
        assert_eq!(*rec.0.lock().unwrap(), ["finished err"]);
    }
}

#[tokio::test]
async fn delete_removes_wharfs_own_stack() {
    let api = script(vec![Ok(stack("UPDATE_COMPLETE")), Ok(None)], vec![], vec![]);
    let out = super::stack::delete(
        &api,
        "s",
        &owner::Owner::environment("shop", "test"),
        &Recorder::default(),
        &opts(),
    )
    .await
    .unwrap();
    assert_eq!(out.action, Action::Deleted);
    assert_eq!(api.calls(), ["describe", "delete", "describe"]);
}

#[tokio::test]
async fn delete_refuses_a_stack_wharf_did_not_make() {
    let owner = owner::Owner::environment("shop", "test");
    let other_app = stack("UPDATE_COMPLETE").map(|s| StackInfo {
        tags: BTreeMap::from([("wharf-application".into(), "shop-test".into())]),
        ..s
    });
    let untagged = stack("UPDATE_COMPLETE").map(|s| StackInfo {
        tags: BTreeMap::new(),
        ..s
    });
    for found in [copilots("UPDATE_COMPLETE"), other_app, untagged] {
        let api = script(vec![Ok(found.clone())], vec![], vec![]);
        let r = super::stack::delete(&api, "s", &owner, &Recorder::default(), &opts()).await;
        assert!(
            matches!(r, Err(DeployError::NotOurs { .. })),
            "{found:?}: {r:?}"
        );
        assert_eq!(api.calls(), ["describe"], "{found:?}");
    }
}

/// Options whose every wait gives up at once.
fn impatient() -> Options {
    Options {
        timeout: Duration::ZERO,
        wait_in_progress: true,
        ..opts()
    }
}

fn timed_out(r: Result<StackOutcome, DeployError>) -> String {
    match r {
        Err(e @ DeployError::TimedOut { .. }) => {
            assert_eq!(e.exit_code(), 4);
            e.to_string()
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_wait_has_a_bound_and_says_what_it_waited_for() {
    // An operation in progress that never ends (`--wait-in-progress`).
    let api = Fake {
        hold: stack("UPDATE_IN_PROGRESS").map(|s| (s.clone(), s)),
        ..Fake::default()
    };
    let msg = timed_out(deploy(&api, &spec(), &Recorder::default(), &impatient()).await);
    assert!(
        msg.contains("waiting for the operation in progress (UPDATE_IN_PROGRESS) to finish"),
        "{msg}"
    );
    assert!(
        !api.calls()
            .iter()
            .any(|c| c.starts_with("create_change_set"))
    );

    // A change set CloudFormation never finishes computing.
    let api = script(
        vec![Ok(stack("UPDATE_COMPLETE"))],
        vec![ChangeSetState::Pending],
        vec![],
    );
    let msg = timed_out(deploy(&api, &spec(), &Recorder::default(), &impatient()).await);
    assert!(
        msg.contains("CloudFormation to compute change set cs-1"),
        "{msg}"
    );
    assert!(!api.calls().contains(&"execute".to_string()));

    // An executed update that never settles.
    let mut api = script(vec![Ok(stack("UPDATE_COMPLETE"))], vec![ready()], vec![]);
    api.hold = stack("UPDATE_IN_PROGRESS").map(|s| (s.clone(), s));
    let msg = timed_out(deploy(&api, &spec(), &Recorder::default(), &impatient()).await);
    assert!(
        msg.contains(
            "stopped waiting for shop-test after 0s: it was waiting for UPDATE_IN_PROGRESS to finish"
        ),
        "{msg}"
    );
    assert!(
        !api.calls().contains(&"cancel_update".to_string()),
        "nothing cancelled"
    );
}

#[tokio::test]
async fn a_failed_create_change_set_leaves_no_empty_stack_behind() {
    let api = script(
        vec![Ok(None)],
        vec![ChangeSetState::Failed("Template format error".into())],
        vec![],
    );
    let rec = Recorder::default();
    let r = deploy(&api, &spec(), &rec, &opts()).await;
    assert!(
        matches!(r, Err(DeployError::ChangeSetFailed { .. })),
        "{r:?}"
    );
    assert_eq!(
        api.calls(),
        [
            "describe",
            "create_change_set:Create",
            "change_set",
            "delete_change_set",
            "delete"
        ]
    );
    assert!(
        rec.0
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("removed the empty stack")),
    );
}

#[tokio::test]
async fn a_stack_left_in_review_is_not_an_operation_in_progress() {
    // Without `--wait-in-progress`, a deploy creates its change set at once…
    let api = script(
        vec![
            Ok(stack("REVIEW_IN_PROGRESS")),
            Ok(stack("CREATE_COMPLETE")),
        ],
        vec![ready()],
        vec![],
    );
    let out = deploy(&api, &spec(), &Recorder::default(), &opts())
        .await
        .unwrap();
    assert_eq!(out.action, Action::Created);
    // …and a delete deletes it instead of refusing or waiting for ever.
    let api = script(
        vec![Ok(stack("REVIEW_IN_PROGRESS")), Ok(None)],
        vec![],
        vec![],
    );
    let out = super::stack::delete(
        &api,
        "s",
        &owner::Owner::environment("shop", "test"),
        &Recorder::default(),
        &opts(),
    )
    .await
    .unwrap();
    assert_eq!(out.action, Action::Deleted);
}

#[test]
fn durations_read_as_they_are_written() {
    use super::stack::duration_words;
    assert_eq!(duration_words(Duration::from_secs(3600)), "60m");
    assert_eq!(duration_words(Duration::from_secs(90)), "90s");
    assert_eq!(duration_words(Duration::from_millis(1500)), "1500ms");
    assert_eq!(duration_words(Duration::ZERO), "0s");
}

#[tokio::test]
async fn what_the_templates_say_is_replaced_is_marked_in_the_change_set() {
    // The change set (an emulator's) leaves Replacement empty; the templates showed the
    // bucket's name changing.
    let modify = |id: &str| Change {
        action: "Modify".into(),
        logical_id: id.into(),
        resource_type: "AWS::S3::Bucket".into(),
        replacement: None,
    };
    let api = script(
        vec![
            Ok(stack("UPDATE_COMPLETE")),
            Ok(stack("UPDATE_IN_PROGRESS")),
            Ok(stack("UPDATE_COMPLETE")),
        ],
        vec![ChangeSetState::Ready(vec![
            modify("Bucket"),
            modify("Other"),
        ])],
        vec![],
    );
    let mut spec = spec();
    spec.replacing = vec![crate::deploy::replace::Replaced {
        logical_id: "Bucket".into(),
        resource_type: "AWS::S3::Bucket".into(),
        properties: vec!["BucketName".into()],
    }];
    let rec = Recorder::default();
    let r = deploy(&api, &spec, &rec, &opts()).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::Updated),
        "{r:?}"
    );
    let heard = rec.0.lock().unwrap().clone();
    assert!(
        heard.contains(&"replacement Bucket True".to_string()),
        "{heard:?}"
    );
    assert!(
        !heard.iter().any(|h| h.starts_with("replacement Other")),
        "{heard:?}"
    );
}

#[tokio::test]
async fn without_rollback_a_failure_stays_failed_and_the_next_deploy_continues_from_it() {
    let failed = vec![
        ev(
            "e3",
            "s",
            "AWS::CloudFormation::Stack",
            "UPDATE_FAILED",
            None,
        ),
        ev(
            "e2",
            "Bucket",
            "AWS::S3::Bucket",
            "UPDATE_FAILED",
            Some("Bucket name taken"),
        ),
        ev(
            "e1",
            "s",
            "AWS::CloudFormation::Stack",
            "UPDATE_IN_PROGRESS",
            Some("User Initiated"),
        ),
    ];
    let api = script(
        vec![Ok(stack("UPDATE_COMPLETE")), Ok(stack("UPDATE_FAILED"))],
        vec![ready()],
        vec![
            vec![ev(
                "e0",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            )],
            failed,
        ],
    );
    let o = Options {
        disable_rollback: true,
        ..opts()
    };
    match deploy(&api, &spec(), &Recorder::default(), &o).await {
        Err(DeployError::NeedsAttention { status, reason, .. }) => {
            assert_eq!(status, "UPDATE_FAILED");
            assert_eq!(reason.as_deref(), Some("Bucket name taken"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        api.calls()
            .contains(&"execute without rollback".to_string()),
        "{:?}",
        api.calls()
    );
    // The next deploy updates the failed stack instead of refusing it.
    let api = script(
        vec![Ok(stack("UPDATE_FAILED")), Ok(stack("UPDATE_COMPLETE"))],
        vec![ready()],
        vec![
            vec![ev(
                "e3",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_FAILED",
                None,
            )],
            vec![ev(
                "e5",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            )],
        ],
    );
    let rec = Recorder::default();
    let out = deploy(&api, &spec(), &rec, &opts()).await.unwrap();
    assert_eq!(out.action, Action::Updated);
    assert!(
        !api.calls()
            .contains(&"execute without rollback".to_string())
    );
}

#[tokio::test]
async fn detached_returns_once_the_change_set_executes() {
    let api = script(
        vec![Ok(stack("UPDATE_COMPLETE"))],
        vec![ready()],
        vec![vec![ev(
            "e0",
            "s",
            "AWS::CloudFormation::Stack",
            "UPDATE_COMPLETE",
            None,
        )]],
    );
    let o = Options {
        detach: true,
        ..opts()
    };
    let out = deploy(&api, &spec(), &Recorder::default(), &o)
        .await
        .unwrap();
    assert_eq!(
        (out.action, out.changes, out.status),
        (Action::Started, 1, None)
    );
    assert_eq!(api.calls().last().map(String::as_str), Some("execute"));
}

/// A stack whose change set has no resource changes and is executed: the stack's
/// update completes.
fn empty_change_set_executed() -> Fake {
    script(
        vec![Ok(stack("UPDATE_COMPLETE")), Ok(stack("UPDATE_COMPLETE"))],
        vec![ChangeSetState::Empty],
        vec![
            vec![ev(
                "e0",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            )],
            vec![ev(
                "e1",
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                None,
            )],
        ],
    )
}

#[tokio::test]
async fn new_tags_alone_are_applied_by_executing_the_empty_change_set() {
    let mut tagged = spec();
    tagged.tags.insert("team".into(), "core".into());
    let api = empty_change_set_executed();
    let out = deploy(&api, &tagged, &Recorder::default(), &opts())
        .await
        .unwrap();
    assert_eq!((out.action, out.changes), (Action::Updated, 0));
    assert!(
        api.calls().contains(&"execute".to_string()),
        "{:?}",
        api.calls()
    );
    // The same tags: nothing to execute.
    let api = script(
        vec![Ok(stack("UPDATE_COMPLETE"))],
        vec![ChangeSetState::Empty],
        vec![],
    );
    let out = deploy(&api, &spec(), &Recorder::default(), &opts())
        .await
        .unwrap();
    assert_eq!(out.action, Action::NoChanges);
    assert!(!api.calls().contains(&"execute".to_string()));
}

#[tokio::test]
async fn new_outputs_alone_are_applied_by_executing_the_empty_change_set() {
    let mut dropped = spec();
    dropped.template = TEMPLATE.replace("Outputs:\n  Out:\n    Value: v\n", "");
    let api = empty_change_set_executed();
    let out = deploy(&api, &dropped, &Recorder::default(), &opts())
        .await
        .unwrap();
    assert_eq!((out.action, out.changes), (Action::Updated, 0));
    assert!(
        api.calls().contains(&"execute".to_string()),
        "{:?}",
        api.calls()
    );
}
