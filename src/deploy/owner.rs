//! Who made a stack, and the one check every stack change goes through.
//!
//! wharf creates, updates and deletes only stacks it made itself, for the same
//! application, environment and service. It knows its own stacks by their tags
//! (`wharf-application`, `wharf-environment`, `wharf-service`), which every template it
//! deploys carries. A stack with the same name made by anyone else is refused before
//! anything changes, with what made it: AWS Copilot (tags `copilot-application`,
//! `copilot-environment`, `copilot-service`; Copilot names its stacks exactly as wharf
//! does), wharf for another application whose names run together into the same stack
//! name (`shop-test` + `web` and `shop` + `test-web`), or something else. Pure.

use super::DeployError;
use super::types::StackInfo;
use std::collections::BTreeMap;

/// Tag naming the application on every stack wharf makes.
pub const APPLICATION_TAG: &str = "wharf-application";
/// Tag naming the environment on environment and service stacks.
pub const ENVIRONMENT_TAG: &str = "wharf-environment";
/// Tag naming the service on service stacks.
pub const SERVICE_TAG: &str = "wharf-service";
/// Tag naming the part of an environment a stack of its own holds, beside the
/// environment stack (`CloudFrontCertificate`, in us-east-1).
pub const PART_TAG: &str = "wharf-part";

/// AWS Copilot's tag naming the application on its stacks.
pub const COPILOT_APPLICATION: &str = "copilot-application";
const COPILOT_ENVIRONMENT: &str = "copilot-environment";
const COPILOT_SERVICE: &str = "copilot-service";

/// What a stack is for, as its wharf tags say: the application stack has only an
/// application, an environment stack an environment too, a service stack all three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Application name.
    pub application: String,
    /// Environment name, on environment and service stacks.
    pub environment: Option<String>,
    /// Service name, on service stacks.
    pub service: Option<String>,
    /// The part of the environment, on a stack that holds one ([`PART_TAG`]).
    pub part: Option<String>,
}

impl Owner {
    /// The application stack of `application`.
    pub fn application(application: &str) -> Self {
        Owner {
            application: application.into(),
            environment: None,
            service: None,
            part: None,
        }
    }

    /// The stack of environment `environment`.
    pub fn environment(application: &str, environment: &str) -> Self {
        Owner {
            environment: Some(environment.into()),
            ..Self::application(application)
        }
    }

    /// The stack of part `part` of `environment` (capitals, so no service has its
    /// name): `CloudFrontCertificate`.
    pub fn environment_part(application: &str, environment: &str, part: &str) -> Self {
        Owner {
            part: Some(part.into()),
            ..Self::environment(application, environment)
        }
    }

    /// The stack of service `service` in `environment`.
    pub fn service(application: &str, environment: &str, service: &str) -> Self {
        Owner {
            service: Some(service.into()),
            ..Self::environment(application, environment)
        }
    }

    /// The owner wharf's tags name; `None` without a `wharf-application` tag.
    pub fn from_tags(tags: &BTreeMap<String, String>) -> Option<Self> {
        Some(Owner {
            application: tags.get(APPLICATION_TAG)?.clone(),
            environment: tags.get(ENVIRONMENT_TAG).cloned(),
            service: tags.get(SERVICE_TAG).cloned(),
            part: tags.get(PART_TAG).cloned(),
        })
    }

    /// wharf's tags for this owner.
    pub fn tags(&self) -> BTreeMap<String, String> {
        let mut t = BTreeMap::from([(APPLICATION_TAG.to_string(), self.application.clone())]);
        if let Some(e) = &self.environment {
            t.insert(ENVIRONMENT_TAG.into(), e.clone());
        }
        if let Some(v) = &self.service {
            t.insert(SERVICE_TAG.into(), v.clone());
        }
        if let Some(p) = &self.part {
            t.insert(PART_TAG.into(), p.clone());
        }
        t
    }

