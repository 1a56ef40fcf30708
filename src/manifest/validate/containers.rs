//! Checks of the task's containers: sidecar names, images and ports, private registry
//! credentials, and the start order (`depends_on`) against ECS's rules
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html>).

use super::Checker;
use crate::manifest::decode::{Keyed, Spanned};
use crate::manifest::diag::Code;
use crate::manifest::service::{DependsOn, ServiceManifest, SidecarImage};
use std::collections::BTreeMap;

/// What the start-order rules need to know of a container.
struct Container {
    essential: bool,
    healthcheck: bool,
}

/// The longest name of a sidecar wharf builds: its images are tagged `<name>-<tag>`,
/// and an image tag has at most 128 characters
/// (<https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html>),
/// leaving room for the default tag (`<12-character commit>-dirty`) and a short `--tag`.
pub const MAX_BUILT_SIDECAR_NAME: usize = 100;

/// A built sidecar's name begins its image tags: at most [`MAX_BUILT_SIDECAR_NAME`]
/// characters, not starting with `-` (a tag starts with a letter, digit or `_`).
fn built_sidecar_name(c: &mut Checker, name: &Spanned<String>, path: &str) {
    if name.len() > MAX_BUILT_SIDECAR_NAME || name.starts_with('-') {
        c.error(
            Code::InvalidValue,
            name.span,
            path,
            format!(
                "sidecar `{}` builds its image, which is tagged `{}-<tag>`: the name must have at most {MAX_BUILT_SIDECAR_NAME} characters and not start with `-`",
                name.value, name.value
            ),
            Some("an image tag has at most 128 characters and starts with a letter, digit or `_`".into()),
        );
    }
}

