//! `nlb`: a Network Load Balancer of one Load Balanced Web Service (Copilot's field):
//! its main listener and `additional_listeners`, each forwarding TCP, UDP or TLS to a
//! container port, with a TCP health check
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html>).

use super::{Aliases, Port};
use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::duration::Duration;
use crate::manifest::yaml::{Node, Value};
use schemars::JsonSchema;

/// `nlb`: the main listener, and more.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nlb {
    /// The main listener.
    #[serde(flatten)]
    pub main: NlbListener,
    /// Domain names of the load balancer: a name, or a list (records and, for TLS,
    /// the certificate's names).
    pub alias: Option<Spanned<Aliases>>,
    /// More listeners, each with its own target group.
    #[serde(default)]
    pub additional_listeners: Vec<Spanned<NlbListener>>,
}

impl std::ops::Deref for Nlb {
    type Target = NlbListener;
    fn deref(&self) -> &NlbListener {
        &self.main
    }
}

impl Nlb {
    /// The main listener, then the additional ones, with the manifest path of each
    /// (`nlb`, `nlb.additional_listeners[0]`, …).
    pub fn listeners(&self) -> impl Iterator<Item = (String, &NlbListener)> {
        std::iter::once(("nlb".to_string(), &self.main)).chain(
            self.additional_listeners
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("nlb.additional_listeners[{i}]"), &l.value)),
        )
    }
}

/// One listener of the Network Load Balancer and its target group.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NlbListener {
    /// The port and protocol the load balancer listens on: `443/tls`, `80/tcp`,
    /// `53/udp` (`tcp` when left out).
    pub port: Option<Spanned<NlbPort>>,
    /// The target group's health check (TCP).
    pub healthcheck: Option<Spanned<NlbHealthCheck>>,
    /// Container receiving traffic: the main one or a sidecar. Default the main one.
    pub target_container: Option<Spanned<String>>,
    /// Port receiving traffic. Default the container's port.
    pub target_port: Option<Spanned<Port>>,
    /// TLS policy of a `tls` listener.
    pub ssl_policy: Option<Spanned<String>>,
    /// Sticky sessions by source address.
    pub stickiness: Option<Spanned<bool>>,
    /// Time to drain connections from a stopping task. Default 60s.
    pub deregistration_delay: Option<Spanned<Duration>>,
}

/// A listener's port and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlbPort {
    /// The port, 1 to 65535.
    pub port: u16,
    /// The protocol.
    pub protocol: NlbProtocol,
}

/// A Network Load Balancer listener's protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NlbProtocol {
    /// TCP, passed through.
    Tcp,
    /// UDP.
    Udp,
    /// TLS, ended at the load balancer (TCP to the tasks).
    Tls,
}

impl NlbProtocol {
    /// The listener's CloudFormation `Protocol`.
    pub fn listener(self) -> &'static str {
        match self {
            NlbProtocol::Tcp => "TCP",
            NlbProtocol::Udp => "UDP",
            NlbProtocol::Tls => "TLS",
        }
    }

    /// The target group's protocol: TLS ends at the load balancer.
    pub fn target(self) -> &'static str {
        match self {
            NlbProtocol::Udp => "UDP",
            NlbProtocol::Tcp | NlbProtocol::Tls => "TCP",
        }
    }

    /// The IP protocol of security group rules and port mappings: `tcp` or `udp`.
    pub fn ip(self) -> &'static str {
        match self {
            NlbProtocol::Udp => "udp",
            NlbProtocol::Tcp | NlbProtocol::Tls => "tcp",
        }
    }
}

impl JsonSchema for NlbPort {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NlbPort".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port and protocol: `443/tls`, `80/tcp`, `53/udp`; `tcp` when left out.",
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 65535},
                {"type": "string", "pattern": "^[0-9]+(/([Tt][Cc][Pp]|[Uu][Dd][Pp]|[Tt][Ll][Ss]))?$"}
            ]
        })
    }
}

/// `nlb.healthcheck`: a TCP health check.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NlbHealthCheck {
    /// Port to check. Default the traffic port.
    pub port: Option<Spanned<Port>>,
    /// Consecutive successes to become healthy (2-10). Default 3.
    pub healthy_threshold: Option<Spanned<u32>>,
    /// Consecutive failures to become unhealthy (2-10). Default 3.
    pub unhealthy_threshold: Option<Spanned<u32>>,
    /// Time a check may take (2s-120s). Default 10s.
    pub timeout: Option<Spanned<Duration>>,
    /// Time between checks (5s-300s). Default 30s.
    pub interval: Option<Spanned<Duration>>,
    /// Time after a task starts before failed checks count. Default 60s.
    pub grace_period: Option<Spanned<Duration>>,
}

impl Decode for Nlb {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "nlb")?;
        let main = listener_fields(&mut f, cx);
        let n = Nlb {
            main,
            alias: f.opt(cx, "alias"),
            additional_listeners: f.opt(cx, "additional_listeners").unwrap_or_default(),
        };
        f.finish(cx);
        Some(n)
    }
}

fn listener_fields(f: &mut Fields, cx: &mut Cx) -> NlbListener {
    NlbListener {
        port: f.opt(cx, "port"),
        healthcheck: f.opt(cx, "healthcheck"),
        target_container: f.opt(cx, "target_container"),
        target_port: f.opt(cx, "target_port"),
        ssl_policy: f.opt(cx, "ssl_policy"),
        stickiness: f.opt(cx, "stickiness"),
        deregistration_delay: f.opt(cx, "deregistration_delay"),
    }
}

impl Decode for NlbListener {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "listener")?;
        let l = listener_fields(&mut f, cx);
        f.finish(cx);
        Some(l)
    }
}

impl Decode for NlbHealthCheck {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "nlb.healthcheck")?;
        let h = NlbHealthCheck {
            port: f.opt(cx, "port"),
            healthy_threshold: f.opt(cx, "healthy_threshold"),
            unhealthy_threshold: f.opt(cx, "unhealthy_threshold"),
            timeout: f.opt(cx, "timeout"),
            interval: f.opt(cx, "interval"),
            grace_period: f.opt(cx, "grace_period"),
        };
        f.finish(cx);
        Some(h)
    }
}

impl Decode for NlbPort {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Scalar(s) if !node.is_null() => s.text.clone(),
            _ => {
                cx.type_error(node, "a port like `443/tls`, `80/tcp` or `53/udp`");
                return None;
            }
        };
        let (port, proto) = text.split_once('/').unwrap_or((text.as_str(), "tcp"));
        let protocol = match proto.to_ascii_lowercase().as_str() {
            "tcp" => NlbProtocol::Tcp,
            "udp" => NlbProtocol::Udp,
            "tls" => NlbProtocol::Tls,
            _ => {
                let path = cx.path();
                cx.invalid(
                    node.span,
                    format!("`{path}`: `{proto}` is not a protocol of a Network Load Balancer"),
                    Some(crate::manifest::common::one_of(
                        &proto.to_ascii_lowercase(),
                        &["tcp", "udp", "tls"],
                    )),
                );
                return None;
            }
        };
        super::sidecars::port_number(node, cx, port).map(|port| NlbPort { port, protocol })
    }
}
