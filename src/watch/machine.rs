//! The rollout watcher: a pure state machine fed one [`Snapshot`] per poll. It finds the
//! deployment the update caused (not "is the service stable", which is also true after a
//! circuit-breaker rollback), follows it and any rollback to a verdict, and keeps what
//! explains a failure: stopped tasks, their reasons and exit codes, troubling events.

use super::snapshot::{Deployment, ServiceEvent, Snapshot, StoppedTask, revision_of};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Which deployment to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The first deployment that is not one of these (those that existed before the
    /// update) and runs the task definition the stack references now (when the poll
    /// knows it: [`Snapshot::stack_task_definition`]), so that a deployment someone else
    /// started meanwhile is never taken for the update's; an empty set means a new
    /// service's first deployment.
    NewSince(BTreeSet<String>),
    /// This deployment (from UpdateService, or one already in progress).
    Id(String),
}

/// Time limits, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Stop when no task of the deployment is running and failures keep coming for this
    /// long (`--progress-timeout`).
    pub progress_ms: Option<i64>,
    /// Stop after this long in all (`--timeout`).
    pub total_ms: Option<i64>,
}

/// How a watched rollout ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The deployment completed.
    Succeeded,
    /// It failed and ECS rolled back to the previous deployment, which completed.
    RolledBack,
    /// It failed and ECS did not roll back.
    Failed,
    /// The rollback failed too.
    RollbackFailed,
    /// A newer deployment replaced it before it finished (someone else deployed).
    Replaced,
    /// It was stopped, or the service went away.
    Stopped,
    /// No task came up while failures kept coming, for `--progress-timeout`.
    Stalled,
    /// `--timeout` passed.
    TimedOut,
    /// The stack's update failed: CloudFormation undoes it, this deployment included,
    /// whatever ECS made of the deployment (it may even have completed).
    StackFailed,
}

impl Verdict {
    /// The process exit code: 0 success, 3 failed and rolled back, 4 needs attention.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Succeeded => 0,
            Verdict::RolledBack | Verdict::Failed | Verdict::StackFailed => 3,
            Verdict::RollbackFailed
            | Verdict::Replaced
            | Verdict::Stopped
            | Verdict::Stalled
            | Verdict::TimedOut => 4,
        }
    }
}

/// What rolled the deployment back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The deployment circuit breaker.
    CircuitBreaker,
    /// A CloudWatch alarm.
    Alarm,
    /// Something else (CloudFormation rolling back the stack, a person).
    Other,
}

/// The end of a watch, with what explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The deployment watched.
    pub deployment: Option<String>,
    /// Its task definition revision (`family:N`).
    pub revision: Option<String>,
    /// The rollback's (or replacing) deployment.
    pub other: Option<String>,
    /// Its revision.
    pub other_revision: Option<String>,
    /// What triggered a rollback.
    pub trigger: Option<Trigger>,
    /// ECS's reason (rollout state reason, or the history's status reason).
    pub reason: Option<String>,
    /// Tasks of the deployment that failed.
    pub failed_tasks: i32,
    /// The most frequent stopped reason among them, and how many had it.
    pub top_reason: Option<(String, usize)>,
    /// The latest failed task, for its container's log lines.
    pub failing_task: Option<StoppedTask>,
    /// Time from the first sight of the deployment to the verdict.
    pub seconds: f64,
    /// Whether it was the service's first deployment (nothing before it to roll back to).
    pub first: bool,
}

