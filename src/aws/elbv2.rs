//! Elastic Load Balancing v2: an existing load balancer a service imports (`http.alb`),
//! by name or ARN (DescribeLoadBalancers), its listeners (DescribeListeners) and the
//! priorities its listeners' rules hold (DescribeRules).

use super::{Aws, AwsError, ErrorKind, call_error};

/// A load balancer, as DescribeLoadBalancers gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// `application`, `network` or `gateway`.
    pub kind: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its DNS name.
    pub dns_name: String,
    /// The hosted zone of its DNS name, for alias records.
    pub canonical_zone: String,
    /// Its security groups (an Application Load Balancer has one to five).
    pub security_groups: Vec<String>,
}

impl LoadBalancer {
    /// Its full name, `app/<name>/<id>`: the `LoadBalancer` dimension of its CloudWatch
    /// metrics (the ARN's resource after `loadbalancer/`).
    pub fn full_name(&self) -> String {
        self.arn
            .split_once(":loadbalancer/")
            .map_or_else(String::new, |(_, r)| r.to_string())
    }
}

/// A listener of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Its ARN.
    pub arn: String,
    /// Its port.
    pub port: u16,
    /// `HTTP`, `HTTPS`, `TCP`, ….
    pub protocol: String,
}

/// A listener's rule that is not its default one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its ARN.
    pub arn: String,
    /// Its priority (1-50000).
    pub priority: u32,
}

impl Aws {
    /// The load balancer `reference` names (an ARN, else a name), or `None` when there
    /// is none in this region and account.
    pub async fn load_balancer(&self, reference: &str) -> Result<Option<LoadBalancer>, AwsError> {
        let mut call = self.elbv2.describe_load_balancers();
        call = if reference.starts_with("arn:") {
            call.load_balancer_arns(reference)
        } else {
            call.names(reference)
        };
        let out = match call.send().await {
            Ok(out) => out,
            Err(e) => {
                let e = call_error(
                    "DescribeLoadBalancers",
                    format!("load balancer {reference}"),
                    e,
                );
                return match e.kind() {
                    Some(ErrorKind::NotFound | ErrorKind::Validation) => Ok(None),
                    _ => Err(e),
                };
            }
        };
        Ok(out.load_balancers().first().map(|lb| LoadBalancer {
            arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            kind: lb
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: lb.vpc_id().unwrap_or_default().to_string(),
            dns_name: lb.dns_name().unwrap_or_default().to_string(),
            canonical_zone: lb
                .canonical_hosted_zone_id()
                .unwrap_or_default()
                .to_string(),
            security_groups: lb.security_groups().to_vec(),
        }))
    }

    /// The listeners of load balancer `arn` (at most 50, an Application Load Balancer's
    /// quota; pages of 50 are followed up to 10 pages).
    pub async fn listeners(&self, arn: &str) -> Result<Vec<Listener>, AwsError> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..10 {
            let page = self
                .elbv2
                .describe_listeners()
                .load_balancer_arn(arn)
                .page_size(50)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| call_error("DescribeListeners", format!("load balancer {arn}"), e))?;
            out.extend(page.listeners().iter().map(|l| {
                Listener {
                    arn: l.listener_arn().unwrap_or_default().to_string(),
                    port: l
                        .port()
                        .and_then(|p| u16::try_from(p).ok())
                        .unwrap_or_default(),
                    protocol: l
                        .protocol()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                }
            }));
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// The priority of rule `arn`, or `None` for a default rule or a rule that does not
    /// exist (DescribeRules).
    pub async fn rule_priority(&self, arn: &str) -> Result<Option<u32>, AwsError> {
        match self.elbv2.describe_rules().rule_arns(arn).send().await {
            Ok(out) => Ok(out
                .rules()
                .first()
                .and_then(|r| r.priority())
                .and_then(|p| p.parse().ok())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_rule_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(call_error("DescribeRules", format!("rule {arn}"), e)),
        }
    }

    /// The rules of listener `arn` but its default one (pages of 400, up to 25 pages:
    /// more than a listener's rule quota).
    pub async fn listener_rules(&self, arn: &str) -> Result<Vec<Rule>, AwsError> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..25 {
            let page = self
                .elbv2
                .describe_rules()
                .listener_arn(arn)
                .page_size(400)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| call_error("DescribeRules", format!("listener {arn}"), e))?;
            out.extend(page.rules().iter().filter_map(|r| {
                Some(Rule {
                    arn: r.rule_arn()?.to_string(),
                    priority: r.priority()?.parse().ok()?,
                })
            }));
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

/// An internet-facing Application Load Balancer, for tests.
#[cfg(test)]
pub(crate) fn sample() -> LoadBalancer {
    LoadBalancer {
        arn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/edge/0123456789abcdef".into(),
        name: "edge".into(),
        kind: "application".into(),
        scheme: "internet-facing".into(),
        vpc_id: "vpc-1".into(),
        dns_name: "edge-1.us-east-1.elb.amazonaws.com".into(),
        canonical_zone: "Z35SXDOTRQ7X7K".into(),
        security_groups: vec!["sg-a".into(), "sg-b".into()],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_name_is_the_arn_after_loadbalancer() {
        assert_eq!(super::sample().full_name(), "app/edge/0123456789abcdef");
    }
}
