//! Records AWS Copilot wrote through the Route 53 API, outside any stack, that adopted
//! stacks keep where they are (CloudFormation can neither create a record beside one of
//! the same name nor import it).
//!
//! - The NS record an adopted environment's zone is delegated by (Copilot's
//!   `DelegateDNSAction` wrote it in the application's zone; `AdoptedDelegation`).
//!   Deleting the environment deletes it too: read before the stack goes, deleted
//!   after, and only when it still names the deleted zone's name servers. A delegation
//!   left to a deleted zone would let whoever is given those name servers for a new
//!   zone answer for every name under it.
//! - A service's aliases in the application's zones (Copilot's `CustomDomainAction`
//!   wrote their `A` records; `AdoptedAliasRecords`): [`keep_adopted_aliases`].

use crate::aws::Aws;
use crate::error::WharfError;
use crate::ui::Ui;
use std::collections::BTreeMap;

/// The environment stack's hosted zone, `<env>.<app>.<domain>` (Copilot's logical ID).
pub const ENV_ZONE: &str = "EnvironmentHostedZone";

/// Keeps an environment's zone delegation where AWS Copilot made it: the stack's
/// [`ADOPTED_DELEGATION_PARAMETER`](crate::compile::environment::ADOPTED_DELEGATION_PARAMETER)
/// is `'true'` when the deployed stack says so, or is Copilot's with a domain
/// ([`crate::adopt::delegation_kept`]) and Copilot's record is there (without it, wharf
/// makes one). An update that would drop or rename a zone so delegated is refused: the
/// record, outside CloudFormation, would be left pointing at a deleted zone.
///
/// # Errors
/// [`WharfError::Refused`] for a dropped or renamed delegated zone; AWS errors.
pub async fn keep_adopted_delegation(
    aws: &Aws,
    spec: &mut crate::deploy::stack::StackSpec,
) -> Result<(), WharfError> {
    use crate::compile::environment::ADOPTED_DELEGATION_PARAMETER;
    use crate::deploy::StackApi;
    let Some(deployed) = aws.describe(&spec.name).await? else {
        return Ok(());
    };
    if !crate::adopt::delegation_kept(&deployed) {
        return Ok(());
    }
    let zone = match aws.stack_resource(&spec.name, ENV_ZONE).await? {
        Some(id) => aws.hosted_zone(&id).await?,
        None => None,
    };
    let wanted = crate::deploy::diff::canonical_value(&spec.template).and_then(|t| {
        t["Resources"][ENV_ZONE]["Properties"]["Name"]
            .as_str()
            .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
    });
    if let Some((name, _)) = &zone {
        if wanted.as_deref() != Some(name.as_str()) {
            return Err(WharfError::Refused {
                message: format!(
                    "{}: hosted zone {name} is delegated by an NS record AWS Copilot wrote outside CloudFormation, and this update {}: the record would be left pointing at a deleted zone; nothing was deployed",
                    spec.name,
                    match &wanted {
                        Some(w) => format!("replaces the zone with {w}"),
                        None => "deletes the zone (the application names no domain)".into(),
                    }
                ),
                help: Some(
                    "keep the application's domain as it was adopted; `wharf env delete` deletes the environment with its zone and that record".into(),
                ),
            });
        }
        // Copilot's stack: its record must be there to be kept; without it, wharf's
        // stack makes one.
        if matches!(
            crate::deploy::owner::made_by(&deployed),
            crate::deploy::owner::MadeBy::Copilot(_)
        ) && !copilot_delegation_present(aws, &deployed, name).await?
        {
            return Ok(());
        }
    }
    if crate::compile::declares(&spec.template, ADOPTED_DELEGATION_PARAMETER) {
        spec.parameters
            .entry(ADOPTED_DELEGATION_PARAMETER.to_string())
            .or_insert_with(|| "true".into());
    }
    Ok(())
}

/// Whether the NS record delegating zone `name` (AWS Copilot's environment stack
/// `deployed`'s) is in the application's zone ([`copilot_app_zone`]). `true` when that
/// zone cannot be found (the record is then assumed, as Copilot made it).
async fn copilot_delegation_present(
    aws: &Aws,
    deployed: &crate::deploy::types::StackInfo,
    name: &str,
) -> Result<bool, WharfError> {
    let Some(app) = deployed.tags.get(crate::deploy::owner::COPILOT_APPLICATION) else {
        return Ok(true);
    };
    let Some(app_zone) = copilot_app_zone(aws, app).await? else {
        return Ok(true);
    };
    Ok(aws.ns_record(&app_zone, name).await?.is_some())
}

