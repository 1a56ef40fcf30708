//! `wharf init`: application, one service and one environment in one guided go. Every
//! question has a flag; without a terminal a missing answer is an error naming its flag.

use super::{app, env, svc};
use crate::error::WharfError;
use crate::manifest::service::ServiceType;
use crate::scaffold::{self, AppSpec, EnvSpec};
use crate::ui::Ui;

/// `wharf init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service: name, type, Dockerfile or image, port.
    #[command(flatten)]
    pub service: svc::InitArgs,
    /// Name of the first environment.
    #[arg(short, long = "env", default_value = "test")]
    pub env: String,
    /// AWS region of the application and its first environment.
    #[arg(long)]
    pub region: Option<String>,
    /// Then create the application's resources (`wharf app init`) and deploy the
    /// environment and the service (`wharf deploy`).
    #[arg(long)]
    pub deploy: bool,
    /// With `--deploy`: the tag of the image wharf builds (`wharf deploy --tag`).
    #[arg(long, requires = "deploy", value_parser = super::images::parse_tag)]
    pub tag: Option<String>,
    /// A Scheduled Job's schedule (`on.schedule`): a cron like "0 3 * * *", "@daily",
    /// "@every 6h", "rate(30 minutes)" or "none". Default "@daily".
    #[arg(short, long)]
    pub schedule: Option<String>,
    /// A Scheduled Job's `retries` (0 to 10).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// A Scheduled Job's `timeout` (`1h30m`, `900s`).
    #[arg(long, value_parser = super::job::parse_timeout)]
    pub timeout: Option<String>,
}

/// A manifest `env init`, `svc init` or `job init` prepared for the workspace in
/// `ws_dir` must pass `wharf validate` with the workspace's application file, or it is
/// not written: checked in memory, as [`valid_before_written`] does.
pub(super) fn valid_in_workspace(
    ws_dir: &std::path::Path,
    file: &scaffold::NewFile,
) -> Result<(), WharfError> {
    let mut files = vec![file.clone()];
    for name in ["app.yml", ".workspace"] {
        let path = ws_dir.join(name);
        if let Ok(text) = std::fs::read_to_string(&path) {
            files.push(scaffold::NewFile { path, text });
        }
    }
    valid_before_written(ws_dir, &files)
}

/// The manifests `init` prepared must pass `wharf validate` as they are, or nothing is
/// written: checked in memory, with the same loader and rules.
fn valid_before_written(
    ws_dir: &std::path::Path,
    files: &[scaffold::NewFile],
) -> Result<(), WharfError> {
    let project = ws_dir.parent().unwrap_or(ws_dir);
    let mut mem = crate::manifest::files::MemFiles::new();
    for f in files {
        mem.insert(
            f.path.strip_prefix(project).unwrap_or(&f.path),
            f.text.clone(),
        );
    }
    let copilot = ws_dir.file_name().is_some_and(|n| n == "copilot");
    let location = crate::manifest::workspace::Location {
        dir: if copilot { "copilot" } else { "wharf" }.into(),
        flavor: if copilot {
            crate::manifest::workspace::Flavor::Copilot
        } else {
            crate::manifest::workspace::Flavor::Wharf
        },
    };
    let out = crate::check::check_at(&mem, location, false, usize::MAX);
    if out.errors == 0 {
        return Ok(());
    }
    Err(WharfError::usage(
        format!(
            "the manifest(s) this command would write are not valid, so none was written:\n{}",
            out.human.trim_end()
        ),
        Some("correct the flag values the errors name, and run the command again".to_string()),
    ))
}

