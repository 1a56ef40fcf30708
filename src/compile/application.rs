//! The application stack (`<app>-infrastructure`, one per region): the resources every
//! deploy of the application needs, starting with the bucket for large templates.

use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig};
use crate::render::render;
use std::collections::BTreeMap;

/// Name of the application stack.
pub fn stack_name(app: &str) -> String {
    format!("{app}-infrastructure")
}

/// Compiles the application stack.
pub fn compile_app(app: &AppInfo) -> Result<Package, crate::render::RenderError> {
    let template = render(
        "application.yml",
        &serde_json::json!({"app": app.name, "version": TEMPLATE_VERSION}),
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
    })
}
