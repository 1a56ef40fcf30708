//! A workload's addons (`<workload>/addons/*.yml`, what `copilot storage init` wrote):
//! CloudFormation templates merged into one, deployed as a nested stack of the
//! workload's stack with Copilot's parameters (`App`, `Env`, `Name`, and those of
//! `addons.parameters.yml`). What its outputs mean for the workload follows Copilot:
//! a managed policy joins the task role, a security group the tasks, a Secrets Manager
//! secret becomes a secret, anything else a variable named like the output in
//! `UPPER_SNAKE_CASE`. Pure: the files arrive parsed.

use super::decode::Spanned;
use super::diag::{Code, Diagnostic, Diagnostics};
use super::yaml::{Entry, Node, Value};

/// The parameters every workload addon template declares, which wharf sets.
pub const RESERVED: [&str; 3] = ["App", "Env", "Name"];

/// The parameters every environment addon template declares, which wharf sets.
pub const ENV_RESERVED: [&str; 2] = ["App", "Env"];

/// The file of extra parameters.
pub const PARAMETERS_FILE: &str = "addons.parameters.yml";

/// Most addon templates in one directory.
pub const MAX_FILES: usize = 50;

/// The sections of a template wharf merges; any other is refused.
const SECTIONS: [&str; 8] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// The merged addons of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Addons {
    /// The merged template (sections in CloudFormation's order).
    pub template: Node,
    /// Extra parameter values (`addons.parameters.yml`), by name, as written.
    pub parameters: Vec<(Spanned<String>, Node)>,
    /// The template's outputs and what each means for the workload.
    pub outputs: Vec<AddonOutput>,
}

/// One output of the addons stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddonOutput {
    /// Its logical ID.
    pub name: String,
    /// What it is.
    pub kind: OutputKind,
}

/// What an output's value is, by the type of the resource it references (`!Ref`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// `AWS::IAM::ManagedPolicy`: attached to the task role.
    ManagedPolicy,
    /// `AWS::EC2::SecurityGroup`: one of the tasks' groups.
    SecurityGroup,
    /// `AWS::SecretsManager::Secret`: a secret of the main container.
    Secret,
    /// Anything else: a variable of the main container.
    Variable,
}

