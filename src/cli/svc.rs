//! `wharf svc …`: services.

use super::context;
use super::status::TargetArgs;
use crate::error::WharfError;
use crate::manifest::service::{ServiceType, UNSUPPORTED_TYPES};
use crate::release::stacks;
use crate::scaffold::{self, ServiceSpec};
use crate::ui::Ui;
use std::path::{Path, PathBuf};

/// `wharf svc` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a service manifest.
    Init(InitArgs),
    /// List the workspace's services.
    Ls(super::remote::LsArgs),
    /// Write the service's CloudFormation template and parameters for an environment (no AWS access).
    Package(PackageArgs),
    /// Build and push the service's image if needed, create or update its stack, and follow the ECS rollout.
    Deploy(DeployArgs),
    /// Delete the service's stack from an environment.
    Delete(DeleteArgs),
    /// Task counts, deployments and recent events of a deployed service.
    Status(StatusArgs),
    /// What a deployed service runs: URL, task definition, variables, secret names.
    Show(ShowArgs),
    /// Return to the last successful deployment (or `--to` a revision), through CloudFormation.
    Rollback(super::rollback::Args),
}

/// `wharf svc status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Which service.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Follow the deployment in progress to its end, as `svc deploy` would (exit codes
    /// 0, 3 or 4); also after Ctrl-C or `--detach`.
    #[arg(long)]
    pub watch: bool,
}

/// `wharf svc show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Which service.
    #[command(flatten)]
    pub target: TargetArgs,
    /// List the service stack's resources too (logical ID, type, physical ID).
    #[arg(long)]
    pub resources: bool,
}

/// `wharf svc delete`.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// Service name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name; without it, every environment of the workspace it is deployed
    /// to (as Copilot did; one question, or `--yes`).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `wharf svc deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Service name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// Image options (services built from a Dockerfile).
    #[command(flatten)]
    pub images: super::images::ImageFlags,
    /// How to follow the rollout.
    #[command(flatten)]
    pub rollout: super::remote::RolloutFlags,
    /// How to deploy.
    #[command(flatten)]
    pub flags: super::remote::DeployFlags,
}

/// `wharf svc init` (also the service part of `wharf init`).
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Service name.
    #[arg(short, long)]
    pub name: Option<String>,
    /// Service type: "Load Balanced Web Service", "Backend Service", "Worker Service" or "Scheduled Job".
    #[arg(short = 't', long = "svc-type", visible_alias = "type")]
    pub svc_type: Option<String>,
    /// Dockerfile to build the image from.
    #[arg(short, long, conflicts_with = "image")]
    pub dockerfile: Option<PathBuf>,
    /// Existing image to run instead of building one.
    #[arg(short, long)]
    pub image: Option<String>,
    /// Port the container listens on, 1 to 65535 (default: the Dockerfile's EXPOSE).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// A Worker Service's subscriptions, `<service>:<topic>` (comma separated), written
    /// as its `subscribe.topics` (Copilot's flag).
    #[arg(long, value_delimiter = ',', value_parser = parse_subscription)]
    pub subscribe_topics: Vec<(String, String)>,
    /// Accepted for Copilot's scripts: wharf asks nothing about subscriptions.
    #[arg(long, hide = true, conflicts_with = "subscribe_topics")]
    pub no_subscribe: bool,
    /// Accepted for Copilot's scripts (wharf has no version check).
    #[arg(long, hide = true)]
    pub allow_downgrade: bool,
}

/// `--subscribe-topics`: `<service>:<topic>`.
fn parse_subscription(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((svc, topic)) if !svc.is_empty() && !topic.is_empty() => {
            Ok((svc.to_string(), topic.to_string()))
        }
        _ => Err(format!("`{s}` is not `<service>:<topic>`")),
    }
}

