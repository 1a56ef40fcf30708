//! The values of a template's properties where they can be known before a deploy: its
//! parameters, pseudo parameters (`AWS::StackName`, `AWS::Region`, `AWS::AccountId`,
//! `AWS::Partition`), the region's exports (`Fn::ImportValue`) and what `Fn::Sub`,
//! `Fn::Join`, `Fn::Select` and `Fn::Split` make of them, as CloudFormation evaluates
//! them (the CloudFormation User Guide, "Intrinsic function reference"). Two templates
//! that write one value differently (Copilot's `!Join ['', ['/copilot/', !Ref AppName,
//! …]]` and wharf's literal `/copilot/my-app-test-api`) then compare equal.
//!
//! What cannot be known before the deploy stays as written: a `Ref` or `Fn::GetAtt` of a
//! resource (equal in two templates when it names the same logical ID), and anything
//! else. A parameter or export whose value is not known (an SSM parameter not written
//! yet) becomes [`UNKNOWN`], and a property holding it is not known to change. Pure.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The key of the marker object `{"wharf:unknown": <what>}` a value not known before
/// the deploy resolves to.
pub const UNKNOWN: &str = "wharf:unknown";

/// What a template's intrinsic functions can read before a deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// The stack's parameter values (given, or the template's `Default`), by name; an
    /// SSM-typed parameter (`AWS::SSM::Parameter::Value<…>`) by its resolved value.
    pub parameters: BTreeMap<String, String>,
    /// Parameters whose value is not known (an SSM parameter that does not exist yet).
    pub unknown: Vec<String>,
    /// The region's exports, name to value (ListExports).
    pub exports: BTreeMap<String, String>,
    /// Pseudo parameters, by name without the `AWS::` prefix (`StackName`, `Region`,
    /// `AccountId`, `Partition`).
    pub pseudo: BTreeMap<String, String>,
}

impl Values {
    fn named(&self, name: &str) -> Option<Value> {
        if let Some(p) = name.strip_prefix("AWS::") {
            return self.pseudo.get(p).map(|v| Value::String(v.clone()));
        }
        if self.unknown.iter().any(|u| u == name) {
            return Some(unknown(name));
        }
        self.parameters.get(name).map(|v| Value::String(v.clone()))
    }
}

fn unknown(what: &str) -> Value {
    let mut m = Map::new();
    m.insert(UNKNOWN.into(), Value::String(what.into()));
    Value::Object(m)
}

/// Whether `v` holds a value not known before the deploy.
pub fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key(UNKNOWN) || m.values().any(has_unknown),
        Value::Array(a) => a.iter().any(has_unknown),
        _ => false,
    }
}

