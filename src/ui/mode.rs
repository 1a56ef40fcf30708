//! Deciding how output looks: live terminal, plain lines for CI, or JSON, and whether to
//! color. One pure function so every combination is tested in one table.

use serde::Serialize;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Output {
    /// Text for people (plain lines when not on a terminal or under CI).
    #[default]
    Human,
    /// One JSON object per line on stdout.
    Json,
}

/// How output is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A person at a terminal: colors (unless disabled), prompts, progress.
    Human,
    /// Logs: no prompts, no redraws.
    Plain,
    /// Machine-readable events on stdout.
    Json,
}

/// Facts about the process environment that matter for output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Env {
    /// `CI` is set to something other than `false`/`0`.
    pub ci: bool,
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `TERM=dumb`.
    pub dumb_term: bool,
}

impl Env {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        Env {
            ci: std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0"),
            no_color: set("NO_COLOR"),
            dumb_term: std::env::var("TERM").is_ok_and(|t| t == "dumb"),
        }
    }
}

/// Terminal facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tty {
    /// stdin is a terminal (someone can answer prompts).
    pub stdin: bool,
    /// stderr is a terminal (progress and diagnostics are seen by a person).
    pub stderr: bool,
}

/// The decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Output mode.
    pub mode: Mode,
    /// Use colors on stderr.
    pub color: bool,
    /// Prompts may be shown.
    pub interactive: bool,
}

/// Decides mode, color and interactivity.
pub fn detect(out: Output, no_input: bool, env: Env, tty: Tty) -> Decision {
    let mode = match out {
        Output::Json => Mode::Json,
        Output::Human if tty.stderr && !env.ci && !env.dumb_term => Mode::Human,
        Output::Human => Mode::Plain,
    };
    Decision {
        mode,
        color: mode == Mode::Human && !env.no_color,
        interactive: !no_input && !env.ci && tty.stdin && tty.stderr && mode != Mode::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let t = Tty {
            stdin: true,
            stderr: true,
        };
        let none = Tty::default();
        let ci = Env {
            ci: true,
            ..Env::default()
        };
        let nc = Env {
            no_color: true,
            ..Env::default()
        };
        let d = Env::default();
        let cases = [
            (Output::Human, false, d, t, Mode::Human, true, true),
            (Output::Human, false, nc, t, Mode::Human, false, true),
            (Output::Human, true, d, t, Mode::Human, true, false),
            (Output::Human, false, ci, t, Mode::Plain, false, false),
            (Output::Human, false, d, none, Mode::Plain, false, false),
            (
                Output::Human,
                false,
                Env {
                    dumb_term: true,
                    ..d
                },
                t,
                Mode::Plain,
                false,
                true,
            ),
            (
                Output::Human,
                false,
                d,
                Tty {
                    stdin: false,
                    stderr: true,
                },
                Mode::Human,
                true,
                false,
            ),
            (Output::Json, false, d, t, Mode::Json, false, false),
        ];
        for (out, no_input, env, tty, mode, color, interactive) in cases {
            let got = detect(out, no_input, env, tty);
            assert_eq!(
                (got.mode, got.color, got.interactive),
                (mode, color, interactive),
                "{out:?} {no_input} {env:?} {tty:?}"
            );
        }
    }
}
