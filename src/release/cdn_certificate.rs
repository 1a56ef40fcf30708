//! The certificate stack of an environment's distribution, when wharf makes it
//! ([`crate::compile::cdn_certificate`]), deployed in us-east-1 around the environment
//! stack, under the environment's deploy lock:
//!
//! 1. The certificate is validated in the environment's hosted zone, which the
//!    environment stack makes: while that zone is not published yet, the environment
//!    stack deploys first without the certificate (its parameter empty: the
//!    distribution answers to its own `*.cloudfront.net` name).
//! 2. [`before`]: the certificate stack, with the hosted zones' IDs the environment
//!    published. When the names changed, the new certificate comes beside the one the
//!    distribution shows now, which stays in the stack.
//! 3. The caller deploys the environment stack, with the new certificate's ARN.
//! 4. [`after`]: once the environment stack shows the new certificate, the stack drops
//!    the old one, which nothing shows any more (ACM refuses to delete a certificate in
//!    use).
//!
//! A run stopped between 2 and 4 leaves both certificates; the next run keeps both
//! again until the environment stack has moved. An environment that no longer takes
//! wharf's certificate (no `cdn`, or `cdn.certificate` of the user's) has its
//! certificate stack deleted once its stack no longer shows it.

use crate::aws::Aws;
use crate::compile::cdn_certificate::{logical_id, resource_block, template};
use crate::contract::cdn_certificate::{
    ARN_OUTPUT, ARN_PARAMETER, PART, REGION, ZONES, stack_name,
};
use crate::deploy::StackApi;
use crate::deploy::owner::Owner;
use crate::deploy::stack::{Options, StackSpec};
use crate::error::WharfError;
use crate::ui::Ui;

/// What [`after`] does once the environment stack is deployed.
#[derive(Debug)]
pub struct Pending {
    env_stack: String,
    /// The certificate the environment stack shows once it has moved; empty: none of
    /// wharf's.
    arn: String,
    then: Then,
}

/// The certificate stack's last step.
#[derive(Debug)]
enum Then {
    /// Deploy it (clients in us-east-1) without the certificates kept beside the new
    /// one.
    Drop {
        east: Box<Aws>,
        spec: Box<StackSpec>,
    },
    /// Delete it: the environment takes wharf's certificate no more.
    Delete { app: String, env: String },
}

/// Steps 1 and 2 for `env` (an environment stack; nothing when wharf makes no
/// certificate for it): sets its certificate parameter, and returns what [`after`]
/// drops once it is deployed.
///
/// # Errors
/// AWS errors, either stack's deploy failing ([`WharfError::Deploy`]), or a hosted zone
/// the environment did not publish.
pub async fn before(
    ui: &Ui,
    aws: &Aws,
    app: &str,
    env: Option<&mut StackSpec>,
    opts: &Options,
) -> Result<Option<Pending>, WharfError> {
    let Some(spec) = env else {
        return Ok(None);
    };
    let env_name = environment_of(spec);
    let Some(request) = spec.cdn_certificate.clone() else {
        // A deployed stack that showed wharf's certificate: the certificate stack goes
        // once the update has moved the distribution off it.
        let showed = aws
            .describe(&spec.name)
            .await?
            .and_then(|s| s.parameters.get(ARN_PARAMETER).cloned())
            .is_some_and(|arn| !arn.is_empty());
        return Ok(showed.then(|| Pending {
            env_stack: spec.name.clone(),
            arn: String::new(),
            then: Then::Delete {
                app: app.to_string(),
                env: env_name.clone(),
            },
        }));
    };
    // The certificate's stack follows each step to its end, whatever `--detach` says:
    // the next step needs its result.
    let opts = Options {
        detach: false,
        ..opts.clone()
    };
    let zone_names: Vec<String> = ZONES
        .iter()
        .map(|v| crate::contract::ssm_name(app, &env_name, v.key()))
        .collect();
    let mut zones = aws.parameter_values(&zone_names).await?;
    if !zones.contains_key(&zone_names[0]) {
        ui.note(format!(
            "environment `{env_name}`'s hosted zone comes first: its stack deploys without CloudFront's certificate, then the certificate (us-east-1), then the stack again with it"
        ));
        let mut first = spec.clone();
        first.parameters.insert(ARN_PARAMETER.into(), String::new());
        first.cdn_certificate = None;
        super::stacks::upload_if_large(aws, app, &mut first).await?;
        deploy(ui, aws, &first, &opts).await?;
        zones = aws.parameter_values(&zone_names).await?;
    }
    let east = aws.in_region(REGION).await?;
    let name = stack_name(app, &env_name);
    let deployed = east.template(&name).await?.unwrap_or_default();
    let new_id = logical_id(&request);
    let kept: Vec<String> = certificate_ids(&deployed)
        .into_iter()
        .filter(|id| *id != new_id)
        .filter_map(|id| resource_block(&deployed, &id))
        .collect();
    let with_kept = certificate_spec(
        app,
        &env_name,
        &name,
        spec,
        &request,
        &kept.join("\n"),
        &zone_names,
        &zones,
    )?;
    let outcome = deploy(ui, &east, &with_kept, &opts).await?;
    let arn = outcome.outputs.get(ARN_OUTPUT).cloned().ok_or_else(|| {
        WharfError::usage(
            format!("stack {name} (us-east-1) has no output {ARN_OUTPUT}"),
            Some("this is a bug in wharf; please report it".into()),
        )
    })?;
    spec.parameters.insert(ARN_PARAMETER.into(), arn.clone());
    if kept.is_empty() {
        return Ok(None);
    }
    Ok(Some(Pending {
        then: Then::Drop {
            spec: Box::new(certificate_spec(
                app,
                &env_name,
                &name,
                spec,
                &request,
                "",
                &zone_names,
                &zones,
            )?),
            east: Box::new(east),
        },
        env_stack: spec.name.clone(),
        arn,
    }))
}