/// Sidecars, credentials and `depends_on` of the main container and the sidecars.
pub(super) fn containers(c: &mut Checker, m: &ServiceManifest) {
    let main = m.name.value.as_str();
    // The main container, the sidecars, FireLens's router and the X-Ray collector.
    let sidecars = m.task.sidecars.iter().count();
    let count =
        1 + sidecars + usize::from(m.firelens().is_some()) + usize::from(m.tracing().is_some());
    // At the first sidecar past the limit (in an environment's block, when that is
    // where it was added).
    let room = super::service::MAX_CONTAINERS.saturating_sub(count - sidecars);
    if count > super::service::MAX_CONTAINERS
        && let Some((name, _)) = m.task.sidecars.iter().nth(room)
    {
        c.error(
            Code::Limit,
            name.span,
            "sidecars",
            format!(
                "the task would have {count} containers (the main one, {} sidecar{}{}); ECS takes at most {}",
                sidecars,
                if sidecars == 1 { "" } else { "s" },
                match (m.firelens().is_some(), m.tracing().is_some()) {
                    (true, true) => ", FireLens's log router and the X-Ray collector",
                    (true, false) => " and FireLens's log router",
                    (false, true) => " and the X-Ray collector",
                    (false, false) => "",
                },
                super::service::MAX_CONTAINERS
            ),
            Some("merge sidecars, or move one into a service of its own".into()),
        );
    }
    let mut all: BTreeMap<&str, Container> = BTreeMap::from([(
        main,
        Container {
            essential: true,
            healthcheck: m.task.image.healthcheck.is_some(),
        },
    )]);
    // (port, UDP): TCP and UDP on one port do not clash.
    let mut ports: BTreeMap<(u16, bool), String> = m
        .task
        .image
        .port
        .iter()
        .map(|p| ((p.value.0, false), main.to_string()))
        .collect();
    for (name, s) in m.task.sidecars.iter() {
        let path = format!("sidecars.{}", name.value);
        ecs_name(c, name, "container", &path);
        if name.value == main {
            c.error(
                Code::InvalidValue,
                name.span,
                &path,
                format!("the sidecar `{main}` has the main container's name"),
                Some("the main container is named like the service: rename the sidecar".into()),
            );
        }
        match s.value.image.as_ref().map(|i| (i, &i.value)) {
            Some((img, SidecarImage::Location(l))) => super::service::image_reference(
                c,
                &Spanned::new(l.clone(), img.span),
                &format!("{path}.image"),
            ),
            Some((_, SidecarImage::Build(b))) => {
                super::service::build(c, b, &format!("{path}.image.build"));
                built_sidecar_name(c, name, &path);
                if let Some(cr) = &s.value.credentials {
                    c.warn(
                        Code::InvalidValue,
                        cr.span,
                        &format!("{path}.credentials"),
                        "`credentials` is for an image in a private registry; a built sidecar image goes to the service's ECR repository",
                        None,
                    );
                }
            }
            None => {}
        }
        if s.value.image.is_none() && !m.was_unreadable(&format!("{path}.image")) {
            c.error(
                Code::MissingField,
                name.span,
                &format!("{path}.image"),
                format!("sidecar `{}` needs `image`", name.value),
                Some("the URI of the image it runs, e.g. `public.ecr.aws/nginx/nginx:1.27`".into()),
            );
        }
        if let Some(p) = &s.value.port
            && let Some(owner) = ports.insert((p.value.port, p.value.udp), name.value.clone())
        {
            c.error(
                Code::InvalidValue,
                p.span,
                &format!("{path}.port"),
                format!(
                    "port {}/{} is also `{owner}`'s: containers of a task share its network",
                    p.value.port,
                    if p.value.udp { "udp" } else { "tcp" }
                ),
                None,
            );
        }
        credentials(
            c,
            s.value.credentials.as_ref(),
            &format!("{path}.credentials"),
        );
        all.insert(
            name.value.as_str(),
            Container {
                essential: s.value.essential.as_ref().is_none_or(|e| e.value),
                healthcheck: s.value.healthcheck.is_some(),
            },
        );
    }
    credentials(c, m.task.image.credentials.as_ref(), "image.credentials");
    if m.task.image.credentials.is_some() && m.task.image.location.is_none() {
        c.warn(
            Code::InvalidValue,
            m.task.image.span,
            "image.credentials",
            "`image.credentials` is for an image in a private registry (`image.location`); a built image goes to the service's ECR repository",
            None,
        );
    }
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let deps = std::iter::once((
        main,
        "image.depends_on".to_string(),
        &m.task.image.depends_on,
    ))
    .chain(m.task.sidecars.iter().map(|(n, s)| {
        (
            n.value.as_str(),
            format!("sidecars.{}.depends_on", n.value),
            &s.value.depends_on,
        )
    }));
    for (from, path, d) in deps {
        depends_on(c, &all, from, &path, d);
        edges.insert(from, d.iter().map(|(k, _)| k.value.as_str()).collect());
    }
    if let Some(cycle) = find_cycle(&edges) {
        let (span, path) = if cycle[0] == main {
            (m.task.image.span, "image.depends_on".to_string())
        } else {
            let s = m.task.sidecars.iter().find(|(n, _)| n.value == cycle[0]);
            (
                s.map_or(m.name.span, |(n, _)| n.span),
                format!("sidecars.{}.depends_on", cycle[0]),
            )
        };
        c.error(
            Code::InvalidValue,
            span,
            &path,
            format!(
                "the containers wait for each other: {}",
                cycle
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
            Some("ECS starts no container of such a task: break the loop".into()),
        );
    }
}

/// A container or volume name as ECS takes it: 1 to 255 letters, digits, `-` and `_`.
fn ecs_name(c: &mut Checker, name: &Spanned<String>, what: &str, path: &str) {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
    if !ok {
        c.error(
            Code::InvalidValue,
            name.span,
            path,
            format!("`{}` is not a valid {what} name", name.value),
            Some("use letters, digits, `-` and `_`, at most 255 characters".into()),
        );
    }
}

/// A private registry's credentials: a Secrets Manager secret's ARN.
fn credentials(c: &mut Checker, cred: Option<&Spanned<String>>, path: &str) {
    let Some(cred) = cred else { return };
    if !(cred.starts_with("arn:") && cred.contains(":secretsmanager:") && cred.contains(":secret:"))
    {
        c.error(
            Code::InvalidValue,
            cred.span,
            path,
            format!("`{}` is not a Secrets Manager secret ARN", cred.value),
            Some("private registry credentials are a secret's ARN: `arn:aws:secretsmanager:<region>:<account>:secret:<name>`".into()),
        );
    }
}

/// One container's `depends_on`: existing containers, not itself, conditions ECS takes.
fn depends_on(
    c: &mut Checker,
    all: &BTreeMap<&str, Container>,
    from: &str,
    path: &str,
    d: &Keyed<Spanned<DependsOn>>,
) {
    for (target, cond) in d.iter() {
        let p = format!("{path}.{}", target.value);
        let Some(t) = all.get(target.value.as_str()) else {
            let known: Vec<String> = all.keys().map(|k| format!("`{k}`")).collect();
            c.error(
                Code::Reference,
                target.span,
                &p,
                format!("`{}` is not a container of this task", target.value),
                Some(format!("the containers are {}", known.join(", "))),
            );
            continue;
        };
        if target.value == from {
            c.error(
                Code::InvalidValue,
                target.span,
                &p,
                "a container cannot wait for itself",
                None,
            );
        }
        match cond.value {
            DependsOn::Complete | DependsOn::Success if t.essential => c.error(
                Code::InvalidValue,
                cond.span,
                &p,
                format!(
                    "`{}` is essential, so it cannot be waited for to {}: the task stops when it stops",
                    target.value,
                    if cond.value == DependsOn::Success { "succeed" } else { "complete" }
                ),
                Some(format!("use `start` or `healthy`, or set `essential: false` on `{}`", target.value)),
            ),
            DependsOn::Healthy if !t.healthcheck => c.error(
                Code::InvalidValue,
                cond.span,
                &p,
                format!("`{}` has no health check to be healthy by", target.value),
                Some(format!("add a `healthcheck` to `{}`, or wait for `start`", target.value)),
            ),
            _ => {}
        }
    }
}

/// A loop in who-waits-for-whom, as the names around it (first repeated at the end).
fn find_cycle<'a>(edges: &BTreeMap<&'a str, Vec<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        n: &'a str,
        edges: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|p| *p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n);
            return Some(cycle);
        }
        if !done.insert(n) {
            return None;
        }
        path.push(n);
        for next in edges.get(n).map(Vec::as_slice).unwrap_or(&[]) {
            if *next != n
                && let Some(c) = visit(next, edges, path, done)
            {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

/// `storage.volumes` and `mount_points`: names, paths, file system and access point IDs,
/// and ECS's rules for EFS (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html>):
/// with an access point the root directory is `/` or unset; Fargate Windows tasks
/// mount no EFS.
pub(super) fn volumes(c: &mut Checker, m: &ServiceManifest) {
    use crate::manifest::service::EfsId;
    let none = Keyed::default();
    let declared = m.task.storage.as_ref().map_or(&none, |s| &s.volumes);
    let windows = m.task.platform.as_ref().is_some_and(|p| p.os.is_windows());
    let mut first_managed: Option<&str> = None;
    for (name, v) in declared.iter() {
        let at = format!("storage.volumes.{}", name.value);
        ecs_name(c, name, "volume", &at);
        absolute(c, &v.value.path, &format!("{at}.path"), windows);
        if let Some(me) = &v.value.managed {
            // One access point per workload, as in Copilot: every managed volume would
            // be the same directory `/<workload>`.
            match first_managed {
                Some(first) => c.error(
                    Code::InvalidValue,
                    me.span,
                    &format!("{at}.efs"),
                    format!("a workload has at most one volume on the environment's file system (`efs: true`); `{first}` is one already"),
                    Some("keep one managed volume; another can be a file system of your own (`efs: {id: …}`)".into()),
                ),
                None => first_managed = Some(name.value.as_str()),
            }
            if windows {
                c.error(
                    Code::InvalidValue,
                    me.span,
                    &format!("{at}.efs"),
                    "Fargate Windows tasks cannot mount EFS file systems",
                    None,
                );
            }
            if me.value.uid.is_some() != me.value.gid.is_some() {
                c.error(
                    Code::MissingField,
                    me.span,
                    &format!("{at}.efs"),
                    "`uid` and `gid` go together",
                    Some(
                        "set both, or neither (wharf then derives one from the workload's name)"
                            .into(),
                    ),
                );
            }
        }
        let Some(efs) = &v.value.efs else { continue };
        if let EfsId::FromCfn(e) = &efs.value.id.value {
            super::service::export_name(c, e, efs.value.id.span, &format!("{at}.efs.id"));
        }
        if windows {
            c.error(
                Code::InvalidValue,
                efs.span,
                &format!("{at}.efs"),
                "Fargate Windows tasks cannot mount EFS file systems",
                None,
            );
        }
        if let EfsId::Id(fs) = &efs.value.id.value
            && !super::aws_id(fs, "fs-")
        {
            c.error(Code::InvalidValue, efs.value.id.span, &format!("{at}.efs.id"), format!("`{fs}` is not an EFS file system ID"), Some("file system IDs look like `fs-0abc1234`; one exported by another stack is `{from_cfn: <export>}`".into()));
        }
        let ap = efs
            .value
            .auth
            .as_ref()
            .and_then(|a| a.access_point_id.as_ref());
        if let Some(ap) = ap
            && !super::aws_id(ap, "fsap-")
        {
            c.error(
                Code::InvalidValue,
                ap.span,
                &format!("{at}.efs.auth.access_point_id"),
                format!("`{}` is not an EFS access point ID", ap.value),
                Some("access point IDs look like `fsap-0abc1234`".into()),
            );
        }
        if let (Some(_), Some(root)) = (ap, &efs.value.root_dir)
            && root.value != "/"
        {
            c.error(Code::InvalidValue, root.span, &format!("{at}.efs.root_dir"), "with an access point, the access point sets the directory: `root_dir` must be `/` or left out", None);
        }
        if let Some(root) = &efs.value.root_dir
            && (root.len() > 255 || !root.starts_with('/'))
        {
            c.error(
                Code::InvalidValue,
                root.span,
                &format!("{at}.efs.root_dir"),
                "`root_dir` is an absolute path of at most 255 characters",
                None,
            );
        }
    }
    unique_mount_paths(
        c,
        &m.name.value,
        windows,
        declared
            .iter()
            .map(|(n, v)| (&v.value.path, format!("storage.volumes.{}.path", n.value))),
    );
    for (name, s) in m.task.sidecars.iter() {
        unique_mount_paths(
            c,
            &name.value,
            windows,
            s.value.mount_points.iter().enumerate().map(|(i, p)| {
                (
                    &p.value.path,
                    format!("sidecars.{}.mount_points[{i}].path", name.value),
                )
            }),
        );
        for (i, p) in s.value.mount_points.iter().enumerate() {
            let at = format!("sidecars.{}.mount_points[{i}]", name.value);
            if declared.get(&p.value.source_volume.value).is_none() {
                let known: Vec<String> = declared
                    .iter()
                    .map(|(k, _)| format!("`{}`", k.value))
                    .collect();
                c.error(
                    Code::Reference,
                    p.value.source_volume.span,
                    &format!("{at}.source_volume"),
                    format!(
                        "`{}` is not a volume of `storage.volumes`",
                        p.value.source_volume.value
                    ),
                    Some(if known.is_empty() {
                        "declare it in `storage.volumes`".into()
                    } else {
                        format!("the volumes are {}", known.join(", "))
                    }),
                );
            }
            absolute(c, &p.value.path, &format!("{at}.path"), windows);
        }
    }
}

/// A container path where a volume is mounted: absolute, and not the root. On Windows, a
/// drive path (`C:\data`): Fargate Windows tasks mount bind volumes there
/// (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html>).
fn absolute(c: &mut Checker, p: &Spanned<String>, path: &str, windows: bool) {
    if windows {
        let b = p.value.as_bytes();
        let drive = b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/');
        if !drive {
            c.error(
                Code::InvalidValue,
                p.span,
                path,
                format!(
                    "`{}` is not an absolute Windows path",
                    p.value.escape_debug()
                ),
                Some("Windows container paths start with a drive, like `C:\\data`".into()),
            );
        } else if let Some(bad) = p.value[2..]
            .chars()
            .find(|ch| matches!(ch, '<' | '>' | ':' | '"' | '|' | '?' | '*') || ch.is_control())
        {
            c.error(
                Code::InvalidValue,
                p.span,
                path,
                format!(
                    "`{}` has `{}`, which a Windows path cannot have",
                    p.value.escape_debug(),
                    bad.escape_debug()
                ),
                None,
            );
        } else if p.value.split(['\\', '/']).any(|seg| seg == "..") {
            c.error(
                Code::InvalidValue,
                p.span,
                path,
                format!(
                    "`{}` has a `..` segment: write the path it means",
                    p.value.escape_debug()
                ),
                None,
            );
        } else if mount_key(&p.value, true).len() <= 2 {
            c.error(
                Code::InvalidValue,
                p.span,
                path,
                "a volume cannot be mounted at a drive's root",
                None,
            );
        }
        return;
    }
    if !p.starts_with('/') {
        c.error(
            Code::InvalidValue,
            p.span,
            path,
            format!("`{}` is not an absolute path", p.value),
            Some(
                "container paths start with `/` (on Windows, with a drive, like `C:\\data`)".into(),
            ),
        );
    } else if p.value.trim_end_matches('/').is_empty() {
        c.error(
            Code::InvalidValue,
            p.span,
            path,
            "a volume cannot be mounted at `/`, the container's root",
            None,
        );
    }
}

/// A mount path as compared with others: without trailing separators; on Windows,
/// case-insensitive, with `/` read as `\`, and without empty or `.` segments.
fn mount_key(path: &str, windows: bool) -> String {
    if windows {
        path.to_ascii_lowercase()
            .split(['\\', '/'])
            .filter(|seg| !seg.is_empty() && *seg != ".")
            .collect::<Vec<_>>()
            .join("\\")
    } else {
        path.trim_end_matches('/').to_string()
    }
}

/// Two mounts at one path in one container: Docker refuses to start it.
fn unique_mount_paths<'a>(
    c: &mut Checker,
    container: &str,
    windows: bool,
    mounts: impl Iterator<Item = (&'a Spanned<String>, String)>,
) {
    let mut seen: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for (p, at) in mounts {
        let key = mount_key(&p.value, windows);
        if let Some((first, value)) = seen.get(&key) {
            let same = if value == &p.value {
                String::new()
            } else {
                format!(", `{}`", value.escape_debug())
            };
            c.error(
                Code::InvalidValue,
                p.span,
                &at,
                format!(
                    "`{container}` already mounts a volume at `{}` (`{first}`{same})",
                    p.value.escape_debug()
                ),
                Some("mount each volume at its own path".into()),
            );
        } else {
            seen.insert(key, (at, p.value.as_str()));
        }
    }
}
