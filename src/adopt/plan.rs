//! An adoption plan for one stack: a change set of wharf's template against the stack
//! Copilot deployed, read and judged ([`super::judge`]), then deleted. Nothing is
//! executed: a change set changes nothing until it is.

use super::Judgement;
use crate::aws::AwsError;
use crate::deploy::StackApi;
use crate::deploy::owner::{MadeBy, made_by};
use crate::deploy::resolve::{Lookups, stack_values};
use crate::deploy::stack::StackSpec;
use crate::deploy::types::{ChangeSetKind, ChangeSetRequest, ChangeSetState};
use std::time::{Duration, Instant};

/// What planning one stack found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// The change set, judged.
    Planned(Judgement),
    /// No stack by that name: adopting creates it as a deploy would.
    Absent,
    /// The stack is wharf's already.
    Adopted,
    /// The stack was made by neither Copilot nor wharf (or for another application):
    /// never touched.
    NotCopilots {
        /// What its tags say.
        made_by: String,
    },
    /// CloudFormation could not make the change set (why).
    CannotPlan {
        /// CloudFormation's reason.
        reason: String,
    },
    /// Ctrl-C while the change set was computed: it was deleted unread.
    Interrupted,
}

/// How long to wait for a change set, how often to look, and the Ctrl-C count that
/// stops waiting (the change set is then deleted).
#[derive(Debug, Clone)]
pub struct Wait {
    /// Between two looks.
    pub poll: Duration,
    /// At most.
    pub timeout: Duration,
    /// Ctrl-C presses so far.
    pub interrupts: Option<tokio::sync::watch::Receiver<u32>>,
}

impl Wait {
    fn interrupted(&self) -> bool {
        self.interrupts.as_ref().is_some_and(|r| *r.borrow() > 0)
    }
}

/// Plans `spec` against the deployed stack of the same name: a change set is made,
/// read and deleted, waiting as `wait` says (a Ctrl-C deletes it unread). `deployed` is
/// the stack's template and what resolving values needs: a create-only property whose
/// value it changes (each template resolved with its parameters and the lookups) marks
/// its resource replaced where the change set does not say ([`crate::deploy::replace`]).
///
/// # Errors
/// AWS errors other than CloudFormation refusing the change set.
pub async fn plan<A: StackApi>(
    api: &A,
    spec: &StackSpec,
    deployed: Option<(&str, &Lookups)>,
    app: &str,
    allowed: &[String],
    wait: &Wait,
) -> Result<Outcome, AwsError> {
    let Some(stack) = api.describe(&spec.name).await? else {
        return Ok(Outcome::Absent);
    };
    match made_by(&stack) {
        MadeBy::Copilot(o) if o.application == app => {}
        MadeBy::Wharf(_) => return Ok(Outcome::Adopted),
        MadeBy::Copilot(o) => {
            return Ok(Outcome::NotCopilots {
                made_by: format!("Copilot, for application `{}`", o.application),
            });
        }
        MadeBy::Unknown => {
            return Ok(Outcome::NotCopilots {
                made_by: "neither Copilot nor wharf".into(),
            });
        }
    }
    let request = ChangeSetRequest {
        stack: &spec.name,
        name: format!("wharf-adopt-{}", crate::clock::now_ms()),
        kind: ChangeSetKind::Update,
        template: &spec.template,
        template_url: spec.template_url.as_deref(),
        parameters: &spec.parameters,
        tags: &spec.tags,
    };
    let id = match api.create_change_set(&request).await {
        Ok(Some(id)) => id,
        Ok(None) => return Ok(Outcome::Planned(Judgement::default())),
        Err(e) if e.kind() == Some(crate::api::ErrorKind::Validation) => {
            return Ok(Outcome::CannotPlan {
                reason: e.message().to_string(),
            });
        }
        Err(e) => return Err(e),
    };
    let started = Instant::now();
    let state = loop {
        if wait.interrupted() {
            let _ = api.delete_change_set(&id).await;
            return Ok(Outcome::Interrupted);
        }
        match api.change_set(&id).await? {
            ChangeSetState::Pending if started.elapsed() < wait.timeout => {
                tokio::time::sleep(wait.poll).await
            }
            other => break other,
        }
    };
    // Read; never executed.
    let _ = api.delete_change_set(&id).await;
    Ok(match state {
        ChangeSetState::Ready(mut changes) => {
            if let Some((d, lookups)) = deployed {
                let (old, new) = stack_values(&stack, &spec.template, &spec.parameters, lookups);
                crate::deploy::replace::mark(
                    &mut changes,
                    &crate::deploy::replace::replacements_with(d, &spec.template, &old, &new),
                );
            }
            let retained = deployed
                .map(|(d, _)| super::retain::retained_after(d))
                .unwrap_or_default();
            Outcome::Planned(super::judge(&spec.name, &changes, allowed, &retained))
        }
        ChangeSetState::Empty => Outcome::Planned(Judgement::default()),
        ChangeSetState::Failed(reason) if reason.contains("didn't contain changes") => {
            Outcome::Planned(Judgement::default())
        }
        ChangeSetState::Failed(reason) => Outcome::CannotPlan { reason },
        ChangeSetState::Pending => Outcome::CannotPlan {
            reason: format!(
                "CloudFormation was still computing the change set after {}s",
                wait.timeout.as_secs()
            ),
        },
    })
}
