//! The image pipeline for a set of services: hash each build's inputs; reuse the image
//! the repository already holds for those inputs (tagged `inputs-<hash>`); else build
//! (in parallel), log in once, push, and return the digest the stack deploys. Effects
//! go through a [`Runner`] and a [`Registry`], so every branch is unit-tested with
//! scripted answers.

use super::context;
use super::engine::{AuthDir, Engine, EngineKind, Invocation, Output, Runner, SecretSource};
pub use super::error::ImageError;
use super::error::io;
use super::registry::{RegistryLogin, Repository};
use super::spec::{BuildSpec, RepositorySettings};
use super::tag::{GitState, default_tag};
use crate::api::AwsError;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

/// Where images go: ECR in production, a fake in tests.
pub trait Registry: Send + Sync + 'static {
    /// The repository `name`: created, brought in line with `settings` when wharf made
    /// it, or left as it is when it did not ([`Repository::foreign`]).
    fn ensure_repository(
        &self,
        name: &str,
        settings: RepositorySettings,
        tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Repository, AwsError>> + Send;
    /// The digest of `repo:tag`, if that image exists.
    fn image_digest(
        &self,
        repo: &str,
        tag: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// Credentials for the registry.
    fn login(&self) -> impl Future<Output = Result<RegistryLogin, AwsError>> + Send;
}

/// Hears what the pipeline does, per service.
pub trait ImageReporter: Send + Sync {
    /// A step starts.
    fn step(&self, service: &str, message: &str);
    /// A line of engine output.
    fn output(&self, service: &str, line: &str);
    /// The service's image is done.
    fn finished(&self, service: &str, result: &Result<Published, ImageError>);
}

/// Where build secret values come from (the process environment, in production).
pub type SecretLookup = fn(&str) -> Option<String>;

/// Reads a build secret from the process environment.
pub fn secret_from_env(id: &str) -> Option<String> {
    std::env::var(id).ok()
}

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct Options {
    /// Push to the registry (else build only).
    pub push: bool,
    /// `--tag`; default: git commit, or content hash outside git.
    pub tag: Option<String>,
    /// `--force-build`: build and push even when the inputs are unchanged.
    pub force: bool,
    /// Builds at a time.
    pub concurrency: usize,
    /// The work tree's git state, for the default tag.
    pub git: Option<GitState>,
    /// Tags for repositories wharf creates.
    pub repository_tags: BTreeMap<String, String>,
    /// Build secret values.
    pub secrets: SecretLookup,
}

/// A service's image (its main container's or a sidecar's), ready.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    /// Service.
    pub service: String,
    /// The sidecar, for a sidecar's image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<String>,
    /// SHA-256 of the build inputs.
    pub inputs: String,
    /// The tag it was given (`--tag`, git, or content hash).
    pub tag: String,
    /// Whether this run built it.
    pub built: bool,
    /// Whether this run pushed it.
    pub pushed: bool,
    /// `repo:tag` locally (build only), else `<repository uri>:<tag>`.
    pub image: String,
    /// The repository's URI, once pushed or found there.
    pub repository: Option<String>,
    /// Digest in the repository, once there.
    pub digest: Option<String>,
}

impl Published {
    /// `<service>`, or `<service>/<sidecar>` for a sidecar's image.
    pub fn label(&self) -> String {
        super::spec::label(&self.service, self.sidecar.as_deref())
    }

    /// One line saying what happened.
    pub fn summary(&self) -> String {
        let short = &self.inputs[..self.inputs.len().min(12)];
        match (&self.digest, self.built, self.pushed) {
            (Some(d), _, false) => {
                format!("unchanged (inputs {short}…): reusing {d}, no build, no push")
            }
            (Some(d), true, true) => format!("built and pushed {} ({d})", self.image),
            (Some(d), false, true) => format!("pushed {} ({d}), built earlier", self.image),
            (None, true, _) => format!("built {}", self.image),
            (None, false, _) => format!("already built: {}", self.image),
        }
    }
}

/// Checks the engine runs and, for the docker CLI, pins the daemon of the current
/// context (pushes use a temporary config, which would lose it).
pub async fn prepare<E: Runner>(kind: EngineKind, runner: &E) -> Result<Engine, ImageError> {
    let mut engine = Engine::new(kind);
    let check = engine.check_command();
    let out = match runner.run(&check, &|_| {}).await {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ImageError::EngineMissing {
                program: kind.program().into(),
            });
        }
        Err(e) => return Err(io(format!("run `{}`", check.display()))(e)),
    };
    if !out.success() {
        return Err(ImageError::EngineDown {
            command: check.display(),
            detail: out.tail(3).join(" "),
        });
    }
    if std::env::var_os("DOCKER_HOST").is_none()
        && let Some(inv) = engine.context_host_command()
        && let Ok(out) = runner.run(&inv, &|_| {}).await
        && out.success()
    {
        engine.host = out
            .lines
            .first()
            .map(|l| l.trim().to_string())
            .filter(|h| !h.is_empty());
    }
    Ok(engine)
}