/// The name of AWS Copilot's application stack (its roles and, with a domain, the
/// application's hosted zone `AppHostedZone`).
pub fn copilot_app_stack(app: &str) -> String {
    format!("{app}-infrastructure-roles")
}

/// The ID of AWS Copilot's application zone `<app>.<domain>` (`AppHostedZone` in
/// [`copilot_app_stack`]), or `None` when that stack or resource does not exist.
///
/// # Errors
/// AWS errors.
pub async fn copilot_app_zone(aws: &Aws, app: &str) -> Result<Option<String>, WharfError> {
    Ok(aws
        .stack_resource(&copilot_app_stack(app), "AppHostedZone")
        .await?
        .map(|z| z.trim_start_matches("/hostedzone/").to_string()))
}

/// A kept delegation record, as read before its environment is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The application's zone, which holds the record.
    pub app_zone: String,
    /// The record's name: the environment zone's (`<env>.<app>.<domain>`).
    pub name: String,
    /// The environment zone's name servers.
    pub name_servers: Vec<String>,
}

/// The delegation environment stack `env_stack` of `app` keeps outside CloudFormation,
/// or `None` when it keeps none (not adopted, no domain, or the stack is gone).
///
/// # Errors
/// AWS errors.
pub async fn before_delete(
    aws: &Aws,
    app: &str,
    env_stack: &str,
) -> Result<Option<Kept>, WharfError> {
    use crate::contract::{EnvValue, app_ssm_name};
    use crate::deploy::StackApi;
    let Some(stack) = aws.describe(env_stack).await? else {
        return Ok(None);
    };
    if !matches!(
        crate::deploy::owner::made_by(&stack),
        crate::deploy::owner::MadeBy::Wharf(_)
    ) || !crate::adopt::delegation_kept(&stack)
    {
        return Ok(None);
    }
    let Some(zone) = aws.stack_resource(env_stack, ENV_ZONE).await? else {
        return Ok(None);
    };
    let Some((name, name_servers)) = aws.hosted_zone(&zone).await? else {
        return Ok(None);
    };
    let key = app_ssm_name(app, EnvValue::AppHostedZoneId.key());
    let Some(app_zone) = aws
        .parameter_values(std::slice::from_ref(&key))
        .await?
        .remove(&key)
    else {
        return Ok(None);
    };
    Ok(Some(Kept {
        app_zone,
        name,
        name_servers,
    }))
}

/// The service stack parameter naming the aliases whose records the stack keeps outside
/// it (comma-separated, sorted; empty: the stack makes them).
pub const ADOPTED_ALIASES_PARAMETER: &str = "AdoptedAliasRecords";

