//! The image pipeline with real parts: podman (the docker CLI on its socket, and podman
//! called directly) builds `FROM scratch` images, Debian's registry holds them under
//! moto's ECR host name, moto's CloudFormation deploys them. Asserts what the task
//! definitions run and what the registry holds, not only exit codes.

use crate::harness::{
    ImageLab, boto, example, image_lab, moto_with, storefront_with_agent, wharf_lab, wharf_ok,
};
use predicates::prelude::*;

const ECR: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// The image each storefront service's task definition runs.
fn images(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
out = {}
for svc in ['web', 'api']:
    try:
        res = cfn.describe_stack_resource(StackName=f'storefront-test-{svc}', LogicalResourceId='TaskDefinition')
    except Exception:
        continue
    arn = res['StackResourceDetail']['PhysicalResourceId']
    out[svc] = ecs.describe_task_definition(taskDefinition=arn)['taskDefinition']['containerDefinitions'][0]['image']
print(json.dumps(out))
"#,
    )
}

/// The digest a task definition's image is pinned to, checked against the registry.
fn pinned_digest(lab: &ImageLab, image: &serde_json::Value, svc: &str) -> String {
    let image = image.as_str().expect("an image");
    let prefix = format!("{ECR}/storefront/{svc}@");
    let digest = image
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{image} is not pinned by digest in {prefix}…"))
        .to_string();
    let m = lab.registry(&format!("storefront/{svc}/manifests/{digest}"));
    assert_eq!(m["status"], 200, "the registry holds {image}");
    assert_eq!(m["digest"], digest.as_str());
    digest
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// Whether wharf's output says it pushed `svc`'s image (built now, or earlier by a test
/// sharing the lab's engine).
fn pushed(err: &str, svc: &str) -> bool {
    err.contains(&format!("image {svc}: built and pushed"))
        || err.contains(&format!("image {svc}: pushed"))
}

#[test]
fn deploys_by_digest_and_builds_only_what_changed() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();
    std::fs::write(d.join("api/.dockerignore"), "notes.txt\n").unwrap();

    // First deploy: both images built and pushed, stacks pinned to the pushed digests.
    let out = wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(pushed(&err, "web") && pushed(&err, "api"), "{err}");
    let first = images(ep);
    let web1 = pinned_digest(&lab, &first["web"], "web");
    let api1 = pinned_digest(&lab, &first["api"], "api");
    // Outside git the tag is a content hash; the inputs tag marks the build.
    for repo in ["storefront/web", "storefront/api"] {
        let tags = lab.tags(repo);
        assert_eq!(tags.len(), 2, "{repo}: {tags:?}");
        assert!(tags.iter().any(|t| t.starts_with("h-")), "{tags:?}");
        assert!(tags.iter().any(|t| t.starts_with("inputs-")), "{tags:?}");
    }
    // The repositories got their settings.
    let repos = boto(
        ep,
        r#"
ecr = client('ecr')
out = {}
for r in ecr.describe_repositories()['repositories']:
    pol = json.loads(ecr.get_lifecycle_policy(repositoryName=r['repositoryName'])['lifecyclePolicyText'])
    out[r['repositoryName']] = {'scan': r['imageScanningConfiguration']['scanOnPush'], 'mutability': r['imageTagMutability'], 'keep': pol['rules'][0]['selection']['countNumber']}
print(json.dumps(out))
"#,
    );
    assert_eq!(
        repos["storefront/web"],
        serde_json::json!({"scan": true, "mutability": "MUTABLE", "keep": 30})
    );

    // Nothing changed: no build, no push, no stack update.
    let out = wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(count(&err, "no build, no push"), 2, "{err}");
    assert_eq!(count(&err, "building"), 0, "{err}");
    assert_eq!(count(&err, "pushing"), 0, "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No changes: 3 stack(s) are up to date"),
        "the result is on stdout: {err}"
    );
    assert_eq!(lab.tags("storefront/web").len(), 2);
    assert_eq!(lab.tags("storefront/api").len(), 2);
    assert_eq!(images(ep), first);

    // A file web's build sends changes: exactly one rebuild, and web rolls out.
    std::fs::write(d.join("web/index.html"), "<h1>new</h1>\n").unwrap();
    let out = wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("image web: built and pushed"), "{err}");
    assert_eq!(count(&err, "building"), 1, "exactly one rebuild: {err}");
    assert!(err.contains("image api: unchanged"), "{err}");
    assert!(err.contains("storefront-test-web: updated"), "{err}");
    let second = images(ep);
    let web2 = pinned_digest(&lab, &second["web"], "web");
    assert_ne!(web2, web1);
    assert_eq!(second["api"], first["api"]);
    assert_eq!(
        lab.tags("storefront/web").len(),
        4,
        "a new content tag and inputs tag"
    );
    let _ = api1;

    // `.dockerignore` takes effect: an ignored file changes nothing.
    std::fs::write(d.join("api/notes.txt"), "scratch notes").unwrap();
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "api", "-e", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("image api: unchanged")
                .and(predicate::str::contains("storefront-test-api: no changes")),
        );

    // --force-build rebuilds anyway.
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "api", "-e", "test", "--force-build"])
        .assert()
        .success()
        .stderr(predicate::str::contains("image api: built and pushed"));
}