/// `v` (canonical JSON form of a template fragment) with what `values` can resolve
/// resolved.
pub fn resolve(v: &Value, values: &Values) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve(x, values)).collect()),
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            let arg_r = resolve(arg, values);
            let out = match k.as_str() {
                "Ref" => arg.as_str().and_then(|n| values.named(n)),
                "Fn::ImportValue" => match &arg_r {
                    Value::String(name) => Some(
                        values
                            .exports
                            .get(name)
                            .map_or_else(|| unknown(name), |x| Value::String(x.clone())),
                    ),
                    x if has_unknown(x) => Some(x.clone()),
                    _ => None,
                },
                "Fn::Sub" => sub(&arg_r, values),
                "Fn::Join" => join(&arg_r),
                "Fn::Select" => select(&arg_r),
                "Fn::Split" => split(&arg_r),
                _ => None,
            };
            out.unwrap_or_else(|| {
                let mut m2 = Map::new();
                m2.insert(k.clone(), arg_r);
                Value::Object(m2)
            })
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve(x, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sub(arg: &Value, values: &Values) -> Option<Value> {
    let (text, vars) = match arg {
        Value::String(s) => (s.as_str(), None),
        Value::Array(a) if a.len() == 2 => (a[0].as_str()?, a[1].as_object()),
        _ => return None,
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            // `${!Literal}` is the text `${Literal}`.
            out.push_str("${");
            rest = literal;
            continue;
        }
        let end = after.find('}')?;
        let name = after[..end].trim();
        let value = vars
            .and_then(|m| m.get(name).cloned())
            .or_else(|| values.named(name))?;
        match value {
            Value::String(s) => out.push_str(&s),
            u if has_unknown(&u) => return Some(u),
            _ => return None,
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(Value::String(out))
}

fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

fn join(arg: &Value) -> Option<Value> {
    let a = arg.as_array().filter(|a| a.len() == 2)?;
    if has_unknown(&a[1]) {
        return Some(unknown("Fn::Join"));
    }
    Some(Value::String(strings(&a[1])?.join(a[0].as_str()?)))
}

fn select(arg: &Value) -> Option<Value> {
    let a = arg.as_array().filter(|a| a.len() == 2)?;
    let i: usize = match &a[0] {
        Value::String(s) => s.parse().ok()?,
        Value::Number(n) => usize::try_from(n.as_u64()?).ok()?,
        _ => return None,
    };
    a[1].as_array()?.get(i).cloned()
}

fn split(arg: &Value) -> Option<Value> {
    let a = arg.as_array().filter(|a| a.len() == 2)?;
    let text = a[1].as_str()?;
    Some(Value::Array(
        text.split(a[0].as_str()?)
            .map(|s| Value::String(s.into()))
            .collect(),
    ))
}

/// The parameter values a template runs with: `given`, else each parameter's
/// `Default`. SSM-typed parameters (`AWS::SSM::Parameter::Value<…>`) take their value
/// from `ssm` by the parameter's name in SSM, and are unknown when `ssm` lacks it.
/// Returns (known values, unknown names).
pub fn parameters(
    template: &Value,
    given: &BTreeMap<String, String>,
    ssm: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut known = BTreeMap::new();
    let mut unknown = Vec::new();
    let declared = template
        .get("Parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, p) in &declared {
        let text = given.get(name).cloned().or_else(|| match p.get("Default") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        });
        let Some(text) = text else {
            unknown.push(name.clone());
            continue;
        };
        let is_ssm = p
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"));
        if is_ssm {
            match ssm.get(&text) {
                Some(v) => {
                    known.insert(name.clone(), v.clone());
                }
                None => unknown.push(name.clone()),
            }
        } else {
            known.insert(name.clone(), text);
        }
    }
    for (k, v) in given {
        if !declared.contains_key(k) {
            known.insert(k.clone(), v.clone());
        }
    }
    (known, unknown)
}

/// The SSM parameter names a template's SSM-typed parameters read (their values as
/// given, else their `Default`).
pub fn ssm_names(template: &Value, given: &BTreeMap<String, String>) -> Vec<String> {
    let Some(declared) = template.get("Parameters").and_then(Value::as_object) else {
        return Vec::new();
    };
    declared
        .iter()
        .filter(|(_, p)| {
            p.get("Type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"))
        })
        .filter_map(|(n, p)| {
            given
                .get(n)
                .cloned()
                .or_else(|| p.get("Default")?.as_str().map(str::to_string))
        })
        .collect()
}

/// What a plan reads besides the stack, so that create-only properties are compared by
/// value ([`super::replace::replacements_with`]): the region's exports and the
/// SSM parameters wharf's template reads (those that exist).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookups {
    /// Export name to value.
    pub exports: BTreeMap<String, String>,
    /// SSM parameter name to value.
    pub ssm: BTreeMap<String, String>,
}

/// Pseudo parameters of a stack, from its ID
/// (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`).
fn pseudo(stack_id: &str, name: &str) -> BTreeMap<String, String> {
    let parts: Vec<&str> = stack_id.split(':').collect();
    let mut out = BTreeMap::from([("StackName".to_string(), name.to_string())]);
    if parts.len() >= 5 {
        out.insert("Partition".into(), parts[1].into());
        out.insert("Region".into(), parts[3].into());
        out.insert("AccountId".into(), parts[4].into());
    }
    out
}

