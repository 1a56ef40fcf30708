//! Files a release uploads before its stacks: each chosen workload's environment files
//! (`env_file`), read and checked with the manifests (step 1), and put in the
//! application's bucket under `env-files/<sha256>.env` once the remote checks pass
//! (step 4). Content-addressed keys make an unchanged file the same object, so its
//! stack parameter, and the task definition, do not change.

use crate::aws::Aws;
use crate::compile::workspace::Uploads;
use crate::error::WharfError;
use crate::manifest::env_file::EnvFile;
use crate::manifest::workspace::Workspace;
use std::collections::BTreeMap;

/// The environment files of `workloads` as they are in `env`; problems go to the
/// workspace's diagnostics (reported with the manifests').
pub fn read(ws: &mut Workspace, workloads: &[String], env: &str) -> Vec<EnvFile> {
    let mut out = Vec::new();
    for name in workloads {
        if let Some(m) = ws.service(name, Some(env))
            && let Some(files) = ws.env_files(&m)
        {
            out.extend(files);
        }
    }
    out
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
    uploads: &mut Uploads,
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
