//! JSON Schema of the manifests (for editors, `wharf schema`) and an index of which keys
//! belong where, derived from it, used to point out mis-indented keys. Pure.

use super::app::AppManifest;
use super::decode::KeyIndex;
use super::environment::EnvManifest;
use super::service::ServiceManifest;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Which manifest a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `<service>/manifest.yml`.
    Service,
    /// `environments/<env>/manifest.yml`.
    Environment,
    /// `app.yml`.
    Application,
}

/// The JSON Schema (draft 2020-12) of one kind of manifest.
pub fn schema(kind: Kind) -> Value {
    let s = match kind {
        Kind::Service => schemars::schema_for!(ServiceManifest),
        Kind::Environment => schemars::schema_for!(EnvManifest),
        Kind::Application => schemars::schema_for!(AppManifest),
    };
    let mut v = s.to_value();
    if let (Kind::Environment, Some(props)) = (kind, v.pointer_mut("/properties/type")) {
        *props = json!({"const": "Environment", "description": "Always `Environment`."});
    }
    v
}

/// One schema that accepts any of the three manifests.
pub fn combined() -> Value {
    let mut defs = Map::new();
    let mut any = Vec::new();
    for (kind, name) in [
        (Kind::Service, "ServiceManifest"),
        (Kind::Environment, "EnvManifest"),
        (Kind::Application, "AppManifest"),
    ] {
        let mut s = schema(kind);
        if let Some(Value::Object(d)) = s.as_object_mut().and_then(|o| o.remove("$defs")) {
            defs.extend(d);
        }
        if let Some(o) = s.as_object_mut() {
            o.remove("$schema");
        }
        defs.insert(name.to_string(), s);
        any.push(json!({"$ref": format!("#/$defs/{name}")}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "wharf manifest",
        "anyOf": any,
        "$defs": defs,
    })
}

/// Key → the dotted paths of the mappings it is valid in, for all three manifests.
pub struct SchemaKeys {
    parents: BTreeMap<String, Vec<String>>,
}

impl SchemaKeys {
    /// Builds the index from the schemas.
    pub fn build() -> Self {
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let s = schema(Kind::Service);
        visit_properties(&s, &s, "", 0, &mut |key, parent| {
            parents
                .entry(key.to_string())
                .or_default()
                .push(parent.to_string())
        });
        for v in parents.values_mut() {
            v.sort();
            v.dedup();
        }
        SchemaKeys { parents }
    }
}

impl KeyIndex for SchemaKeys {
    fn parents_of(&self, key: &str) -> Vec<String> {
        self.parents.get(key).cloned().unwrap_or_default()
    }
}

/// A [`KeyIndex`] built on first use (most runs never need it).
#[derive(Default)]
pub struct LazyKeys(std::sync::OnceLock<SchemaKeys>);

impl KeyIndex for LazyKeys {
    fn parents_of(&self, key: &str) -> Vec<String> {
        self.0.get_or_init(SchemaKeys::build).parents_of(key)
    }
}

fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#"))
    {
        Some(ptr) => root.pointer(ptr).unwrap_or(v),
        None => v,
    }
}

