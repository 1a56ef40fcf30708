//! `wharf validate`: exit codes, positions, every error in one run, JSON output.

use crate::util::{Dir, json_lines, stdout_ok, wharf, workspace};
use predicates::prelude::*;

const API: &str = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";

#[test]
fn valid_workspace_exits_0() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    wharf(d.path())
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 service valid for 1 environment",
        ));
}

#[test]
fn reports_every_error_in_every_manifest_with_file_line_col() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", &format!("{API}memroy: 512\n"));
    d.write("wharf/web/manifest.yml", "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 80\nhttp:\n  path: /\ncpu: 256\nmemory: 4096\ncount:\n  range: 5-1\n  cpu_percentage: 50\n");
    d.write(
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\nobservability:\n  container_insight: true\n",
    );
    wharf(d.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("wharf/api/manifest.yml:6:1: unknown key `memroy`")
                .and(predicate::str::contains("did you mean `memory`?"))
                .and(predicate::str::contains("wharf/web/manifest.yml:9:9: Fargate does not accept 4096 MiB"))
                .and(predicate::str::contains("wharf/web/manifest.yml:11:10: `count.range` minimum 5 is greater than its maximum 1"))
                .and(predicate::str::contains("wharf/environments/test/manifest.yml:4:3: unknown key `container_insight`"))
                .and(predicate::str::contains("4 errors in the manifests")),
        );
}

#[test]
fn shows_the_source_line_and_a_caret() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &API.replace("port: 80", "port: eighty"),
    );
    let err = refused(d.path());
    assert!(err.contains("5 │   port: eighty"), "{err}");
    assert!(
        err.contains("── expected a port number from 1 to 65535"),
        "{err}"
    );
}

#[test]
fn json_output_is_one_event_per_line() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}taskdef_overrides:\n  - path: x\nvariables:\n  API_TOKEN: abc\n"),
    );
    let out = wharf(d.path())
        .args(["validate", "--output", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let lines = json_lines(&out);
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["diagnostic", "diagnostic", "summary", "error"]);
    let missing = &lines[0]["data"];
    assert_eq!(missing["code"], "wharf::manifest::missing_field");
    assert_eq!(missing["file"], "wharf/api/manifest.yml");
    assert_eq!(
        (missing["line"].as_u64(), missing["column"].as_u64()),
        (Some(7), Some(5))
    );
    assert_eq!(missing["path"], "taskdef_overrides[0].value");
    assert_eq!(lines[1]["data"]["severity"], "warning");
    assert_eq!(
        lines[1]["data"]["code"],
        "wharf::manifest::secret_in_variables"
    );
    assert_eq!(lines[2]["data"]["errors"], 1);
    assert_eq!(lines[2]["data"]["warnings"], 1);
}

#[test]
fn checks_each_environment_after_its_overrides() {
    let d = workspace();
    d.write(
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\n",
    );
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}environments:\n  prod:\n    cpu: 300\n"),
    );
    wharf(d.path())
        .args(["validate", "--env", "test"])
        .assert()
        .success();
    wharf(d.path())
        .args(["validate", "--env", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wharf/api/manifest.yml:8:10: Fargate has no task size with 300 CPU units",
        ));
    wharf(d.path()).arg("validate").assert().code(2);
    wharf(d.path())
        .args(["validate", "--env", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no environment `nope`"));
}

#[test]
fn override_for_a_missing_environment_is_a_warning() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}environments:\n  staging:\n    count: 2\n"),
    );
    wharf(d.path())
        .arg("validate")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "`environments.staging` overrides an environment this workspace does not have",
        ));
}

#[test]
fn interpolates_variables_and_reports_missing_ones() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", "name: api\ntype: Backend Service\nimage:\n  location: repo/api:${TAG}\n  port: 80\nvariables:\n  ENV: ${WHARF_ENVIRONMENT_NAME}\n");
    wharf(d.path())
        .arg("validate")
        .env_remove("TAG")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wharf/api/manifest.yml:4:13: environment variable `TAG` is not set",
        ));
    wharf(d.path())
        .arg("validate")
        .env("TAG", "v1")
        .assert()
        .success();
}

