//! The watcher against scripted poll sequences shaped like real DescribeServices,
//! DescribeTasks and DescribeServiceDeployments answers: one test per way a rollout ends.

use super::machine::{Limits, Step, Target, Trigger, Verdict, Watcher};
use super::snapshot::{
    ContainerExit, Deployment, HistoryRecord, ServiceEvent, Snapshot, StoppedTask,
};
use std::collections::BTreeSet;

const OLD: &str = "ecs-svc/1111111111111111111";
const NEW: &str = "ecs-svc/2222222222222222222";
const BACK: &str = "ecs-svc/3333333333333333333";
const OTHER: &str = "ecs-svc/4444444444444444444";
const TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-test-web";

fn dep(
    id: &str,
    status: &str,
    state: &str,
    rev: u32,
    counts: (i32, i32, i32, i32),
    created: i64,
) -> Deployment {
    let (desired, running, pending, failed) = counts;
    Deployment {
        id: id.into(),
        status: status.into(),
        rollout_state: Some(state.into()),
        rollout_reason: None,
        task_definition: format!("{TD}:{rev}"),
        desired,
        running,
        pending,
        failed,
        created_ms: created,
    }
}

fn with_reason(mut d: Deployment, reason: &str) -> Deployment {
    d.rollout_reason = Some(reason.into());
    d
}

fn task(n: u32, deployment: &str, reason: &str, exit: Option<i32>) -> StoppedTask {
    StoppedTask {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:task/shop-test/{n:032x}"),
        deployment: Some(deployment.into()),
        task_definition: format!("{TD}:2"),
        stopped_reason: Some(reason.into()),
        stop_code: Some(
            if exit.is_some() {
                "EssentialContainerExited"
            } else {
                "TaskFailedToStart"
            }
            .into(),
        ),
        containers: vec![ContainerExit {
            name: "web".into(),
            exit_code: exit,
            reason: None,
        }],
        stopped_ms: 1_000 * i64::from(n),
    }
}

fn event(n: u32, message: &str) -> ServiceEvent {
    ServiceEvent {
        id: format!("ev-{n}"),
        at_ms: 1_000 * i64::from(n),
        message: message.into(),
    }
}

fn snap(at_s: i64, deployments: Vec<Deployment>) -> Snapshot {
    Snapshot {
        at_ms: at_s * 1_000,
        found: true,
        deployments,
        ..Snapshot::default()
    }
}

fn update_watcher(limits: Limits) -> Watcher {
    Watcher::new(Target::NewSince(BTreeSet::from([OLD.to_string()])), limits)
}

/// Feeds the snapshots; the outcome must come exactly at the last one.
fn run(
    w: &mut Watcher,
    snaps: Vec<Snapshot>,
) -> (Vec<super::machine::Progress>, super::machine::Outcome) {
    let n = snaps.len();
    let mut seen = Vec::new();
    for (i, s) in snaps.into_iter().enumerate() {
        match w.observe(&s) {
            Step::Continue(p) => {
                assert!(i + 1 < n, "no verdict after the last poll");
                seen.push(p);
            }
            Step::Done(p, o) => {
                assert_eq!(i + 1, n, "a verdict before the last poll: {o:?}");
                seen.push(p);
                return (seen, *o);
            }
        }
    }
    unreachable!()
}

#[test]
fn clean_success() {
    let mut w = update_watcher(Limits::default());
    let (progress, o) = run(
        &mut w,
        vec![
            // The stack update has not reached ECS yet.
            snap(
                0,
                vec![dep(OLD, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 0)],
            ),
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                6,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 2, 0, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 1, 0, 0), 0),
                ],
            ),
            snap(
                9,
                vec![dep(NEW, "PRIMARY", "COMPLETED", 2, (2, 2, 0, 0), 2_000)],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::Succeeded);
    assert_eq!(o.verdict.exit_code(), 0);
    assert_eq!(o.deployment.as_deref(), Some(NEW));
    assert_eq!(o.revision.as_deref(), Some("shop-test-web:2"));
    assert_eq!(o.failed_tasks, 0);
    assert_eq!(
        progress[0].note.as_deref(),
        Some("waiting for the new deployment to start")
    );
    assert_eq!(progress[1].watching.as_deref(), Some(NEW));
    assert_eq!(progress[1].deployments[0].id, NEW, "newest first");
    assert!(
        o.summary()
            .starts_with("deployment ecs-svc/2222222222222222222 (shop-test-web:2) completed")
    );
}

