//! Copilot's command line: the flags and commands Copilot's CI scripts and habits use,
//! with `wharf` in place of `copilot` (offline parts; the emulator tests deploy).

use crate::util::{Dir, json_lines, wharf, workspace};
use predicates::prelude::*;

/// The application name in a workspace's `wharf/app.yml`.
fn app_name(d: &Dir) -> String {
    std::fs::read_to_string(d.path().join("wharf/app.yml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("name: "))
        .unwrap()
        .trim()
        .to_string()
}

/// Each of `cases` is refused as a usage error (exit 2) whose message says its reason.
fn usage_errors(d: &Dir, cases: &[(&[&str], &str)]) {
    for (args, why) in cases {
        wharf(d.path())
            .args(*args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*why));
    }
}

#[test]
fn json_means_output_json_for_listings_and_version() {
    let d = Dir::example("storefront");
    for args in [
        &["svc", "ls", "--local", "--json"][..],
        &["env", "ls", "--local", "--json"],
        &["app", "show", "--local", "--json"],
        &["version", "--json"],
    ] {
        let out = wharf(d.path())
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let events = json_lines(&out);
        assert!(!events.is_empty(), "{args:?}");
    }
    let out = wharf(d.path())
        .args(["version", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_lines(&out)[0]["data"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    wharf(d.path())
        .arg("version")
        .assert()
        .success()
        .stdout(format!("wharf {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn app_show_lists_environments_and_workloads() {
    let d = Dir::example("storefront");
    let out = wharf(d.path())
        .args(["app", "show", "--local", "--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let app = json_lines(&out)
        .into_iter()
        .find(|e| e["type"] == "application")
        .expect("an application event");
    assert!(app["data"]["name"].is_string(), "{app}");
    assert!(!app["data"]["environments"].as_array().unwrap().is_empty());
    assert!(!app["data"]["workloads"].as_array().unwrap().is_empty());
    wharf(d.path())
        .args(["app", "show", "--local"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ENVIRONMENT").and(predicate::str::contains("WORKLOAD")));
}

#[test]
fn init_takes_type_as_copilot_does() {
    let d = Dir::new();
    wharf(d.path())
        .args([
            "init",
            "--app",
            "shop",
            "--name",
            "web",
            "--type",
            "Load Balanced Web Service",
            "--image",
            "nginx",
            "--port",
            "80",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(d.path().join("wharf/web/manifest.yml")).unwrap();
    assert!(text.contains("type: Load Balanced Web Service"), "{text}");
}

#[test]
fn every_command_that_changes_something_takes_yes() {
    // Parsing only: `--help` after the flags stops before anything runs.
    let d = Dir::new();
    for args in [
        &["init", "--yes"][..],
        &["app", "init", "x", "--yes"],
        &["app", "delete", "--yes"],
        &["env", "init", "--yes"],
        &["env", "deploy", "-n", "e", "--yes"],
        &["env", "delete", "-n", "e", "--yes"],
        &["svc", "init", "--yes"],
        &["svc", "deploy", "-n", "s", "-e", "e", "--yes"],
        &["svc", "delete", "-n", "s", "-e", "e", "--yes"],
        &["svc", "rollback", "-n", "s", "-e", "e", "--yes"],
        &["job", "init", "--yes"],
        &["job", "deploy", "-n", "s", "-e", "e", "--yes"],
        &["job", "delete", "-n", "s", "-e", "e", "--yes"],
        &["job", "run", "-n", "s", "-e", "e", "--yes"],
        &["deploy", "-e", "e", "--all", "--yes"],
        &["push", "--yes"],
        &["build", "--yes"],
        &["package", "-e", "e", "--all", "--output-dir", "o", "--yes"],
    ] {
        let mut all = args.to_vec();
        all.push("--help");
        wharf(d.path()).args(&all).assert().success();
    }
}

#[test]
fn copilot_deploy_flags_parse() {
    let d = Dir::new();
    for args in [
        &[
            "env",
            "deploy",
            "-n",
            "e",
            "--force",
            "--detach",
            "--no-rollback",
            "--diff-yes",
            "--resource-tags",
            "team=core,cost=7",
        ][..],
        &[
            "svc",
            "deploy",
            "-n",
            "s",
            "-e",
            "e",
            "--no-rollback",
            "--diff-yes",
            "--resource-tags",
            "team=core",
            "--detach",
        ],
        &[
            "deploy",
            "-e",
            "e",
            "-n",
            "db/1",
            "-n",
            "api/2,web/2",
            "--init-wkld",
            "--init-env",
            "--deploy-env=false",
            "--no-rollback",
            "--resource-tags",
            "team=core",
        ],
        &["deploy", "-e", "e", "--all", "--deploy-env"],
        &["env", "init", "--default-config", "--profile", "p"],
        &[
            "svc",
            "package",
            "-n",
            "s",
            "-e",
            "e",
            "--tag",
            "v1",
            "--upload-assets",
        ],
    ] {
        let mut all = args.to_vec();
        all.push("--help");
        wharf(d.path()).args(&all).assert().success();
    }
    // What is refused says why.
    usage_errors(
        &d,
        &[
            (
                &["deploy", "-e", "e", "-n", "api/first"][..],
                "is not an order",
            ),
            (
                &[
                    "svc",
                    "deploy",
                    "-n",
                    "s",
                    "-e",
                    "e",
                    "--resource-tags",
                    "team",
                ],
                "key=value",
            ),
            (
                &[
                    "svc",
                    "deploy",
                    "-n",
                    "s",
                    "-e",
                    "e",
                    "--resource-tags",
                    "aws:x=1",
                ],
                "AWS's own",
            ),
            (
                &[
                    "svc",
                    "package",
                    "-n",
                    "s",
                    "-e",
                    "e",
                    "--tag",
                    "v1",
                    "--digest",
                    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                ],
                "cannot be used with",
            ),
            (&["package", "-e", "e", "--output-dir", "o"], "`--all`"),
        ],
    );
}

#[test]
fn svc_package_by_tag_references_the_repository_at_the_tag() {
    let d = Dir::example("storefront");
    let out = Dir::new();
    let names = {
        let o = wharf(d.path())
            .args(["svc", "ls", "--local", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json_lines(&o)[0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // A service built from a Dockerfile.
    let built = names
        .iter()
        .find(|n| {
            std::fs::read_to_string(d.path().join(format!("wharf/{n}/manifest.yml")))
                .unwrap()
                .contains("build:")
        })
        .expect("a built service")
        .clone();
    wharf(d.path())
        .args([
            "svc",
            "package",
            "-n",
            &built,
            "-e",
            "test",
            "--tag",
            "v1.2",
            "--output-dir",
        ])
        .arg(out.path())
        .assert()
        .success();
    let template =
        std::fs::read_to_string(out.path().join(format!("{built}-test.stack.yml"))).unwrap();
    let params: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join(format!("{built}-test.params.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(params["Parameters"]["ImageTag"], "v1.2", "{params}");
    assert!(
        params["Parameters"].get("ImageDigest").is_none(),
        "{params}"
    );
    assert!(
        template.contains("  ImageTag:\n    Type: String\n"),
        "{template}"
    );
    assert!(
        template.contains(&format!("/{built}:${{ImageTag}}")),
        "{template}"
    );
    assert!(!template.contains("ImageDigest"), "{template}");
}

#[test]
fn package_writes_every_stack_of_an_environment() {
    let d = Dir::example("storefront");
    let out = Dir::new();
    wharf(d.path())
        .args(["package", "-e", "test", "--all", "--output-dir"])
        .arg(out.path())
        .assert()
        .success();
    let mut files: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".stack.yml"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["api-test.stack.yml", "test.stack.yml", "web-test.stack.yml"]
    );
}

#[test]
fn deploy_init_env_writes_the_environment_manifest_first() {
    let d = workspace();
    // No AWS here: the command stops at the connection, after writing the manifest.
    wharf(d.path())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("WHARF_AWS_CALL_TIMEOUT", "3")
        .args(["deploy", "-e", "staging", "--all", "--init-env"])
        .assert()
        .failure();
    let text =
        std::fs::read_to_string(d.path().join("wharf/environments/staging/manifest.yml")).unwrap();
    assert!(text.contains("name: staging"), "{text}");
}

#[test]
fn copilot_only_commands_say_what_to_use_instead() {
    let d = Dir::example("storefront");
    for (args, what) in [
        (
            &["svc", "logs", "-n", "web", "--follow"][..],
            "aws logs tail",
        ),
        (&["svc", "exec", "-n", "web"], "execute-command"),
        (&["task", "run", "--image", "x"], "run-task"),
        (&["pipeline", "deploy"], "wharf deploy"),
        (&["storage", "init"], "addons"),
        (&["secret", "init"], "put-parameter"),
        (&["svc", "override"], "cfn.patches.yml"),
        (&["--output", "json", "svc", "pause"], "App Runner"),
    ] {
        wharf(d.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(what));
    }
    wharf(d.path())
        .args(["app", "upgrade"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to upgrade"));
}

#[test]
fn app_names_the_workspace_application_or_is_refused() {
    let d = Dir::example("storefront");
    let name = app_name(&d);
    wharf(d.path())
        .args(["svc", "ls", "--local", "--app", &name])
        .assert()
        .success();
    wharf(d.path())
        .args(["svc", "ls", "--local", "-a", "other"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("names another application"));
    // `init -a` still names the new application.
    let e = Dir::new();
    wharf(e.path())
        .args([
            "init",
            "-a",
            "shop",
            "-n",
            "web",
            "-t",
            "Backend Service",
            "-i",
            "nginx",
            "--port",
            "80",
        ])
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(e.path().join("wharf/app.yml"))
            .unwrap()
            .contains("name: shop")
    );
}

#[test]
fn init_commands_write_only_valid_manifests() {
    let d = Dir::example("storefront");
    for (args, what) in [
        (
            &[
                "env",
                "init",
                "-n",
                "e2",
                "--override-vpc-cidr",
                "10.0.0.0/33",
            ][..],
            "not a valid CIDR block",
        ),
        (
            &["env", "init", "-n", "e5", "--region", "mars-1"],
            "not an AWS region name",
        ),
        (
            &[
                "svc",
                "init",
                "-n",
                "x4",
                "-t",
                "Backend Service",
                "-i",
                "bad image ref!",
                "--port",
                "80",
            ],
            "not an image reference",
        ),
    ] {
        wharf(d.path()).args(args).assert().code(2).stderr(
            predicate::str::contains("none was written").and(predicate::str::contains(what)),
        );
    }
    assert!(!d.path().join("wharf/environments/e2").exists());
    assert!(!d.path().join("wharf/x4").exists());
    // The workspace still validates.
    wharf(d.path()).arg("validate").assert().success();
    // In a Copilot workspace too.
    let c = Dir::new();
    c.write("copilot/.workspace", "application: demo\n");
    wharf(c.path())
        .args(["env", "init", "-n", "test"])
        .assert()
        .success();
    wharf(c.path())
        .args(["env", "init", "-n", "bad", "--region", "mars-1"])
        .assert()
        .code(2);
}

#[test]
fn app_init_refuses_flags_the_manifest_would_override() {
    let d = Dir::example("storefront");
    let name = app_name(&d);
    wharf(d.path())
        .args([
            "app",
            "init",
            &name,
            "--resource-tags",
            "owner=me",
            "--local",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`--resource-tags` would be ignored")
                .and(predicate::str::contains("`tags`")),
        );
}

#[test]
fn deploy_names_and_tags_are_checked() {
    let d = Dir::new();
    usage_errors(
        &d,
        &[
            (
                &["deploy", "-e", "e", "-n", "/1"][..],
                "a service's name comes first",
            ),
            (
                &[
                    "svc",
                    "deploy",
                    "-n",
                    "s",
                    "-e",
                    "e",
                    "--resource-tags",
                    "wharf-application=x",
                ],
                "name their stacks by",
            ),
        ],
    );
    let w = Dir::example("storefront");
    wharf(w.path())
        .args(["deploy", "-e", "test", "-n", "web/1", "-n", "web/2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("named twice"));
    wharf(d.path())
        .args([
            "svc",
            "deploy",
            "-n",
            "s",
            "-e",
            "e",
            "--allow-downgrade",
            "--help",
        ])
        .assert()
        .success();
}

#[test]
fn adopt_allow_names_a_stack_and_a_logical_id() {
    let d = Dir::example("storefront");
    for bad in [
        "LogGroup",
        "shop-test:",
        ":LogGroup",
        "a:b:c",
        "shop-test:Log-Group",
    ] {
        wharf(d.path())
            .args(["app", "adopt", "--plan", "--allow", bad])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("--allow `{bad}`"))
                    .and(predicate::str::contains("<stack>:<logical ID>")),
            );
    }
}

#[test]
fn copilot_only_flags_say_what_to_use_instead() {
    let d = Dir::example("storefront");
    for (args, what) in [
        (
            &["env", "init", "-n", "x", "--aws-access-key-id", "AKIA"][..],
            "AWS_ACCESS_KEY_ID",
        ),
        (
            &["svc", "show", "-n", "web", "--manifest", "test"],
            "svc package",
        ),
        (
            &["svc", "init", "-n", "x", "--ingress-type", "Internet"],
            "App Runner",
        ),
        (
            &["env", "package", "-n", "test", "--upload-assets"],
            "offline",
        ),
    ] {
        wharf(d.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("(a Copilot flag)"))
            .stderr(predicate::str::contains(what));
    }
    // Copilot's flags with nothing to do in wharf are taken.
    for args in [
        &[
            "svc",
            "package",
            "-n",
            "web",
            "-e",
            "test",
            "--allow-downgrade",
        ][..],
        &[
            "env",
            "package",
            "-n",
            "test",
            "--force",
            "--allow-downgrade",
        ],
        &["job", "ls", "--local"],
    ] {
        wharf(d.path()).args(args).assert().success();
    }
}

#[test]
fn init_flags_copilot_scripts_pass_reach_the_manifests() {
    let d = Dir::new();
    let run = |args: &[&str]| {
        wharf(d.path())
            .env("CI", "true")
            .args(args)
            .assert()
            .success();
    };
    let read = |rel: &str| std::fs::read_to_string(d.path().join(rel)).unwrap();
    run(&[
        "init",
        "--app",
        "shop",
        "-n",
        "nightly",
        "--type",
        "Scheduled Job",
        "--image",
        "busybox",
        "--schedule",
        "0 3 * * *",
        "--retries",
        "3",
        "--timeout",
        "1h30m",
    ]);
    let job = read("wharf/nightly/manifest.yml");
    assert!(
        job.contains("schedule: \"0 3 * * *\"")
            && job.contains("retries: 3\n")
            && job.contains("timeout: \"1h30m\""),
        "{job}"
    );
    run(&[
        "job",
        "init",
        "-n",
        "report",
        "--image",
        "busybox",
        "-t",
        "Scheduled Job",
        "--retries",
        "2",
        "--allow-downgrade",
    ]);
    let job = read("wharf/report/manifest.yml");
    assert!(
        job.contains("schedule: \"@daily\"") && job.contains("retries: 2\n"),
        "{job}"
    );
    run(&[
        "svc",
        "init",
        "-n",
        "worker",
        "--type",
        "Worker Service",
        "--image",
        "busybox",
        "--subscribe-topics",
        "api:orders,api:refunds",
    ]);
    let worker = read("wharf/worker/manifest.yml");
    assert!(
        worker.contains("subscribe:\n  topics:\n    - name: \"orders\"\n      service: \"api\"\n    - name: \"refunds\""),
        "{worker}"
    );
    run(&[
        "env",
        "init",
        "-n",
        "prod",
        "--override-vpc-cidr",
        "10.1.0.0/16",
        "--override-az-names",
        "us-east-1a,us-east-1b,us-east-1c",
        "--override-public-cidrs",
        "10.1.0.0/24,10.1.1.0/24,10.1.2.0/24",
        "--container-insights",
    ]);
    let env = read("wharf/environments/prod/manifest.yml");
    // The private subnets not given are carved from the VPC's block beside the public ones.
    assert!(env.contains("        - cidr: 10.1.2.0/24\n          az: us-east-1c\n      private:\n        - cidr: 10.1.3.0/24\n          az: us-east-1a\n"), "{env}");
    assert!(env.contains("container_insights: true"), "{env}");
    // What does not fit is refused, naming the flag, and nothing is written.
    for (args, why) in [
        (
            &[
                "env",
                "init",
                "-n",
                "bad",
                "--override-az-names",
                "a,b,c",
                "--override-public-cidrs",
                "10.0.0.0/24,10.0.1.0/24",
            ][..],
            "`--override-public-cidrs` gives 2",
        ),
        (
            &[
                "init",
                "--app",
                "shop",
                "-n",
                "x",
                "--type",
                "Backend Service",
                "--image",
                "busybox",
                "--retries",
                "1",
            ],
            "`--retries` is for a Scheduled Job",
        ),
        (
            &[
                "svc",
                "init",
                "-n",
                "v",
                "--type",
                "Worker Service",
                "--image",
                "busybox",
                "--subscribe-topics",
                "api:orders",
                "--no-subscribe",
            ],
            "cannot be used with",
        ),
        (
            &[
                "job",
                "init",
                "-n",
                "t",
                "--image",
                "busybox",
                "--timeout",
                "abc",
            ],
            "write it like `1h30m`",
        ),
        (
            &[
                "svc",
                "init",
                "-n",
                "y",
                "--type",
                "Backend Service",
                "--image",
                "busybox",
                "--subscribe-topics",
                "api:orders",
            ],
            "for a Worker Service",
        ),
        (
            &[
                "svc",
                "init",
                "-n",
                "z",
                "--type",
                "Worker Service",
                "--image",
                "busybox",
                "--subscribe-topics",
                "orders",
            ],
            "is not `<service>:<topic>`",
        ),
    ] {
        wharf(d.path())
            .env("CI", "true")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    assert!(!d.path().join("wharf/environments/bad").exists());
}

#[test]
fn the_only_service_or_environment_is_picked_as_copilot_did() {
    // One service, one environment: both picked, and said.
    let d = Dir::example("hello");
    wharf(d.path())
        .env("CI", "true")
        .args(["svc", "package"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Only found one service, defaulting to: hello",
        ))
        .stderr(predicate::str::contains(
            "Only found one environment, defaulting to: test",
        ));
    wharf(d.path())
        .env("CI", "true")
        .args(["env", "package"])
        .assert()
        .success();
    // Several, and no terminal to ask on: which, naming the flag.
    let d = Dir::example("storefront");
    wharf(d.path())
        .env("CI", "true")
        .args(["svc", "package", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "which service? The workspace has 2: api, web",
        ))
        .stderr(predicate::str::contains("`--name`"));
    wharf(d.path())
        .env("CI", "true")
        .args(["job", "package", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the workspace has no job"));
}
