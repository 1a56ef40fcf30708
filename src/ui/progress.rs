//! Deploy progress, three ways: a live tree on a terminal (a line per stack, a line per
//! resource with its description, status and elapsed time, failure reasons beneath),
//! timestamped lines for logs and CI, and JSON events on stdout.

use super::Ui;
use super::mode::Mode;
use crate::deploy::types::{ChangeSetKind, StackEvent, StackOutcome};
use crate::deploy::{DeployError, DeployReporter};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Builds the reporter that fits the output mode.
pub fn reporter(ui: &Ui) -> Box<dyn DeployReporter> {
    match ui.mode() {
        Mode::Human => Box::new(Live::new(ui.color())),
        Mode::Plain => Box::new(Plain::default()),
        Mode::Json => Box::new(Json(*ui, Mutex::default())),
    }
}

pub use crate::clock::utc;

fn verb(kind: ChangeSetKind) -> &'static str {
    match kind {
        ChangeSetKind::Create => "Creating",
        ChangeSetKind::Update => "Updating",
    }
}

/// "3 to add, 1 to modify (1 replaced), 1 to remove".
pub fn summarize(changes: &[crate::deploy::types::Change]) -> String {
    let count = |a: &str| changes.iter().filter(|c| c.action == a).count();
    let replaced = changes
        .iter()
        .filter(|c| c.replacement.as_deref().is_some_and(|r| r != "False"))
        .count();
    let mut parts = Vec::new();
    for (action, word) in [
        ("Add", "to add"),
        ("Modify", "to modify"),
        ("Remove", "to remove"),
    ] {
        let n = count(action);
        if n > 0 {
            parts.push(if action == "Modify" && replaced > 0 {
                format!("{n} {word} ({replaced} replaced)")
            } else {
                format!("{n} {word}")
            });
        }
    }
    let other = changes.len() - count("Add") - count("Modify") - count("Remove");
    if other > 0 {
        parts.push(format!("{other} other"));
    }
    parts.join(", ")
}

/// A short phrase for how a stack ended. A failure's reason is not repeated here: the
/// command reports each failed stack's error once, with its advice, when it ends.
pub fn describe_result(r: &Result<StackOutcome, DeployError>) -> String {
    use crate::deploy::types::Action;
    match r {
        Ok(o) => match o.action {
            Action::Created => format!("created ({} resources, {:.1}s)", o.changes, o.seconds),
            Action::Updated => format!("updated ({} changes, {:.1}s)", o.changes, o.seconds),
            Action::NoChanges => "no changes".to_string(),
            Action::Redeployed => "no stack changes; the new ECS deployment completed".to_string(),
            Action::Settled => "no stack changes; the deployment in progress completed".to_string(),
            Action::Started => {
                format!("{} change(s) executing; not followed (--detach)", o.changes)
            }
            Action::Deleted => format!("deleted ({:.1}s)", o.seconds),
            Action::Absent => "does not exist: nothing to delete".to_string(),
        },
        Err(e) => match e {
            DeployError::RolledBack { status, .. } => format!("failed, rolled back ({status})"),
            DeployError::NeedsAttention { status, .. } => {
                format!("failed, needs attention ({status})")
            }
            DeployError::Rollout { .. } => "the ECS rollout did not succeed".to_string(),
            DeployError::Interrupted { .. } => "interrupted".to_string(),
            DeployError::InProgress { status, .. } => format!("not deployed: {status}"),
            DeployError::NotOurs { .. } => "left alone: not made by wharf".to_string(),
            DeployError::TimedOut { .. } => "stopped waiting (timeout)".to_string(),
            DeployError::NotReached { after, .. } => format!("not deployed: {after} failed"),
            DeployError::ChangeSetFailed { .. } | DeployError::Aws(_) => "failed".to_string(),
        },
    }
}

/// Timestamped lines on stderr.
#[derive(Default)]
struct Plain {
    /// The deployments table last printed, per stack: printed again only when it changes.
    tables: Mutex<BTreeMap<String, Vec<String>>>,
    /// The last rollout note per stack: repeated notes are said once.
    notes: Mutex<BTreeMap<String, String>>,
}

