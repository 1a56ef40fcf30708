//! The pipeline against a scripted engine and a fake ECR: every branch (reuse, build,
//! local reuse, force, build only, failures, secrets, engine checks).

use super::*;
use crate::image::engine::{Engine, EngineKind, Invocation, Output, Runner};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const URI: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

type Answer = dyn Fn(&Invocation) -> std::io::Result<Output> + Send + Sync;

/// An engine that answers from a script and records what it was asked.
struct Script {
    calls: Mutex<Vec<Invocation>>,
    answer: Box<Answer>,
}

impl Script {
    fn new(
        answer: impl Fn(&Invocation) -> std::io::Result<Output> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Script {
            calls: Mutex::new(Vec::new()),
            answer: Box::new(answer),
        })
    }

    /// The calls as command lines, minus the `--config DIR`/`--authfile FILE` noise.
    fn lines(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|i| {
                let mut args = Vec::new();
                let mut skip = false;
                for a in &i.args {
                    if skip {
                        skip = false;
                    } else if a == "--config"
                        || a == "--authfile"
                        || a == "--iidfile"
                        || a == "--digestfile"
                    {
                        skip = true;
                    } else {
                        args.push(a.as_str());
                    }
                }
                args.join(" ")
            })
            .collect()
    }

    fn count(&self, prefix: &str) -> usize {
        self.lines()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }
}

impl Runner for Arc<Script> {
    async fn run(
        &self,
        inv: &Invocation,
        on_line: &(dyn Fn(&str) + Send + Sync),
    ) -> std::io::Result<Output> {
        self.calls.lock().unwrap().push(inv.clone());
        let out = (self.answer)(inv)?;
        for l in &out.lines {
            on_line(l);
        }
        Ok(out)
    }
}

fn ok(lines: &[&str]) -> std::io::Result<Output> {
    Ok(Output {
        code: Some(0),
        lines: lines.iter().map(|s| s.to_string()).collect(),
    })
}

fn fail(code: i32, lines: &[&str]) -> std::io::Result<Output> {
    Ok(Output {
        code: Some(code),
        lines: lines.iter().map(|s| s.to_string()).collect(),
    })
}

/// A healthy engine: nothing built locally, pushes report `digest`.
fn engine_answers(
    local_exists: bool,
    digest: &'static str,
) -> impl Fn(&Invocation) -> std::io::Result<Output> + Send + Sync {
    move |inv| match inv
        .args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('/'))
        .map(String::as_str)
    {
        Some("image") if local_exists => ok(&["sha256:local"]),
        Some("image") => fail(1, &["Error: No such image"]),
        Some("build") => ok(&["STEP 1/2: FROM scratch", "Successfully built 66ef6a798d3b"]),
        Some("push") => {
            let reference = inv.args.last().unwrap();
            let tag = reference.rsplit(':').next().unwrap();
            ok(&[
                "The push refers to repository [x]",
                &format!("{tag}: digest: {digest} size: 420"),
            ])
        }
        _ => ok(&[]),
    }
}

/// ECR with some images already in it.
#[derive(Default)]
struct FakeEcr {
    images: Mutex<BTreeMap<String, String>>,
    logins: AtomicUsize,
    created: Mutex<Vec<String>>,
}

impl Registry for Arc<FakeEcr> {
    async fn ensure_repository(
        &self,
        name: &str,
        _settings: RepositorySettings,
        tags: &BTreeMap<String, String>,
    ) -> Result<Repository, AwsError> {
        assert_eq!(tags["wharf-application"], "shop");
        self.created.lock().unwrap().push(name.to_string());
        Ok(Repository {
            name: name.to_string(),
            uri: format!("{URI}/{name}"),
            created: false,
            foreign: false,
        })
    }
    async fn image_digest(&self, repo: &str, tag: &str) -> Result<Option<String>, AwsError> {
        Ok(self
            .images
            .lock()
            .unwrap()
            .get(&format!("{repo}:{tag}"))
            .cloned())
    }
    async fn login(&self) -> Result<RegistryLogin, AwsError> {
        self.logins.fetch_add(1, Ordering::SeqCst);
        Ok(RegistryLogin {
            endpoint: format!("https://{URI}"),
            username: "AWS".into(),
            password: "token-from-ecr".into(),
        })
    }
}

