//! Service manifests (`<workspace>/<service>/manifest.yml`): Load Balanced Web Service and
//! Backend Service, with Copilot's field names and meaning.
//!
//! Types here are what a manifest *says*, after environment overrides and interpolation;
//! semantic checks live in `validate`, defaults are applied by `compile`. Fields Copilot
//! has but wharf does not support yet are declared so that using one is an explicit error.

use super::common::{Command, Platform, decode_choice};
use super::decode::{Cx, Decode, Fields, Keyed, Spanned};
use super::diag::{Code, Diagnostic};
use super::duration::Duration;
use super::yaml::{Node, Value};
use schemars::JsonSchema;

/// The workload types wharf compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, JsonSchema)]
pub enum ServiceType {
    /// Internet-facing service behind the environment's Application Load Balancer.
    #[serde(rename = "Load Balanced Web Service")]
    LoadBalancedWebService,
    /// Service reachable only inside the environment (Cloud Map).
    #[serde(rename = "Backend Service")]
    BackendService,
}

impl ServiceType {
    /// The manifest spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::LoadBalancedWebService => "Load Balanced Web Service",
            ServiceType::BackendService => "Backend Service",
        }
    }

    /// Parses the manifest spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Load Balanced Web Service" => Some(ServiceType::LoadBalancedWebService),
            "Backend Service" => Some(ServiceType::BackendService),
            _ => None,
        }
    }
}

/// Copilot workload types wharf knows of but cannot compile yet.
pub const UNSUPPORTED_TYPES: &[&str] = &[
    "Request-Driven Web Service",
    "Static Site",
    "Worker Service",
    "Scheduled Job",
];

/// A service manifest.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wharf service manifest")]
pub struct ServiceManifest {
    /// Service name; also the directory name in the workspace.
    pub name: Spanned<String>,
    /// Workload type.
    #[serde(rename = "type")]
    pub kind: Spanned<ServiceType>,
    /// The main container's image.
    pub image: Spanned<Image>,
    /// CPU units for the task (256 = 0.25 vCPU). Default 256 (1024 on Windows).
    pub cpu: Option<Spanned<u32>>,
    /// Memory in MiB for the task. Default 512 (2048 on Windows).
    pub memory: Option<Spanned<u32>>,
    /// OS and CPU architecture. Default `linux/x86_64`.
    pub platform: Option<Spanned<Platform>>,
    /// Number of tasks, or an autoscaling range.
    pub count: Option<Spanned<Count>>,
    /// Enables ECS Exec into the containers.
    pub exec: Option<bool>,
    /// Overrides the image's ENTRYPOINT.
    pub entrypoint: Option<Spanned<Command>>,
    /// Overrides the image's CMD.
    pub command: Option<Spanned<Command>>,
    /// Environment variables of the main container.
    #[serde(default)]
    pub variables: Keyed<Spanned<EnvValue>>,
    /// Secrets injected as environment variables: SSM parameter names/ARNs or `secretsmanager:` references.
    #[serde(default)]
    pub secrets: Keyed<Spanned<Secret>>,
    /// Networking.
    pub network: Option<Network>,
    /// Rolling deployment settings.
    pub deployment: Option<Deployment>,
    /// Load balancer routing (Load Balanced Web Service).
    pub http: Option<Spanned<Http>>,
    /// Logging settings.
    pub logging: Option<Logging>,
    /// Task storage.
    pub storage: Option<Storage>,
    /// Paths of fields that were present but unreadable (already reported).
    #[schemars(skip)]
    pub unreadable: Vec<String>,
}

/// A variable value: any scalar, kept as written (`on`, `0777` and `80` stay text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue(pub String);

impl Decode for EnvValue {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar(s) => Some(EnvValue(if node.is_null() {
                String::new()
            } else {
                s.text.clone()
            })),
            Value::Map(_) if node.get("from_cfn").is_some() => {
                unsupported_here(
                    cx,
                    node,
                    "from_cfn",
                    "Importing CloudFormation exports (`from_cfn`)",
                );
                None
            }
            _ => {
                cx.type_error(node, "a string, number or boolean");
                None
            }
        }
    }
}

impl JsonSchema for EnvValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number", "boolean"]})
    }
}

