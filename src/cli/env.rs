//! `wharf env …`: environments.

use super::context;
use crate::error::WharfError;
use crate::release::stacks;
use crate::scaffold::{self, EnvSpec};
use crate::ui::Ui;
use std::path::PathBuf;

/// `wharf env` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an environment manifest.
    Init(InitArgs),
    /// List the workspace's environments.
    Ls(super::remote::LsArgs),
    /// Write the environment's CloudFormation template and parameters (no AWS access).
    Package(PackageArgs),
    /// Create or update the environment's stack.
    Deploy(DeployArgs),
    /// Delete the environment's stack and the stacks of its services.
    Delete(DeleteArgs),
    /// The deployed environment: its stack, network, load balancer and services.
    Show(ShowArgs),
}

/// `wharf env show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// List the environment stack's resources too (logical ID, type, physical ID).
    #[arg(long)]
    pub resources: bool,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `wharf env delete`.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// AWS connection.
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// `wharf env deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// How to deploy.
    #[command(flatten)]
    pub flags: super::remote::DeployFlags,
    /// Stop waiting for any one stack operation after this long (e.g. `30m`; default
    /// 60m); exit code 4.
    #[arg(long, value_parser = super::remote::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Return once CloudFormation starts the update, without following it (`wharf env
    /// show` tells how it ended).
    #[arg(long)]
    pub detach: bool,
    /// Accepted for Copilot's scripts: wharf submits the environment's template every
    /// time, and CloudFormation says when nothing changed.
    #[arg(long)]
    pub force: bool,
}

/// `wharf env init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Environment name.
    #[arg(short, long)]
    pub name: Option<String>,
    /// AWS region of the environment.
    #[arg(long)]
    pub region: Option<String>,
    /// AWS account ID deploys must use.
    #[arg(long)]
    pub account: Option<String>,
    /// Use this existing VPC instead of creating one.
    #[arg(long)]
    pub import_vpc_id: Option<String>,
    /// Public subnet IDs of the imported VPC (comma separated).
    #[arg(long, value_delimiter = ',', requires = "import_vpc_id")]
    pub import_public_subnets: Vec<String>,
    /// Private subnet IDs of the imported VPC (comma separated).
    #[arg(long, value_delimiter = ',', requires = "import_vpc_id")]
    pub import_private_subnets: Vec<String>,
    /// CIDR block of the VPC wharf creates (default 10.0.0.0/16).
    #[arg(long, conflicts_with = "import_vpc_id")]
    pub override_vpc_cidr: Option<String>,
    /// ACM certificate ARNs for HTTPS on the load balancer (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub import_cert_arns: Vec<String>,
    /// Public subnet blocks of the VPC wharf creates, one per Availability Zone (comma
    /// separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "import_vpc_id")]
    pub override_public_cidrs: Vec<String>,
    /// Private subnet blocks of the VPC wharf creates, one per Availability Zone (comma
    /// separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "import_vpc_id")]
    pub override_private_cidrs: Vec<String>,
    /// Availability Zones of the VPC wharf creates, one public and one private subnet
    /// in each (comma separated; two or more).
    #[arg(long, value_delimiter = ',', conflicts_with = "import_vpc_id")]
    pub override_az_names: Vec<String>,
    /// Subnets of the internal load balancer, of the imported VPC (`http.private.subnets`;
    /// comma separated).
    #[arg(long, value_delimiter = ',', requires = "import_vpc_id")]
    pub internal_alb_subnets: Vec<String>,
    /// Let anything in the VPC reach the internal load balancer
    /// (`http.private.ingress.vpc`).
    #[arg(long)]
    pub internal_alb_allow_vpc_ingress: bool,
    /// Turn on CloudWatch Container Insights (`observability.container_insights`).
    #[arg(long)]
    pub container_insights: bool,
    /// Accepted for Copilot's scripts (wharf has no version check).
    #[arg(long, hide = true)]
    pub allow_downgrade: bool,
    /// Write the account and region of this AWS profile into the manifest (asks STS;
    /// the profile itself is not stored: deploys use `--profile` or AWS_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// Accepted for Copilot's scripts: wharf asks nothing about the network, and without
    /// `--import-vpc-id` or `--override-vpc-cidr` the environment gets its own VPC with
    /// the default configuration.
    #[arg(long)]
    pub default_config: bool,
}