#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl ImageReporter for Heard {
    fn step(&self, service: &str, message: &str) {
        self.0.lock().unwrap().push(format!("{service}: {message}"));
    }
    fn output(&self, service: &str, line: &str) {
        self.0.lock().unwrap().push(format!("{service}| {line}"));
    }
    fn finished(&self, service: &str, r: &Result<Published, ImageError>) {
        let text = match r {
            Ok(p) => p.summary(),
            Err(e) => e.to_string(),
        };
        self.0
            .lock()
            .unwrap()
            .push(format!("{service} done: {text}"));
    }
}

/// A build context on disk with a Dockerfile.
fn context(service: &str) -> (tempfile::TempDir, BuildSpec) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM scratch\nCOPY app /app\n").unwrap();
    std::fs::write(d.path().join("app"), service).unwrap();
    let spec = BuildSpec {
        service: service.into(),
        sidecar: None,
        repository: format!("shop/{service}"),
        dockerfile: d.path().join("Dockerfile"),
        context: d.path().to_path_buf(),
        args: BTreeMap::new(),
        target: None,
        cache_from: Vec::new(),
        platform: "linux/amd64".into(),
        labels: BTreeMap::new(),
        secrets: Vec::new(),
        settings: RepositorySettings {
            scan_on_push: true,
            immutable_tags: false,
            keep_images: 30,
        },
    };
    (d, spec)
}

fn opts(push: bool) -> Options {
    Options {
        push,
        tag: Some("v1".into()),
        force: false,
        concurrency: 2,
        git: None,
        repository_tags: [("wharf-application".to_string(), "shop".to_string())].into(),
        secrets: |id| (id == "NPM_TOKEN").then(|| "hunter2".to_string()),
    }
}

async fn go(
    kind: EngineKind,
    script: &Arc<Script>,
    ecr: Option<&Arc<FakeEcr>>,
    specs: Vec<BuildSpec>,
    opts: Options,
) -> (Vec<Result<Published, ImageError>>, Vec<String>) {
    let heard = Arc::new(Heard::default());
    let r = publish(
        Engine::new(kind),
        script.clone(),
        ecr.cloned(),
        specs,
        opts,
        heard.clone(),
    )
    .await
    .unwrap();
    let lines = heard.0.lock().unwrap().clone();
    (r, lines)
}

fn inputs_tag(spec: &BuildSpec) -> String {
    format!(
        "inputs-{}",
        crate::image::context::hash(&spec.inputs()).unwrap()
    )
}

#[tokio::test]
async fn a_first_push_builds_logs_in_once_and_pushes_the_inputs_tag_last() {
    let (_a, web) = context("web");
    let (_b, api) = context("api");
    let web_inputs = inputs_tag(&web);
    let script = Script::new(engine_answers(false, D1));
    let ecr = Arc::new(FakeEcr::default());
    let (results, heard) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web, api],
        opts(true),
    )
    .await;
    let web = results[0].as_ref().unwrap();
    assert_eq!(web.service, "web");
    assert_eq!(web.digest.as_deref(), Some(D1));
    assert_eq!(web.repository.as_deref(), Some(&*format!("{URI}/shop/web")));
    assert!(web.built && web.pushed);
    assert_eq!(web.image, format!("{URI}/shop/web:v1"));
    assert!(results[1].as_ref().unwrap().pushed);
    assert_eq!(
        ecr.logins.load(Ordering::SeqCst),
        1,
        "one login for all services"
    );
    assert_eq!(
        script.count("login --username AWS --password-stdin https://"),
        1
    );
    assert_eq!(script.count("build "), 2);
    let pushes: Vec<String> = script
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("push") && l.contains("/shop/web:"))
        .collect();
    assert_eq!(
        pushes,
        [
            format!("push {URI}/shop/web:v1"),
            format!("push {URI}/shop/web:{web_inputs}")
        ]
    );
    // The password only ever travelled on stdin.
    let calls = script.calls.lock().unwrap();
    assert!(
        calls
            .iter()
            .all(|c| !c.display().contains("token-from-ecr"))
    );
    assert!(
        calls
            .iter()
            .any(|c| c.stdin.as_deref() == Some("token-from-ecr"))
    );
    drop(calls);
    assert!(
        heard.iter().any(|l| l == "web| STEP 1/2: FROM scratch"),
        "{heard:?}"
    );
    assert!(
        heard
            .iter()
            .any(|l| l.starts_with("web done: built and pushed"))
    );
}

