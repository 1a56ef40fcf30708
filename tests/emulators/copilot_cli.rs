//! Copilot's command line on moto: `deploy -n a/1 -n b/2` deploys in order groups,
//! `--resource-tags` reach the stacks beside wharf's own tags, `--no-rollback` and
//! `--yes` are taken, `env deploy --detach` returns once the update runs, and `app ls` /
//! `app show --json` describe what is deployed.

use crate::harness::{boto, image_lab, moto_with, wharf_ok};

#[test]
fn ordered_tagged_deploys_and_the_listings_copilot_scripts_use() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |rel: &str, text: &str| crate::harness::write_file(d, rel, text);
    write("wharf/app.yml", "name: cli\n");
    write(
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    for name in ["db", "api"] {
        write(
            &format!("wharf/{name}/manifest.yml"),
            &format!(
                "name: {name}\ntype: Backend Service\nimage:\n  location: public.ecr.aws/docker/library/nginx:1.27\n  port: 80\n"
            ),
        );
    }
    wharf_ok(d, ep, &lab, &["app", "init", "cli", "--yes"]);
    let out = wharf_ok(
        d,
        ep,
        &lab,
        &[
            "deploy",
            "-e",
            "test",
            "-n",
            "api/2",
            "-n",
            "db/1",
            "--resource-tags",
            "team=core",
            "--no-rollback",
            "--init-wkld",
            "--yes",
        ],
    );
    let (db, api) = (
        out.find("cli-test-db: creating the stack")
            .expect("db deployed"),
        out.find("cli-test-api: creating the stack")
            .expect("api deployed"),
    );
    assert!(db < api, "{out}");
    let got = boto(
        ep,
        r#"
cfn = client('cloudformation')
out = {}
for s in ['cli-test', 'cli-test-db', 'cli-test-api']:
    st = cfn.describe_stacks(StackName=s)['Stacks'][0]
    out[s] = {'tags': {t['Key']: t['Value'] for t in st['Tags']}, 'created': st['CreationTime'].isoformat()}
    ev = cfn.describe_stack_events(StackName=s)['StackEvents']
    done = [e['Timestamp'] for e in ev if e['LogicalResourceId'] == s and e['ResourceStatus'] == 'CREATE_COMPLETE']
    out[s]['done'] = done[0].isoformat() if done else None
print(json.dumps(out))
"#,
    );
    for s in ["cli-test", "cli-test-db", "cli-test-api"] {
        // The user's tag beside wharf's own.
        assert_eq!(got[s]["tags"]["team"], "core", "{got}");
        assert_eq!(got[s]["tags"]["wharf-application"], "cli", "{got}");
    }
    // Order 2 started once order 1 was done.
    assert!(
        got["cli-test-api"]["created"].as_str().unwrap()
            >= got["cli-test-db"]["done"].as_str().unwrap(),
        "{got}"
    );
    // The environment's update, started and not followed.
    let out = wharf_ok(
        d,
        ep,
        &lab,
        &[
            "env",
            "deploy",
            "-n",
            "test",
            "--detach",
            "--force",
            "--resource-tags",
            "team=platform",
        ],
    );
    assert!(out.contains("not followed (--detach)"), "{out}");
    let settled = boto(
        ep,
        r#"
import time
cfn = client('cloudformation')
for _ in range(600):
    st = cfn.describe_stacks(StackName='cli-test')['Stacks'][0]
    if not st['StackStatus'].endswith('IN_PROGRESS'):
        break
    time.sleep(0.1)
print(json.dumps({'status': st['StackStatus'], 'team': {t['Key']: t['Value'] for t in st['Tags']}['team']}))
"#,
    );
    assert_eq!(settled["status"], "UPDATE_COMPLETE", "{settled}");
    assert_eq!(settled["team"], "platform", "{settled}");
    // The listings.
    let ls = crate::harness::wharf_lab(d, ep, &lab)
        .args(["app", "ls", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&ls.stdout);
    assert!(
        ls.status.success(),
        "{}",
        String::from_utf8_lossy(&ls.stderr)
    );
    assert!(text.contains("\"name\":\"cli\""), "{text}");
    let show = crate::harness::wharf_lab(d, ep, &lab)
        .args(["app", "show", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout).to_string();
    let app = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["type"] == "application")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        app["data"]["environments"][0]["status"], "UPDATE_COMPLETE",
        "{app}"
    );
    assert_eq!(
        app["data"]["workloads"],
        serde_json::json!([
            {"name": "api", "type": "Backend Service", "deployed_to": ["test"]},
            {"name": "db", "type": "Backend Service", "deployed_to": ["test"]},
        ]),
        "{app}"
    );
    // `--resources`: the stack's resources, by logical ID.
    for (args, kind, id) in [
        (
            &[
                "svc",
                "show",
                "-n",
                "api",
                "-e",
                "test",
                "--resources",
                "--json",
            ][..],
            "service",
            "Service",
        ),
        (
            &["env", "show", "-n", "test", "--resources", "--json"],
            "environment",
            "Cluster",
        ),
    ] {
        let out = crate::harness::wharf_lab(d, ep, &lab)
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let event = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|e| e["type"] == kind)
            .unwrap_or_else(|| panic!("{text}"));
        let found = event["data"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["logical_id"] == id)
            .unwrap_or_else(|| panic!("{event}"));
        assert!(
            !found["physical_id"].as_str().unwrap().is_empty(),
            "{found}"
        );
    }
    // `package --diff`, as Copilot's: 0 when nothing differs, 1 when something does,
    // 2 when no comparison can be made.
    let diff = |args: &[&str]| {
        let out = crate::harness::wharf_lab(d, ep, &lab)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = diff(&["svc", "package", "-n", "api", "-e", "test", "--diff"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(format!("{out}{err}").contains("No changes."), "{out}{err}");
    let (code, _, err) = diff(&["env", "package", "-n", "test", "--diff"]);
    assert_eq!(code, Some(0), "{err}");
    write(
        "wharf/api/manifest.yml",
        "name: api\ntype: Backend Service\nimage:\n  location: public.ecr.aws/docker/library/nginx:1.27\n  port: 80\nmemory: 1024\n",
    );
    let (code, out, err) = diff(&["svc", "package", "-n", "api", "-e", "test", "--diff"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.contains("1024"), "{out}");
    assert!(err.contains("differs from stack cli-test-api"), "{err}");
    // `svc delete` without `-e`, as Copilot's: from every environment it is deployed to
    // (here `test`, not the new `prod`), and refused when that is none.
    write(
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\n",
    );
    let (code, _, err) = diff(&["svc", "delete", "-n", "db", "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("cli-test-db: deleted") && !err.contains("cli-prod-db"),
        "{err}"
    );
    let gone = boto(
        ep,
        "print(json.dumps([s['StackName'] for s in client('cloudformation').list_stacks()['StackSummaries'] if s['StackName'] == 'cli-test-db' and s['StackStatus'] != 'DELETE_COMPLETE']))",
    );
    assert_eq!(gone, serde_json::json!([]), "{err}");
    let (code, _, err) = diff(&["svc", "delete", "-n", "db", "--yes"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("deployed to no environment"), "{err}");
    // `svc show` without `-e`: every environment it is deployed to (here `test`).
    let (code, out, err) = diff(&["svc", "show", "-n", "api", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let shown: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "service")
        .map(|e| e["data"]["environment"].clone())
        .collect();
    assert_eq!(shown, vec![serde_json::json!("test")], "{out}");
    // Nothing answers there.
    let out = crate::harness::wharf_lab(d, ep, &lab)
        .args(["svc", "package", "-n", "api", "-e", "test", "--diff"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no diff:"), "{err}");
}
