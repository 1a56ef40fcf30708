//! Service deploys that follow their ECS rollout, against the scripted CloudFormation of
//! `tests.rs` plus scripted ECS answers: the stack's and the rollout's results combined.

use super::*;
use crate::deploy::rollout::{WatchSettings, deploy_service};
use crate::watch::machine::{Limits, Verdict};
use crate::watch::poll::{PollOptions, RolloutApi, ServiceRef, ServiceState};
use crate::watch::snapshot::{Deployment, HistoryRecord, StoppedTask};

impl RolloutApi for Fake {
    async fn stack_service(&self, _: &str) -> Result<Option<ServiceRef>, AwsError> {
        Ok(Some(ServiceRef {
            cluster: "c".into(),
            service: "svc".into(),
        }))
    }
    async fn service_state(&self, _: &ServiceRef) -> Result<Option<ServiceState>, AwsError> {
        let mut ecs = self.ecs.lock().unwrap();
        Ok(if ecs.len() > 1 {
            ecs.pop_front()
        } else {
            ecs.front().cloned()
        })
    }
    async fn stopped_tasks(&self, _: &ServiceRef, d: &str) -> Result<Vec<StoppedTask>, AwsError> {
        Ok(self
            .stopped
            .iter()
            .filter(|t| t.deployment.as_deref() == Some(d))
            .cloned()
            .collect())
    }
    async fn history(&self, _: &ServiceRef, _: i64) -> Result<Option<HistoryRecord>, AwsError> {
        Ok(None)
    }
    async fn stack_task_definition(&self, _: &str) -> Result<Option<String>, AwsError> {
        Ok(self.stack_td.clone())
    }
    async fn start_deployment(
        &self,
        _: &ServiceRef,
        task_definition: Option<&str>,
    ) -> Result<String, AwsError> {
        self.call(format!("start_deployment {task_definition:?}"));
        Ok("ecs-svc/forced".into())
    }
    async fn log_tail(&self, _: &StoppedTask, _: usize) -> Result<Vec<String>, AwsError> {
        Ok(vec!["panic: config missing".into()])
    }
}

fn dep(
    id: &str,
    status: &str,
    state: &str,
    rev: u32,
    running: i32,
    failed: i32,
    created: i64,
) -> Deployment {
    Deployment {
        id: id.into(),
        status: status.into(),
        rollout_state: Some(state.into()),
        rollout_reason: (state == "FAILED")
            .then(|| "ECS deployment circuit breaker: tasks failed to start.".to_string()),
        task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/s-web:{rev}"),
        desired: 1,
        running,
        pending: 1 - running.min(1),
        failed,
        created_ms: created,
    }
}

fn state(ds: Vec<Deployment>) -> ServiceState {
    ServiceState {
        deployments: ds,
        events: vec![],
    }
}

fn pull_failure(n: u32, deployment: &str) -> StoppedTask {
    StoppedTask {
        arn: format!("arn:aws:ecs:us-east-1:1:task/c/{n}"),
        deployment: Some(deployment.into()),
        task_definition: "arn:aws:ecs:us-east-1:1:task-definition/s-web:2".into(),
        stopped_reason: Some("CannotPullContainerError: not found".into()),
        stop_code: Some("TaskFailedToStart".into()),
        containers: vec![],
        stopped_ms: i64::from(n),
    }
}

fn settings(limits: Limits) -> WatchSettings {
    WatchSettings {
        limits,
        poll: PollOptions {
            interval: Duration::from_millis(2),
            max_interval: Duration::from_millis(8),
            log_lines: 5,
        },
        ..WatchSettings::default()
    }
}

#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl Heard {
    /// Asserts that some line heard contains `text`.
    fn assert_said(&self, text: &str) {
        let heard = self.0.lock().unwrap();
        assert!(
            heard.iter().any(|h| h.contains(text)),
            "{text:?} in {heard:?}"
        );
    }
}

/// A service stack whose change set is empty.
fn unchanged_stack() -> Fake {
    script(
        vec![Ok(stack("UPDATE_COMPLETE"))],
        vec![ChangeSetState::Empty],
        vec![],
    )
}

