//! The adoption's first step on each AWS Copilot stack: the stack's own deployed
//! template, unchanged but for `DeletionPolicy: Retain` (and `UpdateReplacePolicy:
//! Retain`) on each of its Lambda-backed custom resources (`Custom::*`), deployed
//! before wharf's template replaces it. wharf's template has none of them, so the
//! update that adopts the stack removes them; without the step CloudFormation would
//! call each one's delete handler on the way out, and Copilot's undo what they made:
//! `DelegateDNSAction` deletes the environment's NS delegation (every name under
//! `<env>.<app>.<domain>` stops resolving), `HTTPSCert` deletes the certificate the
//! listener serves and its validation records, `CustomDomainAction` deletes the alias
//! records, and unknown ones may do anything. A retained custom resource leaves the
//! stack and nothing is called. The step also adds one output naming what it retained,
//! so CloudFormation has a change to make. Pure: templates in, template out.

use crate::manifest::diag::Diagnostics;
use crate::manifest::source::{SourceMap, Span};
use crate::manifest::yaml::{self, Entry, Node, Style, Value};

/// The output the step adds, naming the resources it retained.
pub const OUTPUT: &str = "WharfAdoptionRetained";

/// The custom resources (`Custom::*`, and the older `AWS::CloudFormation::CustomResource`)
/// of `template` (YAML or JSON) that CloudFormation would delete, handler and all, when
/// they leave the stack: those without `DeletionPolicy: Retain`. Empty when the
/// template cannot be read.
pub fn to_retain(template: &str) -> Vec<String> {
    let Some(t) = crate::deploy::diff::canonical_value(template) else {
        return Vec::new();
    };
    let kept = super::retained_on_removal(template);
    t.get("Resources")
        .and_then(serde_json::Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(id, v)| {
                    v.get("Type")
                        .and_then(serde_json::Value::as_str)
                        .is_some_and(is_custom)
                        && !kept.contains(id)
                })
                .map(|(id, _)| id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `kind` is a custom resource's type.
pub fn is_custom(kind: &str) -> bool {
    kind.starts_with("Custom::") || kind == "AWS::CloudFormation::CustomResource"
}

/// What the stack's own template retains once the step ran: what it retains already
/// ([`super::retained_on_removal`]) and [`to_retain`].
pub fn retained_after(template: &str) -> Vec<String> {
    let mut out = super::retained_on_removal(template);
    out.extend(to_retain(template));
    out.sort();
    out.dedup();
    out
}

/// `template` (the stack's deployed template, YAML or JSON) with `DeletionPolicy:
/// Retain` and `UpdateReplacePolicy: Retain` on each resource of `ids` and the output
/// [`OUTPUT`], as YAML; `None` when `ids` is empty, or when the template cannot be read
/// or has no such resource (nothing is deployed then).
pub fn retaining(template: &str, ids: &[String]) -> Option<String> {
    if ids.is_empty() {
        return None;
    }
    let mut map = SourceMap::new();
    let file = map.add("deployed.yml", template.to_string());
    let mut d = Diagnostics::new();
    let mut root = yaml::parse(file, map.file(file), &mut d)?;
    let span = Span::point(file, 0);
    let Value::Map(top) = &mut root.value else {
        return None;
    };
    let resources = top.iter_mut().find(|e| e.key == "Resources")?;
    let Value::Map(resources) = &mut resources.value.value else {
        return None;
    };
    for id in ids {
        let r = resources.iter_mut().find(|e| &e.key == id)?;
        let Value::Map(attrs) = &mut r.value.value else {
            return None;
        };
        for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
            attrs.retain(|e| e.key != policy);
            attrs.push(entry(
                policy,
                Node::scalar("Retain", Style::Plain, span),
                span,
            ));
        }
    }
    let output = Node {
        value: Value::Map(vec![
            entry(
                "Description",
                Node::scalar(
                    "Resources wharf retained before adopting this stack",
                    Style::Quoted,
                    span,
                ),
                span,
            ),
            entry(
                "Value",
                Node::scalar(ids.join(","), Style::Quoted, span),
                span,
            ),
        ]),
        span,
        tag: None,
    };
    match top.iter_mut().find(|e| e.key == "Outputs") {
        Some(o) => match &mut o.value.value {
            Value::Map(outputs) => {
                outputs.retain(|e| e.key != OUTPUT);
                outputs.push(entry(OUTPUT, output, span));
            }
            _ => return None,
        },
        None => top.push(entry(
            "Outputs",
            Node {
                value: Value::Map(vec![entry(OUTPUT, output, span)]),
                span,
                tag: None,
            },
            span,
        )),
    }
    Some(crate::compile::overrides::emit::document(&root))
}

fn entry(key: &str, value: Node, span: Span) -> Entry {
    Entry {
        key: key.into(),
        key_span: span,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COPILOT: &str = "Parameters:\n  AppDNSName:\n    Type: String\nResources:\n  DelegateDNSAction:\n    Type: Custom::DNSDelegationFunction\n    Properties:\n      ServiceToken: !GetAtt DNSDelegationFunction.Arn\n      SubdomainName: !Sub 'test.${AppDNSName}'\n  DNSDelegationFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 600\n      Code:\n        ZipFile: |\n          exports.handler = 1;\n  Old:\n    Type: AWS::CloudFormation::CustomResource\n    DeletionPolicy: Retain\n    Properties:\n      ServiceToken: x\n  Legacy:\n    Type: AWS::CloudFormation::CustomResource\n    DeletionPolicy: Delete\n    Properties:\n      ServiceToken: y\nOutputs:\n  Zone:\n    Value: !Ref AppDNSName\n";

    #[test]
    fn custom_resources_not_retained_yet_are_the_ones_to_retain() {
        assert_eq!(to_retain(COPILOT), ["DelegateDNSAction", "Legacy"]);
        assert_eq!(
            retained_after(COPILOT),
            ["DelegateDNSAction", "Legacy", "Old"]
        );
        assert!(to_retain("{").is_empty());
    }

    #[test]
    fn the_step_adds_the_policies_and_an_output_and_changes_nothing_else() {
        let ids = to_retain(COPILOT);
        let out = retaining(COPILOT, &ids).unwrap();
        let before = crate::deploy::diff::canonical_value(COPILOT).unwrap();
        let after = crate::deploy::diff::canonical_value(&out).unwrap();
        for id in &ids {
            assert_eq!(after["Resources"][id]["DeletionPolicy"], "Retain", "{out}");
            assert_eq!(after["Resources"][id]["UpdateReplacePolicy"], "Retain");
        }
        assert_eq!(
            after["Outputs"][OUTPUT]["Value"],
            "DelegateDNSAction,Legacy"
        );
        // Everything else means what it meant: strip what the step added and compare.
        let mut stripped = after.clone();
        for id in &ids {
            let r = stripped["Resources"][id].as_object_mut().unwrap();
            r.remove("UpdateReplacePolicy");
            r.remove("DeletionPolicy");
        }
        stripped["Outputs"].as_object_mut().unwrap().remove(OUTPUT);
        stripped["Resources"]["Legacy"]
            .as_object_mut()
            .unwrap()
            .insert("DeletionPolicy".into(), "Delete".into());
        assert_eq!(stripped, before, "{out}");
        // The inline code and the short tags survive.
        assert!(out.contains("!GetAtt DNSDelegationFunction.Arn"), "{out}");
        assert!(out.contains("exports.handler = 1;"), "{out}");
    }

    #[test]
    fn json_templates_and_templates_without_outputs_are_handled() {
        let json = r#"{"Resources": {"A": {"Type": "Custom::X", "Properties": {"ServiceToken": "t", "N": 3}}}}"#;
        let out = retaining(json, &to_retain(json)).unwrap();
        let after = crate::deploy::diff::canonical_value(&out).unwrap();
        assert_eq!(after["Resources"]["A"]["DeletionPolicy"], "Retain");
        assert_eq!(after["Outputs"][OUTPUT]["Value"], "A");
        // A number stays a number (written plain).
        assert!(out.contains("\"N\": 3\n"), "{out}");
        assert_eq!(retaining(json, &[]), None);
        assert_eq!(retaining(json, &["Missing".into()]), None);
        assert_eq!(retaining("{", &["A".into()]), None);
    }
}