struct Shared<E, R> {
    engine: Engine,
    runner: E,
    registry: Option<R>,
    opts: Options,
    reporter: Arc<dyn ImageReporter>,
    /// Login state, iid files and podman secret files; removed when the run ends.
    dir: tempfile::TempDir,
    logged_in: tokio::sync::OnceCell<()>,
    buildkit: tokio::sync::OnceCell<bool>,
    /// Each repository, made ready by the first build that needs it.
    repositories: std::sync::Mutex<BTreeMap<String, Arc<tokio::sync::OnceCell<Repository>>>>,
}

/// Builds (and with `opts.push`, pushes) each spec's image, at most
/// `opts.concurrency` at a time. One result per spec, in the order given.
pub async fn publish<E: Runner + 'static, R: Registry>(
    engine: Engine,
    runner: E,
    registry: Option<R>,
    specs: Vec<BuildSpec>,
    opts: Options,
    reporter: Arc<dyn ImageReporter>,
) -> Result<Vec<Result<Published, ImageError>>, ImageError> {
    let dir = tempfile::Builder::new()
        .prefix("wharf-images-")
        .tempdir()
        .map_err(io("create a temporary directory"))?;
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    let shared = Arc::new(Shared {
        engine,
        runner,
        registry,
        opts,
        reporter,
        dir,
        logged_in: tokio::sync::OnceCell::new(),
        buildkit: tokio::sync::OnceCell::new(),
        repositories: std::sync::Mutex::new(BTreeMap::new()),
    });
    let mut set = tokio::task::JoinSet::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let (shared, limit) = (shared.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let result = one(&shared, &spec).await;
            shared.reporter.finished(&spec.label(), &result);
            (i, result)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(r) => results.push(r),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

impl<E: Runner, R: Registry> Shared<E, R> {
    async fn run(&self, service: &str, inv: &Invocation, show: bool) -> Result<Output, ImageError> {
        let reporter = self.reporter.clone();
        let svc = service.to_string();
        let on_line = move |l: &str| {
            if show && !super::dockerfile::is_noise(l) {
                reporter.output(&svc, l);
            }
        };
        self.runner
            .run(inv, &on_line)
            .await
            .map_err(io(format!("run `{}`", inv.display())))
    }

    async fn must(
        &self,
        service: &str,
        inv: &Invocation,
        show: bool,
    ) -> Result<Output, ImageError> {
        let out = self.run(service, inv, show).await?;
        if out.success() {
            Ok(out)
        } else {
            Err(ImageError::Command {
                service: service.into(),
                command: inv.display(),
                code: out.code,
                tail: out.tail(15),
            })
        }
    }
}

/// The Dockerfile and the build context exist.
pub fn check_paths(spec: &BuildSpec) -> Result<(), ImageError> {
    for (what, path, ok) in [
        ("Dockerfile", &spec.dockerfile, spec.dockerfile.is_file()),
        ("build context", &spec.context, spec.context.is_dir()),
    ] {
        if !ok {
            return Err(ImageError::MissingPath {
                service: spec.label(),
                what,
                path: path.clone(),
            });
        }
    }
    Ok(())
}

async fn one<E: Runner, R: Registry>(
    sh: &Shared<E, R>,
    spec: &BuildSpec,
) -> Result<Published, ImageError> {
    let label = spec.label();
    let svc = label.as_str();
    check_paths(spec)?;
    sh.reporter.step(svc, "hashing the build inputs");
    let inputs = spec.inputs();
    let hash = tokio::task::spawn_blocking(move || context::hash(&inputs))
        .await
        .map_err(|e| io("hash the build inputs")(std::io::Error::other(e)))?
        .map_err(|source| ImageError::Inputs {
            service: svc.into(),
            source,
        })?;
    let inputs_tag = format!("inputs-{hash}");
    let tag = spec.tag_for(
        &sh.opts
            .tag
            .clone()
            .unwrap_or_else(|| default_tag(sh.opts.git.as_ref(), &hash)),
    );
    if !valid_tag(&tag) {
        return Err(ImageError::BadTag {
            service: svc.into(),
            tag,
        });
    }
    let local_inputs = format!("{}:{inputs_tag}", spec.repository);
    let local_tag = format!("{}:{tag}", spec.repository);
    let published = |built, pushed, image: String, repository, digest| Published {
        service: spec.service.clone(),
        sidecar: spec.sidecar.clone(),
        inputs: hash.clone(),
        tag: tag.clone(),
        built,
        pushed,
        image,
        repository,
        digest,
    };

    let mut repo = None;
    let mut inputs_tag_taken = false;
    if let (true, Some(reg)) = (sh.opts.push, &sh.registry) {
        sh.reporter
            .step(svc, &format!("checking repository {}", spec.repository));
        let r = repository(sh, reg, spec).await?;
        if r.created {
            sh.reporter
                .step(svc, &format!("created repository {}", r.uri));
        }
        if r.foreign {
            sh.reporter.step(
                svc,
                &format!(
                    "repository {} was not made by wharf: pushing to it, leaving its scanning, tag and lifecycle settings as they are",
                    r.uri
                ),
            );
        }
        if let Some(d) = reg.image_digest(&r.name, &inputs_tag).await? {
            if !sh.opts.force {
                return Ok(Published {
                    tag: inputs_tag.clone(),
                    ..published(
                        false,
                        false,
                        format!("{}:{inputs_tag}", r.uri),
                        Some(r.uri.clone()),
                        Some(d),
                    )
                });
            }
            inputs_tag_taken = true;
        }
        repo = Some(r);
    }

    let have_local = !sh.opts.force
        && sh
            .run(svc, &sh.engine.exists_command(&local_inputs), false)
            .await?
            .success();
    if have_local {
        sh.reporter
            .step(svc, "an image for these inputs is already built");
        if local_tag != local_inputs {
            sh.must(
                svc,
                &sh.engine.tag_command(&local_inputs, &local_tag),
                false,
            )
            .await?;
        }
    } else {
        build(sh, spec, &hash, &[local_tag.clone(), local_inputs.clone()]).await?;
    }
    let Some(repo) = repo else {
        return Ok(published(!have_local, false, local_tag, None, None));
    };

    if let Some(reg) = &sh.registry {
        login(sh, reg).await?;
    }
    // The user's tag first: the inputs tag claims "this build exists", so it goes last.
    let mut digest = None;
    let mut targets = vec![tag.clone()];
    if inputs_tag != tag && !(inputs_tag_taken && spec.settings.immutable_tags) {
        targets.push(inputs_tag.clone());
    }
    for t in &targets {
        let remote = format!("{}:{t}", repo.uri);
        sh.must(svc, &sh.engine.tag_command(&local_inputs, &remote), false)
            .await?;
        let d = push(sh, svc, &remote).await?;
        digest.get_or_insert(d);
    }
    Ok(published(
        !have_local,
        true,
        format!("{}:{tag}", repo.uri),
        Some(repo.uri.clone()),
        digest,
    ))
}

async fn build<E: Runner, R: Registry>(
    sh: &Shared<E, R>,
    spec: &BuildSpec,
    hash: &str,
    tags: &[String],
) -> Result<(), ImageError> {
    let label = spec.label();
    let svc = label.as_str();
    let file = file_key(svc);
    let mut secrets = Vec::new();
    let mut files = Vec::new();
    // docker reads `env=` secrets from its own environment: they are set on its process.
    let mut env = Vec::new();
    for id in &spec.secrets {
        let value = (sh.opts.secrets)(id).ok_or_else(|| ImageError::SecretMissing {
            service: svc.into(),
            id: id.clone(),
        })?;
        match sh.engine.kind {
            EngineKind::Docker => {
                env.push((id.clone(), Some(value)));
                secrets.push(SecretSource::Env(id.clone()));
            }
            EngineKind::Podman => {
                let path = sh.dir.path().join(format!("secret-{file}-{id}"));
                write_private(&path, &value)?;
                files.push(path.clone());
                secrets.push(SecretSource::File(id.clone(), path));
            }
        }
    }
    if !secrets.is_empty()
        && let Some(inv) = sh.engine.buildkit_command()
    {
        let has = *sh
            .buildkit
            .get_or_try_init(|| async {
                Ok::<_, ImageError>(sh.run(svc, &inv, false).await?.success())
            })
            .await?;
        if !has {
            return Err(ImageError::NeedsBuildKit {
                service: svc.into(),
            });
        }
    }
    let mut spec = spec.clone();
    spec.labels
        .insert("dev.wharf.build-inputs".into(), hash.to_string());
    // Only the arguments the Dockerfile declares are passed; the others would only make
    // the engine warn, and are said once here.
    let text = std::fs::read_to_string(&spec.dockerfile)
        .map_err(io(format!("read {}", spec.dockerfile.display())))?;
    let declared = super::dockerfile::declared_args(&text);
    let (passed, unused): (BTreeMap<_, _>, BTreeMap<_, _>) = std::mem::take(&mut spec.args)
        .into_iter()
        .partition(|(k, _)| super::dockerfile::accepts(&declared, k));
    spec.args = passed;
    if !unused.is_empty() {
        let names: Vec<&str> = unused.keys().map(String::as_str).collect();
        sh.reporter.step(
            svc,
            &format!(
                "not passing build args the Dockerfile does not declare with ARG: {}",
                names.join(", ")
            ),
        );
    }
    let iid = sh.dir.path().join(format!("{file}.iid"));
    sh.reporter.step(
        svc,
        &format!("building {} ({})", spec.dockerfile.display(), spec.platform),
    );
    let mut inv = sh.engine.build_command(&spec, tags, &iid, &secrets);
    inv.env.extend(env);
    let result = sh.must(svc, &inv, true).await;
    for f in files {
        let _ = std::fs::remove_file(f);
    }
    result.map(|_| ())
}

/// A build's label as a file name: `+` (in no service or container name) for `/`.
fn file_key(label: &str) -> String {
    label.replace('/', "+")
}

/// Whether `tag` is an image tag: a letter, digit or `_`, then up to 127 letters,
/// digits, `_`, `.` or `-` (Docker's rule; ECR's
/// <https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html>).
pub fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The repository of `spec`, made ready once per run: a service's main and sidecar
/// images share it, and their builds run at once.
async fn repository<E: Runner, R: Registry>(
    sh: &Shared<E, R>,
    reg: &R,
    spec: &BuildSpec,
) -> Result<Repository, ImageError> {
    let cell = sh
        .repositories
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(spec.repository.clone())
        .or_default()
        .clone();
    let mut first = false;
    let r = cell
        .get_or_try_init(|| async {
            first = true;
            reg.ensure_repository(&spec.repository, spec.settings, &sh.opts.repository_tags)
                .await
        })
        .await?
        .clone();
    // Said once, by the build that made the repository ready.
    Ok(Repository {
        created: r.created && first,
        foreign: r.foreign && first,
        ..r
    })
}

fn write_private(path: &std::path::Path, value: &str) -> Result<(), ImageError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
        .and_then(|mut f| f.write_all(value.as_bytes()))
        .map_err(io(format!("write {}", path.display())))
}

async fn login<E: Runner, R: Registry>(sh: &Shared<E, R>, reg: &R) -> Result<(), ImageError> {
    sh.logged_in
        .get_or_try_init(|| async {
            let RegistryLogin {
                endpoint,
                username,
                password,
            } = reg.login().await?;
            let auth = AuthDir(sh.dir.path().to_path_buf());
            if sh.engine.kind == EngineKind::Docker {
                // With no authentication in its config, the docker CLI picks the platform's
                // credential helper (keychain, pass…), where the token would outlive the
                // command. An entry for the registry keeps it in this temporary file.
                let host = endpoint
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/');
                let seed = serde_json::json!({"auths": {host: {}}}).to_string();
                write_private(&sh.dir.path().join("config.json"), &seed)?;
            }
            let inv = sh
                .engine
                .login_command(&auth, &endpoint, &username, &password);
            sh.must("login", &inv, false).await.map(|_| ())
        })
        .await
        .map(|_| ())
}

async fn push<E: Runner, R: Registry>(
    sh: &Shared<E, R>,
    svc: &str,
    reference: &str,
) -> Result<String, ImageError> {
    sh.reporter.step(svc, &format!("pushing {reference}"));
    let auth = AuthDir(sh.dir.path().to_path_buf());
    let digestfile = sh.dir.path().join(format!("{}.digest", file_key(svc)));
    let inv = sh.engine.push_command(&auth, reference, &digestfile);
    let out = sh.run(svc, &inv, true).await?;
    if !out.success() {
        if out.lines.iter().any(|l| l.contains("immutable")) {
            return Err(ImageError::ImmutableTag {
                reference: reference.into(),
            });
        }
        return Err(ImageError::Command {
            service: svc.into(),
            command: inv.display(),
            code: out.code,
            tail: out.tail(15),
        });
    }
    let digest = match sh.engine.kind {
        EngineKind::Docker => super::engine::parse_push_digest(&out.lines),
        EngineKind::Podman => std::fs::read_to_string(&digestfile)
            .ok()
            .map(|d| d.trim().to_string()),
    };
    digest
        .filter(|d| super::engine::is_digest(d))
        .ok_or_else(|| ImageError::NoDigest {
            service: svc.into(),
            reference: reference.into(),
        })
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