#[test]
fn build_then_push_with_podman_called_directly() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = example("storefront");
    let d = dir.path();

    let out = wharf_lab(d, ep, &lab)
        .env("WHARF_CONTAINER_ENGINE", "podman")
        .args(["build", "-n", "api"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("api\tstorefront/api:h-"), "{stdout}");
    assert!(lab.tags("storefront/api").is_empty(), "build does not push");

    // A repository someone else made (Copilot names them as wharf does): pushed to,
    // its settings left as they are.
    let repo = |ep: &str| {
        boto(
            ep,
            r#"
ecr = client('ecr')
r = ecr.describe_repositories(repositoryNames=['storefront/api'])['repositories'][0]
try:
    policy = ecr.get_lifecycle_policy(repositoryName='storefront/api')['lifecyclePolicyText']
except ecr.exceptions.LifecyclePolicyNotFoundException:
    policy = None
print(json.dumps({'scan': r['imageScanningConfiguration']['scanOnPush'], 'mutability': r['imageTagMutability'], 'policy': policy}))
"#,
        )
    };
    boto(
        ep,
        r#"
client('ecr').create_repository(repositoryName='storefront/api', imageScanningConfiguration={'scanOnPush': False}, tags=[{'Key': 'copilot-application', 'Value': 'storefront'}])
print('{}')
"#,
    );
    let before = repo(ep);

    // Push reuses the local build and prints the image by digest.
    let out = wharf_lab(d, ep, &lab)
        .env("WHARF_CONTAINER_ENGINE", "podman")
        .args(["push", "-n", "api", "-e", "test", "--tag", "release-1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("built earlier"), "{stderr}");
    assert!(
        stderr.contains("was not made by wharf: pushing to it, leaving its scanning, tag and lifecycle settings as they are"),
        "{stderr}"
    );
    assert_eq!(repo(ep), before, "its settings are as they were");
    assert_eq!(before["policy"], serde_json::Value::Null);
    let (svc, image) = stdout.trim().split_once('\t').expect("service<TAB>image");
    assert_eq!(svc, "api");
    let digest = image
        .strip_prefix(&format!("{ECR}/storefront/api@"))
        .unwrap_or_else(|| panic!("{image}"));
    let m = lab.registry("storefront/api/manifests/release-1");
    assert_eq!(m["status"], 200);
    assert_eq!(m["digest"], digest);

    // Pushing again finds the image by its inputs and does nothing.
    wharf_lab(d, ep, &lab)
        .env("WHARF_CONTAINER_ENGINE", "podman")
        .args(["push", "-n", "api", "-e", "test", "--output", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""pushed":false"#));
}

/// The images api's task definition runs, by container.
fn api_containers(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
res = cfn.describe_stack_resource(StackName='storefront-test-api', LogicalResourceId='TaskDefinition')
td = ecs.describe_task_definition(taskDefinition=res['StackResourceDetail']['PhysicalResourceId'])['taskDefinition']
print(json.dumps({c['name']: c['image'] for c in td['containerDefinitions']}))
"#,
    )
}

/// A sidecar built from the workspace: pushed to its service's repository as
/// `<sidecar>-<tag>`, deployed by digest beside the main container, rebuilt alone when
/// only its inputs change, and returned to its earlier image by `svc rollback`.
#[test]
fn a_built_sidecar_deploys_by_digest_and_rolls_back_with_its_service() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = storefront_with_agent("agent 1\n", "");
    let d = dir.path();

    let err = wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "-n", "api"]);
    assert!(pushed(&err, "api") && pushed(&err, "api/agent"), "{err}");
    let first = api_containers(ep);
    let api1 = pinned_digest(&lab, &first["api"], "api");
    let agent1 = pinned_digest(&lab, &first["agent"], "api");
    assert_ne!(api1, agent1);
    let tags = lab.tags("storefront/api");
    assert!(tags.iter().any(|t| t.starts_with("agent-h-")), "{tags:?}");
    assert!(tags.iter().any(|t| t.starts_with("h-")), "{tags:?}");

    // Only the sidecar's inputs change: it alone is rebuilt, and api rolls out.
    std::fs::write(d.join("agent/agent.txt"), "agent 2\n").unwrap();
    let err = wharf_ok(d, ep, &lab, &["svc", "deploy", "-n", "api", "-e", "test"]);
    assert!(err.contains("image api: unchanged"), "{err}");
    assert!(err.contains("image api/agent: built and pushed"), "{err}");
    let second = api_containers(ep);
    assert_eq!(second["api"], first["api"]);
    let agent2 = pinned_digest(&lab, &second["agent"], "api");
    assert_ne!(agent2, agent1);

    // The rollback returns the sidecar to its first image, through the stack.
    wharf_lab(d, ep, &lab)
        .args(["svc", "rollback", "-n", "api", "-e", "test"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Rolling back api in test"));
    assert_eq!(api_containers(ep), first, "the first release runs again");
    let params = boto(
        ep,
        r#"
s = client('cloudformation').describe_stacks(StackName='storefront-test-api')['Stacks'][0]
print(json.dumps({p['ParameterKey']: p.get('ParameterValue') for p in s['Parameters']}))
"#,
    );
    assert_eq!(
        params["ImageDigestForagent"],
        agent1.as_str(),
        "and the stack says so"
    );
}