/// `wharf svc package`.
#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// Service name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// Write `<svc>-<env>.stack.yml` and `<svc>-<env>.params.json` here instead of printing the template.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Digest (`sha256:…`) of the image to deploy, for a service built from a Dockerfile
    /// (`wharf push` prints it); `SIDECAR=sha256:…` for a sidecar wharf builds. May be
    /// repeated. Without one, the parameters file leaves that image's parameter out
    /// (`ImageDigest`, `ImageDigestFor<Sidecar>`).
    #[arg(long, value_parser = parse_digest)]
    pub digest: Vec<(Option<String>, String)>,
    /// Reference the images wharf builds by this tag (`wharf push --tag`) instead of by
    /// digest: the template takes `ImageTag` (a sidecar's image is `<sidecar>-<tag>`),
    /// and the parameters file gives it.
    #[arg(long, conflicts_with = "digest", value_parser = super::images::parse_tag)]
    pub tag: Option<String>,
    /// Upload the environment files and addons templates to the application's bucket,
    /// and fill their parameters (this calls AWS; without it the package is offline and
    /// leaves them for whoever deploys it).
    #[arg(long)]
    pub upload_assets: bool,
    /// Compare the template with the deployed stack's and print the difference instead
    /// of the template: exit 0 when nothing differs, 1 when something does (or the stack
    /// does not exist), 2 when no comparison could be made (Copilot's `--diff`).
    #[arg(long, conflicts_with_all = ["output_dir", "upload_assets"])]
    pub diff: bool,
    /// Accepted for Copilot's scripts (wharf has no version check).
    #[arg(long, hide = true)]
    pub allow_downgrade: bool,
    /// AWS connection (with `--upload-assets` or `--diff`).
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `svc package --upload-assets`: reads the service's environment files and addons as a
/// deploy does, and uploads them to the application's bucket, adding their object ARNs
/// and URL to `inputs`.
fn upload(
    ui: &Ui,
    ws: &mut crate::manifest::workspace::Workspace,
    name: &str,
    env: &str,
    aws: &super::remote::AwsArgs,
    inputs: &mut crate::compile::workspace::DeployInputs,
) -> Result<(), WharfError> {
    let (files, addons) = crate::release::assets::read(ws, &[name.to_string()], env);
    context::report(ui, ws)?;
    let app = super::remote::app_name(ws);
    super::remote::block_on(async {
        let client = super::remote::connect(ws, env, aws).await?;
        crate::release::assets::upload(&client, &app, files, inputs).await?;
        crate::release::assets::upload_addons(&client, &app, addons, inputs).await
    })
}

/// `--digest`: `sha256:…` (the main container), or `SIDECAR=sha256:…`.
fn parse_digest(s: &str) -> Result<(Option<String>, String), String> {
    let (container, digest) = match s.split_once('=') {
        Some(("", _)) => return Err("a sidecar's name goes before `=`: `SIDECAR=sha256:…`".into()),
        Some((c, d)) => (Some(c.to_string()), d),
        None => (None, s),
    };
    if crate::image::engine::is_digest(digest) {
        Ok((container, digest.to_string()))
    } else {
        Err("expected `sha256:` and 64 hex digits, or `SIDECAR=sha256:…`".to_string())
    }
}

/// Runs `wharf svc …`.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    use context::{Kind, fill_target};
    match cmd {
        Command::Init(a) => init(a, ui),
        Command::Ls(a) => ls(a, ui),
        Command::Package(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Service)?;
            package(a, ui)
        }
        Command::Deploy(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Service)?;
            deploy(a, ui)
        }
        Command::Delete(mut a) => {
            context::fill(ui, &mut a.name, Kind::Service, "--name")?;
            delete_from(a, ui)
        }
        Command::Status(mut a) => {
            fill_target(ui, &mut a.target.name, &mut a.target.env, Kind::Service)?;
            super::status::svc_status(ui, &a.target, a.watch)
        }
        Command::Show(mut a) => {
            context::fill(ui, &mut a.target.name, Kind::Service, "--name")?;
            let envs = if a.target.env.is_empty() {
                deployed_in(ui, &a.target.name, &a.target.aws)?
            } else {
                vec![a.target.env.clone()]
            };
            for env in envs {
                super::status::svc_show(ui, &a.target.name, &env, &a.target.aws, a.resources)?;
            }
            Ok(())
        }
        Command::Rollback(mut a) => {
            fill_target(ui, &mut a.name, &mut a.env, Kind::Service)?;
            super::rollback::run(a, ui)
        }
    }
}