/// Step 4: when the environment stack shows the new certificate, drops the old ones
/// from the certificate stack (or, when it takes wharf's certificate no more, deletes
/// the stack); otherwise (its deploy failed) leaves them.
///
/// # Errors
/// AWS errors, or the certificate stack's deploy failing.
pub async fn after(
    ui: &Ui,
    aws: &Aws,
    pending: Option<Pending>,
    opts: &Options,
) -> Result<(), WharfError> {
    let Some(p) = pending else {
        return Ok(());
    };
    // The ARN the stack shows: none when its template takes no certificate of wharf's
    // (a parameter an update drops may still be listed).
    let declared = aws
        .template(&p.env_stack)
        .await?
        .is_some_and(|t| crate::compile::declares(&t, ARN_PARAMETER));
    let moved = aws.describe(&p.env_stack).await?.is_some_and(|s| {
        let shown = if declared {
            s.parameters.get(ARN_PARAMETER).map_or("", String::as_str)
        } else {
            ""
        };
        shown == p.arn
            && crate::deploy::status::verdict(&s.status)
                == crate::deploy::status::Verdict::Succeeded
    });
    let opts = Options {
        detach: false,
        ..opts.clone()
    };
    match p.then {
        Then::Drop { east, spec } if moved => deploy(ui, &east, &spec, &opts).await.map(|_| ()),
        Then::Drop { spec, .. } => {
            ui.warn(format!(
                "stack {} (us-east-1) keeps CloudFront's previous certificate until the environment stack shows the new one; the next deploy removes it",
                spec.name
            ));
            Ok(())
        }
        Then::Delete { app, env } if moved => delete(ui, aws, &app, &env, &opts).await,
        Then::Delete { app, env } => {
            ui.warn(format!(
                "stack {} (us-east-1) is kept until environment `{env}`'s stack no longer shows its certificate; the next deploy deletes it",
                stack_name(&app, &env)
            ));
            Ok(())
        }
    }
}

/// Deletes environment `env`'s certificate stack in us-east-1, when there is one (after
/// the environment stack, whose distribution shows the certificate).
///
/// # Errors
/// AWS errors, a stack of that name that is not wharf's for the environment, or the
/// delete failing.
pub async fn delete(
    ui: &Ui,
    aws: &Aws,
    app: &str,
    env: &str,
    opts: &Options,
) -> Result<(), WharfError> {
    let east = aws.in_region(REGION).await?;
    let name = stack_name(app, env);
    if east.describe(&name).await?.is_none() {
        return Ok(());
    }
    let reporter = crate::ui::progress::reporter(ui);
    crate::deploy::stack::delete(
        &east,
        &name,
        &Owner::environment_part(app, env, PART),
        &*reporter,
        opts,
    )
    .await
    .map(|_| ())
    .map_err(WharfError::Deploy)
}

