//! Deploying several stacks of one environment: the environment stack first (when it
//! changed), then the workloads in parallel, at most `concurrency` at a time, in waves:
//! a stack that deploys after others (`StackSpec::after`, a worker after the publishers
//! of its topics) waits for them, and is not deployed when one failed. One stack's
//! failure does not stop the others; every result is returned.

use super::rollout::deploy_service;
use super::stack::{Options, StackSpec, deploy};
use super::types::StackOutcome;
use super::{DeployError, DeployReporter, StackApi};
use crate::compile::FollowUp;
use std::sync::Arc;

/// The result of each stack, in the order given.
pub type Results = Vec<(String, Result<StackOutcome, DeployError>)>;

/// Deploys `env` (if given) and then `services` in parallel. The services `env` deploys
/// after (`env.after`: an environment update that removes what their current stacks
/// use, like CloudFront's distribution their records point at) go first, and the
/// environment is not deployed when one of them failed.
pub async fn deploy_all<A: StackApi + crate::watch::poll::RolloutApi + Send + Sync + 'static>(
    api: Arc<A>,
    env: Option<StackSpec>,
    services: Vec<StackSpec>,
    reporter: Arc<dyn DeployReporter>,
    opts: Options,
    concurrency: usize,
) -> Results {
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut services: Vec<Option<StackSpec>> = services.into_iter().map(Some).collect();
    let mut failed = std::collections::BTreeSet::new();
    let mut done: Vec<(usize, String, Result<StackOutcome, DeployError>)> = Vec::new();
    let Some(env) = env else {
        let all: Vec<usize> = (0..services.len()).collect();
        run_services(
            &api,
            &mut services,
            &all,
            &reporter,
            &opts,
            &limit,
            &mut failed,
            &mut done,
        )
        .await;
        return sorted(Vec::new(), done);
    };
    let first: Vec<usize> = services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.as_ref().is_some_and(|s| env.after.contains(&s.name)))
        .map(|(i, _)| i)
        .collect();
    run_services(
        &api,
        &mut services,
        &first,
        &reporter,
        &opts,
        &limit,
        &mut failed,
        &mut done,
    )
    .await;
    let r = match env.after.iter().find(|a| failed.contains(*a)) {
        Some(after) => Err(DeployError::NotReached {
            stack: env.name.clone(),
            after: after.clone(),
        }),
        None => deploy(api.as_ref(), &env, reporter.as_ref(), &opts).await,
    };
    let env_failed = r.is_err();
    let head = vec![(env.name.clone(), r)];
    if env_failed {
        // Services depend on the environment's published values.
        return sorted(head, done);
    }
    let rest: Vec<usize> = (0..services.len()).filter(|i| !first.contains(i)).collect();
    run_services(
        &api,
        &mut services,
        &rest,
        &reporter,
        &opts,
        &limit,
        &mut failed,
        &mut done,
    )
    .await;
    sorted(head, done)
}

/// `head`, then `done` in the order the services were given.
fn sorted(
    mut head: Results,
    mut done: Vec<(usize, String, Result<StackOutcome, DeployError>)>,
) -> Results {
    done.sort_by_key(|(i, _, _)| *i);
    head.extend(done.into_iter().map(|(_, n, r)| (n, r)));
    head
}

/// Deploys the services at `which` (indexes into `services`, taken from it) in waves
/// ([`waves`]), at most `limit` at once; one whose `after` failed is not reached.
#[allow(clippy::too_many_arguments)]
async fn run_services<A: StackApi + crate::watch::poll::RolloutApi + Send + Sync + 'static>(
    api: &Arc<A>,
    services: &mut [Option<StackSpec>],
    which: &[usize],
    reporter: &Arc<dyn DeployReporter>,
    opts: &Options,
    limit: &Arc<tokio::sync::Semaphore>,
    failed: &mut std::collections::BTreeSet<String>,
    done: &mut Vec<(usize, String, Result<StackOutcome, DeployError>)>,
) {
    let specs: Vec<StackSpec> = which.iter().filter_map(|&i| services[i].clone()).collect();
    let index: Vec<usize> = which
        .iter()
        .copied()
        .filter(|&i| services[i].is_some())
        .collect();
    for wave in waves(&specs) {
        let mut set = tokio::task::JoinSet::new();
        for w in wave {
            let i = index[w];
            let Some(spec) = services[i].take() else {
                continue;
            };
            if let Some(after) = spec.after.iter().find(|a| failed.contains(*a)) {
                let err = DeployError::NotReached {
                    stack: spec.name.clone(),
                    after: after.clone(),
                };
                failed.insert(spec.name.clone());
                done.push((i, spec.name, Err(err)));
                continue;
            }
            let (api, reporter, opts, limit) =
                (api.clone(), reporter.clone(), opts.clone(), limit.clone());
            set.spawn(async move {
                let _permit = limit
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let r = match (&opts.rollout, spec.follow_up) {
                    (Some(watch), FollowUp::EcsRollout) => {
                        deploy_service(api.as_ref(), &spec, reporter.as_ref(), &opts, watch).await
                    }
                    _ => deploy(api.as_ref(), &spec, reporter.as_ref(), &opts).await,
                };
                (i, spec.name, r)
            });
        }
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(item) => {
                    if item.2.is_err() {
                        failed.insert(item.1.clone());
                    }
                    done.push(item);
                }
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
    }
}

/// The indexes of `specs` in deploy waves: each stack in a wave after every stack of this
/// run it deploys after. Names outside the run are ignored (already deployed, or not part
/// of this deploy); a cycle's stacks go in one last wave together.
pub fn waves(specs: &[StackSpec]) -> Vec<Vec<usize>> {
    let index: std::collections::BTreeMap<&str, usize> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut level: Vec<Option<usize>> = vec![None; specs.len()];
    for _ in 0..=specs.len() {
        let mut changed = false;
        for (i, s) in specs.iter().enumerate() {
            if level[i].is_some() {
                continue;
            }
            let deps: Vec<Option<usize>> = s
                .after
                .iter()
                .filter_map(|a| index.get(a.as_str()))
                .filter(|&&j| j != i)
                .map(|&j| level[j])
                .collect();
            if deps.iter().all(Option::is_some) {
                level[i] = Some(deps.into_iter().flatten().map(|l| l + 1).max().unwrap_or(0));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let last = level.iter().flatten().max().map_or(0, |l| l + 1);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, l) in level.iter().enumerate() {
        let l = l.unwrap_or(last);
        if out.len() <= l {
            out.resize_with(l + 1, Vec::new);
        }
        out[l].push(i);
    }
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, after: &[&str]) -> StackSpec {
        StackSpec {
            name: name.into(),
            template: String::new(),
            template_url: None,
            parameters: Default::default(),
            tags: Default::default(),
            replacing: Vec::new(),
            follow_up: FollowUp::EcsRollout,
            after: after.iter().map(|a| a.to_string()).collect(),
            needs: Vec::new(),
            imported_alb: None,
            cdn_certificate: None,
            adopting: false,
            retain_step: false,
        }
    }

    #[test]
    fn workers_deploy_after_their_publishers() {
        let specs = [
            spec("worker", &["web"]),
            spec("web", &[]),
            spec("job", &[]),
            spec("audit", &["worker", "gone"]),
        ];
        assert_eq!(waves(&specs), vec![vec![1, 2], vec![0], vec![3]]);
    }

    #[test]
    fn a_cycle_goes_last_together() {
        let specs = [spec("a", &["b"]), spec("b", &["a"]), spec("c", &[])];
        assert_eq!(waves(&specs), vec![vec![2], vec![0, 1]]);
    }
}
