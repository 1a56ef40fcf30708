//! Writing new manifests for the `init` commands: the text comes from
//! `templates/manifests/`, files are created only when they do not exist yet.

use crate::error::WharfError;
use crate::manifest::service::ServiceType;
use crate::render::render_text;
use serde::Serialize;
use std::path::Path;

/// Inputs of `app.yml`.
#[derive(Debug, Default, Serialize)]
pub struct AppSpec {
    /// Application name.
    pub name: String,
    /// Default region.
    pub region: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Permissions boundary policy.
    pub permissions_boundary: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
}

/// Inputs of an environment manifest.
#[derive(Debug, Default, Serialize)]
pub struct EnvSpec {
    /// Environment name.
    pub name: String,
    /// Region.
    pub region: Option<String>,
    /// Account ID.
    pub account: Option<String>,
    /// VPC to import.
    pub vpc_id: Option<String>,
    /// Public subnet IDs of the imported VPC.
    pub public_subnets: Vec<String>,
    /// Private subnet IDs of the imported VPC.
    pub private_subnets: Vec<String>,
    /// CIDR of the VPC wharf creates.
    pub cidr: Option<String>,
    /// Certificates for HTTPS.
    pub certificates: Vec<String>,
}

/// Inputs of a service manifest.
#[derive(Debug, Serialize)]
pub struct ServiceSpec {
    /// Service name.
    pub name: String,
    /// Type, as the manifest spells it.
    pub kind: &'static str,
    /// Whether it is a Load Balanced Web Service.
    pub load_balanced: bool,
    /// Dockerfile path, relative to the project directory.
    pub dockerfile: Option<String>,
    /// Existing image.
    pub image: Option<String>,
    /// Container port.
    pub port: Option<u16>,
}

impl ServiceSpec {
    /// A spec for `kind`.
    pub fn new(
        name: String,
        kind: ServiceType,
        dockerfile: Option<String>,
        image: Option<String>,
        port: Option<u16>,
    ) -> Self {
        ServiceSpec {
            name,
            kind: kind.as_str(),
            load_balanced: kind == ServiceType::LoadBalancedWebService,
            dockerfile,
            image,
            port,
        }
    }
}

/// The text of `app.yml`.
pub fn app_manifest(spec: &AppSpec) -> Result<String, WharfError> {
    Ok(render_text("manifests/app.yml", spec)?)
}

/// The text of an environment manifest.
pub fn env_manifest(spec: &EnvSpec) -> Result<String, WharfError> {
    Ok(render_text("manifests/environment.yml", spec)?)
}

/// The text of a service manifest.
pub fn service_manifest(spec: &ServiceSpec) -> Result<String, WharfError> {
    Ok(render_text("manifests/service.yml", spec)?)
}

/// The first `EXPOSE`d port of a Dockerfile, if any.
pub fn exposed_port(dockerfile: &str) -> Option<u16> {
    dockerfile.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        if !words.next()?.eq_ignore_ascii_case("EXPOSE") {
            return None;
        }
        words.next()?.split('/').next()?.parse().ok()
    })
}

/// Creates `path` (and its directories) with `text`; refuses to overwrite.
pub fn write_new(path: &Path, text: &str) -> Result<(), WharfError> {
    if path.exists() {
        return Err(WharfError::usage(
            format!("{} already exists", path.display()),
            Some("wharf does not overwrite manifests; edit it, or remove it first".to_string()),
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| WharfError::io("create", dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| WharfError::io("write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposed_port_reads_the_first_expose() {
        assert_eq!(
            exposed_port("FROM x\nexpose 8080/tcp\nEXPOSE 9000\n"),
            Some(8080)
        );
        assert_eq!(exposed_port("FROM x\n"), None);
    }
}