impl DeployReporter for Heard {
    fn started(&self, _: &str, _: ChangeSetKind) {}
    fn changes(&self, _: &str, _: &[Change]) {}
    fn event(&self, _: &str, _: &StackEvent, _: Option<&str>) {}
    fn note(&self, _: &str, m: &str) {
        self.0.lock().unwrap().push(format!("note {m}"));
    }
    fn finished(&self, _: &str, _: &Result<StackOutcome, DeployError>) {}
    fn rollout(&self, _: &str, p: &crate::watch::machine::Progress) {
        self.0
            .lock()
            .unwrap()
            .push(format!("progress {:?}", p.note));
    }
    fn rollout_done(&self, _: &str, w: &crate::watch::poll::Watched) {
        self.0
            .lock()
            .unwrap()
            .push(format!("rollout {:?}", w.outcome.verdict));
    }
}

fn updating_stack(final_status: &str) -> Fake {
    script(
        vec![
            Ok(stack("UPDATE_COMPLETE")),
            Ok(stack("UPDATE_IN_PROGRESS")),
            Ok(stack(final_status)),
        ],
        vec![ready()],
        vec![],
    )
}

/// Deploys the test service with default options and watch limits.
async fn deploy_default(
    api: &Fake,
    reporter: &dyn DeployReporter,
) -> Result<StackOutcome, DeployError> {
    deploy_service(
        api,
        &spec(),
        reporter,
        &opts(),
        &settings(Limits::default()),
    )
    .await
}

#[tokio::test]
async fn a_completed_rollout_is_a_successful_deploy() {
    let mut api = updating_stack("UPDATE_COMPLETE");
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, 0, 5),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
            state(vec![dep("new", "PRIMARY", "COMPLETED", 2, 1, 0, 5)]),
        ]
        .into(),
    );
    let heard = Heard::default();
    let r = deploy_default(&api, &heard).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::Updated),
        "{r:?}"
    );
    assert!(
        heard
            .0
            .lock()
            .unwrap()
            .contains(&"rollout Succeeded".to_string())
    );
}

#[tokio::test]
async fn a_stack_rolled_back_after_the_breaker_is_explained_with_ecs_reasons() {
    let mut api = updating_stack("UPDATE_ROLLBACK_COMPLETE");
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("new", "ACTIVE", "FAILED", 2, 0, 3, 5),
                dep("back", "PRIMARY", "COMPLETED", 1, 1, 0, 9),
            ]),
        ]
        .into(),
    );
    api.stopped = (1..=3).map(|n| pull_failure(n, "new")).collect();
    let r = deploy_default(&api, &Heard::default()).await;
    let Err(e) = r else { panic!("{r:?}") };
    assert_eq!(e.exit_code(), 3);
    let text = e.to_string();
    assert!(
        text.contains("most often: CannotPullContainerError (3×)"),
        "{text}"
    );
    assert!(
        text.contains("stack: deploying shop-test failed"),
        "the stack's verdict too: {text}"
    );
    assert!(
        text.contains("panic: config missing"),
        "the failing container's logs: {text}"
    );
    match e {
        DeployError::Rollout { verdict, .. } => assert_eq!(verdict, Verdict::RolledBack),
        other => panic!("{other:?}"),
    }
}

/// A stack update whose rollout stalls, with `--rollback-on-timeout`; the stack ends
/// as `after_cancel` once wharf cancels it.
async fn stall_then_cancel(after_cancel: &str) -> (Fake, Heard, Result<StackOutcome, DeployError>) {
    let mut api = script(vec![Ok(stack("UPDATE_COMPLETE"))], vec![ready()], vec![]);
    api.hold = Some((
        stack("UPDATE_IN_PROGRESS").unwrap(),
        stack(after_cancel).unwrap(),
    ));
    let failing: Vec<ServiceState> = (0..400)
        .map(|i| {
            state(vec![
                dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, i / 20 + 1, 5),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ])
        })
        .collect();
    let mut states = vec![state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)])];
    states.extend(failing);
    api.ecs = Mutex::new(states.into());
    api.stopped = (1..=20).map(|n| pull_failure(n, "new")).collect();
    let mut w = settings(Limits {
        progress_ms: Some(40),
        total_ms: None,
    });
    w.rollback_on_timeout = true;
    let heard = Heard::default();
    let r = deploy_service(&api, &spec(), &heard, &opts(), &w).await;
    (api, heard, r)
}

