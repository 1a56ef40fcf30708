//! A Load Balanced Web Service on an existing Application Load Balancer (`http.alb`):
//! the stack parameters wharf fills at deploy from that load balancer (its listeners,
//! DNS name, zone, security groups, and rule priorities free on its listeners; see
//! `release::alb`), and what that lookup needs to know ([`ImportedAlb`]). The rules go
//! on the HTTPS listener when there is one, with a redirect (or, with
//! `redirect_to_https: false`, a forward) rule on the HTTP one; a security group of the
//! stack lets the load balancer's groups reach the tasks' ports. Partials:
//! `svc-target-group.yml`, `svc-imported-alb.yml`.

use super::*;
use crate::contract::imported_alb as names;
use lb::LbPlan;

/// What the deploy looks up for a stack on an imported load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAlb {
    /// The service.
    pub service: String,
    /// `http.alb`: the load balancer's name or ARN.
    pub reference: String,
    /// The rules to give priorities, main listener's first.
    pub rules: Vec<ImportedRule>,
    /// Whether the template takes `LoadBalancerHostedZoneId` (alias records).
    pub zone: bool,
    /// Whether the template takes `LoadBalancerFullName` (request metrics).
    pub full_name: bool,
    /// A target group of `http2` or `grpc`, which needs an HTTPS listener.
    pub needs_https: Option<&'static str>,
}

/// One listener rule of the stack on an imported load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRule {
    /// Its logical ID (`ListenerRule<suffix>` or `HTTPListenerRule<suffix>`).
    pub logical_id: String,
    /// The parameter holding its priority.
    pub parameter: String,
    /// Whether it goes on the HTTP listener beside an HTTPS one.
    pub http_listener: bool,
    /// The priority wharf prefers (from [`crate::compile::priority`]): kept when free.
    pub preferred: u32,
}

/// A stack parameter the deploy fills.
#[derive(Debug, Clone, Serialize)]
pub struct LookupParam {
    /// Name.
    pub name: String,
    /// CloudFormation type.
    pub kind: &'static str,
    /// Default value, if any.
    pub default: Option<String>,
    /// Allowed values, if limited.
    pub allowed: Vec<&'static str>,
    /// `AllowedPattern`, if any.
    pub pattern: Option<&'static str>,
    /// Description.
    pub what: String,
    /// A listener rule priority (a `Number` from 1 to 50000).
    pub priority: bool,
}

/// The priority parameters of the rules on the environment's load balancer (`lb`,
/// not imported): `RulePriority<suffix>` for each rule on its listener, and
/// `HTTPRulePriority<suffix>` for one answering on the HTTP listener too, each
/// defaulting to wharf's choice ([`crate::compile::priority::assign`]). A deploy passes
/// none, so the default holds; an adopted stack is given the priorities its rules had
/// (`release::alb::keep_rule_priorities`).
pub(super) fn env_rule_priorities(lb: &LbPlan) -> Vec<LookupParam> {
    let mut out = Vec::new();
    for r in &lb.rules {
        let mut on = vec![(names::RULE_PRIORITY, lb.rule_id)];
        if r.http_listener {
            on.push((names::HTTP_RULE_PRIORITY, names::HTTP_RULE));
        }
        for (prefix, rule) in on {
            out.push(LookupParam {
                name: format!("{prefix}{}", r.suffix),
                kind: "Number",
                default: Some(r.priority.to_string()),
                allowed: Vec::new(),
                pattern: None,
                what: format!(
                    "Priority of rule {rule}{} (default: wharf's; an adopted rule keeps its own)",
                    r.suffix
                ),
                priority: true,
            });
        }
    }
    out
}

/// Listener ARNs of Application Load Balancers.
const LISTENER_PATTERN: &str =
    "^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/.+$";

