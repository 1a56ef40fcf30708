#![allow(clippy::print_stderr)] // test output: the emulator log on failure

//! Starting an emulator on a free port, waiting until it answers, and stopping it (by its
//! process, on drop). Its log is printed when a test fails; a moto that answered any
//! request with HTTP 5xx or logged a Python traceback fails the test that used it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A port nothing listens on, and that no other test of this run was given: the OS may
/// hand a released port out again, and two emulators racing for one port could leave a
/// test talking to another test's emulator.
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("an address")
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// An emulator process.
pub struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    log: PathBuf,
    /// Fail the test, on drop, when the log shows a request answered with HTTP 5xx or a
    /// Python traceback.
    strict: bool,
    _dir: tempfile::TempDir,
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().ok()?,
        Duration::from_millis(500),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

impl Emulator {
    /// Starts `program args…` with `{port}` (and in `env`, `{dir}`: its temp dir) replaced,
    /// and waits until `ready_path` answers 200.
    pub fn start(
        name: &str,
        program: &Path,
        args: &[&str],
        env: &[(&str, String)],
        ready_path: &str,
    ) -> Emulator {
        assert!(
            program.is_file(),
            "{name} is not installed ({} is missing): run scripts/emulators/install.sh",
            program.display()
        );
        let dir = tempfile::tempdir().expect("a temp dir");
        let log = dir.path().join(format!("{name}.log"));
        let port = free_port();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let file = std::fs::File::create(&log).expect("a log file");
        let mut cmd = Command::new(program);
        cmd.args(&args)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("a log handle"))
            .stderr(file);
        for (k, v) in env {
            cmd.env(
                k,
                v.replace("{port}", &port.to_string())
                    .replace("{dir}", &dir.path().display().to_string()),
            );
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut emu = Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            strict: false,
            _dir: dir,
        };
        // Generous: a cold start on a busy CI machine can take a while.
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = emu.child.try_wait() {
                panic_with(name, &format!("exited with {status}\n{}", emu.log_text()));
            }
            if http_get(port, ready_path)
                .is_some_and(|r| r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"))
            {
                return emu;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic_with(name, &emu.log_text())
    }

    /// What the emulator printed so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn panic_with(name: &str, log: &str) -> ! {
    let tail: Vec<&str> = log.lines().rev().take(60).collect();
    panic!(
        "{name} did not become ready; last lines of its log:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )
}

/// The lines of a moto (werkzeug) log that show a request moto failed: an access line
/// with a 5xx status (`"POST / HTTP/1.1" 500 -`), or a Python traceback with the lines
/// that follow it up to the exception (the first line that is not indented).
pub fn server_errors(log: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_traceback = false;
    for line in log.lines() {
        if in_traceback {
            out.push(line.to_string());
            in_traceback = line.starts_with(' ') || line.is_empty();
            continue;
        }
        if line.starts_with("Traceback (most recent call last)") {
            out.push(line.to_string());
            in_traceback = true;
            continue;
        }
        let status = line
            .split_once(" HTTP/1.1\" ")
            .or_else(|| line.split_once(" HTTP/1.0\" "))
            .and_then(|(_, rest)| rest.split_whitespace().next());
        if status.is_some_and(|s| s.len() == 3 && s.starts_with('5')) {
            out.push(line.to_string());
        }
    }
    out
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.log_text();
        if std::thread::panicking() {
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            eprintln!(
                "---- emulator log (last lines) ----\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
            return;
        }
        let errors = if self.strict {
            server_errors(&log)
        } else {
            Vec::new()
        };
        const SHOWN: usize = 60;
        assert!(
            errors.is_empty(),
            "the emulator failed requests of this test (HTTP 5xx or a traceback in its log):\n{}{}",
            errors[..errors.len().min(SHOWN)].join("\n"),
            if errors.len() > SHOWN {
                format!("\n… and {} more lines", errors.len() - SHOWN)
            } else {
                String::new()
            }
        );
    }
}

/// The patched moto server.
pub fn moto() -> Emulator {
    moto_env(&[])
}

/// The patched moto server, its ECR showing what the image lab's registry holds.
pub fn moto_with(lab: &ImageLab) -> Emulator {
    moto_with_rollouts(lab, "0.6")
}

/// [`moto_with`], with simulated rollouts lasting `seconds`.
pub fn moto_with_rollouts(lab: &ImageLab, seconds: &str) -> Emulator {
    moto_with_env(lab, &[("WHARF_SIM_ROLLOUT_SECONDS", seconds.to_string())])
}

/// [`moto_with`], with more `WHARF_SIM_*` knobs.
pub fn moto_with_env(lab: &ImageLab, more: &[(&str, String)]) -> Emulator {
    let mut env: Vec<(&str, String)> = lab
        .env
        .iter()
        .filter(|(k, _)| k.starts_with("WHARF_LAB_"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    env.extend(more.iter().cloned());
    moto_env(&env)
}

/// The patched moto server with more environment (`WHARF_SIM_*` knobs).
pub fn moto_env(env: &[(&str, String)]) -> Emulator {
    let python = repo().join(".venv/moto/bin/python");
    // Quick simulated rollouts (scripts/emulators/moto_ecs_rollouts.py).
    let mut env = env.to_vec();
    if !env.iter().any(|(k, _)| *k == "WHARF_SIM_ROLLOUT_SECONDS") {
        env.push(("WHARF_SIM_ROLLOUT_SECONDS", "0.6".to_string()));
    }
    env.push(("WHARF_SIM_FAIL_SECONDS", "0.1".to_string()));
    let mut emu = Emulator::start(
        "moto",
        &python,
        &[
            "scripts/emulators/moto_server.py",
            "-H",
            "127.0.0.1",
            "-p",
            "{port}",
        ],
        &env,
        "/moto-api/",
    );
    emu.strict = true;
    emu
}

/// The image lab of `scripts/emulators/image-lab.sh`: a registry with TLS and a password
/// on 127.0.0.1:443 under moto's ECR host name, and a podman socket with its own image
/// storage. There can be one per machine (port 443, /etc/hosts), so tests that use it
/// take turns, each with a fresh lab (registry and images), stopped on drop: the tests
/// of one run through a mutex, test runs of other checkouts through a file lock.
pub struct ImageLab {
    dir: tempfile::TempDir,
    /// What `image-lab.sh` wrote to `DIR/env`: DOCKER_HOST, CONTAINERS_*, WHARF_LAB_*.
    pub env: Vec<(String, String)>,
    _turn: std::sync::MutexGuard<'static, ()>,
    _machine_turn: std::fs::File,
}

static LAB_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The machine's turn at the image lab: an exclusive lock on a file every checkout's
/// tests share, held until the lab is stopped. A lab of a checkout that does not take
/// this lock yet (its line in /etc/hosts) is waited for too, for up to ten minutes.
fn machine_turn() -> std::fs::File {
    let path = std::env::temp_dir().join("wharf-image-lab.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline
        && std::fs::read_to_string("/etc/hosts")
            .unwrap_or_default()
            .contains("# wharf-image-lab ")
    {
        std::thread::sleep(Duration::from_secs(1));
    }
    file
}

fn lab_script(action: &str, dir: &Path) -> std::process::Output {
    Command::new(repo().join("scripts/emulators/image-lab.sh"))
        .arg(action)
        .arg(dir)
        .output()
        .expect("image-lab.sh runs")
}

/// A fresh image lab, once no other test holds one.
pub fn image_lab() -> ImageLab {
    let turn = LAB_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let machine_turn = machine_turn();
    let dir = tempfile::Builder::new()
        .prefix("wharf-lab-")
        .tempdir()
        .expect("a temp dir");
    let out = lab_script("start", dir.path());
    assert!(
        out.status.success(),
        "the image lab did not start (scripts/emulators/install.sh installs what it needs):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = std::fs::read_to_string(dir.path().join("env"))
        .expect("the lab's env file")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ImageLab {
        dir,
        env,
        _turn: turn,
        _machine_turn: machine_turn,
    }
}

impl ImageLab {
    /// GET `<registry>/v2/<path>` with the lab's CA and password: status, digest header
    /// and body.
    pub fn registry(&self, path: &str) -> serde_json::Value {
        let script = r#"
import base64, json, os, ssl, sys, urllib.request, urllib.error
req = urllib.request.Request(os.environ["WHARF_LAB_REGISTRY"] + "/v2/" + sys.argv[1])
req.add_header("Authorization", "Basic " + base64.b64encode(os.environ["WHARF_LAB_REGISTRY_AUTH"].encode()).decode())
req.add_header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
ctx = ssl.create_default_context(cafile=os.environ["WHARF_LAB_REGISTRY_CA"])
try:
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        out = {"status": r.status, "digest": r.headers.get("Docker-Content-Digest"), "body": r.read().decode()}
except urllib.error.HTTPError as e:
    out = {"status": e.code, "digest": None, "body": ""}
print(json.dumps(out))
"#;
        let mut cmd = Command::new(repo().join(".venv/moto/bin/python"));
        cmd.arg("-c").arg(script).arg(path);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// The tags of `repo` in the registry, sorted.
    pub fn tags(&self, repo: &str) -> Vec<String> {
        let r = self.registry(&format!("{repo}/tags/list"));
        let body: serde_json::Value =
            serde_json::from_str(r["body"].as_str().unwrap_or("{}")).unwrap_or_default();
        let mut tags: Vec<String> = body["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        tags.sort();
        tags
    }
}

impl Drop for ImageLab {
    fn drop(&mut self) {
        // Stopped before the turns are released: the next test starts its own.
        let out = lab_script("stop", self.dir.path());
        if !out.status.success() {
            eprintln!(
                "image-lab.sh stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// LocalStack community, run on the host (no Docker), CloudFormation and what it needs.
pub fn localstack() -> Emulator {
    let python = repo().join(".venv/localstack/bin/python");
    let env = [
        ("GATEWAY_LISTEN", "127.0.0.1:{port}".to_string()),
        (
            "LOCALSTACK_HOST",
            "localhost.localstack.cloud:{port}".to_string(),
        ),
        ("LOCALSTACK_VOLUME_DIR", "{dir}/volume".to_string()),
        ("DISABLE_EVENTS", "1".to_string()),
        ("SKIP_SSL_CERT_DOWNLOAD", "1".to_string()),
        ("DNS_ADDRESS", "0".to_string()),
        (
            "SERVICES",
            "cloudformation,ec2,iam,logs,s3,ssm,sts".to_string(),
        ),
    ];
    Emulator::start(
        "localstack",
        &python,
        &["-m", "localstack.runtime.main"],
        &env,
        "/_localstack/health",
    )
}

/// Runs Python with boto3 (moto's venv) against `endpoint`; the script prints JSON.
pub fn boto(endpoint: &str, script: &str) -> serde_json::Value {
    let prelude = format!(
        "import boto3, json, os\nkw = dict(endpoint_url={endpoint:?}, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')\ndef client(name):\n    return boto3.client(name, **kw)\ndef res(stack, lid):\n    return client('cloudformation').describe_stack_resource(StackName=stack, LogicalResourceId=lid)['StackResourceDetail']['PhysicalResourceId']\n"
    );
    let out = Command::new(repo().join(".venv/moto/bin/python"))
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "boto script failed:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "boto script printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The template bucket of application `app` (its `<app>-infrastructure` stack's output).
pub fn app_bucket(endpoint: &str, app: &str) -> String {
    boto(
        endpoint,
        &format!(
            "o = {{x['OutputKey']: x['OutputValue'] for x in client('cloudformation').describe_stacks(StackName='{app}-infrastructure')['Stacks'][0]['Outputs']}}\nprint(json.dumps(o['TemplateBucket']))"
        ),
    )
    .as_str()
    .expect("the bucket name")
    .to_string()
}

/// The template stack `stack` holds now (GetTemplate), to compare before and after a
/// command that must not change it.
pub fn stack_template(endpoint: &str, stack: &str) -> serde_json::Value {
    boto(
        endpoint,
        &format!(
            "print(json.dumps(client('cloudformation').get_template(StackName={stack:?})['TemplateBody']))"
        ),
    )
}

/// A copy of `examples/<name>` in a temp dir.
pub fn example(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("a temp dir");
    copy_tree(&repo().join("examples").join(name), d.path());
    d
}

/// A copy of `examples/storefront` whose `api` service also has a sidecar `agent` built
/// from `agent/Dockerfile` (`FROM scratch`, copying `agent/agent.txt`, which holds
/// `agent_text`), with `more` (manifest lines: `storage`, `sidecars.agent.…`) added to
/// api's manifest.
pub fn storefront_with_agent(agent_text: &str, more: &str) -> tempfile::TempDir {
    let dir = example("storefront");
    let d = dir.path();
    let manifest = d.join("wharf/api/manifest.yml");
    let text = std::fs::read_to_string(&manifest).expect("api's manifest");
    let agent =
        "sidecars:\n  agent:\n    image:\n      build: agent/Dockerfile\n    essential: false\n";
    std::fs::write(
        &manifest,
        text.replace("cpu: 256\n", &format!("{agent}{more}cpu: 256\n")),
    )
    .expect("written");
    std::fs::create_dir_all(d.join("agent")).expect("a dir");
    std::fs::write(
        d.join("agent/Dockerfile"),
        "FROM scratch\nCOPY agent.txt /agent.txt\n",
    )
    .expect("written");
    std::fs::write(d.join("agent/agent.txt"), agent_text).expect("written");
    dir
}

/// Writes `text` to `rel` under `dir`, creating directories: a workspace written by a
/// test.
pub fn write_file(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("a dir");
    std::fs::write(p, text).expect("written");
}

/// A copy of `tests/fixtures/workspaces/<name>` in a temp dir.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("a temp dir");
    copy_tree(
        &repo().join("tests/fixtures/workspaces").join(name),
        d.path(),
    );
    d
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("an entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            std::fs::create_dir_all(&dest).expect("a dir");
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("a copy");
        }
    }
}

/// `wharf` in `dir` talking to the emulator at `endpoint`, with nothing from the machine's
/// AWS configuration leaking in, few retries and fast polls.
pub fn wharf_command(dir: &Path, endpoint: &str) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("wharf"));
    cmd.current_dir(dir)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "3")
        // moto answers one request at a time and runs a whole change set inside one, so
        // on a loaded machine an answer can wait behind a stack create far longer than
        // AWS makes anyone wait: a roomier bound than wharf's 30 s default.
        .env("WHARF_AWS_CALL_TIMEOUT", "120")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("WHARF_POLL_INTERVAL_MS", "100")
        .env("WHARF_WATCH_INTERVAL_MS", "100")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    cmd
}

/// Everything about every stack that a change would touch, by stack name: status, tags,
/// template, last update, and its change sets (name and status).
pub fn stacks_snapshot(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn = client('cloudformation')
out = {}
for s in cfn.describe_stacks()['Stacks']:
    name = s['StackName']
    out[name] = {
        'status': s['StackStatus'],
        'tags': sorted((t['Key'], t['Value']) for t in s.get('Tags', [])),
        'updated': str(s.get('LastUpdatedTime')),
        'template': cfn.get_template(StackName=name)['TemplateBody'],
        'change_sets': sorted((c['ChangeSetName'], c['Status']) for c in cfn.list_change_sets(StackName=name)['Summaries']),
    }
print(json.dumps(out, default=str))
"#,
    )
}

/// Runs `wharf deploy -e ENV --all` in `dir` and asserts it succeeded and changed none
/// of `stacks` (each says `<stack>: no changes`).
pub fn deploy_changes_nothing(dir: &Path, endpoint: &str, env: &str, stacks: &[&str]) {
    let again = wharf(dir, endpoint)
        .args(["deploy", "-e", env, "--all"])
        .output()
        .expect("wharf runs");
    let text = String::from_utf8_lossy(&again.stderr).to_string();
    assert!(again.status.success(), "{text}");
    for s in stacks {
        assert!(text.contains(&format!("{s}: no changes")), "{text}");
    }
}

/// [`wharf_command`] as an `assert_cmd` command, with a timeout.
pub fn wharf(dir: &Path, endpoint: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(wharf_command(dir, endpoint));
    cmd.timeout(Duration::from_secs(180));
    cmd
}

/// [`wharf`] with the image lab's engine (the docker CLI on its podman socket).
/// Runs `wharf ARGS` against the lab, asserts it succeeded (showing its output if not),
/// and returns what it wrote to stderr.
pub fn wharf_ok(dir: &Path, endpoint: &str, lab: &ImageLab, args: &[&str]) -> String {
    let out = wharf_lab(dir, endpoint, lab).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "wharf {}: {err}", args.join(" "));
    err
}

pub fn wharf_lab(dir: &Path, endpoint: &str, lab: &ImageLab) -> assert_cmd::Command {
    let mut cmd = wharf(dir, endpoint);
    for (k, v) in &lab.env {
        cmd.env(k, v);
    }
    cmd.env_remove("WHARF_CONTAINER_ENGINE");
    cmd
}

#[test]
fn server_errors_are_5xx_answers_and_tracebacks() {
    let log = r#"127.0.0.1 - - [30/Nov/2026 16:54:56] "POST / HTTP/1.1" 200 -
127.0.0.1 - - [30/Nov/2026 16:54:56] "POST / HTTP/1.1" 500 -
127.0.0.1 - - [30/Nov/2026 16:54:57] "GET /moto-api/ HTTP/1.1" 404 -
Exception on / [POST]
Traceback (most recent call last):
  File "x.py", line 1, in f
    float(after)
TypeError: float() argument must be a string or a real number, not 'datetime.datetime'
127.0.0.1 - - [30/Nov/2026 16:54:58] "POST / HTTP/1.1" 503 -
127.0.0.1 - - [30/Nov/2026 16:54:58] "POST /500 HTTP/1.1" 200 -
"#;
    assert_eq!(
        server_errors(log),
        [
            r#"127.0.0.1 - - [30/Nov/2026 16:54:56] "POST / HTTP/1.1" 500 -"#,
            "Traceback (most recent call last):",
            r#"  File "x.py", line 1, in f"#,
            "    float(after)",
            "TypeError: float() argument must be a string or a real number, not 'datetime.datetime'",
            r#"127.0.0.1 - - [30/Nov/2026 16:54:58] "POST / HTTP/1.1" 503 -"#,
        ]
    );
    assert!(server_errors("127.0.0.1 - - [x] \"POST / HTTP/1.1\" 200 -\n").is_empty());
}
