//! `<workload>/overrides/cfn.patches.yml`: Copilot's YAML patches, a list of
//! `{op, path, value}` operations (RFC 6902's `add`, `remove` and `replace`) applied to
//! the rendered CloudFormation template, with `path` a JSON Pointer (RFC 6901) such as
//! `/Resources/TaskDefinition/Properties/ContainerDefinitions/0/Ulimits/-`
//! (<https://aws.github.io/copilot-cli/docs/developing/overrides/yamlpatch/>).
//!
//! Decoding checks each operation's shape; whether its path exists in the rendered
//! template is checked when the template is compiled (`compile/overrides`). Pure.

use super::decode::{Cx, Decode, Fields, Spanned};
use super::diag::{Code, Diagnostic};
use super::yaml::{Node, Value};

/// The file's name inside a workload's `overrides/` directory.
pub const FILE_NAME: &str = "cfn.patches.yml";
/// Most operations one file may hold; each rewrites the rendered template once.
pub const MAX_PATCHES: usize = 256;
/// Most reference tokens a path may have: a template nests a few levels deep.
pub const MAX_TOKENS: usize = 64;

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// What it does.
    pub op: Spanned<Op>,
    /// Where.
    pub path: Spanned<Pointer>,
    /// The value `add` and `replace` put there (CloudFormation tags included).
    pub value: Option<Node>,
}

/// RFC 6902 operations Copilot supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Sets a mapping key (adding it when missing), or inserts into a list at an index
    /// (`-`: at the end).
    Add,
    /// Removes an existing key or list element.
    Remove,
    /// Replaces an existing value.
    Replace,
}

/// A JSON Pointer, unescaped (`~1` is `/`, `~0` is `~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// The pointer as written.
    pub text: String,
    /// Its reference tokens, outermost first; never empty.
    pub tokens: Vec<String>,
}

impl Pointer {
    /// Parses `text`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(if text.is_empty() {
                "the path is empty; a patch changes part of the template, as `/Resources/<LogicalID>/…`".into()
            } else {
                "a path starts with `/`, as `/Resources/<LogicalID>/Properties/…`".into()
            });
        };
        if rest.split('/').count() > MAX_TOKENS {
            return Err(format!(
                "the path has more than {MAX_TOKENS} parts; templates are not nested that deep"
            ));
        }
        let mut tokens = Vec::new();
        for t in rest.split('/') {
            // RFC 6901 §3: `~` is only ever `~0` or `~1`.
            if t.replace("~0", "").replace("~1", "").contains('~') {
                return Err(format!(
                    "`{t}` has a `~` that is not `~0` (a `~`) or `~1` (a `/`)"
                ));
            }
            tokens.push(t.replace("~1", "/").replace("~0", "~"));
        }
        Ok(Pointer {
            text: text.to_string(),
            tokens,
        })
    }
}

impl Decode for Op {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let s = String::decode(node, cx)?;
        match s.as_str() {
            "add" => Some(Op::Add),
            "remove" => Some(Op::Remove),
            "replace" => Some(Op::Replace),
            other => {
                cx.invalid(
                    node.span,
                    format!("unsupported operation `{other}`"),
                    Some("use `add`, `remove` or `replace` (`move`, `copy` and `test` are not supported, as in Copilot)".into()),
                );
                None
            }
        }
    }
}

impl Decode for Patch {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "patch")?;
        let op: Option<Spanned<Op>> = f.req(cx, "op");
        let path: Option<Spanned<String>> = f.req(cx, "path");
        let value = f.node("value").cloned();
        let value_key = f.key_span("value");
        f.finish(cx);
        let (op, path) = (op?, path?);
        let pointer = match Pointer::parse(&path.value) {
            Ok(p) => p,
            Err(why) => {
                cx.at("path", |cx| {
                    cx.invalid(
                        path.span,
                        format!("invalid path `{}`: {why}", path.value),
                        None,
                    )
                });
                return None;
            }
        };
        match (op.value, &value) {
            (Op::Add | Op::Replace, None) => {
                let d = Diagnostic::error(
                    Code::MissingField,
                    format!(
                        "`{}` needs a `value`",
                        if op.value == Op::Add {
                            "add"
                        } else {
                            "replace"
                        }
                    ),
                )
                .at(op.span)
                .path(cx.child_path("value"));
                cx.report(d);
                return None;
            }
            (Op::Remove, Some(_)) => {
                let d = Diagnostic::warning(
                    Code::InvalidValue,
                    "`remove` takes no `value`; it is ignored",
                )
                .at(value_key.unwrap_or(op.span))
                .path(cx.child_path("value"));
                cx.report(d);
            }
            _ => {}
        }
        Some(Patch {
            op,
            path: Spanned::new(pointer, path.span),
            value,
        })
    }
}

/// Reads a whole patch file: a list of at most [`MAX_PATCHES`] operations (an empty
/// file is no operations).
pub fn decode_file(node: &Node, cx: &mut Cx) -> Option<Vec<Patch>> {
    match &node.value {
        _ if node.is_null() => Some(Vec::new()),
        Value::Seq(items) if items.len() > MAX_PATCHES => {
            let d = Diagnostic::error(
                Code::Limit,
                format!(
                    "{} has {} operations; wharf takes at most {MAX_PATCHES}",
                    FILE_NAME,
                    items.len()
                ),
            )
            .at(node.span);
            cx.report(d);
            None
        }
        Value::Seq(_) => Vec::decode(node, cx),
        _ => {
            cx.type_error(node, "a list of `{op, path, value}` operations");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_unescape_and_need_a_slash() {
        let p = Pointer::parse("/Resources/A~1B/x~0y/-").unwrap();
        assert_eq!(p.tokens, vec!["Resources", "A/B", "x~y", "-"]);
        assert!(Pointer::parse("").unwrap_err().contains("empty"));
        assert!(
            Pointer::parse("Resources/X")
                .unwrap_err()
                .contains("starts with")
        );
        // `~01` is `~1`, not `/` (RFC 6901 §4: `~1` first, then `~0`).
        assert_eq!(Pointer::parse("/~01").unwrap().tokens, vec!["~1"]);
        assert!(Pointer::parse("/a~2").unwrap_err().contains("~0"));
        assert!(
            Pointer::parse(&"/a".repeat(65))
                .unwrap_err()
                .contains("more than 64")
        );
    }
}
