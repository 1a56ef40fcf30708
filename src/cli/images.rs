//! Wiring shared by the commands that make images (`build`, `push`, `svc deploy`,
//! `deploy`): their flags, the builds of the chosen services, and running the pipeline
//! with the reporter that fits the output.

use super::remote;
use crate::aws::Aws;
use crate::compile::workspace::Digests;
use crate::error::WharfError;
use crate::image::engine::{EngineKind, ProcessRunner};
use crate::image::pipeline::{self, Options, Published};
use crate::image::spec::{BuildSpec, build_spec};
use crate::manifest::workspace::Workspace;
use crate::ui::Ui;
use std::path::PathBuf;

/// Flags of commands that build images.
#[derive(Debug, Clone, clap::Args)]
pub struct ImageFlags {
    /// Tag for images wharf builds (default: the git commit, with `-dirty` when the tree
    /// has changes; a content hash outside git). Stacks deploy the pushed digest.
    #[arg(long)]
    pub tag: Option<String>,
    /// Build and push even when the repository already has an image for the same inputs.
    #[arg(long)]
    pub force_build: bool,
    /// Container engine: `docker` (the docker CLI, against DOCKER_HOST or its current
    /// context: Docker, or podman's docker-compatible socket) or `podman`.
    #[arg(long, value_enum, env = crate::image::engine::ENGINE_VAR, default_value = "docker")]
    pub engine: EngineKind,
}

/// The workspace root: paths in `image.build` are relative to it.
fn root(ws: &Workspace) -> PathBuf {
    ws.location
        .dir
        .parent()
        .map_or_else(|| ws.location.dir.clone(), std::path::Path::to_path_buf)
}

/// The builds of services `names` in `env` (base manifests without `env`), and the
/// services that run an existing image (`image.location`) and so have none.
pub fn specs(
    ws: &mut Workspace,
    names: &[String],
    env: Option<&str>,
) -> (Vec<BuildSpec>, Vec<String>) {
    let (root, app) = (root(ws), remote::app_name(ws));
    let mut specs = Vec::new();
    let mut prebuilt = Vec::new();
    for n in names {
        if let Some(m) = ws.service(n, env) {
            match build_spec(&root, &app, &m) {
                Some(s) => specs.push(s),
                None => prebuilt.push(n.clone()),
            }
        }
    }
    (specs, prebuilt)
}

/// For `build` and `push`: the workspace and the builds of `names` (every service when
/// empty) in `env`, after reporting manifest problems and the services that have nothing
/// to build.
pub fn load(
    ui: &Ui,
    names: Vec<String>,
    env: Option<&str>,
) -> Result<(Workspace, Vec<BuildSpec>), WharfError> {
    let mut ws = super::context::load(ui)?;
    let names = chosen(&ws, names, env)?;
    let (specs, prebuilt) = specs(&mut ws, &names, env);
    super::context::report(ui, &ws)?;
    note_prebuilt(ui, &prebuilt);
    Ok((ws, specs))
}

/// The services named (checked), or every service; the environment, if named, must exist.
fn chosen(
    ws: &Workspace,
    names: Vec<String>,
    env: Option<&str>,
) -> Result<Vec<String>, WharfError> {
    if let Some(e) = env {
        super::context::require_env(ws, e)?;
    }
    for n in &names {
        super::context::require_service(ws, n)?;
    }
    Ok(if names.is_empty() {
        ws.service_names()
    } else {
        names
    })
}

/// Says which of the services asked for run an existing image, so have nothing to build.
fn note_prebuilt(ui: &Ui, prebuilt: &[String]) {
    if !prebuilt.is_empty() {
        ui.note(format!(
            "{} run{} an existing image (`image.location`): nothing to build",
            prebuilt.join(", "),
            if prebuilt.len() == 1 { "s" } else { "" }
        ));
    }
}

/// Images whose local inputs were checked: every Dockerfile and context exists, and the
/// engine runs (`None` when there is nothing to build).
pub struct Ready {
    specs: Vec<BuildSpec>,
    engine: Option<crate::image::engine::Engine>,
}

/// The local checks before anything remote happens: the build paths of `specs`, then
/// the engine (`flags.engine`) answers.
///
/// # Errors
/// A missing Dockerfile or context (exit 2), no engine or one that is down (exit 1).
pub async fn ready(specs: Vec<BuildSpec>, flags: &ImageFlags) -> Result<Ready, WharfError> {
    if specs.is_empty() {
        return Ok(Ready {
            specs,
            engine: None,
        });
    }
    for s in &specs {
        pipeline::check_paths(s)?;
    }
    let engine = pipeline::prepare(flags.engine, &ProcessRunner).await?;
    Ok(Ready {
        specs,
        engine: Some(engine),
    })
}

/// Builds, and with `aws` pushes, the images [`ready`] checked, several at a time.
/// Fails when any image failed (each failure was reported as it happened).
pub async fn publish(
    ui: &Ui,
    ws: &Workspace,
    aws: Option<&Aws>,
    ready: Ready,
    flags: &ImageFlags,
    concurrency: usize,
) -> Result<Vec<Published>, WharfError> {
    let Ready {
        specs,
        engine: Some(engine),
    } = ready
    else {
        return Ok(Vec::new());
    };
    let runner = ProcessRunner;
    let root = root(ws);
    let git = tokio::task::spawn_blocking(move || crate::image::tag::git_state(&root))
        .await
        .ok()
        .flatten();
    let opts = Options {
        push: aws.is_some(),
        tag: flags.tag.clone(),
        force: flags.force_build,
        concurrency,
        git,
        repository_tags: [("wharf-application".to_string(), remote::app_name(ws))].into(),
        secrets: pipeline::secret_from_env,
    };
    let total = specs.len();
    let run = pipeline::publish(
        engine,
        runner,
        aws.cloned(),
        specs,
        opts,
        crate::ui::images::reporter(ui),
    );
    let results = tokio::select! {
        r = run => r?,
        _ = tokio::signal::ctrl_c() => {
            return Err(WharfError::Interrupted { during: "building images" });
        }
    };
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(p) => ok.push(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.len() == 1 && total == 1 {
        return Err(errors.remove(0).into());
    }
    if !errors.is_empty() {
        return Err(WharfError::ImagesFailed {
            failed: errors.len(),
            total,
            code: if errors.iter().all(|e| e.is_usage()) {
                2
            } else {
                1
            },
        });
    }
    Ok(ok)
}

/// The digests to deploy, by service.
pub fn digests(published: &[Published]) -> Digests {
    published
        .iter()
        .filter_map(|p| Some((p.service.clone(), p.digest.clone()?)))
        .collect()
}
