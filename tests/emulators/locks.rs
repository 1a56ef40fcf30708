//! Deploy locks against moto's S3: of two runs of one stack, the second is refused
//! (naming the first) or, with `--wait-lock`, waits its turn; an expired lock is taken
//! over; and no lock is left behind.

use crate::harness::{app_bucket, boto, example, moto_env, wharf, wharf_command};
use predicates::prelude::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The keys under `locks/` in `bucket`.
fn locks(endpoint: &str, bucket: &str) -> Vec<String> {
    let v = boto(
        endpoint,
        &format!(
            "r = client('s3').list_objects_v2(Bucket={bucket:?}, Prefix='locks/')\nprint(json.dumps([o['Key'] for o in r.get('Contents', [])]))"
        ),
    );
    serde_json::from_value(v).unwrap()
}

#[test]
fn one_deploy_of_a_stack_at_a_time() {
    // Rollouts last 8 s, so the first run holds its lock that long.
    let emu = moto_env(&[("WHARF_SIM_ROLLOUT_SECONDS", "8".to_string())]);
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["app", "init", "hello"])
        .assert()
        .success();
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success();
    let bucket = app_bucket(ep, "hello");
    assert!(
        locks(ep, &bucket).is_empty(),
        "env deploy released its lock"
    );

    let deploy = ["svc", "deploy", "-n", "hello", "-e", "test"];
    let first = wharf_command(d, ep)
        .args(deploy)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = "locks/hello-test-hello.json".to_string();
    let since = Instant::now();
    while !locks(ep, &bucket).contains(&lock) {
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "the first run never took its lock"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A second run is refused and names the first.
    wharf(d, ep).args(deploy).assert().code(1).stderr(
        predicate::str::contains("stack hello-test-hello is being deployed by")
            .and(predicate::str::contains(
                "wharf svc deploy -n hello -e test",
            ))
            .and(predicate::str::contains("--wait-lock")),
    );
    // A third waits its turn, then deploys (a new ECS deployment, `--force`).
    let third = wharf_command(d, ep)
        .args(deploy)
        .args(["--wait-lock", "--force"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let third = third.wait_with_output().unwrap();
    let third_err = String::from_utf8_lossy(&third.stderr);
    assert!(third.status.success(), "{third_err}");
    assert!(third_err.contains("completed"), "{third_err}");
    assert!(
        third_err.contains("hello-test-hello: waiting for")
            && third_err.contains("to finish deploying it"),
        "it said whom it waited for: {third_err}"
    );
    assert!(locks(ep, &bucket).is_empty(), "no lock left behind");

    // A lock whose holder went away (its lease expired) is taken over.
    boto(
        ep,
        &format!(
            "client('s3').put_object(Bucket={bucket:?}, Key={lock:?}, Body=json.dumps({{'holder': 'ghost@gone (pid 1)', 'command': 'wharf deploy', 'started_ms': 1000, 'expires_ms': 2000}}))\nprint(json.dumps(True))"
        ),
    );
    wharf(d, ep)
        .args(deploy)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "took over the expired deploy lock of ghost@gone (pid 1)",
        ));
    assert!(locks(ep, &bucket).is_empty());
}
