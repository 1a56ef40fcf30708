//! Semantic checks of `http`: load balancer routing, target group protocol version and
//! health checks, and what the environment's load balancer needs
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>).

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{
    Aliases, Http, HttpVersion, RoutingRule, ServiceManifest, TargetHealthCheck,
};

pub(super) fn http(
    c: &mut Checker,
    m: &ServiceManifest,
    h: &Spanned<Http>,
    env: Option<&EnvManifest>,
) {
    for (i, (at, r)) in h.rules().enumerate() {
        let span = i
            .checked_sub(1)
            .map_or(h.span, |j| h.additional_rules[j].span);
        rule(c, m, r, span, &at, env);
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
            "a service with `http` needs `image.port`, the port the container listens on",
            None,
        );
    }
    same_conditions(c, h);
    if let Some(a) = &h.alb {
        imported_alb(c, m, a);
    } else if let Some(e) = env.filter(|_| m.is_load_balanced()) {
        certificate_names(c, h, e);
    }
}

/// `http.alb`: a Load Balanced Web Service's, naming an Application Load Balancer by
/// ARN (`arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`)
/// or by name (1-32 letters, digits and hyphens, not starting or ending with a hyphen,
/// not starting with `internal-`), as CreateLoadBalancer names them
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html>).
/// What it is (internet-facing, in the environment's VPC, its listeners) is checked at
/// deploy.
fn imported_alb(c: &mut Checker, m: &ServiceManifest, a: &Spanned<String>) {
    if !m.is_load_balanced() {
        c.error(
            Code::InvalidValue,
            a.span,
            "http.alb",
            "`http.alb` imports a public load balancer for a Load Balanced Web Service; a Backend Service's `http` is on the environment's internal one",
            Some("remove `http.alb`, or make the service a Load Balanced Web Service".into()),
        );
        return;
    }
    if let Some(why) = alb_reference_problem(&a.value) {
        c.error(
            Code::InvalidValue,
            a.span,
            "http.alb",
            format!("`{}` is not an Application Load Balancer's name or ARN: {why}", a.value),
            Some("write its name (`my-alb`) or its ARN (`arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/my-alb/<id>`)".into()),
        );
    }
}

/// Why `s` is neither an Application Load Balancer's ARN nor its name; `None` when it
/// is one.
pub fn alb_reference_problem(s: &str) -> Option<String> {
    let name_problem = |n: &str| -> Option<String> {
        if n.is_empty() || n.len() > 32 {
            Some(format!("a name has 1 to 32 characters, not {}", n.len()))
        } else if !n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') {
            Some("a name has letters, digits and hyphens only".into())
        } else if n.starts_with('-') || n.ends_with('-') {
            Some("a name does not start or end with a hyphen".into())
        } else {
            None
        }
    };
    if !s.starts_with("arn:") {
        if s.to_ascii_lowercase().starts_with("internal-") {
            return Some("a name does not start with `internal-`".into());
        }
        return name_problem(s);
    }
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Some("an ARN has six `:`-separated parts".into());
    };
    if !partition.starts_with("aws") || service != "elasticloadbalancing" {
        return Some("an ARN of a load balancer starts `arn:aws:elasticloadbalancing:`".into());
    }
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !region_ok || account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Some("an ARN names a region (lower case) and a 12-digit account".into());
    }
    let res: Vec<&str> = resource.split('/').collect();
    match res[..] {
        ["loadbalancer", "app", name, id]
            if id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            if name.to_ascii_lowercase().starts_with("internal-") {
                return Some("a name does not start with `internal-`".into());
            }
            name_problem(name)
        }
        ["loadbalancer", "net" | "gwy", ..] => Some(
            "it is a Network or Gateway Load Balancer's; `http` needs an Application Load Balancer"
                .into(),
        ),
        _ => {
            Some("an ARN ends `loadbalancer/app/<name>/<id>`, the ID 16 hexadecimal digits".into())
        }
    }
}

/// What a listener rule matches: its path patterns, host names and source addresses
/// (lower case, sorted).
fn conditions(r: &RoutingRule) -> Option<[Vec<String>; 3]> {
    let path = r.path.as_ref()?;
    let sorted = |v: Vec<String>| {
        let mut v = v;
        v.sort();
        v.dedup();
        v
    };
    Some([
        crate::manifest::service::path_patterns(&path.value).0,
        sorted(
            r.alias
                .iter()
                .flat_map(|a| a.iter())
                .map(|a| a.name.value.to_ascii_lowercase())
                .collect(),
        ),
        sorted(
            r.allowed_source_ips
                .iter()
                .flatten()
                .map(|s| s.value.to_ascii_lowercase())
                .collect(),
        ),
    ])
}