#[tokio::test]
async fn docker_keeps_the_login_in_the_temporary_config_not_a_credential_helper() {
    let (_d, web) = context("web");
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    let answer = engine_answers(false, D1);
    let script = Script::new(move |inv| {
        if inv.args.get(2).map(String::as_str) == Some("login") {
            let config = std::path::Path::new(&inv.args[1]).join("config.json");
            *seen2.lock().unwrap() =
                Some((config.clone(), std::fs::read_to_string(&config).unwrap()));
        }
        answer(inv)
    });
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    assert!(results[0].is_ok());
    let (path, text) = seen.lock().unwrap().clone().expect("a login");
    let config: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(config["auths"][URI], serde_json::json!({}));
    assert!(config.get("credsStore").is_none());
    assert!(!path.exists(), "the temporary config is gone after the run");
}

#[tokio::test]
async fn unchanged_inputs_reuse_the_repository_image_without_build_or_push() {
    let (_d, web) = context("web");
    let ecr = Arc::new(FakeEcr::default());
    ecr.images
        .lock()
        .unwrap()
        .insert(format!("shop/web:{}", inputs_tag(&web)), D2.into());
    let script = Script::new(engine_answers(false, D1));
    let (results, heard) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    let p = results[0].as_ref().unwrap();
    assert_eq!(p.digest.as_deref(), Some(D2));
    assert!(!p.built && !p.pushed);
    assert_eq!(
        script.lines(),
        Vec::<String>::new(),
        "the engine is not even asked"
    );
    assert_eq!(ecr.logins.load(Ordering::SeqCst), 0);
    assert!(
        heard
            .iter()
            .any(|l| l.contains("unchanged") && l.contains("no build, no push"))
    );
}

#[tokio::test]
async fn force_build_rebuilds_and_pushes_even_when_the_inputs_exist() {
    let (_d, web) = context("web");
    let ecr = Arc::new(FakeEcr::default());
    ecr.images
        .lock()
        .unwrap()
        .insert(format!("shop/web:{}", inputs_tag(&web)), D2.into());
    let script = Script::new(engine_answers(true, D1));
    let mut o = opts(true);
    o.force = true;
    let (results, _) = go(EngineKind::Docker, &script, Some(&ecr), vec![web], o).await;
    let p = results[0].as_ref().unwrap();
    assert_eq!(p.digest.as_deref(), Some(D1));
    assert!(p.built && p.pushed);
    assert_eq!(
        script.count("image inspect"),
        0,
        "force does not look for a local image"
    );
    assert_eq!(script.count("build "), 1);
    assert_eq!(script.count("push"), 2);
}

#[tokio::test]
async fn an_immutable_repository_keeps_its_inputs_tag_on_force() {
    let (_d, mut web) = context("web");
    web.settings.immutable_tags = true;
    let ecr = Arc::new(FakeEcr::default());
    ecr.images
        .lock()
        .unwrap()
        .insert(format!("shop/web:{}", inputs_tag(&web)), D2.into());
    let script = Script::new(engine_answers(false, D1));
    let mut o = opts(true);
    o.force = true;
    let (results, _) = go(EngineKind::Docker, &script, Some(&ecr), vec![web], o).await;
    assert!(results[0].is_ok());
    assert_eq!(
        script
            .lines()
            .iter()
            .filter(|l| l.starts_with("push"))
            .count(),
        1
    );
}

#[tokio::test]
async fn an_image_built_earlier_is_pushed_without_rebuilding() {
    let (_d, web) = context("web");
    let script = Script::new(engine_answers(true, D1));
    let ecr = Arc::new(FakeEcr::default());
    let (results, heard) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    let p = results[0].as_ref().unwrap();
    assert!(!p.built && p.pushed);
    assert_eq!(script.count("build "), 0);
    assert!(
        script
            .lines()
            .iter()
            .any(|l| l.starts_with("tag shop/web:inputs-") && l.ends_with("shop/web:v1"))
    );
    assert!(heard.iter().any(|l| l.contains("already built")));
}

