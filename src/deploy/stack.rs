//! Deploying one stack through a change set, and deleting one.
//!
//! Create-or-update: a missing stack is created; one left in ROLLBACK_COMPLETE by a failed
//! first create is deleted and created again; one with an operation in progress is
//! waited for or refused; anything else is updated. An empty change set is "no changes"
//! and is deleted. After executing, events are streamed until the stack's status is
//! final, and the verdict names the root cause. A first interrupt cancels the update (or
//! deletes the half-created stack) and keeps watching.

use super::owner::{self, Owner};
use super::status::{Verdict, operation_running, root_cause, verdict};
use super::types::{
    Action, ChangeSetKind, ChangeSetRequest, ChangeSetState, StackEvent, StackOutcome,
};
use super::{DeployError, DeployReporter, StackApi};
use crate::api::ErrorKind;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One stack to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSpec {
    /// Stack name.
    pub name: String,
    /// Template body.
    pub template: String,
    /// Where the template was uploaded, when it is too large to send inline.
    pub template_url: Option<String>,
    /// Parameter values.
    pub parameters: BTreeMap<String, String>,
    /// Stack tags.
    pub tags: BTreeMap<String, String>,
    /// The resources this update replaces, found by comparing the deployed template
    /// with this one before the deploy ([`super::replace::replacements`]); their changes
    /// are marked as replacements when the change set does not say.
    pub replacing: Vec<super::replace::Replaced>,
    /// What follows the deploy: an ECS rollout is watched when `Options::rollout` says
    /// so; nothing for a job or an environment.
    pub follow_up: crate::compile::FollowUp,
    /// Stacks of the same run to deploy before this one ([`super::multi::deploy_all`]).
    pub after: Vec<String>,
    /// Topics of stacks outside the run it subscribes to, checked before the deploy.
    pub needs: Vec<crate::compile::TopicNeed>,
    /// An imported load balancer's values the deploy looks up before the stack
    /// (`http.alb`).
    pub imported_alb: Option<crate::compile::service::ImportedAlb>,
    /// An environment stack's CloudFront certificate that wharf makes, deployed in
    /// us-east-1 around it (`release::cdn_certificate`).
    pub cdn_certificate: Option<crate::compile::cdn_certificate::Request>,
    /// `app adopt`: the stack may be AWS Copilot's for the same application,
    /// environment and service ([`super::owner::check_adopting`]); its update with
    /// wharf's tags makes it wharf's.
    pub adopting: bool,
    /// `app adopt`'s first step on a Copilot stack ([`crate::adopt::retain`]): Copilot's
    /// own template, parameters and tags, deployed onto Copilot's stack, which stays
    /// Copilot's ([`super::owner::check_copilots`]).
    pub retain_step: bool,
}

impl StackSpec {
    /// A stack of `name` with `template`, `parameters` and `tags` and nothing else:
    /// none before it, no follow-up, not adopting (a stack deployed outside a release:
    /// CloudFront's certificate, an adoption's first step, a rollback).
    pub fn bare(
        name: impl Into<String>,
        template: String,
        parameters: BTreeMap<String, String>,
        tags: BTreeMap<String, String>,
    ) -> Self {
        StackSpec {
            name: name.into(),
            template,
            template_url: None,
            parameters,
            tags,
            replacing: Vec::new(),
            follow_up: crate::compile::FollowUp::Nothing,
            after: Vec::new(),
            needs: Vec::new(),
            imported_alb: None,
            cdn_certificate: None,
            adopting: false,
            retain_step: false,
        }
    }
}

impl From<crate::compile::Package> for StackSpec {
    /// The stack a package deploys.
    fn from(p: crate::compile::Package) -> Self {
        StackSpec {
            name: p.stack_name,
            template: p.template,
            template_url: None,
            parameters: p.config.parameters,
            tags: p.config.tags,
            replacing: Vec::new(),
            follow_up: p.follow_up,
            after: p.after,
            needs: p.needs,
            imported_alb: p.imported_alb,
            cdn_certificate: p.cdn_certificate,
            adopting: false,
            retain_step: false,
        }
    }
}

