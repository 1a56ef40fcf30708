//! `sidecars` (containers beside the main one), `image.depends_on` (start order) and
//! `image.credentials` (a private registry's credentials), with Copilot's field names and
//! meaning (<https://aws.github.io/copilot-cli/docs/developing/sidecars/>). Decoding
//! only; references between containers are checked in `validate/containers.rs`.

use super::{Build, ContainerHealthCheck, Secret, Variable};
use crate::manifest::common::Command;
use crate::manifest::decode::{Cx, Decode, Fields, Keyed, Spanned};
use crate::manifest::yaml::{Node, Value};
use schemars::JsonSchema;

/// A sidecar container.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The image: a URI (a public image, or one in any registry), `{location: URI}`, or
    /// `{build: …}` to build it like the main container's.
    pub image: Option<Spanned<SidecarImage>>,
    /// Port the container listens on: `8080`, or `8080/tcp`, `53/udp`.
    pub port: Option<Spanned<SidecarPort>>,
    /// Whether the task stops when this container stops. Default true.
    pub essential: Option<Spanned<bool>>,
    /// Secrets Manager ARN of the private registry's credentials.
    pub credentials: Option<Spanned<String>>,
    /// Environment variables.
    #[serde(default)]
    pub variables: Keyed<Spanned<Variable>>,
    /// Secrets injected as environment variables.
    #[serde(default)]
    pub secrets: Keyed<Spanned<Secret>>,
    /// Overrides the image's ENTRYPOINT.
    pub entrypoint: Option<Spanned<Command>>,
    /// Overrides the image's CMD.
    pub command: Option<Spanned<Command>>,
    /// Container health check.
    pub healthcheck: Option<Spanned<ContainerHealthCheck>>,
    /// Containers this one starts after: name → `start`, `complete`, `success` or
    /// `healthy`.
    #[serde(default)]
    pub depends_on: Keyed<Spanned<DependsOn>>,
    /// Docker labels.
    #[serde(default)]
    pub labels: Keyed<Spanned<String>>,
    /// Volumes of the task it mounts.
    #[serde(default)]
    pub mount_points: Vec<Spanned<super::MountPoint>>,
    /// A `.env` file (relative to the workspace's root) of variables, uploaded at deploy.
    pub env_file: Option<Spanned<String>>,
}

/// A sidecar's image: one that exists, or one wharf builds and pushes to the service's
/// ECR repository with the sidecar's name before the tag (`<sidecar>-<tag>`, as Copilot
/// tags them).
#[derive(Debug, Clone, PartialEq)]
pub enum SidecarImage {
    /// An existing image's URI (`image: URI` or `image: {location: URI}`).
    Location(String),
    /// An image to build (`image: {build: …}`), with `image.build`'s fields.
    Build(Spanned<Build>),
}

impl SidecarImage {
    /// The URI of an existing image.
    pub fn location(&self) -> Option<&str> {
        match self {
            SidecarImage::Location(l) => Some(l),
            SidecarImage::Build(_) => None,
        }
    }

    /// The build, for an image wharf builds.
    pub fn build(&self) -> Option<&Spanned<Build>> {
        match self {
            SidecarImage::Build(b) => Some(b),
            SidecarImage::Location(_) => None,
        }
    }
}

