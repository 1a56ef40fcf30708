//! What a release learns or puts in place before its stacks: each chosen workload's
//! environment files (`env_file`) and addons templates, read and checked with the
//! manifests (step 1), and put in the application's bucket under
//! `env-files/<sha256>.env` and `addons/<sha256>.yml` once the remote checks pass
//! (step 4; content-addressed keys make an unchanged file the same object, so its
//! stack parameter does not change); the subnets `placement.subnets.from_tags` chooses
//! in the environment's VPC (step 3); and what an environment stack takes from the
//! region (CloudFront's prefix list, who writes access logs).

use crate::aws::Aws;
use crate::compile::workspace::DeployInputs;
use crate::error::WharfError;
use crate::manifest::env_file::EnvFile;
use crate::manifest::workspace::Workspace;
use std::collections::BTreeMap;

/// The environment files of `workloads` as they are in `env`, and their merged addons
/// templates by workload (`addons/`), in one pass over the manifests; problems go to
/// the workspace's diagnostics (reported with the manifests').
pub fn read(
    ws: &mut Workspace,
    workloads: &[String],
    env: &str,
) -> (Vec<EnvFile>, BTreeMap<String, String>) {
    let mut files = Vec::new();
    let mut addons = BTreeMap::new();
    for name in workloads {
        let Some(m) = ws.service(name, Some(env)) else {
            continue;
        };
        if let Some(a) = &m.addons {
            addons.insert(
                name.clone(),
                crate::compile::overrides::emit::document(&a.template),
            );
        }
        if let Some(f) = ws.env_files(&m) {
            files.extend(f);
        }
    }
    (files, addons)
}

/// Uploads the environments' addons template (when `ws` has one) and sets the
/// environment stack's `AddonsTemplateURL` in `spec`.
///
/// # Errors
/// The application has no bucket in the region, or S3 refused the upload.
pub async fn upload_env_addons(
    aws: &Aws,
    app: &str,
    ws: &Workspace,
    spec: &mut crate::deploy::stack::StackSpec,
) -> Result<(), WharfError> {
    let Some(a) = &ws.env_addons else {
        return Ok(());
    };
    let mut uploads = DeployInputs::default();
    let text = crate::compile::overrides::emit::document(&a.template);
    upload_addons(
        aws,
        app,
        BTreeMap::from([(String::new(), text)]),
        &mut uploads,
    )
    .await?;
    if let Some(url) = uploads.addons.remove("") {
        spec.parameters.insert(
            crate::compile::service::ADDONS_TEMPLATE_URL.to_string(),
            url,
        );
    }
    Ok(())
}

/// Uploads each workload's addons template to application `app`'s bucket under
/// `addons/<sha256>.yml`, adding its URL to `uploads` (the nested stack's
/// `AddonsTemplateURL`).
///
/// # Errors
/// The application has no bucket in the region, or S3 refused an upload.
pub async fn upload_addons(
    aws: &Aws,
    app: &str,
    templates: BTreeMap<String, String>,
    uploads: &mut DeployInputs,
) -> Result<(), WharfError> {
    use sha2::Digest;
    if templates.is_empty() {
        return Ok(());
    }
    let bucket = super::stacks::app_bucket(aws, app).await?.ok_or_else(|| {
        WharfError::usage(
            format!(
                "addons go to application `{app}`'s bucket, and it has none in {}",
                aws.region
            ),
            Some(format!("run `wharf app init {app}` once in this region")),
        )
    })?;
    for (name, text) in templates {
        let digest = sha2::Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let url = aws
            .put_template(&bucket, &format!("addons/{hex}.yml"), &text)
            .await?;
        uploads.addons.insert(name, url);
    }
    Ok(())
}

