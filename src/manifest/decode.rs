//! Turning YAML nodes into typed manifest values while collecting every problem.
//!
//! Unlike serde, decoding does not stop at the first error: each field that fails is
//! reported (with its YAML path and position) and decoding goes on with the rest, so one
//! run shows all mistakes. [`Fields`] reads a mapping and reports unknown keys with a
//! "did you mean" suggestion, and keys wharf knows but does not support yet.
//! Pure: works on parsed nodes only.

use super::diag::{Code, Diagnostic, Diagnostics};
use super::limits::MAX_SUGGEST_CHARS;
use super::source::Span;
use super::yaml::{Node, Style, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Deref;

/// A value and where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with a span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Where a key may appear, used to spot mis-indented keys. Built from the JSON Schema.
pub trait KeyIndex {
    /// Dotted paths of the mappings in which `key` is a valid field.
    fn parents_of(&self, key: &str) -> Vec<String>;
}

/// Decoding context: the diagnostics list and the YAML path of the node being decoded.
pub struct Cx<'d> {
    diags: &'d mut Diagnostics,
    path: Vec<String>,
    keys: Option<&'d dyn KeyIndex>,
    /// Prefix for every reported path (e.g. the override block being read).
    root: String,
    /// Paths of fields that were present but could not be read; validation uses this
    /// to avoid reporting them again as missing.
    pub(crate) failed: Vec<String>,
}

impl<'d> Cx<'d> {
    /// A context that reports into `diags`.
    pub fn new(diags: &'d mut Diagnostics) -> Self {
        Cx {
            diags,
            path: Vec::new(),
            keys: None,
            root: String::new(),
            failed: Vec::new(),
        }
    }

    /// Uses `keys` to suggest where a mis-indented key belongs.
    pub fn with_key_index(mut self, keys: &'d dyn KeyIndex) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The current YAML path, like `http.healthcheck.interval` or `sidecars[0]`.
    pub fn path(&self) -> String {
        let mut s = self.root.clone();
        for seg in &self.path {
            if seg.starts_with('[') || s.is_empty() {
                s.push_str(seg);
            } else {
                s.push('.');
                s.push_str(seg);
            }
        }
        s
    }

    /// The path of a child of the current node.
    pub fn child_path(&self, key: &str) -> String {
        let p = self.path();
        if p.is_empty() {
            key.to_string()
        } else {
            format!("{p}.{key}")
        }
    }

    /// Takes the paths of present-but-unreadable fields recorded so far.
    pub fn take_failed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.failed)
    }

    /// Runs `f` with `seg` appended to the path.
    pub fn at<T>(&mut self, seg: impl Into<String>, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg.into());
        let out = f(self);
        self.path.pop();
        out
    }

    /// Reports a diagnostic, filling in the current path when it has none.
    pub fn report(&mut self, mut d: Diagnostic) {
        if d.path.is_none() {
            d = d.path(self.path());
        }
        self.diags.push(d);
    }

    /// Reports an error at `span` with the current path.
    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        let d = Diagnostic::error(code, message).at(span);
        self.report(d);
    }

    /// Reports that `node` has the wrong shape.
    pub fn type_error(&mut self, node: &Node, expected: &str) {
        let path = self.path();
        let what = if path.is_empty() {
            "the manifest".to_string()
        } else {
            format!("`{path}`")
        };
        let d = Diagnostic::error(
            Code::InvalidType,
            format!("{what} must be {expected}, found {}", node.describe()),
        )
        .at(node.span)
        .label(format!("expected {expected}"));
        self.report(d);
    }

    /// Reports an invalid value at `span`.
    pub fn invalid(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        let d = Diagnostic::error(Code::InvalidValue, message)
            .at(span)
            .maybe_help(help);
        self.report(d);
    }
}

/// A manifest value that can be read from a node.
pub trait Decode: Sized {
    /// Reads `node`, reporting problems into `cx`. `None` when it could not be read.
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self>;
}

impl<T: Decode> Decode for Spanned<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        T::decode(node, cx).map(|v| Spanned::new(v, node.span))
    }
}

