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
    // A wharf variable that is not a number stops the command, naming it.
    wharf(workspace().path())
        .env("WHARF_POLL_INTERVAL_MS", "fast")
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "WHARF_POLL_INTERVAL_MS=\"fast\" is not a number of milliseconds",
        ));
    // With --output json, stdout holds the error as a JSON event, and nothing else.
    let out = wharf(d.path())
        .args(["deploy", "--output", "json", "--bogus"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "error");
    assert_eq!(events[0]["data"]["code"], "wharf::usage::arguments");
    assert!(
        events[0]["data"]["message"]
            .as_str()
            .unwrap()
            .contains("--bogus")
    );
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
    for later in ["logs", "rollback"] {
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
        "build",
        "push",
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
    wharf(d.path())
        .args(["env", "ls", "--local"])
        .assert()
        .success()
        .stdout("NAME  REGION     ACCOUNT\nprod  eu-west-1  111122223333\ntest  -          -\n");
    wharf(d.path())
        .args(["svc", "ls", "--local"])
        .assert()
        .success()
        .stdout("NAME  TYPE\napi   Backend Service\n");
    let out = stdout_ok(d.path(), &["svc", "ls", "--local", "--output", "json"]).into_bytes();
    let lines = json_lines(&out);
    assert_eq!(lines[0]["type"], "services");
    assert_eq!(lines[0]["data"][0]["environment_overrides"][0], "prod");
}

/// `wharf build` without `--env` checks the manifests as each environment has them:
/// a base value every environment overrides is no error; one an environment keeps is,
/// named by that environment.
#[test]
fn build_without_an_environment_checks_each_environments_manifest() {
    let d = crate::util::workspace();
    d.write("api/Dockerfile", "FROM scratch\n");
    let manifest = |over: &str| {
        format!(
            "name: api\ntype: Backend Service\nimage:\n  build: api/Dockerfile\ncpu: 300\nenvironments:\n  test:\n{over}"
        )
    };
    d.write("wharf/api/manifest.yml", &manifest("    cpu: 256\n"));
    let empty = Dir::new();
    // Valid as the only environment has it: on to the engine, which is not there.
    wharf(d.path())
        .env("PATH", empty.path())
        .env_remove("WHARF_CONTAINER_ENGINE")
        .args(["build", "-n", "api"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`docker` was not found on PATH"));
    d.write("wharf/api/manifest.yml", &manifest("    memory: 512\n"));
    wharf(d.path())
        .env("PATH", empty.path())
        .args(["build", "-n", "api"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wharf/api/manifest.yml:5:6: Fargate has no task size with 300 CPU units",
        ));
}

#[test]
fn a_missing_or_stopped_engine_is_a_clear_error() {
    let d = Dir::example("storefront");
    let empty = Dir::new();
    wharf(d.path())
        .env("PATH", empty.path())
        .env_remove("WHARF_CONTAINER_ENGINE")
        .args(["build", "-n", "web"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("`docker` was not found on PATH")
                .and(predicate::str::contains("WHARF_CONTAINER_ENGINE=podman")),
        );
    wharf(d.path())
        .env("PATH", empty.path())
        .args(["build", "--engine", "podman"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`podman` was not found on PATH"));
    // A docker CLI whose daemon is not there.
    if std::process::Command::new("docker")
        .arg("--version")
        .output()
        .is_ok()
    {
        wharf(d.path())
            .env(
                "DOCKER_HOST",
                format!("unix://{}/none.sock", empty.path().display()),
            )
            .env_remove("WHARF_CONTAINER_ENGINE")
            .args(["build", "-n", "api"])
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("the container engine does not answer")
                    .and(predicate::str::contains("podman system service")),
            );
    }
}

#[test]
fn services_that_run_an_existing_image_have_nothing_to_build() {
    let d = Dir::example("hello");
    let empty = Dir::new();
    wharf(d.path())
        .env("PATH", empty.path())
        .args(["build"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "hello runs an existing image (`image.location`): nothing to build",
        ));
}

#[test]
fn a_missing_dockerfile_is_reported_before_any_engine_is_needed() {
    let d = Dir::example("storefront");
    std::fs::remove_file(d.path().join("web/Dockerfile")).unwrap();
    let empty = Dir::new();
    wharf(d.path())
        .env("PATH", empty.path())
        .args(["build", "-n", "web"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("web: Dockerfile")
                .and(predicate::str::contains("does not exist"))
                .and(predicate::str::contains("relative to the workspace root")),
        );
}

#[test]
fn deploy_checks_the_engine_before_touching_stacks() {
    let d = Dir::example("storefront");
    let empty = Dir::new();
    wharf(d.path())
        .env("PATH", empty.path())
        .env_remove("WHARF_CONTAINER_ENGINE")
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("`docker` was not found on PATH")
                .and(predicate::str::contains("stack").not()),
        );
}
