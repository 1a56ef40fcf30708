//! Load balancer routing (Load Balanced Web Service): one listener rule and target
//! group per rule of `http` (the main one, then `additional_rules`), each with its
//! paths, host names (aliases), source addresses, priority, protocol and health check;
//! whether HTTP is redirected to HTTPS; and for aliases the certificate and the Route 53
//! records. Its partials are `svc-target-group.yml`, `svc-domain.yml` and the load
//! balancer part of `svc-service.yml`.

use super::*;
use crate::manifest::environment::Zone;
use crate::manifest::service::{RoutingRule, path_patterns};

/// Load balancer routing of one service.
#[derive(Debug, Clone, Serialize)]
pub struct LbPlan {
    /// Logical ID of the first rule's target group, Copilot's: `TargetGroup`, or
    /// `TargetGroupForImportedALB` on an imported load balancer (the others add the
    /// rule's suffix).
    pub target_group: &'static str,
    /// Whether the load balancer is the environment's internal one (a Backend
    /// Service's): the stack takes the internal load balancer's values under the same
    /// parameter names ([`EnvValue::internal`]).
    pub internal: bool,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// The environment's listener the rules go on; in templates, `listener_param`, the
    /// stack parameter holding its ARN.
    #[serde(
        rename = "listener_param",
        serialize_with = "crate::contract::as_parameter"
    )]
    pub listener: EnvValue,
    /// The HTTP listener, for rules that answer there too; in templates
    /// `http_listener_param`.
    #[serde(
        rename = "http_listener_param",
        serialize_with = "crate::contract::as_parameter"
    )]
    pub http_listener: EnvValue,
    /// Logical ID of the rules on the environment's listener (before each rule's
    /// suffix), Copilot's: `HTTPSListenerRule` on an HTTPS listener, `HTTPListenerRule`
    /// on an HTTP one. Their priorities are the stack's parameters
    /// `RulePriority<suffix>`, whose default is wharf's choice; an adopted rule keeps
    /// the one it has (`release::alb::keep_rule_priorities`).
    pub rule_id: &'static str,
    /// The rules: the main one first (logical IDs without suffix, as before
    /// `additional_rules` existed), then one per additional rule.
    pub rules: Vec<RulePlan>,
    /// Health check grace period (seconds), from the main rule.
    pub grace_period: u64,
    /// The service's address: the host (an alias, the environment's name for the
    /// service, or `None` for the load balancer's DNS name) and path.
    pub url_host: Option<String>,
    /// Path part of the service URL.
    pub url_path: String,
    /// A certificate for aliases the environment's certificate does not cover.
    pub certificate: Option<CertificatePlan>,
    /// `A` alias records to the load balancer.
    pub records: Vec<RecordPlan>,
    /// The same records, one record set group per zone ([`record_groups`]).
    pub record_groups: Vec<RecordGroupPlan>,
    /// The records point at the environment's CloudFront distribution (`cdn` with a
    /// certificate for them) instead of the load balancer.
    pub via_cdn: bool,
    /// CloudFront's hosted zone, for records to the distribution.
    pub cdn_zone: &'static str,
    /// The aliases with records in the application's zones (sorted), when the load
    /// balancer is the environment's: a service AWS Copilot deployed with them has
    /// their records outside its stack (its environment's `CustomDomainAction` wrote
    /// them), which an adoption keeps there. The stack's parameter
    /// `AdoptedAliasRecords` then names them and its record groups in those zones are
    /// not made (`release::delegation::keep_adopted_aliases`).
    pub managed_aliases: Vec<String>,
    /// The rules are on an imported load balancer (`http.alb`), whose values are
    /// stack parameters wharf fills at deploy ([`super::imported_alb`]).
    pub imported: bool,
    /// With `imported`: the ports its security groups may reach on the tasks.
    pub imported_ports: Vec<u16>,
    /// With `imported`: its groups reach the tasks through the environment's security
    /// group (the tasks have no room for one of the stack's own).
    pub imported_env_ingress: bool,
}