#[test]
fn breaker_rollback_after_image_pull_failures() {
    let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web@sha256:0000: not found";
    let mut w = update_watcher(Limits::default());
    let mut s2 = snap(
        6,
        vec![
            dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 2), 2_000),
            dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
        ],
    );
    s2.stopped = vec![task(1, NEW, pull, None), task(2, NEW, pull, None)];
    s2.events = vec![
        event(
            2,
            "(service shop-test-web) has started 2 tasks: (task a) (task b).",
        ),
        event(
            3,
            "(service shop-test-web) failed to launch a task with (error CannotPullContainerError).",
        ),
    ];
    let mut s3 = snap(
        12,
        vec![
            with_reason(
                dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 3), 2_000),
                "ECS deployment circuit breaker: tasks failed to start.",
            ),
            dep(BACK, "PRIMARY", "IN_PROGRESS", 1, (2, 2, 0, 0), 11_000),
        ],
    );
    s3.stopped = vec![
        task(1, NEW, pull, None),
        task(2, NEW, pull, None),
        task(3, NEW, pull, None),
    ];
    let s4 = snap(
        15,
        vec![dep(BACK, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 11_000)],
    );
    // The failed deployment drained away by now: the verdict still knows it.
    let (progress, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            s2,
            s3,
            s4,
        ],
    );
    // Our deployment left the list: it was rolled back and drained, not replaced.
    assert_eq!(progress[1].new_stopped.len(), 2);
    assert_eq!(progress[2].new_stopped.len(), 1, "tasks are reported once");
    assert_eq!(progress[1].new_events.len(), 1, "only troubling events");
    assert_eq!(progress[2].note.as_deref(), Some("rolling back"));
    assert_eq!(o.verdict, Verdict::RolledBack, "{o:?}");
    assert_eq!(
        o.top_reason,
        Some(("CannotPullContainerError".to_string(), 3))
    );
    assert_eq!(o.failed_tasks, 3);
    // The same, with the rollback complete while ours is still listed:
    let mut w = update_watcher(Limits::default());
    let mut s3b = snap(
        15,
        vec![
            with_reason(
                dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 3), 2_000),
                "ECS deployment circuit breaker: tasks failed to start.",
            ),
            dep(BACK, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 11_000),
        ],
    );
    s3b.stopped = vec![
        task(1, NEW, pull, None),
        task(2, NEW, pull, None),
        task(3, NEW, pull, None),
    ];
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            s3b,
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.verdict.exit_code(), 3);
    assert_eq!(o.trigger, Some(Trigger::CircuitBreaker));
    assert_eq!(o.other.as_deref(), Some(BACK));
    assert_eq!(o.other_revision.as_deref(), Some("shop-test-web:1"));
    assert_eq!(o.failed_tasks, 3);
    assert_eq!(
        o.top_reason,
        Some(("CannotPullContainerError".to_string(), 3))
    );
    let s = o.summary();
    assert!(s.contains("rolled back by the deployment circuit breaker to ecs-svc/3333333333333333333 (shop-test-web:1)"), "{s}");
    assert!(
        s.contains("3 tasks failed, most often: CannotPullContainerError (3×)"),
        "{s}"
    );
}

