//! Copilot's escape hatches on a rendered workload template: `taskdef_overrides` (edits
//! of the `TaskDefinition` resource's `Properties`) and then the YAML patches of
//! `overrides/cfn.patches.yml` (RFC 6902 `add`/`remove`/`replace` on the whole
//! template), both with Copilot's meaning. Without either, the template is returned as
//! rendered; with them, it is read back into a tree, edited, and written out again by
//! [`emit`] (CloudFormation tags kept, comments not).
//!
//! An edit whose path does not fit the template (a missing key or element, a scalar where
//! a mapping is needed) is an error at the rule's or patch's `path`, for the environment
//! being compiled. Pure and deterministic.

pub mod emit;

use crate::manifest::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::patches::{Op, Patch};
use crate::manifest::service::ServiceManifest;
use crate::manifest::service::taskdef::{Index, TaskdefOverride};
use crate::manifest::source::SourceMap;
use crate::manifest::yaml::{self, Entry, Node, Value};

/// Logical ID of the task definition in workload templates (as Copilot's).
const TASK_DEFINITION: &str = "TaskDefinition";

/// CloudFormation's largest template (uploaded through S3), in bytes.
const MAX_TEMPLATE_BYTES: usize = 1_048_576;
/// ECS's largest task definition, in bytes (as JSON).
const MAX_TASK_DEFINITION_BYTES: usize = 65_536;

/// A template after the overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The template.
    pub template: String,
    /// The parameters it declares, when overrides may have changed them (the parameter
    /// file keeps only these).
    pub parameters: Option<std::collections::BTreeSet<String>>,
}

/// Applies `m`'s task definition overrides and patches to `template` (rendered for
/// `env`). Errors name the rule or patch, located in its file: a path that is not in
/// the template, a patch that removes or renames a container wharf wires, and a result
/// over ECS's or CloudFormation's size limits.
pub fn apply(
    template: String,
    m: &ServiceManifest,
    env: &str,
) -> Result<Applied, Box<Diagnostics>> {
    let rules = &m.task.taskdef_overrides;
    if rules.is_empty() && m.patches.is_empty() {
        return Ok(Applied {
            template,
            parameters: None,
        });
    }
    let mut root = parse_rendered(&template);
    let containers = container_names(&root);
    let mut d = Diagnostics::new();
    for (i, rule) in rules.iter().enumerate() {
        if let Err(why) = taskdef_rule(&mut root, rule) {
            d.push(
                Diagnostic::error(
                    Code::Override,
                    format!(
                        "task definition override `{}` does not fit the template: {why}",
                        rule.path.value.text
                    ),
                )
                .at(rule.path.span)
                .path(format!("taskdef_overrides[{i}].path"))
                .help("`wharf svc package` shows the task definition the paths apply to (its `Properties`)"),
            );
        }
    }
    for (i, patch) in m.patches.iter().enumerate() {
        let applied = apply_patch(&mut root, patch).and_then(|()| {
            let now = container_names(&root);
            match containers.iter().find(|c| !now.contains(c)) {
                Some(gone) => Err(format!(
                    "it removes or renames container `{gone}`, which the service, logs and sidecars refer to"
                )),
                None => Ok(()),
            }
        });
        if let Err(why) = applied {
            d.push(
                Diagnostic::error(
                    Code::Override,
                    format!(
                        "YAML patch `{}` on `{}` does not fit the template: {why}",
                        op_name(patch.op.value),
                        patch.path.value.text
                    ),
                )
                .at(patch.path.span)
                .path(format!("[{i}].path"))
                .help("`wharf svc package` shows the template the patches apply to"),
            );
        }
    }
    let out = emit::document(&root);
    if !d.has_errors() {
        size_limits(&root, &out, m, &mut d);
    }
    if d.has_errors() {
        return Err(Box::new(d.in_environment(env)));
    }
    Ok(Applied {
        parameters: Some(parameter_names(&root)),
        template: out,
    })
}