fn unsupported_here(cx: &mut Cx, node: &Node, key: &str, feature: &str) {
    let path = cx.child_path(key);
    let d = Diagnostic::error(
        Code::Unsupported,
        format!("`{path}` is not supported by wharf yet"),
    )
    .at(node.span)
    .label("not supported yet")
    .help(format!(
        "{feature} is not available in this version of wharf"
    ))
    .path(path);
    cx.report(d);
}

/// `image`: what the main container runs.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Build the image from a Dockerfile (path, or build arguments).
    pub build: Option<Spanned<Build>>,
    /// Use an existing image instead of building one.
    pub location: Option<Spanned<String>>,
    /// Port the container listens on.
    pub port: Option<Spanned<u16>>,
    /// Container health check.
    pub healthcheck: Option<Spanned<ContainerHealthCheck>>,
    /// Docker labels on the container.
    #[serde(default)]
    pub labels: Keyed<Spanned<String>>,
}

/// `image.build`: a Dockerfile path, or build arguments.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Build {
    /// Path to the Dockerfile; the context is its directory.
    Dockerfile(String),
    /// Full build arguments.
    Args(BuildArgs),
}

/// `image.build` as a mapping.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildArgs {
    /// Path to the Dockerfile.
    pub dockerfile: Option<Spanned<String>>,
    /// Build context directory.
    pub context: Option<Spanned<String>>,
    /// `--build-arg` values.
    #[serde(default)]
    pub args: Keyed<Spanned<EnvValue>>,
    /// Multi-stage build target.
    pub target: Option<Spanned<String>>,
    /// Images to use as cache sources.
    pub cache_from: Option<Vec<Spanned<String>>>,
}

/// `image.healthcheck`: the container health check.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerHealthCheck {
    /// Command to run, e.g. `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`.
    pub command: Spanned<Command>,
    /// Time between checks. Default 10s.
    pub interval: Option<Spanned<Duration>>,
    /// Failures before the container is unhealthy. Default 2.
    pub retries: Option<Spanned<u32>>,
    /// Time a check may take. Default 5s.
    pub timeout: Option<Spanned<Duration>>,
    /// Grace period before failures count. Default 0s.
    pub start_period: Option<Spanned<Duration>>,
}

/// `count`: a fixed number of tasks, or autoscaling.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    /// A fixed number of tasks.
    Fixed(u32),
    /// Autoscaling between a minimum and maximum.
    Auto(Box<Autoscaling>),
}

/// `count` as a mapping.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    /// `min-max` like `1-10`, or `{min, max}`.
    pub range: Option<Spanned<Range>>,
    /// Default cooldowns for every metric.
    pub cooldown: Option<Cooldown>,
    /// Target average CPU utilization (%).
    pub cpu_percentage: Option<Spanned<Metric<u32>>>,
    /// Target average memory utilization (%).
    pub memory_percentage: Option<Spanned<Metric<u32>>>,
    /// Target requests per task (Load Balanced Web Service).
    pub requests: Option<Spanned<Metric<u32>>>,
    /// Target average response time (Load Balanced Web Service).
    pub response_time: Option<Spanned<Metric<Duration>>>,
    /// A fixed number of tasks, all on Fargate Spot (instead of a range).
    pub spot: Option<Spanned<u32>>,
}

/// `count.range`: `1-10` or `{min, max}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Fewest tasks.
    pub min: u32,
    /// Most tasks.
    pub max: u32,
    /// From this task on, tasks run on Fargate Spot.
    pub spot_from: Option<u32>,
}

/// A scaling target: a value, or `{value, cooldown}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric<T> {
    /// Target value.
    pub value: T,
    /// Cooldowns for this metric.
    pub cooldown: Option<Cooldown>,
}

/// Scale-in and scale-out cooldowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cooldown {
    /// Wait after scaling in.
    #[serde(rename = "in")]
    pub scale_in: Option<Spanned<Duration>>,
    /// Wait after scaling out.
    #[serde(rename = "out")]
    pub scale_out: Option<Spanned<Duration>>,
}

/// A secret reference.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[serde(untagged)]
pub enum Secret {
    /// An SSM parameter name or ARN (or a Secrets Manager ARN).
    Ssm(String),
    /// `{secretsmanager: name[:json-key:version-stage:version-id]}`.
    SecretsManager {
        /// The secret's name or ARN, optionally followed by `:json-key:version-stage:version-id`.
        secretsmanager: String,
    },
}

