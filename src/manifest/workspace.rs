//! Finding and reading a workspace: `wharf/` (or a Copilot `copilot/` directory) with an
//! application manifest, environment manifests and service manifests.
//!
//! Reading files is the only I/O here. Everything read is registered in one
//! [`SourceMap`] and every problem lands in one [`Diagnostics`] list, so a single run
//! reports all of them. [`Workspace::service`] gives a service manifest as it is for one
//! environment: overrides merged, variables substituted, decoded and validated.

use super::app::{AppManifest, decode_copilot_workspace};
use super::decode::{Cx, Decode, KeyIndex, Spanned};
use super::diag::{Code, Diagnostic, Diagnostics};
use super::environment::EnvManifest;
use super::files::{Disk, Files, add_manifest};
use super::interpolate::interpolate;
use super::limits::MAX_OVERRIDE_ENVIRONMENTS;
use super::overrides;
use super::patches::{self, Patch};
use super::service::ServiceManifest;
use super::source::{SourceMap, Span};
use super::validate;
use super::yaml::{self, Node};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Looks up a process environment variable (injected so loading stays testable).
pub type VarLookup = Box<dyn Fn(&str) -> Option<String>>;

/// Which tool's layout the workspace uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavor {
    /// `wharf/` with `wharf/app.yml`.
    Wharf,
    /// A Copilot `copilot/` directory with `copilot/.workspace`.
    Copilot,
}

impl Flavor {
    /// Prefix of the variables wharf sets in containers and for interpolation.
    pub fn var_prefix(self) -> &'static str {
        match self {
            Flavor::Wharf => "WHARF",
            Flavor::Copilot => "COPILOT",
        }
    }
}

/// Directory names under the workspace that are not services.
const NOT_SERVICES: &[&str] = &["environments", "pipelines"];

/// Where a workspace is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The `wharf/` or `copilot/` directory.
    pub dir: PathBuf,
    /// Its layout.
    pub flavor: Flavor,
}

/// Looks for `wharf/` from `start` upward; failing that, for a Copilot `copilot/.workspace`.
/// Anything named `app.yml` (or `.workspace`) counts, even a directory: loading then
/// reports that it cannot be read instead of looking elsewhere.
pub fn find(start: &Path) -> Option<Location> {
    for dir in start.ancestors() {
        let w = dir.join("wharf");
        if Disk.exists(&w.join("app.yml")) {
            return Some(Location {
                dir: w,
                flavor: Flavor::Wharf,
            });
        }
    }
    for dir in start.ancestors() {
        let c = dir.join("copilot");
        if Disk.exists(&c.join(".workspace")) {
            return Some(Location {
                dir: c,
                flavor: Flavor::Copilot,
            });
        }
    }
    None
}

/// A service manifest file, split into its base and override blocks.
#[derive(Debug, Clone)]
struct ServiceDoc {
    base: Node,
    overrides: BTreeMap<String, Node>,
    /// `overrides/cfn.patches.yml`, when the workload has one.
    patches: Vec<Patch>,
    /// `addons/`, merged, when the workload has it.
    addons: Option<std::sync::Arc<super::addons::Addons>>,
}

/// A loaded workspace.
pub struct Workspace {
    /// Where it is.
    pub location: Location,
    /// Every file read.
    pub sources: SourceMap,
    /// Every problem found so far.
    pub diags: Diagnostics,
    /// The application (from `app.yml`, or synthesized from Copilot's `.workspace`).
    pub app: Option<AppManifest>,
    envs: BTreeMap<String, Option<EnvManifest>>,
    services: BTreeMap<String, Option<ServiceDoc>>,
    vars: VarLookup,
    keys: Box<dyn KeyIndex>,
    /// Service manifests decoded and validated so far.
    checks: usize,
    /// While one service is checked for several environments ([`Self::validate_all`]):
    /// its problems per environment, merged when done.
    collecting: Option<Vec<Diagnostics>>,
    /// The environments' addons (`environments/addons/`), merged: a nested stack of
    /// every environment's stack.
    pub env_addons: Option<std::sync::Arc<super::addons::Addons>>,
}

