//! `wharf app adopt --plan`: what taking over an application AWS Copilot deployed would
//! change. Reads Copilot's registry, sets it against the workspace, and for each
//! environment (then each of its workloads) makes a change set of wharf's template
//! against Copilot's stack, reads it and deletes it; a plan that replaces or deletes a
//! resource holding state or identity is refused unless each one is allowed. Nothing
//! is executed.

use super::{context, remote};
use crate::adopt::{self, plan::Outcome};
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf app adopt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make and show the plan without changing anything (for now, the only mode: executing
    /// an adoption comes in a later version).
    #[arg(long)]
    pub plan: bool,
    /// Environments to plan (default: every environment both Copilot's registry and the
    /// workspace have).
    #[arg(short, long = "env")]
    pub envs: Vec<String>,
    /// A resource the plan may replace or delete, as `<stack>:<logical ID>` (repeat
    /// for each).
    #[arg(long)]
    pub allow: Vec<String>,
    /// AWS connection (the application's home region, where Copilot keeps its registry).
    #[command(flatten)]
    pub aws: remote::AwsArgs,
}

/// Runs `wharf app adopt`.
pub fn run(a: Args, ui: &Ui) -> Result<(), WharfError> {
    let Args {
        plan,
        envs,
        allow,
        aws,
    } = a;
    if !plan {
        return Err(WharfError::usage(
            "executing an adoption is not available in this version of wharf",
            Some("`wharf app adopt --plan` shows what it would change, and changes nothing".into()),
        ));
    }
    let mut ws = context::load(ui)?;
    context::report(ui, &ws)?;
    let app = remote::app_name(&ws);
    for e in &envs {
        context::require_env(&ws, e)?;
    }
    remote::block_on(async {
        let home = remote::connect_to(&ws, None, &aws).await?;
        let entries: Vec<(String, String)> = home
            .copilot_registry(&app)
            .await?
            .into_iter()
            .map(|e| (e.name, e.value))
            .collect();
        let registry = adopt::registry(&app, &entries);
        if !registry.application && registry.environments.is_empty() {
            return Err(WharfError::Refused {
                message: format!(
                    "Copilot's registry in {} has no application `{app}` (no parameter /copilot/applications/{app})",
                    home.region
                ),
                help: Some("connect to the application's home region (`--region`), where `copilot app init` ran".into()),
            });
        }
        for (name, why) in &registry.unreadable {
            ui.warn(format!(
                "Copilot's registry entry {name} is left out: {why}"
            ));
        }
        let survey = adopt::survey(&registry, &ws.env_names(), &ws.service_names());
        ui.note(format!(
            "Copilot deployed application `{app}`: environments {}; workloads {}",
            list(
                &registry
                    .environments
                    .iter()
                    .map(|e| e.name.clone())
                    .collect::<Vec<_>>()
            ),
            list(
                &registry
                    .workloads
                    .iter()
                    .map(|w| w.name.clone())
                    .collect::<Vec<_>>()
            ),
        ));
        for w in &survey.only_deployed {
            ui.warn(format!("{w} is deployed by Copilot and has no manifest in the workspace: it is left as it is"));
        }
        for w in &survey.only_in_workspace {
            ui.warn(format!(
                "{w} is in the workspace and not in Copilot's registry: adopting would create it"
            ));
        }
        let chosen: Vec<&adopt::RegisteredEnv> = registry
            .environments
            .iter()
            .filter(|e| survey.environments.contains(&e.name))
            .filter(|e| envs.is_empty() || envs.contains(&e.name))
            .collect();
        let mut report = Vec::new();
        let mut refused = 0;
        for env in chosen {
            let client = crate::aws::Aws::connect(&crate::aws::AwsOptions {
                profile: aws.profile.clone(),
                region: aws.region.clone().or_else(|| env.region.clone()),
            })
            .await?;
            let app_name = app.clone();
            // Images as Copilot's stacks run them: their digests, where the image
            // parameter pins one.
            let mut inputs = crate::compile::workspace::DeployInputs::default();
            for w in &survey.workloads {
                let stack = crate::compile::service_stack_name(&app_name, &env.name, w);
                if let Some(info) = crate::deploy::StackApi::describe(&client, &stack).await?
                    && let Some(d) = info
                        .parameters
                        .get("ContainerImage")
                        .and_then(|i| i.split_once('@'))
                        .map(|(_, d)| d.to_string())
                {
                    inputs
                        .digests
                        .entry(w.clone())
                        .or_default()
                        .insert(w.clone(), d);
                }
            }
            let packages = crate::compile::workspace::package_all(&mut ws, &env.name, &inputs)?;
            context::report(ui, &ws)?;
            let packages = packages.ok_or(WharfError::InvalidManifest { errors: 1 })?;
            let names = ws.service_names();
            let mut specs = Vec::new();
            let mut packages = packages.into_iter();
            if let Some(p) = packages.next() {
                specs.push((format!("environment `{}`", env.name), remote::spec(p)));
            }
            for (n, p) in names.iter().zip(packages) {
                if survey.workloads.contains(n) {
                    specs.push((format!("workload `{n}` in `{}`", env.name), remote::spec(p)));
                }
            }
            for (what, spec) in specs {
                let deployed = client.template(&spec.name).await?;
                let outcome = adopt::plan::plan(
                    &client,
                    &spec,
                    deployed.as_deref(),
                    &app_name,
                    &allow,
                    crate::settings::current().poll_interval,
                    crate::deploy::stack::STACK_TIMEOUT,
                )
                .await?;
                if let Outcome::Planned(j) = &outcome {
                    refused += j.refused().count();
                }
                ui.note(describe(&what, &spec.name, &outcome));
                report.push(serde_json::json!({"stack": spec.name, "what": what, "plan": outcome}));
            }
        }
        ui.event("adoption_plan", &report);
        if refused > 0 {
            return Err(WharfError::Refused {
                message: format!(
                    "adopting would replace or delete {refused} resource(s) that hold state or identity (listed above); nothing was changed"
                ),
                help: Some("`--allow <stack>:<logical ID>` accepts losing one; otherwise wait for a wharf whose templates keep them".into()),
            });
        }
        ui.result("The plan replaces and deletes nothing that holds state or identity. Nothing was changed: `--plan` only plans.");
        Ok(())
    })
}

/// `a, b` or `none`.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// One line (and one per loss) for a stack's plan.
fn describe(what: &str, stack: &str, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Planned(j) => {
            let mut s = format!(
                "{what} ({stack}): {} modified, {} added, {} removed",
                j.modified, j.added, j.removed
            );
            for l in &j.losses {
                s.push_str(&format!(
                    "\n  {} {} ({}) would be {}{}",
                    if l.allowed { "allowed:" } else { "REFUSED:" },
                    l.logical_id,
                    l.resource_type,
                    l.what,
                    if l.allowed { " (--allow)" } else { "" }
                ));
            }
            s
        }
        Outcome::Absent => format!("{what} ({stack}): not deployed; adopting would create it"),
        Outcome::Adopted => format!("{what} ({stack}): wharf's already"),
        Outcome::NotCopilots { made_by } => {
            format!("{what} ({stack}): made by {made_by}; left alone")
        }
        Outcome::CannotPlan { reason } => {
            format!("{what} ({stack}): CloudFormation could not plan it: {reason}")
        }
    }
}
