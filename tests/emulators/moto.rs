//! The full deploy path against moto: environment, two services in parallel, a redeploy
//! with no changes, an update, a deploy that fails and rolls back, and deletes. Checks
//! stack statuses, outputs, ECS services and task definitions, not only exit codes.

use crate::harness::{app_bucket, boto, example, image_lab, moto, moto_with, wharf, wharf_lab};
use predicates::prelude::*;

/// Stack statuses and the ECS services of the storefront `test` environment.
fn state(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
stacks = {s['StackName']: {'status': s['StackStatus'], 'outputs': {o['OutputKey']: o['OutputValue'] for o in s.get('Outputs', [])}}
          for s in cfn.describe_stacks()['Stacks']}
services = {}
cluster = stacks.get('storefront-test', {}).get('outputs', {}).get('ClusterName')
if cluster:
    arns = ecs.list_services(cluster=cluster)['serviceArns']
    for s in (ecs.describe_services(cluster=cluster, services=arns)['services'] if arns else []):
        td = ecs.describe_task_definition(taskDefinition=s['taskDefinition'])['taskDefinition']
        c = td['containerDefinitions'][0]
        services[c['name']] = {
            'launch_type': s.get('launchType'),
            'deployment': s.get('deploymentConfiguration'),
            'task_definition': s['taskDefinition'],
            'image': c['image'],
            'env': {e['name']: e['value'] for e in c.get('environment', [])},
            'cpu': td.get('cpu'), 'memory': td.get('memory'), 'network_mode': td.get('networkMode'),
        }
print(json.dumps({'stacks': stacks, 'services': services}))
"#,
    )
}