impl Outcome {
    /// A sentence for people.
    pub fn summary(&self) -> String {
        let dep = self.deployment.as_deref().unwrap_or("the deployment");
        let rev = self
            .revision
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let other_rev = self
            .other_revision
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let why = match &self.top_reason {
            Some((r, n)) => format!(
                "; {} task{} failed, most often: {r} ({n}×)",
                self.failed_tasks,
                if self.failed_tasks == 1 { "" } else { "s" }
            ),
            None if self.failed_tasks > 0 => format!("; {} tasks failed", self.failed_tasks),
            None => String::new(),
        };
        let by = match self.trigger {
            Some(Trigger::CircuitBreaker) => " by the deployment circuit breaker",
            Some(Trigger::Alarm) => " by a CloudWatch alarm",
            _ => "",
        };
        match self.verdict {
            Verdict::Succeeded => {
                format!("deployment {dep}{rev} completed in {:.0}s", self.seconds)
            }
            Verdict::RolledBack | Verdict::Failed if self.first && self.other.is_none() => {
                let stopped = match self.trigger {
                    Some(_) => format!(", stopped{by}"),
                    None => String::new(),
                };
                format!(
                    "deployment {dep}{rev} failed{stopped}; it was the service's first deployment, so there was nothing to roll back to, and no task of the service runs{why}"
                )
            }
            Verdict::RolledBack => format!(
                "deployment {dep}{rev} failed and was rolled back{by} to {}{other_rev}{why}",
                self.other.as_deref().unwrap_or("the previous deployment")
            ),
            Verdict::Failed => format!("deployment {dep}{rev} failed and was not rolled back{why}"),
            Verdict::RollbackFailed => format!(
                "deployment {dep}{rev} failed, and so did the rollback {}{other_rev}{why}",
                self.other.as_deref().unwrap_or("")
            ),
            Verdict::Replaced => format!(
                "deployment {dep}{rev} was replaced by {}{other_rev} before it finished (another deploy?)",
                self.other.as_deref().unwrap_or("a newer deployment")
            ),
            Verdict::Stopped => format!("deployment {dep}{rev} was stopped{why}"),
            Verdict::Stalled => format!(
                "deployment {dep}{rev} made no progress: no task is running and tasks keep failing{why}"
            ),
            Verdict::TimedOut if self.deployment.is_none() => {
                "the new deployment had not started when the timeout passed".to_string()
            }
            Verdict::TimedOut => {
                format!("deployment {dep}{rev} is still in progress after the timeout")
            }
            Verdict::StackFailed => format!(
                "deployment {dep}{rev} failed with its stack: CloudFormation undoes the stack's update, this deployment included"
            ),
        }
    }
}

/// What a poll added, for the renderer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The deployments, newest first.
    pub deployments: Vec<Deployment>,
    /// The deployment being watched, once known.
    pub watching: Option<String>,
    /// Stopped tasks not reported before.
    pub new_stopped: Vec<StoppedTask>,
    /// Troubling service events not reported before, oldest first.
    pub new_events: Vec<ServiceEvent>,
    /// A remark (throttling, waiting for the deployment to appear).
    pub note: Option<String>,
}

/// One step of the machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Keep polling.
    Continue(Progress),
    /// Done.
    Done(Progress, Box<Outcome>),
}

/// The watcher.
#[derive(Debug, Clone)]
pub struct Watcher {
    target: Target,
    limits: Limits,
    started_ms: Option<i64>,
    ours: Option<String>,
    seen_tasks: BTreeSet<String>,
    seen_events: BTreeSet<String>,
    /// The stopped reasons of every task seen, to drop events that only repeat one.
    stopped_reasons: BTreeSet<String>,
    /// Stopped tasks of our deployment.
    our_tasks: Vec<StoppedTask>,
    /// Since when no task of ours runs while failures rise, and the failed count then.
    stall: Option<(i64, i32)>,
    /// Polls since our deployment failed without another deployment taking over.
    orphan_polls: u32,
    /// Our deployment was seen failed (with ECS's reason): once the rollback completes,
    /// ECS drains it from the list, and it is still a rollback.
    failed: Option<Option<String>>,
    /// Our deployment's revision and failed count when last seen (it may be drained).
    last_seen: Option<(String, i32)>,
}

/// Polls a failed deployment may wait for ECS's rollback deployment to appear.
const ROLLBACK_GRACE_POLLS: u32 = 3;

fn trigger_of(reason: Option<&str>) -> Trigger {
    let r = reason.unwrap_or("").to_ascii_lowercase();
    if r.contains("circuit breaker") {
        Trigger::CircuitBreaker
    } else if r.contains("alarm") {
        Trigger::Alarm
    } else {
        Trigger::Other
    }
}

impl Watcher {
    /// A watcher for `target`, stopping early by `limits`.
    pub fn new(target: Target, limits: Limits) -> Self {
        Watcher {
            target,
            limits,
            started_ms: None,
            ours: None,
            seen_tasks: BTreeSet::new(),
            seen_events: BTreeSet::new(),
            stopped_reasons: BTreeSet::new(),
            our_tasks: Vec::new(),
            stall: None,
            orphan_polls: 0,
            failed: None,
            last_seen: None,
        }
    }

