//! What a release looks up for services on an imported Application Load Balancer
//! (`http.alb`), before anything is built: the load balancer (it must be an
//! internet-facing Application Load Balancer in the environment's VPC), the listener
//! the rules go on (HTTPS when there is one, else HTTP) and the HTTP one beside it,
//! its DNS name, zone, full name and security groups, and rule priorities free on
//! those listeners (a rule the stack has there keeps its own;
//! [`crate::compile::priority::place`]). The values become the service stack's
//! parameters ([`crate::contract::imported_alb`]).

use crate::aws::Aws;
use crate::aws::elbv2::{Listener, LoadBalancer, Rule};
use crate::compile::service::ImportedAlb;
use crate::contract::{EnvValue, imported_alb as names};
use crate::deploy::stack::StackSpec;
use crate::error::WharfError;
use crate::manifest::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};

/// The looked-up parameters of each of `specs` on an imported load balancer, by
/// service name.
///
/// # Errors
/// A load balancer that is missing, not an internet-facing Application Load Balancer,
/// in another VPC, without an HTTP or HTTPS listener (or without HTTPS for `http2` and
/// `grpc` target groups), without a free priority; or AWS refused a call.
pub async fn look_up(
    aws: &Aws,
    ws: &Workspace,
    env: &str,
    specs: &[StackSpec],
) -> Result<BTreeMap<String, BTreeMap<String, String>>, WharfError> {
    let mut out = BTreeMap::new();
    let app = crate::compile::workspace::app_name(ws);
    for spec in specs {
        let Some(needs) = &spec.imported_alb else {
            continue;
        };
        let lb = aws.load_balancer(&needs.reference).await?.ok_or_else(|| {
            WharfError::usage(
                format!(
                    "`{}` imports load balancer `{}` (`http.alb`), and {} has none by that {}",
                    needs.service,
                    needs.reference,
                    aws.region,
                    if needs.reference.starts_with("arn:") {
                        "ARN"
                    } else {
                        "name"
                    }
                ),
                Some("check the name or ARN, and the account and region wharf deploys to".into()),
            )
        })?;
        let vpc = super::assets::env_vpc(
            aws,
            ws,
            &app,
            env,
            &format!(
                "`{}` imports a load balancer, which must be in",
                needs.service
            ),
        )
        .await?;
        let listeners = aws.listeners(&lb.arn).await?;
        let mut rules = BTreeMap::new();
        for l in listeners
            .iter()
            .filter(|l| l.protocol == "HTTP" || l.protocol == "HTTPS")
        {
            rules.insert(l.arn.clone(), aws.listener_rules(&l.arn).await?);
        }
        let mut own = BTreeMap::new();
        for r in &needs.rules {
            if let Some(arn) = aws.stack_resource(&spec.name, &r.logical_id).await? {
                own.insert(r.logical_id.clone(), arn);
            }
        }
        let found = Found {
            lb: &lb,
            listeners: &listeners,
            rules: &rules,
            own: &own,
            env_vpc: &vpc,
        };
        out.insert(needs.service.clone(), parameters(needs, &found)?);
    }
    Ok(out)
}

/// What the lookups found for one stack.
#[derive(Debug)]
pub struct Found<'a> {
    /// The load balancer.
    pub lb: &'a LoadBalancer,
    /// Its listeners.
    pub listeners: &'a [Listener],
    /// The rules of its HTTP and HTTPS listeners, by listener ARN.
    pub rules: &'a BTreeMap<String, Vec<Rule>>,
    /// The stack's deployed rules: logical ID → rule ARN.
    pub own: &'a BTreeMap<String, String>,
    /// The environment's VPC.
    pub env_vpc: &'a str,
}

