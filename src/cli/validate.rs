//! `wharf validate`: every manifest, for every environment, after overrides.

use super::context;
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only this environment (default: every environment, and each service without overrides).
    #[arg(short, long = "env")]
    pub env: Option<String>,
}

/// Runs `wharf validate`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args { env } = a;
    let mut ws = context::load(ui)?;
    if let Some(e) = &env {
        context::require_env(&ws, e)?;
    }
    let valid = ws.validate_all(env.as_deref());
    // Environment files are read as a deploy reads them.
    for services in valid.values() {
        for m in services {
            ws.env_files(m);
        }
    }
    if !ws.diags.has_errors() {
        // One problem per override, naming the environments it misses in.
        let mut per_env = Vec::new();
        for (e, services) in &valid {
            per_env.push(crate::compile::workspace::check_overrides(
                &ws, e, services,
            )?);
        }
        let envs: Vec<String> = valid.keys().cloned().collect();
        ws.diags
            .extend(crate::manifest::diag::Diagnostics::merge_environments(
                per_env, &envs,
            ));
    }
    let summary = serde_json::json!({
        "services": ws.service_names(),
        "environments": env.as_ref().map_or_else(|| ws.env_names(), |e| vec![e.clone()]),
        "errors": ws.diags.error_count(),
        "warnings": ws.diags.warning_count(),
    });
    let result = context::report(ui, &ws);
    ui.event("summary", &summary);
    result?;
    let (s, e, w) = (
        ws.service_names().len(),
        summary["environments"].as_array().map_or(0, Vec::len),
        ws.diags.warning_count(),
    );
    ui.result(format!(
        "{s} service{} valid for {e} environment{}{}",
        if s == 1 { "" } else { "s" },
        if e == 1 { "" } else { "s" },
        if w > 0 {
            format!(" ({w} warning{})", if w == 1 { "" } else { "s" })
        } else {
            String::new()
        }
    ));
    Ok(())
}