/// Two rules of one service matching the same requests: the second would never be
/// reached (the load balancer takes the first match by priority).
fn same_conditions(c: &mut Checker, h: &Http) {
    let all: Vec<(String, &RoutingRule)> = h.rules().collect();
    for (j, (at, r)) in all.iter().enumerate().skip(1) {
        let Some(mine) = conditions(r) else { continue };
        if let Some((first, _)) = all[..j]
            .iter()
            .find(|(_, o)| conditions(o).as_ref() == Some(&mine))
            && let Some(p) = &r.path
        {
            c.error(
                Code::DuplicateKey,
                p.span,
                &format!("{at}.path"),
                format!(
                    "this rule matches the same requests as `{first}`, so it would never be reached"
                ),
                Some("give it another path, or other aliases".into()),
            );
        }
    }
}

/// With the application's domain and no imported certificate, the aliases outside the
/// environment's own certificate go on one certificate per service, which ACM limits
/// to 10 names by default
/// (<https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html>).
fn certificate_names(c: &mut Checker, h: &Http, e: &EnvManifest) {
    let Some(d) = e
        .app_domain
        .as_ref()
        .filter(|_| e.certificates().is_empty())
    else {
        return;
    };
    let mut names: Vec<String> = Vec::new();
    let mut first_ok = false;
    let mut last_span = None;
    for (at, r) in h.rules() {
        for a in r.alias.iter().flat_map(|a| a.iter()) {
            let n = a.name.value.to_ascii_lowercase();
            if d.env_certificate_covers(&e.name.value, &n) || names.contains(&n) {
                continue;
            }
            names.push(n);
            first_ok = first_ok
                || names
                    .last()
                    .is_some_and(|n| n.len() <= CERTIFICATE_NAME_MAX);
            last_span = Some((a.name.span, format!("{at}.alias")));
            if names.len() == ACM_NAMES + 1 {
                c.error(
                    Code::Limit,
                    a.name.span,
                    &format!("{at}.alias"),
                    format!("this service's certificate would need more than {ACM_NAMES} names; ACM takes {ACM_NAMES} unless AWS raised the quota"),
                    Some(format!("names under `{}` need no certificate of their own; use fewer other aliases", d.env_zone(&e.name.value))),
                );
            }
        }
    }
    if !first_ok && let Some((span, at)) = last_span {
        c.error(
            Code::Range,
            span,
            &at,
            format!("every name of this service's certificate is over {CERTIFICATE_NAME_MAX} characters; ACM needs one of at most {CERTIFICATE_NAME_MAX} as its first"),
            Some("add a shorter alias".into()),
        );
    }
}

/// ACM's limit on a certificate's first name
/// (<https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html>).
pub const CERTIFICATE_NAME_MAX: usize = 64;

/// Aliases per CloudFront distribution, by default.
pub const CLOUDFRONT_ALIASES: usize = 100;

/// Domain names per ACM certificate, by default.
pub const ACM_NAMES: usize = 10;

/// The condition values one listener rule may have
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html>).
pub const RULE_CONDITION_VALUES: usize = 5;

/// One listener rule (`at` is its manifest path: `http` or `http.additional_rules[i]`).
fn rule(
    c: &mut Checker,
    m: &ServiceManifest,
    h: &RoutingRule,
    span: crate::manifest::source::Span,
    at: &str,
    env: Option<&EnvManifest>,
) {
    let p = |s: &str| format!("{at}.{s}");
    let internal = !m.is_load_balanced();
    if let Some(e) = env {
        if m.imported_alb().is_some() {
            imported_aliases(c, m, h, at, e);
        } else {
            listener(c, h, at, e, internal);
            if internal {
                internal_aliases(c, h, at, e);
            } else {
                aliases_against(c, h, at, e);
            }
        }
    }
    let grpc = h
        .version
        .as_ref()
        .is_some_and(|v| v.value == HttpVersion::Grpc);
    let mut condition_values = 0;
    let at_path = p("path");
    match &h.path {
        None => c.error(
            Code::MissingField,
            span,
            &p("path"),
            format!("missing required field `{}`", p("path")),
            Some("use `path: '/'` to route all requests".to_string()),
        ),
        Some(p) => {
            if p.contains(['*', '?']) {
                c.error(
                    Code::InvalidValue,
                    p.span,
                    &at_path,
                    format!("`{}` is a pattern; `path` is a prefix", p.value),
                    Some("write the prefix (`/` for all, `api` for `/api` and below): wharf makes the patterns".to_string()),
                );
            }
            if p.is_empty() || p.chars().any(char::is_whitespace) || p.len() > 120 {
                c.error(
                    Code::InvalidValue,
                    p.span,
                    &at_path,
                    format!("`{}` is not a valid path", p.value),
                    Some("paths have no spaces and are at most 120 characters".to_string()),
                );
            }
            condition_values += if p.trim_matches('/').is_empty() { 1 } else { 2 };
        }
    }
    if let Some(t) = &h.target_container
        && let Ok(Some(s)) = target_sidecar(c, m, t, &p("target_container"))
    {
        if s.value.port.is_none() {
            c.error(
                Code::MissingField,
                t.span,
                &p("target_container"),
                format!(
                    "sidecar `{}` receives the traffic but has no `port`",
                    t.value
                ),
                Some("give the sidecar the `port` it listens on".to_string()),
            );
        } else if s.value.port.as_ref().is_some_and(|p| p.value.udp) {
            c.error(
                Code::InvalidValue,
                t.span,
                &p("target_container"),
                format!(
                    "sidecar `{}` listens on UDP; an Application Load Balancer sends HTTP over TCP",
                    t.value
                ),
                None,
            );
        }
        // Another port of the sidecar is exposed for the rule (Copilot's exposed ports).
    }
    if let Some(d) = &h.deregistration_delay {
        c.seconds(d, 0, 3600, &p("deregistration_delay"));
    }
    if let Some(ips) = &h.allowed_source_ips {
        for (i, ip) in ips.iter().enumerate() {
            c.cidr(ip, &format!("{at}.allowed_source_ips[{i}]"));
        }
        condition_values += ips.len();
    }
    alias_syntax(c, h, at, &mut condition_values);
    if let Some(hc) = &h.healthcheck
        && let TargetHealthCheck::Full(a) = &hc.value
    {
        let p = |s: &str| format!("{at}.healthcheck.{s}");
        health_bounds(
            c,
            HealthFields {
                healthy: a.healthy_threshold.as_ref(),
                unhealthy: a.unhealthy_threshold.as_ref(),
                timeout: a.timeout.as_ref(),
                interval: a.interval.as_ref(),
                grace_period: a.grace_period.as_ref(),
            },
            &format!("{at}.healthcheck"),
            true,
        );
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
        health_path(c, &Spanned::new(path.clone(), hc.span), &p("healthcheck"));
    }
}

