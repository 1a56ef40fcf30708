//! Writing new manifests for the `init` commands: the text comes from
//! `templates/manifests/`, files are created only when they do not exist yet.

use crate::error::WharfError;
use crate::manifest::service::ServiceType;
use crate::render::render_text;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Public subnets of the VPC wharf creates (`--override-public-cidrs`,
    /// `--override-az-names`); none: wharf's defaults.
    pub managed_public: Vec<SubnetSpec>,
    /// Its private subnets, as many as the public ones.
    pub managed_private: Vec<SubnetSpec>,
    /// Subnets of the internal load balancer (`http.private.subnets`).
    pub internal_alb_subnets: Vec<String>,
    /// Anything in the VPC may reach the internal load balancer (`http.private.ingress.vpc`).
    pub internal_alb_vpc_ingress: bool,
    /// Container Insights (`observability.container_insights`).
    pub container_insights: bool,
}

/// A subnet of a VPC wharf creates, as `env init` writes it.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetSpec {
    /// Its block.
    pub cidr: String,
    /// Its Availability Zone, when chosen.
    pub az: Option<String>,
}

/// The subnets of a VPC wharf creates in block `vpc` (default `10.0.0.0/16`), from
/// Copilot's `env init` flags: the public and private blocks given, and the zones
/// (`azs`), one subnet of each list per zone. A list not given is carved from the VPC's
/// block beside the given ones ([`crate::manifest::validate::net::subnets_of`]). Nothing
/// given: none (wharf's defaults). Pure.
///
/// # Errors
/// A message naming the flags when the counts disagree or the blocks do not fit.
pub fn managed_subnets(
    vpc: Option<&str>,
    public: &[String],
    private: &[String],
    azs: &[String],
) -> Result<(Vec<SubnetSpec>, Vec<SubnetSpec>), String> {
    use crate::manifest::validate::net::{Cidr, subnets_of};
    if public.is_empty() && private.is_empty() && azs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let n = [azs.len(), public.len(), private.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    for (flag, len) in [
        ("--override-az-names", azs.len()),
        ("--override-public-cidrs", public.len()),
        ("--override-private-cidrs", private.len()),
    ] {
        if len != 0 && len != n {
            return Err(format!(
                "`{flag}` gives {len}, and the other subnet flags {n}: give one public and one private subnet per Availability Zone"
            ));
        }
    }
    if n < 2 {
        return Err(
            "a VPC wharf creates needs subnets in two Availability Zones or more: give two values or more"
                .to_string(),
        );
    }
    let block = vpc.unwrap_or("10.0.0.0/16");
    let vpc = Cidr::parse(block)?;
    let parse = |list: &[String]| -> Result<Vec<Cidr>, String> {
        list.iter().map(|c| Cidr::parse(c)).collect()
    };
    let (made_public, made_private) = subnets_of(&vpc, &parse(public)?, &parse(private)?, n)?;
    let specs = |made: Vec<Cidr>| {
        made.into_iter()
            .enumerate()
            .map(|(i, c)| SubnetSpec {
                cidr: c.to_string(),
                az: azs.get(i).cloned(),
            })
            .collect()
    };
    Ok((specs(made_public), specs(made_private)))
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
    /// A Worker Service.
    pub worker: bool,
    /// A Scheduled Job's `on.schedule`.
    pub schedule: Option<String>,
    /// A Scheduled Job's `retries` (0 when not given).
    pub retries: Option<u32>,
    /// A Scheduled Job's `timeout` (a duration, as written).
    pub timeout: Option<String>,
    /// A Worker Service's subscriptions: `(service, topic)`.
    pub topics: Vec<(String, String)>,
}

impl ServiceSpec {
    /// A Scheduled Job's `on.schedule`, for `job init`.
    pub fn with_schedule(mut self, schedule: Option<String>) -> Self {
        if self.kind == ServiceType::ScheduledJob.as_str() {
            self.schedule = Some(schedule.unwrap_or_else(|| "@daily".into()));
        }
        self
    }

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
            port: port.filter(|_| crate::manifest::service::has_port(kind)),
            worker: kind == ServiceType::WorkerService,
            schedule: (kind == ServiceType::ScheduledJob).then(|| "@daily".to_string()),
            retries: None,
            timeout: None,
            topics: Vec::new(),
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

/// The first TCP port the image a Dockerfile builds `EXPOSE`s, if any: only the final
/// stage (after the last `FROM`) counts, `/udp` ports are skipped, and a port must be
/// from 1 to 65535. Ports written with variables (`EXPOSE ${PORT}`) are not read.
pub fn exposed_port(dockerfile: &str) -> Option<u16> {
    let is = |l: &str, word: &str| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    let lines: Vec<&str> = dockerfile.lines().collect();
    let final_stage = lines.iter().rposition(|l| is(l, "FROM")).unwrap_or(0);
    lines[final_stage..]
        .iter()
        .filter(|l| is(l, "EXPOSE"))
        .flat_map(|l| l.split_whitespace().skip(1))
        .find_map(|p| {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            let port: u16 = port.parse().ok()?;
            (port > 0 && proto.eq_ignore_ascii_case("tcp")).then_some(port)
        })
}

/// A file an `init` command writes, prepared and checked before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Where it goes.
    pub path: PathBuf,
    /// What it holds.
    pub text: String,
}

/// Refuses when any of `files` exists already: wharf does not overwrite manifests.
pub fn check_new(files: &[NewFile]) -> Result<(), WharfError> {
    match files.iter().find(|f| f.path.exists()) {
        Some(f) => Err(WharfError::usage(
            format!("{} already exists", f.path.display()),
            Some("wharf does not overwrite manifests; edit it, or remove it first".to_string()),
        )),
        None => Ok(()),
    }
}

/// Writes every one of `files` (creating directories), or none: when a write fails,
/// the files and directories written so far are removed again.
pub fn write_all_new(files: &[NewFile]) -> Result<(), WharfError> {
    check_new(files)?;
    let mut made_dirs: Vec<PathBuf> = Vec::new();
    let mut made_files: Vec<&Path> = Vec::new();
    let result = (|| {
        for f in files {
            if let Some(dir) = f.path.parent() {
                // The directories that do not exist yet, outermost first.
                let mut missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
                missing.reverse();
                for d in missing {
                    std::fs::create_dir(d).map_err(|e| WharfError::io("create", d, e))?;
                    made_dirs.push(d.to_path_buf());
                }
            }
            std::fs::write(&f.path, &f.text).map_err(|e| WharfError::io("write", &f.path, e))?;
            made_files.push(&f.path);
        }
        Ok(())
    })();
    if result.is_err() {
        for f in made_files {
            let _ = std::fs::remove_file(f);
        }
        for d in made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
    result
}

/// Creates `path` (and its directories) with `text`; refuses to overwrite.
pub fn write_new(path: &Path, text: &str) -> Result<(), WharfError> {
    write_all_new(&[NewFile {
        path: path.to_path_buf(),
        text: text.to_string(),
    }])
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

    #[test]
    fn exposed_port_is_the_final_stages_first_tcp_port() {
        let multi = "FROM node AS build\nEXPOSE 1111\nFROM nginx\nEXPOSE 2222\n";
        assert_eq!(exposed_port(multi), Some(2222));
        assert_eq!(exposed_port("FROM x\nEXPOSE 53/udp 8080\n"), Some(8080));
        assert_eq!(exposed_port("FROM x\nEXPOSE 0\n"), None);
        assert_eq!(exposed_port("FROM x\nEXPOSE ${PORT}\n"), None);
        assert_eq!(exposed_port("FROM a\nEXPOSE 80\nFROM b\n"), None);
    }

    #[test]
    fn write_all_new_writes_all_or_nothing() {
        let d = tempfile::tempdir().unwrap();
        let file = |rel: &str| NewFile {
            path: d.path().join(rel),
            text: rel.to_string(),
        };
        // The third file cannot be written: its parent is a file.
        std::fs::write(d.path().join("blocker"), "x").unwrap();
        let files = [
            file("w/app.yml"),
            file("w/web/manifest.yml"),
            file("blocker/m.yml"),
        ];
        assert!(write_all_new(&files).is_err());
        assert!(!d.path().join("w").exists(), "nothing is left behind");
        let good = [file("w/app.yml"), file("w/web/manifest.yml")];
        write_all_new(&good).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("w/app.yml")).unwrap(),
            "w/app.yml"
        );
        // A second time, the first existing file is named and nothing is written.
        let err = write_all_new(&[file("w/env.yml"), file("w/app.yml")]).unwrap_err();
        assert!(err.to_string().contains("app.yml already exists"), "{err}");
        assert!(!d.path().join("w/env.yml").exists());
    }
}