/// Runs `wharf init`: asks (or, without a terminal, checks) everything first, prepares
/// the three manifests, and writes them together only when all of them can be written.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    if !ui.interactive() {
        let missing = missing_flags(&a);
        if !missing.is_empty() {
            return Err(needs_flags(&missing));
        }
    }
    let app_name = super::context::expected_app().map(str::to_string);
    let Args {
        service,
        env: env_name,
        region,
        deploy,
        tag,
        schedule,
        retries,
        timeout,
    } = a;
    let region_flag = region.clone();
    let app_name = match app_name {
        Some(a) => a,
        None => ui.ask_text("Application name", None, "--app", "an application name")?,
    };
    app::check_name(&app_name)?;
    let mut service = svc::complete(ui, service)?;
    if service.kind == ServiceType::ScheduledJob {
        service.schedule = Some(super::job::schedule_or_default(ui, schedule)?);
        service.retries = retries;
        service.timeout = timeout;
    } else if let Some(flag) = [
        schedule.as_ref().map(|_| "--schedule"),
        retries.map(|_| "--retries"),
        timeout.as_ref().map(|_| "--timeout"),
    ]
    .into_iter()
    .flatten()
    .next()
    {
        return Err(WharfError::usage(
            format!(
                "`{flag}` is for a Scheduled Job, and {} is a {}",
                service.name,
                service.kind.as_str()
            ),
            Some(format!(
                "pass `--type \"Scheduled Job\"`, or leave out `{flag}`"
            )),
        ));
    }
    let region = region
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
    let app_spec = AppSpec {
        name: app_name,
        region,
        ..AppSpec::default()
    };
    let env_spec = EnvSpec {
        name: env_name.clone(),
        ..EnvSpec::default()
    };
    let ws_dir = super::context::cwd()?.join("wharf");
    let svc_name = service.name.clone();
    // Everything is checked before anything is written.
    let app_file = app::prepare(&app_spec)?;
    let (svc_file, svc_spec) = svc::prepare(&ws_dir, service)?;
    let env_file = env::prepare(&ws_dir, &env_spec)?;
    let files = [app_file, svc_file.clone(), env_file.clone()];
    valid_before_written(&ws_dir, &files)?;
    scaffold::write_all_new(&files)?;
    app::report_created(&app_spec, ui);
    svc::report_created(&svc_file, &svc_spec, ui);
    env::report_created(&env_file, &env_spec, ui);
    if deploy {
        // As the user would run them next, with this run's output and `--yes`.
        let app_name = app_spec.name.clone();
        let mut app_init = vec!["wharf".to_string(), "app".into(), "init".into(), app_name];
        let mut deploy = vec![
            "wharf".to_string(),
            "deploy".into(),
            "-e".into(),
            env_name.clone(),
            "-n".into(),
            svc_name.clone(),
        ];
        if let Some(r) = region_flag {
            app_init.extend(["--region".to_string(), r.clone()]);
            deploy.extend(["--region".to_string(), r]);
        }
        if let Some(t) = tag {
            deploy.extend(["--tag".to_string(), t]);
        }
        for argv in [app_init, deploy] {
            let cli = <super::Cli as clap::Parser>::try_parse_from(&argv)
                .map_err(|e| WharfError::usage(e.to_string(), None))?;
            super::dispatch(cli, ui)?;
        }
        return Ok(());
    }
    ui.note(format!(
        "Next: `wharf validate`, then `wharf env package -n {env_name}` and `wharf {} package -n {svc_name} -e {env_name}` to see the CloudFormation.",
        if svc_spec.schedule.is_some() { "job" } else { "svc" }
    ));
    Ok(())
}

/// The flags a run without a terminal lacks, each with what it answers: all of them, so
/// one run reports everything that is missing.
fn missing_flags(a: &Args) -> Vec<(&'static str, &'static str)> {
    let mut missing = Vec::new();
    if super::context::expected_app().is_none() {
        missing.push(("--app", "the application name"));
    }
    let s = &a.service;
    if s.name.is_none() {
        missing.push(("--name", "the service name"));
    }
    if s.svc_type.is_none() {
        missing.push(("--svc-type", "the service type"));
    }
    if s.dockerfile.is_none() && s.image.is_none() {
        missing.push(("--dockerfile or --image", "what the service runs"));
    }
    // A web service needs a port: from `--port`, or the Dockerfile's EXPOSE.
    let web = s
        .svc_type
        .as_deref()
        .and_then(ServiceType::parse)
        .is_none_or(|t| t == ServiceType::LoadBalancedWebService);
    let exposed = s
        .dockerfile
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d).ok())
        .and_then(|t| scaffold::exposed_port(&t));
    if web && s.port.is_none() && exposed.is_none() {
        missing.push((
            "--port",
            "the port the container listens on (or EXPOSE in the Dockerfile)",
        ));
    }
    missing
}

fn needs_flags(missing: &[(&'static str, &'static str)]) -> WharfError {
    let list: Vec<String> = missing
        .iter()
        .map(|(flag, what)| format!("`{flag}` ({what})"))
        .collect();
    WharfError::usage(
        format!(
            "{} needed and there is no terminal to ask on: {}",
            if missing.len() == 1 {
                "an answer is"
            } else {
                "answers are"
            },
            list.join(", ")
        ),
        Some(format!(
            "pass {}, or run `wharf init` at a terminal to be asked",
            missing
                .iter()
                .map(|(f, _)| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}