impl LbPlan {
    /// Whether any rule also answers on the HTTP listener (`redirect_to_https: false`
    /// behind HTTPS).
    pub fn uses_http_listener(&self) -> bool {
        self.rules.iter().any(|r| r.http_listener)
    }

    /// The environment values that hosted zones of records and certificate validation
    /// come from.
    pub fn zone_values(&self) -> Vec<EnvValue> {
        zone_values(&self.records, self.certificate.as_ref())
    }
}

/// One listener rule and its target group.
#[derive(Debug, Clone, Serialize)]
pub struct RulePlan {
    /// Suffix of its logical IDs: empty for the main rule, `1`, `2`… for additional
    /// rules.
    pub suffix: String,
    /// The container receiving traffic.
    pub container: String,
    /// `path-pattern` values.
    pub path_patterns: Vec<String>,
    /// `host-header` values (the rule's aliases), empty for any host.
    pub hosts: Vec<String>,
    /// Listener rule priority.
    pub priority: u32,
    /// Port traffic goes to.
    pub target_port: u16,
    /// Target group protocol: `HTTPS` for port 443 (Copilot's meaning), else `HTTP`;
    /// the health check uses it too.
    pub protocol: &'static str,
    /// Target group protocol version (`version`): `HTTP1`, `HTTP2` or `GRPC`.
    pub protocol_version: Option<&'static str>,
    /// With HTTPS and `redirect_to_https: false`: the rule goes on the HTTP listener
    /// too, which then forwards instead of redirecting.
    pub http_listener: bool,
    /// `redirect_to_https` (default true): on an imported load balancer with both
    /// listeners, the HTTP listener's rule redirects to HTTPS, else forwards.
    pub redirect: bool,
    /// Health check.
    pub health: TargetHealthPlan,
    /// Deregistration delay (seconds).
    pub deregistration_delay: u64,
    /// Sticky sessions.
    pub stickiness: bool,
    /// Allowed source CIDRs.
    pub source_ips: Vec<String>,
}

/// Target group health check.
#[derive(Debug, Clone, Serialize)]
pub struct TargetHealthPlan {
    /// Path (for gRPC, `/package.Service/Method`).
    pub path: String,
    /// The matcher's key: `HttpCode`, or `GrpcCode` for gRPC target groups.
    pub matcher: &'static str,
    /// Port, when not the traffic port.
    pub port: Option<u16>,
    /// Success codes.
    pub codes: String,
    /// Healthy threshold.
    pub healthy: u32,
    /// Unhealthy threshold.
    pub unhealthy: u32,
    /// Interval seconds.
    pub interval: u64,
    /// Timeout seconds.
    pub timeout: u64,
}

/// A Route 53 hosted zone, as the service stack refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum ZoneRef {
    /// One of the application's zones, through the environment's parameter.
    Managed(Zone),
    /// The environment's private zone of internal names.
    Internal,
    /// A zone ID from the manifest (`hosted_zone`).
    Id(String),
}

impl ZoneRef {
    /// The environment value holding a managed zone's ID.
    pub(super) fn env_value(&self) -> Option<EnvValue> {
        match self {
            ZoneRef::Managed(Zone::Env) => Some(EnvValue::HostedZoneId),
            ZoneRef::Managed(Zone::App) => Some(EnvValue::AppHostedZoneId),
            ZoneRef::Managed(Zone::Domain) => Some(EnvValue::DomainHostedZoneId),
            ZoneRef::Internal => Some(EnvValue::InternalHostedZoneId),
            ZoneRef::Id(_) => None,
        }
    }
}

