//! The shape of a service stack: the plan `templates/service.yml` renders, and the
//! inputs from outside the manifest.

use super::*;

/// How the main container's image is given to the stack.
#[derive(Debug, Clone, Serialize)]
pub struct ImagePlan {
    /// Whether the stack takes an `ImageDigest` (built images) instead of `ContainerImage`.
    pub digest_param: bool,
    /// Whether a built image is referenced by the `ImageTag` parameter instead
    /// (`svc package --tag`).
    pub tag_param: bool,
    /// CloudFormation expression of the image.
    pub expr: String,
}

/// `deployment.rollback_alarms`: the alarms the ECS deployment watches.
#[derive(Debug, Clone, Serialize)]
pub struct AlarmsPlan {
    /// The alarm names, as CloudFormation values (quoted names, or `!Sub` expressions
    /// for the alarms this stack creates).
    pub names: Vec<String>,
    /// CPU threshold (percent) of an alarm the stack creates.
    pub cpu: Option<u32>,
    /// Memory threshold (percent) of an alarm the stack creates.
    pub memory: Option<u32>,
    /// Delayed messages in a worker's queue at which an alarm the stack creates goes off.
    pub messages_delayed: Option<u32>,
}

/// A stack parameter whose value is read from the environment's SSM parameters.
#[derive(Debug, Clone, Serialize)]
pub struct EnvParam {
    /// Parameter name.
    pub name: &'static str,
    /// CloudFormation type.
    pub kind: &'static str,
    /// SSM parameter name (default and params-file value).
    pub ssm_name: String,
    /// Description.
    pub what: &'static str,
}

/// An environment variable.
#[derive(Debug, Clone, Serialize)]
pub struct VarPlan {
    /// Name.
    pub name: String,
    /// CloudFormation expression of the value.
    pub value: String,
}

/// A secret and what the execution role may read.
#[derive(Debug, Clone, Serialize)]
pub struct SecretItem {
    /// Variable name.
    pub name: String,
    /// CloudFormation expression of `ValueFrom`.
    pub value_from: String,
}

/// Secrets of the container and the execution role's read permissions.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SecretsPlan {
    /// Resources for `ssm:GetParameters`.
    pub ssm: Vec<String>,
    /// Resources for `secretsmanager:GetSecretValue`.
    pub secretsmanager: Vec<String>,
}

/// Container health check, in seconds.
#[derive(Debug, Clone, Serialize)]
pub struct HealthPlan {
    /// Command.
    pub command: Vec<String>,
    /// Seconds between checks.
    pub interval: u64,
    /// Failures before unhealthy.
    pub retries: u32,
    /// Seconds per check.
    pub timeout: u64,
    /// Grace seconds.
    pub start_period: u64,
}

/// One target tracking policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPlan {
    /// Logical ID.
    pub logical_id: String,
    /// Policy name suffix.
    pub suffix: String,
    /// What is tracked, for the description.
    pub what: &'static str,
    /// Target value.
    pub target: String,
    /// Target, for people.
    pub target_text: String,
    /// Predefined metric type, or `None` for response time.
    pub predefined: Option<&'static str>,
    /// Whether it needs a load balancer resource label.
    pub resource_label: bool,
    /// Scale-in cooldown seconds.
    pub scale_in: u64,
    /// Scale-out cooldown seconds.
    pub scale_out: u64,
    /// Logical ID of the queue whose backlog per task this policy tracks.
    pub queue: Option<String>,
}

/// Autoscaling.
#[derive(Debug, Clone, Serialize)]
pub struct AutoscalingPlan {
    /// Fewest tasks.
    pub min: u32,
    /// Most tasks.
    pub max: u32,
    /// Policies.
    pub policies: Vec<PolicyPlan>,
}

/// Task platform, as ECS spells it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformPlan {
    /// `LINUX`, `WINDOWS_SERVER_2019_CORE`, …
    pub os: OsFamily,
    /// `X86_64` or `ARM64`.
    pub arch: Arch,
}

