//! Environment manifests (`<workspace>/environments/<env>/manifest.yml`): Copilot's schema
//! plus wharf's `region` and `account`, so the workspace alone says where an environment
//! lives. Semantic checks live in `validate`.

use super::decode::{Cx, Decode, Fields, Spanned};
use super::yaml::{Node, Value};
use schemars::JsonSchema;

/// An environment manifest.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wharf environment manifest")]
pub struct EnvManifest {
    /// Environment name; also the directory name.
    pub name: Spanned<String>,
    /// Always `Environment`.
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    /// AWS region (wharf addition). Default: the application's region.
    pub region: Option<Spanned<String>>,
    /// AWS account ID that must be used to deploy (wharf addition).
    pub account: Option<Spanned<String>>,
    /// The Cloud Map namespace of the environment's services (wharf addition). Default
    /// `<env>.<app>.local`; Copilot before v1.5 made `<app>.local`: give that to keep it
    /// when taking such an environment over (`wharf app adopt`).
    pub namespace: Option<Spanned<String>>,
    /// Networking.
    pub network: Option<EnvNetwork>,
    /// Load balancer settings.
    pub http: Option<EnvHttp>,
    /// Monitoring.
    pub observability: Option<Observability>,
    /// A CloudFront distribution in front of the public load balancer.
    pub cdn: Option<Spanned<super::cdn::Cdn>>,
    /// The environments' addons (`environments/addons/`; not part of this file, the
    /// workspace fills them in): a nested stack of the environment's stack.
    #[schemars(skip)]
    pub addons: Option<std::sync::Arc<super::addons::Addons>>,
    /// The application's domain (from the application, not this file): the environment
    /// then has the hosted zone `<env>.<app>.<domain>` and a certificate for it.
    #[schemars(skip)]
    pub app_domain: Option<AppDomain>,
}

/// An application's domain, as its environments and services use it: Route 53 hosted
/// zones `<app>.<domain>` (the application's) and `<env>.<app>.<domain>` (each
/// environment's), delegated from the domain's own zone, as Copilot lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDomain {
    /// The application's name.
    pub app: String,
    /// The domain, lower case (`example.com`).
    pub domain: String,
    /// The application's environments (their zones' apexes are theirs alone).
    pub envs: Vec<String>,
}

/// Which of an application's hosted zones holds a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Zone {
    /// The domain's own zone (`example.com`), which the application does not create.
    Domain,
    /// The application's zone (`<app>.example.com`).
    App,
    /// The environment's zone (`<env>.<app>.example.com`).
    Env,
}

impl AppDomain {
    /// The application's zone name: `<app>.<domain>`.
    pub fn app_zone(&self) -> String {
        format!("{}.{}", self.app, self.domain)
    }

    /// Environment `env`'s zone name: `<env>.<app>.<domain>`.
    pub fn env_zone(&self, env: &str) -> String {
        format!("{env}.{}", self.app_zone())
    }

    /// The zone of environment `env` where `name` gets its record: the zone's own name
    /// or one label below it, in the environment's zone first, then the application's,
    /// then the domain's (Copilot's rule for aliases). `None` for any other name.
    pub fn zone_of(&self, env: &str, name: &str) -> Option<Zone> {
        let name = name.to_ascii_lowercase();
        let within = |zone: &str| {
            name == zone
                || name
                    .strip_suffix(zone)
                    .and_then(|head| head.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.'))
        };
        // Another environment's zone name is delegated away from the application's.
        if self
            .envs
            .iter()
            .any(|e| e != env && name == self.env_zone(e))
        {
            return None;
        }
        [
            (Zone::Env, self.env_zone(env)),
            (Zone::App, self.app_zone()),
            (Zone::Domain, self.domain.clone()),
        ]
        .into_iter()
        .find(|(_, z)| within(z))
        .map(|(zone, _)| zone)
    }

    /// Whether `name` is `<app>.<domain>` or below it: the zones wharf makes.
    pub fn in_app_zone(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let zone = self.app_zone();
        name == zone || name.ends_with(&format!(".{zone}"))
    }

    /// Whether environment `env`'s own certificate (`<env>.<app>.<domain>` and
    /// `*.<env>.<app>.<domain>`) covers `name`.
    pub fn env_certificate_covers(&self, env: &str, name: &str) -> bool {
        self.zone_of(env, name) == Some(Zone::Env) && !name.starts_with("*.")
    }
}

/// `network`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvNetwork {
    /// The VPC: imported by `id`, or created with `cidr`.
    pub vpc: Option<EnvVpc>,
}

