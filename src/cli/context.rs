//! What most commands start with: the current directory, the loaded workspace, and
//! turning collected diagnostics into output and an exit decision.

use crate::error::WharfError;
use crate::manifest::schema::LazyKeys;
use crate::manifest::service::ServiceType;
use crate::manifest::workspace::{self, Flavor, Workspace};
use crate::ui::Ui;
use std::path::PathBuf;

/// The directory commands run in.
pub fn cwd() -> Result<PathBuf, WharfError> {
    std::env::current_dir().map_err(|e| WharfError::io("read", ".", e))
}

/// The application `--app` names (Copilot's flag), for this run.
static EXPECTED_APP: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// Whether the Copilot workspace note was said in this run.
static SAID_COPILOT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records `--app` for this run (once, at start).
pub fn set_expected_app(app: Option<String>) {
    let _ = EXPECTED_APP.set(app);
}

/// The application `--app` names, if given.
pub fn expected_app() -> Option<&'static str> {
    EXPECTED_APP.get().and_then(|a| a.as_deref())
}

/// Finds and loads the workspace; says once when it is a Copilot workspace. With
/// `--app`, the workspace must be that application's.
pub fn load(ui: &Ui) -> Result<Workspace, WharfError> {
    let cwd = cwd()?;
    let loc = workspace::find(&cwd).ok_or_else(|| WharfError::NoWorkspace { dir: cwd.clone() })?;
    let ws = Workspace::load(
        loc,
        &cwd,
        Box::new(|k| std::env::var(k).ok()),
        Box::new(LazyKeys::default()),
    );
    if ws.location.flavor == Flavor::Copilot
        && !SAID_COPILOT.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        let app = ws.app.as_ref().map_or("?", |a| a.name.value.as_str());
        ui.note(format!(
            "Reading the Copilot workspace in {} (application `{app}`) as it is.",
            ws.location.dir.display()
        ));
    }
    if let (Some(want), Some(app)) = (expected_app(), ws.app.as_ref())
        && app.name.value != want
    {
        return Err(WharfError::usage(
            format!(
                "`--app {want}` names another application than the workspace's, `{}` ({})",
                app.name.value,
                ws.location.dir.display()
            ),
            Some("run the command in that application's workspace, or leave out `--app`".into()),
        ));
    }
    Ok(ws)
}

/// Prints the workspace's diagnostics; an error when any is an error.
pub fn report(ui: &Ui, ws: &Workspace) -> Result<(), WharfError> {
    ui.diagnostics(&ws.sources, &ws.diags);
    if ws.diags.has_errors() {
        return Err(WharfError::InvalidManifest {
            errors: ws.diags.error_count(),
        });
    }
    Ok(())
}

/// What a `-n` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A service (not a Scheduled Job).
    Service,
    /// A Scheduled Job.
    Job,
    /// An environment.
    Environment,
}

