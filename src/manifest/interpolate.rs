//! `${VAR}` substitution in manifest values, as Copilot does it.
//!
//! Runs on the node tree after environment overrides are merged, so
//! `${WHARF_ENVIRONMENT_NAME}` (or `${COPILOT_ENVIRONMENT_NAME}` in a Copilot workspace)
//! is the environment being compiled. `\${` stays a literal `${`. A value that is exactly
//! `${VAR}` and whose variable holds a JSON list of strings becomes a YAML list.
//! Pure: variables come from a lookup function the caller provides.

use super::diag::{Code, Diagnostic, Diagnostics};
use super::limits::MAX_TEXT_BYTES;
use super::source::Span;
use super::yaml::{Node, Style, Value};

/// Substitutes variables in every scalar value of `node` (keys are left alone). The text
/// the substituted values make is bounded by [`MAX_TEXT_BYTES`] per manifest: past it,
/// a limit error at the value, and the values after it stay as written.
pub fn interpolate(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) {
    let mut budget = MAX_TEXT_BYTES;
    walk(node, lookup, diags, &mut budget);
}

/// Returns false once the budget is spent.
fn walk(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
    budget: &mut usize,
) -> bool {
    // A CloudFormation function (`!Sub '${AWS::Region}'` in a task definition
    // override) is CloudFormation's to substitute, as in Copilot.
    if node
        .tag
        .as_deref()
        .is_some_and(|t| t.starts_with('!') && !t.starts_with("!!"))
    {
        return true;
    }
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .all(|e| walk(&mut e.value, lookup, diags, budget)),
        Value::Seq(items) => items.iter_mut().all(|i| walk(i, lookup, diags, budget)),
        Value::Scalar(s) => {
            if !s.text.contains("${") {
                return true;
            }
            let whole_var = whole_variable(&s.text);
            match substitute(&s.text, node.span, lookup) {
                Ok(text) => {
                    let Some(left) = budget.checked_sub(text.len()) else {
                        diags.push(
                            Diagnostic::error(
                                Code::Limit,
                                format!(
                                    "substituting variables makes more than {} MiB of text in this manifest, the limit for a manifest",
                                    MAX_TEXT_BYTES / (1024 * 1024)
                                ),
                            )
                            .at(node.span)
                            .label("limit reached here")
                            .help("check which long variables this manifest uses, and how often"),
                        );
                        return false;
                    };
                    *budget = left;
                    if whole_var.is_some()
                        && let Ok(list) = serde_json::from_str::<Vec<String>>(&text)
                    {
                        node.value = Value::Seq(
                            list.into_iter()
                                .map(|t| Node::scalar(t, Style::Quoted, node.span))
                                .collect(),
                        );
                        return true;
                    }
                    s.text = text;
                }
                Err(d) => diags.push(*d),
            }
            true
        }
    }
}

fn whole_variable(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    is_name(inner).then_some(inner)
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn substitute(
    text: &str,
    span: Span,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Box<Diagnostic>> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        if i > 0 && rest.as_bytes()[i - 1] == b'\\' {
            out.push_str(&rest[..i - 1]);
            out.push_str("${");
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return Err(Box::new(
                Diagnostic::error(Code::Interpolation, "unclosed `${` in value")
                    .at(span)
                    .help("close it with `}`, or write `\\${` for a literal `${`"),
            ));
        };
        let name = &after[..end];
        if !is_name(name) {
            return Err(Box::new(
                Diagnostic::error(
                    Code::Interpolation,
                    format!("`${{{name}}}` is not a valid variable reference"),
                )
                .at(span)
                .help(
                    "variable names use letters, digits and `_`; write `\\${` for a literal `${`",
                ),
            ));
        }
        match lookup(name) {
            Some(v) => out.push_str(&v),
            None => {
                return Err(Box::new(
                    Diagnostic::error(Code::Interpolation, format!("environment variable `{name}` is not set"))
                        .at(span)
                        .label(format!("uses ${{{name}}}"))
                        .help(format!("set `{name}` in the environment, or write `\\${{{name}}}` to keep it literally")),
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml;

    fn run(text: &str) -> (Node, Diagnostics) {
        let mut map = SourceMap::new();
        let id = map.add("t.yml", text);
        let mut d = Diagnostics::new();
        let mut n = yaml::parse(id, map.file(id), &mut d).unwrap();
        let lookup = |k: &str| match k {
            "TAG" => Some("v1".to_string()),
            "PORT" => Some("8080".to_string()),
            "LIST" => Some(r#"["a","b"]"#.to_string()),
            "BIG" => Some("x".repeat(MAX_TEXT_BYTES / 4)),
            _ => None,
        };
        interpolate(&mut n, &lookup, &mut d);
        (n, d)
    }

    #[test]
    fn substitutes_and_keeps_plain_numbers_plain() {
        let (n, d) = run("image: repo:${TAG}\nport: ${PORT}\n");
        assert!(d.is_empty());
        assert_eq!(n.get("image").unwrap().as_str(), Some("repo:v1"));
        let port = n.get("port").unwrap().as_scalar().unwrap();
        assert_eq!((port.text.as_str(), port.style), ("8080", Style::Plain));
    }

    #[test]
    fn cloudformation_functions_are_left_to_cloudformation() {
        let (n, d) = run(
            "a: !Sub '${AWS::Region}-${TAG}'\nb: !Sub ['${X}-y', {X: !Ref Z}]\nc: ${TAG}\nd: !!str ${TAG}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(n.get("a").unwrap().as_str(), Some("${AWS::Region}-${TAG}"));
        assert_eq!(n.get("c").unwrap().as_str(), Some("v1"));
        assert_eq!(n.get("d").unwrap().as_str(), Some("v1"));
    }

    #[test]
    fn escaped_reference_stays_literal() {
        let (n, d) = run("cmd: 'echo \\${HOME} ${TAG}'\n");
        assert!(d.is_empty());
        assert_eq!(n.get("cmd").unwrap().as_str(), Some("echo ${HOME} v1"));
    }

    #[test]
    fn missing_variable_is_an_error_at_the_value() {
        let (_, d) = run("a: ok\nb: ${NOPE}\n");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Interpolation);
        assert!(diag.message.contains("NOPE"));
        assert_eq!(diag.span.unwrap().start, 9);
    }

    #[test]
    fn unclosed_and_invalid_references_are_errors() {
        let (_, d) = run("a: ${TAG\n");
        assert!(d.iter().next().unwrap().message.contains("unclosed"));
        let (_, d) = run("a: ${1X}\n");
        assert!(d.iter().next().unwrap().message.contains("not a valid"));
    }

    #[test]
    fn substituted_text_is_bounded() {
        let text = "a: ${BIG}\nb: ['${BIG}', '${BIG}', '${BIG}', '${BIG}']\nc: ${TAG}\n";
        let (n, d) = run(text);
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Limit);
        assert!(
            diag.message.contains("more than 4 MiB of text"),
            "{}",
            diag.message
        );
        let fifth = text.rfind("'${BIG}'").unwrap();
        assert_eq!(
            diag.span.unwrap().start,
            fifth,
            "four copies fit, the fifth does not"
        );
        assert_eq!(n.get("c").unwrap().as_str(), Some("${TAG}"), "stops there");
    }

    #[test]
    fn json_list_variable_becomes_a_list() {
        let (n, _) = run("alias: ${LIST}\n");
        assert!(matches!(&n.get("alias").unwrap().value, Value::Seq(v) if v.len() == 2));
    }
}
