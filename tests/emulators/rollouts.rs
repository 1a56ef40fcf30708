//! Rollout watching end to end: moto's simulated ECS (scripts/emulators/moto_ecs_rollouts.py)
//! moves deployments over time, fails tasks whose image the registry lacks and trips the
//! circuit breaker. wharf must say success only when the deployment it caused completed,
//! and otherwise exit 3 with the reason.

use crate::harness::{boto, example, image_lab, moto_with, moto_with_rollouts, wharf_lab};
use predicates::prelude::*;

/// The web service's deployments: (status, rollout state, task definition revision).
fn web_deployments(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
arn = cfn.describe_stack_resource(StackName='storefront-test-web', LogicalResourceId='Service')['StackResourceDetail']['PhysicalResourceId']
cluster = arn.split('/')[-2]
s = ecs.describe_services(cluster=cluster, services=[arn])['services'][0]
print(json.dumps([[d['status'], d.get('rolloutState'), d['taskDefinition'].split(':')[-1]] for d in s['deployments']]))
"#,
    )
}

/// Points web at an image tag nobody pushed.
fn use_missing_image(dir: &std::path::Path, tag: &str) {
    let manifest = dir.join("wharf/web/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let start = text.find("image:\n").unwrap() + "image:\n".len();
    let end = text[start..].find("  port:").unwrap() + start;
    let text = format!(
        "{}  location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront/web:{tag}\n{}",
        &text[..start],
        &text[end..]
    );
    std::fs::write(manifest, text).unwrap();
}

#[test]
fn a_good_image_rolls_out_and_a_missing_one_is_rolled_back_with_its_reason() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();

    // A good release: exit 0 once the deployment completed, not before.
    wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                r"storefront-test-web: rollout: deployment ecs-svc/\d+ \(storefront-test-web:1\) completed",
            )
            .unwrap()
            .and(predicate::str::contains("storefront-test-api: rollout: deployment")),
        );
    assert_eq!(
        web_deployments(ep),
        serde_json::json!([["PRIMARY", "COMPLETED", "1"]])
    );

    // An image the registry does not hold: tasks fail to pull, the circuit breaker rolls
    // back, wharf exits 3 and names the reason.
    use_missing_image(d, "never-pushed");
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "web", "-e", "test"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("task ")
                .and(predicate::str::contains(
                    "stopped: CannotPullContainerError",
                ))
                .and(predicate::str::contains(
                    "failed and was rolled back by the deployment circuit breaker",
                ))
                .and(predicate::str::contains(
                    "most often: CannotPullContainerError",
                )),
        );

    // The same as JSON events.
    use_missing_image(d, "never-pushed-either");
    let out = wharf_lab(d, ep, &lab)
        .args([
            "svc", "deploy", "-n", "web", "-e", "test", "--output", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let result = events
        .iter()
        .find(|e| e["type"] == "rollout_result")
        .expect("a rollout_result event");
    assert_eq!(result["data"]["exit_code"], 3);
    assert_eq!(result["data"]["outcome"]["verdict"], "rolled_back");
    assert_eq!(result["data"]["outcome"]["trigger"], "circuit_breaker");
    assert_eq!(
        result["data"]["outcome"]["top_reason"][0],
        "CannotPullContainerError"
    );
    assert!(
        result["data"]["outcome"]["failed_tasks"].as_i64().unwrap() >= 3,
        "the breaker's threshold is at least 3 tasks"
    );
    let stopped = events
        .iter()
        .filter(|e| e["type"] == "rollout_progress")
        .flat_map(|e| {
            e["data"]["stopped_tasks"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .count();
    assert!(stopped >= 3, "each stopped task is reported: {stopped}");
    let error = events
        .iter()
        .find(|e| e["type"] == "error")
        .expect("an error event");
    assert!(
        error["data"]["message"]
            .as_str()
            .unwrap()
            .contains("CannotPullContainerError"),
        "{error}"
    );
    // ECS runs the first release again.
    let after = web_deployments(ep);
    assert_eq!(
        after[0],
        serde_json::json!(["PRIMARY", "COMPLETED", "1"]),
        "{after}"
    );

    // The stack still references the failed release (moto's CloudFormation does not
    // roll back after the breaker): `svc rollback` returns it to the last good release,
    // 1, not to anything older.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("Rolling back web in test from storefront-test-web:3")
                .and(predicate::str::contains("to storefront-test-web:1 (")),
        );
    // Again: the service runs its first release, and nothing came before it. Refused
    // with exit 1, not "no changes" with 0.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing older to return to"));
    // Nor to the failed release, by name: it never succeeded.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test", "--to", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "revision 2 has no successful deployment",
        ));
}

#[test]
fn detach_then_status_watch_and_force() {
    let lab = image_lab();
    // Rollouts long enough to attach to after `--detach`, even on a busy machine.
    let emu = moto_with_rollouts(&lab, "6");
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();
    wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "-n", "web", "--detach"])
        .assert()
        .success()
        .stderr(predicate::str::contains("rollout:").not());
    let deployments = web_deployments(ep);
    assert_eq!(deployments[0][1], "IN_PROGRESS", "{deployments}");

    // `svc status --watch` attaches to that deployment and follows it to its end.
    wharf_lab(d, ep, &lab)
        .args(["svc", "status", "-n", "web", "-e", "test", "--watch"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("Following deployment ecs-svc/")
                .and(predicate::str::contains("storefront-test-web:1) completed")),
        );
    assert_eq!(web_deployments(ep)[0][1], "COMPLETED");
    wharf_lab(d, ep, &lab)
        .args(["svc", "status", "-n", "web", "-e", "test", "--watch"])
        .assert()
        .success()
        .stderr(predicate::str::contains("No deployment is in progress."));

    // `--force` with nothing changed: a new deployment of the same revision, followed.
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "web", "-e", "test", "--force"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("storefront-test-web: no changes")
                .and(predicate::str::contains(
                    "started a new ECS deployment ecs-svc/",
                ))
                .and(predicate::str::contains(
                    "(storefront-test-web:1) completed",
                )),
        )
        .stdout(predicate::str::contains(
            "No stack changes: 1 stack(s) are up to date; new ECS deployments were started (--force)",
        ));
    let after = web_deployments(ep);
    assert_eq!(after, serde_json::json!([["PRIMARY", "COMPLETED", "1"]]));
}

