//! A YAML document as a tree of nodes that remember where they came from.
//!
//! Built from `saphyr-parser` events. Keeps each scalar's original text and quoting, so
//! `on`, `0777` or `80` under `variables:` stay exactly what the user wrote, and keeps
//! tags (`!Ref`) so generated CloudFormation can be read back in tests. Resolves anchors,
//! aliases and `<<` merge keys; reports duplicate keys. Pure: parses a string.

use super::diag::{Code, Diagnostic, Diagnostics};
use super::source::{FileId, SourceFile, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Span as PSpan};
use std::collections::HashMap;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: may be a number, boolean or null.
    Plain,
    /// Quoted or a block scalar: always a string.
    Quoted,
}

/// A scalar's text and style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value after unescaping.
    pub text: String,
    /// How it was written.
    pub style: Style,
}

/// A mapping entry. Keys are always scalars in manifests.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key text.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar (string, number, boolean or null).
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<Entry>),
}

/// A node and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its value.
    pub value: Value,
    /// Where it is in its file.
    pub span: Span,
    /// Its tag, like `!Ref`, when it has one.
    pub tag: Option<String>,
}

impl Node {
    /// A plain scalar node.
    pub fn scalar(text: impl Into<String>, style: Style, span: Span) -> Self {
        Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                style,
            }),
            span,
            tag: None,
        }
    }

    /// Whether this is a YAML null (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(Scalar { text, style: Style::Plain })
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
            && self.tag.is_none()
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// Mapping entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The entry for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// What kind of node this is, for messages: "a string", "a mapping", ...
    pub fn describe(&self) -> &'static str {
        match &self.value {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Scalar(s) if s.style == Style::Quoted => "a string",
            Value::Scalar(_) if self.is_null() => "nothing (null)",
            Value::Scalar(s) => {
                let t = s.text.as_str();
                if t.parse::<i64>().is_ok() {
                    "a number"
                } else if t.parse::<f64>().is_ok() {
                    "a decimal number"
                } else if matches!(t, "true" | "false" | "True" | "False" | "TRUE" | "FALSE") {
                    "a boolean"
                } else {
                    "a string"
                }
            }
        }
    }
}

/// Parses one YAML document. Syntax errors and duplicate keys go to `diags`; on a syntax
/// error there is no tree.
pub fn parse(file: FileId, source: &SourceFile, diags: &mut Diagnostics) -> Option<Node> {
    let mut b = Builder {
        file,
        source,
        parser: Parser::new_from_str(&source.text),
        anchors: HashMap::new(),
        diags,
    };
    match b.document() {
        Ok(node) => node,
        Err(d) => {
            b.diags.push(*d);
            None
        }
    }
}

struct Builder<'a, 'd> {
    file: FileId,
    source: &'a SourceFile,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    diags: &'d mut Diagnostics,
}

type Res<T> = Result<T, Box<Diagnostic>>;

impl<'a> Builder<'a, '_> {
    fn offset(&self, m: &saphyr_parser::Marker) -> usize {
        self.source.offset_of(m.line(), m.col())
    }

    fn span(&self, s: &PSpan) -> Span {
        let start = self.offset(&s.start);
        let end = self.offset(&s.end).max(start);
        Span {
            file: self.file,
            start,
            len: end - start,
        }
    }

    fn next(&mut self) -> Res<(Event<'a>, PSpan)> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                let m = e.marker();
                let at = Span::point(self.file, self.offset(m));
                Err(Box::new(
                    Diagnostic::error(Code::Syntax, format!("invalid YAML: {}", e.info()))
                        .at(at)
                        .label("here"),
                ))
            }
            None => Err(Box::new(Diagnostic::error(
                Code::Syntax,
                "invalid YAML: unexpected end of input",
            ))),
        }
    }

    fn document(&mut self) -> Res<Option<Node>> {
        let mut root = None;
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart(_) => {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::DocumentEnd) {
                        continue;
                    }
                    let node = self.node(ev, span)?;
                    if root.is_some() {
                        return Err(Box::new(
                            Diagnostic::error(
                                Code::Syntax,
                                "a manifest holds one YAML document, this file has several",
                            )
                            .at(node.span)
                            .label("second document starts here"),
                        ));
                    }
                    root = Some(node);
                }
                other => {
                    let node = self.node(other, span)?;
                    root = Some(node);
                }
            }
        }
    }

    fn node(&mut self, ev: Event<'a>, span: PSpan) -> Res<Node> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    _ => Style::Quoted,
                };
                let mut node = Node::scalar(text.into_owned(), style, self.span(&span));
                node.tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => {
                let at = self.span(&span);
                match self.anchors.get(&id) {
                    Some(n) => Ok(n.clone()),
                    None => Err(Box::new(
                        Diagnostic::error(Code::Syntax, "alias to an unknown anchor").at(at),
                    )),
                }
            }
            Event::SequenceStart(anchor, tag) => {
                let start = self.span(&span);
                let mut items = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break self.span(&sp);
                    }
                    items.push(self.node(ev, sp)?);
                };
                let node = Node {
                    value: Value::Seq(items),
                    span: join(start, end),
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                let start = self.span(&span);
                let mut entries: Vec<Entry> = Vec::new();
                let mut merges: Vec<Node> = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break self.span(&sp);
                    }
                    let key = self.node(ev, sp)?;
                    let (kev, ksp) = self.next()?;
                    let value = self.node(kev, ksp)?;
                    let Value::Scalar(Scalar { text, .. }) = &key.value else {
                        self.diags.push(
                            Diagnostic::error(Code::Syntax, "mapping keys must be plain strings")
                                .at(key.span),
                        );
                        continue;
                    };
                    if text == "<<" && key.tag.is_none() {
                        merges.push(value);
                        continue;
                    }
                    if let Some(first) = entries.iter().find(|e| &e.key == text) {
                        let line = self.source.line_col(first.key_span.start).line;
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateKey,
                                format!("duplicate key `{text}`"),
                            )
                            .at(key.span)
                            .label("repeated here")
                            .help(format!(
                                "`{text}` is already set on line {line}; keep one of them"
                            )),
                        );
                        continue;
                    }
                    entries.push(Entry {
                        key: text.clone(),
                        key_span: key.span,
                        value,
                    });
                };
                for m in merges {
                    self.merge_into(&mut entries, m);
                }
                let node = Node {
                    value: Value::Map(entries),
                    span: join(start, end),
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                };
                self.remember(anchor, &node);
                Ok(node)
            }
            _ => Err(Box::new(
                Diagnostic::error(Code::Syntax, "invalid YAML: unexpected event")
                    .at(self.span(&span)),
            )),
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: copies keys the mapping does not set itself.
    fn merge_into(&mut self, entries: &mut Vec<Entry>, m: Node) {
        let sources = match m.value {
            Value::Map(_) => vec![m],
            Value::Seq(items) => items,
            Value::Scalar(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        "`<<` merges a mapping or a list of mappings",
                    )
                    .at(m.span),
                );
                return;
            }
        };
        for src in sources {
            let span = src.span;
            let Value::Map(src_entries) = src.value else {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        "`<<` merges a mapping or a list of mappings",
                    )
                    .at(span),
                );
                continue;
            };
            for e in src_entries {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e);
                }
            }
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }
}