/// Calls `f(key, parent_path)` for every property the schema declares, following
/// references, alternatives and list items.
pub fn visit_properties(
    root: &Value,
    v: &Value,
    path: &str,
    depth: usize,
    f: &mut impl FnMut(&str, &str),
) {
    if depth > 16 {
        return;
    }
    let v = resolve(root, v);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = v.get(key) {
            for a in alts {
                visit_properties(root, a, path, depth + 1, f);
            }
        }
    }
    if let Some(items) = v.get("items") {
        visit_properties(root, items, path, depth + 1, f);
    }
    if let Some(Value::Object(props)) = v.get("properties") {
        for (k, sub) in props {
            f(k, path);
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            visit_properties(root, sub, &child, depth + 1, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_rejects_unknown_keys_and_names_fields() {
        let s = schema(Kind::Service);
        assert_eq!(s["additionalProperties"], json!(false));
        let props = s["properties"].as_object().unwrap();
        for k in [
            "name",
            "type",
            "image",
            "cpu",
            "memory",
            "count",
            "http",
            "variables",
            "secrets",
            "deployment",
        ] {
            assert!(props.contains_key(k), "{k}");
        }
        assert!(s.to_string().contains("Load Balanced Web Service"));
    }

    #[test]
    fn key_index_knows_nested_fields() {
        let k = SchemaKeys::build();
        assert_eq!(
            k.parents_of("port"),
            [
                "http.additional_rules.healthcheck",
                "http.healthcheck",
                "image",
                "nlb",
                "nlb.additional_listeners",
                "nlb.additional_listeners.healthcheck",
                "nlb.healthcheck"
            ]
        );
        assert_eq!(
            k.parents_of("grace_period"),
            [
                "http.additional_rules.healthcheck",
                "http.healthcheck",
                "nlb.additional_listeners.healthcheck",
                "nlb.healthcheck"
            ]
        );
        assert!(k.parents_of("nope").is_empty());
    }

    #[test]
    fn combined_schema_has_all_three() {
        let c = combined();
        assert_eq!(c["anyOf"].as_array().unwrap().len(), 3);
        assert!(c["$defs"]["EnvManifest"].is_object());
    }
}

#[cfg(test)]
mod agreement {
    //! The schema and the decoder must describe the same fields: a manifest that uses
    //! every field decodes cleanly, every key it uses is in the schema at that place, and
    //! every schema property is used by it.

    use super::*;
    use crate::manifest::decode::{Cx, Decode};
    use crate::manifest::diag::Diagnostics;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml::{self, Node, Value as Y};
    use std::collections::BTreeSet;

    const WORKER: &str = r#"
name: worker
type: Worker Service
image:
  build: Dockerfile
network:
  vpc:
    security_groups: [sg-0abc, {from_cfn: shared-sg}]
    placement: {subnets: {from_tags: {tier: [app, apps]}}}
deployment:
  rollback_alarms: {messages_delayed: 5}
count:
  range: 1-10
  queue_delay:
    acceptable_latency: 1m
    msg_processing_time: 1s
    cooldown: {in: 60s, out: 30s}
publish:
  topics:
    - name: done
      fifo: {content_based_deduplication: true}
subscribe:
  queue:
    retention: 1h
    delay: 1s
    timeout: 30s
    dead_letter: {tries: 3}
    fifo:
      content_based_deduplication: true
      deduplication_scope: messageGroup
      throughput_limit: perMessageGroupId
      high_throughput: false
  topics:
    - name: orders
      service: api
      filter_policy: {store: [x]}
      queue:
        retention: 1h
        delay: 1s
        timeout: 30s
        dead_letter: {tries: 3}
        fifo:
          content_based_deduplication: true
          deduplication_scope: messageGroup
          throughput_limit: perMessageGroupId
          high_throughput: false
"#;

    const JOB: &str = r#"
name: nightly
type: Scheduled Job
taskdef_overrides:
  - path: ContainerDefinitions[0].Ulimits[-]
    value: {Name: nofile, SoftLimit: 1, HardLimit: 2}
image:
  build: Dockerfile
on:
  schedule: "@daily"
network:
  vpc:
    placement: {subnets: [subnet-0abc1234]}
retries: 2
timeout: 1h
"#;

    const SERVICE: &str = r#"
name: web
type: Load Balanced Web Service
image:
  location: web:latest
  build:
    dockerfile: web/Dockerfile
    context: web
    args: {VERSION: 1}
    target: runtime
    cache_from: [web:cache]
    labels: {team: shop}
    secrets: [NPM_TOKEN]
  repository:
    scan_on_push: true
    immutable_tags: false
    keep_images: 30
  port: 8080
  healthcheck:
    command: [CMD-SHELL, "true"]
    interval: 10s
    retries: 3
    timeout: 5s
    start_period: 5s
  labels: {team: web}
  depends_on: {proxy: start}
  credentials: arn:aws:secretsmanager:us-east-1:111122223333:secret:reg
sidecars:
  proxy:
    image: envoy
    port: 9901
cpu: 512
memory: 1024
platform: {osfamily: linux, architecture: arm64}
count:
  range: {min: 1, max: 4, spot_from: 2}
  spot: 3
  cooldown: {in: 1m, out: 30s}
  cpu_percentage: {value: 60, cooldown: {in: 1m, out: 1m}}
  memory_percentage: {value: 70, cooldown: {in: 1m, out: 1m}}
  requests: {value: 100, cooldown: {in: 1m, out: 1m}}
  response_time: {value: 1s, cooldown: {in: 2m, out: 1m}}
exec: true
entrypoint: [sh, -c]
command: npm start
variables: {LOG_LEVEL: info}
secrets:
  A: /web/a
  B: {secretsmanager: web/b}
network:
  vpc:
    placement: private
    security_groups: {groups: [sg-0abc, {from_cfn: shared-sg}], deny_default: false}
  connect: {alias: web}
storage:
  ephemeral: 30
  readonly_fs: true
  volumes:
    data: {path: /data, read_only: false, efs: {id: fs-0123abcd, root_dir: /, auth: {iam: true, access_point_id: fsap-0123abcd}}}
deployment:
  rolling: recreate
  rollback_alarms: {cpu_utilization: 80, memory_utilization: 90}
http:
  path: /
  healthcheck:
    path: /health
    port: 8081
    success_codes: "200"
    healthy_threshold: 2
    unhealthy_threshold: 2
    timeout: 5s
    interval: 10s
    grace_period: 30s
  deregistration_delay: 10s
  stickiness: true
  target_container: web
  target_port: 8080
  allowed_source_ips: [10.0.0.0/8]
  version: http1
  redirect_to_https: true
  alias: [{name: www.example.com, hosted_zone: Z0123456789ABC}]
  hosted_zone: Z0123456789ABC
  alb: shared-edge
  additional_rules:
    - path: admin
      healthcheck: {path: /admin, port: 8082, success_codes: "200", healthy_threshold: 2, unhealthy_threshold: 2, timeout: 5s, interval: 10s, grace_period: 30s}
      deregistration_delay: 10s
      stickiness: false
      target_container: web
      target_port: 8082
      allowed_source_ips: [10.0.0.0/8]
      version: http1
      redirect_to_https: true
      alias: [{name: admin.example.com, hosted_zone: Z0123456789ABC}]
      hosted_zone: Z0123456789ABC
nlb:
  port: 443/tls
  healthcheck: {port: 80, healthy_threshold: 3, unhealthy_threshold: 3, timeout: 10s, interval: 30s, grace_period: 60s}
  target_container: web
  target_port: 8080
  ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06
  stickiness: true
  deregistration_delay: 30s
  alias: [{name: nlb.example.com, hosted_zone: Z0123456789ABC}]
  additional_listeners:
    - port: 53/udp
      healthcheck: {port: 80, healthy_threshold: 3, unhealthy_threshold: 3, timeout: 10s, interval: 30s, grace_period: 60s}
      target_container: web
      target_port: 53
      ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06
      stickiness: false
      deregistration_delay: 30s
logging:
  retention: 30
  image: public.ecr.aws/aws-observability/aws-for-fluent-bit:stable
  destination:
    Name: cloudwatch_logs
  enableMetadata: false
  secretOptions:
    apikey: LOG_KEY
  configFilePath: /fluent-bit/etc/extra.conf
  variables:
    LEVEL: info
  secrets:
    TOKEN: LOG_TOKEN
  env_file: router.env
observability:
  tracing: awsxray
env_file: web.env
"#;

    const ENVIRONMENT: &str = r#"
name: prod
type: Environment
region: us-east-1
account: "111122223333"
namespace: shop.local
network:
  vpc:
    id: vpc-0abc1234
    cidr: 10.0.0.0/16
    subnets:
      public: [{id: subnet-0a000001, cidr: 10.0.0.0/24, az: us-east-1a}]
      private: [{id: subnet-0a000002, cidr: 10.0.1.0/24, az: us-east-1b}]
    security_group:
      ingress: [{ip_protocol: tcp, ports: 80, cidr: 10.0.0.0/16}]
      egress: [{ip_protocol: tcp, ports: 443-444, cidr: 0.0.0.0/0}]
    flow_logs: {retention: 30}
http:
  public:
    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]
    ingress: {source_ips: [10.0.0.0/8], cdn: false}
    ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06
    deletion_protection: true
    security_groups: {ingress: {restrict_to: {cdn: false}}}
    access_logs: {bucket_name: my-logs, prefix: shop}
  private:
    subnets: [subnet-0a000001, subnet-0b000002]
    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/b]
    ingress: {vpc: true}
    ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06
observability:
  container_insights: true
cdn:
  certificate: arn:aws:acm:us-east-1:111122223333:certificate/c
  terminate_tls: true
  static_assets: {location: assets.s3.us-east-1.amazonaws.com, alias: static.example.com, path: static/*}
"#;

    const APP: &str = "name: shop\ndomain: example.com\ntags: {team: web}\npermissions_boundary: boundary\nregion: us-east-1\n";

    fn parse(text: &str) -> Node {
        let mut map = SourceMap::new();
        let id = map.add("k.yml", text);
        let mut d = Diagnostics::new();
        let n = yaml::parse(id, map.file(id), &mut d).unwrap();
        assert!(d.is_empty());
        n
    }

    /// Paths of every key a document uses, skipping user-chosen keys (variables, tags…).
    fn doc_paths(n: &Node, path: &str, out: &mut BTreeSet<String>, free: &[&str]) {
        match &n.value {
            Y::Map(entries) if !free.contains(&path) => {
                for e in entries {
                    let child = if path.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{path}.{}", e.key)
                    };
                    out.insert(child.clone());
                    doc_paths(&e.value, &child, out, free);
                }
            }
            Y::Seq(items) => items.iter().for_each(|i| doc_paths(i, path, out, free)),
            _ => {}
        }
    }

    fn agree<T: Decode>(kind: Kind, text: &str, free: &[&str]) {
        agree_all::<T>(kind, &[text], free);
    }

    /// The schema declares exactly the paths the samples use, each sample decoding
    /// cleanly (one per workload type, since each type has its own fields).
    fn agree_all<T: Decode>(kind: Kind, texts: &[&str], free: &[&str]) {
        let mut used = BTreeSet::new();
        for text in texts {
            let node = parse(text);
            let mut d = Diagnostics::new();
            assert!(T::decode(&node, &mut Cx::new(&mut d)).is_some(), "{d:?}");
            assert!(
                !d.iter()
                    .any(|x| x.severity == crate::manifest::diag::Severity::Error),
                "{d:?}"
            );
            doc_paths(&node, "", &mut used, free);
        }
        let s = schema(kind);
        let mut declared = BTreeSet::new();
        visit_properties(&s, &s, "", 0, &mut |k, parent| {
            declared.insert(if parent.is_empty() {
                k.to_string()
            } else {
                format!("{parent}.{k}")
            });
        });
        // `environments` is merged by the workspace before decoding (overrides.rs); its
        // schema is the manifest's own fields, checked by tests/cli/editors.rs.
        declared.remove("environments");
        let undeclared: Vec<_> = used.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "decoded but missing from the schema: {undeclared:?}"
        );
        let unused: Vec<_> = declared.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "in the schema but not exercised (extend the sample): {unused:?}"
        );
    }

    #[test]
    fn service_schema_matches_the_decoder() {
        agree_all::<ServiceManifest>(
            Kind::Service,
            &[SERVICE, WORKER, JOB],
            &[
                "variables",
                "secrets",
                "image.labels",
                "image.build.args",
                "image.build.labels",
                "image.depends_on",
                "sidecars",
                "storage.volumes",
                "subscribe.topics.filter_policy",
                "taskdef_overrides.value",
                "network.vpc.placement.subnets.from_tags",
                "logging.destination",
                "logging.secretOptions",
                "logging.variables",
                "logging.secrets",
            ],
        );
    }

    #[test]
    fn environment_schema_matches_the_decoder() {
        agree::<EnvManifest>(Kind::Environment, ENVIRONMENT, &[]);
    }

    #[test]
    fn application_schema_matches_the_decoder() {
        agree::<AppManifest>(Kind::Application, APP, &["tags"]);
    }
}