/// The task definition's `Properties`, when the template has them.
fn task_definition(root: &Node) -> Option<&Node> {
    root.get("Resources")?
        .get(TASK_DEFINITION)?
        .get("Properties")
}

/// The names of the task definition's containers.
fn container_names(root: &Node) -> Vec<String> {
    let Some(Value::Seq(items)) = task_definition(root)
        .and_then(|p| p.get("ContainerDefinitions"))
        .map(|c| &c.value)
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|c| c.get("Name")?.as_str().map(str::to_string))
        .collect()
}

fn parameter_names(root: &Node) -> std::collections::BTreeSet<String> {
    root.get("Parameters")
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.clone())
        .collect()
}

/// The overridden template within CloudFormation's size and its task definition
/// within ECS's (size, and containers); the error is at the first rule or patch.
fn size_limits(root: &Node, out: &str, m: &ServiceManifest, d: &mut Diagnostics) {
    use crate::manifest::validate::service::MAX_CONTAINERS;
    let td = task_definition(root).map_or(0, |p| p.to_json().to_string().len());
    let containers = container_names(root).len();
    let problem = if containers > MAX_CONTAINERS {
        Some(format!(
            "with the overrides, the task definition has {containers} containers; ECS takes at most {MAX_CONTAINERS}"
        ))
    } else if out.len() > MAX_TEMPLATE_BYTES {
        Some(format!(
            "with the overrides, the template is {} KiB; CloudFormation takes at most 1 MiB",
            out.len() / 1024
        ))
    } else if td > MAX_TASK_DEFINITION_BYTES {
        Some(format!(
            "with the overrides, the task definition is about {} KiB; ECS registers at most 64 KiB",
            td / 1024
        ))
    } else {
        None
    };
    let Some(message) = problem else {
        return;
    };
    let (span, path) = match (m.task.taskdef_overrides.first(), m.patches.first()) {
        (Some(r), _) => (r.path.span, "taskdef_overrides[0].path".to_string()),
        (None, Some(p)) => (p.path.span, "[0].path".to_string()),
        (None, None) => return,
    };
    d.push(
        Diagnostic::error(Code::Limit, message)
            .at(span)
            .path(path)
            .help("keep large values out of the task definition: in the image, an environment file, or SSM parameters"),
    );
}

/// Reads wharf's own rendered template back. It is always valid YAML well inside the
/// loader's limits (CloudFormation templates are at most 1 MB), so failing is a bug.
fn parse_rendered(template: &str) -> Node {
    let mut map = SourceMap::new();
    let id = map.add("template.yml", template.to_string());
    let mut d = Diagnostics::new();
    yaml::parse(id, map.file(id), &mut d).expect("rendered templates are valid YAML")
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Add => "add",
        Op::Remove => "remove",
        Op::Replace => "replace",
    }
}

/// What a node is, for messages about paths.
fn kind(n: &Node) -> String {
    match (&n.tag, &n.value) {
        (Some(t), _) => format!("a `{t}` function"),
        (None, Value::Map(_)) => "a mapping".into(),
        (None, Value::Seq(_)) => "a list".into(),
        (None, Value::Scalar(_)) => "a single value".into(),
    }
}

/// The keys of a mapping, for "has no `X` (it has ...)".
fn keys_of(entries: &[Entry]) -> String {
    const SHOWN: usize = 12;
    let mut keys: Vec<String> = entries
        .iter()
        .take(SHOWN)
        .map(|e| format!("`{}`", e.key))
        .collect();
    if entries.len() > SHOWN {
        keys.push(format!("and {} more", entries.len() - SHOWN));
    }
    if keys.is_empty() {
        "it is empty".into()
    } else {
        format!("it has {}", keys.join(", "))
    }
}

