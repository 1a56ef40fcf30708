//! Where every byte of output goes. Results go to stdout (in JSON mode only JSON, one
//! event per line); notes, warnings, diagnostics and prompts go to stderr. Prompts appear
//! only when someone can answer them; otherwise they become an error naming the flag.
//! The only module that prints or talks to the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

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

/// Why a question could not be asked or answered.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PromptError {
    /// Nobody can answer: no terminal, `CI`, or `--no-input`.
    #[error("{what} is needed and there is no terminal to ask on")]
    #[diagnostic(code(wharf::usage::needs_flag), help("pass `{flag}`"))]
    NeedsFlag {
        /// The flag that answers it.
        flag: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// The terminal failed.
    #[error("could not read the answer: {0}")]
    #[diagnostic(code(wharf::io::prompt))]
    Io(#[from] dialoguer::Error),
}

/// The output decisions of one run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    decision: Decision,
    width: usize,
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
            _ => 400,
        };
        Ui { decision, width }
    }

    /// The output mode.
    pub fn mode(&self) -> Mode {
        self.decision.mode
    }

    /// Whether colors are on.
    pub fn color(&self) -> bool {
        self.decision.color
    }

    /// A note for people, on stderr (not in JSON mode).
    pub fn note(&self, msg: impl std::fmt::Display) {
        if self.mode() != Mode::Json {
            eprintln!("{msg}");
        }
    }

    /// A success line for people, on stderr (not in JSON mode).
    pub fn success(&self, msg: impl std::fmt::Display) {
        if self.mode() != Mode::Json {
            eprintln!("{} {msg}", mark(true, self.color()));
        }
    }

    /// A warning, on stderr in every mode (JSON readers look at stdout only).
    pub fn warn(&self, msg: impl std::fmt::Display) {
        let head = if self.color() {
            console::style("warning:").yellow().bold().to_string()
        } else {
            "warning:".to_string()
        };
        eprintln!("{head} {msg}");
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
                _ => eprint!(
                    "{}",
                    diagnostics::render_human(&d, sources, self.color(), self.width)
                ),
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

/// Writes to stdout. A closed pipe (`wharf … | head`) means the reader has what it
/// wants: the rest is dropped quietly, as ripgrep does.
fn write_stdout(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
}

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
        eprint!("{out}");
    }
}

impl Ui {
    /// Counts Ctrl-C presses. The first is for the running operation to handle (cancel
    /// and keep watching); the second exits at once with 130, leaving CloudFormation
    /// running. Needs a tokio runtime.
    pub fn interrupts(&self) -> tokio::sync::watch::Receiver<u32> {
        let (tx, rx) = tokio::sync::watch::channel(0u32);
        let ui = *self;
        tokio::spawn(async move {
            let mut count = 0;
            while tokio::signal::ctrl_c().await.is_ok() {
                count += 1;
                if count >= 2 {
                    ui.note("Stopped watching; CloudFormation carries on. Run the same command again (with `--wait-in-progress`) to follow it.");
                    std::process::exit(130);
                }
                let _ = tx.send(count);
            }
        });
        rx
    }
}