/// `network`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// VPC settings.
    pub vpc: Option<NetworkVpc>,
    /// ECS Service Connect.
    pub connect: Option<Spanned<Connect>>,
}

/// `network.vpc`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkVpc {
    /// `public` (default) or `private` subnets.
    pub placement: Option<Spanned<Placement>>,
}

/// Which subnets tasks run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// Public subnets with a public IP.
    Public,
    /// Private subnets; outbound traffic through NAT gateways.
    Private,
}

/// `deployment`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// `default` (min 100 %, max 200 %) or `recreate` (min 0 %, max 100 %).
    pub rolling: Option<Spanned<Rolling>>,
}

/// Rolling deployment strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rolling {
    /// Start new tasks before stopping old ones.
    Default,
    /// Stop all old tasks first.
    Recreate,
}

/// `http`: routing from the environment's load balancer.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// Path prefix routed to this service; `/` for all.
    pub path: Option<Spanned<String>>,
    /// Target group health check: a path, or settings.
    pub healthcheck: Option<Spanned<TargetHealthCheck>>,
    /// Time to drain connections from a stopping task. Default 60s.
    pub deregistration_delay: Option<Spanned<Duration>>,
    /// Sticky sessions.
    pub stickiness: Option<bool>,
    /// Container receiving traffic; only the main container for now.
    pub target_container: Option<Spanned<String>>,
    /// Port receiving traffic. Default `image.port`.
    pub target_port: Option<Spanned<u16>>,
    /// Only these CIDR ranges may reach the service.
    pub allowed_source_ips: Option<Vec<Spanned<String>>>,
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
    pub port: Option<Spanned<u16>>,
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

/// `storage`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Ephemeral storage of the task in GiB (20-200). Default 20.
    pub ephemeral: Option<Spanned<u32>>,
    /// Mount the container's root filesystem read-only.
    pub readonly_fs: Option<Spanned<bool>>,
}

/// `network.connect`: ECS Service Connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    /// Whether the service joins Service Connect.
    pub enabled: bool,
    /// Name other services use to reach this one (default: the service name).
    pub alias: Option<Spanned<String>>,
}

impl JsonSchema for Connect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Connect".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "ECS Service Connect: `true`, or `{alias}` to choose the name other services use.",
            "anyOf": [
                {"type": "boolean"},
                {"type": "object", "additionalProperties": false, "properties": {"alias": {"type": "string"}}}
            ]
        })
    }
}

impl Decode for Connect {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(|enabled| Connect {
                enabled,
                alias: None,
            });
        }
        let mut f = Fields::new(node, cx, "network.connect")?;
        let alias = f.opt(cx, "alias");
        f.finish(cx);
        Some(Connect {
            enabled: true,
            alias,
        })
    }
}

impl Decode for Storage {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "storage")?;
        let st = Storage {
            ephemeral: f.opt(cx, "ephemeral"),
            readonly_fs: f.opt(cx, "readonly_fs"),
        };
        f.unsupported(cx, "volumes", "Volumes (bind mounts and EFS)", |_| false);
        f.finish(cx);
        Some(st)
    }
}

/// `logging`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// Log retention in days. Default 30.
    pub retention: Option<Spanned<u32>>,
}

const NOT_ECS_YET: &str = "This workload type";

impl Decode for ServiceManifest {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "service manifest")?;
        // The type decides which fields exist: a type wharf cannot compile is reported
        // once, without a cascade of errors about fields of the other schema.
        let kind = match f.node("type") {
            Some(n) => Some(decode_type(n, cx)?),
            None => {
                f.req::<String>(cx, "type");
                None
            }
        };
        let name = f.req::<Spanned<String>>(cx, "name");
        let image = f.req(cx, "image");
        let m = ServiceManifest {
            name: name?,
            cpu: f.opt(cx, "cpu"),
            memory: f.opt(cx, "memory"),
            platform: f.opt(cx, "platform"),
            count: f.opt(cx, "count"),
            exec: f.opt(cx, "exec"),
            entrypoint: f.opt(cx, "entrypoint"),
            command: f.opt(cx, "command"),
            variables: f.opt(cx, "variables").unwrap_or_default(),
            secrets: f.opt(cx, "secrets").unwrap_or_default(),
            network: f.opt(cx, "network"),
            deployment: f.opt(cx, "deployment"),
            http: f.opt(cx, "http"),
            logging: f.opt(cx, "logging"),
            storage: f.opt(cx, "storage"),
            kind: kind?,
            image: image?,
            unreadable: Vec::new(),
        };
        for (key, feature) in [
            ("sidecars", "Sidecar containers"),
            ("nlb", "A Network Load Balancer"),
            ("publish", "Publishing to SNS topics"),
            ("taskdef_overrides", "Task definition overrides"),
            ("observability", "Tracing (`observability`)"),
            ("env_file", "Environment files"),
            ("subscribe", "SQS subscriptions (Worker Service)"),
        ] {
            f.unsupported(cx, key, feature, |_| false);
        }
        f.finish(cx);
        Some(ServiceManifest {
            unreadable: cx.take_failed(),
            ..m
        })
    }
}