/// `network.vpc`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvVpc {
    /// ID of an existing VPC to use.
    pub id: Option<Spanned<String>>,
    /// CIDR block of the VPC wharf creates. Default `10.0.0.0/16`.
    pub cidr: Option<Spanned<String>>,
    /// Subnets.
    pub subnets: Option<Subnets>,
    /// Rules of the environment's security group (every task's).
    pub security_group: Option<Spanned<EnvSecurityGroup>>,
    /// VPC flow logs to CloudWatch Logs: `true`, or `{retention: days}`.
    pub flow_logs: Option<Spanned<FlowLogs>>,
}

/// `network.vpc.security_group`: rules on the security group every task of the
/// environment has. `ingress` rules are added; `egress` rules, when given, replace the
/// default that lets tasks reach anything.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvSecurityGroup {
    /// Inbound rules.
    #[serde(default)]
    pub ingress: Vec<Spanned<SecurityGroupRule>>,
    /// Outbound rules (replacing "all outbound traffic").
    pub egress: Option<Vec<Spanned<SecurityGroupRule>>>,
}

/// One security group rule (Copilot's fields).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or a protocol number.
    pub ip_protocol: Spanned<String>,
    /// A port, or a range `from-to` (for ICMP: type and code). Not used with `-1`.
    pub ports: Option<Spanned<PortRange>>,
    /// The IPv4 or IPv6 block the rule allows.
    pub cidr: Spanned<String>,
}

impl SecurityGroupRule {
    /// The protocol as AWS compares rules: its number (`tcp` is `6`, `udp` `17`, `icmp`
    /// `1`, `icmpv6` `58`), `-1` for all, or the text as written, lower-cased.
    pub fn protocol_number(&self) -> String {
        match self.ip_protocol.value.to_ascii_lowercase().as_str() {
            "tcp" => "6".into(),
            "udp" => "17".into(),
            "icmp" => "1".into(),
            "icmpv6" => "58".into(),
            other => other.into(),
        }
    }

    /// Whether the rule takes ports (TCP, UDP) rather than an ICMP type and code.
    pub fn has_ports(&self) -> bool {
        matches!(self.protocol_number().as_str(), "6" | "17")
    }

    /// Whether `ports` are an ICMP type and code (ICMP, ICMPv6).
    pub fn is_icmp(&self) -> bool {
        matches!(self.protocol_number().as_str(), "1" | "58")
    }
}

/// A port or a port range, `80` or `8000-8080`; for ICMP, a type and a code (`8-0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port.
    pub from: i32,
    /// Last port.
    pub to: i32,
}

impl JsonSchema for PortRange {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortRange".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port, `80`, or a range, `8000-8080`.",
            "anyOf": [
                {"type": "integer", "minimum": -1, "maximum": 65535},
                {"type": "string", "pattern": "^-?[0-9]+(-[0-9]+)?$"}
            ]
        })
    }
}

/// `network.vpc.flow_logs`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLogs {
    /// Days the flow log group keeps records. Default 14 (Copilot's).
    pub retention: Option<Spanned<u32>>,
}

impl FlowLogs {
    /// Days kept when `retention` is not set.
    pub const DEFAULT_RETENTION: u32 = 14;
}

/// `network.vpc.subnets`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnets {
    /// Public subnets (two, in two availability zones).
    pub public: Option<Spanned<Vec<Spanned<Subnet>>>>,
    /// Private subnets (two, in two availability zones).
    pub private: Option<Spanned<Vec<Spanned<Subnet>>>>,
}

/// One subnet: imported by `id`, or created with `cidr` (and optional `az`).
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// ID of an existing subnet.
    pub id: Option<Spanned<String>>,
    /// CIDR block of the subnet wharf creates.
    pub cidr: Option<Spanned<String>>,
    /// Availability zone of the subnet wharf creates.
    pub az: Option<Spanned<String>>,
}

/// `http`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvHttp {
    /// The public Application Load Balancer.
    pub public: Option<PublicHttp>,
    /// The internal Application Load Balancer (created when a Backend Service has
    /// `http`).
    pub private: Option<PrivateHttp>,
}

