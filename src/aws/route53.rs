//! Route 53: the public hosted zone of an application's domain
//! (ListHostedZonesByName), whose ID the application stack takes to delegate
//! `<app>.<domain>` from it, as `copilot app init --domain` did; and the NS record an
//! adopted environment's zone is delegated by, which AWS Copilot wrote outside
//! CloudFormation (GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets).

use super::{Aws, AwsError, call_error};

impl Aws {
    /// The ID (`Z…`, without `/hostedzone/`) of this account's public hosted zone named
    /// `domain` (`example.com`, no trailing dot), or `None` when there is none. One call:
    /// ListHostedZonesByName starts at `domain` in name order, so an exact match is
    /// among the first page if it exists.
    pub async fn public_zone_id(&self, domain: &str) -> Result<Option<String>, AwsError> {
        let want = format!("{}.", domain.trim_end_matches('.').to_ascii_lowercase());
        let out = self
            .route53
            .list_hosted_zones_by_name()
            .dns_name(&want)
            .max_items(100)
            .send()
            .await
            .map_err(|e| call_error("ListHostedZonesByName", format!("hosted zone {domain}"), e))?;
        Ok(out
            .hosted_zones()
            .iter()
            .find(|z| {
                z.name().eq_ignore_ascii_case(&want)
                    && !z.config().is_some_and(|c| c.private_zone())
            })
            .map(|z| z.id().trim_start_matches("/hostedzone/").to_string()))
    }

    /// Hosted zone `id`'s name (no trailing dot) and name servers, or `None` when it does
    /// not exist (GetHostedZone).
    pub async fn hosted_zone(&self, id: &str) -> Result<Option<(String, Vec<String>)>, AwsError> {
        let id = id.trim_start_matches("/hostedzone/");
        match self.route53.get_hosted_zone().id(id).send().await {
            Ok(out) => Ok(out.hosted_zone().map(|z| {
                (
                    z.name().trim_end_matches('.').to_string(),
                    out.delegation_set()
                        .map(|d| d.name_servers().to_vec())
                        .unwrap_or_default(),
                )
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_hosted_zone()) =>
            {
                Ok(None)
            }
            Err(e) => Err(call_error("GetHostedZone", format!("hosted zone {id}"), e)),
        }
    }

    /// The NS record named `name` (no trailing dot) in zone `zone`: its values, or
    /// `None` when there is none (ListResourceRecordSets from that name).
    pub async fn ns_record(&self, zone: &str, name: &str) -> Result<Option<Vec<String>>, AwsError> {
        Ok(self.find_record(zone, name, "NS").await?.map(|r| {
            r.resource_records()
                .iter()
                .map(|v| v.value().to_string())
                .collect()
        }))
    }

    /// Whether zone `zone` has an `A` record (alias or not) named `name`
    /// (ListResourceRecordSets from that name).
    pub async fn has_a_record(&self, zone: &str, name: &str) -> Result<bool, AwsError> {
        Ok(self.find_record(zone, name, "A").await?.is_some())
    }

    /// Deletes the record of `kind` (`A`, `NS`, …) named `name` in zone `zone` as it is
    /// (ListResourceRecordSets, then ChangeResourceRecordSets: Route 53 deletes only an
    /// exact match); `Ok(false)` when there is none.
    pub async fn delete_record_set(
        &self,
        zone: &str,
        name: &str,
        kind: &str,
    ) -> Result<bool, AwsError> {
        use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch};
        let Some(set) = self.find_record(zone, name, kind).await? else {
            return Ok(false);
        };
        let zone = zone.trim_start_matches("/hostedzone/");
        let what = || format!("record {name} {kind} in hosted zone {zone}");
        let build = |e: aws_sdk_route53::error::BuildError| {
            AwsError::answer("ChangeResourceRecordSets", what(), e.to_string())
        };
        let change = Change::builder()
            .action(ChangeAction::Delete)
            .resource_record_set(set)
            .build()
            .map_err(build)?;
        self.route53
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(
                ChangeBatch::builder()
                    .changes(change)
                    .build()
                    .map_err(build)?,
            )
            .send()
            .await
            .map_err(|e| call_error("ChangeResourceRecordSets", what(), e))?;
        Ok(true)
    }

    /// The record of `kind` named `name` (no trailing dot, any case) in zone `zone`, or
    /// `None`.
    async fn find_record(
        &self,
        zone: &str,
        name: &str,
        kind: &str,
    ) -> Result<Option<aws_sdk_route53::types::ResourceRecordSet>, AwsError> {
        let rr = aws_sdk_route53::types::RrType::from(kind);
        let want = name.trim_end_matches('.').to_ascii_lowercase();
        let zone = zone.trim_start_matches("/hostedzone/");
        let out = self
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .start_record_name(format!("{want}."))
            .start_record_type(rr.clone())
            .max_items(1)
            .send()
            .await
            .map_err(|e| {
                call_error(
                    "ListResourceRecordSets",
                    format!("record {name} {kind} in hosted zone {zone}"),
                    e,
                )
            })?;
        Ok(out
            .resource_record_sets()
            .iter()
            .find(|r| {
                r.r#type() == &rr && r.name().trim_end_matches('.').eq_ignore_ascii_case(&want)
            })
            .cloned())
    }
}