#[test]
fn unsupported_types_and_copilot_extras_are_explicit() {
    let d = workspace();
    d.write(
        "wharf/jobs/manifest.yml",
        "name: jobs\ntype: Static Site\nimage:\n  build: Dockerfile\n",
    );
    d.write("wharf/api/manifest.yml", API);
    d.write("wharf/api/addons/table.yml", "Resources: {}\n");
    d.write("wharf/environments/addons/db.yml", "Resources: {}\n");
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains(
            "wharf/jobs/manifest.yml:2:7: service type `Static Site` is not supported by wharf yet",
        )
        // A workload's addons are read, and their errors located.
        .and(predicate::str::contains(
            "wharf/api/addons/table.yml:1:1: the addon templates define no `Resources`",
        ))
        .and(predicate::str::contains(
            "wharf/environments/addons/db.yml:1:1: the addon templates define no `Resources`",
        )),
    );
}

#[test]
fn reads_a_copilot_workspace_as_is_and_says_so_once() {
    let d = Dir::new();
    d.write("copilot/.workspace", "application: legacy\n");
    d.write(
        "copilot/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    d.write("copilot/api/manifest.yml", "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\nvariables:\n  APP: ${COPILOT_APPLICATION_NAME}\n");
    let out = wharf(d.path())
        .arg("validate")
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.matches("Copilot workspace").count(), 1, "{err}");
    let pkg = stdout_ok(d.path(), &["svc", "package", "-n", "api", "-e", "test"]).into_bytes();
    let t = String::from_utf8(pkg).unwrap();
    assert!(
        t.contains("- Name: \"APP\"\n              Value: \"legacy\""),
        "{t}"
    );
    assert!(
        t.contains("COPILOT_SERVICE_NAME"),
        "Copilot workspaces keep the COPILOT_* variables"
    );
}

#[test]
fn wharf_workspace_is_found_from_a_subdirectory() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    std::fs::create_dir_all(d.path().join("src/deep")).unwrap();
    wharf(&d.path().join("src/deep"))
        .arg("validate")
        .assert()
        .success();
}

#[test]
fn syntax_errors_and_duplicate_keys_have_positions() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        "name: api\ntype: Backend Service\nimage: [oops\n",
    );
    d.write(
        "wharf/web/manifest.yml",
        "name: web\nname: web2\ntype: Backend Service\nimage:\n  location: nginx\n",
    );
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains("wharf/api/manifest.yml:4:1: invalid YAML").and(
            predicate::str::contains("wharf/web/manifest.yml:2:1: duplicate key `name`"),
        ),
    );
}

#[test]
fn the_closing_error_is_said_once_on_its_own_line() {
    let d = crate::util::workspace();
    d.write(
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\nbogus: 1\n",
    );
    let out = crate::util::wharf(d.path())
        .arg("validate")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert_eq!(
        stderr.matches("1 error in the manifests").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.ends_with("1 error in the manifests\n"), "{stderr:?}");
}

