//! Structural template diffs for `--diff`: both templates are read into one canonical
//! form (keys sorted, `!Ref X` the same as `{"Ref": "X"}`, scalars as text), so only real
//! changes show, as a unified diff. Pure.

use crate::manifest::diag::Diagnostics;
use crate::manifest::source::SourceMap;
use crate::manifest::yaml::{self, Node, Value as Y};
use serde_json::{Map, Value};

fn intrinsic(tag: &str, value: Value) -> Value {
    let name = tag.trim_start_matches('!');
    let (key, value) = match (name, value) {
        ("Ref", v) => ("Ref".to_string(), v),
        ("Condition", v) => ("Condition".to_string(), v),
        ("GetAtt", Value::String(s)) => {
            let (res, attr) = s.split_once('.').unwrap_or((s.as_str(), ""));
            (
                "Fn::GetAtt".to_string(),
                Value::Array(vec![Value::String(res.into()), Value::String(attr.into())]),
            )
        }
        (other, v) => (format!("Fn::{other}"), v),
    };
    let mut m = Map::new();
    m.insert(key, value);
    Value::Object(m)
}

fn canonical(n: &Node) -> Value {
    let v = match &n.value {
        Y::Scalar(s) => Value::String(s.text.clone()),
        Y::Seq(items) => Value::Array(items.iter().map(canonical).collect()),
        Y::Map(entries) => {
            let mut sorted: Vec<_> = entries.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            let mut m = Map::new();
            for e in sorted {
                m.insert(e.key.clone(), canonical(&e.value));
            }
            Value::Object(m)
        }
    };
    match &n.tag {
        Some(t) if t.starts_with('!') && !t.starts_with("!!") => intrinsic(t, v),
        _ => v,
    }
}

/// The canonical form of a template (YAML or JSON), or `None` if it cannot be read.
pub fn canonical_value(template: &str) -> Option<Value> {
    let mut map = SourceMap::new();
    let id = map.add("template", template);
    let mut d = Diagnostics::new();
    let root = yaml::parse(id, map.file(id), &mut d)?;
    Some(canonical(&root))
}

/// The canonical text of a template (YAML or JSON), or `None` if it cannot be read.
pub fn canonical_text(template: &str) -> Option<String> {
    serde_json::to_string_pretty(&canonical_value(template)?).ok()
}

/// A unified diff from the deployed template to the new one; `None` when they mean the
/// same thing.
pub fn template_diff(deployed: &str, new: &str, label: &str) -> Option<String> {
    let (old, new) = (
        canonical_text(deployed).unwrap_or_else(|| deployed.to_string()),
        canonical_text(new).unwrap_or_else(|| new.to_string()),
    );
    if old == new {
        return None;
    }
    let diff = similar::TextDiff::from_lines(&old, &new);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("{label} (deployed)"), &format!("{label} (new)"))
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_and_short_forms_do_not_count() {
        let a = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name: !Ref N\n      Arn: !GetAtt X.Arn\n";
        let b = r#"{"Resources": {"B": {"Properties": {"Arn": {"Fn::GetAtt": ["X", "Arn"]}, "Name": {"Ref": "N"}}, "Type": "AWS::S3::Bucket"}}}"#;
        assert_eq!(template_diff(a, b, "t"), None);
    }

    #[test]
    fn real_changes_show_as_a_unified_diff() {
        let a = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Days: 30\n";
        let b = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Days: 60\n";
        let d = template_diff(a, b, "stack").unwrap();
        assert!(
            d.contains("--- stack (deployed)")
                && d.contains("-        \"Days\": \"30\"")
                && d.contains("+        \"Days\": \"60\""),
            "{d}"
        );
    }
}