    /// How long the whole watch may last (`--timeout`), if bounded.
    pub fn time_limit(&self) -> Option<std::time::Duration> {
        self.limits
            .total_ms
            .map(|ms| std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }

    /// The deployment being watched, once known.
    pub fn deployment(&self) -> Option<&str> {
        self.ours.as_deref()
    }

    /// The deployment this watcher follows among `deployments`: the one already chosen,
    /// else the one its target names (for an update, the oldest new one that runs
    /// `stack_task_definition`, an ARN or `family:revision`, when that is known).
    pub fn target_in(
        &self,
        deployments: &[Deployment],
        stack_task_definition: Option<&str>,
    ) -> Option<String> {
        if let Some(id) = &self.ours {
            return Some(id.clone());
        }
        match &self.target {
            Target::Id(id) => deployments.iter().find(|d| &d.id == id),
            Target::NewSince(_) => self
                .new_deployments(deployments)
                .filter(|d| stack_task_definition.is_none_or(|td| d.revision() == revision_of(td)))
                .min_by(|a, b| a.created_ms.cmp(&b.created_ms).then(a.id.cmp(&b.id))),
        }
        .map(|d| d.id.clone())
    }

    /// Whether the poll should look up the task definition the stack references: the
    /// watched deployment is not chosen yet and an update's candidates are there.
    pub fn needs_stack_task_definition(&self, deployments: &[Deployment]) -> bool {
        self.ours.is_none()
            && matches!(self.target, Target::NewSince(_))
            && self.new_deployments(deployments).next().is_some()
    }

    /// Deployments that did not exist before an update (none for other targets).
    fn new_deployments<'a>(
        &'a self,
        deployments: &'a [Deployment],
    ) -> impl Iterator<Item = &'a Deployment> + 'a {
        let known = match &self.target {
            Target::NewSince(known) => Some(known),
            Target::Id(_) => None,
        };
        deployments
            .iter()
            .filter(move |d| known.is_some_and(|k| !k.contains(&d.id)))
    }