fn decode_type(node: &Node, cx: &mut Cx) -> Option<Spanned<ServiceType>> {
    let s = cx.at("type", |cx| String::decode(node, cx))?;
    if let Some(t) = ServiceType::parse(&s) {
        return Some(Spanned::new(t, node.span));
    }
    if UNSUPPORTED_TYPES.contains(&s.as_str()) {
        let d = Diagnostic::error(Code::UnsupportedType, format!("service type `{s}` is not supported by wharf yet"))
            .at(node.span)
            .label("not supported yet")
            .help(format!("{NOT_ECS_YET} is not available in this version of wharf; supported types: `Load Balanced Web Service`, `Backend Service`"))
            .path("type");
        cx.report(d);
        return None;
    }
    let d = Diagnostic::error(Code::InvalidValue, format!("unknown service type `{s}`"))
        .at(node.span)
        .path("type")
        .help(super::common::one_of(
            &s,
            &["Load Balanced Web Service", "Backend Service"],
        ));
    cx.report(d);
    None
}

impl Decode for Image {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "image")?;
        let i = Image {
            build: f.opt(cx, "build"),
            location: f.opt(cx, "location"),
            port: f.opt(cx, "port"),
            healthcheck: f.opt(cx, "healthcheck"),
            labels: f.opt(cx, "labels").unwrap_or_default(),
        };
        f.unsupported(cx, "credentials", "Private registry credentials", |_| false);
        f.unsupported(
            cx,
            "depends_on",
            "Container dependencies (`depends_on`)",
            |_| false,
        );
        f.finish(cx);
        Some(i)
    }
}

impl Decode for Build {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return String::decode(node, cx).map(Build::Dockerfile);
        }
        let mut f = Fields::new(node, cx, "image.build")?;
        let b = BuildArgs {
            dockerfile: f.opt(cx, "dockerfile"),
            context: f.opt(cx, "context"),
            args: f.opt(cx, "args").unwrap_or_default(),
            target: f.opt(cx, "target"),
            cache_from: f.opt(cx, "cache_from"),
        };
        f.finish(cx);
        Some(Build::Args(b))
    }
}

impl Decode for ContainerHealthCheck {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "image.healthcheck")?;
        let command = f.req(cx, "command");
        let h = ContainerHealthCheck {
            command: Spanned::new(Command(Vec::new()), node.span),
            interval: f.opt(cx, "interval"),
            retries: f.opt(cx, "retries"),
            timeout: f.opt(cx, "timeout"),
            start_period: f.opt(cx, "start_period"),
        };
        f.finish(cx);
        Some(ContainerHealthCheck {
            command: command?,
            ..h
        })
    }
}

impl Decode for Count {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar(_) => u32::decode(node, cx).map(Count::Fixed),
            Value::Map(_) => {
                let mut f = Fields::new(node, cx, "count")?;
                let a = Autoscaling {
                    range: f.opt(cx, "range"),
                    cooldown: f.opt(cx, "cooldown"),
                    cpu_percentage: f.opt(cx, "cpu_percentage"),
                    memory_percentage: f.opt(cx, "memory_percentage"),
                    requests: f.opt(cx, "requests"),
                    response_time: f.opt(cx, "response_time"),
                    spot: f.opt(cx, "spot"),
                };
                f.unsupported(
                    cx,
                    "queue_delay",
                    "Queue-based scaling (Worker Service)",
                    |_| false,
                );
                f.finish(cx);
                Some(Count::Auto(Box::new(a)))
            }
            Value::Seq(_) => {
                cx.type_error(node, "a number of tasks or an autoscaling mapping");
                None
            }
        }
    }
}

