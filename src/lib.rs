//! wharf: declarative deployments of containers to AWS ECS, from Copilot-style manifests.
//!
//! The pipeline is visible in the modules: [`manifest`] (read and check) → [`compile`]
//! (CloudFormation) → [`image`] (build inputs and tags) → [`deploy`] (change sets,
//! through [`aws`]). [`cli`] parses arguments and wires the pieces; [`ui`] decides where
//! every byte of output goes.
#![deny(missing_docs)]

pub mod abort;
pub mod adopt;
pub mod api;
pub mod aws;
pub mod check;
pub mod cli;
pub mod clock;
pub mod compile;
pub mod contract;
pub mod deploy;
pub mod error;
pub mod image;
pub mod manifest;
pub mod release;
pub mod render;
pub mod scaffold;
pub mod settings;
pub mod ui;
pub mod watch;

use clap::Parser;
use std::process::ExitCode;

/// Whether the arguments ask for JSON output (`--output json` or `--output=json`), read
/// without clap, for the arguments clap could not parse.
fn wants_json(args: impl Iterator<Item = String>) -> bool {
    let mut previous = String::new();
    for a in args {
        if a == "--output=json" || a == "--json" || (previous == "--output" && a == "json") {
            return true;
        }
        previous = a;
    }
    false
}

/// The `error` event of a usage error clap found: its text up to the usage line, on one
/// line, without clap's `error: ` prefix (a missing subcommand, for which clap shows
/// the help, says so), code `wharf::usage::arguments`, and the `--help` hint.
fn usage_event(e: &clap::Error) -> serde_json::Value {
    let message = if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        "a subcommand is needed".to_string()
    } else {
        e.render()
            .to_string()
            .lines()
            .take_while(|l| !l.starts_with("Usage:"))
            .map(|l| l.trim().trim_start_matches("error: "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    serde_json::json!({
        "message": message,
        "code": "wharf::usage::arguments",
        "help": "see `wharf <command> --help`",
    })
}

/// Runs wharf with the process arguments and returns the exit code.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Output for what is answered before the arguments are parsed: JSON when asked.
    let bare_ui = || {
        ui::Ui::new(
            if wants_json(args.iter().cloned()) {
                ui::mode::Output::Json
            } else {
                ui::mode::Output::Human
            },
            true,
        )
    };
    if let Some(answer) = cli::copilot_only::answer(&args) {
        let ui = bare_ui();
        return match answer {
            cli::copilot_only::Answer::NothingToDo(m) => {
                ui.result(m);
                ExitCode::SUCCESS
            }
            cli::copilot_only::Answer::Absent(message, help) => {
                let err = error::WharfError::usage(message, Some(help));
                ui.error(&err);
                ExitCode::from(error::exit_code(&err))
            }
        };
    }
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e)
            if e.kind() == clap::error::ErrorKind::UnknownArgument
                && let Some((message, help)) = e
                    .get(clap::error::ContextKind::InvalidArg)
                    .and_then(|a| cli::copilot_only::flag_answer(&args, &a.to_string())) =>
        {
            // A Copilot flag wharf does not take: what to use instead (exit 2).
            let err = error::WharfError::usage(message, Some(help));
            bare_ui().error(&err);
            return ExitCode::from(error::exit_code(&err));
        }
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            if e.use_stderr() && wants_json(std::env::args()) {
                // A CI step reading JSON learns why nothing ran, like any other error.
                let ui = ui::Ui::new(ui::mode::Output::Json, true);
                ui.event("error", &usage_event(&e));
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let verbose = cli.global.verbose || std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty());
    let ui = ui::Ui::new(cli.global.output(), cli.global.no_input)
        .with_verbose(verbose)
        .with_yes(cli.global.yes);
    if let Err(message) = settings::init() {
        let err = error::WharfError::usage(
            message,
            Some("unset it, or set a whole number (see \"AWS access\" in the README)".to_string()),
        );
        ui.error(&err);
        return ExitCode::from(error::exit_code(&err));
    }
    cli::context::set_expected_app(cli.global.app.clone());
    match cli::dispatch(cli, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            ui.error(&err);
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_asked_for_in_either_spelling_and_only_as_the_value() {
        let args = |a: &[&str]| {
            a.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert!(wants_json(args(&[
            "wharf", "deploy", "--output", "json", "--bogus"
        ])));
        assert!(wants_json(args(&["wharf", "--output=json", "deploy"])));
        assert!(!wants_json(args(&["wharf", "deploy", "-n", "json"])));
        assert!(!wants_json(args(&["wharf", "--output", "human", "json"])));
    }

    #[test]
    fn a_usage_error_reads_as_one_sentence() {
        use clap::Parser;
        let e = cli::Cli::try_parse_from(["wharf", "deploy", "--bogus"]).unwrap_err();
        let v = usage_event(&e);
        assert_eq!(v["code"], "wharf::usage::arguments");
        let m = v["message"].as_str().unwrap();
        assert!(m.contains("--bogus") && !m.starts_with("error"), "{m}");
        let e = cli::Cli::try_parse_from(["wharf", "package", "--all"]).unwrap_err();
        let m = usage_event(&e)["message"].as_str().unwrap().to_string();
        assert!(
            m.contains("required arguments were not provided") && m.contains("--env"),
            "{m}"
        );
        let e = cli::Cli::try_parse_from(["wharf", "svc"]).unwrap_err();
        assert_eq!(usage_event(&e)["message"], "a subcommand is needed");
    }
}
