//! The images of a release: the builds of the chosen workloads, the local checks before
//! anything remote happens, and building and pushing them with the reporter that fits
//! the output. Used by `release::run` and by `wharf build`/`wharf push`.

use crate::aws::Aws;
use crate::compile::workspace::Digests;
use crate::error::WharfError;
use crate::image::engine::{EngineKind, ProcessRunner};
use crate::image::pipeline::{self, Options, Published};
use crate::image::spec::{BuildSpec, build_specs};
use crate::manifest::workspace::Workspace;
use crate::ui::Ui;
use std::path::PathBuf;

/// How images are made: the flags of the commands that build them, resolved.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    /// Tag for images wharf builds (`None`: the git commit, or a content hash).
    pub tag: Option<String>,
    /// Build and push even when the repository has an image for the same inputs.
    pub force_build: bool,
    /// Which container engine builds.
    pub engine: EngineKind,
}

/// The workspace root: paths in `image.build` are relative to it.
pub fn root(ws: &Workspace) -> PathBuf {
    ws.location
        .dir
        .parent()
        .map_or_else(|| ws.location.dir.clone(), std::path::Path::to_path_buf)
}

/// The builds of services `names` in `env` (base manifests without `env`): main
/// containers' and sidecars'; and the services that build nothing (their main container
/// runs an existing image, `image.location`, and no sidecar has `image.build`).
pub fn specs(
    ws: &mut Workspace,
    names: &[String],
    env: Option<&str>,
) -> (Vec<BuildSpec>, Vec<String>) {
    let (root, app) = (root(ws), crate::compile::workspace::app_name(ws));
    let mut specs = Vec::new();
    let mut prebuilt = Vec::new();
    // Without an environment, the manifests are checked as each environment has them
    // (a base value every environment overrides is no error), and the builds come from
    // the manifests without overrides.
    let per_env = env.is_none() && !ws.env_names().is_empty();
    if per_env {
        ws.validate_all(None);
    }
    for n in names {
        let m = if per_env {
            ws.service_unchecked(n)
        } else {
            ws.service(n, env)
        };
        if let Some(m) = m {
            let built = build_specs(&root, &app, &m);
            if built.is_empty() {
                prebuilt.push(n.clone());
            }
            specs.extend(built);
        }
    }
    (specs, prebuilt)
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
/// A missing Dockerfile or context (exit 2), no engine or one that is down (exit 1), a
/// Ctrl-C while the engine is checked (exit 130).
pub async fn ready(specs: Vec<BuildSpec>, flags: &ImageOptions) -> Result<Ready, WharfError> {
    if specs.is_empty() {
        return Ok(Ready {
            specs,
            engine: None,
        });
    }
    for s in &specs {
        pipeline::check_paths(s)?;
    }
    // A Ctrl-C reaches the engine's check too (one process group): it is the user's
    // stop, not an engine that is down.
    let engine = tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => {
            return Err(WharfError::Interrupted { during: "checking the container engine" });
        }
        r = pipeline::prepare(flags.engine, &ProcessRunner) => r?,
    };
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
    flags: &ImageOptions,
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
        repository_tags: [(
            "wharf-application".to_string(),
            crate::compile::workspace::app_name(ws),
        )]
        .into(),
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

/// The digests to deploy, by service and container.
pub fn digests(published: &[Published]) -> Digests {
    let mut out = Digests::new();
    for p in published {
        if let Some(d) = &p.digest {
            let container = p.sidecar.clone().unwrap_or_else(|| p.service.clone());
            out.entry(p.service.clone())
                .or_default()
                .insert(container, d.clone());
        }
    }
    out
}
