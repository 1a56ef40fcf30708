//! Copilot compatibility: every real Copilot manifest in `../shared/copilot-corpus` is read
//! as part of a Copilot workspace. Manifests of supported types must validate for `test`
//! and every environment their `environments:` block names, and package to lint-clean
//! templates; the others must fail only with explicit "not supported" errors. The
//! outcome per file is recorded in a snapshot.

use crate::util::{Dir, json_lines, lint, repo, wharf};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    let dir = std::env::var_os("WHARF_COPILOT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/copilot-corpus"));
    assert!(
        dir.is_dir(),
        "Copilot corpus not found at {} (set WHARF_COPILOT_CORPUS)",
        dir.display()
    );
    dir
}

/// Variables the corpus manifests interpolate.
const VARS: &[(&str, &str)] = &[
    ("TAG", "v1"),
    ("DOMAINNAME", "example.com"),
    ("TIMENOW", "1700000000"),
    ("BUCKETNAME", "assets-bucket"),
    ("SSM_NAME", "/corpus/param"),
    ("SECRETS_MANAGER_NAME", "corpus/secret"),
    (
        "IMPORTED_CERT_ARN",
        "arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555",
    ),
];

fn run(dir: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = wharf(dir);
    for (k, v) in VARS {
        cmd.env(k, v);
    }
    cmd.args(args).assert()
}

/// Top-level `key: value` of a YAML file (enough to read `name` and `type`).
fn top(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.strip_prefix(&format!("{key}:")).map(|v| {
            v.split('#')
                .next()
                .unwrap()
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        })
    })
}

/// Environment names in an `environments:` block.
fn override_envs(text: &str) -> Vec<String> {
    let mut in_block = false;
    let mut out = Vec::new();
    for l in text.lines() {
        if l.starts_with("environments:") {
            in_block = true;
            continue;
        }
        if in_block {
            if !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#') {
                break;
            }
            if let Some(name) = l
                .strip_prefix("  ")
                .filter(|r| !r.starts_with(' ') && !r.starts_with('#'))
                .and_then(|r| r.strip_suffix(':'))
            {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// cfn-lint over every `*.stack.yml` of `dir`.
fn lint_stacks(dir: &std::path::Path) {
    let stacks: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".stack.yml"))
        .collect();
    lint(&stacks);
}

/// Validates a workspace; `Ok` when clean, `Err(unsupported fields)` when every error
/// is an explicit "not supported", and a test failure otherwise.
fn check(d: &Dir, file: &str) -> Result<(), BTreeSet<String>> {
    let out = run(d.path(), &["validate", "--output", "json"])
        .get_output()
        .clone();
    let lines = json_lines(&out.stdout);
    let errors: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["type"] == "diagnostic" && l["data"]["severity"] == "error")
        .map(|l| &l["data"])
        .collect();
    if out.status.success() {
        assert!(errors.is_empty());
        return Ok(());
    }
    assert_eq!(out.status.code(), Some(2), "{file}: {lines:#?}");
    let mut unsupported = BTreeSet::new();
    for e in &errors {
        let code = e["code"].as_str().unwrap();
        // Copilot's test data names a service `gRPC`, which `copilot svc init` refuses
        // as wharf does (its image repository would need a lower-case name).
        if e["path"] == "name"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("capital letters"))
        {
            unsupported.insert("name (capital letters)".to_string());
            continue;
        }
        // Copilot's unit-test data gives `hosted_zone: mockHostedZone`, which Route 53
        // would refuse as wharf does.
        if e["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("hosted_zone"))
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("mockHostedZone"))
        {
            unsupported.insert(format!("{} (a mock zone ID)", e["path"].as_str().unwrap()));
            continue;
        }
        // …and load balancer ARNs with a 10-digit mock account, which ELB refuses too.
        if e["path"].as_str().is_some_and(|p| p.ends_with("http.alb"))
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("12-digit account"))
        {
            unsupported.insert(format!("{} (a mock account)", e["path"].as_str().unwrap()));
            continue;
        }
        assert!(
            code == "wharf::manifest::unsupported" || code == "wharf::manifest::unsupported_type",
            "{file}: only explicit not-supported errors are allowed for Copilot manifests, got {e:#}"
        );
        assert!(
            e["line"].as_u64().is_some() || e["path"].is_string(),
            "{file}: unsupported errors name their place: {e:#}"
        );
        unsupported.insert(e["path"].as_str().map_or_else(
            || e["message"].as_str().unwrap().to_string(),
            str::to_string,
        ));
    }
    assert!(
        !unsupported.is_empty(),
        "{file}: failed without errors: {lines:#?}"
    );
    Err(unsupported)
}