/// `wharf env package`.
#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// Environment name (the workspace's only one when not given; asked on a terminal).
    #[arg(short, long, default_value = "", hide_default_value = true)]
    pub name: String,
    /// Write `<env>.stack.yml` and `<env>.params.json` here instead of printing the template.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Compare the template with the deployed stack's and print the difference instead
    /// of the template: exit 0 when nothing differs, 1 when something does (or the stack
    /// does not exist), 2 when no comparison could be made (Copilot's `--diff`).
    #[arg(long, conflicts_with = "output_dir")]
    pub diff: bool,
    /// Accepted for Copilot's scripts: the template is always the whole current one.
    #[arg(long, hide = true)]
    pub force: bool,
    /// Accepted for Copilot's scripts (wharf has no version check).
    #[arg(long, hide = true)]
    pub allow_downgrade: bool,
    /// AWS connection (with `--diff`).
    #[command(flatten)]
    pub aws: super::remote::AwsArgs,
}

/// Runs `wharf env …`.
pub fn run(cmd: Command, ui: &Ui) -> Result<(), WharfError> {
    use context::{Kind, fill};
    match cmd {
        Command::Init(a) => init(a, ui),
        Command::Ls(a) => ls(a, ui),
        Command::Package(mut a) => {
            fill(ui, &mut a.name, Kind::Environment, "--name")?;
            package(a, ui)
        }
        Command::Deploy(mut a) => {
            fill(ui, &mut a.name, Kind::Environment, "--name")?;
            deploy(a, ui)
        }
        Command::Delete(mut a) => {
            fill(ui, &mut a.name, Kind::Environment, "--name")?;
            delete(a, ui)
        }
        Command::Show(mut a) => {
            fill(ui, &mut a.name, Kind::Environment, "--name")?;
            super::status::env_show(ui, &a.name, &a.aws, a.resources)
        }
    }
}

fn delete(a: DeleteArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let DeleteArgs { name, aws } = a;
    let yes = ui.yes();
    let ws = remote::load_for_env(ui, &name)?;
    let app = ws
        .app
        .as_ref()
        .map(|a| a.name.value.clone())
        .unwrap_or_default();
    let env_stack = crate::compile::env_stack_name(&app, &name);
    stacks::confirm_delete(
        ui,
        &format!("environment `{name}` and every service deployed to it"),
        yes,
    )?;
    remote::block_on(async {
        let client = remote::connect(&ws, &name, &aws).await?;
        // Services first: they read the environment's published values.
        let mut stacks: Vec<(String, remote::Owner)> = client
            .stacks_tagged(&[("wharf-application", &app), ("wharf-environment", &name)])
            .await?
            .into_iter()
            .filter(|s| s.name != env_stack)
            // CloudFront's certificate goes after the environment that shows it.
            .filter(|s| !s.tags.contains_key(crate::deploy::owner::PART_TAG))
            .filter_map(|s| match crate::deploy::owner::made_by(&s) {
                // Only stacks wharf made (tags and name): a tag copied onto another
                // stack does not make it deletable.
                crate::deploy::owner::MadeBy::Wharf(owner) => Some((s.name, owner)),
                _ => None,
            })
            .collect();
        let delegation =
            crate::release::delegation::before_delete(&client, &app, &env_stack).await?;
        stacks.push((env_stack, remote::Owner::environment(&app, &name)));
        let opts = remote::options(ui, false);
        stacks::delete_stacks(ui, &client, &app, &stacks, &opts).await?;
        if let Some(kept) = &delegation {
            crate::release::delegation::after_delete(ui, &client, kept).await?;
        }
        crate::release::cdn_certificate::delete(ui, &client, &app, &name, &opts).await
    })
}

