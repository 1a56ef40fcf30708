//! Changing stacks, as every command that does shares it: the ownership check before
//! anything is built, the deploy locks, the replacement question, deploying several
//! stacks and reporting their results with the right exit code, deleting stacks, large
//! templates through the application's bucket, and `--diff`.

use crate::aws::Aws;
pub use crate::deploy::owner::Owner;
use crate::deploy::stack::{Options, StackSpec};
use crate::error::WharfError;
use crate::ui::Ui;
use std::time::Duration;

/// Whether and how a run takes the deploy locks of the stacks it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// No lock: `app init`, whose stack creates the bucket locks live in.
    Skip,
    /// Refuse when another run holds a lock.
    Refuse,
    /// Wait for the holder (`--wait-lock`), as long as the stack timeout.
    Wait,
}

impl Lock {
    /// [`Lock::Wait`] with `--wait-lock`, else [`Lock::Refuse`].
    pub fn from_flag(wait_lock: bool) -> Self {
        if wait_lock { Lock::Wait } else { Lock::Refuse }
    }
}

/// Deploy locks this run holds, renewed in the background until [`Locks::release`].
pub struct Locks {
    aws: Aws,
    bucket: String,
    held: std::sync::Arc<std::sync::Mutex<Vec<crate::deploy::lock::Held>>>,
    renewal: tokio::task::JoinHandle<()>,
    /// Releases them if the run is stopped at once (a second Ctrl-C).
    _on_abort: crate::abort::Registered,
}

impl Locks {
    /// Stops renewing and deletes the lock objects.
    pub async fn release(self, ui: &Ui) {
        self.renewal.abort();
        let held = self.held.lock().map(|h| h.clone()).unwrap_or_default();
        let store = crate::aws::s3::BucketLocks {
            aws: &self.aws,
            bucket: self.bucket.clone(),
        };
        for (stack, e) in crate::deploy::lock::release_all(&store, &held).await {
            ui.warn(format!(
                "could not release the deploy lock of {stack} (it expires by itself within 2 minutes): {e}"
            ));
        }
    }
}

/// Who this run is, for the locks it takes: `user@host (pid N)`.
fn holder() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "someone".into());
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into());
    format!("{user}@{host} (pid {})", std::process::id())
}

