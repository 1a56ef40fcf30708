//! Service stacks: turns a service manifest (as resolved for one environment) into a
//! [`ServicePlan`] and renders `templates/service.yml`.

use super::environment::namespace;
use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig, quote, ssm_name};
use crate::manifest::common::{Arch, OsFamily, Platform};
use crate::manifest::duration::Duration;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{
    Autoscaling, Cooldown, Count, Http, Placement, Rolling, Secret, ServiceManifest, ServiceType,
    TargetHealthCheck,
};
use crate::render::render;
use serde::Serialize;
use std::collections::BTreeMap;

/// Default scale-in / scale-out cooldowns (seconds), as Copilot uses them.
const SCALE_IN_SECS: u64 = 120;
const SCALE_OUT_SECS: u64 = 60;

/// How the main container's image is given to the stack.
#[derive(Debug, Clone, Serialize)]
pub struct ImagePlan {
    /// Whether the stack takes an `ImageTag` (built images) instead of `ContainerImage`.
    pub tag_param: bool,
    /// CloudFormation expression of the image.
    pub expr: String,
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
    /// Secrets in name order.
    pub items: Vec<SecretItem>,
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

/// Target group health check.
#[derive(Debug, Clone, Serialize)]
pub struct TargetHealthPlan {
    /// Path.
    pub path: String,
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

/// Load balancer routing.
#[derive(Debug, Clone, Serialize)]
pub struct LbPlan {
    /// `path-pattern` values.
    pub path_patterns: Vec<String>,
    /// Path part of the service URL.
    pub url_path: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Listener rule priority.
    pub priority: u32,
    /// Stack parameter holding the listener ARN.
    pub listener_param: &'static str,
    /// Port traffic goes to.
    pub target_port: u16,
    /// Health check.
    pub health: TargetHealthPlan,
    /// Health check grace period (seconds).
    pub grace_period: u64,
    /// Deregistration delay (seconds).
    pub deregistration_delay: u64,
    /// Sticky sessions.
    pub stickiness: bool,
    /// Allowed source CIDRs.
    pub source_ips: Vec<String>,
}

/// One target tracking policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPlan {
    /// Logical ID.
    pub logical_id: &'static str,
    /// Policy name suffix.
    pub suffix: &'static str,
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
    /// Container ports.
    pub ports: Vec<PortPlan>,
    /// Ephemeral storage in GiB, when not the default.
    pub ephemeral: Option<u32>,
    /// Read-only root filesystem.
    pub readonly_fs: bool,
    /// Capacity provider strategy; `None` runs on plain Fargate.
    pub capacity: Option<Vec<CapacityPlan>>,
    /// Service Connect.
    pub service_connect: Option<ConnectPlan>,
    /// Entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Command.
    pub command: Option<Vec<String>>,
    /// Environment variables, by name.
    pub environment: Vec<VarPlan>,
    /// Secrets.
    pub secrets: SecretsPlan,
    /// Docker labels.
    pub labels: Vec<VarPlan>,
    /// Container health check.
    pub healthcheck: Option<HealthPlan>,
    /// ECR repository ARN expression for pulls, `None` for images outside ECR.
    pub ecr_pull_resource: Option<String>,
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
    /// Public IP for tasks.
    pub public_ip: bool,
    /// Parameter holding the subnets.
    pub subnets_param: &'static str,
    /// Load balancer routing.
    pub lb: Option<LbPlan>,
    /// Autoscaling.
    pub autoscaling: Option<AutoscalingPlan>,
    /// DNS name in Cloud Map.
    pub discovery_name: String,
}

/// Inputs that come from outside the service manifest.
#[derive(Debug, Clone)]
pub struct ServiceInputs<'a> {
    /// Application.
    pub app: &'a AppInfo,
    /// Environment manifest.
    pub env: &'a EnvManifest,
    /// Listener rule priority (Load Balanced Web Services).
    pub priority: Option<u32>,
    /// Image tag for built images.
    pub tag: &'a str,
}

fn secs(d: Option<&crate::manifest::decode::Spanned<Duration>>, default: u64) -> u64 {
    d.map_or(default, |d| d.secs())
}

fn sub(s: &str) -> String {
    format!("!Sub {}", quote(s))
}