/// How a deploy behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time between polls of the stack and its events.
    pub poll: Duration,
    /// Wait for an operation already running on the stack instead of refusing.
    pub wait_in_progress: bool,
    /// Counts interrupts (Ctrl-C); the first cancels the operation.
    pub interrupts: Option<watch::Receiver<u32>>,
    /// Watch the ECS rollout of service stacks (`None`: `--detach`, or not a service).
    pub rollout: Option<super::types::WatchSettings>,
    /// The longest any one wait on CloudFormation may last (a change set being computed,
    /// an operation in progress, a stack operation being watched): then wharf stops
    /// waiting and says what it waited for ([`DeployError::TimedOut`]).
    pub timeout: Duration,
    /// `--no-rollback`: a failed create or update leaves the stack as it is.
    pub disable_rollback: bool,
    /// `env deploy --detach`: return once the change set executes, without following
    /// the stack operation ([`Action::Started`]).
    pub detach: bool,
}

/// Default of [`Options::timeout`]: 60 minutes. Stack operations of wharf's templates
/// take minutes; CloudFormation's own wait for an ECS service to stabilize is longer.
pub const STACK_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// A duration as a user would write it for `--timeout`: `90m`, `45s`, `1500ms`.
pub fn duration_words(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0 => "0s".to_string(),
        m if m % 60_000 == 0 => format!("{}m", m / 60_000),
        m if m % 1_000 == 0 => format!("{}s", m / 1_000),
        m => format!("{m}ms"),
    }
}

/// Fails with [`DeployError::TimedOut`] once `since` is `opts.timeout` ago.
fn within_bound(
    opts: &Options,
    since: Instant,
    stack: &str,
    waiting_for: impl FnOnce() -> String,
) -> Result<(), DeployError> {
    if since.elapsed() >= opts.timeout {
        return Err(DeployError::TimedOut {
            stack: stack.into(),
            waiting_for: waiting_for(),
            after: duration_words(opts.timeout),
        });
    }
    Ok(())
}

impl Default for Options {
    fn default() -> Self {
        Options {
            poll: Duration::from_secs(2),
            wait_in_progress: false,
            interrupts: None,
            rollout: None,
            timeout: STACK_TIMEOUT,
            disable_rollback: false,
            detach: false,
        }
    }
}

/// The `wharf:description` of each resource in a template, for progress lines.
pub fn descriptions(template: &str) -> BTreeMap<String, String> {
    use crate::manifest::diag::Diagnostics;
    use crate::manifest::source::SourceMap;
    let mut map = SourceMap::new();
    let id = map.add("template", template);
    let mut d = Diagnostics::new();
    let Some(root) = crate::manifest::yaml::parse(id, map.file(id), &mut d) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for e in root
        .get("Resources")
        .and_then(|r| r.as_map())
        .unwrap_or(&[])
    {
        if let Some(desc) = e
            .value
            .get("Metadata")
            .and_then(|m| m.get("wharf:description"))
            .and_then(|d| d.as_str())
        {
            out.insert(e.key.clone(), desc.to_string());
        }
    }
    out
}

fn no_changes_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Deploys `spec`, reporting progress; the reporter is told how it ended.
pub async fn deploy<A: StackApi>(
    api: &A,
    spec: &StackSpec,
    rep: &dyn DeployReporter,
    opts: &Options,
) -> Result<StackOutcome, DeployError> {
    let started = Instant::now();
    let result = deploy_inner(api, spec, rep, opts, started).await;
    rep.finished(&spec.name, &result);
    result
}

