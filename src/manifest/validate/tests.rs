//! One test per validation rule: each feeds a small manifest through parse → decode →
//! validate and checks the code, severity and position of what is reported.

use crate::manifest::decode::{Cx, Decode};
use crate::manifest::diag::{Code, Diagnostics, Severity};
use crate::manifest::environment::EnvManifest;
use crate::manifest::schema::SchemaKeys;
use crate::manifest::service::ServiceManifest;
use crate::manifest::source::SourceMap;
use crate::manifest::yaml;

#[derive(Debug, PartialEq)]
struct Found {
    code: Code,
    severity: Severity,
    at: String,
    path: String,
    message: String,
    help: String,
}

fn run(svc: &str, env: Option<&str>) -> Vec<Found> {
    run_in(svc, env, None)
}

/// [`run`], with the application's domain in the environment.
fn run_in(svc: &str, env: Option<&str>, domain: Option<&str>) -> Vec<Found> {
    let mut map = SourceMap::new();
    let mut d = Diagnostics::new();
    let keys = SchemaKeys::build();
    let env_m = env.map(|e| {
        let id = map.add("env.yml", e);
        let n = yaml::parse(id, map.file(id), &mut d).unwrap();
        let mut m = EnvManifest::decode(&n, &mut Cx::new(&mut d)).unwrap();
        m.app_domain = domain.map(|d| crate::manifest::environment::AppDomain {
            app: "shop".into(),
            domain: d.into(),
            envs: vec!["test".into(), "prod".into()],
        });
        super::validate_env(&m, &mut d);
        m
    });
    let id = map.add("svc.yml", svc);
    if let Some(n) = yaml::parse(id, map.file(id), &mut d)
        && let Some(m) = ServiceManifest::decode(&n, &mut Cx::new(&mut d).with_key_index(&keys))
    {
        super::validate_service(&m, env_m.as_ref(), &mut d);
    }
    d.iter()
        .map(|x| Found {
            code: x.code,
            severity: x.severity,
            at: x
                .span
                .map(|s| format!("{}:{}", map.path(s.file).display(), map.line_col(s)))
                .unwrap_or_default(),
            path: x.path.clone().unwrap_or_default(),
            message: x.message.clone(),
            help: x.help.clone().unwrap_or_default(),
        })
        .collect()
}

const LB: &str = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: '/'\n";
const BE: &str = "name: api\ntype: Backend Service\nimage:\n  build: Dockerfile\n  port: 8080\n";

/// A manifest decoded without validation, for the workspace-wide checks.
fn decode(text: &str) -> ServiceManifest {
    let mut map = SourceMap::new();
    let mut d = Diagnostics::new();
    let id = map.add("m.yml", text);
    let n = yaml::parse(id, map.file(id), &mut d).unwrap();
    ServiceManifest::decode(&n, &mut Cx::new(&mut d)).unwrap()
}

/// The only finding, asserting there is exactly one.
fn one(svc: &str) -> Found {
    let mut v = run(svc, None);
    assert_eq!(v.len(), 1, "{v:#?}");
    v.remove(0)
}

#[test]
fn minimal_manifests_are_clean() {
    assert_eq!(run(LB, None), vec![]);
    assert_eq!(run(BE, None), vec![]);
}

#[test]
fn unknown_key_has_position_path_and_suggestion() {
    let f = one(&format!("{BE}memroy: 1024\n"));
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::UnknownKey, "svc.yml:6:1", "memroy")
    );
    assert_eq!(f.help, "did you mean `memory`?");
}

#[test]
fn misindented_key_points_to_its_parent() {
    let f = one("name: api\ntype: Backend Service\nimage:\n  build: Dockerfile\nport: 8080\n");
    assert_eq!(f.code, Code::UnknownKey);
    assert!(
        f.help
            .contains("`port` is a field of `http.additional_rules.healthcheck` or `http.healthcheck` or `image` or `nlb`"),
        "{}",
        f.help
    );
}

#[test]
fn unsupported_type_is_explicit() {
    let f = one("name: w\ntype: Static Site\nimage:\n  build: Dockerfile\n");
    assert_eq!(
        (f.code, f.at.as_str()),
        (Code::UnsupportedType, "svc.yml:2:7")
    );
    let f = one("name: w\ntype: Backend Servise\nimage:\n  build: Dockerfile\n");
    assert_eq!(f.code, Code::InvalidValue);
    assert!(f.help.starts_with("did you mean `Backend Service`"));
}

#[test]
fn unsupported_field_names_the_field_and_line() {
    let f = one(&LB.replace("path: '/'", "path: '/'\n  private: true"));
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::Unsupported, "svc.yml:8:3", "http.private")
    );
}

#[test]
fn an_imported_load_balancer_is_named_or_an_application_load_balancers_arn() {
    let with = |alb: &str| {
        run(
            &LB.replace("path: '/'", &format!("path: '/'\n  alb: {alb}")),
            None,
        )
    };
    for ok in [
        "shared-edge",
        "a",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shared-edge/0123456789abcdef",
        "arn:aws-cn:elasticloadbalancing:cn-north-1:111122223333:loadbalancer/app/x/0123abcd0123abcd",
    ] {
        assert_eq!(with(ok), vec![], "{ok}");
    }
    for (bad, why) in [
        ("-edge", "start or end with a hyphen"),
        ("internal-edge", "does not start with `internal-`"),
        ("edge_1", "letters, digits and hyphens"),
        (
            "abcdefghijklmnopqrstuvwxyz0123456",
            "1 to 32 characters, not 33",
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/nlb/0123456789abcdef",
            "Network or Gateway",
        ),
        (
            "arn:aws:ec2:us-east-1:111122223333:loadbalancer/app/x/0123",
            "starts `arn:aws:elasticloadbalancing:`",
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:1111:loadbalancer/app/x/0123",
            "12-digit account",
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/x/0123",
            "ends `loadbalancer/app/<name>/<id>`",
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/0123",
            "16 hexadecimal digits",
        ),
        (
            "arn:aws:elasticloadbalancing:US-EAST-1:111122223333:loadbalancer/app/x/0123456789abcdef",
            "region (lower case)",
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/internal-x/0123456789abcdef",
            "`internal-`",
        ),
    ] {
        let v = with(bad);
        assert_eq!(v.len(), 1, "{bad}: {v:#?}");
        assert_eq!(
            (v[0].code, v[0].at.as_str(), v[0].path.as_str()),
            (Code::InvalidValue, "svc.yml:8:8", "http.alb"),
            "{bad}"
        );
        assert!(v[0].message.contains(why), "{bad}: {}", v[0].message);
    }
    // A Backend Service's `http` is on the internal load balancer.
    let be = format!("{BE}http:\n  path: /\n  alb: edge\n");
    let v = run(&be, None);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(
        (v[0].path.as_str(), v[0].at.as_str()),
        ("http.alb", "svc.yml:8:8")
    );
    assert!(v[0].message.contains("Backend Service"), "{}", v[0].message);
}

#[test]
fn aliases_on_an_imported_load_balancer_need_no_certificate_and_say_when_they_get_no_record() {
    let svc = LB.replace(
        "path: '/'",
        "path: '/'\n  alb: edge\n  alias:\n    - name: www.example.org\n    - name: api.example.org\n      hosted_zone: Z0123456789ABC",
    );
    // No certificate and no domain: aliases on the environment's load balancer would be
    // refused; on an imported one only the name without a zone is said.
    let env = "name: test\ntype: Environment\n";
    let v = run(&svc, Some(env));
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(
        (v[0].severity, v[0].code, v[0].path.as_str()),
        (Severity::Warning, Code::Reference, "http.alias")
    );
    assert!(
        v[0].message
            .contains("`www.example.org` gets no DNS record"),
        "{}",
        v[0].message
    );
    // A name in the application's zones gets its record there.
    let svc = LB.replace(
        "path: '/'",
        "path: '/'\n  alb: edge\n  alias: www.test.shop.example.com",
    );
    assert_eq!(run_in(&svc, Some(env), Some("example.com")), vec![]);
    // gRPC needs HTTPS, which only the deploy can see on an imported load balancer.
    let grpc = LB.replace("path: '/'", "path: '/'\n  alb: edge\n  version: grpc");
    assert_eq!(run(&grpc, Some(env)), vec![]);
}

#[test]
fn a_sidecar_image_is_a_uri_a_location_or_a_build() {
    for ok in [
        "image: envoy",
        "image: {location: envoy}",
        "image: {build: proxy/Dockerfile}",
        "image:\n      build:\n        context: proxy\n        secrets: [NPM_TOKEN]",
    ] {
        let d = run(&format!("{LB}sidecars:\n  proxy:\n    {ok}\n"), None);
        assert!(d.is_empty(), "{ok}: {d:?}");
    }
    for (bad, code, at, path) in [
        (
            "image: {build: Dockerfile, location: envoy}",
            Code::MutuallyExclusive,
            "svc.yml:10:42",
            "sidecars.proxy.image.location",
        ),
        (
            "image: {}",
            Code::MissingField,
            "svc.yml:10:12",
            "sidecars.proxy.image",
        ),
        (
            "image: {build: {target: x}}",
            Code::MissingField,
            "svc.yml:10:20",
            "sidecars.proxy.image.build",
        ),
        (
            "image: {build: {context: ., secrets: [9X]}}",
            Code::InvalidValue,
            "svc.yml:10:43",
            "sidecars.proxy.image.build.secrets",
        ),
        (
            "image: {locaton: envoy}",
            Code::UnknownKey,
            "svc.yml:10:13",
            "sidecars.proxy.image.locaton",
        ),
    ] {
        let f = one(&format!("{LB}sidecars:\n  proxy:\n    {bad}\n"));
        assert_eq!(
            (f.code, f.at.as_str(), f.path.as_str()),
            (code, at, path),
            "{bad}"
        );
    }
    let f = one(&format!("{LB}sidecars:\n  proxy:\n    image: [envoy]\n"));
    assert_eq!(f.code, Code::InvalidType);
    assert!(
        f.message
            .contains("an image URI, or a mapping with `build` or `location`"),
        "{}",
        f.message
    );
    // A built sidecar's name starts its image tags.
    let long = "p".repeat(101);
    let f = one(&format!(
        "{LB}sidecars:\n  {long}:\n    image: {{build: Dockerfile}}\n"
    ));
    assert_eq!((f.code, f.at.as_str()), (Code::InvalidValue, "svc.yml:9:3"));
    assert!(
        f.message.contains("at most 100 characters"),
        "{}",
        f.message
    );
    assert!(
        run(
            &format!("{LB}sidecars:\n  {long}:\n    image: envoy\n"),
            None
        )
        .is_empty(),
        "a sidecar that is not built may have a long name"
    );
    let f = one(&format!(
        "{LB}sidecars:\n  proxy:\n    image: {{build: Dockerfile}}\n    credentials: arn:aws:secretsmanager:us-east-1:111122223333:secret:x\n"
    ));
    assert_eq!(
        (f.severity, f.path.as_str()),
        (Severity::Warning, "sidecars.proxy.credentials")
    );
}

#[test]
fn type_errors_carry_position() {
    let f = one(&BE.replace("port: 8080", "port: eighty"));
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::InvalidType, "svc.yml:5:9", "image.port")
    );
    assert!(f.message.contains("found a string"));
}

#[test]
fn missing_required_fields() {
    let v = run("type: Backend Service\n", None);
    let missing: Vec<_> = v
        .iter()
        .filter(|f| f.code == Code::MissingField)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(missing, ["name", "image"]);
    let f = one("name: api\ntype: Backend Service\nimage:\n  port: 80\n");
    assert_eq!((f.code, f.path.as_str()), (Code::MissingField, "image"));
}

#[test]
fn build_and_location_are_mutually_exclusive() {
    let f = one(&BE.replace("build: Dockerfile", "build: Dockerfile\n  location: nginx"));
    assert_eq!(
        (f.code, f.at.as_str()),
        (Code::MutuallyExclusive, "svc.yml:5:13")
    );
}

