//! Tests of the positioned YAML tree: positions, anchors and merges, and the limits.

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
fn a_tab_in_the_indentation_is_reported_where_it_is() {
    let (n, d, map) = load("image:\n  location: nginx\n\tport: 80\n");
    assert!(n.is_none());
    let diag = d.iter().next().unwrap();
    assert_eq!(diag.code, Code::Syntax);
    assert_eq!(map.line_col(diag.span.unwrap()).to_string(), "3:1");
    assert!(diag.help.as_deref().unwrap().contains("indent with spaces"));
    assert_eq!(indentation_tab("a: b\tc\n  \td", 0), Some(9));
    assert_eq!(indentation_tab("a: b\tc\n", 0), None);
}

#[test]
fn a_closing_bracket_at_the_keys_indentation_says_how_to_indent_it() {
    // YAML 1.2 wants a flow value's lines indented more than its key (libyaml and
    // PyYAML let it pass; saphyr, like the spec, does not).
    let (n, d, map) = load("command: [\n  \"sh\",\n  \"-c\"\n]\n");
    assert!(n.is_none());
    let diag = d.iter().next().unwrap();
    assert_eq!(map.line_col(diag.span.unwrap()).to_string(), "4:1");
    assert!(
        diag.help
            .as_deref()
            .unwrap()
            .contains("closing bracket included"),
        "{diag:?}"
    );
    let (n, d, _) = load("command: [\n  \"sh\",\n  \"-c\"\n  ]\n");
    assert!(n.is_some() && d.is_empty(), "{d:?}");
}

#[test]
fn resolves_anchors_aliases_and_merge_keys() {
    let (n, d, _) = load("base: &b\n  cpu: 256\n  memory: 512\nsvc:\n  <<: *b\n  memory: 1024\n");
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
    let (n, d, _) = load("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 0\n");
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
