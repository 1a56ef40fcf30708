//! `wharf build`: build service images locally, without AWS.

use super::images;
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Services to build (repeat for several; default: every service built from a Dockerfile).
    #[arg(short, long = "name")]
    pub names: Vec<String>,
    /// Environment whose overrides apply (`image.build` and `platform` may differ per environment).
    #[arg(short, long = "env")]
    pub env: Option<String>,
    /// How many images to build at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Image options.
    #[command(flatten)]
    pub images: images::ImageFlags,
}

/// Runs `wharf build`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let (ws, specs) = images::load(ui, a.names, a.env.as_deref())?;
    let built = super::remote::block_on(async {
        let ready = images::ready(specs, &a.images.options()).await?;
        images::publish(
            ui,
            &ws,
            None,
            ready,
            &a.images.options(),
            usize::from(a.concurrency),
        )
        .await
    })?;
    for p in &built {
        ui.data(&format!("{}\t{}\n", p.label(), p.image));
    }
    ui.event("images", &built);
    Ok(())
}
