//! The template engine: `templates/` embedded at build time and rendered with minijinja.
//! Used for CloudFormation (`compile`) and for the manifests `init` commands write.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

/// Embeds `templates/<name>` under its name.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "application.yml",
    "environment.yml",
    "service.yml",
    "cdn-certificate.yml",
    "partials/env-cluster.yml",
    "partials/env-alb.yml",
    "partials/env-ssm.yml",
    "partials/env-efs.yml",
    "partials/env-flow-logs.yml",
    "partials/env-domain.yml",
    "partials/env-internal-alb.yml",
    "partials/env-cdn.yml",
    "partials/svc-roles.yml",
    "partials/svc-task-definition.yml",
    "partials/svc-target-group.yml",
    "partials/svc-nlb.yml",
    "partials/svc-addons.yml",
    "partials/svc-discovery.yml",
    "partials/svc-service.yml",
    "partials/svc-alarms.yml",
    "partials/svc-autoscaling.yml",
    "partials/svc-messaging.yml",
    "partials/svc-job.yml",
    "manifests/app.yml",
    "manifests/environment.yml",
    "manifests/service.yml",
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

/// A template failed to render: a bug in wharf (a plan field a template expects is
/// missing), with the template engine's own account of it. The engine's type stays in
/// this module.
#[derive(Debug)]
pub struct RenderError(minijinja::Error);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// Renders a manifest template as is (comments and blank lines matter there).
///
/// # Errors
/// [`RenderError`] when the template and the context do not fit (a bug).
pub fn render_text(name: &str, ctx: &impl Serialize) -> Result<String, RenderError> {
    env()
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(ctx)))
        .map_err(RenderError)
}

/// Renders one of the embedded CloudFormation templates. Errors here are bugs in wharf
/// (a plan field a template expects is missing), so they carry the template's own message.
///
/// # Errors
/// As [`render_text`].
pub fn render(name: &str, ctx: &impl Serialize) -> Result<String, RenderError> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_templates_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut found = Vec::new();
        for dir in ["", "partials", "manifests"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "yml") {
                    found.push(p.strip_prefix(&root).unwrap().display().to_string());
                }
            }
        }
        found.sort();
        let mut embedded: Vec<String> = super::TEMPLATES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        embedded.sort();
        assert_eq!(found, embedded);
    }
}
