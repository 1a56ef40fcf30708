//! The NS record an adopted environment's zone is delegated by: AWS Copilot's
//! `DelegateDNSAction` wrote it in the application's zone through the Route 53 API,
//! and wharf keeps it outside the environment stack (`AdoptedDelegation`). Deleting the
//! environment deletes it too: read before the stack goes, deleted after, and only when
//! it still names the deleted zone's name servers. A delegation left to a deleted zone
//! would let whoever is given those name servers for a new zone answer for every name
//! under it.

use crate::aws::Aws;
use crate::error::WharfError;
use crate::ui::Ui;

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
    let Some(zone) = aws
        .stack_resources(env_stack)
        .await?
        .into_iter()
        .find(|r| r.logical_id == "EnvironmentHostedZone")
        .map(|r| r.physical_id)
    else {
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

/// What to do with the record found once the environment is deleted (`found`: its TTL
/// and values, `None` when it is gone). Pure.
pub fn after_delete_action(kept: &Kept, found: Option<&(i64, Vec<String>)>) -> Action {
    match found {
        None => Action::Gone,
        Some((_, values)) => {
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
    match (after_delete_action(kept, found.as_ref()), found) {
        (Action::Delete, Some((ttl, values))) => {
            aws.delete_ns_record(&kept.app_zone, &kept.name, ttl, &values)
                .await?;
            ui.note(format!(
                "deleted the NS record {} in hosted zone {} (Copilot wrote it outside CloudFormation; it delegated to the deleted zone)",
                kept.name, kept.app_zone
            ));
        }
        (Action::Elsewhere, _) => ui.warn(format!(
            "the NS record {} in hosted zone {} names other name servers than the deleted zone's; left as it is",
            kept.name, kept.app_zone
        )),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_record_naming_the_deleted_zones_servers_is_deleted() {
        let kept = Kept {
            app_zone: "Z1".into(),
            name: "test.shop.example.com".into(),
            name_servers: vec!["ns-1.awsdns-01.org".into(), "ns-2.awsdns-02.com".into()],
        };
        let same = (
            60,
            vec!["NS-2.awsdns-02.com.".into(), "ns-1.awsdns-01.org".into()],
        );
        assert_eq!(after_delete_action(&kept, Some(&same)), Action::Delete);
        let other = (60, vec!["ns-9.awsdns-09.net".into()]);
        assert_eq!(after_delete_action(&kept, Some(&other)), Action::Elsewhere);
        assert_eq!(after_delete_action(&kept, None), Action::Gone);
    }
}
