//! Environment files against moto: a deploy uploads each `env_file` to the
//! application's bucket under its content's SHA-256, passes the object's ARN to the
//! stack, and the registered task definition reads it; an unchanged file deploys as no
//! change, an edited one as a new object and a new task definition.

use crate::harness::{app_bucket, boto, example, moto, wharf};
use predicates::prelude::*;

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `EnvFileARN` parameter of the hello stack and the environment files of the
/// service's task definition.
fn deployed(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        "cf = client('cloudformation')\ns = cf.describe_stacks(StackName='hello-test-hello')['Stacks'][0]\np = {x['ParameterKey']: x.get('ParameterValue') for x in s['Parameters']}\nr = cf.describe_stack_resource(StackName='hello-test-hello', LogicalResourceId='TaskDefinition')['StackResourceDetail']['PhysicalResourceId']\ntd = client('ecs').describe_task_definition(taskDefinition=r)['taskDefinition']\nprint(json.dumps({'param': p.get('EnvFileARN'), 'files': td['containerDefinitions'][0].get('environmentFiles', []), 'td': td['taskDefinitionArn']}))",
    )
}

#[test]
fn environment_files_are_uploaded_by_content_and_read_by_the_task() {
    let emu = moto();
    let dir = example("hello");
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
    let manifest = d.join("wharf/hello/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}env_file: hello.env\n")).unwrap();
    let body = "GREETING=hello\n";
    std::fs::write(d.join("hello.env"), body).unwrap();
    // Without the application's bucket there is nowhere to put the file.
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("has none in us-east-1")
                .and(predicate::str::contains("wharf app init hello")),
        );
    wharf(d, ep)
        .args(["app", "init", "hello"])
        .assert()
        .success();
    let bucket = app_bucket(ep, "hello");
    // A bucket whose expiry covers every object (as older wharf made them) would lose
    // the file after 30 days: refused, saying how to fix it. The current one expires
    // only `templates/`.
    let lifecycle = |prefix: &str| {
        boto(
            ep,
            &format!(
                "client('s3').put_bucket_lifecycle_configuration(Bucket={bucket:?}, LifecycleConfiguration={{'Rules': [{{'ID': 'x', 'Status': 'Enabled', 'Filter': {{'Prefix': {prefix:?}}}, 'Expiration': {{'Days': 30}}}}]}})\nprint('null')"
            ),
        )
    };
    lifecycle("");
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("deletes objects after 30 days")
                .and(predicate::str::contains("wharf app init hello")),
        );
    lifecycle("templates/");
    wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success();
    let key = format!("env-files/{}.env", sha256_hex(body.as_bytes()));
    let stored = boto(
        ep,
        &format!(
            "print(json.dumps(client('s3').get_object(Bucket={bucket:?}, Key={key:?})['Body'].read().decode()))"
        ),
    );
    assert_eq!(stored, body);
    let arn = format!("arn:aws:s3:::{bucket}/{key}");
    let first = deployed(ep);
    assert_eq!(first["param"], arn.as_str(), "{first}");
    assert_eq!(
        first["files"],
        serde_json::json!([{"value": arn, "type": "s3"}]),
        "{first}"
    );
    // The same file again: nothing to change.
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no changes"));
    assert_eq!(deployed(ep)["td"], first["td"]);
    // An edited file is a new object, and a new task definition reads it.
    std::fs::write(d.join("hello.env"), "GREETING=hi\n").unwrap();
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .success();
    let second = deployed(ep);
    let new_key = format!("env-files/{}.env", sha256_hex(b"GREETING=hi\n"));
    assert_eq!(
        second["param"],
        format!("arn:aws:s3:::{bucket}/{new_key}").as_str()
    );
    assert_ne!(second["td"], first["td"]);
}

/// `placement.subnets.from_tags` against moto's EC2: the subnets of the environment's
/// VPC with the tags become the stack's `Subnets` parameter; none matching stops the
/// deploy before any image or stack, naming the tags.
#[test]
fn subnets_chosen_by_tags_are_looked_up_in_the_environment_vpc() {
    let emu = moto();
    let dir = example("hello");
    let (d, ep) = (dir.path(), emu.endpoint.as_str());
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success();
    let manifest = d.join("wharf/hello/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}network:\n  vpc:\n    placement:\n      subnets:\n        from_tags:\n          tier: [app, apps]\n"),
    )
    .unwrap();
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has the tags `hello` asks for (tier=app|apps)",
        ));
    // Two subnets of the environment's VPC with the tag, one without, and one tagged
    // in another VPC.
    let ids = boto(
        ep,
        "cf = client('cloudformation')\nvpc = cf.describe_stack_resource(StackName='hello-test', LogicalResourceId='VPC')['StackResourceDetail']['PhysicalResourceId']\nec2 = client('ec2')\ndef subnet(v, cidr, tags):\n    s = ec2.create_subnet(VpcId=v, CidrBlock=cidr)['Subnet']['SubnetId']\n    if tags: ec2.create_tags(Resources=[s], Tags=tags)\n    return s\na = subnet(vpc, '10.0.100.0/24', [{'Key': 'tier', 'Value': 'app'}])\nb = subnet(vpc, '10.0.101.0/24', [{'Key': 'tier', 'Value': 'apps'}])\nsubnet(vpc, '10.0.102.0/24', [{'Key': 'tier', 'Value': 'db'}])\nother = ec2.create_vpc(CidrBlock='10.9.0.0/16')['Vpc']['VpcId']\nsubnet(other, '10.9.1.0/24', [{'Key': 'tier', 'Value': 'app'}])\nprint(json.dumps(sorted([a, b])))",
    );
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .success();
    let param = boto(
        ep,
        "s = client('cloudformation').describe_stacks(StackName='hello-test-hello')['Stacks'][0]\nprint(json.dumps({x['ParameterKey']: x.get('ParameterValue') for x in s['Parameters']}['Subnets']))",
    );
    let want: Vec<String> = serde_json::from_value(ids).unwrap();
    // Subnets given by ID must be in the environment's VPC: one of another VPC is
    // refused before anything is deployed.
    let other = boto(
        ep,
        "ec2 = client('ec2')\nprint(json.dumps([s['SubnetId'] for s in ec2.describe_subnets(Filters=[{'Name': 'cidr-block', 'Values': ['10.9.1.0/24']}])['Subnets']][0]))",
    );
    let other = other.as_str().unwrap();
    std::fs::write(
        &manifest,
        format!(
            "{text}network:\n  vpc:\n    placement:\n      subnets: [{}, {other}]\n",
            want[0]
        ),
    )
    .unwrap();
    wharf(d, ep)
        .args(["svc", "deploy", "-n", "hello", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "places its tasks in {other}, not a subnet of environment `test`'s VPC"
        )));
    // moto shows a list parameter's value as a Python list; the IDs are what counts.
    let got: Vec<String> = param
        .as_str()
        .unwrap()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| t.starts_with("subnet-"))
        .map(str::to_string)
        .collect();
    assert_eq!(got, want, "{param}");
}
