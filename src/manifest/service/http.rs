//! The `http` section of a service manifest: listener rules on the environment's load
//! balancer (paths, aliases, source addresses), their target groups and health checks.

use super::Port;
use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::duration::Duration;
use crate::manifest::yaml::{Node, Value};
use schemars::JsonSchema;

/// `http`: routing from the environment's load balancer: the main listener rule, and
/// more rules to other paths, ports or containers of the same service.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// The main rule.
    #[serde(flatten)]
    pub main: RoutingRule,
    /// More listener rules, each with its own target group (Copilot's
    /// `http.additional_rules`).
    #[serde(default)]
    pub additional_rules: Vec<Spanned<RoutingRule>>,
    /// An existing internet-facing Application Load Balancer of the environment's VPC,
    /// by name or ARN, that the rules go on instead of the environment's (Copilot's
    /// `http.alb`); wharf looks up its listeners, security groups and DNS name at
    /// deploy.
    pub alb: Option<Spanned<String>>,
}

impl std::ops::Deref for Http {
    type Target = RoutingRule;
    fn deref(&self) -> &RoutingRule {
        &self.main
    }
}

impl Http {
    /// The main rule, then the additional ones, with the manifest path of each
    /// (`http`, `http.additional_rules[0]`, …).
    pub fn rules(&self) -> impl Iterator<Item = (String, &RoutingRule)> {
        std::iter::once(("http".to_string(), &self.main)).chain(
            self.additional_rules
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("http.additional_rules[{i}]"), &r.value)),
        )
    }
}

/// The `path-pattern` values of a rule's `path`, and the path part of its URL: `/` is
/// `/*`; `api` is `/api` and `/api/*`.
pub fn path_patterns(path: &str) -> (Vec<String>, String) {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        (vec!["/*".into()], "/".into())
    } else {
        (
            vec![format!("/{trimmed}"), format!("/{trimmed}/*")],
            format!("/{trimmed}"),
        )
    }
}

/// One listener rule of `http`: where it matches (path, aliases, source addresses) and
/// the target group it forwards to
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html>).
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Path prefix routed to this service; `/` for all.
    pub path: Option<Spanned<String>>,
    /// Target group health check: a path, or settings.
    pub healthcheck: Option<Spanned<TargetHealthCheck>>,
    /// Time to drain connections from a stopping task. Default 60s.
    pub deregistration_delay: Option<Spanned<Duration>>,
    /// Sticky sessions.
    pub stickiness: Option<bool>,
    /// Container receiving traffic: the main one (default) or a sidecar with a `port`.
    pub target_container: Option<Spanned<String>>,
    /// Port receiving traffic. Default `image.port`.
    pub target_port: Option<Spanned<Port>>,
    /// Only these CIDR ranges may reach the service.
    pub allowed_source_ips: Option<Vec<Spanned<String>>>,
    /// Protocol version from the load balancer to the tasks: `http1` (default),
    /// `http2` or `grpc`, in any case.
    pub version: Option<Spanned<HttpVersion>>,
    /// Redirect HTTP to HTTPS when the environment serves HTTPS. Default true; with
    /// `false`, the service answers on both listeners.
    pub redirect_to_https: Option<Spanned<bool>>,
    /// Domain names routed to this rule (a `host-header` condition): one name, a list,
    /// or a list of `{name, hosted_zone}`.
    pub alias: Option<Spanned<Aliases>>,
    /// Route 53 hosted zone ID where wharf writes the aliases' `A` records.
    pub hosted_zone: Option<Spanned<String>>,
}

/// `alias`: the domain names of a rule, in manifest order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aliases(pub Vec<Alias>);

impl std::ops::Deref for Aliases {
    type Target = [Alias];
    fn deref(&self) -> &[Alias] {
        &self.0
    }
}

impl JsonSchema for Aliases {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Aliases".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = g.subschema_for::<Alias>();
        schemars::json_schema!({
            "description": "A domain name, `{name, hosted_zone}`, or a list of either.",
            "anyOf": [{"type": "string"}, one, {"type": "array", "items": one}]
        })
    }
}

/// One `http.alias` entry: a domain name, and the hosted zone of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The domain name (lower case as written; DNS ignores case).
    pub name: Spanned<String>,
    /// The Route 53 hosted zone ID for its record; default `http.hosted_zone`.
    pub hosted_zone: Option<Spanned<String>>,
}

impl JsonSchema for Alias {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Alias".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A domain name, or `{name, hosted_zone}`.",
            "anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": false, "required": ["name"],
                 "properties": {"name": {"type": "string"}, "hosted_zone": {"type": "string"}}}
            ]
        })
    }
}

/// `http.version`: the target group's protocol version
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2.
    Http2,
    /// gRPC.
    Grpc,
}

impl HttpVersion {
    /// CloudFormation's `ProtocolVersion` value.
    pub fn as_cfn(self) -> &'static str {
        match self {
            HttpVersion::Http1 => "HTTP1",
            HttpVersion::Http2 => "HTTP2",
            HttpVersion::Grpc => "GRPC",
        }
    }
}