#[test]
fn a_history_verdict_at_the_first_sight_keeps_the_revision_and_failures() {
    // A short rollout: already completed at the first poll, and the history says so.
    let mut w = Watcher::new(Target::NewSince(BTreeSet::new()), Limits::default());
    let mut s = snap(
        1,
        vec![dep(NEW, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 500)],
    );
    s.record = Some(HistoryRecord {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop-test/web/abc".into(),
        status: "SUCCESSFUL".into(),
        reason: None,
    });
    let (_, o) = run(&mut w, vec![s]);
    assert_eq!(o.verdict, Verdict::Succeeded);
    assert_eq!(o.revision.as_deref(), Some("shop-test-web:1"));
    assert!(
        o.summary()
            .starts_with(&format!("deployment {NEW} (shop-test-web:1) completed")),
        "{}",
        o.summary()
    );

    // A rollback the history reports at the first sight of the failed deployment.
    let mut w = update_watcher(Limits::default());
    let mut s = snap(
        9,
        vec![
            with_reason(
                dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 4), 2_000),
                "ECS deployment circuit breaker: tasks failed to start.",
            ),
            dep(BACK, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 8_000),
        ],
    );
    s.record = Some(HistoryRecord {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop-test/web/def".into(),
        status: "ROLLBACK_SUCCESSFUL".into(),
        reason: None,
    });
    let (_, o) = run(&mut w, vec![s]);
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.revision.as_deref(), Some("shop-test-web:2"));
    assert_eq!(o.failed_tasks, 4);
    assert_eq!(
        o.reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
}

#[test]
fn history_records_give_the_verdict_when_there_are_any() {
    let mut w = update_watcher(Limits::default());
    let mut s = snap(
        9,
        vec![
            dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 3), 2_000),
            dep(BACK, "PRIMARY", "IN_PROGRESS", 1, (2, 1, 0, 0), 8_000),
        ],
    );
    s.record = Some(HistoryRecord {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop-test/web/abc".into(),
        status: "ROLLBACK_SUCCESSFUL".into(),
        reason: Some("ECS deployment circuit breaker: 3 tasks failed to start.".into()),
    });
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            s,
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.trigger, Some(Trigger::CircuitBreaker));
    assert_eq!(
        o.reason.as_deref(),
        Some("ECS deployment circuit breaker: 3 tasks failed to start.")
    );
}

#[test]
fn breaker_rollback_after_essential_container_crashes() {
    let crash = "Essential container in task exited";
    let mut w = update_watcher(Limits::default());
    let mut s = snap(
        20,
        vec![
            with_reason(
                dep(NEW, "ACTIVE", "FAILED", 2, (3, 0, 0, 3), 2_000),
                "ECS deployment circuit breaker: tasks failed to start.",
            ),
            dep(BACK, "PRIMARY", "COMPLETED", 1, (3, 3, 0, 0), 18_000),
        ],
    );
    s.stopped = vec![
        task(1, NEW, crash, Some(1)),
        task(2, NEW, crash, Some(1)),
        task(3, NEW, crash, Some(137)),
    ];
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (3, 0, 3, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (3, 3, 0, 0), 0),
                ],
            ),
            s,
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(
        o.top_reason,
        Some(("Essential container exited (exit code 1)".to_string(), 2))
    );
    let failing = o.failing_task.expect("a failing task for its logs");
    assert_eq!(failing.failing_container().unwrap().exit_code, Some(137));
}

#[test]
fn alarm_rollback() {
    let mut w = update_watcher(Limits::default());
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 2, 0, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                60,
                vec![
                    with_reason(
                        dep(NEW, "ACTIVE", "FAILED", 2, (2, 2, 0, 0), 2_000),
                        "ECS deployment alarms detected: the alarm shop-test-web-cpu is in ALARM state.",
                    ),
                    dep(BACK, "PRIMARY", "IN_PROGRESS", 1, (2, 0, 2, 0), 58_000),
                ],
            ),
            snap(
                70,
                vec![
                    with_reason(
                        dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 0), 2_000),
                        "ECS deployment alarms detected: the alarm shop-test-web-cpu is in ALARM state.",
                    ),
                    dep(BACK, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 58_000),
                ],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.trigger, Some(Trigger::Alarm));
    assert_eq!(o.failed_tasks, 0);
    assert!(o.summary().contains("by a CloudWatch alarm"));
}

