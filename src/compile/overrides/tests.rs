//! Task definition overrides and YAML patches on a real rendered template: each rule of
//! Copilot's meaning, and each way a path can miss.

use super::*;
use crate::compile::AppInfo;
use crate::compile::service::{ServiceInputs, compile_service};
use crate::manifest::decode::{Cx, Decode};
use crate::manifest::environment::EnvManifest;
use crate::manifest::patches::decode_file;
use std::collections::BTreeMap;

const SVC: &str = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n";

fn decode_node(text: &str) -> (Node, SourceMap) {
    let mut map = SourceMap::new();
    let id = map.add("t.yml", text.to_string());
    let mut d = Diagnostics::new();
    let n = yaml::parse(id, map.file(id), &mut d).unwrap();
    (n, map)
}

/// The service with `extra` manifest text and `patches` (a cfn.patches.yml body),
/// compiled for `test` and overridden.
fn compiled(extra: &str, patches: &str) -> Result<Node, Box<Diagnostics>> {
    let (n, _) = decode_node(&format!("{SVC}{extra}"));
    let mut d = Diagnostics::new();
    let mut m = ServiceManifest::decode(&n, &mut Cx::new(&mut d)).unwrap();
    assert!(!d.has_errors(), "{d:?}");
    if !patches.is_empty() {
        let (p, _) = decode_node(patches);
        m.patches = decode_file(&p, &mut Cx::new(&mut d)).unwrap();
        assert!(!d.has_errors(), "{d:?}");
    }
    let (e, _) = decode_node("name: test\ntype: Environment\n");
    let env = EnvManifest::decode(&e, &mut Cx::new(&mut d)).unwrap();
    let app = AppInfo {
        name: "shop".into(),
        tags: BTreeMap::new(),
        permissions_boundary: None,
        var_prefix: "WHARF",
        domain: None,
    };
    let inputs = ServiceInputs {
        app: &app,
        env: &env,
        priorities: Vec::new(),
        image_digests: &BTreeMap::new(),
        env_files: &BTreeMap::new(),
        subnets: None,
        addons_url: None,
        looked_up: None,
        image_tag: None,
    };
    let pkg = compile_service(&m, &inputs).unwrap();
    let out = apply(pkg.template, &m, "test")?;
    Ok(decode_node(&out.template).0)
}

fn at<'a>(n: &'a Node, path: &[&str]) -> &'a Node {
    let mut cur = n;
    for p in path {
        cur = match &cur.value {
            Value::Seq(items) => &items[p.parse::<usize>().unwrap()],
            _ => cur
                .get(p)
                .unwrap_or_else(|| panic!("no {p} in {:?}", cur.to_json())),
        };
    }
    cur
}

fn main_container(root: &Node) -> &Node {
    at(
        root,
        &[
            "Resources",
            "TaskDefinition",
            "Properties",
            "ContainerDefinitions",
            "0",
        ],
    )
}