/// An untagged mapping's entries, or why the node is not one.
fn entries_mut<'a>(n: &'a mut Node, at: &str) -> Result<&'a mut Vec<Entry>, String> {
    let what = kind(n);
    match (&n.tag, &mut n.value) {
        (None, Value::Map(e)) => Ok(e),
        _ => Err(format!("`{at}` is {what}, not a mapping")),
    }
}

fn items_mut<'a>(n: &'a mut Node, at: &str) -> Result<&'a mut Vec<Node>, String> {
    let what = kind(n);
    match (&n.tag, &mut n.value) {
        (None, Value::Seq(i)) => Ok(i),
        _ => Err(format!("`{at}` is {what}, not a list")),
    }
}

fn empty(value: Value, like: &Node) -> Node {
    Node {
        value,
        span: like.span,
        tag: None,
    }
}

/// The value at `key`, added (as `fresh`) when missing.
fn upsert<'a>(entries: &'a mut Vec<Entry>, key: &str, fresh: Node) -> &'a mut Node {
    let i = match entries.iter().position(|e| e.key == key) {
        Some(i) => i,
        None => {
            entries.push(Entry {
                key: key.to_string(),
                key_span: fresh.span,
                value: fresh,
            });
            entries.len() - 1
        }
    };
    &mut entries[i].value
}

/// One `taskdef_overrides` rule, with Copilot's meaning: mapping keys along the path are
/// created when missing; `[n]` must name an existing element; `[-]` appends (a new
/// mapping, or the value when it is the last segment), creating the list when missing.
fn taskdef_rule(root: &mut Node, rule: &TaskdefOverride) -> Result<(), String> {
    let props = task_definition_properties(root)?;
    let segments = &rule.path.value.segments;
    let mut cur = props;
    let mut at = String::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let shown = if at.is_empty() {
            "Properties".to_string()
        } else {
            at.clone()
        };
        let entries = entries_mut(cur, &shown)?;
        if !at.is_empty() {
            at.push('.');
        }
        at.push_str(&seg.key);
        let Some(index) = seg.index else {
            if last {
                *upsert(entries, &seg.key, rule.value.clone()) = rule.value.clone();
                return Ok(());
            }
            let fresh = empty(Value::Map(Vec::new()), &rule.value);
            cur = upsert(entries, &seg.key, fresh);
            continue;
        };
        if index != Index::Append && !entries.iter().any(|e| e.key == seg.key) {
            return Err(format!(
                "`{at}` does not exist ({}); use `{}[-]` to add a list",
                keys_of(entries),
                seg.key
            ));
        }
        let fresh = empty(Value::Seq(Vec::new()), &rule.value);
        let list = items_mut(upsert(entries, &seg.key, fresh), &at)?;
        let n = match index {
            Index::Append => {
                list.push(if last {
                    rule.value.clone()
                } else {
                    empty(Value::Map(Vec::new()), &rule.value)
                });
                list.len() - 1
            }
            Index::At(n) if n < list.len() => {
                if last {
                    list[n] = rule.value.clone();
                }
                n
            }
            Index::At(n) => {
                return Err(format!(
                    "`{at}` has {} element{}, so `[{n}]` does not exist; use `[-]` to append",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                ));
            }
        };
        at.push_str(&match index {
            Index::Append => "[-]".to_string(),
            Index::At(n) => format!("[{n}]"),
        });
        if last {
            return Ok(());
        }
        cur = &mut list[n];
    }
    Ok(())
}

fn task_definition_properties(root: &mut Node) -> Result<&mut Node, String> {
    let resources = entries_mut(root, "template")?
        .iter_mut()
        .find(|e| e.key == "Resources")
        .map(|e| &mut e.value)
        .ok_or("the template has no `Resources`")?;
    let td = entries_mut(resources, "Resources")?
        .iter_mut()
        .find(|e| e.key == TASK_DEFINITION)
        .map(|e| &mut e.value)
        .ok_or("this workload's template has no task definition")?;
    let entries = entries_mut(td, TASK_DEFINITION)?;
    let at = entries
        .iter()
        .position(|e| e.key == "Properties")
        .ok_or("the task definition has no `Properties`")?;
    Ok(&mut entries[at].value)
}