#[tokio::test]
async fn build_only_never_touches_the_registry() {
    let (_d, web) = context("web");
    let script = Script::new(engine_answers(false, D1));
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(false),
    )
    .await;
    let p = results[0].as_ref().unwrap();
    assert_eq!(
        (p.built, p.pushed, p.digest.as_deref()),
        (true, false, None)
    );
    assert_eq!(p.image, "shop/web:v1");
    assert!(ecr.created.lock().unwrap().is_empty());
    assert_eq!(script.count("push") + script.count("login"), 0);
    let build = script
        .lines()
        .into_iter()
        .find(|l| l.starts_with("build "))
        .unwrap();
    assert!(
        build.contains("--tag shop/web:v1 --tag shop/web:inputs-"),
        "{build}"
    );
    assert!(build.contains("--label dev.wharf.build-inputs="), "{build}");
}

#[tokio::test]
async fn a_failed_build_reports_its_last_lines_and_pushes_nothing() {
    let (_d, web) = context("web");
    let script = Script::new(|inv| match inv.args.first().map(String::as_str) {
        Some("build") => fail(1, &["STEP 2/2: COPY app /app", "Error: no such file: app"]),
        Some("image") => fail(1, &[]),
        _ => ok(&[]),
    });
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    let e = results[0].as_ref().unwrap_err();
    assert!(
        matches!(e, ImageError::Command { code: Some(1), .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("Error: no such file: app"));
    assert!(!e.is_usage());
    assert_eq!(script.count("push") + script.count("login"), 0);
}

#[tokio::test]
async fn a_push_to_an_existing_immutable_tag_is_explained() {
    let (_d, web) = context("web");
    let script = Script::new(|inv| {
        match inv
            .args
            .iter()
            .find(|a| !a.starts_with('-') && !a.starts_with('/'))
            .map(String::as_str)
        {
            Some("push") => fail(
                1,
                &[
                    "tag invalid: The image tag 'v1' already exists in the 'shop/web' repository and cannot be overwritten because the repository is immutable.",
                ],
            ),
            Some("image") => fail(1, &[]),
            _ => ok(&[]),
        }
    });
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    let e = results[0].as_ref().unwrap_err();
    assert!(matches!(e, ImageError::ImmutableTag { .. }), "{e:?}");
    assert!(e.is_usage());
}

#[tokio::test]
async fn a_push_without_a_digest_is_an_error() {
    let (_d, web) = context("web");
    let script = Script::new(|inv| {
        match inv
            .args
            .iter()
            .find(|a| !a.starts_with('-') && !a.starts_with('/'))
            .map(String::as_str)
        {
            Some("image") => fail(1, &[]),
            _ => ok(&["pushed"]),
        }
    });
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    assert!(matches!(results[0], Err(ImageError::NoDigest { .. })));
}

#[tokio::test]
async fn podman_pushes_report_their_digest_in_a_file() {
    let (_d, web) = context("web");
    let script = Script::new(|inv| {
        if inv.args.first().map(String::as_str) == Some("push") {
            let i = inv.args.iter().position(|a| a == "--digestfile").unwrap();
            std::fs::write(&inv.args[i + 1], D2).unwrap();
        }
        match inv.args.first().map(String::as_str) {
            Some("image") => fail(1, &[]),
            _ => ok(&[]),
        }
    });
    let ecr = Arc::new(FakeEcr::default());
    let (results, _) = go(
        EngineKind::Podman,
        &script,
        Some(&ecr),
        vec![web],
        opts(true),
    )
    .await;
    assert_eq!(results[0].as_ref().unwrap().digest.as_deref(), Some(D2));
    assert!(
        script
            .calls
            .lock()
            .unwrap()
            .iter()
            .all(|c| c.program == "podman")
    );
}

#[tokio::test]
async fn build_secrets_come_from_the_environment_and_never_from_arguments() {
    let (_d, mut web) = context("web");
    web.secrets = vec!["GH_TOKEN".into()];
    let script = Script::new(engine_answers(false, D1));
    let (results, _) = go(
        EngineKind::Docker,
        &script,
        None,
        vec![web.clone()],
        opts(false),
    )
    .await;
    let e = results[0].as_ref().unwrap_err();
    assert!(matches!(e, ImageError::SecretMissing { .. }), "{e:?}");
    assert!(e.is_usage());
    assert_eq!(script.count("build "), 0);

    web.secrets = vec!["NPM_TOKEN".into()];
    // docker without buildx: explained, not attempted.
    let no_buildx = Script::new(|inv| match inv.args.first().map(String::as_str) {
        Some("buildx") => fail(1, &["docker: 'buildx' is not a docker command."]),
        Some("image") => fail(1, &[]),
        _ => ok(&[]),
    });
    let (results, _) = go(
        EngineKind::Docker,
        &no_buildx,
        None,
        vec![web.clone()],
        opts(false),
    )
    .await;
    assert!(matches!(results[0], Err(ImageError::NeedsBuildKit { .. })));
    assert_eq!(no_buildx.count("build "), 0);
    // docker with buildx: `env=`.
    let with_buildx = Script::new(engine_answers(false, D1));
    let (results, _) = go(
        EngineKind::Docker,
        &with_buildx,
        None,
        vec![web.clone()],
        opts(false),
    )
    .await;
    assert!(results[0].is_ok());
    let build = with_buildx
        .lines()
        .into_iter()
        .find(|l| l.starts_with("build "))
        .unwrap();
    assert!(build.contains("--secret id=NPM_TOKEN,env=NPM_TOKEN"));
    {
        let calls = with_buildx.calls.lock().unwrap();
        let inv = calls.iter().find(|c| c.args[0] == "build").unwrap();
        assert!(
            inv.env
                .contains(&("NPM_TOKEN".to_string(), Some("hunter2".to_string())))
        );
        assert!(!inv.display().contains("hunter2"));
    }
    // podman: a private file, gone after the build.
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    let podman = Script::new(move |inv| {
        if inv.args.first().map(String::as_str) == Some("build") {
            let arg = inv.args.iter().find(|a| a.starts_with("id=")).unwrap();
            let path = arg.split_once(",src=").unwrap().1.to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600);
            }
            *seen2.lock().unwrap() = Some((path, text));
        }
        match inv.args.first().map(String::as_str) {
            Some("image") => fail(1, &[]),
            _ => ok(&[]),
        }
    });
    let (results, _) = go(EngineKind::Podman, &podman, None, vec![web], opts(false)).await;
    assert!(results[0].is_ok());
    let (path, text) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(text, "hunter2");
    assert!(
        !std::path::Path::new(&path).exists(),
        "the secret file is removed"
    );
    assert!(
        podman
            .calls
            .lock()
            .unwrap()
            .iter()
            .all(|c| !c.display().contains("hunter2"))
    );
}

