//! The task definition: the image (by digest in the service's ECR repository, or as
//! written), what pulling it takes, the task size for the platform, and the main
//! container (ports, variables with Copilot's built-ins, secrets, labels, health check,
//! command). Its partials are `svc-task-definition.yml` and `svc-roles.yml`.

use super::*;

/// The main container's image: `!Ref ContainerImage` for `image.location`, else the
/// service's repository in the account at the `ImageDigest` parameter.
pub(super) fn image(m: &ServiceManifest, app: &str, tagged: bool) -> ImagePlan {
    let name = &m.name.value;
    match (&m.task.image.build, &m.task.image.location) {
        (_, Some(_)) => ImagePlan {
            digest_param: false,
            tag_param: false,
            expr: format!("!Ref {}", parameter::CONTAINER_IMAGE),
        },
        _ if tagged => ImagePlan {
            digest_param: false,
            tag_param: true,
            expr: tagged_image(app, name, ""),
        },
        _ => ImagePlan {
            digest_param: true,
            tag_param: false,
            expr: built_image(app, name, parameter::IMAGE_DIGEST),
        },
    }
}

/// The ECR repository the execution role may pull from; `None` for images outside ECR.
pub(super) fn ecr_pull_resource(m: &ServiceManifest, app: &str) -> Option<String> {
    let name = &m.name.value;
    match &m.task.image.location {
        Some(loc) => ecr_repo_arn(loc),
        None => Some(service_repo_arn(app, name)),
    }
}

/// The platform, and the task's CPU units and MiB (defaults: 256/512, 1024/2048 on
/// Windows).
pub(super) fn size(m: &ServiceManifest) -> (Platform, u32, u32) {
    let platform = m
        .task
        .platform
        .as_ref()
        .map_or(Platform::default(), |p| p.value);
    let (dcpu, dmem) = if platform.os.is_windows() {
        (1024, 2048)
    } else {
        (256, 512)
    };
    (
        platform,
        m.task.cpu.as_ref().map_or(dcpu, |c| c.value),
        m.task.memory.as_ref().map_or(dmem, |c| c.value),
    )
}

/// The IAM permissions boundary of the roles, as a CloudFormation value.
pub(super) fn permissions_boundary(inputs: &ServiceInputs) -> Option<String> {
    inputs.app.permissions_boundary.as_ref().map(|pb| {
        if pb.starts_with("arn:") {
            quote(pb)
        } else {
            sub(&format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{pb}"
            ))
        }
    })
}

/// The main container, named like the service, running `image`; and what reading its
/// secrets takes.
pub(super) fn main_container(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
    image: String,
    lb: Option<&LbPlan>,
    service_connect: Option<&ConnectPlan>,
) -> (ContainerPlan, SecretsPlan) {
    let app = inputs.app.name.as_str();
    let env = inputs.env.name.value.as_str();
    let name = m.name.value.clone();
    let main_port_name = service_connect
        .and_then(|c| c.service.as_ref())
        .map(|s| s.port_name);
    let mut ports: Vec<PortPlan> = m
        .task
        .image
        .port
        .iter()
        .map(|p| PortPlan {
            port: p.value.0,
            name: main_port_name,
            protocol: "tcp",
        })
        .collect();
    for r in lb.iter().flat_map(|l| &l.rules) {
        if r.container == name && !ports.iter().any(|p| p.port == r.target_port) {
            ports.push(PortPlan {
                port: r.target_port,
                name: None,
                protocol: "tcp",
            });
        }
    }
    let mut vars = builtin_vars(m, inputs, lb.is_some());
    let _ = (app, env);
    for (k, v) in m.task.variables.iter() {
        vars.insert(k.value.clone(), variable(&v.value));
    }
    let healthcheck = m.task.image.healthcheck.as_ref().map(|h| health(h));
    let labels = labels(&m.task.image.labels);
    let (secret_items, secret_reads) = secrets(m);
    let container = ContainerPlan {
        name: name.clone(),
        image,
        essential: true,
        readonly_fs: m
            .task
            .storage
            .as_ref()
            .and_then(|st| st.readonly_fs.as_ref())
            .is_some_and(|r| r.value),
        ports,
        entrypoint: m.task.entrypoint.as_ref().map(|c| c.args().to_vec()),
        command: m.task.command.as_ref().map(|c| c.args().to_vec()),
        environment: vars
            .into_iter()
            .map(|(name, value)| VarPlan { name, value })
            .collect(),
        secrets: secret_items,
        labels,
        healthcheck,
        depends_on: depends_on(&m.task.image.depends_on),
        credentials: m.task.image.credentials.as_ref().map(|c| quote(c)),
        mount_points: super::volumes::main_mounts(m),
        ..Default::default()
    };
    (container, secret_reads)
}

/// The variables wharf sets in every container: application, environment, service,
/// discovery endpoint, and the load balancer's DNS name when there is one.
pub(super) fn builtin_vars(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
    lb: bool,
) -> BTreeMap<String, String> {
    let app = inputs.app.name.as_str();
    let env = inputs.env.name.value.as_str();
    let p = inputs.app.var_prefix;
    let mut vars = BTreeMap::from([
        (format!("{p}_APPLICATION_NAME"), quote(app)),
        (format!("{p}_ENVIRONMENT_NAME"), quote(env)),
        (format!("{p}_SERVICE_NAME"), quote(&m.name.value)),
        (
            format!("{p}_SERVICE_DISCOVERY_ENDPOINT"),
            quote(&inputs.env.namespace_name(app)),
        ),
    ]);
    if lb {
        vars.insert(format!("{p}_LB_DNS"), "!Ref LoadBalancerDNSName".into());
    }
    vars
}

/// A variable's value as CloudFormation reads it: quoted, or `!ImportValue` of an export.
pub(super) fn variable(v: &crate::manifest::service::Variable) -> String {
    use crate::manifest::service::Variable;
    match v {
        Variable::Text(t) => quote(t),
        Variable::FromCfn(name) => format!("!ImportValue {}", quote(name)),
    }
}

/// A container health check with Copilot's defaults (10 s interval, 2 retries, 5 s
/// timeout, no start period).
pub(super) fn health(h: &crate::manifest::service::ContainerHealthCheck) -> HealthPlan {
    HealthPlan {
        command: h.command.args().to_vec(),
        interval: secs(h.interval.as_ref(), 10),
        retries: h.retries.as_ref().map_or(2, |r| r.value),
        timeout: secs(h.timeout.as_ref(), 5),
        start_period: secs(h.start_period.as_ref(), 0),
    }
}

/// Docker labels, in name order.
pub(super) fn labels(
    l: &crate::manifest::decode::Keyed<crate::manifest::decode::Spanned<String>>,
) -> Vec<VarPlan> {
    let mut out: Vec<VarPlan> = l
        .iter()
        .map(|(k, v)| VarPlan {
            name: k.value.clone(),
            value: v.value.clone(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `depends_on` as ECS's `dependsOn`, in name order.
pub(super) fn depends_on(
    d: &crate::manifest::decode::Keyed<
        crate::manifest::decode::Spanned<crate::manifest::service::DependsOn>,
    >,
) -> Vec<DependPlan> {
    let mut out: Vec<DependPlan> = d
        .iter()
        .map(|(k, v)| DependPlan {
            container: k.value.clone(),
            condition: v.value.as_ecs(),
        })
        .collect();
    out.sort_by(|a, b| a.container.cmp(&b.container));
    out
}
