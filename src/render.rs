//! The template engine: `templates/` embedded at build time and rendered with minijinja.
//! Used for CloudFormation (`compile`) and for the manifests `init` commands write.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "environment.yml",
        include_str!("../templates/environment.yml"),
    ),
    ("service.yml", include_str!("../templates/service.yml")),
    (
        "partials/env-cluster.yml",
        include_str!("../templates/partials/env-cluster.yml"),
    ),
    (
        "partials/env-alb.yml",
        include_str!("../templates/partials/env-alb.yml"),
    ),
    (
        "partials/env-ssm.yml",
        include_str!("../templates/partials/env-ssm.yml"),
    ),
    (
        "partials/svc-roles.yml",
        include_str!("../templates/partials/svc-roles.yml"),
    ),
    (
        "partials/svc-task-definition.yml",
        include_str!("../templates/partials/svc-task-definition.yml"),
    ),
    (
        "partials/svc-target-group.yml",
        include_str!("../templates/partials/svc-target-group.yml"),
    ),
    (
        "partials/svc-discovery.yml",
        include_str!("../templates/partials/svc-discovery.yml"),
    ),
    (
        "partials/svc-service.yml",
        include_str!("../templates/partials/svc-service.yml"),
    ),
    (
        "partials/svc-autoscaling.yml",
        include_str!("../templates/partials/svc-autoscaling.yml"),
    ),
    (
        "manifests/app.yml",
        include_str!("../templates/manifests/app.yml"),
    ),
    (
        "manifests/environment.yml",
        include_str!("../templates/manifests/environment.yml"),
    ),
    (
        "manifests/service.yml",
        include_str!("../templates/manifests/service.yml"),
    ),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid");
        e.set_syntax(syntax);
        // Values are quoted explicitly with `q`; nothing is escaped behind the author's back.
        e.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        e.add_filter("q", quote_filter);
        e.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, src) in TEMPLATES {
            e.add_template(name, src)
                .expect("embedded templates parse (checked by tests)");
        }
        e
    })
}

/// `{{ value | q }}`: the value as JSON, which is also valid YAML (a double-quoted
/// string, a number, a flow list). Unlike `tojson` it does not escape `'` or `<`.
fn quote_filter(v: minijinja::Value) -> Result<String, minijinja::Error> {
    serde_json::to_string(&v)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// Renders a manifest template as is (comments and blank lines matter there).
pub fn render_text(name: &str, ctx: &impl Serialize) -> Result<String, minijinja::Error> {
    env()
        .get_template(name)?
        .render(minijinja::value::Serde(ctx))
}

/// Renders one of the embedded CloudFormation templates. Errors here are bugs in wharf
/// (a plan field a template expects is missing), so they carry the template's own message.
pub fn render(name: &str, ctx: &impl Serialize) -> Result<String, minijinja::Error> {
    let out = render_text(name, ctx)?;
    // Blank lines left by template tags carry no meaning; drop them for tidy output.
    let mut s = String::with_capacity(out.len());
    for line in out.lines() {
        if !line.trim().is_empty() {
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    Ok(s)
}
