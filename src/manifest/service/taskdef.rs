//! `taskdef_overrides`: Copilot's escape hatch for task definition properties wharf has
//! no field for (<https://aws.github.io/copilot-cli/docs/developing/overrides/taskdef-overrides/>).
//! Each rule is a path into the `AWS::ECS::TaskDefinition` resource's `Properties`
//! (`ContainerDefinitions[0].Ulimits[-].Name`) and the value to put there.
//!
//! Decoding checks the path's syntax and refuses what wharf's own wiring depends on
//! (`Family`, a container's `Name`); whether the path exists in the rendered template is
//! checked when the template is compiled (`compile/overrides`).

use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::diag::{Code, Diagnostic};
use crate::manifest::yaml::Node;
use schemars::JsonSchema;

/// Most rules one manifest may hold; each rewrites the rendered template once.
pub const MAX_RULES: usize = 256;
/// Longest index a path may use: a task definition holds at most 10 containers, and no
/// property list ECS documents is longer than a few hundred entries.
pub const MAX_INDEX: usize = 9_999;
/// Most segments a path may have: task definition properties nest a few levels deep.
pub const MAX_SEGMENTS: usize = 32;

/// One `taskdef_overrides` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskdefOverride {
    /// Where, in the task definition's `Properties`.
    pub path: Spanned<TaskdefPath>,
    /// What to put there: any YAML, CloudFormation tags included.
    pub value: Node,
}

/// A parsed rule path: `Key`, `Key[3]` or `Key[-]` segments joined by `.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskdefPath {
    /// The path as written.
    pub text: String,
    /// Its segments, outermost first.
    pub segments: Vec<Segment>,
}

/// One segment of a rule path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The mapping key.
    pub key: String,
    /// `[n]` (an existing element) or `[-]` (a new one at the end), when the key holds
    /// a list.
    pub index: Option<Index>,
}

/// A list position in a rule path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// `[n]`: the element at `n`, which must exist.
    At(usize),
    /// `[-]`: a new element after the last.
    Append,
}

impl TaskdefPath {
    /// Parses `text`; the error says what is wrong, for the path's span.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("the path is empty".into());
        }
        let mut segments = Vec::new();
        if text.split('.').count() > MAX_SEGMENTS {
            return Err(format!(
                "the path has more than {MAX_SEGMENTS} segments; task definition properties are not nested that deep"
            ));
        }
        for raw in text.split('.') {
            segments.push(parse_segment(raw)?);
        }
        Ok(TaskdefPath {
            text: text.to_string(),
            segments,
        })
    }

    /// Why wharf refuses to change this path, if it does.
    fn refused(&self) -> Option<&'static str> {
        match self.segments.as_slice() {
            [s] if s.key == "Family" && s.index.is_none() => Some(
                "the family names the task definition wharf deploys and follows; it is `<app>-<env>-<service>`",
            ),
            [c] if c.key == "ContainerDefinitions" && c.index != Some(Index::Append) => Some(
                "replacing wharf's containers would cut the load balancer, logs and sidecars off them; set their properties (`ContainerDefinitions[0].<Property>`), or add a container with `ContainerDefinitions[-]`",
            ),
            [c, n] if c.key == "ContainerDefinitions" && n.key == "Name" && n.index.is_none() => {
                Some(
                    "container names tie the service, load balancer, logs and sidecars together; rename a sidecar under `sidecars` instead",
                )
            }
            _ => None,
        }
    }
}

fn parse_segment(raw: &str) -> Result<Segment, String> {
    let (key, index) = match raw.split_once('[') {
        None => (raw, None),
        Some((key, rest)) => {
            let Some(inner) = rest.strip_suffix(']') else {
                return Err(format!(
                    "segment `{raw}` opens `[` without closing it at its end"
                ));
            };
            let index = if inner == "-" {
                Index::Append
            } else if inner.len() > 1 && inner.starts_with('0') {
                return Err(format!("index `{inner}` in `{raw}` has a leading zero"));
            } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                match inner.parse::<usize>() {
                    Ok(n) if n <= MAX_INDEX => Index::At(n),
                    _ => {
                        return Err(format!(
                            "index `{inner}` in `{raw}` is larger than {MAX_INDEX}"
                        ));
                    }
                }
            } else {
                return Err(format!(
                    "segment `{raw}` has index `{inner}`; an index is a number (`[0]`) or `[-]` to append"
                ));
            };
            (key, Some(index))
        }
    };
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "segment `{raw}` is not of the form `Key`, `Key[0]` or `Key[-]` (keys are letters, digits, `_` and `-`)"
        ));
    }
    Ok(Segment {
        key: key.to_string(),
        index,
    })
}

