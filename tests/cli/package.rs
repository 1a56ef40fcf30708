//! `wharf env package` / `wharf svc package`: files, parameters, determinism, lint-clean
//! output, and golden snapshots of every template the examples and fixtures produce.

use crate::util::{Dir, json_lines, lint, repo, stdout_ok, wharf, workspace};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Every stack of a workspace: each environment, and each service in each environment.
/// A made-up image digest.
const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn package_all(dir: &Path, out: &Path) -> Vec<PathBuf> {
    let envs = list(dir, "env");
    let svcs = list(dir, "svc");
    wharf(dir)
        .args(["app", "package", "--output-dir"])
        .arg(out)
        .assert()
        .success();
    for e in &envs {
        wharf(dir)
            .args(["env", "package", "-n", e, "--output-dir"])
            .arg(out)
            .assert()
            .success();
        for s in &svcs {
            wharf(dir)
                .args([
                    "svc",
                    "package",
                    "-n",
                    s,
                    "-e",
                    e,
                    "--digest",
                    DIGEST,
                    "--output-dir",
                ])
                .arg(out)
                .assert()
                .success();
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".stack.yml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 1 + envs.len() * (1 + svcs.len()));
    files
}

fn list(dir: &Path, what: &str) -> Vec<String> {
    let out = wharf(dir)
        .args([what, "ls", "--local", "--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    json_lines(&out)[0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// Paths of null values in a template: CloudFormation refuses them ("'null' values
/// are not allowed in templates"), and cfn-lint does not say so.
fn nulls(n: &wharf::manifest::yaml::Node, at: &str, out: &mut Vec<String>) {
    use wharf::manifest::yaml::Value;
    match &n.value {
        Value::Map(entries) => entries
            .iter()
            .for_each(|e| nulls(&e.value, &format!("{at}/{}", e.key), out)),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| nulls(v, &format!("{at}/{i}"), out)),
        Value::Scalar(_) if n.is_null() => out.push(at.to_string()),
        Value::Scalar(_) => {}
    }
}

fn check_structure(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.display();
    let mut map = wharf::manifest::source::SourceMap::new();
    let mut diags = wharf::manifest::diag::Diagnostics::new();
    let id = map.add(path, text.clone());
    let root = wharf::manifest::yaml::parse(id, map.file(id), &mut diags).expect("YAML");
    let mut found = Vec::new();
    nulls(&root, "", &mut found);
    assert!(found.is_empty(), "{name}: null values at {found:?}");
    // wharf's stacks share values through SSM, never exports; an `!ImportValue` is a
    // manifest's `from_cfn`: a literal export name another stack publishes.
    assert!(
        !text.contains("Fn::ImportValue")
            && text
                .match_indices("!ImportValue")
                .all(|(i, _)| text[i + "!ImportValue".len()..].starts_with(" \"")),
        "{name}: no exports between wharf's stacks"
    );
    assert!(
        !text.contains("Custom::") && !text.contains("AWS::Lambda"),
        "{name}: no custom resources"
    );
    // Every resource carries a description for the progress view.
    let mut in_resources = false;
    let mut current: Option<String> = None;
    let mut described = true;
    for line in text.lines() {
        if line == "Resources:" {
            in_resources = true;
            continue;
        }
        if in_resources && !line.starts_with(' ') {
            break;
        }
        if in_resources && line.starts_with("  ") && !line.starts_with("   ") {
            assert!(
                described,
                "{name}: resource {current:?} has no wharf:description"
            );
            current = Some(line.trim().trim_end_matches(':').to_string());
            described = false;
        }
        if line.trim_start().starts_with("wharf:description:") {
            described = true;
        }
    }
    assert!(
        described && current.is_some(),
        "{name}: resource {current:?} has no wharf:description"
    );
    if text.contains("AWS::ECS::Service") {
        assert!(
            text.contains(
                "DeploymentCircuitBreaker:\n          Enable: true\n          Rollback: true"
            ),
            "{name}: circuit breaker with rollback"
        );
    }
}

fn snapshot_all(label: &str, files: &[PathBuf]) {
    for f in files {
        let stem = f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".stack.yml")
            .to_string();
        let params =
            std::fs::read_to_string(f.with_file_name(format!("{stem}.params.json"))).unwrap();
        let template = std::fs::read_to_string(f).unwrap();
        insta::assert_snapshot!(
            format!("{label}__{stem}"),
            format!("{template}\n# ---- {stem}.params.json ----\n{params}")
        );
    }
}

#[test]
fn examples_package_lint_clean_with_snapshots() {
    for ex in ["storefront", "hello", "orders"] {
        let d = Dir::example(ex);
        let out = Dir::new();
        let files = package_all(d.path(), out.path());
        files.iter().for_each(|f| check_structure(f));
        lint(&files);
        snapshot_all(ex, &files);
    }
}

#[test]
fn fixture_workspaces_package_lint_clean_with_snapshots() {
    let root = repo().join("tests/fixtures/workspaces");
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let d = Dir::new();
        crate::util::copy_tree(&root.join(&name), d.path());
        let out = Dir::new();
        let files = package_all(d.path(), out.path());
        files.iter().for_each(|f| check_structure(f));
        lint(&files);
        snapshot_all(&name, &files);
        // Addons templates, written beside their workload's stack, and CloudFront's
        // certificate beside its environment's.
        let mut addons: Vec<PathBuf> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let p = p.to_string_lossy();
                p.ends_with(".addons.yml") || p.ends_with(".cdn-certificate.yml")
            })
            .collect();
        addons.sort();
        if !addons.is_empty() {
            lint(&addons);
            for a in &addons {
                let stem = a.file_name().unwrap().to_string_lossy().to_string();
                insta::assert_snapshot!(
                    format!("{name}__{stem}"),
                    std::fs::read_to_string(a).unwrap()
                );
            }
        }
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let d = Dir::example("storefront");
    let a = Dir::new();
    let b = Dir::new();
    let fa = package_all(d.path(), a.path());
    let fb = package_all(d.path(), b.path());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{}",
            x.display()
        );
        let px = x.with_file_name(
            x.file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".stack.yml", ".params.json"),
        );
        let py = y.with_file_name(px.file_name().unwrap());
        assert_eq!(std::fs::read(&px).unwrap(), std::fs::read(&py).unwrap());
    }
}