/// `http.private`: the internal load balancer.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateHttp {
    /// IDs of the subnets it goes in (of an imported VPC). Default: the private subnets.
    pub subnets: Option<Spanned<Vec<Spanned<String>>>>,
    /// ACM certificate ARNs; with any, it serves HTTPS and redirects HTTP.
    pub certificates: Option<Vec<Spanned<String>>>,
    /// Who may reach it besides the environment's tasks.
    pub ingress: Option<PrivateIngress>,
    /// TLS policy of the HTTPS listener.
    pub ssl_policy: Option<Spanned<String>>,
}

/// `http.private.ingress`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateIngress {
    /// Anything in the VPC (its CIDR block), not only the environment's tasks.
    pub vpc: Option<Spanned<bool>>,
}

/// `http.public`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicHttp {
    /// ACM certificate ARNs; with any, the load balancer serves HTTPS and redirects HTTP.
    pub certificates: Option<Vec<Spanned<String>>>,
    /// Who may reach the load balancer.
    pub ingress: Option<Ingress>,
    /// TLS policy of the HTTPS listener.
    pub ssl_policy: Option<Spanned<String>>,
    /// Deletion protection of the load balancer (wharf addition), for production
    /// environments: while on, neither CloudFormation nor anyone else can delete it.
    /// Default `false`.
    pub deletion_protection: Option<bool>,
    /// Copilot's older spelling of `ingress.cdn`: `ingress.restrict_to.cdn`.
    pub security_groups: Option<super::cdn::PublicSecurityGroups>,
    /// The load balancer's access logs.
    pub access_logs: Option<Spanned<super::access_logs::AccessLogs>>,
}

/// `http.public.ingress`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ingress {
    /// CIDR ranges allowed to reach the load balancer. Default: everyone.
    pub source_ips: Option<Vec<Spanned<String>>>,
    /// Only CloudFront reaches the load balancer (its origin-facing address list).
    pub cdn: Option<Spanned<bool>>,
}

/// `observability`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    /// CloudWatch Container Insights for the cluster.
    pub container_insights: Option<bool>,
}

impl Decode for EnvManifest {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "environment manifest")?;
        let name = f.req(cx, "name");
        let kind: Option<Spanned<String>> = f.node("type").and_then(|n| {
            cx.at("type", |cx| {
                super::common::decode_choice(n, cx, &["Environment"])
            })
            .map(|s| Spanned::new(s.value.to_string(), s.span))
        });
        if f.key_span("type").is_none() {
            f.req::<String>(cx, "type");
        }
        let m = EnvManifest {
            name: name?,
            kind: kind?,
            region: f.opt(cx, "region"),
            account: f.opt(cx, "account"),
            namespace: f.opt(cx, "namespace"),
            network: f.opt(cx, "network"),
            http: f.opt(cx, "http"),
            observability: f.opt(cx, "observability"),
            cdn: f.opt(cx, "cdn"),
            addons: None,
            app_domain: None,
        };
        f.finish(cx);
        Some(m)
    }
}

impl Decode for EnvNetwork {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network")?;
        let n = EnvNetwork {
            vpc: f.opt(cx, "vpc"),
        };
        f.finish(cx);
        Some(n)
    }
}

impl Decode for EnvVpc {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc")?;
        let v = EnvVpc {
            id: f.opt(cx, "id"),
            cidr: f.opt(cx, "cidr"),
            subnets: f.opt(cx, "subnets"),
            security_group: f.opt(cx, "security_group"),
            flow_logs: None,
        };
        // `flow_logs: false` means none; `true` or a mapping, flow logs.
        let flow_logs = match f.node("flow_logs") {
            Some(n) if matches!(n.value, Value::Scalar(_)) => {
                match n.as_str().and_then(super::decode::parse_bool) {
                    Some(true) => Some(Spanned::new(FlowLogs::default(), n.span)),
                    Some(false) => None,
                    None => {
                        cx.at("flow_logs", |cx| {
                            cx.type_error(n, "`true`, `false`, or `{retention: days}`");
                        });
                        None
                    }
                }
            }
            Some(_) => f.opt(cx, "flow_logs"),
            None => None,
        };
        f.finish(cx);
        Some(EnvVpc { flow_logs, ..v })
    }
}

