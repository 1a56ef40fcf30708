//! Where every byte of output goes. Results go to stdout (in JSON mode only JSON, one
//! event per line); notes, warnings, diagnostics and prompts go to stderr. Prompts appear
//! only when someone can answer them; otherwise they become an error naming the flag.
//! The only module that prints or talks to the terminal.
#![allow(clippy::exit)]

pub mod diagnostics;
pub mod images;
pub mod mode;
pub mod progress;
pub mod rollout;

use crate::manifest::diag::Diagnostics;
use crate::manifest::source::SourceMap;
use mode::{Decision, Mode, Output, Tty};
use serde::Serialize;
use std::io::{IsTerminal, Write};

pub use crate::error::PromptError;

/// The output decisions of one run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    decision: Decision,
    width: usize,
    verbose: bool,
    yes: bool,
}

/// One line of `--output json`: `{"type": "...", "data": ...}`.
#[derive(Serialize)]
struct Event<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    data: &'a T,
}

/// `✔` for success, `✘` for failure, green or red when colors are on.
pub(crate) fn mark(ok: bool, color: bool) -> String {
    match (ok, color) {
        (true, true) => console::style("✔").green().to_string(),
        (true, false) => "✔".to_string(),
        (false, true) => console::style("✘").red().to_string(),
        (false, false) => "✘".to_string(),
    }
}

impl Ui {
    /// Decides from flags, the process environment and the terminal.
    pub fn new(out: Output, no_input: bool) -> Self {
        let tty = Tty {
            stdin: std::io::stdin().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        };
        let decision = mode::detect(out, no_input, mode::Env::from_process(), tty);
        // Logs are read with grep: only wrap for a person at a terminal.
        let width = match decision.mode {
            Mode::Human => std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100),
            // Wide enough for any message wharf writes (they quote values of bounded
            // length); miette wants a number.
            _ => 100_000,
        };
        Ui {
            decision,
            width,
            verbose: false,
            yes: false,
        }
    }

    /// Answers yes to every question (`--yes`).
    pub fn with_yes(mut self, yes: bool) -> Self {
        self.yes = yes;
        self
    }

    /// Whether `--yes` answers every question.
    pub fn yes(&self) -> bool {
        self.yes
    }

    /// Shows the SDK's error chain under AWS errors (`--verbose`, `RUST_LOG`).
    pub fn with_verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// The output mode.
    pub fn mode(&self) -> Mode {
        self.decision.mode
    }

    /// Whether prompts can be shown (someone at a terminal, no `--no-input`, not CI).
    pub fn interactive(&self) -> bool {
        self.decision.interactive
    }

    /// Whether colors are on.
    pub fn color(&self) -> bool {
        self.decision.color
    }

    /// A note for people, on stderr (not in JSON mode).
    pub fn note(&self, msg: impl std::fmt::Display) {
        if self.mode() != Mode::Json {
            errln!("{msg}");
        }
    }

    /// A success line for people, on stderr (not in JSON mode).
    pub fn success(&self, msg: impl std::fmt::Display) {
        if self.mode() != Mode::Json {
            errln!("{} {msg}", mark(true, self.color()));
        }
    }

    /// The sentence that says what a command did (`Deployed 2 of 3 stack(s)`, `2 services
    /// valid …`): a result, so on stdout with a check mark; nothing in JSON mode, whose
    /// events say it. Colored only when stdout is a terminal.
    pub fn result(&self, msg: impl std::fmt::Display) {
        use std::io::IsTerminal;
        if self.mode() != Mode::Json {
            let color = self.color() && std::io::stdout().is_terminal();
            write_stdout(&format!("{} {msg}\n", mark(true, color)));
        }
    }

    /// A warning, on stderr in every mode (JSON readers look at stdout only).
    pub fn warn(&self, msg: impl std::fmt::Display) {
        let head = if self.color() {
            console::style("warning:").yellow().bold().to_string()
        } else {
            "warning:".to_string()
        };
        errln!("{head} {msg}");
    }

    /// A JSON event on stdout (JSON mode only).
    pub fn event<T: Serialize>(&self, kind: &str, data: &T) {
        if self.mode() == Mode::Json {
            let line = serde_json::to_string(&Event { kind, data }).expect("events serialize");
            write_stdout(&format!("{line}\n"));
        }
    }

    /// Data for people on stdout (not in JSON mode): listings, templates.
    pub fn data(&self, text: &str) {
        if self.mode() != Mode::Json {
            write_stdout(text);
        }
    }

    /// Reports manifest diagnostics: rendered on stderr, or as `diagnostic` events.
    pub fn diagnostics(&self, sources: &SourceMap, diags: &Diagnostics) {
        for d in diags.sorted(sources) {
            match self.mode() {
                Mode::Json => self.event("diagnostic", &diagnostics::to_json(&d, sources)),
                _ => write_stderr(&diagnostics::render_human(
                    &d,
                    sources,
                    self.color(),
                    self.width,
                )),
            }
        }
    }

    /// Asks for a line of text, or fails naming `flag` when nobody can answer.
    pub fn ask_text(
        &self,
        question: &str,
        default: Option<&str>,
        flag: &'static str,
        what: &'static str,
    ) -> Result<String, PromptError> {
        if !self.decision.interactive {
            return Err(PromptError::NeedsFlag { flag, what });
        }
        let mut input = dialoguer::Input::<String>::new().with_prompt(question);
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        Ok(input.interact_text()?)
    }

    /// Asks a yes/no question, or fails naming `flag` when nobody can answer.
    pub fn confirm(&self, question: &str, flag: &'static str) -> Result<bool, PromptError> {
        if !self.decision.interactive {
            return Err(PromptError::NeedsFlag {
                flag,
                what: "a confirmation",
            });
        }
        Ok(dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()?)
    }

    /// Asks to pick one of `items`, or fails naming `flag` when nobody can answer.
    pub fn ask_select(
        &self,
        question: &str,
        items: &[&str],
        flag: &'static str,
        what: &'static str,
    ) -> Result<usize, PromptError> {
        if !self.decision.interactive {
            return Err(PromptError::NeedsFlag { flag, what });
        }
        Ok(dialoguer::Select::new()
            .with_prompt(question)
            .items(items)
            .default(0)
            .interact()?)
    }
}

