//! `wharf app …`: applications.

use crate::error::WharfError;
use crate::manifest::workspace;
use crate::release::stacks;
use crate::scaffold::{self, AppSpec};
use crate::ui::Ui;

/// `wharf app` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the application: wharf/app.yml, and its shared resources in the region.
    Init(InitArgs),
    /// Delete every stack of the application: services, environments, shared resources.
    Delete(DeleteArgs),
    /// Print the application stack's template (shared resources; with a domain, its
    /// hosted zone), or write it to a directory. Offline.
    Package(PackageArgs),
    /// List the applications wharf deployed in the region (their shared stacks).
    Ls(super::remote::AwsArgs),
    /// Take over an application AWS Copilot deployed, in place: `--plan` shows what
    /// each of its stacks would become, refusing to replace or delete what holds state.
    Adopt(super::adopt::Args),
    /// The workspace's application: its region and domain, its environments and
    /// services, and where each is deployed.
    Show(ShowArgs),
}

/// `wharf app show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Only what the workspace holds, without asking AWS what is deployed.
    #[arg(long)]
    pub local: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `wharf app package`.
#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// Write `application.stack.yml` and `application.params.json` here instead of
    /// printing the template.
    #[arg(long)]
    pub output_dir: Option<std::path::PathBuf>,
}

/// `wharf app delete`.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `wharf app init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Application name (lower-case letters, digits and hyphens).
    pub name: String,
    /// Domain name (a Route 53 hosted zone) for the application.
    #[arg(long)]
    pub domain: Option<String>,
    /// IAM policy used as permissions boundary for every role wharf creates.
    #[arg(long)]
    pub permissions_boundary: Option<String>,
    /// Tags for every stack, as key=value (repeat, or separate with commas).
    #[arg(long, value_delimiter = ',')]
    pub resource_tags: Vec<String>,
    /// Only write wharf/app.yml; create nothing in AWS.
    #[arg(long)]
    pub local: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// Runs `wharf app …`.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    match cmd {
        Command::Init(a) => init(a, ui),
        Command::Delete(a) => delete(a, ui),
        Command::Package(a) => package(a, ui),
        Command::Ls(a) => ls(&a, ui),
        Command::Adopt(a) => super::adopt::run(a, ui),
        Command::Show(a) => show(a, ui),
    }
}

