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

    /// The one diagnostic of a parse that must fail on a limit, and where it is.
    fn limit_error(text: &str) -> (Diagnostic, String) {
        let (n, d, map) = load(text);
        assert!(n.is_none(), "a document past a limit has no tree");
        let diag = d
            .iter()
            .find(|d| d.code == Code::Limit)
            .unwrap_or_else(|| panic!("a limit error, got {d:?}"))
            .clone();
        let at = map.line_col(diag.span.expect("located")).to_string();
        (diag, at)
    }

    #[test]
    fn block_nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
        // Found by fuzzing: 4,000 levels of `- ` overflowed the stack (exit 134).
        let (diag, at) = limit_error(&format!("{}x\n", "- ".repeat(4000)));
        assert!(
            diag.message
                .contains(&format!("more than {MAX_DEPTH} levels")),
            "{}",
            diag.message
        );
        assert_eq!(at, format!("1:{}", 2 * MAX_DEPTH + 1));
        let ok = format!("{}x\n", "- ".repeat(MAX_DEPTH));
        assert!(load(&ok).0.is_some(), "exactly the limit is fine");
    }

    #[test]
    fn flow_and_mapping_nesting_share_the_limit() {
        let (_, at) = limit_error(&format!("{}{}", "[".repeat(200), "]".repeat(200)));
        assert_eq!(at, format!("1:{}", MAX_DEPTH + 1));
        let nested_maps: String = (0..100)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect();
        let (_, at) = limit_error(&nested_maps);
        assert_eq!(at, format!("{}:{}", MAX_DEPTH + 1, 2 * MAX_DEPTH + 1));
    }

    #[test]
    fn an_alias_nests_its_anchor_where_it_is_used() {
        let deep = format!("{}x{}", "[".repeat(40), "]".repeat(40));
        let text = format!("a: &a {deep}\nb: {}*a{}\n", "[".repeat(40), "]".repeat(40));
        let (diag, at) = limit_error(&text);
        assert!(diag.message.contains("levels"), "{}", diag.message);
        assert_eq!(at, "2:44");
    }

    #[test]
    fn nested_aliases_stop_at_the_node_limit() {
        // The classic "billion laughs": each level holds ten aliases to the one before.
        // Copying every alias built 10^9 nodes (6 GB before it was killed); 10^6 is
        // enough to cross the limit.
        let mut text = String::from("l0: &l0 [lol]\n");
        for i in 1..=6 {
            let prev = i - 1;
            text.push_str(&format!(
                "l{i}: &l{i} [{}]\n",
                vec![format!("*l{prev}"); 10].join(", ")
            ));
        }
        let (diag, at) = limit_error(&text);
        assert!(
            diag.message
                .contains(&format!("more than {MAX_NODES} YAML nodes")),
            "{}",
            diag.message
        );
        assert!(at.starts_with("6:"), "{at}");
    }

    #[test]
    fn aliases_to_long_text_stop_at_the_text_limit() {
        let long = "x".repeat(MAX_TEXT_BYTES / 4);
        let text = format!("a: &a {long}\nb: [*a, *a, *a, *a]\n");
        let (diag, at) = limit_error(&text);
        assert!(diag.message.contains("MiB of text"), "{}", diag.message);
        assert_eq!(at, "2:9", "the anchor and its copy count too");
    }

    #[test]
    fn a_mapping_past_the_key_limit_is_an_error() {
        let keys: String = (0..=MAX_KEYS_PER_MAP)
            .map(|i| format!("K{i}: v\n"))
            .collect();
        let (diag, at) = limit_error(&keys);
        assert!(
            diag.message
                .contains(&format!("more than {MAX_KEYS_PER_MAP} keys")),
            "{}",
            diag.message
        );
        assert_eq!(at, format!("{}:1", MAX_KEYS_PER_MAP + 1));
        let keys: String = (0..MAX_KEYS_PER_MAP)
            .map(|i| format!("K{i}: v\n"))
            .collect();
        assert!(load(&keys).0.is_some(), "exactly the limit is fine");
    }

    #[test]
    fn many_variables_are_a_limit_error_not_minutes_of_work() {
        // Found by fuzzing: 100,000 keys under `variables:` took minutes, each duplicate
        // check scanning every earlier key.
        let vars: String = (0..100_000).map(|i| format!("  V{i}: x\n")).collect();
        let (_, at) = limit_error(&format!("name: api\nvariables:\n{vars}"));
        assert_eq!(at, format!("{}:3", MAX_KEYS_PER_MAP + 3));
    }

    #[test]
    fn merge_keys_do_not_repeat_keys_the_mapping_sets() {
        let (n, d, _) =
            load("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 0\n");
        assert!(d.is_empty(), "{d:?}");
        let c = n.unwrap().get("c").unwrap().clone();
        let keys: Vec<_> = c
            .as_map()
            .unwrap()
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str().unwrap()))
            .collect();
        assert_eq!(keys, [("x", "0"), ("y", "2"), ("z", "4")]);
    }

    #[test]
    fn positions_on_a_long_line_are_exact() {
        let text = format!("{{a: 1,{}é: 2, b: 3}}\n", " ".repeat(70_000));
        let (n, d, map) = load(&text);
        assert!(d.is_empty(), "{d:?}");
        let n = n.unwrap();
        assert_eq!(
            map.line_col(n.get("b").unwrap().span).to_string(),
            "1:70016"
        );
        let e = &n.as_map().unwrap()[1];
        assert_eq!(&text[e.key_span.start..e.key_span.start + 2], "é");
    }

    #[test]
    fn several_documents_are_an_error() {
        let (_, d, _) = load("a: 1\n---\nb: 2\n");
        assert_eq!(d.iter().next().unwrap().code, Code::Syntax);
    }
}
