//! Compiling from a loaded workspace: resolves the manifests one stack needs for an
//! environment and hands them to the compilers. A stack depends on the whole
//! environment (which services need the load balancer or NAT, listener priorities), so
//! every service is resolved for the environment and any error stops the packaging.

use super::priority;
use super::service::ServiceInputs;
use super::{AppInfo, Package, TopicNeed, compile_env, compile_service};
use crate::manifest::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::service::ServiceManifest;
use crate::manifest::validate::messaging::unpublished;
use crate::manifest::workspace::Workspace;
use std::collections::BTreeMap;

/// The application's name ("" when the manifest could not be read; commands have
/// reported that already).
pub fn app_name(ws: &Workspace) -> String {
    ws.app
        .as_ref()
        .map(|a| a.name.value.clone())
        .unwrap_or_default()
}

/// Application inputs from the workspace.
pub fn app_info(ws: &Workspace) -> Option<AppInfo> {
    let app = ws.app.as_ref()?;
    Some(AppInfo {
        name: app.name.value.clone(),
        tags: app
            .tags
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
        permissions_boundary: app.permissions_boundary.as_ref().map(|p| p.value.clone()),
        var_prefix: ws.location.flavor.var_prefix(),
        domain: app.domain.as_ref().map(|d| d.value.to_ascii_lowercase()),
    })
}

/// Every service of the workspace as it is for `env`; `None` if any has errors. A
/// subscription to a topic no workload of the workspace publishes is a warning.
fn services_for(ws: &mut Workspace, env: &str) -> Option<Vec<ServiceManifest>> {
    let mut out = Vec::new();
    let mut ok = true;
    for name in ws.service_names() {
        match ws.service(&name, Some(env)) {
            Some(m) => out.push(m),
            None => ok = false,
        }
    }
    for u in unpublished(&out) {
        ws.diags.push(u.diagnostic);
    }
    for d in crate::manifest::validate::messaging::subscription_cycles(&out) {
        ws.diags.push(d);
    }
    ok.then_some(out)
}

/// Every topic `m` subscribes to, as what the publisher's stack in `env` must have when
/// the publisher is not deployed in the same run (checked before the deploy).
fn needs(app: &str, env: &str, m: &ServiceManifest) -> Vec<TopicNeed> {
    let Some(s) = m.subscribe() else {
        return Vec::new();
    };
    s.topics
        .iter()
        .map(|t| {
            let t = &t.value;
            TopicNeed {
                stack: super::service_stack_name(app, env, &t.service.value),
                logical_id: super::service::topic_logical_id(&t.name.value, s.expects_fifo(t)),
                what: format!("topic `{}` of `{}`", t.name.value, t.service.value),
            }
        })
        .collect()
}

/// The environment stack of `env`; `Ok(None)` when manifests have errors (they are in
/// `ws.diags`).
pub fn package_env(
    ws: &mut Workspace,
    env: &str,
) -> Result<Option<Package>, crate::render::RenderError> {
    // The environment's cross-checks (names, limits) as a deploy makes them.
    let Some(r) = resolve(ws, env) else {
        return Ok(None);
    };
    compile_env(&r.app, &r.env, &r.services).map(Some)
}

/// Resolved inputs of one environment: the application, the environment manifest and
/// every service as it is there, plus listener priorities.
struct Resolved {
    app: AppInfo,
    env: crate::manifest::environment::EnvManifest,
    services: Vec<ServiceManifest>,
    priorities: std::collections::BTreeMap<String, u32>,
}

