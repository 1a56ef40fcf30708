//! Semantic checks of `nlb`: listener ports and protocols, targets, health checks,
//! TLS and aliases, against the Network Load Balancer's rules
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html>,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html>).

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{Nlb, NlbListener, NlbProtocol, ServiceManifest};

/// Listeners per Network Load Balancer
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html>).
pub const NLB_LISTENERS: usize = 50;

pub(super) fn nlb(
    c: &mut Checker,
    m: &ServiceManifest,
    n: &Spanned<Nlb>,
    env: Option<&EnvManifest>,
) {
    let mut ports: Vec<(u16, String)> = Vec::new();
    for (i, (at, l)) in n.listeners().enumerate() {
        let span = i
            .checked_sub(1)
            .map_or(n.span, |j| n.additional_listeners[j].span);
        listener(c, m, l, span, &at);
        if let Some(p) = &l.port {
            if let Some((_, first)) = ports.iter().find(|(port, _)| *port == p.value.port) {
                c.error(
                    Code::DuplicateKey,
                    p.span,
                    &format!("{at}.port"),
                    format!("port {} has a listener already (`{first}`)", p.value.port),
                    Some("a Network Load Balancer listens once per port; choose another".into()),
                );
            }
            ports.push((p.value.port, at.clone()));
        }
    }
    if n.additional_listeners.len() + 1 > NLB_LISTENERS {
        c.error(
            Code::Limit,
            n.additional_listeners[NLB_LISTENERS - 1].span,
            "nlb.additional_listeners",
            format!("a Network Load Balancer takes {NLB_LISTENERS} listeners"),
            None,
        );
    }
    if let Some(a) = &n.alias {
        super::http::alias_names(c, a, "nlb");
    }
    // An alias on both load balancers would be two records of one name.
    if let (Some(a), Some(h)) = (&n.alias, m.http()) {
        let http_names: Vec<String> = h
            .rules()
            .flat_map(|(_, r)| r.alias.iter().flat_map(|l| l.iter()))
            .map(|x| x.name.value.to_ascii_lowercase())
            .collect();
        for x in a.iter() {
            if http_names.contains(&x.name.value.to_ascii_lowercase()) {
                c.error(
                    Code::DuplicateKey,
                    x.name.span,
                    "nlb.alias",
                    format!(
                        "`{}` is an alias of `http` too; one name points at one load balancer",
                        x.name.value
                    ),
                    None,
                );
            }
        }
    }
    if m.network
        .as_ref()
        .and_then(|n| n.vpc.as_ref())
        .and_then(|v| v.security_groups.as_ref())
        .and_then(|s| s.value.deny_default.as_ref())
        .is_some_and(|d| d.value)
    {
        c.error(
            Code::InvalidValue,
            n.span,
            "nlb",
            "the Network Load Balancer reaches the tasks through the environment's security group, which `security_groups.deny_default` leaves out",
            Some("remove `deny_default: true`".into()),
        );
    }
    let Some(e) = env else { return };
    let tls = n.listeners().find_map(|(at, l)| {
        l.port
            .as_ref()
            .filter(|p| p.value.protocol == NlbProtocol::Tls)
            .map(|p| (at, p.span))
    });
    // The TLS certificate's names: the aliases and the load balancer's own name; ACM
    // needs one of at most 64 characters first.
    if let (Some((at, span)), Some(d)) = (&tls, &e.app_domain) {
        let own = format!("{}-nlb.{}", m.name.value, d.env_zone(&e.name.value));
        let short = own.len() <= super::http::CERTIFICATE_NAME_MAX
            || n.alias
                .iter()
                .flat_map(|a| a.iter())
                .any(|x| x.name.len() <= super::http::CERTIFICATE_NAME_MAX);
        if !short {
            c.error(
                Code::Range,
                *span,
                &format!("{at}.port"),
                format!("every name of the TLS certificate (`{own}` and the aliases) is over {} characters; ACM needs one of at most {} as its first", super::http::CERTIFICATE_NAME_MAX, super::http::CERTIFICATE_NAME_MAX),
                Some("add a shorter `nlb.alias`".into()),
            );
        }
    }
    if let Some((at, span)) = tls
        && e.app_domain.is_none()
    {
        c.error(
            Code::Reference,
            span,
            &format!("{at}.port"),
            "a TLS listener needs a certificate, which wharf makes for the application's domain, and the application has none",
            Some("give the application a `domain` (a Route 53 hosted zone of this account), or listen on TCP".into()),
        );
    }
    for x in n.alias.iter().flat_map(|a| a.iter()) {
        if x.hosted_zone.is_some() {
            continue;
        }
        match &e.app_domain {
            None => c.error(
                Code::Reference,
                x.name.span,
                "nlb.alias",
                format!(
                    "`{}` has no hosted zone for its record: the application has no domain",
                    x.name.value
                ),
                Some("give the alias its `hosted_zone`, or the application a `domain`".into()),
            ),
            Some(d) => super::http::domain_name(c, d, &e.name.value, &x.name, "nlb.alias", false),
        }
    }
}

