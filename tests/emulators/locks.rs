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

/// moto (with `emu_env`) and a copy of the hello example whose application has its
/// bucket (`app init`) and which `deploy` (wharf's arguments) deployed; the bucket's name.
fn hello_with_bucket(
    emu_env: &[(&str, String)],
    deploy: &[&str],
) -> (crate::harness::Emulator, tempfile::TempDir, String) {
    let emu = moto_env(emu_env);
    let dir = example("hello");
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
    wharf(d, ep)
        .args(["app", "init", "hello"])
        .assert()
        .success();
    wharf(d, ep).args(deploy).assert().success();
    let bucket = app_bucket(ep, "hello");
    (emu, dir, bucket)
}

/// Waits until `lock` is in `bucket`: a run started in the background took it.
fn wait_for_lock(endpoint: &str, bucket: &str, lock: &str) {
    let since = Instant::now();
    while !locks(endpoint, bucket).iter().any(|l| l == lock) {
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "the run never took its lock {lock}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn one_deploy_of_a_stack_at_a_time() {
    // Rollouts last 8 s, so the first run holds its lock that long.
    let (emu, dir, bucket) = hello_with_bucket(
        &[("WHARF_SIM_ROLLOUT_SECONDS", "8".to_string())],
        &["env", "deploy", "-n", "test"],
    );
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
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
    wait_for_lock(ep, &bucket, &lock);
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
    // In JSON too: a `lock` event says so.
    boto(
        ep,
        &format!(
            "client('s3').put_object(Bucket={bucket:?}, Key={lock:?}, Body=json.dumps({{'holder': 'ghost@gone (pid 2)', 'command': 'wharf deploy', 'started_ms': 1000, 'expires_ms': 2000}}))\nprint(json.dumps(True))"
        ),
    );
    wharf(d, ep)
        .args(deploy)
        .args(["--output", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#"{"type":"lock","data":{"stack":"hello-test-hello","state":"took_over","holder":"ghost@gone (pid 2)","command":"wharf deploy"}}"#,
        ));
    assert!(locks(ep, &bucket).is_empty());
}

#[test]
fn ctrl_c_while_waiting_for_a_lock_deploys_nothing() {
    let (emu, dir, bucket) = hello_with_bucket(&[], &["deploy", "-e", "test", "--all"]);
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
    // Another run holds the service's lock (a live lease), so this one waits.
    let lock = "locks/hello-test-hello.json";
    boto(
        ep,
        &format!(
            "import time\nnow = int(time.time() * 1000)\nclient('s3').put_object(Bucket={bucket:?}, Key={lock:?}, Body=json.dumps({{'holder': 'other@ci (pid 7)', 'command': 'wharf svc deploy', 'started_ms': now, 'expires_ms': now + 100000}}))\nprint(json.dumps(True))"
        ),
    );
    let template = |ep: &str| crate::harness::stack_template(ep, "hello-test-hello");
    let before = template(ep);
    let manifest = d.join("wharf/hello/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("count: 2", "count: 3")).unwrap();
    let mut run = wharf_command(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test", "--wait-lock"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once it says it waits, the user presses Ctrl-C.
    let stderr = run.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("waiting for other@ci (pid 7)") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("it said it waits for the holder");
    let pid = run.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = run.wait().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains(
            "interrupted while waiting for another run's deploy lock; nothing was deployed"
        ),
        "{err}"
    );
    assert_eq!(template(ep), before, "nothing was deployed");
    assert_eq!(
        locks(ep, &bucket),
        [lock.to_string()],
        "the other run's lock is left to it"
    );
}

#[test]
fn sigterm_releases_the_deploy_locks() {
    // A CI system cancelling the job: SIGTERM while the run follows its rollout.
    let (emu, dir, bucket) = hello_with_bucket(
        &[("WHARF_SIM_ROLLOUT_SECONDS", "30".to_string())],
        &["env", "deploy", "-n", "test"],
    );
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
    let run = wharf_command(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lock(ep, &bucket, "locks/hello-test-hello.json");
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &run.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = run.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("Stopped (SIGTERM)"), "{err}");
    assert!(locks(ep, &bucket).is_empty(), "the lock was released");
}