impl From<ZoneRef> for String {
    /// The CloudFormation value: `!Ref <parameter>`, or the quoted ID.
    fn from(z: ZoneRef) -> String {
        match z.env_value() {
            Some(v) => format!("!Ref {}", v.parameter()),
            None => match z {
                ZoneRef::Id(id) => quote(&id),
                ZoneRef::Managed(_) | ZoneRef::Internal => {
                    unreachable!("managed zones have parameters")
                }
            },
        }
    }
}

/// A DNS name and the zone it lives in.
#[derive(Debug, Clone, Serialize)]
pub struct NamePlan {
    /// The name, lower case.
    pub name: String,
    /// Its zone.
    pub zone: ZoneRef,
}

/// An ACM certificate validated by DNS in each name's zone
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-certificatemanager-certificate.html>).
#[derive(Debug, Clone, Serialize)]
pub struct CertificatePlan {
    /// The names: the first is the certificate's domain name, the others its
    /// alternative names.
    pub names: Vec<NamePlan>,
}

/// The alias records of one hosted zone, as one `AWS::Route53::RecordSetGroup`
/// (Copilot's shape: a group takes names in and out in place).
#[derive(Debug, Clone, Serialize)]
pub struct RecordGroupPlan {
    /// Logical ID, Copilot's: `LoadBalancerDNSAlias<zone ID>` for a zone the manifest
    /// names, `LoadBalancerInternalDNSAlias` for the environment's private zone,
    /// `LoadBalancerDNSAlias` for the environment's public zone (Copilot's group of a
    /// service's default name `<svc>.<env>.<app>.<domain>`, kept by an adoption), and
    /// `LoadBalancerDNSAlias{Application,Domain}` for the application's and the
    /// domain's zones (whose records Copilot made outside the service's stack).
    pub logical_id: String,
    /// The zone.
    pub zone: ZoneRef,
    /// The names, lower case, in the order of the manifest.
    pub names: Vec<String>,
    /// Whether the zone is one of the application's (the environment's, the
    /// application's or the domain's), where Copilot's `CustomDomainAction` wrote
    /// aliases' records.
    pub managed: bool,
}

/// `records` grouped by zone, in the order each zone first appears. Pure.
pub fn record_groups(records: &[RecordPlan]) -> Vec<RecordGroupPlan> {
    let mut out: Vec<RecordGroupPlan> = Vec::new();
    for r in records {
        match out.iter_mut().find(|g| g.zone == r.name.zone) {
            Some(g) => g.names.push(r.name.name.clone()),
            None => out.push(RecordGroupPlan {
                logical_id: match &r.name.zone {
                    ZoneRef::Id(id) => format!(
                        "LoadBalancerDNSAlias{}",
                        id.chars()
                            .filter(char::is_ascii_alphanumeric)
                            .collect::<String>()
                    ),
                    ZoneRef::Internal => "LoadBalancerInternalDNSAlias".into(),
                    ZoneRef::Managed(Zone::Env) => "LoadBalancerDNSAlias".into(),
                    ZoneRef::Managed(Zone::App) => "LoadBalancerDNSAliasApplication".into(),
                    ZoneRef::Managed(Zone::Domain) => "LoadBalancerDNSAliasDomain".into(),
                },
                zone: r.name.zone.clone(),
                names: vec![r.name.name.clone()],
                managed: matches!(r.name.zone, ZoneRef::Managed(_)),
            }),
        }
    }
    out
}

/// An `A` alias record to the load balancer.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPlan {
    /// Logical ID, derived from the name alone so a record keeps it when others come
    /// and go (a record replaced under the same name would collide with itself).
    pub logical_id: String,
    /// The name and its zone.
    #[serde(flatten)]
    pub name: NamePlan,
}

/// ACM's limit on a certificate's first name (its subject's common name)
/// (<https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html>).
pub const CERTIFICATE_NAME_MAX: usize = 64;

