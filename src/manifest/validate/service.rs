//! Semantic checks for service manifests (after environment overrides).

use super::Checker;
use crate::manifest::common::{Arch, Platform};
use crate::manifest::decode::Keyed;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::{Code, Diagnostics};
use crate::manifest::environment::EnvManifest;
use crate::manifest::fargate::{self, SizeError};
use crate::manifest::secret_names::looks_secret;
use crate::manifest::service::Variable;
use crate::manifest::service::{
    Autoscaling, Build, Count, Metric, Placement, Secret, ServiceManifest,
};

/// CloudWatch Logs retention values (days).
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Variables wharf sets itself in every container.
pub const RESERVED_PREFIXES: &[&str] = &["WHARF_", "COPILOT_"];

/// Checks one service manifest as it will be compiled for `env` (when given).
pub fn validate_service(m: &ServiceManifest, env: Option<&EnvManifest>, diags: &mut Diagnostics) {
    let mut c = Checker::new(diags);
    c.name(&m.name, "service", "name");
    if m.name.chars().any(|ch| ch.is_ascii_uppercase()) {
        // ECR repository names are lower-case, and the service's is `<app>/<name>`
        // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html).
        c.error(
            Code::InvalidValue,
            m.name.span,
            "name",
            format!("`{}` is not a valid service name: it has capital letters", m.name.value),
            Some(format!(
                "use `{}`: service names are lower-case, as they name the image repository `<app>/<name>`",
                m.name.value.to_ascii_lowercase()
            )),
        );
    }
    effective_limits(&mut c, m);
    network_vpc(&mut c, m);
    super::containers::containers(&mut c, m);
    super::containers::volumes(&mut c, m);
    super::observability::observability(&mut c, m);
    image(&mut c, m);
    size(&mut c, m);
    if let Some(a) = m.deployment().and_then(|d| d.rollback_alarms.as_ref()) {
        rollback_alarms(&mut c, a, *m.kind);
    }
    if let Some(count) = &m.count() {
        count_rules(&mut c, m, count);
    }
    if let Some(hc) = &m.task.image.healthcheck {
        container_health(&mut c, hc, "image.healthcheck");
    }
    for (name, s) in m.task.sidecars.iter() {
        if let Some(hc) = &s.value.healthcheck {
            container_health(&mut c, hc, &format!("sidecars.{}.healthcheck", name.value));
        }
    }
    variables_and_secrets(&mut c, m);
    if let Some(st) = &m.task.storage {
        if let Some(e) = &st.ephemeral {
            c.range(e.value, 20, 200, e.span, "storage.ephemeral", " GiB");
        }
        if let Some(ro) = &st.readonly_fs
            && ro.value
            && m.task.platform.as_ref().is_some_and(|p| p.os.is_windows())
        {
            c.error(
                Code::InvalidValue,
                ro.span,
                "storage.readonly_fs",
                "Windows tasks cannot have a read-only root filesystem",
                None,
            );
        }
    }
    if let Some(alias) = m.connect().and_then(|c| c.alias.as_ref())
        && !(alias.len() <= 63
            && alias
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_alphanumeric())
            && alias
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
    {
        c.error(
            Code::InvalidValue,
            alias.span,
            "network.connect.alias",
            format!(
                "`{}` is not a valid DNS name for Service Connect",
                alias.value
            ),
            Some("use letters, digits and hyphens, at most 63 characters".to_string()),
        );
    }
    if let Some(r) = m.task.logging.as_ref().and_then(|l| l.retention.as_ref()) {
        retention(&mut c, r, "logging.retention");
    }
    match (&m.http(), m.is_load_balanced()) {
        (Some(h), true) => super::http::http(&mut c, m, h, env),
        (None, true) if m.http_off().is_some() && m.nlb().is_none() && !m.was_unreadable("nlb") => {
            c.error(
                Code::MissingField,
                m.http_off().unwrap_or(m.kind.span),
                "http",
                "`http: false` leaves this Load Balanced Web Service no load balancer",
                Some("add `nlb` (a Network Load Balancer of its own), or route `http` to it".to_string()),
            );
        }
        (None, true) if m.http_off().is_some() => {}
        (None, true) if !m.was_unreadable("http") => c.error(
            Code::MissingField,
            m.kind.span,
            "http",
            "a Load Balanced Web Service needs `http` with a `path`",
            Some("add `http:\\n  path: '/'` to route all requests to this service (or `http: false` with `nlb`)".to_string()),
        ),
        (Some(h), false) => super::http::http(&mut c, m, h, env),
        _ => {}
    }
    if let Some(n) = m.nlb() {
        super::nlb::nlb(&mut c, m, n, env);
    }
    target_groups(&mut c, m);
    super::messaging::publish(&mut c, m);
    super::messaging::subscribe(&mut c, m);
    if let Some(j) = m.job() {
        super::messaging::job(&mut c, j);
    }
    for (set, path, by) in [
        (
            m.task.image.port.as_ref().map(|p| p.span),
            "image.port",
            "a Load Balanced Web Service or a Backend Service",
        ),
        (
            m.network
                .as_ref()
                .and_then(|n| n.connect.as_ref())
                .map(|c| c.span),
            "network.connect",
            "the service types",
        ),
    ] {
        let accepted = match path {
            "image.port" => crate::manifest::service::has_port(*m.kind),
            _ => m.kind.is_service(),
        };
        if let Some(span) = set
            && !accepted
        {
            c.error(
                Code::NotForType,
                span,
                path,
                format!("`{path}` is not a field of a {}", m.kind.as_str()),
                Some(format!(
                    "`{path}` belongs to {by}; remove it, or change `type`"
                )),
            );
        }
    }
    if let Some(env) = env {
        against_env(&mut c, m, env);
    }
}

