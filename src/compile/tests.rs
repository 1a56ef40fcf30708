//! Unit tests of the compiler's decisions, one per branch, on plans (no YAML rendering
//! involved) plus a render check that every template parses back as YAML.

use super::AppInfo;
use super::environment::{self, DEFAULT_SSL_POLICY};
use super::service::{self, ServiceInputs};
use crate::manifest::decode::{Cx, Decode};
use crate::manifest::diag::Diagnostics;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::ServiceManifest;
use crate::manifest::source::SourceMap;
use crate::manifest::yaml;
use std::collections::BTreeMap;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn app() -> AppInfo {
    AppInfo {
        name: "shop".into(),
        tags: BTreeMap::new(),
        permissions_boundary: None,
        var_prefix: "WHARF",
        domain: None,
    }
}

fn decode<T: Decode>(text: &str) -> T {
    let mut map = SourceMap::new();
    let id = map.add("t.yml", text);
    let mut d = Diagnostics::new();
    let n = yaml::parse(id, map.file(id), &mut d).unwrap();
    let v = T::decode(&n, &mut Cx::new(&mut d)).unwrap();
    assert!(d.is_empty(), "{d:?}");
    v
}

/// The digest of the main container of the service `web`.
fn web_digest() -> BTreeMap<String, String> {
    [("web".to_string(), DIGEST.to_string())].into()
}

static WEB_DIGEST: std::sync::LazyLock<BTreeMap<String, String>> =
    std::sync::LazyLock::new(web_digest);
static NO_FILES: std::sync::LazyLock<BTreeMap<String, String>> =
    std::sync::LazyLock::new(BTreeMap::new);

/// A service's inputs: `app`, `env`, listener rule `priorities`, the web image's digest,
/// and nothing else.
fn inputs<'a>(app: &'a AppInfo, env: &'a EnvManifest, priorities: Vec<u32>) -> ServiceInputs<'a> {
    ServiceInputs {
        app,
        env,
        priorities,
        image_digests: &WEB_DIGEST,
        env_files: &NO_FILES,
        subnets: None,
        addons_url: None,
        looked_up: None,
        image_tag: None,
    }
}

const ENV: &str = "name: test\ntype: Environment\n";
const BE: &str = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";
const LB: &str = "name: web\ntype: Load Balanced Web Service\nimage:\n  build: Dockerfile\n  port: 8080\nhttp:\n  path: /\n";

fn svc_plan(svc: &str, env: &str) -> service::ServicePlan {
    let m: ServiceManifest = decode(svc);
    let e: EnvManifest = decode(env);
    service::plan(&m, &inputs(&app(), &e, vec![7]))
}

fn env_plan(env: &str, svcs: &[&str]) -> environment::EnvPlan {
    let e: EnvManifest = decode(env);
    let s: Vec<ServiceManifest> = svcs.iter().map(|t| decode(t)).collect();
    environment::plan(&app(), &e, &s)
}

#[test]
fn managed_vpc_defaults_to_copilot_blocks() {
    let p = env_plan(ENV, &[BE]);
    assert!(p.vpc.managed);
    assert_eq!(p.vpc.cidr, "10.0.0.0/16");
    assert_eq!(
        p.vpc
            .public
            .iter()
            .map(|s| s.cidr.as_str())
            .collect::<Vec<_>>(),
        ["10.0.0.0/24", "10.0.1.0/24"]
    );
    assert_eq!(p.refs.vpc, "!Ref VPC");
    assert!(!p.nat && p.alb.is_none());
    assert_eq!(p.namespace, "test.shop.local");
}

#[test]
fn imported_vpc_uses_ids_and_never_nat() {
    let env = "name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-0abc1234\n    subnets:\n      private:\n        - id: subnet-0a000001\n        - id: subnet-0a000002\n";
    let p = env_plan(
        env,
        &[&format!("{BE}network:\n  vpc:\n    placement: private\n")],
    );
    assert!(!p.vpc.managed && !p.nat);
    assert_eq!(p.refs.vpc, "\"vpc-0abc1234\"");
    assert_eq!(
        p.refs.private_subnets.as_deref(),
        Some("[\"subnet-0a000001\", \"subnet-0a000002\"]")
    );
    assert!(p.refs.public_subnets.is_none());
    assert!(!p.ssm.iter().any(|s| s.name.ends_with("public-subnets")));
}

#[test]
fn nat_only_for_private_placement_in_a_managed_vpc() {
    assert!(
        env_plan(
            ENV,
            &[&format!("{BE}network:\n  vpc:\n    placement: private\n")]
        )
        .nat
    );
    assert!(!env_plan(ENV, &[BE]).nat);
}

#[test]
fn alb_https_and_ingress() {
    let p = env_plan(ENV, &[LB]);
    let alb = p.alb.unwrap();
    assert!(!alb.https);
    assert_eq!(alb.source_ips, ["0.0.0.0/0"]);
    assert_eq!(alb.ssl_policy, DEFAULT_SSL_POLICY);
    let env = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n    ingress:\n      source_ips: [10.0.0.0/8]\n";
    let p = env_plan(env, &[LB]);
    let alb = p.alb.unwrap();
    assert!(alb.https);
    assert_eq!(alb.source_ips, ["10.0.0.0/8"]);
    assert!(
        p.ssm
            .iter()
            .any(|s| s.name == "/wharf/shop/test/https-listener-arn")
    );
}

/// `Key → Value` of the public load balancer's attributes in a rendered environment stack.
fn lb_attributes(env: &str) -> BTreeMap<String, String> {
    let e: EnvManifest = decode(env);
    let m: ServiceManifest = decode(LB);
    let text = super::compile_env(&app(), &e, std::slice::from_ref(&m))
        .unwrap()
        .template;
    let mut map = SourceMap::new();
    let id = map.add("out.yml", text);
    let mut d = Diagnostics::new();
    let root = yaml::parse(id, map.file(id), &mut d).expect("valid YAML");
    let attrs = root
        .get("Resources")
        .and_then(|r| r.get("PublicLoadBalancer"))
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("LoadBalancerAttributes"))
        .expect("the load balancer has attributes");
    let yaml::Value::Seq(items) = &attrs.value else {
        panic!("LoadBalancerAttributes is a list");
    };
    items
        .iter()
        .map(|i| {
            let s = |k: &str| i.get(k).and_then(|n| n.as_str()).unwrap().to_string();
            (s("Key"), s("Value"))
        })
        .collect()
}

#[test]
fn load_balancer_drops_invalid_headers_and_protects_from_deletion_on_request() {
    let off = lb_attributes(ENV);
    assert_eq!(
        off.get("routing.http.drop_invalid_header_fields.enabled")
            .map(String::as_str),
        Some("true")
    );
    // Written when off too, so that turning it off in the manifest turns it off.
    assert_eq!(
        off.get("deletion_protection.enabled").map(String::as_str),
        Some("false")
    );
    assert!(!env_plan(ENV, &[LB]).alb.unwrap().deletion_protection);
    let prod = "name: prod\ntype: Environment\nhttp:\n  public:\n    deletion_protection: true\n";
    assert!(env_plan(prod, &[LB]).alb.unwrap().deletion_protection);
    let on = lb_attributes(prod);
    assert_eq!(
        on.get("deletion_protection.enabled").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        on.get("routing.http.drop_invalid_header_fields.enabled")
            .map(String::as_str),
        Some("true")
    );
}

#[test]
fn container_insights_switch() {
    assert!(!env_plan(ENV, &[]).container_insights);
    assert!(
        env_plan(
            "name: test\ntype: Environment\nobservability:\n  container_insights: true\n",
            &[]
        )
        .container_insights
    );
}

#[test]
fn built_image_comes_from_the_app_repository_by_digest() {
    let p = svc_plan(LB, ENV);
    assert!(p.image.digest_param);
    assert!(p.image.expr.contains("/shop/web@${ImageDigest}"));
    assert!(p.ecr_pull_resource.unwrap().contains("repository/shop/web"));
}

#[test]
fn rollback_alarms_existing_or_created() {
    let p = svc_plan(
        &format!("{LB}deployment:\n  rollback_alarms: [shop-5xx]\n"),
        ENV,
    );
    let a = p.alarms.expect("alarms");
    assert_eq!(a.names, ["\"shop-5xx\""]);
    assert_eq!((a.cpu, a.memory), (None, None));
    let p = svc_plan(
        &format!("{LB}deployment:\n  rollback_alarms: {{cpu_utilization: 80}}\n"),
        ENV,
    );
    let a = p.alarms.expect("alarms");
    assert_eq!(a.names, ["!Sub \"${AWS::StackName}-rollback-cpu\""]);
    assert_eq!((a.cpu, a.memory), (Some(80), None));
    assert!(svc_plan(LB, ENV).alarms.is_none());
}