/// A listing for people: a header line, then one line per row, columns padded to their
/// widest cell (the last column is not padded). An empty listing is just the header.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The exit status of a process killed by SIGPIPE (128 + 13), which wharf uses when its
/// output is closed.
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// Writes to stdout. Results go there, so a write that fails for any reason other than
/// a closed pipe (a full disk, a closed descriptor) ends wharf with exit code 1 and says
/// why on stderr: a command whose output was lost has not succeeded.
pub(crate) fn write_stdout(s: &str) {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    ended_if_closed(&r);
    if let Err(e) = r {
        let mut err = std::io::stderr().lock();
        let said = writeln!(
            err,
            "error: wharf could not write its output to stdout: {e}"
        );
        ended_if_closed(&said);
        std::process::exit(OUTPUT_LOST_EXIT);
    }
}

/// Exit status when stdout could not be written (other than a closed pipe).
pub const OUTPUT_LOST_EXIT: i32 = 1;

/// Writes to stderr.
pub(crate) fn write_stderr(s: &str) {
    let mut err = std::io::stderr().lock();
    ended_if_closed(&err.write_all(s.as_bytes()).and_then(|()| err.flush()));
}

/// A closed pipe (`wharf … | head`) means the reader has what it wants: wharf ends at
/// once and quietly, with the status of a process killed by SIGPIPE, as the writers in
/// a shell pipeline do. Other write errors on stderr are ignored: there is nowhere to
/// report them, and a deploy must not stop half-way because its progress was lost.
fn ended_if_closed(r: &std::io::Result<()>) {
    if let Err(e) = r
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(CLOSED_PIPE_EXIT);
    }
}

/// The time of the last timestamped line, so that lines never go back in time.
static LAST_STAMP: std::sync::Mutex<i64> = std::sync::Mutex::new(i64::MIN);

/// The stamp for a line printed at `now_ms`, given the last one: never earlier.
fn next_stamp(last: &mut i64, now_ms: i64) -> i64 {
    *last = (*last).max(now_ms);
    *last
}

/// Writes `line` to stderr after a UTC timestamp. Stamping and writing happen under one
/// lock, so lines from parallel stacks and builds appear in the order of their stamps,
/// and no stamp is earlier than the one above it (even if the wall clock steps back).
pub(crate) fn write_stamped(line: std::fmt::Arguments<'_>) {
    let mut last = LAST_STAMP.lock().unwrap_or_else(|e| e.into_inner());
    let at = next_stamp(&mut last, crate::clock::now_ms());
    write_stderr(&format!("{} {line}\n", progress::utc(at)));
}

