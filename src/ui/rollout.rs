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

/// One line for a stopped task: its id, ECS's reason, and containers' exit codes.
pub fn task_line(t: &StoppedTask) -> String {
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
        "task {} stopped: {}{exits}",
        t.id(),
        t.stopped_reason.as_deref().unwrap_or("(no reason given)")
    )
}

/// The news of one poll, as lines (stopped tasks, events, a note).
pub fn news(p: &Progress) -> Vec<String> {
    let mut out: Vec<String> = p.new_stopped.iter().map(task_line).collect();
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
}
