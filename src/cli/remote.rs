//! What commands that call AWS share: `--profile`/`--region`, resolving the region from
//! the manifests, the account check, the async runtime, Ctrl-C, and turning workspace
//! packages into stacks to deploy.

use super::context;
use crate::aws::{Aws, AwsOptions};
use crate::compile::Package;
pub use crate::deploy::owner::Owner;
use crate::deploy::stack::{Options, StackSpec};
use crate::error::WharfError;
use crate::manifest::workspace::Workspace;
use crate::ui::Ui;

/// AWS connection flags.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// AWS profile to use (default: AWS_PROFILE, or the default profile).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: the environment's `region`, the application's, then AWS_REGION);
    /// for `app init`, also the application's default region.
    #[arg(long, global = true)]
    pub region: Option<String>,
}

/// `wharf env ls` and `wharf svc ls`.
#[derive(Debug, clap::Args)]
pub struct LsArgs {
    /// Only what the workspace holds, without asking AWS what is deployed.
    #[arg(long)]
    pub local: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Flags of `env deploy` and `svc deploy`.
#[derive(Debug, Clone, clap::Args)]
pub struct DeployFlags {
    /// Wait for an operation already running on the stack instead of refusing.
    #[arg(long)]
    pub wait_in_progress: bool,
    /// When another wharf run is deploying the stack, wait for it (up to `--timeout`,
    /// default 60m) instead of refusing.
    #[arg(long)]
    pub wait_lock: bool,
    /// Show how the template differs from the deployed one, then ask before deploying.
    #[arg(long)]
    pub diff: bool,
    /// `--diff`, and deploy without asking (Copilot's `--diff-yes`).
    #[arg(long)]
    pub diff_yes: bool,
    /// When a resource fails to create or update, leave the stack as it is instead of
    /// rolling back (CloudFormation's `DisableRollback`): the stack stays
    /// `UPDATE_FAILED`/`CREATE_FAILED` for a look, and a later deploy continues from it.
    #[arg(long)]
    pub no_rollback: bool,
    /// Tags for the stack and the resources it makes, as key=value (repeat, or separate
    /// with commas); wharf's own tags win.
    #[arg(long, value_delimiter = ',', value_parser = parse_tag_pair)]
    pub resource_tags: Vec<(String, String)>,
    /// Accepted for Copilot's scripts: wharf has no template-version downgrade check
    /// (each run renders the templates of its own version).
    #[arg(long)]
    pub allow_downgrade: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: AwsArgs,
}

impl DeployFlags {
    /// Whether to show the diff, and whether its question (and the replacement one) is
    /// answered: `--diff-yes` is both, `--yes` (global) the answer.
    pub fn diff_and_yes(&self, ui: &Ui) -> (bool, bool) {
        (self.diff || self.diff_yes, ui.yes() || self.diff_yes)
    }
}

/// How `svc deploy` and `deploy` follow the ECS rollouts they cause.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RolloutFlags {
    /// Return once the stacks are deployed, without following the ECS rollouts.
    #[arg(long)]
    pub detach: bool,
    /// Stop waiting when no task of the new deployment runs and tasks keep failing for
    /// this long (e.g. `2m`), before the circuit breaker's threshold; exit code 4.
    #[arg(long, value_parser = parse_duration)]
    pub progress_timeout: Option<std::time::Duration>,
    /// Stop waiting after this long (e.g. `30m`) for a rollout in all, and for any one
    /// stack operation (default: 60m for stacks, no limit for rollouts); exit code 4.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Start a new ECS deployment even when nothing changed (e.g. to pick up new secret values).
    #[arg(long)]
    pub force: bool,
    /// When `--progress-timeout` fires while CloudFormation is still updating the
    /// stack, cancel the update so that CloudFormation rolls it back (exit code 3).
    #[arg(long, requires = "progress_timeout")]
    pub rollback_on_timeout: bool,
}

/// `--resource-tags` `key=value`: a CloudFormation tag (key 1-128 characters, value up
/// to 256, not starting `aws:`).
pub fn parse_tag_pair(s: &str) -> Result<(String, String), String> {
    let Some((k, v)) = s.trim().split_once('=') else {
        return Err("write `key=value`".into());
    };
    let (k, v) = (k.trim(), v.trim());
    if k.starts_with("wharf-") || k.starts_with("copilot-") {
        return Err(format!(
            "`{k}` is one of the tags wharf and Copilot name their stacks by"
        ));
    }
    if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
        return Err("a tag key has 1 to 128 characters and its value up to 256".into());
    }
    if k.to_ascii_lowercase().starts_with("aws:") {
        return Err("tag keys starting `aws:` are AWS's own".into());
    }
    Ok((k.to_string(), v.to_string()))
}

/// Parses a `--timeout` value (`30m`, `90s`, `1h`); zero is refused (it would stop
/// every wait before it began).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = crate::manifest::duration::parse(s)
        .map(|d| std::time::Duration::from_millis(d.as_millis()))
        .map_err(|e| e.0)?;
    if d.is_zero() {
        return Err("must be longer than 0 (e.g. `2m`)".into());
    }
    Ok(d)
}

impl RolloutFlags {
    /// Deploy options with these flags: the rollout watch, and `--timeout` as the bound
    /// of stack waits too.
    pub fn apply(&self, opts: &mut Options) {
        opts.rollout = Some(self.settings());
        if let Some(t) = self.timeout {
            opts.timeout = t;
        }
    }

    /// The watch settings.
    pub fn settings(&self) -> crate::deploy::rollout::WatchSettings {
        let ms = |d: Option<std::time::Duration>| {
            d.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        };
        let mut poll = crate::watch::poll::PollOptions::default();
        if let Some(i) = crate::settings::current().watch_interval {
            poll.interval = i;
        }
        crate::deploy::rollout::WatchSettings {
            limits: crate::watch::machine::Limits {
                progress_ms: ms(self.progress_timeout),
                total_ms: ms(self.timeout),
            },
            poll,
            detach: self.detach,
            force: self.force,
            rollback_on_timeout: self.rollback_on_timeout,
        }
    }
}

/// Runs `f` on a multi-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(f)
}

/// Connects for environment `env`: region from the flag, the environment manifest, the
/// application manifest, then the AWS configuration. Refuses credentials of another
/// account than the environment declares.
pub async fn connect(ws: &Workspace, env: &str, args: &AwsArgs) -> Result<Aws, WharfError> {
    connect_to(ws, Some(env), args).await
}

/// Connects for the application (`env: None`) or one environment
/// ([`crate::release::connect`]).
pub async fn connect_to(
    ws: &Workspace,
    env: Option<&str>,
    args: &AwsArgs,
) -> Result<Aws, WharfError> {
    crate::release::connect(ws, env, &args.options()).await
}

impl AwsArgs {
    /// The connection these flags ask for.
    pub fn options(&self) -> AwsOptions {
        AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
        }
    }
}

pub use crate::release::options;

/// A package as a stack to deploy.
pub fn spec(p: Package) -> StackSpec {
    StackSpec::from(p)
}

/// Loads the workspace and checks the environment exists; prints diagnostics.
pub fn load_for_env(ui: &Ui, env: &str) -> Result<Workspace, WharfError> {
    let ws = context::load(ui)?;
    context::require_env(&ws, env)?;
    Ok(ws)
}

pub use crate::compile::workspace::app_name;