#[test]
fn params_file_has_the_template_configuration_shape() {
    let d = Dir::example("storefront");
    let out = Dir::new();
    wharf(d.path())
        .args([
            "svc",
            "package",
            "-n",
            "web",
            "-e",
            "test",
            "--digest",
            DIGEST,
            "--output-dir",
        ])
        .arg(out.path())
        .assert()
        .success();
    let params: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("web-test.params.json")).unwrap(),
    )
    .unwrap();
    let keys: Vec<_> = params.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["Parameters", "Tags"]);
    assert_eq!(params["Parameters"]["ImageDigest"], DIGEST);
    assert_eq!(
        params["Parameters"]["ClusterName"],
        "/wharf/storefront/test/cluster"
    );
    assert_eq!(params["Tags"]["wharf-service"], "web");
    assert_eq!(params["Tags"]["team"], "shop");
    // Every template parameter has a value in the file: deployable with plain CloudFormation.
    let template = std::fs::read_to_string(out.path().join("web-test.stack.yml")).unwrap();
    let section = template
        .split("\nParameters:\n")
        .nth(1)
        .unwrap()
        .split("\nResources:\n")
        .next()
        .unwrap();
    for line in section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
    {
        let name = line.trim().trim_end_matches(':').trim_matches('"');
        assert!(
            params["Parameters"].get(name).is_some(),
            "parameter {name} has no value in the params file"
        );
    }
}

#[test]
fn template_goes_to_stdout_without_an_output_dir() {
    let d = Dir::example("hello");
    wharf(d.path())
        .args(["env", "package", "-n", "test"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "AWSTemplateFormatVersion: '2010-09-09'",
        ));
    let out = stdout_ok(
        d.path(),
        &[
            "svc", "package", "-n", "hello", "-e", "test", "--output", "json",
        ],
    )
    .into_bytes();
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "package");
    assert_eq!(lines[0]["data"]["stack"], "hello-test-hello");
    assert_eq!(
        lines[0]["data"]["parameters"]["ContainerImage"],
        "public.ecr.aws/nginx/nginx:1.27"
    );
    assert!(
        lines[0]["data"]["template"]
            .as_str()
            .unwrap()
            .contains("AWS::ECS::Service")
    );
}

#[test]
fn env_stack_has_alb_and_nat_only_when_services_need_them() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n",
    );
    let t = stdout_ok(d.path(), &["env", "package", "-n", "test"]);
    assert!(!t.contains("AWS::ElasticLoadBalancingV2") && !t.contains("AWS::EC2::NatGateway"));
    d.write("wharf/api/manifest.yml", "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\nnetwork:\n  vpc:\n    placement: private\n");
    let t = stdout_ok(d.path(), &["env", "package", "-n", "test"]);
    assert_eq!(t.matches("Type: AWS::EC2::NatGateway").count(), 2);
    assert!(!t.contains("AWS::ElasticLoadBalancingV2::LoadBalancer"));
    d.write("wharf/web/manifest.yml", "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: /\n");
    let t = stdout_ok(d.path(), &["env", "package", "-n", "test"]);
    assert!(
        t.contains("Type: AWS::ElasticLoadBalancingV2::LoadBalancer")
            && !t.contains("HTTPSListener:")
    );
}