/// Uploads `files` to application `app`'s bucket, adding their ARNs to `uploads`.
///
/// # Errors
/// The application has no bucket in the region (`wharf app init` makes it), or S3
/// refused an upload.
pub async fn upload(
    aws: &Aws,
    app: &str,
    files: Vec<EnvFile>,
    uploads: &mut DeployInputs,
) -> Result<(), WharfError> {
    if files.is_empty() {
        return Ok(());
    }
    let bucket = super::stacks::app_bucket(aws, app).await?.ok_or_else(|| {
        WharfError::usage(
            format!(
                "environment files go to application `{app}`'s bucket, and it has none in {}",
                aws.region
            ),
            Some(format!("run `wharf app init {app}` once in this region")),
        )
    })?;
    // Buckets made before environment files expired everything after 30 days: a task
    // started later could not read its file.
    if aws.expires_under(&bucket, "env-files/").await? {
        return Err(WharfError::usage(
            format!(
                "application `{app}`'s bucket {bucket} deletes objects after 30 days, environment files too; it was made by an older wharf"
            ),
            Some(format!(
                "run `wharf app init {app}` once to update the application stack, then deploy again"
            )),
        ));
    }
    let mut done: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        let key = f.key();
        let arn = match done.get(&key) {
            Some(arn) => arn.clone(),
            None => {
                let arn = aws.put_file(&bucket, &key, f.bytes).await?;
                done.insert(key, arn.clone());
                arn
            }
        };
        uploads
            .env_files
            .entry(f.service)
            .or_default()
            .insert(f.container, arn);
    }
    Ok(())
}

