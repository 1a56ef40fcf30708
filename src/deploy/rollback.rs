//! What `wharf svc rollback` returns to, and whether it can: the last good release from
//! ECS's deployment history (not revision N-1, which may never have worked, and not a
//! release older than the last good one when the last release already failed and was
//! undone), and what a rollback that changes only the image cannot restore. Pure.

use super::types::TaskDefinitionInfo;
use crate::watch::snapshot::revision_of;
use serde::Serialize;

/// A deployment from the service's history (ListServiceDeployments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastDeployment {
    /// Service deployment ARN.
    pub arn: String,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// The task definition it ran.
    pub task_definition: String,
    /// The images it ran, which tell releases apart, when the history says: the main
    /// container's, then `+ <container>=<image>` for each other container in name
    /// order ([`release_images`]); a release that changed only a sidecar's image is
    /// a release too.
    pub image: Option<String>,
    /// `SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, `STOPPED`, `IN_PROGRESS`, … (the
    /// ServiceDeploymentStatus values).
    pub status: String,
}

impl PastDeployment {
    /// `family:revision`.
    pub fn revision(&self) -> &str {
        revision_of(&self.task_definition)
    }

    /// It completed.
    pub fn succeeded(&self) -> bool {
        self.status == "SUCCESSFUL"
    }

    /// It has not ended yet.
    pub fn in_progress(&self) -> bool {
        matches!(
            self.status.as_str(),
            "PENDING" | "IN_PROGRESS" | "ROLLBACK_REQUESTED" | "ROLLBACK_IN_PROGRESS"
        )
    }

    /// It ended without completing: rolled back, stopped.
    pub fn failed(&self) -> bool {
        !self.succeeded() && !self.in_progress()
    }
}

/// Why there is no deployment to return to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoTarget {
    /// `--to` names a revision with no successful deployment: a usage error.
    Unknown(String),
    /// There is nothing to return to, or a rollback now would be wrong: a refusal.
    Nothing(String),
}

/// The images of a release, as [`PastDeployment::image`] holds them: container
/// `main`'s (else the first's), then `+ <name>=<image>` for each other container in
/// name order. `None` without containers.
pub fn release_images(main: &str, images: &[(&str, &str)]) -> Option<String> {
    let (m, first) = images.iter().find(|(n, _)| *n == main).or(images.first())?;
    let mut others: Vec<&(&str, &str)> = images.iter().filter(|(n, _)| n != m).collect();
    others.sort();
    let mut out = (*first).to_string();
    for (n, i) in others {
        out.push_str(&format!(" + {n}={i}"));
    }
    Some(out)
}

/// The deployment to return to. `history` is the service's deployments of any status,
/// newest first; `current` the task definition (ARN or `family:revision`) the stack
/// references now. With `to` (a revision number or `family:revision`): the newest
/// successful deployment of that revision. Without:
/// - when the last release failed (the newest deployment failed, or is CloudFormation
///   returning the service to a release that ran before the failed one), the last good
///   release, the newest successful deployment; if the stack already references it,
///   there is nothing to roll back;
/// - otherwise the last release is good, and the target is the newest successful
///   deployment that runs something else than `current`: the release before.
///
/// # Errors
/// [`NoTarget::Unknown`] for a `to` with no successful deployment; [`NoTarget::Nothing`]
/// when a deployment is still in progress or nothing earlier succeeded.
pub fn target<'a>(
    history: &'a [PastDeployment],
    current: &str,
    to: Option<&str>,
) -> Result<&'a PastDeployment, NoTarget> {
    let mut good = history.iter().filter(|d| d.succeeded());
    if let Some(r) = to {
        let number = r.rsplit(':').next().unwrap_or(r);
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NoTarget::Unknown(format!(
                "`{r}` is not a task definition revision: give its number (`7`) or `family:7`"
            )));
        }
        return good
            .find(|d| d.revision() == r || d.revision().rsplit(':').next() == Some(r))
            .ok_or_else(|| {
                NoTarget::Unknown(format!(
                    "revision {r} has no successful deployment in the service's history"
                ))
            });
    }
    let current = revision_of(current);
    let Some(last) = history.first() else {
        return Err(NoTarget::Nothing(
            "the service has no deployment history to return to".into(),
        ));
    };
    if last.in_progress() {
        return Err(NoTarget::Nothing(format!(
            "deployment of {} is still in progress ({}): follow it with `wharf svc status --watch`, and roll back once it has ended",
            last.revision(),
            last.status
        )));
    }
    let returned = |d: &PastDeployment| {
        history
            .iter()
            .skip(2)
            .any(|e| e.succeeded() && e.revision() == d.revision())
    };
    let failed_release = if last.failed() {
        Some(last)
    } else {
        history
            .get(1)
            .filter(|prev| prev.failed() && returned(last))
    };
    if let Some(bad) = failed_release {
        let Some(last_good) = history.iter().find(|d| d.succeeded()) else {
            return Err(NoTarget::Nothing(format!(
                "the last release ({}) failed, and no release before it succeeded",
                bad.revision()
            )));
        };
        if last_good.revision() == current {
            return Err(NoTarget::Nothing(format!(
                "nothing to roll back: the last release ({}) failed and was already rolled back; the service runs its last good release {}, which its stack references (`--to REVISION` returns to an older one)",
                bad.revision(),
                last_good.revision()
            )));
        }
        return Ok(last_good);
    }
    if let Some(found) = release_before(history) {
        return found;
    }
    good.find(|d| d.revision() != current).ok_or_else(|| {
        NoTarget::Nothing(
            "the service's history has no earlier successful deployment to return to".into(),
        )
    })
}

