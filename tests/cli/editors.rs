//! Editors: `wharf schema` accepts every manifest wharf accepts. Each manifest of
//! `examples/`, and each Copilot corpus manifest that wharf packages (the compat
//! snapshot's "packaged" lines), is checked against the schema `wharf schema` prints
//! with a standard JSON Schema (2020-12) validator, as an editor would.

use crate::util::{repo, wharf};
use std::path::{Path, PathBuf};

/// A manifest as an editor's YAML language server reads it (YAML 1.2 core types).
fn as_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = wharf::manifest::source::SourceMap::new();
    let mut diags = wharf::manifest::diag::Diagnostics::new();
    let id = map.add(path, text);
    wharf::manifest::yaml::parse(id, map.file(id), &mut diags)
        .unwrap_or_else(|| panic!("{} parses", path.display()))
        .to_json()
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            manifests(&p, out);
        } else if p
            .file_name()
            .is_some_and(|n| n == "manifest.yml" || n == "app.yml")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_manifest_wharf_accepts_validates_against_its_schema() {
    let d = crate::util::Dir::new();
    let out = wharf(d.path())
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema is valid");
    let mut files = Vec::new();
    manifests(&repo().join("examples"), &mut files);
    assert!(files.len() >= 12, "{files:?}");
    manifests(&repo().join("tests/fixtures/workspaces"), &mut files);
    // The corpus manifests wharf packages.
    let corpus = std::env::var_os("WHARF_COPILOT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/copilot-corpus"));
    let snapshot = std::fs::read_to_string(
        repo().join("tests/cli/snapshots/cli__compat__copilot_corpus.snap"),
    )
    .unwrap();
    let packaged: Vec<PathBuf> = snapshot
        .lines()
        .filter(|l| l.contains(": packaged for "))
        .map(|l| corpus.join(l.split(':').next().unwrap()))
        .collect();
    assert!(packaged.len() >= 5, "{packaged:?}");
    files.extend(packaged);
    let mut failures = Vec::new();
    for f in &files {
        let doc = as_json(f);
        for e in validator.iter_errors(&doc) {
            failures.push(format!("{}: {} at {}", f.display(), e, e.instance_path()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_schema_still_refuses_what_wharf_refuses() {
    let d = crate::util::Dir::new();
    let out = wharf(d.path())
        .args(["schema", "--kind", "service"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    // Overrides say only what differs, also inside nested definitions (a volume's
    // `read_only` without its `path`, a sidecar's port without its image).
    for ok in [
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "Dockerfile"},
            "environments": {"prod": {"count": 2, "subscribe": {"queue": {"timeout": "1m"}}}, "test": null}}),
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "Dockerfile"},
            "storage": {"volumes": {"data": {"path": "/data", "efs": {"id": "fs-0123abcd"}}}},
            "environments": {"prod": {"storage": {"volumes": {"data": {"read_only": false, "efs": {"root_dir": "/prod"}}}},
                "sidecars": {"proxy": {"port": 9000}}, "taskdef_overrides": [{"value": 1, "path": "Cpu"}]}}}),
    ] {
        assert!(
            validator.is_valid(&ok),
            "{:?}",
            validator
                .iter_errors(&ok)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
    }
    for bad in [
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "x"}, "colour": 1}),
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "x"}, "environments": {"prod": {"name": "other"}}}),
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "x"}, "environments": {"prod": {"colour": 1}}}),
        // Unknown keys stay refused inside relaxed definitions.
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "x"}, "environments": {"prod": {"storage": {"volumes": {"d": {"colour": 1}}}}}}),
        // The manifest itself still needs its required fields.
        serde_json::json!({"name": "w", "type": "Worker Service", "image": {"build": "x"}, "storage": {"volumes": {"d": {"read_only": true}}}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

/// The combined schema's definitions are each kind's: no two types share a definition
/// name (the environment's and a service's `observability` once did, and the service's
/// lost).
#[test]
fn definitions_do_not_collide_across_kinds() {
    let d = crate::util::Dir::new();
    let schema = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&crate::util::stdout_ok(d.path(), args)).unwrap()
    };
    let all = schema(&["schema"]);
    for kind in ["service", "environment", "application"] {
        let one = schema(&["schema", "--kind", kind]);
        for (name, def) in one["$defs"].as_object().unwrap() {
            assert_eq!(
                &all["$defs"][name], def,
                "definition {name} of the {kind} schema"
            );
        }
    }
}