/// A container port mapping.
#[derive(Debug, Clone, Serialize)]
pub struct PortPlan {
    /// The port.
    pub port: u16,
    /// Its name, when Service Connect refers to it.
    pub name: Option<&'static str>,
    /// `tcp` or `udp`.
    pub protocol: &'static str,
}

/// One entry of the capacity provider strategy (Fargate Spot).
#[derive(Debug, Clone, Serialize)]
pub struct CapacityPlan {
    /// `FARGATE` or `FARGATE_SPOT`.
    pub provider: &'static str,
    /// Tasks always placed on this provider first.
    pub base: Option<u32>,
    /// Share of the remaining tasks.
    pub weight: u32,
}

/// What the service offers through Service Connect.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectService {
    /// Name of the port mapping.
    pub port_name: &'static str,
    /// Cloud Map service name (distinct from the DNS discovery service).
    pub discovery_name: String,
    /// Name clients use.
    pub alias: String,
    /// Port clients use.
    pub port: u16,
}

/// ECS Service Connect.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectPlan {
    /// Cloud Map namespace name.
    pub namespace: String,
    /// What the service offers; `None` for a client-only service (no port).
    pub service: Option<ConnectService>,
}

/// Everything the service template needs.
#[derive(Debug, Clone, Serialize)]
pub struct ServicePlan {
    /// Application.
    pub app: String,
    /// Parameters the deploy fills from an imported load balancer (`http.alb`).
    pub lookup_params: Vec<LookupParam>,
    /// Whether the stack takes `ImageTag` (built images by tag, `svc package --tag`).
    pub image_tag_param: bool,
    /// What the deploy looks up for them.
    #[serde(skip)]
    pub imported_alb: Option<ImportedAlb>,
    /// Task role statements for the FireLens output.
    pub log_grants: Vec<GrantPlan>,
    /// Environment files' parameters.
    pub env_file_params: Vec<ContainerParam>,
    /// The digest parameters of the sidecars whose images wharf builds.
    pub sidecar_digest_params: Vec<ContainerParam>,
    /// Whether the task role may send traces to X-Ray.
    pub xray: bool,
    /// Environment.
    pub env: String,
    /// Service.
    pub name: String,
    /// Workload type.
    pub kind: &'static str,
    /// wharf version.
    pub version: &'static str,
    /// Image.
    pub image: ImagePlan,
    /// Parameters read from the environment.
    pub env_params: Vec<EnvParam>,
    /// Log group name.
    pub log_group: String,
    /// Log retention days.
    pub retention: u32,
    /// Task definition family.
    pub family: String,
    /// CPU units.
    pub cpu: u32,
    /// Memory MiB.
    pub memory: u32,
    /// Platform.
    pub platform: PlatformPlan,
    /// The task's containers, the main one (named like the service) first; each
    /// renders the same way.
    pub containers: Vec<ContainerPlan>,
    /// What the task may read: the secrets of all its containers.
    pub secrets: SecretsPlan,
    /// Ephemeral storage in GiB, when not the default.
    pub ephemeral: Option<u32>,
    /// Capacity provider strategy; `None` runs on plain Fargate.
    pub capacity: Option<Vec<CapacityPlan>>,
    /// Service Connect.
    pub service_connect: Option<ConnectPlan>,
    /// ECR repository ARN expression for pulls, `None` for images outside ECR.
    pub ecr_pull_resource: Option<String>,
    /// ECR repositories of the account the sidecars' images are in, besides the main one's.
    pub sidecar_ecr_pulls: Vec<String>,
    /// Permissions boundary ARN expression.
    pub permissions_boundary: Option<String>,
    /// ECS Exec.
    pub exec: bool,
    /// Desired count; `None` with autoscaling (the running count is kept on updates).
    pub desired_count: Option<u32>,
    /// "1 task", "2 to 10 tasks".
    pub count_text: String,
    /// Deployment minimum healthy percent.
    pub min_healthy: u32,
    /// Deployment maximum percent.
    pub max_percent: u32,
    /// Alarm-based rollback.
    pub alarms: Option<AlarmsPlan>,
    /// Public IP for tasks.
    pub public_ip: bool,
    /// Parameter holding the subnets.
    pub subnets_param: &'static str,
    /// Whether the subnets are chosen by tags (a `Subnets` parameter).
    pub tagged_subnets: bool,
    /// Subnets chosen by ID, quoted (instead of the environment's).
    pub subnet_ids: Vec<String>,
    /// The tasks' security groups, as CloudFormation values.
    pub security_groups: Vec<String>,
    /// The workload's addons, a nested stack.
    pub addons: Option<AddonsPlan>,
    /// Load balancer routing.
    pub lb: Option<LbPlan>,
    /// The service's own Network Load Balancer.
    pub nlb: Option<NlbPlan>,
    /// Health check grace period (seconds) of a service behind a load balancer: the
    /// Application Load Balancer's, else the Network Load Balancer's.
    pub grace_period: Option<u64>,
    /// Autoscaling.
    pub autoscaling: Option<AutoscalingPlan>,
    /// DNS name in Cloud Map.
    pub discovery_name: String,
    /// Whether the stack runs an ECS service (false for a Scheduled Job).
    pub ecs_service: bool,
    /// Whether the service has a Cloud Map entry (not for a Worker Service, as in Copilot).
    pub discovery: bool,
    /// Topics, queues and subscriptions (`publish`, `subscribe`).
    pub messaging: Option<MessagingPlan>,
    /// A Scheduled Job's rule and state machine.
    pub job: Option<JobPlan>,
    /// The task's volumes.
    pub volumes: Vec<VolumePlan>,
    /// What the task role may do with EFS file systems.
    pub efs_grants: Vec<EfsGrant>,
    /// Access points on the environment's file system.
    pub access_points: Vec<AccessPointPlan>,
}

