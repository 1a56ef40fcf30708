//! Service stacks: turns a service manifest (as resolved for one environment) into a
//! [`ServicePlan`] and renders `templates/service.yml`.

mod parts;
mod types;

pub use types::*;

use parts::*;

use super::environment::namespace;
use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig, quote};
use crate::contract::{EnvValue, parameter, ssm_name};
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

/// Decides what the service stack contains.
pub fn plan(m: &ServiceManifest, inputs: &ServiceInputs) -> ServicePlan {
    let app = inputs.app.name.clone();
    let env = inputs.env.name.value.clone();
    let name = m.name.value.clone();
    // A value of the environment stack, taken as an SSM-typed parameter.
    let take = |v: EnvValue, what| EnvParam {
        name: v.parameter(),
        kind: v.parameter_type(),
        ssm_name: ssm_name(&app, &env, v.key()),
        what,
    };
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
    let subnets = match placement {
        Placement::Public => EnvValue::PublicSubnets,
        Placement::Private => EnvValue::PrivateSubnets,
    };
    let mut env_params = vec![
        take(EnvValue::Cluster, "ECS cluster of the environment"),
        take(subnets, "Subnets the tasks run in"),
        take(
            EnvValue::EnvironmentSecurityGroup,
            "Security group of the environment's tasks",
        ),
        take(
            EnvValue::ServiceDiscoveryNamespaceId,
            "Cloud Map namespace of the environment",
        ),
    ];
    if let Some(l) = &lb {
        env_params.push(take(EnvValue::VpcId, "VPC of the environment"));
        env_params.push(take(
            l.listener,
            "Listener of the environment's load balancer",
        ));
        env_params.push(take(
            EnvValue::LoadBalancerDnsName,
            "DNS name of the environment's load balancer",
        ));
        if auto.as_ref().is_some_and(|a| {
            a.policies
                .iter()
                .any(|p| p.resource_label || p.predefined.is_none())
        }) {
            env_params.push(take(
                EnvValue::LoadBalancerFullName,
                "Full name of the load balancer, for metrics",
            ));
        }
    }
    let image = match (&m.image.build, &m.image.location) {
        (_, Some(_)) => ImagePlan {
            digest_param: false,
            expr: "!Ref ContainerImage".into(),
        },
        _ => ImagePlan {
            digest_param: true,
            expr: sub(&format!(
                "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{app}/{name}@${{ImageDigest}}"
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
            port: p.value.0,
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
            port: p.value.0,
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
    let alarms = m
        .deployment
        .as_ref()
        .and_then(|d| d.rollback_alarms.as_ref())
        .map(|a| alarms_plan(&a.value));
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
    let (secret_items, secret_reads) = secrets(m);
    let main_image = image.expr.clone();
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
        containers: vec![ContainerPlan {
            name: name.clone(),
            image: main_image,
            essential: true,
            readonly_fs: m
                .storage
                .as_ref()
                .and_then(|st| st.readonly_fs.as_ref())
                .is_some_and(|r| r.value),
            ports,
            entrypoint: m.entrypoint.as_ref().map(|c| c.args().to_vec()),
            command: m.command.as_ref().map(|c| c.args().to_vec()),
            environment: vars
                .into_iter()
                .map(|(name, value)| VarPlan { name, value })
                .collect(),
            secrets: secret_items,
            labels,
            healthcheck,
        }],
        secrets: secret_reads,
        ephemeral: m
            .storage
            .as_ref()
            .and_then(|st| st.ephemeral.as_ref())
            .map(|e| e.value),
        capacity,
        service_connect,
        ecr_pull_resource,
        permissions_boundary,
        exec: m.exec.unwrap_or(false),
        desired_count,
        count_text,
        min_healthy,
        max_percent,
        alarms,
        public_ip: placement == Placement::Public,
        subnets_param: subnets.parameter(),
        lb,
        autoscaling: auto,
        discovery_name: format!("{name}.{}", namespace(&app, &env)),
        app,
        env,
        name,
    }
}

/// Existing alarm names as they are; thresholds become alarms named after the stack.
fn alarms_plan(a: &crate::manifest::service::RollbackAlarms) -> AlarmsPlan {
    use crate::manifest::service::RollbackAlarms;
    match a {
        RollbackAlarms::Names(names) => AlarmsPlan {
            names: names
                .iter()
                .map(|n| serde_json::Value::from(n.value.as_str()).to_string())
                .collect(),
            cpu: None,
            memory: None,
        },
        RollbackAlarms::Thresholds {
            cpu_utilization,
            memory_utilization,
        } => {
            let cpu = cpu_utilization.as_ref().map(|t| t.value);
            let memory = memory_utilization.as_ref().map(|t| t.value);
            let mut names = Vec::new();
            if cpu.is_some() {
                names.push(sub("${AWS::StackName}-rollback-cpu"));
            }
            if memory.is_some() {
                names.push(sub("${AWS::StackName}-rollback-memory"));
            }
            AlarmsPlan { names, cpu, memory }
        }
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
    match (&m.image.location, inputs.image_digest) {
        (Some(loc), _) => {
            parameters.insert(parameter::CONTAINER_IMAGE.into(), loc.value.clone());
        }
        (None, Some(digest)) => {
            parameters.insert(parameter::IMAGE_DIGEST.into(), digest.to_string());
        }
        (None, None) => {}
    }
    for e in &p.env_params {
        parameters.insert(e.name.to_string(), e.ssm_name.clone());
    }
    Ok(Package {
        stack_name: super::service_stack_name(&p.app, &p.env, &p.name),
        file_stem: format!("{}-{}", p.name, p.env),
        template,
        config: TemplateConfig {
            parameters,
            tags: inputs.app.stack_tags(&p.env, Some(&p.name)),
        },
    })
}
