//! `wharf package`: every stack of one environment at once (its own, then its
//! services'), for pipelines that deploy the templates themselves. Offline, as `env
//! package` and `svc package` are.

use super::context;
use crate::error::WharfError;
use crate::ui::Ui;
use std::path::PathBuf;

/// `wharf package`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment whose stacks to write.
    #[arg(short, long = "env")]
    pub env: String,
    /// Services to package (repeat the flag, or separate with commas).
    #[arg(short, long = "name", value_delimiter = ',')]
    pub names: Vec<String>,
    /// Every service of the workspace.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// Write `<env>.stack.yml`, `<svc>-<env>.stack.yml` and their `.params.json` here.
    #[arg(long)]
    pub output_dir: PathBuf,
    /// Reference the images wharf builds by this tag (`wharf push --tag`) instead of by
    /// digest (`ImageTag`; without it, `ImageDigest` is left for whoever deploys).
    #[arg(long, value_parser = super::images::parse_tag)]
    pub tag: Option<String>,
}

/// Runs `wharf package`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args {
        env,
        names,
        all,
        output_dir,
        tag,
    } = a;
    if !all && names.is_empty() {
        return Err(WharfError::usage(
            "name the services to package (`--name`), or pass `--all`",
            Some(format!("`wharf package -e {env} --all --output-dir DIR`")),
        ));
    }
    let mut ws = context::load(ui)?;
    context::require_env(&ws, &env)?;
    for n in &names {
        context::require_service(&ws, n)?;
    }
    let inputs = crate::compile::workspace::DeployInputs {
        image_tag: tag,
        ..Default::default()
    };
    let packages = crate::compile::workspace::package_all(&mut ws, &env, &inputs)?;
    context::report(ui, &ws)?;
    let packages = packages.ok_or(WharfError::InvalidManifest { errors: 1 })?;
    let chosen: Vec<String> = if all { ws.service_names() } else { names };
    let mut packages = packages.into_iter();
    if let Some(env_pkg) = packages.next() {
        context::emit_package(ui, &env_pkg, Some(&output_dir))?;
    }
    for (name, pkg) in ws.service_names().iter().zip(packages) {
        if chosen.contains(name) {
            context::emit_package(ui, &pkg, Some(&output_dir))?;
        }
    }
    Ok(())
}
