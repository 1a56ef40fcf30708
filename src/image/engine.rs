//! The container engine: the `docker` CLI against whatever `DOCKER_HOST` or its current
//! context points to (Docker, or podman's docker-compatible socket), or `podman` called
//! directly. The command lines are built here (pure, unit-tested) and run by a
//! [`Runner`], so the pipeline can be tested with scripted answers.

use super::spec::BuildSpec;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Environment variable choosing the engine: `docker` (default) or `podman`.
pub const ENGINE_VAR: &str = "WHARF_CONTAINER_ENGINE";

/// Which CLI wharf drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The docker CLI (Docker, or podman through `DOCKER_HOST`).
    Docker,
    /// podman, called directly.
    Podman,
}

impl EngineKind {
    /// The program name.
    pub fn program(self) -> &'static str {
        match self {
            EngineKind::Docker => "docker",
            EngineKind::Podman => "podman",
        }
    }
}

/// One command to run.
#[derive(Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Program.
    pub program: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Environment changes: `Some` sets a variable, `None` removes it.
    pub env: Vec<(String, Option<String>)>,
    /// Written to stdin, then closed. Never shown.
    pub stdin: Option<String>,
}

impl Invocation {
    fn new(program: &str, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Invocation {
            program: program.to_string(),
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// The command line, for messages: build-argument values are masked (`--build-arg
    /// NAME=***`), and stdin and the environment are not part of it.
    pub fn display(&self) -> String {
        let mut out = vec![self.program.clone()];
        let mut after_build_arg = false;
        for a in &self.args {
            out.push(match a.split_once('=') {
                Some((name, _)) if after_build_arg => format!("{name}=***"),
                _ => a.clone(),
            });
            after_build_arg = a == "--build-arg";
        }
        out.join(" ")
    }
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Environment values carry build arguments and secrets: only names are shown.
        let env: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Invocation")
            .field("command", &self.display())
            .field("env", &env)
            .field("stdin", &self.stdin.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// Whether the engine CLI itself reads environment variable `name` (its configuration,
/// the system's paths, proxies): such a build argument cannot travel through the
/// environment without changing how the CLI runs, so it goes on the command line.
fn engine_reads(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "SHELL",
        "TMPDIR",
        "TERM",
        "LANG",
        "TZ",
        "PWD",
        "NO_COLOR",
        "REGISTRY_AUTH_FILE",
        "STORAGE_DRIVER",
        "STORAGE_OPTS",
    ];
    const PREFIXES: &[&str] = &[
        "DOCKER_",
        "BUILDX_",
        "BUILDKIT_",
        "BUILDAH_",
        "PODMAN_",
        "CONTAINERS_",
        "CONTAINER_",
        "XDG_",
        "LD_",
        "LC_",
        "SSL_",
        "GODEBUG",
        "GOMAXPROCS",
    ];
    let upper = name.to_ascii_uppercase();
    EXACT.contains(&upper.as_str())
        || PREFIXES.iter().any(|p| upper.starts_with(p))
        || upper.ends_with("_PROXY")
}

/// What a finished command printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// stdout and stderr lines, in the order they arrived.
    pub lines: Vec<String>,
}

impl Output {
    /// Whether the command succeeded.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The last `n` lines, for error messages.
    pub fn tail(&self, n: usize) -> Vec<String> {
        self.lines[self.lines.len().saturating_sub(n)..].to_vec()
    }
}

/// Runs commands. `on_line` sees each output line as it arrives.
pub trait Runner: Send + Sync {
    /// Runs `inv` to completion. `Err` only when it could not be started.
    fn run(
        &self,
        inv: &Invocation,
        on_line: &(dyn Fn(&str) + Send + Sync),
    ) -> impl std::future::Future<Output = std::io::Result<Output>> + Send;
}

/// Runs commands as child processes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessRunner;

impl Runner for ProcessRunner {
    async fn run(
        &self,
        inv: &Invocation,
        on_line: &(dyn Fn(&str) + Send + Sync),
    ) -> std::io::Result<Output> {
        let mut cmd = tokio::process::Command::new(&inv.program);
        cmd.args(&inv.args)
            .stdin(if inv.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in &inv.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let mut child = cmd.spawn()?;
        if let (Some(text), Some(mut stdin)) = (&inv.stdin, child.stdin.take()) {
            stdin.write_all(text.as_bytes()).await?;
            drop(stdin);
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let forward = |r: Box<dyn tokio::io::AsyncRead + Unpin + Send>,
                       tx: tokio::sync::mpsc::UnboundedSender<String>| {
            tokio::spawn(async move {
                let mut lines = BufReader::new(r).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })
        };
        if let Some(out) = child.stdout.take() {
            forward(Box::new(out), tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            forward(Box::new(err), tx.clone());
        }
        drop(tx);
        let mut lines = Vec::new();
        while let Some(line) = rx.recv().await {
            on_line(&line);
            lines.push(line);
        }
        let status = child.wait().await?;
        Ok(Output {
            code: status.code(),
            lines,
        })
    }
}

/// Where a temporary login lives: a directory removed when the command ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthDir(pub PathBuf);

/// Where a build secret's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The environment variable of the same name (BuildKit `env=`).
    Env(String),
    /// A file holding the value (podman, which takes `src=` only).
    File(String, PathBuf),
}

/// The engine wharf drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// Which CLI.
    pub kind: EngineKind,
    /// The daemon address for commands run with a temporary docker config, which loses
    /// the user's current context: resolved from that context beforehand.
    pub host: Option<String>,
}

impl Engine {
    /// An engine of `kind` with nothing resolved yet.
    pub fn new(kind: EngineKind) -> Self {
        Engine { kind, host: None }
    }

    fn cmd(&self, args: impl IntoIterator<Item = impl Into<String>>) -> Invocation {
        Invocation::new(self.kind.program(), args)
    }

    /// Asks the engine for its version: fails when it is not running.
    pub fn check_command(&self) -> Invocation {
        match self.kind {
            EngineKind::Docker => self.cmd(["version", "--format", "{{.Server.Version}}"]),
            // podman needs no daemon: its own version says it runs.
            EngineKind::Podman => self.cmd(["version", "--format", "{{.Client.Version}}"]),
        }
    }

    /// Docker only: the daemon address of the current context.
    pub fn context_host_command(&self) -> Option<Invocation> {
        (self.kind == EngineKind::Docker).then(|| {
            self.cmd([
                "context",
                "inspect",
                "--format",
                "{{.Endpoints.docker.Host}}",
            ])
        })
    }

    /// Docker only: whether BuildKit (buildx) is there, which `--secret` needs.
    pub fn buildkit_command(&self) -> Option<Invocation> {
        (self.kind == EngineKind::Docker).then(|| self.cmd(["buildx", "version"]))
    }

    /// Succeeds when the image `reference` exists locally.
    pub fn exists_command(&self, reference: &str) -> Invocation {
        self.cmd(["image", "inspect", "--format", "{{.Id}}", reference])
    }

    /// Builds `spec`, tagged with each of `tags`, writing the image id to `iidfile`.
    pub fn build_command(
        &self,
        spec: &BuildSpec,
        tags: &[String],
        iidfile: &Path,
        secrets: &[SecretSource],
    ) -> Invocation {
        let mut a: Vec<String> = vec!["build".into()];
        let mut push = |flag: &str, value: String| {
            a.push(flag.into());
            a.push(value);
        };
        push("--file", spec.dockerfile.display().to_string());
        for t in tags {
            push("--tag", t.clone());
        }
        push("--platform", spec.platform.clone());
        push("--iidfile", iidfile.display().to_string());
        // Values travel in the engine's environment (`--build-arg NAME` reads it), so
        // they are not in the process list; see `engine_reads` for the exceptions.
        let mut env = Vec::new();
        for (k, v) in &spec.args {
            if engine_reads(k) {
                push("--build-arg", format!("{k}={v}"));
            } else {
                push("--build-arg", k.clone());
                env.push((k.clone(), Some(v.clone())));
            }
        }
        if let Some(t) = &spec.target {
            push("--target", t.clone());
        }
        for c in &spec.cache_from {
            push("--cache-from", c.clone());
        }
        for (k, v) in &spec.labels {
            push("--label", format!("{k}={v}"));
        }
        for s in secrets {
            push(
                "--secret",
                match s {
                    SecretSource::Env(id) => format!("id={id},env={id}"),
                    SecretSource::File(id, path) => format!("id={id},src={}", path.display()),
                },
            );
        }
        a.push(spec.context.display().to_string());
        let mut inv = self.cmd(a);
        inv.env = env;
        inv
    }

    /// Adds tag `target` to image `source`.
    pub fn tag_command(&self, source: &str, target: &str) -> Invocation {
        self.cmd(["tag", source, target])
    }

    /// With the docker CLI, login and push use a temporary `--config`; the daemon address
    /// is pinned so that the user's current context still applies.
    fn with_auth(&self, auth: &AuthDir, rest: &[&str]) -> Invocation {
        match self.kind {
            EngineKind::Docker => {
                let mut inv = self.cmd(
                    ["--config", &auth.0.display().to_string()]
                        .into_iter()
                        .chain(rest.iter().copied()),
                );
                if let Some(h) = &self.host {
                    inv.env.push(("DOCKER_HOST".into(), Some(h.clone())));
                    inv.env.push(("DOCKER_CONTEXT".into(), None));
                }
                inv
            }
            EngineKind::Podman => {
                let authfile = auth.0.join("auth.json").display().to_string();
                let mut args = vec![rest[0], "--authfile", &authfile];
                args.extend_from_slice(&rest[1..]);
                self.cmd(args)
            }
        }
    }

    /// Logs in to `endpoint`; the password goes on stdin.
    pub fn login_command(
        &self,
        auth: &AuthDir,
        endpoint: &str,
        username: &str,
        password: &str,
    ) -> Invocation {
        let mut inv = self.with_auth(
            auth,
            &[
                "login",
                "--username",
                username,
                "--password-stdin",
                endpoint,
            ],
        );
        inv.stdin = Some(password.to_string());
        inv
    }

    /// Pushes `reference`. podman writes the digest to `digestfile`; docker prints it.
    pub fn push_command(&self, auth: &AuthDir, reference: &str, digestfile: &Path) -> Invocation {
        match self.kind {
            EngineKind::Docker => self.with_auth(auth, &["push", reference]),
            EngineKind::Podman => self.with_auth(
                auth,
                &[
                    "push",
                    "--digestfile",
                    &digestfile.display().to_string(),
                    reference,
                ],
            ),
        }
    }
}

/// The digest `docker push` reports (`<tag>: digest: sha256:… size: N`). Not
/// `docker inspect`'s RepoDigests: through podman's socket that is the local manifest's
/// digest, which differs from the pushed one.
pub fn parse_push_digest(lines: &[String]) -> Option<String> {
    lines.iter().rev().find_map(|l| {
        let rest = &l[l.find("digest: sha256:")? + "digest: ".len()..];
        let hex: String = rest["sha256:".len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        (hex.len() == 64).then(|| format!("sha256:{hex}"))
    })
}

/// Whether `s` is a `sha256:` digest: 64 lower-case hex digits, as OCI writes them
/// (and as the stacks' `AllowedPattern` takes them).
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::spec::RepositorySettings;
    use std::collections::BTreeMap;

    fn spec() -> BuildSpec {
        BuildSpec {
            service: "api".into(),
            sidecar: None,
            repository: "shop/api".into(),
            dockerfile: "/ws/api/Dockerfile".into(),
            context: "/ws/api".into(),
            args: BTreeMap::from([("VERSION".into(), "2".into())]),
            target: Some("runtime".into()),
            cache_from: vec!["shop/api:cache".into()],
            platform: "linux/arm64".into(),
            labels: BTreeMap::from([("team".into(), "a".into())]),
            secrets: vec!["NPM_TOKEN".into()],
            settings: RepositorySettings {
                scan_on_push: true,
                immutable_tags: false,
                keep_images: 30,
            },
        }
    }

    #[test]
    fn build_passes_every_option() {
        let e = Engine::new(EngineKind::Docker);
        let inv = e.build_command(
            &spec(),
            &["shop/api:v1".into(), "shop/api:inputs-ab".into()],
            Path::new("/tmp/iid"),
            &[SecretSource::Env("NPM_TOKEN".into())],
        );
        assert_eq!(
            inv.display(),
            "docker build --file /ws/api/Dockerfile --tag shop/api:v1 --tag shop/api:inputs-ab \
             --platform linux/arm64 --iidfile /tmp/iid --build-arg VERSION --target runtime \
             --cache-from shop/api:cache --label team=a --secret id=NPM_TOKEN,env=NPM_TOKEN /ws/api"
        );
        let p = Engine::new(EngineKind::Podman).build_command(
            &spec(),
            &[],
            Path::new("/tmp/iid"),
            &[SecretSource::File(
                "NPM_TOKEN".into(),
                "/tmp/s/NPM_TOKEN".into(),
            )],
        );
        assert!(p.display().starts_with("podman build "));
        assert_eq!(p.env, [("VERSION".to_string(), Some("2".to_string()))]);
        assert!(
            p.display()
                .contains("--secret id=NPM_TOKEN,src=/tmp/s/NPM_TOKEN")
        );
    }

    #[test]
    fn build_arg_values_are_never_in_arguments_or_messages() {
        let mut s = spec();
        s.args = BTreeMap::from([
            ("API_KEY".into(), "hunter2".into()),
            ("HTTPS_PROXY".into(), "http://user:pw@proxy:3128".into()),
        ]);
        let inv = Engine::new(EngineKind::Docker).build_command(&s, &[], Path::new("/i"), &[]);
        // An ordinary argument travels in the environment.
        assert!(
            !inv.args.iter().any(|a| a.contains("hunter2")),
            "{:?}",
            inv.args
        );
        assert!(
            inv.env
                .contains(&("API_KEY".to_string(), Some("hunter2".to_string())))
        );
        // One the docker CLI reads itself stays on the command line, masked in messages.
        assert!(
            inv.args
                .contains(&"HTTPS_PROXY=http://user:pw@proxy:3128".to_string())
        );
        let shown = format!("{} {inv:?}", inv.display());
        assert!(shown.contains("--build-arg HTTPS_PROXY=***"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("pw@proxy"),
            "{shown}"
        );
    }

    #[test]
    fn the_password_goes_on_stdin_and_never_in_arguments() {
        for kind in [EngineKind::Docker, EngineKind::Podman] {
            let inv = Engine::new(kind).login_command(
                &AuthDir("/tmp/auth".into()),
                "https://1.dkr.ecr.us-east-1.amazonaws.com",
                "AWS",
                "s3cret",
            );
            assert!(!inv.display().contains("s3cret"));
            assert!(!format!("{inv:?}").contains("s3cret"));
            assert_eq!(inv.stdin.as_deref(), Some("s3cret"));
            assert!(inv.args.contains(&"--password-stdin".to_string()));
        }
    }

    #[test]
    fn docker_logins_use_a_temporary_config_and_keep_the_daemon() {
        let mut e = Engine::new(EngineKind::Docker);
        e.host = Some("unix:///run/podman.sock".into());
        let inv = e.push_command(
            &AuthDir("/tmp/auth".into()),
            "r/shop/api:v1",
            Path::new("/x"),
        );
        assert_eq!(
            inv.display(),
            "docker --config /tmp/auth push r/shop/api:v1"
        );
        assert!(inv.env.contains(&(
            "DOCKER_HOST".to_string(),
            Some("unix:///run/podman.sock".to_string())
        )));
        assert!(inv.env.contains(&("DOCKER_CONTEXT".to_string(), None)));
        let p = Engine::new(EngineKind::Podman).push_command(
            &AuthDir("/tmp/auth".into()),
            "r/shop/api:v1",
            Path::new("/tmp/auth/d"),
        );
        assert_eq!(
            p.display(),
            "podman push --authfile /tmp/auth/auth.json --digestfile /tmp/auth/d r/shop/api:v1"
        );
    }

    #[test]
    fn push_digest_comes_from_the_push_output() {
        let d = "748d3c8c00429585edeb438fe5edbef889a3136dbc744aeca6a112f3f82200b9";
        let lines = vec![
            "The push refers to repository [x/shop/api]".to_string(),
            "5f70bf18a086: Pushed".to_string(),
            format!("v1: digest: sha256:{d} size: 420"),
        ];
        assert_eq!(parse_push_digest(&lines), Some(format!("sha256:{d}")));
        assert_eq!(parse_push_digest(&["digest: sha256:abc".to_string()]), None);
        assert_eq!(parse_push_digest(&[]), None);
        assert!(is_digest(&format!("sha256:{d}")));
        assert!(!is_digest("sha256:xyz"));
        assert!(!is_digest(&format!("sha256:{}", d.to_uppercase())));
    }
}
