//! A workload's addons as a nested stack (`AddonsStack`, partial `svc-addons.yml`): its
//! template (uploaded at deploy; the stack takes its URL as `AddonsTemplateURL`), its
//! parameters, and its outputs wired in as Copilot wires them
//! ([`crate::manifest::addons`]).

use super::*;
use crate::manifest::addons::{Addons, OutputKind};
use crate::manifest::yaml::{Entry, Node, Style, Value};

/// The stack parameter taking the addons template's S3 URL, which the deploy fills.
pub const TEMPLATE_URL_PARAMETER: &str = "AddonsTemplateURL";

/// The nested addons stack.
#[derive(Debug, Clone, Serialize)]
pub struct AddonsPlan {
    /// The merged template, as uploaded.
    pub template: String,
    /// The nested stack's `Parameters` block (YAML lines indented under `Parameters:`).
    pub parameters_yaml: String,
    /// Managed policy ARNs for the task role (CloudFormation values).
    pub policies: Vec<String>,
}

/// The nested stack's `Parameters` block (YAML lines, indented under `Parameters:`):
/// `fixed` (Copilot's `App`, `Env`, `Name`), then the addons' own values as written.
pub fn parameters_block(a: &Addons, fixed: &[(&str, &str)]) -> String {
    let span = a.template.span;
    let mut entries: Vec<Entry> = fixed
        .iter()
        .map(|(k, v)| Entry {
            key: (*k).into(),
            key_span: span,
            value: Node::scalar(*v, Style::Quoted, span),
        })
        .collect();
    for (k, v) in &a.parameters {
        entries.push(Entry {
            key: k.value.clone(),
            key_span: k.span,
            value: v.clone(),
        });
    }
    crate::compile::overrides::emit::document(&Node {
        value: Value::Map(entries),
        span,
        tag: None,
    })
    .lines()
    .map(|l| format!("        {l}\n"))
    .collect()
}

/// `!GetAtt AddonsStack.Outputs.<name>`.
fn output(name: &str) -> String {
    format!("!GetAtt AddonsStack.Outputs.{name}")
}

/// The plan of `a`, and what its outputs add to the main container and the tasks:
/// variables, secrets, security groups.
pub(super) fn plan(
    a: &Addons,
    app: &str,
    env: &str,
    name: &str,
) -> (AddonsPlan, Vec<VarPlan>, Vec<SecretItem>, Vec<String>) {
    let parameters_yaml = parameters_block(a, &[("App", app), ("Env", env), ("Name", name)]);
    let (mut vars, mut secrets, mut groups, mut policies) = (vec![], vec![], vec![], vec![]);

    for o in &a.outputs {
        match o.kind {
            OutputKind::ManagedPolicy => policies.push(output(&o.name)),
            OutputKind::SecurityGroup => groups.push(output(&o.name)),
            OutputKind::Secret => secrets.push(SecretItem {
                name: o.env_name(),
                value_from: output(&o.name),
            }),
            OutputKind::Variable => vars.push(VarPlan {
                name: o.env_name(),
                value: output(&o.name),
            }),
        }
    }
    (
        AddonsPlan {
            template: crate::compile::overrides::emit::document(&a.template),
            parameters_yaml,
            policies,
        },
        vars,
        secrets,
        groups,
    )
}
