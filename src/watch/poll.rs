//! Polling ECS for the watcher, at a fixed short interval (no waiter back-off), backing
//! off only while ECS throttles. Per poll: one DescribeServices; ListTasks and
//! DescribeTasks only when the watched deployment's failed count rose; the deployment
//! history (ListServiceDeployments) when the rollout looks finished and every tenth poll,
//! and never again once the API turns out not to exist. At the default 3 s interval that
//! is 20 calls a minute while all goes well, and at most about 62.

use super::machine::{Outcome, Progress, Step, Watcher};
use super::snapshot::{Deployment, HistoryRecord, ServiceEvent, Snapshot, StoppedTask};
use crate::api::{AwsError, ErrorKind};
use crate::clock::now_ms;
use std::future::Future;
use std::time::Duration;

/// An ECS service, by cluster and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    /// Cluster name.
    pub cluster: String,
    /// Service name.
    pub service: String,
}

impl ServiceRef {
    /// From a service ARN (`arn:…:service/<cluster>/<service>`).
    pub fn from_arn(arn: &str) -> Option<Self> {
        let path = arn.split_once(":service/")?.1;
        let (cluster, service) = path.split_once('/')?;
        (!cluster.is_empty() && !service.is_empty()).then(|| ServiceRef {
            cluster: cluster.into(),
            service: service.into(),
        })
    }
}

/// What DescribeServices says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceState {
    /// Deployments.
    pub deployments: Vec<Deployment>,
    /// Latest events, newest first.
    pub events: Vec<ServiceEvent>,
}

/// The ECS (and CloudWatch Logs) calls the watch needs.
pub trait RolloutApi: Send + Sync {
    /// The ECS service a stack runs (its `Service` resource), once it exists.
    fn stack_service(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Option<ServiceRef>, AwsError>> + Send;
    /// The task definition (ARN) the stack references now (its `TaskDefinition`
    /// resource); `None` when it has none.
    fn stack_task_definition(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// The service's deployments and events; `None` when it does not exist.
    fn service_state(
        &self,
        service: &ServiceRef,
    ) -> impl Future<Output = Result<Option<ServiceState>, AwsError>> + Send;
    /// Stopped tasks started by `deployment`.
    fn stopped_tasks(
        &self,
        service: &ServiceRef,
        deployment: &str,
    ) -> impl Future<Output = Result<Vec<StoppedTask>, AwsError>> + Send;
    /// The history entry of the deployment created at `created_ms`; `Ok(None)` when there
    /// is none yet. An error of kind `Validation`/`Other` means the API is not there.
    fn history(
        &self,
        service: &ServiceRef,
        created_ms: i64,
    ) -> impl Future<Output = Result<Option<HistoryRecord>, AwsError>> + Send;
    /// Starts a new deployment of the service (UpdateService with forceNewDeployment)
    /// running `task_definition` (an ARN) when given, else what it runs now; its id.
    fn start_deployment(
        &self,
        service: &ServiceRef,
        task_definition: Option<&str>,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// The last `lines` log lines of the task's failing container.
    fn log_tail(
        &self,
        task: &StoppedTask,
        lines: usize,
    ) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
}

/// How to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollOptions {
    /// Between polls.
    pub interval: Duration,
    /// The longest interval while throttled.
    pub max_interval: Duration,
    /// Log lines to show of a failed task.
    pub log_lines: usize,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            interval: Duration::from_secs(3),
            max_interval: Duration::from_secs(30),
            log_lines: 20,
        }
    }
}

/// The end of a watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    /// The verdict and what explains it.
    pub outcome: Outcome,
    /// The last log lines of the failing task's container.
    pub logs: Vec<String>,
    /// AWS calls made while watching.
    pub api_calls: u64,
}