fn deploy(a: DeployArgs, ui: &Ui) -> Result<(), WharfError> {
    use super::remote;
    let DeployArgs {
        name,
        flags,
        timeout,
        detach,
        force: _,
    } = a;
    let (diff, yes) = flags.diff_and_yes(ui);
    let super::remote::DeployFlags {
        wait_in_progress,
        wait_lock,
        diff: _,
        diff_yes: _,
        no_rollback,
        resource_tags,
        allow_downgrade: _,
        aws,
    } = flags;
    let mut ws = remote::load_for_env(ui, &name)?;
    let pkg = crate::compile::workspace::package_env(&mut ws, &name)?;
    context::report(ui, &ws)?;
    let pkg = pkg.ok_or(WharfError::InvalidManifest { errors: 1 })?;
    remote::block_on(async {
        let client = remote::connect(&ws, &name, &aws).await?;
        let mut spec = remote::spec(pkg);
        crate::release::add_tags(&mut spec, &resource_tags);
        crate::release::assets::complete_env_stack(&client, &mut spec).await?;
        crate::release::assets::upload_env_addons(&client, &remote::app_name(&ws), &ws, &mut spec)
            .await?;
        stacks::check_specs(&client, &[&spec]).await?;
        if diff && !stacks::diff_and_confirm(ui, &client, &spec, yes).await? {
            ui.note("Nothing was deployed.");
            return Ok(());
        }
        let mut opts = remote::options(ui, wait_in_progress);
        if let Some(t) = timeout {
            opts.timeout = t;
        }
        opts.disable_rollback = no_rollback;
        opts.detach = detach;
        stacks::run_stacks(
            ui,
            client,
            &remote::app_name(&ws),
            Some(spec),
            Vec::new(),
            opts,
            stacks::Run {
                yes,
                ..stacks::Run::one(stacks::Lock::from_flag(wait_lock))
            },
        )
        .await
    })
}

/// Writes `environments/<name>/manifest.yml` into the workspace.
pub fn create(ws_dir: &std::path::Path, spec: &EnvSpec, ui: &Ui) -> Result<(), WharfError> {
    let file = prepare(ws_dir, spec)?;
    super::init::valid_in_workspace(ws_dir, &file)?;
    scaffold::write_all_new(std::slice::from_ref(&file))?;
    report_created(&file, spec, ui);
    Ok(())
}

/// Checks the name and renders `<workspace>/environments/<name>/manifest.yml`.
pub fn prepare(ws_dir: &std::path::Path, spec: &EnvSpec) -> Result<scaffold::NewFile, WharfError> {
    super::app::check_name(&spec.name)?;
    Ok(scaffold::NewFile {
        path: ws_dir
            .join("environments")
            .join(&spec.name)
            .join("manifest.yml"),
        text: scaffold::env_manifest(spec)?,
    })
}

/// Says that the environment manifest was written.
pub fn report_created(file: &scaffold::NewFile, spec: &EnvSpec, ui: &Ui) {
    ui.result(format!(
        "Created environment `{}` in {}",
        spec.name,
        file.path.display()
    ));
    ui.event(
        "created",
        &serde_json::json!({"kind": "environment", "name": spec.name, "path": file.path}),
    );
}

