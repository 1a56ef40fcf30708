//! The task definition features of the fixture workspaces, deployed on moto and read
//! back from ECS and CloudWatch Logs: FireLens log routing and the X-Ray collector
//! (tests/fixtures/workspaces/observability), and a Copilot service's
//! `taskdef_overrides` and YAML patches (tests/fixtures/workspaces/overrides).

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_lab, wharf_ok};

/// Each container of `stack`'s task definition, by name, as ECS describes it.
fn containers(endpoint: &str, stack: &str) -> serde_json::Value {
    boto(
        endpoint,
        &format!(
            r#"
cfn, ecs = client('cloudformation'), client('ecs')
res = cfn.describe_stack_resource(StackName={stack:?}, LogicalResourceId='TaskDefinition')
td = ecs.describe_task_definition(taskDefinition=res['StackResourceDetail']['PhysicalResourceId'])['taskDefinition']
out = {{c['name']: c for c in td['containerDefinitions']}}
out['$task'] = {{k: td.get(k) for k in ['ephemeralStorage', 'runtimePlatform']}}
print(json.dumps(out))
"#
        ),
    )
}

#[test]
fn firelens_and_the_xray_collector_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("observability");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["deploy", "-e", "dev", "--all"]);

    let api = containers(ep, "watch-dev-api");
    let names: Vec<&String> = api.as_object().unwrap().keys().collect();
    // Copilot's order, which `taskdef_overrides` indexes: main, router, collector.
    assert_eq!(
        names,
        ["api", "firelens_log_router", "aws-otel-collector", "$task"]
    );
    let log = &api["api"]["logConfiguration"];
    assert_eq!(log["logDriver"], "awsfirelens");
    assert_eq!(log["options"]["Name"], "cloudwatch_logs");
    assert_eq!(log["options"]["log_group_name"], "/watch/api");
    assert_eq!(log["secretOptions"][0]["name"], "API_KEY");
    let router = &api["firelens_log_router"];
    assert_eq!(router["firelensConfiguration"]["type"], "fluentbit");
    assert_eq!(
        router["firelensConfiguration"]["options"]["enable-ecs-log-metadata"],
        "true"
    );
    assert_eq!(router["essential"], true);
    let collector = &api["aws-otel-collector"];
    assert_eq!(collector["essential"], false);
    assert!(
        collector["command"].to_string().contains("ecs-xray.yaml"),
        "{collector}"
    );

    let audit = containers(ep, "watch-dev-audit");
    let router = &audit["firelens_log_router"];
    assert_eq!(
        router["image"],
        "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4"
    );
    let options = &router["firelensConfiguration"]["options"];
    assert_eq!(options["enable-ecs-log-metadata"], "false");
    assert_eq!(options["config-file-type"], "file");
    assert_eq!(options["config-file-value"], "/fluent-bit/etc/extra.conf");
    assert_eq!(
        audit["audit"]["logConfiguration"]["options"]["delivery_stream"],
        "audit-trail"
    );
}

#[test]
fn taskdef_overrides_and_yaml_patches_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("overrides");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["deploy", "-e", "dev", "--all"]);

    let api = containers(ep, "tuned-dev-api");
    let main = &api["api"];
    // dev replaces the base list of rules: its ulimit and disk, no init process.
    assert_eq!(
        main["ulimits"],
        serde_json::json!([{"name": "nofile", "softLimit": 4096, "hardLimit": 8192}])
    );
    assert_eq!(api["$task"]["ephemeralStorage"]["sizeInGiB"], 40);
    let logs = boto(
        ep,
        r#"
g = client('logs').describe_log_groups(logGroupNamePrefix='/copilot/tuned-dev-api')['logGroups'][0]
tags = client('logs').list_tags_log_group(logGroupName=g['logGroupName'])['tags']
print(json.dumps({'retention': g.get('retentionInDays'), 'tags': tags}))
"#,
    );
    assert_eq!(logs["retention"], 90, "the patch replaced 30: {logs}");
    assert_eq!(logs["tags"]["cost-center"], "tuned-dev-api-logs", "{logs}");
}