/// The aliases a deployed service stack keeps outside it: its
/// [`ADOPTED_ALIASES_PARAMETER`]'s names (none when it has no such parameter).
fn adopted_aliases(parameters: &BTreeMap<String, String>) -> Vec<String> {
    parameters
        .get(ADOPTED_ALIASES_PARAMETER)
        .map(|v| {
            v.split(',')
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The record groups of `template` (a service's) that its adopted aliases leave out
/// (`Condition: MakesAliasRecords`): each group's zone, as the SSM parameter its
/// `HostedZoneId` parameter reads (the parameter's default), and its names. Pure.
pub fn alias_groups(template: &str) -> Vec<(Option<String>, Vec<String>)> {
    let Some(t) = crate::deploy::diff::canonical_value(template) else {
        return Vec::new();
    };
    t["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| {
            r["Type"] == "AWS::Route53::RecordSetGroup" && r["Condition"] == "MakesAliasRecords"
        })
        .map(|(_, r)| {
            let zone = r["Properties"]["HostedZoneId"]["Ref"]
                .as_str()
                .and_then(|p| t["Parameters"][p]["Default"].as_str())
                .map(str::to_string);
            let names = r["Properties"]["RecordSets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n["Name"].as_str().map(str::to_ascii_lowercase))
                .collect();
            (zone, names)
        })
        .collect()
}

/// Keeps a service's aliases' records where AWS Copilot wrote them. For Copilot's
/// stack (an adoption), the aliases of `spec` in the application's zones that have an
/// `A` record already are Copilot's (its service stacks never made those; its
/// environment's `CustomDomainAction` did): the stack's
/// [`ADOPTED_ALIASES_PARAMETER`] names them, so its record groups there are not made.
/// For wharf's stack, the deployed value is carried. Either way the aliases must be
/// exactly those: a record of a new alias would not be made, and one dropped would
/// stay. `zones` gives zone IDs by the SSM parameter that will publish them, for a
/// plan made before they are published.
///
/// # Errors
/// [`WharfError::Refused`] when the manifest's aliases differ from the kept ones, or
/// only some of Copilot's have records; AWS errors.
pub async fn keep_adopted_aliases(
    aws: &Aws,
    spec: &mut crate::deploy::stack::StackSpec,
    zones: &BTreeMap<String, String>,
) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    use crate::deploy::owner::{MadeBy, made_by};
    let declared = crate::compile::declares(&spec.template, ADOPTED_ALIASES_PARAMETER);
    let groups = alias_groups(&spec.template);
    let mut wanted: Vec<String> = groups.iter().flat_map(|(_, n)| n.clone()).collect();
    wanted.sort();
    wanted.dedup();
    let Some(deployed) = aws.describe(&spec.name).await? else {
        return Ok(());
    };
    let refuse = |kept: &[String], why: String, help: &str| WharfError::Refused {
        message: format!(
            "{}: the records of {} are AWS Copilot's, outside CloudFormation, and kept there since the adoption; {why}; nothing was deployed",
            spec.name,
            kept.join(", ")
        ),
        help: Some(help.into()),
    };
    let kept: Vec<String> = match made_by(&deployed) {
        MadeBy::Copilot(_) if declared => {
            let ssm: Vec<String> = groups
                .iter()
                .filter_map(|(z, _)| z.clone())
                .filter(|z| !zones.contains_key(z))
                .collect();
            let mut ids = aws.parameter_values(&ssm).await?;
            ids.extend(zones.iter().map(|(k, v)| (k.clone(), v.clone())));
            let mut found = Vec::new();
            for (zone, names) in &groups {
                let Some(id) = zone.as_ref().and_then(|z| ids.get(z)) else {
                    continue;
                };
                for n in names {
                    if aws.has_a_record(id, n).await? {
                        found.push(n.clone());
                    }
                }
            }
            found.sort();
            found.dedup();
            if !found.is_empty() && found != wanted {
                let missing: Vec<&str> = wanted
                    .iter()
                    .filter(|w| !found.contains(w))
                    .map(String::as_str)
                    .collect();
                return Err(refuse(
                    &found,
                    format!(
                        "{} of the service's aliases have no record, and wharf either keeps a service's alias records outside its stack or makes them all",
                        missing.join(", ")
                    ),
                    "make the missing records (A aliases to the environment's load balancer) or take those aliases out of the manifest, then run `wharf app adopt` again",
                ));
            }
            found
        }
        MadeBy::Wharf(_) => adopted_aliases(&deployed.parameters),
        _ => return Ok(()),
    };
    if kept.is_empty() {
        return Ok(());
    }
    if kept != wanted {
        let new: Vec<&str> = wanted
            .iter()
            .filter(|w| !kept.contains(w))
            .map(String::as_str)
            .collect();
        let why = if new.is_empty() {
            format!(
                "the manifest drops {}, whose records would stay",
                kept.iter()
                    .filter(|k| !wanted.contains(k))
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!("wharf would make no record for {}", new.join(", "))
        };
        return Err(refuse(
            &kept,
            why,
            "keep the service's aliases as they were adopted (`wharf svc delete` deletes the service with those records)",
        ));
    }
    spec.parameters
        .insert(ADOPTED_ALIASES_PARAMETER.to_string(), kept.join(","));
    Ok(())
}

/// The alias records service stack `stack` keeps outside it (its
/// [`ADOPTED_ALIASES_PARAMETER`]), as (zone ID, name), read before the stack is
/// deleted: they are deleted after it ([`delete_aliases`]), as Copilot's
/// `CustomDomainAction` would have deleted them. Empty for any other stack.
///
/// # Errors
/// AWS errors.
pub async fn aliases_before_delete(
    aws: &Aws,
    stack: &str,
) -> Result<Vec<(String, String)>, WharfError> {
    use crate::deploy::StackApi;
    let Some(info) = aws.describe(stack).await? else {
        return Ok(Vec::new());
    };
    let kept = adopted_aliases(&info.parameters);
    if kept.is_empty()
        || !matches!(
            crate::deploy::owner::made_by(&info),
            crate::deploy::owner::MadeBy::Wharf(_)
        )
    {
        return Ok(Vec::new());
    }
    let Some(template) = aws.template(stack).await? else {
        return Ok(Vec::new());
    };
    let groups = alias_groups(&template);
    let ssm: Vec<String> = groups.iter().filter_map(|(z, _)| z.clone()).collect();
    let ids = aws.parameter_values(&ssm).await?;
    let mut out = Vec::new();
    for (zone, names) in &groups {
        if let Some(id) = zone.as_ref().and_then(|z| ids.get(z)) {
            out.extend(
                names
                    .iter()
                    .filter(|n| kept.contains(n))
                    .map(|n| (id.clone(), n.clone())),
            );
        }
    }
    Ok(out)
}

/// Deletes the alias records `records` ([`aliases_before_delete`]) of deleted service
/// stack `stack`, saying which.
///
/// # Errors
/// AWS errors.
pub async fn delete_aliases(
    ui: &Ui,
    aws: &Aws,
    stack: &str,
    records: &[(String, String)],
) -> Result<(), WharfError> {
    for (zone, name) in records {
        if aws.delete_record_set(zone, name, "A").await? {
            ui.note(format!(
                "{stack}: deleted the A record {name} in hosted zone {zone} (Copilot wrote it outside CloudFormation; the service is gone)"
            ));
        }
    }
    Ok(())
}

/// What to do with the record found once the environment is deleted (`found`: its TTL
/// and values, `None` when it is gone). Pure.
pub fn after_delete_action(kept: &Kept, found: Option<&Vec<String>>) -> Action {
    match found {
        None => Action::Gone,
        Some(values) => {
            // Names compare without case or the final dot, in any order.
            let norm = |v: &[String]| {
                let mut v: Vec<String> = v
                    .iter()
                    .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
                    .collect();
                v.sort();
                v
            };
            if norm(values) == norm(&kept.name_servers) {
                Action::Delete
            } else {
                Action::Elsewhere
            }
        }
    }
}

/// [`after_delete_action`]'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The record delegates to the deleted zone: delete it.
    Delete,
    /// No record: nothing to do.
    Gone,
    /// The record names other name servers now (someone changed it): leave it.
    Elsewhere,
}

/// Deletes `kept` once its environment is deleted, saying what it did.
///
/// # Errors
/// AWS errors.
pub async fn after_delete(ui: &Ui, aws: &Aws, kept: &Kept) -> Result<(), WharfError> {
    let found = aws.ns_record(&kept.app_zone, &kept.name).await?;
    match after_delete_action(kept, found.as_ref()) {
        Action::Delete => {
            aws.delete_record_set(&kept.app_zone, &kept.name, "NS")
                .await?;
            ui.note(format!(
                "deleted the NS record {} in hosted zone {} (Copilot wrote it outside CloudFormation; it delegated to the deleted zone)",
                kept.name, kept.app_zone
            ));
        }
        Action::Elsewhere => ui.warn(format!(
            "the NS record {} in hosted zone {} names other name servers than the deleted zone's; left as it is",
            kept.name, kept.app_zone
        )),
        Action::Gone => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_groups_an_adoption_leaves_out_name_their_zones_and_names() {
        let t = "Parameters:\n  DomainHostedZoneId:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /wharf/shop/_app/domain-hosted-zone-id\nResources:\n  LoadBalancerDNSAliasDomain:\n    Type: AWS::Route53::RecordSetGroup\n    Condition: MakesAliasRecords\n    Properties:\n      HostedZoneId: !Ref DomainHostedZoneId\n      RecordSets:\n        - Name: WWW.example.com\n          Type: A\n  LoadBalancerDNSAliasZ1:\n    Type: AWS::Route53::RecordSetGroup\n    Properties:\n      HostedZoneId: Z1\n      RecordSets:\n        - Name: other.example.org\n";
        assert_eq!(
            alias_groups(t),
            [(
                Some("/wharf/shop/_app/domain-hosted-zone-id".to_string()),
                vec!["www.example.com".to_string()]
            )]
        );
        assert!(alias_groups("{").is_empty());
    }

    #[test]
    fn only_a_record_naming_the_deleted_zones_servers_is_deleted() {
        let kept = Kept {
            app_zone: "Z1".into(),
            name: "test.shop.example.com".into(),
            name_servers: vec!["ns-1.awsdns-01.org".into(), "ns-2.awsdns-02.com".into()],
        };
        let same = vec!["NS-2.awsdns-02.com.".into(), "ns-1.awsdns-01.org".into()];
        assert_eq!(after_delete_action(&kept, Some(&same)), Action::Delete);
        let other = vec!["ns-9.awsdns-09.net".into()];
        assert_eq!(after_delete_action(&kept, Some(&other)), Action::Elsewhere);
        assert_eq!(after_delete_action(&kept, None), Action::Gone);
    }
}
