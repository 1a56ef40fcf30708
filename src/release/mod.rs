//! A release: workloads of one workspace deployed to one environment, as one library
//! call. [`run`] goes plan → images → stacks → follow-up:
//!
//! 1. **Plan**: every stack is compiled from the manifests and the environment files
//!    are read (errors stop here, before anything is built), and the builds of the
//!    chosen workloads are listed.
//! 2. **Local checks**: Dockerfiles and contexts exist, the container engine answers.
//! 3. **Remote checks**: connect (the region and account the manifests declare), every
//!    stack is wharf's or absent, topics subscribed to from outside the workspace exist,
//!    for a workload-only release the environment is deployed, and imported load
//!    balancers are looked up (`alb`).
//! 4. **Images and files**: images built and pushed, several at a time, and environment
//!    files uploaded (`assets`); stacks are compiled again with the pushed digests and
//!    the files' object ARNs.
//! 5. **Stacks**: under the deploy locks, after the replacement question, the
//!    environment stack first (when it is part of the release), then the workloads in
//!    waves (a worker after its publishers).
//! 6. **Follow-up**: what each package says (`compile::FollowUp`): the ECS rollout of a
//!    service, nothing for a job.
//!
//! What the stacks came to is a [`crate::deploy::release::Release`] value (results,
//! closing sentence, summary event, exit code), rendered by `ui`. `images` and `stacks`
//! are the steps, shared with `build`/`push` and with the commands that delete stacks.

pub mod alb;
pub mod assets;
pub mod cdn_certificate;
pub mod delegation;
pub mod images;
pub mod replacing;
pub mod stacks;

use crate::aws::{Aws, AwsOptions};
use crate::compile::workspace::{DeployInputs, app_name, package_all};
use crate::deploy::stack::{Options, StackSpec};
use crate::error::WharfError;
use crate::manifest::workspace::Workspace;
use crate::ui::Ui;
use images::ImageOptions;
use stacks::Lock;

/// What a release does with the environment's own stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvStack {
    /// Deploy it first (a no-op when its template did not change): `wharf deploy`.
    Deploy,
    /// Leave it alone, and require it deployed: `svc deploy`, `job deploy`.
    Require,
}

/// A release to make.
#[derive(Debug)]
pub struct Request {
    /// The environment.
    pub env: String,
    /// The workloads to deploy (checked to exist by the caller).
    pub workloads: Vec<String>,
    /// The environment's own stack.
    pub environment: EnvStack,
    /// How images are made.
    pub images: ImageOptions,
    /// Images built and stacks deployed at the same time.
    pub concurrency: usize,
    /// How stacks deploy and are followed ([`options`], then the rollout flags).
    pub options: Options,
    /// Deploy locks.
    pub lock: Lock,
    /// Yes to the replacement question.
    pub yes: bool,
    /// Show the template differences first and ask (one workload).
    pub diff: bool,
    /// Tags the user adds to every stack (`--resource-tags`); wharf's own win.
    pub tags: Vec<(String, String)>,
    /// Workloads to deploy after others of the release, by name (`deploy -n a/1 -n
    /// b/2`): each waits for those, and is not deployed when one failed.
    pub after: std::collections::BTreeMap<String, Vec<String>>,
    /// Where AWS calls go.
    pub aws: AwsOptions,
}

/// Connects for the application (`env: None`) or one environment: the region from
/// `opts`, the environment manifest, the application manifest, then the AWS
/// configuration. Refuses credentials of another account than the environment declares.
///
/// # Errors
/// No credentials or region ([`crate::aws::AwsError`]), or the wrong account (usage).
pub async fn connect(
    ws: &Workspace,
    env: Option<&str>,
    opts: &AwsOptions,
) -> Result<Aws, WharfError> {
    let env_manifest = env.and_then(|e| ws.env(e));
    let region = opts
        .region
        .clone()
        .or_else(|| {
            env_manifest
                .and_then(|e| e.region.as_ref())
                .map(|r| r.value.clone())
        })
        .or_else(|| {
            ws.app
                .as_ref()
                .and_then(|a| a.region.as_ref())
                .map(|r| r.value.clone())
        });
    let aws = Aws::connect(&AwsOptions {
        profile: opts.profile.clone(),
        region,
    })
    .await?;
    if let (Some(env), Some(declared)) = (env, env_manifest.and_then(|e| e.account.as_ref())) {
        let actual = aws.account_id().await?;
        if actual != declared.value {
            return Err(WharfError::usage(
                format!(
                    "environment `{env}` belongs to account {}, but the current credentials are for account {actual}",
                    declared.value
                ),
                Some(
                    "switch credentials (`--profile`, AWS_PROFILE) to the environment's account"
                        .to_string(),
                ),
            ));
        }
    }
    Ok(aws)
}