/// The sidecar a load balancer's `target_container` (at `at`) names: `Ok(None)` for
/// the main container, `Err` (reported) when it names no container of the service.
pub(super) fn target_sidecar<'m>(
    c: &mut Checker,
    m: &'m ServiceManifest,
    t: &Spanned<String>,
    at: &str,
) -> Result<Option<&'m Spanned<crate::manifest::service::Sidecar>>, ()> {
    if t.value == m.name.value {
        return Ok(None);
    }
    match m.task.sidecars.get(&t.value) {
        Some(s) => Ok(Some(s)),
        None => {
            c.error(
                Code::Reference,
                t.span,
                at,
                format!("`{}` is not a container of this service", t.value),
                Some(format!(
                    "name the main container `{}` or a sidecar",
                    m.name.value
                )),
            );
            Err(())
        }
    }
}

/// Each alias is a DNS name and a host-header value; `hosted_zone` names a Route 53
/// zone and goes with aliases; the rule's conditions stay within the load balancer's
/// limit of [`RULE_CONDITION_VALUES`] (`condition_values` counts the path's and the
/// source addresses' already).
fn alias_syntax(c: &mut Checker, h: &RoutingRule, at: &str, condition_values: &mut usize) {
    let p = |s: &str| format!("{at}.{s}");
    if let Some(a) = &h.alias {
        alias_names(c, a, at);
    }
    if let Some(z) = &h.hosted_zone {
        hosted_zone(c, z, &p("hosted_zone"));
        if h.alias.is_none() {
            c.error(
                Code::MissingField,
                z.span,
                &p("hosted_zone"),
                "`hosted_zone` is where the aliases' records go, and this rule has no `alias`",
                Some("add `alias`, or remove `hosted_zone`".into()),
            );
        }
    }
    if let Some(a) = &h.alias {
        let mut hosts: Vec<String> = a
            .iter()
            .map(|x| x.name.value.to_ascii_lowercase())
            .collect();
        hosts.sort();
        hosts.dedup();
        *condition_values += hosts.len();
    }
    if *condition_values > RULE_CONDITION_VALUES {
        let at_span = h.alias.as_ref().map(|a| (a.span, p("alias"))).or_else(|| {
            h.allowed_source_ips
                .as_ref()
                .and_then(|i| Some((i.first()?.span, p("allowed_source_ips"))))
        });
        if let Some((span, path)) = at_span {
            c.error(
                Code::Range,
                span,
                &path,
                format!("this listener rule would have {condition_values} condition values; a load balancer allows {RULE_CONDITION_VALUES}"),
                Some("a path other than `/` takes two values, and each alias and source range one; split the names across `http.additional_rules`, or list fewer".into()),
            );
        }
    }
}

