//! Where the tasks run and what they take from the environment: the subnets
//! (public or private placement) and the environment's values (cluster, security
//! group, namespace, and for load-balanced services the VPC, listener and load balancer
//! names) as SSM-typed stack parameters ([`crate::contract::EnvValue`]).

use super::*;

/// The environment values the service stack takes, and which subnets.
pub(super) fn env_params(
    m: &ServiceManifest,
    app: &str,
    env: &str,
    lb: Option<&LbPlan>,
    nlb: Option<&NlbPlan>,
    auto: Option<&AutoscalingPlan>,
) -> (Vec<EnvParam>, EnvValue) {
    // A value of the environment stack, taken as an SSM-typed parameter.
    let take = |v: EnvValue, what| EnvParam {
        name: v.parameter(),
        kind: v.parameter_type(),
        ssm_name: ssm_name(app, env, v.key()),
        what,
    };
    let subnets = match m.placement() {
        Placement::Public => EnvValue::PublicSubnets,
        Placement::Private => EnvValue::PrivateSubnets,
    };
    let mut env_params = vec![take(EnvValue::Cluster, "ECS cluster of the environment")];
    if subnet_ids(m).is_empty() && m.subnet_tags().is_none() {
        env_params.push(take(subnets, "Subnets the tasks run in"));
    }
    if !denies_default(m) {
        env_params.push(take(
            EnvValue::EnvironmentSecurityGroup,
            "Security group of the environment's tasks",
        ));
    }
    if volumes::uses_env_file_system(m) {
        env_params.push(take(
            EnvValue::FileSystemId,
            "The environment's EFS file system",
        ));
    }
    if has_discovery(*m.kind) {
        env_params.push(take(
            EnvValue::ServiceDiscoveryNamespaceId,
            "Cloud Map namespace of the environment",
        ));
    }
    if let Some(l) = lb {
        env_params.push(take(EnvValue::VpcId, "VPC of the environment"));
        if l.imported {
            // The load balancer's own values are looked up at deploy
            // (`imported_alb::plan`); only the records' zones are the environment's.
            for v in l.zone_values() {
                env_params.push(take(v, zone_what(v)));
            }
        }
    }
    if let Some(l) = lb.filter(|l| !l.imported) {
        // A Backend Service takes the internal load balancer's values under the public
        // ones' parameter names.
        let take_lb = |v: EnvValue, what| EnvParam {
            ssm_name: ssm_name(app, env, if l.internal { v.internal() } else { v }.key()),
            ..take(v, what)
        };
        env_params.push(take_lb(
            l.listener,
            if l.internal {
                "Listener of the environment's internal load balancer"
            } else {
                "Listener of the environment's load balancer"
            },
        ));
        if l.uses_http_listener() {
            env_params.push(take_lb(
                EnvValue::HttpListenerArn,
                "HTTP listener of the environment's load balancer, which does not redirect this service's paths",
            ));
        }
        env_params.push(take_lb(
            EnvValue::LoadBalancerDnsName,
            if l.internal {
                "DNS name of the environment's internal load balancer"
            } else {
                "DNS name of the environment's load balancer"
            },
        ));
        if !l.records.is_empty() && l.via_cdn {
            env_params.push(take(
                EnvValue::CloudFrontDomainName,
                "The CloudFront distribution's domain name, for alias records",
            ));
        } else if !l.records.is_empty() {
            env_params.push(take_lb(
                EnvValue::LoadBalancerHostedZoneId,
                "Hosted zone of the load balancer's DNS name, for alias records",
            ));
        }
        for v in l.zone_values() {
            env_params.push(take(v, zone_what(v)));
        }
        if needs_lb_full_name(auto) {
            env_params.push(take_lb(
                EnvValue::LoadBalancerFullName,
                "Full name of the load balancer, for metrics",
            ));
        }
    }
    if let Some(n) = nlb {
        // The Network Load Balancer goes in the public subnets, whatever the tasks'.
        if !env_params
            .iter()
            .any(|p| p.name == EnvValue::PublicSubnets.parameter())
        {
            env_params.push(take(
                EnvValue::PublicSubnets,
                "Public subnets of the environment, for the Network Load Balancer",
            ));
        }
        if lb.is_none() {
            env_params.push(take(EnvValue::VpcId, "VPC of the environment"));
        }
        for v in n.zone_values() {
            if !env_params.iter().any(|p| p.name == v.parameter()) {
                env_params.push(take(v, zone_what(v)));
            }
        }
    }
    (env_params, subnets)
}

/// Whether request-based scaling needs the load balancer's full name (a target
/// tracking policy's resource label, or a custom metric's dimension).
pub(super) fn needs_lb_full_name(auto: Option<&AutoscalingPlan>) -> bool {
    auto.is_some_and(|a| {
        a.policies
            .iter()
            .any(|p| p.resource_label || p.predefined.is_none())
    })
}

/// What a hosted zone parameter holds, for its description.
fn zone_what(v: EnvValue) -> &'static str {
    match v {
        EnvValue::HostedZoneId => "The environment's hosted zone",
        EnvValue::AppHostedZoneId => "The application's hosted zone",
        EnvValue::InternalHostedZoneId => "The environment's private hosted zone of internal names",
        _ => "The hosted zone of the application's domain",
    }
}

/// Subnets chosen by ID (`network.vpc.placement.subnets`), quoted; empty for the
/// environment's.
pub(super) fn subnet_ids(m: &ServiceManifest) -> Vec<String> {
    m.network
        .as_ref()
        .and_then(|n| n.vpc.as_ref())
        .and_then(|v| v.subnets.as_ref())
        .map(|s| s.iter().map(|id| quote(id)).collect())
        .unwrap_or_default()
}

/// Whether `security_groups.deny_default` leaves out the environment's group.
fn denies_default(m: &ServiceManifest) -> bool {
    m.network
        .as_ref()
        .and_then(|n| n.vpc.as_ref())
        .and_then(|v| v.security_groups.as_ref())
        .and_then(|s| s.value.deny_default.as_ref())
        .is_some_and(|d| d.value)
}

/// The tasks' security groups as CloudFormation values: the environment's (unless
/// denied), then the manifest's, by ID or `!ImportValue`.
pub(super) fn security_groups(m: &ServiceManifest) -> Vec<String> {
    use crate::manifest::service::GroupRef;
    let mut out = Vec::new();
    if !denies_default(m) {
        out.push(format!(
            "!Ref {}",
            EnvValue::EnvironmentSecurityGroup.parameter()
        ));
    }
    let groups = m
        .network
        .as_ref()
        .and_then(|n| n.vpc.as_ref())
        .and_then(|v| v.security_groups.as_ref());
    for g in groups.map(|s| s.value.groups.as_slice()).unwrap_or(&[]) {
        out.push(match &g.value {
            GroupRef::Id(id) => quote(id),
            GroupRef::FromCfn(e) => format!("!ImportValue {}", quote(e)),
        });
    }
    out
}