impl AddonOutput {
    /// The container variable or secret name: `MyTableName` → `MY_TABLE_NAME`.
    pub fn env_name(&self) -> String {
        let mut out = String::new();
        let chars: Vec<char> = self.name.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                        && chars[i - 1].is_ascii_uppercase());
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// Merges the parsed templates of a directory (in file-name order) and its
/// parameters file into one. Located errors: a template that is not a mapping, a
/// section wharf does not merge (`Transform` needs a capability a nested stack does not
/// get), a logical ID defined twice differently, a template without the reserved
/// parameters, a parameter value for an undeclared or reserved parameter, or a
/// declared parameter without a default and without a value.
pub fn merge(
    templates: &[Node],
    parameters: Option<&Node>,
    reserved: &[&str],
    diags: &mut Diagnostics,
) -> Option<Addons> {
    let errors_before = diags.error_count();
    let mut sections: Vec<(String, Vec<Entry>)> = SECTIONS
        .iter()
        .filter(|s| !matches!(**s, "AWSTemplateFormatVersion" | "Description"))
        .map(|s| (s.to_string(), Vec::new()))
        .collect();
    let mut first_span = None;
    for t in templates {
        first_span.get_or_insert(t.span);
        let Some(entries) = t.as_map() else {
            diags.push(
                Diagnostic::error(
                    Code::InvalidType,
                    "an addon template is a mapping of CloudFormation sections",
                )
                .at(t.span),
            );
            continue;
        };
        for e in entries {
            if !SECTIONS.contains(&e.key.as_str()) {
                diags.push(
                    Diagnostic::error(
                        Code::Unsupported,
                        format!("`{}` is not a section wharf merges into the addons stack", e.key),
                    )
                    .at(e.key_span)
                    .path(e.key.clone())
                    .help(if e.key == "Transform" {
                        "a transform (SAM, say) needs CAPABILITY_AUTO_EXPAND, which wharf does not give the nested stack; write the resources it would make"
                    } else {
                        "addon templates have `Parameters`, `Mappings`, `Conditions`, `Resources`, `Outputs` and `Metadata`"
                    }),
                );
                continue;
            }
            let Some((_, into)) = sections.iter_mut().find(|(k, _)| *k == e.key) else {
                continue;
            };
            let Some(items) = e.value.as_map() else {
                if !e.value.is_null() {
                    diags.push(
                        Diagnostic::error(Code::InvalidType, format!("`{}` is a mapping", e.key))
                            .at(e.value.span)
                            .path(e.key.clone()),
                    );
                }
                continue;
            };
            for item in items {
                match into.iter().find(|x| x.key == item.key) {
                    Some(prev) if same(&prev.value, &item.value) => {}
                    Some(_) => diags.push(
                        Diagnostic::error(
                            Code::DuplicateKey,
                            format!(
                                "`{}.{}` is defined differently in another addon template",
                                e.key, item.key
                            ),
                        )
                        .at(item.key_span)
                        .path(format!("{}.{}", e.key, item.key))
                        .help("give one of them another logical ID, or make them the same"),
                    ),
                    None => into.push(item.clone()),
                }
            }
        }
    }
    let span = first_span?;
    let section = |name: &str| -> &[Entry] {
        sections
            .iter()
            .find(|(k, _)| k == name)
            .map_or(&[][..], |(_, v)| v.as_slice())
    };
    if section("Resources").is_empty() {
        diags.push(
            Diagnostic::error(
                Code::MissingField,
                "the addon templates define no `Resources`",
            )
            .at(span),
        );
    }
    let declared: Vec<&Entry> = section("Parameters").iter().collect();
    for r in reserved {
        if !declared.iter().any(|p| p.key == *r) {
            diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!(
                        "the addon templates do not declare parameter `{r}`, which wharf passes"
                    ),
                )
                .at(span)
                .help(format!(
                    "declare {} (type `String`) in `Parameters`, as Copilot's addons do",
                    reserved
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    let mut given: Vec<(Spanned<String>, Node)> = Vec::new();
    if let Some(p) = parameters {
        match p.get("Parameters").and_then(Node::as_map) {
            Some(entries) => {
                for e in entries {
                    if reserved.contains(&e.key.as_str()) {
                        diags.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("`{}` is set by wharf", e.key),
                            )
                            .at(e.key_span)
                            .path(format!("Parameters.{}", e.key)),
                        );
                    } else if !declared.iter().any(|d| d.key == e.key) {
                        diags.push(
                            Diagnostic::error(
                                Code::Reference,
                                format!("no addon template declares parameter `{}`", e.key),
                            )
                            .at(e.key_span)
                            .path(format!("Parameters.{}", e.key)),
                        );
                    } else {
                        given.push((Spanned::new(e.key.clone(), e.key_span), e.value.clone()));
                    }
                }
            }
            None => diags.push(
                Diagnostic::error(
                    Code::InvalidType,
                    format!(
                        "`{PARAMETERS_FILE}` holds `Parameters:`, a mapping of names to values"
                    ),
                )
                .at(p.span),
            ),
        }
    }
    for d in &declared {
        if reserved.contains(&d.key.as_str()) || given.iter().any(|(k, _)| k.value == d.key) {
            continue;
        }
        if d.value.get("Default").is_none() {
            diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("addon parameter `{}` has no `Default` and no value", d.key),
                )
                .at(d.key_span)
                .help(format!(
                    "give it a value in `{PARAMETERS_FILE}`, or a `Default`"
                )),
            );
        }
    }
    // Intrinsic functions wharf knows, and what `!Ref` names.
    let known: Vec<&str> = section("Parameters")
        .iter()
        .chain(section("Resources"))
        .map(|e| e.key.as_str())
        .collect();
    for name in ["Resources", "Outputs", "Conditions"] {
        for e in section(name) {
            check_functions(&e.value, &known, &format!("{name}.{}", e.key), diags);
        }
    }
    let resources = section("Resources");
    let outputs = section("Outputs")
        .iter()
        .map(|o| AddonOutput {
            name: o.key.clone(),
            kind: output_kind(&o.value, resources),
        })
        .collect();
    if diags.error_count() > errors_before {
        return None;
    }
    let mut entries = vec![Entry {
        key: "AWSTemplateFormatVersion".into(),
        key_span: span,
        value: Node::scalar("2010-09-09", super::yaml::Style::Quoted, span),
    }];
    for (k, v) in sections {
        if !v.is_empty() {
            entries.push(Entry {
                key: k,
                key_span: span,
                value: Node {
                    value: Value::Map(v),
                    span,
                    tag: None,
                },
            });
        }
    }
    Some(Addons {
        template: Node {
            value: Value::Map(entries),
            span,
            tag: None,
        },
        parameters: given,
        outputs,
    })
}