#[test]
fn rollback_failed() {
    let mut w = update_watcher(Limits::default());
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                20,
                vec![
                    with_reason(
                        dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 4), 2_000),
                        "ECS deployment circuit breaker: tasks failed to start.",
                    ),
                    dep(BACK, "PRIMARY", "IN_PROGRESS", 1, (2, 0, 2, 1), 18_000),
                ],
            ),
            snap(
                40,
                vec![
                    with_reason(
                        dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 4), 2_000),
                        "ECS deployment circuit breaker: tasks failed to start.",
                    ),
                    with_reason(
                        dep(BACK, "PRIMARY", "FAILED", 1, (2, 0, 0, 3), 18_000),
                        "ECS deployment circuit breaker: tasks failed to start.",
                    ),
                ],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::RollbackFailed);
    assert_eq!(o.verdict.exit_code(), 4);
}

#[test]
fn a_deployment_replaced_by_a_newer_one() {
    let mut w = update_watcher(Limits::default());
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 1, 1, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                6,
                vec![
                    dep(OTHER, "PRIMARY", "IN_PROGRESS", 3, (2, 0, 2, 0), 5_000),
                    dep(NEW, "ACTIVE", "IN_PROGRESS", 2, (2, 1, 0, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 1, 0, 0), 0),
                ],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::Replaced);
    assert_eq!(o.other.as_deref(), Some(OTHER));
    assert_eq!(o.verdict.exit_code(), 4);
    assert!(
        o.summary()
            .contains("replaced by ecs-svc/4444444444444444444 (shop-test-web:3)")
    );
}

#[test]
fn tasks_failing_load_balancer_health_checks_stall_before_the_breaker() {
    let elb = "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/abc)";
    let mut w = update_watcher(Limits {
        progress_ms: Some(60_000),
        total_ms: None,
    });
    let mut polls = vec![snap(
        3,
        vec![
            dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (4, 0, 4, 0), 2_000),
            dep(OLD, "ACTIVE", "COMPLETED", 1, (4, 4, 0, 0), 0),
        ],
    )];
    for (i, at) in [30, 60, 90].into_iter().enumerate() {
        let failed = i32::try_from(i).unwrap() + 1;
        let mut s = snap(
            at,
            vec![
                dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (4, 0, 4, failed), 2_000),
                dep(OLD, "ACTIVE", "COMPLETED", 1, (4, 4, 0, 0), 0),
            ],
        );
        s.stopped = (1..=u32::try_from(failed).unwrap())
            .map(|n| task(n, NEW, elb, Some(0)))
            .collect();
        s.events = vec![event(
            10 + u32::try_from(i).unwrap(),
            "(service shop-test-web) (port 8080) is unhealthy in (target-group shop-web) due to (reason Health checks failed).",
        )];
        polls.push(s);
    }
    let (_, o) = run(&mut w, polls);
    assert_eq!(o.verdict, Verdict::Stalled);
    assert_eq!(o.verdict.exit_code(), 4);
    assert_eq!(
        o.top_reason,
        Some(("failed ELB health checks".to_string(), 3))
    );
}

#[test]
fn a_running_task_resets_the_progress_clock() {
    let mut w = update_watcher(Limits {
        progress_ms: Some(30_000),
        total_ms: None,
    });
    let steps = [
        (10, (2, 0, 2, 1)),
        (30, (2, 1, 1, 2)),
        (50, (2, 1, 1, 3)),
        (70, (2, 2, 0, 3)),
    ];
    for (at, counts) in steps {
        let s = snap(
            at,
            vec![
                dep(NEW, "PRIMARY", "IN_PROGRESS", 2, counts, 2_000),
                dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
            ],
        );
        assert!(
            matches!(w.observe(&s), Step::Continue(_)),
            "no stall at {at}s"
        );
    }
}

