//! `wharf push`: build service images if needed and push them to their ECR
//! repositories; prints each pushed image by digest.

use super::{images, remote};
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf push`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Services to push (repeat for several; default: every service built from a Dockerfile).
    #[arg(short, long = "name")]
    pub names: Vec<String>,
    /// Environment whose overrides, region and account apply.
    #[arg(short, long = "env")]
    pub env: Option<String>,
    /// How many images to build and push at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Image options.
    #[command(flatten)]
    pub images: images::ImageFlags,
    /// AWS connection.
    #[command(flatten)]
    pub aws: remote::AwsArgs,
}

/// Runs `wharf push`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let (ws, specs) = images::load(ui, a.names, a.env.as_deref())?;
    let pushed = remote::block_on(async {
        let ready = images::ready(specs, &a.images.options()).await?;
        let client = remote::connect_to(&ws, a.env.as_deref(), &a.aws).await?;
        images::publish(
            ui,
            &ws,
            Some(&client),
            ready,
            &a.images.options(),
            usize::from(a.concurrency),
        )
        .await
    })?;
    for p in &pushed {
        if let (Some(repo), Some(d)) = (&p.repository, &p.digest) {
            ui.data(&format!("{}\t{repo}@{d}\n", p.label()));
        }
    }
    ui.event("images", &pushed);
    Ok(())
}