/// Each alias of `<at>.alias` is a DNS name a load balancer matches (at most 128
/// characters), and its `hosted_zone` a zone ID.
pub(super) fn alias_names(c: &mut Checker, list: &Spanned<Aliases>, at: &str) {
    for (i, a) in list.iter().enumerate() {
        let here = if list.len() == 1 {
            format!("{at}.alias")
        } else {
            format!("{at}.alias[{i}]")
        };
        if let Some(why) = super::net::dns_name_problem(&a.name.value, true) {
            c.error(
                Code::InvalidValue,
                a.name.span,
                &here,
                format!("`{}` is not a domain name: {why}", a.name.value),
                None,
            );
        } else if a.name.len() > 128 {
            // A host-header condition value is at most 128 characters.
            c.error(
                Code::Range,
                a.name.span,
                &here,
                format!(
                    "`{}` is {} characters; a load balancer matches host names of at most 128",
                    a.name.value,
                    a.name.len()
                ),
                None,
            );
        }
        if let Some(z) = &a.hosted_zone {
            hosted_zone(c, z, &format!("{here}.hosted_zone"));
        }
    }
}

/// A Route 53 hosted zone ID: `Z` and upper-case letters and digits, at most 32
/// characters (<https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html>).
pub(super) fn hosted_zone(c: &mut Checker, z: &Spanned<String>, at: &str) {
    let ok = z.len() <= 32
        && z.len() >= 2
        && z.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit());
    if !ok {
        c.error(
            Code::InvalidValue,
            z.span,
            at,
            format!("`{}` is not a Route 53 hosted zone ID", z.value),
            Some(
                "hosted zone IDs are upper-case letters and digits, like `Z0123456789ABCDEFGHIJ`"
                    .into(),
            ),
        );
    }
}

/// Aliases need HTTPS names: the application's domain, or certificates the environment
/// imports (whose names wharf cannot read offline; the load balancer refuses none, so
/// a name they miss fails in browsers, not at deploy). With the domain and no imported
/// certificate, an alias is within the domain's zones (one label below the domain, the
/// application's zone or the environment's), or has its own `hosted_zone` where wharf
/// validates its certificate.
fn aliases_against(c: &mut Checker, h: &RoutingRule, at: &str, e: &EnvManifest) {
    let Some(list) = &h.alias else { return };
    let imported = !e.certificates().is_empty();
    let Some(d) = &e.app_domain else {
        if !imported {
            c.error(
                Code::Reference,
                list.span,
                &format!("{at}.alias"),
                format!("aliases need HTTPS, and environment `{}` has no certificate and its application no domain", e.name.value),
                Some("give the application a `domain` (a Route 53 hosted zone of this account), or the environment `http.public.certificates` covering these names".into()),
            );
        }
        return;
    };
    for a in list.iter() {
        if a.hosted_zone.is_some() || h.hosted_zone.is_some() {
            continue;
        }
        domain_name(
            c,
            d,
            &e.name.value,
            &a.name,
            &format!("{at}.alias"),
            imported,
        );
    }
}

/// An alias without a hosted zone of its own, with the application's domain: within
/// the zones environment `env` may write (one label below the domain, the application's
/// zone or the environment's). With imported certificates a name outside the domain is
/// the user's own DNS; the application's zones are wharf's, whatever the certificates.
pub(super) fn domain_name(
    c: &mut Checker,
    d: &crate::manifest::environment::AppDomain,
    env: &str,
    name: &Spanned<String>,
    at: &str,
    imported: bool,
) {
    if d.zone_of(env, name).is_some() || (imported && !d.in_app_zone(name)) {
        return;
    }
    let other_env = d
        .envs
        .iter()
        .find(|o| o.as_str() != env && name.value.eq_ignore_ascii_case(&d.env_zone(o)));
    let message = if let Some(o) = other_env {
        format!(
            "`{}` is environment `{o}`'s zone name, not one environment `{env}` writes",
            name.value
        )
    } else if d.in_app_zone(name) {
        format!(
            "`{}` is in application `{}`'s zones but not one environment `{env}` writes: only names one label below `{}` or `{}` are its",
            name.value,
            d.app,
            d.app_zone(),
            d.env_zone(env)
        )
    } else {
        format!(
            "`{}` is outside application `{}`'s domain `{}`",
            name.value, d.app, d.domain
        )
    };
    c.error(
        Code::Reference,
        name.span,
        at,
        message,
        Some(format!(
            "use a name like `x.{}`, `x.{}` or `x.{}`, or give its `hosted_zone`",
            d.env_zone(env),
            d.app_zone(),
            d.domain
        )),
    );
}

/// Aliases on an imported load balancer (`http.alb`): its HTTPS listener's certificates
/// are its owner's, so any name goes; a record is made in the alias's `hosted_zone`, or
/// in the application's zone it falls in, and a name with neither gets none (a
/// warning: its DNS is the user's).
fn imported_aliases(
    c: &mut Checker,
    m: &ServiceManifest,
    h: &RoutingRule,
    at: &str,
    e: &EnvManifest,
) {
    for a in h.alias.iter().flat_map(|l| l.iter()) {
        let zoned = a.hosted_zone.is_some()
            || h.hosted_zone.is_some()
            || e.app_domain
                .as_ref()
                .is_some_and(|d| d.zone_of(&e.name.value, &a.name).is_some());
        if !zoned {
            c.warn(
                Code::Reference,
                a.name.span,
                &format!("{at}.alias"),
                format!("`{}` gets no DNS record: it has no `hosted_zone` and is in none of the application's zones, so it must already point at `{}`", a.name.value, m.imported_alb().map_or("", |x| x.value.as_str())),
                Some("give its `hosted_zone` for wharf to write the record".into()),
            );
        }
    }
}

