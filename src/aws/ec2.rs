//! EC2: the subnets of a VPC that carry given tags (`placement.subnets.from_tags`),
//! with DescribeSubnets' `vpc-id` and `tag:<key>` filters (a subnet matches when it has
//! every key, with any of that key's values), which given subnet IDs are in a VPC, and
//! the ID of an AWS-managed prefix list by name (DescribeManagedPrefixLists).

use super::{Aws, AwsError, call_error};
use aws_sdk_ec2::types::Filter;
use std::collections::BTreeMap;

impl Aws {
    /// The ID (`pl-…`) of the AWS-managed prefix list `name` in this region (CloudFront's
    /// origin-facing addresses, say), or `None` when the region has none by that name.
    pub async fn managed_prefix_list(&self, name: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .ec2
            .describe_managed_prefix_lists()
            .filters(
                Filter::builder()
                    .name("prefix-list-name")
                    .values(name)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| {
                call_error(
                    "DescribeManagedPrefixLists",
                    format!("prefix list {name}"),
                    e,
                )
            })?;
        Ok(out
            .prefix_lists()
            .iter()
            .find(|p| p.prefix_list_name() == Some(name))
            .and_then(|p| p.prefix_list_id().map(str::to_string)))
    }

    /// IDs of the subnets of `vpc` whose tags match `tags` (key → accepted values),
    /// sorted; at most 1,000 (DescribeSubnets pages of 200, five pages).
    pub async fn subnets_by_tags(
        &self,
        vpc: &str,
        tags: &BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<String>, AwsError> {
        let mut filters = vec![Filter::builder().name("vpc-id").values(vpc).build()];
        for (k, values) in tags {
            filters.push(
                Filter::builder()
                    .name(format!("tag:{k}"))
                    .set_values(Some(values.clone()))
                    .build(),
            );
        }
        self.subnet_ids(vpc, filters).await
    }

    /// Which of `ids` are subnets of `vpc`, sorted.
    pub async fn subnets_in_vpc(&self, vpc: &str, ids: &[String]) -> Result<Vec<String>, AwsError> {
        let filters = vec![
            Filter::builder().name("vpc-id").values(vpc).build(),
            Filter::builder()
                .name("subnet-id")
                .set_values(Some(ids.to_vec()))
                .build(),
        ];
        self.subnet_ids(vpc, filters).await
    }

    async fn subnet_ids(&self, vpc: &str, filters: Vec<Filter>) -> Result<Vec<String>, AwsError> {
        let mut ids = Vec::new();
        let mut token = None;
        for _ in 0..5 {
            let out = self
                .ec2
                .describe_subnets()
                .set_filters(Some(filters.clone()))
                .set_next_token(token)
                .max_results(200)
                .send()
                .await
                .map_err(|e| call_error("DescribeSubnets", format!("subnets of {vpc}"), e))?;
            ids.extend(
                out.subnets()
                    .iter()
                    .filter_map(|s| s.subnet_id().map(str::to_string)),
            );
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}