/// The most a task definition may be, in bytes, as ECS registers it (the JSON of
/// RegisterTaskDefinition) (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html>,
/// "Task definition size").
pub const MAX_TASK_DEFINITION_BYTES: usize = 65_536;

/// What a task definition holds besides the main container's variables, secrets,
/// labels and commands, at most: family, roles, sizes, platform, port, log
/// configuration, health check (bytes).
const TASK_DEFINITION_OVERHEAD: usize = 4_096;

/// A log group's retention at `path`: one of the values CloudWatch Logs takes
/// ([`RETENTION_DAYS`]).
pub(super) fn retention(c: &mut Checker, r: &Spanned<u32>, path: &str) {
    if !RETENTION_DAYS.contains(&r.value) {
        let list = RETENTION_DAYS
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        c.error(
            Code::InvalidValue,
            r.span,
            path,
            format!("CloudWatch Logs cannot keep logs for {} days", r.value),
            Some(format!("use one of {list}")),
        );
    }
}

/// A container's health check at `at`, within ECS's bounds
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html>):
/// interval 5–300 s, timeout 2–60 s, retries 1–10, start period 0–300 s, and a command
/// starting with `CMD`, `CMD-SHELL` or `NONE`.
fn container_health(
    c: &mut Checker,
    hc: &crate::manifest::service::ContainerHealthCheck,
    at: &str,
) {
    if let Some(i) = &hc.interval {
        c.seconds(i, 5, 300, &format!("{at}.interval"));
    }
    if let Some(t) = &hc.timeout {
        c.seconds(t, 2, 60, &format!("{at}.timeout"));
    }
    if let Some(r) = &hc.retries {
        c.range(r.value, 1, 10, r.span, &format!("{at}.retries"), "");
    }
    if let Some(s) = &hc.start_period {
        c.seconds(s, 0, 300, &format!("{at}.start_period"));
    }
    match hc.command.args().first().map(String::as_str) {
        Some("CMD" | "CMD-SHELL" | "NONE") => {}
        _ => c.error(
            Code::InvalidValue,
            hc.command.span,
            &format!("{at}.command"),
            format!("`{at}.command` must start with `CMD` or `CMD-SHELL`"),
            Some(
                "for example `[\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]`"
                    .to_string(),
            ),
        ),
    }
}

/// Most subnets of a task's network interface
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html>).
pub const MAX_TASK_SUBNETS: usize = 16;

/// Most containers of a task definition
/// (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html>).
pub const MAX_CONTAINERS: usize = 10;

/// Most security groups of a task's network interface
/// (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html>).
pub const MAX_TASK_SECURITY_GROUPS: usize = 5;

