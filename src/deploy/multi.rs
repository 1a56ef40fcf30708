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
    let mut run = Runner {
        api,
        reporter,
        limit: Arc::new(tokio::sync::Semaphore::new(concurrency.max(1))),
        services: services.into_iter().map(Some).collect(),
        failed: std::collections::BTreeSet::new(),
        done: Vec::new(),
        opts,
    };
    let Some(env) = env else {
        run.services((0..run.services.len()).collect()).await;
        return run.results(Vec::new());
    };
    let first: Vec<usize> = run
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.as_ref().is_some_and(|s| env.after.contains(&s.name)))
        .map(|(i, _)| i)
        .collect();
    run.services(first.clone()).await;
    let r = match env.after.iter().find(|a| run.failed.contains(*a)) {
        Some(after) => Err(DeployError::NotReached {
            stack: env.name.clone(),
            after: after.clone(),
        }),
        None => deploy(run.api.as_ref(), &env, run.reporter.as_ref(), &run.opts).await,
    };
    let env_failed = r.is_err();
    let head = vec![(env.name.clone(), r)];
    if env_failed {
        // Services depend on the environment's published values.
        return run.results(head);
    }
    let rest: Vec<usize> = (0..run.services.len())
        .filter(|i| !first.contains(i))
        .collect();
    run.services(rest).await;
    run.results(head)
}

/// One run's service stacks and what became of them.
struct Runner<A> {
    api: Arc<A>,
    reporter: Arc<dyn DeployReporter>,
    opts: Options,
    /// At most this many stacks at once.
    limit: Arc<tokio::sync::Semaphore>,
    /// The services not deployed yet, in the order given.
    services: Vec<Option<StackSpec>>,
    /// Stacks that failed or were not reached.
    failed: std::collections::BTreeSet<String>,
    /// Each service's result, with its index.
    done: Vec<(usize, String, Result<StackOutcome, DeployError>)>,
}

impl<A: StackApi + crate::watch::poll::RolloutApi + Send + Sync + 'static> Runner<A> {
    /// Deploys the services at `which` in waves ([`waves`]); one whose `after` failed is
    /// not reached.
    async fn services(&mut self, which: Vec<usize>) {
        let which: Vec<usize> = which
            .into_iter()
            .filter(|&i| self.services[i].is_some())
            .collect();
        let specs: Vec<StackSpec> = which
            .iter()
            .filter_map(|&i| self.services[i].clone())
            .collect();
        for wave in waves(&specs) {
            let mut set = tokio::task::JoinSet::new();
            for w in wave {
                let i = which[w];
                let Some(spec) = self.services[i].take() else {
                    continue;
                };
                if let Some(after) = spec.after.iter().find(|a| self.failed.contains(*a)) {
                    let err = DeployError::NotReached {
                        stack: spec.name.clone(),
                        after: after.clone(),
                    };
                    self.failed.insert(spec.name.clone());
                    self.done.push((i, spec.name, Err(err)));
                    continue;
                }
                let (api, reporter, opts, limit) = (
                    self.api.clone(),
                    self.reporter.clone(),
                    self.opts.clone(),
                    self.limit.clone(),
                );
                set.spawn(async move {
                    let _permit = limit
                        .acquire_owned()
                        .await
                        .expect("the semaphore is never closed");
                    let r = match (&opts.rollout, spec.follow_up) {
                        (Some(watch), FollowUp::EcsRollout) => {
                            deploy_service(api.as_ref(), &spec, reporter.as_ref(), &opts, watch)
                                .await
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
                            self.failed.insert(item.1.clone());
                        }
                        self.done.push(item);
                    }
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
        }
    }

    /// `head`, then the services' results in the order they were given.
    fn results(mut self, mut head: Results) -> Results {
        self.done.sort_by_key(|(i, _, _)| *i);
        head.extend(self.done.into_iter().map(|(_, n, r)| (n, r)));
        head
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
            follow_up: FollowUp::EcsRollout,
            after: after.iter().map(|a| a.to_string()).collect(),
            ..StackSpec::bare(name, String::new(), Default::default(), Default::default())
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
