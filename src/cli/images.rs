//! The flags of the commands that make images (`build`, `push`, `svc deploy`,
//! `deploy`), and loading the builds `build` and `push` make; the pipeline itself is
//! `release::images`.

use crate::error::WharfError;
use crate::image::engine::EngineKind;
use crate::image::spec::BuildSpec;
use crate::manifest::workspace::Workspace;
use crate::release::images::ImageOptions;
pub use crate::release::images::{publish, ready, specs};
use crate::ui::Ui;

/// Flags of commands that build images.
#[derive(Debug, Clone, clap::Args)]
pub struct ImageFlags {
    /// Tag for images wharf builds (default: the git commit, with `-dirty` when the tree
    /// has changes; a content hash outside git). Stacks deploy the pushed digest.
    #[arg(long, value_parser = parse_tag)]
    pub tag: Option<String>,
    /// Build and push even when the repository already has an image for the same inputs.
    #[arg(long)]
    pub force_build: bool,
    /// Container engine: `docker` (the docker CLI, against DOCKER_HOST or its current
    /// context: Docker, or podman's docker-compatible socket) or `podman`.
    #[arg(long, value_enum, env = crate::image::engine::ENGINE_VAR, default_value = "docker")]
    pub engine: EngineKind,
}

/// `--tag`: an image tag (Docker's and ECR's rule).
pub fn parse_tag(s: &str) -> Result<String, String> {
    if crate::image::pipeline::valid_tag(s) {
        Ok(s.to_string())
    } else {
        Err("an image tag is up to 128 letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`".into())
    }
}

impl ImageFlags {
    /// The options these flags say.
    pub fn options(&self) -> ImageOptions {
        ImageOptions {
            tag: self.tag.clone(),
            force_build: self.force_build,
            engine: self.engine,
        }
    }
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