/// Walks `tokens` from `root`; the error names the first token that is not there.
fn walk<'a>(root: &'a mut Node, tokens: &[String]) -> Result<&'a mut Node, String> {
    let mut cur = root;
    let mut at = String::new();
    for t in tokens {
        let here = if at.is_empty() {
            "/".to_string()
        } else {
            at.clone()
        };
        at.push('/');
        at.push_str(t);
        let what = kind(cur);
        cur = match (&cur.tag, &mut cur.value) {
            (None, Value::Map(entries)) => {
                let listed = keys_of(entries);
                match entries.iter_mut().find(|e| e.key == *t) {
                    Some(e) => &mut e.value,
                    None => return Err(format!("`{here}` has no `{t}` ({listed})")),
                }
            }
            (None, Value::Seq(items)) => {
                let len = items.len();
                match t.parse::<usize>() {
                    Ok(i) if i < len => &mut items[i],
                    _ => {
                        return Err(format!(
                            "`{here}` is a list of {len}; `{t}` is not an index in it"
                        ));
                    }
                }
            }
            _ => return Err(format!("`{here}` is {what}; nothing is inside it")),
        };
    }
    Ok(cur)
}

/// One YAML patch, with RFC 6902's meaning (as Copilot applies it): `add` sets a
/// mapping key or inserts into a list at an index (`-` at the end); `remove` and
/// `replace` need the target to exist.
fn apply_patch(root: &mut Node, patch: &Patch) -> Result<(), String> {
    let tokens = &patch.path.value.tokens;
    let (last, parents) = tokens.split_last().expect("pointers have a token");
    let parent = walk(root, parents)?;
    let at = if parents.is_empty() {
        "/".to_string()
    } else {
        format!("/{}", parents.join("/"))
    };
    let what = kind(parent);
    match (patch.op.value, &parent.tag, &mut parent.value) {
        (_, Some(_), _) | (_, None, Value::Scalar(_)) => {
            Err(format!("`{at}` is {what}; nothing is inside it"))
        }
        (Op::Add, None, Value::Map(entries)) => {
            let value = patch.value.clone().expect("add has a value (decode)");
            let slot = upsert(entries, last, value.clone());
            *slot = value;
            Ok(())
        }
        (Op::Add, None, Value::Seq(items)) => {
            let value = patch.value.clone().expect("add has a value (decode)");
            let i = if last == "-" {
                items.len()
            } else {
                match last.parse::<usize>() {
                    Ok(i) if i <= items.len() => i,
                    _ => {
                        return Err(format!(
                            "`{at}` is a list of {}; `{last}` is not a place to add at (0 to {}, or `-` for the end)",
                            items.len(),
                            items.len()
                        ));
                    }
                }
            };
            items.insert(i, value);
            Ok(())
        }
        (Op::Remove | Op::Replace, None, Value::Map(entries)) => {
            let listed = keys_of(entries);
            let Some(i) = entries.iter().position(|e| e.key == *last) else {
                return Err(format!("`{at}` has no `{last}` ({listed})"));
            };
            match patch
                .value
                .clone()
                .filter(|_| patch.op.value == Op::Replace)
            {
                Some(v) => entries[i].value = v,
                None => {
                    entries.remove(i);
                }
            }
            Ok(())
        }
        (Op::Remove | Op::Replace, None, Value::Seq(items)) => {
            let len = items.len();
            let i = match last.parse::<usize>() {
                Ok(i) if i < len => i,
                _ => {
                    return Err(format!(
                        "`{at}` is a list of {len}; `{last}` is not an index in it"
                    ));
                }
            };
            match patch
                .value
                .clone()
                .filter(|_| patch.op.value == Op::Replace)
            {
                Some(v) => items[i] = v,
                None => {
                    items.remove(i);
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
