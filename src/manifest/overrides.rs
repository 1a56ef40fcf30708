//! The `environments:` override block: merging one environment's overrides into a
//! service manifest, with Copilot's rules.
//!
//! Scalars override, lists replace, mappings merge key by key, a null override changes
//! nothing, and a value of another shape replaces the base (so `count: 3` replaces a
//! `count:` mapping). Where a mapping holds either/or fields, setting one form in the
//! override clears the other form (`image.location` clears `image.build`). Runs on nodes,
//! so merged values keep the position of whichever file line they came from. Pure.

use super::yaml::{Node, Value};
use std::collections::HashMap;

/// Either/or field groups: at `path`, setting a key of one group removes the keys of the
/// other groups that came from the base manifest.
const EXCLUSIVE: &[(&str, &[&[&str]])] = &[
    ("image", &[&["build"], &["location"]]),
    (
        "count",
        &[
            &[
                "range",
                "cpu_percentage",
                "memory_percentage",
                "requests",
                "response_time",
                "queue_delay",
            ],
            &["spot"],
        ],
    ),
    ("network.vpc.placement", &[&["subnets"]]),
    ("sidecars.*.image", &[&["build"], &["location"]]),
];

/// Whether the dotted `path` matches `pattern`, where a `*` segment matches any one key.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut k) = (pattern.split('.'), path.split('.'));
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// Returns `base` with the override block `over` merged in. `base` should not contain the
/// `environments` key (see [`split`]).
pub fn merge(base: &Node, over: &Node) -> Node {
    merge_at(base, over, &mut Vec::new())
}

fn merge_at(base: &Node, over: &Node, path: &mut Vec<String>) -> Node {
    if over.is_null() {
        return base.clone();
    }
    let (Value::Map(b), Value::Map(o)) = (&base.value, &over.value) else {
        return over.clone();
    };
    let here = path.join(".");
    let groups = EXCLUSIVE
        .iter()
        .find(|(p, _)| path_matches(p, &here))
        .map(|(_, g)| *g)
        .unwrap_or(&[]);
    let mut entries = b.clone();
    // Where each key is in `entries`, so each override key is found in constant time.
    let mut index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    for oe in o {
        if oe.value.is_null() {
            continue;
        }
        if let Some(group) = groups.iter().find(|g| g.contains(&oe.key.as_str())) {
            // Either/or groups exist only on small, fixed mappings (`image`, `count`…).
            entries.retain(|e| {
                !groups
                    .iter()
                    .any(|g| g != group && g.contains(&e.key.as_str()))
            });
            index = entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
        }
        match index.get(&oe.key) {
            Some(&i) => {
                let e = &mut entries[i];
                path.push(oe.key.clone());
                e.value = merge_at(&e.value, &oe.value, path);
                path.pop();
                e.key_span = oe.key_span;
            }
            None => {
                index.insert(oe.key.clone(), entries.len());
                entries.push(oe.clone());
            }
        }
    }
    Node {
        value: Value::Map(entries),
        span: base.span,
        tag: base.tag.clone(),
    }
}