/// The environments of the workspace where `name`'s stack is deployed, for a command
/// given no `-e`: the only environment when there is one (said); deployed nowhere is
/// refused (exit 1).
///
/// # Errors
/// No workspace, AWS errors, or deployed nowhere.
fn deployed_in(
    ui: &Ui,
    name: &str,
    aws: &super::remote::AwsArgs,
) -> Result<Vec<String>, WharfError> {
    use super::remote;
    let ws = context::load(ui)?;
    let envs = ws.env_names();
    if envs.len() <= 1 {
        let mut env = String::new();
        context::fill(ui, &mut env, context::Kind::Environment, "--env")?;
        return Ok(vec![env]);
    }
    context::require_service(&ws, name)?;
    let app = remote::app_name(&ws);
    let found: Vec<String> = remote::block_on(super::status::stacks_per_env(&ws, aws, |e| {
        crate::compile::service_stack_name(&app, e, name)
    }))?
    .into_iter()
    .filter(|(_, stack)| stack.is_some())
    .map(|(e, _)| e)
    .collect();
    if found.is_empty() {
        return Err(WharfError::Refused {
            message: format!(
                "`{name}` is deployed to no environment of the workspace ({})",
                envs.join(", ")
            ),
            help: None,
        });
    }
    Ok(found)
}

/// `delete` with `-e`, or, without it as Copilot did, from every environment of the
/// workspace its stack is deployed in (asked once, listing them; the only environment
/// when there is one).
///
/// # Errors
/// As [`delete`]; deployed nowhere is refused (nothing was deleted).
pub(super) fn delete_from(mut a: DeleteArgs, ui: &Ui) -> Result<(), WharfError> {
    if !a.env.is_empty() {
        return delete(a, ui);
    }
    let name = a.name.clone();
    let deployed = deployed_in(ui, &name, &a.aws).map_err(|e| match e {
        WharfError::Refused { message, help } => WharfError::Refused {
            message: format!("{message}: nothing was deleted"),
            help,
        },
        other => other,
    })?;
    if deployed.len() == 1 {
        a.env = deployed[0].clone();
        return delete(a, ui);
    }
    stacks::confirm_delete(
        ui,
        &format!(
            "`{name}` from environment(s) {} (every one it is deployed to; `-e` names one)",
            deployed.join(", ")
        ),
        ui.yes(),
    )?;
    let once = ui.with_yes(true);
    for env in deployed {
        delete(
            DeleteArgs {
                name: name.clone(),
                env,
                aws: a.aws.clone(),
            },
            &once,
        )?;
    }
    Ok(())
}

pub(super) fn delete(a: DeleteArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let DeleteArgs { name, env, aws } = a;
    let yes = ui.yes();
    let mut ws = remote::load_for_env(ui, &env)?;
    let app = remote::app_name(&ws);
    let stack = crate::compile::service_stack_name(&app, &env, &name);
    // Workers of the workspace that subscribe to this workload's topics.
    let subscribers: Vec<String> = ws
        .service_names()
        .into_iter()
        .filter(|w| {
            ws.service(w, Some(&env)).is_some_and(|m| {
                m.subscribe()
                    .is_some_and(|s| s.topics.iter().any(|t| t.value.service.value == name))
            })
        })
        .collect();
    if subscribers.is_empty() {
        stacks::confirm_delete(
            ui,
            &format!("service `{name}` from environment `{env}` (stack {stack})"),
            yes,
        )?;
    }
    remote::block_on(async {
        let client = remote::connect(&ws, &env, &aws).await?;
        if !subscribers.is_empty() {
            // Asked only once it is known the delete may go ahead.
            refuse_deleting_a_publisher(&client, &app, &env, &name, &subscribers).await?;
            stacks::confirm_delete(
                ui,
                &format!("service `{name}` from environment `{env}` (stack {stack})"),
                yes,
            )?;
        }
        let owner = remote::Owner::service(&app, &env, &name);
        stacks::delete_stacks(
            ui,
            &client,
            &app,
            &[(stack, owner)],
            &remote::options(ui, false),
        )
        .await
    })
}