/// Aliases of a Backend Service are names on the internal load balancer: they need
/// its certificates (`http.private.certificates`), and records only go where
/// `hosted_zone` says (the application's zones are public).
fn internal_aliases(c: &mut Checker, h: &RoutingRule, at: &str, e: &EnvManifest) {
    // A name in the private zone `<env>.<app>.internal` gets its record there; any
    // other needs a `hosted_zone`, or it has none.
    for a in h.alias.iter().flat_map(|l| l.iter()) {
        let labels: Vec<&str> = a.name.value.split('.').collect();
        let internal = labels.len() == 4 && labels[1] == e.name.value && labels[3] == "internal";
        if !internal && a.hosted_zone.is_none() && h.hosted_zone.is_none() {
            c.warn(
                Code::Reference,
                a.name.span,
                &format!("{at}.alias"),
                format!("`{}` gets no DNS record: it is not in the environment's private zone, and has no `hosted_zone`", a.name.value),
                Some(format!("give its `hosted_zone`, or use a name like `x.{}.<app>.internal`", e.name.value)),
            );
        }
    }
    if let Some(list) = &h.alias
        && e.private_certificates().is_empty()
    {
        c.error(
            Code::Reference,
            list.span,
            &format!("{at}.alias"),
            format!("aliases need HTTPS, and environment `{}`'s internal load balancer has no certificate", e.name.value),
            Some("give the environment `http.private.certificates` covering these names".into()),
        );
    }
}

/// What the environment's listeners allow: gRPC and HTTP/2 target groups behind an
/// HTTPS listener only, and `redirect_to_https` meaning something only with one.
fn listener(c: &mut Checker, h: &RoutingRule, at: &str, e: &EnvManifest, internal: bool) {
    let https = e.lb_https(internal);
    // Behind CloudFront only, the load balancer sees CloudFront's addresses.
    if !internal
        && e.cdn_only_ingress().is_some()
        && let Some(ips) = &h.allowed_source_ips
        && let Some(first) = ips.first()
    {
        c.warn(
            Code::InvalidValue,
            first.span,
            &format!("{at}.allowed_source_ips"),
            format!("environment `{}`'s load balancer is reached through CloudFront only, so requests come from CloudFront's addresses and these never match", e.name.value),
            Some("restrict at CloudFront, or remove `ingress.cdn`".into()),
        );
    }
    // CloudFront reaching an HTTPS load balancer over HTTP meets the redirect.
    if !internal
        && https
        && e.cdn()
            .and_then(|c| c.terminate_tls.as_ref())
            .is_some_and(|t| t.value)
        && h.redirect_to_https.as_ref().is_none_or(|r| r.value)
        && let Some(p) = &h.path
    {
        c.warn(
            Code::InvalidValue,
            p.span,
            &format!("{at}.redirect_to_https"),
            format!("environment `{}`'s CloudFront ends TLS and reaches the load balancer over HTTP, which redirects this rule's requests back to HTTPS", e.name.value),
            Some("set `redirect_to_https: false` on this rule".into()),
        );
    }
    let certs = if internal {
        "`http.private.certificates`"
    } else {
        "`http.public.certificates`"
    };
    if let Some(v) = &h.version
        && v.value != HttpVersion::Http1
        && !https
    {
        c.error(
            Code::InvalidValue,
            v.span,
            &format!("{at}.version"),
            format!(
                "`{}` target groups need an HTTPS listener, and environment `{}`'s {} load balancer has no certificate",
                v.value.as_cfn(),
                e.name.value,
                if internal { "internal" } else { "public" }
            ),
            Some(format!("give the environment {certs}{}, or use `http1`", if internal { "" } else { " (or the application a `domain`)" })),
        );
    }
    if let Some(r) = &h.redirect_to_https {
        if !https {
            c.warn(
                Code::InvalidValue,
                r.span,
                &format!("{at}.redirect_to_https"),
                format!(
                    "`redirect_to_https` has no effect: environment `{}`'s {} load balancer has no HTTPS listener",
                    e.name.value,
                    if internal { "internal" } else { "public" }
                ),
                None,
            );
        } else if !r.value
            && let Some(v) = h.version.as_ref().filter(|v| v.value != HttpVersion::Http1)
        {
            c.error(
                Code::InvalidValue,
                r.span,
                &format!("{at}.redirect_to_https"),
                format!(
                    "`redirect_to_https: false` would put the `{}` target group behind the HTTP listener, which takes HTTP/1.1 target groups only",
                    v.value.as_cfn()
                ),
                Some("leave `redirect_to_https` out (HTTP is redirected to HTTPS)".into()),
            );
        }
    }
}

