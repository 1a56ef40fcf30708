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
    let script = String::from_utf8_lossy(&out);
    ui.data(&script);
    // In JSON mode `data` prints nothing: the script is an event's field.
    ui.event(
        "completion",
        &serde_json::json!({"shell": a.shell.to_string(), "script": script}),
    );
    Ok(())
}