/// Reports a CloudFormation function (`!Sub`, `!Ref`, …) where wharf takes a plain value:
/// it would reach the template as literal text. `true` when `node` has one.
pub fn refuse_function(node: &Node, cx: &mut Cx) -> bool {
    let Some(tag) = node
        .tag
        .as_deref()
        .filter(|t| t.starts_with('!') && !t.starts_with("!!"))
    else {
        return false;
    };
    let path = cx.path();
    let d = Diagnostic::error(
        Code::InvalidValue,
        format!("`{path}` cannot be a CloudFormation function (`{tag}`)"),
    )
    .at(node.span)
    .help("wharf writes this value into the template as text; a value another stack exports is `{from_cfn: <export>}`, and any template property can be set with `taskdef_overrides` or a YAML patch, which keep functions");
    cx.report(d);
    true
}

impl Decode for String {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if refuse_function(node, cx) {
            return None;
        }
        match &node.value {
            Value::Scalar(s) if !node.is_null() => Some(s.text.clone()),
            _ => {
                cx.type_error(node, "a string");
                None
            }
        }
    }
}

impl Decode for bool {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let parsed = match &node.value {
            Value::Scalar(s) if s.style == Style::Plain => parse_bool(&s.text),
            _ => None,
        };
        if parsed.is_none() {
            cx.type_error(node, "true or false");
        }
        parsed
    }
}

/// YAML booleans as Copilot reads them (YAML 1.2 plus the 1.1 words yaml.v3 accepts).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

macro_rules! decode_int {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
                let parsed = match &node.value {
                    Value::Scalar(s) if s.style == Style::Plain => s.text.parse::<$t>().ok(),
                    _ => None,
                };
                if parsed.is_none() {
                    let expected = if <$t>::MIN == 0 { "a whole number, 0 or more" } else { "a whole number" };
                    match node.as_scalar().map(|s| s.text.parse::<i128>()) {
                        // The type's own bounds mean little to a user below zero.
                        Some(Ok(n)) if n < 0 && <$t>::MIN == 0 && node.as_scalar().is_some_and(|s| s.style == Style::Plain) => {
                            cx.error(Code::Range, node.span, format!(
                                "`{}` is {n}, must be 0 or more", cx.path()));
                        }
                        Some(Ok(n)) if node.as_scalar().is_some_and(|s| s.style == Style::Plain) => {
                            cx.error(Code::Range, node.span, format!(
                                "`{}` is {n}, must be from {} to {}", cx.path(), <$t>::MIN, <$t>::MAX));
                        }
                        _ => cx.type_error(node, expected),
                    }
                }
                parsed
            }
        }
    )*};
}
decode_int!(u16, u32, u64, i64);

impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Seq(items) = &node.value else {
            cx.type_error(node, "a list");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match cx.at(format!("[{i}]"), |cx| T::decode(item, cx)) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// A mapping from user-chosen keys (variable names, secret names) to values, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed<T>(pub Vec<(Spanned<String>, T)>);

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<T> Keyed<T> {
    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = &(Spanned<String>, T)> {
        self.0.iter()
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
}

impl<T: Decode> Decode for Keyed<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(entries) = &node.value else {
            cx.type_error(node, "a mapping");
            return None;
        };
        let mut out = Vec::new();
        for e in entries {
            if let Some(v) = cx.at(e.key.clone(), |cx| T::decode(&e.value, cx)) {
                out.push((Spanned::new(e.key.clone(), e.key_span), v));
            }
        }
        Some(Keyed(out))
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Keyed<T> {
    fn schema_name() -> Cow<'static, str> {
        BTreeMap::<String, T>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BTreeMap::<String, T>::json_schema(generator)
    }
}

/// Reads the fields of one mapping. Each `opt`/`req`/`unsupported` call declares a key as
/// known; [`Fields::finish`] reports the keys nobody asked for.
pub struct Fields<'n> {
    node: &'n Node,
    used: Vec<bool>,
    known: Vec<&'static str>,
    what: &'static str,
}

impl<'n> Fields<'n> {
    /// Starts reading `node`, which must be a mapping; `what` names it in messages
    /// ("service manifest", "healthcheck").
    pub fn new(node: &'n Node, cx: &mut Cx, what: &'static str) -> Option<Self> {
        let Value::Map(entries) = &node.value else {
            cx.type_error(node, "a mapping");
            return None;
        };
        Some(Fields {
            node,
            used: vec![false; entries.len()],
            known: Vec::new(),
            what,
        })
    }