/// The stack parameters for `needs` from what was `found`. Pure.
///
/// # Errors
/// As [`look_up`], with the service and load balancer named.
pub fn parameters(
    needs: &ImportedAlb,
    found: &Found<'_>,
) -> Result<BTreeMap<String, String>, WharfError> {
    let lb = found.lb;
    let refuse = |what: String, help: &str| {
        WharfError::usage(
            format!(
                "`{}` imports load balancer {} (`http.alb`), which {what}",
                needs.service, lb.name
            ),
            Some(help.to_string()),
        )
    };
    if lb.kind != "application" {
        return Err(refuse(
            format!("is a {} load balancer", lb.kind),
            "`http.alb` takes an Application Load Balancer",
        ));
    }
    if lb.scheme != "internet-facing" {
        return Err(refuse(
            format!("is {}", lb.scheme),
            "a Load Balanced Web Service imports an internet-facing load balancer",
        ));
    }
    if lb.vpc_id != found.env_vpc {
        return Err(refuse(
            format!(
                "is in {}, not the environment's VPC {}",
                lb.vpc_id, found.env_vpc
            ),
            "its target groups would be in the environment's VPC: import a load balancer of that VPC",
        ));
    }
    if lb.security_groups.is_empty() || lb.security_groups.len() > names::MAX_SECURITY_GROUPS {
        return Err(refuse(
            format!("has {} security groups", lb.security_groups.len()),
            "an Application Load Balancer has one to five",
        ));
    }
    let https = pick(found.listeners, "HTTPS", 443);
    let http = pick(found.listeners, "HTTP", 80);
    let Some(main) = https.or(http) else {
        return Err(refuse(
            "has no HTTP or HTTPS listener".into(),
            "add a listener on port 80 or 443 to the load balancer",
        ));
    };
    if let Some(v) = needs.needs_https.filter(|_| https.is_none()) {
        return Err(refuse(
            "has no HTTPS listener".into(),
            &format!(
                "`{}` target groups need one: add an HTTPS listener, or use `http1`",
                v.to_ascii_lowercase()
            ),
        ));
    }
    let beside = https.and(http);
    let mut p = BTreeMap::from([
        (names::LISTENER.to_string(), main.arn.clone()),
        (
            names::HTTP_LISTENER.to_string(),
            beside.map_or_else(String::new, |l| l.arn.clone()),
        ),
        (names::PROTOCOL.to_string(), main.protocol.clone()),
        (
            names::HTTPS_PORT.to_string(),
            https.map_or(443, |l| l.port).to_string(),
        ),
        (
            EnvValue::LoadBalancerDnsName.parameter().to_string(),
            lb.dns_name.clone(),
        ),
    ]);
    if needs.zone {
        p.insert(
            EnvValue::LoadBalancerHostedZoneId.parameter().to_string(),
            lb.canonical_zone.clone(),
        );
    }
    if needs.full_name {
        p.insert(
            EnvValue::LoadBalancerFullName.parameter().to_string(),
            lb.full_name(),
        );
    }
    for i in 1..=names::MAX_SECURITY_GROUPS {
        p.insert(
            format!("{}{i}", names::SECURITY_GROUP),
            lb.security_groups.get(i - 1).cloned().unwrap_or_default(),
        );
    }
    for (listener, on_http) in [(Some(main), false), (beside, true)] {
        let Some(listener) = listener else { continue };
        let rules = found
            .rules
            .get(&listener.arn)
            .map_or(&[][..], Vec::as_slice);
        let taken: BTreeSet<u32> = rules.iter().map(|r| r.priority).collect();
        let wanted: Vec<_> = needs
            .rules
            .iter()
            .filter(|r| r.http_listener == on_http)
            .collect();
        let placed = crate::compile::priority::place(
            &taken,
            &wanted
                .iter()
                .map(|r| crate::compile::priority::Wanted {
                    current: found
                        .own
                        .get(&r.logical_id)
                        .and_then(|arn| rules.iter().find(|x| &x.arn == arn).map(|x| x.priority)),
                    preferred: r.preferred,
                })
                .collect::<Vec<_>>(),
        )
        .map_err(|i| {
            refuse(
                format!(
                    "has no free rule priority near {} on its {} listener",
                    wanted[i].preferred, listener.protocol
                ),
                "remove some of its rules",
            )
        })?;
        for (r, priority) in wanted.iter().zip(placed) {
            p.insert(r.parameter.clone(), priority.to_string());
        }
    }
    Ok(p)
}

/// The listener of `protocol`: the one on `port`, else the lowest port's.
fn pick<'a>(listeners: &'a [Listener], protocol: &str, port: u16) -> Option<&'a Listener> {
    let mut of: Vec<&Listener> = listeners
        .iter()
        .filter(|l| l.protocol == protocol)
        .collect();
    of.sort_by_key(|l| (l.port != port, l.port));
    of.first().copied()
}

/// The listener rules of `template` whose priority is a parameter of it, as (rule's
/// logical ID, parameter, the parameter's default). Pure; empty when the template
/// cannot be read.
pub fn priority_parameters(template: &str) -> Vec<(String, String, Option<String>)> {
    let Some(t) = crate::deploy::diff::canonical_value(template) else {
        return Vec::new();
    };
    let params = t.get("Parameters").and_then(serde_json::Value::as_object);
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    t.get("Resources")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule")
        .filter_map(|(id, r)| {
            let p = r["Properties"]["Priority"]["Ref"].as_str()?;
            let default = params
                .and_then(|ps| ps.get(p))
                .and_then(|d| d.get("Default"))
                .and_then(text);
            Some((id.clone(), p.to_string(), default))
        })
        .collect()
}