impl Decode for TaskdefOverride {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "task definition override")?;
        let path: Option<Spanned<String>> = f.req(cx, "path");
        let value = match f.node("value") {
            Some(v) => Some(v.clone()),
            None if f.key_span("value").is_some() => {
                let span = f.key_span("value").unwrap_or(node.span);
                cx.at("value", |cx| {
                    cx.invalid(
                        span,
                        "`value` is null: an override sets a value",
                        Some("give the value to set; to drop a property wharf sets, use a YAML patch `remove`".into()),
                    )
                });
                None
            }
            None => {
                f.req::<Spanned<String>>(cx, "value");
                None
            }
        };
        f.finish(cx);
        let path = path?;
        let parsed = match TaskdefPath::parse(&path.value) {
            Ok(p) => p,
            Err(why) => {
                cx.at("path", |cx| {
                    cx.invalid(
                        path.span,
                        format!("invalid override path `{}`: {why}", path.value),
                        Some("for example `ContainerDefinitions[0].Ulimits[-].Name`".into()),
                    )
                });
                return None;
            }
        };
        if let Some(why) = parsed.refused() {
            let d = Diagnostic::error(
                Code::InvalidValue,
                format!("`{}` cannot be overridden", path.value),
            )
            .at(path.span)
            .label("wharf sets this")
            .help(why);
            cx.at("path", |cx| cx.report(d));
            return None;
        }
        Some(TaskdefOverride {
            path: Spanned::new(parsed, path.span),
            value: value?,
        })
    }
}

/// `taskdef_overrides` as a whole: a list of at most [`MAX_RULES`] rules.
pub fn decode_rules(node: &Node, cx: &mut Cx) -> Option<Vec<TaskdefOverride>> {
    if let crate::manifest::yaml::Value::Seq(items) = &node.value
        && items.len() > MAX_RULES
    {
        let d = Diagnostic::error(
            Code::Limit,
            format!(
                "`taskdef_overrides` has {} rules; wharf takes at most {MAX_RULES}",
                items.len()
            ),
        )
        .at(node.span);
        cx.report(d);
        return None;
    }
    Vec::decode(node, cx)
}

/// The JSON Schema of one rule (`value` is any YAML).
impl JsonSchema for TaskdefOverride {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskdefOverride".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A task definition property to set: `path` into the task definition's Properties (`ContainerDefinitions[0].Ulimits[-].Name`; `[n]` an existing element, `[-]` a new one at the end), and its `value`.",
            "type": "object",
            "additionalProperties": false,
            "required": ["path", "value"],
            "properties": {
                "path": {"type": "string", "pattern": "^[A-Za-z0-9_-]+(\\[([0-9]+|-)\\])?(\\.[A-Za-z0-9_-]+(\\[([0-9]+|-)\\])?)*$"},
                "value": {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_indexes_and_appends() {
        let p = TaskdefPath::parse("ContainerDefinitions[0].Ulimits[-].Name").unwrap();
        assert_eq!(
            p.segments,
            vec![
                Segment {
                    key: "ContainerDefinitions".into(),
                    index: Some(Index::At(0))
                },
                Segment {
                    key: "Ulimits".into(),
                    index: Some(Index::Append)
                },
                Segment {
                    key: "Name".into(),
                    index: None
                },
            ]
        );
    }

    #[test]
    fn refuses_bad_paths_with_the_reason() {
        for (bad, why) in [
            ("", "empty"),
            ("A..B", "not of the form"),
            ("A[x]", "index `x`"),
            ("A[0", "without closing"),
            ("A[99999999999999999999999]", "larger than"),
            ("A[1][2]", "index `1][2`"),
            ("A B", "not of the form"),
            ("[0]", "not of the form"),
            ("A[00]", "leading zero"),
            (&"A.".repeat(40)[..79], "more than 32 segments"),
        ] {
            let e = TaskdefPath::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn refuses_what_wharf_wires() {
        for p in [
            "Family",
            "ContainerDefinitions[0].Name",
            "ContainerDefinitions[3].Name",
        ] {
            assert!(TaskdefPath::parse(p).unwrap().refused().is_some(), "{p}");
        }
        for p in [
            "ContainerDefinitions[0].Image",
            "ContainerDefinitions[0].Name.X",
            "Volumes[0].Name",
            "ContainerDefinitions[-]",
        ] {
            assert!(TaskdefPath::parse(p).unwrap().refused().is_none(), "{p}");
        }
    }
}
