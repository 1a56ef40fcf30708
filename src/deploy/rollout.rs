//! A service stack deploy that follows the ECS rollout it causes. The deployments that
//! exist before the update are noted; the change set runs; meanwhile the watcher waits
//! for the deployment the update starts and follows it (and any rollback) to a verdict.
//! The stack's result and the rollout's are then combined: a rollout that failed is a
//! failed deploy, with ECS's reasons, even when CloudFormation reported success.

use super::stack::{Options, StackSpec, deploy};
pub use super::types::WatchSettings;
use super::types::{Action, StackOutcome};
use super::{DeployError, DeployReporter, StackApi};
use crate::watch::machine::{Target, Verdict, Watcher};
use crate::watch::poll::{self, RolloutApi, Stop, Watched};
use std::collections::BTreeSet;

/// Whether a stack deploy changed no resource: no changes, or an update of the stack's
/// tags alone (`--resource-tags`), which asks nothing of ECS.
fn touched_nothing(o: &StackOutcome) -> bool {
    o.action == Action::NoChanges || (o.action == Action::Updated && o.changes == 0)
}

/// What the stack's result means for the watch.
fn stop_for(r: &Result<StackOutcome, DeployError>) -> Stop {
    match r {
        Ok(o) if touched_nothing(o) => Stop::Now,
        Ok(_) | Err(DeployError::RolledBack { .. } | DeployError::NeedsAttention { .. }) => {
            Stop::IfNothingStarted
        }
        Err(DeployError::Interrupted { .. }) => Stop::Abandon,
        Err(_) => Stop::Now,
    }
}

/// Passes everything on to the reporter, except rollout progress before the stack's
/// change set is ready: until then nothing has been asked of ECS, and a stack with no
/// changes must not show "waiting for the new deployment to start".
struct UntilChanges<'a> {
    inner: &'a dyn DeployReporter,
    changing: std::sync::atomic::AtomicBool,
}

impl DeployReporter for UntilChanges<'_> {
    fn started(&self, stack: &str, kind: super::types::ChangeSetKind) {
        self.inner.started(stack, kind);
    }
    fn changes(&self, stack: &str, changes: &[super::types::Change]) {
        // A change set of the stack's tags alone changes no resource.
        if !changes.is_empty() {
            self.changing
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.changes(stack, changes);
    }
    fn event(&self, stack: &str, event: &super::types::StackEvent, description: Option<&str>) {
        self.inner.event(stack, event, description);
    }
    fn note(&self, stack: &str, message: &str) {
        self.inner.note(stack, message);
    }
    fn finished(&self, stack: &str, result: &Result<StackOutcome, DeployError>) {
        self.inner.finished(stack, result);
    }
    fn rollout(&self, stack: &str, progress: &crate::watch::machine::Progress) {
        if self.changing.load(std::sync::atomic::Ordering::SeqCst) {
            self.inner.rollout(stack, progress);
        }
    }
    fn rollout_done(&self, stack: &str, watched: &Watched) {
        self.inner.rollout_done(stack, watched);
    }
}