/// In CI a diagnostic's headline is one line, however long (logs are read with grep).
#[test]
fn a_long_message_is_one_line_in_ci() {
    let d = crate::util::workspace();
    let name = "p".repeat(120);
    d.write(
        "wharf/api/manifest.yml",
        &format!("name: api\ntype: Backend Service\nimage:\n  location: nginx\nsidecars:\n  {name}:\n    image:\n      build: x/Dockerfile\n"),
    );
    let out = crate::util::wharf(d.path())
        .arg("validate")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    let headline = stderr
        .lines()
        .find(|l| l.contains("wharf/api/manifest.yml:6:3:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(headline.len() > 300, "{headline}");
    assert!(
        headline.contains("must have at most 100 characters and not start with `-`"),
        "{stderr}"
    );
}

#[test]
fn a_secret_looking_value_is_never_shown_by_any_diagnostic() {
    // The warning about `STRIPE_KEY` never echoes its value; neither may the source
    // lines shown under other errors next to it, in it, or in a file that does not parse.
    let svc =
        "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\nvariables:\n";
    for (case, variables) in [
        (
            "an error on the next line",
            "  STRIPE_KEY: sk_live_123\n  BAD: {a: 1}\n",
        ),
        (
            "a duplicate key",
            "  STRIPE_KEY: sk_live_123\n  STRIPE_KEY: sk_live_123\n",
        ),
        ("a wrong type", "  STRIPE_KEY: [sk_live_123]\n"),
        (
            "an unset variable",
            "  STRIPE_KEY: sk_live_123${UNSET_ZZ}\n",
        ),
        ("a syntax error", "  STRIPE_KEY: 'sk_live_123\n  OTHER: x\n"),
    ] {
        let d = crate::util::workspace();
        d.write("wharf/api/manifest.yml", &format!("{svc}{variables}"));
        for output in ["human", "json"] {
            let out = crate::util::wharf(d.path())
                .args(["--output", output, "validate"])
                .env_remove("UNSET_ZZ")
                .assert()
                .code(2)
                .get_output()
                .clone();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let located = if output == "json" {
                "\"line\":7"
            } else {
                "manifest.yml:7:"
            };
            assert!(all.contains(located), "{case}, {output}: {all}");
            assert!(!all.contains("sk_live"), "{case}, {output}: {all}");
        }
    }
}

#[test]
fn a_service_named_unlike_its_directory_is_an_error() {
    // A rename in the manifest alone would deploy a second stack no command reaches.
    let d = crate::util::workspace();
    d.write(
        "wharf/api/manifest.yml",
        "name: api-v2\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n",
    );
    crate::util::wharf(d.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains(
                "wharf/api/manifest.yml:1:7: service `api-v2` is in directory `api`; the two must be the same",
            )
            .and(predicates::str::contains("set `name: api`")),
        );
}

#[test]
fn a_subscription_nobody_here_publishes_is_a_warning_of_validate() {
    let d = workspace();
    d.write(
        "wharf/w/manifest.yml",
        "name: w\ntype: Worker Service\nimage:\n  location: nginx\nsubscribe:\n  topics:\n    - name: orders\n      service: web\n",
    );
    wharf(d.path())
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::contains("(1 warning)"))
        .stderr(predicate::str::contains("wharf/w/manifest.yml:7:13").and(
            predicate::str::contains("`w` subscribes to topic `orders` of `web`"),
        ));
}

#[test]
fn a_field_missing_in_one_environment_is_said_of_that_environment() {
    let d = workspace();
    d.write(
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\n",
    );
    d.write(
        "wharf/api/manifest.yml",
        "name: api\ntype: Backend Service\ncpu: 256\nenvironments:\n  prod:\n    image:\n      location: nginx\n",
    );
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains("missing required field `image` (in environment `test`)")
            .and(predicate::str::contains("unknown key").not()),
    );
    let out = wharf(d.path())
        .args(["validate", "--output", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""environments":["test"]"#), "{text}");
}

/// `taskdef_overrides` and YAML patches are checked against each environment's
/// template by `validate` and `svc package`: a path that is not there is an error at the
/// rule or patch, naming the environment; a syntax error in a path is one at decode.
#[test]
fn overrides_that_miss_the_template_are_located_errors() {
    let d = workspace();
    d.write(
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\n",
    );
    d.write(
        "wharf/api/manifest.yml",
        &format!(
            "{API}taskdef_overrides:\n  - path: ContainerDefinitions[0].Ulimits[-].Name\n    value: nofile\nenvironments:\n  prod:\n    taskdef_overrides:\n      - path: ContainerDefinitions[2].Cpu\n        value: 256\n"
        ),
    );
    d.write(
        "wharf/api/overrides/cfn.patches.yml",
        "- op: replace\n  path: /Resources/LogGroup/Properties/RetentionInDays\n  value: 90\n- op: remove\n  path: /Resources/Nope\n",
    );
    let err = refused(d.path());
    assert!(
        err.contains("wharf/api/manifest.yml:12:15: task definition override `ContainerDefinitions[2].Cpu` does not fit the template: `ContainerDefinitions` has 1 element, so `[2]` does not exist"),
        "{err}"
    );
    assert!(
        err.contains("wharf/api/overrides/cfn.patches.yml:5:9: YAML patch `remove` on `/Resources/Nope` does not fit the template: `/Resources` has no `Nope`"),
        "{err}"
    );
    // The patch misses in every environment (said once), the rule only in prod.
    assert_eq!(err.matches("YAML patch `remove`").count(), 1, "{err}");
    assert!(err.contains("(at `[1].path`)"), "{err}");
    assert!(
        err.contains("(at `environments.prod.taskdef_overrides[0].path`, in environment `prod`)"),
        "{err}"
    );
    let out = wharf(d.path())
        .args([
            "svc", "package", "-n", "api", "-e", "prod", "--output", "json",
        ])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    let problems: Vec<_> = events
        .iter()
        .filter(|e| e["data"]["code"] == "wharf::manifest::override")
        .map(|e| &e["data"])
        .collect();
    assert_eq!(problems.len(), 2, "{events:?}");
    assert!(
        problems
            .iter()
            .all(|p| p["environments"] == serde_json::json!(["prod"])),
        "{problems:?}"
    );
    // A bad path is refused where it is written, before any template.
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}taskdef_overrides:\n  - path: Family\n    value: x\n  - path: Ulimits[x]\n    value: 1\n"),
    );
    d.write(
        "wharf/api/overrides/cfn.patches.yml",
        "- op: move\n  path: Resources\n",
    );
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains("wharf/api/manifest.yml:7:11: `Family` cannot be overridden")
            .and(predicate::str::contains(
                "wharf/api/manifest.yml:9:11: invalid override path `Ulimits[x]`",
            ))
            .and(predicate::str::contains(
                "cfn.patches.yml:1:7: unsupported operation `move`",
            )),
    );
}

