//! Which resources a deploy replaces, by value: reads what comparing the deployed
//! template with the new one needs from AWS (the deployed stack's parameters, the
//! region's exports, the SSM parameters the new template reads) and hands it to the pure
//! comparison ([`crate::deploy::replace::replacements_with`]). Used before every deploy
//! that updates a stack and by `wharf app adopt`'s plan.

use crate::aws::{Aws, AwsError};
use crate::deploy::StackApi;
use crate::deploy::replace::Replaced;
use crate::deploy::resolve::{self, Lookups};
use crate::deploy::stack::StackSpec;
use std::collections::BTreeMap;

/// The region's exports, name to value (ListExports), read once for the stacks of a
/// run. Credentials without permission for the call leave them unknown (what depends on
/// them is not known to change; CloudFormation's own change set still says).
///
/// # Errors
/// AWS errors of ListExports other than access denied.
pub async fn exports(aws: &Aws) -> Result<BTreeMap<String, String>, AwsError> {
    unless_denied(aws.exports().await)
}

/// What `spec`'s template reads: the region's `exports` ([`exports`]) and the SSM
/// values of its SSM-typed parameters (GetParameters; unknown when denied, as above).
///
/// # Errors
/// AWS errors of GetParameters other than access denied.
pub async fn lookups(
    aws: &Aws,
    spec: &StackSpec,
    exports: &BTreeMap<String, String>,
) -> Result<Lookups, AwsError> {
    let template = crate::deploy::diff::canonical_value(&spec.template).unwrap_or_default();
    let names = resolve::ssm_names(&template, &spec.parameters);
    Ok(Lookups {
        exports: exports.clone(),
        ssm: unless_denied(aws.parameter_values(&names).await)?,
    })
}

/// `r`, or nothing when the call was denied.
fn unless_denied<T: Default>(r: Result<T, AwsError>) -> Result<T, AwsError> {
    match r {
        Err(e) if e.kind() == Some(crate::api::ErrorKind::AccessDenied) => Ok(T::default()),
        other => other,
    }
}

/// The resources of the deployed stack `spec` replaces, given its `deployed` template
/// and the region's `exports`; empty when the stack does not exist.
///
/// # Errors
/// AWS errors of DescribeStacks and of [`lookups`].
pub async fn replacements(
    aws: &Aws,
    spec: &StackSpec,
    deployed: &str,
    exports: &BTreeMap<String, String>,
) -> Result<Vec<Replaced>, AwsError> {
    let Some(stack) = aws.describe(&spec.name).await? else {
        return Ok(Vec::new());
    };
    let lookups = lookups(aws, spec, exports).await?;
    let (old, new) = resolve::stack_values(&stack, &spec.template, &spec.parameters, &lookups);
    Ok(crate::deploy::replace::replacements_with(
        deployed,
        &spec.template,
        &old,
        &new,
    ))
}

#[cfg(test)]
mod tests {
    use super::unless_denied;
    use crate::api::{AwsError, ErrorKind};
    use std::collections::BTreeMap;

    fn failed(kind: ErrorKind) -> Result<BTreeMap<String, String>, AwsError> {
        Err(AwsError::Call {
            operation: "ListExports",
            resource: "the region's exports".into(),
            kind,
            code: None,
            message: "no".into(),
            detail: None,
        })
    }

    #[test]
    fn a_denied_lookup_leaves_values_unknown_and_other_failures_stop() {
        assert_eq!(
            unless_denied(failed(ErrorKind::AccessDenied)).unwrap(),
            BTreeMap::new()
        );
        assert!(unless_denied(failed(ErrorKind::Throttled)).is_err());
        let found: BTreeMap<String, String> = [("a".to_string(), "b".to_string())].into();
        assert_eq!(unless_denied(Ok(found.clone())).unwrap(), found);
    }
}
