//! `env_file`: each container's environment file is a template parameter holding the
//! S3 object ARN wharf uploads it to at deploy (`release/assets.rs`), referenced as the
//! container's `EnvironmentFiles`; the execution role may read exactly those objects
//! and locate their bucket (ECS needs `s3:GetObject` and `s3:GetBucketLocation`,
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html>).

use super::*;
use crate::manifest::env_file::declared;
use crate::manifest::service::id_part;
use crate::manifest::validate::observability::LOG_ROUTER;

/// The parameters of `m`'s environment files, set on their containers.
pub(super) fn params(m: &ServiceManifest, containers: &mut [ContainerPlan]) -> Vec<ContainerParam> {
    let mut out: Vec<ContainerParam> = Vec::new();
    for (container, _) in declared(m) {
        let base = if container == m.name.value {
            "EnvFileARN".to_string()
        } else if container == LOG_ROUTER {
            "LoggingEnvFileARN".to_string()
        } else {
            format!("EnvFileARNFor{}", id_part(&container))
        };
        let name = unique(base, &out);
        if let Some(c) = containers.iter_mut().find(|c| c.name == container) {
            c.env_file = Some(name.clone());
        }
        out.push(ContainerParam { name, container });
    }
    out
}