#[test]
fn build_secrets_labels_and_repository() {
    let base = "name: api\ntype: Backend Service\nimage:\n  port: 8080\n";
    let good = format!(
        "{base}  build:\n    dockerfile: Dockerfile\n    labels: {{team: shop}}\n    secrets: [NPM_TOKEN, GH_TOKEN]\n  repository:\n    scan_on_push: false\n    immutable_tags: true\n    keep_images: 10\n"
    );
    assert_eq!(run(&good, None), []);

    let f = one(&format!(
        "{base}  build:\n    dockerfile: Dockerfile\n    secrets: [npm-token]\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str(), f.at.as_str()),
        (Code::InvalidValue, "image.build.secrets", "svc.yml:7:15")
    );
    let f = one(&format!(
        "{base}  build:\n    dockerfile: Dockerfile\n    secrets: [A, A]\n"
    ));
    assert_eq!(
        (f.code, f.at.as_str()),
        (Code::DuplicateKey, "svc.yml:7:18")
    );

    let f = one(&format!(
        "{base}  build: Dockerfile\n  repository:\n    keep_images: 0\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "image.repository.keep_images")
    );
    let f = one(&format!(
        "{base}  location: nginx\n  repository:\n    keep_images: 5\n"
    ));
    assert_eq!(
        (f.code, f.severity, f.path.as_str()),
        (Code::InvalidValue, Severity::Warning, "image.repository")
    );
    let f = one(&format!(
        "{base}  build: Dockerfile\n  repository:\n    keep: 5\n"
    ));
    assert_eq!(f.code, Code::UnknownKey);
    assert!(f.help.contains("keep_images"), "{f:?}");
}

#[test]
fn port_out_of_range_is_one_message_in_words() {
    for bad in ["0", "70000", "-1"] {
        let f = one(&BE.replace("8080", bad));
        assert_eq!((f.code, f.path.as_str()), (Code::Range, "image.port"));
        assert_eq!(
            f.message,
            format!("`image.port` is {bad}, must be from 1 to 65535"),
            "{bad}"
        );
    }
}

#[test]
fn fargate_cpu_memory_pairs() {
    let f = one(&format!("{BE}cpu: 256\nmemory: 4096\n"));
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::Fargate, "svc.yml:7:9", "memory")
    );
    assert_eq!(f.help, "with 256 CPU units use 512, 1024, 2048 MiB");
    let f = one(&format!("{BE}cpu: 300\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::Fargate, "cpu"));
    // default memory 512 does not go with 1024 CPU
    let f = one(&format!("{BE}cpu: 1024\n"));
    assert_eq!(f.code, Code::Fargate);
    assert!(run(&format!("{BE}cpu: 1024\nmemory: 2048\n"), None).is_empty());
    let f = one(&format!(
        "{BE}platform: windows/x86_64\ncpu: 512\nmemory: 1024\n"
    ));
    assert!(f.message.contains("below the Windows minimum"));
    assert!(
        run(&format!("{BE}platform: windows/x86_64\n"), None).is_empty(),
        "windows defaults are 1024/2048"
    );
    let f = one(&format!(
        "{BE}platform: {{osfamily: windows_server_2022_core, architecture: arm64}}\ncpu: 1024\nmemory: 2048\n"
    ));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "platform"));
}

