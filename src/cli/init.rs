//! `wharf init`: application, one service and one environment in one guided go. Every
//! question has a flag; without a terminal a missing answer is an error naming its flag.

use super::{app, env, svc};
use crate::error::WharfError;
use crate::scaffold::{AppSpec, EnvSpec};
use crate::ui::Ui;

/// `wharf init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Application name.
    #[arg(short, long)]
    pub app: Option<String>,
    /// The service: name, type, Dockerfile or image, port.
    #[command(flatten)]
    pub service: svc::InitArgs,
    /// Name of the first environment.
    #[arg(short, long = "env", default_value = "test")]
    pub env: String,
    /// AWS region of the application and its first environment.
    #[arg(long)]
    pub region: Option<String>,
}

/// Runs `wharf init`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args {
        app: app_name,
        service,
        env: env_name,
        region,
    } = a;
    let app_name = match app_name {
        Some(a) => a,
        None => ui.ask_text("Application name", None, "--app", "an application name")?,
    };
    app::check_name(&app_name)?;
    let service = svc::complete(ui, service)?;
    let region = region
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
    app::create(
        &AppSpec {
            name: app_name,
            region,
            ..AppSpec::default()
        },
        ui,
    )?;
    let ws_dir = super::context::cwd()?.join("wharf");
    let svc_name = service.name.clone();
    svc::create(&ws_dir, service, ui)?;
    env::create(
        &ws_dir,
        &EnvSpec {
            name: env_name.clone(),
            ..EnvSpec::default()
        },
        ui,
    )?;
    ui.note(format!(
        "Next: `wharf validate`, then `wharf env package -n {env_name}` and `wharf svc package -n {svc_name} -e {env_name}` to see the CloudFormation."
    ));
    Ok(())
}