/// The values each template reads: the deployed `stack`'s parameters, and the new
/// `template`'s (`given`, defaults, SSM from `lookups`), with the region's exports and
/// the stack's pseudo parameters.
pub fn stack_values(
    stack: &super::types::StackInfo,
    template: &str,
    given: &BTreeMap<String, String>,
    lookups: &Lookups,
) -> (Values, Values) {
    let pseudo = pseudo(&stack.id, &stack.name);
    let deployed = Values {
        parameters: stack.parameters.clone(),
        unknown: Vec::new(),
        exports: lookups.exports.clone(),
        pseudo: pseudo.clone(),
    };
    let template = super::diff::canonical_value(template).unwrap_or_default();
    let (parameters, unknown) = parameters(&template, given, &lookups.ssm);
    let new = Values {
        parameters,
        unknown,
        exports: lookups.exports.clone(),
        pseudo,
    };
    (deployed, new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values() -> Values {
        Values {
            parameters: [
                ("AppName", "my-app"),
                ("EnvName", "test"),
                ("Cluster", "c-1"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            unknown: vec!["Later".into()],
            exports: [("my-app-test-ClusterId".to_string(), "c-1".to_string())].into(),
            pseudo: [("Region".to_string(), "us-east-1".to_string())].into(),
        }
    }

    #[test]
    fn copilots_expressions_resolve_to_wharfs_literals() {
        let v = values();
        let join = json!({"Fn::Join": ["", ["/copilot/", {"Ref": "AppName"}, "-", {"Ref": "EnvName"}, "-api"]]});
        assert_eq!(resolve(&join, &v), json!("/copilot/my-app-test-api"));
        let import = json!({"Fn::ImportValue": {"Fn::Sub": "${AppName}-${EnvName}-ClusterId"}});
        assert_eq!(resolve(&import, &v), json!("c-1"));
        assert_eq!(resolve(&json!({"Ref": "Cluster"}), &v), json!("c-1"));
        let sub =
            json!({"Fn::Sub": ["${A}.${AWS::Region}.${!Literal}", {"A": {"Ref": "AppName"}}]});
        assert_eq!(resolve(&sub, &v), json!("my-app.us-east-1.${Literal}"));
        let select = json!({"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]});
        assert_eq!(resolve(&select, &v), json!("b"));
    }

    #[test]
    fn resources_stay_as_written_and_unknowns_are_marked() {
        let v = values();
        assert_eq!(resolve(&json!({"Ref": "VPC"}), &v), json!({"Ref": "VPC"}));
        let att = json!({"Fn::GetAtt": ["Queue", "Arn"]});
        assert_eq!(resolve(&att, &v), att);
        assert!(has_unknown(&resolve(&json!({"Ref": "Later"}), &v)));
        assert!(has_unknown(&resolve(
            &json!({"Fn::ImportValue": "nobody-exports-this"}),
            &v
        )));
        assert!(has_unknown(&resolve(&json!({"Fn::Sub": "x-${Later}"}), &v)));
        assert!(!has_unknown(&resolve(&json!({"Fn::Sub": "x-${VPC}"}), &v)));
    }

    #[test]
    fn parameters_take_given_values_defaults_and_ssm_values() {
        let t = json!({"Parameters": {
            "A": {"Type": "String", "Default": "a"},
            "B": {"Type": "String"},
            "C": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/wharf/x/cluster"},
            "D": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/wharf/x/missing"},
            "E": {"Type": "Number", "Default": 3},
        }});
        let given: BTreeMap<String, String> = [("B".to_string(), "b".to_string())].into();
        let ssm: BTreeMap<String, String> =
            [("/wharf/x/cluster".to_string(), "c-1".to_string())].into();
        let (known, unknown) = parameters(&t, &given, &ssm);
        assert_eq!(known["A"], "a");
        assert_eq!(known["B"], "b");
        assert_eq!(known["C"], "c-1");
        assert_eq!(known["E"], "3");
        assert_eq!(unknown, ["D"]);
        assert_eq!(
            ssm_names(&t, &given),
            ["/wharf/x/cluster", "/wharf/x/missing"]
        );
    }
}