fn ecr_repo_arn(uri: &str) -> Option<String> {
    // 111122223333.dkr.ecr.us-east-1.amazonaws.com/repo[:tag|@digest]
    let (host, path) = uri.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() < 6 || parts[1] != "dkr" || parts[2] != "ecr" || parts[0].len() != 12 {
        return None;
    }
    let repo = path.split(['@', ':']).next()?;
    Some(sub(&format!(
        "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{repo}",
        parts[3], parts[0]
    )))
}

fn secrets(m: &ServiceManifest) -> SecretsPlan {
    let mut p = SecretsPlan::default();
    let mut entries: Vec<_> = m.secrets.iter().collect();
    entries.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (k, s) in entries {
        let (value_from, ssm, sm) = match &s.value {
            Secret::Ssm(v) if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                if v.contains(":secretsmanager:") {
                    (quote(v), None, Some(quote(&resource)))
                } else {
                    (quote(v), Some(quote(v)), None)
                }
            }
            Secret::Ssm(name) => {
                let arn = sub(&format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
                    name.trim_start_matches('/')
                ));
                (arn.clone(), Some(arn), None)
            }
            Secret::SecretsManager { secretsmanager: v } if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                (quote(v), None, Some(quote(&resource)))
            }
            Secret::SecretsManager { secretsmanager: v } => {
                let (name, rest) = v
                    .split_once(':')
                    .map_or((v.as_str(), None), |(n, r)| (n, Some(r)));
                let base = format!(
                    "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}"
                );
                let value = match rest {
                    Some(r) => format!("{base}:{r}"),
                    None => base.clone(),
                };
                (sub(&value), None, Some(sub(&format!("{base}-??????"))))
            }
        };
        p.items.push(SecretItem {
            name: k.value.clone(),
            value_from,
        });
        p.ssm.extend(ssm);
        p.secretsmanager.extend(sm);
    }
    p.ssm.sort();
    p.ssm.dedup();
    p.secretsmanager.sort();
    p.secretsmanager.dedup();
    p
}

