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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Builds the reporter that fits the output mode.
pub fn reporter(ui: &Ui) -> Box<dyn DeployReporter> {
    match ui.mode() {
        Mode::Human => Box::new(Live::new(ui.color())),
        Mode::Plain => Box::new(Plain),
        Mode::Json => Box::new(Json(*ui)),
    }
}

/// `2026-11-22T01:02:03Z` for a time in milliseconds since the epoch.
pub fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

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

/// A short sentence for how a stack ended.
pub fn describe_result(r: &Result<StackOutcome, DeployError>) -> String {
    match r {
        Ok(o) => match o.action {
            crate::deploy::types::Action::Created => {
                format!("created ({} resources, {:.1}s)", o.changes, o.seconds)
            }
            crate::deploy::types::Action::Updated => {
                format!("updated ({} changes, {:.1}s)", o.changes, o.seconds)
            }
            crate::deploy::types::Action::NoChanges => "no changes".to_string(),
            crate::deploy::types::Action::Deleted => format!("deleted ({:.1}s)", o.seconds),
        },
        Err(e) => format!("failed: {e}"),
    }
}

/// Timestamped lines on stderr.
struct Plain;

#[allow(clippy::print_stderr)]
impl DeployReporter for Plain {
    fn started(&self, stack: &str, kind: ChangeSetKind) {
        eprintln!(
            "{} {stack}: {} the stack",
            utc(now_ms()),
            verb(kind).to_lowercase()
        );
    }
    fn changes(&self, stack: &str, changes: &[crate::deploy::types::Change]) {
        eprintln!(
            "{} {stack}: change set: {}",
            utc(now_ms()),
            summarize(changes)
        );
        for c in changes {
            let repl = c
                .replacement
                .as_deref()
                .filter(|r| *r != "False")
                .map(|r| format!(" (replacement: {r})"))
                .unwrap_or_default();
            eprintln!(
                "{} {stack}: change: {} {} {}{repl}",
                utc(now_ms()),
                c.action,
                c.logical_id,
                c.resource_type
            );
        }
    }
    fn event(&self, stack: &str, e: &StackEvent, description: Option<&str>) {
        let what = description.map(|d| format!(" ({d})")).unwrap_or_default();
        let why = e
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        eprintln!(
            "{} {stack}: {} {}{what}{why}",
            utc(e.timestamp_ms),
            e.logical_id,
            e.status
        );
    }
    fn note(&self, stack: &str, message: &str) {
        eprintln!("{} {stack}: {message}", utc(now_ms()));
    }
    fn finished(&self, stack: &str, r: &Result<StackOutcome, DeployError>) {
        eprintln!("{} {stack}: {}", utc(now_ms()), describe_result(r));
    }
}

/// JSON events on stdout.
struct Json(Ui);

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
}

/// The live tree.
struct Live {
    multi: MultiProgress,
    color: bool,
    state: Mutex<BTreeMap<String, StackLines>>,
}

struct StackLines {
    head: ProgressBar,
    verb: &'static str,
    resources: BTreeMap<String, (ProgressBar, Instant)>,
}

impl Live {
    fn new(color: bool) -> Self {
        Live {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            color,
            state: Mutex::new(BTreeMap::new()),
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
        let (bar, since) = lines
            .resources
            .entry(e.logical_id.clone())
            .or_insert_with(|| {
                let bar = self
                    .multi
                    .insert_after(&lines.head, ProgressBar::new_spinner());
                bar.set_style(self.style("  {msg}"));
                (bar, Instant::now())
            });
        bar.set_message(format!(
            "- {description}  {}  [{:.0}s]",
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
            bar.set_message(format!(
                "- {description}  {}\n      {why}",
                self.paint(&e.status)
            ));
        }
    }
    fn note(&self, stack: &str, message: &str) {
        let _ = self.multi.println(format!("{stack}: {message}"));
    }
    fn finished(&self, stack: &str, r: &Result<StackOutcome, DeployError>) {
        if let Some(lines) = self.state.lock().expect("progress lock").remove(stack) {
            let mark = match (r.is_ok(), self.color) {
                (true, true) => console::style("✔").green().to_string(),
                (true, false) => "✔".to_string(),
                (false, true) => console::style("✘").red().to_string(),
                (false, false) => "✘".to_string(),
            };
            lines.head.set_style(self.style("{msg}"));
            lines
                .head
                .finish_with_message(format!("{mark} stack {stack}: {}", describe_result(r)));
            for (bar, _) in lines.resources.values() {
                bar.finish();
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