/// Deleting a publisher deletes its topics and with them the subscriptions of deployed
/// workers, which their stacks would not notice (a redeploy of the publisher would leave
/// them subscribed to nothing): refused while such a worker is deployed.
async fn refuse_deleting_a_publisher(
    client: &crate::aws::Aws,
    app: &str,
    env: &str,
    name: &str,
    subscribers: &[String],
) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    for w in subscribers {
        let worker_stack = crate::compile::service_stack_name(app, env, w);
        if client.describe(&worker_stack).await?.is_some() {
            return Err(WharfError::Refused {
                message: format!(
                    "`{w}` subscribes to topics of `{name}` and is deployed in `{env}`: deleting `{name}` would delete its topics and leave `{w}` subscribed to nothing; nothing was deleted"
                ),
                help: Some(format!(
                    "delete `{w}` first (`wharf svc delete -n {w} -e {env}`), or remove its subscriptions to `{name}` and deploy it"
                )),
            });
        }
    }
    Ok(())
}

pub(super) fn deploy(a: DeployArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let DeployArgs {
        name,
        env,
        images,
        rollout,
        flags,
    } = a;
    let (diff, yes) = flags.diff_and_yes(ui);
    let super::remote::DeployFlags {
        wait_in_progress,
        wait_lock,
        diff: _,
        diff_yes: _,
        no_rollback,
        resource_tags,
        allow_downgrade: _,
        aws,
    } = flags;
    let mut ws = remote::load_for_env(ui, &env)?;
    context::require_service(&ws, &name)?;
    let job = ws.service_type(&name).as_deref() == Some(ServiceType::ScheduledJob.as_str());
    remote::block_on(async {
        // Ctrl-C is wired in on the runtime.
        let mut options = crate::release::options(ui, wait_in_progress);
        rollout.apply(&mut options);
        options.disable_rollback = no_rollback;
        let request = crate::release::Request {
            env: env.clone(),
            workloads: vec![name.clone()],
            environment: crate::release::EnvStack::Require,
            images: images.options(),
            concurrency: 1,
            options,
            lock: crate::release::stacks::Lock::from_flag(wait_lock),
            yes,
            diff,
            tags: resource_tags,
            after: Default::default(),
            aws: aws.options(),
        };
        crate::release::run(ui, &mut ws, request).await
    })?;
    if job {
        ui.note(format!(
            "Next: `wharf job run -n {name} -e {env} --follow` runs it now."
        ));
    } else {
        ui.note(format!("Next: `wharf svc status -n {name} -e {env}` shows its tasks and deployments; `wharf svc show -n {name} -e {env}` what it runs."));
    }
    Ok(())
}