#[test]
fn full_deploy_path_on_moto() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();

    // Environment.
    wharf_lab(d, ep, &lab)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success()
        .stderr(predicate::str::contains("storefront-test: created"));
    let s = state(ep);
    assert_eq!(s["stacks"]["storefront-test"]["status"], "CREATE_COMPLETE");
    assert!(
        s["stacks"]["storefront-test"]["outputs"]["PublicLoadBalancerDNSName"]
            .as_str()
            .is_some_and(|v| v.contains("elb"))
    );

    // Both images built and pushed, then both services, in parallel.
    wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all", "--tag", "v1"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("storefront-test-web: created")
                .and(predicate::str::contains("storefront-test-api: created")),
        );
    let s = state(ep);
    for svc in ["web", "api"] {
        assert_eq!(
            s["stacks"][format!("storefront-test-{svc}")]["status"],
            "CREATE_COMPLETE"
        );
        let ecs = &s["services"][svc];
        assert_eq!(
            ecs["deployment"]["deploymentCircuitBreaker"],
            serde_json::json!({"enable": true, "rollback": true}),
            "{svc}"
        );
        assert_eq!(ecs["launch_type"], "FARGATE");
        assert_eq!(ecs["network_mode"], "awsvpc");
        assert!(
            ecs["image"]
                .as_str()
                .unwrap()
                .contains(&format!("/storefront/{svc}@sha256:")),
            "{ecs}"
        );
        assert!(
            lab.tags(&format!("storefront/{svc}"))
                .contains(&"v1".to_string())
        );
    }
    assert_eq!(
        s["services"]["api"]["deployment"]["minimumHealthyPercent"], 0,
        "api rolls out with `recreate`"
    );
    assert_eq!(s["services"]["web"]["env"]["LOG_LEVEL"], "info");
    let first_td = s["services"]["web"]["task_definition"].clone();

    // Nothing changed: exit 0, "no changes", nothing redeployed.
    wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "No changes: 3 stack(s) are up to date",
        ));
    assert_eq!(state(ep)["services"]["web"]["task_definition"], first_td);

    // A changed variable updates the stack and registers a new task definition.
    let manifest = d.join("wharf/web/manifest.yml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("LOG_LEVEL: info", "LOG_LEVEL: debug");
    std::fs::write(&manifest, text).unwrap();
    let out = wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "web", "-e", "test"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("storefront-test-web: updated"), "{err}");
    let s = state(ep);
    assert_eq!(
        s["stacks"]["storefront-test-web"]["status"],
        "UPDATE_COMPLETE"
    );
    assert_eq!(
        s["services"]["web"]["env"]["LOG_LEVEL"], "debug",
        "{s}\n{err}"
    );
    assert_ne!(s["services"]["web"]["task_definition"], first_td);

    // A broken parameter: the environment's published cluster points nowhere. A service
    // moving to another cluster is replaced (Cluster is create-only), which wharf says
    // and needs a yes for; the update then fails on the service, CloudFormation rolls
    // back, wharf exits 3 with the reason.
    boto(
        ep,
        "client('ssm').put_parameter(Name='/wharf/storefront/test/cluster', Value='no-such-cluster', Type='String', Overwrite=True)\nprint('{}')",
    );
    let api = d.join("wharf/api/manifest.yml");
    std::fs::write(
        &api,
        format!(
            "{}variables:\n  MODE: strict\n",
            std::fs::read_to_string(&api).unwrap()
        ),
    )
    .unwrap();
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "api", "-e", "test", "--yes"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains(
                "failed at Service and was rolled back (UPDATE_ROLLBACK_COMPLETE)",
            )
            .and(predicate::str::contains("Cluster not found"))
            .and(predicate::str::contains(
                "this deploy replaces storefront-test-api: the ECS service `Service` (Cluster changes)",
            )),
        );
    assert_eq!(
        state(ep)["stacks"]["storefront-test-api"]["status"],
        "UPDATE_ROLLBACK_COMPLETE"
    );

    // Deletes: without a terminal they need --yes.
    wharf_lab(d, ep, &lab)
        .args(["svc", "delete", "-n", "web", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    wharf_lab(d, ep, &lab)
        .args(["svc", "delete", "-n", "web", "-e", "test", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deleted storefront-test-web"));
    assert!(state(ep)["stacks"].get("storefront-test-web").is_none());
    // Again: there is nothing to delete, and wharf does not say it deleted anything.
    wharf_lab(d, ep, &lab)
        .args(["svc", "delete", "-n", "web", "-e", "test", "--yes"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("storefront-test-web did not exist: nothing to delete")
                .and(predicate::str::contains("Nothing was deleted.")),
        )
        .stdout(predicate::str::contains("Deleted").not());
    // The same in JSON: one `deleted` event that deleted nothing.
    wharf_lab(d, ep, &lab)
        .args([
            "svc", "delete", "-n", "web", "-e", "test", "--yes", "--output", "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#"{"type":"deleted","data":{"stacks":[],"absent":["storefront-test-web"],"repositories":[]}}"#,
        ));
    wharf_lab(d, ep, &lab)
        .args(["env", "delete", "-n", "test", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Deleted storefront-test-api, storefront-test",
        ));
    assert_eq!(state(ep)["stacks"], serde_json::json!({}));
}

#[test]
fn json_output_streams_events_and_a_summary() {
    let emu = moto();
    let dir = example("hello");
    let out = wharf(dir.path(), &emu.endpoint)
        .args(["deploy", "-e", "test", "--all", "--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"change_set")
            && kinds.contains(&"stack_event")
            && kinds.contains(&"stack_result"),
        "{kinds:?}"
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["data"]["stacks"].as_array().unwrap().len(), 2);
    assert!(
        summary["data"]["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["ok"] == true)
    );
}

#[test]
fn a_service_needs_its_environment_deployed_first() {
    let emu = moto();
    let dir = example("hello");
    wharf(dir.path(), &emu.endpoint)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wharf env deploy -n test"));
}

#[test]
fn declared_account_must_match_the_credentials() {
    let emu = moto();
    let dir = example("hello");
    let env = dir.path().join("wharf/environments/test/manifest.yml");
    std::fs::write(
        &env,
        "name: test\ntype: Environment\naccount: '999999999999'\n",
    )
    .unwrap();
    wharf(dir.path(), &emu.endpoint)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("belongs to account 999999999999, but the current credentials are for account 123456789012"));
}

#[test]
fn app_init_creates_the_template_bucket_and_large_templates_go_through_it() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["app", "init", "hello"])
        .assert()
        .success()
        .stderr(predicate::str::contains("hello-infrastructure: created"));
    let bucket = app_bucket(ep, "hello");
    // Force the upload path: every template counts as "too large to send inline".
    wharf(d, ep)
        .env("WHARF_INLINE_TEMPLATE_LIMIT", "100")
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    let keys = boto(
        ep,
        &format!(
            "print(json.dumps(sorted(o['Key'] for o in client('s3').list_objects_v2(Bucket={bucket:?})['Contents'])))"
        ),
    );
    let keys: Vec<String> = serde_json::from_value(keys).unwrap();
    assert!(
        keys.iter().any(|k| k.starts_with("templates/hello-test/"))
            && keys
                .iter()
                .any(|k| k.starts_with("templates/hello-test-hello/")),
        "{keys:?}"
    );
    // A repository wharf made (tagged) and one it did not, under the same prefix.
    boto(
        ep,
        "ecr = client('ecr')\necr.create_repository(repositoryName='hello/api', tags=[{'Key': 'wharf-application', 'Value': 'hello'}])\necr.create_repository(repositoryName='hello/legacy')\nprint(json.dumps(True))",
    );
    wharf(d, ep)
        .args(["app", "delete", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "emptied bucket {bucket} ("
        )))
        .stdout(
            predicate::str::contains("Deleted hello-test-hello, hello-test, hello-infrastructure")
                .and(predicate::str::contains(
                    "Deleted ECR repositories hello/api with their images",
                )),
        );
    assert_eq!(
        boto(
            ep,
            "print(json.dumps([s['StackName'] for s in client('cloudformation').describe_stacks()['Stacks']]))"
        ),
        serde_json::json!([])
    );
    assert_eq!(
        boto(
            ep,
            "print(json.dumps(sorted(r['repositoryName'] for r in client('ecr').describe_repositories()['repositories'])))"
        ),
        serde_json::json!(["hello/legacy"]),
        "only the repository wharf made is gone"
    );
    // Nothing is left to delete, and wharf says so.
    wharf(d, ep)
        .args(["app", "delete", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing was deleted"));
}

#[test]
fn a_large_template_without_an_application_bucket_says_what_to_do() {
    let emu = moto();
    let dir = example("hello");
    wharf(dir.path(), &emu.endpoint)
        .env("WHARF_INLINE_TEMPLATE_LIMIT", "100")
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "run `wharf app init hello` once in this region",
        ));
}

#[test]
fn status_show_and_listings_describe_what_is_deployed() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    wharf(d, ep)
        .args(["svc", "status", "-n", "hello", "-e", "test"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Stack        hello-test-hello (CREATE_COMPLETE)")
                .and(predicate::str::contains("2 desired"))
                .and(predicate::str::contains("PRIMARY")),
        );
    wharf(d, ep)
        .args(["svc", "show", "-n", "hello", "-e", "test"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("public.ecr.aws/nginx/nginx:1.27")
                .and(predicate::str::contains("URL"))
                .and(predicate::str::contains("WHARF_SERVICE_NAME=hello")),
        );
    wharf(d, ep)
        .args(["env", "show", "-n", "test"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("ClusterName").and(predicate::str::contains(
                "hello                    CREATE_COMPLETE",
            )),
        );
    wharf(d, ep)
        .args(["svc", "ls"])
        .assert()
        .success()
        .stdout("SERVICE  ENVIRONMENT  STACK STATUS\nhello    test         CREATE_COMPLETE\n");
    wharf(d, ep)
        .args(["env", "ls"])
        .assert()
        .success()
        .stdout("ENVIRONMENT  STACK STATUS\ntest         CREATE_COMPLETE\n");
    let out = wharf(d, ep)
        .args([
            "svc", "status", "-n", "hello", "-e", "test", "--output", "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["type"], "service_status");
    assert_eq!(v["data"]["ecs"]["desired"], 2);
    wharf(d, ep)
        .args(["svc", "status", "-n", "hello", "-e", "nope"])
        .assert()
        .code(2);
}

#[test]
fn diff_shows_what_changes_and_asks_first() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test", "--diff", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("does not exist yet"));
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test", "--diff", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "No template changes for hello-test",
        ));
    std::fs::write(
        d.join("wharf/environments/test/manifest.yml"),
        "name: test\ntype: Environment\nobservability:\n  container_insights: true\n",
    )
    .unwrap();
    // Without a terminal the question needs --yes; the diff is printed first, nothing deployed.
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test", "--diff"])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("-            \"Value\": \"disabled\"").and(
                predicate::str::contains("+            \"Value\": \"enabled\""),
            ),
        )
        .stderr(predicate::str::contains("pass `--yes`"));
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test", "--diff", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("hello-test: updated"));
}

#[test]
fn a_deleted_service_deploys_again() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    wharf(d, ep)
        .args(["svc", "delete", "-n", "hello", "-e", "test", "--yes"])
        .assert()
        .success();
    // Nothing of the old stack (like its log group) may stand in the way.
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .success()
        .stderr(predicate::str::contains("hello-test-hello: created"));
}

