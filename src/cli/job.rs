//! `wharf job`: Scheduled Jobs, with Copilot's subcommands. A job is a workload like a
//! service (its manifest, image and stack), so `package`, `deploy` and `delete` are the
//! service commands; what differs is what follows a deploy (the schedule and its next
//! runs, no rollout) and `init`'s manifest.

use super::context;
use super::svc;
use crate::contract::output;
use crate::deploy::types::{Execution, ExecutionStatus};
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
    Ls(LsArgs),
    /// Write the job's CloudFormation template and parameters for an environment (no AWS access).
    Package(svc::PackageArgs),
    /// Build and push the job's image if needed, create or update its stack, and print its schedule.
    Deploy(svc::DeployArgs),
    /// Delete the job's stack from an environment.
    Delete(svc::DeleteArgs),
    /// Run the job now: start an execution of its state machine (`--follow` waits for it
    /// and exits with the task's exit code).
    Run(RunArgs),
}

/// `wharf job ls`.
#[derive(Debug, clap::Args)]
pub struct LsArgs {
    /// Accepted for Copilot's scripts: the list is the workspace's already.
    #[arg(long, hide = true)]
    pub local: bool,
}

/// `wharf job run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Job name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// Wait for the run to end, and exit with its task's exit code (1 when it failed
    /// without one; 4 when the job's `timeout` stopped it or `--timeout` passed first).
    #[arg(long)]
    pub follow: bool,
    /// With `--follow`: the longest to wait (`90m`, `45s`). Default 60m.
    #[arg(long, value_parser = super::remote::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
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
    /// Times a failed run is tried again (`retries`, 0 to 10).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// The longest a run may take, retries included (`timeout`: `1h30m`, `900s`).
    #[arg(long, value_parser = parse_timeout)]
    pub timeout: Option<String>,
    /// Accepted for Copilot's scripts: "Scheduled Job", the only type of job.
    #[arg(short = 't', long, hide = true, value_parser = ["Scheduled Job"])]
    pub job_type: Option<String>,
    /// Accepted for Copilot's scripts (wharf has no version check).
    #[arg(long, hide = true)]
    pub allow_downgrade: bool,
}

/// Runs a `wharf job` subcommand.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    use context::{Kind, fill_target};
    match cmd {
        Command::Init(a) => init(a, ui),
        Command::Ls(_) => ls(ui),
        Command::Package(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Job)?;
            context::require_job(&context::load(ui)?, &a.name, "job package")?;
            svc::package(a, ui)
        }
        Command::Deploy(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Job)?;
            deploy(a, ui)
        }
        Command::Delete(mut a) => {
            context::fill(ui, &mut a.name, Kind::Job, "--name")?;
            context::require_job(&context::load(ui)?, &a.name, "job delete")?;
            svc::delete_from(a, ui)
        }
        Command::Run(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Job)?;
            run_now(a, ui)
        }
    }
}

/// How a followed run ended, as an exit code: the task's own (1 to 255), 1 for a failure
/// without one, 4 for a run stopped by its timeout, 0 for success.
pub fn run_exit_code(e: &Execution) -> u8 {
    match e.status {
        ExecutionStatus::Succeeded => 0,
        ExecutionStatus::TimedOut => 4,
        ExecutionStatus::Running => 4,
        _ => match e.exit_code() {
            Some(c) if (1..=255).contains(&c) => c as u8,
            _ => 1,
        },
    }
}

