//! Reading service manifests from nodes: one `Decode` impl per type, each declaring its
//! fields (and the Copilot fields wharf does not support yet) through `Fields`.

use super::*;
use crate::manifest::common::{Command, decode_choice};
use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::diag::{Code, Diagnostic};
use crate::manifest::yaml::{Node, Value};

impl Decode for Variable {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if crate::manifest::decode::refuse_function(node, cx) {
            return None;
        }
        match &node.value {
            Value::Scalar(s) => Some(Variable::Text(if node.is_null() {
                String::new()
            } else {
                s.text.clone()
            })),
            Value::Map(_) => {
                let mut f = Fields::new(node, cx, "variable")?;
                let name = f.req(cx, "from_cfn");
                f.finish(cx);
                name.map(Variable::FromCfn)
            }
            Value::Seq(_) => {
                cx.type_error(
                    node,
                    "a string, number or boolean, or `{from_cfn: <export>}`",
                );
                None
            }
        }
    }
}

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
            volumes: f.opt(cx, "volumes").unwrap_or_default(),
        };
        f.finish(cx);
        Some(st)
    }
}
const NOT_ECS_YET: &str = "This workload type";

impl Decode for ServiceManifest {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "manifest")?;
        // The type decides which fields exist: a type wharf cannot compile is reported
        // once, without a cascade of errors about fields of the other schema.
        let kind = match f.node("type") {
            Some(n) => Some(decode_type(n, cx)?),
            None => {
                f.req::<String>(cx, "type");
                None
            }
        };
        if let Some(k) = &kind {
            refuse_other_types(&mut f, cx, k.value);
        }
        let name = f.req::<Spanned<String>>(cx, "name");
        let image = f.req(cx, "image");
        // Every task field is read (and checked) even when `image` is missing.
        let (cpu, memory, platform) =
            (f.opt(cx, "cpu"), f.opt(cx, "memory"), f.opt(cx, "platform"));
        let (entrypoint, command) = (f.opt(cx, "entrypoint"), f.opt(cx, "command"));
        let variables = f.opt(cx, "variables").unwrap_or_default();
        let secrets = f.opt(cx, "secrets").unwrap_or_default();
        let (logging, storage) = (f.opt(cx, "logging"), f.opt(cx, "storage"));
        let sidecars = f.opt(cx, "sidecars").unwrap_or_default();
        let env_file = f.opt(cx, "env_file");
        let taskdef_overrides = match f.node("taskdef_overrides") {
            Some(n) => cx
                .at("taskdef_overrides", |cx| taskdef::decode_rules(n, cx))
                .unwrap_or_else(|| {
                    cx.failed.push("taskdef_overrides".into());
                    Vec::new()
                }),
            None => Vec::new(),
        };
        let task = image.map(|image| Task {
            image,
            cpu,
            memory,
            platform,
            entrypoint,
            command,
            variables,
            secrets,
            logging,
            storage,
            sidecars,
            taskdef_overrides,
            env_file,
        });
        let network = f.opt(cx, "network");
        let publish = f.opt(cx, "publish");
        let workload = match kind.as_ref().map(|k| k.value) {
            Some(ServiceType::ScheduledJob) => {
                let schedule = match f.node("on") {
                    Some(n) => cx.at("on", |cx| job::decode_on(n, cx)),
                    None => {
                        let d = Diagnostic::error(
                            Code::MissingField,
                            "missing required field `on.schedule`: when the job runs",
                        )
                        .at(f.key_span("on").unwrap_or(node.span))
                        .path("on.schedule")
                        .help("for example `on:\n  schedule: \"@daily\"` (or `none` to run it only when started)");
                        cx.report(d);
                        None
                    }
                };
                let retries = f.opt(cx, "retries");
                let timeout = f.opt(cx, "timeout");
                // A missing or bad schedule is reported; the job's other fields are
                // still read and checked (nothing is compiled with errors).
                let schedule = schedule.unwrap_or_else(|| Spanned::new(Schedule::None, node.span));
                Some(Workload::ScheduledJob(Job {
                    schedule,
                    retries,
                    timeout,
                }))
            }
            Some(t) => {
                let service = ServicePart {
                    count: f.opt(cx, "count"),
                    exec: f.opt(cx, "exec"),
                    deployment: f.opt(cx, "deployment"),
                    observability: f.opt(cx, "observability"),
                };
                // `http: false`: no load balancer routing (with `nlb`, only that).
                let http_off = node
                    .get("http")
                    .filter(|n| {
                        n.as_str().and_then(crate::manifest::decode::parse_bool) == Some(false)
                    })
                    .map(|n| n.span);
                let http = if http_off.is_some() {
                    f.node("http");
                    None
                } else {
                    f.opt(cx, "http")
                };
                Some(match t {
                    ServiceType::LoadBalancedWebService => Workload::LoadBalancedWebService {
                        service,
                        http,
                        http_off,
                        nlb: f.opt(cx, "nlb").map(Box::new),
                    },
                    ServiceType::BackendService => Workload::BackendService { service, http },
                    _ => Workload::WorkerService {
                        service,
                        subscribe: f.opt(cx, "subscribe"),
                    },
                })
            }
            None => None,
        };
        f.finish(cx);
        Some(ServiceManifest {
            name: name?,
            kind: kind?,
            task: task?,
            network,
            publish,
            workload: workload?,
            unreadable: cx.take_failed(),
            patches: Vec::new(),
            addons: None,
        })
    }
}