/// An environment stack update (`env`) that removes its CloudFront distribution while
/// deployed service stacks of the environment still point their names at it (they take
/// `CloudFrontDomainName`) would leave their records pointing at nothing until they are
/// deployed again. Those services go first: deployed with the environment manifest
/// without `cdn`, their records point at the load balancer. When every one of them is
/// among `services` (this run's), the environment is set to deploy after them
/// (`StackSpec::after`, [`crate::deploy::multi::deploy_all`]); otherwise the update is
/// refused.
///
/// # Errors
/// [`WharfError::Refused`] naming the services not in the run, or AWS errors.
pub async fn order_distribution_removal(
    aws: &Aws,
    app: &str,
    env: Option<&mut StackSpec>,
    services: &[StackSpec],
) -> Result<(), WharfError> {
    const DISTRIBUTION: &str = "Distribution";
    let Some(spec) = env.filter(|s| !crate::compile::declares(&s.template, DISTRIBUTION)) else {
        return Ok(());
    };
    if !aws
        .template(&spec.name)
        .await?
        .is_some_and(|t| crate::compile::declares(&t, DISTRIBUTION))
    {
        return Ok(());
    }
    let env_name = environment_of(spec);
    let parameter = crate::contract::EnvValue::CloudFrontDomainName.parameter();
    let mut pointing: Vec<(String, String)> = Vec::new();
    for s in aws
        .stacks_tagged(&[
            (crate::deploy::owner::APPLICATION_TAG, app),
            (crate::deploy::owner::ENVIRONMENT_TAG, &env_name),
        ])
        .await?
    {
        let Some(service) = s.tags.get(crate::deploy::owner::SERVICE_TAG) else {
            continue;
        };
        // The template says what the stack takes now (a parameter an update dropped
        // may still be listed).
        if s.parameters.contains_key(parameter)
            && aws
                .template(&s.name)
                .await?
                .is_some_and(|t| crate::compile::declares(&t, parameter))
        {
            pointing.push((service.clone(), s.name.clone()));
        }
    }
    // Those this run redeploys without the distribution go first.
    let (in_run, outside): (Vec<_>, Vec<_>) = pointing.into_iter().partition(|(_, stack)| {
        services
            .iter()
            .any(|s| &s.name == stack && !crate::compile::declares(&s.template, parameter))
    });
    let Some((first, _)) = outside.first() else {
        spec.after
            .extend(in_run.into_iter().map(|(_, stack)| stack));
        return Ok(());
    };
    Err(WharfError::Refused {
        message: format!(
            "this update removes environment `{env_name}`'s CloudFront distribution, and the names of {} still point at it: they would point at nothing",
            outside
                .iter()
                .map(|(s, _)| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        help: Some(format!(
            "deploy those services first (`wharf svc deploy -n {first} -e {env_name}`: their records then point at the load balancer), or deploy them with the environment (`wharf deploy -e {env_name} --all`)"
        )),
    })
}

/// The environment an environment stack's spec is for, from wharf's tags.
fn environment_of(spec: &StackSpec) -> String {
    Owner::from_tags(&spec.tags)
        .and_then(|o| o.environment)
        .unwrap_or_default()
}

/// The logical IDs of the certificates in a certificate stack's `template`.
fn certificate_ids(template: &str) -> Vec<String> {
    template
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|id| {
            id.strip_prefix("CloudFrontCertificate")
                .is_some_and(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .map(str::to_string)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn certificate_spec(
    app: &str,
    env: &str,
    name: &str,
    env_spec: &StackSpec,
    request: &crate::compile::cdn_certificate::Request,
    kept: &str,
    zone_names: &[String],
    zones: &std::collections::BTreeMap<String, String>,
) -> Result<StackSpec, WharfError> {
    let (body, used) = template(app, env, request, kept)?;
    let mut parameters = std::collections::BTreeMap::new();
    for v in used {
        let at = ZONES.iter().position(|z| *z == v).unwrap_or_default();
        let id = zones.get(&zone_names[at]).ok_or_else(|| {
            WharfError::usage(
                format!(
                    "environment `{env}` has not published {} (SSM parameter {}), which CloudFront's certificate is validated in",
                    v.parameter(),
                    zone_names[at]
                ),
                Some(format!("run `wharf env deploy -n {env}` again")),
            )
        })?;
        parameters.insert(v.parameter().to_string(), id.clone());
    }
    let mut tags = env_spec.tags.clone();
    tags.extend(Owner::environment_part(app, env, PART).tags());
    Ok(StackSpec::bare(name, body, parameters, tags))
}

async fn deploy(
    ui: &Ui,
    aws: &Aws,
    spec: &StackSpec,
    opts: &Options,
) -> Result<crate::deploy::types::StackOutcome, WharfError> {
    let reporter = crate::ui::progress::reporter(ui);
    crate::deploy::stack::deploy(aws, spec, &*reporter, opts)
        .await
        .map_err(WharfError::Deploy)
}

#[cfg(test)]
mod tests {
    #[test]
    fn certificate_ids_are_the_hashed_resources() {
        let t = "Resources:\n  CloudFrontCertificate0A1B2C3D:\n    Type: x\n  CloudFrontCertificateXYZ:\n    Type: y\n  CloudFrontCertificate0000FFFF:\n    Type: z\nOutputs:\n  CertificateArn:\n";
        assert_eq!(
            super::certificate_ids(t),
            vec![
                "CloudFrontCertificate0A1B2C3D",
                "CloudFrontCertificate0000FFFF"
            ]
        );
    }
}