fn resolve(ws: &mut Workspace, env: &str) -> Option<Resolved> {
    let services = services_for(ws, env);
    let (Some(app), Some(env_m), Some(services)) = (app_info(ws), ws.env(env).cloned(), services)
    else {
        return None;
    };
    if ws.diags.has_errors() {
        return None;
    }
    // More rules or target groups than a load balancer takes by default: a warning.
    for d in crate::manifest::validate::http::alb_quota(&env_m, &services) {
        ws.diags.push(d);
    }
    let mut refused: Vec<Diagnostic> =
        crate::manifest::validate::http::domain_limits(&env_m, &services)
            .into_iter()
            .chain(crate::manifest::validate::http::cdn_certificate_limit(
                &env_m, &services,
            ))
            .collect();
    refused.extend(crate::manifest::validate::http::shared_names(
        &[(&env_m, &services)],
        &app.name,
    ));
    refused.extend(shared_env_ingress(&app, &env_m, &services));
    if !refused.is_empty() {
        for d in refused {
            ws.diags.push(d);
        }
        return None;
    }
    // Each load balancer's listeners have their own priorities (an imported one's are
    // checked against its other rules at deploy).
    let mut priorities = BTreeMap::new();
    let keys: std::collections::BTreeSet<String> = services
        .iter()
        .filter_map(ServiceManifest::alb_key)
        .collect();
    for key in keys {
        let routes: Vec<priority::Route> = services
            .iter()
            .filter(|s| s.alb_key().as_ref() == Some(&key))
            .flat_map(|s| {
                s.http()
                    .into_iter()
                    .flat_map(|h| h.value.rules())
                    .enumerate()
                    .map(|(i, (_, r))| priority::Route {
                        key: priority::rule_key(&s.name.value, i),
                        path: r.path.as_ref().map_or("/".into(), |p| p.value.clone()),
                        hosts: r.alias.is_some(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        match priority::assign(&routes) {
            Ok(p) => priorities.extend(p),
            Err(full) => {
                let at = services
                    .iter()
                    .find(|s| full.service.split('/').next() == Some(s.name.value.as_str()))
                    .map(|s| s.name.span);
                let mut d = Diagnostic::error(Code::Limit, full.to_string())
                    .help("give some of these services deeper or shallower paths, or split them across environments");
                if let Some(span) = at {
                    d = d.at(span);
                }
                ws.diags.push(d);
                return None;
            }
        }
    }
    Some(Resolved {
        app,
        env: env_m,
        priorities,
        services,
    })
}

/// Services on one imported load balancer whose tasks have no room for a security
/// group of their own let it reach them through the environment's group: two of them
/// on one port would write one ingress rule twice (EC2 refuses the second, and deleting
/// either stack would remove it for both). Refused at the second one's groups.
fn shared_env_ingress(
    app: &AppInfo,
    env: &crate::manifest::environment::EnvManifest,
    services: &[ServiceManifest],
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<(String, u16), String> = BTreeMap::new();
    let mut out = Vec::new();
    let empty = BTreeMap::new();
    for m in services.iter().filter(|m| m.imported_alb().is_some()) {
        let p = super::service::plan(
            m,
            &ServiceInputs {
                app,
                env,
                priorities: Vec::new(),
                image_digests: &empty,
                env_files: &empty,
                subnets: None,
                addons_url: None,
                looked_up: None,
                image_tag: None,
            },
        );
        let Some(lb) = p.lb.filter(|l| l.imported_env_ingress) else {
            continue;
        };
        let key = m.alb_key().unwrap_or_default();
        for port in lb.imported_ports {
            match seen.get(&(key.clone(), port)) {
                Some(first) => {
                    let span = m
                        .network
                        .as_ref()
                        .and_then(|n| n.vpc.as_ref())
                        .and_then(|v| v.security_groups.as_ref())
                        .map_or(m.name.span, |s| s.span);
                    out.push(
                        Diagnostic::error(
                            Code::DuplicateKey,
                            format!(
                                "`{}` and `{first}` both let their imported load balancer reach port {port} through the environment's security group (their tasks have no room for a group of their own): one rule, which EC2 takes once",
                                m.name.value
                            ),
                        )
                        .at(span)
                        .path("network.vpc.security_groups")
                        .help("list at most 3 groups for one of them, so it gets a group of its own"),
                    );
                    break;
                }
                None => {
                    seen.insert((key.clone(), port), m.name.value.clone());
                }
            }
        }
    }
    out
}

/// What `wharf validate` adds to the manifest checks in `env` from the compiled
/// stacks (`services` are the valid ones, as they are in `env`): whether each
/// service's task definition overrides and YAML patches fit its template (services
/// without either are not compiled), and [`shared_env_ingress`].
pub fn check_overrides(
    ws: &Workspace,
    env: &str,
    services: &[ServiceManifest],
) -> Result<Diagnostics, crate::render::RenderError> {
    let mut out = Diagnostics::new();
    let (Some(app), Some(env_m)) = (app_info(ws), ws.env(env).cloned()) else {
        return Ok(out);
    };
    for d in shared_env_ingress(&app, &env_m, services) {
        out.push(d);
    }
    let r = Resolved {
        app,
        env: env_m,
        // Any valid priority gives the template its shape; the real ones need every
        // service of the environment, which packaging has.
        priorities: BTreeMap::new(),
        services: Vec::new(),
    };
    for m in services {
        if m.task.taskdef_overrides.is_empty() && m.patches.is_empty() {
            continue;
        }
        if let Err(d) = service_stack(&r, m, &DeployInputs::default())? {
            out.extend(ws.in_override_block(&m.name.value, env, *d));
        }
    }
    Ok(out)
}

/// Digests of built images: service → container → digest (`sha256:…`); the main
/// container is named like the service.
pub type Digests = BTreeMap<String, BTreeMap<String, String>>;

/// What a deploy learns or puts in place before its stacks, by service name: image
/// digests, the S3 object ARNs of environment files by container, and the subnets
/// `placement.subnets.from_tags` chose. Empty offline (`package`): those parameters are
/// left for whoever deploys the package.
#[derive(Debug, Clone, Default)]
pub struct DeployInputs {
    /// Image digests.
    pub digests: Digests,
    /// Environment files' object ARNs: service → container → ARN.
    pub env_files: BTreeMap<String, BTreeMap<String, String>>,
    /// Subnet IDs found by tags.
    pub subnets: BTreeMap<String, Vec<String>>,
    /// The S3 URL of each workload's uploaded addons template.
    pub addons: BTreeMap<String, String>,
    /// Stack parameters looked up at deploy (an imported load balancer's listeners,
    /// names, security groups and free rule priorities), by name.
    pub looked_up: BTreeMap<String, BTreeMap<String, String>>,
    /// `svc package --tag`: images wharf builds are referenced by this tag, not by
    /// digest.
    pub image_tag: Option<String>,
}

/// `digest` for the main container of each of `services`: what a package of built
/// images looks like, for checks and benchmarks that deploy nothing.
pub fn main_digests(services: impl IntoIterator<Item = String>, digest: &str) -> Digests {
    services
        .into_iter()
        .map(|n| (n.clone(), [(n, digest.to_string())].into()))
        .collect()
}

impl From<Digests> for DeployInputs {
    fn from(digests: Digests) -> Self {
        DeployInputs {
            digests,
            env_files: BTreeMap::new(),
            subnets: BTreeMap::new(),
            addons: BTreeMap::new(),
            looked_up: BTreeMap::new(),
            image_tag: None,
        }
    }
}

static NONE: BTreeMap<String, String> = BTreeMap::new();

/// A service's stack, with its task definition overrides and YAML patches applied; the
/// inner error is an override that does not fit the template.
fn service_stack(
    r: &Resolved,
    m: &ServiceManifest,
    uploads: &DeployInputs,
) -> Result<Result<Package, Box<Diagnostics>>, crate::render::RenderError> {
    let inputs = ServiceInputs {
        app: &r.app,
        env: &r.env,
        priorities: (0..m.http().map_or(0, |h| 1 + h.additional_rules.len()))
            .map_while(|i| {
                r.priorities
                    .get(&priority::rule_key(&m.name.value, i))
                    .copied()
            })
            .collect(),
        image_digests: uploads.digests.get(&m.name.value).unwrap_or(&NONE),
        env_files: uploads.env_files.get(&m.name.value).unwrap_or(&NONE),
        subnets: uploads.subnets.get(&m.name.value).map(Vec::as_slice),
        addons_url: uploads.addons.get(&m.name.value).map(String::as_str),
        looked_up: uploads.looked_up.get(&m.name.value),
        image_tag: uploads.image_tag.as_deref(),
    };
    let mut pkg = compile_service(m, &inputs)?;
    pkg.needs = needs(&r.app.name, &r.env.name.value, m);
    Ok(
        super::overrides::apply(pkg.template, m, &r.env.name.value).map(|applied| {
            let mut pkg = Package {
                template: applied.template,
                ..pkg
            };
            // A patch may remove a parameter: the file passes only declared ones.
            if let Some(declared) = applied.parameters {
                pkg.config.parameters.retain(|k, _| declared.contains(k));
            }
            pkg
        }),
    )
}

/// The stack of service `svc` in `env`; `Ok(None)` when manifests have errors.
pub fn package_service(
    ws: &mut Workspace,
    svc: &str,
    env: &str,
    uploads: &DeployInputs,
) -> Result<Option<Package>, crate::render::RenderError> {
    let Some(r) = resolve(ws, env) else {
        return Ok(None);
    };
    // `services_for` resolves services in `service_names` order.
    let Some(m) = ws
        .service_names()
        .iter()
        .position(|n| n == svc)
        .and_then(|i| r.services.get(i))
    else {
        return Ok(None);
    };
    Ok(match service_stack(&r, m, uploads)? {
        Ok(pkg) => Some(pkg),
        Err(d) => {
            let d = ws.in_override_block(svc, env, *d);
            ws.diags.extend(d);
            None
        }
    })
}

/// Every stack of `env`: the environment first, then each service in name order.
/// `Ok(None)` when manifests have errors.
pub fn package_all(
    ws: &mut Workspace,
    env: &str,
    uploads: &DeployInputs,
) -> Result<Option<Vec<Package>>, crate::render::RenderError> {
    let Some(r) = resolve(ws, env) else {
        return Ok(None);
    };
    let mut out = vec![compile_env(&r.app, &r.env, &r.services)?];
    let mut failed = false;
    for m in &r.services {
        match service_stack(&r, m, uploads)? {
            Ok(pkg) => out.push(pkg),
            Err(d) => {
                let d = ws.in_override_block(&m.name.value, env, *d);
                ws.diags.extend(d);
                failed = true;
            }
        }
    }
    Ok((!failed).then_some(out))
}