#[tokio::test]
async fn a_stall_with_rollback_on_timeout_cancels_the_update() {
    let (api, heard, r) = stall_then_cancel("UPDATE_ROLLBACK_COMPLETE").await;
    assert!(
        api.calls().contains(&"cancel_update".to_string()),
        "{:?}",
        api.calls()
    );
    let Err(e) = r else { panic!("{r:?}") };
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.to_string().contains("made no progress"), "{e}");
    heard.assert_said("--rollback-on-timeout");
    // The update completed before the cancel could act: not called a rollback, but a
    // stalled rollout (exit 4) whose stack finished.
    let (_, _, r) = stall_then_cancel("UPDATE_COMPLETE").await;
    match &r {
        Err(
            e @ DeployError::Rollout {
                verdict,
                stack_error: Some(why),
                ..
            },
        ) => {
            assert_eq!(*verdict, Verdict::Stalled);
            assert_eq!(e.exit_code(), 4);
            assert!(
                why.contains("had finished before it could be cancelled"),
                "{why}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_update_that_starts_no_deployment_is_not_waited_for() {
    let mut api = updating_stack("UPDATE_COMPLETE");
    api.ecs = Mutex::new(vec![state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)])].into());
    let r = deploy_default(&api, &Heard::default()).await;
    assert!(r.is_ok(), "{r:?}");
}

#[tokio::test]
async fn a_stack_with_no_changes_shows_no_rollout_progress() {
    // The change set takes a while to say "no changes"; the watcher polls meanwhile.
    let mut states = vec![ChangeSetState::Pending; 30];
    states.push(ChangeSetState::Empty);
    let mut api = script(vec![Ok(stack("UPDATE_COMPLETE"))], states, vec![]);
    api.ecs = Mutex::new(vec![state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)])].into());
    let heard = Heard::default();
    let r = deploy_default(&api, &heard).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::NoChanges),
        "{r:?}"
    );
    let heard = heard.0.lock().unwrap();
    assert!(
        !heard.iter().any(|h| h.starts_with("progress")),
        "nothing about a rollout that was never asked for: {heard:?}"
    );
}

#[tokio::test]
async fn force_starts_a_deployment_when_nothing_changed() {
    let mut api = unchanged_stack();
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("ecs-svc/forced", "PRIMARY", "IN_PROGRESS", 1, 0, 0, 5),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
            state(vec![dep(
                "ecs-svc/forced",
                "PRIMARY",
                "COMPLETED",
                1,
                1,
                0,
                5,
            )]),
        ]
        .into(),
    );
    let mut w = settings(Limits::default());
    w.force = true;
    let heard = Heard::default();
    let r = deploy_service(&api, &spec(), &heard, &opts(), &w).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::Redeployed),
        "{r:?}"
    );
    assert!(
        api.calls().contains(&"start_deployment None".to_string()),
        "{:?}",
        api.calls()
    );
    assert!(
        heard
            .0
            .lock()
            .unwrap()
            .contains(&"rollout Succeeded".to_string())
    );
}