#[tokio::test]
async fn prepare_explains_a_missing_or_stopped_engine_and_pins_the_context() {
    let missing = Script::new(|_| Err(std::io::Error::from(std::io::ErrorKind::NotFound)));
    assert!(matches!(
        prepare(EngineKind::Docker, &missing).await,
        Err(ImageError::EngineMissing { .. })
    ));
    let down = Script::new(|_| {
        fail(
            1,
            &[
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            ],
        )
    });
    let e = prepare(EngineKind::Docker, &down).await.unwrap_err();
    assert!(
        e.to_string().contains("Is the docker daemon running?"),
        "{e}"
    );
    if std::env::var_os("DOCKER_HOST").is_none() {
        let up = Script::new(|inv| match inv.args.first().map(String::as_str) {
            Some("context") => ok(&["unix:///home/me/.colima/docker.sock"]),
            _ => ok(&["28.2.2"]),
        });
        let engine = prepare(EngineKind::Docker, &up).await.unwrap();
        assert_eq!(
            engine.host.as_deref(),
            Some("unix:///home/me/.colima/docker.sock")
        );
    }
    let podman = Script::new(|_| ok(&["4.3.1"]));
    let engine = prepare(EngineKind::Podman, &podman).await.unwrap();
    assert_eq!(engine.host, None);
    assert_eq!(podman.lines(), ["version --format {{.Client.Version}}"]);
}

#[test]
fn missing_paths_are_usage_errors() {
    let (d, mut web) = context("web");
    assert!(check_paths(&web).is_ok());
    web.dockerfile = d.path().join("nope/Dockerfile");
    let e = check_paths(&web).unwrap_err();
    assert!(e.is_usage());
    assert!(e.to_string().starts_with("web: Dockerfile "), "{e}");
}