/// Splits a service manifest into its base (without `environments`) and the
/// `environments` node, if any.
pub fn split(root: &Node) -> (Node, Option<Node>) {
    match &root.value {
        Value::Map(entries) => {
            let envs = entries
                .iter()
                .find(|e| e.key == "environments")
                .map(|e| e.value.clone());
            let base = entries
                .iter()
                .filter(|e| e.key != "environments")
                .cloned()
                .collect();
            (
                Node {
                    value: Value::Map(base),
                    span: root.span,
                    tag: root.tag.clone(),
                },
                envs,
            )
        }
        _ => (root.clone(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diag::Diagnostics;
    use crate::manifest::source::SourceMap;
    use crate::manifest::yaml;

    fn apply(text: &str, env: &str) -> Node {
        let mut map = SourceMap::new();
        let id = map.add("t.yml", text);
        let mut d = Diagnostics::new();
        let root = yaml::parse(id, map.file(id), &mut d).unwrap();
        let (base, envs) = split(&root);
        let over = envs.as_ref().and_then(|e| e.get(env)).cloned();
        match over {
            Some(o) => merge(&base, &o),
            None => base,
        }
    }

    #[test]
    fn scalars_override_and_maps_merge_per_key() {
        let n = apply(
            "cpu: 256\nvariables: {A: a, B: b}\nenvironments:\n  prod:\n    cpu: 512\n    variables: {B: bb, C: c}\n",
            "prod",
        );
        assert_eq!(n.get("cpu").unwrap().as_str(), Some("512"));
        let vars = n.get("variables").unwrap();
        assert_eq!(vars.get("A").unwrap().as_str(), Some("a"));
        assert_eq!(vars.get("B").unwrap().as_str(), Some("bb"));
        assert_eq!(vars.get("C").unwrap().as_str(), Some("c"));
        assert!(n.get("environments").is_none());
    }

    #[test]
    fn lists_replace() {
        let n = apply(
            "command: [a, b, c]\nenvironments:\n  prod:\n    command: [x]\n",
            "prod",
        );
        assert!(matches!(&n.get("command").unwrap().value, Value::Seq(v) if v.len() == 1));
    }

    #[test]
    fn another_shape_replaces_the_base() {
        let n = apply(
            "count:\n  range: 1-10\n  cpu_percentage: 70\nenvironments:\n  test:\n    count: 1\n",
            "test",
        );
        assert_eq!(n.get("count").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn either_or_fields_clear_the_other_form() {
        let n = apply(
            "image:\n  build: Dockerfile\n  port: 80\nenvironments:\n  staging:\n    image:\n      location: nginx\n",
            "staging",
        );
        let image = n.get("image").unwrap();
        assert!(image.get("build").is_none());
        assert_eq!(image.get("location").unwrap().as_str(), Some("nginx"));
        assert_eq!(image.get("port").unwrap().as_str(), Some("80"));
        let n = apply(
            "count:\n  range: 1-10\n  cpu_percentage: 70\nenvironments:\n  s:\n    count:\n      spot: 2\n",
            "s",
        );
        let count = n.get("count").unwrap();
        assert!(count.get("range").is_none() && count.get("cpu_percentage").is_none());
        assert_eq!(count.get("spot").unwrap().as_str(), Some("2"));
        // A sidecar's image in an environment: a location replaces the build, and a
        // URI replaces the mapping.
        let n = apply(
            "sidecars:\n  proxy:\n    image:\n      build: proxy/Dockerfile\n    port: 80\n  log:\n    image: {build: log/Dockerfile}\nenvironments:\n  prod:\n    sidecars:\n      proxy:\n        image:\n          location: envoy:1\n      log:\n        image: fluent-bit\n",
            "prod",
        );
        let s = n.get("sidecars").unwrap();
        let proxy = s.get("proxy").unwrap();
        assert!(proxy.get("image").unwrap().get("build").is_none());
        assert_eq!(
            proxy
                .get("image")
                .unwrap()
                .get("location")
                .unwrap()
                .as_str(),
            Some("envoy:1")
        );
        assert_eq!(proxy.get("port").unwrap().as_str(), Some("80"));
        assert_eq!(
            s.get("log").unwrap().get("image").unwrap().as_str(),
            Some("fluent-bit")
        );
        assert!(super::path_matches("sidecars.*.image", "sidecars.a.image"));
        assert!(!super::path_matches("sidecars.*.image", "sidecars.image"));
        assert!(!super::path_matches(
            "sidecars.*.image",
            "sidecars.a.image.build"
        ));
    }

    #[test]
    fn null_override_changes_nothing() {
        let n = apply("cpu: 256\nenvironments:\n  prod:\n    cpu:\n", "prod");
        assert_eq!(n.get("cpu").unwrap().as_str(), Some("256"));
        let n = apply("cpu: 256\nenvironments:\n  prod:\n", "prod");
        assert_eq!(n.get("cpu").unwrap().as_str(), Some("256"));
    }

    #[test]
    fn merged_values_keep_the_override_position() {
        let text = "cpu: 256\nenvironments:\n  prod:\n    cpu: 512\n";
        let n = apply(text, "prod");
        assert_eq!(n.get("cpu").unwrap().span.start, text.find("512").unwrap());
    }
}