#[test]
fn throttling_mid_watch_is_not_a_failure() {
    let mut w = update_watcher(Limits::default());
    let throttled = Snapshot {
        at_ms: 6_000,
        throttled: true,
        ..Snapshot::default()
    };
    let (progress, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            throttled.clone(),
            Snapshot {
                at_ms: 9_000,
                ..throttled
            },
            snap(
                12,
                vec![dep(NEW, "PRIMARY", "COMPLETED", 2, (2, 2, 0, 0), 2_000)],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::Succeeded);
    assert!(progress[1].note.as_deref().unwrap().contains("throttling"));
}

#[test]
fn cloudformation_rolling_the_stack_back_after_the_ecs_failure() {
    // ECS rolls back first (BACK); then CloudFormation, seeing the resource fail, rolls
    // the stack back, which starts yet another deployment to the old revision (OTHER).
    // The watcher follows whichever is PRIMARY and reports a rollback, not a replacement.
    let mut w = update_watcher(Limits::default());
    let failed = with_reason(
        dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 3), 2_000),
        "ECS deployment circuit breaker: tasks failed to start.",
    );
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                30,
                vec![
                    failed.clone(),
                    dep(BACK, "PRIMARY", "IN_PROGRESS", 1, (2, 1, 1, 0), 28_000),
                ],
            ),
            snap(
                40,
                vec![
                    dep(OTHER, "PRIMARY", "IN_PROGRESS", 1, (2, 0, 2, 0), 38_000),
                    failed.clone(),
                    dep(BACK, "ACTIVE", "IN_PROGRESS", 1, (2, 2, 0, 0), 28_000),
                ],
            ),
            snap(
                50,
                vec![
                    dep(OTHER, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 38_000),
                    failed,
                ],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.other.as_deref(), Some(OTHER));
    assert_eq!(o.verdict.exit_code(), 3);
}

#[test]
fn a_failure_without_a_rollback_deployment() {
    let mut w = update_watcher(Limits::default());
    let failed = with_reason(
        dep(NEW, "PRIMARY", "FAILED", 2, (2, 0, 0, 3), 2_000),
        "ECS deployment circuit breaker: tasks failed to start.",
    );
    let mut polls = vec![snap(
        3,
        vec![
            dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 2_000),
            dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
        ],
    )];
    for at in [10, 13, 16, 19] {
        polls.push(snap(
            at,
            vec![
                failed.clone(),
                dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
            ],
        ));
    }
    let (_, o) = run(&mut w, polls);
    assert_eq!(o.verdict, Verdict::Failed);
    assert_eq!(o.verdict.exit_code(), 3);
}

#[test]
fn a_known_deployment_id_and_the_timeout() {
    let mut w = Watcher::new(
        Target::Id(NEW.into()),
        Limits {
            progress_ms: None,
            total_ms: Some(20_000),
        },
    );
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                0,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 1, 1, 0), 0),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                10,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 1, 1, 0), 0),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 1, 0, 0), 0),
                ],
            ),
            snap(
                20,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 1, 1, 0), 0),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 1, 0, 0), 0),
                ],
            ),
        ],
    );
    assert_eq!(o.verdict, Verdict::TimedOut);
    assert_eq!(o.seconds, 20.0);
}

#[test]
fn a_new_service_is_waited_for_then_followed() {
    let mut w = Watcher::new(Target::NewSince(BTreeSet::new()), Limits::default());
    let missing = Snapshot {
        at_ms: 0,
        found: false,
        ..Snapshot::default()
    };
    let (progress, o) = run(
        &mut w,
        vec![
            missing,
            snap(
                3,
                vec![dep(NEW, "PRIMARY", "IN_PROGRESS", 1, (1, 0, 1, 0), 1_000)],
            ),
            snap(
                6,
                vec![dep(NEW, "PRIMARY", "COMPLETED", 1, (1, 1, 0, 0), 1_000)],
            ),
        ],
    );
    assert_eq!(
        progress[0].note.as_deref(),
        Some("waiting for the service to exist")
    );
    assert_eq!(o.verdict, Verdict::Succeeded);
}

#[test]
fn reason_keys_group_failures() {
    let t = |reason: &str, exit| task(1, NEW, reason, exit);
    assert_eq!(
        t("CannotPullContainerError: pull access denied", None).reason_key(),
        "CannotPullContainerError"
    );
    assert_eq!(
        t(
            "ResourceInitializationError: unable to pull secrets or registry auth",
            None
        )
        .reason_key(),
        "ResourceInitializationError"
    );
    assert_eq!(
        t("Essential container in task exited", Some(2)).reason_key(),
        "Essential container exited (exit code 2)"
    );
    assert_eq!(
        t("Task failed container health checks", Some(0)).reason_key(),
        "failed container health checks"
    );
    assert_eq!(
        t("Scaling activity initiated by deployment", None).reason_key(),
        "Scaling activity initiated by deployment"
    );
}

