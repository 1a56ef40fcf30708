//! A service stack deploy that follows the ECS rollout it causes. The deployments that
//! exist before the update are noted; the change set runs; meanwhile the watcher waits
//! for the deployment the update starts and follows it (and any rollback) to a verdict.
//! The stack's result and the rollout's are then combined: a rollout that failed is a
//! failed deploy, with ECS's reasons, even when CloudFormation reported success.

use super::stack::{Options, StackSpec, deploy};
use super::types::{Action, StackOutcome};
use super::{DeployError, DeployReporter, StackApi};
use crate::watch::machine::{Limits, Target, Verdict, Watcher};
use crate::watch::poll::{self, PollOptions, RolloutApi, Stop, Watched};
use std::collections::BTreeSet;

/// How to watch rollouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WatchSettings {
    /// Early stops.
    pub limits: Limits,
    /// Polling.
    pub poll: PollOptions,
}

/// What the stack's result means for the watch.
fn stop_for(r: &Result<StackOutcome, DeployError>) -> Stop {
    match r {
        Ok(o) if o.action == Action::NoChanges => Stop::Now,
        Ok(_) | Err(DeployError::RolledBack { .. } | DeployError::NeedsAttention { .. }) => {
            Stop::IfNothingStarted
        }
        Err(_) => Stop::Now,
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
    let stack = async {
        let r = deploy(api, spec, reporter, opts).await;
        let _ = tx.send(stop_for(&r));
        r
    };
    let follow = async {
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
        poll::watch(api, &service, watcher, &watch.poll, &on_progress, rx).await
    };
    let (result, watched) = tokio::join!(stack, follow);
    combine(&spec.name, result, watched, reporter)
}

fn combine(
    stack: &str,
    result: Result<StackOutcome, DeployError>,
    watched: Result<Option<Watched>, crate::aws::AwsError>,
    reporter: &dyn DeployReporter,
) -> Result<StackOutcome, DeployError> {
    let watched = match watched {
        Ok(Some(w)) => w,
        Ok(None) => return result,
        // The stack's own failure says more than a failed poll.
        Err(e) => return result.and(Err(e.into())),
    };
    reporter.rollout_done(stack, &watched);
    if watched.outcome.verdict == Verdict::Succeeded {
        return result;
    }
    Err(DeployError::Rollout {
        stack: stack.to_string(),
        summary: watched.outcome.summary(),
        verdict: watched.outcome.verdict,
        stack_error: result.err().map(|e| e.to_string()),
        logs: watched.logs,
    })
}
