//! Command-line parsing and dispatch. Each command lives in its own file with its
//! arguments (doc comments are the help text) and a `run` that wires the core together.
//! Nothing outside `cli` knows clap.

mod adopt;
mod app;
mod build;
mod completion;
pub mod context;
pub mod copilot_only;
mod deploy;
mod env;
mod images;
mod init;
mod job;
mod package;
mod push;
mod remote;
mod rollback;
mod schema;
mod status;
mod svc;
mod validate;

use crate::error::WharfError;
use crate::ui::Ui;
use crate::ui::mode::Output;
use clap::{Parser, Subcommand};

/// Declarative deployments to AWS ECS from Copilot-style manifests.
#[derive(Debug, Parser)]
#[command(name = "wharf", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Output format: text for people, or one JSON object per line on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Output::Human)]
    pub output: Output,
    /// Never prompt; a missing answer is an error naming its flag (implied without a terminal or with CI=true).
    #[arg(long, global = true)]
    pub no_input: bool,
    /// Show the AWS SDK's whole error chain when a call fails (also when RUST_LOG is set).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// The application (Copilot's `--app`): wharf works on the workspace's, and refuses
    /// a run whose `--app` names another; `init` creates it.
    #[arg(short = 'a', long, global = true)]
    pub app: Option<String>,
    /// Same as `--output json` (Copilot's `--json`).
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer yes to every question the command would ask (a delete's confirmation,
    /// `--diff`'s, replacing a resource that holds state); harmless where nothing is
    /// asked, so scripts may pass it to every command.
    #[arg(long, global = true)]
    pub yes: bool,
}

impl GlobalArgs {
    /// The output format: `--json` means `--output json`.
    pub fn output(&self) -> Output {
        if self.json { Output::Json } else { self.output }
    }
}

/// wharf's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an application, one service and one environment, guided.
    Init(init::Args),
    /// Applications.
    #[command(subcommand)]
    App(app::Command),
    /// Environments.
    #[command(subcommand)]
    Env(env::Command),
    /// Services.
    #[command(subcommand)]
    Svc(svc::Command),
    /// Scheduled Jobs.
    #[command(subcommand)]
    Job(job::Command),
    /// Build service images (from `image.build`) locally.
    Build(build::Args),
    /// Build service images if needed and push them to their ECR repositories.
    Push(push::Args),
    /// Deploy an environment and its services: images first, then the environment, then services in parallel.
    Deploy(deploy::Args),
    /// Write every stack of an environment (`--all`, or `--name` services) to a
    /// directory, for pipelines. Offline.
    Package(package::Args),
    /// Check every manifest for every environment.
    Validate(validate::Args),
    /// Print the JSON Schema of the manifests, for editors.
    Schema(schema::Args),
    /// Print a shell completion script.
    Completion(completion::Args),
    /// Print wharf's version (also `--version`).
    Version,
}

/// Runs one parsed command.
pub fn dispatch(cli: Cli, ui: &Ui) -> Result<(), WharfError> {
    match cli.command {
        Command::Init(a) => init::run(a, ui),
        Command::App(c) => app::run(c, ui),
        Command::Env(c) => env::run(c, ui),
        Command::Svc(c) => svc::run(c, ui),
        Command::Job(c) => job::run(c, ui),
        Command::Build(a) => build::run(a, ui),
        Command::Push(a) => push::run(a, ui),
        Command::Deploy(a) => deploy::run(a, ui),
        Command::Package(a) => package::run(a, ui),
        Command::Validate(a) => validate::run(a, ui),
        Command::Schema(a) => schema::run(a, ui),
        Command::Completion(a) => completion::run(a, ui),
        Command::Version => {
            let version = env!("CARGO_PKG_VERSION");
            ui.data(&format!("wharf {version}\n"));
            ui.event("version", &serde_json::json!({ "version": version }));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_parse() {
        let c = Cli::try_parse_from([
            "wharf", "svc", "deploy", "-n", "web", "-e", "test", "--tag", "v1", "--output", "json",
        ])
        .unwrap();
        assert_eq!(c.global.output, Output::Json);
        assert!(Cli::try_parse_from(["wharf", "svc", "ls"]).is_ok());
        // A zero timeout would end every wait before it began.
        for flag in ["--timeout", "--progress-timeout"] {
            let deploy = |v: &str| {
                Cli::try_parse_from(["wharf", "svc", "deploy", "-n", "w", "-e", "t", flag, v])
            };
            assert!(deploy("0s").is_err(), "{flag} 0s");
            assert!(deploy("2m").is_ok(), "{flag} 2m");
        }
        assert!(
            Cli::try_parse_from([
                "wharf",
                "svc",
                "init",
                "-n",
                "a",
                "-t",
                "Backend Service",
                "-d",
                "D",
                "-i",
                "I"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["wharf", "--output", "yaml", "validate"]).is_err());
    }
}
