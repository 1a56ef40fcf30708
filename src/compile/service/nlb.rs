//! A Load Balanced Web Service's own Network Load Balancer (`nlb`): internet-facing in
//! the environment's public subnets, with its security group, one listener and target
//! group per listener of the manifest, a certificate for TLS listeners (the
//! application's domain), and `A` alias records. Its partial is `svc-nlb.yml`.

use super::*;
use crate::manifest::service::{Nlb, NlbListener, NlbProtocol};

/// The service's Network Load Balancer.
#[derive(Debug, Clone, Serialize)]
pub struct NlbPlan {
    /// The listeners: the main one first (logical IDs `NLBListener`,
    /// `NLBTargetGroup`), then `NLBListener1`… for additional ones.
    pub listeners: Vec<NlbListenerPlan>,
    /// The certificate of TLS listeners.
    pub certificate: Option<CertificatePlan>,
    /// `A` alias records to the load balancer.
    pub records: Vec<RecordPlan>,
    /// Health check grace period (seconds), from the main listener.
    pub grace_period: u64,
}

impl NlbPlan {
    /// The environment values that hosted zones of records and certificate validation
    /// come from.
    pub fn zone_values(&self) -> Vec<EnvValue> {
        super::lb::zone_values(&self.records, self.certificate.as_ref())
    }
}

/// One listener and its target group.
#[derive(Debug, Clone, Serialize)]
pub struct NlbListenerPlan {
    /// Suffix of its logical IDs: empty for the main listener, `1`, `2`… after.
    pub suffix: String,
    /// Port the load balancer listens on.
    pub port: u16,
    /// The listener's protocol: `TCP`, `UDP` or `TLS`.
    pub protocol: &'static str,
    /// The target group's protocol: `TCP` or `UDP`.
    pub target_protocol: &'static str,
    /// `tcp` or `udp`: security group rules and port mappings.
    pub ip_protocol: &'static str,
    /// Whether it ends TLS (takes the certificate and TLS policy).
    pub tls: bool,
    /// TLS policy of a TLS listener.
    pub ssl_policy: String,
    /// The container receiving traffic.
    pub container: String,
    /// Port traffic goes to.
    pub target_port: u16,
    /// Health check port, when not the traffic port.
    pub health_port: Option<u16>,
    /// Healthy threshold.
    pub healthy: u32,
    /// Unhealthy threshold.
    pub unhealthy: u32,
    /// Interval seconds.
    pub interval: u64,
    /// Timeout seconds.
    pub timeout: u64,
    /// Deregistration delay (seconds).
    pub deregistration_delay: u64,
    /// Source-IP stickiness.
    pub stickiness: bool,
}

pub(super) fn nlb_plan(m: &ServiceManifest, n: &Nlb, inputs: &ServiceInputs) -> NlbPlan {
    let env = inputs.env;
    let listeners: Vec<NlbListenerPlan> = n
        .listeners()
        .enumerate()
        .map(|(i, (_, l))| listener_plan(m, l, i))
        .collect();
    let named = crate::manifest::dns::nlb_names(m, n, env);
    let certificate = (listeners.iter().any(|l| l.tls) && env.app_domain.is_some())
        .then(|| super::lb::certificate(named.iter().map(NamePlan::from).collect()))
        .flatten();
    let records = super::lb::records("NLBAliasRecord", &named);
    let grace_period = secs(
        n.healthcheck
            .as_ref()
            .and_then(|h| h.value.grace_period.as_ref()),
        60,
    );
    NlbPlan {
        listeners,
        certificate,
        records,
        grace_period,
    }
}

fn listener_plan(m: &ServiceManifest, l: &NlbListener, index: usize) -> NlbListenerPlan {
    let port = l.port.as_ref().map(|p| p.value);
    let protocol = port.map_or(NlbProtocol::Tcp, |p| p.protocol);
    let (container, target_port) =
        super::lb::target(m, l.target_container.as_ref(), l.target_port.as_ref());
    let h = l.healthcheck.as_ref().map(|h| &h.value);
    NlbListenerPlan {
        suffix: if index == 0 {
            String::new()
        } else {
            index.to_string()
        },
        port: port.map_or(80, |p| p.port),
        protocol: protocol.listener(),
        target_protocol: protocol.target(),
        ip_protocol: protocol.ip(),
        tls: protocol == NlbProtocol::Tls,
        ssl_policy: l.ssl_policy.as_ref().map_or(
            crate::compile::environment::DEFAULT_SSL_POLICY.to_string(),
            |s| s.value.clone(),
        ),
        container,
        target_port,
        health_port: h.and_then(|h| h.port.as_ref()).map(|p| p.value.0),
        healthy: h
            .and_then(|h| h.healthy_threshold.as_ref())
            .map_or(3, |t| t.value),
        unhealthy: h
            .and_then(|h| h.unhealthy_threshold.as_ref())
            .map_or(3, |t| t.value),
        interval: secs(h.and_then(|h| h.interval.as_ref()), 30),
        timeout: secs(h.and_then(|h| h.timeout.as_ref()), 10),
        deregistration_delay: secs(l.deregistration_delay.as_ref(), 60),
        stickiness: l.stickiness.as_ref().is_some_and(|s| s.value),
    }
}
