//! Workload manifests (`<workspace>/<name>/manifest.yml`): Load Balanced Web Service,
//! Backend Service, Worker Service and Scheduled Job, with Copilot's field names and
//! meaning.
//!
//! A manifest is its name and type, the task part every type shares (`Task`), and one
//! `Workload` variant holding only the fields its type accepts; the three service types
//! share a `ServicePart`. The decoder reads `type` first, so a field of another type is an
//! error naming the types that accept it (`TYPE_FIELDS`).
//!
//! Types here are what a manifest *says*, after environment overrides and interpolation;
//! semantic checks live in `validate`, defaults are applied by `compile`. Fields Copilot
//! has but wharf does not support yet are declared so that using one is an explicit error.

mod decode;
mod http;
mod job;
mod messaging;
mod nlb;
mod schema;
mod sidecars;
pub mod taskdef;
mod volumes;

pub use http::{
    Alias, Aliases, Http, HttpVersion, RoutingRule, TargetHealthCheck, TargetHealthCheckArgs,
    path_patterns,
};
pub use job::{Job, Schedule, ScheduleError, utc_minute};
pub use messaging::{
    DeadLetter, Fifo, FifoSettings, FilterPolicy, Publish, Queue, QueueDelay, Subscribe, Topic,
    TopicFifo, TopicQueue, TopicSubscription, id_part,
};
pub use nlb::{Nlb, NlbHealthCheck, NlbListener, NlbPort, NlbProtocol};
pub use sidecars::{DependsOn, Sidecar, SidecarImage, SidecarPort};
pub use taskdef::{TaskdefOverride, TaskdefPath};
pub use volumes::{Efs, EfsAuth, EfsId, ManagedEfs, MountPoint, Volume};

use super::common::{Command, Platform, Port};
use super::decode::{Keyed, Spanned};
use super::duration::Duration;
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
    /// Service consuming an SQS queue fed by SNS topics.
    #[serde(rename = "Worker Service")]
    WorkerService,
    /// Task run on a schedule by Step Functions.
    #[serde(rename = "Scheduled Job")]
    ScheduledJob,
}

impl ServiceType {
    /// The manifest spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::LoadBalancedWebService => "Load Balanced Web Service",
            ServiceType::BackendService => "Backend Service",
            ServiceType::WorkerService => "Worker Service",
            ServiceType::ScheduledJob => "Scheduled Job",
        }
    }

    /// Every type wharf compiles, in Copilot's order.
    pub const ALL: [ServiceType; 4] = [
        ServiceType::LoadBalancedWebService,
        ServiceType::BackendService,
        ServiceType::WorkerService,
        ServiceType::ScheduledJob,
    ];

    /// Whether this type runs an ECS service (not a job).
    pub fn is_service(self) -> bool {
        self != ServiceType::ScheduledJob
    }

    /// Parses the manifest spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Load Balanced Web Service" => Some(ServiceType::LoadBalancedWebService),
            "Backend Service" => Some(ServiceType::BackendService),
            "Worker Service" => Some(ServiceType::WorkerService),
            "Scheduled Job" => Some(ServiceType::ScheduledJob),
            _ => None,
        }
    }
}

/// Copilot workload types wharf knows of but cannot compile yet.
pub const UNSUPPORTED_TYPES: &[&str] = &["Request-Driven Web Service", "Static Site"];

/// The top-level fields that only some types accept, and which: the decoder refuses such
/// a field in a manifest of another type, naming the types that accept it. Fields not
/// listed (`name`, `type`, `image`, `cpu`, …) are accepted by every type.
pub const TYPE_FIELDS: &[(&str, &[ServiceType])] = {
    use ServiceType::*;
    &[
        (
            "count",
            &[LoadBalancedWebService, BackendService, WorkerService],
        ),
        (
            "exec",
            &[LoadBalancedWebService, BackendService, WorkerService],
        ),
        (
            "deployment",
            &[LoadBalancedWebService, BackendService, WorkerService],
        ),
        (
            "observability",
            &[LoadBalancedWebService, BackendService, WorkerService],
        ),
        ("http", &[LoadBalancedWebService, BackendService]),
        ("nlb", &[LoadBalancedWebService]),
        ("subscribe", &[WorkerService]),
        ("on", &[ScheduledJob]),
        ("retries", &[ScheduledJob]),
        ("timeout", &[ScheduledJob]),
    ]
};