/// Deploys service stack `spec` and watches the rollout it causes.
pub async fn deploy_service<A: StackApi + RolloutApi>(
    api: &A,
    spec: &StackSpec,
    reporter: &dyn DeployReporter,
    opts: &Options,
    watch: &WatchSettings,
) -> Result<StackOutcome, DeployError> {
    if watch.detach {
        let r = deploy(api, spec, reporter, opts).await;
        if watch.force && matches!(&r, Ok(o) if touched_nothing(o)) {
            let service = api.stack_service(&spec.name).await?;
            force(api, spec, service, reporter, opts, watch).await?;
        }
        return r;
    }
    let before = api.stack_service(&spec.name).await?;
    let known: BTreeSet<String> = match &before {
        Some(s) => api
            .service_state(s)
            .await?
            .map(|st| st.deployments.into_iter().map(|d| d.id).collect())
            .unwrap_or_default(),
        None => BTreeSet::new(),
    };
    let (tx, rx) = tokio::sync::watch::channel(Stop::No);
    // The stack deploy cancels its update on an "interrupt": the user's Ctrl-C, or the
    // watcher giving up with `--rollback-on-timeout`.
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(0u32);
    let cancel_tx = std::sync::Arc::new(cancel_tx);
    let forward = opts.interrupts.clone().map(|mut user| {
        let cancel_tx = cancel_tx.clone();
        tokio::spawn(async move {
            while user.changed().await.is_ok() {
                let n = *user.borrow();
                cancel_tx.send_modify(|c| *c = (*c).max(n));
            }
        })
    });
    let stack_opts = Options {
        interrupts: Some(cancel_rx),
        ..opts.clone()
    };
    let outer = reporter;
    let gated = UntilChanges {
        inner: outer,
        changing: std::sync::atomic::AtomicBool::new(false),
    };
    let reporter: &dyn DeployReporter = &gated;
    let stack = async {
        let r = deploy(api, spec, reporter, &stack_opts).await;
        let _ = tx.send(stop_for(&r));
        r
    };
    let watching = async {
        let mut stop = rx.clone();
        let service = match before.clone() {
            Some(s) => Some(s),
            None => poll::locate(api, &spec.name, &watch.poll, &mut stop).await?,
        };
        let Some(service) = service else {
            return Ok(None);
        };
        let watcher = Watcher::new(Target::NewSince(known), watch.limits);
        let on_progress = |p: &crate::watch::machine::Progress| reporter.rollout(&spec.name, p);
        let watched = poll::watch(
            api,
            &service,
            Some(&spec.name),
            watcher,
            &watch.poll,
            &on_progress,
            rx.clone(),
        )
        .await?;
        if watch.rollback_on_timeout
            && watched.as_ref().map(|w| w.outcome.verdict) == Some(Verdict::Stalled)
            && *rx.borrow() == Stop::No
        {
            reporter.note(
                &spec.name,
                "no progress: cancelling the update (--rollback-on-timeout)",
            );
            cancel_tx.send_modify(|c| *c += 1);
        }
        Ok(watched)
    };
    // Before the stack is done, Ctrl-C is the stack deploy's (it cancels the update);
    // after, it stops the watch and leaves the rollout running.
    let follow = async {
        tokio::select! {
            w = watching => w.map(|w| w.map(|w| Followed::Watched(Box::new(w)))),
            () = interrupted_after(rx.clone(), opts.interrupts.clone()) => Ok(Some(Followed::Interrupted)),
        }
    };
    let (result, followed) = tokio::join!(stack, follow);
    if let Some(f) = forward {
        f.abort();
    }
    // A stall that cancelled the update: CloudFormation rolled it back (unless the
    // update completed before the cancel could act).
    let result = match result {
        Err(DeployError::Interrupted {
            stack,
            outcome,
            status: Some(status),
        }) if watch.rollback_on_timeout
            && crate::deploy::status::verdict(&status)
                == crate::deploy::status::Verdict::RolledBack
            && matches!(&followed, Ok(Some(Followed::Watched(w))) if w.outcome.verdict == Verdict::Stalled) =>
        {
            Err(DeployError::RolledBack {
                stack,
                status,
                resource: Some(crate::contract::logical::SERVICE.into()),
                reason: Some(format!(
                    "cancelled by wharf after --progress-timeout: {outcome}"
                )),
            })
        }
        // Too late to cancel: the service's rollout goes on without this run.
        Err(DeployError::Interrupted {
            stack,
            outcome,
            status: Some(status),
        }) if crate::deploy::status::verdict(&status)
            == crate::deploy::status::Verdict::Succeeded =>
        {
            Err(DeployError::Interrupted {
                stack,
                outcome: format!(
                    "{outcome}; its ECS rollout goes on (`wharf svc status --watch` follows it)"
                ),
                status: Some(status),
            })
        }
        r => r,
    };
    if watch.force && matches!(&result, Ok(o) if touched_nothing(o)) {
        // An unchanged stack runs the service it ran before.
        let followed = force(api, spec, before, outer, opts, watch).await?;
        return after_unchanged(&spec.name, result, followed, Action::Redeployed, reporter);
    }
    if matches!(&result, Ok(o) if touched_nothing(o)) && matches!(followed, Ok(None)) {
        // Nothing to change, but an earlier run's deployment (say, one interrupted with
        // Ctrl-C) may still be rolling out, or the service may run something else than
        // the stack says: what happens to the service is this run's verdict.
        let (action, followed) = follow_unsettled(api, spec, before, outer, opts, watch).await?;
        return after_unchanged(&spec.name, result, followed, action, outer);
    }
    match followed {
        Ok(Some(Followed::Interrupted)) => result.and_then(|_| Err(stopped_watching(&spec.name))),
        Ok(Some(Followed::Watched(w))) => combine(&spec.name, result, Ok(Some(*w)), reporter),
        Ok(None) => result,
        Err(e) => combine(&spec.name, result, Err(e), reporter),
    }
}

