//! Semantic checks of `http`: load balancer routing, target group protocol version and
//! health checks, and what the environment's load balancer needs
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>).

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{Http, HttpVersion, ServiceManifest, TargetHealthCheck};

pub(super) fn http(
    c: &mut Checker,
    m: &ServiceManifest,
    h: &Spanned<Http>,
    env: Option<&EnvManifest>,
) {
    // An alias brings its own certificate (Copilot's meaning), so the listener is
    // HTTPS; until wharf reads aliases, that field is refused on its own.
    if let Some(e) = env
        && !m.was_unreadable("http.alias")
    {
        listener(c, h, e);
    }
    let grpc = h
        .version
        .as_ref()
        .is_some_and(|v| v.value == HttpVersion::Grpc);
    let mut condition_values = 0;
    match &h.path {
        None => c.error(
            Code::MissingField,
            h.span,
            "http.path",
            "missing required field `http.path`",
            Some("use `path: '/'` to route all requests".to_string()),
        ),
        Some(p) => {
            if p.is_empty() || p.chars().any(char::is_whitespace) || p.len() > 120 {
                c.error(
                    Code::InvalidValue,
                    p.span,
                    "http.path",
                    format!("`{}` is not a valid path", p.value),
                    Some("paths have no spaces and are at most 120 characters".to_string()),
                );
            }
            condition_values += if p.trim_matches('/').is_empty() { 1 } else { 2 };
        }
    }
    if let Some(t) = &h.target_container
        && t.value != m.name.value
    {
        match m.task.sidecars.get(&t.value) {
            None => c.error(
                Code::Reference,
                t.span,
                "http.target_container",
                format!("`{}` is not a container of this service", t.value),
                Some(format!(
                    "name the main container `{}` or a sidecar",
                    m.name.value
                )),
            ),
            Some(s) if s.value.port.is_none() => c.error(
                Code::MissingField,
                t.span,
                "http.target_container",
                format!(
                    "sidecar `{}` receives the traffic but has no `port`",
                    t.value
                ),
                Some("give the sidecar the `port` it listens on".to_string()),
            ),
            Some(s) if s.value.port.as_ref().is_some_and(|p| p.value.udp) => c.error(
                Code::InvalidValue,
                t.span,
                "http.target_container",
                format!(
                    "sidecar `{}` listens on UDP; an Application Load Balancer sends HTTP over TCP",
                    t.value
                ),
                None,
            ),
            Some(s) => {
                if let (Some(tp), Some(p)) = (&h.target_port, &s.value.port)
                    && tp.value.0 != p.value.port
                {
                    c.error(
                        Code::InvalidValue,
                        tp.span,
                        "http.target_port",
                        format!(
                            "sidecar `{}` listens on {}, not {}",
                            t.value, p.value.port, tp.value.0
                        ),
                        Some(
                            "leave out `http.target_port`: the sidecar's `port` is the target"
                                .to_string(),
                        ),
                    );
                }
            }
        }
    }
    let sidecar_port = h
        .target_container
        .as_ref()
        .and_then(|t| m.task.sidecars.get(&t.value))
        .is_some_and(|s| s.value.port.is_some());
    if m.task.image.port.is_none()
        && h.target_port.is_none()
        && !sidecar_port
        && !m.was_unreadable("image.port")
    {
        c.error(
            Code::MissingField,
            m.task.image.span,
            "image.port",
            "a Load Balanced Web Service needs `image.port`, the port the container listens on",
            None,
        );
    }
    if let Some(d) = &h.deregistration_delay {
        c.seconds(d, 0, 3600, "http.deregistration_delay");
    }
    if let Some(ips) = &h.allowed_source_ips {
        for (i, ip) in ips.iter().enumerate() {
            c.cidr(ip, &format!("http.allowed_source_ips[{i}]"));
        }
        condition_values += ips.len();
        if condition_values > 5 {
            c.error(Code::Range, ips[0].span, "http.allowed_source_ips", format!("this listener rule would have {condition_values} condition values; a load balancer allows 5"), Some("a path other than `/` uses two values; list at most 3 source ranges (or 4 with `path: '/'`)".to_string()));
        }
    }
    if let Some(hc) = &h.healthcheck
        && let TargetHealthCheck::Full(a) = &hc.value
    {
        let p = |s: &str| format!("http.healthcheck.{s}");
        if let Some(t) = &a.healthy_threshold {
            c.range(t.value, 2, 10, t.span, &p("healthy_threshold"), "");
        }
        if let Some(t) = &a.unhealthy_threshold {
            c.range(t.value, 2, 10, t.span, &p("unhealthy_threshold"), "");
        }
        let timeout = a
            .timeout
            .as_ref()
            .and_then(|t| c.seconds(t, 2, 120, &p("timeout")));
        let interval = a
            .interval
            .as_ref()
            .and_then(|i| c.seconds(i, 5, 300, &p("interval")));
        if let (Some(t), Some(i)) = (timeout, interval)
            && t >= i
            && let Some(ts) = &a.timeout
        {
            c.error(
                Code::Range,
                ts.span,
                &p("timeout"),
                format!("health check timeout {t}s must be shorter than its interval {i}s"),
                None,
            );
        }
        if let Some(g) = &a.grace_period {
            c.seconds(g, 0, 2_147_483_647, &p("grace_period"));
        }
        if let Some(codes) = &a.success_codes
            && grpc
            && !valid_grpc_codes(codes)
        {
            c.error(
                Code::InvalidValue,
                codes.span,
                &p("success_codes"),
                format!("`{}` is not a list of gRPC codes", codes.value),
                Some("a gRPC target group's health check takes codes like `0`, `0,12` or `0-99`, from 0 to 99".to_string()),
            );
        } else if let Some(codes) = &a.success_codes
            && !grpc
            && !valid_codes(codes)
        {
            c.error(
                Code::InvalidValue,
                codes.span,
                &p("success_codes"),
                format!("`{}` is not a list of HTTP codes", codes.value),
                Some("write codes like `200`, `200,301` or `200-299`, from 200 to 499".to_string()),
            );
        }
        if let Some(path) = &a.path {
            health_path(c, path, &p("path"));
        }
    }
    if let Some(hc) = &h.healthcheck
        && let TargetHealthCheck::Path(path) = &hc.value
    {
        health_path(c, &Spanned::new(path.clone(), hc.span), "http.healthcheck");
    }
}