    fn entries(&self) -> &'n [super::yaml::Entry] {
        self.node.as_map().unwrap_or(&[])
    }

    /// The node at `key`, if present and not null. Declares `key` as known.
    pub fn node(&mut self, key: &'static str) -> Option<&'n Node> {
        self.known.push(key);
        let entries = self.entries();
        let i = entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        let n = &entries[i].value;
        (!n.is_null()).then_some(n)
    }

    /// The span of the key `key`, if present.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries()
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.key_span)
    }

    /// Decodes an optional field.
    pub fn opt<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<T> {
        let n = self.node(key)?;
        let v = cx.at(key, |cx| T::decode(n, cx));
        if v.is_none() {
            cx.failed.push(cx.child_path(key));
        }
        v
    }

    /// Decodes a required field, reporting it when missing.
    pub fn req<T: Decode>(&mut self, cx: &mut Cx, key: &'static str) -> Option<T> {
        match self.node(key) {
            Some(_) => self.opt(cx, key),
            None => {
                let d = Diagnostic::error(
                    Code::MissingField,
                    format!("missing required field `{}`", cx.child_path(key)),
                )
                .at(Span {
                    len: 0,
                    ..self.node.span
                })
                .label(format!("this {} needs `{key}`", self.what))
                .path(cx.child_path(key));
                cx.report(d);
                None
            }
        }
    }

    /// Declares `key` as a field wharf knows but does not support yet: using it is an error
    /// that names the field, never a silent drop. `accept` lets a value that means "off"
    /// (like `connect: false`) through.
    pub fn unsupported(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        feature: &str,
        accept: impl Fn(&Node) -> bool,
    ) {
        if let Some(n) = self.node(key)
            && !accept(n)
        {
            let span = self.key_span(key).unwrap_or(n.span);
            cx.failed.push(cx.child_path(key));
            let d = Diagnostic::error(
                Code::Unsupported,
                format!("`{}` is not supported by wharf yet", cx.child_path(key)),
            )
            .at(span)
            .label("not supported yet")
            .help(format!(
                "{feature} is not available in this version of wharf; remove `{key}` or keep this service on Copilot for now"
            ))
            .path(cx.child_path(key));
            cx.report(d);
        }
    }

    /// Reports every key that no `opt`/`req`/`unsupported` call declared.
    pub fn finish(self, cx: &mut Cx) {
        for (e, used) in self.entries().iter().zip(&self.used) {
            if *used || self.known.contains(&e.key.as_str()) {
                continue;
            }
            let suggestion = suggest(&e.key, &self.known);
            if let Some(k) = suggestion {
                // A misspelt field is present, just unreadable: not also "missing".
                cx.failed.push(cx.child_path(k));
            }
            let help = suggestion
                .map(|k| format!("did you mean `{k}`?"))
                .or_else(|| {
                    let parents = cx.keys.map(|k| k.parents_of(&e.key)).unwrap_or_default();
                    let here = cx.path();
                    let parents: Vec<_> = parents.into_iter().filter(|p| *p != here).collect();
                    (!parents.is_empty()).then(|| {
                        let list = parents
                            .iter()
                            .map(|p| {
                                if p.is_empty() {
                                    "the top level".to_string()
                                } else {
                                    format!("`{p}`")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" or ");
                        format!("`{}` is a field of {list}; check its indentation", e.key)
                    })
                })
                .or_else(|| {
                    let mut known = self.known.clone();
                    known.sort_unstable();
                    known.dedup();
                    Some(format!("known fields here: {}", known.join(", ")))
                });
            let d = Diagnostic::error(
                Code::UnknownKey,
                format!("unknown key `{}` in {}", e.key, self.what),
            )
            .at(e.key_span)
            .label("not a field here")
            .path(cx.child_path(&e.key))
            .maybe_help(help);
            cx.report(d);
        }
    }
}

/// The known word closest to `word`, if one is close enough to be a likely typo.
///
/// Words longer than [`MAX_SUGGEST_CHARS`] get no suggestion: edit distance costs the
/// product of the two lengths, and no field name is that long.
pub fn suggest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    if word.chars().nth(MAX_SUGGEST_CHARS).is_some() {
        return None;
    }
    let w = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            let k_low = k.to_ascii_lowercase();
            (
                strsim::normalized_damerau_levenshtein(&w, &k_low),
                strsim::jaro_winkler(&w, &k_low),
                *k,
            )
        })
        .filter(|(dl, jw, _)| *dl >= 0.6 || *jw >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml;

    fn node(text: &str) -> (Node, SourceMap) {
        let mut map = SourceMap::new();
        let id = map.add("t.yml", text);
        let mut d = Diagnostics::new();
        let n = yaml::parse(id, map.file(id), &mut d).unwrap();
        assert!(d.is_empty());
        (n, map)
    }

    #[derive(Debug)]
    #[allow(dead_code)] // fields are decoded to exercise `Fields`; tests look at diagnostics
    struct Probe {
        port: Option<u16>,
        name: Option<String>,
    }
    impl Decode for Probe {
        fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
            let mut f = Fields::new(node, cx, "probe")?;
            let p = Probe {
                port: f.opt(cx, "port"),
                name: f.req(cx, "name"),
            };
            f.unsupported(cx, "sidecars", "Sidecar containers", |_| false);
            f.unsupported(cx, "connect", "Service Connect", |n| {
                n.as_str() == Some("false")
            });
            f.finish(cx);
            Some(p)
        }
    }

    fn run(text: &str) -> (Option<Probe>, Diagnostics, SourceMap) {
        let (n, map) = node(text);
        let mut d = Diagnostics::new();
        let p = Probe::decode(&n, &mut Cx::new(&mut d));
        (p, d, map)
    }

    #[test]
    fn unknown_key_suggests_the_close_one() {
        let (_, d, map) = run("name: a\nprot: 80\n");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::UnknownKey);
        assert_eq!(diag.help.as_deref(), Some("did you mean `port`?"));
        assert_eq!(diag.path.as_deref(), Some("prot"));
        assert_eq!(map.line_col(diag.span.unwrap()).to_string(), "2:1");
    }

    #[test]
    fn unknown_key_far_from_all_lists_the_known_ones() {
        let (_, d, _) = run("name: a\nzzzzzz: 1\n");
        assert!(
            d.iter()
                .next()
                .unwrap()
                .help
                .as_deref()
                .unwrap()
                .starts_with("known fields here: connect, name")
        );
    }

    #[test]
    fn all_errors_are_reported_not_only_the_first() {
        let (_, d, _) = run("port: abc\nbogus: 1\n");
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![Code::InvalidType, Code::MissingField, Code::UnknownKey]
        );
    }

    #[test]
    fn out_of_range_number_is_a_range_error() {
        let (_, d, _) = run("name: a\nport: 70000\n");
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Range);
        assert!(diag.message.contains("70000"), "{}", diag.message);
    }

    #[test]
    fn quoted_number_is_a_type_error() {
        let (_, d, _) = run("name: a\nport: '80'\n");
        assert!(d.iter().next().unwrap().message.contains("found a string"));
    }

    #[test]
    fn unsupported_field_is_named_and_off_value_is_accepted() {
        let (_, d, _) = run("name: a\nsidecars: {x: 1}\nconnect: false\n");
        let v: Vec<_> = d.iter().collect();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].code, Code::Unsupported);
        assert!(v[0].message.contains("`sidecars`"));
        let (_, d, _) = run("name: a\nconnect: true\n");
        assert_eq!(d.iter().next().unwrap().code, Code::Unsupported);
    }

    #[test]
    fn bools_accept_yaml_1_1_words() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("off"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn keyed_keeps_order_and_key_spans() {
        let (n, map) = node("B: 1\nA: two\n");
        let mut d = Diagnostics::new();
        let k = Keyed::<String>::decode(&n, &mut Cx::new(&mut d)).unwrap();
        let keys: Vec<_> = k.iter().map(|(k, _)| k.value.as_str()).collect();
        assert_eq!(keys, ["B", "A"]);
        assert_eq!(map.line_col(k.0[1].0.span).to_string(), "2:1");
    }
}
