//! A workload's addons on moto (tests/fixtures/workspaces/addons): the merged template
//! goes to the application's bucket, deploys as a nested stack with Copilot's
//! parameters and the workspace's `addons.parameters.yml`, and its outputs reach the
//! workload: the table's and bucket's names as variables, the managed policies on the
//! task role. The environments' addons (`environments/addons/`) deploy the same way,
//! nested in the environment's stack.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_ok};

#[test]
fn addons_deploy_as_a_nested_stack_wired_into_the_workload() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("addons");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["app", "init", "store"]);
    wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    let got = boto(
        ep,
        r#"
cfn, ecs, iam = client('cloudformation'), client('ecs'), client('iam')
nested = res('store-test-api', 'AddonsStack')
stack = cfn.describe_stacks(StackName=nested)['Stacks'][0]
outs = {o['OutputKey']: o['OutputValue'] for o in stack.get('Outputs', [])}
params = {p['ParameterKey']: p['ParameterValue'] for p in stack.get('Parameters', [])}
tables = client('dynamodb').list_tables()['TableNames']
td = ecs.describe_task_definition(taskDefinition=res('store-test-api', 'TaskDefinition'))['taskDefinition']
env = {e['name']: e['value'] for e in td['containerDefinitions'][0]['environment']}
role = res('store-test-api', 'TaskRole')
attached = sorted(p['PolicyArn'] for p in iam.list_attached_role_policies(RoleName=role)['AttachedPolicies'])
env_nested = res('store-test', 'AddonsStack')
env_stack = cfn.describe_stacks(StackName=env_nested)['Stacks'][0]
topics = [t['TopicArn'].split(':')[-1] for t in client('sns').list_topics()['Topics']]
print(json.dumps({'env_params': {p['ParameterKey']: p['ParameterValue'] for p in env_stack.get('Parameters', [])}, 'topics': topics, 'params': params, 'tables': tables, 'outs': outs, 'env': {k: v for k, v in env.items() if k.endswith('_NAME') and not k.startswith('WHARF')}, 'attached': attached, 'policies': sorted([outs.get('ordersAccessPolicy'), outs.get('assetsAccessPolicy')])}))
"#,
    );
    assert_eq!(
        got["params"],
        serde_json::json!({"App": "store", "Env": "test", "Name": "api", "RetentionDays": "30"}),
        "{got}"
    );
    assert_eq!(
        got["tables"],
        serde_json::json!(["store-test-api-orders"]),
        "{got}"
    );
    assert_eq!(got["env"]["ORDERS_NAME"], "store-test-api-orders", "{got}");
    assert_eq!(
        got["env"]["ASSETS_NAME"], got["outs"]["assetsName"],
        "{got}"
    );
    assert_eq!(got["attached"], got["policies"], "{got}");
    // The environments' addons: a nested stack of the environment's stack.
    assert_eq!(
        got["env_params"],
        serde_json::json!({"App": "store", "Env": "test"}),
        "{got}"
    );
    assert!(
        got["topics"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("store-test-alerts")),
        "{got}"
    );
}