    /// The stack name wharf gives this owner's stack: `<app>-infrastructure`,
    /// `<app>-<env>`, `<app>-<env>-<svc>` or `<app>-<env>-<part>`.
    pub fn stack_name(&self) -> String {
        match (
            &self.environment,
            self.service.as_ref().or(self.part.as_ref()),
        ) {
            (Some(e), Some(v)) => format!("{}-{e}-{v}", self.application),
            (Some(e), None) => format!("{}-{e}", self.application),
            _ => format!("{}-infrastructure", self.application),
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("application `{}`", self.application);
        if let Some(e) = &self.environment {
            s.push_str(&format!(", environment `{e}`"));
        }
        if let Some(v) = &self.service {
            s.push_str(&format!(", service `{v}`"));
        }
        if let Some(p) = &self.part {
            s.push_str(&format!(", its {p}"));
        }
        s
    }
}

/// Who made a stack, as far as its tags tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MadeBy {
    /// wharf, for this owner.
    Wharf(Owner),
    /// AWS Copilot, for this application, environment and service (as its tags say).
    Copilot(Owner),
    /// Neither wharf nor Copilot tagged it.
    Unknown,
}

/// Who made `stack`.
/// Copilot's tags decide over wharf's: a stack that carries both was made by Copilot
/// (and retagged), and a wharf-tagged stack whose name is not the one wharf gives its
/// owner was not made by wharf either.
pub fn made_by(stack: &StackInfo) -> MadeBy {
    if let Some(app) = stack.tags.get(COPILOT_APPLICATION) {
        return MadeBy::Copilot(Owner {
            application: app.clone(),
            environment: stack.tags.get(COPILOT_ENVIRONMENT).cloned(),
            service: stack.tags.get(COPILOT_SERVICE).cloned(),
            part: None,
        });
    }
    match Owner::from_tags(&stack.tags) {
        Some(owner) if owner.stack_name() == stack.name => MadeBy::Wharf(owner),
        _ => MadeBy::Unknown,
    }
}

/// [`check`] for `wharf app adopt`: the stack may also be AWS Copilot's for the same
/// application, environment and service (Copilot names stacks as wharf does).
///
/// # Errors
/// As [`check`], for a stack that is neither.
pub fn check_adopting(stack: &StackInfo, expected: &Owner) -> Result<(), DeployError> {
    match made_by(stack) {
        MadeBy::Copilot(owner) if owner == *expected => Ok(()),
        _ => check(stack, expected),
    }
}

/// The check before `app adopt`'s first step on stack `name` ([`crate::adopt::retain`]):
/// it must exist and be AWS Copilot's.
///
/// # Errors
/// [`DeployError::NotOurs`] for a stack that is missing or not Copilot's.
pub fn check_copilots(stack: Option<&StackInfo>, name: &str) -> Result<(), DeployError> {
    match stack.map(made_by) {
        Some(MadeBy::Copilot(_)) => Ok(()),
        other => Err(DeployError::NotOurs {
            stack: name.into(),
            expected: "a stack AWS Copilot made".into(),
            made_by: match other {
                None => "nobody: it does not exist".into(),
                Some(MadeBy::Wharf(_)) => "wharf".into(),
                _ => "neither Copilot nor wharf".into(),
            },
            help: "run `wharf app adopt` again: it plans each stack as it finds it".into(),
        }),
    }
}

/// [`check_adopting`] when `adopting` (a `StackSpec::adopting` stack), else [`check`].
///
/// # Errors
/// As the check it makes.
pub fn check_for(stack: &StackInfo, expected: &Owner, adopting: bool) -> Result<(), DeployError> {
    if adopting {
        check_adopting(stack, expected)
    } else {
        check(stack, expected)
    }
}