/// Whether the main container of this type may listen on a port (`image.port`): the
/// types that receive requests.
pub fn has_port(t: ServiceType) -> bool {
    matches!(
        t,
        ServiceType::LoadBalancedWebService | ServiceType::BackendService
    )
}

/// The types that accept a top-level `field`, as a sentence fragment
/// ("a Load Balanced Web Service or a Backend Service"); `None` when every type does.
pub fn accepted_by(field: &str) -> Option<String> {
    let (_, types) = TYPE_FIELDS.iter().find(|(f, _)| *f == field)?;
    let names: Vec<_> = types.iter().map(|t| format!("a {}", t.as_str())).collect();
    Some(match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        [] => "no type".into(),
    })
}

/// A workload manifest: name, type, the task every type runs, and the type's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceManifest {
    /// Workload name; also the directory name in the workspace.
    pub name: Spanned<String>,
    /// Workload type (the `type` field, where it was written).
    pub kind: Spanned<ServiceType>,
    /// The task definition's part: main container, size, platform, logging, storage.
    pub task: Task,
    /// Networking (every type; `network.connect` only for services).
    pub network: Option<Network>,
    /// SNS topics this workload publishes to (every type).
    pub publish: Option<Publish>,
    /// The fields only this type accepts.
    pub workload: Workload,
    /// Paths of fields that were present but unreadable (already reported).
    pub unreadable: Vec<String>,
    /// YAML patches from the workload's `overrides/cfn.patches.yml` (not part of the
    /// manifest file; the workspace fills them in), applied to every environment's
    /// template after `taskdef_overrides`.
    pub patches: Vec<super::patches::Patch>,
    /// The workload's addons (`addons/`; not part of the manifest file, the workspace
    /// fills them in): a nested stack of its stack.
    pub addons: Option<std::sync::Arc<super::addons::Addons>>,
}

/// The part of a manifest every workload type shares: what its task runs.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The main container's image.
    pub image: Spanned<Image>,
    /// CPU units for the task (256 = 0.25 vCPU). Default 256 (1024 on Windows).
    pub cpu: Option<Spanned<u32>>,
    /// Memory in MiB for the task. Default 512 (2048 on Windows).
    pub memory: Option<Spanned<u32>>,
    /// OS and CPU architecture. Default `linux/x86_64`.
    pub platform: Option<Spanned<Platform>>,
    /// Overrides the image's ENTRYPOINT.
    pub entrypoint: Option<Spanned<Command>>,
    /// Overrides the image's CMD.
    pub command: Option<Spanned<Command>>,
    /// Environment variables of the main container.
    #[serde(default)]
    pub variables: Keyed<Spanned<Variable>>,
    /// Secrets injected as environment variables: SSM parameter names/ARNs or `secretsmanager:` references.
    #[serde(default)]
    pub secrets: Keyed<Spanned<Secret>>,
    /// Logging settings.
    pub logging: Option<Logging>,
    /// Task storage.
    pub storage: Option<Storage>,
    /// Containers beside the main one, by name.
    #[serde(default)]
    pub sidecars: Keyed<Spanned<Sidecar>>,
    /// Edits of the rendered task definition, applied in order (Copilot's escape hatch).
    #[serde(default)]
    pub taskdef_overrides: Vec<taskdef::TaskdefOverride>,
    /// A `.env` file of the main container's variables, relative to the workspace's
    /// root (the directory holding `wharf/` or `copilot/`), uploaded at deploy.
    pub env_file: Option<Spanned<String>>,
}

/// The part the three service types share: how many tasks, how they deploy, exec.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePart {
    /// Number of tasks, or an autoscaling range. (Services.)
    pub count: Option<Spanned<Count>>,
    /// Enables ECS Exec into the containers. (Services.)
    pub exec: Option<bool>,
    /// Rolling deployment settings. (Services.)
    pub deployment: Option<Deployment>,
    /// Tracing. (Services.)
    pub observability: Option<Observability>,
}

/// The fields of one workload type.
#[derive(Debug, Clone, PartialEq)]
pub enum Workload {
    /// Load Balanced Web Service: a service behind the environment's public load balancer.
    LoadBalancedWebService {
        /// Tasks, deployment, exec.
        service: ServicePart,
        /// Load balancer routing.
        http: Option<Spanned<Http>>,
        /// Where `http: false` was written: no Application Load Balancer, only `nlb`.
        http_off: Option<crate::manifest::source::Span>,
        /// Its own Network Load Balancer.
        nlb: Option<Box<Spanned<Nlb>>>,
    },
    /// Backend Service: a service reachable only inside the environment.
    BackendService {
        /// Tasks, deployment, exec.
        service: ServicePart,
        /// Internal load balancer routing.
        http: Option<Spanned<Http>>,
    },
    /// Worker Service: a service consuming an SQS queue.
    WorkerService {
        /// Tasks, deployment, exec.
        service: ServicePart,
        /// The queue and the topics feeding it.
        subscribe: Option<Subscribe>,
    },
    /// Scheduled Job: a task run on a schedule.
    ScheduledJob(Job),
}