    /// Takes in one poll.
    pub fn observe(&mut self, snap: &Snapshot) -> Step {
        let started = *self.started_ms.get_or_insert(snap.at_ms);
        let mut progress = Progress {
            watching: self.ours.clone(),
            ..Progress::default()
        };
        if snap.throttled {
            progress.note = Some("ECS is throttling: polling more slowly".into());
            return Step::Continue(progress);
        }
        let mut deployments = snap.deployments.clone();
        deployments.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.id.cmp(&a.id)));
        progress.deployments = deployments.clone();
        if self.ours.is_none() {
            let stack_td = snap.stack_task_definition.as_deref();
            self.ours = self.target_in(&deployments, stack_td);
            progress.watching = self.ours.clone();
            if self.ours.is_none()
                && let Some(td) = stack_td
                && let Some(other) = self.new_deployments(&deployments).next()
            {
                // Someone else's deployment: say why it is not followed.
                progress.note = Some(format!(
                    "deployment {} runs {}, not {}, which the stack references: not this update's; waiting for the update's deployment",
                    other.id,
                    other.revision(),
                    revision_of(td)
                ));
            }
        }
        for t in &snap.stopped {
            if self.seen_tasks.insert(t.arn.clone()) {
                if t.deployment.is_some() && t.deployment == self.ours {
                    self.our_tasks.push(t.clone());
                }
                if let Some(r) = &t.stopped_reason {
                    self.stopped_reasons.insert(r.clone());
                }
                progress.new_stopped.push(t.clone());
            }
        }
        // An event that only repeats a stopped task's reason ("failed to launch a task
        // with (error …)") adds nothing to the task lines.
        for e in snap.events.iter().rev() {
            if self.seen_events.insert(e.id.clone())
                && e.is_trouble()
                && !self
                    .stopped_reasons
                    .iter()
                    .any(|r| e.message.contains(r.as_str()))
            {
                progress.new_events.push(e.clone());
            }
        }
        let over_time = self
            .limits
            .total_ms
            .is_some_and(|limit| snap.at_ms - started >= limit);

        let Some(ours_id) = self.ours.clone() else {
            if !snap.found {
                progress.note = Some("waiting for the service to exist".into());
            } else if progress.note.is_none() {
                progress.note = Some("waiting for the new deployment to start".into());
            }
            if over_time {
                return self.done(progress, Verdict::TimedOut, None, None, snap, started);
            }
            return Step::Continue(progress);
        };
        if !snap.found {
            // A new service whose first deployment failed is deleted by CloudFormation's
            // rollback: that is the failure, not someone stopping it.
            return match self.failed.clone() {
                Some(reason) => self.done(progress, Verdict::Failed, None, reason, snap, started),
                None => self.done(progress, Verdict::Stopped, None, None, snap, started),
            };
        }
        let ours = deployments.iter().find(|d| d.id == ours_id);
        // The newest deployment that is not ours and came after it: a rollback, or a
        // replacement.
        let ours_created = ours.map_or(i64::MIN, |d| d.created_ms);
        let later = deployments
            .iter()
            .find(|d| d.id != ours_id && d.created_ms >= ours_created && d.status == "PRIMARY");

        // Noted before any verdict, the history's included: the outcome names the
        // deployment's revision and failures even when it ends at the first sight.
        if let Some(d) = ours {
            // ECS's failed count only grows; a later answer with a smaller one (a rolled
            // back deployment reset, an emulator) must not undo the failures seen.
            let seen = self.last_seen.as_ref().map_or(0, |(_, f)| *f);
            self.last_seen = Some((d.revision().to_string(), d.failed.max(seen)));
            if d.failed_rollout() {
                self.failed = Some(d.rollout_reason.clone());
            }
        }

        if let Some(rec) = &snap.record {
            let verdict = match rec.status.as_str() {
                "SUCCESSFUL" => Some(Verdict::Succeeded),
                "ROLLBACK_SUCCESSFUL" => Some(Verdict::RolledBack),
                "ROLLBACK_FAILED" => Some(Verdict::RollbackFailed),
                "STOPPED" => Some(Verdict::Stopped),
                _ => None,
            };
            if let Some(v) = verdict {
                let reason = rec
                    .reason
                    .clone()
                    .or_else(|| ours.and_then(|d| d.rollout_reason.clone()));
                return self.done(progress, v, later.cloned(), reason, snap, started);
            }
        }

        match ours {
            Some(d) if d.completed() => {
                self.done(progress, Verdict::Succeeded, None, None, snap, started)
            }
            None if self.failed.is_none() => {
                // Gone from the list without finishing: replaced and drained, or stopped.
                let v = if later.is_some() {
                    Verdict::Replaced
                } else {
                    Verdict::Stopped
                };
                self.done(progress, v, later.cloned(), None, snap, started)
            }
            Some(d) if !d.failed_rollout() => {
                if let Some(r) = later {
                    return self.done(
                        progress,
                        Verdict::Replaced,
                        Some(r.clone()),
                        None,
                        snap,
                        started,
                    );
                }
                if let Some(limit) = self.limits.progress_ms {
                    if d.running > 0 {
                        self.stall = None;
                    } else if d.failed > 0 {
                        let (since, failed_then) =
                            *self.stall.get_or_insert((snap.at_ms, d.failed));
                        if snap.at_ms - since >= limit && d.failed > failed_then {
                            return self.done(
                                progress,
                                Verdict::Stalled,
                                None,
                                None,
                                snap,
                                started,
                            );
                        }
                    }
                }
                if over_time {
                    return self.done(progress, Verdict::TimedOut, None, None, snap, started);
                }
                Step::Continue(progress)
            }
            // Ours failed: still listed, or already drained after the rollback.
            _ => {
                let reason = self.failed.clone().flatten();
                match later {
                    Some(r) if r.completed() => self.done(
                        progress,
                        Verdict::RolledBack,
                        Some(r.clone()),
                        reason,
                        snap,
                        started,
                    ),
                    Some(r) if r.failed_rollout() => self.done(
                        progress,
                        Verdict::RollbackFailed,
                        Some(r.clone()),
                        reason,
                        snap,
                        started,
                    ),
                    Some(_) => {
                        progress.note = Some("rolling back".into());
                        Step::Continue(progress)
                    }
                    None if ours.is_none() => {
                        self.done(progress, Verdict::Failed, None, reason, snap, started)
                    }
                    None => {
                        self.orphan_polls += 1;
                        if self.orphan_polls > ROLLBACK_GRACE_POLLS {
                            self.done(progress, Verdict::Failed, None, reason, snap, started)
                        } else {
                            Step::Continue(progress)
                        }
                    }
                }
            }
        }
    }

    fn done(
        &mut self,
        progress: Progress,
        verdict: Verdict,
        other: Option<Deployment>,
        reason: Option<String>,
        snap: &Snapshot,
        started: i64,
    ) -> Step {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for t in &self.our_tasks {
            *counts.entry(t.reason_key()).or_default() += 1;
        }
        // Most frequent; ties go to the reason seen last (the freshest).
        let top_reason = self
            .our_tasks
            .iter()
            .rev()
            .map(|t| t.reason_key())
            .max_by_key(|k| counts[k])
            .map(|k| {
                let n = counts[&k];
                (k, n)
            });
        let trigger = match verdict {
            Verdict::RolledBack | Verdict::RollbackFailed => Some(trigger_of(reason.as_deref())),
            _ => None,
        };
        let failing_task = self
            .our_tasks
            .iter()
            .rev()
            .find(|t| t.failing_container().is_some())
            .or(self.our_tasks.last())
            .cloned();
        let seen_failed = self.last_seen.as_ref().map_or(0, |(_, f)| *f);
        let outcome = Outcome {
            verdict,
            deployment: self.ours.clone(),
            revision: self.last_seen.as_ref().map(|(r, _)| r.clone()),
            other_revision: other.as_ref().map(|d| d.revision().to_string()),
            other: other.map(|d| d.id),
            trigger,
            reason,
            failed_tasks: seen_failed.max(self.our_tasks.len() as i32),
            top_reason,
            failing_task,
            seconds: (snap.at_ms - started) as f64 / 1000.0,
            first: matches!(&self.target, Target::NewSince(before) if before.is_empty()),
        };
        Step::Done(progress, Box::new(outcome))
    }
}
