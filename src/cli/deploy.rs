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
    /// Services to deploy (repeat the flag, or separate with commas). `name/N` orders
    /// them as Copilot does: services with the same `N` deploy together, after every
    /// lower `N` succeeded; services without one come last.
    #[arg(short, long = "name", value_delimiter = ',', value_parser = parse_ordered)]
    pub names: Vec<(String, Option<u32>)>,
    /// Deploy every service of the workspace.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// How many service stacks to deploy at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Deploy the environment's stack first (the default); `--deploy-env=false`
    /// requires it deployed and leaves it alone.
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub deploy_env: bool,
    /// Write the environment's manifest first when the workspace has none (the
    /// defaults of `wharf env init`).
    #[arg(long)]
    pub init_env: bool,
    /// Accepted for Copilot's scripts: wharf deploys any workload with a manifest, with
    /// nothing to register first.
    #[arg(long)]
    pub init_wkld: bool,
    /// Image options (services built from a Dockerfile).
    #[command(flatten)]
    pub images: super::images::ImageFlags,
    /// How to follow the rollouts.
    #[command(flatten)]
    pub rollout: remote::RolloutFlags,
    /// How to deploy.
    #[command(flatten)]
    pub flags: remote::DeployFlags,
}

/// `-n name` or `-n name/N` (an order, 0 or more).
fn parse_ordered(s: &str) -> Result<(String, Option<u32>), String> {
    if s.is_empty() || s.starts_with('/') {
        return Err("a service's name comes first: `web` or `web/1`".into());
    }
    match s.rsplit_once('/') {
        Some((name, n)) => n
            .parse::<u32>()
            .map(|n| (name.to_string(), Some(n)))
            .map_err(|_| format!("`{n}` is not an order: write `{name}/1`, `{name}/2`, …")),
        None => Ok((s.to_string(), None)),
    }
}

/// The workloads each of `named` deploys after: those of every lower order; those
/// without an order after all that have one. Names in the order given.
fn ordering(
    named: &[(String, Option<u32>)],
) -> (Vec<String>, std::collections::BTreeMap<String, Vec<String>>) {
    let rank = |o: Option<u32>| o.map_or(u64::MAX, u64::from);
    // `run` refuses a name given twice.
    let names: Vec<String> = named.iter().map(|(n, _)| n.clone()).collect();
    let mut after = std::collections::BTreeMap::new();
    for (n, o) in named {
        let first: Vec<String> = named
            .iter()
            .filter(|(m, p)| m != n && rank(*p) < rank(*o))
            .map(|(m, _)| m.clone())
            .collect();
        if !first.is_empty() {
            after.insert(n.clone(), first);
        }
    }
    (names, after)
}

/// Runs `wharf deploy`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args {
        env,
        names,
        all,
        concurrency,
        deploy_env,
        init_env,
        init_wkld: _,
        images,
        rollout,
        flags,
    } = a;
    let (diff, yes) = flags.diff_and_yes(ui);
    let remote::DeployFlags {
        wait_in_progress,
        wait_lock,
        diff: _,
        diff_yes: _,
        no_rollback,
        resource_tags,
        allow_downgrade: _,
        aws,
    } = flags;
    for (i, (n, _)) in names.iter().enumerate() {
        if names[..i].iter().any(|(m, _)| m == n) {
            return Err(WharfError::usage(
                format!("`{n}` is named twice in `--name`"),
                Some("name each service once, with one order".into()),
            ));
        }
    }
    let (names, after) = ordering(&names);
    let ws0 = context::load(ui)?;
    let mut env = env.unwrap_or_default();
    context::fill(ui, &mut env, context::Kind::Environment, "--env")?;
    if init_env && !ws0.env_names().contains(&env) {
        let spec = crate::scaffold::EnvSpec {
            name: env.clone(),
            ..Default::default()
        };
        super::env::create(&ws0.location.dir, &spec, ui)?;
    }
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
        options.disable_rollback = no_rollback;
        let request = crate::release::Request {
            env: env.clone(),
            workloads: names.clone(),
            environment: if deploy_env {
                crate::release::EnvStack::Deploy
            } else {
                crate::release::EnvStack::Require
            },
            images: images.options(),
            concurrency: usize::from(concurrency),
            options,
            lock: crate::release::stacks::Lock::from_flag(wait_lock),
            yes,
            diff,
            tags: resource_tags,
            after,
            aws: aws.options(),
        };
        crate::release::run(ui, &mut ws, request).await
    })?;
    if let Some(first) = names.first() {
        ui.note(format!("Next: `wharf svc status -n {first} -e {env}` shows a service's tasks and deployments; `wharf env show -n {env}` what the environment holds."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_make_groups_and_unordered_names_come_last() {
        let named: Vec<(String, Option<u32>)> = ["db/1", "api/2", "web/2", "docs", "jobs/1"]
            .iter()
            .map(|s| parse_ordered(s).unwrap())
            .collect();
        let (names, after) = ordering(&named);
        assert_eq!(names, ["db", "api", "web", "docs", "jobs"]);
        assert_eq!(after.get("db"), None);
        assert_eq!(after.get("jobs"), None);
        assert_eq!(after["api"], ["db", "jobs"]);
        assert_eq!(after["web"], ["db", "jobs"]);
        assert_eq!(after["docs"], ["db", "api", "web", "jobs"]);
        // Without orders, nothing waits.
        let (_, after) = ordering(&[("a".into(), None), ("b".into(), None)]);
        assert!(after.is_empty());
        assert!(parse_ordered("api/x").unwrap_err().contains("not an order"));
    }
}