/// A CDK override needs a Node.js toolchain wharf does not run: refused, with what to
/// use instead.
#[test]
fn cdk_overrides_are_refused_with_the_alternative() {
    let d = workspace();
    d.write("wharf/api/manifest.yml", API);
    d.write(
        "wharf/api/overrides/cdk.json",
        "{\"app\": \"npx ts-node stack.ts\"}\n",
    );
    wharf(d.path()).arg("validate").assert().code(2).stderr(
        predicate::str::contains("service `api` has CDK overrides (`overrides/cdk.json`)")
            .and(predicate::str::contains("cfn.patches.yml")),
    );
}

/// `env_file` paths are relative to the workspace's root; `validate` reads each file as
/// a deploy would: a missing file is an error at `env_file`, a line that is not
/// `VARIABLE=VALUE` an error at that line of the file.
#[test]
fn environment_files_are_read_and_checked() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}env_file: conf/api.env\nsidecars:\n  proxy:\n    image: envoy\n    env_file: conf/missing.env\n"),
    );
    d.write("conf/api.env", "# settings\nA=1\nnot a variable\n");
    let err = refused(d.path());
    assert!(
        err.contains(
            "wharf/api/manifest.yml:10:15: cannot read environment file `conf/missing.env`"
        ),
        "{err}"
    );
    assert!(
        err.contains("conf/api.env:3:1: environment file line 3: not `VARIABLE=VALUE`"),
        "{err}"
    );
    // Only text files inside the workspace: they are uploaded for the tasks.
    for (path, body, why) in [
        ("/etc/hostname", None, "is an absolute path"),
        ("../outside.env", None, "climbs out of the workspace"),
        (
            "conf/bom.env",
            Some("\u{feff}A=1\n"),
            "starts with a byte-order mark",
        ),
        ("conf/nul.env", Some("A=1\0\n"), "holds NUL bytes"),
    ] {
        if let Some(b) = body {
            d.write(path, b);
        }
        d.write(
            "wharf/api/manifest.yml",
            &format!("{API}env_file: {path}\n"),
        );
        wharf(d.path())
            .arg("validate")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/proc/self/environ", d.path().join("conf/env.env")).unwrap();
        d.write(
            "wharf/api/manifest.yml",
            &format!("{API}env_file: conf/env.env\n"),
        );
        wharf(d.path())
            .arg("validate")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "is a link to a file outside the workspace",
            ));
    }
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}env_file: conf/api.env\nsidecars:\n  proxy:\n    image: envoy\n    env_file: conf/missing.env\n"),
    );
    d.write("conf/api.env", "A=1\n");
    d.write("conf/missing.env", "B=2\n");
    wharf(d.path()).arg("validate").assert().success();
    // Offline, the package leaves the files' parameters to the deploy.
    let out = Dir::new();
    wharf(d.path())
        .args(["svc", "package", "-n", "api", "-e", "test", "--output-dir"])
        .arg(out.path())
        .assert()
        .success();
    let t = std::fs::read_to_string(out.path().join("api-test.stack.yml")).unwrap();
    // A package checks the files too.
    std::fs::remove_file(d.path().join("conf/missing.env")).unwrap();
    wharf(d.path())
        .args(["svc", "package", "-n", "api", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read environment file `conf/missing.env`",
        ));
    assert!(
        t.contains("EnvFileARNForproxy:") && t.contains("Value: !Ref EnvFileARN\n"),
        "{t}"
    );
    let params = std::fs::read_to_string(out.path().join("api-test.params.json")).unwrap();
    assert!(!params.contains("EnvFileARN"), "{params}");
}