/// The sidecars fixture's web service: an Envoy sidecar taking the load balancer's
/// traffic once the app is healthy, a log shipper the app waits for, private registry
/// credentials, environment files, and an existing EFS file system exported by another
/// stack (`from_cfn`) mounted through an access point. Then its backend in chosen
/// subnets, with a security group, a variable and a secret other stacks export.
#[test]
fn sidecars_start_orders_and_an_exported_file_system_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("sidecars");
    let d = dir.path();
    // The application's bucket holds the environment files.
    wharf_lab(d, ep, &lab)
        .args(["app", "init", "mesh"])
        .assert()
        .success();
    wharf_lab(d, ep, &lab)
        .args(["env", "deploy", "-n", "dev"])
        .assert()
        .success();
    // Another stack (an addon, say) exports the file system.
    let fs = boto(
        ep,
        r#"
import time
fs = client('efs').create_file_system(CreationToken='assets', Encrypted=True)['FileSystemId']
body = json.dumps({'Resources': {'P': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/mesh/dev/assets-fs', 'Type': 'String', 'Value': fs}}},
                   'Outputs': {'Fs': {'Value': fs, 'Export': {'Name': 'mesh-dev-AssetsFileSystem'}}}})
cfn = client('cloudformation')
cfn.create_stack(StackName='mesh-dev-assets', TemplateBody=body)
for _ in range(50):
    if cfn.describe_stacks(StackName='mesh-dev-assets')['Stacks'][0]['StackStatus'] == 'CREATE_COMPLETE':
        break
    time.sleep(0.1)
print(json.dumps(fs))
"#,
    );
    wharf_ok(d, ep, &lab, &["svc", "deploy", "-n", "front", "-e", "dev"]);

    let c = containers(ep, "mesh-dev-front");
    let names: Vec<&String> = c.as_object().unwrap().keys().collect();
    assert_eq!(names, ["front", "envoy", "shipper", "$task"]);
    // ARM64 on Fargate Spot (user's case 3), and 20 GiB of ephemeral storage, Fargate's
    // default, left out (case 2).
    assert_eq!(
        c["$task"]["runtimePlatform"],
        serde_json::json!({"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"})
    );
    assert_eq!(c["$task"]["ephemeralStorage"], serde_json::Value::Null);
    let front = &c["front"];
    assert_eq!(
        front["dependsOn"],
        serde_json::json!([{"containerName": "shipper", "condition": "START"}])
    );
    assert_eq!(
        c["envoy"]["dependsOn"],
        serde_json::json!([{"containerName": "front", "condition": "HEALTHY"}])
    );
    assert_eq!(
        front["repositoryCredentials"]["credentialsParameter"],
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:registry-creds"
    );
    assert_eq!(c["shipper"]["essential"], false);
    assert_eq!(
        c["shipper"]["portMappings"],
        serde_json::json!([{"containerPort": 5140, "protocol": "udp"}])
    );
    for container in ["front", "envoy"] {
        let files = c[container]["environmentFiles"].as_array().unwrap();
        assert_eq!(files.len(), 1, "{container}: {files:?}");
        assert!(
            files[0]["value"].as_str().unwrap().contains("/env-files/"),
            "{files:?}"
        );
    }
    let volumes = boto(
        ep,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
td = ecs.describe_task_definition(taskDefinition=res('mesh-dev-front', 'TaskDefinition'))['taskDefinition']
svc = ecs.describe_services(cluster=res('mesh-dev', 'Cluster'), services=[res('mesh-dev-front', 'Service')])['services'][0]
print(json.dumps({'volumes': {v['name']: v for v in td['volumes']}, 'lb': svc['loadBalancers'], 'strategy': svc.get('capacityProviderStrategy')}))
"#,
    );
    let efs = &volumes["volumes"]["assets"]["efsVolumeConfiguration"];
    assert_eq!(efs["fileSystemId"], fs, "{volumes}");
    assert_eq!(
        efs["authorizationConfig"]["accessPointId"],
        "fsap-0123456789abcdef0"
    );
    assert_eq!(
        volumes["strategy"],
        serde_json::json!([{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    );
    assert_eq!(volumes["lb"][0]["containerName"], "envoy");
    assert_eq!(volumes["lb"][0]["containerPort"], 8080);

    // ledger: in chosen subnets of the environment's VPC, joining a security group
    // another stack exports, with a variable and a secret exported too, and a sidecar
    // built from the workspace.
    let ids = boto(
        ep,
        r#"
import time
ssm, ec2, cfn = client('ssm'), client('ec2'), client('cloudformation')
vpc = ssm.get_parameter(Name='/wharf/mesh/dev/vpc-id')['Parameter']['Value']
subnets = ssm.get_parameter(Name='/wharf/mesh/dev/private-subnets')['Parameter']['Value'].split(',')
sg = ec2.create_security_group(GroupName='db-clients', Description='db clients', VpcId=vpc)['GroupId']
extra = ec2.create_security_group(GroupName='ledger-extra', Description='ledger', VpcId=vpc)['GroupId']
exports = {'DatabaseClientSecurityGroup': sg, 'LedgerTableName': 'ledger-table',
           'LedgerDbSecretArn': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ledger/db-AbCdEf'}
body = json.dumps({'Resources': {'P': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/mesh/dev/ledger', 'Type': 'String', 'Value': 'x'}}},
                   'Outputs': {k: {'Value': v, 'Export': {'Name': f'mesh-dev-{k}'}} for k, v in exports.items()}})
cfn.create_stack(StackName='mesh-dev-ledger-addon', TemplateBody=body)
for _ in range(50):
    if cfn.describe_stacks(StackName='mesh-dev-ledger-addon')['Stacks'][0]['StackStatus'] == 'CREATE_COMPLETE':
        break
    time.sleep(0.1)
print(json.dumps({'subnets': subnets, 'sg': sg, 'extra': extra}))
"#,
    );
    let subnets: Vec<&str> = ids["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let ledger = d.join("wharf/ledger/manifest.yml");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(
        &ledger,
        text.replace(
            "subnets: [subnet-0a1b2c3d4e5f60718, subnet-0a1b2c3d4e5f60719]",
            &format!("subnets: [{}]", subnets[0]),
        )
        .replace("sg-0123456789abcdef0", ids["extra"].as_str().unwrap()),
    )
    .unwrap();
    let err = wharf_ok(d, ep, &lab, &["svc", "deploy", "-n", "ledger", "-e", "dev"]);
    assert!(
        err.contains("image ledger/metrics: built and pushed"),
        "{err}"
    );
    let c = containers(ep, "mesh-dev-ledger");
    let env: serde_json::Map<String, serde_json::Value> = c["ledger"]["environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["value"].clone()))
        .collect();
    assert_eq!(env["TABLE_NAME"], "ledger-table");
    assert_eq!(
        c["ledger"]["secrets"],
        serde_json::json!([{"name": "DB_SECRET", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:ledger/db-AbCdEf"}])
    );
    assert!(
        c["metrics"]["image"]
            .as_str()
            .unwrap()
            .starts_with("123456789012.dkr.ecr.us-east-1.amazonaws.com/mesh/ledger@sha256:"),
        "{}",
        c["metrics"]
    );
    let net = boto(
        ep,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
svc = ecs.describe_services(cluster=res('mesh-dev', 'Cluster'), services=[res('mesh-dev-ledger', 'Service')])['services'][0]
print(json.dumps(svc['networkConfiguration']['awsvpcConfiguration']))
"#,
    );
    assert_eq!(net["subnets"], serde_json::json!([subnets[0]]));
    let groups = net["securityGroups"].to_string();
    for g in [&ids["sg"], &ids["extra"]] {
        assert!(groups.contains(g.as_str().unwrap()), "{g} in {groups}");
    }
}

/// Fargate Spot (a fixed count all on Spot, and a range moving to Spot from its third
/// task), a read-only root file system, 40 GiB of ephemeral storage, and rollback
/// alarms named on the service: the spot-connect fixture, as ECS holds it. (moto keeps
/// no Service Connect configuration and creates no CloudWatch alarms from a template:
/// those are checked by the package snapshot and cfn-lint only.)
#[test]
fn fargate_spot_task_storage_and_rollback_alarms_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("spot-connect");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["deploy", "-e", "dev", "--all"]);
    let got = boto(
        ep,
        r#"
cfn, ecs = client('cloudformation'), client('ecs')
out = {}
for svc in ['cart', 'catalog']:
    stack = f'market-dev-{svc}'
    td = ecs.describe_task_definition(taskDefinition=res(stack, 'TaskDefinition'))['taskDefinition']
    s = ecs.describe_services(cluster=res('market-dev', 'Cluster'), services=[res(stack, 'Service')])['services'][0]
    out[svc] = {
        'ephemeral': td.get('ephemeralStorage'),
        'readonly': td['containerDefinitions'][0].get('readonlyRootFilesystem'),
        'strategy': s.get('capacityProviderStrategy'),
        'alarms': s.get('deploymentConfiguration', {}).get('alarms'),
    }
print(json.dumps(out))
"#,
    );
    let catalog = &got["catalog"];
    assert_eq!(
        catalog["strategy"],
        serde_json::json!([{"capacityProvider": "FARGATE_SPOT", "weight": 1}]),
        "{got}"
    );
    assert_eq!(catalog["ephemeral"]["sizeInGiB"], 40);
    assert_eq!(catalog["readonly"], true);
    assert_eq!(
        catalog["alarms"],
        serde_json::json!({"alarmNames": ["catalog-5xx-errors"], "rollback": true, "enable": true})
    );
    let cart = &got["cart"];
    assert_eq!(
        cart["strategy"],
        serde_json::json!([
            {"capacityProvider": "FARGATE", "weight": 0, "base": 2},
            {"capacityProvider": "FARGATE_SPOT", "weight": 1}
        ]),
        "{got}"
    );
    assert_eq!(
        cart["alarms"]["alarmNames"],
        serde_json::json!([
            "market-dev-cart-rollback-cpu",
            "market-dev-cart-rollback-memory"
        ])
    );
    // 20 GiB is Fargate's default: left out (user's case 2).
    assert_eq!(cart["ephemeral"], serde_json::Value::Null);
}
