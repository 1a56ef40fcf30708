//! What is deployed: `svc status`, `svc show`, `env show`, and the AWS side of
//! `svc ls` / `env ls`. Results go to stdout as text, or as one JSON event.

use super::remote::{self, AwsArgs};
use crate::aws::Aws;
use crate::contract::output;
use crate::deploy::StackApi;
use crate::deploy::types::StackInfo;
use crate::error::WharfError;
use crate::manifest::workspace::Workspace;
use crate::ui::Ui;
use std::fmt::Write as _;

fn env_stack(ws: &Workspace, env: &str) -> String {
    crate::compile::env_stack_name(&remote::app_name(ws), env)
}

fn service_stack(ws: &Workspace, env: &str, service: &str) -> String {
    crate::compile::service_stack_name(&remote::app_name(ws), env, service)
}

fn not_deployed(what: &str, stack: &str, hint: String) -> WharfError {
    WharfError::usage(
        format!("{what} is not deployed (no stack {stack})"),
        Some(hint),
    )
}

pub(super) async fn required(
    aws: &Aws,
    stack: &str,
    what: &str,
    hint: String,
) -> Result<StackInfo, WharfError> {
    aws.describe(stack)
        .await?
        .ok_or_else(|| not_deployed(what, stack, hint))
}

/// A service in an environment (`svc status`, `svc show`).
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// Service name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long = "env", default_value = "", hide_default_value = true)]
    pub env: String,
    /// AWS connection.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `wharf svc status`: the stack, the ECS service's task counts and deployments.
pub fn svc_status(ui: &Ui, target: &TargetArgs, watch: bool) -> Result<(), WharfError> {
    let (name, env, aws) = (&target.name, &target.env, &target.aws);
    let ws = remote::load_for_env(ui, env)?;
    super::context::require_service(&ws, name)?;
    super::context::refuse_job(&ws, name, "svc status")?;
    remote::block_on(async {
        let client = remote::connect(&ws, env, aws).await?;
        let stack = service_stack(&ws, env, name);
        let svc_stack = required(
            &client,
            &stack,
            &format!("service `{name}` in `{env}`"),
            format!("deploy it with `wharf svc deploy -n {name} -e {env}`"),
        )
        .await?;
        let env_info = required(
            &client,
            &env_stack(&ws, env),
            &format!("environment `{env}`"),
            format!("deploy it with `wharf env deploy -n {env}`"),
        )
        .await?;
        let cluster = env_info
            .outputs
            .get(output::CLUSTER_NAME)
            .cloned()
            .unwrap_or_default();
        let service_name = svc_stack
            .outputs
            .get(output::SERVICE_NAME)
            .cloned()
            .unwrap_or_default();
        let service = if service_name.is_empty() {
            None
        } else {
            client.service(&cluster, &service_name).await?
        };
        let mut t = format!(
            "Service {name} in environment {env}\n  Stack        {} ({})\n",
            svc_stack.name, svc_stack.status
        );
        match &service {
            None => t.push_str("  ECS service  not found\n"),
            Some(s) => {
                let _ = writeln!(
                    t,
                    "  Tasks        {} running, {} pending, {} desired",
                    s.running, s.pending, s.desired
                );
                let _ = writeln!(
                    t,
                    "  Task def     {}",
                    crate::watch::snapshot::revision_of(&s.task_definition)
                );
                t.push_str("  Deployments\n");
                for d in &s.deployments {
                    let _ = writeln!(
                        t,
                        "    {:<8} {:<12} {:<32} desired {} running {} pending {} failed {}",
                        d.status,
                        d.rollout_state.as_deref().unwrap_or("-"),
                        crate::watch::snapshot::revision_of(&d.task_definition),
                        d.desired,
                        d.running,
                        d.pending,
                        d.failed
                    );
                }
                if !s.events.is_empty() {
                    t.push_str("  Recent events\n");
                    for e in &s.events {
                        let _ = writeln!(t, "    {e}");
                    }
                }
            }
        }
        ui.data(&t);
        ui.event("service_status", &serde_json::json!({"service": name, "environment": env, "stack": svc_stack, "ecs": service}));
        if !watch {
            return Ok(());
        }
        let listed: Vec<(&str, &str, Option<&str>)> = service
            .as_ref()
            .map(|s| {
                s.deployments
                    .iter()
                    .map(|d| (d.id.as_str(), d.status.as_str(), d.rollout_state.as_deref()))
                    .collect()
            })
            .unwrap_or_default();
        let Some(id) = crate::watch::snapshot::deployment_to_follow(&listed) else {
            ui.note("No deployment is in progress.");
            return Ok(());
        };
        let id = id.to_string();
        ui.note(format!("Following deployment {id} …"));
        let svc_ref = crate::watch::poll::ServiceRef {
            cluster,
            service: service_name,
        };
        let settings = super::remote::RolloutFlags::default().settings();
        let reporter = crate::ui::progress::reporter(ui);
        crate::deploy::rollout::attach(
            &client,
            &stack,
            &svc_ref,
            &id,
            reporter.as_ref(),
            &remote::options(ui, false),
            &settings,
        )
        .await?;
        Ok(())
    })
}