/// `network.vpc`: subnet and security group IDs, and how many groups a task may have.
fn network_vpc(c: &mut Checker, m: &ServiceManifest) {
    use crate::manifest::service::GroupRef;
    let Some(vpc) = m.network.as_ref().and_then(|n| n.vpc.as_ref()) else {
        return;
    };
    if let Some(subnets) = &vpc.subnets {
        if subnets.len() > MAX_TASK_SUBNETS {
            c.error(
                Code::Limit,
                subnets[MAX_TASK_SUBNETS].span,
                "network.vpc.placement.subnets",
                format!(
                    "`placement.subnets` lists {} subnets; a task's network interface takes at most {MAX_TASK_SUBNETS}",
                    subnets.len()
                ),
                None,
            );
        }
        if subnets.is_empty() {
            c.error(
                Code::MissingField,
                vpc.placement.as_ref().map_or(m.name.span, |p| p.span),
                "network.vpc.placement.subnets",
                "`placement.subnets` lists no subnet",
                None,
            );
        }
        for (i, s) in subnets.iter().enumerate() {
            if subnets[..i].iter().any(|o| o.value == s.value) {
                c.error(
                    Code::InvalidValue,
                    s.span,
                    &format!("network.vpc.placement.subnets[{i}]"),
                    format!("subnet `{}` is listed twice", s.value),
                    None,
                );
            }
            if !super::aws_id(s, "subnet-") {
                c.error(
                    Code::InvalidValue,
                    s.span,
                    &format!("network.vpc.placement.subnets[{i}]"),
                    format!("`{}` is not a subnet ID", s.value),
                    Some("subnet IDs look like `subnet-0abc1234`".into()),
                );
            }
        }
    }
    if let Some(sg) = &vpc.security_groups {
        for (i, g) in sg.value.groups.iter().enumerate() {
            if sg.value.groups[..i].iter().any(|o| o.value == g.value) {
                c.error(
                    Code::InvalidValue,
                    g.span,
                    &format!("network.vpc.security_groups[{i}]"),
                    "this security group is listed twice",
                    None,
                );
            }
            if let GroupRef::FromCfn(e) = &g.value {
                export_name(c, e, g.span, &format!("network.vpc.security_groups[{i}]"));
            }
            if let GroupRef::Id(v) = &g.value
                && !super::aws_id(v, "sg-")
            {
                c.error(Code::InvalidValue, g.span, &format!("network.vpc.security_groups[{i}]"), format!("`{v}` is not a security group ID"), Some("security group IDs look like `sg-0abc1234`; a group exported by another stack is `{from_cfn: <export>}`".into()));
            }
        }
        let deny = sg.value.deny_default.as_ref().is_some_and(|d| d.value);
        // An imported load balancer reaches the tasks through a group of the stack's,
        // or when there is no room for it, the environment's; without that one, its own.
        let imported = m.imported_alb().is_some() && deny;
        let total = sg.value.groups.len() + usize::from(!deny) + usize::from(imported);
        if deny && sg.value.groups.is_empty() {
            c.error(
                Code::MissingField,
                sg.span,
                "network.vpc.security_groups",
                "`deny_default` leaves the tasks without any security group",
                Some("list the groups the tasks use in `groups`".into()),
            );
        }
        if deny
            && !sg.value.groups.is_empty()
            && crate::manifest::service::has_port(*m.kind)
            && let Some(d) = &sg.value.deny_default
        {
            if m.imported_alb().is_some() {
                c.warn(
                    Code::Reference,
                    d.span,
                    "network.vpc.security_groups.deny_default",
                    "without the environment's security group, only the listed groups let other services in (the imported load balancer reaches the tasks through a group wharf adds)",
                    Some("allow the calling services' groups on the container port in one of `groups`, if any call it".into()),
                );
            } else {
                c.warn(
                    Code::Reference,
                    d.span,
                    "network.vpc.security_groups.deny_default",
                    "without the environment's security group, only the listed groups let traffic in: the load balancer and other services reach the tasks only if one of them allows it",
                    Some("allow the environment's load balancer (or the calling services' groups) on the container port in one of `groups`".into()),
                );
            }
        }
        if total > MAX_TASK_SECURITY_GROUPS {
            c.error(Code::Limit, sg.span, "network.vpc.security_groups", format!("the tasks would have {total} security groups{}{}; ECS allows {MAX_TASK_SECURITY_GROUPS}", if deny { "" } else { " (with the environment's)" }, if imported { " (with the one the imported load balancer reaches them through)" } else { "" }), None);
        }
    }
}

/// A sidecar's fixed part of the task definition, at most (bytes): name, image, ports,
/// log configuration, health check.
const SIDECAR_OVERHEAD: usize = 1_024;

/// About what a container's variables, secrets, labels and commands take in the
/// registered task definition's JSON (bytes).
fn container_bytes(
    vars: &crate::manifest::decode::Keyed<Spanned<crate::manifest::service::Variable>>,
    secrets: &crate::manifest::decode::Keyed<Spanned<Secret>>,
    labels: &crate::manifest::decode::Keyed<Spanned<String>>,
    cmds: [Option<&Spanned<crate::manifest::common::Command>>; 2],
) -> usize {
    vars.iter()
        .map(|(k, v)| k.len() + v.text().map_or(64, str::len) + 24)
        .chain(secrets.iter().map(|(k, _)| k.len() + 2 * 160 + 32))
        .chain(labels.iter().map(|(k, v)| k.len() + v.len() + 8))
        .chain(
            cmds.into_iter()
                .flatten()
                .flat_map(|c| c.args().iter().map(|a| a.len() + 4)),
        )
        .sum()
}