/// Display path: relative to `cwd` when below it.
fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// The subdirectories of `dir` that hold a `manifest.yml`: anything by that name, so a
/// manifest that is a directory or a dangling link is reported, not skipped. A name
/// that is not UTF-8 cannot name a service or an environment; those are reported into
/// `diags` with the manifest's path.
fn subdirs_with_manifest(
    files: &dyn Files,
    dir: &Path,
    cwd: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut names = Vec::new();
    for entry in files.entries(dir) {
        let manifest = dir.join(&entry).join("manifest.yml");
        if !files.exists(&manifest) {
            continue;
        }
        match entry.into_string() {
            Ok(n) if n.starts_with('.') || NOT_SERVICES.contains(&n.as_str()) => {}
            Ok(n) => names.push(n),
            Err(raw) => {
                let shown = display_path(&manifest, cwd);
                let message = format!(
                    "cannot use {}: the directory name `{}` is not valid UTF-8",
                    shown.display(),
                    raw.to_string_lossy()
                );
                let file = sources.add(shown, String::new());
                diags.push(
                    Diagnostic::error(Code::Encoding, message)
                        .at(Span::point(file, 0))
                        .help(
                            "services and environments are named after their directory; rename it",
                        ),
                );
            }
        }
    }
    names.sort();
    names
}

impl Workspace {
    /// Reads every manifest of the workspace at `location`. `vars` looks up process
    /// environment variables for `${VAR}`; `cwd` shortens displayed paths.
    pub fn load(location: Location, cwd: &Path, vars: VarLookup, keys: Box<dyn KeyIndex>) -> Self {
        Self::load_from(&Disk, location, cwd, vars, keys)
    }

    /// [`Workspace::load`] from any [`Files`], such as [`MemFiles`](super::files::MemFiles)
    /// (tests and the fuzz target load whole workspaces without a disk this way).
    pub fn load_from(
        files: &dyn Files,
        location: Location,
        cwd: &Path,
        vars: VarLookup,
        keys: Box<dyn KeyIndex>,
    ) -> Self {
        let mut ws = Workspace {
            location: location.clone(),
            sources: SourceMap::new(),
            diags: Diagnostics::new(),
            app: None,
            envs: BTreeMap::new(),
            services: BTreeMap::new(),
            vars,
            keys,
            checks: 0,
            collecting: None,
            env_addons: None,
        };
        ws.app = ws.load_app(files, cwd);
        ws.env_addons = ws.read_addons(
            files,
            "",
            &location.dir.join("environments").join("addons"),
            cwd,
        );
        let env_dir = location.dir.join("environments");
        let env_names = subdirs_with_manifest(files, &env_dir, cwd, &mut ws.sources, &mut ws.diags);
        // Every environment's name is known before any is read (an application's domain
        // keeps each environment's zone name to it).
        for env in &env_names {
            ws.envs.insert(env.clone(), None);
        }
        for env in env_names {
            let path = location
                .dir
                .join("environments")
                .join(&env)
                .join("manifest.yml");
            let m = ws
                .read(files, &path, cwd)
                .and_then(|node| ws.decode_env(&env, node));
            ws.envs.insert(env, m);
        }
        for svc in subdirs_with_manifest(files, &location.dir, cwd, &mut ws.sources, &mut ws.diags)
        {
            let dir = location.dir.join(&svc);
            let addons = ws.read_addons(files, &svc, &dir.join("addons"), cwd);
            let patches = ws.read_patches(files, &svc, &dir.join("overrides"), cwd);
            let doc = ws.read(files, &dir.join("manifest.yml"), cwd).map(|node| {
                let (base, envs) = overrides::split(&node);
                let mut over = BTreeMap::new();
                if let Some(envs) = envs {
                    ws.collect_overrides(&envs, &mut over);
                }
                ServiceDoc {
                    base,
                    overrides: over,
                    patches,
                    addons,
                }
            });
            ws.services.insert(svc, doc);
        }
        ws
    }

