//! `wharf svc rollback`: return a service to its last good release (from ECS's
//! deployment history), through CloudFormation: the deployed template with only the
//! image parameter changed, so the stack says what runs. It refuses when that would not
//! restore everything that differs, or would restore nothing. The rollout is watched.

use super::{context, remote};
use crate::contract::parameter;
use crate::deploy::StackApi;
use crate::deploy::stack::StackSpec;
use crate::error::WharfError;
use crate::release::stacks;
use crate::ui::Ui;
use crate::watch::poll::RolloutApi;

/// `wharf svc rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Service name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// Return to this task definition revision (`7` or `family:7`), if it deployed
    /// successfully; default: the last good release (the one before the current release
    /// when that is good; the newest successful one when the last release failed).
    #[arg(long)]
    pub to: Option<String>,
    /// How to follow the rollout.
    #[command(flatten)]
    pub rollout: remote::RolloutFlags,
    /// AWS connection.
    #[command(flatten)]
    pub aws: remote::AwsArgs,
}

/// The main container of a task definition: the one named like the service, else the
/// first.
fn main_of<'a>(
    td: &'a crate::aws::ecs::TaskDefinitionInfo,
    service: &str,
) -> Option<&'a crate::aws::ecs::ContainerInfo> {
    td.containers
        .iter()
        .find(|c| c.name == service)
        .or(td.containers.first())
}

/// The main container's image.
fn image_of(td: &crate::aws::ecs::TaskDefinitionInfo, service: &str) -> Option<String> {
    main_of(td, service).map(|c| c.image.clone())
}

/// The main container's name.
fn main_container(td: &crate::aws::ecs::TaskDefinitionInfo, service: &str) -> Option<String> {
    main_of(td, service).map(|c| c.name.clone())
}