/// `--force` with an unchanged stack: a new ECS deployment of what the stack references
/// (what `service` runs, unless it was changed outside CloudFormation), then (unless
/// detached) the watch of exactly that deployment.
async fn force<A: StackApi + RolloutApi>(
    api: &A,
    spec: &StackSpec,
    service: Option<crate::watch::poll::ServiceRef>,
    reporter: &dyn DeployReporter,
    opts: &Options,
    watch: &WatchSettings,
) -> Result<Option<Followed>, DeployError> {
    let Some(service) = service else {
        return Ok(None);
    };
    let task_definition = api.stack_task_definition(&spec.name).await?;
    let id = api
        .start_deployment(&service, task_definition.as_deref())
        .await?;
    reporter.note(
        &spec.name,
        &format!("started a new ECS deployment {id} (--force)"),
    );
    if watch.detach {
        return Ok(None);
    }
    follow_id(api, &spec.name, &service, id, reporter, opts, watch).await
}

/// Follows deployment `id` of `service` to its verdict; the first Ctrl-C stops the
/// watch (nothing of this run is in progress to cancel) and leaves the rollout going.
async fn follow_id<A: RolloutApi>(
    api: &A,
    stack: &str,
    service: &crate::watch::poll::ServiceRef,
    id: String,
    reporter: &dyn DeployReporter,
    opts: &Options,
    watch: &WatchSettings,
) -> Result<Option<Followed>, DeployError> {
    let (_stop, rx) = tokio::sync::watch::channel(Stop::IfNothingStarted);
    let (_keep, forever) = tokio::sync::watch::channel(Stop::No);
    let watcher = Watcher::new(Target::Id(id), watch.limits);
    let on_progress = |p: &crate::watch::machine::Progress| reporter.rollout(stack, p);
    tokio::select! {
        w = poll::watch(api, service, None, watcher, &watch.poll, &on_progress, forever) => {
            Ok(w?.map(|w| Followed::Watched(Box::new(w))))
        }
        () = interrupted_after(rx, opts.interrupts.clone()) => Ok(Some(Followed::Interrupted)),
    }
}

/// An unchanged stack whose service is not settled on what the stack references: a
/// deployment still rolling out (say, one interrupted with Ctrl-C) is followed to its
/// verdict ([`Action::Settled`] if it completes); a service that runs another task
/// definition than the stack's (changed outside CloudFormation) gets a deployment of
/// the stack's, followed likewise ([`Action::Redeployed`]). Nothing followed when the
/// service runs what the stack says and nothing is in progress.
async fn follow_unsettled<A: StackApi + RolloutApi>(
    api: &A,
    spec: &StackSpec,
    service: Option<crate::watch::poll::ServiceRef>,
    reporter: &dyn DeployReporter,
    opts: &Options,
    watch: &WatchSettings,
) -> Result<(Action, Option<Followed>), DeployError> {
    let nothing = Ok((Action::NoChanges, None));
    let Some(service) = service else {
        return nothing;
    };
    let Some(state) = api.service_state(&service).await? else {
        return nothing;
    };
    let Some(primary) = state.deployments.iter().find(|d| d.status == "PRIMARY") else {
        return nothing;
    };
    let referenced = api.stack_task_definition(&spec.name).await?;
    let wanted = referenced
        .as_deref()
        .map(crate::watch::snapshot::revision_of);
    let rolling = primary.rollout_state.as_deref() == Some("IN_PROGRESS");
    if rolling && wanted.is_none_or(|w| w == primary.revision()) {
        reporter.note(
            &spec.name,
            &format!(
                "the stack is unchanged, but deployment {} ({}) is still rolling out: following it to its end",
                primary.id,
                primary.revision()
            ),
        );
        let id = primary.id.clone();
        let followed = follow_id(api, &spec.name, &service, id, reporter, opts, watch).await?;
        return Ok((Action::Settled, followed));
    }
    let (Some(referenced), Some(wanted)) = (referenced.as_deref(), wanted) else {
        return nothing;
    };
    if primary.revision() == wanted {
        return nothing;
    }
    // The service runs, or is rolling out, something else than the stack says.
    let id = api.start_deployment(&service, Some(referenced)).await?;
    reporter.note(
        &spec.name,
        &format!(
            "the stack is unchanged, but the service {} {} while the stack references {wanted} (changed outside CloudFormation): started deployment {id} of {wanted}",
            if rolling { "is rolling out" } else { "runs" },
            primary.revision()
        ),
    );
    let followed = follow_id(api, &spec.name, &service, id, reporter, opts, watch).await?;
    Ok((Action::Redeployed, followed))
}