#[test]
fn the_digest_becomes_a_parameter_only_when_known() {
    let m: ServiceManifest = decode(LB);
    let e: EnvManifest = decode(ENV);
    let params = |m: &ServiceManifest, image_digests: BTreeMap<String, String>| {
        let inputs = ServiceInputs {
            app: &app(),
            env: &e,
            priorities: vec![1],
            image_digests: &image_digests,
            env_files: &BTreeMap::new(),
            subnets: None,
            addons_url: None,
            looked_up: None,
            image_tag: None,
        };
        super::compile_service(m, &inputs)
            .unwrap()
            .config
            .parameters
    };
    assert_eq!(
        params(&m, web_digest())
            .get("ImageDigest")
            .map(String::as_str),
        Some(DIGEST)
    );
    assert!(!params(&m, BTreeMap::new()).contains_key("ImageDigest"));
    assert!(!params(&m, BTreeMap::new()).contains_key("ContainerImage"));
    // A built sidecar's digest is its own parameter; a digest for a container the
    // stack does not build is not passed.
    let m: ServiceManifest = decode(&format!(
        "{LB}sidecars:\n  log-agent:\n    image:\n      build: agent/Dockerfile\n  proxy:\n    image: envoy\n"
    ));
    let other = "sha256:".to_string() + &"1".repeat(64);
    let mut d = web_digest();
    d.insert("log-agent".into(), other.clone());
    d.insert("proxy".into(), other.clone());
    let p = params(&m, d);
    assert_eq!(
        p.get("ImageDigestForlogagent").map(String::as_str),
        Some(other.as_str())
    );
    assert_eq!(p.get("ImageDigest").map(String::as_str), Some(DIGEST));
    let images: Vec<&String> = p.keys().filter(|k| k.starts_with("Image")).collect();
    assert_eq!(images, ["ImageDigest", "ImageDigestForlogagent"]);
    assert!(!params(&m, web_digest()).contains_key("ImageDigestForlogagent"));
}

#[test]
fn a_built_sidecar_runs_from_the_services_repository_at_its_digest() {
    let p = svc_plan(
        &format!(
            "{BE}sidecars:\n  zeta:\n    image:\n      build:\n        context: z\n  alpha:\n    image:\n      location: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/alpha:1\n  z-eta:\n    image: {{build: ze/Dockerfile}}\n"
        ),
        ENV,
    );
    let names: Vec<(&str, &str)> = p
        .sidecar_digest_params
        .iter()
        .map(|d| (d.container.as_str(), d.name.as_str()))
        .collect();
    // Names that differ only in punctuation get distinct parameters.
    assert_eq!(
        names,
        [
            ("z-eta", "ImageDigestForzeta"),
            ("zeta", "ImageDigestForzeta2")
        ]
    );
    let image = |n: &str| {
        p.containers
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .image
            .clone()
    };
    assert_eq!(
        image("zeta"),
        "!Sub \"${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/shop/api@${ImageDigestForzeta2}\""
    );
    assert_eq!(
        image("alpha"),
        "\"111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/alpha:1\""
    );
    // The main container runs `nginx`: the execution role pulls from the service's
    // repository for the built sidecars, and from the other account's for `alpha`.
    assert_eq!(p.ecr_pull_resource, None);
    assert_eq!(
        p.sidecar_ecr_pulls,
        [
            "!Sub \"arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/shop/api\"",
            "!Sub \"arn:${AWS::Partition}:ecr:eu-west-1:111122223333:repository/tools/alpha\""
        ]
    );
}

#[test]
fn existing_image_pull_permissions_only_for_ecr() {
    let p = svc_plan(BE, ENV);
    assert!(!p.image.digest_param);
    assert_eq!(p.ecr_pull_resource, None);
    let p = svc_plan(
        &BE.replace(
            "nginx",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/api:1",
        ),
        ENV,
    );
    assert_eq!(
        p.ecr_pull_resource.as_deref(),
        Some("!Sub \"arn:${AWS::Partition}:ecr:eu-west-1:111122223333:repository/team/api\"")
    );
}

#[test]
fn fixed_count_autoscaling_and_default() {
    assert_eq!(
        (
            svc_plan(BE, ENV).desired_count,
            svc_plan(BE, ENV).count_text.as_str()
        ),
        (Some(1), "1 task")
    );
    let p = svc_plan(&format!("{BE}count: 3\n"), ENV);
    assert_eq!(
        (p.desired_count, p.count_text.as_str()),
        (Some(3), "3 tasks")
    );
    let p = svc_plan(
        &format!(
            "{LB}count:\n  range: 2-8\n  cpu_percentage: 60\n  memory_percentage: {{value: 70, cooldown: {{in: 30s}}}}\n  requests: 100\n  response_time: 250ms\n  cooldown:\n    out: 45s\n"
        ),
        ENV,
    );
    assert_eq!(
        p.desired_count, None,
        "the running count is kept on updates"
    );
    let a = p.autoscaling.unwrap();
    assert_eq!((a.min, a.max), (2, 8));
    let by_id: BTreeMap<_, _> = a
        .policies
        .iter()
        .map(|p| (p.logical_id.as_str(), p))
        .collect();
    assert_eq!(
        (
            by_id["CpuScalingPolicy"].scale_in,
            by_id["CpuScalingPolicy"].scale_out
        ),
        (120, 45)
    );
    assert_eq!(
        (
            by_id["MemoryScalingPolicy"].scale_in,
            by_id["MemoryScalingPolicy"].scale_out
        ),
        (30, 45)
    );
    assert!(by_id["RequestsScalingPolicy"].resource_label);
    assert_eq!(by_id["ResponseTimeScalingPolicy"].target, "0.25");
    assert_eq!(by_id["ResponseTimeScalingPolicy"].predefined, None);
    assert!(
        p.env_params
            .iter()
            .any(|e| e.name == "LoadBalancerFullName")
    );
}

#[test]
fn rolling_strategies() {
    assert_eq!(
        (svc_plan(BE, ENV).min_healthy, svc_plan(BE, ENV).max_percent),
        (100, 200)
    );
    let p = svc_plan(&format!("{BE}deployment:\n  rolling: recreate\n"), ENV);
    assert_eq!((p.min_healthy, p.max_percent), (0, 100));
}

#[test]
fn placement_chooses_subnets_and_public_ip() {
    let p = svc_plan(BE, ENV);
    assert_eq!((p.subnets_param, p.public_ip), ("PublicSubnets", true));
    let p = svc_plan(
        &format!("{BE}network:\n  vpc:\n    placement: private\n"),
        ENV,
    );
    assert_eq!((p.subnets_param, p.public_ip), ("PrivateSubnets", false));
    assert!(
        p.env_params
            .iter()
            .any(|e| e.ssm_name == "/wharf/shop/test/private-subnets")
    );
}

#[test]
fn secrets_resolve_to_arns_and_exact_read_permissions() {
    let p = svc_plan(
        &format!(
            "{BE}secrets:\n  A: /shop/a\n  B: b\n  C: arn:aws:ssm:us-east-1:111122223333:parameter/c\n  D:\n    secretsmanager: shop/db\n  E:\n    secretsmanager: 'shop/db:password::'\n  F: arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf\n"
        ),
        ENV,
    );
    let vf: BTreeMap<_, _> = p
        .main()
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), s.value_from.as_str()))
        .collect();
    assert_eq!(
        vf["A"],
        "!Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/a\""
    );
    assert_eq!(
        vf["B"],
        "!Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/b\""
    );
    assert_eq!(
        vf["C"],
        "\"arn:aws:ssm:us-east-1:111122223333:parameter/c\""
    );
    assert_eq!(
        vf["D"],
        "!Sub \"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/db\""
    );
    assert_eq!(
        vf["E"],
        "!Sub \"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/db:password::\""
    );
    assert_eq!(p.secrets.ssm.len(), 3);
    // D and E read the same secret: one permission. Sorted, so output is stable.
    assert_eq!(
        p.secrets.secretsmanager,
        [
            "!Sub \"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/db-??????\"",
            "\"arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf\"",
            // `x-AbCdEf` may be the whole name of a secret (`x-AbCdEf-…` in its ARN).
            "\"arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf-??????\""
        ]
    );
}

#[test]
fn variables_include_builtins_and_user_values_win() {
    let p = svc_plan(
        &format!("{LB}variables:\n  Z: last\n  WHARF_SERVICE_NAME: mine\n"),
        ENV,
    );
    let names: Vec<&str> = p
        .main()
        .environment
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "WHARF_APPLICATION_NAME",
            "WHARF_ENVIRONMENT_NAME",
            "WHARF_LB_DNS",
            "WHARF_SERVICE_DISCOVERY_ENDPOINT",
            "WHARF_SERVICE_NAME",
            "Z"
        ]
    );
    assert_eq!(p.main().environment[4].value, "\"mine\"");
    assert_eq!(p.main().environment[2].value, "!Ref LoadBalancerDNSName");
}

#[test]
fn load_balancer_routing() {
    let p = svc_plan(
        &LB.replace(
            "path: /",
            "path: api/v1/\n  target_port: 9090\n  healthcheck: /health\n  stickiness: true",
        ),
        ENV,
    );
    let lb = p.lb.clone().unwrap();
    let r = &lb.rules[0];
    assert_eq!(r.path_patterns, ["/api/v1", "/api/v1/*"]);
    assert_eq!(
        (lb.url_path.as_str(), lb.scheme, lb.listener.parameter()),
        ("/api/v1", "http", "HTTPListenerArn")
    );
    assert_eq!((r.target_port, r.priority, r.stickiness), (9090, 7, true));
    assert_eq!(r.health.path, "/health");
    assert_eq!(
        p.main().ports.iter().map(|p| p.port).collect::<Vec<_>>(),
        [8080, 9090],
        "the target port gets its own mapping"
    );
    let https = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";
    let lb = svc_plan(LB, https).lb.unwrap();
    assert_eq!(
        (
            lb.scheme,
            lb.listener.parameter(),
            lb.rules[0].path_patterns[0].as_str()
        ),
        ("https", "HTTPSListenerArn", "/*")
    );
    assert!(svc_plan(BE, ENV).lb.is_none());
}

