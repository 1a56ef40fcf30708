//! What to build for a service, read from its manifest: the main container's image and
//! each sidecar's built one, with paths resolved against the workspace root (the
//! directory holding `wharf/` or `copilot/`, as in Copilot), the Docker platform, the
//! repository and its settings. Pure: no I/O.

use super::context::BuildInputs;
use crate::manifest::common::{Arch, Platform};
use crate::manifest::service::{Build, RepositoryConfig, ServiceManifest};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a repository is kept (`image.repository` in the service manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepositorySettings {
    /// Scan each image for vulnerabilities when it is pushed.
    pub scan_on_push: bool,
    /// Refuse to move a tag to another image.
    pub immutable_tags: bool,
    /// Expire all but the newest this many images.
    pub keep_images: u32,
}

impl RepositorySettings {
    fn from_manifest(r: Option<&RepositoryConfig>) -> Self {
        let r = r.cloned().unwrap_or_default();
        RepositorySettings {
            scan_on_push: r.scan_on_push.is_none_or(|s| s.value),
            immutable_tags: r.immutable_tags.is_some_and(|s| s.value),
            keep_images: r
                .keep_images
                .map_or(RepositoryConfig::DEFAULT_KEEP_IMAGES, |k| k.value),
        }
    }
}

/// One image build: a service's main container, or one of its sidecars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// Service name.
    pub service: String,
    /// The sidecar whose image this is; `None` for the main container. A sidecar's
    /// images go to the service's repository, tagged `<sidecar>-<tag>` (as Copilot does).
    pub sidecar: Option<String>,
    /// ECR repository name, `<app>/<service>`; also the local image name.
    pub repository: String,
    /// Dockerfile.
    pub dockerfile: PathBuf,
    /// Build context directory.
    pub context: PathBuf,
    /// `--build-arg` values.
    pub args: BTreeMap<String, String>,
    /// Multi-stage target.
    pub target: Option<String>,
    /// `--cache-from` images.
    pub cache_from: Vec<String>,
    /// Docker platform, like `linux/arm64`.
    pub platform: String,
    /// Labels on the image.
    pub labels: BTreeMap<String, String>,
    /// Build secret ids, each read from the environment variable of that name.
    pub secrets: Vec<String>,
    /// Repository settings.
    pub settings: RepositorySettings,
}

/// Docker's name for a platform (`linux/amd64`, `linux/arm64`, `windows/amd64`).
pub fn docker_platform(p: Platform) -> String {
    let os = if p.os.is_windows() {
        "windows"
    } else {
        "linux"
    };
    let arch = match p.arch {
        Arch::X86_64 => "amd64",
        Arch::Arm64 => "arm64",
    };
    format!("{os}/{arch}")
}

/// The builds of service `m` of application `app`, with paths relative to `root`: the
/// main container's unless it runs an existing image (`image.location`), then those of
/// the sidecars with `image.build`, in name order. Empty when nothing is built.
pub fn build_specs(root: &Path, app: &str, m: &ServiceManifest) -> Vec<BuildSpec> {
    let main = match (&m.task.image.build, &m.task.image.location) {
        (Some(b), None) => Some(build_spec(root, app, m, &b.value, None)),
        _ => None,
    };
    let sidecars = m
        .built_sidecars()
        .into_iter()
        .map(|(n, b)| build_spec(root, app, m, b, Some(n)));
    main.into_iter().chain(sidecars).collect()
}