impl JsonSchema for SidecarImage {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SidecarImage".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let build = g.subschema_for::<Build>();
        schemars::json_schema!({
            "description": "The image: a URI, `{location: URI}`, or `{build: …}` (a Dockerfile path, or build arguments) to build it.",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"location": {"type": "string"}},
                    "required": ["location"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {"build": build},
                    "required": ["build"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl Decode for SidecarImage {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(_) => {}
            Value::Scalar(_) => return String::decode(node, cx).map(SidecarImage::Location),
            _ => {
                cx.type_error(
                    node,
                    "an image URI, or a mapping with `build` or `location`",
                );
                return None;
            }
        }
        let mut f = Fields::new(node, cx, "sidecar image")?;
        let build: Option<Spanned<Build>> = f.opt(cx, "build");
        let location: Option<Spanned<String>> = f.opt(cx, "location");
        f.finish(cx);
        match (build, location) {
            (Some(b), None) => Some(SidecarImage::Build(b)),
            (None, Some(l)) => Some(SidecarImage::Location(l.value)),
            (Some(_), Some(l)) => {
                let path = cx.path();
                let d = crate::manifest::diag::Diagnostic::error(
                    crate::manifest::diag::Code::MutuallyExclusive,
                    format!("`{path}.build` and `{path}.location` cannot both be set"),
                )
                .at(l.span)
                .help("build an image from a Dockerfile, or use an existing one, not both")
                .path(format!("{path}.location"));
                cx.report(d);
                None
            }
            // Other keys were reported as unknown, or failed to read.
            (None, None) if !matches!(&node.value, Value::Map(e) if e.is_empty()) => None,
            (None, None) => {
                let path = cx.path();
                cx.error(
                    crate::manifest::diag::Code::MissingField,
                    node.span,
                    format!("`{path}` needs either `build` or `location`"),
                );
                None
            }
        }
    }
}

/// A sidecar's port and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidecarPort {
    /// The port, 1 to 65535.
    pub port: u16,
    /// `tcp` (default) or `udp`.
    pub udp: bool,
}

impl JsonSchema for SidecarPort {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SidecarPort".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port, `8080`, or a port and protocol, `8080/tcp`, `53/udp`.",
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 65535},
                {"type": "string", "pattern": "^[0-9]+(/(tcp|udp|TCP|UDP))?$"}
            ]
        })
    }
}

/// When a container may start, relative to another (ECS's `dependsOn` condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DependsOn {
    /// Once the other container has started.
    Start,
    /// Once it has run to completion (any exit code); not for an essential container.
    Complete,
    /// Once it has exited 0; not for an essential container.
    Success,
    /// Once its health check passes; it needs a health check.
    Healthy,
}

impl DependsOn {
    /// ECS's spelling (`START`, …).
    pub fn as_ecs(self) -> &'static str {
        match self {
            DependsOn::Start => "START",
            DependsOn::Complete => "COMPLETE",
            DependsOn::Success => "SUCCESS",
            DependsOn::Healthy => "HEALTHY",
        }
    }
}

impl Decode for DependsOn {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let s = crate::manifest::common::decode_choice(
            node,
            cx,
            &["start", "complete", "success", "healthy"],
        )?;
        Some(match *s {
            "start" => DependsOn::Start,
            "complete" => DependsOn::Complete,
            "success" => DependsOn::Success,
            _ => DependsOn::Healthy,
        })
    }
}

impl Decode for SidecarPort {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Scalar(s) if !node.is_null() => s.text.clone(),
            _ => {
                cx.type_error(node, "a port like `8080` or `8080/tcp`");
                return None;
            }
        };
        let (port, proto) = text.split_once('/').unwrap_or((text.as_str(), "tcp"));
        let udp = match proto.to_ascii_lowercase().as_str() {
            "tcp" => false,
            "udp" => true,
            _ => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!("`{path}`: `{proto}` is not a protocol"),
                    Some("write `tcp` or `udp`, like `8080/tcp`".into()),
                );
                return None;
            }
        };
        port_number(node, cx, port).map(|port| SidecarPort { port, udp })
    }
}

/// The port of a `<port>/<protocol>` text (sidecars' and `nlb`'s ports): 1 to 65535,
/// else a located error.
pub(super) fn port_number(node: &Node, cx: &mut Cx, port: &str) -> Option<u16> {
    match port.trim().parse::<u16>() {
        Ok(p) if p >= 1 => Some(p),
        _ => {
            let path = cx.path();
            cx.invalid(
                node.span,
                format!("`{path}` must be a port from 1 to 65535, found `{port}`"),
                None,
            );
            None
        }
    }
}

impl Decode for Sidecar {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "sidecar")?;
        let s = Sidecar {
            image: f.opt(cx, "image"),
            port: f.opt(cx, "port"),
            essential: f.opt(cx, "essential"),
            credentials: f.opt(cx, "credentials"),
            variables: f.opt(cx, "variables").unwrap_or_default(),
            secrets: f.opt(cx, "secrets").unwrap_or_default(),
            entrypoint: f.opt(cx, "entrypoint"),
            command: f.opt(cx, "command"),
            healthcheck: f.opt(cx, "healthcheck"),
            depends_on: f.opt(cx, "depends_on").unwrap_or_default(),
            labels: f.opt(cx, "labels").unwrap_or_default(),
            mount_points: f.opt(cx, "mount_points").unwrap_or_default(),
            env_file: f.opt(cx, "env_file"),
        };
        f.finish(cx);
        Some(s)
    }
}