/// The image web's running task definition uses, and the stack's ImageDigest.
fn web_image(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
arn = cfn.describe_stack_resource(StackName='storefront-test-web', LogicalResourceId='Service')['StackResourceDetail']['PhysicalResourceId']
s = ecs.describe_services(cluster=arn.split('/')[-2], services=[arn])['services'][0]
primary = [d for d in s['deployments'] if d['status'] == 'PRIMARY'][0]
image = ecs.describe_task_definition(taskDefinition=primary['taskDefinition'])['taskDefinition']['containerDefinitions'][0]['image']
params = {p['ParameterKey']: p['ParameterValue'] for p in cfn.describe_stacks(StackName='storefront-test-web')['Stacks'][0]['Parameters']}
print(json.dumps({'image': image, 'digest_param': params.get('ImageDigest'), 'revision': primary['taskDefinition'].split(':')[-1], 'rollout': primary.get('rolloutState')}))
"#,
    )
}

#[test]
fn rollback_returns_to_the_last_successful_release_through_cloudformation() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();

    wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "-n", "web"])
        .assert()
        .success();
    let first = web_image(ep);
    std::fs::write(d.join("web/index.html"), "<h1>release 2</h1>\n").unwrap();
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "web", "-e", "test"])
        .assert()
        .success();
    let second = web_image(ep);
    assert_ne!(second["image"], first["image"]);
    assert_eq!(second["revision"], "2");

    let digest = |v: &serde_json::Value| {
        v["image"]
            .as_str()
            .unwrap()
            .split('@')
            .nth(1)
            .unwrap()
            .to_string()
    };
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("Rolling back web in test from storefront-test-web:2")
                .and(predicate::str::contains(format!("to storefront-test-web:1 (123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront/web@{})", digest(&first))))
                .and(predicate::str::contains("completed")),
        );
    let after = web_image(ep);
    assert_eq!(
        after["image"], first["image"],
        "the first release runs again"
    );
    assert_eq!(
        after["digest_param"],
        digest(&first).as_str(),
        "and the stack says so"
    );
    assert_eq!(after["rollout"], "COMPLETED");

    // A second rollback does not return to release 2, which the first one left: there
    // is nothing older than release 1.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing older to return to"));
    assert_eq!(web_image(ep)["image"], first["image"], "nothing changed");

    // Nothing earlier than the first release: a clear error.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "web", "-e", "test", "--to", "9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "revision 9 has no successful deployment",
        ));
}

