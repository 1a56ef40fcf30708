//! `wharf completion`: shell completion scripts.

use crate::error::WharfError;
use crate::ui::Ui;
use clap::CommandFactory;

/// `wharf completion`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shell to complete for.
    pub shell: clap_complete::Shell,
}

/// Runs `wharf completion`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut super::Cli::command(), "wharf", &mut out);
    ui.data(&String::from_utf8_lossy(&out));
    Ok(())
}