/// A certificate for `names`, `None` without any: the first name of at most
/// [`CERTIFICATE_NAME_MAX`] characters is its domain name, the others its alternative
/// names (validation has checked there is one).
pub(super) fn certificate(mut names: Vec<NamePlan>) -> Option<CertificatePlan> {
    if let Some(i) = names
        .iter()
        .position(|n| n.name.len() <= CERTIFICATE_NAME_MAX)
    {
        let first = names.remove(i);
        names.insert(0, first);
    }
    (!names.is_empty()).then_some(CertificatePlan { names })
}

/// The logical ID of the record for `name`: letters and digits kept, `.` written `D`,
/// `-` `H` and `*` `S` (names are lower case, so the IDs are unique).
pub fn record_logical_id(name: &str) -> String {
    record_id("AliasRecord", name)
}

/// [`record_logical_id`] with another prefix (records of another load balancer).
pub(super) fn record_id(prefix: &str, name: &str) -> String {
    let mut id = String::from(prefix);
    for ch in name.chars() {
        match ch {
            '.' => id.push('D'),
            '-' => id.push('H'),
            '*' => id.push('S'),
            c if c.is_ascii_alphanumeric() => id.push(c),
            _ => {}
        }
    }
    id
}

pub(super) fn lb_plan(m: &ServiceManifest, h: &Http, inputs: &ServiceInputs) -> LbPlan {
    let env = inputs.env;
    let internal = !m.is_load_balanced();
    let imported = h.alb.is_some();
    // An imported load balancer's listeners are known at deploy: its rules say nothing
    // of the environment's.
    let https = env.lb_https(internal) && !imported;
    let rules: Vec<RulePlan> = h
        .rules()
        .enumerate()
        .map(|(i, (_, r))| {
            let priority = inputs
                .priorities
                .get(i)
                .copied()
                .unwrap_or_else(|| u32::try_from(i + 1).unwrap_or(u32::MAX));
            rule_plan(m, r, i, priority, https)
        })
        .collect();
    let full = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Full(a)) => Some(a),
        _ => None,
    };
    let (records, mut certificate, mut managed_aliases) = names(m, h, env, &inputs.app.name);
    if imported {
        // The imported load balancer's certificates are its owner's, and Copilot wrote
        // no alias records for it.
        certificate = None;
        managed_aliases.clear();
    }
    // The first alias that is not a wildcard, else the service's own name.
    let url_host = h
        .alias
        .as_ref()
        .and_then(|a| a.iter().find(|x| !x.name.starts_with("*.")))
        .map(|a| a.name.value.to_ascii_lowercase())
        .or_else(|| records.iter().map(|r| r.name.name.clone()).next_back());
    LbPlan {
        target_group: if imported {
            "TargetGroupForImportedALB"
        } else {
            "TargetGroup"
        },
        internal,
        scheme: if https { "https" } else { "http" },
        rule_id: if https {
            "HTTPSListenerRule"
        } else {
            "HTTPListenerRule"
        },
        listener: if https {
            EnvValue::HttpsListenerArn
        } else {
            EnvValue::HttpListenerArn
        },
        http_listener: EnvValue::HttpListenerArn,
        url_path: path_patterns(h.path.as_ref().map_or("/", |p| p.value.as_str())).1,
        url_host,
        grace_period: secs(full.and_then(|a| a.grace_period.as_ref()), 60),
        rules,
        certificate,
        record_groups: record_groups(&records),
        managed_aliases,
        records,
        via_cdn: !internal && !imported && env.cdn_answers_names(),
        cdn_zone: crate::contract::CLOUDFRONT_HOSTED_ZONE,
        imported,
        imported_ports: Vec::new(),
        imported_env_ingress: false,
    }
}

