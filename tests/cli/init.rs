//! `wharf init`, `app init`, `env init`, `svc init`: files written, flags honoured, and
//! never a hang without a terminal.

use crate::util::{Dir, wharf, workspace};
use predicates::prelude::*;

/// `wharf init` of a Load Balanced Web Service `front` in app `shop`, built from
/// `./Dockerfile`.
const INIT_FRONT: [&str; 9] = [
    "init",
    "--app",
    "shop",
    "--name",
    "front",
    "--svc-type",
    "Load Balanced Web Service",
    "--dockerfile",
    "./Dockerfile",
];

#[test]
fn init_with_every_flag_writes_a_valid_workspace() {
    let d = Dir::new();
    d.write("Dockerfile", "FROM scratch\nEXPOSE 3000\n");
    wharf(d.path())
        .args(INIT_FRONT)
        .args(["--region", "eu-west-1"])
        .assert()
        .success();
    assert!(d.read("wharf/app.yml").contains("region: eu-west-1"));
    let svc = d.read("wharf/front/manifest.yml");
    assert!(svc.contains("port: 3000"), "port comes from EXPOSE:\n{svc}");
    assert!(svc.contains("build: \"Dockerfile\""), "{svc}");
    assert!(
        d.read("wharf/environments/test/manifest.yml")
            .contains("type: Environment")
    );
    wharf(d.path()).arg("validate").assert().success();
    wharf(d.path())
        .args(["svc", "package", "-n", "front", "-e", "test"])
        .assert()
        .success();
}