/// A container variable: a value, or `{from_cfn: <export>}`, a value another stack of
/// the region exports (an addon's output, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variable {
    /// The value as written.
    Text(String),
    /// The name of a CloudFormation export.
    FromCfn(Spanned<String>),
}

impl Variable {
    /// The value as written; `None` for an import.
    pub fn text(&self) -> Option<&str> {
        match self {
            Variable::Text(t) => Some(t),
            Variable::FromCfn(_) => None,
        }
    }
}

impl JsonSchema for Variable {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Variable".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {"type": "object", "additionalProperties": false, "required": ["from_cfn"],
             "properties": {"from_cfn": {"type": "string", "description": "The name of a CloudFormation export of the region."}}}
        ]})
    }
}

/// A variable value: any scalar, kept as written (`on`, `0777` and `80` stay text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue(pub String);

impl JsonSchema for EnvValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number", "boolean"]})
    }
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
    pub port: Option<Spanned<Port>>,
    /// Container health check.
    pub healthcheck: Option<Spanned<ContainerHealthCheck>>,
    /// Docker labels on the container.
    #[serde(default)]
    pub labels: Keyed<Spanned<String>>,
    /// How the ECR repository of a built image is kept (wharf).
    pub repository: Option<Spanned<RepositoryConfig>>,
    /// Sidecars the main container starts after: name → `start`, `complete`,
    /// `success` or `healthy`.
    #[serde(default)]
    pub depends_on: Keyed<Spanned<DependsOn>>,
    /// Secrets Manager ARN of a private registry's credentials (`image.location`).
    pub credentials: Option<Spanned<String>>,
}

/// `image.repository`: the service's ECR repository `<app>/<service>` (wharf; Copilot
/// kept it in the application). Applied whenever wharf pushes.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryConfig {
    /// Scan each image for vulnerabilities when it is pushed. Default true.
    pub scan_on_push: Option<Spanned<bool>>,
    /// Refuse to move a tag to another image. Default false.
    pub immutable_tags: Option<Spanned<bool>>,
    /// Expire all but the newest this many images. Default 30.
    pub keep_images: Option<Spanned<u32>>,
}

impl RepositoryConfig {
    /// Images kept when `keep_images` is not set.
    pub const DEFAULT_KEEP_IMAGES: u32 = 30;
}

/// `image.build`: a Dockerfile path, or build arguments.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Build {
    /// Path to the Dockerfile; the context is its directory.
    Dockerfile(String),
    /// Full build arguments.
    Args(Box<BuildArgs>),
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
    /// Labels on the built image (wharf).
    #[serde(default)]
    pub labels: Keyed<Spanned<String>>,
    /// Build secrets (wharf): ids passed to the build with `--secret`, each read from the
    /// environment variable of the same name. Never build arguments.
    pub secrets: Option<Vec<Spanned<String>>>,
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
    /// Scale on the queue's backlog per task (Worker Service).
    pub queue_delay: Option<Spanned<QueueDelay>>,
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
    /// `{from_cfn: <export>}`: a CloudFormation export whose value is the ARN of an SSM
    /// parameter or a Secrets Manager secret.
    FromCfn {
        /// The export's name.
        from_cfn: String,
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
    /// `public` (default) or `private` subnets, or `{subnets: [ids]}`.
    #[serde(default)]
    #[schemars(schema_with = "placement_schema")]
    pub placement: Option<Spanned<Placement>>,
    /// Subnets chosen by ID (`placement.subnets`), instead of the environment's.
    #[serde(skip)]
    pub subnets: Option<Vec<Spanned<String>>>,
    /// Subnets chosen by tags (`placement.subnets.from_tags`: key → accepted values),
    /// looked up in the environment's VPC at deploy.
    #[serde(skip)]
    pub subnet_tags: Option<Spanned<std::collections::BTreeMap<String, Vec<String>>>>,
    /// Security groups of the tasks besides the environment's: IDs or
    /// `{from_cfn: <export>}`, or `{groups: [...], deny_default: true}` to leave out the
    /// environment's.
    pub security_groups: Option<Spanned<SecurityGroups>>,
}