/// Names two load balancers would claim: a record name (in its zone) belongs to one
/// load balancer of one service in one environment (a second record of the name fails
/// to deploy, or takes the first one's traffic); and on one load balancer of an
/// environment, two services' rules with the same paths and host names would leave one
/// unreached. `envs` are environments with their services as they are there, in
/// order; the second claimant of a name or route is the one reported.
pub fn shared_names(
    envs: &[(&EnvManifest, &[ServiceManifest])],
    app: &str,
) -> Vec<crate::manifest::diag::Diagnostic> {
    use crate::manifest::diag::Diagnostic;
    use crate::manifest::dns::{RecordZone, http_names, nlb_names};
    let mut out = Vec::new();
    let mut names: std::collections::BTreeMap<(RecordZone, String), (String, String, String)> =
        std::collections::BTreeMap::new();
    for (env, services) in envs {
        let mut routes: std::collections::BTreeMap<(String, [Vec<String>; 2]), String> =
            std::collections::BTreeMap::new();
        for m in services.iter() {
            // Each name with the load balancer it points at: one service's ALB and NLB
            // are two.
            let mut claimed: Vec<(crate::manifest::dns::DnsName, &str)> = Vec::new();
            if let Some(h) = m.http() {
                claimed.extend(http_names(m, h, env, app).into_iter().map(|n| (n, "http")));
                for (at, r) in h.rules() {
                    let Some([paths, hosts, _]) = conditions(r) else {
                        continue;
                    };
                    let key = (m.alb_key().unwrap_or_default(), [paths, hosts]);
                    match routes.get(&key) {
                        Some(first) if first != &m.name.value => {
                            if let Some(p) = &r.path {
                                out.push(
                                    Diagnostic::error(
                                        Code::DuplicateKey,
                                        format!("in environment `{}`, service `{first}` routes the same paths and host names on this load balancer, so one of the two would never be reached", env.name.value),
                                    )
                                    .at(p.span)
                                    .path(format!("{at}.path"))
                                    .help("give one of them another path, or aliases of its own"),
                                );
                            }
                        }
                        Some(_) => {}
                        None => {
                            routes.insert(key, m.name.value.clone());
                        }
                    }
                }
            }
            if let Some(n) = m.nlb() {
                claimed.extend(nlb_names(m, n, env).into_iter().map(|n| (n, "nlb")));
            }
            for (n, lb) in claimed {
                let owner = (m.name.value.clone(), env.name.value.clone(), lb.to_string());
                match names.get(&(n.zone.clone(), n.name.clone())) {
                    Some(first) if first != &owner => out.push(
                        Diagnostic::error(
                            Code::DuplicateKey,
                            format!(
                                "`{}` is already a name of service `{}` in environment `{}` (its `{}`): one DNS name points at one load balancer",
                                n.name, first.0, first.1, first.2
                            ),
                        )
                        .at(n.span)
                        .help("give each service and environment names of its own (an environment's zone, `<env>.<app>.<domain>`, keeps them apart)"),
                    ),
                    Some(_) => {}
                    None => {
                        names.insert((n.zone.clone(), n.name.clone()), owner);
                    }
                }
            }
        }
        // The distribution's name for static assets: its record is the environment's,
        // unless a service's name is the same (whose record points at the distribution
        // already, with `cdn.certificate`).
        if let (Some(a), Some(d), true) = (
            env.cdn()
                .and_then(|c| c.static_assets.as_ref())
                .and_then(|s| s.value.alias.as_ref()),
            &env.app_domain,
            env.cdn().is_some_and(|c| c.certificate.is_some()),
        ) && let Some(zone) = d.zone_of(&env.name.value, a)
        {
            let key = (RecordZone::Managed(zone), a.value.to_ascii_lowercase());
            match names.get(&key) {
                Some(first) if first.1 == env.name.value && first.2 == "http" => {}
                Some(first) => out.push(
                    Diagnostic::error(
                        Code::DuplicateKey,
                        format!("`{}` is already a name of `{}` in environment `{}`: one DNS name points at one place", a.value, first.0, first.1),
                    )
                    .at(a.span)
                    .path("cdn.static_assets.alias"),
                ),
                None => {
                    names.insert(
                        key,
                        ("cdn".to_string(), env.name.value.clone(), "cdn.static_assets".to_string()),
                    );
                }
            }
        }
    }
    out
}

