//! The certificate CloudFront shows for an environment's names when wharf makes it, as
//! Copilot did for an application with a domain and `cdn` without `certificate`.
//!
//! CloudFront takes certificates from us-east-1 only
//! (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html>),
//! and a CloudFormation stack makes resources in its own region, so the certificate has
//! a stack of its own there ([`crate::contract::cdn_certificate::stack_name`]): an ACM
//! certificate validated by DNS in the application's hosted zones
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-certificatemanager-certificate.html>),
//! whose IDs the stack takes as parameters. The environment stack takes its ARN
//! ([`crate::contract::cdn_certificate::ARN_PARAMETER`]).
//!
//! Its names: the environment's zone and every name one label below it (`<env>.<app>.
//! <domain>`, `*.<env>.<app>.<domain>`), then each other name the distribution answers
//! to. Its logical ID carries a hash of the names and zones, so new names make a new
//! certificate beside the old one, which CloudFront still shows until the environment
//! stack moves to the new one: the stack keeps the old certificate's resource for that
//! deploy ([`template`]'s `kept`), and drops it after. Pure.

use super::TEMPLATE_VERSION;
use super::service::{NamePlan, ZoneRef};
use crate::contract::EnvValue;
use crate::manifest::environment::EnvManifest;
#[cfg(test)]
use crate::manifest::environment::Zone;
use crate::manifest::service::ServiceManifest;
use serde::Serialize;

/// The certificate an environment's distribution needs: its names, the first its
/// domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The names with the zone each is validated in.
    pub names: Vec<(String, ZoneRef)>,
}

/// The certificate of `m`'s distribution, when wharf makes it: `cdn` without
/// `certificate`, the application's domain, and a service on the public load balancer
/// (else there is no distribution). Its names are
/// [`crate::manifest::dns::cdn_certificate_names`]; validation has checked that there
/// are at most ACM's 10 and that each has a zone.
pub fn request(app: &str, m: &EnvManifest, services: &[ServiceManifest]) -> Option<Request> {
    if !services.iter().any(ServiceManifest::on_public_alb) {
        return None;
    }
    let names: Vec<(String, ZoneRef)> =
        crate::manifest::dns::cdn_certificate_names(m, services, app)
            .iter()
            .map(|n| {
                let plan = NamePlan::from(n);
                (plan.name, plan.zone)
            })
            .collect();
    (!names.is_empty()).then_some(Request { names })
}

#[derive(Serialize)]
struct Plan<'a> {
    app: &'a str,
    env: &'a str,
    version: &'a str,
    logical_id: String,
    names: Vec<NamePlan>,
    validations: Vec<NamePlan>,
    parameters: Vec<(&'static str, &'static str)>,
    kept: &'a str,
}

/// The logical ID of the certificate for `request`'s names:
/// `CloudFrontCertificate<CRC-32 of the names and zones, hex>`.
pub fn logical_id(request: &Request) -> String {
    let mut key = String::new();
    for (name, zone) in &request.names {
        key.push_str(name);
        key.push(' ');
        key.push_str(&String::from(zone.clone()));
        key.push('\n');
    }
    format!(
        "CloudFrontCertificate{:08X}",
        crc32fast::hash(key.as_bytes())
    )
}

