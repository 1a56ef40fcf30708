//! `wharf schema`: the JSON Schema of the manifests, for editors.

use crate::error::WharfError;
use crate::manifest::schema::{self, Kind};
use crate::ui::Ui;

/// Which schema.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaKind {
    /// Any of the three (the default).
    All,
    /// Service manifests.
    Service,
    /// Environment manifests.
    Environment,
    /// The application manifest.
    Application,
}

/// `wharf schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which manifest to describe.
    #[arg(long, value_enum, default_value_t = SchemaKind::All)]
    pub kind: SchemaKind,
}

/// Runs `wharf schema`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args { kind } = a;
    let s = match kind {
        SchemaKind::All => schema::combined(),
        SchemaKind::Service => schema::schema(Kind::Service),
        SchemaKind::Environment => schema::schema(Kind::Environment),
        SchemaKind::Application => schema::schema(Kind::Application),
    };
    let mut text = serde_json::to_string_pretty(&s).expect("a schema serializes");
    text.push('\n');
    ui.data(&text);
    ui.event("schema", &s);
    Ok(())
}