/// The release before the current one, with releases told apart by image, when every
/// successful deployment's image is known (`None` otherwise). The successful
/// deployments, oldest first, are read as an undo stack: a deployment that returns to
/// the image below the top (a rollback, or a revert) takes the top off; a new image goes
/// on. The target is the image below the top, so a second rollback goes further back
/// instead of returning to the release the first one left.
fn release_before(history: &[PastDeployment]) -> Option<Result<&PastDeployment, NoTarget>> {
    let good: Vec<&PastDeployment> = history.iter().filter(|d| d.succeeded()).collect();
    let images: Vec<&str> = good
        .iter()
        .map(|d| d.image.as_deref())
        .collect::<Option<Vec<_>>>()?;
    let mut stack: Vec<&str> = Vec::new();
    for image in images.iter().rev() {
        match stack.as_slice() {
            [.., below, _] if below == image => {
                stack.pop();
            }
            [.., top] if top == image => {}
            _ => stack.push(image),
        }
    }
    let Some(&back_to) = stack.len().checked_sub(2).and_then(|i| stack.get(i)) else {
        return Some(Err(NoTarget::Nothing(format!(
            "nothing older to return to: the service's history (its {} newest deployments) has no release before the one it runs",
            history.len()
        ))));
    };
    good.iter()
        .find(|d| d.image.as_deref() == Some(back_to))
        .map(|d| Ok(*d))
}

