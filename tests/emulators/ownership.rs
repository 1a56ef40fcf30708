//! Stacks wharf did not make are never changed: an application AWS Copilot deployed under
//! the names wharf uses (`hello-test`, `hello-test-hello`) is refused by every command
//! that creates, updates or deletes stacks, and is exactly as it was afterwards.

use crate::harness::{boto, example, moto, wharf};
use predicates::prelude::*;

/// Deploys a Copilot-shaped environment and Backend Service stack: Copilot's tags and
/// template metadata, one small resource each.
fn deploy_copilot_stacks(endpoint: &str) {
    boto(
        endpoint,
        r#"
cfn = client('cloudformation')
def template(name):
    return json.dumps({
        'Metadata': {'Version': 'v1.33.0', 'Manifest': f'name: {name}'},
        'Resources': {'Marker': {'Type': 'AWS::SSM::Parameter', 'Properties': {
            'Name': f'/copilot-test/{name}', 'Type': 'String', 'Value': name}}},
    })
tags = [{'Key': 'copilot-application', 'Value': 'hello'},
        {'Key': 'copilot-environment', 'Value': 'test'}]
cfn.create_stack(StackName='hello-test', TemplateBody=template('test'), Tags=tags)
cfn.create_stack(StackName='hello-test-hello', TemplateBody=template('hello'),
                 Tags=tags + [{'Key': 'copilot-service', 'Value': 'hello'}])
print(json.dumps(True))
"#,
    );
}

#[test]
fn a_copilot_application_is_never_changed_or_deleted() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    deploy_copilot_stacks(ep);
    let before = crate::harness::stacks_snapshot(ep);
    assert_eq!(
        before.as_object().map(|o| o.len()),
        Some(2),
        "two Copilot stacks: {before}"
    );

    let refused = |args: &[&str], stack: &str| {
        wharf(d, ep).args(args).assert().code(1).stderr(
            predicate::str::contains(format!(
                "stack {stack} is not wharf's stack of application `hello`"
            ))
            .and(predicate::str::contains(
                "it was made by AWS Copilot, for application `hello`, environment `test`",
            ))
            .and(predicate::str::contains("wharf changed nothing"))
            .and(predicate::str::contains(
                "`wharf app adopt --plan` shows what taking the application over",
            )),
        );
    };
    refused(&["env", "deploy", "-n", "test", "--yes"], "hello-test");
    refused(
        &["env", "deploy", "-n", "test", "--diff", "--yes"],
        "hello-test",
    );
    refused(
        &["svc", "deploy", "-n", "hello", "-e", "test"],
        "hello-test",
    );
    refused(&["deploy", "-e", "test", "--all"], "hello-test");
    refused(
        &["svc", "delete", "-n", "hello", "-e", "test", "--yes"],
        "hello-test-hello",
    );
    refused(&["env", "delete", "-n", "test", "--yes"], "hello-test");
    refused(
        &["svc", "rollback", "-n", "hello", "-e", "test"],
        "hello-test-hello",
    );
    // `app delete` deletes what carries wharf's application tag: nothing here.
    wharf(d, ep)
        .args(["app", "delete", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Application `hello` has no stacks",
        ));

    assert_eq!(
        crate::harness::stacks_snapshot(ep),
        before,
        "the Copilot stacks are unchanged"
    );
}

#[test]
fn wharfs_tags_on_a_stack_it_did_not_name_do_not_make_it_deletable() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let dir = example("hello");
    let d = dir.path();
    wharf(d, ep)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success();
    boto(
        ep,
        r#"
tags = [{'Key': 'wharf-application', 'Value': 'hello'}, {'Key': 'wharf-environment', 'Value': 'test'},
        {'Key': 'wharf-service', 'Value': 'hello'}]
body = json.dumps({'Resources': {'Marker': {'Type': 'AWS::SSM::Parameter', 'Properties': {
    'Name': '/billing', 'Type': 'String', 'Value': 'x'}}}})
client('cloudformation').create_stack(StackName='billing', TemplateBody=body, Tags=tags)
print(json.dumps(True))
"#,
    );
    wharf(d, ep)
        .args(["env", "delete", "-n", "test", "--yes"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Deleted hello-test")
                .and(predicate::str::contains("billing").not()),
        );
    let left: Vec<String> = crate::harness::stacks_snapshot(ep)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(left, ["billing"], "only the stack wharf made is gone");
}