#[test]
fn package_refuses_invalid_manifests_and_unknown_names() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        "name: api\ntype: Backend Service\nimage:\n  location: nginx\ncpu: 3\n",
    );
    wharf(d.path())
        .args(["svc", "package", "-n", "api", "-e", "test"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("wharf/api/manifest.yml:5:6"));
    wharf(d.path())
        .args(["env", "package", "-n", "test"])
        .assert()
        .code(2);
    wharf(d.path())
        .args(["svc", "package", "-n", "nope", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("services: api"));
}

#[test]
fn listener_priorities_put_specific_paths_first() {
    let d = workspace();
    let lb = |name: &str, path: &str| {
        format!(
            "name: {name}\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: {path}\n"
        )
    };
    d.write("wharf/front/manifest.yml", &lb("front", "/"));
    d.write("wharf/api/manifest.yml", &lb("api", "api"));
    let prio = |svc: &str| {
        // The rule's priority is its parameter's default (an adoption may keep another).
        let t = stdout_ok(d.path(), &["svc", "package", "-n", svc, "-e", "test"]);
        assert!(t.contains("      Priority: !Ref RulePriority\n"), "{t}");
        let param = t.split("\n  RulePriority:\n").nth(1).unwrap();
        param
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Default: ")
                    .map(|p| p.trim_matches('"').parse::<u32>().unwrap())
            })
            .unwrap()
    };
    assert!(prio("api") < prio("front"));
}

/// `svc package --digest SIDECAR=sha256:…` fills a built sidecar's parameter; a digest
/// for a container the service does not build, or given twice, is refused.
#[test]
fn sidecar_digests_fill_their_parameters() {
    let d = Dir::new();
    crate::util::copy_tree(&repo().join("tests/fixtures/workspaces/sidecars"), d.path());
    let out = Dir::new();
    let other = format!("sha256:{}", "1".repeat(64));
    let package = |digests: &[&str]| {
        let mut cmd = wharf(d.path());
        cmd.args([
            "svc",
            "package",
            "-n",
            "ledger",
            "-e",
            "dev",
            "--output-dir",
        ])
        .arg(out.path());
        for x in digests {
            cmd.args(["--digest", x]);
        }
        cmd.assert()
    };
    package(&[&format!("metrics={other}")]).success();
    let params: serde_json::Value =
        serde_json::from_str(&out.read("ledger-dev.params.json")).unwrap();
    assert_eq!(
        params["Parameters"]["ImageDigestFormetrics"],
        other.as_str()
    );
    // ledger's main container runs an existing image: `ContainerImage`, no digest.
    assert!(params["Parameters"].get("ImageDigest").is_none());
    let err = package(&[&format!("envoy={other}")]).code(2);
    let text = String::from_utf8_lossy(&err.get_output().stderr).to_string();
    assert!(
        text.contains("ledger has no sidecar envoy whose image wharf builds")
            && text.contains("its built sidecars: metrics"),
        "{text}"
    );
    let err = package(&[&format!("metrics={other}"), &format!("metrics={DIGEST}")]).code(2);
    let text = String::from_utf8_lossy(&err.get_output().stderr).to_string();
    assert!(text.contains("given twice for container metrics"), "{text}");
    let err = package(&["metrics=sha256:xyz"]).code(2);
    let text = String::from_utf8_lossy(&err.get_output().stderr).to_string();
    assert!(text.contains("SIDECAR=sha256:"), "{text}");
    // Upper-case hex is no digest: the template's AllowedPattern would refuse it.
    package(&[&format!("metrics=sha256:{}", "A".repeat(64))]).code(2);
    let err = package(&[&format!("={other}")]).code(2);
    let text = String::from_utf8_lossy(&err.get_output().stderr).to_string();
    assert!(text.contains("a sidecar's name goes before `=`"), "{text}");
    // ledger's main container runs an existing image: a main digest has nothing to fill.
    let out = package(&[DIGEST]).success();
    let text = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        text.contains("is not used") && text.contains("ledger runs `image.location` in dev"),
        "{text}"
    );
}