/// `network.vpc.placement`: `public`, `private`, `{subnets: [ids]}` or
/// `{subnets: {from_tags: {key: values}}}`.
fn placement_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Where tasks run: `public` (default) or `private` subnets of the environment, or `{subnets: [subnet IDs]}`, or `{subnets: {from_tags: {key: value}}}`.",
        "anyOf": [
            {"type": "string", "enum": ["public", "private"]},
            {"type": "object", "additionalProperties": false, "required": ["subnets"],
             "properties": {"subnets": {"anyOf": [
                 {"type": "array", "items": {"type": "string"}},
                 {"type": "object", "additionalProperties": false, "required": ["from_tags"],
                  "properties": {"from_tags": {"type": "object", "description": "Tag key → a value or a list of accepted values; the subnets of the environment's VPC with every key are used.",
                     "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}}}
             ]}}}
        ]
    })
}

/// `network.vpc.security_groups`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityGroups {
    /// The groups.
    pub groups: Vec<Spanned<GroupRef>>,
    /// Leave out the environment's security group.
    pub deny_default: Option<Spanned<bool>>,
}

/// A security group: its ID, or a CloudFormation export holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// `sg-…`.
    Id(String),
    /// `{from_cfn: <export>}`.
    FromCfn(String),
}

impl JsonSchema for SecurityGroups {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecurityGroups".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let group = serde_json::json!({"anyOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": false, "required": ["from_cfn"], "properties": {"from_cfn": {"type": "string"}}}
        ]});
        schemars::json_schema!({
            "description": "Security groups of the tasks besides the environment's: IDs or `{from_cfn}`, or `{groups, deny_default}`.",
            "anyOf": [
                {"type": "array", "items": group},
                {"type": "object", "additionalProperties": false, "properties": {
                    "groups": {"type": "array", "items": group},
                    "deny_default": {"type": "boolean"}
                }}
            ]
        })
    }
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
    /// Roll a deployment back when these CloudWatch alarms go off: existing alarm names,
    /// or thresholds for which wharf creates the alarms.
    pub rollback_alarms: Option<Spanned<RollbackAlarms>>,
}

/// `deployment.rollback_alarms`.
#[derive(Debug, Clone, PartialEq)]
pub enum RollbackAlarms {
    /// Names of existing CloudWatch alarms.
    Names(Vec<Spanned<String>>),
    /// Average utilization (percent) above which the alarms wharf creates go off.
    Thresholds {
        /// CPU utilization, percent.
        cpu_utilization: Option<Spanned<u32>>,
        /// Memory utilization, percent.
        memory_utilization: Option<Spanned<u32>>,
        /// Messages delayed in a worker's queue (Worker Service).
        messages_delayed: Option<Spanned<u32>>,
    },
}

impl JsonSchema for RollbackAlarms {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RollbackAlarms".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Roll a deployment back when CloudWatch alarms go off: a list of existing alarm names, or `{cpu_utilization, memory_utilization}` thresholds (percent) for which wharf creates the alarms.",
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": false, "properties": {
                    "cpu_utilization": {"type": "integer", "minimum": 1, "maximum": 100},
                    "memory_utilization": {"type": "integer", "minimum": 1, "maximum": 100},
                    "messages_delayed": {"type": "integer", "minimum": 1, "description": "Worker Service: roll back when the queue holds at least this many delayed messages."}
                }}
            ]
        })
    }
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

/// `storage`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Ephemeral storage of the task in GiB (20-200). Default 20.
    pub ephemeral: Option<Spanned<u32>>,
    /// Mount the container's root filesystem read-only.
    pub readonly_fs: Option<Spanned<bool>>,
    /// Volumes of the task, by name: bind volumes, or existing EFS file systems.
    #[serde(default)]
    pub volumes: Keyed<Spanned<Volume>>,
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