/// Deploy options from the settings (`WHARF_POLL_INTERVAL_MS`), with Ctrl-C wired in.
pub fn options(ui: &Ui, wait_in_progress: bool) -> Options {
    options_watching(ui.interrupts(), wait_in_progress)
}

/// [`options`] counting the interrupts of `interrupts` (one count for a command that
/// deploys in several steps, so a Ctrl-C between them is seen by the next).
pub fn options_watching(
    interrupts: tokio::sync::watch::Receiver<u32>,
    wait_in_progress: bool,
) -> Options {
    Options {
        poll: crate::settings::current().poll_interval,
        wait_in_progress,
        interrupts: Some(interrupts),
        rollout: None,
        timeout: crate::deploy::stack::STACK_TIMEOUT,
        disable_rollback: false,
        detach: false,
    }
}

/// The environment's stack (when the release deploys it) and the workloads' stacks, with
/// the images' `digests`.
fn plan(
    ws: &mut Workspace,
    req: &Request,
    uploads: &DeployInputs,
) -> Result<(Option<StackSpec>, Vec<StackSpec>), WharfError> {
    let packages = package_all(ws, &req.env, uploads)?;
    let Some(packages) = packages else {
        return Err(WharfError::InvalidManifest {
            errors: ws.diags.error_count().max(1),
        });
    };
    let mut packages = packages.into_iter();
    let env_stack = packages.next().map(StackSpec::from);
    let workloads = ws
        .service_names()
        .iter()
        .zip(packages)
        .filter(|(n, _)| req.workloads.contains(n))
        .map(|(_, p)| StackSpec::from(p))
        .collect();
    Ok((
        env_stack.filter(|_| req.environment == EnvStack::Deploy),
        workloads,
    ))
}

/// Manifest problems, said once; errors stop the release.
fn report(ui: &Ui, ws: &Workspace) -> Result<(), WharfError> {
    ui.diagnostics(&ws.sources, &ws.diags);
    if ws.diags.has_errors() {
        return Err(WharfError::InvalidManifest {
            errors: ws.diags.error_count(),
        });
    }
    Ok(())
}

/// Makes the release `req` of `ws` (see the module's documentation for the steps).
///
/// # Errors
/// The first step that fails stops the release: manifest errors (2), a build input or
/// engine problem, AWS errors, a stack that is not wharf's, a missing environment or
/// subscribed topic, a deploy lock held by another run; then the stacks' own results
/// ([`WharfError::Deploy`], [`WharfError::SomeFailed`]).
pub async fn run(ui: &Ui, ws: &mut Workspace, req: Request) -> Result<(), WharfError> {
    let app = app_name(ws);
    let env = req.env.clone();
    // 1. Plan: manifest errors stop the release before anything is built.
    let planned = plan(ws, &req, &DeployInputs::default());
    let (env_files, addons) = assets::read(ws, &req.workloads, &env);
    report(ui, ws)?;
    let (env_planned, planned) = planned?;
    let (builds, _) = images::specs(ws, &req.workloads, Some(&env));
    // 2. Local checks.
    let ready = images::ready(builds, &req.images).await?;
    // 3. Remote checks, before anything is built or pushed.
    let client = connect(ws, Some(&env), &req.aws).await?;
    let env_stack_name = crate::compile::env_stack_name(&app, &env);
    let mut checked: Vec<&StackSpec> = planned.iter().collect();
    checked.extend(env_planned.as_ref());
    stacks::check_owners(
        &client,
        &[(
            env_stack_name.as_str(),
            crate::deploy::owner::Owner::environment(&app, &env),
        )],
    )
    .await?;
    stacks::check_specs(&client, &checked).await?;
    if req.environment == EnvStack::Require {
        require_environment(&client, &env, &env_stack_name, &req.workloads).await?;
        require_cdn_names(ws, &client, &app, &env, &env_stack_name, &req.workloads).await?;
    }
    let subnets = assets::find_subnets(&client, ws, &env, &req.workloads).await?;
    let looked_up = alb::look_up(&client, ws, &env, &planned).await?;
    // 4. Images, then the stacks with their digests.
    let concurrency = req.concurrency.max(1);
    let published = images::publish(ui, ws, Some(&client), ready, &req.images, concurrency).await?;
    let mut uploads = DeployInputs::from(images::digests(&published));
    uploads.subnets = subnets;
    uploads.looked_up = looked_up;
    assets::upload(&client, &app, env_files, &mut uploads).await?;
    assets::upload_addons(&client, &app, addons, &mut uploads).await?;
    let (mut env_stack, mut workloads) = plan(ws, &req, &uploads)?;
    for spec in env_stack.iter_mut().chain(workloads.iter_mut()) {
        add_tags(spec, &req.tags);
    }
    for spec in &mut workloads {
        alb::keep_rule_priorities(&client, spec).await?;
        delegation::keep_adopted_aliases(&client, spec, &Default::default()).await?;
    }
    for spec in &mut workloads {
        let name = spec
            .name
            .strip_prefix(&format!("{app}-{env}-"))
            .unwrap_or_default()
            .to_string();
        for first in req.after.get(&name).into_iter().flatten() {
            let stack = crate::compile::service_stack_name(&app, &env, first);
            if !spec.after.contains(&stack) {
                spec.after.push(stack);
            }
        }
    }
    if let Some(spec) = env_stack.as_mut() {
        assets::complete_env_stack(&client, spec).await?;
        assets::upload_env_addons(&client, &app, ws, spec).await?;
    }
    if req.diff {
        for spec in &workloads {
            if !stacks::diff_and_confirm(ui, &client, spec, req.yes).await? {
                ui.note("Nothing was deployed.");
                return Ok(());
            }
        }
    }
    // 5 and 6. Stacks, and what follows each.
    stacks::run_stacks(
        ui,
        client,
        &app,
        env_stack,
        workloads,
        req.options,
        stacks::Run {
            concurrency,
            lock: req.lock,
            yes: req.yes,
        },
    )
    .await
}