/// Parses a `--svc-type` value.
pub fn parse_type(t: &str) -> Result<ServiceType, WharfError> {
    if let Some(k) = ServiceType::parse(t) {
        return Ok(k);
    }
    let all = ServiceType::ALL
        .iter()
        .map(|k| format!("\"{}\"", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let help = if UNSUPPORTED_TYPES.contains(&t) {
        format!("`{t}` is not supported by wharf yet; use one of {all}")
    } else {
        format!("use one of {all}")
    };
    Err(WharfError::usage(
        format!("unknown service type `{t}`"),
        Some(help),
    ))
}

/// What `svc init` and `init` both need to write a service.
pub struct NewService {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: ServiceType,
    /// Dockerfile, as given.
    pub dockerfile: Option<PathBuf>,
    /// Image.
    pub image: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// A job's `on.schedule` (`job init --schedule`).
    pub schedule: Option<String>,
    /// A job's `retries` (`--retries`).
    pub retries: Option<u32>,
    /// A job's `timeout` (`--timeout`).
    pub timeout: Option<String>,
    /// A worker's subscriptions, `(service, topic)` (`--subscribe-topics`).
    pub topics: Vec<(String, String)>,
}

/// Writes `<workspace>/<name>/manifest.yml`. The Dockerfile path is written relative to
/// the project directory (the workspace's parent), where builds run.
pub fn create(ws_dir: &Path, s: NewService, ui: &Ui) -> Result<(), WharfError> {
    let (file, spec) = prepare(ws_dir, s)?;
    super::init::valid_in_workspace(ws_dir, &file)?;
    scaffold::write_all_new(std::slice::from_ref(&file))?;
    report_created(&file, &spec, ui);
    Ok(())
}

/// Reads the Dockerfile (for its `EXPOSE`d port), checks that a Load Balanced Web
/// Service has a port, and renders `<workspace>/<name>/manifest.yml`.
pub fn prepare(
    ws_dir: &Path,
    s: NewService,
) -> Result<(scaffold::NewFile, ServiceSpec), WharfError> {
    check_service_name(&s.name)?;
    let project = ws_dir.parent().unwrap_or(ws_dir);
    let cwd = context::cwd()?;
    let dockerfile = match &s.dockerfile {
        Some(d) => {
            let abs = cwd.join(d);
            let text = std::fs::read_to_string(&abs).map_err(|e| WharfError::io("read", d, e))?;
            let rel = abs
                .strip_prefix(project)
                .map(Path::to_path_buf)
                .unwrap_or(abs.clone());
            Some((rel.display().to_string(), scaffold::exposed_port(&text)))
        }
        None => None,
    };
    if s.port.is_some() && !crate::manifest::service::has_port(s.kind) {
        return Err(WharfError::usage(
            format!(
                "a {} listens on no port: `--port` is for the service types that receive requests",
                s.kind.as_str()
            ),
            Some("leave out `--port`".to_string()),
        ));
    }
    let port = s.port.or(dockerfile.as_ref().and_then(|d| d.1));
    if port.is_none() && s.kind == ServiceType::LoadBalancedWebService {
        return Err(WharfError::usage(
            "a Load Balanced Web Service needs the port its container listens on",
            Some("pass `--port`, or add an EXPOSE line to the Dockerfile".to_string()),
        ));
    }
    let spec = ServiceSpec::new(
        s.name.clone(),
        s.kind,
        dockerfile.map(|d| d.0),
        s.image,
        port,
    )
    .with_schedule(s.schedule);
    let spec = ServiceSpec {
        retries: s.retries,
        timeout: s.timeout,
        topics: s.topics,
        ..spec
    };
    let file = scaffold::NewFile {
        path: ws_dir.join(&s.name).join("manifest.yml"),
        text: scaffold::service_manifest(&spec)?,
    };
    Ok((file, spec))
}

/// A service name must be a valid name and not `environments`, the workspace directory
/// that holds environment manifests (a service there would be invisible).
pub fn check_service_name(name: &str) -> Result<(), WharfError> {
    super::app::check_name(name)?;
    if name == "environments" {
        return Err(WharfError::usage(
            "`environments` cannot be a service name: the workspace keeps environment manifests in `environments/`",
            Some("choose another name".to_string()),
        ));
    }
    Ok(())
}

/// Says that the service manifest was written.
pub fn report_created(file: &scaffold::NewFile, spec: &ServiceSpec, ui: &Ui) {
    ui.result(format!(
        "Created {} `{}` in {}",
        spec.kind,
        spec.name,
        file.path.display()
    ));
    ui.event("created", &serde_json::json!({"kind": "service", "name": spec.name, "type": spec.kind, "path": file.path}));
}

/// Asks for whatever `svc init` / `init` did not get as flags.
pub fn complete(ui: &Ui, args: InitArgs) -> Result<NewService, WharfError> {
    let InitArgs {
        name,
        svc_type,
        dockerfile,
        image,
        port,
        subscribe_topics,
        no_subscribe: _,
        allow_downgrade: _,
    } = args;
    let job = svc_type
        .as_deref()
        .and_then(ServiceType::parse)
        .is_some_and(|t| t == ServiceType::ScheduledJob);
    let name = match name {
        Some(n) => n,
        None if job => ui.ask_text("Job name", None, "--name", "a job name")?,
        None => ui.ask_text("Service name", None, "--name", "a service name")?,
    };
    let kind = match svc_type {
        Some(t) => parse_type(&t)?,
        None => {
            let types = [
                ServiceType::LoadBalancedWebService,
                ServiceType::BackendService,
                ServiceType::WorkerService,
            ];
            let labels: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            types[ui.ask_select("Service type", &labels, "--svc-type", "a service type")?]
        }
    };
    let (dockerfile, image) = match (dockerfile, image) {
        (None, None) => {
            let answer = ui.ask_text(
                "Dockerfile path or image (e.g. ./Dockerfile or nginx:latest)",
                Some("./Dockerfile"),
                "--dockerfile or --image",
                "a Dockerfile or an image",
            )?;
            if Path::new(&answer).is_file() {
                (Some(PathBuf::from(answer)), None)
            } else {
                (None, Some(answer))
            }
        }
        other => other,
    };
    if !subscribe_topics.is_empty() && kind != ServiceType::WorkerService {
        return Err(WharfError::usage(
            format!(
                "`--subscribe-topics` is for a Worker Service, and {name} is a {}",
                kind.as_str()
            ),
            Some("pass `--svc-type \"Worker Service\"`, or leave out `--subscribe-topics`".into()),
        ));
    }
    Ok(NewService {
        name,
        kind,
        dockerfile,
        image,
        port,
        schedule: None,
        retries: None,
        timeout: None,
        topics: subscribe_topics,
    })
}

pub(super) fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    let ws = context::load(ui)?;
    let s = complete(ui, a)?;
    let name = s.name.clone();
    create(&ws.location.dir, s, ui)?;
    ui.note(format!(
        "Next: `wharf svc package -n {name} -e <env>` to see its CloudFormation template."
    ));
    Ok(())
}

pub(super) fn ls(a: super::remote::LsArgs, ui: &Ui) -> Result<(), WharfError> {
    let super::remote::LsArgs { local, aws } = a;
    if !local {
        return super::status::svc_ls(ui, &aws);
    }
    let ws = context::load(ui)?;
    let rows: Vec<serde_json::Value> = ws
        .service_names()
        .iter()
        .map(|n| serde_json::json!({"name": n, "type": ws.service_type(n), "environment_overrides": ws.override_envs(n)}))
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r["name"].as_str().unwrap_or("").to_string(),
                r["type"].as_str().unwrap_or("?").to_string(),
            ]
        })
        .collect();
    context::report(ui, &ws)?;
    ui.data(&crate::ui::table(&["NAME", "TYPE"], &cells));
    ui.event("services", &rows);
    Ok(())
}