impl Decode for Range {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Scalar(_) => {
                let s = String::decode(node, cx)?;
                let parsed = s.split_once('-').and_then(|(a, b)| {
                    Some(Range {
                        min: a.trim().parse().ok()?,
                        max: b.trim().parse().ok()?,
                        spot_from: None,
                    })
                });
                if parsed.is_none() {
                    let path = cx.path();
                    cx.invalid(
                        node.span,
                        format!("`{path}` must look like `1-10`, found `{s}`"),
                        Some("write the range as `min-max`, or as `{min: 1, max: 10}`".into()),
                    );
                }
                parsed
            }
            Value::Map(_) => {
                let mut f = Fields::new(node, cx, "count.range")?;
                let min = f.req(cx, "min");
                let max = f.req(cx, "max");
                let spot_from = f.opt(cx, "spot_from");
                f.finish(cx);
                Some(Range {
                    min: min?,
                    max: max?,
                    spot_from,
                })
            }
            Value::Seq(_) => {
                cx.type_error(node, "a range like `1-10` or a `{min, max}` mapping");
                None
            }
        }
    }
}

impl JsonSchema for Range {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Range".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Fewest and most tasks: `1-10`, or `{min: 1, max: 10}`.",
            "anyOf": [
                {"type": "string", "pattern": "^[0-9]+-[0-9]+$"},
                {"type": "object", "additionalProperties": false, "required": ["min", "max"],
                 "properties": {"min": {"type": "integer", "minimum": 0}, "max": {"type": "integer", "minimum": 0},
                                "spot_from": {"type": "integer", "minimum": 1, "description": "From this task on, tasks run on Fargate Spot."}}}
            ]
        })
    }
}

impl<T: JsonSchema> JsonSchema for Metric<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Metric_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<T>();
        let cooldown = generator.subschema_for::<Cooldown>();
        schemars::json_schema!({
            "description": "A scaling target: the value, or `{value, cooldown}`.",
            "anyOf": [
                value,
                {"type": "object", "additionalProperties": false, "required": ["value"],
                 "properties": {"value": value, "cooldown": cooldown}}
            ]
        })
    }
}

impl<T: Decode> Decode for Metric<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return T::decode(node, cx).map(|value| Metric {
                value,
                cooldown: None,
            });
        }
        let mut f = Fields::new(node, cx, "scaling metric")?;
        let value = f.req(cx, "value");
        let cooldown = f.opt(cx, "cooldown");
        f.finish(cx);
        Some(Metric {
            value: value?,
            cooldown,
        })
    }
}

impl Decode for Cooldown {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "cooldown")?;
        let c = Cooldown {
            scale_in: f.opt(cx, "in"),
            scale_out: f.opt(cx, "out"),
        };
        f.finish(cx);
        Some(c)
    }
}

impl Decode for Secret {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return String::decode(node, cx).map(Secret::Ssm);
        }
        let mut f = Fields::new(node, cx, "secret")?;
        let sm: Option<String> = f.opt(cx, "secretsmanager");
        f.unsupported(
            cx,
            "from_cfn",
            "Importing CloudFormation exports (`from_cfn`)",
            |_| false,
        );
        let had_from_cfn = f.key_span("from_cfn").is_some();
        f.finish(cx);
        match sm {
            Some(s) => Some(Secret::SecretsManager { secretsmanager: s }),
            None if had_from_cfn => None,
            None => {
                f_missing(cx, node, "secretsmanager");
                None
            }
        }
    }
}

fn f_missing(cx: &mut Cx, node: &Node, key: &str) {
    let d = Diagnostic::error(
        Code::MissingField,
        format!("missing required field `{}`", cx.child_path(key)),
    )
    .at(node.span);
    cx.report(d);
}

impl Decode for Network {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network")?;
        let n = Network {
            vpc: f.opt(cx, "vpc"),
            connect: f.opt(cx, "connect"),
        };
        f.finish(cx);
        Some(n)
    }
}