/// Fills an empty `name` (the flag not given: its value defaults to empty) as Copilot
/// did: the workspace's only one of `kind`, said ("Only found one service, defaulting
/// to: web"), else the answer to a question on a terminal; without a terminal, a usage
/// error listing them. A name given is left as it is (commands check it). `flag` is
/// the flag that names it (`--name`, `--env`).
///
/// # Errors
/// No workspace, none of `kind` in it, or several and no terminal to ask on.
pub fn fill(ui: &Ui, name: &mut String, kind: Kind, flag: &'static str) -> Result<(), WharfError> {
    if !name.is_empty() {
        return Ok(());
    }
    let ws = load(ui)?;
    let job = ServiceType::ScheduledJob.as_str();
    let (names, what, create): (Vec<String>, &'static str, &str) = match kind {
        Kind::Environment => (ws.env_names(), "environment", "wharf env init"),
        Kind::Service => (
            ws.service_names()
                .into_iter()
                .filter(|n| ws.service_type(n).as_deref() != Some(job))
                .collect(),
            "service",
            "wharf svc init",
        ),
        Kind::Job => (
            ws.service_names()
                .into_iter()
                .filter(|n| ws.service_type(n).as_deref() == Some(job))
                .collect(),
            "job",
            "wharf job init",
        ),
    };
    match names.as_slice() {
        [] => Err(WharfError::usage(
            format!("the workspace has no {what}"),
            Some(format!("create one with `{create}`")),
        )),
        [only] => {
            ui.note(format!("Only found one {what}, defaulting to: {only}"));
            *name = only.clone();
            Ok(())
        }
        many => {
            let labels: Vec<&str> = many.iter().map(String::as_str).collect();
            let question = format!("Which {what}?");
            match ui.ask_select(&question, &labels, flag, what) {
                Ok(i) => {
                    *name = many[i].clone();
                    Ok(())
                }
                Err(crate::ui::PromptError::NeedsFlag { .. }) => Err(WharfError::usage(
                    format!(
                        "which {what}? The workspace has {}: {}",
                        many.len(),
                        many.join(", ")
                    ),
                    Some(format!("name one with `{flag}`")),
                )),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// [`fill`] for a workload's `--name` and its `--env`.
///
/// # Errors
/// As [`fill`].
pub fn fill_target(
    ui: &Ui,
    name: &mut String,
    env: &mut String,
    kind: Kind,
) -> Result<(), WharfError> {
    fill(ui, name, kind, "--name")?;
    fill(ui, env, Kind::Environment, "--env")
}

/// Errors out when `name` is a Scheduled Job: `command` is about ECS services.
pub fn refuse_job(ws: &Workspace, name: &str, command: &str) -> Result<(), WharfError> {
    if ws.service_type(name).as_deref() == Some(ServiceType::ScheduledJob.as_str()) {
        return Err(WharfError::usage(
            format!("`{name}` is a Scheduled Job: it has no ECS service for `{command}`"),
            Some(format!(
                "`wharf job run -n {name} -e <env> --follow` runs it now; `wharf job ls` shows its schedule"
            )),
        ));
    }
    Ok(())
}

/// Errors out unless `name` is a Scheduled Job: `command` is about jobs.
pub fn require_job(ws: &Workspace, name: &str, command: &str) -> Result<(), WharfError> {
    require_service(ws, name)?;
    if ws.service_type(name).as_deref() != Some(ServiceType::ScheduledJob.as_str()) {
        return Err(WharfError::usage(
            format!("`{name}` is not a Scheduled Job: `{command}` is for jobs"),
            Some(match command.rsplit(' ').next().unwrap_or("deploy") {
                "run" => "services run all the time; `wharf job run` starts jobs".to_string(),
                verb => format!("use `wharf svc {verb}` for services"),
            }),
        ));
    }
    Ok(())
}

/// Errors out unless the workspace has environment `env`.
pub fn require_env(ws: &Workspace, env: &str) -> Result<(), WharfError> {
    require(ws.has_env(env), "environment", env, &ws.env_names(), "env")
}

/// Errors out unless the workspace has service `svc`.
pub fn require_service(ws: &Workspace, svc: &str) -> Result<(), WharfError> {
    require(
        ws.has_service(svc),
        "service",
        svc,
        &ws.service_names(),
        "svc",
    )
}

fn require(
    present: bool,
    what: &str,
    name: &str,
    known: &[String],
    cmd: &str,
) -> Result<(), WharfError> {
    if present {
        return Ok(());
    }
    let help = if known.is_empty() {
        format!("create it with `wharf {cmd} init -n {name}`")
    } else {
        format!("{what}s: {}", known.join(", "))
    };
    Err(WharfError::usage(
        format!("there is no {what} `{name}` in this workspace"),
        Some(help),
    ))
}

/// `package --diff` (Copilot's): compares `pkg` with its deployed stack in `env` and
/// prints the difference. Exit 0 with "No changes.", 1 when it differs (or the stack does
/// not exist), 2 when no diff could be made.
///
/// # Errors
/// [`WharfError::Differs`], or [`WharfError::DiffUnavailable`] with why.
pub fn package_diff(
    ui: &Ui,
    ws: &Workspace,
    env: &str,
    aws: &super::remote::AwsArgs,
    pkg: crate::compile::Package,
) -> Result<(), WharfError> {
    let spec = crate::deploy::stack::StackSpec::from(pkg);
    let (deployed, differs) = super::remote::block_on(async {
        let client = super::remote::connect(ws, env, aws).await?;
        crate::release::stacks::show_diff(ui, &client, &spec).await
    })
    .map_err(|e| WharfError::DiffUnavailable(Box::new(e)))?;
    if differs {
        return Err(WharfError::Differs {
            stack: spec.name,
            deployed,
        });
    }
    ui.result("No changes.");
    Ok(())
}

/// Writes a package to `dir` as `<stem>.stack.yml` and `<stem>.params.json`, or prints
/// the template to stdout (or a `package` event in JSON mode).
pub fn emit_package(
    ui: &Ui,
    pkg: &crate::compile::Package,
    dir: Option<&std::path::Path>,
) -> Result<(), WharfError> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| WharfError::io("create", dir, e))?;
            let stack = dir.join(format!("{}.stack.yml", pkg.file_stem));
            let params = dir.join(format!("{}.params.json", pkg.file_stem));
            std::fs::write(&stack, &pkg.template)
                .map_err(|e| WharfError::io("write", &stack, e))?;
            std::fs::write(&params, pkg.config.to_json())
                .map_err(|e| WharfError::io("write", &params, e))?;
            if let Some(addons) = &pkg.addons {
                let path = dir.join(format!("{}.addons.yml", pkg.file_stem));
                std::fs::write(&path, addons).map_err(|e| WharfError::io("write", &path, e))?;
                ui.note(format!(
                    "Wrote its addons template {} (the stack's AddonsTemplateURL: upload it to S3)",
                    path.display()
                ));
            }
            let mut certificate_file = None;
            if let Some(request) = &pkg.cdn_certificate {
                let env = pkg.file_stem.as_str();
                let app = pkg
                    .config
                    .tags
                    .get(crate::deploy::owner::APPLICATION_TAG)
                    .map_or("", String::as_str);
                let (template, _) =
                    crate::compile::cdn_certificate::template(app, env, request, "")?;
                let path = dir.join(format!("{env}.cdn-certificate.yml"));
                std::fs::write(&path, template).map_err(|e| WharfError::io("write", &path, e))?;
                certificate_file = Some(path.clone());
                ui.note(format!(
                    "Wrote its CloudFront certificate's template {} (stack {} in {}; the stack's {} takes its {} output)",
                    path.display(),
                    crate::contract::cdn_certificate::stack_name(app, env),
                    crate::contract::cdn_certificate::REGION,
                    crate::contract::cdn_certificate::ARN_PARAMETER,
                    crate::contract::cdn_certificate::ARN_OUTPUT,
                ));
            }
            ui.success(format!(
                "Wrote stack {}: {} and {}",
                pkg.stack_name,
                stack.display(),
                params.display()
            ));
            ui.data(&format!("{}\n{}\n", stack.display(), params.display()));
            let mut event = serde_json::json!({"stack": pkg.stack_name, "template_file": stack, "params_file": params});
            if let Some(path) = certificate_file {
                event["cdn_certificate_file"] = serde_json::json!(path);
            }
            ui.event("package", &event);
        }
        None => {
            ui.data(&pkg.template);
            ui.event("package", &serde_json::json!({"stack": pkg.stack_name, "template": pkg.template, "parameters": pkg.config.parameters, "tags": pkg.config.tags}));
        }
    }
    Ok(())
}