/// A volume of the task.
#[derive(Debug, Clone, Serialize)]
pub struct VolumePlan {
    /// Its name.
    pub name: String,
    /// An EFS file system; `None` for a bind volume.
    pub efs: Option<EfsPlan>,
}

/// An EFS volume's configuration.
#[derive(Debug, Clone, Serialize)]
pub struct EfsPlan {
    /// The file system ID, as a CloudFormation value.
    pub id: String,
    /// `RootDirectory`, quoted.
    pub root_dir: Option<String>,
    /// `AccessPointId`, quoted.
    pub access_point: Option<String>,
    /// IAM authorization.
    pub iam: bool,
}

/// An access point on the environment's file system, for one managed volume.
#[derive(Debug, Clone, Serialize)]
pub struct AccessPointPlan {
    /// Logical ID.
    pub logical_id: String,
    /// The volume.
    pub volume: String,
    /// POSIX user ID.
    pub uid: u32,
    /// POSIX group ID.
    pub gid: u32,
    /// Its root directory, `/<workload>`.
    pub path: String,
    /// Its idempotency token, Copilot's: `<app>-<env>-<workload>`.
    pub client_token: String,
}

/// What the task role may do with one file system.
#[derive(Debug, Clone, Serialize)]
pub struct EfsGrant {
    /// The file system's ARN, as a CloudFormation value.
    pub arn: String,
    /// Some mount of it is writable.
    pub write: bool,
}

/// A container's mount of a volume.
#[derive(Debug, Clone, Serialize)]
pub struct MountPlan {
    /// The volume.
    pub volume: String,
    /// Where it is mounted.
    pub path: String,
    /// Read-only.
    pub read_only: bool,
}

/// One `dependsOn` entry of a container.
#[derive(Debug, Clone, Serialize)]
pub struct DependPlan {
    /// The container waited for.
    pub container: String,
    /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
    pub condition: &'static str,
}

/// `publish` and `subscribe`: what `svc-topics.yml` and `svc-queues.yml` render.
#[derive(Debug, Clone, Serialize)]
pub struct MessagingPlan {
    /// Topics the workload publishes.
    pub topics: Vec<TopicPlan>,
    /// A worker's queues: `EventsQueue` first, then topics' own queues.
    pub queues: Vec<QueuePlan>,
    /// Subscriptions of the queues to other workloads' topics.
    pub subscriptions: Vec<SubscriptionPlan>,
    /// The queues are encrypted with the stack's own KMS key `EventsKMSKey`, as Copilot
    /// made them (a Copilot workspace: its queues' messages stay readable when wharf
    /// takes the stack over); otherwise with SQS-managed keys (SSE-SQS).
    pub kms_key: bool,
}