impl Decode for EnvSecurityGroup {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc.security_group")?;
        let g = EnvSecurityGroup {
            ingress: f.opt(cx, "ingress").unwrap_or_default(),
            egress: f.opt(cx, "egress"),
        };
        f.finish(cx);
        Some(g)
    }
}

impl Decode for SecurityGroupRule {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "security group rule")?;
        let ip_protocol = f.req(cx, "ip_protocol");
        let ports_given = f.node("ports").is_some();
        let ports = f.opt(cx, "ports");
        let cidr = f.req(cx, "cidr");
        f.finish(cx);
        // Unreadable ports were reported; the rule is not checked further.
        if ports_given && ports.is_none() {
            return None;
        }
        Some(SecurityGroupRule {
            ip_protocol: ip_protocol?,
            ports,
            cidr: cidr?,
        })
    }
}

impl Decode for PortRange {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Scalar(s) if !node.is_null() => s.text.trim().to_string(),
            _ => {
                cx.type_error(node, "a port like `80` or a range like `8000-8080`");
                return None;
            }
        };
        let parse = |t: &str| t.trim().parse::<i32>().ok();
        let range = match text.strip_prefix('-') {
            // `-1`: every port (ICMP: every type).
            Some(rest) if !rest.contains('-') => parse(&text).map(|p| (p, p)),
            _ => match text.split_once('-') {
                Some((a, b)) => parse(a).zip(parse(b)),
                None => parse(&text).map(|p| (p, p)),
            },
        };
        match range {
            // The order is checked by protocol: for ICMP the two are a type and a code.
            Some((from, to)) if (-1..=65535).contains(&from) && (-1..=65535).contains(&to) => {
                Some(PortRange { from, to })
            }
            _ => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!(
                        "`{path}` is `{text}`, not a port from 0 to 65535 or a range `from-to`"
                    ),
                    Some(
                        "write `443`, or `8000-8080` with the first port not above the last".into(),
                    ),
                );
                None
            }
        }
    }
}

impl Decode for FlowLogs {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc.flow_logs")?;
        let l = FlowLogs {
            retention: f.opt(cx, "retention"),
        };
        f.finish(cx);
        Some(l)
    }
}

impl Decode for Subnets {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc.subnets")?;
        let s = Subnets {
            public: f.opt(cx, "public"),
            private: f.opt(cx, "private"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for Subnet {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "subnet")?;
        let s = Subnet {
            id: f.opt(cx, "id"),
            cidr: f.opt(cx, "cidr"),
            az: f.opt(cx, "az"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for EnvHttp {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http")?;
        let h = EnvHttp {
            public: f.opt(cx, "public"),
            private: f.opt(cx, "private"),
        };
        f.finish(cx);
        Some(h)
    }
}

impl Decode for PrivateHttp {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.private")?;
        let p = PrivateHttp {
            subnets: f.opt(cx, "subnets"),
            certificates: f.opt(cx, "certificates"),
            ingress: f.opt(cx, "ingress"),
            ssl_policy: f.opt(cx, "ssl_policy"),
        };
        f.finish(cx);
        Some(p)
    }
}

impl Decode for PrivateIngress {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.private.ingress")?;
        let i = PrivateIngress {
            vpc: f.opt(cx, "vpc"),
        };
        f.finish(cx);
        Some(i)
    }
}

impl Decode for PublicHttp {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.public")?;
        let p = PublicHttp {
            certificates: f.opt(cx, "certificates"),
            ingress: f.opt(cx, "ingress"),
            ssl_policy: f.opt(cx, "ssl_policy"),
            deletion_protection: f.opt(cx, "deletion_protection"),
            security_groups: f.opt(cx, "security_groups"),
            access_logs: f.opt(cx, "access_logs"),
        };
        f.finish(cx);
        Some(p)
    }
}

impl Decode for Ingress {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.public.ingress")?;
        let i = Ingress {
            source_ips: f.opt(cx, "source_ips"),
            cdn: f.opt(cx, "cdn"),
        };
        f.finish(cx);
        Some(i)
    }
}

impl Decode for Observability {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "observability")?;
        let o = Observability {
            container_insights: f.opt(cx, "container_insights"),
        };
        f.finish(cx);
        Some(o)
    }
}

impl EnvManifest {
    /// Whether the environment uses a VPC it does not create.
    pub fn imports_vpc(&self) -> bool {
        self.vpc().and_then(|v| v.id.as_ref()).is_some()
    }