#[test]
fn the_deployment_history_filters_by_creation_time() {
    // What the watcher asks for its verdict: the service's deployments created after a
    // point in time (a datetime, as the SDKs send it).
    let emu = crate::harness::moto();
    let out = boto(
        &emu.endpoint,
        r#"
import datetime
ecs = client('ecs')
ecs.create_cluster(clusterName='c')
ecs.register_task_definition(family='f', containerDefinitions=[{'name': 'app', 'image': 'nginx', 'memory': 128}])
ecs.create_service(cluster='c', serviceName='s', taskDefinition='f', desiredCount=1)
now = datetime.datetime.now(datetime.timezone.utc)
minute = datetime.timedelta(minutes=1)
count = lambda **created: len(ecs.list_service_deployments(cluster='c', service='s', createdAt=created)['serviceDeployments'])
print(json.dumps({'after_a_minute_ago': count(after=now - minute), 'after_in_a_minute': count(after=now + minute),
                  'before_a_minute_ago': count(before=now - minute), 'before_in_a_minute': count(before=now + minute)}))
"#,
    );
    assert_eq!(
        out,
        serde_json::json!({"after_a_minute_ago": 1, "after_in_a_minute": 0, "before_a_minute_ago": 0, "before_in_a_minute": 1})
    );
}

/// The hello service's image tag, in its manifest.
fn set_hello_tag(dir: &std::path::Path, tag: &str) {
    let manifest = dir.join("wharf/hello/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let start = text.find("nginx:").unwrap() + "nginx:".len();
    let end = text[start..].find('\n').unwrap() + start;
    std::fs::write(
        &manifest,
        format!("{}{tag}{}", &text[..start], &text[end..]),
    )
    .unwrap();
}

#[test]
fn a_deploy_over_a_rollout_still_in_progress_follows_its_own_deployment() {
    // Rollouts take 4 s: the second deploy starts while the first one's deployment
    // still rolls out. It must follow its own to completion (the older one ends as
    // superseded), not report the first one's end or a stopped deployment.
    let emu = crate::harness::moto_env(&[("WHARF_SIM_ROLLOUT_SECONDS", "4".to_string())]);
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    crate::harness::wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    set_hello_tag(d, "1.28");
    crate::harness::wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test", "--detach"])
        .assert()
        .success();
    set_hello_tag(d, "1.29");
    crate::harness::wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                r"rollout: deployment ecs-svc/\d+ \(hello-test-hello:3\) completed",
            )
            .unwrap(),
        );
    let image = boto(
        ep,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
arn = cfn.describe_stack_resource(StackName='hello-test-hello', LogicalResourceId='Service')['StackResourceDetail']['PhysicalResourceId']
s = ecs.describe_services(cluster=arn.split('/')[-2], services=[arn])['services'][0]
ds = [(d['status'], d.get('rolloutState')) for d in s['deployments']]
td = [d for d in s['deployments'] if d['status'] == 'PRIMARY'][0]['taskDefinition']
print(json.dumps({'deployments': ds, 'image': ecs.describe_task_definition(taskDefinition=td)['taskDefinition']['containerDefinitions'][0]['image']}))
"#,
    );
    assert_eq!(image["image"], "public.ecr.aws/nginx/nginx:1.29", "{image}");
    assert_eq!(
        image["deployments"],
        serde_json::json!([["PRIMARY", "COMPLETED"]]),
        "{image}"
    );
}