/// The check before any create, update or delete of `stack`: it must be wharf's stack
/// for `expected`.
///
/// # Errors
/// [`DeployError::NotOurs`] naming the stack, what made it and what to do.
pub fn check(stack: &StackInfo, expected: &Owner) -> Result<(), DeployError> {
    let refuse = |made_by: String, help: String| {
        Err(DeployError::NotOurs {
            stack: stack.name.clone(),
            expected: expected.describe(),
            made_by,
            help,
        })
    };
    match made_by(stack) {
        MadeBy::Wharf(owner) if owner == *expected => Ok(()),
        MadeBy::Wharf(owner) => refuse(
            format!("wharf, for {}", owner.describe()),
            format!(
                "wharf expected it to be the stack of {}; the two names run together into the \
                 same stack name, so rename the application, environment or service",
                expected.describe()
            ),
        ),
        MadeBy::Copilot(owner) => refuse(
            format!("AWS Copilot, for {}", owner.describe()),
            "wharf does not change or delete what Copilot deployed unless told to take it \
             over: `wharf app adopt --plan` shows what taking the application over in \
             place changes, and `wharf app adopt` does it"
                .into(),
        ),
        MadeBy::Unknown => refuse(
            "something other than wharf (it lacks wharf's tags, or its name is not the one wharf gives them)".into(),
            "wharf only changes stacks it created; rename or delete that stack yourself, \
             or choose another application or environment name"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(tags: &[(&str, &str)]) -> StackInfo {
        StackInfo {
            name: "shop-test".into(),
            id: "arn:aws:cloudformation:us-east-1:123456789012:stack/shop-test/1".into(),
            status: "CREATE_COMPLETE".into(),
            reason: None,
            outputs: BTreeMap::new(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            parameters: BTreeMap::new(),
        }
    }

    fn refusal(r: Result<(), DeployError>) -> (String, String) {
        match r {
            Err(e @ DeployError::NotOurs { .. }) => {
                let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
                (e.to_string(), help.unwrap_or_default())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wharfs_own_stack_passes() {
        let s = stack(&[
            ("wharf-application", "shop"),
            ("wharf-environment", "test"),
            ("team", "a"),
        ]);
        assert!(check(&s, &Owner::environment("shop", "test")).is_ok());
        let s = StackInfo {
            name: "shop-infrastructure".into(),
            ..stack(&[("wharf-application", "shop")])
        };
        assert!(check(&s, &Owner::application("shop")).is_ok());
    }

    #[test]
    fn a_copilot_stack_is_refused_with_what_made_it() {
        let s = stack(&[
            ("copilot-application", "shop"),
            ("copilot-environment", "test"),
        ]);
        assert_eq!(
            made_by(&s),
            MadeBy::Copilot(Owner::environment("shop", "test"))
        );
        let (msg, help) = refusal(check(&s, &Owner::environment("shop", "test")));
        assert_eq!(
            msg,
            "stack shop-test is not wharf's stack of application `shop`, environment `test`: \
             it was made by AWS Copilot, for application `shop`, environment `test`; wharf \
             changed nothing"
        );
        assert!(help.contains("Copilot"), "{help}");
    }

    #[test]
    fn a_stack_without_tags_is_refused() {
        let (msg, help) = refusal(check(&stack(&[]), &Owner::environment("shop", "test")));
        assert!(msg.contains("something other than wharf"), "{msg}");
        assert!(help.contains("rename or delete"), "{help}");
    }

    #[test]
    fn another_wharf_stack_with_the_same_name_is_refused() {
        // `shop` + `test` + `web` and `shop-test` + `web` are both `shop-test-web`.
        let s = StackInfo {
            name: "shop-test-web".into(),
            ..stack(&[
                ("wharf-application", "shop-test"),
                ("wharf-environment", "web"),
            ])
        };
        let (msg, help) = refusal(check(&s, &Owner::service("shop", "test", "web")));
        assert!(
            msg.contains("wharf, for application `shop-test`, environment `web`"),
            "{msg}"
        );
        assert!(
            help.contains("application `shop`, environment `test`, service `web`"),
            "{help}"
        );
        // The same application and environment, but a service stack expected.
        let s = stack(&[("wharf-application", "shop"), ("wharf-environment", "test")]);
        refusal(check(&s, &Owner::service("shop", "test", "web")));
    }

    #[test]
    fn copilot_tags_win_over_wharf_tags_and_the_name_must_fit() {
        let s = stack(&[
            ("wharf-application", "shop"),
            ("wharf-environment", "test"),
            ("copilot-application", "shop"),
        ]);
        assert!(matches!(made_by(&s), MadeBy::Copilot(_)));
        // wharf's tags on a stack wharf would have named otherwise.
        let s = StackInfo {
            name: "billing".into(),
            ..stack(&[("wharf-application", "shop"), ("wharf-environment", "test")])
        };
        assert_eq!(made_by(&s), MadeBy::Unknown);
        assert!(check(&s, &Owner::environment("shop", "test")).is_err());
    }

    #[test]
    fn stack_names_follow_the_owner() {
        assert_eq!(
            Owner::application("shop").stack_name(),
            "shop-infrastructure"
        );
        assert_eq!(Owner::environment("shop", "test").stack_name(), "shop-test");
        assert_eq!(
            Owner::service("shop", "test", "web").stack_name(),
            "shop-test-web"
        );
        assert_eq!(
            Owner::from_tags(&Owner::service("shop", "test", "web").tags()),
            Some(Owner::service("shop", "test", "web"))
        );
    }
}
