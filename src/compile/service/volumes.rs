//! Volumes: bind volumes in the task's storage and existing EFS file systems
//! (`storage.volumes`), mounted by the main container at their `path` and by sidecars
//! through `mount_points`; EFS is mounted with transit encryption, and with IAM
//! authorization the task role may mount (and write, when a mount is writable) exactly
//! those file systems (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html>).
//! Its parts are in `svc-task-definition.yml` and `svc-roles.yml`.

use super::*;
use crate::manifest::service::EfsId;

/// The task's volumes, in name order, and what the task role may do with EFS.
pub(super) fn plan(m: &ServiceManifest) -> (Vec<VolumePlan>, Vec<EfsGrant>) {
    let Some(st) = m.task.storage.as_ref() else {
        return (Vec::new(), Vec::new());
    };
    let mut vols: Vec<_> = st.volumes.iter().collect();
    vols.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    let mut plans = Vec::new();
    let mut grants = Vec::new();
    for (name, v) in vols {
        let efs = v.value.efs.as_ref().map(|e| {
            let e = &e.value;
            let id = match &e.id.value {
                EfsId::Id(id) => quote(id),
                EfsId::FromCfn(export) => format!("!ImportValue {}", quote(export)),
            };
            let iam = e
                .auth
                .as_ref()
                .and_then(|a| a.iam.as_ref())
                .is_none_or(|i| i.value);
            let write = mounts_of(m, &name.value).any(|ro| !ro);
            if iam {
                let arn = match &e.id.value {
                    EfsId::Id(id) => sub(&format!(
                        "arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{id}"
                    )),
                    EfsId::FromCfn(export) => format!(
                        "!Sub ['arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/${{Id}}', {{Id: !ImportValue {}}}]",
                        quote(export)
                    ),
                };
                grants.push(EfsGrant { arn, write });
            }
            EfsPlan {
                id,
                root_dir: e.root_dir.as_ref().map(|r| quote(r)),
                access_point: e
                    .auth
                    .as_ref()
                    .and_then(|a| a.access_point_id.as_ref())
                    .map(|a| quote(a)),
                iam,
            }
        });
        plans.push(VolumePlan {
            name: name.value.clone(),
            efs,
        });
    }
    (plans, grants)
}

/// Whether each mount of volume `name` (the main container's, the sidecars') is
/// read-only (default true, as Copilot).
fn mounts_of<'a>(m: &'a ServiceManifest, name: &'a str) -> impl Iterator<Item = bool> + 'a {
    let main = m
        .task
        .storage
        .as_ref()
        .and_then(|s| s.volumes.get(name))
        .map(|v| v.value.read_only.as_ref().is_none_or(|r| r.value));
    let sidecars = m.task.sidecars.iter().flat_map(move |(_, s)| {
        s.value
            .mount_points
            .iter()
            .filter(move |p| p.value.source_volume.value == name)
            .map(|p| p.value.read_only.as_ref().is_none_or(|r| r.value))
    });
    main.into_iter().chain(sidecars)
}

/// The main container's mounts: every volume at its `path`.
pub(super) fn main_mounts(m: &ServiceManifest) -> Vec<MountPlan> {
    let Some(st) = m.task.storage.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<MountPlan> = st
        .volumes
        .iter()
        .map(|(name, v)| MountPlan {
            volume: name.value.clone(),
            path: v.value.path.value.clone(),
            read_only: v.value.read_only.as_ref().is_none_or(|r| r.value),
        })
        .collect();
    out.sort_by(|a, b| a.volume.cmp(&b.volume));
    out
}

/// A sidecar's mounts (`mount_points`).
pub(super) fn sidecar_mounts(s: &crate::manifest::service::Sidecar) -> Vec<MountPlan> {
    s.mount_points
        .iter()
        .map(|p| MountPlan {
            volume: p.value.source_volume.value.clone(),
            path: p.value.path.value.clone(),
            read_only: p.value.read_only.as_ref().is_none_or(|r| r.value),
        })
        .collect()
}