/// Adds the user's `tags` to `spec`'s, keeping wharf's own where keys meet.
pub fn add_tags(spec: &mut StackSpec, tags: &[(String, String)]) {
    // A key given twice takes its last value, as Copilot's flag does.
    let wanted: std::collections::BTreeMap<&String, &String> =
        tags.iter().map(|(k, v)| (k, v)).collect();
    for (k, v) in wanted {
        spec.tags.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// A workload-only release into an environment whose CloudFront distribution answers
/// to the services' names (their records point at it) needs the distribution to answer
/// to each of them already: its names are the environment stack's, deployed by `wharf
/// deploy` or `env deploy`.
///
/// # Errors
/// A usage error naming the first missing name, or AWS errors.
async fn require_cdn_names(
    ws: &mut Workspace,
    client: &Aws,
    app: &str,
    env: &str,
    env_stack: &str,
    workloads: &[String],
) -> Result<(), WharfError> {
    let Some(env_m) = ws.env(env).cloned().filter(|e| e.cdn_answers_names()) else {
        return Ok(());
    };
    let mut names = Vec::new();
    for w in workloads {
        if let Some(m) = ws.service(w, Some(env))
            && m.on_public_alb()
            && let Some(h) = m.http()
        {
            names.extend(
                crate::manifest::dns::http_names(&m, h, &env_m, app)
                    .into_iter()
                    .map(|n| (w.clone(), n.name)),
            );
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    let deployed = client.template(env_stack).await?.unwrap_or_default();
    let Some((w, name)) = names
        .into_iter()
        .find(|(_, n)| !deployed.contains(&crate::compile::quote(n)))
    else {
        return Ok(());
    };
    Err(WharfError::usage(
        format!(
            "environment `{env}`'s CloudFront distribution does not answer to `{name}` yet, and `{w}`'s record would point it there"
        ),
        Some(format!(
            "deploy the environment with it first: `wharf deploy -e {env} -n {w}` deploys both"
        )),
    ))
}

/// A workload-only release needs its environment deployed: a rolled-back update leaves
/// a working environment; a rolled-back create does not.
async fn require_environment(
    client: &Aws,
    env: &str,
    env_stack: &str,
    workloads: &[String],
) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    use crate::deploy::status::{Verdict, verdict};
    let ready = client.describe(env_stack).await?.is_some_and(|s| {
        matches!(verdict(&s.status), Verdict::Succeeded | Verdict::RolledBack)
            && s.status != "ROLLBACK_COMPLETE"
    });
    if ready {
        return Ok(());
    }
    let name = workloads.first().map_or("<name>", String::as_str);
    Err(WharfError::usage(
        format!("environment `{env}` is not deployed (stack {env_stack})"),
        Some(format!(
            "run `wharf env deploy -n {env}` first, or `wharf deploy -e {env} -n {name}`"
        )),
    ))
}