fn run_now(a: RunArgs, ui: &Ui) -> Result<(), WharfError> {
    let RunArgs {
        name,
        env,
        follow,
        timeout,
        aws,
    } = a;
    let mut ws = super::remote::load_for_env(ui, &env)?;
    context::require_job(&ws, &name, "job run")?;
    let _ = ws.service(&name, Some(&env));
    context::report(ui, &ws)?;
    let app = super::remote::app_name(&ws);
    let stack = crate::compile::service_stack_name(&app, &env, &name);
    let limit = timeout.unwrap_or(crate::deploy::stack::STACK_TIMEOUT);
    let poll = crate::settings::current().poll_interval;
    super::remote::block_on(async {
        let client = super::remote::connect(&ws, &env, &aws).await?;
        let info = super::status::required(
            &client,
            &stack,
            &format!("job `{name}` in `{env}`"),
            format!("deploy it with `wharf job deploy -n {name} -e {env}`"),
        )
        .await?;
        crate::deploy::owner::check(&info, &super::remote::Owner::service(&app, &env, &name))
            .map_err(WharfError::Deploy)?;
        let Some(machine) = info.outputs.get(output::STATE_MACHINE_ARN) else {
            return Err(WharfError::usage(
                format!("stack {stack} has no state machine: it is not a deployed Scheduled Job"),
                Some(format!(
                    "deploy it with `wharf job deploy -n {name} -e {env}`"
                )),
            ));
        };
        let execution_name = format!("wharf-{}", crate::clock::now_ms());
        let arn = client.start_execution(machine, &execution_name).await?;
        ui.data(&format!("{arn}\n"));
        ui.note(format!("{name}: started execution {execution_name}"));
        if !follow {
            ui.event("job_run", &serde_json::json!({"job": name, "environment": env, "execution": arn, "status": "RUNNING"}));
            return Ok(());
        }
        let started = std::time::Instant::now();
        let mut interrupts = ui.interrupts();
        let e = loop {
            let e = client.execution(&arn).await?;
            if e.status != ExecutionStatus::Running {
                break e;
            }
            if started.elapsed() >= limit {
                break e;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll.min(limit.saturating_sub(started.elapsed()))) => {}
                _ = interrupts.changed() => {
                    return Err(WharfError::JobRun {
                        message: format!("stopped following {name}: interrupted; execution {execution_name} goes on"),
                        help: "look at the state machine's executions in the Step Functions console".into(),
                        code: 130,
                    });
                }
            }
        };
        let code = run_exit_code(&e);
        let task_code = e.exit_code();
        ui.event(
            "job_run",
            &serde_json::json!({
                "job": name, "environment": env, "execution": arn,
                "status": format!("{:?}", e.status).to_uppercase(),
                "exit_code": task_code, "error": e.error,
            }),
        );
        let secs = started.elapsed().as_secs();
        match e.status {
            ExecutionStatus::Succeeded => {
                ui.note(format!("{name}: succeeded in {secs}s (exit code 0)"));
                Ok(())
            }
            ExecutionStatus::Running => Err(WharfError::JobRun {
                message: format!(
                    "{name}: still running after {}; execution {execution_name} goes on",
                    crate::deploy::stack::duration_words(limit)
                ),
                help: "follow it longer with a larger `--timeout`, or look at it in the Step Functions console".into(),
                code,
            }),
            status => Err(WharfError::JobRun {
                help: format!("the task's logs are in the stack's log group (output LogGroupName of {stack})"),
                message: format!(
                    "{name}: {} after {secs}s{}{}",
                    format!("{status:?}").to_lowercase().replace("timedout", "timed out (the job's `timeout`)"),
                    task_code.map_or(String::new(), |c| format!(", task exit code {c}")),
                    e.error.as_deref().map_or(String::new(), |er| format!(" ({er})")),
                ) + &match (&task_code, &e.cause) {
                    // No task to speak of: say why, briefly (the cause is not the task).
                    (None, Some(c)) => format!(": {}", first_chars(c, 300)),
                    _ => String::new(),
                },
                code,
            }),
        }
    })
}

/// `--timeout`: a duration longer than zero (`1h30m`, `900s`), kept as written.
pub(super) fn parse_timeout(s: &str) -> Result<String, String> {
    match crate::manifest::duration::parse(s) {
        Ok(d) if d.as_millis() == 0 => Err("a job's timeout must be longer than zero".into()),
        Ok(d) if d.whole_secs().is_none() => {
            Err("a job's timeout is a whole number of seconds (`90s`, `1h30m`)".into())
        }
        Ok(_) => Ok(s.to_string()),
        Err(e) => Err(format!("{} (write it like `1h30m` or `900s`)", e.0)),
    }
}

