//! `wharf deploy`: several services (or `--all`) of one environment. The environment
//! stack goes first (a no-op when its template did not change), then the services in
//! parallel; one combined result at the end.

use super::{context, remote};
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf deploy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment to deploy to.
    #[arg(short, long = "env")]
    pub env: Option<String>,
    /// Services to deploy (repeat the flag for several).
    #[arg(short, long = "name")]
    pub names: Vec<String>,
    /// Deploy every service of the workspace.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// How many service stacks to deploy at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Image options (services built from a Dockerfile).
    #[command(flatten)]
    pub images: super::images::ImageFlags,
    /// How to follow the rollouts.
    #[command(flatten)]
    pub rollout: remote::RolloutFlags,
    /// Wait for operations already running on a stack instead of refusing.
    #[arg(long)]
    pub wait_in_progress: bool,
    /// When another wharf run is deploying one of the stacks, wait for it (up to
    /// `--timeout`, default 60m) instead of refusing.
    #[arg(long)]
    pub wait_lock: bool,
    /// Answer yes to the questions: whether to replace a resource that holds state (an
    /// ECS service, a log group, a load balancer, …).
    #[arg(long)]
    pub yes: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: remote::AwsArgs,
}

/// Runs `wharf deploy`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args {
        env,
        names,
        all,
        concurrency,
        images,
        rollout,
        wait_in_progress,
        wait_lock,
        yes,
        aws,
    } = a;
    let ws0 = context::load(ui)?;
    let env = match env {
        Some(e) => e,
        None => {
            let envs = ws0.env_names();
            let labels: Vec<&str> = envs.iter().map(String::as_str).collect();
            envs[ui.ask_select("Environment", &labels, "--env", "an environment")?].clone()
        }
    };
    drop(ws0);
    let mut ws = remote::load_for_env(ui, &env)?;
    let names = if all || !names.is_empty() {
        if all { ws.service_names() } else { names }
    } else {
        return Err(crate::ui::PromptError::NeedsFlag {
            flag: "--name or --all",
            what: "a choice of services to deploy",
        }
        .into());
    };
    for n in &names {
        context::require_service(&ws, n)?;
    }
    remote::block_on(async {
        // Ctrl-C is wired in on the runtime.
        let mut options = crate::release::options(ui, wait_in_progress);
        rollout.apply(&mut options);
        let request = crate::release::Request {
            env: env.clone(),
            workloads: names.clone(),
            environment: crate::release::EnvStack::Deploy,
            images: images.options(),
            concurrency: usize::from(concurrency),
            options,
            lock: crate::release::stacks::Lock::from_flag(wait_lock),
            yes,
            diff: false,
            aws: aws.options(),
        };
        crate::release::run(ui, &mut ws, request).await
    })?;
    if let Some(first) = names.first() {
        ui.note(format!("Next: `wharf svc status -n {first} -e {env}` shows a service's tasks and deployments; `wharf env show -n {env}` what the environment holds."));
    }
    Ok(())
}
