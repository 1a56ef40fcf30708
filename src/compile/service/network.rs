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
    let mut env_params = vec![
        take(EnvValue::Cluster, "ECS cluster of the environment"),
        take(subnets, "Subnets the tasks run in"),
        take(
            EnvValue::EnvironmentSecurityGroup,
            "Security group of the environment's tasks",
        ),
    ];
    if has_discovery(*m.kind) {
        env_params.push(take(
            EnvValue::ServiceDiscoveryNamespaceId,
            "Cloud Map namespace of the environment",
        ));
    }
    if let Some(l) = lb {
        env_params.push(take(EnvValue::VpcId, "VPC of the environment"));
        env_params.push(take(
            l.listener,
            "Listener of the environment's load balancer",
        ));
        env_params.push(take(
            EnvValue::LoadBalancerDnsName,
            "DNS name of the environment's load balancer",
        ));
        if auto.is_some_and(|a| {
            a.policies
                .iter()
                .any(|p| p.resource_label || p.predefined.is_none())
        }) {
            env_params.push(take(
                EnvValue::LoadBalancerFullName,
                "Full name of the load balancer, for metrics",
            ));
        }
    }
    (env_params, subnets)
}