impl Decode for NetworkVpc {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc")?;
        let placement = f.node("placement").and_then(|n| {
            cx.at("placement", |cx| match &n.value {
                Value::Map(_) => {
                    unsupported_here(
                        cx,
                        n,
                        "subnets",
                        "Placement in chosen subnets (`placement.subnets`)",
                    );
                    None
                }
                _ => decode_choice(n, cx, &["public", "private"]).map(|s| {
                    Spanned::new(
                        if *s == "public" {
                            Placement::Public
                        } else {
                            Placement::Private
                        },
                        s.span,
                    )
                }),
            })
        });
        f.unsupported(
            cx,
            "security_groups",
            "Extra security groups (`network.vpc.security_groups`)",
            |_| false,
        );
        f.finish(cx);
        Some(NetworkVpc { placement })
    }
}

impl Decode for Deployment {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "deployment")?;
        let rolling = f.node("rolling").and_then(|n| {
            cx.at("rolling", |cx| {
                decode_choice(n, cx, &["default", "recreate"])
            })
            .map(|s| {
                Spanned::new(
                    if *s == "default" {
                        Rolling::Default
                    } else {
                        Rolling::Recreate
                    },
                    s.span,
                )
            })
        });
        f.unsupported(
            cx,
            "rollback_alarms",
            "Alarm-based rollback (`deployment.rollback_alarms`)",
            |_| false,
        );
        f.finish(cx);
        Some(Deployment { rolling })
    }
}

impl Decode for Http {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            if node.as_str().and_then(super::decode::parse_bool) == Some(false) {
                let d = Diagnostic::error(Code::Unsupported, "`http: false` is not supported by wharf yet")
                    .at(node.span)
                    .help("a service without the load balancer needs a Network Load Balancer, which is not available in this version of wharf")
                    .path("http");
                cx.report(d);
                return None;
            }
            cx.type_error(node, "a mapping");
            return None;
        }
        let mut f = Fields::new(node, cx, "http")?;
        let h = Http {
            path: f.opt(cx, "path"),
            healthcheck: f.opt(cx, "healthcheck"),
            deregistration_delay: f.opt(cx, "deregistration_delay"),
            stickiness: f.opt(cx, "stickiness"),
            target_container: f.opt(cx, "target_container"),
            target_port: f.opt(cx, "target_port"),
            allowed_source_ips: f.opt(cx, "allowed_source_ips"),
        };
        for (key, feature) in [
            ("alias", "Custom domain aliases (`http.alias`)"),
            (
                "hosted_zone",
                "Route 53 records for aliases (`http.hosted_zone`)",
            ),
            ("additional_rules", "Additional listener rules"),
            ("version", "gRPC / HTTP2 target groups (`http.version`)"),
            ("alb", "Importing an existing load balancer (`http.alb`)"),
            ("private", "Private ingress (`http.private`)"),
        ] {
            f.unsupported(cx, key, feature, |_| false);
        }
        f.unsupported(
            cx,
            "redirect_to_https",
            "HTTP-to-HTTPS redirect control",
            |n| n.as_str().and_then(super::decode::parse_bool) == Some(false),
        );
        f.finish(cx);
        Some(h)
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

impl Decode for Logging {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "logging")?;
        let l = Logging {
            retention: f.opt(cx, "retention"),
        };
        for key in [
            "image",
            "destination",
            "enableMetadata",
            "secretOptions",
            "configFilePath",
            "variables",
            "secrets",
            "env_file",
        ] {
            f.unsupported(cx, key, "FireLens log routing (a logging sidecar)", |_| {
                false
            });
        }
        f.finish(cx);
        Some(l)
    }
}

impl ServiceManifest {
    /// Whether this is a Load Balanced Web Service.
    pub fn is_load_balanced(&self) -> bool {
        *self.kind == ServiceType::LoadBalancedWebService
    }

    /// Whether the field at `path` was written but could not be read (so it is not
    /// "missing").
    pub fn was_unreadable(&self, path: &str) -> bool {
        self.unreadable
            .iter()
            .any(|p| p == path || p.starts_with(&format!("{path}.")))
    }

    /// Service Connect settings, when enabled.
    pub fn connect(&self) -> Option<&Connect> {
        self.network
            .as_ref()
            .and_then(|n| n.connect.as_ref())
            .map(|c| &c.value)
            .filter(|c| c.enabled)
    }

    /// Where tasks run; `public` unless the manifest says otherwise.
    pub fn placement(&self) -> Placement {
        self.network
            .as_ref()
            .and_then(|n| n.vpc.as_ref())
            .and_then(|v| v.placement.as_ref())
            .map_or(Placement::Public, |p| p.value)
    }
}
