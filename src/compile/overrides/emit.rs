//! Writes a [`Node`] tree back out as block-style YAML, keeping CloudFormation's short
//! tags (`!Ref`, `!Sub`, ...) and every scalar's type: a plain scalar that is a simple
//! word or number stays plain, anything else is written double-quoted (JSON escaping is
//! valid YAML), so no value changes meaning on the way out. Comments and the original
//! layout are not kept. Pure and deterministic.

use crate::manifest::yaml::{Node, Style, Value};

/// The document as YAML text ending in a newline.
pub fn document(root: &Node) -> String {
    let mut out = String::new();
    match &root.value {
        Value::Map(entries) if !entries.is_empty() && root.tag.is_none() => {
            map_entries(root, 0, &mut out)
        }
        _ => {
            inline_or_block(root, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

/// A tag as written before a node: `!Ref` stays as it is; a resolved global tag is
/// written verbatim (`!<tag:yaml.org,2002:str>`).
fn tag_text(tag: &str) -> String {
    if tag.starts_with('!') {
        tag.to_string()
    } else {
        format!("!<{tag}>")
    }
}

/// Whether `text` can be written plain and read back as the same plain scalar: words,
/// numbers, booleans, null, ARNs-like tokens without spaces, `:` or `#`.
fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // Indicators that may not start a plain scalar.
    if "@`!&*|>'\"%{}[],?:#".contains(first) {
        return false;
    }
    // `:` is plain inside a word (`sts:AssumeRole`, `AWS::Region`), never at its end.
    !text.ends_with(':')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.+-/~=:".contains(c))
}

fn scalar_text(text: &str, style: Style) -> String {
    match style {
        Style::Plain if text.is_empty() => "null".into(),
        Style::Plain if plain_is_safe(text) => text.into(),
        // Any other plain scalar is a string: quoting it keeps it one.
        _ => super::super::quote(text),
    }
}

/// A key written plain only when every YAML reader takes it as that string: a word
/// starting with a letter that is not one of YAML 1.1's booleans or null (`on`, `Yes`,
/// `n`, …); anything else (`0777`, `123`, `2024-01-01`) is quoted.
fn key_text(key: &str) -> String {
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    let word = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && plain_is_safe(key)
        && !WORDS.contains(&key.to_ascii_lowercase().as_str());
    if word {
        key.into()
    } else {
        super::super::quote(key)
    }
}

/// Writes `node` after a `key:` or `- ` that is already on the line at `indent`:
/// scalars and empty collections inline, other collections on the next lines.
fn inline_or_block(node: &Node, indent: usize, out: &mut String) {
    let tag = node.tag.as_deref().map(tag_text);
    match &node.value {
        Value::Scalar(s) => {
            if let Some(t) = &tag {
                out.push_str(t);
                // A tagged empty plain scalar (`!Ref` with nothing) stays empty.
                if s.style == Style::Plain && s.text.is_empty() {
                    return;
                }
                out.push(' ');
            }
            out.push_str(&scalar_text(&s.text, s.style));
        }
        Value::Map(entries) if entries.is_empty() => {
            if let Some(t) = &tag {
                out.push_str(t);
                out.push(' ');
            }
            out.push_str("{}");
        }
        Value::Seq(items) if items.is_empty() => {
            if let Some(t) = &tag {
                out.push_str(t);
                out.push(' ');
            }
            out.push_str("[]");
        }
        Value::Map(_) | Value::Seq(_) => {
            if let Some(t) = &tag {
                out.push_str(t);
            }
            out.push('\n');
            block(node, indent + 2, out);
            // `block` ends with a newline; the caller adds its own.
            out.pop();
        }
    }
}

/// Writes a non-empty collection's lines at `indent`, each ending in a newline.
fn block(node: &Node, indent: usize, out: &mut String) {
    match &node.value {
        Value::Map(_) => map_entries(node, indent, out),
        Value::Seq(items) => {
            for item in items {
                push_indent(indent, out);
                out.push('-');
                match (&item.value, &item.tag) {
                    // `- key: value` with the other keys under the first.
                    (Value::Map(e), None) if !e.is_empty() => {
                        let mut nested = String::new();
                        map_entries(item, indent + 2, &mut nested);
                        out.push(' ');
                        out.push_str(&nested[indent + 2..]);
                    }
                    (Value::Seq(i), None) if !i.is_empty() => {
                        let mut nested = String::new();
                        block(item, indent + 2, &mut nested);
                        out.push(' ');
                        out.push_str(&nested[indent + 2..]);
                    }
                    _ => {
                        out.push(' ');
                        inline_or_block(item, indent, out);
                        out.push('\n');
                    }
                }
            }
        }
        Value::Scalar(_) => {
            push_indent(indent, out);
            inline_or_block(node, indent, out);
            out.push('\n');
        }
    }
}

fn map_entries(node: &Node, indent: usize, out: &mut String) {
    let Value::Map(entries) = &node.value else {
        return;
    };
    for e in entries {
        push_indent(indent, out);
        out.push_str(&key_text(&e.key));
        out.push(':');
        let inline = matches!(&e.value.value, Value::Scalar(_))
            || matches!(&e.value.value, Value::Map(m) if m.is_empty())
            || matches!(&e.value.value, Value::Seq(s) if s.is_empty());
        if inline || e.value.tag.is_some() {
            out.push(' ');
        }
        inline_or_block(&e.value, indent, out);
        out.push('\n');
    }
}

fn push_indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diag::Diagnostics;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml;

    fn parse(text: &str) -> Node {
        let mut map = SourceMap::new();
        let id = map.add("t.yml", text.to_string());
        let mut d = Diagnostics::new();
        let n = yaml::parse(id, map.file(id), &mut d);
        assert!(!d.has_errors(), "{d:?}");
        n.unwrap()
    }

    /// Emitting and reading back gives the same tree (spans aside), for every construct
    /// the templates use.
    fn round_trip(text: &str) -> String {
        let first = parse(text);
        let out = document(&first);
        let second = parse(&out);
        assert_eq!(
            first.to_json(),
            second.to_json(),
            "emitted:\n{out}\nfrom:\n{text}"
        );
        assert_eq!(tags(&first), tags(&second), "tags differ in:\n{out}");
        // Emitting is a fixed point after one pass.
        assert_eq!(document(&second), out);
        out
    }

    fn tags(n: &Node) -> Vec<Option<String>> {
        let mut v = vec![n.tag.clone()];
        match &n.value {
            Value::Map(e) => e.iter().for_each(|e| v.extend(tags(&e.value))),
            Value::Seq(i) => i.iter().for_each(|i| v.extend(tags(i))),
            Value::Scalar(_) => {}
        }
        v
    }

    #[test]
    fn keeps_short_tags_in_every_position() {
        let out = round_trip(
            "Resources:\n  A:\n    Type: AWS::X\n    Properties:\n      Name: !Ref Foo\n      Arn: !GetAtt [B, Arn]\n      S: !Sub\n        - '${X}-y'\n        - X: !Ref Z\n      L:\n        - !Ref Q\n        - !If [C, !Ref D, !Ref AWS::NoValue]\n      E: !GetAZs ''\n",
        );
        assert!(out.contains("Name: !Ref Foo\n"), "{out}");
        assert!(out.contains("Type: AWS::X\n"), "{out}");
        assert!(out.contains("Arn: !GetAtt\n"), "{out}");
        assert!(out.contains("- !Ref Q\n"), "{out}");
    }

    #[test]
    fn keeps_scalar_types() {
        let out = round_trip(
            "a: 1\nb: '1'\nc0: sts:AssumeRole\nc1: 'x:'\nc: true\nd: 'true'\ne: null\nf: ~\ng: 1.5\nh: yes\ni: 'a: b'\nj: |\n  two\n  lines\nk: a b c\nl: '@x'\nm: -1\nn: 0777\n",
        );
        assert!(
            out.contains("a: 1\n") && out.contains("b: \"1\"\n"),
            "{out}"
        );
        assert!(
            out.contains("h: yes\n") && out.contains("\"n\": 0777\n"),
            "{out}"
        );
        assert!(out.contains("j: \"two\\nlines\\n\"\n"), "{out}");
    }

    #[test]
    fn nests_lists_and_maps() {
        let out = round_trip(
            "L:\n  - a: 1\n    b:\n      - x\n      - y\n  - - 1\n    - 2\n  - []\n  - {}\nM: {}\nN: []\n\"odd key\": 1\n'true': 2\n'on': 3\n'0777': 4\n'123': 5\n'Yes': 6\nsts:x: 7\n",
        );
        for k in [
            "\"on\": 3",
            "\"0777\": 4",
            "\"123\": 5",
            "\"Yes\": 6",
            "sts:x: 7",
        ] {
            assert!(out.contains(k), "{k} in {out}");
        }
    }

    #[test]
    fn keeps_tagged_empty_collections_and_scalars() {
        round_trip("A: !Join ['', []]\nB: !Ref ''\nC: !!str 12\n");
    }
}
