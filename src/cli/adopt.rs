//! `wharf app adopt`: takes over an application AWS Copilot deployed, in place. Reads
//! Copilot's registry, sets it against the workspace, and for each environment (then
//! each of its workloads) makes a change set of wharf's template against Copilot's
//! stack, reads it and deletes it. A plan that replaces or deletes a resource holding
//! state or identity is refused unless each one is allowed. `--plan` stops there;
//! otherwise, after a yes, each environment is adopted first, then its workloads are
//! planned again (their stacks read the environment's values, which exist from then on)
//! and adopted, their rollouts followed as a deploy follows them.

use super::{context, remote};
use crate::adopt::{self, plan::Outcome};
use crate::deploy::stack::StackSpec;
use crate::error::WharfError;
use crate::ui::Ui;

/// `wharf app adopt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make and show the plan, and change nothing.
    #[arg(long)]
    pub plan: bool,
    /// Environments to adopt (default: every environment both Copilot's registry and
    /// the workspace have).
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
    for a in &allow {
        check_allow(a)?;
    }
    let mut ws = context::load(ui)?;
    context::report(ui, &ws)?;
    let app = remote::app_name(&ws);
    for e in &envs {
        context::require_env(&ws, e)?;
    }
    remote::block_on(async {
        // One count of Ctrl-C for the whole run: a press between two steps stops the next.
        let interrupts = ui.interrupts();
        let wait = adopt::plan::Wait {
            poll: crate::settings::current().poll_interval,
            timeout: crate::deploy::stack::STACK_TIMEOUT,
            interrupts: Some(interrupts.clone()),
        };
        let interrupted = || *interrupts.borrow() > 0;
        // Between two steps, a Ctrl-C stops before the next, saying what was done.
        let stop = |steps: &[String]| -> Result<(), WharfError> {
            if interrupted() {
                return Err(WharfError::InterruptedBetween {
                    done: done_so_far(steps),
                    help: AGAIN.into(),
                });
            }
            Ok(())
        };
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
        // wharf's own application stack (its bucket holds templates, deploy locks and
        // environment files); Copilot's application stacks have other names.
        let app_stack = crate::deploy::owner::Owner::application(&app).stack_name();
        let app_stack_missing = {
            use crate::deploy::StackApi;
            home.describe(&app_stack).await?.is_none()
        };
        let info = crate::compile::workspace::app_info(&ws)
            .ok_or(WharfError::InvalidManifest { errors: 1 })?;
        if let Some(why) =
            adopt::domain_mismatch(registry.domain.as_deref(), info.domain.as_deref())
        {
            return Err(WharfError::Refused {
                message: format!(
                    "{why}: adopting would drop or replace the environments' hosted zones and certificates; nothing was changed"
                ),
                help: Some(match (&registry.domain, &info.domain) {
                    (Some(d), None) => format!(
                        "add `domain: {d}` to copilot/.workspace (to app.yml in a wharf workspace)"
                    ),
                    (Some(d), Some(w)) => format!(
                        "set `domain: {d}` in copilot/.workspace (app.yml in a wharf workspace) in place of {w}"
                    ),
                    (None, _) => "remove `domain` from the workspace".into(),
                }),
            });
        }
        // With a domain, Copilot's application zone (in its `<app>-infrastructure-roles`
        // stack) is kept: wharf's application stack publishes it instead of making one.
        let app_zone = match (&info.domain, app_stack_missing) {
            (Some(domain), true) => Some(copilot_app_zone(&home, &app, domain).await?),
            _ => None,
        };
        if app_stack_missing {
            ui.note(format!(
                "application stack {app_stack}: not deployed; adopting creates it first (wharf's bucket of templates, deploy locks and environment files){}",
                match (&app_zone, &info.domain) {
                    (Some(z), Some(d)) => format!(", keeping Copilot's hosted zone {app}.{d} ({})", z.zone),
                    _ => String::new(),
                }
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
        for r in &registry.workloads {
            if let (Some(kind), Some(local)) = (r.kind.as_deref(), ws.service_type(&r.name))
                && local != kind
            {
                ui.warn(format!(
                    "workload `{}` is a {kind} in Copilot's registry and a {local} in the workspace: adopting deploys the workspace's",
                    r.name
                ));
            }
        }
        for w in &survey.only_deployed {
            ui.warn(format!("{w} is in Copilot's registry and has no manifest in the workspace: adopting leaves it as it is"));
        }
        for w in &survey.only_in_workspace {
            ui.warn(format!(
                "{w} is in the workspace and not in Copilot's registry: adopting leaves it (`wharf deploy` creates it)"
            ));
        }
        if let Some(e) = envs
            .iter()
            .find(|e| !registry.environments.iter().any(|r| &r.name == *e))
        {
            return Err(WharfError::Refused {
                message: format!(
                    "Copilot's registry has no environment `{e}` of `{app}`: there is nothing of it to adopt"
                ),
                help: Some("`wharf env deploy` deploys an environment Copilot never did".into()),
            });
        }
        let chosen: Vec<&adopt::RegisteredEnv> = registry
            .environments
            .iter()
            .filter(|e| survey.environments.contains(&e.name))
            .filter(|e| envs.is_empty() || envs.contains(&e.name))
            .collect();
        let mut report = Vec::new();
        let mut adopters = Vec::new();
        let mut losses_seen: Vec<String> = Vec::new();
        for env in chosen {
            let client = crate::aws::Aws::connect(&crate::aws::AwsOptions {
                profile: aws.profile.clone(),
                region: aws.region.clone().or_else(|| env.region.clone()),
            })
            .await?;
            let (env_spec, workloads) = specs(
                &mut ws,
                ui,
                &client,
                &app,
                &env.name,
                &survey.workloads,
                app_zone.as_ref(),
            )
            .await?;
            check_custom_domain_aliases(ui, &client, &env_spec.1.name, &env.name).await?;
            // Before the application stack exists, the environment's plan is given the
            // zone IDs it will publish.
            let planned_env = match &app_zone {
                Some(z) => (env_spec.0.clone(), z.plan_spec(&env_spec.1)),
                None => env_spec.clone(),
            };
            let mut refused = 0;
            for (i, (what, spec)) in std::iter::once(&planned_env)
                .chain(workloads.iter())
                .enumerate()
            {
                let outcome = plan_one(&client, spec, &app, &allow, &wait).await?;
                if matches!(outcome, Outcome::Interrupted) {
                    return Err(WharfError::Interrupted {
                        during: "planning the adoption",
                    });
                }
                if let Outcome::Planned(j) = &outcome {
                    refused += j.refused().count();
                    losses_seen.extend(
                        j.losses
                            .iter()
                            .map(|l| format!("{}:{}", spec.name, l.logical_id)),
                    );
                }
                ui.note(describe(what, &spec.name, &outcome));
                if let Outcome::Planned(j) = &outcome
                    && j.refused().any(|l| l.resource_type == NAMESPACE_TYPE)
                {
                    ui.note(namespace_hint(&client, &spec.name, &env.name).await?);
                }
                report.push(serde_json::json!({"stack": spec.name, "what": what, "plan": outcome}));
                // The environment must be planned, or wharf's already; its workloads are
                // planned again once it is adopted (they read its values).
                if i == 0 && !matches!(outcome, Outcome::Planned(_) | Outcome::Adopted) {
                    ui.event("adoption_plan", &report);
                    return Err(WharfError::Refused {
                        message: format!(
                            "{what} cannot be adopted ({}); nothing was changed",
                            describe(what, &spec.name, &outcome)
                        ),
                        help: None,
                    });
                }
            }
            if refused > 0 {
                ui.event("adoption_plan", &report);
                return Err(refusal(refused));
            }
            // What a deploy checks before it changes anything, checked now: a topic a
            // worker subscribes to must have a deployed publisher.
            let all: Vec<&StackSpec> = std::iter::once(&env_spec.1)
                .chain(workloads.iter().map(|(_, s)| s))
                .collect();
            if let Err(e) = crate::release::stacks::check_needs(&client, &all).await {
                ui.event("adoption_plan", &report);
                return Err(e);
            }
            adopters.push((env.name.clone(), client, env_spec, workloads));
        }
        for a in allow.iter().filter(|a| !losses_seen.contains(a)) {
            ui.warn(format!(
                "--allow {a}: the plan loses no such resource (stacks and logical IDs are as the plan lists them)"
            ));
        }
        ui.event("adoption_plan", &report);
        if plan {
            ui.result("The plan replaces and deletes nothing that holds state or identity. Nothing was changed: `--plan` only plans.");
            return Ok(());
        }
        if adopters.is_empty() {
            return Err(WharfError::Refused {
                message: "no environment both Copilot's registry and the workspace have: nothing to adopt".into(),
                help: Some("add the environments' manifests to the workspace (`environments/<env>/manifest.yml`)".into()),
            });
        }
        if !ui.yes()
            && !ui.confirm(
                "Adopt these stacks now (environments first, then their workloads)?",
                "--yes",
            )?
        {
            return Err(WharfError::usage("nothing was adopted", None));
        }
        let opts = crate::release::options_watching(interrupts.clone(), false);
        // What is adopted, for the last line; every step done, for an interrupt.
        let mut adopted: Vec<String> = Vec::new();
        let mut steps: Vec<String> = Vec::new();
        if app_stack_missing {
            let info = crate::compile::workspace::app_info(&ws)
                .ok_or(WharfError::InvalidManifest { errors: 1 })?;
            // wharf's own, new (with Copilot's zone, if any): a run stopped after it
            // skips it the next time.
            stopped_step(
                super::app::deploy_stack(
                    ui,
                    home.clone(),
                    &info,
                    app_zone.as_ref().map(|z| z.zone.clone()),
                    opts.clone(),
                )
                .await,
                &steps,
                interrupted(),
            )?;
            steps.push(format!("application stack {app_stack} created"));
        }
        let mut left: Vec<String> = Vec::new();
        for (env, client, (_, mut env_spec), workloads) in adopters {
            stop(&steps)?;
            if let Some(step) = stopped_step(
                retain_first(ui, &client, &app, &env_spec.name, &opts).await,
                &steps,
                interrupted(),
            )? {
                steps.push(step);
            }
            env_spec.adopting = true;
            stopped_step(
                stacks_run(ui, &client, &app, Some(env_spec), Vec::new(), opts.clone()).await,
                &steps,
                interrupted(),
            )?;
            adopted.push(format!("environment `{env}`"));
            steps.push(format!("environment `{env}` adopted"));
            stop(&steps)?;
            // The workloads' stacks read the environment's values, which exist now:
            // planned again, then adopted, their rollouts followed.
            let mut refused = 0;
            let mut ready: Vec<(String, StackSpec)> = Vec::new();
            for (what, mut spec) in workloads {
                // The application's zones are published now: the aliases' records
                // Copilot wrote there can be looked up.
                crate::release::delegation::keep_adopted_aliases(
                    &client,
                    &mut spec,
                    &Default::default(),
                )
                .await?;
                let outcome = plan_one(&client, &spec, &app, &allow, &wait).await?;
                match &outcome {
                    Outcome::Interrupted => stop(&steps)?,
                    Outcome::Planned(j) => refused += j.refused().count(),
                    Outcome::CannotPlan { reason } => {
                        return Err(WharfError::Refused {
                            message: format!("environment `{env}` is adopted; {what} could not be planned ({reason}), so it and the workloads after it were left to Copilot"),
                            help: Some("fix the cause, then run `wharf app adopt` again (adopted stacks are wharf's and skipped)".into()),
                        });
                    }
                    _ => {}
                }
                ui.note(describe(&what, &spec.name, &outcome));
                match outcome {
                    Outcome::Planned(_) => {
                        spec.adopting = true;
                        ready.push((what, spec));
                    }
                    Outcome::NotCopilots { made_by } => {
                        left.push(format!("{what} (made by {made_by})"));
                    }
                    _ => {}
                }
            }
            if refused > 0 {
                return Err(WharfError::Refused {
                    message: format!("environment `{env}` is adopted; its workloads would lose {refused} resource(s) that hold state or identity (listed above), so they were left to Copilot"),
                    help: Some("`--allow <stack>:<logical ID>` accepts losing one; run `wharf app adopt` again".into()),
                });
            }
            stop(&steps)?;
            let mut wopts = opts.clone();
            remote::RolloutFlags::default().apply(&mut wopts);
            let (names, ready): (Vec<String>, Vec<StackSpec>) = ready.into_iter().unzip();
            for spec in &ready {
                stop(&steps)?;
                if let Some(step) = stopped_step(
                    retain_first(ui, &client, &app, &spec.name, &opts).await,
                    &steps,
                    interrupted(),
                )? {
                    steps.push(step);
                }
            }
            if !ready.is_empty() {
                stopped_step(
                    stacks_run(ui, &client, &app, None, ready, wopts).await,
                    &steps,
                    interrupted(),
                )?;
                steps.push(format!("{} adopted", names.join(", ")));
                adopted.extend(names);
            }
            stop(&steps)?;
            // The environment's exports the adopted workloads no longer import go now,
            // so the next deploy has nothing to change.
            let ((_, env_spec), _) = specs(&mut ws, ui, &client, &app, &env, &[], None).await?;
            stopped_step(
                stacks_run(ui, &client, &app, Some(env_spec), Vec::new(), opts.clone()).await,
                &steps,
                interrupted(),
            )?;
        }
        if !left.is_empty() {
            return Err(WharfError::Refused {
                message: format!(
                    "adopted {}; left as they are: {}",
                    list(&adopted),
                    left.join(", ")
                ),
                help: Some("a stack another tool or application made is never taken over; remove its manifest from the workspace, or deploy it under another name".into()),
            });
        }
        ui.event(
            "adopted",
            &serde_json::json!({"application": app, "adopted": adopted, "steps": steps}),
        );
        ui.result(format!(
            "Adopted application `{app}` ({}): its stacks are wharf's now (`wharf deploy` updates them).",
            list(&adopted)
        ));
        Ok(())
    })
}

/// An environment's stack and its workloads' stacks, each with what it is
/// (`environment `test``, `workload `api` in `test``).
type Specs = ((String, StackSpec), Vec<(String, StackSpec)>);

/// The stacks of environment `env` wharf would deploy: its own, and those of the
/// workloads both Copilot and the workspace have, each with what it is. Images as
/// Copilot's stacks run them: their digests, where the image parameter pins one.
async fn specs(
    ws: &mut crate::manifest::workspace::Workspace,
    ui: &Ui,
    client: &crate::aws::Aws,
    app: &str,
    env: &str,
    workloads: &[String],
    copilot_zone: Option<&CopilotZone>,
) -> Result<Specs, WharfError> {
    let mut inputs = crate::compile::workspace::DeployInputs::default();
    for w in workloads {
        let stack = crate::compile::service_stack_name(app, env, w);
        if let Some(info) = crate::deploy::StackApi::describe(client, &stack).await?
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
    // As a deploy fills them: subnets chosen by tags, then what imported load balancers
    // are (their listeners, groups and free rule priorities), known once the stacks are.
    inputs.subnets = crate::release::assets::find_subnets(client, ws, env, workloads).await?;
    let (env_spec, out) = package(ws, ui, env, workloads, &inputs)?;
    let planned: Vec<StackSpec> = out.iter().map(|(_, s)| s.clone()).collect();
    inputs.looked_up = crate::release::alb::look_up(client, ws, env, &planned).await?;
    let (mut env_spec, out) = if inputs.looked_up.is_empty() {
        (env_spec, out)
    } else {
        package(ws, ui, env, workloads, &inputs)?
    };
    // The region's values, and the exports Copilot's stacks import.
    crate::release::assets::complete_env_stack(client, &mut env_spec.1).await?;
    // The priorities Copilot's rules have, and its aliases' records, kept: the zones'
    // IDs given as the application and environment stacks will publish them.
    let zones = match copilot_zone {
        Some(z) => z.published(client, app, env).await?,
        None => Default::default(),
    };
    let mut out = out;
    for (_, spec) in &mut out {
        crate::release::alb::keep_rule_priorities(client, spec).await?;
        crate::release::delegation::keep_adopted_aliases(client, spec, &zones).await?;
    }
    Ok((env_spec, out))
}

/// The environment's stack and those of `workloads`, compiled with `inputs`.
fn package(
    ws: &mut crate::manifest::workspace::Workspace,
    ui: &Ui,
    env: &str,
    workloads: &[String],
    inputs: &crate::compile::workspace::DeployInputs,
) -> Result<Specs, WharfError> {
    let packages = crate::compile::workspace::package_all(ws, env, inputs)?;
    context::report(ui, ws)?;
    let packages = packages.ok_or(WharfError::InvalidManifest { errors: 1 })?;
    let names = ws.service_names();
    let mut packages = packages.into_iter();
    let env_spec = packages
        .next()
        .map(|p| (format!("environment `{env}`"), remote::spec(p)))
        .ok_or(WharfError::InvalidManifest { errors: 1 })?;
    let mut out = Vec::new();
    for (n, p) in names.iter().zip(packages) {
        if workloads.contains(n) {
            out.push((format!("workload `{n}` in `{env}`"), remote::spec(p)));
        }
    }
    Ok((env_spec, out))
}

/// `r`, or when `interrupted` (Ctrl-C stopped the step) an error saying what the steps
/// before it did.
fn stopped_step<T>(
    r: Result<T, WharfError>,
    steps: &[String],
    interrupted: bool,
) -> Result<T, WharfError> {
    match r {
        Err(e) if interrupted && !matches!(e, WharfError::InterruptedBetween { .. }) => {
            Err(WharfError::InterruptedBetween {
                done: format!("{}; the step under way stopped: {e}", done_so_far(steps)),
                help: AGAIN.into(),
            })
        }
        other => other,
    }
}

/// How to go on after an interrupted adoption.
const AGAIN: &str =
    "run `wharf app adopt` again to go on (stacks adopted already are wharf's and skipped)";

/// The steps done before an interrupt, for [`WharfError::InterruptedBetween`].
fn done_so_far(steps: &[String]) -> String {
    if steps.is_empty() {
        "nothing was changed".into()
    } else {
        format!("{}; nothing after", steps.join("; "))
    }
}

/// `--allow` is `<stack>:<logical ID>`.
fn check_allow(a: &str) -> Result<(), WharfError> {
    let ok = a.split_once(':').is_some_and(|(stack, id)| {
        !stack.is_empty()
            && stack.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !id.is_empty()
            && id.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if ok {
        Ok(())
    } else {
        Err(WharfError::usage(
            format!(
                "--allow `{a}`: expected `<stack>:<logical ID>`, as the plan lists them (`my-app-test-api:LogGroup`)"
            ),
            None,
        ))
    }
}

/// Plans one stack against its deployed template.
async fn plan_one(
    client: &crate::aws::Aws,
    spec: &StackSpec,
    app: &str,
    allow: &[String],
    wait: &adopt::plan::Wait,
) -> Result<Outcome, WharfError> {
    let deployed = client.template(&spec.name).await?;
    let exports = crate::release::replacing::exports(client).await?;
    let lookups = crate::release::replacing::lookups(client, spec, &exports).await?;
    Ok(adopt::plan::plan(
        client,
        spec,
        deployed.as_deref().map(|d| (d, &lookups)),
        app,
        allow,
        wait,
    )
    .await?)
}

/// AWS Copilot's application hosted zone `<app>.<domain>`, which an adopted
/// application keeps.
struct CopilotZone {
    /// Its ID.
    zone: String,
    /// The domain's zone ID.
    domain_zone: String,
}

impl CopilotZone {
    /// The zones' IDs by the SSM parameters environment `env`'s stack will publish them
    /// in for its services: the application's, the domain's, and its own (its Copilot
    /// stack's `EnvironmentHostedZone`).
    ///
    /// # Errors
    /// AWS errors.
    async fn published(
        &self,
        client: &crate::aws::Aws,
        app: &str,
        env: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, WharfError> {
        use crate::contract::{EnvValue, ssm_name};
        let mut out = std::collections::BTreeMap::from([
            (
                ssm_name(app, env, EnvValue::AppHostedZoneId.key()),
                self.zone.clone(),
            ),
            (
                ssm_name(app, env, EnvValue::DomainHostedZoneId.key()),
                self.domain_zone.clone(),
            ),
        ]);
        let stack = crate::compile::env_stack_name(app, env);
        if let Some(z) = client
            .stack_resource(&stack, crate::release::delegation::ENV_ZONE)
            .await?
        {
            out.insert(
                ssm_name(app, env, EnvValue::HostedZoneId.key()),
                z.trim_start_matches("/hostedzone/").to_string(),
            );
        }
        Ok(out)
    }

    /// `spec` (an environment's) as its plan sees it before wharf's application stack
    /// publishes the zones' IDs: given as values ([`adopt::ssm_parameters_given`]).
    fn plan_spec(&self, spec: &StackSpec) -> StackSpec {
        use crate::contract::EnvValue;
        let mut out = spec.clone();
        let given = [
            (EnvValue::AppHostedZoneId.parameter(), &self.zone),
            (EnvValue::DomainHostedZoneId.parameter(), &self.domain_zone),
        ];
        let names: Vec<&str> = given.iter().map(|(p, _)| *p).collect();
        out.template = adopt::ssm_parameters_given(&spec.template, &names);
        for (p, v) in given {
            out.parameters.insert(p.to_string(), v.clone());
        }
        out
    }
}

/// Copilot's application zone of `app` (`AppHostedZone` in `<app>-infrastructure-roles`)
/// and the zone of `domain` it is delegated from.
///
/// # Errors
/// Refused when either is missing; AWS errors.
async fn copilot_app_zone(
    home: &crate::aws::Aws,
    app: &str,
    domain: &str,
) -> Result<CopilotZone, WharfError> {
    use crate::deploy::StackApi;
    let stack = crate::release::delegation::copilot_app_stack(app);
    let missing = |what: String| WharfError::Refused {
        message: format!(
            "{what}, so the application's hosted zone {app}.{domain} cannot be kept; nothing was changed"
        ),
        help: Some(format!(
            "Copilot keeps that zone in its stack {stack}, which `copilot app init --domain {domain}` made in the application's home region (where its registry is); without it, wharf cannot tell which zone serves the environments"
        )),
    };
    if home.describe(&stack).await?.is_none() {
        return Err(missing(format!(
            "Copilot's application stack {stack} is not in {}",
            home.region
        )));
    }
    let zone = crate::release::delegation::copilot_app_zone(home, app)
        .await?
        .ok_or_else(|| {
            missing(format!(
                "Copilot's application stack {stack} has no AppHostedZone"
            ))
        })?;
    let domain_zone = home.public_zone_id(domain).await?.ok_or_else(|| {
        missing(format!(
            "this account has no public hosted zone named {domain}"
        ))
    })?;
    Ok(CopilotZone { zone, domain_zone })
}

/// Reads what an environment's Copilot stack aliases through its `CustomDomainAction`
/// (whose Lambda wrote the aliases' records through the Route 53 API): those records
/// stay where they are, and each adopted service keeps them outside its stack
/// (`release::delegation::keep_adopted_aliases`). Says which they are.
///
/// # Errors
/// Refused when the `Aliases` parameter cannot be read (what it aliases is unknown);
/// AWS errors.
async fn check_custom_domain_aliases(
    ui: &Ui,
    client: &crate::aws::Aws,
    stack: &str,
    env: &str,
) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    let Some(deployed) = client.describe(stack).await? else {
        return Ok(());
    };
    if !matches!(
        crate::deploy::owner::made_by(&deployed),
        crate::deploy::owner::MadeBy::Copilot(_)
    ) {
        return Ok(());
    }
    let aliases = adopt::custom_domain_aliases(&deployed).map_err(|raw| WharfError::Refused {
        message: format!(
            "environment `{env}` ({stack}) has an Aliases parameter wharf cannot read (`{raw}`): the alias records Copilot's CustomDomainAction wrote for it are unknown, so adopting it is refused; nothing was changed"
        ),
        help: Some("Copilot writes it as JSON, service to names (`{\"web\":[\"www.example.com\"]}`); correct it with Copilot first".into()),
    })?;
    for (service, names) in &aliases {
        ui.note(format!(
            "  `{service}`: Copilot's CustomDomainAction wrote records for {} outside CloudFormation; those that exist stay there",
            names.join(", ")
        ));
    }
    Ok(())
}

/// `app adopt`'s first step on Copilot's stack `stack` ([`adopt::retain`]): its own
/// template with its custom resources retained, so wharf's update removes them without
/// calling their delete handlers. Nothing when there is none to retain; when the step
/// ran, what it did (for an interrupt's account of the steps).
///
/// # Errors
/// AWS errors; the update failing.
async fn retain_first(
    ui: &Ui,
    client: &crate::aws::Aws,
    app: &str,
    stack: &str,
    opts: &crate::deploy::stack::Options,
) -> Result<Option<String>, WharfError> {
    use crate::deploy::StackApi;
    let Some(info) = client.describe(stack).await? else {
        return Ok(None);
    };
    if !matches!(
        crate::deploy::owner::made_by(&info),
        crate::deploy::owner::MadeBy::Copilot(_)
    ) {
        return Ok(None);
    }
    let Some(deployed) = client.template(stack).await? else {
        return Ok(None);
    };
    // Only those the stack has (a condition may leave some out).
    let present: std::collections::BTreeSet<String> = client
        .stack_resources(stack)
        .await?
        .into_iter()
        .map(|r| r.logical_id)
        .collect();
    let mut ids = adopt::retain::to_retain(&deployed);
    ids.retain(|id| present.contains(id));
    let Some(template) = adopt::retain::retaining(&deployed, &ids) else {
        return Ok(None);
    };
    ui.note(format!(
        "{stack}: retaining Copilot's custom resources first, so removing them calls no delete handler: {}",
        ids.join(", ")
    ));
    let mut spec = StackSpec {
        adopting: true,
        retain_step: true,
        ..StackSpec::bare(stack, template, info.parameters.clone(), info.tags.clone())
    };
    crate::release::stacks::upload_if_large(client, app, &mut spec).await?;
    let reporter = crate::ui::progress::reporter(ui);
    crate::deploy::stack::deploy(client, &spec, reporter.as_ref(), opts).await?;
    Ok(Some(format!(
        "Copilot's custom resources of {stack} retained"
    )))
}

/// The type of the environment's Cloud Map namespace.
const NAMESPACE_TYPE: &str = "AWS::ServiceDiscovery::PrivateDnsNamespace";

/// What keeps a deployed namespace that the plan would replace: the environment
/// manifest's `namespace:` with the name Copilot gave it (its stack's
/// `ServiceDiscoveryEndpoint` parameter; `<app>.local` before Copilot v1.5).
///
/// # Errors
/// AWS errors.
async fn namespace_hint(
    client: &crate::aws::Aws,
    stack: &str,
    env: &str,
) -> Result<String, WharfError> {
    use crate::deploy::StackApi;
    let deployed = client
        .describe(stack)
        .await?
        .and_then(|s| s.parameters.get("ServiceDiscoveryEndpoint").cloned());
    Ok(match deployed {
        Some(name) => format!(
            "  the namespace is `{name}`: `namespace: {name}` in environments/{env}/manifest.yml keeps it"
        ),
        None => format!(
            "  `namespace:` in environments/{env}/manifest.yml keeps the deployed namespace's name (Copilot before v1.5 named it `<app>.local`)"
        ),
    })
}

/// Deploys adopted stacks as a deploy does (locks, replacement question, follow-up).
async fn stacks_run(
    ui: &Ui,
    client: &crate::aws::Aws,
    app: &str,
    env: Option<StackSpec>,
    workloads: Vec<StackSpec>,
    opts: crate::deploy::stack::Options,
) -> Result<(), WharfError> {
    crate::release::stacks::run_stacks(
        ui,
        client.clone(),
        app,
        env,
        workloads,
        opts,
        crate::release::stacks::Run {
            concurrency: 4,
            lock: crate::release::stacks::Lock::from_flag(false),
            yes: ui.yes(),
        },
    )
    .await
}

/// The refusal of a plan with `n` losses nobody allowed.
fn refusal(n: usize) -> WharfError {
    WharfError::Refused {
        message: format!(
            "adopting would replace or delete {n} resource(s) that hold state or identity (listed above); nothing was changed"
        ),
        help: Some("where the workspace asks for the change (another CIDR, name or type), keep the deployed value in the manifest; `--allow <stack>:<logical ID>` accepts losing one".into()),
    }
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
            if !j.removed_ids.is_empty() {
                s.push_str(&format!(" ({})", j.removed_ids.join(", ")));
            }
            if !j.retained.is_empty() {
                s.push_str(&format!(
                    "\n  leaves the stack and stays in the account (DeletionPolicy: Retain): {}",
                    j.retained.join(", ")
                ));
            }
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
        Outcome::Absent => {
            format!("{what} ({stack}): not deployed; adopting leaves it to `wharf deploy`")
        }
        Outcome::Adopted => format!("{what} ({stack}): wharf's already"),
        Outcome::NotCopilots { made_by } => {
            format!("{what} ({stack}): made by {made_by}; left alone")
        }
        Outcome::CannotPlan { reason } => {
            format!("{what} ({stack}): CloudFormation could not plan it: {reason}")
        }
        Outcome::Interrupted => format!("{what} ({stack}): interrupted while planning"),
    }
}