/// The certificate stack's template for `request`, with `kept` (the resource block of
/// the certificate the distribution shows now, from the deployed template, or empty)
/// beside it; and the zone values its parameters take ([`crate::contract::
/// cdn_certificate::ZONES`] used by either).
///
/// # Errors
/// A template rendering error (a bug in wharf).
pub fn template(
    app: &str,
    env: &str,
    request: &Request,
    kept: &str,
) -> Result<(String, Vec<EnvValue>), crate::render::RenderError> {
    let names: Vec<NamePlan> = request
        .names
        .iter()
        .map(|(name, zone)| NamePlan {
            name: name.clone(),
            zone: zone.clone(),
        })
        .collect();
    // A wildcard is validated by its base name's record.
    let validations = names
        .iter()
        .filter(|n| !n.name.starts_with("*."))
        .cloned()
        .collect();
    let used: Vec<EnvValue> = crate::contract::cdn_certificate::ZONES
        .into_iter()
        .filter(|v| {
            let reference = format!("!Ref {}", v.parameter());
            names
                .iter()
                .any(|n| String::from(n.zone.clone()) == reference)
                || kept.contains(&reference)
        })
        .collect();
    let parameters = used
        .iter()
        .map(|v| {
            (
                v.parameter(),
                match v {
                    EnvValue::HostedZoneId => "The environment's hosted zone ID",
                    EnvValue::AppHostedZoneId => "The application's hosted zone ID",
                    _ => "The hosted zone ID of the application's domain",
                },
            )
        })
        .collect();
    let plan = Plan {
        app,
        env,
        version: TEMPLATE_VERSION,
        logical_id: logical_id(request),
        names,
        validations,
        parameters,
        kept,
    };
    Ok((crate::render::render("cdn-certificate.yml", &plan)?, used))
}

/// The resource block of `logical_id` in `template` (one wharf rendered: resources at
/// two spaces' indentation), up to the next resource or section; `None` when it has
/// none. What [`template`] keeps of the deployed certificate.
pub fn resource_block(template: &str, logical_id: &str) -> Option<String> {
    let head = format!("  {logical_id}:");
    let mut lines = template.lines().skip_while(|l| l.trim_end() != head);
    let first = lines.next()?;
    let mut out = vec![first];
    out.extend(
        lines.take_while(|l| l.starts_with("   ") || (l.trim().is_empty() && !l.is_empty())),
    );
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(names: &[(&str, ZoneRef)]) -> Request {
        Request {
            names: names
                .iter()
                .map(|(n, z)| ((*n).to_string(), z.clone()))
                .collect(),
        }
    }

    #[test]
    fn the_logical_id_follows_names_and_zones() {
        let a = request(&[("test.shop.example.com", ZoneRef::Managed(Zone::Env))]);
        let b = request(&[("test.shop.example.com", ZoneRef::Id("Z1".into()))]);
        assert_ne!(logical_id(&a), logical_id(&b));
        assert_eq!(logical_id(&a), logical_id(&a.clone()));
        assert!(logical_id(&a).starts_with("CloudFrontCertificate"));
        assert_eq!(logical_id(&a).len(), "CloudFrontCertificate".len() + 8);
    }

    #[test]
    fn the_template_declares_the_zones_it_uses_and_keeps_a_block() {
        let r = request(&[
            ("test.shop.example.com", ZoneRef::Managed(Zone::Env)),
            ("*.test.shop.example.com", ZoneRef::Managed(Zone::Env)),
            ("www.example.com", ZoneRef::Managed(Zone::Domain)),
        ]);
        let (t, used) = template("shop", "test", &r, "").unwrap();
        assert_eq!(
            used,
            vec![EnvValue::HostedZoneId, EnvValue::DomainHostedZoneId]
        );
        assert!(t.contains("  EnvHostedZoneId:\n"));
        assert!(!t.contains("  AppHostedZoneId:\n"));
        // The wildcard shares its base name's validation record.
        assert_eq!(t.matches("- DomainName:").count(), 2);
        let id = logical_id(&r);
        let block = resource_block(&t, &id).unwrap();
        assert!(block.starts_with(&format!("  {id}:\n")));
        assert!(block.contains("www.example.com"));
        assert!(!block.contains("Outputs"));
        // Kept beside a new one, with the zone parameter only it uses.
        let next = request(&[("test.shop.example.com", ZoneRef::Managed(Zone::App))]);
        let (t2, used2) = template("shop", "test", &next, &block).unwrap();
        assert!(t2.contains(&block));
        assert!(t2.contains(&format!("  {}:\n", logical_id(&next))));
        assert_eq!(used2.len(), 3);
        assert!(t2.contains(&format!("Value: !Ref {}", logical_id(&next))));
        assert!(t2.contains(&crate::compile::quote(&logical_id(&next))));
        assert_eq!(resource_block(&t2, "Missing"), None);
    }
}
