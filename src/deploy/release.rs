//! The result of one deploy of several stacks, as a value: each stack's outcome, those
//! skipped, and what the run says about itself (the closing sentence, the summary
//! event, the exit code). `cli/` prints it; the rules for what it says live here. Pure.

use super::DeployError;
use super::types::{Action, StackOutcome};
use serde_json::json;

/// What deploying a set of stacks came to.
#[derive(Debug)]
pub struct Release {
    /// Each stack deployed, in order, with its result.
    pub results: Vec<(String, Result<StackOutcome, DeployError>)>,
    /// How many stacks there were to deploy (the ones not in `results` were skipped
    /// because the environment stack failed).
    pub total: usize,
    /// `--force`: new ECS deployments were asked for although nothing changed.
    pub forced: bool,
}

impl Release {
    /// Stacks not deployed because the environment stack failed.
    pub fn skipped(&self) -> usize {
        self.total.saturating_sub(self.results.len())
    }

    /// Stacks that failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|(_, r)| r.is_err()).count()
    }

    /// The worst exit code of the failed stacks (0 when none failed).
    pub fn worst_code(&self) -> u8 {
        self.results
            .iter()
            .filter_map(|(_, r)| r.as_ref().err())
            .map(DeployError::exit_code)
            .max()
            .unwrap_or(0)
    }

    fn count(&self, actions: &[Action]) -> usize {
        self.results
            .iter()
            .filter(|(_, r)| matches!(r, Ok(o) if actions.contains(&o.action)))
            .count()
    }

    /// The closing sentence of a run in which nothing failed; `None` otherwise.
    pub fn closing_line(&self) -> Option<String> {
        if self.failed() > 0 || self.skipped() > 0 {
            return None;
        }
        let total = self.total;
        let started = self.count(&[Action::Started]);
        if started > 0 {
            return Some(format!(
                "Started {started} stack operation(s) without waiting for them (--detach): whether they succeed is not known yet"
            ));
        }
        let changed = self.count(&[Action::Created, Action::Updated]);
        // Services that rolled out although their stacks had nothing to change.
        let rolled = self.count(&[Action::Redeployed, Action::Settled]);
        let unchanged = total - changed;
        Some(if changed == 0 && self.forced {
            format!(
                "No stack changes: {total} stack(s) are up to date; new ECS deployments were started (--force)"
            )
        } else if changed == 0 && rolled > 0 {
            format!(
                "No stack changes: {total} stack(s) are up to date; {rolled} service rollout(s) completed"
            )
        } else if changed == 0 {
            format!("No changes: {total} stack(s) are up to date")
        } else {
            let mut s = format!("Deployed {changed} stack(s)");
            if unchanged > 0 {
                s.push_str(&format!("; {unchanged} had no changes"));
            }
            if rolled > 0 {
                s.push_str(&format!(", {rolled} of them with a service rollout"));
            }
            s
        })
    }

    /// The `summary` event: each stack's action or error, and how many were skipped.
    pub fn summary(&self) -> serde_json::Value {
        json!({
            "stacks": self.results.iter().map(|(s, r)| match r {
                Ok(o) => json!({"stack": s, "ok": true, "action": o.action, "status": o.status, "exit_code": 0}),
                Err(e) => json!({"stack": s, "ok": false, "error": e.to_string(), "exit_code": e.exit_code()}),
            }).collect::<Vec<_>>(),
            "skipped": self.skipped(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(stack: &str, action: Action) -> (String, Result<StackOutcome, DeployError>) {
        (
            stack.into(),
            Ok(StackOutcome {
                action,
                ..StackOutcome::unchanged(stack)
            }),
        )
    }

    fn release(results: Vec<(String, Result<StackOutcome, DeployError>)>, total: usize) -> Release {
        Release {
            results,
            total,
            forced: false,
        }
    }

    #[test]
    fn the_closing_line_says_what_changed_and_what_did_not() {
        let r = release(
            vec![ok("env", Action::NoChanges), ok("web", Action::Updated)],
            2,
        );
        assert_eq!(
            r.closing_line().unwrap(),
            "Deployed 1 stack(s); 1 had no changes"
        );
        let r = release(vec![ok("env", Action::NoChanges)], 1);
        assert_eq!(
            r.closing_line().unwrap(),
            "No changes: 1 stack(s) are up to date"
        );
        let r = release(
            vec![ok("env", Action::NoChanges), ok("web", Action::Settled)],
            2,
        );
        assert_eq!(
            r.closing_line().unwrap(),
            "No stack changes: 2 stack(s) are up to date; 1 service rollout(s) completed"
        );
        let r = release(
            vec![
                ok("env", Action::Updated),
                ok("web", Action::Redeployed),
                ok("api", Action::NoChanges),
            ],
            3,
        );
        assert_eq!(
            r.closing_line().unwrap(),
            "Deployed 1 stack(s); 2 had no changes, 1 of them with a service rollout"
        );
        let mut r = release(vec![ok("web", Action::NoChanges)], 1);
        r.forced = true;
        assert!(r.closing_line().unwrap().ends_with("(--force)"));
    }

    #[test]
    fn failures_and_skips_have_no_closing_line_and_the_worst_code() {
        let failed = |stack: &str, e: DeployError| (stack.to_string(), Err(e));
        let r = release(
            vec![failed(
                "env",
                DeployError::NeedsAttention {
                    stack: "env".into(),
                    status: "UPDATE_ROLLBACK_FAILED".into(),
                    reason: None,
                },
            )],
            3,
        );
        assert_eq!((r.failed(), r.skipped(), r.worst_code()), (1, 2, 4));
        assert_eq!(r.closing_line(), None);
        assert_eq!(r.summary()["skipped"], 2);
        assert_eq!(r.summary()["stacks"][0]["exit_code"], 4);
        let r = release(vec![ok("env", Action::NoChanges)], 1);
        assert_eq!(r.worst_code(), 0);
    }
}
