//! What an environment's manifest adds to its network: rules on the environment's
//! security group (`network.vpc.security_group`, in `env-cluster.yml`) and VPC flow
//! logs to CloudWatch Logs (`network.vpc.flow_logs`, in `env-flow-logs.yml`).

use crate::manifest::environment::{EnvManifest, FlowLogs, SecurityGroupRule};
use serde::Serialize;

/// One rule of the environment's security group.
#[derive(Debug, Clone, Serialize)]
pub struct RulePlan {
    /// `IpProtocol`: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or a number.
    pub protocol: String,
    /// `FromPort` and `ToPort`, when the rule has ports.
    pub ports: Option<(i32, i32)>,
    /// `CidrIp` or `CidrIpv6`.
    pub cidr_key: &'static str,
    /// The block.
    pub cidr: String,
}

/// The manifest's rules of the environment's security group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SecurityGroupPlan {
    /// Inbound rules, added to wharf's own.
    pub ingress: Vec<RulePlan>,
    /// Outbound rules replacing "all outbound traffic"; `Some(empty)` lets nothing out.
    pub egress: Option<Vec<RulePlan>>,
}

/// VPC flow logs.
#[derive(Debug, Clone, Serialize)]
pub struct FlowLogsPlan {
    /// Days the log group keeps them.
    pub retention: u32,
}

fn rule(r: &SecurityGroupRule) -> RulePlan {
    let protocol = r.ip_protocol.value.to_ascii_lowercase();
    RulePlan {
        // ICMP without `ports` is every type and code; a protocol other than TCP, UDP
        // and ICMP has no ports.
        ports: match &r.ports {
            Some(p) if r.has_ports() || r.is_icmp() => Some((p.value.from, p.value.to)),
            None if r.is_icmp() => Some((-1, -1)),
            _ => None,
        },
        protocol,
        cidr_key: if r.cidr.contains(':') {
            "CidrIpv6"
        } else {
            "CidrIp"
        },
        cidr: r.cidr.value.clone(),
    }
}

/// The security group rules `m` asks for.
pub fn security_group(m: &EnvManifest) -> SecurityGroupPlan {
    let Some(g) = m.vpc().and_then(|v| v.security_group.as_ref()) else {
        return SecurityGroupPlan::default();
    };
    SecurityGroupPlan {
        ingress: g.value.ingress.iter().map(|r| rule(&r.value)).collect(),
        egress: g
            .value
            .egress
            .as_ref()
            .map(|e| e.iter().map(|r| rule(&r.value)).collect()),
    }
}

/// The flow logs `m` asks for.
pub fn flow_logs(m: &EnvManifest) -> Option<FlowLogsPlan> {
    let l = m.vpc()?.flow_logs.as_ref()?;
    Some(FlowLogsPlan {
        retention: l
            .value
            .retention
            .as_ref()
            .map_or(FlowLogs::DEFAULT_RETENTION, |r| r.value),
    })
}