/// Writes several lines with one stamp, together: no other line comes between them.
pub(crate) fn write_stamped_block(lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let mut last = LAST_STAMP.lock().unwrap_or_else(|e| e.into_inner());
    let at = progress::utc(next_stamp(&mut last, crate::clock::now_ms()));
    let text: String = lines.iter().map(|l| format!("{at} {l}\n")).collect();
    write_stderr(&text);
}

/// A timestamped log line on stderr, for plain (CI) output (see [`write_stamped`]).
macro_rules! logln {
    ($($arg:tt)*) => {
        $crate::ui::write_stamped(format_args!($($arg)*))
    };
}
pub(crate) use logln;

/// `eprintln!` that ends wharf quietly when stderr is closed (see [`write_stderr`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::ui::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use errln;

impl Ui {
    /// Reports the error that ends the command: a miette report on stderr, and in JSON
    /// mode also an `error` event on stdout.
    pub fn error(&self, err: &crate::error::WharfError) {
        use miette::Diagnostic;
        let code = err.code().map(|c| c.to_string());
        self.event("error", &serde_json::json!({"message": err.to_string(), "code": code, "help": err.help().map(|h| h.to_string())}));
        let theme = if self.color() {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(self.width);
        if handler.render_report(&mut out, err).is_err() {
            out = format!("error: {err}\n");
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if self.verbose
            && let Some(detail) = err.sdk_detail()
        {
            out.push_str(&format!("  AWS SDK error: {detail}\n"));
        }
        write_stderr(&out);
    }
}

impl Ui {
    /// Ends the process at once with `code`, after the last words ([`crate::abort`]:
    /// releasing deploy locks, for at most 5 s), saying so with `what`.
    async fn stop_now(self, what: &str, code: i32) -> ! {
        crate::abort::run(std::time::Duration::from_secs(5)).await;
        self.note(format!("{what}, with the deploy locks released. What had started in AWS (a stack operation, an ECS rollout) goes on: `wharf svc status` shows where it is."));
        std::process::exit(code)
    }

    /// Counts Ctrl-C presses. The first is for the running operation to handle (cancel
    /// and keep watching); the second runs the last words ([`crate::abort`]: releasing
    /// deploy locks, for at most 5 s) and exits with 130, leaving CloudFormation
    /// running. SIGTERM runs the last words too, and exits with 143. Needs a tokio
    /// runtime.
    pub fn interrupts(&self) -> tokio::sync::watch::Receiver<u32> {
        let (tx, rx) = tokio::sync::watch::channel(0u32);
        let ui = *self;
        tokio::spawn(async move {
            let mut count = 0;
            while tokio::signal::ctrl_c().await.is_ok() {
                count += 1;
                if count >= 2 {
                    ui.stop_now("Stopped at once (second Ctrl-C)", 130).await;
                }
                let _ = tx.send(count);
            }
        });
        // A CI system cancelling the job sends SIGTERM: the same last words, then exit
        // 143 (128 + 15), so the next run is not refused by this one's locks.
        #[cfg(unix)]
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate())
                && term.recv().await.is_some()
            {
                ui.stop_now("Stopped (SIGTERM)", 143).await;
            }
        });
        rx
    }
}

#[cfg(test)]
mod stamp_tests {
    #[test]
    fn stamps_never_go_back_in_time() {
        let mut last = i64::MIN;
        let stamps: Vec<i64> = [5, 3, 7, 7, 6, 9]
            .into_iter()
            .map(|now| super::next_stamp(&mut last, now))
            .collect();
        assert_eq!(stamps, [5, 5, 7, 7, 7, 9]);
    }
}

#[cfg(test)]
mod table_tests {
    #[test]
    fn columns_have_headers_and_line_up() {
        let t = super::table(
            &["NAME", "TYPE"],
            &[
                vec!["web".into(), "Load Balanced Web Service".into()],
                vec!["api-backend".into(), "Backend Service".into()],
            ],
        );
        assert_eq!(
            t,
            "NAME         TYPE\nweb          Load Balanced Web Service\napi-backend  Backend Service\n"
        );
    }
}
