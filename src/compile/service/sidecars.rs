//! Sidecars: a container per `sidecars.<name>`, beside the main one, with wharf's
//! variables, its own variables and secrets, ports, health check, start order
//! (`depends_on`) and private registry credentials. They render in the task
//! definition's container loop (`svc-task-definition.yml`); what reading their secrets
//! and credentials takes joins the execution role's (`svc-roles.yml`).

use super::task::{builtin_vars, depends_on, health, labels, variable};
use super::*;
use crate::manifest::service::{SidecarImage, id_part};

/// The digest parameters of the sidecars whose images wharf builds, in name order:
/// `ImageDigestFor<Sidecar>`.
pub(super) fn digest_params(m: &ServiceManifest) -> Vec<ContainerParam> {
    let mut out: Vec<ContainerParam> = Vec::new();
    for (name, _) in m.built_sidecars() {
        let name = name.to_string();
        let param = unique(format!("ImageDigestFor{}", id_part(&name)), &out);
        out.push(ContainerParam {
            name: param,
            container: name,
        });
    }
    out
}

/// The sidecars' containers, in name order, and what reading their secrets and registry
/// credentials takes. A built sidecar's image is the service's repository at its
/// parameter of `digests`.
pub(super) fn containers(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
    lb: Option<&LbPlan>,
    digests: &[ContainerParam],
) -> (Vec<ContainerPlan>, SecretsPlan) {
    let mut reads = SecretsPlan::default();
    let mut out = Vec::new();
    let mut sidecars: Vec<_> = m.task.sidecars.iter().collect();
    sidecars.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (name, s) in sidecars {
        let s = &s.value;
        let mut vars = builtin_vars(m, inputs, lb.is_some());
        for (k, v) in s.variables.iter() {
            vars.insert(k.value.clone(), variable(&v.value));
        }
        let (secret_items, secret_reads) = secrets::secrets_of(&s.secrets);
        reads.merge(secret_reads);
        if let Some(c) = &s.credentials {
            reads.secretsmanager.extend(secrets::arn_resources(c));
        }
        out.push(ContainerPlan {
            name: name.value.clone(),
            image: match s.image.as_ref().map(|i| &i.value) {
                Some(SidecarImage::Location(l)) => quote(l),
                Some(SidecarImage::Build(_)) if inputs.image_tag.is_some() => {
                    tagged_image(&inputs.app.name, &m.name.value, &format!("{}-", name.value))
                }
                Some(SidecarImage::Build(_)) => digests
                    .iter()
                    .find(|p| p.container == name.value)
                    .map_or_else(String::new, |p| {
                        built_image(&inputs.app.name, &m.name.value, &p.name)
                    }),
                None => quote(""),
            },
            essential: s.essential.as_ref().is_none_or(|e| e.value),
            readonly_fs: false,
            ports: {
                let mut ports: Vec<PortPlan> = s
                    .port
                    .iter()
                    .map(|p| PortPlan {
                        port: p.value.port,
                        name: None,
                        protocol: if p.value.udp { "udp" } else { "tcp" },
                    })
                    .collect();
                // A listener rule's other port on this sidecar is exposed too (Copilot's
                // exposed ports).
                for r in lb.iter().flat_map(|l| &l.rules) {
                    if r.container == name.value && !ports.iter().any(|p| p.port == r.target_port) {
                        ports.push(PortPlan {
                            port: r.target_port,
                            name: None,
                            protocol: "tcp",
                        });
                    }
                }
                ports
            },
            entrypoint: s.entrypoint.as_ref().map(|c| c.args().to_vec()),
            command: s.command.as_ref().map(|c| c.args().to_vec()),
            environment: vars
                .into_iter()
                .map(|(name, value)| VarPlan { name, value })
                .collect(),
            secrets: secret_items,
            labels: labels(&s.labels),
            healthcheck: s.healthcheck.as_ref().map(|h| health(h)),
            depends_on: depends_on(&s.depends_on),
            credentials: s.credentials.as_ref().map(|c| quote(c)),
            mount_points: super::volumes::sidecar_mounts(s),
            ..Default::default()
        });
    }
    reads.sort();
    (out, reads)
}

/// The ECR repositories the sidecars' images are in (`<account>.dkr.ecr.…/repo`, or
/// the service's own for built ones), other than `main`'s, in order and once each: the
/// execution role must pull from them.
pub(super) fn ecr_pulls(m: &ServiceManifest, app: &str, main: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = m
        .task
        .sidecars
        .iter()
        .filter_map(|(_, s)| match &s.value.image.as_ref()?.value {
            SidecarImage::Location(l) => ecr_repo_arn(l),
            SidecarImage::Build(_) => Some(service_repo_arn(app, &m.name.value)),
        })
        .filter(|arn| Some(arn.as_str()) != main)
        .collect();
    out.sort();
    out.dedup();
    out
}