/// What the environment's listeners allow: gRPC and HTTP/2 target groups behind an
/// HTTPS listener only, and `redirect_to_https` meaning something only with one.
fn listener(c: &mut Checker, h: &Spanned<Http>, e: &EnvManifest) {
    let https = !e.certificates().is_empty();
    if let Some(v) = &h.version
        && v.value != HttpVersion::Http1
        && !https
    {
        c.error(
            Code::InvalidValue,
            v.span,
            "http.version",
            format!(
                "`{}` target groups need an HTTPS listener, and environment `{}` has no certificate",
                v.value.as_cfn(),
                e.name.value
            ),
            Some("give the environment `http.public.certificates`, or use `http1`".into()),
        );
    }
    if let Some(r) = &h.redirect_to_https {
        if !https {
            c.warn(
                Code::InvalidValue,
                r.span,
                "http.redirect_to_https",
                format!(
                    "`redirect_to_https` has no effect: environment `{}` has no HTTPS listener (no certificate)",
                    e.name.value
                ),
                None,
            );
        } else if !r.value
            && let Some(v) = h.version.as_ref().filter(|v| v.value != HttpVersion::Http1)
        {
            c.error(
                Code::InvalidValue,
                r.span,
                "http.redirect_to_https",
                format!(
                    "`redirect_to_https: false` would put the `{}` target group behind the HTTP listener, which takes HTTP/1.1 target groups only",
                    v.value.as_cfn()
                ),
                Some("leave `redirect_to_https` out (HTTP is redirected to HTTPS)".into()),
            );
        }
    }
}

/// The default quota of listener rules (besides the default ones) and of target groups
/// of one Application Load Balancer
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html>).
pub const ALB_QUOTA: usize = 100;

/// A warning when `env`'s load-balanced `services` need more listener rules or target
/// groups than an Application Load Balancer takes by default (a quota AWS raises on
/// request, so not an error): each service has one target group and one rule, and a
/// second rule with `redirect_to_https: false` behind HTTPS. Located at the first
/// service past the quota, in name order.
pub fn alb_quota(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Option<crate::manifest::diag::Diagnostic> {
    let https = !env.certificates().is_empty();
    let mut lb: Vec<&ServiceManifest> = services.iter().filter(|s| s.is_load_balanced()).collect();
    lb.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let (mut rules, mut groups) = (0, 0);
    for s in lb {
        groups += 1;
        rules += 1;
        if https
            && s.http()
                .and_then(|h| h.redirect_to_https.as_ref())
                .is_some_and(|r| !r.value)
        {
            rules += 1;
        }
        let what = if groups > ALB_QUOTA {
            format!("{groups} target groups")
        } else if rules > ALB_QUOTA {
            format!("{rules} listener rules")
        } else {
            continue;
        };
        return Some(
            crate::manifest::diag::Diagnostic::warning(
                Code::Limit,
                format!(
                    "with `{}`, environment `{}`'s load balancer needs {what}; an Application Load Balancer takes {ALB_QUOTA} unless AWS raised the quota",
                    s.name.value, env.name.value
                ),
            )
            .at(s.name.span)
            .help("ask AWS for a higher quota (Service Quotas, Elastic Load Balancing), or split the services across environments"),
        );
    }
    None
}

fn health_path(c: &mut Checker, path: &Spanned<String>, at: &str) {
    if !path.starts_with('/') || path.chars().any(char::is_whitespace) || path.len() > 1024 {
        c.error(
            Code::InvalidValue,
            path.span,
            at,
            format!("health check path `{}` must start with `/`", path.value),
            Some(format!("write `/{}`", path.trim_start_matches('/'))),
        );
    }
}

/// gRPC codes for a health check: `0` to `99`, as a list or ranges.
fn valid_grpc_codes(s: &str) -> bool {
    let code = |c: &str| (1..=2).contains(&c.len()) && c.parse::<u8>().is_ok_and(|n| n <= 99);
    !s.is_empty()
        && s.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b) && a.parse::<u8>().ok() <= b.parse::<u8>().ok(),
            None => code(part),
        })
}

fn valid_codes(s: &str) -> bool {
    let code = |c: &str| c.len() == 3 && c.parse::<u16>().is_ok_and(|n| (200..=499).contains(&n));
    !s.is_empty()
        && s.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b) && a <= b,
            None => code(part),
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn success_codes() {
        assert!(super::valid_codes("200"));
        assert!(super::valid_codes("200,301"));
        assert!(super::valid_codes("200-299"));
        assert!(!super::valid_codes("200-"));
        assert!(!super::valid_codes("600"));
        assert!(!super::valid_codes("abc"));
        assert!(!super::valid_codes("299-200"));
        assert!(super::valid_grpc_codes("0"));
        assert!(super::valid_grpc_codes("0,12"));
        assert!(super::valid_grpc_codes("0-99"));
        assert!(!super::valid_grpc_codes("200"));
        assert!(!super::valid_grpc_codes("9-1"));
        assert!(!super::valid_grpc_codes(""));
    }
}