/// What a rollback from `from` to `to` that changes only the images of containers
/// `restorable` (the main one, and sidecars whose image wharf built) cannot restore:
/// each task or container setting that differs besides those images, as
/// "what: from → to" phrases (environment variables by name, never by value). Empty
/// when those images are all that differs.
pub fn unrestorable(
    from: &TaskDefinitionInfo,
    to: &TaskDefinitionInfo,
    restorable: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    let differs = |what: String, a: &Option<String>, b: &Option<String>, out: &mut Vec<String>| {
        if a != b {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            out.push(format!("{what}: {} → {}", show(a), show(b)));
        }
    };
    differs("task CPU".into(), &from.cpu, &to.cpu, &mut out);
    differs("task memory".into(), &from.memory, &to.memory, &mut out);
    for (key, value) in &from.settings {
        if to.settings.get(key) != Some(value) {
            out.push(format!("task {key}"));
        }
    }
    let names = |td: &TaskDefinitionInfo| -> Vec<String> {
        td.containers.iter().map(|c| c.name.clone()).collect()
    };
    if names(from) != names(to) {
        out.push(format!(
            "containers: {} → {}",
            names(from).join(", "),
            names(to).join(", ")
        ));
        return out;
    }
    for (a, b) in from.containers.iter().zip(&to.containers) {
        let c = &a.name;
        if a.image != b.image && !restorable.contains(c) {
            out.push(format!("container {c}: image {} → {}", a.image, b.image));
        }
        let vars = |x: &super::types::ContainerInfo| {
            x.environment
                .iter()
                .cloned()
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (va, vb) = (vars(a), vars(b));
        let changed: Vec<&str> = va
            .keys()
            .chain(vb.keys())
            .filter(|k| va.get(*k) != vb.get(*k))
            .map(String::as_str)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !changed.is_empty() {
            out.push(format!(
                "container {c}: environment variables {}",
                changed.join(", ")
            ));
        }
        if a.secrets != b.secrets {
            out.push(format!(
                "container {c}: secrets {} → {}",
                a.secrets.join(", "),
                b.secrets.join(", ")
            ));
        }
        for (key, value) in &a.settings {
            if b.settings.get(key) != Some(value) {
                out.push(format!("container {c}: {key}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::types::ContainerInfo;
    use std::collections::BTreeMap;

    fn past(rev: u32, at: i64, status: &str) -> PastDeployment {
        PastDeployment {
            arn: format!("arn:sd/{rev}-{at}"),
            created_ms: at,
            task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/web:{rev}"),
            image: None,
            status: status.into(),
        }
    }

    /// A successful deployment of revision `rev` running `image`.
    fn ran(rev: u32, at: i64, image: &str) -> PastDeployment {
        PastDeployment {
            image: Some(image.into()),
            ..past(rev, at, "SUCCESSFUL")
        }
    }

    #[test]
    fn a_second_rollback_goes_further_back_instead_of_returning() {
        // Releases z, a, b; a rollback to a made revision 4 (a's image again).
        let after_rollback = [
            ran(4, 40, "a"),
            ran(3, 30, "b"),
            ran(2, 20, "a"),
            ran(1, 10, "z"),
        ];
        let t = target(&after_rollback, &td(4), None).unwrap();
        assert_eq!(t.image.as_deref(), Some("z"), "not back to b");
        // Without a rollback, the release before the current one.
        let plain = [ran(3, 30, "b"), ran(2, 20, "a"), ran(1, 10, "z")];
        assert_eq!(
            target(&plain, &td(3), None).unwrap().image.as_deref(),
            Some("a")
        );
        // b deployed again after the rollback is a release of its own: back to a.
        let again = [
            ran(5, 50, "b"),
            ran(4, 40, "a"),
            ran(3, 30, "b"),
            ran(2, 20, "a"),
            ran(1, 10, "z"),
        ];
        assert_eq!(
            target(&again, &td(5), None).unwrap().image.as_deref(),
            Some("a")
        );
        // Rolled back to the first release: nothing older.
        let first = [ran(3, 30, "a"), ran(2, 20, "b"), ran(1, 10, "a")];
        assert!(nothing(target(&first, &td(3), None)).contains("nothing older to return to"));
        // A redeploy of the same image (--force) is not a release.
        let forced = [ran(3, 30, "b"), ran(2, 20, "b"), ran(1, 10, "a")];
        assert_eq!(
            target(&forced, &td(3), None).unwrap().image.as_deref(),
            Some("a")
        );
    }

    fn td(n: u32) -> String {
        format!("arn:aws:ecs:us-east-1:1:task-definition/web:{n}")
    }

    fn nothing(r: Result<&PastDeployment, NoTarget>) -> String {
        match r {
            Err(NoTarget::Nothing(m)) => m,
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn a_good_last_release_returns_to_the_release_before_it() {
        // 4 failed and was rolled back long ago; 5 is good and runs now: back to 3,
        // not to 4, which never worked.
        let history = [
            past(5, 50, "SUCCESSFUL"),
            past(4, 40, "ROLLBACK_SUCCESSFUL"),
            past(3, 30, "SUCCESSFUL"),
            past(2, 20, "SUCCESSFUL"),
        ];
        assert_eq!(target(&history, &td(5), None).unwrap().revision(), "web:3");
        assert_eq!(target(&history, "web:5", None).unwrap().revision(), "web:3");
        assert_eq!(
            target(&history, &td(5), Some("2")).unwrap().revision(),
            "web:2"
        );
        assert_eq!(
            target(&history, &td(5), Some("web:2")).unwrap().revision(),
            "web:2"
        );
        match target(&history, &td(5), Some("4")) {
            Err(NoTarget::Unknown(m)) => assert!(m.contains("revision 4"), "{m}"),
            other => panic!("{other:?}"),
        }
        for bad in ["abc", "web:", "web:x", ""] {
            match target(&history, &td(5), Some(bad)) {
                Err(NoTarget::Unknown(m)) => {
                    assert!(m.contains("is not a task definition revision"), "{m}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(nothing(target(&history[..1], &td(5), None)).contains("no earlier"));
    }

    #[test]
    fn after_a_failed_release_the_target_is_the_last_good_one_never_older() {
        // 4 failed; the circuit breaker put 3 back. The stack still references 4 (an
        // emulator's CloudFormation does not roll back): the target is 3, not 2.
        let history = [
            past(4, 40, "ROLLBACK_SUCCESSFUL"),
            past(3, 30, "SUCCESSFUL"),
            past(2, 20, "SUCCESSFUL"),
        ];
        assert_eq!(target(&history, &td(4), None).unwrap().revision(), "web:3");
        // CloudFormation rolled its stack back to 3 too: nothing to roll back.
        let m = nothing(target(&history, &td(3), None));
        assert!(
            m.contains("the last release (web:4) failed and was already rolled back")
                && m.contains("last good release web:3"),
            "{m}"
        );
        // The same when CloudFormation's return to 3 is a deployment of its own.
        let returned = [
            past(3, 45, "SUCCESSFUL"),
            past(4, 40, "ROLLBACK_SUCCESSFUL"),
            past(3, 30, "SUCCESSFUL"),
            past(2, 20, "SUCCESSFUL"),
        ];
        assert!(nothing(target(&returned, &td(3), None)).contains("nothing to roll back"));
        // A release that failed without a rollback (STOPPED) counts as failed too.
        let stopped = [past(4, 40, "STOPPED"), past(3, 30, "SUCCESSFUL")];
        assert_eq!(target(&stopped, &td(4), None).unwrap().revision(), "web:3");
    }

    #[test]
    fn no_rollback_while_a_deployment_runs_or_without_history() {
        let history = [past(4, 40, "IN_PROGRESS"), past(3, 30, "SUCCESSFUL")];
        assert!(nothing(target(&history, &td(4), None)).contains("still in progress"));
        assert!(nothing(target(&[], &td(4), None)).contains("no deployment history"));
        let never = [past(4, 40, "ROLLBACK_FAILED")];
        assert!(nothing(target(&never, &td(4), None)).contains("no release before it"));
    }

    fn container(image: &str, env: &[(&str, &str)]) -> ContainerInfo {
        ContainerInfo {
            name: "web".into(),
            image: image.into(),
            environment: env
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            secrets: vec!["DB_PASSWORD".into()],
            settings: BTreeMap::from([("command", "None".to_string())]),
        }
    }

    fn task(image: &str, env: &[(&str, &str)]) -> TaskDefinitionInfo {
        TaskDefinitionInfo {
            revision: "web:1".into(),
            cpu: Some("256".into()),
            memory: Some("512".into()),
            containers: vec![container(image, env)],
            settings: BTreeMap::from([("task role", "Some(\"arn:role\")".to_string())]),
        }
    }

    #[test]
    fn only_the_main_image_may_differ() {
        let a = task("repo@sha256:a", &[("LOG_LEVEL", "debug")]);
        let b = task("repo@sha256:b", &[("LOG_LEVEL", "debug")]);
        assert_eq!(unrestorable(&a, &b, &web()), Vec::<String>::new());
        let mut c = task("repo@sha256:b", &[("LOG_LEVEL", "info"), ("NEW", "1")]);
        c.memory = Some("1024".into());
        c.containers[0]
            .settings
            .insert("command", "Some([\"serve\"])".into());
        c.settings.insert("task role", "Some(\"arn:other\")".into());
        assert_eq!(
            unrestorable(&a, &c, &web()),
            [
                "task memory: 512 → 1024",
                "task task role",
                "container web: environment variables LOG_LEVEL, NEW",
                "container web: command",
            ]
        );
        // Values of variables are never shown.
        assert!(!unrestorable(&a, &c, &web()).join(" ").contains("debug"));
        // A sidecar's image counts; the containers' set too.
        let mut d = b.clone();
        d.containers[0].name = "proxy".into();
        assert_eq!(unrestorable(&a, &d, &web()), ["containers: web → proxy"]);
        let mut e = a.clone();
        e.containers[0].image = "other".into();
        assert_eq!(
            unrestorable(&a, &e, &["proxy".to_string()]),
            ["container web: image repo@sha256:a → other"]
        );
        // A sidecar whose image wharf built is restored with the main one.
        let mut f = a.clone();
        f.containers.push(container("sidecar@sha256:1", &[]));
        f.containers[1].name = "agent".into();
        let mut g = f.clone();
        g.containers[1].image = "sidecar@sha256:2".into();
        assert_eq!(
            unrestorable(&f, &g, &web()),
            ["container agent: image sidecar@sha256:1 → sidecar@sha256:2"]
        );
        assert_eq!(
            unrestorable(&f, &g, &[web()[0].clone(), "agent".into()]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_release_is_told_apart_by_all_its_images() {
        assert_eq!(
            release_images(
                "web",
                &[
                    ("proxy", "envoy:2"),
                    ("web", "r@sha256:a"),
                    ("agent", "r@sha256:b")
                ]
            )
            .as_deref(),
            Some("r@sha256:a + agent=r@sha256:b + proxy=envoy:2")
        );
        assert_eq!(
            release_images("web", &[("web", "nginx")]).as_deref(),
            Some("nginx")
        );
        assert_eq!(
            release_images("web", &[("x", "a"), ("y", "b")]).as_deref(),
            Some("a + y=b"),
            "no container named like the service: the first is the main one"
        );
        assert_eq!(release_images("web", &[]), None);
    }

    fn web() -> Vec<String> {
        vec!["web".to_string()]
    }
}