/// Rules across fields, on the effective values (after overrides and interpolation).
fn effective_limits(c: &mut Checker, m: &ServiceManifest) {
    let readonly = m
        .task
        .storage
        .as_ref()
        .and_then(|s| s.readonly_fs.as_ref())
        .filter(|r| r.value);
    if let Some(ro) = readonly
        && m.exec()
    {
        // The SSM agent ECS Exec runs in the container writes to its file system
        // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, "Considerations").
        c.warn(
            Code::InvalidValue,
            ro.span,
            "storage.readonly_fs",
            "ECS Exec needs a writable root file system: with `readonly_fs: true`, `exec: true` sessions will not start",
            Some("turn off one of them".to_string()),
        );
    }
    if let Some(conn) = m.network.as_ref().and_then(|n| n.connect.as_ref())
        && conn.value.enabled
    {
        let windows = m.task.platform.as_ref().is_some_and(|p| p.os.is_windows());
        if windows {
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html, "Considerations".
            c.error(
                Code::InvalidValue,
                conn.span,
                "network.connect",
                "ECS Service Connect does not run Windows tasks",
                Some("remove `network.connect`, or use a Linux platform".to_string()),
            );
        }
        if let Some(alias) = &conn.value.alias
            && m.task.image.port.is_none()
        {
            c.error(
                Code::InvalidValue,
                alias.span,
                "network.connect.alias",
                "`network.connect.alias` names a port other services reach, and the service has no `image.port`",
                Some("add `image.port`, or use `network.connect: true` to only reach other services".to_string()),
            );
        }
    }
    // The containers' part of the registered task definition, as JSON: variables,
    // secrets, labels and commands of the main container and of every sidecar.
    let size: usize = container_bytes(
        &m.task.variables,
        &m.task.secrets,
        &m.task.image.labels,
        [m.task.command.as_ref(), m.task.entrypoint.as_ref()],
    ) + m
        .task
        .sidecars
        .iter()
        .map(|(_, s)| {
            let s = &s.value;
            SIDECAR_OVERHEAD
                + container_bytes(
                    &s.variables,
                    &s.secrets,
                    &s.labels,
                    [s.command.as_ref(), s.entrypoint.as_ref()],
                )
        })
        .sum::<usize>()
        + m.firelens().map_or(0, |l| {
            SIDECAR_OVERHEAD
                + container_bytes(&l.variables, &l.secrets, &Default::default(), [None, None])
                + container_bytes(
                    &Default::default(),
                    &l.secret_options,
                    &l.destination,
                    [None, None],
                )
        });
    if size + TASK_DEFINITION_OVERHEAD > MAX_TASK_DEFINITION_BYTES {
        let at = m
            .task
            .variables
            .iter()
            .next()
            .map_or(m.name.span, |(k, _)| k.span);
        c.error(
            Code::Limit,
            at,
            "variables",
            format!(
                "the task definition would be about {} KiB; ECS registers at most 64 KiB",
                (size + TASK_DEFINITION_OVERHEAD) / 1024
            ),
            Some("move large values to a secret, or into the image".to_string()),
        );
    }
}

fn image(c: &mut Checker, m: &ServiceManifest) {
    let img = &m.task.image;
    match (&img.build, &img.location) {
        (Some(_), Some(l)) => {
            c.error(
                Code::MutuallyExclusive,
                l.span,
                "image.location",
                "`image.build` and `image.location` cannot both be set",
                Some(
                    "build an image from a Dockerfile, or use an existing one, not both"
                        .to_string(),
                ),
            );
        }
        (None, None) if !m.was_unreadable("image.build") && !m.was_unreadable("image.location") => {
            c.error(
                Code::MissingField,
                img.span,
                "image",
                "`image` needs either `build` or `location`",
                None,
            )
        }
        (None, None) => {}
        (Some(b), None) => build(c, b, "image.build"),
        (None, Some(l)) => image_reference(c, l, "image.location"),
    }
    if let Some(r) = &img.repository {
        if img.location.is_some() {
            c.warn(
                Code::InvalidValue,
                r.span,
                "image.repository",
                "`image.repository` only applies to images wharf builds; `image.location` is used as is",
                None,
            );
        }
        if let Some(k) = &r.keep_images {
            c.range(k.value, 1, 1000, k.span, "image.repository.keep_images", "");
        }
    }
}

/// A build (`image.build`, or a sidecar's `image.build` at `path`): a mapping names a
/// Dockerfile or a context, and its build secrets are variable names.
pub(super) fn build(c: &mut Checker, b: &Spanned<Build>, path: &str) {
    if let Build::Args(a) = &b.value {
        if a.dockerfile.is_none() && a.context.is_none() {
            c.error(
                Code::MissingField,
                b.span,
                path,
                format!("`{path}` needs a `dockerfile` or a `context`"),
                None,
            );
        }
        build_secrets(c, a.secrets.as_deref().unwrap_or_default(), path);
    }
}

/// An existing image's reference at `path`: not empty, no white space.
pub(super) fn image_reference(c: &mut Checker, l: &Spanned<String>, path: &str) {
    if l.is_empty() || l.chars().any(char::is_whitespace) {
        c.error(
            Code::InvalidValue,
            l.span,
            path,
            format!("`{}` is not an image reference", l.value.escape_debug()),
            None,
        );
    }
}