/// The records and the certificate of a service's `http` ([`crate::manifest::dns`]):
/// a record per name; with the domain and no imported certificate, a certificate for
/// the public aliases the environment's certificate does not cover, validated in the
/// same zones; and the aliases in the application's zones, sorted
/// ([`LbPlan::managed_aliases`]).
fn names(
    m: &ServiceManifest,
    h: &Http,
    env: &EnvManifest,
    app: &str,
) -> (Vec<RecordPlan>, Option<CertificatePlan>, Vec<String>) {
    let named = crate::manifest::dns::http_names(m, h, env, app);
    let certificate = env
        .app_domain
        .as_ref()
        .filter(|_| m.is_load_balanced() && env.certificates().is_empty())
        .and_then(|d| {
            certificate(
                named
                    .iter()
                    .filter(|n| n.alias && !d.env_certificate_covers(&env.name.value, &n.name))
                    .map(NamePlan::from)
                    .collect(),
            )
        });
    let mut managed: Vec<String> = named
        .iter()
        .filter(|n| n.alias && matches!(n.zone, crate::manifest::dns::RecordZone::Managed(_)))
        .map(|n| n.name.clone())
        .collect();
    managed.sort();
    managed.dedup();
    (records("AliasRecord", &named), certificate, managed)
}

/// Records of `names`, with logical IDs from `prefix` and each name.
pub(super) fn records(prefix: &str, names: &[crate::manifest::dns::DnsName]) -> Vec<RecordPlan> {
    names
        .iter()
        .map(|n| RecordPlan {
            logical_id: record_id(prefix, &n.name),
            name: NamePlan::from(n),
        })
        .collect()
}

impl From<&crate::manifest::dns::DnsName> for NamePlan {
    fn from(n: &crate::manifest::dns::DnsName) -> NamePlan {
        use crate::manifest::dns::RecordZone;
        NamePlan {
            name: n.name.clone(),
            zone: match &n.zone {
                RecordZone::Managed(z) => ZoneRef::Managed(*z),
                RecordZone::Internal => ZoneRef::Internal,
                RecordZone::Id(id) => ZoneRef::Id(id.clone()),
            },
        }
    }
}

/// A load balancer's target: the container (`target_container`: a sidecar, else the
/// main one) and its port (`target_port`, else the container's, else 80).
pub(super) fn target(
    m: &ServiceManifest,
    container: Option<&crate::manifest::decode::Spanned<String>>,
    port: Option<&crate::manifest::decode::Spanned<crate::manifest::common::Port>>,
) -> (String, u16) {
    let sidecar =
        container.and_then(|t| m.task.sidecars.get(&t.value).map(|s| (t.value.clone(), s)));
    let port = port
        .map(|p| p.value.0)
        .or_else(|| match &sidecar {
            Some((_, s)) => s.port.as_ref().map(|p| p.value.port),
            None => m.task.image.port.as_ref().map(|p| p.value.0),
        })
        .unwrap_or(80);
    (
        sidecar.map_or_else(|| m.name.value.clone(), |(n, _)| n),
        port,
    )
}

