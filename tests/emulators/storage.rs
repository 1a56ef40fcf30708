//! Storage and networking of a task on moto: the environment's own EFS file system
//! (`efs: true`: file system, NFS security group, a mount target per private subnet),
//! the service's access point, a bind volume a sidecar mounts, and an extra security
//! group given by ID, all created by CloudFormation and read back from EFS, ECS and EC2.

use crate::harness::{boto, image_lab, moto_with, storefront_with_agent, wharf_lab, wharf_ok};

/// What the environment and api stacks created: the file system, its mount targets and
/// access points, and api's task definition and network configuration.
fn storage(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ecs, efs = client('cloudformation'), client('ecs'), client('efs')
fs = res('storefront-test', 'FileSystem')
fsd = efs.describe_file_systems(FileSystemId=fs)['FileSystems'][0]
mts = efs.describe_mount_targets(FileSystemId=fs)['MountTargets']
aps = efs.describe_access_points(FileSystemId=fs)['AccessPoints']
td = ecs.describe_task_definition(taskDefinition=res('storefront-test-api', 'TaskDefinition'))['taskDefinition']
svc = ecs.describe_services(cluster=res('storefront-test', 'Cluster'), services=[res('storefront-test-api', 'Service')])['services'][0]
print(json.dumps({
    'file_system': fs,
    'encrypted': fsd.get('Encrypted'),
    'mount_targets': len(mts),
    'access_points': [{'id': a['AccessPointId'], 'path': a['RootDirectory']['Path'], 'uid': a['PosixUser']['Uid']} for a in aps],
    'volumes': {v['name']: v for v in td.get('volumes', [])},
    'mounts': {c['name']: c.get('mountPoints', []) for c in td['containerDefinitions']},
    'security_groups': svc['networkConfiguration']['awsvpcConfiguration']['securityGroups'],
}))
"#,
    )
}

#[test]
fn the_environments_file_system_a_bind_volume_and_an_extra_security_group_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let storage_block = "    mount_points:\n      - source_volume: scratch\n        path: /agent/scratch\n        read_only: false\nstorage:\n  volumes:\n    catalog:\n      path: /srv/shared\n      read_only: false\n      efs:\n        uid: 1000\n        gid: 1000\n    scratch:\n      path: /scratch\n      read_only: false\n";
    let dir = storefront_with_agent("agent\n", storage_block);
    let d = dir.path();
    let manifest = d.join("wharf/api/manifest.yml");

    // The environment makes the file system because api asks for it.
    wharf_lab(d, ep, &lab)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success();
    // A security group of the environment's VPC that api's tasks also join.
    let sg = boto(
        ep,
        r#"
vpc = client('ssm').get_parameter(Name='/wharf/storefront/test/vpc-id')['Parameter']['Value']
g = client('ec2').create_security_group(GroupName='api-extra', Description='api extra', VpcId=vpc)
print(json.dumps(g['GroupId']))
"#,
    );
    let sg = sg.as_str().unwrap().to_string();
    let with_sg = std::fs::read_to_string(&manifest).unwrap().replace(
        "    placement: private\n",
        &format!("    placement: private\n    security_groups: [{sg}]\n"),
    );
    std::fs::write(&manifest, with_sg).unwrap();

    wharf_ok(d, ep, &lab, &["svc", "deploy", "-n", "api", "-e", "test"]);

    let s = storage(ep);
    let fs = s["file_system"].as_str().unwrap();
    assert_eq!(s["encrypted"], true);
    assert_eq!(s["mount_targets"], 2, "one per private subnet: {s}");
    let aps = s["access_points"].as_array().unwrap();
    assert_eq!(aps.len(), 1, "{s}");
    assert_eq!(aps[0]["path"], "/api");
    assert_eq!(aps[0]["uid"], 1000);
    let efs = &s["volumes"]["catalog"]["efsVolumeConfiguration"];
    assert_eq!(efs["fileSystemId"], fs);
    assert_eq!(efs["transitEncryption"], "ENABLED");
    assert_eq!(efs["authorizationConfig"]["accessPointId"], aps[0]["id"]);
    assert!(
        s["volumes"]["scratch"]
            .get("efsVolumeConfiguration")
            .is_none(),
        "scratch is a bind volume: {s}"
    );
    assert_eq!(
        s["mounts"]["api"],
        serde_json::json!([
            {"sourceVolume": "catalog", "containerPath": "/srv/shared", "readOnly": false},
            {"sourceVolume": "scratch", "containerPath": "/scratch", "readOnly": false}
        ])
    );
    assert_eq!(
        s["mounts"]["agent"],
        serde_json::json!([{"sourceVolume": "scratch", "containerPath": "/agent/scratch", "readOnly": false}])
    );
    let groups: Vec<&str> = s["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(
        groups.len(),
        2,
        "the environment's and the extra one: {groups:?}"
    );
    assert!(groups.contains(&sg.as_str()), "{groups:?}");
}