/// The parameters of a stack on an imported load balancer, and what the deploy looks
/// up to fill them. `full_name`: request-based scaling needs the load balancer's full
/// name.
pub(super) fn plan(
    service: &str,
    reference: &str,
    lb: &LbPlan,
    full_name: bool,
) -> (Vec<LookupParam>, ImportedAlb) {
    let text = |name: &str, what: &str| LookupParam {
        name: name.to_string(),
        kind: "String",
        default: None,
        allowed: Vec::new(),
        pattern: None,
        what: what.to_string(),
        priority: false,
    };
    let needs_https = lb
        .rules
        .iter()
        .find_map(|r| r.protocol_version.filter(|v| *v != "HTTP1"));
    let mut params = vec![
        LookupParam {
            pattern: Some(LISTENER_PATTERN),
            ..text(
                names::LISTENER,
                "Listener of the imported load balancer the rules go on: its HTTPS listener, else its HTTP one (wharf looks it up at deploy)",
            )
        },
        LookupParam {
            default: Some(String::new()),
            pattern: Some(
                "^$|^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/.+$",
            ),
            ..text(
                names::HTTP_LISTENER,
                "The imported load balancer's HTTP listener when the rules are on its HTTPS one, else empty",
            )
        },
        LookupParam {
            // `http2` and `grpc` target groups need HTTPS.
            allowed: if needs_https.is_some() {
                vec!["HTTPS"]
            } else {
                vec!["HTTP", "HTTPS"]
            },
            ..text(names::PROTOCOL, "Protocol of the listener the rules go on")
        },
        LookupParam {
            default: Some("443".into()),
            pattern: Some("^[0-9]{1,5}$"),
            ..text(
                names::HTTPS_PORT,
                "Port of the imported load balancer's HTTPS listener, where its HTTP listener's rules redirect",
            )
        },
        text(
            EnvValue::LoadBalancerDnsName.parameter(),
            "DNS name of the imported load balancer",
        ),
    ];
    if !lb.records.is_empty() {
        params.push(text(
            EnvValue::LoadBalancerHostedZoneId.parameter(),
            "Hosted zone of the imported load balancer's DNS name, for alias records",
        ));
    }
    if full_name {
        params.push(text(
            EnvValue::LoadBalancerFullName.parameter(),
            "Full name of the imported load balancer (app/<name>/<id>), for metrics",
        ));
    }
    for i in 1..=names::MAX_SECURITY_GROUPS {
        params.push(LookupParam {
            kind: if i == 1 {
                "AWS::EC2::SecurityGroup::Id"
            } else {
                "String"
            },
            default: (i > 1).then(String::new),
            ..text(
                &format!("{}{i}", names::SECURITY_GROUP),
                &format!(
                    "Security group {i} of the imported load balancer{}",
                    if i > 1 { ", or empty" } else { "" }
                ),
            )
        });
    }
    let mut rules = Vec::new();
    for r in &lb.rules {
        for (http, prefix, logical, on) in [
            (
                false,
                names::RULE_PRIORITY,
                names::RULE,
                "the rules' listener",
            ),
            (
                true,
                names::HTTP_RULE_PRIORITY,
                names::HTTP_RULE,
                "the HTTP listener",
            ),
        ] {
            let parameter = format!("{prefix}{}", r.suffix);
            params.push(LookupParam {
                kind: "Number",
                default: Some(r.priority.to_string()),
                priority: true,
                ..text(
                    &parameter,
                    &format!(
                        "Priority of rule {logical}{} on {on} (wharf chooses a free one at deploy)",
                        r.suffix
                    ),
                )
            });
            rules.push(ImportedRule {
                logical_id: format!("{logical}{}", r.suffix),
                parameter,
                http_listener: http,
                preferred: r.priority,
            });
        }
    }
    (
        params,
        ImportedAlb {
            service: service.to_string(),
            reference: reference.to_string(),
            rules,
            zone: !lb.records.is_empty(),
            full_name,
            needs_https,
        },
    )
}

/// The ports the imported load balancer reaches: each rule's target port and health
/// check port, sorted.
pub(super) fn ports(lb: &LbPlan) -> Vec<u16> {
    let mut ports: Vec<u16> = lb
        .rules
        .iter()
        .flat_map(|r| std::iter::once(r.target_port).chain(r.health.port))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