/// A variable ECS would skip (no value) or wharf would override (its own prefix) is a
/// warning at its line of the file; the manifest stays valid.
#[test]
fn environment_file_lines_ecs_would_not_read_as_meant_are_warnings() {
    let d = workspace();
    d.write(
        "wharf/api/manifest.yml",
        &format!("{API}env_file: api.env\n"),
    );
    d.write("api.env", "A=1\nEMPTY=\nWHARF_SERVICE_NAME=x\n");
    wharf(d.path())
        .arg("validate")
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "api.env:2:1: environment file line 2: the variable has no value",
            )
            .and(predicate::str::contains(
                "api.env:3:1: environment file line 3: wharf sets variables with this prefix",
            )),
        )
        .stdout(predicate::str::contains("(2 warnings)"));
}

/// `wharf validate` in `dir`, which must refuse the manifests (exit 2): what it wrote
/// to stderr.
fn refused(dir: &std::path::Path) -> String {
    let out = wharf(dir).arg("validate").assert().code(2);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

/// Services on one imported load balancer (`http.alb`): named once by name and once by
/// ARN it is still one load balancer, whose routes must differ; and two whose tasks have
/// no room for a group of their own would write one ingress rule into the
/// environment's group twice.
#[test]
fn services_sharing_an_imported_load_balancer_are_checked_together() {
    let d = crate::util::workspace();
    let svc = |name: &str, alb: &str, path: &str, groups: &str| {
        format!(
            "name: {name}\ntype: Load Balanced Web Service\nimage:\n  location: nginx\n  port: 8080\nhttp:\n  alb: {alb}\n  path: {path}\n{groups}"
        )
    };
    let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/edge/50dc6c495c0c9188";
    d.write("wharf/a/manifest.yml", &svc("a", "edge", "/legacy", ""));
    d.write("wharf/b/manifest.yml", &svc("b", arn, "/legacy", ""));
    wharf(d.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "routes the same paths and host names on this load balancer",
        ));
    let four = "network:\n  vpc:\n    security_groups: [sg-0000000000000000a, sg-0000000000000000b, sg-0000000000000000c, sg-0000000000000000d]\n";
    d.write("wharf/a/manifest.yml", &svc("a", "edge", "/a", four));
    d.write("wharf/b/manifest.yml", &svc("b", "edge", "/b", four));
    for args in [
        &["validate"][..],
        &["svc", "package", "-n", "b", "-e", "test"],
    ] {
        wharf(d.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "`b` and `a` both let their imported load balancer reach port 8080 through the environment's security group",
            ));
    }
    // With room for a group of its own, each service has one.
    d.write("wharf/b/manifest.yml", &svc("b", "edge", "/b", ""));
    wharf(d.path()).arg("validate").assert().success();
}