/// What the update that the watch follows says about stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It is still running: keep going.
    No,
    /// It finished: stop at the next poll if the watched deployment has not appeared
    /// (the update started none).
    IfNothingStarted,
    /// It changed nothing, or failed before reaching ECS: stop.
    Now,
    /// The user interrupted it (Ctrl-C): stop, even while following a deployment.
    Abandon,
}

/// State kept between polls.
#[derive(Debug, Default)]
struct Poller {
    calls: u64,
    polls: u64,
    /// The failed count of the watched deployment when its tasks were last listed.
    failed_listed: i32,
    stopped: Vec<StoppedTask>,
    history_missing: bool,
    /// The stack whose update is watched, for the task definition it references.
    stack: Option<String>,
}

impl Poller {
    async fn snapshot<A: RolloutApi>(
        &mut self,
        api: &A,
        service: &ServiceRef,
        watcher: &Watcher,
    ) -> Result<Snapshot, AwsError> {
        self.polls += 1;
        self.calls += 1;
        let state = match api.service_state(service).await {
            Ok(s) => s,
            Err(e) if e.kind() == Some(ErrorKind::Throttled) => {
                return Ok(Snapshot {
                    at_ms: now_ms(),
                    throttled: true,
                    ..Snapshot::default()
                });
            }
            Err(e) => return Err(e),
        };
        let Some(state) = state else {
            return Ok(Snapshot {
                at_ms: now_ms(),
                ..Snapshot::default()
            });
        };
        // An update's deployment is the one running what the stack now references.
        let mut stack_task_definition = None;
        if let Some(stack) = self.stack.as_deref()
            && watcher.needs_stack_task_definition(&state.deployments)
        {
            self.calls += 1;
            match api.stack_task_definition(stack).await {
                Ok(td) => stack_task_definition = td,
                Err(e) if e.kind() == Some(ErrorKind::Throttled) => {}
                Err(e) => return Err(e),
            }
        }
        let ours = watcher
            .target_in(&state.deployments, stack_task_definition.as_deref())
            .and_then(|id| state.deployments.iter().find(|d| d.id == id))
            .cloned();
        let mut record = None;
        if let Some(d) = &ours {
            if d.failed > self.failed_listed {
                self.calls += 2;
                match api.stopped_tasks(service, &d.id).await {
                    Ok(tasks) => {
                        self.failed_listed = d.failed;
                        for t in tasks {
                            if !self.stopped.iter().any(|s| s.arn == t.arn) {
                                self.stopped.push(t);
                            }
                        }
                    }
                    Err(e) if e.kind() == Some(ErrorKind::Throttled) => {}
                    Err(e) => return Err(e),
                }
            }
            let settled = d.completed() || d.failed_rollout();
            if !self.history_missing && (settled || self.polls.is_multiple_of(10)) {
                self.calls += 1;
                match api.history(service, d.created_ms).await {
                    Ok(r) => record = r,
                    Err(e) if e.kind() == Some(ErrorKind::Throttled) => {}
                    Err(_) => self.history_missing = true,
                }
            }
        }
        Ok(Snapshot {
            at_ms: now_ms(),
            found: true,
            deployments: state.deployments,
            events: state.events,
            stopped: self.stopped.clone(),
            record,
            throttled: false,
            stack_task_definition,
        })
    }
}

/// Waits `interval`, or less when the update's state changes.
async fn pause(interval: Duration, stop: &mut tokio::sync::watch::Receiver<Stop>) {
    let sleep = tokio::time::sleep(interval);
    tokio::pin!(sleep);
    tokio::select! {
        () = &mut sleep => {}
        changed = stop.changed() => {
            // The update is over and its sender gone: nothing more will change early.
            if changed.is_err() {
                sleep.await;
            }
        }
    }
}