#[tokio::test]
async fn ctrl_c_after_the_stack_stops_watching_and_leaves_the_rollout_running() {
    let mut api = updating_stack("UPDATE_COMPLETE");
    // A rollout that never ends.
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, 0, 5),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
        ]
        .into(),
    );
    let (tx, rx) = tokio::sync::watch::channel(0u32);
    let o = Options {
        interrupts: Some(rx),
        ..opts()
    };
    let press = async {
        // Long after the scripted stack update is over.
        tokio::time::sleep(Duration::from_millis(50)).await;
        tx.send(1).unwrap();
    };
    let (heard, spec, watch) = (Heard::default(), spec(), settings(Limits::default()));
    let (r, ()) = tokio::join!(deploy_service(&api, &spec, &heard, &o, &watch), press);
    match r {
        Err(e @ DeployError::Interrupted { .. }) => {
            assert_eq!(e.exit_code(), 130);
            assert!(e.to_string().contains("svc status --watch"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !api.calls().contains(&"cancel_update".to_string()),
        "the finished update is not cancelled"
    );
}

/// The verdict lines a reporter prints for the rollout of a deploy whose stack failed.
#[derive(Default)]
struct Printed(Mutex<Vec<String>>);

impl DeployReporter for Printed {
    fn started(&self, _: &str, _: ChangeSetKind) {}
    fn changes(&self, _: &str, _: &[Change]) {}
    fn event(&self, _: &str, _: &StackEvent, _: Option<&str>) {}
    fn note(&self, _: &str, _: &str) {}
    fn finished(&self, _: &str, _: &Result<StackOutcome, DeployError>) {}
    fn rollout_done(&self, _: &str, w: &crate::watch::poll::Watched) {
        let mut lines = self.0.lock().unwrap();
        lines.push(format!("verdict {:?}", w.outcome.verdict));
        lines.extend(crate::ui::rollout::verdict(w));
    }
}

/// ECS answers in which the deployment the update started completes.
fn a_completing_rollout(known: Vec<Deployment>) -> VecDeque<ServiceState> {
    let mut with_new = vec![dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, 0, 5)];
    with_new.extend(known.iter().cloned().map(|mut d| {
        d.status = "ACTIVE".into();
        d
    }));
    vec![
        state(known),
        state(with_new),
        state(vec![dep("new", "PRIMARY", "COMPLETED", 2, 1, 0, 5)]),
    ]
    .into()
}

fn assert_never_completed(printed: &Printed, r: &Result<StackOutcome, DeployError>) {
    let printed = printed.0.lock().unwrap();
    assert!(
        printed.contains(&"verdict StackFailed".to_string()),
        "{printed:?}"
    );
    assert!(
        printed.iter().all(|l| !l.contains("completed")),
        "a failed stack's rollout never reads as completed: {printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("rollout: deployment new (s-web:2) failed with its stack")),
        "{printed:?}"
    );
    let Err(e) = r else { panic!("{r:?}") };
    assert!(
        matches!(e, DeployError::RolledBack { .. }),
        "the stack's own error: {e:?}"
    );
    assert_eq!(e.exit_code(), 3);
}

#[tokio::test]
async fn a_rollout_that_completes_under_a_rolled_back_update_ends_failed() {
    let mut api = updating_stack("UPDATE_ROLLBACK_COMPLETE");
    api.ecs = Mutex::new(a_completing_rollout(vec![dep(
        "old",
        "PRIMARY",
        "COMPLETED",
        1,
        1,
        0,
        1,
    )]));
    let printed = Printed::default();
    let r = deploy_default(&api, &printed).await;
    assert_never_completed(&printed, &r);
}

#[tokio::test]
async fn a_rollout_that_completes_under_a_rolled_back_create_ends_failed() {
    // As on moto, where a created service outlived its stack's ROLLBACK_COMPLETE.
    let mut api = script(
        vec![
            Ok(None),
            Ok(stack("CREATE_IN_PROGRESS")),
            Ok(stack("ROLLBACK_COMPLETE")),
        ],
        vec![ready()],
        vec![],
    );
    api.ecs = Mutex::new(a_completing_rollout(vec![]));
    let printed = Printed::default();
    let r = deploy_default(&api, &printed).await;
    assert_never_completed(&printed, &r);
}

#[tokio::test]
async fn cloudformations_rollback_deployment_is_not_another_deploy() {
    // The update's deployment is replaced by the one CloudFormation's rollback starts.
    let mut api = updating_stack("UPDATE_ROLLBACK_COMPLETE");
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, 0, 5),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
            state(vec![
                dep("cfn-back", "PRIMARY", "IN_PROGRESS", 1, 0, 0, 9),
                dep("new", "ACTIVE", "IN_PROGRESS", 2, 0, 0, 5),
            ]),
        ]
        .into(),
    );
    let printed = Printed::default();
    let r = deploy_default(&api, &printed).await;
    assert_never_completed(&printed, &r);
    assert!(
        printed
            .0
            .lock()
            .unwrap()
            .iter()
            .all(|l| !l.contains("another deploy")),
        "{:?}",
        printed.0.lock().unwrap()
    );
}

#[tokio::test]
async fn an_unchanged_stack_follows_a_deployment_still_rolling_out() {
    // Right after Ctrl-C stopped a watch, the same deploy again: the stack has nothing
    // to change, but the interrupted release is still rolling out, and then fails.
    let rolling = || {
        state(vec![
            dep("new", "PRIMARY", "IN_PROGRESS", 2, 0, 1, 5),
            dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
        ])
    };
    let mut states: VecDeque<ServiceState> = std::iter::repeat_with(rolling).take(6).collect();
    states.push_back(state(vec![
        dep("back", "PRIMARY", "COMPLETED", 1, 1, 0, 9),
        dep("new", "ACTIVE", "FAILED", 2, 0, 3, 5),
    ]));
    let mut api = unchanged_stack();
    api.ecs = Mutex::new(states);
    let heard = Heard::default();
    let r = deploy_default(&api, &heard).await;
    let Err(e) = r else {
        panic!("not a success: {r:?}")
    };
    assert_eq!(e.exit_code(), 3, "{e}");
    heard.assert_said("deployment new (s-web:2) is still rolling out");
    // Nothing rolling out: no changes, as before.
    let mut api = unchanged_stack();
    api.ecs = Mutex::new(vec![state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)])].into());
    let r = deploy_default(&api, &Heard::default()).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::NoChanges),
        "{r:?}"
    );
}