/// `deployment.rollback_alarms`: names that can be alarm names (1 to 255 characters),
/// or at least one threshold, each a percentage.
fn rollback_alarms(
    c: &mut Checker,
    a: &Spanned<crate::manifest::service::RollbackAlarms>,
    kind: crate::manifest::service::ServiceType,
) {
    use crate::manifest::service::RollbackAlarms;
    let path = "deployment.rollback_alarms";
    match &a.value {
        RollbackAlarms::Names(names) => {
            if names.is_empty() {
                c.error(
                    Code::MissingField,
                    a.span,
                    path,
                    "`deployment.rollback_alarms` lists no alarm",
                    None,
                );
            }
            for n in names {
                if n.is_empty() || n.chars().count() > 255 {
                    c.error(
                        Code::InvalidValue,
                        n.span,
                        path,
                        format!(
                            "`{}` is not a CloudWatch alarm name (1 to 255 characters)",
                            n.value
                        ),
                        None,
                    );
                }
            }
        }
        RollbackAlarms::Thresholds {
            cpu_utilization,
            memory_utilization,
            messages_delayed,
        } => {
            if cpu_utilization.is_none()
                && memory_utilization.is_none()
                && messages_delayed.is_none()
            {
                c.error(
                    Code::MissingField,
                    a.span,
                    path,
                    "`deployment.rollback_alarms` needs `cpu_utilization`, `memory_utilization` (or a Worker Service's `messages_delayed`), or a list of alarm names",
                    None,
                );
            }
            if let Some(d) = messages_delayed {
                if kind != crate::manifest::service::ServiceType::WorkerService {
                    c.error(
                        Code::NotForType,
                        d.span,
                        "deployment.rollback_alarms.messages_delayed",
                        format!("`messages_delayed` is not a field of a {}", kind.as_str()),
                        Some("a `messages_delayed` alarm watches a Worker Service's queue".into()),
                    );
                } else if d.value == 0 {
                    c.error(
                        Code::Range,
                        d.span,
                        "deployment.rollback_alarms.messages_delayed",
                        "`messages_delayed` must be at least 1",
                        None,
                    );
                }
            }
            for (t, p) in [
                (
                    cpu_utilization,
                    "deployment.rollback_alarms.cpu_utilization",
                ),
                (
                    memory_utilization,
                    "deployment.rollback_alarms.memory_utilization",
                ),
            ] {
                if let Some(t) = t {
                    c.range(t.value, 1, 100, t.span, p, "%");
                }
            }
        }
    }
}

/// Build secret ids: what `--secret id=…` and an environment variable name both accept.
fn build_secrets(c: &mut Checker, secrets: &[Spanned<String>], build: &str) {
    let mut seen = std::collections::BTreeSet::new();
    let path = format!("{build}.secrets");
    let path = path.as_str();
    for s in secrets {
        if s.is_empty()
            || !s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            || s.starts_with(|ch: char| ch.is_ascii_digit())
        {
            c.error(
                Code::InvalidValue,
                s.span,
                path,
                format!("`{}` is not a build secret id", s.value),
                Some("an id is an environment variable name: letters, digits and `_`, not starting with a digit; its value comes from that variable".to_string()),
            );
        } else if !seen.insert(s.value.as_str()) {
            c.error(
                Code::DuplicateKey,
                s.span,
                path,
                format!("build secret `{}` is listed twice", s.value),
                None,
            );
        }
    }
}

fn size(c: &mut Checker, m: &ServiceManifest) {
    let platform = m
        .task
        .platform
        .as_ref()
        .map_or(Platform::default(), |p| p.value);
    if let Some(p) = &m.task.platform
        && p.os.is_windows()
        && p.arch == Arch::Arm64
    {
        c.error(
            Code::InvalidValue,
            p.span,
            "platform",
            "Windows tasks on Fargate run only on x86_64",
            None,
        );
        return;
    }
    let (dcpu, dmem) = if platform.os.is_windows() {
        (1024, 2048)
    } else {
        (256, 512)
    };
    let cpu = m.task.cpu.as_ref().map_or(dcpu, |c| c.value);
    let mem = m.task.memory.as_ref().map_or(dmem, |c| c.value);
    let anchor = m
        .task
        .cpu
        .as_ref()
        .or(m.task.memory.as_ref())
        .map(|s| s.span)
        .or(m.task.platform.as_ref().map(|p| p.span))
        .unwrap_or(m.name.span);
    match fargate::check(cpu, mem, platform) {
        Ok(()) => {}
        Err(SizeError::Cpu { message, allowed }) => {
            let span = m.task.cpu.as_ref().map_or(anchor, |s| s.span);
            let list = allowed
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            c.error(
                Code::Fargate,
                span,
                "cpu",
                message,
                Some(format!("Fargate CPU sizes for this platform: {list}")),
            );
        }
        Err(SizeError::Memory { message, allowed }) => {
            let span = m.task.memory.as_ref().map_or(anchor, |s| s.span);
            c.error(
                Code::Fargate,
                span,
                "memory",
                message,
                Some(format!("with {cpu} CPU units use {allowed} MiB")),
            );
        }
    }
}