/// Run again in the application's workspace, `app init` (re)creates its resources from
/// the manifest: a flag that says otherwise than the manifest would be ignored, so it is
/// refused, naming the field to edit.
fn refuse_changed_flags(ws: &workspace::Workspace, spec: &AppSpec) -> Result<(), WharfError> {
    let Some(app) = ws.app.as_ref() else {
        return Ok(());
    };
    let file = ws.location.dir.join(match ws.location.flavor {
        workspace::Flavor::Wharf => "app.yml",
        workspace::Flavor::Copilot => ".workspace",
    });
    let written: std::collections::BTreeMap<String, String> = app
        .tags
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    let mut differ = Vec::new();
    if spec.domain.is_some()
        && spec.domain.as_deref() != app.domain.as_ref().map(|d| d.value.as_str())
    {
        differ.push(("--domain", "domain"));
    }
    if spec.permissions_boundary.is_some()
        && spec.permissions_boundary.as_deref()
            != app.permissions_boundary.as_ref().map(|p| p.value.as_str())
    {
        differ.push(("--permissions-boundary", "permissions_boundary"));
    }
    if !spec.tags.is_empty() && spec.tags.iter().any(|(k, v)| written.get(k) != Some(v)) {
        differ.push(("--resource-tags", "tags"));
    }
    if differ.is_empty() {
        return Ok(());
    }
    Err(WharfError::usage(
        format!(
            "application `{}` is already in {}: {} would be ignored there",
            app.name.value,
            file.display(),
            differ
                .iter()
                .map(|(f, _)| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(format!(
            "set {} in {}{}, then run `wharf app init {}` again",
            differ
                .iter()
                .map(|(_, k)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
            file.display(),
            if ws.location.flavor == workspace::Flavor::Copilot {
                " (a Copilot workspace takes `domain` there; tags and a permissions boundary need a wharf/app.yml)"
            } else {
                ""
            },
            app.name.value
        )),
    ))
}

/// `wharf app ls`: the application stacks (`<app>-infrastructure`, tagged
/// `wharf-application` and nothing narrower) in the region; no workspace needed.
fn ls(aws: &super::remote::AwsArgs, ui: &Ui) -> Result<(), WharfError> {
    super::remote::block_on(async {
        let client = crate::aws::Aws::connect(&aws.options()).await?;
        let apps: Vec<(String, String)> = client
            .stacks_tagged(&[])
            .await?
            .into_iter()
            .filter(|s| {
                !s.tags.contains_key("wharf-environment") && !s.tags.contains_key("wharf-service")
            })
            .filter_map(|s| Some((s.tags.get("wharf-application")?.clone(), s.status)))
            .collect();
        let cells: Vec<Vec<String>> = apps
            .iter()
            .map(|(a, st)| vec![a.clone(), st.clone()])
            .collect();
        ui.data(&crate::ui::table(&["APPLICATION", "STACK STATUS"], &cells));
        ui.event(
            "applications",
            &apps
                .iter()
                .map(
                    |(a, st)| serde_json::json!({"name": a, "status": st, "region": client.region}),
                )
                .collect::<Vec<_>>(),
        );
        Ok(())
    })
}

/// `wharf app show`: the application's manifest values, environments and services, and
/// (unless `--local`) which of their stacks are deployed.
fn show(a: ShowArgs, ui: &Ui) -> Result<(), WharfError> {
    let ShowArgs { local, aws } = a;
    let ws = super::context::load(ui)?;
    let app = super::remote::app_name(&ws);
    let manifest = ws.app.as_ref();
    let region = manifest
        .and_then(|m| m.region.as_ref())
        .map(|r| r.value.clone());
    let domain = manifest
        .and_then(|m| m.domain.as_ref())
        .map(|d| d.value.clone());
    let services: Vec<(String, String)> = ws
        .service_names()
        .into_iter()
        .map(|n| {
            let t = ws.service_type(&n).unwrap_or_default();
            (n, t)
        })
        .collect();
    // Environment → its stack's status, and service → the environments it is in.
    let mut envs: Vec<(String, Option<String>)> =
        ws.env_names().into_iter().map(|e| (e, None)).collect();
    let mut deployed: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    if !local {
        super::remote::block_on(async {
            for (env, status) in &mut envs {
                let client = super::remote::connect(&ws, env, &aws).await?;
                for s in client
                    .stacks_tagged(&[("wharf-application", &app), ("wharf-environment", env)])
                    .await?
                {
                    match s.tags.get("wharf-service") {
                        Some(svc) => deployed.entry(svc.clone()).or_default().push(env.clone()),
                        None if s.tags.contains_key(crate::deploy::owner::PART_TAG) => {}
                        None => *status = Some(s.status.clone()),
                    }
                }
            }
            Ok::<(), WharfError>(())
        })?;
    }
    let mut text = format!(
        "Application  {app}\nRegion       {}\nDomain       {}\n\n",
        region.as_deref().unwrap_or("-"),
        domain.as_deref().unwrap_or("-")
    );
    let env_cells: Vec<Vec<String>> = envs
        .iter()
        .map(|(e, st)| {
            vec![
                e.clone(),
                st.clone()
                    .unwrap_or_else(|| if local { "-" } else { "not deployed" }.into()),
            ]
        })
        .collect();
    text.push_str(&crate::ui::table(
        &["ENVIRONMENT", "STACK STATUS"],
        &env_cells,
    ));
    text.push('\n');
    let svc_cells: Vec<Vec<String>> = services
        .iter()
        .map(|(n, t)| {
            vec![
                n.clone(),
                t.clone(),
                deployed
                    .get(n)
                    .map_or_else(|| "-".to_string(), |e| e.join(", ")),
            ]
        })
        .collect();
    text.push_str(&crate::ui::table(
        &["WORKLOAD", "TYPE", "DEPLOYED TO"],
        &svc_cells,
    ));
    ui.data(&text);
    ui.event(
        "application",
        &serde_json::json!({
            "name": app,
            "region": region,
            "domain": domain,
            "environments": envs.iter().map(|(e, st)| serde_json::json!({"name": e, "status": st})).collect::<Vec<_>>(),
            "workloads": services.iter().map(|(n, t)| serde_json::json!({"name": n, "type": t, "deployed_to": deployed.get(n).cloned().unwrap_or_default()})).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}

/// The application stack's package. With a domain, its `DomainHostedZoneId` parameter
/// is left out: `wharf app init` looks the zone up in the account.
fn package(a: PackageArgs, ui: &Ui) -> Result<(), WharfError> {
    let ws = super::context::load(ui)?;
    super::context::report(ui, &ws)?;
    let info = crate::compile::workspace::app_info(&ws)
        .ok_or(WharfError::InvalidManifest { errors: 1 })?;
    let pkg = crate::compile::application::compile_app(&info)?;
    super::context::emit_package(ui, &pkg, a.output_dir.as_deref())
}

fn delete(a: DeleteArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let DeleteArgs { aws } = a;
    let yes = ui.yes();
    let ws = super::context::load(ui)?;
    let app = remote::app_name(&ws);
    stacks::confirm_delete(
        ui,
        &format!(
            "application `{app}`: every service and environment stack, its ECR repositories with their images, and its shared resources"
        ),
        yes,
    )?;
    remote::block_on(async {
        let client = remote::connect_to(&ws, None, &aws).await?;
        let mut stacks = client.stacks_tagged(&[("wharf-application", &app)]).await?;
        // Services, then environments, then what they showed (CloudFront's
        // certificate), then the application stack.
        stacks.sort_by_key(|s| {
            match (
                s.tags.contains_key("wharf-service"),
                s.tags.contains_key("wharf-environment"),
                s.tags.contains_key(crate::deploy::owner::PART_TAG),
            ) {
                (true, _, _) => 0,
                (false, true, false) => 1,
                (false, true, true) => 2,
                (false, false, _) => 3,
            }
        });
        let environments: Vec<String> = stacks
            .iter()
            .filter(|s| !s.tags.contains_key("wharf-service"))
            .filter_map(|s| s.tags.get("wharf-environment").cloned())
            .collect();
        let names: Vec<(String, remote::Owner)> = stacks
            .into_iter()
            .filter_map(|s| match crate::deploy::owner::made_by(&s) {
                // Only stacks wharf made (tags and name), not others carrying its tags.
                crate::deploy::owner::MadeBy::Wharf(owner) => Some((s.name, owner)),
                _ => None,
            })
            .collect();
        let repositories = client.application_repositories(&app).await?;
        if names.is_empty() && repositories.is_empty() {
            ui.event(
                "deleted",
                &serde_json::json!({"stacks": [], "absent": [], "repositories": []}),
            );
            ui.note(format!(
                "Application `{app}` has no stacks and no repositories in {}: nothing was deleted",
                client.region
            ));
            return Ok(());
        }
        // Delegations Copilot wrote and adopted environments keep, read while the
        // stacks (and the application's published zone ID) still exist.
        let mut delegations = Vec::new();
        for env in environments
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
        {
            let stack = crate::compile::env_stack_name(&app, env);
            if let Some(kept) =
                crate::release::delegation::before_delete(&client, &app, &stack).await?
            {
                delegations.push(kept);
            }
        }
        if !names.is_empty() {
            stacks::delete_stacks(ui, &client, &app, &names, &remote::options(ui, false)).await?;
        }
        for kept in &delegations {
            crate::release::delegation::after_delete(ui, &client, kept).await?;
        }
        for env in &environments {
            crate::release::cdn_certificate::delete(
                ui,
                &client,
                &app,
                env,
                &remote::options(ui, false),
            )
            .await?;
        }
        // After the services that ran their images; only repositories wharf tagged.
        for repo in &repositories {
            client.delete_repository(repo).await?;
        }
        if !repositories.is_empty() {
            ui.event(
                "deleted",
                &serde_json::json!({"stacks": [], "absent": [], "repositories": repositories}),
            );
            ui.result(format!(
                "Deleted ECR repositories {} with their images",
                repositories.join(", ")
            ));
        }
        Ok(())
    })
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
    let file = prepare(spec)?;
    scaffold::write_all_new(std::slice::from_ref(&file))?;
    report_created(spec, ui);
    Ok(())
}

/// Checks that `app.yml` can be created here (not inside a workspace) and renders it.
pub fn prepare(spec: &AppSpec) -> Result<scaffold::NewFile, WharfError> {
    check_name(&spec.name)?;
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
    Ok(scaffold::NewFile {
        path: cwd.join("wharf").join("app.yml"),
        text: scaffold::app_manifest(spec)?,
    })
}

/// Says that `app.yml` was written.
pub fn report_created(spec: &AppSpec, ui: &Ui) {
    ui.result(format!(
        "Created application `{}` in wharf/app.yml",
        spec.name
    ));
    ui.event(
        "created",
        &serde_json::json!({"kind": "application", "name": spec.name, "path": "wharf/app.yml"}),
    );
}

fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let InitArgs {
        name,
        domain,
        permissions_boundary,
        resource_tags,
        local,
        aws,
    } = a;
    // `--region` is both where the resources go and the application's default region.
    let region = aws.region.clone();
    let spec = AppSpec {
        name,
        region: region.clone(),
        domain,
        permissions_boundary,
        tags: parse_tags(&resource_tags)?,
    };
    check_name(&spec.name)?;
    let cwd = super::context::cwd()?;
    // Run again in the application's own workspace, it only (re)creates the resources.
    let existing = workspace::find(&cwd)
        .map(|_| super::context::load(ui))
        .transpose()?;
    let ws = match existing {
        Some(ws)
            if ws
                .app
                .as_ref()
                .is_some_and(|app| app.name.value == spec.name) =>
        {
            refuse_changed_flags(&ws, &spec)?;
            Some(ws)
        }
        _ => {
            create(&spec, ui)?;
            None
        }
    };
    if local {
        ui.note("Next: `wharf env init -n test` and `wharf svc init`.");
        return Ok(());
    }
    // Load what `create` just wrote; an existing workspace was loaded above.
    let ws = match ws {
        Some(ws) => ws,
        None => super::context::load(ui)?,
    };
    super::context::report(ui, &ws)?;
    let info = crate::compile::workspace::app_info(&ws)
        .ok_or(WharfError::InvalidManifest { errors: 1 })?;
    remote::block_on(async {
        let client = remote::connect_to(&ws, None, &aws).await?;
        deploy_stack(ui, client, &info, None, remote::options(ui, false)).await
    })?;
    ui.note(next_steps(&ws));
    Ok(())
}

/// Creates or updates the application stack of `info` (`<app>-infrastructure`: the
/// bucket of templates, locks and files; with a domain, its hosted zone, delegated from
/// the domain's zone, which is looked up in the account). `app_zone`: the ID of the
/// application's zone another stack holds (an adopted application's, AWS Copilot's);
/// `None` keeps what the deployed stack has.
///
/// # Errors
/// No hosted zone for the domain (usage), AWS errors, the deploy failing.
pub async fn deploy_stack(
    ui: &Ui,
    client: crate::aws::Aws,
    info: &crate::compile::AppInfo,
    app_zone: Option<String>,
    opts: crate::deploy::stack::Options,
) -> Result<(), WharfError> {
    use crate::compile::application::ADOPTED_ZONE_PARAMETER;
    let mut pkg = crate::compile::application::compile_app(info)?;
    if let Some(domain) = &info.domain {
        let kept = match app_zone {
            Some(z) => Some(z),
            None => crate::deploy::StackApi::describe(&client, &pkg.stack_name)
                .await?
                .and_then(|s| s.parameters.get(ADOPTED_ZONE_PARAMETER).cloned())
                .filter(|z| !z.is_empty()),
        };
        if let Some(z) = kept {
            pkg.config
                .parameters
                .insert(ADOPTED_ZONE_PARAMETER.to_string(), z);
        }
        let zone = client.public_zone_id(domain).await?.ok_or_else(|| {
            WharfError::usage(
                format!("this account has no public Route 53 hosted zone named {domain}"),
                Some(format!("create the hosted zone {domain} (or register the domain with Route 53) in this account, then run `wharf app init` again")),
            )
        })?;
        pkg.config.parameters.insert(
            crate::compile::application::DOMAIN_ZONE_PARAMETER.to_string(),
            zone,
        );
    }
    stacks::run_stacks(
        ui,
        client,
        &info.name,
        Some(super::remote::spec(pkg)),
        Vec::new(),
        opts,
        stacks::Run::one(stacks::Lock::Skip),
    )
    .await
}

/// What to do after `app init`, given what the workspace already holds.
fn next_steps(ws: &crate::manifest::workspace::Workspace) -> String {
    match (ws.env_names().first(), ws.service_names().is_empty()) {
        (None, _) => {
            "Next: `wharf env init -n test`, `wharf svc init`, then `wharf deploy -e test --all`."
                .into()
        }
        (Some(env), true) => {
            format!("Next: `wharf svc init`, then `wharf deploy -e {env} --all`.")
        }
        (Some(env), false) => format!("Next: `wharf deploy -e {env} --all`."),
    }
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