/// One listener (`at` is `nlb` or `nlb.additional_listeners[i]`).
fn listener(
    c: &mut Checker,
    m: &ServiceManifest,
    l: &NlbListener,
    span: crate::manifest::source::Span,
    at: &str,
) {
    let p = |s: &str| format!("{at}.{s}");
    let Some(port) = &l.port else {
        if m.was_unreadable(&p("port")) {
            return;
        }
        c.error(
            Code::MissingField,
            span,
            &p("port"),
            format!("missing required field `{}`", p("port")),
            Some("write the port and protocol, like `443/tls`, `80/tcp` or `53/udp`".into()),
        );
        return;
    };
    let protocol = port.value.protocol;
    // The container and its port.
    let sidecar = match &l.target_container {
        Some(t) => match super::http::target_sidecar(c, m, t, &p("target_container")) {
            Ok(s) => s,
            Err(()) => return,
        },
        None => None,
    };
    let container_port = match sidecar {
        Some(s) => s.value.port.as_ref().map(|p| p.value.port),
        None => m.task.image.port.as_ref().map(|p| p.value.0),
    };
    if l.target_port.is_none() && container_port.is_none() && !m.was_unreadable("image.port") {
        c.error(
            Code::MissingField,
            l.target_container.as_ref().map_or(port.span, |t| t.span),
            &p("target_port"),
            "the listener's target container has no port",
            Some("give `target_port`, or the container's `port`".into()),
        );
    }
    if let Some(s) = &l.ssl_policy {
        if !s.starts_with("ELBSecurityPolicy-") {
            c.error(
                Code::InvalidValue,
                s.span,
                &p("ssl_policy"),
                format!("`{}` is not an ELB security policy", s.value),
                Some("policies look like `ELBSecurityPolicy-TLS13-1-2-2021-06`".into()),
            );
        }
        if protocol != NlbProtocol::Tls {
            c.warn(
                Code::InvalidValue,
                s.span,
                &p("ssl_policy"),
                "`ssl_policy` has no effect on a listener that is not `tls`",
                None,
            );
        }
    }
    if let Some(d) = &l.deregistration_delay {
        c.seconds(d, 0, 3600, &p("deregistration_delay"));
    }
    let hc = l.healthcheck.as_ref();
    if let Some(h) = hc {
        super::http::health_bounds(
            c,
            super::http::HealthFields {
                healthy: h.healthy_threshold.as_ref(),
                unhealthy: h.unhealthy_threshold.as_ref(),
                timeout: h.timeout.as_ref(),
                interval: h.interval.as_ref(),
                grace_period: h.grace_period.as_ref(),
            },
            &format!("{at}.healthcheck"),
            false,
        );
    }
    // A UDP target group is checked over TCP, on the traffic port unless told.
    if protocol == NlbProtocol::Udp && hc.and_then(|h| h.value.port.as_ref()).is_none() {
        c.warn(
            Code::InvalidValue,
            port.span,
            &p("port"),
            format!(
                "UDP targets are health-checked over TCP, on port {} unless `healthcheck.port` says another",
                l.target_port.as_ref().map(|t| t.value.0).or(container_port).unwrap_or(port.value.port)
            ),
            Some("give `healthcheck.port`, a TCP port the container answers on".into()),
        );
    }
}