impl DeployReporter for Plain {
    fn started(&self, stack: &str, kind: ChangeSetKind) {
        super::logln!("{stack}: {} the stack", verb(kind).to_lowercase());
    }
    fn changes(&self, stack: &str, changes: &[crate::deploy::types::Change]) {
        let mut lines = vec![format!("{stack}: change set: {}", summarize(changes))];
        for c in changes {
            let repl = match c.replacement.as_deref() {
                Some("True") => " (will be replaced)".to_string(),
                Some("Conditional") => " (may be replaced)".to_string(),
                Some(r) if !r.is_empty() && r != "False" => format!(" (replacement: {r})"),
                _ => String::new(),
            };
            lines.push(format!(
                "{stack}: change: {} {} {}{repl}",
                c.action, c.logical_id, c.resource_type
            ));
        }
        super::write_stamped_block(&lines);
    }
    /// Stamped when wharf prints it, so lines stay in order across parallel stacks;
    /// CloudFormation's own time is in the JSON event.
    fn event(&self, stack: &str, e: &StackEvent, description: Option<&str>) {
        let what = description.map(|d| format!(" ({d})")).unwrap_or_default();
        let why = e
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        super::logln!("{stack}: {} {}{what}{why}", e.logical_id, e.status);
    }
    fn note(&self, stack: &str, message: &str) {
        super::logln!("{stack}: {message}");
    }
    fn finished(&self, stack: &str, r: &Result<StackOutcome, DeployError>) {
        super::logln!("{stack}: {}", describe_result(r));
    }
    fn rollout(&self, stack: &str, p: &crate::watch::machine::Progress) {
        let mut lines = Vec::new();
        let rows = super::rollout::table(&p.deployments, p.watching.as_deref());
        let mut tables = self.tables.lock().expect("progress lock");
        if !p.deployments.is_empty() && tables.get(stack) != Some(&rows) {
            lines.extend(rows.iter().map(|r| format!("{stack}: {r}")));
            tables.insert(stack.to_string(), rows);
        }
        let mut notes = self.notes.lock().expect("progress lock");
        let repeated = p.note.is_some() && notes.get(stack) == p.note.as_ref();
        if let Some(n) = &p.note {
            notes.insert(stack.to_string(), n.clone());
        }
        let news = super::rollout::news(p);
        let shown = news.len() - usize::from(repeated);
        lines.extend(news[..shown].iter().map(|l| format!("{stack}: {l}")));
        super::write_stamped_block(&lines);
    }
    fn rollout_done(&self, stack: &str, w: &crate::watch::poll::Watched) {
        let lines: Vec<String> = super::rollout::verdict(w)
            .into_iter()
            .map(|l| format!("{stack}: {l}"))
            .collect();
        super::write_stamped_block(&lines);
    }
}

/// JSON events on stdout.
struct Json(Ui, Mutex<BTreeMap<String, String>>);

impl DeployReporter for Json {
    fn started(&self, stack: &str, kind: ChangeSetKind) {
        self.0.event(
            "stack_started",
            &serde_json::json!({"stack": stack, "operation": kind}),
        );
    }
    fn changes(&self, stack: &str, changes: &[crate::deploy::types::Change]) {
        self.0.event(
            "change_set",
            &serde_json::json!({"stack": stack, "changes": changes}),
        );
    }
    fn event(&self, stack: &str, e: &StackEvent, description: Option<&str>) {
        self.0.event(
            "stack_event",
            &serde_json::json!({"stack": stack, "time": utc(e.timestamp_ms), "logical_id": e.logical_id, "resource_type": e.resource_type, "status": e.status, "reason": e.reason, "description": description}),
        );
    }
    fn note(&self, stack: &str, message: &str) {
        self.0.event(
            "note",
            &serde_json::json!({"stack": stack, "message": message}),
        );
    }
    fn finished(&self, stack: &str, r: &Result<StackOutcome, DeployError>) {
        let data = match r {
            Ok(o) => {
                serde_json::json!({"stack": stack, "ok": true, "action": o.action, "status": o.status, "changes": o.changes, "outputs": o.outputs, "seconds": o.seconds})
            }
            Err(e) => serde_json::json!({"stack": stack, "ok": false, "error": e.to_string()}),
        };
        self.0.event("stack_result", &data);
    }
    fn rollout(&self, stack: &str, p: &crate::watch::machine::Progress) {
        // Only news: a poll that changed nothing (same deployments and note, no new
        // stopped task or event) is not an event.
        let state = serde_json::json!({"deployments": p.deployments, "watching": p.watching, "note": p.note}).to_string();
        let mut last = self.1.lock().expect("progress lock");
        if p.new_stopped.is_empty() && p.new_events.is_empty() && last.get(stack) == Some(&state) {
            return;
        }
        last.insert(stack.to_string(), state);
        self.0.event(
            "rollout_progress",
            &serde_json::json!({"stack": stack, "deployments": p.deployments, "watching": p.watching, "stopped_tasks": p.new_stopped, "events": p.new_events, "note": p.note}),
        );
    }
    fn rollout_done(&self, stack: &str, w: &crate::watch::poll::Watched) {
        self.0.event(
            "rollout_result",
            &serde_json::json!({"stack": stack, "ok": w.outcome.verdict == crate::watch::machine::Verdict::Succeeded, "exit_code": w.outcome.verdict.exit_code(), "summary": w.outcome.summary(), "outcome": w.outcome, "logs": w.logs, "api_calls": w.api_calls}),
        );
    }
}