#[test]
fn a_new_service_deleted_after_its_first_deployment_failed() {
    // The stack's create failed on the circuit breaker and CloudFormation deleted the
    // service: exit 3 with the reason, not "stopped" (4).
    let mut w = Watcher::new(Target::NewSince(BTreeSet::new()), Limits::default());
    let failed = with_reason(
        dep(NEW, "PRIMARY", "FAILED", 1, (1, 0, 0, 3), 1_000),
        "ECS deployment circuit breaker: tasks failed to start.",
    );
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![dep(NEW, "PRIMARY", "IN_PROGRESS", 1, (1, 0, 1, 1), 1_000)],
            ),
            snap(6, vec![failed]),
            Snapshot {
                at_ms: 9_000,
                found: false,
                ..Snapshot::default()
            },
        ],
    );
    assert_eq!(o.verdict, Verdict::Failed);
    assert_eq!(o.verdict.exit_code(), 3);
    assert_eq!(
        o.reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
    assert!(o.first);
    assert!(
        o.summary()
            .contains("it was the service's first deployment, so there was nothing to roll back to, and no task of the service runs"),
        "{}",
        o.summary()
    );
}

#[test]
fn a_first_deployment_rolled_back_by_history_names_nothing_it_returned_to() {
    // ECS's history may call a failed first deployment ROLLBACK_SUCCESSFUL: there was
    // no earlier deployment, so nothing was rolled back to.
    let mut w = Watcher::new(Target::NewSince(BTreeSet::new()), Limits::default());
    let mut last = snap(
        6,
        vec![with_reason(
            dep(NEW, "PRIMARY", "FAILED", 1, (1, 0, 0, 3), 1_000),
            "ECS deployment circuit breaker: tasks failed to start.",
        )],
    );
    last.record = Some(HistoryRecord {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/1".into(),
        status: "ROLLBACK_SUCCESSFUL".into(),
        reason: Some("ECS deployment circuit breaker: tasks failed to start.".into()),
    });
    let (_, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![dep(NEW, "PRIMARY", "IN_PROGRESS", 1, (1, 0, 1, 1), 1_000)],
            ),
            last,
        ],
    );
    assert_eq!(o.verdict, Verdict::RolledBack);
    let summary = o.summary();
    assert!(!summary.contains("previous deployment"), "{summary}");
    assert!(
        summary.contains("failed, stopped by the deployment circuit breaker; it was the service's first deployment, so there was nothing to roll back to"),
        "{summary}"
    );
    // An update's rollback still names where it went back to.
    let mut update = update_watcher(Limits::default());
    let mut back = snap(
        6,
        vec![
            dep(OLD, "PRIMARY", "COMPLETED", 1, (1, 1, 0, 0), 7_000),
            with_reason(
                dep(NEW, "ACTIVE", "FAILED", 2, (1, 0, 0, 3), 2_000),
                "ECS deployment circuit breaker: tasks failed to start.",
            ),
        ],
    );
    back.record = last_record_rolled_back();
    let (_, o) = run(
        &mut update,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (1, 0, 1, 1), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (1, 1, 0, 0), 0),
                ],
            ),
            back,
        ],
    );
    assert!(!o.first);
    assert!(
        o.summary().contains(&format!(
            "rolled back by the deployment circuit breaker to {OLD}"
        )),
        "{}",
        o.summary()
    );
}

fn last_record_rolled_back() -> Option<HistoryRecord> {
    Some(HistoryRecord {
        arn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/2".into(),
        status: "ROLLBACK_SUCCESSFUL".into(),
        reason: Some("ECS deployment circuit breaker: tasks failed to start.".into()),
    })
}

