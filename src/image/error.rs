//! Why an image could not be made: each error says which service, what failed, and
//! (for the user's own mistakes) what to do.

use super::context::HashError;
use crate::api::AwsError;
use std::path::PathBuf;

/// Why an image could not be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImageError {
    /// The engine's program is not installed.
    #[error("`{program}` was not found on PATH")]
    #[diagnostic(
        code(wharf::image::no_engine),
        help(
            "install Docker or podman; with podman, either run its docker-compatible socket (`podman system service --time=0 unix:///run/podman/podman.sock &` and DOCKER_HOST=unix:///run/podman/podman.sock) or set WHARF_CONTAINER_ENGINE=podman"
        )
    )]
    EngineMissing {
        /// `docker` or `podman`.
        program: String,
    },
    /// The engine does not answer.
    #[error("the container engine does not answer (`{command}`): {detail}")]
    #[diagnostic(
        code(wharf::image::engine_down),
        help(
            "start it: Docker Desktop, or `sudo systemctl start docker`; for podman, `podman system service --time=0 unix:///run/podman/podman.sock &` and DOCKER_HOST=unix:///run/podman/podman.sock, or WHARF_CONTAINER_ENGINE=podman"
        )
    )]
    EngineDown {
        /// What was run.
        command: String,
        /// What it said.
        detail: String,
    },
    /// The Dockerfile or context is missing.
    #[error("{service}: {what} {} does not exist", path.display())]
    #[diagnostic(
        code(wharf::image::missing_path),
        help(
            "paths in `image.build` (a sidecar's too) are relative to the workspace root (the directory holding wharf/ or copilot/)"
        )
    )]
    MissingPath {
        /// Service.
        service: String,
        /// `Dockerfile` or `build context`.
        what: &'static str,
        /// The path.
        path: PathBuf,
    },
    /// A build secret's variable is not set.
    #[error("{service}: build secret `{id}` needs the environment variable {id}, which is not set")]
    #[diagnostic(code(wharf::image::secret))]
    SecretMissing {
        /// Service.
        service: String,
        /// Secret id (and variable name).
        id: String,
    },
    /// `--secret` needs BuildKit, which this docker lacks.
    #[error("{service}: build secrets need BuildKit, and this docker CLI has no buildx plugin")]
    #[diagnostic(
        code(wharf::image::buildkit),
        help(
            "install the docker buildx plugin, or build with podman: WHARF_CONTAINER_ENGINE=podman"
        )
    )]
    NeedsBuildKit {
        /// Service.
        service: String,
    },
    /// The build inputs could not be read.
    #[error("{service}: {source}")]
    #[diagnostic(code(wharf::image::inputs))]
    Inputs {
        /// Service.
        service: String,
        /// Why.
        source: HashError,
    },
    /// An engine command failed.
    #[error("{service}: `{command}` failed ({}):\n{}", code.map_or("killed".to_string(), |c| format!("exit code {c}")), tail.join("\n"))]
    #[diagnostic(code(wharf::image::command))]
    Command {
        /// Service.
        service: String,
        /// The command line (no secrets in it).
        command: String,
        /// Exit code.
        code: Option<i32>,
        /// Its last lines.
        tail: Vec<String>,
    },
    /// A tag exists in a repository with immutable tags.
    #[error("{reference} already exists, and the repository's tags are immutable")]
    #[diagnostic(
        code(wharf::image::immutable_tag),
        help(
            "pass a new `--tag`, commit your changes (the default tag is the commit), or set `image.repository.immutable_tags: false`"
        )
    )]
    ImmutableTag {
        /// `uri:tag`.
        reference: String,
    },
    /// The tag an image would get is not an image tag.
    #[error("{service}: `{tag}` is not an image tag{}", if tag.len() > 128 { format!(" ({} characters, more than 128)", tag.len()) } else { String::new() })]
    #[diagnostic(
        code(wharf::image::bad_tag),
        help(
            "a tag is up to 128 letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`; a sidecar's images are tagged `<sidecar>-<tag>`, so pass a shorter `--tag`"
        )
    )]
    BadTag {
        /// Service, or `<service>/<sidecar>`.
        service: String,
        /// The tag.
        tag: String,
    },
    /// The push did not say which digest it pushed.
    #[error("{service}: pushing {reference} reported no digest")]
    #[diagnostic(code(wharf::image::no_digest))]
    NoDigest {
        /// Service.
        service: String,
        /// What was pushed.
        reference: String,
    },
    /// An AWS call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] AwsError),
    /// A local file could not be used.
    #[error("cannot {action}: {source}")]
    #[diagnostic(code(wharf::image::io))]
    Io {
        /// What.
        action: String,
        /// Why.
        source: std::io::Error,
    },
}

impl ImageError {
    /// Whether the user's input (manifest, environment) is at fault rather than a tool.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ImageError::MissingPath { .. }
                | ImageError::SecretMissing { .. }
                | ImageError::NeedsBuildKit { .. }
                | ImageError::ImmutableTag { .. }
                | ImageError::BadTag { .. }
        )
    }
}

/// Turns an I/O error into an [`ImageError`] saying what was being done.
pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> ImageError {
    let action = action.into();
    move |source| ImageError::Io { action, source }
}