#[test]
fn windows_platform_defaults_and_permissions_boundary() {
    let m: ServiceManifest = decode(&format!("{BE}platform: windows/x86_64\n"));
    let e: EnvManifest = decode(ENV);
    let mut a = app();
    a.permissions_boundary = Some("boundary".into());
    let p = service::plan(&m, &inputs(&a, &e, Vec::new()));
    assert_eq!((p.cpu, p.memory), (1024, 2048));
    assert_eq!(
        serde_json::to_value(&p.platform).unwrap(),
        serde_json::json!({"os": "WINDOWS_SERVER_2019_CORE", "arch": "X86_64"})
    );
    assert_eq!(
        p.permissions_boundary.as_deref(),
        Some("!Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary\"")
    );
}

#[test]
fn rendered_templates_parse_back_as_yaml() {
    let m: ServiceManifest = decode(LB);
    let e: EnvManifest = decode(ENV);
    for text in [
        super::compile_env(&app(), &e, std::slice::from_ref(&m))
            .unwrap()
            .template,
        super::compile_service(&m, &inputs(&app(), &e, vec![1]))
            .unwrap()
            .template,
    ] {
        let mut map = SourceMap::new();
        let id = map.add("out.yml", text);
        let mut d = Diagnostics::new();
        let root = yaml::parse(id, map.file(id), &mut d).expect("valid YAML");
        assert!(d.is_empty(), "{d:?}");
        assert!(
            root.get("Resources")
                .and_then(|r| r.as_map())
                .is_some_and(|r| !r.is_empty())
        );
    }
}

#[test]
fn fargate_spot_strategies() {
    let p = svc_plan(&format!("{BE}count:\n  spot: 3\n"), ENV);
    assert_eq!(
        (p.desired_count, p.count_text.as_str()),
        (Some(3), "3 tasks on Fargate Spot")
    );
    let c = p.capacity.unwrap();
    assert_eq!(
        (c.len(), c[0].provider, c[0].weight),
        (1, "FARGATE_SPOT", 1)
    );
    let p = svc_plan(
        &format!("{BE}count:\n  range: {{min: 1, max: 6, spot_from: 3}}\n  cpu_percentage: 50\n"),
        ENV,
    );
    let c = p.capacity.unwrap();
    assert_eq!(
        (c[0].provider, c[0].base, c[0].weight),
        ("FARGATE", Some(2), 0)
    );
    assert_eq!((c[1].provider, c[1].weight), ("FARGATE_SPOT", 1));
    assert!(
        svc_plan(BE, ENV).capacity.is_none(),
        "plain Fargate by default"
    );
}

#[test]
fn storage_settings() {
    let p = svc_plan(
        &format!("{BE}storage:\n  ephemeral: 50\n  readonly_fs: true\n"),
        ENV,
    );
    assert_eq!((p.ephemeral, p.main().readonly_fs), (Some(50), true));
    let p = svc_plan(BE, ENV);
    assert_eq!((p.ephemeral, p.main().readonly_fs), (None, false));
}

#[test]
fn service_connect_offers_the_main_port_under_its_alias() {
    let p = svc_plan(
        &format!("{BE}network:\n  connect:\n    alias: catalog\n"),
        ENV,
    );
    let sc = p.service_connect.clone().unwrap();
    assert_eq!(sc.namespace, "test.shop.local");
    let svc = sc.service.unwrap();
    assert_eq!(
        (svc.alias.as_str(), svc.port, svc.discovery_name.as_str()),
        ("catalog", 80, "api-sc")
    );
    assert_eq!(p.main().ports[0].name, Some("target"));
    let client_only = svc_plan(
        "name: job\ntype: Backend Service\nimage:\n  location: busybox\nnetwork:\n  connect: true\n",
        ENV,
    );
    assert!(client_only.service_connect.unwrap().service.is_none());
    assert!(
        svc_plan(&format!("{BE}network:\n  connect: false\n"), ENV)
            .service_connect
            .is_none()
    );
}

#[test]
fn the_stack_contract_names_what_the_templates_hold() {
    use crate::contract::{EnvValue, logical, output, parameter};
    let parsed = |text: &str| crate::deploy::diff::canonical_value(text).expect("a template");
    let service = |svc: &str| {
        let m: ServiceManifest = decode(svc);
        let e: EnvManifest = decode(ENV);
        let pkg = super::compile_service(&m, &inputs(&app(), &e, vec![1])).unwrap();
        (parsed(&pkg.template), pkg)
    };
    let (web, pkg) = service(LB);
    assert_eq!(
        web["Resources"][logical::SERVICE]["Type"],
        "AWS::ECS::Service"
    );
    assert_eq!(
        web["Resources"][logical::TASK_DEFINITION]["Type"],
        "AWS::ECS::TaskDefinition"
    );
    assert!(web["Parameters"].get(parameter::IMAGE_DIGEST).is_some());
    assert!(pkg.config.parameters.contains_key(parameter::IMAGE_DIGEST));
    for o in [
        output::SERVICE_NAME,
        output::URL,
        output::DISCOVERY_NAME,
        output::LOG_GROUP_NAME,
    ] {
        assert!(web["Outputs"].get(o).is_some(), "output {o}");
    }
    // Each environment value the service takes is a parameter whose default is the
    // environment's SSM name for it.
    let mut taken = 0;
    for p in &pkg.config.parameters {
        if let Some(v) = EnvValue::ALL.iter().find(|v| v.parameter() == p.0) {
            assert_eq!(p.1, &crate::contract::ssm_name("shop", "test", v.key()));
            assert_eq!(web["Parameters"][p.0]["Type"], v.parameter_type());
            taken += 1;
        }
    }
    assert_eq!(
        taken, 7,
        "cluster, subnets, security group, namespace, VPC, listener, DNS name"
    );
    let (api, pkg) = service(BE);
    assert!(api["Parameters"].get(parameter::CONTAINER_IMAGE).is_some());
    assert!(
        pkg.config
            .parameters
            .contains_key(parameter::CONTAINER_IMAGE)
    );

    // The environment publishes every value a service of it takes, under that name.
    let m: ServiceManifest = decode(LB);
    let e: EnvManifest = decode(ENV);
    let env = parsed(
        &super::compile_env(&app(), &e, std::slice::from_ref(&m))
            .unwrap()
            .template,
    );
    assert!(env["Outputs"].get(output::CLUSTER_NAME).is_some());
    let mut published = 0;
    for p in web["Parameters"].as_object().unwrap().keys() {
        if let Some(v) = EnvValue::ALL.iter().find(|v| v.parameter() == p) {
            let ssm = &env["Resources"][v.publisher()];
            assert_eq!(ssm["Type"], "AWS::SSM::Parameter", "{p}");
            assert_eq!(ssm["Properties"]["Type"], v.ssm_type(), "{p}");
            published += 1;
        }
    }
    assert_eq!(published, taken);
}

#[test]
fn a_second_container_is_data_not_template() {
    let mut p = svc_plan(LB, ENV);
    let mut sidecar = p.main().clone();
    sidecar.name = "proxy".into();
    sidecar.image = "\"public.ecr.aws/nginx/nginx:1.27\"".into();
    sidecar.essential = false;
    sidecar.ports.clear();
    sidecar.healthcheck = None;
    p.containers.push(sidecar);
    let text = crate::render::render("service.yml", &p).unwrap();
    let t = crate::deploy::diff::canonical_value(&text).expect("a template");
    let defs = t["Resources"][crate::contract::logical::TASK_DEFINITION]["Properties"]
        ["ContainerDefinitions"]
        .as_array()
        .unwrap();
    assert_eq!(defs.len(), 2);
    assert_eq!(defs[0]["Name"], "web");
    assert_eq!(defs[0]["Essential"], "true");
    assert_eq!(defs[1]["Name"], "proxy");
    assert_eq!(defs[1]["Essential"], "false");
    assert_eq!(defs[1]["Image"], "public.ecr.aws/nginx/nginx:1.27");
    assert!(defs[1].get("PortMappings").is_none());
    assert_eq!(
        defs[1]["LogConfiguration"], defs[0]["LogConfiguration"],
        "every container logs to the service's group"
    );
    assert_eq!(p.main().name, "web", "the main container is the service's");
}

const WORKER: &str = "name: w\ntype: Worker Service\nimage:\n  location: nginx\n";
const JOB: &str = "name: nightly\ntype: Scheduled Job\nimage:\n  location: alpine\n";