async fn deploy_inner<A: StackApi>(
    api: &A,
    spec: &StackSpec,
    rep: &dyn DeployReporter,
    opts: &Options,
    started: Instant,
) -> Result<StackOutcome, DeployError> {
    let name = spec.name.as_str();
    let mut existing = api.describe(name).await?;
    if spec.retain_step {
        owner::check_copilots(existing.as_ref(), name)?;
    } else {
        let expected = Owner::from_tags(&spec.tags).ok_or_else(|| DeployError::NotOurs {
            stack: name.into(),
            expected: "a stack wharf compiled".into(),
            made_by: "nobody wharf knows: its new template has no `wharf-application` tag".into(),
            help: "this is a bug in wharf; please report it".into(),
        })?;
        if let Some(s) = &existing {
            owner::check_for(s, &expected, spec.adopting)?;
        }
    }
    if let Some(s) = &existing
        && operation_running(&s.status)
    {
        if !opts.wait_in_progress {
            return Err(DeployError::InProgress {
                stack: name.into(),
                status: s.status.clone(),
            });
        }
        rep.note(
            name,
            &format!(
                "waiting for the operation in progress ({}) to finish",
                s.status
            ),
        );
        existing = wait_until_settled(api, name, opts).await?;
    }
    let kind = match existing.as_ref().map(|s| s.status.as_str()) {
        None | Some("REVIEW_IN_PROGRESS") => ChangeSetKind::Create,
        Some("ROLLBACK_COMPLETE") => {
            rep.note(name, "the stack's first create failed and left it in ROLLBACK_COMPLETE; deleting it to create it again");
            delete_failed_create(api, name, rep, opts).await?;
            ChangeSetKind::Create
        }
        // Left by a deploy with `--no-rollback`: CloudFormation updates it from there.
        Some(s @ ("UPDATE_FAILED" | "CREATE_FAILED")) => {
            rep.note(
                name,
                &format!("the stack is {s} (a deploy without rollback left it so); updating it from there"),
            );
            ChangeSetKind::Update
        }
        Some(s) if verdict(s) == Verdict::NeedsAttention => {
            return Err(DeployError::NeedsAttention {
                stack: name.into(),
                status: s.into(),
                reason: existing.as_ref().and_then(|e| e.reason.clone()),
            });
        }
        Some(_) => ChangeSetKind::Update,
    };
    if interrupted(opts) {
        return Err(nothing_changed(name));
    }
    rep.started(name, kind);
    let request = ChangeSetRequest {
        stack: name,
        name: format!("wharf-{}", crate::clock::now_ms()),
        kind,
        template: &spec.template,
        template_url: spec.template_url.as_deref(),
        parameters: &spec.parameters,
        tags: &spec.tags,
    };
    let no_changes = |changes| StackOutcome {
        stack: name.into(),
        action: Action::NoChanges,
        status: existing.as_ref().map(|s| s.status.clone()),
        changes,
        outputs: existing
            .as_ref()
            .map(|s| s.outputs.clone())
            .unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let id = match api.create_change_set(&request).await {
        Ok(Some(id)) => id,
        Ok(None) => return Ok(no_changes(0)),
        Err(e) if e.kind() == Some(ErrorKind::Validation) && no_changes_reason(e.message()) => {
            return Ok(no_changes(0));
        }
        Err(e) => return Err(e.into()),
    };
    let asked = Instant::now();
    let changes = loop {
        if interrupted(opts) {
            drop_change_set(api, name, &id, kind, rep).await;
            return Err(nothing_changed(name));
        }
        match api.change_set(&id).await? {
            ChangeSetState::Pending => {
                within_bound(opts, asked, name, || {
                    format!("CloudFormation to compute change set {id}")
                })?;
                tokio::time::sleep(opts.poll.min(Duration::from_secs(1))).await
            }
            ChangeSetState::Ready(mut changes) => {
                super::replace::mark(&mut changes, &spec.replacing);
                break changes;
            }
            // Only the stack's tags change (`--resource-tags`), or its outputs (an
            // export dropped once nothing imports it): the change set has no resource
            // changes, and executing it is what applies them.
            ChangeSetState::Empty
                if tags_change(existing.as_ref(), &spec.tags)
                    || outputs_change(existing.as_ref(), &spec.template) =>
            {
                break Vec::new();
            }
            ChangeSetState::Empty => {
                api.delete_change_set(&id).await?;
                return Ok(no_changes(0));
            }
            ChangeSetState::Failed(reason) if no_changes_reason(&reason) => {
                api.delete_change_set(&id).await?;
                return Ok(no_changes(0));
            }
            ChangeSetState::Failed(reason) => {
                let _ = api.delete_change_set(&id).await;
                if kind == ChangeSetKind::Create {
                    // The failed change set leaves an empty stack in REVIEW_IN_PROGRESS:
                    // remove it, so the next deploy starts clean and nothing lingers.
                    if api.delete(name, &[]).await.is_ok() {
                        rep.note(
                            name,
                            "removed the empty stack the failed change set left behind",
                        );
                    }
                }
                return Err(DeployError::ChangeSetFailed {
                    stack: name.into(),
                    reason,
                });
            }
        }
    };
    rep.changes(name, &changes);
    let baseline = api.events(name, None).await?.first().map(|e| e.id.clone());
    // The last moment to stop without changing anything.
    if interrupted(opts) {
        drop_change_set(api, name, &id, kind, rep).await;
        return Err(nothing_changed(name));
    }
    api.execute(&id, opts.disable_rollback).await?;
    if opts.detach {
        return Ok(StackOutcome {
            stack: name.into(),
            action: Action::Started,
            status: None,
            changes: changes.len(),
            outputs: Default::default(),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let descriptions = descriptions(&spec.template);
    let (info, history) = watch_stack(api, name, baseline, rep, &descriptions, opts, kind).await?;
    let status = info
        .as_ref()
        .map(|s| s.status.clone())
        .unwrap_or_else(|| "DELETE_COMPLETE".into());
    match verdict(&status) {
        // Ctrl-C came too late to cancel: the stack changed, and the run says so.
        Verdict::Succeeded if interrupted(opts) => Err(DeployError::Interrupted {
            stack: name.into(),
            status: Some(status.clone()),
            outcome: format!(
                "the {} had finished before it could be cancelled: the stack is {status}",
                kind.noun()
            ),
        }),
        Verdict::Succeeded => Ok(StackOutcome {
            stack: name.into(),
            action: if kind == ChangeSetKind::Create {
                Action::Created
            } else {
                Action::Updated
            },
            status: Some(status),
            changes: changes.len(),
            outputs: info.map(|s| s.outputs).unwrap_or_default(),
            seconds: started.elapsed().as_secs_f64(),
        }),
        _ if interrupted(opts) => Err(DeployError::Interrupted {
            stack: name.into(),
            status: info.as_ref().map(|s| s.status.clone()),
            outcome: match &info {
                None => "the half-created stack was deleted".to_string(),
                Some(s) if verdict(&s.status) == Verdict::RolledBack => {
                    format!("the update was cancelled; the stack is {}", s.status)
                }
                Some(s) => format!("the stack is {}", s.status),
            },
        }),
        Verdict::RolledBack | Verdict::Deleted => {
            let cause = root_cause(&history);
            Err(DeployError::RolledBack {
                stack: name.into(),
                status,
                resource: cause.map(|e| e.logical_id.clone()),
                reason: cause.and_then(|e| e.reason.clone()),
            })
        }
        Verdict::NeedsAttention | Verdict::InProgress => {
            let cause = root_cause(&history)
                .and_then(|e| e.reason.clone())
                .or(info.and_then(|i| i.reason));
            Err(DeployError::NeedsAttention {
                stack: name.into(),
                status,
                reason: cause,
            })
        }
    }
}

/// Deletes a stack whose first create failed. Resources that cannot be deleted (often
/// because they were never created) are retained on a second try, which CloudFormation
/// allows only for a stack in DELETE_FAILED.
async fn delete_failed_create<A: StackApi>(
    api: &A,
    name: &str,
    rep: &dyn DeployReporter,
    opts: &Options,
) -> Result<(), DeployError> {
    let baseline = api.events(name, None).await?.first().map(|e| e.id.clone());
    api.delete(name, &[]).await?;
    let Some(left) = wait_until_settled(api, name, opts).await? else {
        return Ok(());
    };
    if left.status == "DELETE_FAILED" {
        let mut stuck: Vec<String> = api
            .events(name, baseline.as_deref())
            .await?
            .into_iter()
            .filter(|e| e.status == "DELETE_FAILED" && !e.is_stack())
            .map(|e| e.logical_id)
            .collect();
        stuck.sort();
        stuck.dedup();
        if !stuck.is_empty() {
            rep.note(
                name,
                &format!(
                    "could not delete {}; deleting the stack without them",
                    stuck.join(", ")
                ),
            );
            api.delete(name, &stuck).await?;
            if wait_until_settled(api, name, opts).await?.is_none() {
                return Ok(());
            }
        }
    }
    let left = api.describe(name).await?;
    Err(DeployError::NeedsAttention {
        stack: name.into(),
        status: left
            .as_ref()
            .map_or_else(|| "DELETE_FAILED".into(), |s| s.status.clone()),
        reason: left.and_then(|s| s.reason),
    })
}

/// Whether `tags` differ from the deployed stack's (a stack being created has none).
fn tags_change(
    existing: Option<&super::types::StackInfo>,
    tags: &BTreeMap<String, String>,
) -> bool {
    existing.is_some_and(|s| &s.tags != tags)
}

/// Whether `template` declares other outputs than the deployed stack has (by key).
fn outputs_change(existing: Option<&super::types::StackInfo>, template: &str) -> bool {
    let Some(s) = existing else { return false };
    let declared: std::collections::BTreeSet<String> = super::diff::canonical_value(template)
        .and_then(|v| {
            v.get("Outputs")
                .and_then(|o| o.as_object())
                .map(|o| o.keys().cloned().collect())
        })
        .unwrap_or_default();
    let deployed: std::collections::BTreeSet<String> = s.outputs.keys().cloned().collect();
    declared != deployed
}

fn interrupted(opts: &Options) -> bool {
    opts.interrupts.as_ref().is_some_and(|r| *r.borrow() > 0)
}

/// Ctrl-C before anything ran.
fn nothing_changed(stack: &str) -> DeployError {
    DeployError::Interrupted {
        stack: stack.into(),
        outcome: "nothing was changed: the change set was not executed".into(),
        status: None,
    }
}

/// Deletes change set `id`, which will not run, and the empty stack a create change
/// set made; best effort (what is left changes nothing and the next deploy replaces it).
async fn drop_change_set<A: StackApi>(
    api: &A,
    name: &str,
    id: &str,
    kind: ChangeSetKind,
    rep: &dyn DeployReporter,
) {
    let _ = api.delete_change_set(id).await;
    if kind == ChangeSetKind::Create && api.delete(name, &[]).await.is_ok() {
        rep.note(
            name,
            "removed the empty stack of the change set that did not run",
        );
    }
}

/// Polls until the stack has no operation in progress; `None` when it is gone.
async fn wait_until_settled<A: StackApi>(
    api: &A,
    name: &str,
    opts: &Options,
) -> Result<Option<super::types::StackInfo>, DeployError> {
    let since = Instant::now();
    loop {
        match api.describe(name).await {
            Ok(Some(s)) if operation_running(&s.status) => {
                within_bound(opts, since, name, || {
                    format!("the operation in progress ({}) to finish", s.status)
                })?;
            }
            Ok(Some(s)) if s.status == "DELETE_COMPLETE" => return Ok(None),
            Ok(other) => return Ok(other),
            Err(e) if e.kind() == Some(ErrorKind::Throttled) => {
                tokio::time::sleep(opts.poll * 2).await
            }
            Err(e) => return Err(e.into()),
        }
        tokio::time::sleep(opts.poll).await;
    }
}

/// Streams events of `name` (newer than `baseline`) until the stack's status is final.
/// Returns the final stack (or `None` when it was deleted) and the events seen, oldest first.
async fn watch_stack<A: StackApi>(
    api: &A,
    name: &str,
    mut baseline: Option<String>,
    rep: &dyn DeployReporter,
    descriptions: &BTreeMap<String, String>,
    opts: &Options,
    kind: ChangeSetKind,
) -> Result<(Option<super::types::StackInfo>, Vec<StackEvent>), DeployError> {
    let mut history = Vec::new();
    let mut interrupts = opts.interrupts.clone();
    let mut cancelled = false;
    let mut first = true;
    let since = Instant::now();
    let mut last_status = String::from("its operation");
    loop {
        if !first {
            within_bound(opts, since, name, || {
                format!(
                    "{last_status} to finish; CloudFormation goes on with it, and the stack's events show how it ends"
                )
            })?;
            let tick = tokio::time::sleep(opts.poll);
            match interrupts.as_mut() {
                Some(rx) if !cancelled => {
                    tokio::select! {
                        _ = tick => {}
                        changed = rx.changed() => {
                            if changed.is_ok() && *rx.borrow() > 0 {
                                cancelled = true;
                                cancel(api, name, kind, rep).await?;
                            }
                        }
                    }
                }
                _ => tick.await,
            }
        }
        first = false;
        // The status first, then the events: events written before the status turned
        // final are then all read, so the root cause is never missed.
        let settled = match api.describe(name).await {
            Ok(Some(s)) if verdict(&s.status) == Verdict::InProgress => {
                last_status = s.status;
                None
            }
            Ok(Some(s)) if s.status == "DELETE_COMPLETE" => Some(None),
            Ok(other) => Some(other),
            Err(e) if e.kind() == Some(ErrorKind::Throttled) => None,
            Err(e) => return Err(e.into()),
        };
        let new = match api.events(name, baseline.as_deref()).await {
            Ok(v) => v,
            Err(e) if e.kind() == Some(ErrorKind::Throttled) => {
                rep.note(name, "throttled by CloudFormation; slowing down");
                tokio::time::sleep(opts.poll * 2).await;
                continue;
            }
            Err(e) if e.kind() == Some(ErrorKind::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        if let Some(newest) = new.first() {
            baseline = Some(newest.id.clone());
        }
        for ev in new.into_iter().rev() {
            rep.event(
                name,
                &ev,
                descriptions.get(&ev.logical_id).map(String::as_str),
            );
            history.push(ev);
        }
        if let Some(final_state) = settled {
            return Ok((final_state, history));
        }
    }
}

/// Ctrl-C while the stack operation runs: an update still in `UPDATE_IN_PROGRESS` is
/// cancelled (CloudFormation rolls it back), a create still in `CREATE_IN_PROGRESS` is
/// deleted. Past that point (cleanup, a rollback, or done) there is nothing to cancel:
/// the run says so and keeps watching to the end, which it then reports as interrupted
/// with the stack's status. CloudFormation refusing the cancel (the update ended
/// meanwhile) is that same case, not an error.
async fn cancel<A: StackApi>(
    api: &A,
    name: &str,
    kind: ChangeSetKind,
    rep: &dyn DeployReporter,
) -> Result<(), DeployError> {
    let status = api.describe(name).await?.map(|s| s.status);
    let too_late = |status: &str| {
        rep.note(
            name,
            &format!(
                "interrupted, but the {} is past the point where it can be cancelled ({status}): waiting for it to end",
                kind.noun()
            ),
        );
    };
    match (kind, status.as_deref()) {
        (ChangeSetKind::Update, Some("UPDATE_IN_PROGRESS")) => {
            rep.note(name, "interrupted: cancelling the update; CloudFormation rolls it back (press Ctrl-C again to stop watching)");
            match api.cancel_update(name).await {
                Ok(()) => {}
                Err(e) if e.kind() == Some(ErrorKind::Validation) => too_late("it ended meanwhile"),
                Err(e) => return Err(e.into()),
            }
        }
        (ChangeSetKind::Create, Some("CREATE_IN_PROGRESS")) => {
            rep.note(name, "interrupted: deleting the half-created stack (press Ctrl-C again to stop watching)");
            api.delete(name, &[]).await?;
        }
        (_, Some(s)) => too_late(s),
        (_, None) => too_late("the stack is gone"),
    }
    Ok(())
}

/// Deletes a stack wharf made for `owner` and waits until it is gone. A stack that does
/// not exist is left as it is ([`Action::Absent`]); one wharf did not make for `owner` is refused
/// ([`DeployError::NotOurs`]) before anything changes.
pub async fn delete<A: StackApi>(
    api: &A,
    name: &str,
    owner: &Owner,
    rep: &dyn DeployReporter,
    opts: &Options,
) -> Result<StackOutcome, DeployError> {
    let started = Instant::now();
    let result = async {
        let Some(existing) = api.describe(name).await? else {
            return Ok(StackOutcome {
                stack: name.into(),
                action: Action::Absent,
                status: None,
                changes: 0,
                outputs: BTreeMap::new(),
                seconds: 0.0,
            });
        };
        owner::check(&existing, owner)?;
        if operation_running(&existing.status) && !opts.wait_in_progress {
            return Err(DeployError::InProgress {
                stack: name.into(),
                status: existing.status,
            });
        }
        let baseline = api.events(name, None).await?.first().map(|e| e.id.clone());
        api.delete(name, &[]).await?;
        let (info, history) = watch_stack(
            api,
            name,
            baseline,
            rep,
            &BTreeMap::new(),
            &Options {
                interrupts: None,
                ..opts.clone()
            },
            ChangeSetKind::Update,
        )
        .await?;
        match info {
            None => Ok(StackOutcome {
                stack: name.into(),
                action: Action::Deleted,
                status: Some("DELETE_COMPLETE".into()),
                changes: 0,
                outputs: BTreeMap::new(),
                seconds: started.elapsed().as_secs_f64(),
            }),
            Some(s) => Err(DeployError::NeedsAttention {
                stack: name.into(),
                status: s.status,
                reason: root_cause(&history)
                    .and_then(|e| e.reason.clone())
                    .or(s.reason),
            }),
        }
    }
    .await;
    rep.finished(name, &result);
    result
}
