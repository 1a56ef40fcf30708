//! `storage.volumes` and `mount_points`: bind volumes (task storage shared by the
//! containers), existing EFS file systems, and the environment's own file system
//! (`efs: true` or `{uid, gid}`: the environment makes it, the workload an access point),
//! with Copilot's field names (<https://aws.github.io/copilot-cli/docs/developing/storage/>).
//! Decoding only; references are checked in `validate/containers.rs`.

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
    /// An existing EFS file system; without it (and without `managed`), a bind volume
    /// in the task's storage.
    #[serde(default)]
    #[schemars(schema_with = "efs_schema")]
    pub efs: Option<Spanned<Efs>>,
    /// The environment's file system (`efs: true` or `{uid, gid}`), through an access
    /// point of the workload's own.
    #[serde(skip)]
    pub managed: Option<Spanned<ManagedEfs>>,
}

/// `efs`: `true` (the environment's file system), `{uid, gid}` (the same, as that
/// user), or an existing file system.
fn efs_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let existing = generator.subschema_for::<Efs>();
    schemars::json_schema!({
        "description": "An EFS file system: `true` for the environment's, `{uid, gid}` for the environment's as that POSIX user, or `{id, root_dir, auth}` for an existing one.",
        "anyOf": [
            {"type": "boolean"},
            {"type": "object", "additionalProperties": false, "properties": {
                "uid": {"type": "integer", "minimum": 0},
                "gid": {"type": "integer", "minimum": 0}
            }},
            existing
        ]
    })
}

/// `efs: true` or `{uid, gid}`: the POSIX user the workload's access point uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ManagedEfs {
    /// User ID; default derived from the workload's name.
    pub uid: Option<u32>,
    /// Group ID; default the user ID.
    pub gid: Option<u32>,
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
        let mut managed = None;
        let efs = match f.node("efs") {
            Some(n) if matches!(n.value, Value::Scalar(_)) => {
                if cx.at("efs", |cx| bool::decode(n, cx)) == Some(true) {
                    managed = Some(Spanned::new(ManagedEfs::default(), n.span));
                }
                None
            }
            Some(n) if n.get("id").is_none() => {
                managed = cx.at("efs", |cx| {
                    let mut e = Fields::new(n, cx, "efs")?;
                    let m = ManagedEfs {
                        uid: e.opt(cx, "uid"),
                        gid: e.opt(cx, "gid"),
                    };
                    e.finish(cx);
                    Some(Spanned::new(m, n.span))
                });
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
            managed,
        })
    }
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