/// The build `build` of service `m`'s main container, or of its sidecar `sidecar`.
fn build_spec(
    root: &Path,
    app: &str,
    m: &ServiceManifest,
    build: &Build,
    sidecar: Option<&str>,
) -> BuildSpec {
    let (dockerfile, context, args) = match build {
        Build::Dockerfile(path) => {
            let dockerfile = root.join(path);
            let context = dockerfile.parent().unwrap_or(root).to_path_buf();
            (dockerfile, context, None)
        }
        // Copilot: the context defaults to the Dockerfile's directory, the Dockerfile to
        // `Dockerfile` in the context.
        Build::Args(a) => {
            let (dockerfile, context) = match (&a.dockerfile, &a.context) {
                (Some(d), Some(c)) => (root.join(&d.value), root.join(&c.value)),
                (Some(d), None) => {
                    let d = root.join(&d.value);
                    let c = d.parent().unwrap_or(root).to_path_buf();
                    (d, c)
                }
                (None, Some(c)) => (root.join(&c.value).join("Dockerfile"), root.join(&c.value)),
                (None, None) => (root.join("Dockerfile"), root.to_path_buf()),
            };
            (dockerfile, context, Some(a))
        }
    };
    let platform = m
        .task
        .platform
        .as_ref()
        .map_or(Platform::default(), |p| p.value);
    BuildSpec {
        service: m.name.value.clone(),
        sidecar: sidecar.map(str::to_string),
        repository: format!("{app}/{}", m.name.value),
        dockerfile,
        context,
        args: args
            .map(|a| {
                a.args
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.0.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        target: args.and_then(|a| a.target.as_ref().map(|t| t.value.clone())),
        cache_from: args
            .and_then(|a| a.cache_from.as_ref())
            .map(|c| c.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default(),
        platform: docker_platform(platform),
        labels: args
            .map(|a| {
                a.labels
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        secrets: args
            .and_then(|a| a.secrets.as_ref())
            .map(|s| s.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default(),
        settings: RepositorySettings::from_manifest(
            m.task.image.repository.as_ref().map(|r| &r.value),
        ),
    }
}

/// What an image is called in progress, errors and `build`/`push` output: `<service>`,
/// or `<service>/<sidecar>` for a sidecar's.
pub fn label(service: &str, sidecar: Option<&str>) -> String {
    match sidecar {
        Some(s) => format!("{service}/{s}"),
        None => service.to_string(),
    }
}

impl BuildSpec {
    /// What the build is called in progress and errors: `<service>`, or
    /// `<service>/<sidecar>` ([`label`]).
    pub fn label(&self) -> String {
        label(&self.service, self.sidecar.as_deref())
    }

    /// The tag of this build for `tag`: `tag` for the main container, `<sidecar>-<tag>`
    /// for a sidecar (one repository holds both).
    pub fn tag_for(&self, tag: &str) -> String {
        match &self.sidecar {
            Some(s) => format!("{s}-{tag}"),
            None => tag.to_string(),
        }
    }

    /// What the build-input hash covers. Labels count (they are part of the image);
    /// secrets and cache sources do not (they change how it is built, not what).
    pub fn inputs(&self) -> BuildInputs {
        let mut args = self.args.clone();
        for (k, v) in &self.labels {
            args.insert(format!("label:{k}"), v.clone());
        }
        BuildInputs {
            context: self.context.clone(),
            dockerfile: self.dockerfile.clone(),
            args,
            target: self.target.clone(),
            platform: self.platform.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::decode::{Cx, Decode};
    use crate::manifest::diag::Diagnostics;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml;

    fn manifest(image: &str) -> ServiceManifest {
        let text = format!("name: api\ntype: Backend Service\nimage:\n{image}");
        let mut map = SourceMap::new();
        let id = map.add("m.yml", text);
        let mut d = Diagnostics::new();
        let n = yaml::parse(id, map.file(id), &mut d).unwrap();
        let m = ServiceManifest::decode(&n, &mut Cx::new(&mut d)).unwrap();
        assert!(d.is_empty(), "{d:?}");
        m
    }

    fn spec(image: &str) -> BuildSpec {
        let mut s = build_specs(Path::new("/ws"), "shop", &manifest(image));
        assert_eq!(s.len(), 1);
        s.remove(0)
    }

    #[test]
    fn a_dockerfile_path_builds_in_its_directory() {
        let s = spec("  build: api/Dockerfile\n");
        assert_eq!(s.dockerfile, Path::new("/ws/api/Dockerfile"));
        assert_eq!(s.context, Path::new("/ws/api"));
        assert_eq!(s.repository, "shop/api");
        assert_eq!(s.platform, "linux/amd64");
        assert_eq!(
            s.settings,
            RepositorySettings {
                scan_on_push: true,
                immutable_tags: false,
                keep_images: 30
            }
        );
    }

    #[test]
    fn context_and_dockerfile_default_to_each_other() {
        let s = spec("  build:\n    context: svc\n");
        assert_eq!(
            (s.dockerfile.as_path(), s.context.as_path()),
            (Path::new("/ws/svc/Dockerfile"), Path::new("/ws/svc"))
        );
        let s = spec("  build:\n    dockerfile: build/Dockerfile.api\n");
        assert_eq!(s.context, Path::new("/ws/build"));
        let s = spec("  build:\n    dockerfile: build/Dockerfile\n    context: .\n");
        assert_eq!(
            (s.dockerfile.as_path(), s.context.as_path()),
            (Path::new("/ws/build/Dockerfile"), Path::new("/ws/."))
        );
    }

    #[test]
    fn every_build_option_is_carried() {
        let s = spec(
            "  build:\n    dockerfile: Dockerfile\n    args: {VERSION: 2}\n    target: runtime\n    cache_from: [shop/api:cache]\n    labels: {team: a}\n    secrets: [NPM_TOKEN]\n  repository: {scan_on_push: false, immutable_tags: true, keep_images: 5}\nplatform: linux/arm64\n",
        );
        assert_eq!(s.args["VERSION"], "2");
        assert_eq!(s.target.as_deref(), Some("runtime"));
        assert_eq!(s.cache_from, ["shop/api:cache"]);
        assert_eq!(s.labels["team"], "a");
        assert_eq!(s.secrets, ["NPM_TOKEN"]);
        assert_eq!(s.platform, "linux/arm64");
        assert_eq!(
            s.settings,
            RepositorySettings {
                scan_on_push: false,
                immutable_tags: true,
                keep_images: 5
            }
        );
        let inputs = s.inputs();
        assert_eq!(inputs.args["label:team"], "a");
        assert_eq!(inputs.platform, "linux/arm64");
    }

    #[test]
    fn an_existing_image_has_no_build() {
        let m = manifest("  location: nginx\n");
        assert_eq!(build_specs(Path::new("/ws"), "shop", &m), []);
    }

    #[test]
    fn built_sidecars_follow_the_main_image_in_name_order() {
        let m = manifest(
            "  location: nginx\n  repository: {keep_images: 7}\nplatform: linux/arm64\nsidecars:\n  zeta:\n    image:\n      build: z/Dockerfile\n  proxy:\n    image: envoy\n  alpha:\n    image:\n      build:\n        context: a\n        args: {X: 1}\n",
        );
        let specs = build_specs(Path::new("/ws"), "shop", &m);
        let got: Vec<_> = specs
            .iter()
            .map(|s| (s.label(), s.repository.as_str(), s.tag_for("v1")))
            .collect();
        assert_eq!(
            got,
            [
                ("api/alpha".to_string(), "shop/api", "alpha-v1".to_string()),
                ("api/zeta".to_string(), "shop/api", "zeta-v1".to_string()),
            ]
        );
        assert_eq!(specs[0].dockerfile, Path::new("/ws/a/Dockerfile"));
        assert_eq!(specs[0].args["X"], "1");
        assert_eq!(specs[1].context, Path::new("/ws/z"));
        // The service's platform and repository settings apply to its sidecars.
        assert!(specs.iter().all(|s| s.platform == "linux/arm64"));
        assert!(specs.iter().all(|s| s.settings.keep_images == 7));
        let m =
            manifest("  build: Dockerfile\nsidecars:\n  s:\n    image: {build: s/Dockerfile}\n");
        let labels: Vec<_> = build_specs(Path::new("/ws"), "shop", &m)
            .iter()
            .map(|s| (s.label(), s.tag_for("abc")))
            .collect();
        assert_eq!(
            labels,
            [
                ("api".to_string(), "abc".to_string()),
                ("api/s".to_string(), "s-abc".to_string())
            ]
        );
    }
}
