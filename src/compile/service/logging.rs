//! FireLens log routing (`logging` beyond `retention`): a Fluent Bit log-router
//! container named `firelens_log_router` after the main one (as Copilot places it), the
//! main container's `awsfirelens` log driver with the `destination` options, and task
//! role permissions for the outputs whose target the options name: a CloudWatch Logs
//! group, a Firehose delivery stream, a Kinesis stream or an S3 bucket
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html>,
//! <https://docs.fluentbit.io/manual/pipeline/outputs>). Other outputs need the user's
//! own permissions (a YAML patch). The router logs to the service's log group.

use super::task::{builtin_vars, variable};
use super::*;
use crate::manifest::service::Logging;
use crate::manifest::validate::observability::LOG_ROUTER;

/// The image when `logging.image` is not given (Copilot's default).
pub const DEFAULT_IMAGE: &str = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable";

/// The main container's log settings, when logs go through FireLens, and what reading
/// their secret options takes.
pub(super) fn main_log(m: &ServiceManifest) -> Option<(FirelensLogPlan, SecretsPlan)> {
    let l = m.firelens()?;
    let (secret_options, reads) = secrets::secrets_of(&l.secret_options);
    let mut options: Vec<VarPlan> = l
        .destination
        .iter()
        .map(|(k, v)| VarPlan {
            name: k.value.clone(),
            value: quote(&v.value),
        })
        .collect();
    options.sort_by(|a, b| a.name.cmp(&b.name));
    Some((
        FirelensLogPlan {
            options,
            secret_options,
        },
        reads,
    ))
}

/// The log router container and what reading its secrets takes.
pub(super) fn router(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
    lb: bool,
) -> Option<(ContainerPlan, SecretsPlan)> {
    let l = m.firelens()?;
    let mut vars = builtin_vars(m, inputs, lb);
    for (k, v) in l.variables.iter() {
        vars.insert(k.value.clone(), variable(&v.value));
    }
    let (secret_items, reads) = secrets::secrets_of(&l.secrets);
    Some((
        ContainerPlan {
            name: LOG_ROUTER.into(),
            image: quote(l.image.as_ref().map_or(DEFAULT_IMAGE, |i| i.value.as_str())),
            essential: true,
            environment: vars
                .into_iter()
                .map(|(name, value)| VarPlan { name, value })
                .collect(),
            secrets: secret_items,
            log_router: Some(LogRouterPlan {
                enable_metadata: l.enable_metadata.as_ref().is_none_or(|e| e.value),
                config_file: l.config_file_path.as_ref().map(|p| quote(p)),
            }),
            ..Default::default()
        },
        reads,
    ))
}

/// The option `key` of the output, case-insensitively (Fluent Bit's keys are).
fn option<'a>(l: &'a Logging, key: &str) -> Option<&'a str> {
    l.destination
        .iter()
        .find(|(k, _)| k.value.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.value.as_str())
}

/// Text safe inside `!Sub`: `${` escaped, and Fluent Bit's record templates (`$(tag)`,
/// `$(ecs_task_id)`) widened to `*`.
fn sub_safe(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        out.push('*');
        rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
    }
    out.push_str(rest);
    out.replace("${", "${!")
}

/// Task role statements for the output's target (its name, or its ARN as given), and
/// for the role it assumes (`role_arn`).
pub(super) fn grants(m: &ServiceManifest) -> Vec<GrantPlan> {
    let Some(l) = m.firelens() else {
        return Vec::new();
    };
    let Some(plugin) = option(l, "Name") else {
        return Vec::new();
    };
    let region = option(l, "region").map_or("${AWS::Region}".to_string(), sub_safe);
    // The resource: an ARN as given, or built from the name.
    let target = |given: &str, service: &str, kind: &str, suffix: &str| {
        if given.starts_with("arn:") {
            quote(given)
        } else {
            format!(
                "!Sub {}",
                quote(&format!(
                    "arn:${{AWS::Partition}}:{service}:{region}:${{AWS::AccountId}}:{kind}{}{suffix}",
                    sub_safe(given)
                ))
            )
        }
    };
    let truthy = |key: &str| {
        option(l, key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "on" | "yes"))
    };
    let mut out = Vec::new();
    match plugin.to_ascii_lowercase().as_str() {
        "cloudwatch" | "cloudwatch_logs" => {
            if let Some(g) = option(l, "log_group_name").or_else(|| option(l, "log_group_template"))
            {
                let mut actions = vec![
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ];
                if truthy("auto_create_group") {
                    actions.insert(0, "logs:CreateLogGroup");
                }
                if option(l, "log_retention_days").is_some() {
                    actions.push("logs:PutRetentionPolicy");
                }
                out.push(GrantPlan {
                    actions,
                    resource: target(g, "logs", "log-group:", ":*"),
                });
            }
        }
        "firehose" | "kinesis_firehose" => {
            if let Some(s) = option(l, "delivery_stream") {
                out.push(GrantPlan {
                    actions: vec!["firehose:PutRecordBatch"],
                    resource: target(s, "firehose", "deliverystream/", ""),
                });
            }
        }
        "kinesis" | "kinesis_streams" => {
            if let Some(s) = option(l, "stream") {
                out.push(GrantPlan {
                    actions: vec!["kinesis:PutRecords"],
                    resource: target(s, "kinesis", "stream/", ""),
                });
            }
        }
        "s3" => {
            if let Some(b) = option(l, "bucket") {
                let bucket = if b.starts_with("arn:") {
                    b.replace("${", "${!")
                } else {
                    format!("arn:${{AWS::Partition}}:s3:::{}", sub_safe(b))
                };
                out.push(GrantPlan {
                    actions: vec!["s3:PutObject"],
                    resource: format!("!Sub {}", quote(&format!("{bucket}/*"))),
                });
            }
        }
        _ => {}
    }
    if let Some(role) = option(l, "role_arn") {
        out.push(GrantPlan {
            actions: vec!["sts:AssumeRole"],
            resource: quote(role),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sub_safe;

    #[test]
    fn record_templates_widen_and_sub_syntax_is_escaped() {
        assert_eq!(sub_safe("/ecs/$(ecs_task_id)/app"), "/ecs/*/app");
        assert_eq!(sub_safe("a${b}"), "a${!b}");
        assert_eq!(sub_safe("x$(unclosed"), "x*");
        assert_eq!(sub_safe("plain"), "plain");
    }
}