    fn collect_overrides(&mut self, envs: &Node, out: &mut BTreeMap<String, Node>) {
        let Some(entries) = envs.as_map() else {
            if !envs.is_null() {
                self.diags.push(Diagnostic::error(Code::InvalidType, format!("`environments` must be a mapping of environment names to overrides, found {}", envs.describe())).at(envs.span).path("environments"));
            }
            return;
        };
        if let Some(e) = entries.get(MAX_OVERRIDE_ENVIRONMENTS) {
            self.diags.push(
                Diagnostic::error(
                    Code::Limit,
                    format!("`environments` overrides more than {MAX_OVERRIDE_ENVIRONMENTS} environments, the limit for a service manifest"),
                )
                .at(e.key_span)
                .label("limit reached here")
                .path(format!("environments.{}", e.key))
                .help(format!("the service is checked for each environment it overrides; only the first {MAX_OVERRIDE_ENVIRONMENTS} are checked")),
            );
        }
        for e in entries.iter().take(MAX_OVERRIDE_ENVIRONMENTS) {
            if e.value.is_null() || e.value.as_map().is_some() {
                out.insert(e.key.clone(), e.value.clone());
            } else {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        format!(
                            "`environments.{}` must be a mapping of overrides, found {}",
                            e.key,
                            e.value.describe()
                        ),
                    )
                    .at(e.value.span)
                    .path(format!("environments.{}", e.key)),
                );
            }
            for key in ["name", "type", "environments"] {
                if let Some(n) = e.value.get(key) {
                    self.diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("`{key}` cannot be overridden per environment"),
                        )
                        .at(n.span)
                        .path(format!("environments.{}.{key}", e.key)),
                    );
                }
            }
        }
    }

    /// The YAML patches in a workload's `overrides/` directory (none without the
    /// directory or its `cfn.patches.yml`, or when the file holds only comments). A
    /// CDK override (`cdk.json`) is refused: wharf runs no Node.js toolchain.
    /// The workload's `addons/` directory merged ([`super::addons::merge`]), or with
    /// `svc` empty the environments' (`environments/addons/`); `None` without one, or
    /// with errors (reported).
    fn read_addons(
        &mut self,
        files: &dyn Files,
        svc: &str,
        dir: &Path,
        cwd: &Path,
    ) -> Option<std::sync::Arc<super::addons::Addons>> {
        use super::addons::{MAX_FILES, PARAMETERS_FILE, merge};
        if !files.is_dir(dir) {
            return None;
        }
        let mut names: Vec<String> = files
            .entries(dir)
            .into_iter()
            .filter_map(|n| n.into_string().ok())
            .filter(|n| (n.ends_with(".yml") || n.ends_with(".yaml")) && n != PARAMETERS_FILE)
            .collect();
        names.sort();
        if names.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("service `{svc}`'s `addons/` has no template (`*.yml`)"),
                )
                .path(display_path(dir, cwd).display().to_string()),
            );
            return None;
        }
        if names.len() > MAX_FILES {
            self.diags.push(
                Diagnostic::error(Code::Limit, format!("service `{svc}`'s `addons/` has {} templates; wharf reads at most {MAX_FILES}", names.len()))
                    .path(display_path(dir, cwd).display().to_string()),
            );
            return None;
        }
        let templates: Vec<Node> = names
            .iter()
            .filter_map(|n| self.read(files, &dir.join(n), cwd))
            .collect();
        if templates.len() != names.len() {
            return None;
        }
        let params_path = dir.join(PARAMETERS_FILE);
        let params = if files.exists(&params_path) {
            Some(self.read(files, &params_path, cwd)?)
        } else {
            None
        };
        let mut d = Diagnostics::new();
        let reserved: &[&str] = if svc.is_empty() {
            &super::addons::ENV_RESERVED
        } else {
            &super::addons::RESERVED
        };
        let merged = merge(&templates, params.as_ref(), reserved, &mut d);
        self.diags.extend(d);
        merged.map(std::sync::Arc::new)
    }

    fn read_patches(&mut self, files: &dyn Files, svc: &str, dir: &Path, cwd: &Path) -> Vec<Patch> {
        if !files.is_dir(dir) {
            return Vec::new();
        }
        if files.exists(&dir.join("cdk.json")) {
            self.diags.push(
                Diagnostic::error(Code::Unsupported, format!("service `{svc}` has CDK overrides (`overrides/cdk.json`), which wharf does not run"))
                    .path(display_path(&dir.join("cdk.json"), cwd).display().to_string())
                    .help("wharf applies YAML patches (`overrides/cfn.patches.yml`) and `taskdef_overrides`, not a CDK app; `wharf svc package` shows the template to write the patches against"),
            );
            return Vec::new();
        }
        let path = dir.join(patches::FILE_NAME);
        if !files.exists(&path) {
            return Vec::new();
        }
        let shown = display_path(&path, cwd);
        let Some(file) = add_manifest(&mut self.sources, &mut self.diags, shown, files.read(&path))
        else {
            return Vec::new();
        };
        let Some(node) = yaml::parse(file, self.sources.file(file), &mut self.diags) else {
            return Vec::new();
        };
        let mut d = Diagnostics::new();
        let out = patches::decode_file(&node, &mut Cx::new(&mut d)).unwrap_or_default();
        self.diags.extend(d);
        out
    }

    fn read(&mut self, files: &dyn Files, path: &Path, cwd: &Path) -> Option<Node> {
        let shown = display_path(path, cwd);
        let file = add_manifest(&mut self.sources, &mut self.diags, shown, files.read(path))?;
        let errors_before = self.diags.error_count();
        let node = yaml::parse(file, self.sources.file(file), &mut self.diags);
        if node.is_none() && self.diags.error_count() == errors_before {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("{} is empty", self.sources.path(file).display()),
                )
                .at(Span::point(file, 0)),
            );
        }
        node
    }

    fn load_app(&mut self, files: &dyn Files, cwd: &Path) -> Option<AppManifest> {
        match self.location.flavor {
            Flavor::Wharf => {
                let mut node = self.read(files, &self.location.dir.join("app.yml"), cwd)?;
                let lookup = |k: &str| (self.vars)(k);
                interpolate(&mut node, &lookup, &mut self.diags);
                let mut d = Diagnostics::new();
                let app = AppManifest::decode(
                    &node,
                    &mut Cx::new(&mut d).with_key_index(self.keys.as_ref()),
                );
                if let Some(a) = &app {
                    validate::validate_app(a, &mut d);
                }
                self.diags.extend(d);
                app
            }
            Flavor::Copilot => {
                let node = self.read(files, &self.location.dir.join(".workspace"), cwd)?;
                let mut d = Diagnostics::new();
                let decoded = decode_copilot_workspace(&node, &mut Cx::new(&mut d));
                let app = decoded.map(|(name, domain)| AppManifest {
                    name,
                    domain,
                    tags: Default::default(),
                    permissions_boundary: None,
                    region: None,
                });
                if let Some(domain) = app.as_ref().and_then(|a| a.domain.as_ref()) {
                    validate::validate_app_domain(domain, &mut d);
                }
                self.diags.extend(d);
                app
            }
        }
    }

    fn lookup_for(&self, env: Option<&str>) -> impl Fn(&str) -> Option<String> + '_ {
        let app = self.app.as_ref().map(|a| a.name.value.clone());
        let env = env.map(str::to_string);
        let copilot = self.location.flavor == Flavor::Copilot;
        move |k: &str| {
            // Without an environment (checking the manifest on its own) the environment
            // name stays as written.
            let builtin = |suffix: &str| match suffix {
                "APPLICATION_NAME" => app.clone(),
                "ENVIRONMENT_NAME" => Some(env.clone().unwrap_or_else(|| format!("${{{k}}}"))),
                _ => None,
            };
            if let Some(s) = k.strip_prefix("WHARF_")
                && let Some(v) = builtin(s)
            {
                return Some(v);
            }
            if copilot
                && let Some(s) = k.strip_prefix("COPILOT_")
                && let Some(v) = builtin(s)
            {
                return Some(v);
            }
            (self.vars)(k)
        }
    }

    fn decode_env(&mut self, dir_name: &str, mut node: Node) -> Option<EnvManifest> {
        let mut d = Diagnostics::new();
        interpolate(&mut node, &self.lookup_for(Some(dir_name)), &mut d);
        let m = EnvManifest::decode(
            &node,
            &mut Cx::new(&mut d).with_key_index(self.keys.as_ref()),
        );
        let m = m.map(|m| EnvManifest {
            addons: self.env_addons.clone(),
            app_domain: self.app.as_ref().and_then(|a| {
                Some(crate::manifest::environment::AppDomain {
                    app: a.name.value.clone(),
                    domain: a.domain.as_ref()?.value.to_ascii_lowercase(),
                    envs: self.envs.keys().cloned().collect(),
                })
            }),
            ..m
        });
        if let Some(m) = &m {
            validate::validate_env(m, &mut d);
            name_matches_dir(&m.name, dir_name, "environment", &mut d);
        }
        self.diags.extend(d);
        m
    }

    /// Names of the environments, sorted.
    pub fn env_names(&self) -> Vec<String> {
        self.envs.keys().cloned().collect()
    }

    /// Names of the services, sorted.
    pub fn service_names(&self) -> Vec<String> {
        self.services.keys().cloned().collect()
    }

    /// The environment manifest, if it exists and could be read.
    pub fn env(&self, name: &str) -> Option<&EnvManifest> {
        self.envs.get(name).and_then(Option::as_ref)
    }

    /// Whether an environment directory exists (even if its manifest is broken).
    pub fn has_env(&self, name: &str) -> bool {
        self.envs.contains_key(name)
    }

    /// Whether a service directory exists.
    pub fn has_service(&self, name: &str) -> bool {
        self.services.contains_key(name)
    }

    /// Environment names a service's `environments:` block mentions.
    pub fn override_envs(&self, service: &str) -> Vec<String> {
        self.services
            .get(service)
            .and_then(Option::as_ref)
            .map(|d| d.overrides.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The `type:` a service manifest declares, as written (for listings).
    pub fn service_type(&self, service: &str) -> Option<String> {
        self.services
            .get(service)?
            .as_ref()?
            .base
            .get("type")?
            .as_str()
            .map(str::to_string)
    }

    /// A service manifest as it is for `env` (or with no overrides when `None`):
    /// overrides merged, variables substituted, decoded, validated. Problems go to
    /// [`Workspace::diags`]; `None` when it cannot be used.
    pub fn service(&mut self, name: &str, env: Option<&str>) -> Option<ServiceManifest> {
        let doc = self.services.get(name)?.as_ref()?;
        let over = env.and_then(|e| Some((e, doc.overrides.get(e)?)));
        let over_span = over.map(|(e, o)| (e, o.span));
        let patches = doc.patches.clone();
        let addons = doc.addons.clone();
        let mut node = match over {
            Some((_, o)) => overrides::merge(&doc.base, o),
            None => doc.base.clone(),
        };
        self.checks += 1;
        let mut d = Diagnostics::new();
        interpolate(&mut node, &self.lookup_for(env), &mut d);
        let m = ServiceManifest::decode(
            &node,
            &mut Cx::new(&mut d).with_key_index(self.keys.as_ref()),
        )
        .map(|m| ServiceManifest {
            patches,
            addons,
            ..m
        });
        if let Some(m) = &m {
            validate::validate_service(m, env.and_then(|e| self.env(e)), &mut d);
            name_matches_dir(&m.name, name, "service", &mut d);
        }
        // Problems in the override block are named by their place in the file.
        if let Some((e, span)) = over_span {
            d = d.prefixed_within(span, &format!("environments.{e}."));
        }
        // And every problem of an environment's effective manifest by the environment.
        if let Some(e) = env {
            d = d.in_environment(e);
        }
        let failed = d.has_errors();
        match &mut self.collecting {
            Some(per_env) => per_env.push(d),
            None => self.diags.extend(d),
        }
        m.filter(|_| !failed)
    }

    /// Service `name` as its manifest says without any environment's overrides, decoded
    /// but not checked, its problems not kept: what `wharf build` without `--env` builds
    /// from, while the manifest is checked as each environment has it
    /// ([`Workspace::validate_all`]). `None` when it cannot be decoded.
    pub fn service_unchecked(&mut self, name: &str) -> Option<ServiceManifest> {
        let doc = self.services.get(name)?.as_ref()?;
        let mut node = doc.base.clone();
        let patches = doc.patches.clone();
        let addons = doc.addons.clone();
        let mut d = Diagnostics::new();
        interpolate(&mut node, &self.lookup_for(None), &mut d);
        ServiceManifest::decode(
            &node,
            &mut Cx::new(&mut d).with_key_index(self.keys.as_ref()),
        )
        .map(|m| ServiceManifest {
            patches,
            addons,
            ..m
        })
    }

    /// The workspace's root: the directory holding `wharf/` or `copilot/`, which
    /// `env_file` paths are relative to.
    pub fn root(&self) -> &Path {
        self.location.dir.parent().unwrap_or(&self.location.dir)
    }

    /// Reads and checks `m`'s environment files from disk; problems go to
    /// [`Workspace::diags`], and `None` when there is one.
    pub fn env_files(&mut self, m: &ServiceManifest) -> Option<Vec<super::env_file::EnvFile>> {
        let root = self.root().to_path_buf();
        super::env_file::read_all(&Disk, &root, m, &mut self.sources, &mut self.diags)
    }

    /// Problems found later in service `name` as it is for `env` (when compiling its
    /// template), with paths inside its `environments.<env>` block named as such.
    pub fn in_override_block(&self, name: &str, env: &str, d: Diagnostics) -> Diagnostics {
        match self
            .services
            .get(name)
            .and_then(Option::as_ref)
            .and_then(|doc| doc.overrides.get(env))
        {
            Some(block) => d.prefixed_within(block.span, &format!("environments.{env}.")),
            None => d,
        }
    }

    /// How many times a service manifest has been decoded and validated: once per
    /// service and environment checked, which the limits keep in proportion to the input.
    pub fn service_checks(&self) -> usize {
        self.checks
    }

    /// Checks every manifest for every environment: each service with no overrides, for
    /// each workspace environment, and for each environment its override block names.
    /// Returns the services that passed, as they are in each workspace environment.
    pub fn validate_all(
        &mut self,
        only_env: Option<&str>,
    ) -> BTreeMap<String, Vec<ServiceManifest>> {
        let envs: Vec<String> = match only_env {
            Some(e) => vec![e.to_string()],
            None => self.env_names(),
        };
        let mut by_env: BTreeMap<String, Vec<ServiceManifest>> = BTreeMap::new();
        for svc in self.service_names() {
            if only_env.is_none() && envs.is_empty() {
                self.service(&svc, None);
            }
            let mut targets = envs.clone();
            if only_env.is_none() {
                // Sorted and distinct already; those not in the workspace come after.
                targets.extend(
                    self.override_envs(&svc)
                        .into_iter()
                        .filter(|e| !self.envs.contains_key(e)),
                );
            }
            self.collecting = Some(Vec::new());
            for e in &targets {
                if let Some(m) = self.service(&svc, Some(e))
                    && envs.contains(e)
                {
                    by_env.entry(e.clone()).or_default().push(m);
                }
            }
            let per_env = self.collecting.take().unwrap_or_default();
            self.diags
                .extend(Diagnostics::merge_environments(per_env, &targets));
            self.warn_unknown_override_envs(&svc);
        }
        // DNS names and routes claimed twice, across services and environments.
        let app = self
            .app
            .as_ref()
            .map(|a| a.name.value.clone())
            .unwrap_or_default();
        let with_envs: Vec<(&EnvManifest, &[ServiceManifest])> = by_env
            .iter()
            .filter_map(|(e, s)| Some((self.env(e)?, s.as_slice())))
            .collect();
        let shared = super::validate::http::shared_names(&with_envs, &app);
        for d in shared {
            self.diags.push(d);
        }
        // Subscriptions to topics no workload of the workspace publishes, per
        // environment (overrides may change either side).
        for (env, services) in &by_env {
            if let Some(e) = self.env(env) {
                let mut found = super::validate::http::alb_quota(e, services);
                found.extend(super::validate::http::domain_limits(e, services));
                found.extend(super::validate::http::cdn_certificate_limit(e, services));
                found.extend(super::validate::http::cdn_notes(e, services));
                found.extend(super::validate::http::public_settings_unused(e, services));
                for d in found {
                    self.diags.push(d);
                }
            }
            for u in super::validate::messaging::unpublished(services) {
                self.diags.push(u.diagnostic);
            }
            for d in super::validate::messaging::subscription_cycles(services) {
                self.diags.push(d);
            }
        }
        by_env
    }

    fn warn_unknown_override_envs(&mut self, svc: &str) {
        let Some(Some(doc)) = self.services.get(svc) else {
            return;
        };
        let unknown: Vec<(String, crate::manifest::source::Span)> = doc
            .overrides
            .iter()
            .filter(|(e, _)| !self.envs.contains_key(*e))
            .map(|(e, n)| (e.clone(), n.span))
            .collect();
        let known = self.env_names();
        let list = if known.is_empty() {
            "none yet".to_string()
        } else {
            known.join(", ")
        };
        for (e, span) in unknown {
            self.diags.push(
                Diagnostic::warning(Code::Reference, format!("`environments.{e}` overrides an environment this workspace does not have"))
                    .at(span)
                    .path(format!("environments.{e}"))
                    .help(format!("workspace environments: {list}; create it with `wharf env init -n {e}` or remove the block")),
            );
        }
    }
}

/// A manifest's `name` must be its directory's name: commands find a service or
/// environment by its directory, and its stack is named after `name`, so a rename in
/// the manifest alone would create a second stack that no command reaches.
fn name_matches_dir(name: &Spanned<String>, dir: &str, what: &str, d: &mut Diagnostics) {
    if name.value != dir {
        d.push(
            Diagnostic::error(Code::InvalidValue, format!("{what} `{}` is in directory `{dir}`; the two must be the same", name.value))
                .at(name.span)
                .path("name")
                .help(format!("commands find the {what} by its directory and name its stack after `name`: set `name: {dir}`, or rename the directory (to rename a deployed {what}, delete it under its old name first)")),
        );
    }
}
