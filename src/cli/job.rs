//! `wharf job`: Scheduled Jobs, with Copilot's subcommands. A job is a workload like a
//! service (its manifest, image and stack), so `package`, `deploy` and `delete` are the
//! service commands; what differs is what follows a deploy (the schedule and its next
//! runs, no rollout) and `init`'s manifest.

use super::context;
use super::svc;
use crate::error::WharfError;
use crate::manifest::service::{ServiceType, utc_minute};
use crate::ui::Ui;
use std::path::PathBuf;

/// `wharf job` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a Scheduled Job manifest.
    Init(InitArgs),
    /// List the workspace's jobs and their schedules.
    Ls,
    /// Write the job's CloudFormation template and parameters for an environment (no AWS access).
    Package(svc::PackageArgs),
    /// Build and push the job's image if needed, create or update its stack, and print its schedule.
    Deploy(svc::DeployArgs),
    /// Delete the job's stack from an environment.
    Delete(svc::DeleteArgs),
}

/// `wharf job init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Job name.
    #[arg(short, long)]
    pub name: Option<String>,
    /// Dockerfile to build the image from.
    #[arg(short, long, conflicts_with = "image")]
    pub dockerfile: Option<PathBuf>,
    /// Existing image to run instead of building one.
    #[arg(short, long)]
    pub image: Option<String>,
    /// When the job runs (UTC): a cron like "0 3 * * *", "@daily", "@every 6h",
    /// "rate(30 minutes)" or "none". Default "@daily".
    #[arg(short, long)]
    pub schedule: Option<String>,
}

/// Runs a `wharf job` subcommand.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    match cmd {
        Command::Init(a) => init(a, ui),
        Command::Ls => ls(ui),
        Command::Package(a) => svc::package(a, ui),
        Command::Deploy(a) => deploy(a, ui),
        Command::Delete(a) => svc::delete(a, ui),
    }
}

fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    let ws = context::load(ui)?;
    if let Some(s) = &a.schedule {
        crate::manifest::service::Schedule::parse(s).map_err(|e| {
            WharfError::usage(
                format!("`--schedule {s}`: {}", e.message),
                Some(e.help.to_string()),
            )
        })?;
    }
    let mut s = svc::complete(
        ui,
        svc::InitArgs {
            name: a.name,
            svc_type: Some(ServiceType::ScheduledJob.as_str().into()),
            dockerfile: a.dockerfile,
            image: a.image,
            port: None,
        },
    )?;
    s.schedule = a.schedule;
    let name = s.name.clone();
    svc::create(&ws.location.dir, s, ui)?;
    ui.note(format!(
        "Next: `wharf job deploy -n {name} -e <env>` deploys it on its schedule."
    ));
    Ok(())
}

fn ls(ui: &Ui) -> Result<(), WharfError> {
    let mut ws = context::load(ui)?;
    let names: Vec<String> = ws
        .service_names()
        .into_iter()
        .filter(|n| ws.service_type(n).as_deref() == Some(ServiceType::ScheduledJob.as_str()))
        .collect();
    let mut rows = Vec::new();
    for n in &names {
        let schedule = ws
            .service(n, None)
            .and_then(|m| m.job().map(|j| j.schedule.value.clone()));
        rows.push(serde_json::json!({
            "name": n,
            "schedule": schedule.as_ref().map(|s| s.expression().unwrap_or_else(|| "none".into())),
        }));
    }
    context::report(ui, &ws)?;
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r["name"].as_str().unwrap_or("").to_string(),
                r["schedule"].as_str().unwrap_or("?").to_string(),
            ]
        })
        .collect();
    ui.data(&crate::ui::table(&["NAME", "SCHEDULE"], &cells));
    ui.event("jobs", &rows);
    Ok(())
}

fn deploy(a: svc::DeployArgs, ui: &Ui) -> Result<(), WharfError> {
    let (name, env) = (a.name.clone(), a.env.clone());
    let schedule = {
        let mut ws = context::load(ui)?;
        context::require_service(&ws, &name)?;
        ws.service(&name, Some(&env))
            .and_then(|m| m.job().map(|j| j.schedule.value.clone()))
    };
    let Some(schedule) = schedule else {
        return Err(WharfError::usage(
            format!("`{name}` is not a Scheduled Job"),
            Some(format!(
                "deploy it with `wharf svc deploy -n {name} -e {env}`"
            )),
        ));
    };
    svc::deploy(a, ui)?;
    say_schedule(ui, &name, &schedule);
    Ok(())
}

/// Says when a job runs: its schedule expression and the next three runs in UTC.
pub fn say_schedule(ui: &Ui, name: &str, schedule: &crate::manifest::service::Schedule) {
    let now = u64::try_from(crate::clock::now_ms() / 1000).unwrap_or(0);
    let Some(expr) = schedule.expression() else {
        ui.note(format!(
            "{name}: schedule none: it runs only when its state machine (stack output StateMachineArn) is started"
        ));
        return;
    };
    match schedule.next_runs(now, 3) {
        Some(runs) if !runs.is_empty() => {
            let runs: Vec<String> = runs.into_iter().map(utc_minute).collect();
            ui.note(format!("{name}: runs on {expr}; next: {}", runs.join(", ")));
        }
        _ => ui.note(format!("{name}: runs on {expr}")),
    }
}