/// An SNS topic the workload owns.
#[derive(Debug, Clone, Serialize)]
pub struct TopicPlan {
    /// Logical ID (`<name>[fifo]SNSTopic`, Copilot's).
    pub logical_id: String,
    /// The key in `COPILOT_SNS_TOPIC_ARNS`: the name, with `.fifo` for a FIFO topic.
    pub key: String,
    /// Physical name, `<app>-<env>-<workload>-<name>[.fifo]`.
    pub name: String,
    /// A FIFO topic.
    pub fifo: bool,
    /// `ContentBasedDeduplication`, when written.
    pub content_dedup: Option<bool>,
}

/// An SQS queue of a worker.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePlan {
    /// Logical ID (`EventsQueue`, or `<svc><topic>EventsQueue`).
    pub logical_id: String,
    /// Logical ID of its queue policy, Copilot's: `QueuePolicy`, `<svc><topic>QueuePolicy`.
    pub policy_id: String,
    /// Its dead-letter queue.
    pub dead_letter: Option<DeadLetterPlan>,
    /// A FIFO queue.
    pub fifo: bool,
    /// `ContentBasedDeduplication`.
    pub content_dedup: Option<bool>,
    /// `DeduplicationScope`.
    pub dedup_scope: Option<String>,
    /// `FifoThroughputLimit`.
    pub throughput_limit: Option<String>,
    /// `MessageRetentionPeriod`, seconds.
    pub retention: Option<u64>,
    /// `DelaySeconds`.
    pub delay: Option<u64>,
    /// `VisibilityTimeout`, seconds.
    pub timeout: Option<u64>,
    /// `!Sub` ARNs of the topics allowed to send to it.
    pub sources: Vec<String>,
}

/// A dead-letter queue.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterPlan {
    /// Logical ID.
    pub logical_id: String,
    /// `maxReceiveCount`.
    pub tries: u32,
    /// `MessageRetentionPeriod`, seconds.
    pub retention: u64,
}

/// A subscription of a queue to a topic.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionPlan {
    /// Logical ID (`<svc><topic>SNSTopicSubscription`).
    pub logical_id: String,
    /// `!Sub` ARN of the topic.
    pub topic_arn: String,
    /// Logical ID of the queue.
    pub queue: String,
    /// The filter policy, as JSON.
    pub filter_policy: Option<String>,
    /// "topic `orders` of `api`", for the description.
    pub what: String,
}

/// A Scheduled Job's rule and state machine.
#[derive(Debug, Clone, Serialize)]
pub struct JobPlan {
    /// The rule's schedule expression.
    pub expression: String,
    /// False for `schedule: none`: the rule exists, disabled.
    pub enabled: bool,
    /// `<app>-<env>-<job>`, when at most 80 characters.
    pub state_machine_name: Option<String>,
    /// Retries of a failed task.
    pub retries: u32,
    /// Longest run, seconds.
    pub timeout: Option<u64>,
    /// The state machine's definition (JSON, `!Sub` text: `${ClusterName}`, `${TaskDefinition}`, `${Subnets}`, `${SecurityGroups}`).
    pub definition: String,
}