#[test]
fn copilot_corpus_reads_unchanged() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    let mut report = String::new();
    let mut packaged = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(kind) = top(&text, "type") else {
            report.push_str(&format!("{file}: not a manifest (skipped)\n"));
            continue;
        };
        let outcome = match attempt(&file, &kind, &text) {
            // Copilot's unit-test data gives mock values AWS would refuse as wharf does;
            // with well-formed stand-ins, the rest of the manifest must package.
            Err(fields) if !fields.is_empty() && fields.iter().all(|f| f.contains("(a mock")) => {
                let refused: Vec<String> = fields.into_iter().collect();
                attempt(&file, &kind, &unmock(&text)).map(|envs| (envs, Some(refused)))
            }
            other => other.map(|envs| (envs, None)),
        };
        match outcome {
            Ok((envs, mocked)) => {
                packaged += 1;
                report.push_str(&format!(
                    "{file}: {kind}: packaged for {} and lint-clean{}\n",
                    envs.join(", "),
                    mocked.map_or_else(String::new, |m| format!(
                        " with mock values replaced (refused as AWS would: {})",
                        m.join(", ")
                    ))
                ));
            }
            Err(fields) => {
                // Values AWS would refuse too carry their reason in parentheses.
                let (invalid, unsupported): (Vec<String>, Vec<String>) =
                    fields.into_iter().partition(|f| f.ends_with(')'));
                let mut parts = Vec::new();
                if !unsupported.is_empty() {
                    parts.push(format!("not supported yet: {}", unsupported.join(", ")));
                }
                if !invalid.is_empty() {
                    parts.push(format!("refused as AWS would: {}", invalid.join(", ")));
                }
                report.push_str(&format!("{file}: {kind}: {}\n", parts.join("; ")));
            }
        }
    }
    assert!(
        packaged >= 3,
        "expected several corpus manifests to package:\n{report}"
    );
    insta::assert_snapshot!("copilot_corpus", report);
}

/// Writes a workspace around corpus manifest `text` (of type `kind`), validates it, and
/// packages every stack lint-clean: the environments packaged, or what refused it
/// ([`check`]).
fn attempt(file: &str, kind: &str, text: &str) -> Result<Vec<String>, BTreeSet<String>> {
    let d = Dir::new();
    // The corpus's aliases are names under DOMAINNAME (example.com): the application
    // has that domain, as `copilot app init --domain` gave it.
    d.write(
        "copilot/.workspace",
        "application: corpus\ndomain: example.com\n",
    );
    let mut envs = vec!["test".to_string()];
    let mut services = Vec::new();
    if kind == "Environment" {
        d.write("copilot/environments/test/manifest.yml", text);
        d.write("copilot/probe/manifest.yml", "name: probe\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: /\n");
        services.push("probe".to_string());
    } else {
        let name = top(text, "name").unwrap();
        d.write(&format!("copilot/{name}/manifest.yml"), text);
        // The environment files a manifest names (Copilot's test data has none).
        for l in text.lines() {
            if let Some(path) = l.trim().strip_prefix("env_file:") {
                let path = path.trim().trim_matches(['"', '\'']);
                d.write(path.trim_start_matches("./"), "# placeholder\nLEVEL=info\n");
            }
        }
        services.push(name);
        for e in override_envs(text) {
            if !envs.contains(&e) {
                envs.push(e);
            }
        }
        for e in &envs {
            // An end-to-end test's own environment manifest, when the corpus has it.
            let own = file.split_once("__copilot__").map(|(dir, _)| {
                corpus().join(format!("{dir}__copilot__environments__{e}__manifest.yml"))
            });
            let mut env_text = own
                .filter(|p| p.is_file())
                .map(|p| std::fs::read_to_string(p).unwrap())
                .unwrap_or_else(|| format!("name: {e}\ntype: Environment\n"));
            // A Backend Service's aliases are names on the internal load balancer,
            // whose certificates the environment imports (as Copilot requires).
            if kind == "Backend Service" && text.contains("\n  alias:") {
                env_text.push_str(
                    "http:\n  private:\n    certificates:\n      - ${IMPORTED_CERT_ARN}\n",
                );
            }
            d.write(&format!("copilot/environments/{e}/manifest.yml"), &env_text);
        }
    }
    check(&d, file)?;
    let out = Dir::new();
    let out_dir = out.path().to_str().unwrap();
    for e in &envs {
        run(
            d.path(),
            &["env", "package", "-n", e, "--output-dir", out_dir],
        )
        .success();
        for s in &services {
            run(
                d.path(),
                &["svc", "package", "-n", s, "-e", e, "--output-dir", out_dir],
            )
            .success();
        }
    }
    lint_stacks(out.path());
    Ok(envs)
}