    /// `network.vpc`, if set.
    pub fn vpc(&self) -> Option<&EnvVpc> {
        self.network.as_ref().and_then(|n| n.vpc.as_ref())
    }

    /// `http.public`, if set.
    pub fn public_http(&self) -> Option<&PublicHttp> {
        self.http.as_ref().and_then(|h| h.public.as_ref())
    }

    /// The CloudFront distribution, when `cdn` asks for one.
    pub fn cdn(&self) -> Option<&Spanned<super::cdn::Cdn>> {
        self.cdn.as_ref().filter(|c| c.enabled)
    }

    /// The Cloud Map namespace of the environment's services in application `app`:
    /// `namespace`, else `<env>.<app>.local` (Copilot's since v1.5).
    pub fn namespace_name(&self, app: &str) -> String {
        self.namespace.as_ref().map_or_else(
            || format!("{}.{app}.local", self.name.value),
            |n| n.value.to_ascii_lowercase(),
        )
    }

    /// Whether the distribution (`cdn`) answers to the services' names, and their
    /// records point at it: with `cdn.certificate`, or in an application with a domain,
    /// where wharf makes the certificate ([`Self::cdn_managed_certificate`]).
    pub fn cdn_answers_names(&self) -> bool {
        self.cdn()
            .is_some_and(|c| c.value.certificate.is_some() || self.app_domain.is_some())
    }

    /// Whether wharf makes the distribution's certificate: `cdn` without
    /// `certificate` in an application with a domain, as Copilot did (in us-east-1, as
    /// CloudFront requires; see `compile::cdn_certificate`).
    pub fn cdn_managed_certificate(&self) -> bool {
        self.cdn()
            .is_some_and(|c| c.value.certificate.is_none() && self.app_domain.is_some())
    }

    /// Whether only CloudFront may reach the public load balancer
    /// (`http.public.ingress.cdn`, or `security_groups.ingress.restrict_to.cdn`).
    pub fn cdn_only_ingress(&self) -> Option<&Spanned<bool>> {
        let p = self.public_http()?;
        p.ingress
            .as_ref()
            .and_then(|i| i.cdn.as_ref())
            .or_else(|| {
                p.security_groups
                    .as_ref()
                    .and_then(|s| s.ingress.as_ref())
                    .and_then(|i| i.restrict_to.as_ref())
                    .and_then(|r| r.cdn.as_ref())
            })
            .filter(|b| b.value)
    }

    /// `http.private`, if set.
    pub fn private_http(&self) -> Option<&PrivateHttp> {
        self.http.as_ref().and_then(|h| h.private.as_ref())
    }

    /// Certificate ARNs of the internal load balancer (`http.private.certificates`).
    pub fn private_certificates(&self) -> Vec<&str> {
        self.private_http()
            .and_then(|p| p.certificates.as_ref())
            .map(|c| c.iter().map(|s| s.value.as_str()).collect())
            .unwrap_or_default()
    }

    /// Whether a load balancer serves HTTPS: the internal one with its certificates, the
    /// public one as [`Self::https`] says.
    pub fn lb_https(&self, internal: bool) -> bool {
        if internal {
            !self.private_certificates().is_empty()
        } else {
            self.https()
        }
    }

    /// The private hosted zone of the internal load balancer's names:
    /// `<env>.<app>.internal` (Copilot's).
    pub fn internal_zone(&self, app: &str) -> String {
        format!("{}.{app}.internal", self.name.value)
    }

    /// Whether the load balancer serves HTTPS: with imported certificates, or with the
    /// certificate of the application's domain.
    pub fn https(&self) -> bool {
        !self.certificates().is_empty() || self.app_domain.is_some()
    }

    /// Certificate ARNs imported for the HTTPS listener (`http.public.certificates`).
    pub fn certificates(&self) -> Vec<&str> {
        self.public_http()
            .and_then(|p| p.certificates.as_ref())
            .map(|c| c.iter().map(|s| s.value.as_str()).collect())
            .unwrap_or_default()
    }

    /// Whether the load balancer has deletion protection (`http.public.deletion_protection`).
    pub fn lb_deletion_protection(&self) -> bool {
        self.public_http()
            .and_then(|p| p.deletion_protection)
            .unwrap_or(false)
    }
}
