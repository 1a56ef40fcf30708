//! Choosing what `wharf svc rollback` returns to: the newest deployment that succeeded
//! (from ECS's deployment history) and runs something else than now, not revision N-1,
//! which may never have worked. Pure.

use serde::Serialize;

/// A successful deployment from the service's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastDeployment {
    /// Service deployment ARN.
    pub arn: String,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// The task definition it ran.
    pub task_definition: String,
}

impl PastDeployment {
    /// `family:revision`.
    pub fn revision(&self) -> &str {
        crate::watch::snapshot::revision_of(&self.task_definition)
    }
}

/// The deployment to return to: with `to` (a revision number or `family:revision`), the
/// newest successful deployment of that revision; else the newest successful one that
/// does not run `current`. `history` is newest first.
pub fn target<'a>(
    history: &'a [PastDeployment],
    current: &str,
    to: Option<&str>,
) -> Result<&'a PastDeployment, String> {
    match to {
        Some(r) => history
            .iter()
            .find(|d| d.revision() == r || d.revision().rsplit(':').next() == Some(r))
            .ok_or_else(|| {
                format!("revision {r} has no successful deployment in the service's history")
            }),
        None => history
            .iter()
            .find(|d| d.task_definition != current)
            .ok_or_else(|| {
                "the service's history has no earlier successful deployment to return to"
                    .to_string()
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past(rev: u32, at: i64) -> PastDeployment {
        PastDeployment {
            arn: format!("arn:sd/{rev}"),
            created_ms: at,
            task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/web:{rev}"),
        }
    }

    #[test]
    fn the_last_successful_deployment_not_revision_n_minus_1() {
        // Revision 4 failed and was rolled back, so it is not in the successful history;
        // 5 runs now. The target is 3, not 4.
        let history = [past(5, 50), past(3, 30), past(2, 20)];
        let current = "arn:aws:ecs:us-east-1:1:task-definition/web:5";
        assert_eq!(target(&history, current, None).unwrap().revision(), "web:3");
        assert_eq!(
            target(&history, current, Some("2")).unwrap().revision(),
            "web:2"
        );
        assert_eq!(
            target(&history, current, Some("web:2")).unwrap().revision(),
            "web:2"
        );
        assert!(
            target(&history, current, Some("4"))
                .unwrap_err()
                .contains("revision 4")
        );
        assert!(target(&history[..1], current, None).is_err());
    }
}
