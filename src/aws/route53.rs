//! Route 53: the public hosted zone of an application's domain
//! (ListHostedZonesByName), whose ID the application stack takes to delegate
//! `<app>.<domain>` from it, as `copilot app init --domain` did.

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
}
