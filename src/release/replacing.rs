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

/// The exports and SSM values `spec`'s template reads (ListExports, GetParameters).
///
/// # Errors
/// AWS errors of those calls.
pub async fn lookups(aws: &Aws, spec: &StackSpec) -> Result<Lookups, AwsError> {
    let template = crate::deploy::diff::canonical_value(&spec.template).unwrap_or_default();
    let names = resolve::ssm_names(&template, &spec.parameters);
    Ok(Lookups {
        exports: aws.exports().await?,
        ssm: aws.parameter_values(&names).await?,
    })
}

/// The resources of the deployed stack `spec` replaces, given its `deployed` template;
/// empty when the stack does not exist.
///
/// # Errors
/// AWS errors of DescribeStacks and of [`lookups`].
pub async fn replacements(
    aws: &Aws,
    spec: &StackSpec,
    deployed: &str,
) -> Result<Vec<Replaced>, AwsError> {
    let Some(stack) = aws.describe(&spec.name).await? else {
        return Ok(Vec::new());
    };
    let lookups = lookups(aws, spec).await?;
    let (old, new) = resolve::stack_values(&stack, &spec.template, &spec.parameters, &lookups);
    Ok(crate::deploy::replace::replacements_with(
        deployed,
        &spec.template,
        &old,
        &new,
    ))
}