/// Takes the deploy locks of `stacks` (in name order, so that runs waiting for each
/// other cannot deadlock), in the application's bucket. Without a bucket there is
/// nothing to lock with: a warning says so and the run goes on unlocked.
///
/// # Errors
/// When another run holds one of the locks, or Ctrl-C (`interrupts`) ends the wait
/// (all taken so far are released).
pub async fn lock_stacks(
    ui: &Ui,
    aws: &Aws,
    app: &str,
    stacks: &[&str],
    how: Lock,
    opts: &Options,
) -> Result<Option<Locks>, WharfError> {
    let wait = opts.timeout;
    use crate::deploy::lock::{self, Acquire};
    if how == Lock::Skip || stacks.is_empty() {
        return Ok(None);
    }
    let Some(bucket) = app_bucket(aws, app).await? else {
        ui.warn(format!(
            "deploys of application `{app}` are not locked against other wharf runs: it has no bucket in {} (`wharf app init {app}` creates it)",
            aws.region
        ));
        return Ok(None);
    };
    let store = crate::aws::s3::BucketLocks {
        aws,
        bucket: bucket.clone(),
    };
    let acquire = Acquire {
        holder: holder(),
        command: std::iter::once("wharf".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" "),
        wait: (how == Lock::Wait).then_some(wait),
        poll: Duration::from_secs(2),
    };
    let mut names: Vec<&str> = stacks.to_vec();
    names.sort_unstable();
    names.dedup();
    let mut held = Vec::new();
    for stack in names {
        let waited = std::sync::atomic::AtomicBool::new(false);
        let waiting = |l: &lock::Lease| {
            waited.store(true, std::sync::atomic::Ordering::Relaxed);
            ui.event(
                "lock",
                &serde_json::json!({"stack": stack, "state": "waiting", "holder": l.holder, "command": l.command}),
            );
            ui.note(format!(
                "{stack}: waiting for {} (`{}`) to finish deploying it",
                l.holder, l.command
            ));
        };
        let taking = lock::acquire(&store, stack, &acquire, crate::clock::now_ms, &waiting);
        let got = tokio::select! {
            r = taking => r,
            () = pressed(opts.interrupts.clone()) => {
                lock::release_all(&store, &held).await;
                // The request cut off may have taken this stack's lock already.
                let _ = lock::release_if_held_by(&store, stack, &acquire.holder).await;
                return Err(WharfError::Interrupted {
                    during: if waited.load(std::sync::atomic::Ordering::Relaxed) {
                        "waiting for another run's deploy lock"
                    } else {
                        "taking the deploy locks"
                    },
                });
            }
        };
        match got {
            Ok(h) => {
                if let Some(old) = &h.took_over {
                    ui.event(
                        "lock",
                        &serde_json::json!({"stack": stack, "state": "took_over", "holder": old.holder, "command": old.command}),
                    );
                    ui.note(format!(
                        "{stack}: took over the expired deploy lock of {} (`{}`)",
                        old.holder, old.command
                    ));
                }
                held.push(h);
            }
            Err(e) => {
                lock::release_all(&store, &held).await;
                return Err(WharfError::Lock(e));
            }
        }
    }
    let held = std::sync::Arc::new(std::sync::Mutex::new(held));
    let renewal = {
        let (aws, bucket, held) = (aws.clone(), bucket.clone(), held.clone());
        tokio::spawn(async move {
            let store = crate::aws::s3::BucketLocks { aws: &aws, bucket };
            loop {
                tokio::time::sleep(lock::RENEW_EVERY).await;
                let mut current = held.lock().map(|h| h.clone()).unwrap_or_default();
                for h in &mut current {
                    // A failed renewal is tried again at the next tick; the lease
                    // outlives four ticks.
                    let _ = lock::renew(&store, h, crate::clock::now_ms()).await;
                }
                if let Ok(mut h) = held.lock() {
                    *h = current;
                }
            }
        })
    };
    let on_abort = {
        let (aws, bucket, held) = (aws.clone(), bucket.clone(), held.clone());
        crate::abort::on_abort(move || -> crate::abort::Task {
            Box::pin(async move {
                let store = crate::aws::s3::BucketLocks { aws: &aws, bucket };
                let current = held.lock().map(|h| h.clone()).unwrap_or_default();
                lock::release_all(&store, &current).await;
            })
        })
    };
    Ok(Some(Locks {
        aws: aws.clone(),
        bucket,
        held,
        renewal,
        _on_abort: on_abort,
    }))
}