/// Copilot's unit-test data with its mock values made well-formed: `mockHostedZone<n>`
/// becomes a zone ID, and the 10-digit mock account `1234567890` a 12-digit one.
fn unmock(text: &str) -> String {
    let mut out = text.replace(":1234567890:", ":123456789012:");
    for n in ["", "1", "2", "3"] {
        out = out.replace(&format!("mockHostedZone{n}\n"), &format!("Z0MOCKZONE{n}\n"));
    }
    out
}

/// `text` without the top-level blocks `keys` (a key line and its indented lines).
fn without(text: &str, keys: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for l in text.lines() {
        let top_level = !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#');
        if top_level {
            skipping = keys.iter().any(|k| l.starts_with(&format!("{k}:")));
        }
        if !skipping {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The corpus's Worker Service and Scheduled Job, without the fields of the next issue
/// (volumes, sidecars, `from_cfn`, extra security groups, container dependencies), package
/// to lint-clean templates with everything else they say: queues, subscriptions with a
/// filter policy, FIFO topics and queues, backlog scaling, Spot, rollback alarms; the
/// schedule, retries, timeout and published topic.
#[test]
fn copilot_worker_and_job_package_lint_clean() {
    let read = |f: &str| std::fs::read_to_string(corpus().join(f)).unwrap();
    let worker = without(
        &read("testdata__workloads__worker-manifest.yml"),
        &["storage"],
    );
    let job = without(
        &read("testdata__workloads__job-manifest.yml"),
        &["storage", "sidecars", "network", "secrets", "environments"],
    )
    .replace("  depends_on:\n    nginx: start\n", "");
    let job = format!(
        "{job}storage:\n  ephemeral: 200\nsecrets:\n  SQL_PASS: SQL_PASS\n  DB:\n    secretsmanager: demo/test/mysql\n"
    );
    let d = Dir::new();
    d.write("copilot/.workspace", "application: corpus\n");
    d.write(
        "copilot/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    d.write("copilot/dogworker/manifest.yml", &worker);
    d.write("copilot/job/manifest.yml", &job);
    let out = Dir::new();
    let out_dir = out.path().to_str().unwrap();
    run(
        d.path(),
        &["env", "package", "-n", "test", "--output-dir", out_dir],
    )
    .success();
    for s in ["dogworker", "job"] {
        run(
            d.path(),
            &[
                "svc",
                "package",
                "-n",
                s,
                "-e",
                "test",
                "--output-dir",
                out_dir,
            ],
        )
        .success();
    }
    let stack = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap();
    let w = stack("dogworker-test.stack.yml");
    for needle in [
        "dogsvcgiveshuskiesEventsQueue:",
        "yourtopicyourtopicfifoEventsQueue:",
        "FifoThroughputLimit: \"perMessageGroupId\"",
        "TargetValue: 900",
        "RollbackMessagesDelayedAlarm:",
        "mytopicfifoSNSTopic:",
        "\"anything-but\":\"order_cancelled\"",
        "CapacityProvider: FARGATE_SPOT",
    ] {
        assert!(w.contains(needle), "worker lacks {needle}");
    }
    let j = stack("job-test.stack.yml");
    for needle in [
        "ScheduleExpression: \"cron(0 12 ? * MON *)\"",
        "\\\"MaxAttempts\\\":3",
        "\\\"TimeoutSeconds\\\":3600",
        "TopicName: \"corpus-test-job-mytopic.fifo\"",
    ] {
        assert!(j.contains(needle), "job lacks {needle}");
    }
    lint_stacks(out.path());
}