#[test]
fn a_job_runs_through_a_state_machine_with_its_retries_and_timeout() {
    let p = svc_plan(
        &format!(
            "{JOB}on:\n  schedule: '0 3 * * 1-5'\nretries: 3\ntimeout: 1h\nnetwork:\n  vpc:\n    placement: private\n"
        ),
        ENV,
    );
    assert!(!p.ecs_service && !p.discovery);
    let j = p.job.as_ref().unwrap();
    assert_eq!(
        (j.expression.as_str(), j.enabled),
        ("cron(0 3 ? * 2-6 *)", true)
    );
    assert_eq!(j.state_machine_name.as_deref(), Some("shop-test-nightly"));
    let def: serde_json::Value = serde_json::from_str(&j.definition).unwrap();
    let run = &def["States"]["Run Fargate Task"];
    assert_eq!(def["TimeoutSeconds"], 3600);
    assert_eq!(run["Retry"][0]["MaxAttempts"], 3);
    assert_eq!(
        run["Resource"],
        "arn:${AWS::Partition}:states:::ecs:runTask.sync"
    );
    assert_eq!(
        run["Parameters"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        "DISABLED"
    );
    assert!(
        p.env_params
            .iter()
            .all(|e| e.name != "ServiceDiscoveryNamespaceId")
    );
    // No retries, no timeout: neither key; `none`: a disabled rule.
    let p = svc_plan(&format!("{JOB}on:\n  schedule: none\n"), ENV);
    let j = p.job.unwrap();
    assert_eq!(
        (j.expression.as_str(), j.enabled),
        ("rate(5 minutes)", false)
    );
    let def: serde_json::Value = serde_json::from_str(&j.definition).unwrap();
    assert!(def.get("TimeoutSeconds").is_none());
    assert!(def["States"]["Run Fargate Task"].get("Retry").is_none());
}

#[test]
fn a_worker_gets_its_queues_subscriptions_variables_and_backlog_scaling() {
    let p = svc_plan(
        &format!(
            "{WORKER}subscribe:\n  topics:\n    - name: orders\n      service: web\n      filter_policy: {{event: [placed], price: [{{numeric: ['>=', 100]}}]}}\n    - name: audit-log\n      service: web\n      queue:\n        fifo: true\n        dead_letter: {{tries: 3}}\n  queue:\n    timeout: 1m\n    dead_letter: {{tries: 5}}\ncount:\n  range: 1-4\n  queue_delay: {{acceptable_latency: 1m, msg_processing_time: 800ms}}\npublish:\n  topics:\n    - name: shipped\n"
        ),
        ENV,
    );
    assert!(p.ecs_service && !p.discovery);
    let m = p.messaging.as_ref().unwrap();
    let ids: Vec<&str> = m.queues.iter().map(|q| q.logical_id.as_str()).collect();
    assert_eq!(ids, ["EventsQueue", "webauditlogfifoEventsQueue"]);
    assert_eq!(m.queues[0].timeout, Some(60));
    assert_eq!(m.queues[0].dead_letter.as_ref().unwrap().tries, 5);
    assert!(
        m.queues[1].fifo && m.queues[1].timeout.is_none(),
        "a topic's own queue does not inherit"
    );
    assert_eq!(
        m.subscriptions[0].topic_arn,
        "!Sub \"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:shop-test-web-orders\""
    );
    assert_eq!(
        m.subscriptions[0].filter_policy.as_deref(),
        Some(r#"{"event":["placed"],"price":[{"numeric":[">=",100]}]}"#)
    );
    assert!(
        m.subscriptions[1]
            .topic_arn
            .contains("shop-test-web-audit-log.fifo")
    );
    assert_eq!(m.topics[0].name, "shop-test-w-shipped");
    let env: std::collections::BTreeMap<_, _> = p
        .main()
        .environment
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(env["COPILOT_QUEUE_URI"], "!Ref EventsQueue");
    assert_eq!(env["WHARF_QUEUE_URI"], "!Ref EventsQueue");
    assert_eq!(
        env["COPILOT_TOPIC_QUEUE_URIS"],
        "!Sub \"{\\\"webAuditlogfifoEventsQueue\\\":\\\"${webauditlogfifoEventsQueue}\\\"}\""
    );
    assert!(env["WHARF_SNS_TOPIC_ARNS"].contains(r#"\"shipped\":\"arn:${AWS::Partition}:sns"#));
    let a = p.autoscaling.as_ref().unwrap();
    let backlog: Vec<_> = a.policies.iter().filter(|p| p.queue.is_some()).collect();
    assert_eq!(backlog.len(), 2);
    assert_eq!(backlog[0].target, "75", "ceil(60s / 800ms)");
    assert_eq!(backlog[0].logical_id, "AutoScalingPolicyEventsQueue");
}

#[test]
fn queue_scaling_turns_on_container_insights_unless_turned_off() {
    let w = format!(
        "{WORKER}count:\n  range: 1-4\n  queue_delay: {{acceptable_latency: 1m, msg_processing_time: 1s}}\n"
    );
    assert!(env_plan(ENV, &[&w]).container_insights);
    assert!(!env_plan(ENV, &[WORKER]).container_insights);
}

#[test]
fn twenty_gib_of_ephemeral_storage_is_fargates_default_and_left_out() {
    let p = |g: u32| svc_plan(&format!("{BE}storage:\n  ephemeral: {g}\n"), ENV).ephemeral;
    assert_eq!((p(20), p(21), p(200)), (None, Some(21), Some(200)));
}

#[test]
fn arm64_tasks_run_on_fargate_spot() {
    let p = svc_plan(
        &format!("{BE}platform: linux/arm64\ncount:\n  spot: 2\n"),
        ENV,
    );
    assert_eq!(p.platform.arch, crate::manifest::common::Arch::Arm64);
    let cap = p.capacity.expect("a capacity provider strategy");
    assert!(cap.iter().any(|c| c.provider == "FARGATE_SPOT"), "{cap:?}");
}

#[test]
fn subnets_chosen_by_id_need_no_nat_and_keep_their_security_groups() {
    let own = format!(
        "{BE}network:\n  vpc:\n    placement:\n      subnets: [subnet-0abc1234]\n    security_groups:\n      groups: [sg-0abc1234, {{from_cfn: shared-sg}}]\n      deny_default: true\n"
    );
    assert!(!env_plan(ENV, &[&own]).nat);
    let private = format!("{BE}network:\n  vpc:\n    placement: private\n");
    assert!(env_plan(ENV, &[&private]).nat);
    let p = svc_plan(&own, ENV);
    assert_eq!(p.subnet_ids, ["\"subnet-0abc1234\""]);
    assert_eq!(
        p.security_groups,
        ["\"sg-0abc1234\"", "!ImportValue \"shared-sg\""]
    );
    assert!(!p.public_ip);
    let names: Vec<&str> = p.env_params.iter().map(|e| e.name).collect();
    assert!(
        !names.contains(&"PrivateSubnets") && !names.contains(&"EnvironmentSecurityGroup"),
        "{names:?}"
    );
}

#[test]
fn sidecar_images_in_ecr_may_be_pulled() {
    let p = svc_plan(
        &format!(
            "{BE}sidecars:\n  s:\n    image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/side:1\n  t:\n    image: public.ecr.aws/nginx/nginx:1\n"
        ),
        ENV,
    );
    assert_eq!(p.ecr_pull_resource, None, "the main image is `nginx`");
    assert_eq!(p.sidecar_ecr_pulls.len(), 1);
    assert!(
        p.sidecar_ecr_pulls[0].contains("111122223333:repository/side"),
        "{:?}",
        p.sidecar_ecr_pulls
    );
}

#[test]
fn the_environments_file_system_gets_copilots_access_point() {
    let svc = format!(
        "{BE}storage:\n  volumes:\n    data:\n      path: /data\n      read_only: false\n      efs: {{uid: 1000, gid: 2000}}\n"
    );
    let e = env_plan(ENV, &[&svc]);
    assert!(e.efs);
    assert_eq!(
        e.refs.mount_subnets,
        ["!Ref PrivateSubnet1", "!Ref PrivateSubnet2"]
    );
    assert!(e.ssm.iter().any(|s| s.value == "!Ref FileSystem"));
    assert!(!env_plan(ENV, &[BE]).efs);
    let p = svc_plan(&svc, ENV);
    assert_eq!(p.access_points.len(), 1);
    let ap = &p.access_points[0];
    assert_eq!(
        (ap.logical_id.as_str(), ap.uid, ap.gid, ap.path.as_str()),
        ("AccessPoint", 1000, 2000, "/api")
    );
    assert_eq!(ap.client_token, "shop-test-api");
    let v = p.volumes[0].efs.as_ref().unwrap();
    assert_eq!(
        (v.id.as_str(), v.access_point.as_deref()),
        ("!Ref EFSFileSystemId", Some("!Ref AccessPoint"))
    );
    // Without `uid`, Copilot's: the CRC-32 of the workload's name.
    let q = svc_plan(
        &format!("{BE}storage:\n  volumes:\n    data:\n      path: /data\n      efs: true\n"),
        ENV,
    );
    assert_eq!(q.access_points[0].uid, crc32fast::hash(b"api"));
    assert!(p.efs_grants[0].write && p.efs_grants[0].arn.contains("${EFSFileSystemId}"));
    assert!(p.env_params.iter().any(|e| e.name == "EFSFileSystemId"));
}

#[test]
fn firelens_routes_the_main_logs_and_grants_exactly_the_output() {
    let p = svc_plan(
        &format!(
            "{BE}logging:\n  destination:\n    Name: cloudwatch_logs\n    log_group_name: /x/$(ecs_task_id)\n  secretOptions:\n    KEY: key-param\nobservability:\n  tracing: awsxray\nsidecars:\n  a:\n    image: busybox\n"
        ),
        ENV,
    );
    let names: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["api", "firelens_log_router", "aws-otel-collector", "a"]
    );
    let main = p.main().firelens.as_ref().unwrap();
    assert_eq!(main.options.len(), 2);
    assert_eq!(main.secret_options[0].name, "KEY");
    let router = p.containers[1].log_router.as_ref().unwrap();
    assert!(router.enable_metadata && router.config_file.is_none());
    assert!(p.containers[1].firelens.is_none() && p.containers[3].firelens.is_none());
    assert_eq!(p.log_grants.len(), 1);
    assert!(!p.log_grants[0].actions.contains(&"logs:CreateLogGroup"));
    assert!(
        p.log_grants[0].resource.contains("log-group:/x/*:*")
            && p.log_grants[0].resource.contains("${AWS::Region}"),
        "{}",
        p.log_grants[0].resource
    );
    assert!(
        p.secrets
            .ssm
            .iter()
            .any(|r| r.contains("parameter/key-param"))
    );
    assert!(p.xray && !p.containers[2].essential);
    // An output wharf cannot scope gets no grant; retention alone is no FireLens.
    let p = svc_plan(
        &format!("{BE}logging:\n  destination:\n    Name: datadog\n"),
        ENV,
    );
    assert!(p.log_grants.is_empty() && p.main().firelens.is_some());
    let p = svc_plan(&format!("{BE}logging:\n  retention: 7\n"), ENV);
    assert!(p.main().firelens.is_none() && p.containers.len() == 1 && !p.xray);
}

#[test]
fn subnets_chosen_by_tags_are_a_parameter_the_deploy_fills() {
    let svc = format!(
        "{BE}network:\n  vpc:\n    placement:\n      subnets:\n        from_tags: {{tier: app}}\n"
    );
    let p = svc_plan(&svc, ENV);
    assert!(p.tagged_subnets && !p.public_ip);
    assert_eq!(p.subnets_param, "Subnets");
    assert!(p.env_params.iter().all(|e| !e.name.contains("Subnets")));
    let m: ServiceManifest = decode(&svc);
    let e: EnvManifest = decode(ENV);
    let ids = vec!["subnet-0a".to_string(), "subnet-0b".to_string()];
    let params = |subnets| {
        super::compile_service(
            &m,
            &ServiceInputs {
                app: &app(),
                env: &e,
                priorities: Vec::new(),
                image_digests: &BTreeMap::new(),
                env_files: &BTreeMap::new(),
                subnets,
                addons_url: None,
                looked_up: None,
                image_tag: None,
            },
        )
        .unwrap()
    };
    let pkg = params(Some(&ids));
    assert_eq!(pkg.config.parameters["Subnets"], "subnet-0a,subnet-0b");
    assert!(
        pkg.template
            .contains("  Subnets:\n    Type: List<AWS::EC2::Subnet::Id>")
    );
    assert!(!params(None).config.parameters.contains_key("Subnets"));
}

#[test]
fn firelens_grants_follow_the_output_options() {
    let grants =
        |dest: &str| svc_plan(&format!("{BE}logging:\n  destination:\n{dest}"), ENV).log_grants;
    let g = grants(
        "    Name: cloudwatch_logs\n    log_group_template: /x/$(ecs_cluster)\n    log_retention_days: 7\n",
    );
    assert!(g[0].actions.contains(&"logs:PutRetentionPolicy"));
    assert!(
        g[0].resource.contains("log-group:/x/*:*"),
        "{}",
        g[0].resource
    );
    let g = grants("    Name: s3\n    bucket: arn:aws:s3:::b2\n");
    assert_eq!(g[0].resource, "!Sub \"arn:aws:s3:::b2/*\"");
    let g = grants(
        "    Name: firehose\n    delivery_stream: arn:aws:firehose:eu-west-1:1:deliverystream/d\n    role_arn: arn:aws:iam::1:role/r\n",
    );
    assert_eq!(
        g[0].resource,
        "\"arn:aws:firehose:eu-west-1:1:deliverystream/d\""
    );
    assert_eq!(
        (g[1].actions[0], g[1].resource.as_str()),
        ("sts:AssumeRole", "\"arn:aws:iam::1:role/r\"")
    );
}

/// The subnets of a managed VPC: given ones as written, and defaults from the VPC's own
/// block around them (user's case 3: `cidr: 192.168.0.0/16` kept `10.0.x.0/24`).
#[test]
fn default_subnets_lie_in_the_vpcs_block_and_around_given_ones() {
    let plan = |env: &str| {
        let e: EnvManifest = decode(env);
        super::environment::plan(&app(), &e, &[])
    };
    let cidrs = |v: &[super::environment::SubnetPlan]| -> Vec<String> {
        v.iter().map(|s| s.cidr.clone()).collect()
    };
    let p = plan("name: test\ntype: Environment\nnetwork:\n  vpc:\n    cidr: 192.168.0.0/16\n");
    assert_eq!(p.vpc.cidr, "192.168.0.0/16");
    assert_eq!(cidrs(&p.vpc.public), ["192.168.0.0/24", "192.168.1.0/24"]);
    assert_eq!(cidrs(&p.vpc.private), ["192.168.2.0/24", "192.168.3.0/24"]);
    let p = plan(
        "name: test\ntype: Environment\nnetwork:\n  vpc:\n    cidr: 10.0.0.0/16\n    subnets:\n      public:\n        - cidr: 10.0.2.0/24\n        - cidr: 10.0.3.0/24\n        - cidr: 10.0.4.0/24\n",
    );
    assert_eq!(
        cidrs(&p.vpc.public),
        ["10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"]
    );
    assert_eq!(
        cidrs(&p.vpc.private),
        ["10.0.0.0/24", "10.0.1.0/24", "10.0.5.0/24"]
    );
    let p = plan("name: test\ntype: Environment\n");
    assert_eq!(p.vpc.cidr, "10.0.0.0/16");
    assert_eq!(cidrs(&p.vpc.public), ["10.0.0.0/24", "10.0.1.0/24"]);
}

/// User's case 1: a container on 443 gets an HTTPS target group and health check; gRPC
/// target groups check with gRPC codes; `redirect_to_https: false` adds the HTTP
/// listener's rule.
#[test]
fn target_group_protocol_version_and_the_http_listener() {
    let https_env = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";
    let lb = |svc: &str| svc_plan(svc, https_env).lb.unwrap().rules.remove(0);
    let tls = lb(&LB.replace("8080", "443"));
    assert_eq!((tls.protocol, tls.target_port), ("HTTPS", 443));
    assert_eq!(lb(LB).protocol, "HTTP");
    let grpc = lb(&format!("{LB}  version: gRPC\n"));
    assert_eq!(grpc.protocol_version, Some("GRPC"));
    assert_eq!(
        (
            grpc.health.matcher,
            grpc.health.path.as_str(),
            grpc.health.codes.as_str()
        ),
        ("GrpcCode", "/AWS.ALB/healthcheck", "12")
    );
    let plain = lb(LB);
    assert_eq!(
        (plain.health.matcher, plain.health.codes.as_str()),
        ("HttpCode", "200")
    );
    assert!(!plain.http_listener);
    let both = lb(&format!("{LB}  redirect_to_https: false\n"));
    assert!(both.http_listener);
    let p = svc_plan(&format!("{LB}  redirect_to_https: false\n"), https_env);
    assert!(p.env_params.iter().any(|e| e.name == "HTTPListenerArn"));
    assert!(p.env_params.iter().any(|e| e.name == "HTTPSListenerArn"));
    // Without HTTPS there is no redirect to turn off.
    let p = svc_plan(&format!("{LB}  redirect_to_https: false\n"), ENV);
    assert!(!p.lb.unwrap().uses_http_listener());
}

#[test]
fn environment_security_group_rules_and_flow_logs_render() {
    let e: EnvManifest = decode(
        "name: test\ntype: Environment\nnetwork:\n  vpc:\n    security_group:\n      ingress:\n        - {ip_protocol: TCP, ports: 8000-8080, cidr: 10.0.0.0/16}\n        - {ip_protocol: '-1', ports: 1, cidr: '2001:db8::/32'}\n        - {ip_protocol: icmp, cidr: 10.0.0.0/16}\n        - {ip_protocol: '50', ports: 1, cidr: 10.0.0.0/16}\n      egress: []\n    flow_logs: true\n",
    );
    let p = super::environment::plan(&app(), &e, &[]);
    let r = &p.security_group.ingress;
    assert_eq!(
        (r[0].protocol.as_str(), r[0].ports, r[0].cidr_key),
        ("tcp", Some((8000, 8080)), "CidrIp")
    );
    assert_eq!(
        (r[1].protocol.as_str(), r[1].ports, r[1].cidr_key),
        ("-1", None, "CidrIpv6")
    );
    // ICMP without ports: every type and code; a protocol without ports drops them.
    assert_eq!(r[2].ports, Some((-1, -1)));
    assert_eq!(r[3].ports, None);
    assert_eq!(p.security_group.egress.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(p.flow_logs.as_ref().map(|f| f.retention), Some(14));
    let t = super::compile_env(&app(), &e, &[]).unwrap().template;
    assert!(
        t.contains("CidrIp: 127.0.0.1/32"),
        "no egress: the closed rule"
    );
    assert!(t.contains("Type: AWS::EC2::FlowLog"));
    assert!(t.contains("RetentionInDays: 14"));
    // Without them, the default egress and no flow log.
    let plain = super::compile_env(&app(), &decode(ENV), &[])
        .unwrap()
        .template;
    assert!(plain.contains("Allow all outbound traffic") && !plain.contains("FlowLog"));
}

/// `env` as decoded, with application `app` (see [`app`]) having `domain`.
fn env_in_domain(env: &str, domain: &str) -> EnvManifest {
    let mut e: EnvManifest = decode(env);
    e.app_domain = Some(crate::manifest::environment::AppDomain {
        app: app().name,
        domain: domain.into(),
        envs: vec!["test".into(), "prod".into()],
    });
    e
}

fn svc_plan_in(svc: &str, env: &EnvManifest, priorities: Vec<u32>) -> service::ServicePlan {
    let m: ServiceManifest = decode(svc);
    service::plan(
        &m,
        &ServiceInputs {
            app: &app(),
            env,
            priorities,
            image_digests: &web_digest(),
            env_files: &BTreeMap::new(),
            subnets: None,
            addons_url: None,
            looked_up: None,
            image_tag: None,
        },
    )
}

#[test]
fn a_domain_gives_the_environment_its_zone_certificate_and_https() {
    let e = env_in_domain(ENV, "example.com");
    let p = environment::plan(&app(), &e, &[decode(LB)]);
    let d = p.domain.as_ref().unwrap();
    assert_eq!(d.zone, format!("test.{}.example.com", app().name));
    assert!(d.certificate);
    assert_eq!(
        d.app_zone_ssm,
        format!("/wharf/{}/_app/app-hosted-zone-id", app().name)
    );
    let alb = p.alb.as_ref().unwrap();
    assert!(alb.https);
    assert_eq!(alb.certificates, ["!Ref EnvCertificate"]);
    let published: Vec<&str> = p.ssm.iter().map(|s| s.logical_id).collect();
    for id in [
        "HostedZoneParameter",
        "AppHostedZoneParameter",
        "DomainHostedZoneParameter",
        "LoadBalancerHostedZoneParameter",
    ] {
        assert!(published.contains(&id), "{id}: {published:?}");
    }
    // Imported certificates take the listener; the zone stays.
    let https = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";
    let p = environment::plan(&app(), &env_in_domain(https, "example.com"), &[decode(LB)]);
    assert!(!p.domain.as_ref().unwrap().certificate);
    assert_eq!(
        p.alb.unwrap().certificates,
        ["\"arn:aws:acm:us-east-1:111122223333:certificate/a\""]
    );
    // Without a load balancer: the zone, no certificate.
    let p = environment::plan(&app(), &env_in_domain(ENV, "example.com"), &[decode(BE)]);
    assert!(!p.domain.unwrap().certificate);
    // Without a domain: nothing.
    assert!(env_plan(ENV, &[LB]).domain.is_none());
}

#[test]
fn aliases_get_host_conditions_records_in_their_zones_and_a_certificate() {
    use super::service::ZoneRef;
    use crate::manifest::environment::Zone;
    let a = app().name;
    let svc = LB.replace(
        "path: /",
        &format!("path: /\n  alias: [www.example.com, Api.{a}.example.com, x.test.{a}.example.com, www.example.com]"),
    );
    let e = env_in_domain(ENV, "example.com");
    let p = svc_plan_in(&svc, &e, vec![11]);
    let lb = p.lb.clone().unwrap();
    let r = &lb.rules[0];
    assert_eq!(
        r.hosts,
        [
            "www.example.com".to_string(),
            format!("api.{a}.example.com"),
            format!("x.test.{a}.example.com")
        ]
    );
    assert_eq!(r.priority, 11);
    assert_eq!(lb.url_host.as_deref(), Some("www.example.com"));
    // The environment's certificate covers x.test…; the others get the service's.
    let cert: Vec<(&str, &ZoneRef)> = lb
        .certificate
        .as_ref()
        .unwrap()
        .names
        .iter()
        .map(|n| (n.name.as_str(), &n.zone))
        .collect();
    let api = format!("api.{a}.example.com");
    assert_eq!(
        cert,
        [
            ("www.example.com", &ZoneRef::Managed(Zone::Domain)),
            (api.as_str(), &ZoneRef::Managed(Zone::App)),
        ]
    );
    // One record per name, none for the service's own name (the main rule has hosts).
    let records: Vec<&str> = lb.records.iter().map(|r| r.name.name.as_str()).collect();
    assert_eq!(records.len(), 3, "{records:?}");
    assert!(!records.iter().any(|n| n.starts_with("web.")));
    let params: Vec<&str> = p.env_params.iter().map(|e| e.name).collect();
    for want in [
        "LoadBalancerHostedZoneId",
        "EnvHostedZoneId",
        "AppHostedZoneId",
        "DomainHostedZoneId",
    ] {
        assert!(params.contains(&want), "{want}: {params:?}");
    }
    // No alias: the service's own name, in the environment's zone, is its address.
    let p = svc_plan_in(LB, &e, vec![]);
    let lb = p.lb.unwrap();
    let own = format!("web.test.{a}.example.com");
    assert_eq!(lb.url_host.as_deref(), Some(own.as_str()));
    assert_eq!(lb.records.len(), 1);
    assert_eq!(lb.records[0].name.zone, ZoneRef::Managed(Zone::Env));
    assert!(lb.certificate.is_none());
    // Imported certificates and a hosted zone: records there, no certificate, no
    // managed zones.
    let https = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";
    let svc = LB.replace(
        "path: /",
        "path: /\n  alias: app.example.org\n  hosted_zone: Z0ABC",
    );
    let p = svc_plan_in(&svc, &decode(https), vec![]);
    let lb = p.lb.unwrap();
    assert!(lb.certificate.is_none());
    assert_eq!(lb.records.len(), 1);
    assert_eq!(String::from(lb.records[0].name.zone.clone()), "\"Z0ABC\"");
    assert!(!p.env_params.iter().any(|e| e.name == "EnvHostedZoneId"));
    // Imported certificates and no zone: the host condition only (DNS is the user's).
    let svc = LB.replace("path: /", "path: /\n  alias: app.example.org");
    let lb = svc_plan_in(&svc, &decode(https), vec![]).lb.unwrap();
    assert!(lb.records.is_empty() && lb.certificate.is_none());
    assert_eq!(lb.rules[0].hosts, ["app.example.org"]);
}

#[test]
fn additional_rules_get_their_own_target_groups_ports_and_priorities() {
    let svc = format!(
        "{}sidecars:\n  proxy:\n    image: envoy\n    port: 9000\n",
        LB.replace(
            "path: /",
            "path: /\n  additional_rules:\n    - path: admin\n      target_port: 8081\n      healthcheck: /admin/health\n      stickiness: true\n    - path: proxy\n      target_container: proxy\n      target_port: 9901\n      version: http2\n      redirect_to_https: false",
        )
    );
    let https = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";
    let p = svc_plan_in(&svc, &decode(https), vec![5, 6, 7]);
    let lb = p.lb.clone().unwrap();
    let rules: Vec<(&str, &str, u16, u32, bool)> = lb
        .rules
        .iter()
        .map(|r| {
            (
                r.suffix.as_str(),
                r.container.as_str(),
                r.target_port,
                r.priority,
                r.http_listener,
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("", "web", 8080, 5, false),
            ("1", "web", 8081, 6, false),
            ("2", "proxy", 9901, 7, true)
        ]
    );
    assert_eq!(lb.rules[1].health.path, "/admin/health");
    assert!(lb.rules[1].stickiness && !lb.rules[0].stickiness);
    assert_eq!(lb.rules[2].protocol_version, Some("HTTP2"));
    assert!(lb.uses_http_listener());
    // Each target port is mapped on its container.
    let ports = |c: &str| -> Vec<u16> {
        p.containers
            .iter()
            .find(|x| x.name == c)
            .unwrap()
            .ports
            .iter()
            .map(|p| p.port)
            .collect()
    };
    assert_eq!(ports("web"), [8080, 8081]);
    assert_eq!(ports("proxy"), [9000, 9901]);
    // Without priorities (a package of one service): each rule takes its position.
    let lb = svc_plan_in(&svc, &decode(https), vec![]).lb.unwrap();
    assert_eq!(
        lb.rules.iter().map(|r| r.priority).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn a_backend_service_with_http_gets_the_internal_load_balancer() {
    let be = format!("{BE}http:\n  path: api\n");
    let p = env_plan(
        "name: test\ntype: Environment\nhttp:\n  private:\n    ingress: {vpc: true}\n",
        &[&be],
    );
    assert!(
        p.alb.is_none(),
        "no public load balancer for a Backend Service"
    );
    let a = p.internal_alb.as_ref().unwrap();
    assert_eq!(a.subnets, "[!Ref PrivateSubnet1, !Ref PrivateSubnet2]");
    assert!(!a.https && a.vpc_ingress);
    assert_eq!(a.zone, format!("test.{}.internal", app().name));
    let published: Vec<&str> = p.ssm.iter().map(|s| s.logical_id).collect();
    for id in [
        "InternalHTTPListenerParameter",
        "InternalLoadBalancerDNSParameter",
        "InternalHostedZoneParameter",
    ] {
        assert!(published.contains(&id), "{id}: {published:?}");
    }
    assert!(env_plan(ENV, &[BE]).internal_alb.is_none());
    // The service takes the internal values under the public parameter names.
    let s = svc_plan(&be, ENV);
    let lb = s.lb.as_ref().unwrap();
    assert!(lb.internal);
    let param = |n: &str| {
        s.env_params
            .iter()
            .find(|e| e.name == n)
            .map(|e| e.ssm_name.clone())
    };
    let a = app().name;
    assert_eq!(
        param("HTTPListenerArn"),
        Some(format!("/wharf/{a}/test/internal-http-listener-arn"))
    );
    assert_eq!(
        param("LoadBalancerDNSName"),
        Some(format!("/wharf/{a}/test/internal-load-balancer-dns-name"))
    );
    // Its own name in the private zone is its address.
    let own = format!("api.test.{a}.internal");
    assert_eq!(lb.url_host.as_deref(), Some(own.as_str()));
    assert_eq!(lb.records.len(), 1);
    assert_eq!(lb.records[0].name.zone, super::service::ZoneRef::Internal);
    assert!(lb.certificate.is_none());
}

#[test]
fn an_nlb_gets_listeners_target_groups_ports_a_certificate_and_records() {
    let svc = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp: false\nnlb:\n  port: 443/tls\n  alias: tcp.example.com\n  stickiness: true\n  additional_listeners:\n    - port: 53/udp\n      target_port: 5353\n      healthcheck: {port: 80, interval: 10s}\n";
    let e = env_in_domain(ENV, "example.com");
    let p = svc_plan_in(svc, &e, vec![]);
    assert!(
        p.lb.is_none(),
        "`http: false`: no Application Load Balancer"
    );
    let n = p.nlb.clone().unwrap();
    let l: Vec<String> = n
        .listeners
        .iter()
        .map(|l| {
            format!(
                "{}:{}/{}->{}/{} health {:?}",
                l.suffix, l.port, l.protocol, l.target_port, l.target_protocol, l.health_port
            )
        })
        .collect();
    assert_eq!(
        l,
        [
            ":443/TLS->80/TCP health None",
            "1:53/UDP->5353/UDP health Some(80)"
        ]
    );
    assert!(n.listeners[0].tls && n.listeners[0].stickiness && !n.listeners[1].tls);
    assert_eq!(n.listeners[1].interval, 10);
    let a = app().name;
    let names: Vec<&str> = n
        .certificate
        .as_ref()
        .unwrap()
        .names
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    let own = format!("web-nlb.test.{a}.example.com");
    assert_eq!(names, ["tcp.example.com", own.as_str()]);
    assert_eq!(n.records.len(), 2);
    assert!(n.records[0].logical_id.starts_with("NLBAliasRecord"));
    // The UDP target is a UDP port mapping of its own.
    let ports: Vec<(u16, &str)> = p
        .main()
        .ports
        .iter()
        .map(|p| (p.port, p.protocol))
        .collect();
    assert_eq!(ports, [(80, "tcp"), (5353, "udp")]);
    assert_eq!(p.grace_period, Some(60));
    let params: Vec<&str> = p.env_params.iter().map(|e| e.name).collect();
    for want in [
        "PublicSubnets",
        "VpcId",
        "EnvHostedZoneId",
        "DomainHostedZoneId",
    ] {
        assert!(params.contains(&want), "{want}: {params:?}");
    }
    // Without the domain (TCP): no certificate, no records.
    let tcp = svc
        .replace("443/tls", "80/tcp")
        .replace("  alias: tcp.example.com\n", "");
    let n = svc_plan_in(&tcp, &decode(ENV), vec![]).nlb.unwrap();
    assert!(n.certificate.is_none() && n.records.is_empty());
}

#[test]
fn cdn_fronts_the_public_load_balancer_and_takes_the_services_names() {
    let env = "name: test\ntype: Environment\ncdn:\n  certificate: arn:aws:acm:us-east-1:111122223333:certificate/c\n  terminate_tls: true\n  static_assets: {location: assets.s3.us-east-1.amazonaws.com, alias: static.example.com, path: static/*}\nhttp:\n  public:\n    ingress:\n      cdn: true\n";
    let e = env_in_domain(env, "example.com");
    let svc = LB.replace("path: /", "path: /\n  alias: www.example.com");
    let p = environment::plan(&app(), &e, &[decode(&svc)]);
    let c = p.cdn.as_ref().unwrap();
    assert!(!c.origin_https, "terminate_tls: HTTP to the load balancer");
    assert_eq!(c.aliases, ["www.example.com", "static.example.com"]);
    assert_eq!(
        c.static_assets,
        Some((
            "assets.s3.us-east-1.amazonaws.com".into(),
            "static/*".into()
        ))
    );
    assert!(p.alb.as_ref().unwrap().cdn_only);
    assert!(
        p.ssm
            .iter()
            .any(|s| s.logical_id == "CloudFrontDomainParameter")
    );
    // The service's records point at the distribution.
    let s = svc_plan_in(&svc, &e, vec![]);
    let lb = s.lb.as_ref().unwrap();
    assert!(lb.via_cdn);
    assert!(
        s.env_params
            .iter()
            .any(|p| p.name == "CloudFrontDomainName")
    );
    assert!(
        !s.env_params
            .iter()
            .any(|p| p.name == "LoadBalancerHostedZoneId")
    );
    assert!(!c.managed);
    // Without a certificate or a domain: no aliases, records stay on the load balancer.
    let bare: EnvManifest = decode("name: test\ntype: Environment\ncdn: true\n");
    let p = environment::plan(&app(), &bare, &[decode(&svc)]);
    assert!(p.cdn.as_ref().unwrap().aliases.is_empty());
    assert!(!p.cdn.unwrap().managed);
    assert!(!svc_plan_in(&svc, &bare, vec![]).lb.unwrap().via_cdn);
    assert!(
        environment::compile_env(&app(), &bare, &[decode(&svc)])
            .unwrap()
            .cdn_certificate
            .is_none()
    );
    // No public load balancer: nothing to front.
    assert!(
        environment::plan(&app(), &bare, &[decode(BE)])
            .cdn
            .is_none()
    );
}

#[test]
fn cdn_in_an_application_with_a_domain_gets_wharfs_certificate() {
    use super::service::ZoneRef;
    use crate::manifest::environment::Zone;
    let env = "name: test\ntype: Environment\ncdn:\n  static_assets: {location: assets.s3.us-east-1.amazonaws.com, alias: static.example.com}\n";
    let e = env_in_domain(env, "example.com");
    let svc = LB.replace(
        "path: /",
        "path: /\n  alias: [www.example.com, web.test.shop.example.com]",
    );
    let p = environment::plan(&app(), &e, &[decode(&svc)]);
    let c = p.cdn.as_ref().unwrap();
    assert!(c.managed && c.certificate.is_none());
    assert_eq!(
        c.aliases,
        [
            "www.example.com",
            "web.test.shop.example.com",
            "static.example.com"
        ]
    );
    // The static assets' record waits for the certificate.
    assert!(c.static_record.is_some());
    let t = environment::compile_env(&app(), &e, &[decode(&svc)]).unwrap();
    assert!(t.template.contains("  HasCloudFrontCertificate: !Not"));
    assert!(
        t.template
            .contains("    Condition: HasCloudFrontCertificate")
    );
    assert!(
        t.template
            .contains("AcmCertificateArn: !Ref CloudFrontCertificateArn")
    );
    // The environment's zone and `*.` below it cover web.test.shop.example.com.
    assert_eq!(
        t.cdn_certificate.unwrap().names,
        vec![
            (
                "test.shop.example.com".to_string(),
                ZoneRef::Managed(Zone::Env)
            ),
            (
                "*.test.shop.example.com".to_string(),
                ZoneRef::Managed(Zone::Env)
            ),
            (
                "www.example.com".to_string(),
                ZoneRef::Managed(Zone::Domain)
            ),
            (
                "static.example.com".to_string(),
                ZoneRef::Managed(Zone::Domain)
            ),
        ]
    );
    // The services' records point at the distribution.
    let s = svc_plan_in(&svc, &e, vec![]);
    assert!(s.lb.as_ref().unwrap().via_cdn);
    assert!(
        p.ssm
            .iter()
            .any(|s| s.logical_id == "CloudFrontDomainParameter")
    );
    // No public load balancer: no distribution, no certificate.
    assert!(
        environment::compile_env(&app(), &e, &[decode(BE)])
            .unwrap()
            .cdn_certificate
            .is_none()
    );
}

#[test]
fn the_namespace_is_the_environments_or_the_one_the_manifest_keeps() {
    let var = |p: &service::ServicePlan| {
        p.main()
            .environment
            .iter()
            .find(|v| v.name == "WHARF_SERVICE_DISCOVERY_ENDPOINT")
            .map(|v| v.value.clone())
    };
    let svc = format!("{BE}network:\n  connect: true\n");
    let default: EnvManifest = decode("name: test\ntype: Environment\n");
    assert_eq!(
        environment::plan(&app(), &default, &[]).namespace,
        "test.shop.local"
    );
    let p = svc_plan_in(&svc, &default, vec![]);
    assert_eq!(p.discovery_name, "api.test.shop.local");
    assert_eq!(var(&p).as_deref(), Some("\"test.shop.local\""));
    // Copilot before v1.5: `<app>.local`, kept by the manifest.
    let old: EnvManifest = decode("name: test\ntype: Environment\nnamespace: Shop.local\n");
    assert_eq!(environment::plan(&app(), &old, &[]).namespace, "shop.local");
    let p = svc_plan_in(&svc, &old, vec![]);
    assert_eq!(p.discovery_name, "api.shop.local");
    assert_eq!(var(&p).as_deref(), Some("\"shop.local\""));
    assert_eq!(p.service_connect.unwrap().namespace, "shop.local");
}

#[test]
fn access_logs_go_to_a_bucket_elb_may_write() {
    let env = |v: &str| {
        format!("name: test\ntype: Environment\nhttp:\n  public:\n    access_logs: {v}\n")
    };
    let p = env_plan(&env("true"), &[LB]);
    let a = p.alb.unwrap().access_logs.unwrap();
    assert!(a.managed);
    assert_eq!(a.bucket, "!Ref ELBAccessLogsBucket");
    let p = env_plan(&env("{bucket_name: my-logs, prefix: shop}"), &[LB]);
    let a = p.alb.unwrap().access_logs.unwrap();
    assert!(!a.managed);
    assert_eq!(
        (a.bucket.as_str(), a.prefix.as_deref()),
        ("\"my-logs\"", Some("shop"))
    );
    assert!(
        env_plan(&env("false"), &[LB])
            .alb
            .unwrap()
            .access_logs
            .is_none()
    );
    // Who writes them: the region's ELB account, or the log delivery service.
    use super::environment::elb_log_principal;
    assert_eq!(
        elb_log_principal("us-east-1"),
        "arn:aws:iam::127311923021:root"
    );
    assert_eq!(
        elb_log_principal("cn-north-1"),
        "arn:aws-cn:iam::638102146993:root"
    );
    assert_eq!(
        elb_log_principal("ap-southeast-5"),
        "logdelivery.elasticloadbalancing.amazonaws.com"
    );
}

#[test]
fn an_imported_load_balancer_takes_looked_up_parameters_and_no_environment_alb() {
    let svc = format!(
        "{}  alb: edge\n  alias:\n    name: www.example.org\n    hosted_zone: Z0123456789ABC\n  additional_rules:\n    - path: plain\n      redirect_to_https: false\ncount:\n  range: 1-3\n  requests: 100\n",
        LB
    );
    let p = svc_plan(&svc, ENV);
    let lb = p.lb.as_ref().unwrap();
    assert!(lb.imported && lb.certificate.is_none());
    assert_eq!(lb.imported_ports, vec![8080]);
    assert_eq!(
        lb.rules.iter().map(|r| r.redirect).collect::<Vec<_>>(),
        [true, false]
    );
    // The environment's listeners and load balancer names are not taken from SSM.
    let env_names: Vec<&str> = p.env_params.iter().map(|e| e.name).collect();
    assert!(env_names.contains(&"VpcId"), "{env_names:?}");
    for absent in [
        "HTTPSListenerArn",
        "HTTPListenerArn",
        "LoadBalancerDNSName",
        "LoadBalancerHostedZoneId",
        "LoadBalancerFullName",
    ] {
        assert!(!env_names.contains(&absent), "{absent}");
    }
    let looked: Vec<&str> = p.lookup_params.iter().map(|l| l.name.as_str()).collect();
    for present in [
        "ImportedALBListenerArn",
        "ImportedALBHTTPListenerArn",
        "ImportedALBProtocol",
        "LoadBalancerDNSName",
        "LoadBalancerHostedZoneId",
        "LoadBalancerFullName",
        "ImportedALBSecurityGroup1",
        "ImportedALBSecurityGroup5",
        "RulePriority",
        "HTTPRulePriority1",
    ] {
        assert!(looked.contains(&present), "{present}: {looked:?}");
    }
    let needs = p.imported_alb.as_ref().unwrap();
    assert_eq!(
        (needs.service.as_str(), needs.reference.as_str()),
        ("web", "edge")
    );
    assert!(needs.zone && needs.full_name && needs.needs_https.is_none());
    assert_eq!(needs.rules.len(), 4);
    assert!(
        p.security_groups
            .contains(&"!GetAtt ImportedALBTargetSecurityGroup.GroupId".to_string())
    );
    // Only services on the environment's load balancer make it.
    assert!(env_plan(ENV, &[&svc]).alb.is_none());
    assert!(env_plan(ENV, &[&svc, LB]).alb.is_some());
    // Found values fill the declared parameters only.
    let m: ServiceManifest = decode(&svc);
    let e: EnvManifest = decode(ENV);
    let found: BTreeMap<String, String> = [
        ("ImportedALBProtocol", "HTTPS"),
        ("RulePriority", "38001"),
        ("NotDeclared", "x"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let pkg = super::compile_service(
        &m,
        &ServiceInputs {
            app: &app(),
            env: &e,
            priorities: vec![38_001, 38_002],
            image_digests: &web_digest(),
            env_files: &BTreeMap::new(),
            subnets: None,
            addons_url: None,
            looked_up: Some(&found),
            image_tag: None,
        },
    )
    .unwrap();
    assert_eq!(pkg.config.parameters["ImportedALBProtocol"], "HTTPS");
    assert_eq!(pkg.config.parameters["RulePriority"], "38001");
    assert!(!pkg.config.parameters.contains_key("NotDeclared"));
    assert!(
        pkg.template
            .contains("  RulePriority1:\n    Type: Number\n    Default: \"38002\"")
    );
    assert!(pkg.imported_alb.is_some());
    // Without an alias, the URL is the load balancer's DNS name over the listener's protocol.
    let plain = format!("{LB}  alb: edge\n");
    let pkg = super::compile_service(&decode(&plain), &inputs(&app(), &e, vec![5])).unwrap();
    assert!(
        pkg.template
            .contains("- !Sub 'https://${LoadBalancerDNSName}/'"),
        "{}",
        pkg.template
    );
    assert!(!pkg.template.contains("LoadBalancerHostedZoneId"));
}

#[test]
fn an_imported_load_balancer_uses_the_environments_group_when_the_tasks_have_no_room() {
    let groups = "network:\n  vpc:\n    security_groups: [sg-01, sg-02, sg-03, sg-04]\n";
    let svc = format!("{LB}  alb: edge\n{groups}");
    let p = svc_plan(&svc, ENV);
    assert!(p.lb.as_ref().unwrap().imported_env_ingress);
    assert_eq!(p.security_groups.len(), 5);
    let text = crate::render::render("service.yml", &p).unwrap();
    assert!(
        text.contains("  ImportedALBIngress1Port8080:\n    Type: AWS::EC2::SecurityGroupIngress\n")
    );
    assert!(text.contains("    Condition: HasImportedALBSecurityGroup5\n"));
    assert!(!text.contains("ImportedALBTargetSecurityGroup"));
    // With room, a group of the stack's own.
    let roomy = svc_plan(&format!("{LB}  alb: edge\n"), ENV);
    assert!(!roomy.lb.as_ref().unwrap().imported_env_ingress);
    assert_eq!(roomy.security_groups.len(), 2);
}

#[test]
fn a_copilot_workspaces_worker_keeps_copilots_queue_key_and_policy_ids() {
    let worker = format!(
        "{WORKER}subscribe:\n  topics:\n    - name: orders\n      service: web\n    - name: audit\n      service: web\n      queue: {{timeout: 10s}}\n"
    );
    let m: ServiceManifest = decode(&worker);
    let e: EnvManifest = decode(ENV);
    let compile = |var_prefix: &'static str| {
        let a = AppInfo {
            var_prefix,
            ..app()
        };
        super::compile_service(&m, &inputs(&a, &e, vec![1]))
            .unwrap()
            .template
    };
    // Copilot's queue policy IDs, in every workspace.
    let wharf = compile("WHARF");
    for id in ["  QueuePolicy:\n", "  webauditQueuePolicy:\n"] {
        assert!(wharf.contains(id), "{id}");
    }
    assert!(!wharf.contains("EventsQueuePolicy"));
    // SSE-SQS in a wharf workspace; Copilot's key in a Copilot one, granted to the task
    // role by the role's policy (a key policy naming the role would be a cycle: the role
    // names the queues, which name the key).
    assert!(!wharf.contains("EventsKMSKey"));
    assert_eq!(wharf.matches("SqsManagedSseEnabled: true").count(), 2);
    let copilot = compile("COPILOT");
    assert!(copilot.contains("  EventsKMSKey:\n    Type: AWS::KMS::Key\n"));
    assert_eq!(
        copilot.matches("KmsMasterKeyId: !Ref EventsKMSKey").count(),
        2
    );
    assert!(!copilot.contains("SqsManagedSseEnabled"));
    assert!(copilot.contains("Resource: !GetAtt EventsKMSKey.Arn"));
    assert!(!copilot.contains("Allow task role"));
}