fn error_text(d: &Diagnostics) -> String {
    d.iter()
        .map(|d| format!("{} @ {:?}", d.message, d.path))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn nothing_to_apply_keeps_the_rendered_text() {
    let (n, _) = decode_node(SVC);
    let mut d = Diagnostics::new();
    let m = ServiceManifest::decode(&n, &mut Cx::new(&mut d)).unwrap();
    let text = "Resources: {} # kept as is\n".to_string();
    let out = apply(text.clone(), &m, "test").unwrap();
    assert_eq!((out.template, out.parameters), (text, None));
}

/// The rules of the Copilot corpus manifest (`testdata/stacklocal`).
#[test]
fn copilot_rules_create_append_and_set() {
    let root = compiled(
        "taskdef_overrides:\n  - path: ContainerDefinitions[0].Ulimits[-].Name\n    value: cpu\n  - path: ContainerDefinitions[0].Ulimits[0].SoftLimit\n    value: 1024\n  - path: ContainerDefinitions[0].Ulimits[0].HardLimit\n    value: 2048\n  - path: ContainerDefinitions[0].PortMappings[-].ContainerPort\n    value: 2056\n  - path: ContainerDefinitions[0].PortMappings[1].Protocol\n    value: udp\n  - path: EphemeralStorage.SizeInGiB\n    value: 30\n  - path: ContainerDefinitions[0].Environment[-]\n    value:\n      Name: REGION\n      Value: !Ref AWS::Region\n",
        "",
    )
    .unwrap();
    let c = main_container(&root);
    assert_eq!(
        at(c, &["Ulimits"]).to_json(),
        serde_json::json!([{"Name": "cpu", "SoftLimit": 1024, "HardLimit": 2048}])
    );
    let ports = at(c, &["PortMappings"]).to_json();
    assert_eq!(ports[0]["ContainerPort"], 80, "{ports}");
    assert_eq!(
        ports[1],
        serde_json::json!({"ContainerPort": 2056, "Protocol": "udp"})
    );
    let td = at(&root, &["Resources", "TaskDefinition", "Properties"]);
    assert_eq!(at(td, &["EphemeralStorage", "SizeInGiB"]).to_json(), 30);
    let env = at(c, &["Environment"]);
    let Value::Seq(vars) = &env.value else {
        panic!()
    };
    let region = vars.last().unwrap();
    assert_eq!(region.get("Name").unwrap().as_str(), Some("REGION"));
    let v = region.get("Value").unwrap();
    assert_eq!(
        (v.tag.as_deref(), v.as_str()),
        (Some("!Ref"), Some("AWS::Region"))
    );
}

#[test]
fn rule_paths_that_miss_are_errors_at_the_rule() {
    for (rule, expect) in [
        (
            "ContainerDefinitions[3].Cpu",
            "`ContainerDefinitions` has 1 element, so `[3]` does not exist",
        ),
        (
            "ContainerDefinitions[0].Ulimits[0].Name",
            "`ContainerDefinitions[0].Ulimits` does not exist",
        ),
        (
            "ContainerDefinitions[0].Image.Tag",
            "`ContainerDefinitions[0].Image` is a `!Ref` function, not a mapping",
        ),
        ("Cpu[0]", "`Cpu` is a single value, not a list"),
    ] {
        let d = compiled(
            &format!("taskdef_overrides:\n  - path: {rule}\n    value: 1\n"),
            "",
        )
        .unwrap_err();
        let text = error_text(&d);
        assert!(text.contains(expect), "{rule}: {text}");
        assert!(text.contains("taskdef_overrides[0].path"), "{text}");
        let e = d.iter().next().unwrap();
        assert_eq!(e.environments, vec!["test".to_string()]);
        assert!(e.span.is_some());
    }
}

#[test]
fn patches_add_remove_and_replace_with_rfc_6902_meaning() {
    let root = compiled(
        "",
        "- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Ulimits\n  value:\n    - Name: nofile\n      SoftLimit: 4096\n      HardLimit: 8192\n- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Ulimits/0\n  value: {Name: cpu, SoftLimit: 1, HardLimit: 2}\n- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Ulimits/-\n  value: {Name: core, SoftLimit: 0, HardLimit: 0}\n- op: replace\n  path: /Resources/TaskDefinition/Properties/Cpu\n  value: !Ref AWS::NoValue\n- op: remove\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Ulimits/1\n- op: add\n  path: /Outputs/Extra~1Name\n  value: {Value: !GetAtt [Service, Name]}\n",
    )
    .unwrap();
    let names: Vec<_> = at(main_container(&root), &["Ulimits"])
        .to_json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Name"].clone())
        .collect();
    assert_eq!(names, vec!["cpu", "core"]);
    let cpu = at(&root, &["Resources", "TaskDefinition", "Properties", "Cpu"]);
    assert_eq!(cpu.tag.as_deref(), Some("!Ref"));
    let out = at(&root, &["Outputs", "Extra/Name", "Value"]);
    assert_eq!(out.tag.as_deref(), Some("!GetAtt"));
}

#[test]
fn patch_paths_that_miss_are_errors_at_the_patch() {
    for (patch, expect) in [
        (
            "- op: replace\n  path: /Resources/Nope/Type\n  value: x\n",
            "`/Resources` has no `Nope`",
        ),
        (
            "- op: remove\n  path: /Resources/TaskDefinition/Properties/Nope\n",
            "`/Resources/TaskDefinition/Properties` has no `Nope` (it has",
        ),
        (
            "- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/5\n  value: {}\n",
            "is a list of 1; `5` is not a place to add at (0 to 1",
        ),
        (
            "- op: remove\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/1\n",
            "is a list of 1; `1` is not an index in it",
        ),
        (
            "- op: add\n  path: /Resources/TaskDefinition/Type/X\n  value: 1\n",
            "`/Resources/TaskDefinition/Type` is a single value; nothing is inside it",
        ),
    ] {
        let d = compiled("", patch).unwrap_err();
        let text = error_text(&d);
        assert!(text.contains(expect), "{patch}: {text}");
        assert!(text.contains("[0].path"), "{text}");
    }
}

#[test]
fn patches_may_not_drop_wharfs_containers_and_results_stay_within_limits() {
    let d = compiled(
        "",
        "- op: replace\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/0/Name\n  value: other\n",
    )
    .unwrap_err();
    assert!(
        error_text(&d).contains("removes or renames container `api`"),
        "{}",
        error_text(&d)
    );
    // Appending a container is fine.
    compiled(
        "",
        "- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/-\n  value: {Name: extra, Image: busybox, Essential: false}\n",
    )
    .unwrap();
    // Ten containers at most: the main one and nine appended.
    let add = |n: usize| -> String {
        (0..n)
            .map(|i| format!("- op: add\n  path: /Resources/TaskDefinition/Properties/ContainerDefinitions/-\n  value: {{Name: extra{i}, Image: busybox, Essential: false}}\n"))
            .collect()
    };
    compiled("", &add(9)).unwrap();
    let d = compiled("", &add(10)).unwrap_err();
    assert!(
        error_text(&d).contains("has 11 containers; ECS takes at most 10"),
        "{}",
        error_text(&d)
    );
    let big = "x".repeat(70_000);
    let d = compiled(
        &format!("taskdef_overrides:\n  - path: ContainerDefinitions[0].DockerLabels.big\n    value: {big}\n"),
        "",
    )
    .unwrap_err();
    let text = error_text(&d);
    assert!(
        text.contains("ECS registers at most 64 KiB") && text.contains("taskdef_overrides[0].path"),
        "{text}"
    );
}