#[test]
fn a_failed_first_create_is_deleted_and_created_again() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    let env = d.join("wharf/environments/test/manifest.yml");
    // A certificate that does not exist: the HTTPS listener cannot be created.
    std::fs::write(&env, "name: test\ntype: Environment\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555]\n").unwrap();
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains(
                "failed at HTTPSListener and was rolled back (ROLLBACK_COMPLETE)",
            )
            .and(predicate::str::contains("certificate was not found")),
        );
    std::fs::write(&env, "name: test\ntype: Environment\n").unwrap();
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "left it in ROLLBACK_COMPLETE; deleting it to create it again",
            )
            .and(predicate::str::contains("hello-test: created")),
        );
    assert_eq!(
        boto(
            ep,
            "print(json.dumps(client('cloudformation').describe_stacks(StackName='hello-test')['Stacks'][0]['StackStatus']))"
        ),
        "CREATE_COMPLETE"
    );
}

#[test]
fn a_change_that_replaces_the_ecs_service_is_said_and_needs_a_yes() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    let template = |ep: &str| crate::harness::stack_template(ep, "hello-test-hello");
    let before = template(ep);
    // Fargate Spot: capacity providers instead of the launch type, which CloudFormation
    // can only do with a new ECS service.
    let manifest = d.join("wharf/hello/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            "count: 2",
            "count:\n  range:\n    min: 1\n    max: 4\n    spot_from: 2\n  cpu_percentage: 70",
        ),
    )
    .unwrap();
    // --diff marks it.
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test", "--diff"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "will be replaced: the ECS service `Service` (LaunchType changes)",
        ));
    // No terminal and no --yes: said, refused, nothing changed.
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(
                "this deploy replaces hello-test-hello: the ECS service `Service` (LaunchType changes)",
            )
            .and(predicate::str::contains("nothing was deployed"))
            .and(predicate::str::contains("--yes")),
        );
    assert_eq!(template(ep), before, "the stack was not touched");
    // JSON says which resources, too.
    let out = wharf(d, ep)
        .args(["--output", "json", "deploy", "-e", "test", "--all"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().any(|l| l.contains("\"replacements\"")
            && l.contains("hello-test-hello: the ECS service `Service` (LaunchType changes)")),
        "{text}"
    );
    // With --yes it goes ahead, and the change set marks the service.
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "change: Modify Service AWS::ECS::Service (will be replaced)",
        ));
    assert_ne!(template(ep), before);
}