/// `logging`: the log group's retention, and FireLens log routing
/// (<https://aws.github.io/copilot-cli/docs/include/logging/>): any field besides
/// `retention` adds a Fluent Bit log-router container and sends the main container's
/// logs through it (the `awsfirelens` log driver).
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// Log retention in days. Default 30.
    pub retention: Option<Spanned<u32>>,
    /// The log router's image. Default `public.ecr.aws/aws-observability/aws-for-fluent-bit:stable`.
    pub image: Option<Spanned<String>>,
    /// Options of the Fluent Bit output the main container's logs go to (`Name:
    /// cloudwatch_logs`, `region`, `log_group_name`, …), passed to the `awsfirelens` driver.
    #[serde(default)]
    #[schemars(schema_with = "destination_schema")]
    pub destination: Keyed<Spanned<String>>,
    /// Adds ECS metadata (cluster, task, container) to each record. Default true.
    #[serde(rename = "enableMetadata")]
    pub enable_metadata: Option<Spanned<bool>>,
    /// Secret options of the output (an API key, say), from SSM or Secrets Manager.
    #[serde(default, rename = "secretOptions")]
    pub secret_options: Keyed<Spanned<Secret>>,
    /// A Fluent Bit configuration file inside the router's image (an absolute path).
    #[serde(rename = "configFilePath")]
    pub config_file_path: Option<Spanned<String>>,
    /// Environment variables of the log router.
    #[serde(default)]
    pub variables: Keyed<Spanned<Variable>>,
    /// Secrets of the log router.
    #[serde(default)]
    pub secrets: Keyed<Spanned<Secret>>,
    /// A `.env` file of the log router's variables (relative to the workspace's root).
    pub env_file: Option<Spanned<String>>,
}

/// `logging.destination`: Fluent Bit options, whose values YAML may read as numbers or
/// booleans (`retry_limit: 2`); wharf passes them as text.
fn destination_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Options of the Fluent Bit output (`Name`, `region`, `log_group_name`, …), passed to the `awsfirelens` log driver.",
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]}
    })
}

impl Logging {
    /// Whether logs go through a FireLens log router: any field besides `retention`.
    pub fn firelens(&self) -> bool {
        self.image.is_some()
            || !self.destination.is_empty()
            || self.enable_metadata.is_some()
            || !self.secret_options.is_empty()
            || self.config_file_path.is_some()
            || !self.variables.is_empty()
            || !self.secrets.is_empty()
            || self.env_file.is_some()
    }
}

/// `observability`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
// The environment manifest has an `Observability` of its own.
#[schemars(rename = "ServiceObservability")]
pub struct Observability {
    /// `awsxray`: an AWS Distro for OpenTelemetry collector sidecar sends the
    /// containers' traces to AWS X-Ray.
    pub tracing: Option<Spanned<Tracing>>,
}

/// A tracing vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
pub enum Tracing {
    /// AWS X-Ray, through the ADOT collector.
    #[serde(rename = "awsxray")]
    AwsXray,
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

impl ServiceManifest {
    /// Whether this is a Load Balanced Web Service.
    pub fn is_load_balanced(&self) -> bool {
        *self.kind == ServiceType::LoadBalancedWebService
    }

    /// `nlb`, for a Load Balanced Web Service.
    pub fn nlb(&self) -> Option<&Spanned<Nlb>> {
        match &self.workload {
            Workload::LoadBalancedWebService { nlb, .. } => nlb.as_deref(),
            _ => None,
        }
    }

    /// Where `http: false` was written (a Load Balanced Web Service with only `nlb`).
    pub fn http_off(&self) -> Option<crate::manifest::source::Span> {
        match &self.workload {
            Workload::LoadBalancedWebService { http_off, .. } => *http_off,
            _ => None,
        }
    }

    /// Whether the service is behind the environment's public Application Load
    /// Balancer (a Load Balanced Web Service with `http` and no `http.alb`).
    pub fn on_public_alb(&self) -> bool {
        self.is_load_balanced() && self.http().is_some_and(|h| h.alb.is_none())
    }

    /// `http.alb` of a Load Balanced Web Service: the existing load balancer its rules
    /// go on instead of the environment's.
    pub fn imported_alb(&self) -> Option<&Spanned<String>> {
        self.http()
            .filter(|_| self.is_load_balanced())
            .and_then(|h| h.value.alb.as_ref())
    }

    /// Which Application Load Balancer the service's `http` rules go on, as a key two
    /// services share when they share the load balancer (so their listener rules
    /// share priorities and must not match the same requests): `public`, `internal`,
    /// or `alb:<name>` (lower case; an ARN's name); `None` without `http`.
    pub fn alb_key(&self) -> Option<String> {
        self.http()?;
        Some(match self.imported_alb() {
            // An ARN names the same load balancer as its name does.
            Some(a) => format!(
                "alb:{}",
                a.value
                    .split_once(":loadbalancer/app/")
                    .and_then(|(_, r)| r.split('/').next())
                    .unwrap_or(&a.value)
                    .to_ascii_lowercase()
            ),
            None if self.is_load_balanced() => "public".into(),
            None => "internal".into(),
        })
    }