/// CloudFormation's short-form intrinsic functions
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>).
const FUNCTIONS: [&str; 20] = [
    "!Ref",
    "!GetAtt",
    "!Sub",
    "!Join",
    "!Select",
    "!Split",
    "!If",
    "!Equals",
    "!And",
    "!Or",
    "!Not",
    "!FindInMap",
    "!GetAZs",
    "!ImportValue",
    "!Base64",
    "!Cidr",
    "!Condition",
    "!ToJsonString",
    "!Length",
    "!Transform",
];

/// Each tag of `node` is an intrinsic function, and each `!Ref` names a parameter, a
/// resource of the templates, or a pseudo parameter (`AWS::…`); `at` is the place for
/// errors.
fn check_functions(node: &Node, known: &[&str], at: &str, diags: &mut Diagnostics) {
    if let Some(tag) = &node.tag
        && tag.starts_with('!')
    {
        if !FUNCTIONS.contains(&tag.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{tag}` is not an intrinsic function"),
                )
                .at(node.span)
                .path(at.to_string())
                .help(super::common::one_of(tag, &FUNCTIONS)),
            );
        } else if tag == "!Ref"
            && let Some(target) = node.as_str()
            && !target.starts_with("AWS::")
            && !known.contains(&target)
        {
            diags.push(
                Diagnostic::error(
                    Code::Reference,
                    format!(
                        "`!Ref {target}` names no parameter or resource of the addon templates"
                    ),
                )
                .at(node.span)
                .path(at.to_string()),
            );
        }
    }
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .for_each(|n| check_functions(n, known, at, diags)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|e| check_functions(&e.value, known, at, diags)),
        Value::Scalar(_) => {}
    }
}

/// Two definitions are the same when they say the same, wherever they are written.
fn same(a: &Node, b: &Node) -> bool {
    a.tag == b.tag
        && match (&a.value, &b.value) {
            (Value::Scalar(x), Value::Scalar(y)) => x.text == y.text,
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(p, q)| p.key == q.key && same(&p.value, &q.value))
            }
            _ => false,
        }
}

/// What an output's `Value` references: `!Ref X` or `{Ref: X}` of a resource of a type
/// wharf wires, else a variable.
fn output_kind(output: &Node, resources: &[Entry]) -> OutputKind {
    let Some(v) = output.get("Value") else {
        return OutputKind::Variable;
    };
    let target = match (&v.tag, &v.value) {
        (Some(t), Value::Scalar(s)) if t == "!Ref" => Some(s.text.as_str()),
        (None, Value::Map(_)) => v.get("Ref").and_then(Node::as_str),
        _ => None,
    };
    let kind = target
        .and_then(|t| resources.iter().find(|r| r.key == t))
        .and_then(|r| r.value.get("Type"))
        .and_then(Node::as_str);
    match kind {
        Some("AWS::IAM::ManagedPolicy") => OutputKind::ManagedPolicy,
        Some("AWS::EC2::SecurityGroup") => OutputKind::SecurityGroup,
        Some("AWS::SecretsManager::Secret") => OutputKind::Secret,
        _ => OutputKind::Variable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::source::SourceMap;

    const HEAD: &str =
        "Parameters:\n  App: {Type: String}\n  Env: {Type: String}\n  Name: {Type: String}\n";

    /// Merges `files` (and `params`), returning the merged addons or the errors as
    /// `line:col message`.
    fn run(files: &[&str], params: Option<&str>) -> Result<Addons, Vec<String>> {
        let mut map = SourceMap::new();
        let mut d = Diagnostics::new();
        let nodes: Vec<Node> = files
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let id = map.add(format!("a{i}.yml"), *t);
                crate::manifest::yaml::parse(id, map.file(id), &mut d).unwrap()
            })
            .collect();
        let p = params.map(|t| {
            let id = map.add("addons.parameters.yml", t);
            crate::manifest::yaml::parse(id, map.file(id), &mut d).unwrap()
        });
        merge(&nodes, p.as_ref(), &RESERVED, &mut d).ok_or_else(|| {
            d.iter()
                .map(|x| {
                    let at = x
                        .span
                        .map(|s| format!("{}:{}", map.path(s.file).display(), map.line_col(s)))
                        .unwrap_or_default();
                    format!("{at} {}", x.message)
                })
                .collect()
        })
    }

    #[test]
    fn templates_merge_and_outputs_are_classified() {
        let table = format!(
            "{HEAD}Resources:\n  T: {{Type: AWS::DynamoDB::Table}}\n  P: {{Type: AWS::IAM::ManagedPolicy}}\nOutputs:\n  TName: {{Value: !Ref T}}\n  TPolicy: {{Value: !Ref P}}\n"
        );
        let secret = format!(
            "{HEAD}  Size: {{Type: Number}}\nResources:\n  S: {{Type: AWS::SecretsManager::Secret}}\n  G: {{Type: AWS::EC2::SecurityGroup}}\nOutputs:\n  DbSecret: {{Value: {{Ref: S}}}}\n  Group: {{Value: !Ref G}}\n  Arn: {{Value: !GetAtt S.Id}}\n"
        );
        let a = run(&[&table, &secret], Some("Parameters:\n  Size: 3\n")).unwrap();
        let kinds: Vec<(&str, OutputKind)> = a
            .outputs
            .iter()
            .map(|o| (o.name.as_str(), o.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("TName", OutputKind::Variable),
                ("TPolicy", OutputKind::ManagedPolicy),
                ("DbSecret", OutputKind::Secret),
                ("Group", OutputKind::SecurityGroup),
                ("Arn", OutputKind::Variable),
            ]
        );
        assert_eq!(a.parameters.len(), 1);
        // The reserved parameters, declared in both, are the same definitions.
        assert_eq!(
            a.template
                .get("Parameters")
                .and_then(Node::as_map)
                .map(<[_]>::len),
            Some(4)
        );
    }

    #[test]
    fn addon_errors_are_located() {
        let body = |r: &str| format!("{HEAD}Resources:\n{r}");
        // A logical ID defined twice differently.
        let e = run(
            &[
                &body("  T: {Type: AWS::SQS::Queue}\n"),
                &body("  T: {Type: AWS::SNS::Topic}\n"),
            ],
            None,
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|m| m.starts_with("a1.yml:6:3") && m.contains("defined differently")),
            "{e:?}"
        );
        // Reserved parameters missing.
        let e = run(&["Resources:\n  T: {Type: AWS::SQS::Queue}\n"], None).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        // An unknown intrinsic, and a `!Ref` to nothing.
        let e = run(&[&body("  T:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Reff App\n      DelaySeconds: !Ref Delay\n")], None).unwrap_err();
        assert!(
            e.iter().any(|m| m.starts_with("a0.yml:9:18")
                && m.contains("`!Reff` is not an intrinsic function")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("a0.yml:10:21") && m.contains("`!Ref Delay`")),
            "{e:?}"
        );
        // A transform, a parameter without a value, and values for unknown or reserved
        // parameters.
        let e = run(&[&format!("Transform: AWS::Serverless-2016-10-31\n{HEAD}  Size: {{Type: Number}}\nResources:\n  T: {{Type: AWS::SQS::Queue}}\n")], Some("Parameters:\n  App: x\n  Nope: 1\n")).unwrap_err();
        assert!(
            e.iter()
                .any(|m| m.starts_with("a0.yml:1:1") && m.contains("`Transform`")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("`Size` has no `Default`")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("addons.parameters.yml:2:3") && m.contains("set by wharf")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.starts_with("addons.parameters.yml:3:3")
                && m.contains("declares parameter `Nope`")),
            "{e:?}"
        );
    }

    #[test]
    fn output_names_become_upper_snake_case() {
        let n = |s: &str| {
            AddonOutput {
                name: s.into(),
                kind: OutputKind::Variable,
            }
            .env_name()
        };
        assert_eq!(n("MyTableName"), "MY_TABLE_NAME");
        assert_eq!(n("ordersBucketARN"), "ORDERS_BUCKET_ARN");
        assert_eq!(n("DBSecret"), "DB_SECRET");
        assert_eq!(n("Queue2Url"), "QUEUE2_URL");
    }
}