/// Runs `wharf svc rollback`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let ws = remote::load_for_env(ui, &a.env)?;
    context::require_service(&ws, &a.name)?;
    context::refuse_job(&ws, &a.name, "svc rollback")?;
    let app = remote::app_name(&ws);
    let stack = crate::compile::service_stack_name(&app, &a.env, &a.name);
    let (name, env) = (a.name.as_str(), a.env.as_str());
    let (from, to) = remote::block_on(async {
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
        // What the stack references is what a rollback starts from (the service may
        // run something else, say after the circuit breaker rolled it back).
        let primary = state
            .deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .map(|d| d.task_definition.clone());
        let current = match client.stack_task_definition(&stack).await? {
            Some(td) => td,
            None => primary.ok_or_else(not_deployed)?,
        };
        let history = client.deployment_history(&service, name).await?;
        let target =
            crate::deploy::rollback::target(&history, &current, a.to.as_deref()).map_err(|e| {
                match e {
                    crate::deploy::rollback::NoTarget::Unknown(m) => WharfError::usage(m, None),
                    crate::deploy::rollback::NoTarget::Nothing(m) => WharfError::Refused {
                        message: m,
                        help: None,
                    },
                }
            })?;
        let from_td = client.task_definition(&current).await?;
        let to_td = client.task_definition(&target.task_definition).await?;
        let to_image = image_of(&to_td, name).unwrap_or_default();
        let from_image = image_of(&from_td, name).unwrap_or_default();
        let main = main_container(&to_td, name).unwrap_or_default();
        // Only images change. wharf's other service parameters are SSM-typed with the
        // SSM names as defaults, which CloudFormation resolves again. Which image
        // parameters the template declares decides (not the stack's parameter list,
        // which an emulator may keep stale): `ImageDigest` or `ContainerImage` for the
        // main container, and those its metadata names for sidecars wharf built.
        let template = client.template(&stack).await?.ok_or_else(not_deployed)?;
        let canonical = crate::deploy::diff::canonical_value(&template);
        let declared = |p: &str| {
            canonical
                .as_ref()
                .and_then(|t| t.get("Parameters"))
                .is_some_and(|ps| ps.get(p).is_some())
        };
        let sidecars: Vec<(String, String)> = canonical
            .as_ref()
            .and_then(|t| t.pointer("/Metadata/wharf/sidecar-image-parameters"))
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(c, p)| Some((c.clone(), p.as_str()?.to_string())))
            .filter(|(_, p)| declared(p))
            .collect();
        let restorable: Vec<String> = std::iter::once(main.clone())
            .chain(sidecars.iter().map(|(c, _)| c.clone()))
            .collect();
        // The rollback changes images only: it refuses what it could not restore.
        let left = crate::deploy::rollback::unrestorable(&from_td, &to_td, &restorable);
        if !left.is_empty() {
            return Err(WharfError::Refused {
                message: format!(
                    "rolling back {name} to {} would restore its images only; {} also differs from what the stack runs now ({}): {}",
                    to_td.revision,
                    if left.len() == 1 { "this" } else { "these" },
                    from_td.revision,
                    left.join("; ")
                ),
                help: Some(format!(
                    "check out the commit that deployed {} and run `wharf svc deploy -n {name} -e {env}`",
                    to_td.revision
                )),
            });
        }
        let image_in = |td: &crate::aws::ecs::TaskDefinitionInfo, c: &str| {
            td.containers
                .iter()
                .find(|x| x.name == c)
                .map(|x| x.image.clone())
                .unwrap_or_default()
        };
        if restorable
            .iter()
            .all(|c| image_in(&from_td, c) == image_in(&to_td, c))
        {
            return Err(WharfError::Refused {
                message: format!(
                    "nothing to roll back: {name} in {env} already runs what {} ran ({to_image})",
                    to_td.revision
                ),
                help: Some("`--to REVISION` returns to an older release".into()),
            });
        }
        let pinned = |container: &str| {
            let image = image_in(&to_td, container);
            image
                .split_once('@')
                .map(|(_, d)| d.to_string())
                .filter(|d| crate::image::engine::is_digest(d))
                .ok_or_else(|| WharfError::Refused {
                    message: format!(
                        "{} runs {image} in container {container}, which is not pinned by digest, and the stack takes that image by digest",
                        to_td.revision
                    ),
                    help: Some("roll back with a redeploy of the older commit instead".into()),
                })
        };
        let (param, value) = if declared(parameter::IMAGE_DIGEST) {
            (parameter::IMAGE_DIGEST, pinned(&main)?)
        } else if declared(parameter::CONTAINER_IMAGE) {
            (parameter::CONTAINER_IMAGE, to_image.clone())
        } else {
            return Err(WharfError::Refused {
                message: format!(
                    "the template of stack {stack} takes no image parameter (`ImageDigest` or `ContainerImage`): a rollback cannot change the image"
                ),
                help: Some("roll back with a redeploy of the older commit instead".into()),
            });
        };
        let mut parameters = std::collections::BTreeMap::from([(param.to_string(), value)]);
        for (container, p) in &sidecars {
            parameters.insert(p.clone(), pinned(container)?);
        }
        let sidecar_images = |td: &crate::aws::ecs::TaskDefinitionInfo| {
            sidecars
                .iter()
                .map(|(c, _)| (c.clone(), image_in(td, c)))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (from_sidecars, to_sidecars) = (sidecar_images(&from_td), sidecar_images(&to_td));
        let changed: Vec<String> = from_sidecars
            .iter()
            .filter(|(c, i)| to_sidecars.get(*c) != Some(*i))
            .map(|(c, i)| format!("sidecar {c} {i} → {}", to_sidecars[c]))
            .collect();
        ui.note(format!(
            "Rolling back {name} in {env} from {} ({from_image}) to {} ({to_image}), deployed successfully at {}{}.",
            from_td.revision,
            to_td.revision,
            crate::ui::progress::utc(target.created_ms),
            if changed.is_empty() {
                String::new()
            } else {
                format!("; {}", changed.join("; "))
            }
        ));
        // The deployed stack's tags, with wharf's own naming this service: the engine
        // checks the stack against them again.
        let mut tags = info.tags.clone();
        tags.extend(owner.tags());
        let spec = StackSpec {
            follow_up: crate::compile::FollowUp::EcsRollout,
            ..StackSpec::bare(stack.clone(), template, parameters, tags)
        };
        let mut opts = remote::options(ui, false);
        a.rollout.apply(&mut opts);
        stacks::run_stacks(
            ui,
            client.clone(),
            &app,
            None,
            vec![spec],
            opts,
            stacks::Run::one(stacks::Lock::Refuse),
        )
        .await?;
        // Success only if the stack now runs the target's images.
        let now = match client.stack_task_definition(&stack).await? {
            Some(td) => Some(client.task_definition(&td).await?),
            None => None,
        };
        let restored = now.as_ref().is_some_and(|td| {
            restorable
                .iter()
                .all(|c| image_in(td, c) == image_in(&to_td, c))
        });
        if !restored {
            return Err(WharfError::Refused {
                message: format!(
                    "the rollback did not change what stack {stack} runs ({}), so nothing was rolled back",
                    now.as_ref()
                        .and_then(|td| image_of(td, name))
                        .unwrap_or_else(|| "no task definition".into())
                ),
                help: Some(format!(
                    "check `wharf svc status -n {name} -e {env}`, and redeploy the older commit"
                )),
            });
        }
        Ok((
            serde_json::json!({"revision": from_td.revision, "image": from_image, "sidecar_images": from_sidecars}),
            serde_json::json!({"revision": to_td.revision, "image": to_image, "sidecar_images": to_sidecars, "deployed_at": crate::ui::progress::utc(target.created_ms)}),
        ))
    })?;
    ui.event(
        "rollback",
        &serde_json::json!({"service": a.name, "environment": a.env, "from": from, "to": to}),
    );
    Ok(())
}
