//! Deploying several stacks of one environment: the environment stack first (when it
//! changed), then the services in parallel, at most `concurrency` at a time. One stack's
//! failure does not stop the others; every result is returned.

use super::rollout::deploy_service;
use super::stack::{Options, StackSpec, deploy};
use super::types::StackOutcome;
use super::{DeployError, DeployReporter, StackApi};
use std::sync::Arc;

/// The result of each stack, in the order given.
pub type Results = Vec<(String, Result<StackOutcome, DeployError>)>;

/// Deploys `env` (if given) and then `services` in parallel.
pub async fn deploy_all<A: StackApi + crate::watch::poll::RolloutApi + Send + Sync + 'static>(
    api: Arc<A>,
    env: Option<StackSpec>,
    services: Vec<StackSpec>,
    reporter: Arc<dyn DeployReporter>,
    opts: Options,
    concurrency: usize,
) -> Results {
    let mut results = Vec::new();
    if let Some(env) = env {
        let r = deploy(api.as_ref(), &env, reporter.as_ref(), &opts).await;
        let failed = r.is_err();
        results.push((env.name.clone(), r));
        if failed {
            // Services depend on the environment's published values.
            return results;
        }
    }
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, spec) in services.into_iter().enumerate() {
        let (api, reporter, opts, limit) =
            (api.clone(), reporter.clone(), opts.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let r = match &opts.rollout {
                Some(watch) => {
                    deploy_service(api.as_ref(), &spec, reporter.as_ref(), &opts, watch).await
                }
                None => deploy(api.as_ref(), &spec, reporter.as_ref(), &opts).await,
            };
            (i, spec.name, r)
        });
    }
    let mut done: Vec<(usize, String, Result<StackOutcome, DeployError>)> = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(item) => done.push(item),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    done.sort_by_key(|(i, _, _)| *i);
    results.extend(done.into_iter().map(|(_, n, r)| (n, r)));
    results
}