/// `wharf svc show`: the stack's outputs and what the task definition runs.
/// `--resources`: the resources of `stack` (none unless `asked`), added to `t` as lines
/// under `  Resources`.
async fn list_resources(
    client: &crate::aws::Aws,
    stack: &str,
    asked: bool,
    t: &mut String,
) -> Result<Vec<crate::aws::cfn::StackResource>, WharfError> {
    if !asked {
        return Ok(Vec::new());
    }
    let resources = client.stack_resources(stack).await?;
    t.push_str("  Resources\n");
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            vec![
                r.logical_id.clone(),
                r.resource_type.clone(),
                r.physical_id.clone(),
            ]
        })
        .collect();
    for line in crate::ui::table(&["LOGICAL ID", "TYPE", "PHYSICAL ID"], &rows).lines() {
        let _ = writeln!(t, "    {line}");
    }
    Ok(resources)
}

/// `wharf svc show`: what a deployed service runs; with `resources`, its stack's
/// resources too (Copilot's `--resources`).
pub fn svc_show(
    ui: &Ui,
    name: &str,
    env: &str,
    aws: &AwsArgs,
    resources: bool,
) -> Result<(), WharfError> {
    let ws = remote::load_for_env(ui, env)?;
    super::context::require_service(&ws, name)?;
    super::context::refuse_job(&ws, name, "svc show")?;
    remote::block_on(async {
        let client = remote::connect(&ws, env, aws).await?;
        let stack = service_stack(&ws, env, name);
        let info = required(
            &client,
            &stack,
            &format!("service `{name}` in `{env}`"),
            format!("deploy it with `wharf svc deploy -n {name} -e {env}`"),
        )
        .await?;
        let td = match info.outputs.get("TaskDefinitionArn") {
            Some(arn) => Some(client.task_definition(arn).await?),
            None => None,
        };
        let mut t = format!(
            "Service {name} in environment {env}\n  Stack        {} ({})\n",
            info.name, info.status
        );
        for (key, label) in [
            (output::URL, "URL"),
            (output::DISCOVERY_NAME, "Discovery"),
            (output::LOG_GROUP_NAME, "Log group"),
        ] {
            if let Some(v) = info.outputs.get(key) {
                let _ = writeln!(t, "  {label:<12} {v}");
            }
        }
        if let Some(td) = &td {
            let _ = writeln!(
                t,
                "  Task def     {} ({} CPU units, {} MiB)",
                td.revision,
                td.cpu.as_deref().unwrap_or("-"),
                td.memory.as_deref().unwrap_or("-")
            );
            for c in &td.containers {
                let _ = writeln!(t, "  Container    {} ({})", c.name, c.image);
                for (k, v) in &c.environment {
                    let _ = writeln!(t, "    {k}={v}");
                }
                for s in &c.secrets {
                    let _ = writeln!(t, "    {s} (secret)");
                }
            }
        }
        let listed = list_resources(&client, &stack, resources, &mut t).await?;
        ui.data(&t);
        let mut event = serde_json::json!({"service": name, "environment": env, "stack": info, "task_definition": td});
        if resources {
            event["resources"] = serde_json::json!(listed);
        }
        ui.event("service", &event);
        Ok(())
    })
}