/// Finds the service stack `stack` runs, waiting while the update that creates it runs.
pub async fn locate<A: RolloutApi>(
    api: &A,
    stack: &str,
    opts: &PollOptions,
    stop: &mut tokio::sync::watch::Receiver<Stop>,
) -> Result<Option<ServiceRef>, AwsError> {
    loop {
        let state = *stop.borrow();
        if matches!(state, Stop::Now | Stop::Abandon) {
            return Ok(None);
        }
        if let Some(s) = api.stack_service(stack).await? {
            return Ok(Some(s));
        }
        if state == Stop::IfNothingStarted {
            return Ok(None);
        }
        pause(opts.interval, stop).await;
    }
}

/// Polls `service` and feeds `watcher` until it decides, or until `stop` says the update
/// started no deployment (`Ok(None)`). `on_progress` sees each poll's news. `stack`, the
/// stack whose update is watched, tells which new deployment is the update's: the one
/// running the task definition the stack references.
pub async fn watch<A: RolloutApi>(
    api: &A,
    service: &ServiceRef,
    stack: Option<&str>,
    mut watcher: Watcher,
    opts: &PollOptions,
    on_progress: &(dyn Fn(&Progress) + Send + Sync),
    mut stop: tokio::sync::watch::Receiver<Stop>,
) -> Result<Option<Watched>, AwsError> {
    let mut poller = Poller {
        stack: stack.map(str::to_string),
        ..Poller::default()
    };
    // The polls never sleep past `--timeout`: the one after it gives the verdict.
    let deadline = watcher
        .time_limit()
        .map(|limit| std::time::Instant::now() + limit);
    let mut interval = opts.interval;
    loop {
        let stop_now = *stop.borrow_and_update();
        if (stop_now == Stop::Now && watcher.deployment().is_none()) || stop_now == Stop::Abandon {
            return Ok(None);
        }
        let snap = poller.snapshot(api, service, &watcher).await?;
        interval = if snap.throttled {
            (interval * 2).min(opts.max_interval)
        } else {
            opts.interval
        };
        match watcher.observe(&snap) {
            Step::Continue(p) => {
                on_progress(&p);
                // The update finished before this poll and no deployment of it is there.
                if watcher.deployment().is_none() && stop_now != Stop::No {
                    return Ok(None);
                }
            }
            Step::Done(p, outcome) => {
                on_progress(&p);
                let mut logs = Vec::new();
                if outcome.verdict != super::machine::Verdict::Succeeded
                    && let Some(task) = &outcome.failing_task
                {
                    poller.calls += 2;
                    logs = api.log_tail(task, opts.log_lines).await.unwrap_or_default();
                }
                return Ok(Some(Watched {
                    outcome: *outcome,
                    logs,
                    api_calls: poller.calls,
                }));
            }
        }
        let left = deadline.map_or(interval, |d| {
            d.saturating_duration_since(std::time::Instant::now())
        });
        pause(interval.min(left.max(Duration::from_millis(10))), &mut stop).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::machine::{Limits, Target, Verdict};
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    #[test]
    fn service_refs_come_from_arns() {
        assert_eq!(
            ServiceRef::from_arn(
                "arn:aws:ecs:us-east-1:123456789012:service/shop-test/shop-test-web-Service-ABC"
            ),
            Some(ServiceRef {
                cluster: "shop-test".into(),
                service: "shop-test-web-Service-ABC".into()
            })
        );
        assert_eq!(
            ServiceRef::from_arn("arn:aws:ecs:us-east-1:1:service/old-format"),
            None
        );
    }

    /// Answers from a script of DescribeServices results, one per poll.
    #[derive(Default)]
    struct Scripted {
        states: Mutex<Vec<Result<Option<ServiceState>, AwsError>>>,
        task_lists: Mutex<u32>,
        history_calls: Mutex<u32>,
        stack_lookups: Mutex<u32>,
    }

    fn throttled() -> AwsError {
        AwsError::Call {
            operation: "DescribeServices",
            resource: "x".into(),
            kind: ErrorKind::Throttled,
            code: Some("ThrottlingException".into()),
            message: "Rate exceeded".into(),
            detail: None,
        }
    }

    fn stopped(stop: Stop) -> tokio::sync::watch::Receiver<Stop> {
        let (tx, rx) = tokio::sync::watch::channel(stop);
        std::mem::forget(tx);
        rx
    }

    impl RolloutApi for Scripted {
        async fn stack_service(&self, _: &str) -> Result<Option<ServiceRef>, AwsError> {
            Ok(None)
        }
        async fn stack_task_definition(&self, _: &str) -> Result<Option<String>, AwsError> {
            *self.stack_lookups.lock().unwrap() += 1;
            Ok(Some("arn:aws:ecs:us-east-1:1:task-definition/web:2".into()))
        }
        async fn service_state(&self, _: &ServiceRef) -> Result<Option<ServiceState>, AwsError> {
            let mut s = self.states.lock().unwrap();
            if s.len() > 1 {
                s.remove(0)
            } else {
                match &s[0] {
                    Ok(v) => Ok(v.clone()),
                    Err(_) => Err(throttled()),
                }
            }
        }
        async fn stopped_tasks(
            &self,
            _: &ServiceRef,
            deployment: &str,
        ) -> Result<Vec<StoppedTask>, AwsError> {
            *self.task_lists.lock().unwrap() += 1;
            Ok(vec![StoppedTask {
                arn: format!(
                    "arn:aws:ecs:us-east-1:1:task/c/{}",
                    self.task_lists.lock().unwrap()
                ),
                deployment: Some(deployment.into()),
                task_definition: "td:2".into(),
                stopped_reason: Some("CannotPullContainerError: not found".into()),
                stop_code: Some("TaskFailedToStart".into()),
                containers: vec![],
                stopped_ms: 0,
            }])
        }
        async fn history(&self, _: &ServiceRef, _: i64) -> Result<Option<HistoryRecord>, AwsError> {
            *self.history_calls.lock().unwrap() += 1;
            Err(AwsError::Call {
                operation: "ListServiceDeployments",
                resource: "x".into(),
                kind: ErrorKind::Other,
                code: Some("InvalidAction".into()),
                message: "not implemented".into(),
                detail: None,
            })
        }
        async fn start_deployment(
            &self,
            _: &ServiceRef,
            _: Option<&str>,
        ) -> Result<String, AwsError> {
            Ok("forced".into())
        }
        async fn log_tail(&self, _: &StoppedTask, lines: usize) -> Result<Vec<String>, AwsError> {
            Ok((0..lines.min(2)).map(|i| format!("log {i}")).collect())
        }
    }

    fn d(id: &str, status: &str, state: &str, failed: i32, created: i64) -> Deployment {
        Deployment {
            id: id.into(),
            status: status.into(),
            rollout_state: Some(state.into()),
            rollout_reason: (state == "FAILED")
                .then(|| "ECS deployment circuit breaker: tasks failed to start.".into()),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:2".into(),
            desired: 1,
            running: 0,
            pending: 1,
            failed,
            created_ms: created,
        }
    }

    fn state(ds: Vec<Deployment>) -> Result<Option<ServiceState>, AwsError> {
        Ok(Some(ServiceState {
            deployments: ds,
            events: vec![],
        }))
    }

    #[tokio::test]
    async fn throttling_backs_off_and_failures_are_listed_once_each() {
        let api = Scripted {
            states: Mutex::new(vec![
                state(vec![
                    d("new", "PRIMARY", "IN_PROGRESS", 0, 2),
                    d("old", "ACTIVE", "COMPLETED", 0, 1),
                ]),
                Err(throttled()),
                state(vec![
                    d("new", "PRIMARY", "IN_PROGRESS", 1, 2),
                    d("old", "ACTIVE", "COMPLETED", 0, 1),
                ]),
                state(vec![
                    d("new", "PRIMARY", "IN_PROGRESS", 1, 2),
                    d("old", "ACTIVE", "COMPLETED", 0, 1),
                ]),
                state(vec![
                    d("new", "ACTIVE", "FAILED", 3, 2),
                    d("back", "PRIMARY", "COMPLETED", 0, 3),
                ]),
            ]),
            ..Scripted::default()
        };
        let svc = ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        };
        let watcher = Watcher::new(
            Target::NewSince(BTreeSet::from(["old".to_string()])),
            Limits::default(),
        );
        let notes = Mutex::new(Vec::new());
        let opts = PollOptions {
            interval: Duration::from_millis(1),
            max_interval: Duration::from_millis(4),
            log_lines: 5,
        };
        let w = watch(
            &api,
            &svc,
            Some("stack"),
            watcher,
            &opts,
            &|p| notes.lock().unwrap().extend(p.note.clone()),
            stopped(Stop::No),
        )
        .await
        .unwrap()
        .expect("a verdict");
        assert_eq!(w.outcome.verdict, Verdict::RolledBack);
        assert_eq!(
            *api.task_lists.lock().unwrap(),
            2,
            "listed when the failed count rose: 1, then 3"
        );
        assert_eq!(
            *api.history_calls.lock().unwrap(),
            1,
            "an API that is not there is asked once"
        );
        assert_eq!(w.logs, ["log 0", "log 1"]);
        assert!(
            notes
                .lock()
                .unwrap()
                .iter()
                .any(|n| n.contains("throttling"))
        );
        assert_eq!(
            *api.stack_lookups.lock().unwrap(),
            1,
            "the stack's task definition is asked only until the deployment is chosen"
        );
        // 5 DescribeServices, 1 stack lookup, 2 × (ListTasks + DescribeTasks), 1 history,
        // 2 for the logs.
        assert_eq!(w.api_calls, 5 + 1 + 4 + 1 + 2);
    }

    #[tokio::test]
    async fn an_update_that_starts_no_deployment_ends_the_watch() {
        let api = Scripted {
            states: Mutex::new(vec![state(vec![d("old", "PRIMARY", "COMPLETED", 0, 1)])]),
            ..Scripted::default()
        };
        let svc = ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        };
        let watcher = Watcher::new(
            Target::NewSince(BTreeSet::from(["old".to_string()])),
            Limits::default(),
        );
        let opts = PollOptions {
            interval: Duration::from_millis(1),
            ..PollOptions::default()
        };
        let r = watch(
            &api,
            &svc,
            Some("stack"),
            watcher,
            &opts,
            &|_| {},
            stopped(Stop::IfNothingStarted),
        )
        .await
        .unwrap();
        assert_eq!(r, None);
        assert_eq!(
            *api.stack_lookups.lock().unwrap(),
            0,
            "no new deployment: nothing to compare with the stack"
        );
    }

    #[tokio::test]
    async fn a_slow_poll_never_sleeps_past_the_timeout() {
        let api = Scripted {
            states: Mutex::new(vec![state(vec![
                d("new", "PRIMARY", "IN_PROGRESS", 0, 2),
                d("old", "ACTIVE", "COMPLETED", 0, 1),
            ])]),
            ..Scripted::default()
        };
        let svc = ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        };
        let watcher = Watcher::new(
            Target::NewSince(BTreeSet::from(["old".to_string()])),
            Limits {
                progress_ms: None,
                total_ms: Some(200),
            },
        );
        let opts = PollOptions {
            interval: Duration::from_secs(3600),
            max_interval: Duration::from_secs(3600),
            log_lines: 5,
        };
        let started = std::time::Instant::now();
        let w = watch(&api, &svc, None, watcher, &opts, &|_| {}, stopped(Stop::No))
            .await
            .unwrap()
            .expect("a verdict");
        assert_eq!(w.outcome.verdict, Verdict::TimedOut);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the hour-long poll interval was cut to the timeout"
        );
    }
}
