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
    let env_fs = format!(
        "!Ref {}",
        crate::contract::EnvValue::FileSystemId.parameter()
    );
    for (name, v) in vols {
        if v.value.managed.is_some() {
            let write = mounts_of(m, &name.value).any(|ro| !ro);
            grants.push(EfsGrant {
                arn: sub(&format!(
                    "arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/${{{}}}",
                    crate::contract::EnvValue::FileSystemId.parameter()
                )),
                write,
            });
            plans.push(VolumePlan {
                name: name.value.clone(),
                efs: Some(EfsPlan {
                    id: env_fs.clone(),
                    root_dir: None,
                    access_point: Some(format!("!Ref {ACCESS_POINT_ID}")),
                    iam: true,
                }),
            });
            continue;
        }
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

/// The logical ID of the managed volume's access point (Copilot's; a workload has at
/// most one managed volume).
const ACCESS_POINT_ID: &str = "AccessPoint";

/// A POSIX ID derived from the workload's name for a managed volume without `uid`:
/// Copilot's, the CRC-32 (IEEE) of the name, so a workload taken over from Copilot keeps
/// the owner of its directory; never root (a name whose CRC-32 is 0 gets 1).
fn derived_id(name: &str) -> u32 {
    crc32fast::hash(name.as_bytes()).max(1)
}

/// The access point of the volume on the environment's file system: a directory
/// `/<workload>` owned by the volume's user, mounted as that user.
pub(super) fn access_points(m: &ServiceManifest, app: &str, env: &str) -> Vec<AccessPointPlan> {
    let Some(st) = m.task.storage.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<AccessPointPlan> = st
        .volumes
        .iter()
        .filter_map(|(name, v)| {
            let me = v.value.managed.as_ref()?;
            let uid = me.value.uid.unwrap_or_else(|| derived_id(&m.name.value));
            Some(AccessPointPlan {
                logical_id: ACCESS_POINT_ID.into(),
                volume: name.value.clone(),
                uid,
                gid: me.value.gid.unwrap_or(uid),
                path: format!("/{}", m.name.value),
                client_token: format!("{app}-{env}-{}", m.name.value),
            })
        })
        .collect();
    out.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    out
}

/// Whether the workload mounts the environment's file system.
pub fn uses_env_file_system(m: &ServiceManifest) -> bool {
    m.task
        .storage
        .as_ref()
        .is_some_and(|s| s.volumes.iter().any(|(_, v)| v.value.managed.is_some()))
}

#[cfg(test)]
mod tests {
    use super::derived_id;

    #[test]
    fn derived_ids_are_copilots_and_never_root() {
        // Copilot's golden Scheduled Job `job`: Uid and Gid 4225294584.
        assert_eq!(derived_id("job"), 4_225_294_584);
        assert_ne!(derived_id("api"), derived_id("web"));
        assert!(["", "a", "api", "worker"].iter().all(|n| derived_id(n) > 0));
    }
}