fn join(a: Span, b: Span) -> Span {
    let end = (b.start + b.len).max(a.start + a.len);
    Span {
        file: a.file,
        start: a.start,
        len: end - a.start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::source::SourceMap;

    fn load(text: &str) -> (Option<Node>, Diagnostics, SourceMap) {
        let mut map = SourceMap::new();
        let id = map.add("t.yml", text);
        let mut d = Diagnostics::new();
        let n = parse(id, map.file(id), &mut d);
        (n, d, map)
    }

    #[test]
    fn keeps_scalar_text_style_and_position() {
        let (n, d, map) = load("variables:\n  A: on\n  B: '0777'\n  C: 0777\n");
        assert!(d.is_empty());
        let n = n.unwrap();
        let vars = n.get("variables").unwrap();
        let a = vars.get("A").unwrap();
        assert_eq!(
            a.as_scalar().unwrap(),
            &Scalar {
                text: "on".into(),
                style: Style::Plain
            }
        );
        assert_eq!(map.line_col(a.span).to_string(), "2:6");
        assert_eq!(
            vars.get("B").unwrap().as_scalar().unwrap().style,
            Style::Quoted
        );
        assert_eq!(vars.get("C").unwrap().as_str(), Some("0777"));
    }

    #[test]
    fn reports_duplicate_keys_with_both_lines() {
        let (n, d, map) = load("a: 1\nb: 2\na: 3\n");
        assert!(n.is_some());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::DuplicateKey);
        assert_eq!(map.line_col(diag.span.unwrap()).to_string(), "3:1");
        assert!(diag.help.as_deref().unwrap().contains("line 1"));
    }

    #[test]
    fn syntax_error_has_a_position() {
        let (n, d, map) = load("image:\n  build: [a, b\nport: 80\n");
        assert!(n.is_none());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Syntax);
        assert!(map.line_col(diag.span.unwrap()).line >= 2);
    }

    #[test]
    fn resolves_anchors_aliases_and_merge_keys() {
        let (n, d, _) =
            load("base: &b\n  cpu: 256\n  memory: 512\nsvc:\n  <<: *b\n  memory: 1024\n");
        assert!(d.is_empty(), "{d:?}");
        let svc = n.unwrap().get("svc").unwrap().clone();
        assert_eq!(svc.get("cpu").unwrap().as_str(), Some("256"));
        assert_eq!(svc.get("memory").unwrap().as_str(), Some("1024"));
    }

    #[test]
    fn keeps_tags() {
        let (n, _, _) = load("Value: !Ref Cluster\n");
        let v = n.unwrap().get("Value").unwrap().clone();
        assert_eq!(v.tag.as_deref(), Some("!Ref"));
        assert_eq!(v.as_str(), Some("Cluster"));
    }

    #[test]
    fn empty_document_is_none() {
        let (n, d, _) = load("# only a comment\n");
        assert!(n.is_none());
        assert!(d.is_empty());
    }

    #[test]
    fn several_documents_are_an_error() {
        let (_, d, _) = load("a: 1\n---\nb: 2\n");
        assert_eq!(d.iter().next().unwrap().code, Code::Syntax);
    }
}