/// The environment values that the hosted zones of `records` and of `certificate`'s
/// validation come from.
pub(super) fn zone_values(
    records: &[RecordPlan],
    certificate: Option<&CertificatePlan>,
) -> Vec<EnvValue> {
    let mut v: Vec<EnvValue> = records
        .iter()
        .map(|r| &r.name.zone)
        .chain(
            certificate
                .iter()
                .flat_map(|c| c.names.iter().map(|n| &n.zone)),
        )
        .filter_map(ZoneRef::env_value)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn rule_plan(
    m: &ServiceManifest,
    h: &RoutingRule,
    index: usize,
    priority: u32,
    https: bool,
) -> RulePlan {
    let (path_patterns, _) = path_patterns(h.path.as_ref().map_or("/", |p| p.value.as_str()));
    let full = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Full(a)) => Some(a),
        _ => None,
    };
    let version = h.version.as_ref().map(|v| v.value);
    let grpc = version == Some(HttpVersion::Grpc);
    // gRPC: the load balancer's own defaults, which any gRPC server passes (code 12,
    // UNIMPLEMENTED, for a path no service has).
    let (default_path, default_codes) = if grpc {
        ("/AWS.ALB/healthcheck", "12")
    } else {
        ("/", "200")
    };
    let health_path = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Path(p)) => p.clone(),
        Some(TargetHealthCheck::Full(a)) => a
            .path
            .as_ref()
            .map_or(default_path.into(), |p| p.value.clone()),
        None => default_path.into(),
    };
    let (container, target_port) = target(m, h.target_container.as_ref(), h.target_port.as_ref());
    let redirect = h.redirect_to_https.as_ref().is_none_or(|r| r.value);
    let mut hosts: Vec<String> = Vec::new();
    for a in h.alias.iter().flat_map(|a| a.iter()) {
        let n = a.name.value.to_ascii_lowercase();
        if !hosts.contains(&n) {
            hosts.push(n);
        }
    }
    RulePlan {
        suffix: if index == 0 {
            String::new()
        } else {
            index.to_string()
        },
        container,
        path_patterns,
        hosts,
        priority,
        target_port,
        protocol: if target_port == 443 { "HTTPS" } else { "HTTP" },
        protocol_version: version.map(HttpVersion::as_cfn),
        http_listener: https && !redirect,
        redirect,
        health: TargetHealthPlan {
            path: health_path,
            matcher: if grpc { "GrpcCode" } else { "HttpCode" },
            port: full.and_then(|a| a.port.as_ref()).map(|p| p.value.0),
            codes: full
                .and_then(|a| a.success_codes.as_ref())
                .map_or(default_codes.into(), |c| c.value.clone()),
            healthy: full
                .and_then(|a| a.healthy_threshold.as_ref())
                .map_or(5, |t| t.value),
            unhealthy: full
                .and_then(|a| a.unhealthy_threshold.as_ref())
                .map_or(2, |t| t.value),
            interval: secs(full.and_then(|a| a.interval.as_ref()), 30),
            timeout: secs(full.and_then(|a| a.timeout.as_ref()), 5),
        },
        deregistration_delay: secs(h.deregistration_delay.as_ref(), 60),
        stickiness: h.stickiness.unwrap_or(false),
        source_ips: h
            .allowed_source_ips
            .iter()
            .flatten()
            .map(|s| s.value.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{NamePlan, RecordPlan, ZoneRef, record_groups};
    use crate::manifest::environment::Zone;

    #[test]
    fn records_are_grouped_by_zone_under_copilots_ids() {
        let rec = |name: &str, zone: ZoneRef| RecordPlan {
            logical_id: String::new(),
            name: NamePlan {
                name: name.into(),
                zone,
            },
        };
        let groups = record_groups(&[
            rec("example.com", ZoneRef::Id("Z08230443CW11KE6JBNUA".into())),
            rec("api.test.shop.example.com", ZoneRef::Managed(Zone::Env)),
            rec(
                "www.example.com",
                ZoneRef::Id("Z08230443CW11KE6JBNUA".into()),
            ),
            rec("api.test.shop.internal", ZoneRef::Internal),
        ]);
        let got: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.logical_id.as_str(),
                    g.names.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "LoadBalancerDNSAliasZ08230443CW11KE6JBNUA",
                    vec!["example.com", "www.example.com"]
                ),
                ("LoadBalancerDNSAlias", vec!["api.test.shop.example.com"]),
                (
                    "LoadBalancerInternalDNSAlias",
                    vec!["api.test.shop.internal"]
                ),
            ]
        );
    }

    #[test]
    fn record_ids_are_unique_per_name() {
        let a = super::record_logical_id("a-b.example.com");
        let b = super::record_logical_id("ab.example.com");
        let w = super::record_logical_id("*.example.com");
        assert_eq!(a, "AliasRecordaHbDexampleDcom");
        assert_ne!(a, b);
        assert_eq!(w, "AliasRecordSDexampleDcom");
    }
}