#[test]
fn a_negative_count_says_zero_or_more() {
    let f = one(&format!("{JOB}retries: -1\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::Range, "retries"));
    assert_eq!(f.message, "`retries` is -1, must be 0 or more");
    let f = one(&format!("{BE}cpu: -256\n"));
    assert_eq!(f.message, "`cpu` is -256, must be 0 or more");
}

#[test]
fn range_min_greater_than_max() {
    let f = one(&format!(
        "{BE}count:\n  range: 10-2\n  cpu_percentage: 70\n"
    ));
    assert_eq!((f.code, f.at.as_str()), (Code::Range, "svc.yml:7:10"));
    assert_eq!(f.help, "write it as `2-10`");
    let f = one(&format!(
        "{BE}count:\n  range: {{min: 5, max: 1}}\n  cpu_percentage: 70\n"
    ));
    assert_eq!(f.code, Code::Range);
    let f = one(&format!(
        "{BE}count:\n  range: 1to5\n  cpu_percentage: 70\n"
    ));
    assert_eq!(f.code, Code::InvalidValue);
}

#[test]
fn autoscaling_needs_range_and_a_target() {
    let f = one(&format!("{BE}count:\n  cpu_percentage: 70\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "count.range")
    );
    let f = one(&format!("{BE}count:\n  range: 1-3\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::MissingField, "count"));
    let f = one(&format!(
        "{BE}count:\n  range: 1-3\n  cpu_percentage: 170\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "count.cpu_percentage")
    );
    let f = one(&format!("{BE}count:\n  range: 1-3\n  requests: 100\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "count.requests")
    );
    assert!(run(&format!("{LB}count:\n  range: 1-3\n  requests: 100\n  response_time: 2s\n  cooldown:\n    in: 30s\n    out: 1m\n"), None).is_empty());
    let f = one(&format!(
        "{BE}count:\n  range: 1-3\n  cpu_percentage:\n    value: 50\n    cooldown:\n      in: 1500ms\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "count.cpu_percentage.cooldown.in")
    );
    assert!(run(&format!("{BE}count:\n  spot: 2\n"), None).is_empty());
    assert!(
        run(
            &format!(
                "{BE}count:\n  range: {{min: 1, max: 5, spot_from: 2}}\n  cpu_percentage: 50\n"
            ),
            None
        )
        .is_empty()
    );
}

#[test]
fn secret_like_plain_variable_is_a_warning() {
    let f = one(&format!(
        "{BE}variables:\n  DB_PASSWORD: hunter2\n  LOG_LEVEL: info\n"
    ));
    assert_eq!(
        (f.code, f.severity, f.at.as_str()),
        (Code::SecretInVariables, Severity::Warning, "svc.yml:7:16")
    );
    assert!(f.help.contains("secrets:"));
}

#[test]
fn secret_like_names_include_keys_and_camel_case() {
    for name in [
        "SIGNING_KEY",
        "STRIPE_KEY",
        "API_KEY",
        "stripeSecretKey",
        "GithubToken",
        "DB_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "JWT_PRIVATE_KEY",
    ] {
        let found = run(&format!("{BE}variables:\n  {name}: value1\n"), None);
        assert_eq!(found.len(), 1, "{name}: {found:#?}");
        assert_eq!(found[0].code, Code::SecretInVariables, "{name}");
    }
    for name in [
        "CACHE_KEY",
        "PUBLIC_KEY",
        "KEY_PREFIX",
        "MONKEY_COUNT",
        "LOG_LEVEL",
        "TOKENIZER",
    ] {
        let found = run(&format!("{BE}variables:\n  {name}: value1\n"), None);
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
}

#[test]
fn the_secret_like_warning_never_shows_the_value() {
    let text = format!("{BE}variables:\n  STRIPE_KEY: sk_live_do_not_print\n");
    let mut map = SourceMap::new();
    let id = map.add("svc.yml", &text);
    let mut diags = Diagnostics::new();
    let keys = SchemaKeys::build();
    let n = yaml::parse(id, map.file(id), &mut diags).unwrap();
    let m = ServiceManifest::decode(&n, &mut Cx::new(&mut diags).with_key_index(&keys)).unwrap();
    super::validate_service(&m, None, &mut diags);
    let all = diags.sorted(&map);
    assert_eq!(all.len(), 1, "{all:#?}");
    let human = crate::ui::diagnostics::render_human(&all[0], &map, false, 100);
    let json = serde_json::to_string(&crate::ui::diagnostics::to_json(&all[0], &map)).unwrap();
    assert!(
        human.contains("STRIPE_KEY") && human.contains("svc.yml:"),
        "{human}"
    );
    for shown in [&human, &json] {
        assert!(!shown.contains("sk_live_do_not_print"), "{shown}");
    }
}

#[test]
fn variable_and_secret_with_one_name_is_an_error() {
    let f = one(&format!(
        "{BE}variables:\n  TOKEN_URL: ''\n  A: b\nsecrets:\n  A: /app/a\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "variables.A")
    );
}

#[test]
fn reserved_variable_prefix_is_a_warning() {
    let f = one(&format!("{BE}variables:\n  WHARF_ENVIRONMENT_NAME: x\n"));
    assert_eq!(f.severity, Severity::Warning);
}

#[test]
fn secrets_shapes() {
    assert!(run(&format!("{BE}secrets:\n  A: /app/a\n  B: arn:aws:ssm:us-east-1:111122223333:parameter/b\n  C:\n    secretsmanager: 'demo/mysql:password::'\n"), None).is_empty());
    let f = one(&format!("{BE}secrets:\n  A: 'has space'\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "secrets.A"));
    // A CloudFormation export holding the parameter's or secret's ARN.
    assert!(
        run(
            &format!("{BE}secrets:\n  A:\n    from_cfn: shared-DbSecretArn\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!(
        "{BE}secrets:\n  A:\n    from_cfn: 'not an export'\n"
    ));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "secrets.A"));
    let f = one(&format!(
        "{BE}secrets:\n  A:\n    from_cfn: x\n    secretsmanager: y\n"
    ));
    assert_eq!(f.code, Code::InvalidValue);
    assert!(
        run(
            &format!("{BE}variables:\n  TABLE:\n    from_cfn: shared-TableName\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!("{BE}variables:\n  TABLE:\n    from_cfn: 'a b'\n"));
    assert_eq!(f.path, "variables.TABLE");
}

#[test]
fn variables_keep_their_text() {
    assert!(
        run(
            &format!("{BE}variables:\n  ON: on\n  MODE: '0777'\n  N: 12\n  JSON: '{{}}'\n"),
            None
        )
        .is_empty()
    );
}

#[test]
fn logging_retention_values() {
    let f = one(&format!("{BE}logging:\n  retention: 31\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "logging.retention")
    );
    assert!(run(&format!("{BE}logging:\n  retention: 30\n"), None).is_empty());
    assert!(
        run(
            &format!("{BE}logging:\n  retention: 30\n  destination: {{Name: cloudwatch, log_group_name: g}}\n"),
            None
        )
        .is_empty()
    );
}

#[test]
fn firelens_and_tracing_rules() {
    let fl = |extra: &str| run(&format!("{BE}{extra}"), None);
    let f = one(&format!(
        "{BE}logging:\n  destination:\n    region: us-east-1\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "logging.destination.Name")
    );
    // A configuration file may define the outputs instead.
    assert!(fl("logging:\n  destination: {region: x}\n  configFilePath: /extra.conf\n").is_empty());
    let f = one(&format!("{BE}logging:\n  configFilePath: extra.conf\n"));
    assert_eq!(f.path, "logging.configFilePath");
    let f = one(&format!(
        "{BE}logging:\n  configFilePath: arn:aws:s3:::bucket/extra.conf\n"
    ));
    assert!(f.help.contains("only on EC2"), "{}", f.help);
    // Linux only.
    let win = "platform: windows/x86_64\ncpu: 1024\nmemory: 2048\n";
    let found = fl(&format!("{win}logging:\n  image: fluent\n"));
    assert!(
        found
            .iter()
            .any(|f| f.message.contains("not available on Windows") && f.path == "logging.image"),
        "{found:?}"
    );
    let found = fl(&format!("{win}observability:\n  tracing: awsxray\n"));
    assert!(
        found.iter().any(|f| f.path == "observability.tracing"),
        "{found:?}"
    );
    // wharf's container names are taken.
    let f = one(&format!(
        "{BE}logging:\n  enableMetadata: true\nsidecars:\n  firelens_log_router:\n    image: x\n"
    ));
    assert_eq!(f.path, "sidecars.firelens_log_router");
    let f = one(&format!(
        "{BE}observability:\n  tracing: awsxray\nsidecars:\n  aws-otel-collector:\n    image: x\n"
    ));
    assert!(f.message.contains("tracing collector"), "{}", f.message);
    let f = one(&format!("{BE}observability:\n  tracing: jaeger\n"));
    assert_eq!(f.path, "observability.tracing");
    // The router's variables get the main container's checks.
    let f = one(&format!("{BE}logging:\n  variables:\n    API_TOKEN: abc\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::SecretInVariables, "logging.variables.API_TOKEN")
    );
    let f = one(&format!(
        "{BE}sidecars:\n  s:\n    image: x\n    variables:\n      WHARF_X: y\n"
    ));
    assert_eq!(f.path, "sidecars.s.variables.WHARF_X");
    // CloudFormation functions would reach the template as text: refused.
    let f = one(&format!("{BE}variables:\n  R: !Sub '${{AWS::Region}}-x'\n"));
    assert!(
        f.message
            .contains("cannot be a CloudFormation function (`!Sub`)"),
        "{}",
        f.message
    );
    assert_eq!(f.path, "variables.R");
    let f = one(&format!("{BE}logging:\n  image: !Ref Img\n"));
    assert_eq!(f.path, "logging.image");
    let f = one(&format!("{BE}logging:\n  destination: {{}}\n"));
    assert!(
        f.message.contains("`logging.destination` is empty"),
        "{}",
        f.message
    );
    // A known output needs its target.
    let f = one(&format!(
        "{BE}logging:\n  destination: {{Name: firehose, region: x}}\n"
    ));
    assert_eq!(f.path, "logging.destination.delivery_stream");
    assert!(
        fl("logging:\n  destination: {Name: cloudwatch_logs, log_group_template: /a/$(tag)}\n")
            .is_empty()
    );
    // Windows: the router's env file alone is FireLens too.
    let found = fl(&format!("{win}logging:\n  env_file: r.env\n"));
    assert!(
        found.iter().any(|f| f.path == "logging.env_file"),
        "{found:?}"
    );
}

#[test]
fn container_healthcheck_rules() {
    let hc = |body: &str| format!("{BE}  healthcheck:\n{body}");
    assert!(run(&hc("    command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1']\n    interval: 10s\n    retries: 3\n    timeout: 5s\n    start_period: 30s\n"), None).is_empty());
    let f = one(&hc("    command: curl -f http://localhost/\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "image.healthcheck.command")
    );
    let f = one(&hc("    command: [CMD, true]\n    interval: 1s\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "image.healthcheck.interval")
    );
    let f = one(&hc("    command: [CMD, true]\n    retries: 11\n"));
    assert_eq!(f.code, Code::Range);
    let f = one(&hc("    interval: 10s\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "image.healthcheck.command")
    );
}

#[test]
fn load_balanced_service_needs_http_path_and_port() {
    let f =
        one("name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\n");
    assert_eq!((f.code, f.path.as_str()), (Code::MissingField, "http"));
    let f = one(&LB.replace("path: '/'", "stickiness: true"));
    assert_eq!((f.code, f.path.as_str()), (Code::MissingField, "http.path"));
    let f = one(&LB.replace("  port: 80\n", ""));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "image.port")
    );
    assert!(
        run(
            &LB.replace("  port: 80\n", "")
                .replace("path: '/'", "path: '/'\n  target_port: 80"),
            None
        )
        .is_empty()
    );
}

#[test]
fn http_false_needs_nlb() {
    let off = LB.replace("http:\n  path: '/'\n", "http: false\n");
    let f = one(&off);
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::MissingField, "svc.yml:6:7", "http")
    );
    assert!(f.help.contains("nlb"), "{}", f.help);
    assert_eq!(run(&format!("{off}nlb:\n  port: 80/tcp\n"), None), vec![]);
}

#[test]
fn target_health_check_rules() {
    let with = |hc: &str| LB.replace("path: '/'", &format!("path: '/'\n  healthcheck:\n{hc}"));
    assert!(run(&with("    path: /ready\n    port: 8081\n    success_codes: '200,301'\n    healthy_threshold: 3\n    unhealthy_threshold: 2\n    interval: 15s\n    timeout: 10s\n    grace_period: 45s\n"), None).is_empty());
    let f = one(&with("    healthy_threshold: 11\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "http.healthcheck.healthy_threshold")
    );
    let f = one(&with("    interval: 10s\n    timeout: 10s\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "http.healthcheck.timeout")
    );
    let f = one(&with("    success_codes: ok\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "http.healthcheck.success_codes")
    );
    let f = one(&LB.replace("path: '/'", "path: '/'\n  healthcheck: ready"));
    assert_eq!(
        (f.code, f.help.as_str()),
        (Code::InvalidValue, "write `/ready`")
    );
    let f = one(&LB.replace("path: '/'", "path: '/'\n  deregistration_delay: 2h"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "http.deregistration_delay")
    );
}

#[test]
fn listener_rule_condition_limit_and_cidrs() {
    let f = one(&LB.replace(
        "path: '/'",
        "path: api\n  allowed_source_ips: [10.0.0.0/8, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16]",
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "http.allowed_source_ips")
    );
    let f = one(&LB.replace("path: '/'", "path: '/'\n  allowed_source_ips: [10.0.0.1/8]"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "http.allowed_source_ips[0]")
    );
}

#[test]
fn target_container_is_the_main_one_or_a_sidecar_with_a_port() {
    let f = one(&LB.replace("path: '/'", "path: '/'\n  target_container: nginx"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "http.target_container")
    );
    let with = |port: &str| {
        run(
            &format!(
                "{}sidecars:\n  nginx:\n    image: nginx\n{port}",
                LB.replace("path: '/'", "path: '/'\n  target_container: nginx")
            ),
            None,
        )
    };
    assert!(with("    port: 8080\n").is_empty());
    assert_eq!(with("")[0].code, Code::MissingField);
}

#[test]
fn sidecars_and_their_start_order() {
    let side = |body: &str| run(&format!("{LB}sidecars:\n{body}"), None);
    assert!(side("  proxy:\n    image: envoy\n    port: 9901/tcp\n    essential: false\n    depends_on: {web: start}\n    credentials: arn:aws:secretsmanager:us-east-1:111122223333:secret:reg-AbCdEf\n").is_empty());
    let f = &side("  proxy:\n    port: 9901\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "sidecars.proxy.image")
    );
    let f = &side("  web:\n    image: x\n")[0];
    assert!(f.message.contains("main container's name"), "{}", f.message);
    let f = &side("  p:\n    image: x\n    port: 80\n")[0];
    assert!(
        f.message.contains("port 80/tcp is also `web`'s"),
        "{}",
        f.message
    );
    // The same number over UDP is another port.
    assert!(side("  p:\n    image: x\n    port: 80/udp\n").is_empty());
    let f = &side("  p:\n    image: x\n    depends_on: {nope: start}\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "sidecars.p.depends_on.nope")
    );
    let f = &side("  p:\n    image: x\n    depends_on: {web: success}\n")[0];
    assert!(f.message.contains("is essential"), "{}", f.message);
    let f = &side("  p:\n    image: x\n    depends_on: {web: healthy}\n")[0];
    assert!(f.message.contains("no health check"), "{}", f.message);
    let f = &side(
        "  p:\n    image: x\n    depends_on: {q: start}\n  q:\n    image: x\n    depends_on: {p: start}\n",
    )[0];
    assert!(f.message.contains("wait for each other"), "{}", f.message);
    let f = &side("  p:\n    image: x\n    credentials: my-registry\n")[0];
    assert_eq!(f.path, "sidecars.p.credentials");
    let f = &side("  p:\n    image: x\n    port: 53/icmp\n")[0];
    assert_eq!(f.code, Code::InvalidValue);
    let f = one(&LB.replace("  port: 80\n", "  port: 80\n  depends_on: {log: start}\n"));
    assert_eq!(f.code, Code::Reference);
}

#[test]
fn deployment_rolling_values() {
    assert!(run(&format!("{BE}deployment:\n  rolling: recreate\n"), None).is_empty());
    let f = one(&format!("{BE}deployment:\n  rolling: recreat\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "deployment.rolling")
    );
    assert!(f.help.starts_with("did you mean `recreate`"));
    assert_eq!(
        run(
            &format!("{BE}deployment:\n  rollback_alarms: [shop-5xx, shop-latency]\n"),
            None
        ),
        []
    );
    assert_eq!(
        run(
            &format!(
                "{BE}deployment:\n  rollback_alarms: {{cpu_utilization: 80, memory_utilization: 90}}\n"
            ),
            None
        ),
        []
    );
    let f = one(&format!("{BE}deployment:\n  rollback_alarms: []\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "deployment.rollback_alarms")
    );
    let f = one(&format!("{BE}deployment:\n  rollback_alarms: {{}}\n"));
    assert_eq!(f.code, Code::MissingField);
    let f = one(&format!(
        "{BE}deployment:\n  rollback_alarms:\n    cpu_utilization: 120\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str(), f.at.as_str()),
        (
            Code::Range,
            "deployment.rollback_alarms.cpu_utilization",
            "svc.yml:8:22"
        )
    );
    let f = one(&format!("{BE}deployment:\n  rollback_alarms: ['']\n"));
    assert_eq!(f.code, Code::InvalidValue);
    let f = one(&format!(
        "{BE}deployment:\n  rollback_alarms: {{cpu_utilization: 50, messages_delayed: 5}}\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (
            Code::NotForType,
            "deployment.rollback_alarms.messages_delayed"
        )
    );
    assert!(
        run(
            &format!("{WORKER}deployment:\n  rollback_alarms: {{messages_delayed: 5}}\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!(
        "{WORKER}deployment:\n  rollback_alarms: {{messages_delayed: 0}}\n"
    ));
    assert_eq!(f.code, Code::Range);
}

#[test]
fn placement_and_service_connect() {
    assert!(
        run(
            &format!("{BE}network:\n  connect: false\n  vpc:\n    placement: private\n"),
            None
        )
        .is_empty()
    );
    assert!(run(&format!("{BE}network:\n  connect: true\n"), None).is_empty());
    assert!(
        run(
            &format!("{BE}network:\n  connect:\n    alias: catalog\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!("{BE}network:\n  connect:\n    alias: bad_alias\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "network.connect.alias")
    );
    let f = one(&format!("{BE}network:\n  vpc:\n    placement: privat\n"));
    assert_eq!(f.code, Code::InvalidValue);
}

#[test]
fn service_name_format() {
    let f = one(&BE.replace("name: api", "name: my_api"));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "name"));
}

#[test]
fn durations_and_commands() {
    let f = one(&LB.replace("path: '/'", "path: '/'\n  deregistration_delay: 30"));
    assert_eq!(f.code, Code::InvalidValue);
    assert!(f.message.contains("no unit"));
    let f = one(&format!("{BE}command: \"echo 'oops\"\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "command"));
}

const IMPORTED_ENV: &str = "name: prod\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-0abc1234\n    subnets:\n      private:\n        - id: subnet-0abc1231\n        - id: subnet-0abc1232\n";

#[test]
fn placement_needs_matching_subnets_in_an_imported_vpc() {
    let v = run(LB, Some(IMPORTED_ENV));
    let codes: Vec<_> = v.iter().map(|f| (f.code, f.path.as_str())).collect();
    assert_eq!(
        codes,
        [
            (Code::Reference, "network.vpc.placement"),
            (Code::Reference, "type")
        ]
    );
    assert!(v[0].message.contains("environment `prod`"));
    assert!(
        run(
            &format!("{BE}network:\n  vpc:\n    placement: private\n"),
            Some(IMPORTED_ENV)
        )
        .is_empty()
    );
}

fn env_findings(env: &str) -> Vec<(Code, String)> {
    run(BE, Some(env))
        .into_iter()
        .filter(|f| f.at.starts_with("env.yml"))
        .map(|f| (f.code, f.path))
        .collect()
}

#[test]
fn environment_rules() {
    let base = "name: test\ntype: Environment\n";
    assert!(env_findings(base).is_empty());
    assert_eq!(
        env_findings(&format!("{base}region: useast1\n")),
        [(Code::InvalidValue, "region".into())]
    );
    assert_eq!(
        env_findings(&format!("{base}account: '12345'\n")),
        [(Code::InvalidValue, "account".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}network:\n  vpc:\n    id: vpc-0abc1234\n    cidr: 10.0.0.0/16\n"
        )),
        [(Code::MutuallyExclusive, "network.vpc.cidr".into())]
    );
    assert_eq!(
        env_findings(&format!("{base}network:\n  vpc:\n    id: vpc-0abc1234\n")),
        [(Code::MissingField, "network.vpc.subnets".into())]
    );
    assert_eq!(
        env_findings(&format!("{base}network:\n  vpc:\n    cidr: 10.0.0.0/8\n")),
        [(Code::Range, "network.vpc.cidr".into())]
    );
    let subnets = |a: &str| {
        format!(
            "{base}network:\n  vpc:\n    cidr: 10.0.0.0/16\n    subnets:\n      public:\n        - cidr: {a}\n        - cidr: 10.0.1.0/24\n      private:\n        - cidr: 10.0.2.0/24\n        - cidr: 10.0.3.0/24\n"
        )
    };
    assert!(env_findings(&subnets("10.0.0.0/24")).is_empty());
    assert_eq!(
        env_findings(&subnets("10.9.0.0/24")),
        [(Code::Range, "network.vpc.subnets.public[0].cidr".into())]
    );
    assert_eq!(
        env_findings(&subnets("10.0.2.0/24")),
        [(Code::Range, "network.vpc.subnets.private[0].cidr".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}network:\n  vpc:\n    subnets:\n      public:\n        - cidr: 10.0.0.0/24\n"
        )),
        [(Code::Range, "network.vpc.subnets.public".into())]
    );
    // More than two zones: lists of one length, at least 2.
    let three = |private: &str| {
        format!(
            "{base}network:\n  vpc:\n    cidr: 10.0.0.0/16\n    subnets:\n      public:\n        - cidr: 10.0.0.0/24\n        - cidr: 10.0.1.0/24\n        - cidr: 10.0.2.0/24\n{private}"
        )
    };
    assert!(env_findings(&three("")).is_empty());
    assert!(
        env_findings(&three(
            "      private:\n        - cidr: 10.0.3.0/24\n        - cidr: 10.0.4.0/24\n        - cidr: 10.0.5.0/24\n"
        ))
        .is_empty()
    );
    assert_eq!(
        env_findings(&three(
            "      private:\n        - cidr: 10.0.3.0/24\n        - cidr: 10.0.4.0/24\n"
        )),
        [(Code::Range, "network.vpc.subnets".into())]
    );
    // A VPC block with no room for the default private subnets beside the public ones.
    let f = run(
        BE,
        Some(&format!(
            "{base}network:\n  vpc:\n    cidr: 10.0.0.0/24\n    subnets:\n      public:\n        - cidr: 10.0.0.0/25\n        - cidr: 10.0.0.128/25\n"
        )),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].code, f[0].at.as_str(), f[0].path.as_str()),
        (Code::Range, "env.yml:8:9", "network.vpc.subnets")
    );
    assert!(
        f[0].message.contains("no room for 2 more subnets"),
        "{}",
        f[0].message
    );
    assert_eq!(
        env_findings(&format!(
            "{base}http:\n  public:\n    certificates: [not-an-arn]\n"
        )),
        [(Code::InvalidValue, "http.public.certificates[0]".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}http:\n  public:\n    ingress:\n      source_ips: [1.2.3.4/40]\n"
        )),
        [(
            Code::InvalidValue,
            "http.public.ingress.source_ips[0]".into()
        )]
    );
    assert_eq!(
        env_findings(&format!("{base}http:\n  private:\n    certificates: [x]\n")),
        [(Code::InvalidValue, "http.private.certificates[0]".into())]
    );
    assert_eq!(env_findings(&format!("{base}cdn: true\n")), []);
    // Access logs: `true`, or a bucket of the user's with an optional prefix.
    let logs = |v: &str| env_findings(&format!("{base}http:\n  public:\n    access_logs: {v}\n"));
    assert_eq!(logs("true"), []);
    assert_eq!(logs("{bucket_name: my-logs, prefix: shop/prod}"), []);
    assert_eq!(
        logs("{bucket_name: My_Logs}"),
        [(
            Code::InvalidValue,
            "http.public.access_logs.bucket_name".into()
        )]
    );
    assert_eq!(
        logs("{prefix: shop}"),
        [(
            Code::MissingField,
            "http.public.access_logs.bucket_name".into()
        )]
    );
    assert_eq!(
        logs("{bucket_name: my-logs, prefix: AWSLogs/x}"),
        [(Code::InvalidValue, "http.public.access_logs.prefix".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}cdn:\n  certificate: arn:aws:acm:eu-west-1:111122223333:certificate/a\n"
        )),
        [(Code::InvalidValue, "cdn.certificate".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}cdn:\n  static_assets:\n    location: my-bucket.example.com\n    path: static/*\n"
        )),
        [(Code::InvalidValue, "cdn.static_assets.location".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}cdn:\n  static_assets: {{path: static/*}}\n"
        )),
        [(Code::MissingField, "cdn.static_assets.location".into())]
    );
    // Only CloudFront reaching the load balancer needs CloudFront, and excludes
    // `source_ips`; Copilot's older spelling says the same.
    assert_eq!(
        env_findings(&format!(
            "{base}http:\n  public:\n    ingress:\n      cdn: true\n"
        )),
        [(Code::Reference, "http.public.ingress.cdn".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}cdn: true\nhttp:\n  public:\n    ingress:\n      cdn: true\n      source_ips: [10.0.0.0/8]\n"
        )),
        [(Code::InvalidValue, "http.public.ingress.source_ips".into())]
    );
    assert_eq!(
        env_findings(&format!(
            "{base}cdn: true\nhttp:\n  public:\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n"
        )),
        []
    );
    assert_eq!(
        env_findings(&format!(
            "{base}observability:\n  container_insight: true\n"
        )),
        [(Code::UnknownKey, "observability.container_insight".into())]
    );
}

#[test]
fn load_balancer_deletion_protection_is_a_located_boolean() {
    let base = "name: prod\ntype: Environment\nhttp:\n  public:\n";
    assert!(env_findings(&format!("{base}    deletion_protection: true\n")).is_empty());
    let v: Vec<_> = run(BE, Some(&format!("{base}    deletion_protection: 'yes'\n")))
        .into_iter()
        .map(|f| (f.code, f.at, f.message))
        .collect();
    assert_eq!(
        v,
        [(
            Code::InvalidType,
            "env.yml:5:26".to_string(),
            "`http.public.deletion_protection` must be true or false, found a string".to_string()
        )]
    );
    let f = run(BE, Some(&format!("{base}    deletion_protecton: true\n")));
    assert_eq!(
        (f[0].code, f[0].path.as_str(), f[0].help.as_str()),
        (
            Code::UnknownKey,
            "http.public.deletion_protecton",
            "did you mean `deletion_protection`?"
        )
    );
}

#[test]
fn fargate_spot_rules() {
    let f = one(&format!("{BE}count:\n  spot: 2\n  range: 1-3\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MutuallyExclusive, "count.spot")
    );
    // Fargate Spot runs ARM64 tasks since 2024; not Windows ones.
    assert!(
        run(
            &format!("{BE}platform: linux/arm64\ncount:\n  spot: 2\n"),
            None
        )
        .is_empty()
    );
    assert!(
        run(
            &format!("{BE}platform: linux/arm64\ncount:\n  range: {{min: 1, max: 3, spot_from: 2}}\n  cpu_percentage: 50\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!(
        "{BE}platform: windows/x86_64\ncpu: 1024\nmemory: 2048\ncount:\n  spot: 2\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "count.spot")
    );
    let f = one(&format!(
        "{BE}count:\n  range: {{min: 1, max: 3, spot_from: 0}}\n  cpu_percentage: 50\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "count.range.spot_from")
    );
}

#[test]
fn storage_rules() {
    assert!(
        run(
            &format!("{BE}storage:\n  ephemeral: 50\n  readonly_fs: true\n"),
            None
        )
        .is_empty()
    );
    let f = one(&format!("{BE}storage:\n  ephemeral: 10\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Range, "storage.ephemeral")
    );
    let f = one(&format!(
        "{BE}platform: windows/x86_64\nstorage:\n  readonly_fs: true\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "storage.readonly_fs")
    );
    assert!(
        run(
            &format!("{BE}storage:\n  volumes:\n    data:\n      path: /data\n"),
            None
        )
        .is_empty()
    );
}

#[test]
fn volumes_and_mount_points() {
    let vol = |body: &str| run(&format!("{BE}storage:\n  volumes:\n{body}"), None);
    assert!(vol("    shared:\n      path: /shared\n      read_only: false\n      efs:\n        id: fs-0123abcd\n        root_dir: /app\n        auth: {iam: true}\n    cache:\n      path: /cache\n").is_empty());
    assert!(vol("    shared:\n      path: /shared\n      efs:\n        id: {from_cfn: shared-fs}\n        auth: {access_point_id: fsap-0123abcd}\n").is_empty());
    let f = &vol("    s:\n      path: relative\n")[0];
    assert_eq!(f.path, "storage.volumes.s.path");
    let f = &vol("    s:\n      path: /s\n      efs:\n        id: my-fs\n")[0];
    assert_eq!(f.path, "storage.volumes.s.efs.id");
    let f = &vol(
        "    s:\n      path: /s\n      efs:\n        id: fs-0123abcd\n        root_dir: /app\n        auth: {access_point_id: fsap-0123abcd}\n",
    )[0];
    assert_eq!(f.path, "storage.volumes.s.efs.root_dir");
    // The environment's file system.
    assert!(vol("    s:\n      path: /s\n      efs: true\n").is_empty());
    assert!(vol("    s:\n      path: /s\n      efs: {uid: 1000, gid: 1000}\n").is_empty());
    // One volume on it per workload (Copilot's rule): the second is located.
    let f = vol(
        "    a:\n      path: /a\n      efs: true\n    b:\n      path: /b\n      efs: {uid: 1000, gid: 1000}\n",
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].path, "storage.volumes.b.efs");
    assert!(
        f[0].message.contains("`a` is one already"),
        "{}",
        f[0].message
    );
    let f = &vol("    s:\n      path: /s\n      efs: {uid: 1000}\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "storage.volumes.s.efs")
    );
    let f = &run(
        &format!(
            "{BE}sidecars:\n  p:\n    image: x\n    mount_points:\n      - {{source_volume: nope, path: /n}}\n"
        ),
        None,
    )[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "sidecars.p.mount_points[0].source_volume")
    );
}

#[test]
fn windows_tasks_mount_bind_volumes_at_drive_paths() {
    let win = |body: &str| {
        run(
            &format!(
                "{BE}platform: windows/x86_64\ncpu: 1024\nmemory: 2048\nstorage:\n  volumes:\n{body}"
            ),
            None,
        )
    };
    let ok = win("    data: {path: 'C:\\data', read_only: false}\n    logs: {path: 'd:/logs'}\n");
    assert!(ok.is_empty(), "{ok:#?}");
    for (path, message) in [
        ("/data", "is not an absolute Windows path"),
        ("data", "is not an absolute Windows path"),
        ("C:", "is not an absolute Windows path"),
        ("C:\\", "a drive's root"),
        ("c:/", "a drive's root"),
    ] {
        let f = &win(&format!("    data: {{path: '{path}'}}\n"))[0];
        assert_eq!(
            (f.code, f.path.as_str()),
            (Code::InvalidValue, "storage.volumes.data.path"),
            "{path}"
        );
        assert!(f.message.contains(message), "{path}: {}", f.message);
    }
    // One path, however it is spelt: Windows paths ignore case and take either slash,
    // doubled separators and `.` segments.
    for second in ["c:/data/", "C:\\\\data", "C:\\data\\.", "c:\\.\\DATA"] {
        let f = &win(&format!(
            "    a: {{path: 'C:\\Data'}}\n    b: {{path: '{second}'}}\n"
        ))[0];
        assert!(
            f.message.contains("already mounts a volume") && f.message.contains("`C:\\\\Data`"),
            "{second}: {}",
            f.message
        );
    }
    for (bad, says) in [
        ("C:\\..\\", "`..` segment"),
        ("C:\\da*ta", "cannot have"),
        ("C:\\a:b", "cannot have"),
    ] {
        let f = &win(&format!("    d: {{path: '{bad}'}}\n"))[0];
        assert!(f.message.contains(says), "{bad}: {}", f.message);
    }
    // A Linux task keeps `/` paths, and says how Windows writes them.
    let f = &run(
        &format!("{BE}storage:\n  volumes:\n    d: {{path: 'C:\\data'}}\n"),
        None,
    )[0];
    assert!(f.help.contains("on Windows, with a drive"), "{}", f.help);
}

#[test]
fn a_misspelt_field_is_not_also_reported_missing() {
    let f = one(&LB.replace("  port: 80", "  prot: 80"));
    assert_eq!((f.code, f.path.as_str()), (Code::UnknownKey, "image.prot"));
    let f = one(&LB.replace("http:\n  path: '/'\n", "htp:\n  path: '/'\n"));
    assert_eq!(
        (f.code, f.help.as_str()),
        (Code::UnknownKey, "did you mean `http`?")
    );
}

const WORKER: &str = "name: w\ntype: Worker Service\nimage:\n  build: Dockerfile\n";
const JOB: &str =
    "name: j\ntype: Scheduled Job\nimage:\n  build: Dockerfile\non:\n  schedule: '@daily'\n";

#[test]
fn workers_and_jobs_are_valid_as_written() {
    assert!(run(WORKER, None).is_empty());
    assert!(run(JOB, None).is_empty());
    let full = format!(
        "{WORKER}subscribe:\n  topics:\n    - name: orders\n      service: web\n      filter_policy: {{event: [placed]}}\n  queue:\n    timeout: 1m\n    dead_letter: {{tries: 5}}\ncount:\n  range: 1-4\n  queue_delay: {{acceptable_latency: 2m, msg_processing_time: 2s}}\npublish:\n  topics:\n    - name: shipped\n"
    );
    assert!(run(&full, None).is_empty(), "{:#?}", run(&full, None));
}

#[test]
fn a_field_of_another_type_names_the_types_that_accept_it() {
    let f = one(&format!("{WORKER}http:\n  path: /\n"));
    assert_eq!((f.code, f.at.as_str()), (Code::NotForType, "svc.yml:5:1"));
    assert!(
        f.message
            .contains("`http` is not a field of a Worker Service"),
        "{}",
        f.message
    );
    assert!(
        f.help
            .contains("a Load Balanced Web Service or a Backend Service"),
        "{}",
        f.help
    );
    let f = one(&format!("{JOB}count: 2\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::NotForType, "count"));
    assert!(
        f.help
            .contains("a Load Balanced Web Service, a Backend Service or a Worker Service"),
        "{}",
        f.help
    );
    let f = one(&format!("{BE}on:\n  schedule: '@daily'\n"));
    assert_eq!(f.code, Code::NotForType);
    assert!(f.help.contains("belongs to a Scheduled Job"), "{}", f.help);
    let f = one("name: w\ntype: Worker Service\nimage:\n  build: Dockerfile\n  port: 80\n");
    assert_eq!((f.code, f.path.as_str()), (Code::NotForType, "image.port"));
    let f = one(&format!("{JOB}network:\n  connect: true\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::NotForType, "network.connect")
    );
    let f = one(&format!(
        "{BE}count:\n  range: 1-2\n  queue_delay: {{acceptable_latency: 1m, msg_processing_time: 1s}}\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::NotForType, "count.queue_delay")
    );
    let f = one(&format!("{WORKER}count:\n  range: 1-2\n  requests: 100\n"));
    assert!(
        f.message.contains("a Worker Service has none"),
        "{}",
        f.message
    );
}

#[test]
fn a_job_needs_a_valid_schedule_and_bounded_retries() {
    let f = one("name: j\ntype: Scheduled Job\nimage:\n  build: Dockerfile\n");
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "on.schedule")
    );
    let f = one(
        "name: j\ntype: Scheduled Job\nimage:\n  build: Dockerfile\non:\n  schedule: '0 3 * *'\n",
    );
    assert_eq!(
        (f.code, f.at.as_str()),
        (Code::InvalidValue, "svc.yml:6:13")
    );
    assert!(
        f.message
            .contains("`on.schedule` is not a valid schedule: a cron schedule needs 5 fields"),
        "{}",
        f.message
    );
    let f = one(&format!("{JOB}retries: 11\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::Range, "retries"));
    let f = one(&format!("{JOB}timeout: 1500ms\n"));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "timeout"));
}

#[test]
fn queue_settings_are_checked_against_sqs_limits() {
    let q = |body: &str| one(&format!("{WORKER}subscribe:\n  queue:\n{body}"));
    assert_eq!(q("    retention: 30s\n").path, "subscribe.queue.retention");
    assert_eq!(q("    delay: 16m\n").path, "subscribe.queue.delay");
    assert_eq!(q("    timeout: 13h\n").path, "subscribe.queue.timeout");
    assert_eq!(
        q("    dead_letter: {tries: 0}\n").path,
        "subscribe.queue.dead_letter.tries"
    );
    let f = q("    fifo: {high_throughput: true, throughput_limit: perQueue}\n");
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MutuallyExclusive, "subscribe.queue.fifo")
    );
    let f = q("    fifo: {deduplication_scope: group}\n");
    assert_eq!(f.path, "subscribe.queue.fifo.deduplication_scope");
    let f = q("    fifo: {throughput_limit: perMessageGroupId, deduplication_scope: queue}\n");
    assert_eq!(f.path, "subscribe.queue.fifo");
    let f = one(&format!(
        "{WORKER}count:\n  range: 1-2\n  queue_delay: {{acceptable_latency: 1s, msg_processing_time: 2s}}\n"
    ));
    assert_eq!(f.path, "count.queue_delay.msg_processing_time");
    let f = one(&format!("{WORKER}publish:\n  topics:\n    - name: a.b\n"));
    assert_eq!(f.path, "publish.topics[0].name");
    let f = one(&format!(
        "{WORKER}publish:\n  topics:\n    - name: a\n    - name: a\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::DuplicateKey, "publish.topics[1].name")
    );
    let f = one(&format!(
        "{WORKER}subscribe:\n  topics:\n    - {{name: a, service: web}}\n    - {{name: a, service: web}}\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::DuplicateKey, "subscribe.topics[1].name")
    );
}

#[test]
fn a_subscription_nobody_here_publishes_is_a_warning_naming_the_publishers() {
    use crate::manifest::validate::messaging::unpublished;
    let web = decode(&format!(
        "{LB}publish:\n  topics:\n    - name: orders\n    - name: audit\n      fifo: true\n"
    ));
    let worker = |topic: &str, fifo: bool| {
        decode(&format!(
            "{WORKER}subscribe:\n  topics:\n    - name: {topic}\n      service: web\n{}",
            if fifo {
                "  queue:\n    fifo: true\n"
            } else {
                ""
            }
        ))
    };
    assert!(unpublished(&[web.clone(), worker("orders", false)]).is_empty());
    assert!(unpublished(&[web.clone(), worker("audit", true)]).is_empty());
    let u = unpublished(&[web.clone(), worker("refunds", false)]);
    assert_eq!(u.len(), 1);
    let d = &u[0].diagnostic;
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.message
            .contains("`w` subscribes to topic `refunds` of `web`"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("`web` publishes orders, audit (FIFO)"),
        "{:?}",
        d.help
    );
    // A standard queue cannot take a FIFO topic's messages: not the same topic.
    assert_eq!(unpublished(&[web.clone(), worker("audit", false)]).len(), 1);
    let u = unpublished(&[worker("orders", false)]);
    assert!(
        u[0].diagnostic
            .message
            .contains("no workload `web` in this workspace"),
        "{}",
        u[0].diagnostic.message
    );
}

#[test]
fn names_that_make_one_logical_id_are_refused() {
    let f = one(&format!(
        "{WORKER}publish:\n  topics:\n    - name: or-ders\n    - name: orders\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "publish.topics[1].name")
    );
    assert!(f.message.contains("`ordersSNSTopic`"), "{}", f.message);
    // A FIFO and a standard topic of one name are two resources.
    assert!(
        run(
            &format!(
                "{WORKER}publish:\n  topics:\n    - name: a\n    - name: a\n      fifo: true\n"
            ),
            None
        )
        .is_empty()
    );
    let f = one(&format!(
        "{WORKER}subscribe:\n  topics:\n    - {{name: bc, service: a}}\n    - {{name: c, service: ab}}\n"
    ));
    assert_eq!(f.path, "subscribe.topics[1].name");
    assert!(
        f.message.contains("`abcSNSTopicSubscription`"),
        "{}",
        f.message
    );
}

#[test]
fn filter_policies_are_checked_against_sns_limits() {
    let fp = |p: &str| {
        run(
            &format!(
                "{WORKER}subscribe:\n  topics:\n    - name: t\n      service: web\n      filter_policy: {p}\n"
            ),
            None,
        )
    };
    assert!(fp("{event: [placed], price: [{numeric: ['>=', 100]}]}").is_empty());
    let f = &fp("{event: placed}")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (
            Code::InvalidValue,
            "subscribe.topics[0].filter_policy.event"
        )
    );
    let f = &fp("{a: {b: [x]}}")[0];
    assert_eq!(f.code, Code::Unsupported);
    let f = &fp("{a: [x], b: [x], c: [x], d: [x], e: [x], f: [x]}")[0];
    assert!(f.message.contains("6 keys"), "{}", f.message);
    let many = (0..200)
        .map(|i| format!("v{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let f = &fp(&format!("{{a: [{many}]}}")).pop().unwrap();
    assert!(f.message.contains("200 combinations"), "{}", f.message);
    let f = &fp("{}")[0];
    assert!(f.message.contains("empty"), "{}", f.message);
}

#[test]
fn a_bad_schedule_does_not_hide_the_jobs_other_problems() {
    let v = run(
        "name: j\ntype: Scheduled Job\nimage:\n  build: Dockerfile\non:\n  schedule: '0 4 * * 8'\nretries: 20\ntimeout: 0s\n",
        None,
    );
    let paths: Vec<&str> = v.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["on.schedule", "retries", "timeout"], "{v:#?}");
    let f = one("name: j\ntype: Scheduled Job\nimage:\n  build: Dockerfile\non:\n");
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "on.schedule")
    );
    let f = one(&JOB.replace("'@daily'", "'0 3 30 2 *'"));
    assert_eq!(
        (f.severity, f.path.as_str()),
        (Severity::Warning, "on.schedule")
    );
    assert!(
        f.message.contains("does not fire in the next five years"),
        "{}",
        f.message
    );
    let minutes = vec!["0"; 120].join(",");
    let hours = (0..24).map(|h| h.to_string()).collect::<Vec<_>>().join(",");
    let f = one(&JOB.replace("'@daily'", &format!("'{minutes} {hours} * * *'")));
    assert_eq!(f.code, Code::Limit);
}

#[test]
fn workers_subscribing_to_each_other_are_a_warning() {
    use crate::manifest::validate::messaging::subscription_cycles;
    let w = |name: &str, from: &str| {
        decode(&format!(
            "name: {name}\ntype: Worker Service\nimage:\n  location: x\npublish:\n  topics:\n    - name: t\nsubscribe:\n  topics:\n    - name: t\n      service: {from}\n"
        ))
    };
    let d = subscription_cycles(&[w("a", "b"), w("b", "a")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("`a` → `b` → `a`"), "{}", d[0].message);
    let d = subscription_cycles(&[w("a", "b"), w("b", "c"), w("c", "a")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(subscription_cycles(&[w("a", "b"), w("b", "web")]).is_empty());
    assert!(
        subscription_cycles(&[w("a", "a")]).is_empty(),
        "said by `subscribe`"
    );
}

#[test]
fn a_missing_image_does_not_make_the_task_fields_unknown() {
    let f = one("name: api\ntype: Backend Service\ncpu: 256\nmemory: 512\nvariables: {A: b}\n");
    assert_eq!((f.code, f.path.as_str()), (Code::MissingField, "image"));
}

#[test]
fn cross_field_rules_on_effective_values() {
    // ECS Exec needs a writable root file system.
    let f = one(&format!("{BE}exec: true\nstorage:\n  readonly_fs: true\n"));
    assert_eq!(
        (f.severity, f.path.as_str()),
        (Severity::Warning, "storage.readonly_fs")
    );
    // Capital letters: the image repository is `<app>/<name>`.
    let f = one("name: Api\ntype: Backend Service\nimage:\n  location: nginx\n");
    assert_eq!((f.code, f.at.as_str()), (Code::InvalidValue, "svc.yml:1:7"));
    assert!(f.help.contains("use `api`"), "{}", f.help);
    // A Service Connect alias needs a port.
    let f = one(
        "name: w\ntype: Worker Service\nimage:\n  build: x\nnetwork:\n  connect:\n    alias: w\n",
    );
    assert_eq!(f.path, "network.connect.alias");
    // Service Connect does not run Windows tasks.
    let f = one(&format!(
        "{BE}platform: windows/x86_64\ncpu: 1024\nmemory: 2048\nnetwork:\n  connect: true\n"
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "network.connect")
    );
    // Twenty variables of 4,000 characters: more than ECS's 64 KiB task definition.
    let vars: String = (0..20)
        .map(|i| format!("  V{i}: {}\n", "x".repeat(4000)))
        .collect();
    let f = one(&format!("{BE}variables:\n{vars}"));
    assert_eq!(
        (f.code, f.path.as_str(), f.at.as_str()),
        (Code::Limit, "variables", "svc.yml:7:3")
    );
    let ten: String = vars.lines().take(10).map(|l| format!("{l}\n")).collect();
    let v = run(&format!("{BE}variables:\n{ten}"), None);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn an_error_of_one_environment_names_it() {
    let mut map = SourceMap::new();
    let _ = &mut map;
    let d = crate::manifest::diag::Diagnostics::merge_environments(
        vec![
            {
                let mut a = Diagnostics::new();
                a.push(crate::manifest::diag::Diagnostic::error(
                    Code::MissingField,
                    "missing `image`",
                ));
                a.in_environment("test")
            },
            Diagnostics::new().in_environment("prod"),
            {
                let mut c = Diagnostics::new();
                c.push(crate::manifest::diag::Diagnostic::error(
                    Code::MissingField,
                    "missing `image`",
                ));
                c.in_environment("staging")
            },
        ],
        &["prod".into(), "staging".into(), "test".into()],
    );
    let v: Vec<_> = d.iter().collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].environments, ["staging", "test"]);
    // Found for every environment: said once, without them.
    let mut a = Diagnostics::new();
    a.push(crate::manifest::diag::Diagnostic::error(Code::Range, "x"));
    let mut b = Diagnostics::new();
    b.push(crate::manifest::diag::Diagnostic::error(Code::Range, "x"));
    let d = crate::manifest::diag::Diagnostics::merge_environments(
        vec![a.in_environment("prod"), b.in_environment("test")],
        &["prod".into(), "test".into()],
    );
    assert!(d.iter().all(|x| x.environments.is_empty()));
}

#[test]
fn security_groups_and_subnets_by_id() {
    let net = |body: &str| run(&format!("{BE}network:\n  vpc:\n{body}"), None);
    assert!(net("    security_groups: [sg-0abc1234, {from_cfn: shared-sg}]\n    placement:\n      subnets: [subnet-0abc1234, subnet-0def5678]\n").is_empty());
    let f = &net("    security_groups: [default]\n")[0];
    assert_eq!(f.path, "network.vpc.security_groups[0]");
    let f = &net("    security_groups: {deny_default: true}\n")[0];
    assert_eq!(f.code, Code::MissingField);
    let f = &net(
        "    security_groups: [sg-00000001, sg-00000002, sg-00000003, sg-00000004, sg-00000005]\n",
    )[0];
    assert!(f.message.contains("6 security groups"), "{}", f.message);
    // Five of one's own are allowed; a service others call is warned that only they
    // let traffic in.
    let found = net(
        "    security_groups: {groups: [sg-00000001, sg-00000002, sg-00000003, sg-00000004, sg-00000005], deny_default: true}\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].severity, found[0].path.as_str()),
        (
            Severity::Warning,
            "network.vpc.security_groups.deny_default"
        )
    );
    let worker = "name: w\ntype: Worker Service\nimage:\n  location: x\nnetwork:\n  vpc:\n    security_groups: {groups: [sg-00000001], deny_default: true}\n";
    assert!(run(worker, None).is_empty());
    // IDs are lower-case, and each is listed once.
    let f = &net("    security_groups: [sg-0ABC1234]\n")[0];
    assert!(
        f.message.contains("not a security group ID"),
        "{}",
        f.message
    );
    let f = &net("    security_groups: [sg-0abc1234, sg-0abc1234]\n")[0];
    assert_eq!(f.path, "network.vpc.security_groups[1]");
    let f = &net("    placement:\n      subnets: [subnet-0abc1234, subnet-0abc1234]\n")[0];
    assert!(f.message.contains("listed twice"), "{}", f.message);
    let f = &net("    placement:\n      subnets: [subnet-xyz]\n")[0];
    assert_eq!(f.path, "network.vpc.placement.subnets[0]");
    // Subnets by tags: a value or a list of values per key, within bounds.
    assert!(
        net("    placement:\n      subnets:\n        from_tags: {tier: app, zone: [a, b]}\n")
            .is_empty()
    );
    let f = &net("    placement:\n      subnets:\n        from_tags: {}\n")[0];
    assert!(f.message.contains("1 to 10 tag keys"), "{}", f.message);
    let f = &net("    placement:\n      subnets:\n        from_tags: {tier: []}\n")[0];
    assert_eq!(f.path, "network.vpc.placement.subnets.from_tags.tier");
    let found = net("    placement:\n      subnets:\n        tags: {a: b}\n");
    assert!(
        found.iter().any(|f| f.code == Code::UnknownKey),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.code == Code::MissingField),
        "{found:?}"
    );
}

#[test]
fn sidecar_and_volume_rules_found_by_a_trial() {
    let lb = |extra_http: &str, sidecars: &str| {
        run(
            &format!(
                "{}sidecars:\n{sidecars}",
                LB.replace(
                    "path: '/'",
                    &format!("path: '/'\n  target_container: n{extra_http}")
                )
            ),
            None,
        )
    };
    // Another port of the sidecar is exposed for the rule (Copilot's exposed ports).
    assert_eq!(
        lb(
            "\n  target_port: 9000",
            "  n:\n    image: x\n    port: 8080\n",
        ),
        vec![]
    );
    // An Application Load Balancer does not send to a UDP port.
    let f = &lb("", "  n:\n    image: x\n    port: 53/udp\n")[0];
    assert!(f.message.contains("UDP"), "{}", f.message);
    // Sidecars count toward the 64 KiB task definition.
    let big = "x".repeat(40_000);
    let f = one(&format!(
        "{BE}variables:\n  A: {big}\nsidecars:\n  s:\n    image: x\n    variables:\n      B: {big}\n"
    ));
    assert_eq!(f.code, Code::Limit);
    // Export names are checked wherever `from_cfn` is.
    let f = one(&format!(
        "{BE}network:\n  vpc:\n    security_groups: [{{from_cfn: 'x y'}}]\n"
    ));
    assert_eq!(f.path, "network.vpc.security_groups[0]");
    let f = one(&format!(
        "{BE}storage:\n  volumes:\n    v:\n      path: /v\n      efs:\n        id: {{from_cfn: 'x y'}}\n"
    ));
    assert_eq!(f.path, "storage.volumes.v.efs.id");
    // Sidecar images are image references.
    let f = one(&format!("{BE}sidecars:\n  s:\n    image: 'busy box'\n"));
    assert_eq!(f.path, "sidecars.s.image");
    // One path, one mount; never at `/`.
    let f = one(&format!(
        "{BE}storage:\n  volumes:\n    a: {{path: /data}}\n    b: {{path: /data/}}\n"
    ));
    assert!(
        f.message.contains("already mounts a volume at"),
        "{}",
        f.message
    );
    let f = one(&format!("{BE}storage:\n  volumes:\n    a: {{path: /}}\n"));
    assert!(f.message.contains("container's root"), "{}", f.message);
}

const HTTPS_ENV: &str = "name: prod\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";

#[test]
fn http_versions_need_an_https_listener() {
    let svc = |extra: &str| format!("{LB}{extra}");
    // gRPC behind HTTPS, with gRPC codes.
    let ok = run(
        &svc(
            "  version: GRPC\n  healthcheck:\n    path: /shop.Catalog/Check\n    success_codes: '0-99'\n",
        ),
        Some(HTTPS_ENV),
    );
    assert!(ok.is_empty(), "{ok:#?}");
    let f = run(
        &svc("  version: grpc\n"),
        Some("name: test\ntype: Environment\n"),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].code, f[0].at.as_str(), f[0].path.as_str()),
        (Code::InvalidValue, "svc.yml:8:12", "http.version")
    );
    assert!(
        f[0].message.contains(
            "`GRPC` target groups need an HTTPS listener, and environment `test`'s public load balancer has no certificate"
        ),
        "{}",
        f[0].message
    );
    // HTTP/1.1 needs nothing.
    assert!(
        run(
            &svc("  version: http1\n"),
            Some("name: test\ntype: Environment\n")
        )
        .is_empty()
    );
    let f = one(&svc("  version: http3\n"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "http.version")
    );
    assert!(f.help.contains("`http1`"), "{}", f.help);
    let f = run(
        &svc("  version: grpc\n  healthcheck:\n    success_codes: '200'\n"),
        Some(HTTPS_ENV),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("not a list of gRPC codes"),
        "{}",
        f[0].message
    );
}

#[test]
fn redirect_to_https_means_something_with_an_https_listener_only() {
    let svc = |extra: &str| format!("{LB}  redirect_to_https: false\n{extra}");
    assert!(run(&svc(""), Some(HTTPS_ENV)).is_empty());
    let f = run(&svc(""), Some("name: test\ntype: Environment\n"));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].severity, f[0].path.as_str()),
        (Severity::Warning, "http.redirect_to_https")
    );
    let f = run(&svc("  version: http2\n"), Some(HTTPS_ENV));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("takes HTTP/1.1 target groups only"),
        "{}",
        f[0].message
    );
    assert!(run(&format!("{LB}  redirect_to_https: true\n"), Some(HTTPS_ENV)).is_empty());
}

/// User's case 2: an imported VPC with one public subnet cannot hold the load balancer.
#[test]
fn a_load_balancer_needs_two_public_subnets_of_an_imported_vpc() {
    let env = |public: &str| {
        format!(
            "name: prod\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-0abc1234\n    subnets:\n      public:\n{public}      private:\n        - id: subnet-0a000003\n        - id: subnet-0a000004\n"
        )
    };
    let one_subnet = env("        - id: subnet-0a000001\n");
    let f: Vec<_> = run(LB, Some(&one_subnet))
        .into_iter()
        .filter(|f| f.at.starts_with("svc.yml"))
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].code, f[0].at.as_str(), f[0].path.as_str()),
        (Code::Range, "svc.yml:2:7", "type")
    );
    assert!(
        f[0].message
            .contains("at least 2 availability zones, and environment `prod` imports a VPC with 1"),
        "{}",
        f[0].message
    );
    let two = env("        - id: subnet-0a000001\n        - id: subnet-0a000002\n");
    assert!(run(LB, Some(&two)).is_empty(), "{:#?}", run(LB, Some(&two)));
    // A backend needs no load balancer.
    assert!(run(BE, Some(&one_subnet)).iter().all(|f| f.path != "type"));
}

/// ECS's limits on a task: at most 10 containers, 16 subnets, and health checks of
/// sidecars within the same bounds as the main container's.
#[test]
fn task_limits_of_containers_subnets_and_sidecar_health_checks() {
    let sidecars: String = (0..9)
        .map(|i| format!("  s{i}:\n    image: busybox\n"))
        .collect();
    assert!(run(&format!("{BE}sidecars:\n{sidecars}"), None).is_empty());
    let f = one(&format!(
        "{BE}observability:\n  tracing: awsxray\nsidecars:\n{sidecars}"
    ));
    assert_eq!((f.code, f.path.as_str()), (Code::Limit, "sidecars"));
    assert!(
        f.message.contains(
            "11 containers (the main one, 9 sidecars and the X-Ray collector); ECS takes at most 10"
        ),
        "{}",
        f.message
    );
    let ids: Vec<String> = (0..17).map(|i| format!("subnet-0a1b2c{i:02x}")).collect();
    let f = one(&format!(
        "{BE}network:\n  vpc:\n    placement:\n      subnets: [{}]\n",
        ids.join(", ")
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Limit, "network.vpc.placement.subnets")
    );
    assert!(f.message.contains("lists 17 subnets"), "{}", f.message);
    let f = one(&format!(
        "{BE}sidecars:\n  s:\n    image: busybox\n    healthcheck:\n      command: [CMD, true]\n      interval: 1s\n"
    ));
    assert_eq!(f.path, "sidecars.s.healthcheck.interval");
    let f = one(&format!(
        "{BE}sidecars:\n  s:\n    image: busybox\n    healthcheck:\n      command: [curl, x]\n"
    ));
    assert_eq!(f.path, "sidecars.s.healthcheck.command");
}

#[test]
fn environment_security_group_rules_and_flow_logs() {
    let env = |vpc: &str| format!("name: test\ntype: Environment\nnetwork:\n  vpc:\n{vpc}");
    let ok = env(
        "    security_group:\n      ingress:\n        - {ip_protocol: tcp, ports: 80, cidr: 10.0.0.0/16}\n        - {ip_protocol: '-1', cidr: '2001:db8::/32'}\n      egress: []\n    flow_logs: true\n",
    );
    assert!(env_findings(&ok).is_empty(), "{:?}", env_findings(&ok));
    assert!(env_findings(&env("    flow_logs: {retention: 30}\n")).is_empty());
    assert!(env_findings(&env("    flow_logs: false\n")).is_empty());
    for (rule, path) in [
        (
            "{ip_protocol: tcpp, ports: 80, cidr: 10.0.0.0/16}",
            "network.vpc.security_group.ingress[0].ip_protocol",
        ),
        (
            "{ip_protocol: tcp, cidr: 10.0.0.0/16}",
            "network.vpc.security_group.ingress[0].ports",
        ),
        (
            "{ip_protocol: tcp, ports: 90-80, cidr: 10.0.0.0/16}",
            "network.vpc.security_group.ingress[0].ports",
        ),
        (
            "{ip_protocol: tcp, ports: 80, cidr: 10.0.0.1/16}",
            "network.vpc.security_group.ingress[0].cidr",
        ),
        (
            "{ip_protocol: tcp, ports: 80}",
            "network.vpc.security_group.ingress[0].cidr",
        ),
    ] {
        let f = env_findings(&env(&format!(
            "    security_group:\n      ingress:\n        - {rule}\n"
        )));
        assert_eq!(f.len(), 1, "{rule}: {f:?}");
        assert_eq!(f[0].1, path, "{rule}");
    }
    let many: String = (0..59)
        .map(|i| {
            format!(
                "        - {{ip_protocol: tcp, ports: {}, cidr: 10.0.0.0/16}}\n",
                1000 + i
            )
        })
        .collect();
    let f = env_findings(&env(&format!(
        "    security_group:\n      ingress:\n{many}"
    )));
    assert_eq!(
        f,
        [(
            Code::Limit,
            "network.vpc.security_group.ingress".to_string()
        )]
    );
    let f = env_findings(&env("    flow_logs: {retention: 15}\n"));
    assert_eq!(
        f,
        [(
            Code::InvalidValue,
            "network.vpc.flow_logs.retention".to_string()
        )]
    );
}

/// What a fresh-user trial found validate let through and AWS refuses.
#[test]
fn security_group_rules_and_subnets_aws_would_refuse() {
    let env = |vpc: &str| format!("name: test\ntype: Environment\nnetwork:\n  vpc:\n{vpc}");
    // The same rule twice, however written.
    let f = env_findings(&env(
        "    security_group:\n      ingress:\n        - {ip_protocol: tcp, ports: 80, cidr: 10.0.0.0/8}\n        - {ip_protocol: '6', ports: 80-80, cidr: 10.0.0.0/8}\n",
    ));
    assert_eq!(
        f,
        [(
            Code::DuplicateKey,
            "network.vpc.security_group.ingress[1]".to_string()
        )]
    );
    // A protocol given by number is the same protocol: TCP needs ports.
    let f = env_findings(&env(
        "    security_group:\n      ingress:\n        - {ip_protocol: '6', cidr: 10.0.0.0/8}\n",
    ));
    assert_eq!(
        f,
        [(
            Code::MissingField,
            "network.vpc.security_group.ingress[0].ports".to_string()
        )]
    );
    // ICMP: type and code.
    assert!(env_findings(&env("    security_group:\n      ingress:\n        - {ip_protocol: icmp, cidr: 10.0.0.0/8}\n        - {ip_protocol: icmp, ports: 8-0, cidr: 10.1.0.0/16}\n")).is_empty());
    let f = env_findings(&env(
        "    security_group:\n      ingress:\n        - {ip_protocol: icmp, ports: 0-65535, cidr: 10.0.0.0/8}\n",
    ));
    assert_eq!(
        f,
        [(
            Code::InvalidValue,
            "network.vpc.security_group.ingress[0].ports".to_string()
        )]
    );
    // Subnet sizes AWS allows.
    let f = env_findings(&env(
        "    cidr: 10.9.0.0/24\n    subnets:\n      public:\n        - cidr: 10.9.0.0/28\n        - cidr: 10.9.0.16/30\n",
    ));
    assert!(
        f.contains(&(
            Code::Range,
            "network.vpc.subnets.public[1].cidr".to_string()
        )),
        "{f:?}"
    );
    assert!(
        !f.contains(&(
            Code::Range,
            "network.vpc.subnets.public[0].cidr".to_string()
        )),
        "{f:?}"
    );
    // Imported: a subnet listed twice.
    let f = env_findings(&env(
        "    id: vpc-0abc1234\n    subnets:\n      public:\n        - id: subnet-0a000001\n        - id: subnet-0a000001\n",
    ));
    assert_eq!(
        f,
        [(
            Code::DuplicateKey,
            "network.vpc.subnets.public[1].id".to_string()
        )]
    );
    // Zones.
    let zoned = |a: &str, b: &str, c: &str, d: &str| {
        env_findings(&env(&format!(
            "    subnets:\n      public:\n        - {{cidr: 10.0.0.0/24, az: '{a}'}}\n        - {{cidr: 10.0.1.0/24, az: '{b}'}}\n      private:\n        - {{cidr: 10.0.2.0/24, az: '{c}'}}\n        - {{cidr: 10.0.3.0/24, az: '{d}'}}\n"
        )))
    };
    assert!(zoned("us-east-1a", "us-east-1b", "us-east-1b", "us-east-1a").is_empty());
    assert!(zoned("use1-az1", "use1-az2", "use1-az1", "use1-az2").is_empty());
    assert_eq!(
        zoned("", "us-east-1b", "us-east-1a", "us-east-1b")[0].1,
        "network.vpc.subnets.public[0].az"
    );
    assert_eq!(
        zoned("🚀", "us-east-1b", "us-east-1a", "us-east-1b")[0].1,
        "network.vpc.subnets.public[0].az"
    );
    assert_eq!(
        zoned("us-east-1a", "us-east-1b", "us-west-2a", "us-west-2a"),
        [
            (
                Code::DuplicateKey,
                "network.vpc.subnets.private[1].az".to_string()
            ),
            (
                Code::InvalidValue,
                "network.vpc.subnets.private".to_string()
            )
        ]
    );
    // More zones than any region has.
    let seven: String = (0..7)
        .map(|i| format!("        - cidr: 10.0.{i}.0/24\n"))
        .collect();
    let f = env_findings(&env(&format!("    subnets:\n      public:\n{seven}")));
    assert_eq!(f, [(Code::Range, "network.vpc.subnets.public".to_string())]);
}

const TEST_ENV: &str = "name: test\ntype: Environment\n";
const CERT_ENV: &str = "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/a]\n";

fn with_http(extra: &str) -> String {
    LB.replace("path: '/'", &format!("path: '/'\n{extra}"))
}

#[test]
fn aliases_need_a_domain_or_certificates_and_lie_within_the_domain() {
    let svc = with_http("  alias: www.example.com");
    // Neither the application's domain nor a certificate: no HTTPS for the name.
    let f = &run(&svc, Some(TEST_ENV))[0];
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::Reference, "svc.yml:8:10", "http.alias")
    );
    assert!(f.help.contains("domain"), "{}", f.help);
    // Imported certificates: any name (their names are checked by browsers).
    assert_eq!(run(&svc, Some(CERT_ENV)), vec![]);
    // With the domain: the domain, one label below it, the application's and the
    // environment's zones.
    for ok in [
        "example.com",
        "www.example.com",
        "shop.example.com",
        "a.shop.example.com",
        "test.shop.example.com",
        "a.test.shop.example.com",
        "'*.test.shop.example.com'",
    ] {
        let found = run_in(
            &with_http(&format!("  alias: {ok}")),
            Some(TEST_ENV),
            Some("example.com"),
        );
        assert_eq!(found, vec![], "{ok}");
    }
    for outside in ["a.b.example.com", "a.b.shop.example.com", "example.org"] {
        let f = &run_in(
            &with_http(&format!("  alias: {outside}")),
            Some(TEST_ENV),
            Some("example.com"),
        )[0];
        assert_eq!(
            (f.code, f.path.as_str()),
            (Code::Reference, "http.alias"),
            "{outside}"
        );
        assert!(
            f.message.contains("outside application `shop`'s domain")
                || f.message.contains(
                    "in application `shop`'s zones but not one environment `test` writes"
                ),
            "{}",
            f.message
        );
    }
    // Outside the domain with its own hosted zone: validated there.
    assert_eq!(
        run_in(
            &with_http("  alias: [{name: a.b.example.org, hosted_zone: Z0ABC}]"),
            Some(TEST_ENV),
            Some("example.com")
        ),
        vec![]
    );
}

#[test]
fn alias_and_hosted_zone_syntax() {
    let f = one(&with_http(
        "  alias: [ok.example.com, bad_name.example.com]",
    ));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::InvalidValue, "http.alias[1]")
    );
    assert!(f.message.contains("bad_name"), "{}", f.message);
    let f = one(&with_http("  alias: example.com\n  hosted_zone: mockZone"));
    assert_eq!(
        (f.code, f.at.as_str(), f.path.as_str()),
        (Code::InvalidValue, "svc.yml:9:16", "http.hosted_zone")
    );
    let f = one(&with_http("  hosted_zone: Z0ABC"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "http.hosted_zone")
    );
    let f = one(&with_http(
        "  alias: [{name: a.example.com, hosted_zone: z1}]",
    ));
    assert_eq!(f.path, "http.alias.hosted_zone");
    let f = one(&with_http("  alias: [{hosted_zone: Z1}]"));
    assert_eq!(f.code, Code::MissingField);
}

#[test]
fn a_rule_has_at_most_five_condition_values() {
    // `/api` takes two values; four names make six.
    let svc = LB.replace(
        "path: '/'",
        "path: api\n  alias: [a.example.com, b.example.com, c.example.com, d.example.com]",
    );
    let f = one(&svc);
    assert_eq!((f.code, f.path.as_str()), (Code::Range, "http.alias"));
    assert!(f.message.contains("6 condition values"), "{}", f.message);
    // Three names and `/`: four.
    assert_eq!(
        run(
            &with_http("  alias: [a.example.com, b.example.com, c.example.com]"),
            None
        ),
        vec![]
    );
}

#[test]
fn additional_rules_are_checked_like_the_main_one_at_their_place() {
    let svc = with_http(
        "  additional_rules:\n    - target_port: 8081\n    - path: admin\n      healthcheck: {path: health, interval: 5s, timeout: 5s}\n      deregistration_delay: 2h\n      allowed_source_ips: [10.0.0.0/33]",
    );
    let found = run(&svc, None);
    let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "http.additional_rules[0].path",
            "http.additional_rules[1].deregistration_delay",
            "http.additional_rules[1].allowed_source_ips[0]",
            "http.additional_rules[1].healthcheck.timeout",
            "http.additional_rules[1].healthcheck.path",
        ],
        "{found:#?}"
    );
    assert_eq!(found[0].at, "svc.yml:9:7");
    // A rule the load balancer would never reach.
    let f = one(&with_http("  additional_rules:\n    - path: /"));
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::DuplicateKey, "http.additional_rules[0].path")
    );
    assert!(
        f.message.contains("same requests as `http`"),
        "{}",
        f.message
    );
    // The same path for other hosts is another rule.
    assert_eq!(
        run(
            &with_http("  additional_rules:\n    - path: /\n      alias: a.example.com"),
            Some(CERT_ENV)
        ),
        vec![]
    );
    // A rule's gRPC target group needs HTTPS, from certificates or the domain.
    let grpc = with_http("  additional_rules:\n    - path: rpc\n      version: grpc");
    let f = &run(&grpc, Some(TEST_ENV))[0];
    assert_eq!(f.path, "http.additional_rules[0].version");
    assert_eq!(run_in(&grpc, Some(TEST_ENV), Some("example.com")), vec![]);
}

#[test]
fn a_service_certificate_holds_at_most_ten_names() {
    let names: Vec<String> = (0..11).map(|i| format!("n{i}.example.com")).collect();
    let rules: String = names
        .chunks(3)
        .enumerate()
        .map(|(i, c)| format!("    - path: p{i}\n      alias: [{}]\n", c.join(", ")))
        .collect();
    let svc = with_http(&format!("  additional_rules:\n{rules}"));
    let found = run_in(&svc, Some(TEST_ENV), Some("example.com"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, found[0].path.as_str()),
        (Code::Limit, "http.additional_rules[3].alias")
    );
    // Names the environment's certificate covers do not count.
    let env_names: Vec<String> = (0..11)
        .map(|i| format!("n{i}.test.shop.example.com"))
        .collect();
    let rules: String = env_names
        .chunks(3)
        .enumerate()
        .map(|(i, c)| format!("    - path: p{i}\n      alias: [{}]\n", c.join(", ")))
        .collect();
    let svc = with_http(&format!("  additional_rules:\n{rules}"));
    assert_eq!(run_in(&svc, Some(TEST_ENV), Some("example.com")), vec![]);
}

#[test]
fn a_backend_service_with_http_is_behind_the_internal_load_balancer() {
    let svc = format!("{BE}http:\n  path: api\n");
    assert_eq!(run(&svc, Some(TEST_ENV)), vec![]);
    // Its aliases and gRPC need the internal load balancer's certificates; the public
    // ones and the domain do not count.
    let alias = format!("{svc}  alias: api.example.com\n  hosted_zone: Z0ABC\n");
    let f = &run_in(&alias, Some(CERT_ENV), Some("example.com"))[0];
    assert_eq!((f.code, f.path.as_str()), (Code::Reference, "http.alias"));
    assert!(
        f.message.contains("internal load balancer"),
        "{}",
        f.message
    );
    let private = "name: test\ntype: Environment\nhttp:\n  private:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/b]\n";
    assert_eq!(run(&alias, Some(private)), vec![]);
    let grpc = format!("{svc}  version: grpc\n");
    let f = &run(&grpc, Some(CERT_ENV))[0];
    assert_eq!(f.path, "http.version");
    assert!(
        f.message.contains("internal load balancer"),
        "{}",
        f.message
    );
    assert_eq!(run(&grpc, Some(private)), vec![]);
    // It scales on its requests.
    assert_eq!(
        run(
            &format!("{svc}count:\n  range: 1-3\n  requests: 100\n"),
            None
        ),
        vec![]
    );
    // An imported VPC without private subnets has nowhere to put it.
    let imported = "name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-0abc1234\n    subnets:\n      public:\n        - id: subnet-0aaa1111\n        - id: subnet-0bbb2222\n";
    let found = run(
        &format!("{svc}network:\n  vpc:\n    placement: public\n"),
        Some(imported),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, found[0].path.as_str()),
        (Code::Reference, "type")
    );
}

#[test]
fn private_http_settings_of_the_environment() {
    let env = |private: &str| {
        let text = format!(
            "name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-0abc1234\n    subnets:\n      private:\n        - id: subnet-0aaa1111\n        - id: subnet-0bbb2222\nhttp:\n  private:\n{private}"
        );
        run(
            &format!("{BE}http:\n  path: /\nnetwork:\n  vpc:\n    placement: private\n"),
            Some(&text),
        )
    };
    assert_eq!(
        env("    subnets: [subnet-0aaa1111, subnet-0bbb2222]\n"),
        vec![]
    );
    let f = &env("    subnets: [subnet-0aaa1111, subnet-0ccc3333]\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "http.private.subnets[1]")
    );
    let found = env("    subnets: [subnet-0aaa1111, subnet-0aaa1111]\n");
    let codes: Vec<Code> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::DuplicateKey, Code::Range], "{found:#?}");
    let f = &env("    certificates: [not-an-arn]\n")[0];
    assert_eq!(f.path, "http.private.certificates[0]");
    let f = &env(
        "    ssl_policy: TLS13\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/b]\n",
    )[0];
    assert_eq!(f.path, "http.private.ssl_policy");
    let f = &env("    ingress:\n      vpc: true\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Unsupported, "http.private.ingress.vpc")
    );
    // Subnet IDs with a VPC wharf creates.
    let managed = "name: test\ntype: Environment\nhttp:\n  private:\n    subnets: [subnet-0aaa1111, subnet-0bbb2222]\n    ingress: {vpc: true}\n";
    let f = &run(&format!("{BE}http:\n  path: /\n"), Some(managed))[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "http.private.subnets[0]")
    );
}

const NLB_SVC: &str = "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp: false\nnlb:\n";

#[test]
fn nlb_listeners_ports_and_targets() {
    let nlb = |body: &str| run(&format!("{NLB_SVC}{body}"), None);
    assert_eq!(
        nlb(
            "  port: 80/tcp\n  additional_listeners:\n    - port: 53/udp\n      healthcheck: {port: 80}\n"
        ),
        vec![]
    );
    // Ports are a port and one of TCP, UDP or TLS.
    let f = &nlb("  port: 80/http\n")[0];
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "nlb.port"));
    assert!(f.help.contains("tcp"), "{}", f.help);
    let f = &nlb("  port: 0\n")[0];
    assert_eq!(f.path, "nlb.port");
    // A listener needs its port, once per load balancer.
    let f = &nlb("  port: 80\n  additional_listeners:\n    - target_port: 81\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::MissingField, "nlb.additional_listeners[0].port")
    );
    let found = nlb(
        "  port: 80\n  additional_listeners:\n    - port: 80/udp\n      healthcheck: {port: 81}\n",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, found[0].path.as_str()),
        (Code::DuplicateKey, "nlb.additional_listeners[0].port")
    );
    // Targets: a container of the service.
    let f = &nlb("  port: 80\n  target_container: nope\n")[0];
    assert_eq!(
        (f.code, f.path.as_str()),
        (Code::Reference, "nlb.target_container")
    );
    // UDP is checked over TCP: said, with where to point it.
    let found = nlb("  port: 53/udp\n");
    assert_eq!(
        (found[0].severity, found[0].path.as_str()),
        (Severity::Warning, "nlb.port")
    );
    // Health check bounds.
    let f =
        &nlb("  port: 80\n  healthcheck: {healthy_threshold: 1, interval: 10s, timeout: 20s}\n");
    let paths: Vec<&str> = f.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "nlb.healthcheck.healthy_threshold",
            "nlb.healthcheck.timeout"
        ]
    );
    // `ssl_policy` belongs to TLS.
    let found = nlb("  port: 80\n  ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n");
    assert_eq!(found[0].severity, Severity::Warning);
}

#[test]
fn nlb_tls_aliases_and_the_domain() {
    let svc = format!("{NLB_SVC}  port: 443/tls\n");
    // TLS needs the certificate wharf makes for the application's domain.
    let f = &run(&svc, Some(TEST_ENV))[0];
    assert_eq!((f.code, f.path.as_str()), (Code::Reference, "nlb.port"));
    assert_eq!(run_in(&svc, Some(TEST_ENV), Some("example.com")), vec![]);
    // Aliases: within the domain, or with their own zone.
    let alias = |a: &str, domain| run_in(&format!("{svc}  alias: {a}\n"), Some(TEST_ENV), domain);
    assert_eq!(alias("tcp.example.com", Some("example.com")), vec![]);
    let f = &alias("a.b.example.com", Some("example.com"))[0];
    assert_eq!((f.code, f.path.as_str()), (Code::Reference, "nlb.alias"));
    let f = &alias("tcp.example.com", None);
    assert!(
        f.iter()
            .any(|x| x.path == "nlb.alias" && x.message.contains("no hosted zone")),
        "{f:#?}"
    );
    assert_eq!(
        run(
            &format!(
                "{NLB_SVC}  port: 80\n  alias: [{{name: tcp.example.org, hosted_zone: Z0ABC}}]\n"
            ),
            Some(TEST_ENV)
        ),
        vec![]
    );
    // One name, one load balancer.
    let both = format!(
        "{}nlb:\n  port: 80\n  alias: www.example.com\n",
        LB.replace("path: '/'", "path: '/'\n  alias: www.example.com")
    );
    let found = run_in(&both, Some(TEST_ENV), Some("example.com"));
    assert!(
        found
            .iter()
            .any(|x| x.code == Code::DuplicateKey && x.path == "nlb.alias"),
        "{found:#?}"
    );
}

#[test]
fn an_ecs_service_takes_five_target_groups() {
    let rules: String = (0..4).map(|i| format!("    - path: p{i}\n")).collect();
    let svc = format!(
        "{}nlb:\n  port: 80\n",
        with_http(&format!("  additional_rules:\n{rules}"))
    );
    let f = one(&svc);
    assert_eq!((f.code, f.path.as_str()), (Code::Limit, "nlb"));
    assert!(f.message.contains("6 target groups"), "{}", f.message);
    assert_eq!(
        run(&with_http(&format!("  additional_rules:\n{rules}")), None),
        vec![]
    );
}

#[test]
fn findings_of_the_second_trial() {
    // A path is a prefix, not a pattern.
    let f = one(&LB.replace("path: '/'", "path: '/*'"));
    assert_eq!((f.code, f.path.as_str()), (Code::InvalidValue, "http.path"));
    // Another environment's zone name is said to be one.
    let f = &run_in(
        &with_http("  alias: prod.shop.example.com"),
        Some(TEST_ENV),
        Some("example.com"),
    )[0];
    assert!(
        f.message.contains("environment `prod`'s zone name"),
        "{}",
        f.message
    );
    // A Backend Service's alias outside the private zone without a hosted zone: said.
    let private = "name: test\ntype: Environment\nhttp:\n  private:\n    certificates: [arn:aws:acm:us-east-1:111122223333:certificate/b]\n";
    let found = run(
        &format!("{BE}http:\n  path: /\n  alias: api.example.com\n"),
        Some(private),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].severity, found[0].code),
        (Severity::Warning, Code::Reference)
    );
    assert_eq!(
        run(
            &format!("{BE}http:\n  path: /\n  alias: x.test.shop.internal\n"),
            Some(private)
        ),
        vec![]
    );
    // Source addresses behind CloudFront only never match.
    let cdn_only = "name: test\ntype: Environment\ncdn: true\nhttp:\n  public:\n    ingress:\n      cdn: true\n";
    let found = run(
        &with_http("  allowed_source_ips: [10.0.0.0/8]"),
        Some(cdn_only),
    );
    assert_eq!(
        (found[0].severity, found[0].path.as_str()),
        (Severity::Warning, "http.allowed_source_ips")
    );
}

/// An environment manifest decoded without validation, in application `shop` with
/// `domain` (when given).
fn env_in(text: &str, domain: Option<&str>) -> EnvManifest {
    let mut map = SourceMap::new();
    let mut d = Diagnostics::new();
    let id = map.add("env.yml", text);
    let n = yaml::parse(id, map.file(id), &mut d).unwrap();
    let mut m = EnvManifest::decode(&n, &mut Cx::new(&mut d)).unwrap();
    m.app_domain = domain.map(|d| crate::manifest::environment::AppDomain {
        app: "shop".into(),
        domain: d.into(),
        envs: vec!["test".into()],
    });
    m
}

#[test]
fn cloudfronts_certificate_made_by_wharf_takes_ten_names() {
    use crate::manifest::diag::Severity;
    let env = "name: test\ntype: Environment\ncdn: true\n";
    let aliases = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("n{i}.example.com")).collect();
        decode(&LB.replace(
            "path: '/'",
            &format!("path: '/'\n  alias: [{}]", names.join(", ")),
        ))
    };
    // With the domain, wharf makes the certificate: no warning that the names are not
    // served, and the environment's zone and its wildcard leave 8 names.
    let with_domain = env_in(env, Some("example.com"));
    assert!(super::http::cdn_notes(&with_domain, &[aliases(9)]).is_empty());
    assert!(super::http::cdn_certificate_limit(&with_domain, &[aliases(8)]).is_none());
    let found = super::http::cdn_certificate_limit(&with_domain, &[aliases(9)]).unwrap();
    assert_eq!(
        (found.severity, found.code, found.path.as_deref()),
        (Severity::Error, Code::Limit, Some("http.alias"))
    );
    assert!(
        found.message.contains("would need 11 names"),
        "{}",
        found.message
    );
    // The static assets' alias as the eleventh: its own path.
    let assets = env_in(
        "name: test\ntype: Environment\ncdn:\n  static_assets: {location: a.s3.us-east-1.amazonaws.com, alias: static.example.com}\n",
        Some("example.com"),
    );
    let found = super::http::cdn_certificate_limit(&assets, &[aliases(8)]).unwrap();
    assert_eq!(found.path.as_deref(), Some("cdn.static_assets.alias"));
    // Without a domain there is no certificate of wharf's.
    assert!(super::http::cdn_certificate_limit(&env_in(env, None), &[aliases(20)]).is_none());
    // Without the domain: CloudFront's own name only, said as a warning.
    let found = super::http::cdn_notes(&env_in(env, None), &[aliases(1)]);
    assert_eq!(
        (found[0].severity, found[0].path.as_deref()),
        (Severity::Warning, Some("http.alias"))
    );
}

#[test]
fn an_environments_namespace_is_a_dns_name() {
    let base = "name: test\ntype: Environment\n";
    assert_eq!(env_findings(&format!("{base}namespace: shop.local\n")), []);
    assert_eq!(
        env_findings(&format!("{base}namespace: 'shop..local'\n")),
        [(Code::InvalidValue, "namespace".to_string())]
    );
}