fn count_rules(c: &mut Checker, m: &ServiceManifest, count: &Spanned<Count>) {
    let a: &Autoscaling = match &count.value {
        Count::Fixed(_) => return,
        Count::Auto(a) => a,
    };
    let spot_ok = |c: &mut Checker, span, path: &str| {
        let p = m
            .task
            .platform
            .as_ref()
            .map_or(Platform::default(), |p| p.value);
        // Fargate Spot runs Linux tasks, x86_64 and (since 2024) ARM64; not Windows
        // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
        if p.os.is_windows() {
            c.error(
                Code::InvalidValue,
                span,
                path,
                "Fargate Spot does not run Windows tasks",
                Some("remove the Spot setting, or use a Linux platform".to_string()),
            );
        }
    };
    if let Some(spot) = &a.spot {
        spot_ok(c, spot.span, "count.spot");
        if a.range.is_some()
            || [
                a.cpu_percentage.is_some(),
                a.memory_percentage.is_some(),
                a.requests.is_some(),
                a.response_time.is_some(),
            ]
            .contains(&true)
        {
            c.error(Code::MutuallyExclusive, spot.span, "count.spot", "`count.spot` is a fixed number of Spot tasks and cannot be combined with autoscaling", Some("to autoscale with Spot, use `range: {min, max, spot_from}`".to_string()));
        }
        return;
    }
    if let Some(r) = &a.range
        && let Some(from) = r.spot_from
    {
        spot_ok(c, r.span, "count.range.spot_from");
        if from == 0 {
            c.error(
                Code::Range,
                r.span,
                "count.range.spot_from",
                "`spot_from` counts tasks from 1",
                None,
            );
        }
    }
    let metrics = [
        a.cpu_percentage.is_some(),
        a.memory_percentage.is_some(),
        a.requests.is_some(),
        a.response_time.is_some(),
        a.queue_delay.is_some() || m.was_unreadable("count.queue_delay"),
    ];
    match &a.range {
        None if metrics.contains(&true) && !m.was_unreadable("count.range") => c.error(
            Code::MissingField,
            count.span,
            "count.range",
            "autoscaling needs `count.range` (like `1-10`)",
            None,
        ),
        None => {}
        Some(r) => {
            if r.min > r.max {
                c.error(
                    Code::Range,
                    r.span,
                    "count.range",
                    format!(
                        "`count.range` minimum {} is greater than its maximum {}",
                        r.min, r.max
                    ),
                    Some(format!("write it as `{}-{}`", r.max, r.min)),
                );
            }
            if r.max == 0 {
                c.error(
                    Code::Range,
                    r.span,
                    "count.range",
                    "`count.range` maximum must be at least 1",
                    None,
                );
            }
            if !metrics.contains(&true) {
                let targets = if *m.kind == crate::manifest::service::ServiceType::WorkerService {
                    "`cpu_percentage`, `memory_percentage` or `queue_delay`"
                } else {
                    "`cpu_percentage`, `memory_percentage`, `requests` or `response_time`"
                };
                c.error(
                    Code::MissingField,
                    r.span,
                    "count",
                    format!("`count.range` needs a scaling target: {targets}"),
                    None,
                );
            }
        }
    }
    for (metric, path) in [
        (&a.cpu_percentage, "count.cpu_percentage"),
        (&a.memory_percentage, "count.memory_percentage"),
    ] {
        if let Some(p) = metric {
            c.range(p.value.value, 1, 100, p.span, path, "%");
            cooldowns(c, p.value.cooldown.as_ref(), path);
        }
    }
    if let Some(r) = &a.requests {
        c.range(r.value.value, 1, 1_000_000, r.span, "count.requests", "");
        cooldowns(c, r.value.cooldown.as_ref(), "count.requests");
    }
    if let Some(rt) = &a.response_time {
        let Metric { value, cooldown } = &rt.value;
        if value.as_millis() == 0 {
            c.error(
                Code::Range,
                rt.span,
                "count.response_time",
                "`count.response_time` must be more than 0s",
                None,
            );
        }
        cooldowns(c, cooldown.as_ref(), "count.response_time");
    }
    cooldowns(c, a.cooldown.as_ref(), "count");
    super::messaging::queue_delay(c, m, a);
    // A Backend Service with `http` is behind the internal load balancer, whose request
    // metrics it scales on.
    if !m.has_lb() {
        for (set, key) in [
            (&a.requests.as_ref().map(|s| s.span), "requests"),
            (&a.response_time.as_ref().map(|s| s.span), "response_time"),
        ] {
            if let Some(span) = set {
                c.error(
                    Code::InvalidValue,
                    *span,
                    &format!("count.{key}"),
                    format!(
                        "`count.{key}` needs a load balancer; a {} has none",
                        m.kind.as_str()
                    ),
                    Some("scale on `cpu_percentage` or `memory_percentage` instead".to_string()),
                );
            }
        }
    }
}