/// Which rule priorities a deploy of `template` keeps from the deployed stack, by
/// parameter: for a stack wharf deployed (`deployed`: its template and parameter
/// values), each value that differs from the deployed template's default (an adopted
/// rule's, given at adoption); a value equal to it was wharf's choice, which the new
/// template's default replaces. Pure.
pub fn kept_priorities(
    template: &str,
    deployed_template: &str,
    deployed: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let old: BTreeMap<String, Option<String>> = priority_parameters(deployed_template)
        .into_iter()
        .map(|(_, p, d)| (p, d))
        .collect();
    priority_parameters(template)
        .into_iter()
        .filter_map(|(_, p, _)| {
            let v = deployed.get(&p)?;
            let was_default = old.get(&p)?.as_deref();
            (was_default != Some(v.as_str())).then(|| (p, v.clone()))
        })
        .collect()
}

/// Keeps the priorities of the rules `spec` (a service stack on the environment's load
/// balancer) has already: those of AWS Copilot's stack (an adoption: its rules have
/// the logical IDs wharf's have, and keep the priority its custom resource chose, so
/// routing among adopted services stays as it was), and those an adoption gave a
/// stack of wharf's ([`kept_priorities`]), in place of wharf's choice.
///
/// # Errors
/// AWS errors.
pub async fn keep_rule_priorities(aws: &Aws, spec: &mut StackSpec) -> Result<(), WharfError> {
    use crate::deploy::StackApi;
    use crate::deploy::owner::{MadeBy, made_by};
    if spec.imported_alb.is_some() {
        return Ok(());
    }
    let rules = priority_parameters(&spec.template);
    if rules.is_empty() {
        return Ok(());
    }
    let Some(deployed) = aws.describe(&spec.name).await? else {
        return Ok(());
    };
    let kept: BTreeMap<String, String> = match made_by(&deployed) {
        MadeBy::Copilot(_) => {
            let resources = aws.stack_resources(&spec.name).await?;
            let mut out = BTreeMap::new();
            for (id, p, _) in &rules {
                let Some(arn) = resources
                    .iter()
                    .find(|r| {
                        &r.logical_id == id
                            && r.resource_type == "AWS::ElasticLoadBalancingV2::ListenerRule"
                    })
                    .map(|r| r.physical_id.clone())
                else {
                    continue;
                };
                if let Some(priority) = aws.rule_priority(&arn).await? {
                    out.insert(p.clone(), priority.to_string());
                }
            }
            out
        }
        MadeBy::Wharf(_) => match aws.template(&spec.name).await? {
            Some(t) => kept_priorities(&spec.template, &t, &deployed.parameters),
            None => BTreeMap::new(),
        },
        MadeBy::Unknown => BTreeMap::new(),
    };
    spec.parameters.extend(kept);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::service::ImportedRule;

    fn lb() -> LoadBalancer {
        crate::aws::elbv2::sample()
    }

    fn listener(n: &str, port: u16, protocol: &str) -> Listener {
        Listener {
            arn: format!(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/0123456789abcdef/{n}"
            ),
            port,
            protocol: protocol.into(),
        }
    }

    fn needs() -> ImportedAlb {
        let rule = |logical: &str, parameter: &str, http: bool| ImportedRule {
            logical_id: logical.into(),
            parameter: parameter.into(),
            http_listener: http,
            preferred: 38_100,
        };
        ImportedAlb {
            service: "legacy".into(),
            reference: "edge".into(),
            rules: vec![
                rule("ListenerRule", "RulePriority", false),
                rule("HTTPListenerRule", "HTTPRulePriority", true),
            ],
            zone: true,
            full_name: false,
            needs_https: None,
        }
    }

    #[test]
    fn rules_go_on_https_with_http_beside_and_avoid_taken_priorities() {
        let (lb, listeners) = (
            lb(),
            [listener("h", 80, "HTTP"), listener("s", 443, "HTTPS")],
        );
        let rules = BTreeMap::from([
            (
                listeners[1].arn.clone(),
                vec![Rule {
                    arn: "theirs".into(),
                    priority: 38_100,
                }],
            ),
            (
                listeners[0].arn.clone(),
                vec![Rule {
                    arn: "mine".into(),
                    priority: 38_555,
                }],
            ),
        ]);
        let own = BTreeMap::from([("HTTPListenerRule".to_string(), "mine".to_string())]);
        let p = parameters(
            &needs(),
            &Found {
                lb: &lb,
                listeners: &listeners,
                rules: &rules,
                own: &own,
                env_vpc: "vpc-1",
            },
        )
        .unwrap();
        assert_eq!(p[names::LISTENER], listeners[1].arn);
        assert_eq!(p[names::HTTP_LISTENER], listeners[0].arn);
        assert_eq!(p[names::PROTOCOL], "HTTPS");
        assert_eq!(p[names::HTTPS_PORT], "443");
        assert_eq!(p["RulePriority"], "38101");
        assert_eq!(p["HTTPRulePriority"], "38555");
        assert_eq!(p["LoadBalancerHostedZoneId"], "Z35SXDOTRQ7X7K");
        assert_eq!(p["ImportedALBSecurityGroup2"], "sg-b");
        assert_eq!(p["ImportedALBSecurityGroup3"], "");
        assert!(!p.contains_key("LoadBalancerFullName"));
    }

    #[test]
    fn http_only_has_no_second_listener() {
        let (lb, listeners) = (lb(), [listener("h", 8080, "HTTP")]);
        let mut n = needs();
        n.full_name = true;
        let p = parameters(
            &n,
            &Found {
                lb: &lb,
                listeners: &listeners,
                rules: &BTreeMap::new(),
                own: &BTreeMap::new(),
                env_vpc: "vpc-1",
            },
        )
        .unwrap();
        assert_eq!(p[names::PROTOCOL], "HTTP");
        assert_eq!(p[names::HTTP_LISTENER], "");
        assert_eq!(p["RulePriority"], "38100");
        assert!(!p.contains_key("HTTPRulePriority"));
        assert_eq!(p["LoadBalancerFullName"], "app/edge/0123456789abcdef");
    }

    #[test]
    fn what_cannot_be_imported_is_refused_with_the_reason() {
        let listeners = [listener("h", 80, "HTTP")];
        let (no_rules, no_own) = (BTreeMap::new(), BTreeMap::new());
        let case = |lb: &LoadBalancer, listeners: &[Listener], n: &ImportedAlb, vpc: &str| {
            parameters(
                n,
                &Found {
                    lb,
                    listeners,
                    rules: &no_rules,
                    own: &no_own,
                    env_vpc: vpc,
                },
            )
            .unwrap_err()
            .to_string()
        };
        let mut internal = lb();
        internal.scheme = "internal".into();
        assert!(case(&internal, &listeners, &needs(), "vpc-1").contains("is internal"));
        let mut network = lb();
        network.kind = "network".into();
        assert!(case(&network, &listeners, &needs(), "vpc-1").contains("network load balancer"));
        assert!(
            case(&lb(), &listeners, &needs(), "vpc-2").contains("not the environment's VPC vpc-2")
        );
        assert!(
            case(&lb(), &[listener("t", 22, "TCP")], &needs(), "vpc-1")
                .contains("no HTTP or HTTPS listener")
        );
        let mut grpc = needs();
        grpc.needs_https = Some("GRPC");
        assert!(case(&lb(), &listeners, &grpc, "vpc-1").contains("no HTTPS listener"));
    }

    const RULES: &str = "Parameters:\n  RulePriority:\n    Type: Number\n    Default: \"38101\"\n  RulePriority1:\n    Type: Number\n    Default: \"37002\"\nResources:\n  HTTPListenerRule:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      Priority: !Ref RulePriority\n  HTTPListenerRule1:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      Priority: !Ref RulePriority1\n  Fixed:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      Priority: 7\n";

    #[test]
    fn rule_priorities_given_as_parameters_are_found_with_their_defaults() {
        assert_eq!(
            priority_parameters(RULES),
            [
                (
                    "HTTPListenerRule".to_string(),
                    "RulePriority".to_string(),
                    Some("38101".to_string())
                ),
                (
                    "HTTPListenerRule1".to_string(),
                    "RulePriority1".to_string(),
                    Some("37002".to_string())
                ),
            ]
        );
        assert!(priority_parameters("{").is_empty());
    }

    #[test]
    fn an_adopted_priority_is_kept_and_wharfs_own_choice_follows_the_new_default() {
        // Adopted: the main rule was given Copilot's 3; the other rule has wharf's.
        let deployed = BTreeMap::from([
            ("RulePriority".to_string(), "3".to_string()),
            ("RulePriority1".to_string(), "37002".to_string()),
        ]);
        let new = RULES.replace("37002", "36002");
        let kept = kept_priorities(&new, RULES, &deployed);
        assert_eq!(
            kept,
            BTreeMap::from([("RulePriority".to_string(), "3".to_string())])
        );
        // A rule the deployed stack did not have keeps nothing.
        assert!(kept_priorities(RULES, "Resources: {}\n", &deployed).is_empty());
    }
}