/// Resolves at a Ctrl-C (pressed before or during the wait); never without interrupts.
async fn pressed(interrupts: Option<tokio::sync::watch::Receiver<u32>>) {
    let Some(mut rx) = interrupts else {
        return std::future::pending().await;
    };
    while *rx.borrow_and_update() == 0 {
        if rx.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// How [`run_stacks`] runs: how many service stacks at once, the deploy locks, and
/// whether the user said yes beforehand (`--yes`).
#[derive(Debug, Clone, Copy)]
pub struct Run {
    /// Service stacks deployed at the same time.
    pub concurrency: usize,
    /// Whether and how to take the deploy locks.
    pub lock: Lock,
    /// `--yes`: replacing a resource that holds state needs no question.
    pub yes: bool,
}

impl Run {
    /// One stack at a time, locks taken as `lock` says, nothing answered beforehand.
    pub fn one(lock: Lock) -> Self {
        Run {
            concurrency: 1,
            lock,
            yes: false,
        }
    }
}

/// Deploys the environment stack (if given) and then the service stacks in parallel,
/// under their deploy locks, reports every result, and turns failures into the right
/// exit code. Under the locks, before anything changes, it compares each deployed
/// template with the new one: an update that replaces a resource that holds state is
/// said, and goes ahead only with a yes (`--yes`, or the answer on a terminal).
pub async fn run_stacks(
    ui: &Ui,
    aws: Aws,
    app: &str,
    mut env: Option<StackSpec>,
    mut services: Vec<StackSpec>,
    opts: Options,
    run: Run,
) -> Result<(), WharfError> {
    let all: Vec<&StackSpec> = env.iter().chain(services.iter()).collect();
    check_specs(&aws, &all).await?;
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    let locks = lock_stacks(ui, &aws, app, &names, run.lock, &opts).await?;
    let result = async {
        super::cdn_certificate::order_distribution_removal(&aws, app, env.as_mut(), &services)
            .await?;
        confirm_replacements(ui, &aws, env.iter_mut().chain(services.iter_mut()), run.yes).await?;
        let pending = super::cdn_certificate::before(ui, &aws, app, env.as_mut(), &opts).await?;
        let deployed = deploy_locked(
            ui,
            aws.clone(),
            app,
            env,
            services,
            run.concurrency,
            opts.clone(),
        )
        .await;
        let cleaned = super::cdn_certificate::after(ui, &aws, pending, &opts).await;
        deployed.and(cleaned)
    }
    .await;
    if let Some(l) = locks {
        l.release(ui).await;
    }
    result
}

/// Finds, for each stack that exists, the resources its update replaces (the deployed
/// template against the new one, [`crate::deploy::replace`]) and records them in the
/// spec. When there are any, says which and what that means, then goes on only with a
/// yes: `yes`, or the answer to a question on a terminal.
///
/// # Errors
/// [`WharfError::Refused`] when the replacement is declined or nobody can answer.
async fn confirm_replacements(
    ui: &Ui,
    aws: &Aws,
    specs: impl Iterator<Item = &mut StackSpec>,
    yes: bool,
) -> Result<(), WharfError> {
    let mut replaced = Vec::new();
    // The region's exports, read once for all the stacks (when one is deployed).
    let mut read: Option<std::collections::BTreeMap<String, String>> = None;
    for spec in specs {
        if let Some(deployed) = aws.template(&spec.name).await? {
            let exports = match read.take() {
                Some(e) => e,
                None => super::replacing::exports(aws).await?,
            };
            spec.replacing = super::replacing::replacements(aws, spec, &deployed, &exports).await?;
            read = Some(exports);
            replaced.extend(
                spec.replacing
                    .iter()
                    .map(|r| format!("{}: {}", spec.name, r.describe())),
            );
        }
    }
    if replaced.is_empty() {
        return Ok(());
    }
    for r in &replaced {
        ui.warn(format!("this deploy replaces {r}"));
    }
    ui.warn(
        "CloudFormation creates each anew and deletes the old one, with what it holds (an ECS service's running tasks, a log group's logs, a queue's messages, a load balancer's DNS name)",
    );
    ui.event(
        "replacements",
        &serde_json::json!({ "resources": replaced }),
    );
    if yes {
        ui.note("Going ahead with the replacement (--yes).");
        return Ok(());
    }
    let refused = |why: &str| WharfError::Refused {
        message: format!("nothing was deployed: {why}"),
        help: Some(
            "keep the deployed value in the manifest, or rerun with --yes to replace".into(),
        ),
    };
    match ui.confirm("Replace them?", "--yes") {
        Ok(true) => Ok(()),
        Ok(false) => Err(refused("the replacement was declined")),
        Err(crate::ui::PromptError::NeedsFlag { .. }) => Err(refused(
            "replacing a resource that holds state needs a yes, and there is no terminal to ask",
        )),
        Err(e) => Err(e.into()),
    }
}

async fn deploy_locked(
    ui: &Ui,
    aws: Aws,
    app: &str,
    mut env: Option<StackSpec>,
    mut services: Vec<StackSpec>,
    concurrency: usize,
    opts: Options,
) -> Result<(), WharfError> {
    for spec in env.iter_mut().chain(services.iter_mut()) {
        upload_if_large(&aws, app, spec).await?;
    }
    let reporter: std::sync::Arc<dyn crate::deploy::DeployReporter> =
        std::sync::Arc::from(crate::ui::progress::reporter(ui));
    let total = usize::from(env.is_some()) + services.len();
    let forced = opts.rollout.as_ref().is_some_and(|r| r.force);
    let results = crate::deploy::multi::deploy_all(
        std::sync::Arc::new(aws),
        env,
        services,
        reporter,
        opts,
        concurrency,
    )
    .await;
    let release = crate::deploy::release::Release {
        results,
        total,
        forced,
    };
    for (stack, r) in &release.results {
        match r {
            Ok(o) => {
                if let Some(url) = o.outputs.get(crate::contract::output::URL) {
                    ui.note(format!("{stack}: {url}"));
                }
            }
            // With one stack, the error is reported once, as the command's error.
            Err(e) if total > 1 => ui.error(&WharfError::Deploy(e.clone())),
            Err(_) => {}
        }
    }
    ui.event("summary", &release.summary());
    let skipped = release.skipped();
    if skipped > 0 {
        ui.warn(format!(
            "{skipped} service stack(s) were not deployed because the environment stack failed"
        ));
    }
    if let Some(line) = release.closing_line() {
        ui.result(line);
        return Ok(());
    }
    let (failed, code) = (release.failed(), release.worst_code());
    // A single failed stack keeps its own exit code and message.
    if total == 1
        && let Some((_, Err(e))) = release.results.into_iter().next()
    {
        return Err(WharfError::Deploy(e));
    }
    Err(WharfError::SomeFailed {
        failed: failed + skipped,
        total,
        code,
    })
}

/// Deletes stacks one after the other (services before their environment), after
/// confirmation: on a terminal a prompt, elsewhere `--yes`.
/// Each stack comes with the owner wharf made it for; when any of them is not wharf's
/// for that owner, nothing is deleted. The stacks are deleted under their deploy locks
/// (refusing while another run deploys one), except the application stack: it holds the
/// bucket the locks live in, so it goes last, after the locks are released.
pub async fn delete_stacks(
    ui: &Ui,
    aws: &Aws,
    app: &str,
    stacks: &[(String, Owner)],
    opts: &Options,
) -> Result<(), WharfError> {
    let all: Vec<(&str, Owner)> = stacks
        .iter()
        .map(|(s, o)| (s.as_str(), o.clone()))
        .collect();
    check_owners(aws, &all).await?;
    let app_stack = crate::compile::application::stack_name(app);
    let (last, first): (Vec<_>, Vec<_>) = stacks.iter().partition(|(s, _)| *s == app_stack);
    let names: Vec<&str> = first.iter().map(|(s, _)| s.as_str()).collect();
    let locks = lock_stacks(ui, aws, app, &names, Lock::Refuse, opts).await?;
    let reporter = crate::ui::progress::reporter(ui);
    // What became of each stack, in the order deleted.
    let mut done: Vec<(&str, crate::deploy::types::Action)> = Vec::new();
    let under_locks = async {
        for (stack, owner) in &first {
            // Alias records an adopted service keeps outside its stack go with it.
            let aliases = super::delegation::aliases_before_delete(aws, stack).await?;
            let out =
                crate::deploy::stack::delete(aws, stack, owner, reporter.as_ref(), opts).await?;
            if out.action == crate::deploy::types::Action::Deleted {
                super::delegation::delete_aliases(ui, aws, stack, &aliases).await?;
            }
            done.push((stack.as_str(), out.action));
        }
        Ok::<_, WharfError>(())
    }
    .await;
    if let Some(l) = locks {
        l.release(ui).await;
    }
    under_locks?;
    for (stack, owner) in &last {
        // S3 deletes only empty buckets, so the application stack's bucket is emptied
        // first (it holds uploaded templates and, until a moment ago, the locks).
        if let Some(bucket) = app_bucket(aws, app).await? {
            let n = aws.empty_bucket(&bucket).await?;
            if n > 0 {
                ui.note(format!("emptied bucket {bucket} ({n} objects)"));
            }
        }
        let out = crate::deploy::stack::delete(aws, stack, owner, reporter.as_ref(), opts).await?;
        done.push((stack.as_str(), out.action));
    }
    let (absent, deleted): (Vec<_>, Vec<_>) = done
        .iter()
        .partition(|(_, action)| *action == crate::deploy::types::Action::Absent);
    let absent: Vec<&str> = absent.iter().map(|(s, _)| *s).collect();
    let deleted: Vec<&str> = deleted.iter().map(|(s, _)| *s).collect();
    // Only what was deleted is reported as deleted.
    if !absent.is_empty() {
        ui.note(format!(
            "{} did not exist: nothing to delete there",
            absent.join(", ")
        ));
    }
    ui.event(
        "deleted",
        &serde_json::json!({"stacks": deleted, "absent": absent, "repositories": []}),
    );
    if deleted.is_empty() {
        ui.note("Nothing was deleted.");
    } else {
        ui.result(format!("Deleted {}", deleted.join(", ")));
    }
    Ok(())
}

/// [`check_owners`] for stacks about to be deployed, each owned as its wharf tags say.
pub async fn check_specs(aws: &Aws, specs: &[&StackSpec]) -> Result<(), WharfError> {
    check_each(
        aws,
        specs
            .iter()
            .filter_map(|s| Some((s.name.as_str(), Owner::from_tags(&s.tags)?, s.adopting))),
    )
    .await?;
    check_needs(aws, specs).await
}

/// Each topic a stack subscribes to must be published by a deployed stack of the
/// environment, unless its publisher deploys in the same run: checked before anything
/// is built or changed, since a subscription to a missing topic fails the stack.
///
/// # Errors
/// [`WharfError::Refused`] naming the first missing topic.
pub async fn check_needs(aws: &Aws, specs: &[&StackSpec]) -> Result<(), WharfError> {
    for spec in specs {
        // A publisher deployed in the same run comes first (the run's waves).
        for need in spec
            .needs
            .iter()
            .filter(|n| !specs.iter().any(|s| s.name == n.stack))
        {
            if aws
                .stack_resource(&need.stack, &need.logical_id)
                .await?
                .is_none()
            {
                return Err(WharfError::Refused {
                    message: format!(
                        "{} subscribes to {}, which no deployed stack publishes ({} has no {}); nothing was deployed",
                        spec.name, need.what, need.stack, need.logical_id
                    ),
                    help: Some(format!(
                        "deploy the publisher first, or with it in one run (`wharf deploy` deploys a worker after its publishers), with `publish.topics` naming the topic; or fix `subscribe.topics` of {}",
                        spec.name
                    )),
                });
            }
        }
    }
    Ok(())
}

/// Checks, before anything is built, pushed or changed, that each stack that exists was
/// made by wharf for its owner (the same check the deploy engine makes for each stack).
///
/// # Errors
/// [`crate::deploy::DeployError::NotOurs`] for the first stack that is not wharf's.
pub async fn check_owners(aws: &Aws, stacks: &[(&str, Owner)]) -> Result<(), WharfError> {
    check_each(aws, stacks.iter().map(|(s, o)| (*s, o.clone(), false))).await
}

/// [`check_owners`], each stack with whether it is being adopted
/// ([`crate::deploy::owner::check_for`]).
async fn check_each<'a>(
    aws: &Aws,
    stacks: impl IntoIterator<Item = (&'a str, Owner, bool)>,
) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    for (stack, owner, adopting) in stacks {
        if let Some(found) = aws.describe(stack).await? {
            crate::deploy::owner::check_for(&found, &owner, adopting)
                .map_err(WharfError::Deploy)?;
        }
    }
    Ok(())
}

/// Asks before deleting; `--yes` answers for CI.
pub fn confirm_delete(ui: &Ui, what: &str, yes: bool) -> Result<(), WharfError> {
    if yes || ui.confirm(&format!("Delete {what}?"), "--yes")? {
        Ok(())
    } else {
        Err(WharfError::usage("nothing was deleted", None))
    }
}

/// The bucket of application `app` in `aws`'s region (its `<app>-infrastructure` stack's
/// `TemplateBucket` output): where large templates and deploy locks go. `None` before
/// `wharf app init`.
pub(super) async fn app_bucket(aws: &Aws, app: &str) -> Result<Option<String>, WharfError> {
    use crate::deploy::StackApi;
    let app_stack = crate::compile::application::stack_name(app);
    Ok(aws
        .describe(&app_stack)
        .await?
        .and_then(|s| s.outputs.get("TemplateBucket").cloned()))
}

/// Uploads a template over the inline limit to the application's bucket.
pub(crate) async fn upload_if_large(
    aws: &Aws,
    app: &str,
    spec: &mut StackSpec,
) -> Result<(), WharfError> {
    // CloudFormation's inline limit, or lower (`WHARF_INLINE_TEMPLATE_LIMIT`, for tests).
    let limit = crate::settings::current().inline_template_limit;
    if spec.template.len() <= limit {
        return Ok(());
    }
    let bucket = app_bucket(aws, app).await?.ok_or_else(|| {
        WharfError::usage(
            format!("the template of {} is {} bytes, over CloudFormation's inline limit, and application `{app}` has no template bucket in {}", spec.name, spec.template.len(), aws.region),
            Some(format!("run `wharf app init {app}` once in this region")),
        )
    })?;
    let stamp = crate::clock::now_ms();
    let key = format!("templates/{}/{stamp}.yml", spec.name);
    spec.template_url = Some(aws.put_template(&bucket, &key, &spec.template).await?);
    Ok(())
}

/// `--diff`: prints how the new template differs from the deployed one, then asks
/// whether to go on (`--yes` answers). `Ok(false)` when the user declines.
pub async fn diff_and_confirm(
    ui: &Ui,
    aws: &Aws,
    spec: &StackSpec,
    yes: bool,
) -> Result<bool, WharfError> {
    show_diff(ui, aws, spec).await?;
    if yes {
        return Ok(true);
    }
    Ok(ui.confirm("Continue with the deployment?", "--yes")?)
}

/// Prints how `spec`'s template differs from its deployed stack's (everything is new
/// when there is none), with the resources it would replace, and a `diff` event
/// (`exists: false` and `diff: null` for a stack not deployed). Whether the stack is
/// deployed, and whether the template differs or the stack does not exist.
///
/// # Errors
/// AWS errors.
pub async fn show_diff(ui: &Ui, aws: &Aws, spec: &StackSpec) -> Result<(bool, bool), WharfError> {
    let deployed = aws.template(&spec.name).await?;
    let diff = match &deployed {
        None => {
            ui.note(format!(
                "Stack {} does not exist yet: everything in the template is new.",
                spec.name
            ));
            None
        }
        Some(t) => crate::deploy::diff::template_diff(t, &spec.template, &spec.name),
    };
    let replacing = match deployed.as_deref() {
        Some(t) => {
            let exports = super::replacing::exports(aws).await?;
            super::replacing::replacements(aws, spec, t, &exports).await?
        }
        None => Vec::new(),
    };
    match &diff {
        Some(d) => {
            ui.data(d);
            for r in &replacing {
                ui.data(&format!("will be replaced: {}\n", r.describe()));
            }
        }
        None if deployed.is_some() => ui.note(format!(
            "No template changes for {} (parameter values may still change).",
            spec.name
        )),
        None => {}
    }
    ui.event(
        "diff",
        &serde_json::json!({"stack": spec.name, "exists": deployed.is_some(), "diff": diff, "replacing": replacing}),
    );
    Ok((deployed.is_some(), deployed.is_none() || diff.is_some()))
}
