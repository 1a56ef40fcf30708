//! Compiling manifests into CloudFormation: environment and service stacks with their
//! parameter files.
//!
//! The Rust side decides everything (names, which resources exist, every value) in
//! "plans"; the templates in `templates/` only lay plans out as YAML. Pure and
//! deterministic: the same inputs give byte-identical output.

pub mod application;
pub mod cdn_certificate;
pub mod env_vpc;
pub mod environment;
pub mod overrides;
pub mod priority;
pub mod service;

use serde::Serialize;
use std::collections::BTreeMap;

pub use environment::compile_env;
pub use service::compile_service;

/// Version stamped into every template's metadata.
pub const TEMPLATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A compiled stack: its template and its CloudFormation template-configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Stack name, `<app>-<env>` or `<app>-<env>-<svc>`.
    pub stack_name: String,
    /// File stem for `--output-dir`: `<env>` or `<svc>-<env>`, as Copilot names them.
    pub file_stem: String,
    /// The template (YAML).
    pub template: String,
    /// Parameter values and stack tags.
    pub config: TemplateConfig,
    /// What follows the stack's deploy.
    pub follow_up: FollowUp,
    /// Stacks of the same run this one deploys after: a worker's publishers, whose
    /// topics its subscriptions need.
    pub after: Vec<String>,
    /// Topics the stack subscribes to: a deployed stack of the environment must have
    /// them, unless their publisher deploys in the same run (checked before a deploy).
    pub needs: Vec<TopicNeed>,
    /// The workload's merged addons template, deployed as its nested stack
    /// (`--output-dir` writes it as `<svc>-<env>.addons.yml`).
    pub addons: Option<String>,
    /// An imported load balancer's values the deploy looks up (`http.alb`).
    pub imported_alb: Option<service::ImportedAlb>,
    /// The certificate of the environment's distribution, when wharf makes it: its
    /// own stack in us-east-1, deployed with the environment stack.
    pub cdn_certificate: Option<cdn_certificate::Request>,
}

/// A topic a worker subscribes to, and where it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNeed {
    /// The publisher's stack, `<app>-<env>-<service>`.
    pub stack: String,
    /// The topic's logical ID in that stack.
    pub logical_id: String,
    /// "topic `orders` of `web`".
    pub what: String,
}

/// How a stack is followed once CloudFormation is done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FollowUp {
    /// Nothing: an environment, an application, a Scheduled Job.
    #[default]
    Nothing,
    /// The ECS rolling deployment the stack started, to its verdict.
    EcsRollout,
}

/// The `{"Parameters": {...}, "Tags": {...}}` file CodePipeline and `wharf` deploy with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateConfig {
    /// Stack parameter values.
    #[serde(rename = "Parameters")]
    pub parameters: BTreeMap<String, String>,
    /// Stack tags.
    #[serde(rename = "Tags")]
    pub tags: BTreeMap<String, String>,
}

impl TemplateConfig {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("maps of strings serialize");
        s.push('\n');
        s
    }
}

/// Application-wide inputs every stack needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    /// Application name.
    pub name: String,
    /// Tags for every stack.
    pub tags: BTreeMap<String, String>,
    /// IAM permissions boundary policy name or ARN.
    pub permissions_boundary: Option<String>,
    /// `WHARF` or `COPILOT`: prefix of the variables set in containers.
    pub var_prefix: &'static str,
    /// The application's domain (lower case), when it has one.
    pub domain: Option<String>,
}

impl AppInfo {
    fn stack_tags(&self, env: &str, service: Option<&str>) -> BTreeMap<String, String> {
        let mut t = self.tags.clone();
        t.insert("wharf-application".into(), self.name.clone());
        t.insert("wharf-environment".into(), env.into());
        if let Some(s) = service {
            t.insert("wharf-service".into(), s.into());
        }
        t
    }
}

/// Name of an environment's stack.
pub fn env_stack_name(app: &str, env: &str) -> String {
    format!("{app}-{env}")
}

/// Name of a service's stack in an environment.
pub fn service_stack_name(app: &str, env: &str, service: &str) -> String {
    format!("{app}-{env}-{service}")
}

/// Whether `template`, as wharf renders templates (top-level sections' keys at two
/// spaces), declares `key`: a parameter, resource or output of that name.
pub fn declares(template: &str, key: &str) -> bool {
    template.contains(&format!("\n  {key}:\n"))
}

/// A string as a YAML-safe quoted scalar.
pub(crate) fn quote(s: &str) -> String {
    let json = serde_json::to_string(s).expect("strings serialize");
    // JSON leaves these as they are, but YAML 1.1 readers (cfn-lint's, PyYAML) fold
    // them as line breaks inside a double-quoted scalar: YAML's own escapes keep them.
    if json.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        json.replace('\u{85}', "\\N")
            .replace('\u{2028}', "\\L")
            .replace('\u{2029}', "\\P")
    } else {
        json
    }
}
pub mod workspace;

#[cfg(test)]
mod tests;