fn cooldowns(c: &mut Checker, cd: Option<&crate::manifest::service::Cooldown>, path: &str) {
    let Some(cd) = cd else { return };
    if let Some(i) = &cd.scale_in {
        c.seconds(i, 0, 86_400, &format!("{path}.cooldown.in"));
    }
    if let Some(o) = &cd.scale_out {
        c.seconds(o, 0, 86_400, &format!("{path}.cooldown.out"));
    }
}

/// The main container's, each sidecar's and the log router's variables and secrets.
fn variables_and_secrets(c: &mut Checker, m: &ServiceManifest) {
    container_env(c, &m.task.variables, &m.task.secrets, "");
    for (name, s) in m.task.sidecars.iter() {
        let prefix = format!("sidecars.{}.", name.value);
        container_env(c, &s.value.variables, &s.value.secrets, &prefix);
    }
    if let Some(l) = &m.task.logging {
        container_env(c, &l.variables, &l.secrets, "logging.");
        secret_refs(c, &l.secret_options, "logging.secretOptions");
    }
}

/// One container's `variables` and `secrets` (paths under `prefix`): variable names,
/// wharf's own prefixes, secret-looking plain values, a name set both ways, secret
/// references and `from_cfn` exports.
fn container_env(
    c: &mut Checker,
    variables: &Keyed<Spanned<Variable>>,
    secrets: &Keyed<Spanned<Secret>>,
    prefix: &str,
) {
    let secret_names: std::collections::HashSet<&str> =
        secrets.iter().map(|(k, _)| k.value.as_str()).collect();
    for (k, v) in variables.iter() {
        let path = format!("{prefix}variables.{}", k.value);
        if k.is_empty() || k.contains('=') {
            c.error(
                Code::InvalidValue,
                k.span,
                &path,
                format!("`{}` is not a valid environment variable name", k.value),
                None,
            );
        }
        if RESERVED_PREFIXES.iter().any(|p| k.starts_with(p)) {
            c.warn(
                Code::InvalidValue,
                k.span,
                &path,
                format!(
                    "`{}` uses a prefix wharf sets itself; your value replaces wharf's",
                    k.value
                ),
                None,
            );
        }
        if looks_secret(k) && v.text().is_some_and(|t| !t.is_empty()) {
            c.warn(
                Code::SecretInVariables,
                v.span,
                &path,
                format!("`{}` looks like a secret but is a plain variable", k.value),
                Some("plain variables are readable by anyone who can describe the task definition; store the value as an SSM SecureString parameter or a Secrets Manager secret and reference it under `secrets:`".to_string()),
            );
        }
        if secret_names.contains(k.value.as_str()) {
            c.error(
                Code::InvalidValue,
                k.span,
                &path,
                format!("`{}` is set both as a variable and as a secret", k.value),
                Some("keep one of them".to_string()),
            );
        }
        if let Variable::FromCfn(name) = &v.value {
            export_name(c, name, name.span, &path);
        }
    }
    secret_refs(c, secrets, &format!("{prefix}secrets"));
}

/// Each secret reference under `at` names an SSM parameter, a Secrets Manager secret
/// or an export.
fn secret_refs(c: &mut Checker, secrets: &Keyed<Spanned<Secret>>, at: &str) {
    for (k, s) in secrets.iter() {
        let path = format!("{at}.{}", k.value);
        match &s.value {
            Secret::Ssm(name) => {
                let ok = name.starts_with("arn:")
                    || (!name.is_empty()
                        && name
                            .chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || "_.-/".contains(ch)));
                if !ok {
                    c.error(
                        Code::InvalidValue,
                        s.span,
                        &path,
                        format!("`{name}` is not an SSM parameter name or ARN"),
                        Some("SSM parameter names use letters, digits and `_.-/`".to_string()),
                    );
                }
            }
            Secret::SecretsManager { secretsmanager } => {
                if secretsmanager.is_empty() {
                    c.error(
                        Code::InvalidValue,
                        s.span,
                        &path,
                        "`secretsmanager` needs a secret name or ARN",
                        None,
                    );
                }
            }
            Secret::FromCfn { from_cfn } => export_name(c, from_cfn, s.span, &path),
        }
    }
}

/// A CloudFormation export name: 1 to 255 letters, digits, `-` and `:`
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html>).
pub(super) fn export_name(
    c: &mut Checker,
    name: &str,
    span: crate::manifest::source::Span,
    path: &str,
) {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == ':');
    if !ok {
        c.error(
            Code::InvalidValue,
            span,
            path,
            format!("`{name}` is not a CloudFormation export name"),
            Some(
                "export names use letters, digits, `-` and `:`, at most 255 characters".to_string(),
            ),
        );
    }
}