#[test]
fn events_that_repeat_a_stopped_reason_are_dropped_and_others_kept() {
    let pull =
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): not found";
    let mut w = update_watcher(Limits::default());
    let deps = || {
        vec![
            dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 2), 2_000),
            dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
        ]
    };
    let mut s1 = snap(3, deps());
    s1.stopped = vec![task(1, NEW, pull, None), task(2, NEW, pull, None)];
    s1.events = vec![
        event(
            1,
            &format!("(service shop-test-web) failed to launch a task with (error {pull})."),
        ),
        event(
            2,
            "(service shop-test-web) was unable to place a task: insufficient memory.",
        ),
    ];
    // The next poll brings another copy of the same event, for a task already reported.
    let mut s2 = snap(6, deps());
    s2.stopped = s1.stopped.clone();
    s2.events = vec![event(
        3,
        &format!("(service shop-test-web) failed to launch a task with (error {pull})."),
    )];
    let mut messages = Vec::new();
    for s in [s1, s2] {
        match w.observe(&s) {
            Step::Continue(p) | Step::Done(p, _) => {
                messages.extend(p.new_events.into_iter().map(|e| e.message));
            }
        }
    }
    assert_eq!(
        messages,
        ["(service shop-test-web) was unable to place a task: insufficient memory."]
    );
}

#[test]
fn the_failed_count_never_goes_back_down() {
    // Two failures seen while rolling out; the last answer (after the rollback) lists
    // the deployment with a failed count of 0 and no stopped tasks were listed: the
    // outcome still counts the 2 failures the progress showed.
    let mut w = update_watcher(Limits::default());
    let (progress, o) = run(
        &mut w,
        vec![
            snap(
                3,
                vec![
                    dep(NEW, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 2), 2_000),
                    dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0),
                ],
            ),
            snap(
                9,
                vec![
                    with_reason(
                        dep(NEW, "ACTIVE", "FAILED", 2, (2, 0, 0, 0), 2_000),
                        "ECS deployment circuit breaker: tasks failed to start.",
                    ),
                    dep(BACK, "PRIMARY", "COMPLETED", 1, (2, 2, 0, 0), 8_000),
                ],
            ),
        ],
    );
    assert_eq!(progress[0].deployments[0].failed, 2);
    assert_eq!(o.verdict, Verdict::RolledBack);
    assert_eq!(o.failed_tasks, 2, "{o:?}");
    assert!(o.summary().contains("2 tasks failed"), "{}", o.summary());
}

#[test]
fn an_update_is_the_new_deployment_of_the_stacks_task_definition() {
    let stack_td = format!("{TD}:3");
    let theirs = dep(OTHER, "PRIMARY", "IN_PROGRESS", 2, (2, 0, 2, 0), 1_000);
    let ours = dep(NEW, "PRIMARY", "IN_PROGRESS", 3, (2, 0, 2, 0), 2_000);
    let old = dep(OLD, "ACTIVE", "COMPLETED", 1, (2, 2, 0, 0), 0);
    let w = update_watcher(Limits::default());
    let all = [theirs.clone(), ours.clone(), old.clone()];
    // Without the stack's answer, the oldest new one; with it, the one running it.
    assert_eq!(w.target_in(&all, None).as_deref(), Some(OTHER));
    assert_eq!(w.target_in(&all, Some(&stack_td)).as_deref(), Some(NEW));
    assert_eq!(
        w.target_in(&all, Some("shop-test-web:3")).as_deref(),
        Some(NEW),
        "family:revision works as well as an ARN"
    );
    assert!(w.needs_stack_task_definition(&all));
    assert!(
        !w.needs_stack_task_definition(std::slice::from_ref(&old)),
        "no new deployment: nothing to ask"
    );
    // Only someone else's deployment so far: waited past, and said why.
    let mut w = update_watcher(Limits::default());
    let mut s = snap(3, vec![theirs.clone(), old.clone()]);
    s.stack_task_definition = Some(stack_td.clone());
    let Step::Continue(p) = w.observe(&s) else {
        panic!("no verdict yet")
    };
    assert_eq!(w.deployment(), None);
    assert_eq!(
        p.note.as_deref(),
        Some(
            "deployment ecs-svc/4444444444444444444 runs shop-test-web:2, not shop-test-web:3, which the stack references: not this update's; waiting for the update's deployment"
        )
    );
    let mut s = snap(6, vec![ours, theirs, old]);
    s.stack_task_definition = Some(stack_td);
    w.observe(&s);
    assert_eq!(w.deployment(), Some(NEW));
    assert!(
        !w.needs_stack_task_definition(&s.deployments),
        "chosen once"
    );
}
