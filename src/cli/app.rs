//! `wharf app …`: applications.

use crate::error::WharfError;
use crate::manifest::workspace;
use crate::scaffold::{self, AppSpec};
use crate::ui::Ui;

/// `wharf app` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the application manifest (wharf/app.yml) in the current directory.
    Init(InitArgs),
}

/// `wharf app init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Application name (lower-case letters, digits and hyphens).
    pub name: String,
    /// Default AWS region for the application's environments.
    #[arg(long)]
    pub region: Option<String>,
    /// Domain name (a Route 53 hosted zone) for the application.
    #[arg(long)]
    pub domain: Option<String>,
    /// IAM policy used as permissions boundary for every role wharf creates.
    #[arg(long)]
    pub permissions_boundary: Option<String>,
    /// Tags for every stack, as key=value (repeat, or separate with commas).
    #[arg(long, value_delimiter = ',')]
    pub resource_tags: Vec<String>,
}

/// Runs `wharf app …`.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    match cmd {
        Command::Init(a) => init(a, ui),
    }
}

/// Parses `key=value` tags.
pub fn parse_tags(tags: &[String]) -> Result<Vec<(String, String)>, WharfError> {
    tags.iter()
        .map(|t| {
            t.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    WharfError::usage(
                        format!("`{t}` is not a key=value tag"),
                        Some(
                            "write tags like `--resource-tags team=web,cost-center=42`".to_string(),
                        ),
                    )
                })
        })
        .collect()
}

/// Creates `wharf/app.yml` under the current directory.
pub fn create(spec: &AppSpec, ui: &Ui) -> Result<(), WharfError> {
    let cwd = super::context::cwd()?;
    if let Some(loc) = workspace::find(&cwd) {
        return Err(WharfError::usage(
            format!(
                "this directory is already inside a workspace ({})",
                loc.dir.display()
            ),
            Some("run `wharf app init` in a project without one".to_string()),
        ));
    }
    let path = cwd.join("wharf").join("app.yml");
    scaffold::write_new(&path, &scaffold::app_manifest(spec)?)?;
    ui.success(format!(
        "Created application `{}` in wharf/app.yml",
        spec.name
    ));
    ui.event(
        "created",
        &serde_json::json!({"kind": "application", "name": spec.name, "path": "wharf/app.yml"}),
    );
    Ok(())
}

fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    let InitArgs {
        name,
        region,
        domain,
        permissions_boundary,
        resource_tags,
    } = a;
    let spec = AppSpec {
        name,
        region,
        domain,
        permissions_boundary,
        tags: parse_tags(&resource_tags)?,
    };
    check_name(&spec.name)?;
    create(&spec, ui)?;
    ui.note("Next: `wharf env init -n test` and `wharf svc init`.");
    Ok(())
}

/// Application and environment names: what `app.yml` validation accepts.
pub fn check_name(name: &str) -> Result<(), WharfError> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && name.len() <= 28;
    if ok {
        Ok(())
    } else {
        Err(WharfError::usage(format!("`{name}` is not a valid name"), Some("names start with a lower-case letter, use lower-case letters, digits and hyphens, and are at most 28 characters".to_string())))
    }
}