fn init(a: InitArgs, ui: &Ui) -> Result<(), WharfError> {
    let InitArgs {
        name,
        region,
        account,
        import_vpc_id,
        import_public_subnets,
        import_private_subnets,
        override_vpc_cidr,
        import_cert_arns,
        override_public_cidrs,
        override_private_cidrs,
        override_az_names,
        internal_alb_subnets,
        internal_alb_allow_vpc_ingress,
        container_insights,
        allow_downgrade: _,
        profile,
        default_config: _,
    } = a;
    let (managed_public, managed_private) = crate::scaffold::managed_subnets(
        override_vpc_cidr.as_deref(),
        &override_public_cidrs,
        &override_private_cidrs,
        &override_az_names,
    )
    .map_err(|m| {
        WharfError::usage(
            m,
            Some("e.g. `--override-az-names us-east-1a,us-east-1b --override-public-cidrs 10.0.0.0/24,10.0.1.0/24 --override-private-cidrs 10.0.2.0/24,10.0.3.0/24`".into()),
        )
    })?;
    // The profile's account and region, where the flags do not give them.
    let (account, region) = match &profile {
        Some(p) if account.is_none() || region.is_none() => {
            let (found_account, found_region) = super::remote::block_on(async {
                let aws = crate::aws::Aws::connect(&crate::aws::AwsOptions {
                    profile: Some(p.clone()),
                    region: region.clone(),
                })
                .await?;
                let id = aws.account_id().await?;
                Ok::<_, WharfError>((id, aws.region.clone()))
            })?;
            (
                account.or(Some(found_account)),
                region.or(Some(found_region)),
            )
        }
        _ => (account, region),
    };
    let ws = context::load(ui)?;
    let name = match name {
        Some(n) => n,
        None => ui.ask_text(
            "Environment name",
            Some("test"),
            "--name",
            "an environment name",
        )?,
    };
    let spec = EnvSpec {
        name,
        region,
        account,
        vpc_id: import_vpc_id,
        public_subnets: import_public_subnets,
        private_subnets: import_private_subnets,
        cidr: override_vpc_cidr,
        certificates: import_cert_arns,
        managed_public,
        managed_private,
        internal_alb_subnets,
        internal_alb_vpc_ingress: internal_alb_allow_vpc_ingress,
        container_insights,
    };
    create(&ws.location.dir, &spec, ui)?;
    ui.note(format!(
        "Next: `wharf env package -n {}` to see its CloudFormation template.",
        spec.name
    ));
    Ok(())
}

fn ls(a: super::remote::LsArgs, ui: &Ui) -> Result<(), WharfError> {
    let super::remote::LsArgs { local, aws } = a;
    if !local {
        return super::status::env_ls(ui, &aws);
    }
    let ws = context::load(ui)?;
    context::report(ui, &ws)?;
    let rows: Vec<serde_json::Value> = ws
        .env_names()
        .iter()
        .map(|n| {
            let m = ws.env(n);
            serde_json::json!({
                "name": n,
                "region": m.and_then(|m| m.region.as_ref()).map(|r| r.value.clone()).or_else(|| ws.app.as_ref().and_then(|a| a.region.as_ref()).map(|r| r.value.clone())),
                "account": m.and_then(|m| m.account.as_ref()).map(|a| a.value.clone()),
            })
        })
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            ["name", "region", "account"]
                .iter()
                .map(|k| r[*k].as_str().unwrap_or("-").to_string())
                .collect()
        })
        .collect();
    ui.data(&crate::ui::table(&["NAME", "REGION", "ACCOUNT"], &cells));
    ui.event("environments", &rows);
    Ok(())
}

fn package(a: PackageArgs, ui: &Ui) -> Result<(), WharfError> {
    let PackageArgs {
        name,
        output_dir,
        diff,
        force: _,
        allow_downgrade: _,
        aws,
    } = a;
    let mut ws = context::load(ui)?;
    context::require_env(&ws, &name)?;
    let pkg = crate::compile::workspace::package_env(&mut ws, &name)?;
    context::report(ui, &ws)?;
    let pkg = pkg.ok_or(WharfError::InvalidManifest { errors: 1 })?;
    if diff {
        return context::package_diff(ui, &ws, &name, &aws, pkg);
    }
    context::emit_package(ui, &pkg, output_dir.as_deref())
}