pub(super) fn package(a: PackageArgs, ui: &Ui) -> Result<(), WharfError> {
    let PackageArgs {
        name,
        env,
        output_dir,
        digest,
        tag,
        upload_assets,
        diff,
        allow_downgrade: _,
        aws,
    } = a;
    let mut ws = context::load(ui)?;
    context::require_service(&ws, &name)?;
    context::require_env(&ws, &env)?;
    let mut by_container = std::collections::BTreeMap::new();
    for (c, d) in digest {
        let c = c.unwrap_or_else(|| name.clone());
        if by_container.insert(c.clone(), d).is_some() {
            return Err(WharfError::usage(
                format!("`--digest` is given twice for container {c}"),
                None,
            ));
        }
    }
    let digests: crate::compile::workspace::Digests = [(name.clone(), by_container)].into();
    let mut inputs = crate::compile::workspace::DeployInputs::from(digests.clone());
    inputs.image_tag = tag;
    if upload_assets {
        upload(ui, &mut ws, &name, &env, &aws, &mut inputs)?;
    }
    let pkg = crate::compile::workspace::package_service(&mut ws, &name, &env, &inputs)?;
    if pkg.is_some()
        && let Some(m) = ws.service(&name, Some(&env))
    {
        let built: Vec<&str> = m.built_sidecars().into_iter().map(|(n, _)| n).collect();
        if m.task.image.location.is_some() && digests[&name].contains_key(&name) {
            ui.warn(format!(
                "`--digest sha256:…` is not used: it is for an image wharf builds, and {name} runs `image.location` in {env} (a built sidecar's digest is `SIDECAR=sha256:…`)"
            ));
        }
        if let Some(c) = digests[&name]
            .keys()
            .find(|c| **c != name && !built.contains(&c.as_str()))
        {
            return Err(WharfError::usage(
                format!("`--digest {c}=…`: {name} has no sidecar {c} whose image wharf builds"),
                Some(if built.is_empty() {
                    format!(
                        "{name} builds no sidecar image; `--digest sha256:…` is the main container's"
                    )
                } else {
                    format!("its built sidecars: {}", built.join(", "))
                }),
            ));
        }
        // The environment files are checked as a deploy would, though not uploaded.
        ws.env_files(&m);
    }
    context::report(ui, &ws)?;
    let pkg = pkg.ok_or(WharfError::InvalidManifest { errors: 1 })?;
    if diff {
        return context::package_diff(ui, &ws, &env, &aws, pkg);
    }
    context::emit_package(ui, &pkg, output_dir.as_deref())
}