#[test]
fn init_without_a_terminal_names_every_missing_flag_at_once_and_does_not_hang() {
    let d = Dir::new();
    let out = wharf(d.path())
        .arg("init")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    for flag in [
        "`--app`",
        "`--name`",
        "`--svc-type`",
        "`--dockerfile or --image`",
        "`--port`",
    ] {
        assert!(stderr.contains(flag), "{flag} in:\n{stderr}");
    }
    // A Backend Service needs no port; what is given is not asked for.
    let out = wharf(d.path())
        .args(["init", "--app", "shop", "-t", "Backend Service"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains("`--name`") && stderr.contains("`--dockerfile or --image`"));
    assert!(
        !stderr.contains("`--app`") && !stderr.contains("`--port`"),
        "{stderr}"
    );
    // A Dockerfile with EXPOSE answers the port.
    d.write("Dockerfile", "FROM scratch\nEXPOSE 80\n");
    let out = wharf(d.path())
        .args(["init", "--app", "shop", "-d", "Dockerfile"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(!stderr.contains("`--port`"), "{stderr}");
    assert!(
        !d.path().join("wharf").exists(),
        "nothing is written when an answer is missing"
    );
}

#[test]
fn a_failed_init_leaves_nothing_and_the_same_command_then_succeeds() {
    let d = Dir::new();
    // The Dockerfile has no EXPOSE and no --port is given: init fails after reading it.
    d.write("Dockerfile", "FROM scratch\n");
    let args = INIT_FRONT;
    wharf(d.path())
        .args(args)
        .arg("--no-input")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--port"));
    assert!(!d.path().join("wharf").exists(), "no workspace left behind");
    // A Dockerfile that cannot be read fails before anything is written too.
    wharf(d.path())
        .args([
            "init",
            "--app",
            "shop",
            "--name",
            "front",
            "-t",
            "Backend Service",
            "-d",
            "missing/Dockerfile",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing/Dockerfile"));
    assert!(!d.path().join("wharf").exists(), "no workspace left behind");
    // With the fix, the same command succeeds.
    d.write("Dockerfile", "FROM scratch\nEXPOSE 8080\n");
    wharf(d.path()).args(args).assert().success();
    assert!(d.read("wharf/front/manifest.yml").contains("port: 8080"));
    wharf(d.path()).arg("validate").assert().success();
}

#[test]
fn app_init_refuses_inside_a_workspace_and_bad_names() {
    let d = Dir::new();
    wharf(d.path())
        .args(["app", "init", "Bad_Name", "--local"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid name"));
    wharf(d.path())
        .args([
            "app",
            "init",
            "shop",
            "--local",
            "--resource-tags",
            "team=web,cost=42",
            "--domain",
            "example.com",
        ])
        .assert()
        .success();
    let app = d.read("wharf/app.yml");
    assert!(
        app.contains("\"team\": \"web\"") && app.contains("domain: example.com"),
        "{app}"
    );
    wharf(d.path())
        .args(["app", "init", "other", "--local"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already inside a workspace"));
    // The domain is the application's: its stack holds the hosted zone.
    wharf(d.path()).arg("validate").assert().success();
    let out = wharf(d.path()).args(["app", "package"]).assert().success();
    let template = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        template.contains("Name: \"shop.example.com\"")
            && template.contains("Type: AWS::Route53::HostedZone::Id"),
        "{template}"
    );
}

#[test]
fn env_init_writes_imported_vpc_settings() {
    let d = workspace();
    wharf(d.path())
        .args([
            "env",
            "init",
            "-n",
            "prod",
            "--region",
            "us-west-2",
            "--import-vpc-id",
            "vpc-0abc1234",
            "--import-public-subnets",
            "subnet-0a000001,subnet-0a000002",
            "--import-private-subnets",
            "subnet-0a000003,subnet-0a000004",
            "--import-cert-arns",
            "arn:aws:acm:us-west-2:111122223333:certificate/abc",
        ])
        .assert()
        .success();
    let m = d.read("wharf/environments/prod/manifest.yml");
    assert!(
        m.contains("id: vpc-0abc1234")
            && m.contains("- id: subnet-0a000004")
            && m.contains("certificate/abc"),
        "{m}"
    );
    wharf(d.path()).arg("validate").assert().success();
    wharf(d.path())
        .args(["env", "init", "-n", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    wharf(d.path())
        .args(["env", "init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass `--name`"));
}

#[test]
fn svc_init_with_an_image_and_unsupported_types() {
    let d = workspace();
    wharf(d.path())
        .args([
            "svc",
            "init",
            "-n",
            "api",
            "-t",
            "Backend Service",
            "-i",
            "nginx:1.27",
        ])
        .assert()
        .success();
    assert!(
        d.read("wharf/api/manifest.yml")
            .contains("location: \"nginx:1.27\"")
    );
    wharf(d.path())
        .args(["svc", "init", "-n", "w", "-t", "Worker Service", "-i", "x"])
        .assert()
        .success();
    let worker = d.read("wharf/w/manifest.yml");
    assert!(worker.contains("type: Worker Service") && worker.contains("# subscribe:"));
    assert!(!worker.contains("port:"), "a worker listens on no port");
    wharf(d.path())
        .args(["job", "init", "-n", "nightly", "-i", "x", "-s", "0 3 * * *"])
        .assert()
        .success();
    let job = d.read("wharf/nightly/manifest.yml");
    assert!(job.contains("type: Scheduled Job") && job.contains("schedule: \"0 3 * * *\""));
    assert!(!job.contains("count:") && !job.contains("exec:"), "{job}");
    wharf(d.path()).arg("validate").assert().success();
    wharf(d.path())
        .args(["job", "init", "-n", "bad", "-i", "x", "-s", "@often"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown schedule `@often`"));
    wharf(d.path())
        .args(["svc", "init", "-n", "s", "-t", "Static Site", "-i", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not supported by wharf yet"));
    wharf(d.path())
        .args([
            "svc",
            "init",
            "-n",
            "web",
            "-t",
            "Load Balanced Web Service",
            "-i",
            "nginx",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--port"));
    wharf(d.path())
        .args([
            "svc",
            "init",
            "-n",
            "web",
            "-t",
            "Load Balanced Web Service",
            "-i",
            "nginx",
            "--port",
            "80",
        ])
        .assert()
        .success();
    wharf(d.path()).arg("validate").assert().success();
}

/// On a terminal, `init` asks with dialoguer. Runs wharf under a pseudo-terminal
/// (`script`, from util-linux) and types the answers: an arrow key picks the second type.
#[test]
fn init_prompts_on_a_terminal() {
    let d = Dir::new();
    let bin = assert_cmd::cargo::cargo_bin("wharf");
    let keys = r"shop\rapi\r\033[B\rnginx:1.27\r";
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(printf '{keys}'; sleep 3) | script -qec '{} init' /dev/null",
            bin.display()
        ))
        .current_dir(d.path())
        .env_remove("CI")
        .env("TERM", "xterm")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("sh and script (util-linux) run");
    assert!(status.success());
    let svc = d.read("wharf/api/manifest.yml");
    assert!(
        svc.contains("type: Backend Service") && svc.contains("location: \"nginx:1.27\""),
        "{svc}"
    );
    assert!(d.read("wharf/app.yml").contains("name: shop"));
    assert!(
        d.path()
            .join("wharf/environments/test/manifest.yml")
            .is_file()
    );
}

#[test]
fn init_refuses_what_the_workspace_could_not_use() {
    let d = Dir::new();
    d.write(
        "Dockerfile",
        "FROM node AS build\nEXPOSE 1111\nFROM nginx\nEXPOSE 2222\n",
    );
    // `environments/` holds environment manifests: a service there would be invisible.
    let mut named = INIT_FRONT;
    named[4] = "environments";
    wharf(d.path())
        .args(named)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`environments` cannot be a service name",
        ));
    wharf(d.path())
        .args(INIT_FRONT)
        .args(["--port", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--port"));
    assert!(!d.path().join("wharf").exists(), "nothing written");
    // The port is the one the final stage exposes.
    wharf(d.path()).args(INIT_FRONT).assert().success();
    let svc = d.read("wharf/front/manifest.yml");
    assert!(svc.contains("port: 2222"), "{svc}");
}

#[test]
fn init_writes_nothing_that_validate_would_reject() {
    let d = Dir::new();
    for (flag, value, said) in [
        ("--region", "mars-1", "is not an AWS region name"),
        ("--image", "nginx latest", "is not an image reference"),
    ] {
        let mut args = vec![
            "init",
            "--app",
            "shop",
            "--name",
            "front",
            "--svc-type",
            "Backend Service",
            "--port",
            "80",
        ];
        if flag == "--image" {
            args.extend(["--image", value]);
        } else {
            args.extend(["--image", "nginx", flag, value]);
        }
        wharf(d.path()).args(&args).assert().code(2).stderr(
            predicate::str::contains("this command would write are not valid")
                .and(predicate::str::contains(said)),
        );
        assert!(!d.path().join("wharf").exists(), "{flag}: nothing written");
    }
}