/// A container of the task definition.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ContainerPlan {
    /// Name.
    pub name: String,
    /// CloudFormation expression of the image.
    pub image: String,
    /// Whether the task stops when it stops.
    pub essential: bool,
    /// Read-only root filesystem.
    pub readonly_fs: bool,
    /// Ports.
    pub ports: Vec<PortPlan>,
    /// Entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Command.
    pub command: Option<Vec<String>>,
    /// Environment variables, by name.
    pub environment: Vec<VarPlan>,
    /// Secrets, by name.
    pub secrets: Vec<SecretItem>,
    /// Docker labels.
    pub labels: Vec<VarPlan>,
    /// Health check.
    pub healthcheck: Option<HealthPlan>,
    /// Containers it starts after, and when (`dependsOn`).
    pub depends_on: Vec<DependPlan>,
    /// Quoted Secrets Manager ARN of private registry credentials.
    pub credentials: Option<String>,
    /// Volumes it mounts.
    pub mount_points: Vec<MountPlan>,
    /// Its logs go through the FireLens log router, with these output options.
    pub firelens: Option<FirelensLogPlan>,
    /// It is the FireLens log router, with this configuration.
    pub log_router: Option<LogRouterPlan>,
    /// The template parameter holding its environment file's S3 object ARN.
    pub env_file: Option<String>,
}

/// A template parameter holding a value of one container, which the deploy fills: an
/// environment file's S3 object ARN (`EnvFileARN`, `LoggingEnvFileARN`,
/// `EnvFileARNFor<Sidecar>`, Copilot's names), or the digest of a sidecar image wharf
/// built (`ImageDigestFor<Sidecar>`).
#[derive(Debug, Clone, Serialize)]
pub struct ContainerParam {
    /// Parameter name.
    pub name: String,
    /// The container.
    pub container: String,
}

/// The `awsfirelens` log driver's settings of the main container.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FirelensLogPlan {
    /// Output options (`Name`, `region`, …), values quoted.
    pub options: Vec<VarPlan>,
    /// Secret options, as secrets.
    pub secret_options: Vec<SecretItem>,
}

/// The log router's `FirelensConfiguration`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LogRouterPlan {
    /// `enable-ecs-log-metadata`.
    pub enable_metadata: bool,
    /// Quoted path of an extra configuration file in its image.
    pub config_file: Option<String>,
}

/// A task role statement: what the containers may do to one resource (the FireLens
/// output's log group, stream or bucket).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GrantPlan {
    /// IAM actions.
    pub actions: Vec<&'static str>,
    /// CloudFormation expression of the resource ARN.
    pub resource: String,
}

impl ServicePlan {
    /// The main container: the one named like the service.
    pub fn main(&self) -> &ContainerPlan {
        self.containers
            .iter()
            .find(|c| c.name == self.name)
            .unwrap_or(&self.containers[0])
    }
}

/// Inputs that come from outside the service manifest.
#[derive(Debug, Clone)]
pub struct ServiceInputs<'a> {
    /// Application.
    pub app: &'a AppInfo,
    /// Environment manifest.
    pub env: &'a EnvManifest,
    /// Listener rule priorities (Load Balanced Web Services), one per rule of `http`:
    /// the main rule's, then the additional rules'. A missing one (a package of one
    /// service, for checks) takes its rule's position.
    pub priorities: Vec<u32>,
    /// Digests (`sha256:…`) of built images by container (the main container is named
    /// like the service): they become the `ImageDigest` and `ImageDigestFor<Sidecar>`
    /// parameter values. A missing one leaves its parameter for whoever deploys the
    /// package.
    pub image_digests: &'a BTreeMap<String, String>,
    /// S3 object ARNs of uploaded environment files, by container; a declared file
    /// without one leaves its parameter for whoever deploys the package.
    pub env_files: &'a BTreeMap<String, String>,
    /// Subnet IDs `placement.subnets.from_tags` found at deploy; without them the
    /// `Subnets` parameter is left for whoever deploys the package.
    pub subnets: Option<&'a [String]>,
    /// The URL of the uploaded addons template; without it the `AddonsTemplateURL`
    /// parameter is left for whoever deploys the package.
    pub addons_url: Option<&'a str>,
    /// Values of the stack's `lookup_params` found at deploy (an imported load
    /// balancer's); without them those parameters are left for whoever deploys the
    /// package (the rule priorities have defaults).
    pub looked_up: Option<&'a BTreeMap<String, String>>,
    /// `svc package --tag`: images wharf builds are referenced by this tag (the
    /// `ImageTag` parameter; a sidecar's is `<sidecar>-<tag>`, as `wharf push` tags
    /// them) instead of by digest.
    pub image_tag: Option<&'a str>,
}
