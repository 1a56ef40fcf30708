//! `storage.volumes` and `mount_points`: bind volumes (task storage shared by the
//! containers) and existing EFS file systems, with Copilot's field names
//! (<https://aws.github.io/copilot-cli/docs/developing/storage/>). The environment-managed
//! file system (`efs: true`) is not compiled yet and is refused explicitly. Decoding only;
//! references are checked in `validate/volumes.rs`.

use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::yaml::{Node, Value};
use schemars::JsonSchema;

/// `storage.volumes.<name>`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Where the main container mounts it.
    pub path: Spanned<String>,
    /// Mount it read-only. Default true (as Copilot).
    pub read_only: Option<Spanned<bool>>,
    /// An EFS file system; without it, a bind volume in the task's storage.
    pub efs: Option<Spanned<Efs>>,
}

/// `efs`: an existing file system.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Efs {
    /// The file system: `fs-…`, or `{from_cfn: <export>}`.
    pub id: Spanned<EfsId>,
    /// Directory of the file system mounted (`/` by default).
    pub root_dir: Option<Spanned<String>>,
    /// Access point and IAM authorization.
    pub auth: Option<EfsAuth>,
}

/// `efs.auth`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EfsAuth {
    /// Authorize with the task role (IAM). Default true.
    pub iam: Option<Spanned<bool>>,
    /// An EFS access point (`fsap-…`).
    pub access_point_id: Option<Spanned<String>>,
}

/// A file system ID, or a CloudFormation export holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EfsId {
    /// `fs-…`.
    Id(String),
    /// `{from_cfn: <export>}`.
    FromCfn(String),
}

impl JsonSchema for EfsId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EfsId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": false, "required": ["from_cfn"], "properties": {"from_cfn": {"type": "string"}}}
        ]})
    }
}

/// `mount_points[]` of a sidecar.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MountPoint {
    /// The volume (`storage.volumes.<name>`).
    pub source_volume: Spanned<String>,
    /// Where the sidecar mounts it.
    pub path: Spanned<String>,
    /// Mount it read-only. Default true.
    pub read_only: Option<Spanned<bool>>,
}

impl Decode for Volume {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "volume")?;
        let path = f.req(cx, "path");
        let read_only = f.opt(cx, "read_only");
        let efs = match f.node("efs") {
            Some(n) if matches!(n.value, Value::Scalar(_)) => {
                let on = cx.at("efs", |cx| bool::decode(n, cx));
                if on == Some(true) {
                    managed(cx, n);
                }
                None
            }
            Some(n) if n.get("id").is_none() => {
                // `{uid, gid}`: the environment-managed file system too.
                managed(cx, n);
                None
            }
            Some(n) => cx.at("efs", |cx| Spanned::<Efs>::decode(n, cx)),
            None => None,
        };
        f.finish(cx);
        Some(Volume {
            path: path?,
            read_only,
            efs,
        })
    }
}

/// `efs: true` or `{uid, gid}`: refused, by name.
fn managed(cx: &mut Cx, n: &Node) {
    cx.at("efs", |cx| {
        let path = cx.path();
        cx.failed.push(path.clone());
        let d = crate::manifest::diag::Diagnostic::error(
            crate::manifest::diag::Code::Unsupported,
            format!("`{path}` is not supported by wharf yet"),
        )
        .at(n.span)
        .help("an environment-managed file system (`efs: true`, `uid`/`gid`) is not available in this version of wharf; give an existing file system's `id`")
        .path(path);
        cx.report(d);
    });
}

impl Decode for Efs {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "efs")?;
        let id = f.req(cx, "id");
        let root_dir = f.opt(cx, "root_dir");
        let auth = f.opt(cx, "auth");
        f.finish(cx);
        Some(Efs {
            id: id?,
            root_dir,
            auth,
        })
    }
}

impl Decode for EfsAuth {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "efs.auth")?;
        let a = EfsAuth {
            iam: f.opt(cx, "iam"),
            access_point_id: f.opt(cx, "access_point_id"),
        };
        f.finish(cx);
        Some(a)
    }
}

impl Decode for EfsId {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return String::decode(node, cx).map(EfsId::Id);
        }
        let mut f = Fields::new(node, cx, "efs.id")?;
        let e = f.req(cx, "from_cfn");
        f.finish(cx);
        e.map(EfsId::FromCfn)
    }
}

impl Decode for MountPoint {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "mount point")?;
        let source_volume = f.req(cx, "source_volume");
        let path = f.req(cx, "path");
        let read_only = f.opt(cx, "read_only");
        f.finish(cx);
        Some(MountPoint {
            source_volume: source_volume?,
            path: path?,
            read_only,
        })
    }
}