/// The subnets each chosen workload's `placement.subnets.from_tags` selects in `env`'s
/// VPC (the imported one the environment manifest names, or the one its deployed stack
/// made); subnets given by ID are checked to be in that VPC.
///
/// # Errors
/// The environment's VPC is not known (a managed VPC whose stack is not deployed yet),
/// no subnet has the tags, a subnet given by ID is not in the VPC, or EC2 refused the
/// call.
pub async fn find_subnets(
    aws: &Aws,
    ws: &mut Workspace,
    env: &str,
    workloads: &[String],
) -> Result<BTreeMap<String, Vec<String>>, WharfError> {
    let mut out = BTreeMap::new();
    let app = crate::compile::workspace::app_name(ws);
    for name in workloads {
        let Some(m) = ws.service(name, Some(env)) else {
            continue;
        };
        let ids = m
            .network
            .as_ref()
            .and_then(|n| n.vpc.as_ref())
            .and_then(|v| v.subnets.as_ref())
            .map(|s| s.iter().map(|id| id.value.clone()).collect::<Vec<_>>());
        if m.subnet_tags().is_none() && ids.is_none() {
            continue;
        }
        let how = if ids.is_some() { "by ID" } else { "by tags" };
        let vpc = env_vpc(
            aws,
            ws,
            &app,
            env,
            &format!("`{name}` chooses subnets {how} in"),
        )
        .await?;
        if let Some(ids) = ids {
            // Subnets given by ID must be the environment's VPC's: ECS refuses others.
            let found = aws.subnets_in_vpc(&vpc, &ids).await?;
            let missing: Vec<&String> = ids.iter().filter(|i| !found.contains(i)).collect();
            if !missing.is_empty() {
                return Err(WharfError::usage(
                    format!(
                        "`{name}` places its tasks in {}, not a subnet of environment `{env}`'s VPC {vpc}",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some(
                        "use subnets of the environment's VPC in `network.vpc.placement.subnets`"
                            .into(),
                    ),
                ));
            }
            continue;
        }
        let Some(tags) = m.subnet_tags() else {
            continue;
        };
        let ids = aws.subnets_by_tags(&vpc, &tags.value).await?;
        if ids.is_empty() {
            let wanted: Vec<String> = tags
                .value
                .iter()
                .map(|(k, v)| format!("{k}={}", v.join("|")))
                .collect();
            return Err(WharfError::usage(
                format!(
                    "no subnet of {vpc} has the tags `{name}` asks for ({})",
                    wanted.join(", ")
                ),
                Some("tag the subnets, or change `network.vpc.placement.subnets.from_tags`".into()),
            ));
        }
        let most = crate::manifest::validate::service::MAX_TASK_SUBNETS;
        if ids.len() > most {
            return Err(WharfError::usage(
                format!(
                    "{} subnets of {vpc} have the tags `{name}` asks for; a task's network interface takes at most {most}",
                    ids.len()
                ),
                Some("narrow `network.vpc.placement.subnets.from_tags`".into()),
            ));
        }
        out.insert(name.clone(), ids);
    }
    Ok(out)
}

/// Environment `env`'s VPC: the one its manifest imports, else the one its deployed
/// stack made.
///
/// # Errors
/// A managed VPC whose stack is not deployed yet (`why` begins the message: "`web`
/// chooses subnets by tags in"), or CloudFormation refused the call.
pub async fn env_vpc(
    aws: &Aws,
    ws: &Workspace,
    app: &str,
    env: &str,
    why: &str,
) -> Result<String, WharfError> {
    if let Some(id) = ws
        .env(env)
        .and_then(|e| e.vpc())
        .and_then(|v| v.id.as_ref())
    {
        return Ok(id.value.clone());
    }
    let env_stack = crate::compile::env_stack_name(app, env);
    aws.stack_resource(&env_stack, "VPC").await?.ok_or_else(|| {
        WharfError::usage(
            format!(
                "{why} environment `{env}`'s VPC, which is not deployed yet (stack {env_stack})"
            ),
            Some(format!("run `wharf env deploy -n {env}` first")),
        )
    })
}

/// What an environment stack takes at deploy: [`fill_env_parameters`], then
/// [`keep_imported_exports`].
///
/// # Errors
/// As theirs.
pub async fn complete_env_stack(
    aws: &Aws,
    spec: &mut crate::deploy::stack::StackSpec,
) -> Result<(), WharfError> {
    fill_env_parameters(aws, spec).await?;
    super::delegation::keep_adopted_delegation(aws, spec).await?;
    keep_imported_exports(aws, spec).await
}

/// Keeps in `spec` (an environment stack) the exports of its deployed stack that other
/// stacks import (Copilot's workload stacks and addons import the environment's):
/// CloudFormation refuses an update that drops one in use ([`crate::adopt::keep_exports`]).
///
/// # Errors
/// AWS errors.
pub async fn keep_imported_exports(
    aws: &Aws,
    spec: &mut crate::deploy::stack::StackSpec,
) -> Result<(), WharfError> {
    let kept: Vec<(String, String, String)> = aws
        .imported_exports(&spec.name)
        .await?
        .into_iter()
        .map(|e| (e.key, e.name, e.value))
        .collect();
    spec.template = crate::adopt::keep_exports(&spec.template, &kept);
    Ok(())
}

/// Fills what an environment stack takes from the region at deploy: who writes a
/// managed access-log bucket, and CloudFront's origin-facing prefix list when only
/// CloudFront may reach the load balancer (`http.public.ingress.cdn`). A parameter
/// given already is kept.
///
/// # Errors
/// AWS errors, or a region without the prefix list.
pub async fn fill_env_parameters(
    aws: &crate::aws::Aws,
    spec: &mut crate::deploy::stack::StackSpec,
) -> Result<(), WharfError> {
    use crate::compile::environment::{ELB_LOG_PRINCIPAL_PARAMETER, elb_log_principal};
    use crate::contract::{CLOUDFRONT_PREFIX_LIST, CLOUDFRONT_PREFIX_LIST_PARAMETER};
    if crate::compile::declares(&spec.template, ELB_LOG_PRINCIPAL_PARAMETER)
        && !spec.parameters.contains_key(ELB_LOG_PRINCIPAL_PARAMETER)
    {
        spec.parameters.insert(
            ELB_LOG_PRINCIPAL_PARAMETER.to_string(),
            elb_log_principal(&aws.region),
        );
    }
    let declared = crate::compile::declares(&spec.template, CLOUDFRONT_PREFIX_LIST_PARAMETER);
    if !declared
        || spec
            .parameters
            .contains_key(CLOUDFRONT_PREFIX_LIST_PARAMETER)
    {
        return Ok(());
    }
    let id = aws
        .managed_prefix_list(CLOUDFRONT_PREFIX_LIST)
        .await?
        .ok_or_else(|| {
            WharfError::usage(
                format!(
                    "region {} has no prefix list {CLOUDFRONT_PREFIX_LIST}, so the load balancer cannot be limited to CloudFront",
                    aws.region
                ),
                Some("remove `http.public.ingress.cdn` for this region".into()),
            )
        })?;
    spec.parameters
        .insert(CLOUDFRONT_PREFIX_LIST_PARAMETER.to_string(), id);
    Ok(())
}