/// What `cdn` will not do for `env`'s `services`, as warnings: front nothing without
/// a service on the public load balancer, or serve the services' aliases without
/// `cdn.certificate` (their records keep pointing at the load balancer).
pub fn cdn_notes(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Vec<crate::manifest::diag::Diagnostic> {
    use crate::manifest::diag::Diagnostic;
    let Some(cdn) = env.cdn() else {
        return Vec::new();
    };
    let public: Vec<&ServiceManifest> = services.iter().filter(|s| s.on_public_alb()).collect();
    if public.is_empty() {
        return vec![
            Diagnostic::warning(
                Code::Reference,
                format!("environment `{}` has `cdn` and no service on its public load balancer, so no distribution is made", env.name.value),
            )
            .at(cdn.span)
            .path("cdn"),
        ];
    }
    // CloudFront takes 100 aliases per distribution by default
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
    if env.cdn_answers_names() {
        let app = env
            .app_domain
            .as_ref()
            .map(|d| d.app.clone())
            .unwrap_or_default();
        let mut names: Vec<String> = public
            .iter()
            .filter_map(|s| Some(crate::manifest::dns::http_names(s, s.http()?, env, &app)))
            .flatten()
            .map(|n| n.name)
            .collect();
        names.sort();
        names.dedup();
        if names.len() > CLOUDFRONT_ALIASES {
            return vec![
                Diagnostic::warning(
                    Code::Limit,
                    format!("environment `{}`'s distribution would answer to {} names; CloudFront takes {CLOUDFRONT_ALIASES} unless AWS raised the quota", env.name.value, names.len()),
                )
                .at(cdn.span)
                .path("cdn"),
            ];
        }
    }
    if !env.cdn_answers_names()
        && let Some(a) = public
            .iter()
            .find_map(|s| s.http().and_then(|h| h.alias.as_ref()))
    {
        return vec![
            Diagnostic::warning(
                Code::Reference,
                if env.cdn_only_ingress().is_some() {
                    "CloudFront answers to the services' aliases only with `cdn.certificate`: without it they keep pointing at the load balancer, which only CloudFront may reach (`ingress.cdn`), so they will not connect"
                } else {
                    "CloudFront answers to the services' aliases only with `cdn.certificate`: without it they keep pointing at the load balancer, and the distribution has its own `*.cloudfront.net` name"
                },
            )
            .at(a.span)
            .path("http.alias")
            .help("give the environment's `cdn.certificate` (in us-east-1) covering the aliases"),
        ];
    }
    Vec::new()
}

/// `http.public` configures the environment's own load balancer; when every
/// load-balanced service imports one (`http.alb`), it is not made and the settings do
/// nothing: a warning.
pub fn public_settings_unused(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Option<crate::manifest::diag::Diagnostic> {
    (env.public_http().is_some()
        && !services.iter().any(ServiceManifest::on_public_alb)
        && services.iter().any(|s| s.imported_alb().is_some()))
    .then(|| {
        crate::manifest::diag::Diagnostic::warning(
            Code::Reference,
            format!(
                "environment `{}`'s `http.public` settings are for its own load balancer, which none of its services uses (those with `http.alb` are on theirs), so they do nothing",
                env.name.value
            ),
        )
        .at(env.name.span)
        .path("http.public")
        .help("set them on the imported load balancer, or remove them")
    })
}

/// With the application's domain, environment `env`'s certificate is for its zone
/// name `<env>.<app>.<domain>`, which ACM takes up to [`CERTIFICATE_NAME_MAX`]
/// characters: an error when a service behind the public load balancer needs it.
pub fn domain_limits(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Option<crate::manifest::diag::Diagnostic> {
    let d = env.app_domain.as_ref()?;
    let zone = d.env_zone(&env.name.value);
    (zone.len() > CERTIFICATE_NAME_MAX
        && env.certificates().is_empty()
        && services.iter().any(ServiceManifest::on_public_alb))
    .then(|| {
        crate::manifest::diag::Diagnostic::error(
            Code::Range,
            format!(
                "environment `{}`'s certificate would be for `{zone}`, {} characters; ACM takes {CERTIFICATE_NAME_MAX}",
                env.name.value,
                zone.len()
            ),
        )
        .at(env.name.span)
        .path("name")
        .help("use a shorter environment name or domain, or import certificates (`http.public.certificates`)")
    })
}

/// The certificate wharf makes for CloudFront (`cdn` without `certificate`, with the
/// application's domain) takes ACM's 10 names
/// (<https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html>): the
/// environment's zone and `*.` below it count, then each other name; an error at the
/// eleventh.
pub fn cdn_certificate_limit(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Option<crate::manifest::diag::Diagnostic> {
    let app = env.app_domain.as_ref()?.app.clone();
    if !services.iter().any(ServiceManifest::on_public_alb) {
        return None;
    }
    let names = crate::manifest::dns::cdn_certificate_names(env, services, &app);
    let n = names.get(ACM_NAMES)?;
    let static_alias = env
        .cdn()
        .and_then(|c| c.value.static_assets.as_ref())
        .and_then(|s| s.value.alias.as_ref())
        .is_some_and(|a| a.value.eq_ignore_ascii_case(&n.name));
    Some(
        crate::manifest::diag::Diagnostic::error(
            Code::Limit,
            format!(
                "CloudFront's certificate for environment `{}` would need {} names ({}, …); ACM takes {ACM_NAMES} unless AWS raised the quota",
                env.name.value,
                names.len(),
                names.iter().take(3).map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
        .at(n.span)
        .path(if static_alias {
            "cdn.static_assets.alias"
        } else if n.alias {
            "http.alias"
        } else {
            "name"
        })
        .help(format!(
            "names one label below `{}` share one name of it; use fewer other aliases, or give `cdn.certificate`",
            names[0].name
        )),
    )
}

/// The default quota of listener rules (besides the default ones) and of target groups
/// of one Application Load Balancer
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html>).
pub const ALB_QUOTA: usize = 100;

/// Warnings when `env`'s load-balanced `services` need more listener rules or target
/// groups than its public or internal Application Load Balancer takes by default (a quota AWS raises on
/// request, so not an error): each rule of `http` (the main one and
/// `additional_rules`) has one target group and one listener rule, and a second
/// listener rule with `redirect_to_https: false` behind HTTPS. Located at the first
/// service past the quota, in name order.
pub fn alb_quota(
    env: &EnvManifest,
    services: &[ServiceManifest],
) -> Vec<crate::manifest::diag::Diagnostic> {
    [false, true]
        .into_iter()
        .filter_map(|internal| lb_quota(env, services, internal))
        .collect()
}

/// [`alb_quota`] for the public load balancer or the internal one.
fn lb_quota(
    env: &EnvManifest,
    services: &[ServiceManifest],
    internal: bool,
) -> Option<crate::manifest::diag::Diagnostic> {
    let https = env.lb_https(internal);
    let mut lb: Vec<&ServiceManifest> = services
        .iter()
        .filter(|s| {
            if internal {
                s.is_internally_load_balanced()
            } else {
                s.on_public_alb()
            }
        })
        .collect();
    lb.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let (mut rules, mut groups) = (0, 0);
    for s in lb {
        for (_, r) in s.http().into_iter().flat_map(|h| h.value.rules()) {
            groups += 1;
            rules += 1;
            if https && r.redirect_to_https.as_ref().is_some_and(|r| !r.value) {
                rules += 1;
            }
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
                    "with `{}`, environment `{}`'s {} load balancer needs {what}; an Application Load Balancer takes {ALB_QUOTA} unless AWS raised the quota",
                    s.name.value,
                    env.name.value,
                    if internal { "internal" } else { "public" }
                ),
            )
            .at(s.name.span)
            .help("ask AWS for a higher quota (Service Quotas, Elastic Load Balancing), or split the services across environments"),
        );
    }
    None
}

/// The numbers of a target group's health check.
pub(super) struct HealthFields<'a> {
    pub healthy: Option<&'a Spanned<u32>>,
    pub unhealthy: Option<&'a Spanned<u32>>,
    pub timeout: Option<&'a Spanned<crate::manifest::duration::Duration>>,
    pub interval: Option<&'a Spanned<crate::manifest::duration::Duration>>,
    pub grace_period: Option<&'a Spanned<crate::manifest::duration::Duration>>,
}

/// A target group health check's bounds, for both load balancers: thresholds 2–10,
/// timeout 2–120 s, interval 5–300 s, the timeout shorter than the interval
/// (`shorter`; a Network Load Balancer's may equal it), grace period ≥ 0
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>,
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html>).
pub(super) fn health_bounds(c: &mut Checker, h: HealthFields, at: &str, shorter: bool) {
    let p = |s: &str| format!("{at}.{s}");
    if let Some(t) = h.healthy {
        c.range(t.value, 2, 10, t.span, &p("healthy_threshold"), "");
    }
    if let Some(t) = h.unhealthy {
        c.range(t.value, 2, 10, t.span, &p("unhealthy_threshold"), "");
    }
    let timeout = h.timeout.and_then(|t| c.seconds(t, 2, 120, &p("timeout")));
    let interval = h
        .interval
        .and_then(|i| c.seconds(i, 5, 300, &p("interval")));
    if let (Some(t), Some(i), Some(ts)) = (timeout, interval, h.timeout)
        && (t > i || (shorter && t == i))
    {
        c.error(
            Code::Range,
            ts.span,
            &p("timeout"),
            format!(
                "health check timeout {t}s must be {} its interval {i}s",
                if shorter { "shorter than" } else { "at most" }
            ),
            None,
        );
    }
    if let Some(g) = h.grace_period {
        c.seconds(g, 0, 2_147_483_647, &p("grace_period"));
    }
}

pub(super) fn health_path(c: &mut Checker, path: &Spanned<String>, at: &str) {
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