impl JsonSchema for HttpVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HttpVersion".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`http1`, `http2` or `grpc`, in any case.",
            "type": "string",
            "pattern": "^([Hh][Tt][Tt][Pp][12]|[Gg][Rr][Pp][Cc])$"
        })
    }
}

/// Target group health check.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum TargetHealthCheck {
    /// Just the path.
    Path(String),
    /// Full settings.
    Full(Box<TargetHealthCheckArgs>),
}

/// Target group health check settings.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetHealthCheckArgs {
    /// Path to check. Default `/`.
    pub path: Option<Spanned<String>>,
    /// Port to check. Default the traffic port.
    pub port: Option<Spanned<Port>>,
    /// HTTP codes that mean healthy, e.g. `200` or `200-299`. Default `200`.
    pub success_codes: Option<Spanned<String>>,
    /// Consecutive successes to become healthy (2-10). Default 5.
    pub healthy_threshold: Option<Spanned<u32>>,
    /// Consecutive failures to become unhealthy (2-10). Default 2.
    pub unhealthy_threshold: Option<Spanned<u32>>,
    /// Time a check may take (2s-120s). Default 5s.
    pub timeout: Option<Spanned<Duration>>,
    /// Time between checks (5s-300s). Default 30s.
    pub interval: Option<Spanned<Duration>>,
    /// Time after a task starts before failed checks count. Default 60s.
    pub grace_period: Option<Spanned<Duration>>,
}

impl Decode for Http {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            cx.type_error(node, "a mapping, or `false`");
            return None;
        }
        let mut f = Fields::new(node, cx, "http")?;
        let main = rule_fields(&mut f, cx);
        let h = Http {
            main,
            additional_rules: f.opt(cx, "additional_rules").unwrap_or_default(),
            alb: f.opt(cx, "alb"),
        };
        f.unsupported(cx, "private", "Private ingress (`http.private`)", |_| false);
        f.finish(cx);
        Some(h)
    }
}

/// The fields of one listener rule, read from `f` (the main rule's are `http`'s own).
fn rule_fields(f: &mut Fields, cx: &mut Cx) -> RoutingRule {
    RoutingRule {
        path: f.opt(cx, "path"),
        healthcheck: f.opt(cx, "healthcheck"),
        deregistration_delay: f.opt(cx, "deregistration_delay"),
        stickiness: f.opt(cx, "stickiness"),
        target_container: f.opt(cx, "target_container"),
        target_port: f.opt(cx, "target_port"),
        allowed_source_ips: f.opt(cx, "allowed_source_ips"),
        version: f.opt(cx, "version"),
        redirect_to_https: f.opt(cx, "redirect_to_https"),
        alias: f.opt(cx, "alias"),
        hosted_zone: f.opt(cx, "hosted_zone"),
    }
}

impl Decode for RoutingRule {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "listener rule")?;
        let r = rule_fields(&mut f, cx);
        f.finish(cx);
        Some(r)
    }
}

/// `alias`: a name, a list of names, or a list of `{name, hosted_zone}`.
impl Decode for Aliases {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Seq(_) => Vec::<Alias>::decode(node, cx).map(Aliases),
            _ => Alias::decode(node, cx).map(|a| Aliases(vec![a])),
        }
    }
}

impl Decode for Alias {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Map(_) = node.value {
            let mut f = Fields::new(node, cx, "alias")?;
            let name = f.req(cx, "name");
            let hosted_zone = f.opt(cx, "hosted_zone");
            f.finish(cx);
            return Some(Alias {
                name: name?,
                hosted_zone,
            });
        }
        let name = String::decode(node, cx)?;
        Some(Alias {
            name: Spanned::new(name, node.span),
            hosted_zone: None,
        })
    }
}
impl Decode for HttpVersion {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let s = String::decode(node, cx)?;
        match s.to_ascii_lowercase().as_str() {
            "http1" => Some(HttpVersion::Http1),
            "http2" => Some(HttpVersion::Http2),
            "grpc" => Some(HttpVersion::Grpc),
            _ => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!("`{path}` cannot be `{s}`"),
                    Some(crate::manifest::common::one_of(
                        &s.to_ascii_lowercase(),
                        &["http1", "http2", "grpc"],
                    )),
                );
                None
            }
        }
    }
}
impl Decode for TargetHealthCheck {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return String::decode(node, cx).map(TargetHealthCheck::Path);
        }
        let mut f = Fields::new(node, cx, "http.healthcheck")?;
        let h = TargetHealthCheckArgs {
            path: f.opt(cx, "path"),
            port: f.opt(cx, "port"),
            success_codes: f.opt(cx, "success_codes"),
            healthy_threshold: f.opt(cx, "healthy_threshold"),
            unhealthy_threshold: f.opt(cx, "unhealthy_threshold"),
            timeout: f.opt(cx, "timeout"),
            interval: f.opt(cx, "interval"),
            grace_period: f.opt(cx, "grace_period"),
        };
        f.finish(cx);
        Some(TargetHealthCheck::Full(Box::new(h)))
    }
}
