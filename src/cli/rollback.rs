//! `wharf svc rollback`: return a service to its last successful deployment (from ECS's
//! deployment history), through CloudFormation: the deployed template with only the
//! image parameter changed, so the stack says what runs. The rollout is watched.

use super::{context, remote};
use crate::deploy::StackApi;
use crate::deploy::stack::StackSpec;
use crate::error::WharfError;
use crate::ui::Ui;
use crate::watch::poll::RolloutApi;

/// `wharf svc rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Service name.
    #[arg(short, long)]
    pub name: String,
    /// Environment name.
    #[arg(short, long = "env")]
    pub env: String,
    /// Return to this task definition revision (`7` or `family:7`), if it deployed
    /// successfully; default: the newest successful deployment running something else.
    #[arg(long)]
    pub to: Option<String>,
    /// How to follow the rollout.
    #[command(flatten)]
    pub rollout: remote::RolloutFlags,
    /// AWS connection.
    #[command(flatten)]
    pub aws: remote::AwsArgs,
}

/// The main container's image in a task definition: the one named like the service.
fn image_of(td: &crate::aws::ecs::TaskDefinitionInfo, service: &str) -> Option<String> {
    td.containers
        .iter()
        .find(|c| c.name == service)
        .or(td.containers.first())
        .map(|c| c.image.clone())
}

/// Runs `wharf svc rollback`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let ws = remote::load_for_env(ui, &a.env)?;
    context::require_service(&ws, &a.name)?;
    let app = remote::app_name(&ws);
    let stack = crate::compile::service_stack_name(&app, &a.env, &a.name);
    let (name, env) = (a.name.as_str(), a.env.as_str());
    remote::block_on(async {
        let client = remote::connect(&ws, env, &a.aws).await?;
        let not_deployed = || {
            WharfError::usage(
                format!("service `{name}` is not deployed in `{env}` (stack {stack})"),
                Some(format!(
                    "deploy it with `wharf svc deploy -n {name} -e {env}`"
                )),
            )
        };
        let owner = remote::Owner::service(&app, env, name);
        let info = client.describe(&stack).await?.ok_or_else(not_deployed)?;
        // Before anything else: the stack must be this service's, made by wharf.
        crate::deploy::owner::check(&info, &owner).map_err(WharfError::Deploy)?;
        let service = client
            .stack_service(&stack)
            .await?
            .ok_or_else(not_deployed)?;
        let state = client
            .service_state(&service)
            .await?
            .ok_or_else(not_deployed)?;
        let current = state
            .deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .map(|d| d.task_definition.clone())
            .unwrap_or_default();
        let history = client.successful_deployments(&service).await?;
        let target = crate::deploy::rollback::target(&history, &current, a.to.as_deref())
            .map_err(|e| WharfError::usage(e, None))?;
        let from_td = client.task_definition(&current).await?;
        let to_td = client.task_definition(&target.task_definition).await?;
        let to_image = image_of(&to_td, name).unwrap_or_default();
        let from_image = image_of(&from_td, name).unwrap_or_default();
        // Only the image changes. wharf's other service parameters are SSM-typed with
        // the SSM names as defaults, which CloudFormation resolves again.
        let mut parameters = std::collections::BTreeMap::new();
        if info.parameters.contains_key("ImageDigest") {
            let digest = to_image
                .split_once('@')
                .map(|(_, d)| d.to_string())
                .filter(|d| crate::image::engine::is_digest(d))
                .ok_or_else(|| {
                    WharfError::usage(
                        format!(
                            "{} runs {to_image}, which is not pinned by digest",
                            to_td.revision
                        ),
                        Some("roll back with a redeploy of the older commit instead".to_string()),
                    )
                })?;
            parameters.insert("ImageDigest".into(), digest);
        } else {
            parameters.insert("ContainerImage".into(), to_image.clone());
        }
        ui.note(format!(
            "Rolling back {name} in {env} from {} ({from_image}) to {} ({to_image}), its last successful deployment ({}).",
            from_td.revision,
            to_td.revision,
            crate::ui::progress::utc(target.created_ms)
        ));
        let template = client.template(&stack).await?.ok_or_else(not_deployed)?;
        let spec = StackSpec {
            name: stack.clone(),
            template,
            template_url: None,
            parameters,
            // The deployed stack's tags, with wharf's own naming this service: the engine
            // checks the stack against them again.
            tags: {
                let mut t = info.tags.clone();
                t.extend(owner.tags());
                t
            },
            replacing: Vec::new(),
        };
        let mut opts = remote::options(ui, false);
        a.rollout.apply(&mut opts);
        remote::run_stacks(
            ui,
            client,
            &app,
            None,
            vec![spec],
            opts,
            remote::Run::one(remote::Lock::Refuse),
        )
        .await
    })?;
    ui.event(
        "rollback",
        &serde_json::json!({"service": a.name, "environment": a.env}),
    );
    Ok(())
}