/// The live tree.
struct Live {
    multi: MultiProgress,
    color: bool,
    state: Mutex<BTreeMap<String, StackLines>>,
    /// Per stack: the rollout's block (table and news) and its latest news lines.
    rollouts: Mutex<BTreeMap<String, (ProgressBar, Vec<String>)>>,
}

struct StackLines {
    head: ProgressBar,
    verb: &'static str,
    resources: BTreeMap<String, (ProgressBar, Instant)>,
    /// The last resource line: the next one goes below it, so resources are listed in
    /// the order CloudFormation started them.
    last: Option<ProgressBar>,
}

impl Live {
    fn new(color: bool) -> Self {
        Self::to(ProgressDrawTarget::stderr(), color)
    }

    fn to(target: ProgressDrawTarget, color: bool) -> Self {
        Live {
            multi: MultiProgress::with_draw_target(target),
            color,
            state: Mutex::new(BTreeMap::new()),
            rollouts: Mutex::new(BTreeMap::new()),
        }
    }

    fn style(&self, template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
    }

    fn paint(&self, status: &str) -> String {
        let s = status.to_lowercase().replace('_', " ");
        if !self.color {
            return format!("[{s}]");
        }
        let styled = if status.ends_with("_FAILED") || status.contains("ROLLBACK") {
            console::style(s).red()
        } else if status.ends_with("_COMPLETE") {
            console::style(s).green()
        } else {
            console::style(s).yellow()
        };
        format!("[{styled}]")
    }
}

