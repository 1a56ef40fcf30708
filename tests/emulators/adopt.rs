//! `wharf app adopt --plan` against an application AWS Copilot deployed (on moto):
//! Copilot's registry in SSM, an environment stack and a service stack with Copilot's
//! tags and logical IDs. The plan reads the registry, makes a change set of wharf's
//! template against each stack and deletes it; it refuses the log group whose name
//! would change (its logs would go) and the queue that would be deleted, names each,
//! and leaves every stack exactly as it was.

use crate::harness::{boto, example, moto, wharf};

/// Copilot's registry and a Copilot-shaped environment and Load Balanced Web Service:
/// their tags, a VPC and cluster, a log group named as Copilot names it, a queue, and
/// a stand-in for Copilot's environment controller (a Lambda-backed custom resource
/// moto cannot run).
fn deploy_copilot_application(endpoint: &str) {
    boto(
        endpoint,
        r#"
cfn, ssm = client('cloudformation'), client('ssm')
ssm.put_parameter(Name='/copilot/applications/hello', Type='String', Value=json.dumps({'name': 'hello', 'account': '123456789012'}))
ssm.put_parameter(Name='/copilot/applications/hello/environments/test', Type='String', Value=json.dumps({'app': 'hello', 'name': 'test', 'region': 'us-east-1', 'accountID': '123456789012', 'executionRoleARN': 'arn:aws:iam::123456789012:role/hello-test-CFNExecutionRole'}))
ssm.put_parameter(Name='/copilot/applications/hello/components/hello', Type='String', Value=json.dumps({'app': 'hello', 'name': 'hello', 'type': 'Load Balanced Web Service'}))
ssm.put_parameter(Name='/copilot/applications/hello/components/legacy', Type='String', Value=json.dumps({'app': 'hello', 'name': 'legacy', 'type': 'Backend Service'}))
env = {
    'Metadata': {'Version': 'v1.33.0'},
    'Resources': {
        'VPC': {'Type': 'AWS::EC2::VPC', 'Properties': {'CidrBlock': '10.0.0.0/16', 'EnableDnsHostnames': True, 'EnableDnsSupport': True, 'InstanceTenancy': 'default'}},
        'Cluster': {'Type': 'AWS::ECS::Cluster'},
        'EnvControllerAction': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/copilot-stand-in/hello-test/EnvControllerAction', 'Type': 'String', 'Value': 'stand-in for Custom::EnvControllerFunction'}},
    },
}
svc = {
    'Metadata': {'Version': 'v1.33.0'},
    'Resources': {
        'LogGroup': {'Type': 'AWS::Logs::LogGroup', 'Properties': {'LogGroupName': '/copilot/hello-test-hello', 'RetentionInDays': 30}},
        'EventsQueue': {'Type': 'AWS::SQS::Queue', 'Properties': {'QueueName': 'hello-test-hello-events'}},
    },
}
tags = [{'Key': 'copilot-application', 'Value': 'hello'}, {'Key': 'copilot-environment', 'Value': 'test'}]
cfn.create_stack(StackName='hello-test', TemplateBody=json.dumps(env), Tags=tags)
cfn.create_stack(StackName='hello-test-hello', TemplateBody=json.dumps(svc), Tags=tags + [{'Key': 'copilot-service', 'Value': 'hello'}])
print(json.dumps(True))
"#,
    );
}

/// The stacks as a change would touch them ([`crate::harness::stacks_snapshot`]), and
/// the log groups Copilot named.
fn snapshot(endpoint: &str) -> serde_json::Value {
    serde_json::json!({
        "stacks": crate::harness::stacks_snapshot(endpoint),
        "log_groups": boto(
            endpoint,
            "print(json.dumps([g['logGroupName'] for g in client('logs').describe_log_groups(logGroupNamePrefix='/copilot/')['logGroups']]))",
        ),
    })
}

