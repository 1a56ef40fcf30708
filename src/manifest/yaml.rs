//! A YAML document as a tree of nodes that remember where they came from.
//!
//! Built from `saphyr-parser` events. Keeps each scalar's original text and quoting, so
//! `on`, `0777` or `80` under `variables:` stay exactly what the user wrote, and keeps
//! tags (`!Ref`) so generated CloudFormation can be read back in tests. Resolves anchors,
//! aliases and `<<` merge keys; reports duplicate keys. Enforces the loader's
//! [`limits`](super::limits) while building, so no input costs unbounded time, memory or
//! stack. Pure: parses a string.

use super::diag::{Code, Diagnostic, Diagnostics};
use super::limits::{MAX_DEPTH, MAX_KEYS_PER_MAP, MAX_NODES, MAX_TEXT_BYTES};
use super::source::{Cursor, FileId, SourceFile, Span};
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

    /// The node as JSON: plain scalars keep YAML's core types (booleans, numbers, null),
    /// quoted ones are strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Scalar(s) if s.style != Style::Plain => J::String(s.text.clone()),
            Value::Scalar(s) => {
                if self.is_null() {
                    J::Null
                } else if let Some(b) = super::decode::parse_bool(&s.text) {
                    J::Bool(b)
                } else if let Ok(i) = s.text.parse::<i64>() {
                    J::from(i)
                } else if let Some(n) = s
                    .text
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(serde_json::Number::from_f64)
                {
                    J::Number(n)
                } else {
                    J::String(s.text.clone())
                }
            }
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
/// error, or when the document is past one of the [`limits`](super::limits) (nesting
/// depth, nodes or text after alias expansion, keys per mapping), there is no tree.
pub fn parse(file: FileId, source: &SourceFile, diags: &mut Diagnostics) -> Option<Node> {
    let mut b = Builder {
        file,
        source,
        parser: Parser::new_from_str(&source.text),
        anchors: HashMap::new(),
        diags,
        cursor: Cursor::default(),
        depth: 0,
        nodes: 0,
        text: 0,
    };
    match b.document() {
        Ok(node) => node,
        Err(d) => {
            b.diags.push(*d);
            None
        }
    }
}

/// What a node costs: its nodes, its scalar text, and how many levels of lists and
/// mappings it holds.
#[derive(Debug, Clone, Copy)]
struct Size {
    nodes: usize,
    text: usize,
    height: usize,
}

impl Size {
    fn of(node: &Node) -> Size {
        match &node.value {
            Value::Scalar(s) => Size {
                nodes: 1,
                text: s.text.len(),
                height: 0,
            },
            Value::Seq(items) => Size::collection(items.iter().map(|n| (None, n))),
            Value::Map(entries) => {
                Size::collection(entries.iter().map(|e| (Some(e.key.len()), &e.value)))
            }
        }
    }

    /// A list or mapping: its children and, for a mapping, the length of each key.
    fn collection<'n>(children: impl Iterator<Item = (Option<usize>, &'n Node)>) -> Size {
        let mut total = Size {
            nodes: 1,
            text: 0,
            height: 1,
        };
        for (key_len, n) in children {
            let s = Size::of(n);
            total.nodes += s.nodes + usize::from(key_len.is_some());
            total.text += s.text + key_len.unwrap_or(0);
            total.height = total.height.max(s.height + 1);
        }
        total
    }
}

/// The offset of the first tab at or after `from` that stands in the indentation of its
/// line (only spaces and tabs before it).
fn indentation_tab(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    rest.match_indices('\t').map(|(i, _)| from + i).find(|&at| {
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        text[line_start..at].chars().all(|c| c == ' ' || c == '\t')
    })
}

struct Builder<'a, 'd> {
    file: FileId,
    source: &'a SourceFile,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    /// Anchored nodes and what each costs when an alias copies it.
    anchors: HashMap<usize, (Node, Size)>,
    diags: &'d mut Diagnostics,
    cursor: Cursor,
    /// Lists and mappings open around the current event.
    depth: usize,
    /// Nodes built so far, copies included.
    nodes: usize,
    /// Bytes of scalar text built so far, copies included.
    text: usize,
}

type Res<T> = Result<T, Box<Diagnostic>>;

