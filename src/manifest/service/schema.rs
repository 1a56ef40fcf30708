//! The JSON Schema of a workload manifest: one object whose properties are the union of
//! every type's fields, each type-specific field's description naming the types that
//! accept it (the decoder enforces that; editors get completion for all).

use super::*;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value};

/// The properties of `T`'s inline object schema.
fn properties_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Map<String, Value> {
    let s = T::json_schema(generator);
    s.get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Schema of one property, with ` (accepted by …)` appended to its description.
fn for_types(schema: Schema, key: &str) -> Value {
    let mut v = schema.to_value();
    if let (Some(by), Some(o)) = (accepted_by(key), v.as_object_mut()) {
        let d = o
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches(" (Services.)")
            .to_string();
        o.insert(
            "description".into(),
            Value::String(format!("{d} Accepted by {by}.").trim().to_string()),
        );
    }
    v
}

/// The manifest's own properties that are not part of `Task` or `ServicePart`.
fn own_properties(generator: &mut SchemaGenerator) -> Vec<(&'static str, Schema)> {
    let with = |d: &str, s: Schema| {
        let mut v = s.to_value();
        if let Some(o) = v.as_object_mut() {
            o.insert("description".into(), Value::String(d.into()));
        }
        Schema::try_from(v).unwrap_or_default()
    };
    let name = generator.subschema_for::<String>();
    let kind = generator.subschema_for::<ServiceType>();
    let network = generator.subschema_for::<Network>();
    let publish = generator.subschema_for::<Publish>();
    let http_rules = generator.subschema_for::<Http>();
    let http = json_schema!({"anyOf": [http_rules, {"const": false}]});
    let nlb = generator.subschema_for::<Nlb>();
    let subscribe = generator.subschema_for::<Subscribe>();
    let on = generator.subschema_for::<job::On>();
    let retries = json_schema!({"type": "integer", "minimum": 0, "maximum": 10});
    let timeout = generator.subschema_for::<Duration>();
    vec![
        (
            "name",
            with(
                "Workload name; also the directory name in the workspace.",
                name,
            ),
        ),
        ("type", with("Workload type.", kind)),
        (
            "network",
            with("Networking (`network.connect`: services only).", network),
        ),
        (
            "publish",
            with("SNS topics this workload publishes to.", publish),
        ),
        (
            "http",
            with(
                "Load balancer routing; `false` for none (a Load Balanced Web Service with only `nlb`).",
                http,
            ),
        ),
        (
            "nlb",
            with("A Network Load Balancer of the service's own.", nlb),
        ),
        (
            "subscribe",
            with("The worker's queue and the topics feeding it.", subscribe),
        ),
        ("on", with("When the job runs.", on)),
        (
            "retries",
            with(
                "Times a failed task is run again (0-10). Default 0.",
                retries,
            ),
        ),
        (
            "timeout",
            with(
                "Longest a run may take, retries included. Default none.",
                timeout,
            ),
        ),
    ]
}

/// Prefix of the definitions used inside `environments.<env>`.
const PARTIAL: &str = "Partial";

/// A schema as an override may use it: no `required`, references to `Partial…` copies.
fn relax(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("required");
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
                && !name.starts_with(PARTIAL)
            {
                *r = format!("#/$defs/{PARTIAL}{name}");
            }
            map.values_mut().for_each(relax);
        }
        Value::Array(items) => items.iter_mut().for_each(relax),
        _ => {}
    }
}

impl JsonSchema for ServiceManifest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServiceManifest".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut props = Map::new();
        for (k, s) in own_properties(generator) {
            props.insert(k.to_string(), for_types(s, k));
        }
        for (k, v) in properties_of::<Task>(generator)
            .into_iter()
            .chain(properties_of::<ServicePart>(generator))
        {
            let s = Schema::try_from(v).unwrap_or_default();
            let key = k.clone();
            props.insert(k, for_types(s, &key));
        }
        // `environments.<env>`: the same fields but `name` and `type`, none required
        // (an override says only what differs; `null` changes nothing), down to nested
        // definitions: each gets a `Partial…` copy without `required`.
        let mut over = props.clone();
        over.remove("name");
        over.remove("type");
        let defs: Vec<(String, Value)> = generator
            .definitions()
            .iter()
            .filter(|(k, _)| !k.starts_with(PARTIAL))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, mut def) in defs {
            relax(&mut def);
            generator
                .definitions_mut()
                .insert(format!("{PARTIAL}{name}"), def);
        }
        for v in over.values_mut() {
            relax(v);
        }
        props.insert(
            "environments".into(),
            serde_json::json!({
                "description": "Per-environment overrides: `environments.<env>` holds any fields but `name` and `type`, merged over the manifest (scalars override, lists replace, maps merge).",
                "type": "object",
                "additionalProperties": {
                    "type": ["object", "null"],
                    "additionalProperties": false,
                    "properties": over,
                },
            }),
        );
        json_schema!({
            "title": "wharf service manifest",
            "type": "object",
            "additionalProperties": false,
            // `image` may come from an `environments` override only (Copilot's corpus does
            // that), so the schema does not require it; `wharf validate` says which
            // environment lacks it.
            "required": ["name", "type"],
            "properties": props,
        })
    }
}