/// Reports each top-level field of `node` that `kind` does not accept, naming the types
/// that do (`TYPE_FIELDS`), and marks it read so it is not also "unknown".
fn refuse_other_types(f: &mut Fields, cx: &mut Cx, kind: ServiceType) {
    for (key, types) in TYPE_FIELDS {
        if types.contains(&kind) {
            continue;
        }
        let Some(span) = f.key_span(key) else {
            continue;
        };
        f.node(key);
        let path = cx.child_path(key);
        cx.failed.push(path.clone());
        let by = accepted_by(key).unwrap_or_default();
        let d = Diagnostic::error(
            Code::NotForType,
            format!("`{path}` is not a field of a {}", kind.as_str()),
        )
        .at(span)
        .label(format!("not a {} field", kind.as_str()))
        .help(format!(
            "`{key}` belongs to {by}; remove it, or change `type`"
        ))
        .path(path);
        cx.report(d);
    }
}

fn decode_type(node: &Node, cx: &mut Cx) -> Option<Spanned<ServiceType>> {
    let s = cx.at("type", |cx| String::decode(node, cx))?;
    if let Some(t) = ServiceType::parse(&s) {
        return Some(Spanned::new(t, node.span));
    }
    if UNSUPPORTED_TYPES.contains(&s.as_str()) {
        let d = Diagnostic::error(
            Code::UnsupportedType,
            format!("service type `{s}` is not supported by wharf yet"),
        )
        .at(node.span)
        .label("not supported yet")
        .help(format!(
            "{NOT_ECS_YET} is not available in this version of wharf; supported types: {}",
            supported_list()
        ))
        .path("type");
        cx.report(d);
        return None;
    }
    let d = Diagnostic::error(Code::InvalidValue, format!("unknown service type `{s}`"))
        .at(node.span)
        .path("type")
        .help(crate::manifest::common::one_of(
            &s,
            &ServiceType::ALL.map(ServiceType::as_str),
        ));
    cx.report(d);
    None
}
/// The types wharf compiles, as `` `A`, `B` `` for messages.
fn supported_list() -> String {
    ServiceType::ALL
        .iter()
        .map(|t| format!("`{}`", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
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
            repository: f.opt(cx, "repository"),
            depends_on: f.opt(cx, "depends_on").unwrap_or_default(),
            credentials: f.opt(cx, "credentials"),
        };
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
            labels: f.opt(cx, "labels").unwrap_or_default(),
            secrets: f.opt(cx, "secrets"),
        };
        f.finish(cx);
        Some(Build::Args(Box::new(b)))
    }
}
impl Decode for RepositoryConfig {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "image.repository")?;
        let r = RepositoryConfig {
            scan_on_push: f.opt(cx, "scan_on_push"),
            immutable_tags: f.opt(cx, "immutable_tags"),
            keep_images: f.opt(cx, "keep_images"),
        };
        f.finish(cx);
        Some(r)
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
                    queue_delay: f.opt(cx, "queue_delay"),
                };
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
        let import: Option<String> = f.opt(cx, "from_cfn");
        let both = sm.is_some() && import.is_some();
        f.finish(cx);
        if both {
            let path = cx.path();
            cx.invalid(
                node.span,
                format!("`{path}` has both `secretsmanager` and `from_cfn`"),
                Some("a secret comes from one of them".into()),
            );
            return None;
        }
        match (sm, import) {
            (Some(s), _) => Some(Secret::SecretsManager { secretsmanager: s }),
            (None, Some(e)) => Some(Secret::FromCfn { from_cfn: e }),
            (None, None) => {
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
/// Most tag keys `from_tags` may filter on, and values per key (DescribeSubnets takes
/// at most 200 values in all; these keep a manifest's lookup well inside that).
const MAX_TAG_KEYS: usize = 10;
const MAX_TAG_VALUES: usize = 10;

/// `subnets: {from_tags: {key: value | [values]}}`.
fn decode_from_tags(
    node: &Node,
    cx: &mut Cx,
) -> Option<Spanned<std::collections::BTreeMap<String, Vec<String>>>> {
    let mut f = Fields::new(node, cx, "subnets")?;
    let tags = f.node("from_tags");
    if tags.is_none() {
        f.req::<String>(cx, "from_tags");
    }
    f.finish(cx);
    let tags = tags?;
    cx.at("from_tags", |cx| {
        let Value::Map(entries) = &tags.value else {
            cx.type_error(tags, "a mapping of tag keys to a value or a list of values");
            return None;
        };
        if entries.is_empty() || entries.len() > MAX_TAG_KEYS {
            cx.invalid(
                tags.span,
                format!(
                    "`from_tags` needs 1 to {MAX_TAG_KEYS} tag keys, found {}",
                    entries.len()
                ),
                None,
            );
            return None;
        }
        let mut out = std::collections::BTreeMap::new();
        let mut ok = true;
        for e in entries {
            let values = cx.at(e.key.clone(), |cx| match &e.value.value {
                Value::Seq(_) => Vec::<String>::decode(&e.value, cx),
                _ => String::decode(&e.value, cx).map(|v| vec![v]),
            });
            match values {
                Some(v) if !v.is_empty() && v.len() <= MAX_TAG_VALUES && !e.key.is_empty() => {
                    out.insert(e.key.clone(), v);
                }
                Some(v) => {
                    cx.at(e.key.clone(), |cx| {
                        cx.invalid(
                            e.value.span,
                            format!(
                                "tag `{}` needs 1 to {MAX_TAG_VALUES} values, found {}",
                                e.key,
                                v.len()
                            ),
                            None,
                        )
                    });
                    ok = false;
                }
                None => ok = false,
            }
        }
        ok.then(|| Spanned::new(out, tags.span))
    })
}

impl Decode for NetworkVpc {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "network.vpc")?;
        let mut subnets = None;
        let mut subnet_tags = None;
        let placement = f.node("placement").and_then(|n| {
            cx.at("placement", |cx| match &n.value {
                Value::Map(_) => {
                    let mut p = Fields::new(n, cx, "network.vpc.placement")?;
                    match p.node("subnets") {
                        Some(s) if matches!(s.value, Value::Map(_)) => {
                            subnet_tags = cx.at("subnets", |cx| decode_from_tags(s, cx));
                        }
                        Some(s) => {
                            subnets = cx.at("subnets", |cx| Vec::<Spanned<String>>::decode(s, cx));
                        }
                        None => {
                            p.req::<String>(cx, "subnets");
                        }
                    }
                    p.finish(cx);
                    // Subnets chosen by ID get no public IP, as private ones.
                    Some(Spanned::new(Placement::Private, n.span))
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
        let security_groups = f.opt(cx, "security_groups");
        f.finish(cx);
        Some(NetworkVpc {
            placement,
            subnets,
            subnet_tags,
            security_groups,
        })
    }
}
impl Decode for GroupRef {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return String::decode(node, cx).map(GroupRef::Id);
        }
        let mut f = Fields::new(node, cx, "security group")?;
        let e = f.req(cx, "from_cfn");
        f.finish(cx);
        e.map(GroupRef::FromCfn)
    }
}
impl Decode for SecurityGroups {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Seq(_) = node.value {
            return Vec::<Spanned<GroupRef>>::decode(node, cx).map(|groups| SecurityGroups {
                groups,
                deny_default: None,
            });
        }
        let mut f = Fields::new(node, cx, "network.vpc.security_groups")?;
        let s = SecurityGroups {
            groups: f.opt(cx, "groups").unwrap_or_default(),
            deny_default: f.opt(cx, "deny_default"),
        };
        f.finish(cx);
        Some(s)
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
        let rollback_alarms = f.opt(cx, "rollback_alarms");
        f.finish(cx);
        Some(Deployment {
            rolling,
            rollback_alarms,
        })
    }
}
impl Decode for RollbackAlarms {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Seq(_) = node.value {
            return Vec::<Spanned<String>>::decode(node, cx).map(RollbackAlarms::Names);
        }
        let mut f = Fields::new(node, cx, "deployment.rollback_alarms")?;
        let r = RollbackAlarms::Thresholds {
            cpu_utilization: f.opt(cx, "cpu_utilization"),
            memory_utilization: f.opt(cx, "memory_utilization"),
            messages_delayed: f.opt(cx, "messages_delayed"),
        };
        f.finish(cx);
        Some(r)
    }
}
impl Decode for Logging {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "logging")?;
        // An empty `destination` would mean no log router at all: said, not dropped.
        if let Some(d) = node.get("destination")
            && d.as_map().is_some_and(<[_]>::is_empty)
        {
            cx.at("destination", |cx| {
                cx.invalid(
                    d.span,
                    "`logging.destination` is empty",
                    Some("give the output's options, `Name` first (e.g. `Name: cloudwatch_logs`), or remove `destination`".into()),
                )
            });
        }
        let l = Logging {
            retention: f.opt(cx, "retention"),
            image: f.opt(cx, "image"),
            destination: f.opt(cx, "destination").unwrap_or_default(),
            enable_metadata: f.opt(cx, "enableMetadata"),
            secret_options: f.opt(cx, "secretOptions").unwrap_or_default(),
            config_file_path: f.opt(cx, "configFilePath"),
            variables: f.opt(cx, "variables").unwrap_or_default(),
            secrets: f.opt(cx, "secrets").unwrap_or_default(),
            env_file: f.opt(cx, "env_file"),
        };
        f.finish(cx);
        Some(l)
    }
}

impl Decode for Observability {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "observability")?;
        let o = Observability {
            tracing: f.opt(cx, "tracing"),
        };
        f.finish(cx);
        Some(o)
    }
}

impl Decode for Tracing {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        decode_choice(node, cx, &["awsxray"]).map(|_| Tracing::AwsXray)
    }
}