#[test]
fn the_plan_refuses_what_would_lose_state_and_changes_nothing() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    deploy_copilot_application(ep);
    let before = snapshot(ep);
    let out = wharf(d, ep)
        .args(["app", "adopt", "--plan", "--output", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}\n{stdout}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let plan = events
        .iter()
        .find(|e| e["type"] == "adoption_plan")
        .unwrap_or_else(|| panic!("{stdout}"));
    let stacks: Vec<&str> = plan["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stack"].as_str().unwrap())
        .collect();
    assert_eq!(stacks, ["hello-test", "hello-test-hello"], "{plan}");
    let env = &plan["data"][0]["plan"];
    assert_eq!(env["state"], "planned", "{plan}");
    // The VPC and cluster stay; the controller's stand-in holds nothing.
    assert!(env["losses"].as_array().unwrap().is_empty(), "{plan}");
    assert_eq!(env["removed"], 1, "{plan}");
    let svc = &plan["data"][1]["plan"];
    let losses: Vec<(String, String)> = svc["losses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["logical_id"].as_str().unwrap().to_string(),
                l["what"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        losses.contains(&("LogGroup".into(), "replaced".into())),
        "{plan}"
    );
    assert!(
        losses.contains(&("EventsQueue".into(), "deleted".into())),
        "{plan}"
    );
    let error = events.iter().find(|e| e["type"] == "error").unwrap();
    assert!(
        error["data"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing was changed"),
        "{error}"
    );
    // The survey: a workload Copilot deployed that the workspace lacks.
    assert!(
        err.contains(
            "workload `legacy` is in Copilot's registry and has no manifest in the workspace"
        ),
        "{err}"
    );
    // Nothing changed, and no change set is left behind.
    assert_eq!(snapshot(ep), before);
    // Allowing both losses by name, the plan passes (and still changes nothing).
    let ok = wharf(d, ep)
        .args([
            "app",
            "adopt",
            "--plan",
            "--allow",
            "hello-test-hello:LogGroup",
            "--allow",
            "hello-test-hello:EventsQueue",
        ])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(snapshot(ep), before);
    // Without --plan, the same refusal: nothing is adopted.
    let refused = wharf(d, ep)
        .args(["app", "adopt", "--yes"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was changed"));
    assert_eq!(snapshot(ep), before);
}

/// A Copilot workspace's application as Copilot left it: the registry, an environment
/// with its VPC and cluster, a service stack with its log group (holding an event) and a
/// stand-in for Copilot's desired-count custom resource.
fn deploy_adoptable_application(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, ssm, logs = client('cloudformation'), client('ssm'), client('logs')
ssm.put_parameter(Name='/copilot/applications/hello', Type='String', Value=json.dumps({'name': 'hello'}))
ssm.put_parameter(Name='/copilot/applications/hello/environments/test', Type='String', Value=json.dumps({'app': 'hello', 'name': 'test', 'region': 'us-east-1', 'accountID': '123456789012'}))
ssm.put_parameter(Name='/copilot/applications/hello/components/hello', Type='String', Value=json.dumps({'app': 'hello', 'name': 'hello', 'type': 'Load Balanced Web Service'}))
env = {'Resources': {
    'VPC': {'Type': 'AWS::EC2::VPC', 'Properties': {'CidrBlock': '10.0.0.0/16', 'EnableDnsHostnames': True, 'EnableDnsSupport': True, 'InstanceTenancy': 'default'}},
    'Cluster': {'Type': 'AWS::ECS::Cluster', 'Properties': {'CapacityProviders': ['FARGATE', 'FARGATE_SPOT']}},
    'EnvControllerAction': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/copilot-stand-in/hello-test/EnvControllerAction', 'Type': 'String', 'Value': 'stand-in'}},
}, 'Outputs': {
    'VpcId': {'Value': {'Ref': 'VPC'}, 'Export': {'Name': 'hello-test-VpcId'}},
    'ClusterId': {'Value': {'Ref': 'Cluster'}, 'Export': {'Name': 'hello-test-ClusterId'}},
}}
svc = {'Resources': {
    'LogGroup': {'Type': 'AWS::Logs::LogGroup', 'Properties': {'LogGroupName': '/copilot/hello-test-hello', 'RetentionInDays': 30}},
    'DynamicDesiredCountAction': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/copilot-stand-in/hello-test-hello/DynamicDesiredCountAction', 'Type': 'String', 'Value': {'Fn::ImportValue': 'hello-test-VpcId'}}},
}}
tags = [{'Key': 'copilot-application', 'Value': 'hello'}, {'Key': 'copilot-environment', 'Value': 'test'}]
cfn.create_stack(StackName='hello-test', TemplateBody=json.dumps(env), Tags=tags)
cfn.create_stack(StackName='hello-test-hello', TemplateBody=json.dumps(svc), Tags=tags + [{'Key': 'copilot-service', 'Value': 'hello'}])
logs.create_log_stream(logGroupName='/copilot/hello-test-hello', logStreamName='copilot/hello/1')
logs.put_log_events(logGroupName='/copilot/hello-test-hello', logStreamName='copilot/hello/1', logEvents=[{'timestamp': int(__import__('time').time() * 1000), 'message': 'written under Copilot'}])
print(json.dumps({'vpc': res('hello-test', 'VPC'), 'cluster': res('hello-test', 'Cluster'), 'log_group': res('hello-test-hello', 'LogGroup')}))
"#,
    )
}

#[test]
fn a_copilot_application_is_adopted_in_place_and_then_deploys_as_no_change() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |rel: &str, text: &str| crate::harness::write_file(d, rel, text);
    write("copilot/.workspace", "application: hello\n");
    write(
        "copilot/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    write(
        "copilot/hello/manifest.yml",
        "name: hello\ntype: Load Balanced Web Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 80\nhttp:\n  path: '/'\ncount: 1\n",
    );
    let before = deploy_adoptable_application(ep);
    let out = wharf(d, ep)
        .args(["app", "adopt", "--yes"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    let after = boto(
        ep,
        r#"
cfn, logs = client('cloudformation'), client('logs')
tags = {s: {t['Key']: t['Value'] for t in cfn.describe_stacks(StackName=s)['Stacks'][0]['Tags']} for s in ['hello-test', 'hello-test-hello']}
events = logs.get_log_events(logGroupName='/copilot/hello-test-hello', logStreamName='copilot/hello/1')['events']
print(json.dumps({
    'vpc': res('hello-test', 'VPC'), 'cluster': res('hello-test', 'Cluster'), 'log_group': res('hello-test-hello', 'LogGroup'),
    'service': res('hello-test-hello', 'Service'), 'tags': tags, 'events': [e['message'] for e in events],
}))
"#,
    );
    // What holds state or identity is the same resource as before.
    for k in ["vpc", "cluster", "log_group"] {
        assert_eq!(after[k], before[k], "{k}: {after}");
    }
    assert_eq!(
        after["events"],
        serde_json::json!(["written under Copilot"])
    );
    assert!(after["service"].as_str().is_some_and(|s| !s.is_empty()));
    // The stacks are wharf's now.
    for s in ["hello-test", "hello-test-hello"] {
        assert_eq!(after["tags"][s]["wharf-application"], "hello", "{after}");
        assert!(
            after["tags"][s].get("copilot-application").is_none(),
            "{after}"
        );
    }
    // The environment's export the service imported stayed while it did, and went once
    // no stack imported it; the one nobody imported went with the first update.
    let exports = boto(
        ep,
        "print(json.dumps(sorted(o['ExportName'] for o in client('cloudformation').describe_stacks(StackName='hello-test')['Stacks'][0].get('Outputs', []) if o.get('ExportName'))))",
    );
    assert_eq!(exports, serde_json::json!([]), "{err}");
    assert!(err.contains("hello-test: updated"), "{err}");
    // A deploy with no manifest change changes nothing.
    crate::harness::deploy_changes_nothing(d, ep, "test", &["hello-test", "hello-test-hello"]);
    // Adopting again finds wharf's stacks.
    let twice = wharf(d, ep)
        .args(["app", "adopt", "--plan"])
        .output()
        .unwrap();
    assert!(twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("wharf's already"));
}
