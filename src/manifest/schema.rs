//! JSON Schema of the manifests (for editors, `wharf schema`) and an index of which keys
//! belong where, derived from it, used to point out mis-indented keys. Pure.

use super::app::AppManifest;
use super::decode::KeyIndex;
use super::environment::EnvManifest;
use super::service::ServiceManifest;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Which manifest a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `<service>/manifest.yml`.
    Service,
    /// `environments/<env>/manifest.yml`.
    Environment,
    /// `app.yml`.
    Application,
}

/// The JSON Schema (draft 2020-12) of one kind of manifest.
pub fn schema(kind: Kind) -> Value {
    let s = match kind {
        Kind::Service => schemars::schema_for!(ServiceManifest),
        Kind::Environment => schemars::schema_for!(EnvManifest),
        Kind::Application => schemars::schema_for!(AppManifest),
    };
    let mut v = s.to_value();
    if let (Kind::Environment, Some(props)) = (kind, v.pointer_mut("/properties/type")) {
        *props = json!({"const": "Environment", "description": "Always `Environment`."});
    }
    v
}

/// One schema that accepts any of the three manifests.
pub fn combined() -> Value {
    let mut defs = Map::new();
    let mut any = Vec::new();
    for (kind, name) in [
        (Kind::Service, "ServiceManifest"),
        (Kind::Environment, "EnvManifest"),
        (Kind::Application, "AppManifest"),
    ] {
        let mut s = schema(kind);
        if let Some(Value::Object(d)) = s.as_object_mut().and_then(|o| o.remove("$defs")) {
            defs.extend(d);
        }
        if let Some(o) = s.as_object_mut() {
            o.remove("$schema");
        }
        defs.insert(name.to_string(), s);
        any.push(json!({"$ref": format!("#/$defs/{name}")}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "wharf manifest",
        "anyOf": any,
        "$defs": defs,
    })
}

/// Key → the dotted paths of the mappings it is valid in, for all three manifests.
pub struct SchemaKeys {
    parents: BTreeMap<String, Vec<String>>,
}

impl SchemaKeys {
    /// Builds the index from the schemas.
    pub fn build() -> Self {
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let s = schema(Kind::Service);
        walk(&s, &s, "", &mut parents, 0);
        for v in parents.values_mut() {
            v.sort();
            v.dedup();
        }
        SchemaKeys { parents }
    }
}

impl KeyIndex for SchemaKeys {
    fn parents_of(&self, key: &str) -> Vec<String> {
        self.parents.get(key).cloned().unwrap_or_default()
    }
}

/// A [`KeyIndex`] built on first use (most runs never need it).
#[derive(Default)]
pub struct LazyKeys(std::sync::OnceLock<SchemaKeys>);

impl KeyIndex for LazyKeys {
    fn parents_of(&self, key: &str) -> Vec<String> {
        self.0.get_or_init(SchemaKeys::build).parents_of(key)
    }
}

fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#"))
    {
        Some(ptr) => root.pointer(ptr).unwrap_or(v),
        None => v,
    }
}

fn walk(
    root: &Value,
    v: &Value,
    path: &str,
    out: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    let v = resolve(root, v);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = v.get(key) {
            for a in alts {
                walk(root, a, path, out, depth + 1);
            }
        }
    }
    if let Some(Value::Object(props)) = v.get("properties") {
        for (k, sub) in props {
            out.entry(k.clone()).or_default().push(path.to_string());
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            walk(root, sub, &child, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_rejects_unknown_keys_and_names_fields() {
        let s = schema(Kind::Service);
        assert_eq!(s["additionalProperties"], json!(false));
        let props = s["properties"].as_object().unwrap();
        for k in [
            "name",
            "type",
            "image",
            "cpu",
            "memory",
            "count",
            "http",
            "variables",
            "secrets",
            "deployment",
        ] {
            assert!(props.contains_key(k), "{k}");
        }
        assert!(s.to_string().contains("Load Balanced Web Service"));
    }

    #[test]
    fn key_index_knows_nested_fields() {
        let k = SchemaKeys::build();
        assert_eq!(k.parents_of("port"), ["http.healthcheck", "image"]);
        assert_eq!(k.parents_of("grace_period"), ["http.healthcheck"]);
        assert!(k.parents_of("nope").is_empty());
    }

    #[test]
    fn combined_schema_has_all_three() {
        let c = combined();
        assert_eq!(c["anyOf"].as_array().unwrap().len(), 3);
        assert!(c["$defs"]["EnvManifest"].is_object());
    }
}
