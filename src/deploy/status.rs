//! Reading CloudFormation stack statuses and events: which statuses are final, what a
//! final status means for the user, and which failure was the root cause. Pure.

use super::types::StackEvent;

/// What a stack status means for a deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Still moving.
    InProgress,
    /// Done, as asked.
    Succeeded,
    /// The change failed and CloudFormation rolled it back cleanly.
    RolledBack,
    /// The stack is stuck and needs a person (rollback failed, delete failed…).
    NeedsAttention,
    /// The stack is gone.
    Deleted,
}

/// Classifies a stack status.
pub fn verdict(status: &str) -> Verdict {
    match status {
        s if s.ends_with("_IN_PROGRESS") => Verdict::InProgress,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" => Verdict::Succeeded,
        "ROLLBACK_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_ROLLBACK_COMPLETE" => {
            Verdict::RolledBack
        }
        "DELETE_COMPLETE" => Verdict::Deleted,
        _ => Verdict::NeedsAttention,
    }
}

/// Whether CloudFormation is running an operation on a stack in `status`. A stack in
/// `REVIEW_IN_PROGRESS` runs none: it exists only as the target of a change set that
/// was never executed (or failed), and stays so until it is deleted.
pub fn operation_running(status: &str) -> bool {
    verdict(status) == Verdict::InProgress && status != "REVIEW_IN_PROGRESS"
}

/// Reasons CloudFormation gives resources it stopped because another one failed.
const CASCADE: &[&str] = &[
    "Resource creation cancelled",
    "Resource update cancelled",
    "The following resource(s) failed",
];

/// The failure that started it: the first resource (not the stack) that failed for a
/// reason of its own. `events` are oldest first.
pub fn root_cause(events: &[StackEvent]) -> Option<&StackEvent> {
    let failed = |e: &&StackEvent| e.status.ends_with("_FAILED") && !e.is_stack();
    events
        .iter()
        .filter(failed)
        .find(|e| {
            !e.reason
                .as_deref()
                .is_some_and(|r| CASCADE.iter().any(|c| r.starts_with(c)))
        })
        .or_else(|| events.iter().find(failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            id: format!("{logical}-{status}"),
            timestamp_ms: 0,
            logical_id: logical.into(),
            resource_type: kind.into(),
            status: status.into(),
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict("UPDATE_IN_PROGRESS"), Verdict::InProgress);
        assert_eq!(
            verdict("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
            Verdict::InProgress
        );
        assert_eq!(verdict("CREATE_COMPLETE"), Verdict::Succeeded);
        assert_eq!(verdict("UPDATE_COMPLETE"), Verdict::Succeeded);
        assert_eq!(verdict("ROLLBACK_COMPLETE"), Verdict::RolledBack);
        assert_eq!(verdict("UPDATE_ROLLBACK_COMPLETE"), Verdict::RolledBack);
        assert_eq!(verdict("UPDATE_ROLLBACK_FAILED"), Verdict::NeedsAttention);
        assert_eq!(verdict("ROLLBACK_FAILED"), Verdict::NeedsAttention);
        assert_eq!(verdict("CREATE_FAILED"), Verdict::NeedsAttention);
        assert_eq!(verdict("DELETE_COMPLETE"), Verdict::Deleted);
    }

    #[test]
    fn root_cause_skips_the_cascade() {
        let events = vec![
            ev(
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            ev(
                "TaskDefinition",
                "AWS::ECS::TaskDefinition",
                "UPDATE_FAILED",
                Some("Resource update cancelled"),
            ),
            ev(
                "Service",
                "AWS::ECS::Service",
                "UPDATE_FAILED",
                Some(
                    "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.",
                ),
            ),
            ev(
                "s",
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to update: [Service]."),
            ),
        ];
        assert_eq!(root_cause(&events).unwrap().logical_id, "Service");
    }

    #[test]
    fn root_cause_falls_back_to_the_first_failure_and_ignores_the_stack() {
        let events = vec![
            ev(
                "s",
                "AWS::CloudFormation::Stack",
                "CREATE_FAILED",
                Some("boom"),
            ),
            ev(
                "A",
                "AWS::SNS::Topic",
                "CREATE_FAILED",
                Some("Resource creation cancelled"),
            ),
        ];
        assert_eq!(root_cause(&events).unwrap().logical_id, "A");
        assert!(root_cause(&events[..1]).is_none());
    }
}