/// A job's schedule: `--schedule` (checked), else asked on a terminal, else `@daily`,
/// said.
///
/// # Errors
/// A schedule that does not parse (usage), or a failed prompt.
pub(super) fn schedule_or_default(ui: &Ui, given: Option<String>) -> Result<String, WharfError> {
    let schedule = match given {
        Some(s) => s,
        None if ui.interactive() => ui.ask_text(
            "Schedule (a cron like \"0 3 * * *\", \"@daily\", \"@every 6h\", \"rate(30 minutes)\", or \"none\")",
            Some("@daily"),
            "--schedule",
            "a schedule",
        )?,
        None => {
            ui.note("The job runs @daily (`--schedule` chooses when).");
            "@daily".to_string()
        }
    };
    crate::manifest::service::Schedule::parse(&schedule).map_err(|e| {
        WharfError::usage(
            format!("`--schedule {schedule}`: {}", e.message),
            Some(e.help.to_string()),
        )
    })?;
    Ok(schedule)
}

fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    let ws = context::load(ui)?;
    let mut s = svc::complete(
        ui,
        svc::InitArgs {
            name: a.name,
            svc_type: Some(ServiceType::ScheduledJob.as_str().into()),
            dockerfile: a.dockerfile,
            image: a.image,
            port: None,
            subscribe_topics: Vec::new(),
            no_subscribe: false,
            allow_downgrade: false,
        },
    )?;
    s.schedule = Some(schedule_or_default(ui, a.schedule)?);
    s.retries = a.retries;
    s.timeout = a.timeout;
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
        context::require_job(&ws, &name, "job deploy")?;
        ws.service(&name, Some(&env))
            .and_then(|m| m.job().map(|j| j.schedule.value.clone()))
    };
    // A manifest with errors has no schedule: the deploy reports them and stops.
    svc::deploy(a, ui)?;
    if let Some(schedule) = schedule {
        say_schedule(ui, &name, &schedule);
    }
    Ok(())
}

/// At most `n` characters of `s`, with `…` when cut.
fn first_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(status: ExecutionStatus, output: Option<&str>, cause: Option<&str>) -> Execution {
        Execution {
            status,
            error: None,
            cause: cause.map(str::to_string),
            output: output.map(str::to_string),
        }
    }

    #[test]
    fn a_followed_run_exits_with_its_tasks_exit_code() {
        let ok = exec(
            ExecutionStatus::Succeeded,
            Some(r#"{"Containers":[{"Name":"job","ExitCode":0}]}"#),
            None,
        );
        assert_eq!((ok.exit_code(), run_exit_code(&ok)), (Some(0), 0));
        // The cause of a failed `ecs:runTask.sync` state is the task (AWS spells its
        // keys in PascalCase; moto in camelCase).
        let failed = exec(
            ExecutionStatus::Failed,
            None,
            Some(
                r#"{"containers":[{"name":"log-router","exitCode":0},{"name":"job","exitCode":3}]}"#,
            ),
        );
        assert_eq!((failed.exit_code(), run_exit_code(&failed)), (Some(3), 3));
        let no_task = exec(
            ExecutionStatus::Failed,
            None,
            Some("CannotPullContainerError"),
        );
        assert_eq!((no_task.exit_code(), run_exit_code(&no_task)), (None, 1));
        let big = exec(
            ExecutionStatus::Failed,
            None,
            Some(r#"{"Containers":[{"ExitCode":300}]}"#),
        );
        assert_eq!(run_exit_code(&big), 1);
        assert_eq!(
            run_exit_code(&exec(ExecutionStatus::TimedOut, None, None)),
            4
        );
        assert_eq!(
            run_exit_code(&exec(ExecutionStatus::Aborted, None, None)),
            1
        );
    }
}