impl DeployReporter for Live {
    fn started(&self, stack: &str, kind: ChangeSetKind) {
        let head = self.multi.add(ProgressBar::new_spinner());
        head.set_style(self.style("{spinner} {msg} [{elapsed}]"));
        head.set_message(format!("{} stack {stack}", verb(kind)));
        head.enable_steady_tick(Duration::from_millis(100));
        self.state.lock().expect("progress lock").insert(
            stack.to_string(),
            StackLines {
                head,
                verb: verb(kind),
                resources: BTreeMap::new(),
                last: None,
            },
        );
    }
    fn changes(&self, stack: &str, changes: &[crate::deploy::types::Change]) {
        if let Some(s) = self.state.lock().expect("progress lock").get(stack) {
            s.head
                .set_message(format!("{} stack {stack} ({})", s.verb, summarize(changes)));
        }
    }
    fn event(&self, stack: &str, e: &StackEvent, description: Option<&str>) {
        let mut state = self.state.lock().expect("progress lock");
        let Some(lines) = state.get_mut(stack) else {
            return;
        };
        if e.is_stack() && e.logical_id == stack {
            lines.head.set_message(format!(
                "{} stack {stack} {}",
                lines.verb,
                self.paint(&e.status)
            ));
            return;
        }
        let Some(description) = description else {
            return;
        };
        let StackLines {
            head,
            resources,
            last,
            ..
        } = lines;
        let (bar, since) = resources.entry(e.logical_id.clone()).or_insert_with(|| {
            let bar = self
                .multi
                .insert_after(last.as_ref().unwrap_or(head), ProgressBar::new_spinner());
            bar.set_style(self.style("  {msg}"));
            *last = Some(bar.clone());
            (bar, Instant::now())
        });
        let what = format!("- {description} ({})", e.logical_id);
        bar.set_message(format!(
            "{what}  {}  [{:.0}s]",
            self.paint(&e.status),
            since.elapsed().as_secs_f64()
        ));
        if e.status.ends_with("_FAILED")
            && let Some(reason) = &e.reason
        {
            let why = if self.color {
                console::style(reason.as_str()).red().to_string()
            } else {
                reason.clone()
            };
            bar.set_message(format!("{what}  {}\n      {why}", self.paint(&e.status)));
        }
    }
    fn note(&self, stack: &str, message: &str) {
        let _ = self.multi.println(format!("{stack}: {message}"));
    }
    fn finished(&self, stack: &str, r: &Result<StackOutcome, DeployError>) {
        if let Some(lines) = self.state.lock().expect("progress lock").remove(stack) {
            let mark = super::mark(r.is_ok(), self.color);
            lines.head.set_style(self.style("{msg}"));
            lines
                .head
                .finish_with_message(format!("{mark} stack {stack}: {}", describe_result(r)));
            for (bar, _) in lines.resources.values() {
                bar.finish();
            }
        }
    }
    fn rollout(&self, stack: &str, p: &crate::watch::machine::Progress) {
        let state = self.state.lock().expect("progress lock");
        let mut rollouts = self.rollouts.lock().expect("progress lock");
        let (bar, recent) = rollouts.entry(stack.to_string()).or_insert_with(|| {
            let bar = match state.get(stack) {
                Some(lines) => self.multi.insert_after(
                    lines.last.as_ref().unwrap_or(&lines.head),
                    ProgressBar::new_spinner(),
                ),
                None => self.multi.add(ProgressBar::new_spinner()),
            };
            bar.set_style(self.style("{msg}"));
            (bar, Vec::new())
        });
        for line in super::rollout::news(p) {
            // A note repeated poll after poll ("rolling back") is shown once.
            if recent.last() != Some(&line) {
                recent.push(line);
            }
        }
        let keep = recent.len().saturating_sub(6);
        recent.drain(..keep);
        let mut lines = vec![format!("  ECS rollout of {stack}:")];
        lines.extend(
            super::rollout::table(&p.deployments, p.watching.as_deref())
                .into_iter()
                .map(|r| format!("  {r}")),
        );
        lines.extend(recent.iter().map(|r| format!("    {r}")));
        bar.set_message(lines.join("\n"));
    }
    fn rollout_done(&self, stack: &str, w: &crate::watch::poll::Watched) {
        let ok = w.outcome.verdict == crate::watch::machine::Verdict::Succeeded;
        let mark = super::mark(ok, self.color);
        let mut lines = super::rollout::verdict(w);
        lines[0] = format!("{mark} {stack}: {}", lines[0]);
        let text = lines.join("\n");
        match self.rollouts.lock().expect("progress lock").remove(stack) {
            Some((bar, _)) if ok => bar.finish_with_message(text),
            Some((bar, recent)) => {
                let mut block = vec![text];
                block.extend(recent.iter().map(|r| format!("    {r}")));
                bar.finish_with_message(block.join("\n"));
            }
            None => {
                let _ = self.multi.println(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_formats_epoch_millis() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_795_827_723_000), "2026-11-28T01:02:03Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}

#[cfg(test)]
mod summary_tests {
    use crate::deploy::types::Change;

    fn c(action: &str, replacement: Option<&str>) -> Change {
        Change {
            action: action.into(),
            logical_id: "X".into(),
            resource_type: "T".into(),
            replacement: replacement.map(str::to_string),
        }
    }

    #[test]
    fn counts_actions_and_replacements() {
        let changes = [
            c("Add", None),
            c("Add", None),
            c("Modify", Some("True")),
            c("Modify", Some("False")),
            c("Remove", None),
        ];
        assert_eq!(
            super::summarize(&changes),
            "2 to add, 2 to modify (1 replaced), 1 to remove"
        );
        assert_eq!(
            super::summarize(&[c("Modify", Some("False"))]),
            "1 to modify"
        );
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;
    use indicatif::InMemoryTerm;

    fn event(id: &str, status: &str) -> StackEvent {
        StackEvent {
            id: format!("{id}-{status}"),
            logical_id: id.into(),
            resource_type: "AWS::EC2::VPC".into(),
            status: status.into(),
            reason: None,
            timestamp_ms: 0,
        }
    }

    #[test]
    fn resources_are_listed_in_the_order_they_started_with_their_logical_ids() {
        let term = InMemoryTerm::new(30, 120);
        let live = Live::to(ProgressDrawTarget::term_like(Box::new(term.clone())), false);
        live.started("demo-test", ChangeSetKind::Create);
        for (id, desc) in [
            ("Vpc", "network"),
            ("Cluster", "ECS cluster"),
            ("Lb", "load balancer"),
        ] {
            live.event("demo-test", &event(id, "CREATE_IN_PROGRESS"), Some(desc));
        }
        live.event(
            "demo-test",
            &event("Vpc", "CREATE_COMPLETE"),
            Some("network"),
        );
        let screen = term.contents();
        let at = |needle: &str| {
            screen
                .find(needle)
                .unwrap_or_else(|| panic!("`{needle}` not on screen:\n{screen}"))
        };
        assert!(
            at("- network (Vpc)") < at("- ECS cluster (Cluster)"),
            "{screen}"
        );
        assert!(
            at("- ECS cluster (Cluster)") < at("- load balancer (Lb)"),
            "{screen}"
        );
        assert!(screen.contains("[create complete]"), "{screen}");
    }
}