#[tokio::test]
async fn only_declared_build_args_are_passed_and_engine_noise_is_dropped() {
    let (d, mut web) = context("web");
    std::fs::write(
        d.path().join("Dockerfile"),
        "FROM scratch\nARG VERSION\nCOPY app /app\n",
    )
    .unwrap();
    web.args = BTreeMap::from([
        ("VERSION".into(), "2".into()),
        ("UNUSED".into(), "x".into()),
    ]);
    let script = Script::new(|inv| match inv.args.first().map(String::as_str) {
        Some("build") => ok(&[
            "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.",
            "            Install the buildx component to build images with BuildKit:",
            "            https://docs.docker.com/go/buildx/",
            "STEP 1/2: FROM scratch",
            "[Warning] one or more build args were not consumed: [TARGETARCH TARGETOS TARGETPLATFORM]",
        ]),
        Some("image") => fail(1, &[]),
        _ => ok(&[]),
    });
    let (results, heard) = go(EngineKind::Docker, &script, None, vec![web], opts(false)).await;
    assert!(results[0].is_ok(), "{results:?}");
    let build = script
        .lines()
        .into_iter()
        .find(|l| l.starts_with("build"))
        .unwrap();
    assert!(build.contains("--build-arg VERSION "), "{build}");
    assert!(!build.contains("UNUSED"), "{build}");
    assert!(
        heard.contains(
            &"web: not passing build args the Dockerfile does not declare with ARG: UNUSED"
                .to_string()
        ),
        "{heard:#?}"
    );
    let output: Vec<&String> = heard.iter().filter(|l| l.starts_with("web|")).collect();
    assert_eq!(output, ["web| STEP 1/2: FROM scratch"], "{heard:#?}");
}

#[tokio::test]
async fn a_sidecar_image_goes_to_its_services_repository_under_its_own_tag() {
    let (_a, web) = context("web");
    let (_b, mut proxy) = context("web");
    proxy.sidecar = Some("proxy".into());
    std::fs::write(proxy.context.join("app"), "the proxy").unwrap();
    let proxy_inputs = inputs_tag(&proxy);
    let script = Script::new(engine_answers(false, D1));
    let ecr = Arc::new(FakeEcr::default());
    let (results, heard) = go(
        EngineKind::Docker,
        &script,
        Some(&ecr),
        vec![web, proxy],
        opts(true),
    )
    .await;
    let (main, side) = (results[0].as_ref().unwrap(), results[1].as_ref().unwrap());
    assert_eq!(
        (main.service.as_str(), main.sidecar.as_deref()),
        ("web", None)
    );
    assert_eq!(
        (side.service.as_str(), side.sidecar.as_deref()),
        ("web", Some("proxy"))
    );
    assert_eq!(side.tag, "proxy-v1");
    assert_eq!(side.image, format!("{URI}/shop/web:proxy-v1"));
    // The shared repository is made ready once, though both builds ran at once.
    assert_eq!(*ecr.created.lock().unwrap(), ["shop/web"]);
    let pushes: Vec<String> = script
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("push"))
        .collect();
    for want in [
        format!("push {URI}/shop/web:v1"),
        format!("push {URI}/shop/web:proxy-v1"),
        format!("push {URI}/shop/web:{proxy_inputs}"),
    ] {
        assert!(pushes.contains(&want), "{want} not in {pushes:?}");
    }
    assert!(
        heard
            .iter()
            .any(|l| l.starts_with("web/proxy done: built and pushed")),
        "{heard:?}"
    );
}

#[tokio::test]
async fn a_tag_too_long_with_the_sidecars_name_is_refused_before_building() {
    let (_a, mut proxy) = context("web");
    proxy.sidecar = Some("p".repeat(100));
    let script = Script::new(engine_answers(false, D1));
    let mut o = opts(false);
    o.tag = Some("t".repeat(30));
    let (results, _) = go(EngineKind::Docker, &script, None, vec![proxy], o).await;
    let e = results[0].as_ref().unwrap_err();
    assert!(
        matches!(e, ImageError::BadTag { tag, .. } if tag.len() == 131),
        "{e:?}"
    );
    assert!(e.is_usage());
    assert_eq!(script.count("build "), 0);
    assert!(crate::image::pipeline::valid_tag(&"a".repeat(128)));
    for bad in ["", "-x", ".x", "a b", "a/b", "a:b", &"a".repeat(129)] {
        assert!(!crate::image::pipeline::valid_tag(bad), "{bad}");
    }
}
