//! `--version`, `schema`, `completion`, usage errors.

use crate::util::{Dir, json_lines, stdout_ok, wharf, workspace};
use predicates::prelude::*;

#[test]
fn version_prints_the_crate_version() {
    wharf(Dir::new().path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("wharf {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let d = Dir::new();
    wharf(d.path()).arg("frobnicate").assert().code(2);
    wharf(d.path())
        .args(["--output", "yaml", "validate"])
        .assert()
        .code(2);
    // Without --local, ls asks AWS: with no region configured that is a clear error.
    wharf(workspace().path())
        .args(["svc", "ls"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no AWS region is configured"));
}

#[test]
fn commands_of_later_issues_are_not_shown() {
    let out = wharf(Dir::new().path()).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for later in ["logs", "build", "push", "rollback"] {
        assert!(
            !help.contains(&format!("\n  {later}")),
            "`{later}` is listed:\n{help}"
        );
    }
    for now in [
        "init",
        "app",
        "env",
        "svc",
        "deploy",
        "validate",
        "schema",
        "completion",
    ] {
        assert!(
            help.contains(&format!("\n  {now}")),
            "`{now}` missing:\n{help}"
        );
    }
}

#[test]
fn no_workspace_is_a_usage_error_with_a_hint() {
    wharf(Dir::new().path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no wharf workspace found")
                .and(predicate::str::contains("wharf init")),
        );
}

#[test]
fn schema_is_json_and_describes_all_manifests() {
    let out = wharf(Dir::new().path())
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["anyOf"].as_array().unwrap().len(), 3);
    let svc = wharf(Dir::new().path())
        .args(["schema", "--kind", "service"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&svc).unwrap();
    assert!(v["properties"]["http"].is_object());
    let j = wharf(Dir::new().path())
        .args(["schema", "--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines = json_lines(&j);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "schema");
}

#[test]
fn completion_scripts_mention_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        wharf(Dir::new().path())
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("validate").and(predicate::str::contains("package")));
    }
    wharf(Dir::new().path())
        .args(["completion", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn env_and_svc_listing() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\nenvironments:\n  prod:\n    count: 2\n");
    d.write(
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\nregion: eu-west-1\naccount: '111122223333'\n",
    );
    wharf(d.path()).args(["env", "ls", "--local"]).assert().success().stdout("prod                 eu-west-1        111122223333\ntest                 -                -\n");
    wharf(d.path())
        .args(["svc", "ls", "--local"])
        .assert()
        .success()
        .stdout("api                      Backend Service\n");
    let out = stdout_ok(d.path(), &["svc", "ls", "--local", "--output", "json"]).into_bytes();
    let lines = json_lines(&out);
    assert_eq!(lines[0]["type"], "services");
    assert_eq!(lines[0]["data"][0]["environment_overrides"][0], "prod");
}

#[test]
fn services_built_from_a_dockerfile_need_a_tag_until_images_are_built() {
    let d = Dir::example("storefront");
    wharf(d.path())
        .args(["svc", "deploy", "-n", "web", "-e", "test"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("web builds from a Dockerfile")
                .and(predicate::str::contains("--tag")),
        );
    wharf(d.path())
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("api, web build from a Dockerfile"));
    // `hello` runs an existing image: no tag needed, so it gets as far as AWS (no region here).
    let h = Dir::example("hello");
    wharf(h.path())
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no AWS region is configured"));
}