    /// Whether this is a Backend Service with `http`: behind the environment's internal
    /// load balancer.
    pub fn is_internally_load_balanced(&self) -> bool {
        *self.kind == ServiceType::BackendService && self.http().is_some()
    }

    /// Whether the service is behind one of the environment's load balancers.
    pub fn has_lb(&self) -> bool {
        self.is_load_balanced() || self.is_internally_load_balanced()
    }

    /// Whether the field at `path` was written but could not be read (so it is not
    /// "missing").
    pub fn was_unreadable(&self, path: &str) -> bool {
        self.unreadable
            .iter()
            .any(|p| p == path || p.starts_with(&format!("{path}.")))
    }

    /// Count, deployment and exec, for the three service types; `None` for a job.
    pub fn service(&self) -> Option<&ServicePart> {
        match &self.workload {
            Workload::LoadBalancedWebService { service, .. }
            | Workload::BackendService { service, .. }
            | Workload::WorkerService { service, .. } => Some(service),
            Workload::ScheduledJob(_) => None,
        }
    }

    /// `http`, for the types that accept it.
    pub fn http(&self) -> Option<&Spanned<Http>> {
        match &self.workload {
            Workload::LoadBalancedWebService { http, .. }
            | Workload::BackendService { http, .. } => http.as_ref(),
            _ => None,
        }
    }

    /// `count`, for services.
    pub fn count(&self) -> Option<&Spanned<Count>> {
        self.service().and_then(|s| s.count.as_ref())
    }

    /// `deployment`, for services.
    pub fn deployment(&self) -> Option<&Deployment> {
        self.service().and_then(|s| s.deployment.as_ref())
    }

    /// Whether ECS Exec is on (services only).
    pub fn exec(&self) -> bool {
        self.service().and_then(|s| s.exec).unwrap_or(false)
    }

    /// `observability.tracing`, for a service.
    pub fn tracing(&self) -> Option<&Spanned<Tracing>> {
        self.service()?.observability.as_ref()?.tracing.as_ref()
    }

    /// The sidecars whose images wharf builds (`image.build`), with their builds, in
    /// name order.
    pub fn built_sidecars(&self) -> Vec<(&str, &Build)> {
        let mut out: Vec<(&str, &Build)> = self
            .task
            .sidecars
            .iter()
            .filter_map(|(n, s)| {
                Some((
                    n.value.as_str(),
                    &s.value.image.as_ref()?.value.build()?.value,
                ))
            })
            .collect();
        out.sort_unstable_by_key(|(n, _)| *n);
        out
    }

    /// `logging`, when it routes logs through FireLens.
    pub fn firelens(&self) -> Option<&Logging> {
        self.task.logging.as_ref().filter(|l| l.firelens())
    }

    /// `subscribe`, for a Worker Service.
    pub fn subscribe(&self) -> Option<&Subscribe> {
        match &self.workload {
            Workload::WorkerService { subscribe, .. } => subscribe.as_ref(),
            _ => None,
        }
    }

    /// The job's fields, for a Scheduled Job.
    pub fn job(&self) -> Option<&Job> {
        match &self.workload {
            Workload::ScheduledJob(j) => Some(j),
            _ => None,
        }
    }

    /// The topics this workload publishes.
    pub fn topics(&self) -> &[Spanned<Topic>] {
        self.publish.as_ref().map_or(&[], |p| p.topics.as_slice())
    }

    /// Service Connect settings, when enabled.
    pub fn connect(&self) -> Option<&Connect> {
        self.network
            .as_ref()
            .and_then(|n| n.connect.as_ref())
            .map(|c| &c.value)
            .filter(|c| c.enabled)
    }

    /// Whether the tasks run in the environment's private subnets (not in subnets the
    /// manifest chose by ID).
    pub fn in_env_private_subnets(&self) -> bool {
        self.placement() == Placement::Private
            && self
                .network
                .as_ref()
                .and_then(|n| n.vpc.as_ref())
                .is_none_or(|v| v.subnets.is_none() && v.subnet_tags.is_none())
    }

    /// `placement.subnets.from_tags`, when the subnets are chosen by tags.
    pub fn subnet_tags(&self) -> Option<&Spanned<std::collections::BTreeMap<String, Vec<String>>>> {
        self.network.as_ref()?.vpc.as_ref()?.subnet_tags.as_ref()
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
