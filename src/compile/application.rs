//! The application stack (`<app>-infrastructure`, one per region): the resources every
//! deploy of the application needs, starting with the bucket for large templates; with
//! a domain, the application's hosted zone `<app>.<domain>`, delegated from the
//! domain's zone (whose ID the stack takes as `DomainHostedZoneId`), and both zone IDs
//! published for environment stacks.

use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig};
use crate::render::render;
use std::collections::BTreeMap;

/// Name of the application stack.
pub fn stack_name(app: &str) -> String {
    format!("{app}-infrastructure")
}

/// The application stack's parameter taking the domain's hosted zone ID.
pub const DOMAIN_ZONE_PARAMETER: &str = "DomainHostedZoneId";

/// The application stack's parameter taking the ID of the application's hosted zone
/// when another stack holds it (AWS Copilot's `<app>-infrastructure-roles`, whose
/// `AppHostedZone` an adopted application keeps); empty, the stack makes the zone.
/// `wharf app adopt` sets it; later deploys carry the deployed value.
pub const ADOPTED_ZONE_PARAMETER: &str = "AdoptedAppHostedZoneId";

/// Compiles the application stack. With a domain, the `DomainHostedZoneId` parameter
/// is left for whoever deploys it (`wharf app init` looks the zone up).
pub fn compile_app(app: &AppInfo) -> Result<Package, crate::render::RenderError> {
    use crate::contract::{EnvValue, app_ssm_name};
    let domain = app.domain.as_ref().map(|d| {
        serde_json::json!({
            "name": d,
            "zone": format!("{}.{d}", app.name),
            "parameter": DOMAIN_ZONE_PARAMETER,
            "adopted_parameter": ADOPTED_ZONE_PARAMETER,
            "app_zone_ssm": app_ssm_name(&app.name, EnvValue::AppHostedZoneId.key()),
            "domain_zone_ssm": app_ssm_name(&app.name, EnvValue::DomainHostedZoneId.key()),
        })
    });
    let template = render(
        "application.yml",
        &serde_json::json!({"app": app.name, "version": TEMPLATE_VERSION, "domain": domain}),
    )?;
    let mut tags: BTreeMap<String, String> = app.tags.clone();
    tags.insert("wharf-application".into(), app.name.clone());
    Ok(Package {
        stack_name: stack_name(&app.name),
        file_stem: "application".into(),
        template,
        config: TemplateConfig {
            parameters: BTreeMap::new(),
            tags,
        },
        follow_up: super::FollowUp::Nothing,
        needs: Vec::new(),
        after: Vec::new(),
        addons: None,
        imported_alb: None,
        cdn_certificate: None,
    })
}