/// Target groups per ECS service
/// (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html>).
pub const SERVICE_TARGET_GROUPS: usize = 5;

/// One target group per rule of `http` and per listener of `nlb`, within what one ECS
/// service takes; located at the first one past the quota.
fn target_groups(c: &mut Checker, m: &ServiceManifest) {
    let mut places: Vec<(crate::manifest::source::Span, String)> = Vec::new();
    if let Some(h) = m.http() {
        places.push((h.span, "http".into()));
        for (i, r) in h.additional_rules.iter().enumerate() {
            places.push((r.span, format!("http.additional_rules[{i}]")));
        }
    }
    if let Some(n) = m.nlb() {
        places.push((n.span, "nlb".into()));
        for (i, l) in n.additional_listeners.iter().enumerate() {
            places.push((l.span, format!("nlb.additional_listeners[{i}]")));
        }
    }
    if let Some((span, at)) = places.get(SERVICE_TARGET_GROUPS) {
        c.error(
            Code::Limit,
            *span,
            at,
            format!(
                "this service would have {} target groups (one per rule of `http` and per listener of `nlb`); an ECS service takes {SERVICE_TARGET_GROUPS}",
                places.len()
            ),
            Some("route more paths to one rule, or split the service".into()),
        );
    }
}

fn against_env(c: &mut Checker, m: &ServiceManifest, env: &EnvManifest) {
    if let Some(q) = m.count().and_then(|n| match &n.value {
        crate::manifest::service::Count::Auto(a) => a.queue_delay.as_ref(),
        _ => None,
    }) && env
        .observability
        .as_ref()
        .and_then(|o| o.container_insights)
        == Some(false)
    {
        c.error(
            Code::Reference,
            q.span,
            "count.queue_delay",
            format!(
                "scaling on the queue needs Container Insights, and environment `{}` turns it off",
                env.name.value
            ),
            Some("remove `observability.container_insights: false` from the environment manifest (wharf turns it on for queue-based scaling)".into()),
        );
    }
    if !env.imports_vpc() {
        return;
    }
    let subnets = env.vpc().and_then(|v| v.subnets.as_ref());
    let has_public = subnets
        .and_then(|s| s.public.as_ref())
        .is_some_and(|p| !p.is_empty());
    let has_private = subnets
        .and_then(|s| s.private.as_ref())
        .is_some_and(|p| !p.is_empty());
    let placement_span = m
        .network
        .as_ref()
        .and_then(|n| n.vpc.as_ref())
        .and_then(|v| v.placement.as_ref())
        .map_or(m.name.span, |p| p.span);
    let env_name = &env.name.value;
    let own_subnets = !m.in_env_private_subnets() && m.placement() == Placement::Private;
    match m.placement() {
        _ if own_subnets => {}
        Placement::Private if !has_private => c.error(Code::Reference, placement_span, "network.vpc.placement", format!("private placement needs private subnets, and environment `{env_name}` imports a VPC without any"), Some("add `network.vpc.subnets.private` to the environment manifest".to_string())),
        Placement::Public if !has_public => c.error(Code::Reference, placement_span, "network.vpc.placement", format!("public placement needs public subnets, and environment `{env_name}` imports a VPC without any"), Some("set `network.vpc.placement: private`, or add public subnets to the environment".to_string())),
        _ => {}
    }
    // Distinct subnets: one listed twice is still one zone.
    let public = subnets.and_then(|s| s.public.as_ref()).map_or(0, |p| {
        p.iter()
            .filter_map(|s| s.id.as_ref().map(|i| i.value.as_str()))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    });
    let internal_subnets = env
        .private_http()
        .is_some_and(|p| p.subnets.as_ref().is_some_and(|s| !s.is_empty()));
    if m.is_internally_load_balanced() && !has_private && !internal_subnets {
        c.error(Code::Reference, m.kind.span, "type", format!("a Backend Service with `http` is behind the internal load balancer, which goes in private subnets, and environment `{env_name}` imports a VPC without any"), Some("add `network.vpc.subnets.private` (or `http.private.subnets`) to the environment manifest".into()));
    }
    // An imported `http.alb` is in subnets of its own; an `nlb` is in the public ones.
    let needs_public = m.on_public_alb() || m.nlb().is_some();
    if needs_public && !has_public {
        c.error(Code::Reference, m.kind.span, "type", format!("a Load Balanced Web Service needs public subnets for the load balancer, and environment `{env_name}` has none"), None);
    } else if m.on_public_alb() && public < 2 {
        // An Application Load Balancer needs subnets in two or more zones
        // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones).
        c.error(
            Code::Range,
            m.kind.span,
            "type",
            format!("a Load Balanced Web Service's load balancer needs public subnets in at least 2 availability zones, and environment `{env_name}` imports a VPC with 1"),
            Some("list 2 or more public subnets of different zones in the environment's `network.vpc.subnets.public`".into()),
        );
    }
}