fn path_patterns(path: &str) -> (Vec<String>, String) {
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

fn lb_plan(m: &ServiceManifest, h: &Http, inputs: &ServiceInputs) -> LbPlan {
    let https = !inputs.env.certificates().is_empty();
    let (path_patterns, url_path) =
        path_patterns(h.path.as_ref().map_or("/", |p| p.value.as_str()));
    let full = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Full(a)) => Some(a),
        _ => None,
    };
    let health_path = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Path(p)) => p.clone(),
        Some(TargetHealthCheck::Full(a)) => a.path.as_ref().map_or("/".into(), |p| p.value.clone()),
        None => "/".into(),
    };
    LbPlan {
        path_patterns,
        url_path,
        scheme: if https { "https" } else { "http" },
        priority: inputs.priority.unwrap_or(1),
        listener_param: if https {
            "HTTPSListenerArn"
        } else {
            "HTTPListenerArn"
        },
        target_port: h
            .target_port
            .as_ref()
            .or(m.image.port.as_ref())
            .map_or(80, |p| p.value),
        health: TargetHealthPlan {
            path: health_path,
            port: full.and_then(|a| a.port.as_ref()).map(|p| p.value),
            codes: full
                .and_then(|a| a.success_codes.as_ref())
                .map_or("200".into(), |c| c.value.clone()),
            healthy: full
                .and_then(|a| a.healthy_threshold.as_ref())
                .map_or(5, |t| t.value),
            unhealthy: full
                .and_then(|a| a.unhealthy_threshold.as_ref())
                .map_or(2, |t| t.value),
            interval: secs(full.and_then(|a| a.interval.as_ref()), 30),
            timeout: secs(full.and_then(|a| a.timeout.as_ref()), 5),
        },
        grace_period: secs(full.and_then(|a| a.grace_period.as_ref()), 60),
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

fn cooldown(own: Option<&Cooldown>, shared: Option<&Cooldown>) -> (u64, u64) {
    let pick = |f: fn(&Cooldown) -> Option<crate::manifest::decode::Spanned<Duration>>, d| {
        own.and_then(f)
            .or_else(|| shared.and_then(f))
            .map_or(d, |x| x.secs())
    };
    (
        pick(|c| c.scale_in, SCALE_IN_SECS),
        pick(|c| c.scale_out, SCALE_OUT_SECS),
    )
}

fn autoscaling(a: &Autoscaling) -> Option<AutoscalingPlan> {
    let r = a.range.as_ref()?;
    let shared = a.cooldown.as_ref();
    let mut policies = Vec::new();
    let mut add = |logical_id,
                   suffix,
                   what,
                   target: String,
                   target_text: String,
                   predefined,
                   resource_label,
                   cd: (u64, u64)| {
        policies.push(PolicyPlan {
            logical_id,
            suffix,
            what,
            target,
            target_text,
            predefined,
            resource_label,
            scale_in: cd.0,
            scale_out: cd.1,
        });
    };
    if let Some(c) = &a.cpu_percentage {
        add(
            "CpuScalingPolicy",
            "cpu",
            "average CPU use",
            c.value.value.to_string(),
            format!("{}%", c.value.value),
            Some("ECSServiceAverageCPUUtilization"),
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.memory_percentage {
        add(
            "MemoryScalingPolicy",
            "memory",
            "average memory use",
            c.value.value.to_string(),
            format!("{}%", c.value.value),
            Some("ECSServiceAverageMemoryUtilization"),
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.requests {
        add(
            "RequestsScalingPolicy",
            "requests",
            "requests per task",
            c.value.value.to_string(),
            c.value.value.to_string(),
            Some("ALBRequestCountPerTarget"),
            true,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.response_time {
        let ms = c.value.value.as_millis();
        let target = if ms % 1000 == 0 {
            (ms / 1000).to_string()
        } else {
            format!("{}.{:03}", ms / 1000, ms % 1000)
                .trim_end_matches('0')
                .to_string()
        };
        add(
            "ResponseTimeScalingPolicy",
            "response-time",
            "average response time",
            target.clone(),
            format!("{target}s"),
            None,
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    Some(AutoscalingPlan {
        min: r.min,
        max: r.max,
        policies,
    })
}

/// Decides what the service stack contains.
pub fn plan(m: &ServiceManifest, inputs: &ServiceInputs) -> ServicePlan {
    let app = inputs.app.name.clone();
    let env = inputs.env.name.value.clone();
    let name = m.name.value.clone();
    let ssm = |key| ssm_name(&app, &env, key);
    let lb = m
        .http
        .as_ref()
        .filter(|_| m.is_load_balanced())
        .map(|h| lb_plan(m, h, inputs));
    let auto = match m.count.as_ref().map(|c| &c.value) {
        Some(Count::Auto(a)) => autoscaling(a),
        _ => None,
    };
    let capacity = match m.count.as_ref().map(|c| &c.value) {
        Some(Count::Auto(a)) if a.spot.is_some() => Some(vec![CapacityPlan {
            provider: "FARGATE_SPOT",
            base: None,
            weight: 1,
        }]),
        // Tasks below `spot_from` stay on Fargate; the rest go to Spot.
        Some(Count::Auto(a)) => a.range.as_ref().and_then(|r| r.spot_from).map(|from| {
            vec![
                CapacityPlan {
                    provider: "FARGATE",
                    base: Some(from.saturating_sub(1)),
                    weight: 0,
                },
                CapacityPlan {
                    provider: "FARGATE_SPOT",
                    base: None,
                    weight: 1,
                },
            ]
        }),
        _ => None,
    };
    let placement = m.placement();
    let (subnets_param, subnets_key) = match placement {
        Placement::Public => ("PublicSubnets", "public-subnets"),
        Placement::Private => ("PrivateSubnets", "private-subnets"),
    };
    let mut env_params = vec![
        EnvParam {
            name: "ClusterName",
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm("cluster"),
            what: "ECS cluster of the environment",
        },
        EnvParam {
            name: subnets_param,
            kind: "AWS::SSM::Parameter::Value<List<String>>",
            ssm_name: ssm(subnets_key),
            what: "Subnets the tasks run in",
        },
        EnvParam {
            name: "EnvironmentSecurityGroup",
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm("environment-security-group"),
            what: "Security group of the environment's tasks",
        },
        EnvParam {
            name: "ServiceDiscoveryNamespaceId",
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm("service-discovery-namespace-id"),
            what: "Cloud Map namespace of the environment",
        },
    ];
    if let Some(l) = &lb {
        let https = l.listener_param == "HTTPSListenerArn";
        env_params.push(EnvParam {
            name: "VpcId",
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm("vpc-id"),
            what: "VPC of the environment",
        });
        env_params.push(EnvParam {
            name: l.listener_param,
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm(if https {
                "https-listener-arn"
            } else {
                "http-listener-arn"
            }),
            what: "Listener of the environment's load balancer",
        });
        env_params.push(EnvParam {
            name: "LoadBalancerDNSName",
            kind: "AWS::SSM::Parameter::Value<String>",
            ssm_name: ssm("load-balancer-dns-name"),
            what: "DNS name of the environment's load balancer",
        });
        if auto.as_ref().is_some_and(|a| {
            a.policies
                .iter()
                .any(|p| p.resource_label || p.predefined.is_none())
        }) {
            env_params.push(EnvParam {
                name: "LoadBalancerFullName",
                kind: "AWS::SSM::Parameter::Value<String>",
                ssm_name: ssm("load-balancer-full-name"),
                what: "Full name of the load balancer, for metrics",
            });
        }
    }
    let image = match (&m.image.build, &m.image.location) {
        (_, Some(_)) => ImagePlan {
            tag_param: false,
            expr: "!Ref ContainerImage".into(),
        },
        _ => ImagePlan {
            tag_param: true,
            expr: sub(&format!(
                "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{app}/{name}:${{ImageTag}}"
            )),
        },
    };
    let ecr_pull_resource = match &m.image.location {
        Some(loc) => ecr_repo_arn(loc),
        None => Some(sub(&format!(
            "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{app}/{name}"
        ))),
    };
    let platform = m.platform.as_ref().map_or(Platform::default(), |p| p.value);
    let (dcpu, dmem) = if platform.os.is_windows() {
        (1024, 2048)
    } else {
        (256, 512)
    };
    let service_connect = m.connect().map(|c| ConnectPlan {
        namespace: namespace(&app, &env),
        // The DNS discovery service already uses the service name in this namespace.
        service: m.image.port.as_ref().map(|p| ConnectService {
            port_name: "target",
            discovery_name: format!("{name}-sc"),
            alias: c.alias.as_ref().map_or(name.clone(), |a| a.value.clone()),
            port: p.value,
        }),
    });
    let main_port_name = service_connect
        .as_ref()
        .and_then(|c| c.service.as_ref())
        .map(|s| s.port_name);
    let mut ports: Vec<PortPlan> = m
        .image
        .port
        .iter()
        .map(|p| PortPlan {
            port: p.value,
            name: main_port_name,
        })
        .collect();
    if let Some(l) = &lb
        && !ports.iter().any(|p| p.port == l.target_port)
    {
        ports.push(PortPlan {
            port: l.target_port,
            name: None,
        });
    }
    let p = inputs.app.var_prefix;
    let mut vars: BTreeMap<String, String> = BTreeMap::from([
        (format!("{p}_APPLICATION_NAME"), quote(&app)),
        (format!("{p}_ENVIRONMENT_NAME"), quote(&env)),
        (format!("{p}_SERVICE_NAME"), quote(&name)),
        (
            format!("{p}_SERVICE_DISCOVERY_ENDPOINT"),
            quote(&namespace(&app, &env)),
        ),
    ]);
    if lb.is_some() {
        vars.insert(format!("{p}_LB_DNS"), "!Ref LoadBalancerDNSName".into());
    }
    for (k, v) in m.variables.iter() {
        vars.insert(k.value.clone(), quote(&v.0));
    }
    let (desired_count, count_text) = match m.count.as_ref().map(|c| &c.value) {
        Some(Count::Fixed(n)) => (
            Some(*n),
            format!("{n} task{}", if *n == 1 { "" } else { "s" }),
        ),
        Some(Count::Auto(a)) if a.spot.is_some() => {
            let n = a.spot.as_ref().map_or(0, |s| s.value);
            (
                Some(n),
                format!("{n} task{} on Fargate Spot", if n == 1 { "" } else { "s" }),
            )
        }
        Some(Count::Auto(_)) => (
            None,
            auto.as_ref()
                .map_or("1 task".into(), |a| format!("{} to {} tasks", a.min, a.max)),
        ),
        None => (Some(1), "1 task".into()),
    };
    let rolling = m
        .deployment
        .as_ref()
        .and_then(|d| d.rolling.as_ref())
        .map_or(Rolling::Default, |r| r.value);
    let (min_healthy, max_percent) = match rolling {
        Rolling::Default => (100, 200),
        Rolling::Recreate => (0, 100),
    };
    let healthcheck = m.image.healthcheck.as_ref().map(|h| HealthPlan {
        command: h.command.args().to_vec(),
        interval: secs(h.interval.as_ref(), 10),
        retries: h.retries.as_ref().map_or(2, |r| r.value),
        timeout: secs(h.timeout.as_ref(), 5),
        start_period: secs(h.start_period.as_ref(), 0),
    });
    let permissions_boundary = inputs.app.permissions_boundary.as_ref().map(|pb| {
        if pb.starts_with("arn:") {
            quote(pb)
        } else {
            sub(&format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{pb}"
            ))
        }
    });
    let mut labels: Vec<VarPlan> = m
        .image
        .labels
        .iter()
        .map(|(k, v)| VarPlan {
            name: k.value.clone(),
            value: v.value.clone(),
        })
        .collect();
    labels.sort_by(|a, b| a.name.cmp(&b.name));
    ServicePlan {
        kind: match *m.kind {
            ServiceType::LoadBalancedWebService => "Load Balanced Web Service",
            ServiceType::BackendService => "Backend Service",
        },
        version: TEMPLATE_VERSION,
        image,
        env_params,
        log_group: format!("/wharf/{app}/{env}/{name}"),
        retention: m
            .logging
            .as_ref()
            .and_then(|l| l.retention.as_ref())
            .map_or(30, |r| r.value),
        family: format!("{app}-{env}-{name}"),
        cpu: m.cpu.as_ref().map_or(dcpu, |c| c.value),
        memory: m.memory.as_ref().map_or(dmem, |c| c.value),
        platform: PlatformPlan {
            os: platform.os,
            arch: platform.arch,
        },
        ports,
        ephemeral: m
            .storage
            .as_ref()
            .and_then(|st| st.ephemeral.as_ref())
            .map(|e| e.value),
        readonly_fs: m
            .storage
            .as_ref()
            .and_then(|st| st.readonly_fs.as_ref())
            .is_some_and(|r| r.value),
        capacity,
        service_connect,
        entrypoint: m.entrypoint.as_ref().map(|c| c.args().to_vec()),
        command: m.command.as_ref().map(|c| c.args().to_vec()),
        environment: vars
            .into_iter()
            .map(|(name, value)| VarPlan { name, value })
            .collect(),
        secrets: secrets(m),
        labels,
        healthcheck,
        ecr_pull_resource,
        permissions_boundary,
        exec: m.exec.unwrap_or(false),
        desired_count,
        count_text,
        min_healthy,
        max_percent,
        public_ip: placement == Placement::Public,
        subnets_param,
        lb,
        autoscaling: auto,
        discovery_name: format!("{name}.{}", namespace(&app, &env)),
        app,
        env,
        name,
    }
}

/// Compiles a service stack.
pub fn compile_service(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
) -> Result<Package, minijinja::Error> {
    let p = plan(m, inputs);
    let template = render("service.yml", &p)?;
    let mut parameters = BTreeMap::new();
    match &m.image.location {
        Some(loc) => parameters.insert("ContainerImage".into(), loc.value.clone()),
        None => parameters.insert("ImageTag".into(), inputs.tag.to_string()),
    };
    for e in &p.env_params {
        parameters.insert(e.name.to_string(), e.ssm_name.clone());
    }
    Ok(Package {
        stack_name: format!("{}-{}-{}", p.app, p.env, p.name),
        file_stem: format!("{}-{}", p.name, p.env),
        template,
        config: TemplateConfig {
            parameters,
            tags: inputs.app.stack_tags(&p.env, Some(&p.name)),
        },
    })
}
