//! How a rollout reads, in lines: the deployments table, stopped tasks with their reason
//! and exit codes, troubling events, and the verdict. The deploy reporters
//! (`progress.rs`) place these lines: under the service's line, or timestamped.

use crate::watch::machine::Progress;
use crate::watch::poll::Watched;
use crate::watch::snapshot::{Deployment, StoppedTask};

/// The deployments table: a header and a row per deployment, newest first; the watched
/// one is marked with `*`.
pub fn table(deployments: &[Deployment], watching: Option<&str>) -> Vec<String> {
    let mut rows = vec![format!(
        "  {:<28} {:<22} {:<8} {:<12} {:>7} {:>7} {:>7} {:>6}",
        "deployment", "revision", "status", "rollout", "desired", "running", "pending", "failed"
    )];
    for d in deployments {
        let mark = if Some(d.id.as_str()) == watching {
            "*"
        } else {
            " "
        };
        rows.push(format!(
            "{mark} {:<28} {:<22} {:<8} {:<12} {:>7} {:>7} {:>7} {:>6}",
            d.id,
            d.revision(),
            d.status,
            d.rollout_state.as_deref().unwrap_or("-"),
            d.desired,
            d.running,
            d.pending,
            d.failed
        ));
    }
    rows
}

/// What a stopped task says: ECS's reason and its containers' exit codes.
fn task_reason(t: &StoppedTask) -> String {
    let exits: Vec<String> = t
        .containers
        .iter()
        .filter(|c| c.exit_code.is_some() || c.reason.is_some())
        .map(|c| {
            let mut s = format!("{}:", c.name);
            if let Some(e) = c.exit_code {
                s.push_str(&format!(" exit code {e}"));
            }
            if let Some(r) = &c.reason {
                s.push_str(&format!(" {r}"));
            }
            s
        })
        .collect();
    let exits = if exits.is_empty() {
        String::new()
    } else {
        format!(" [{}]", exits.join("; "))
    };
    format!(
        "{}{exits}",
        t.stopped_reason.as_deref().unwrap_or("(no reason given)")
    )
}

/// One line for a stopped task: its id, ECS's reason, and containers' exit codes.
pub fn task_line(t: &StoppedTask) -> String {
    format!("task {} stopped: {}", t.id(), task_reason(t))
}

/// Stopped tasks grouped by what they say, in the order first seen: one line per reason,
/// with the count and the task ids ("3 tasks stopped: … (tasks a, b, c)").
pub fn stopped_lines(tasks: &[StoppedTask]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for t in tasks {
        let reason = task_reason(t);
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, ids)) => ids.push(t.id().to_string()),
            None => groups.push((reason, vec![t.id().to_string()])),
        }
    }
    groups
        .into_iter()
        .map(|(reason, ids)| match ids.as_slice() {
            [one] => format!("task {one} stopped: {reason}"),
            _ => format!(
                "{} tasks stopped: {reason} (tasks {})",
                ids.len(),
                ids.join(", ")
            ),
        })
        .collect()
}

/// The news of one poll, as lines (stopped tasks, events, a note).
pub fn news(p: &Progress) -> Vec<String> {
    let mut out = stopped_lines(&p.new_stopped);
    out.extend(p.new_events.iter().map(|e| format!("event: {}", e.message)));
    if let Some(n) = &p.note {
        out.push(n.clone());
    }
    out
}

/// The verdict, then the failing container's last log lines.
pub fn verdict(w: &Watched) -> Vec<String> {
    let mut out = vec![format!("rollout: {}", w.outcome.summary())];
    if let Some(r) = &w.outcome.reason {
        out.push(format!("  ECS: {r}"));
    }
    if !w.logs.is_empty() {
        let task = w
            .outcome
            .failing_task
            .as_ref()
            .map(|t| format!(" (task {})", t.id()))
            .unwrap_or_default();
        out.push(format!("  last log lines{task}:"));
        out.extend(w.logs.iter().map(|l| format!("    {l}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::snapshot::ContainerExit;

    #[test]
    fn tasks_read_with_reason_and_exit_codes() {
        let t = StoppedTask {
            arn: "arn:aws:ecs:us-east-1:1:task/c/0123abcd".into(),
            deployment: None,
            task_definition: "td".into(),
            stopped_reason: Some("Essential container in task exited".into()),
            stop_code: None,
            containers: vec![ContainerExit {
                name: "web".into(),
                exit_code: Some(1),
                reason: None,
            }],
            stopped_ms: 0,
        };
        assert_eq!(
            task_line(&t),
            "task 0123abcd stopped: Essential container in task exited [web: exit code 1]"
        );
    }

    #[test]
    fn the_table_marks_the_watched_deployment() {
        let d = Deployment {
            id: "ecs-svc/1".into(),
            status: "PRIMARY".into(),
            rollout_state: Some("IN_PROGRESS".into()),
            rollout_reason: None,
            task_definition: "arn:aws:ecs:r:1:task-definition/web:7".into(),
            desired: 2,
            running: 1,
            pending: 1,
            failed: 0,
            created_ms: 0,
        };
        let rows = table(&[d], Some("ecs-svc/1"));
        assert!(rows[0].contains("deployment") && rows[0].contains("failed"));
        assert!(rows[1].starts_with("* ecs-svc/1"));
        assert!(rows[1].contains("web:7") && rows[1].contains("IN_PROGRESS"));
    }

    fn pull_failure(id: &str) -> StoppedTask {
        StoppedTask {
            arn: format!("arn:aws:ecs:us-east-1:1:task/c/{id}"),
            deployment: None,
            task_definition: "td".into(),
            stopped_reason: Some("CannotPullContainerError: not found".into()),
            stop_code: None,
            containers: vec![],
            stopped_ms: 0,
        }
    }

    #[test]
    fn the_same_stopped_reason_is_said_once_with_count_and_ids() {
        let mut other = pull_failure("d4");
        other.stopped_reason = Some("Essential container in task exited".into());
        let lines = stopped_lines(&[
            pull_failure("a1"),
            other,
            pull_failure("b2"),
            pull_failure("c3"),
        ]);
        assert_eq!(
            lines,
            [
                "3 tasks stopped: CannotPullContainerError: not found (tasks a1, b2, c3)",
                "task d4 stopped: Essential container in task exited",
            ]
        );
    }
}
