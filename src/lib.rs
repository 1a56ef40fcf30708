//! wharf: declarative deployments of containers to AWS ECS, from Copilot-style manifests.
//!
//! The pipeline is visible in the modules: [`manifest`] (read and check) → [`compile`]
//! (CloudFormation) → [`image`] (build inputs and tags) → [`deploy`] (change sets,
//! through [`aws`]). [`cli`] parses arguments and wires the pieces; [`ui`] decides where
//! every byte of output goes.
#![deny(missing_docs)]

pub mod abort;
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
pub mod render;
pub mod scaffold;
pub mod ui;
pub mod watch;

use clap::Parser;
use std::process::ExitCode;

/// Runs wharf with the process arguments and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let verbose = cli.global.verbose || std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty());
    let ui = ui::Ui::new(cli.global.output, cli.global.no_input).with_verbose(verbose);
    match cli::dispatch(cli, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            ui.error(&err);
            ExitCode::from(code)
        }
    }
}