impl<'a> Builder<'a, '_> {
    fn offset(&mut self, m: &saphyr_parser::Marker) -> usize {
        self.source.offset_near(&mut self.cursor, m.line(), m.col())
    }

    fn span(&mut self, s: &PSpan) -> Span {
        let start = self.offset(&s.start);
        let end = self.offset(&s.end).max(start);
        Span {
            file: self.file,
            start,
            len: end - start,
        }
    }

    fn limit(&self, at: Span, message: String, help: &str) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(Code::Limit, message)
                .at(at)
                .label("limit reached here")
                .help(help.to_string()),
        )
    }

    /// Counts `size` against the node and text limits.
    fn charge(&mut self, size: Size, at: Span) -> Res<()> {
        self.nodes += size.nodes;
        self.text += size.text;
        if self.nodes > MAX_NODES {
            return Err(self.limit(
                at,
                format!("this file builds more than {MAX_NODES} YAML nodes, the limit for a manifest"),
                "each use of an alias counts every node of its anchor again; a manifest is far smaller than this",
            ));
        }
        if self.text > MAX_TEXT_BYTES {
            return Err(self.limit(
                at,
                format!(
                    "this file builds more than {} MiB of text, the limit for a manifest",
                    MAX_TEXT_BYTES / (1024 * 1024)
                ),
                "each use of an alias counts the text of its anchor again; a manifest is far smaller than this",
            ));
        }
        Ok(())
    }

    /// Opens a list or mapping, refusing to nest deeper than the limit.
    fn open(&mut self, at: Span) -> Res<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.nesting_error(at));
        }
        self.depth += 1;
        self.charge(
            Size {
                nodes: 1,
                text: 0,
                height: 1,
            },
            at,
        )
    }

    fn nesting_error(&self, at: Span) -> Box<Diagnostic> {
        self.limit(
            at,
            format!("lists and mappings nest more than {MAX_DEPTH} levels deep here, the limit for a manifest"),
            "a manifest needs a dozen levels at most; check the indentation and the aliases used here",
        )
    }

    fn next(&mut self) -> Res<(Event<'a>, PSpan)> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                let m = e.marker();
                let mut offset = self.offset(m);
                let mut d = Diagnostic::error(Code::Syntax, format!("invalid YAML: {}", e.info()));
                // The scanner names where the scalar before the tab started; point at the
                // tab itself, which is usually in the next line's indentation.
                if e.info().contains("found a tab")
                    && let Some(tab) = indentation_tab(&self.source.text, offset)
                {
                    offset = tab;
                    d = d.help("YAML does not allow tabs in indentation: indent with spaces");
                } else if e.info().contains("indentation")
                    && self.source.text[offset..]
                        .trim_start_matches(' ')
                        .starts_with([']', '}'])
                {
                    d = d.help("the lines of a `[ … ]` or `{ … }` value, closing bracket included, must be indented more than its key");
                }
                Err(Box::new(d.at(Span::point(self.file, offset)).label("here")))
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
                let at = self.span(&span);
                let size = Size {
                    nodes: 1,
                    text: text.len(),
                    height: 0,
                };
                self.charge(size, at)?;
                let mut node = Node::scalar(text.into_owned(), style, at);
                node.tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                self.remember(anchor, &node)?;
                Ok(node)
            }
            Event::Alias(id) => {
                let at = self.span(&span);
                let Some(&(_, size)) = self.anchors.get(&id) else {
                    return Err(Box::new(
                        Diagnostic::error(Code::Syntax, "alias to an unknown anchor").at(at),
                    ));
                };
                if self.depth + size.height > MAX_DEPTH {
                    return Err(self.nesting_error(at));
                }
                self.charge(size, at)?;
                Ok(self.anchors[&id].0.clone())
            }
            Event::SequenceStart(anchor, tag) => {
                let start = self.span(&span);
                self.open(start)?;
                let mut items = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break self.span(&sp);
                    }
                    items.push(self.node(ev, sp)?);
                };
                self.depth -= 1;
                let node = Node {
                    value: Value::Seq(items),
                    span: join(start, end),
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                };
                self.remember(anchor, &node)?;
                Ok(node)
            }
            Event::MappingStart(anchor, tag) => {
                let start = self.span(&span);
                self.open(start)?;
                let mut entries = Entries::default();
                let mut merges: Vec<Node> = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break self.span(&sp);
                    }
                    let key = self.node(ev, sp)?;
                    let (kev, ksp) = self.next()?;
                    let value = self.node(kev, ksp)?;
                    let Value::Scalar(Scalar { text, .. }) = key.value else {
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
                    if let Some(first) = entries.get(&text) {
                        let line = self.source.line_of(first.key_span.start);
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
                    if entries.len() == MAX_KEYS_PER_MAP {
                        return Err(self.too_many_keys(key.span));
                    }
                    entries.push(Entry {
                        key: text,
                        key_span: key.span,
                        value,
                    });
                };
                self.depth -= 1;
                for m in merges {
                    self.merge_into(&mut entries, m);
                }
                if entries.len() > MAX_KEYS_PER_MAP {
                    return Err(self.too_many_keys(start));
                }
                let node = Node {
                    value: Value::Map(entries.list),
                    span: join(start, end),
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                };
                self.remember(anchor, &node)?;
                Ok(node)
            }
            _ => Err(Box::new(
                Diagnostic::error(Code::Syntax, "invalid YAML: unexpected event")
                    .at(self.span(&span)),
            )),
        }
    }

    fn too_many_keys(&self, at: Span) -> Box<Diagnostic> {
        self.limit(
            at,
            format!("this mapping has more than {MAX_KEYS_PER_MAP} keys, the limit for a manifest"),
            "a manifest mapping has a few dozen keys at most; is this the right file?",
        )
    }

    /// `<<: *base` or `<<: [*a, *b]`: copies keys the mapping does not set itself.
    fn merge_into(&mut self, entries: &mut Entries, m: Node) {
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
                if entries.get(&e.key).is_none() {
                    entries.push(e);
                }
            }
        }
    }

    /// Keeps a copy of an anchored node for the aliases to it; the copy counts against the
    /// limits like any other node.
    fn remember(&mut self, anchor: usize, node: &Node) -> Res<()> {
        if anchor > 0 {
            let size = Size::of(node);
            self.charge(size, node.span)?;
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok(())
    }
}

/// A mapping's entries being built, with an index to find a key in constant time.
#[derive(Default)]
struct Entries {
    list: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Entries {
    fn get(&self, key: &str) -> Option<&Entry> {
        self.index.get(key).map(|&i| &self.list[i])
    }

    fn push(&mut self, e: Entry) {
        self.index.insert(e.key.clone(), self.list.len());
        self.list.push(e);
    }

    fn len(&self) -> usize {
        self.list.len()
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
mod tests;