const REV: &str = "arn:aws:ecs:us-east-1:1:task-definition/s-web:";

#[tokio::test]
async fn an_update_follows_the_deployment_of_the_task_definition_the_stack_references() {
    // While the update runs, someone else's deployment (s-web:2) starts before the
    // update's own (s-web:3) and fails: it is not this update's, whatever its age.
    let mut api = updating_stack("UPDATE_COMPLETE");
    api.stack_td = Some(format!("{REV}3"));
    api.ecs = Mutex::new(
        vec![
            state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)]),
            state(vec![
                dep("theirs", "PRIMARY", "IN_PROGRESS", 2, 0, 1, 4),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
            state(vec![
                dep("ours", "PRIMARY", "IN_PROGRESS", 3, 0, 0, 6),
                dep("theirs", "ACTIVE", "FAILED", 2, 0, 3, 4),
                dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
            ]),
            state(vec![dep("ours", "PRIMARY", "COMPLETED", 3, 1, 0, 6)]),
        ]
        .into(),
    );
    let heard = Heard::default();
    let r = deploy_default(&api, &heard).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::Updated),
        "{r:?}"
    );
    let heard = heard.0.lock().unwrap();
    assert!(
        heard.contains(&"rollout Succeeded".to_string()),
        "{heard:?}"
    );
    assert!(
        heard.iter().any(|h| h
            .contains("deployment theirs runs s-web:2, not s-web:3, which the stack references")),
        "{heard:?}"
    );
}

/// An unchanged stack that references s-web:2 over a service that shows `first` for a
/// few polls; then the deployment wharf starts (`ecs-svc/forced`, s-web:2) completes.
/// The deploy must start exactly that deployment, say `said`, and end `redeployed`.
async fn redeploys_the_stacks_revision(first: fn() -> ServiceState, said: &str) {
    let mut states: VecDeque<ServiceState> = std::iter::repeat_with(first).take(4).collect();
    states.push_back(state(vec![
        dep("ecs-svc/forced", "PRIMARY", "IN_PROGRESS", 2, 0, 0, 5),
        dep("old", "ACTIVE", "COMPLETED", 1, 1, 0, 1),
    ]));
    states.push_back(state(vec![dep(
        "ecs-svc/forced",
        "PRIMARY",
        "COMPLETED",
        2,
        1,
        0,
        5,
    )]));
    let mut api = unchanged_stack();
    api.stack_td = Some(format!("{REV}2"));
    api.ecs = Mutex::new(states);
    let heard = Heard::default();
    let r = deploy_default(&api, &heard).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::Redeployed),
        "{r:?}"
    );
    assert!(
        api.calls()
            .contains(&format!("start_deployment Some(\"{REV}2\")")),
        "{:?}",
        api.calls()
    );
    heard.assert_said(said);
}

/// The service on s-web:1, settled.
fn drifted() -> ServiceState {
    state(vec![dep("old", "PRIMARY", "COMPLETED", 1, 1, 0, 1)])
}

#[tokio::test]
async fn an_unchanged_stack_whose_service_runs_something_else_is_deployed_again() {
    // The service was moved to s-web:1 outside CloudFormation; the stack says s-web:2.
    redeploys_the_stacks_revision(
        drifted,
        "the service runs s-web:1 while the stack references s-web:2",
    )
    .await;

    // The service runs what the stack references: no changes, no deployment.
    let mut api = unchanged_stack();
    api.stack_td = Some(format!("{REV}1"));
    api.ecs = Mutex::new(vec![drifted()].into());
    let r = deploy_default(&api, &Heard::default()).await;
    assert!(
        matches!(r, Ok(ref o) if o.action == Action::NoChanges),
        "{r:?}"
    );
    assert!(
        !api.calls()
            .iter()
            .any(|c| c.starts_with("start_deployment")),
        "{:?}",
        api.calls()
    );
}

#[tokio::test]
async fn a_deployment_in_progress_of_something_else_is_replaced_by_the_stacks() {
    // Someone started a deployment of s-web:1 outside CloudFormation; the stack says
    // s-web:2. Following theirs to its end would leave the service on s-web:1.
    redeploys_the_stacks_revision(
        || {
            state(vec![
                dep("theirs", "PRIMARY", "IN_PROGRESS", 1, 0, 0, 5),
                dep("old", "ACTIVE", "COMPLETED", 2, 1, 0, 1),
            ])
        },
        "the service is rolling out s-web:1 while the stack references s-web:2",
    )
    .await;
}
