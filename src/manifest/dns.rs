//! The DNS names a service's load balancers answer to, and the hosted zone each one's
//! record goes in: aliases (with their `hosted_zone`, or the application's zone they
//! fall in) and the names Copilot gives services (`<svc>.<env>.<app>.<domain>`,
//! `<svc>-nlb.<env>.<app>.<domain>`, `<svc>.<env>.<app>.internal`). The compiler makes
//! records and certificates of them; validation checks no two stacks claim one. Pure.

use super::environment::{EnvManifest, Zone};
use super::service::{Http, Nlb, ServiceManifest};
use super::source::Span;

/// Where a name's record goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordZone {
    /// One of the application's public zones.
    Managed(Zone),
    /// The environment's private zone `<env>.<app>.internal`.
    Internal,
    /// A zone the manifest names by ID (`hosted_zone`).
    Id(String),
}

/// A name with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsName {
    /// The name, lower case.
    pub name: String,
    /// Its zone.
    pub zone: RecordZone,
    /// Where the manifest says it: the alias, or the service's name.
    pub span: Span,
    /// Whether it is an alias (else the service's own name).
    pub alias: bool,
}

/// The names of `http` in `env` (application `app`): on the public load balancer for
/// a Load Balanced Web Service, the internal one for a Backend Service. An alias with
/// no zone to go in (the user's own DNS, beside imported certificates) has no record
/// and is left out. The service's own name is there when the main rule has no alias
/// (a rule with host names does not answer to it) and the load balancer is the
/// environment's.
pub fn http_names(m: &ServiceManifest, h: &Http, env: &EnvManifest, app: &str) -> Vec<DnsName> {
    let internal = !m.is_load_balanced();
    let internal_zone = env.internal_zone(app);
    let domain = env.app_domain.as_ref();
    let mut out: Vec<DnsName> = Vec::new();
    for (_, r) in h.rules() {
        for a in r.alias.iter().flat_map(|a| a.iter()) {
            let name = a.name.value.to_ascii_lowercase();
            let zone = a
                .hosted_zone
                .as_ref()
                .or(r.hosted_zone.as_ref())
                .map(|z| RecordZone::Id(z.value.clone()))
                .or_else(|| {
                    if internal {
                        one_below(&name, &internal_zone).then_some(RecordZone::Internal)
                    } else {
                        domain
                            .and_then(|d| d.zone_of(&env.name.value, &name))
                            .map(RecordZone::Managed)
                    }
                });
            push(&mut out, name, zone, a.name.span, true);
        }
    }
    // An imported load balancer (`http.alb`) has no name of the environment's.
    if h.alias.is_none() && h.alb.is_none() {
        let own = if internal {
            Some((
                format!("{}.{internal_zone}", m.name.value),
                RecordZone::Internal,
            ))
        } else {
            domain.map(|d| {
                (
                    format!("{}.{}", m.name.value, d.env_zone(&env.name.value)),
                    RecordZone::Managed(Zone::Env),
                )
            })
        };
        if let Some((name, zone)) = own {
            push(&mut out, name, Some(zone), m.name.span, false);
        }
    }
    out
}

/// The names of `nlb` in `env`: its aliases with a zone, and with the application's
/// domain its own name `<svc>-nlb.<env>.<app>.<domain>`.
pub fn nlb_names(m: &ServiceManifest, n: &Nlb, env: &EnvManifest) -> Vec<DnsName> {
    let domain = env.app_domain.as_ref();
    let mut out: Vec<DnsName> = Vec::new();
    for a in n.alias.iter().flat_map(|a| a.iter()) {
        let name = a.name.value.to_ascii_lowercase();
        let zone = a
            .hosted_zone
            .as_ref()
            .map(|z| RecordZone::Id(z.value.clone()))
            .or_else(|| {
                domain
                    .and_then(|d| d.zone_of(&env.name.value, &name))
                    .map(RecordZone::Managed)
            });
        push(&mut out, name, zone, a.name.span, true);
    }
    if let Some(d) = domain {
        let name = format!("{}-nlb.{}", m.name.value, d.env_zone(&env.name.value));
        push(
            &mut out,
            name,
            Some(RecordZone::Managed(Zone::Env)),
            m.name.span,
            false,
        );
    }
    out
}

/// Adds `name` with its record's zone (a name without one has no record: left out),
/// unless it is there already.
fn push(out: &mut Vec<DnsName>, name: String, zone: Option<RecordZone>, span: Span, alias: bool) {
    if let Some(zone) = zone
        && !out.iter().any(|n| n.name == name)
    {
        out.push(DnsName {
            name,
            zone,
            span,
            alias,
        });
    }
}

/// The names of the certificate wharf makes for `env`'s distribution (`cdn` without
/// `certificate`, in an application with a domain; empty otherwise): the
/// environment's zone and `*.` below it (at `cdn`), then each other name the
/// distribution answers to, with the zone it is validated in: the services' names on
/// the public load balancer, and the static assets' alias when it is in one of the
/// application's zones.
pub fn cdn_certificate_names(
    env: &EnvManifest,
    services: &[ServiceManifest],
    app: &str,
) -> Vec<DnsName> {
    let (Some(domain), Some(cdn)) = (
        env.app_domain
            .as_ref()
            .filter(|_| env.cdn_managed_certificate()),
        env.cdn(),
    ) else {
        return Vec::new();
    };
    let e = env.name.value.as_str();
    let zone = domain.env_zone(e);
    let mut out = Vec::new();
    for name in [zone.clone(), format!("*.{zone}")] {
        push(
            &mut out,
            name,
            Some(RecordZone::Managed(Zone::Env)),
            cdn.span,
            false,
        );
    }
    for s in services.iter().filter(|s| s.on_public_alb()) {
        for n in s
            .http()
            .map(|h| http_names(s, h, env, app))
            .unwrap_or_default()
        {
            if !domain.env_certificate_covers(e, &n.name) {
                push(&mut out, n.name, Some(n.zone), n.span, n.alias);
            }
        }
    }
    if let Some(a) = cdn
        .value
        .static_assets
        .as_ref()
        .and_then(|s| s.value.alias.as_ref())
    {
        let name = a.value.to_ascii_lowercase();
        if !domain.env_certificate_covers(e, &name) {
            let zone = domain.zone_of(e, &name).map(RecordZone::Managed);
            push(&mut out, name, zone, a.span, true);
        }
    }
    out
}

/// Whether `name` is `zone` or one label below it.
fn one_below(name: &str, zone: &str) -> bool {
    name == zone
        || name
            .strip_suffix(zone)
            .and_then(|h| h.strip_suffix('.'))
            .is_some_and(|l| !l.is_empty() && !l.contains('.'))
}