/// Attaches to deployment `id` of `service` (already in progress) and follows it to a
/// verdict, as if this command had started it (`svc status --watch`).
pub async fn attach<A: RolloutApi>(
    api: &A,
    stack: &str,
    service: &crate::watch::poll::ServiceRef,
    id: &str,
    reporter: &dyn DeployReporter,
    opts: &Options,
    watch: &WatchSettings,
) -> Result<(), DeployError> {
    let followed = follow_id(api, stack, service, id.to_string(), reporter, opts, watch).await?;
    after_unchanged(
        stack,
        Ok(StackOutcome::unchanged(stack)),
        followed,
        Action::Settled,
        reporter,
    )
    .map(|_| ())
}

/// The result of a stack that changed nothing (`result`) once the rollout `followed`
/// after it has ended: the rollout's verdict (a success's action is `action`), a stopped
/// watch, or `result` itself when there was nothing to follow.
fn after_unchanged(
    stack: &str,
    result: Result<StackOutcome, DeployError>,
    followed: Option<Followed>,
    action: Action,
    reporter: &dyn DeployReporter,
) -> Result<StackOutcome, DeployError> {
    match followed {
        Some(Followed::Watched(w)) => {
            combine(stack, result, Ok(Some(*w)), reporter).map(|o| StackOutcome { action, ..o })
        }
        Some(Followed::Interrupted) => Err(stopped_watching(stack)),
        None => result,
    }
}

/// Ctrl-C while only the rollout was being watched.
fn stopped_watching(stack: &str) -> DeployError {
    DeployError::Interrupted {
        stack: stack.to_string(),
        outcome:
            "stopped watching the ECS rollout, which goes on; `wharf svc status --watch` follows it"
                .into(),
        status: None,
    }
}

/// How following a rollout ended.
enum Followed {
    Watched(Box<Watched>),
    Interrupted,
}

/// Resolves at the first Ctrl-C after the stack deploy ended; never without interrupts.
async fn interrupted_after(
    mut stop: tokio::sync::watch::Receiver<Stop>,
    interrupts: Option<tokio::sync::watch::Receiver<u32>>,
) {
    let Some(mut presses) = interrupts else {
        return std::future::pending().await;
    };
    while *stop.borrow_and_update() == Stop::No {
        if stop.changed().await.is_err() {
            break;
        }
    }
    let before = *presses.borrow_and_update();
    loop {
        if presses.changed().await.is_err() {
            return std::future::pending().await;
        }
        if *presses.borrow() > before {
            return;
        }
    }
}

/// Whether the stack's update ended failed: rolled back, stuck, or cancelled.
fn stack_failed(result: &Result<StackOutcome, DeployError>) -> bool {
    matches!(
        result,
        Err(DeployError::RolledBack { .. }
            | DeployError::NeedsAttention { .. }
            | DeployError::Interrupted { .. })
    )
}

fn combine(
    stack: &str,
    result: Result<StackOutcome, DeployError>,
    watched: Result<Option<Watched>, crate::api::AwsError>,
    reporter: &dyn DeployReporter,
) -> Result<StackOutcome, DeployError> {
    let mut watched = match watched {
        Ok(Some(w)) => w,
        Ok(None) => return result,
        // The stack's own failure says more than a failed poll.
        Err(e) => return result.and(Err(e.into())),
    };
    // A failed stack undoes its update: the deployment it started does not stand, even
    // when ECS completed it (or CloudFormation's own rollback deployment replaced it).
    if stack_failed(&result)
        && matches!(
            watched.outcome.verdict,
            Verdict::Succeeded | Verdict::Replaced
        )
    {
        watched.outcome.verdict = Verdict::StackFailed;
    }
    reporter.rollout_done(stack, &watched);
    if matches!(
        watched.outcome.verdict,
        Verdict::Succeeded | Verdict::StackFailed
    ) {
        // The stack's own error tells why it failed.
        return result;
    }
    Err(DeployError::Rollout {
        stack: stack.to_string(),
        summary: watched.outcome.summary(),
        // A stall whose update was cancelled and rolled back ends like a rollback.
        verdict: if matches!(result, Err(DeployError::RolledBack { .. }))
            && watched.outcome.verdict == Verdict::Stalled
        {
            Verdict::RolledBack
        } else {
            watched.outcome.verdict
        },
        stack_error: result.err().map(|e| e.to_string()),
        logs: watched.logs,
    })
}