/// `wharf env show`: the environment stack's outputs and the services deployed to it.
pub fn env_show(ui: &Ui, env: &str, aws: &AwsArgs, resources: bool) -> Result<(), WharfError> {
    let ws = remote::load_for_env(ui, env)?;
    remote::block_on(async {
        let client = remote::connect(&ws, env, aws).await?;
        let stack = env_stack(&ws, env);
        let info = required(
            &client,
            &stack,
            &format!("environment `{env}`"),
            format!("deploy it with `wharf env deploy -n {env}`"),
        )
        .await?;
        let app = remote::app_name(&ws);
        let services: Vec<StackInfo> = client
            .stacks_tagged(&[("wharf-application", &app), ("wharf-environment", env)])
            .await?
            .into_iter()
            .filter(|s| s.tags.contains_key("wharf-service"))
            .collect();
        let mut t = format!(
            "Environment {env} of {app} in {}\n  Stack        {} ({})\n",
            client.region, info.name, info.status
        );
        for (k, v) in &info.outputs {
            let _ = writeln!(t, "  {k:<32} {v}");
        }
        t.push_str("  Services\n");
        if services.is_empty() {
            t.push_str("    none deployed\n");
        }
        for s in &services {
            let _ = writeln!(
                t,
                "    {:<24} {}",
                s.tags.get("wharf-service").map_or("?", String::as_str),
                s.status
            );
        }
        let listed = list_resources(&client, &stack, resources, &mut t).await?;
        ui.data(&t);
        let mut event = serde_json::json!({"environment": env, "region": client.region, "stack": info, "services": services});
        if resources {
            event["resources"] = serde_json::json!(listed);
        }
        ui.event("environment", &event);
        Ok(())
    })
}

/// Deployed state of every environment's stack: `(env, Some(stack))` or `(env, None)`.
async fn env_stacks(
    ws: &Workspace,
    aws: &AwsArgs,
) -> Result<Vec<(String, Option<StackInfo>)>, WharfError> {
    stacks_per_env(ws, aws, |env| env_stack(ws, env)).await
}

/// Deployed state, in each environment of the workspace (each in its own region), of
/// the stack `stack` names for it: `(env, Some(stack))` or `(env, None)`.
///
/// # Errors
/// Connecting or AWS errors.
pub(super) async fn stacks_per_env(
    ws: &Workspace,
    aws: &AwsArgs,
    stack: impl Fn(&str) -> String,
) -> Result<Vec<(String, Option<StackInfo>)>, WharfError> {
    let mut out = Vec::new();
    for env in ws.env_names() {
        let client = remote::connect(ws, &env, aws).await?;
        let info = client.describe(&stack(&env)).await?;
        out.push((env, info));
    }
    Ok(out)
}

/// `wharf env ls`: each environment of the workspace and its stack's status.
pub fn env_ls(ui: &Ui, aws: &AwsArgs) -> Result<(), WharfError> {
    let ws = super::context::load(ui)?;
    remote::block_on(async {
        let rows = env_stacks(&ws, aws).await?;
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|(env, stack)| {
                vec![
                    env.clone(),
                    stack
                        .as_ref()
                        .map_or("not deployed", |s| s.status.as_str())
                        .to_string(),
                ]
            })
            .collect();
        ui.data(&crate::ui::table(&["ENVIRONMENT", "STACK STATUS"], &cells));
        ui.event(
            "environments",
            &rows.iter().map(|(e, s)| serde_json::json!({"name": e, "status": s.as_ref().map(|s| s.status.clone())})).collect::<Vec<_>>(),
        );
        Ok(())
    })
}

/// `wharf svc ls`: each service and the environments it is deployed to.
pub fn svc_ls(ui: &Ui, aws: &AwsArgs) -> Result<(), WharfError> {
    let ws = super::context::load(ui)?;
    let app = remote::app_name(&ws);
    remote::block_on(async {
        let mut rows = Vec::new();
        for env in ws.env_names() {
            let client = remote::connect(&ws, &env, aws).await?;
            for s in client
                .stacks_tagged(&[("wharf-application", &app), ("wharf-environment", &env)])
                .await?
            {
                if let Some(svc) = s.tags.get("wharf-service") {
                    rows.push((svc.clone(), env.clone(), s.status.clone()));
                }
            }
        }
        rows.sort();
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|(s, e, st)| vec![s.clone(), e.clone(), st.clone()])
            .collect();
        ui.data(&crate::ui::table(
            &["SERVICE", "ENVIRONMENT", "STACK STATUS"],
            &cells,
        ));
        ui.event(
            "services",
            &rows
                .iter()
                .map(|(s, e, st)| serde_json::json!({"name": s, "environment": e, "status": st}))
                .collect::<Vec<_>>(),
        );
        Ok(())
    })
}
