//! Worker Services and Scheduled Jobs end to end on moto (examples/orders): the worker's
//! queue, dead-letter queue and filtered subscription to the web service's topic are
//! real, messages flow; the job's state machine runs its task through the simulation of
//! scripts/emulators/moto_sfn_jobs.py, and `job run --follow` exits with the task's exit
//! code; deleting removes them.

use crate::harness::{boto, example, image_lab, moto_with_env, wharf_lab};
use predicates::prelude::*;
use std::path::Path;

/// Queues, the subscription of the web service's topic, and what reaches the worker's
/// queue when web publishes a placed and a cancelled order.
fn messaging(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
cfn, sqs, sns = client('cloudformation'), client('sqs'), client('sns')
def res(stack, lid):
    return cfn.describe_stack_resource(StackName=stack, LogicalResourceId=lid)['StackResourceDetail']['PhysicalResourceId']
queue_url = res('orders-test-fulfillment', 'EventsQueue')
dlq_url = res('orders-test-fulfillment', 'DeadLetterQueue')
attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=['All'])['Attributes']
topic = res('orders-test-web', 'ordersSNSTopic')
subs = sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']
policy = sns.get_subscription_attributes(SubscriptionArn=subs[0]['SubscriptionArn'])['Attributes'].get('FilterPolicy')
sns.publish(TopicArn=topic, Message='order 1', MessageAttributes={'event': {'DataType': 'String', 'StringValue': 'cancelled'}})
sns.publish(TopicArn=topic, Message='order 2', MessageAttributes={'event': {'DataType': 'String', 'StringValue': 'placed'}})
got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get('Messages', [])
print(json.dumps({
    'topic': topic,
    'endpoints': [s['Endpoint'] for s in subs],
    'queue_arn': attrs['QueueArn'],
    'redrive': json.loads(attrs.get('RedrivePolicy', '{}')),
    'dlq_arn': sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=['QueueArn'])['Attributes']['QueueArn'],
    'filter': json.loads(policy) if policy else None,
    'received': [json.loads(m['Body'])['Message'] for m in got],
}))
"#,
    )
}

/// Stacks of the region and their statuses.
fn stacks(endpoint: &str) -> serde_json::Value {
    boto(
        endpoint,
        r#"
out = {s['StackName']: s['StackStatus'] for s in client('cloudformation').describe_stacks()['Stacks'] if s['StackStatus'] != 'DELETE_COMPLETE'}
print(json.dumps(out))
"#,
    )
}

/// Sets the exit code the simulation gives the job's task (a variable of its container).
fn job_exits_with(dir: &Path, code: &str) {
    let manifest = dir.join("wharf/report/manifest.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replace(
        "variables:\n",
        &format!("variables:\n  WHARF_SIM_EXIT_CODE: \"{code}\"\n"),
    );
    std::fs::write(manifest, text).unwrap();
}

#[test]
fn a_worker_and_a_job_deploy_run_and_are_deleted() {
    let lab = image_lab();
    // Job retries a hundred times faster.
    let emu = moto_with_env(&lab, &[("WHARF_SIM_RETRY_SCALE", "0.01".to_string())]);
    let ep = emu.endpoint.as_str();
    let dir = example("orders");
    let d = dir.path();

    wharf_lab(d, ep, &lab)
        .args(["env", "deploy", "-n", "test"])
        .assert()
        .success();

    // The worker alone, before its publisher is deployed: refused before anything is
    // built or created (the subscription would fail the stack).
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "fulfillment", "-e", "test"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "orders-test-fulfillment subscribes to topic `orders` of `web`, which no deployed stack publishes",
        ));
    assert!(stacks(ep).get("orders-test-fulfillment").is_none());

    // A subscription to a topic nobody publishes: a warning offline, a refusal at
    // deploy (no deployed stack has it), and nothing is created.
    let worker = d.join("wharf/fulfillment/manifest.yml");
    let original = std::fs::read_to_string(&worker).unwrap();
    std::fs::write(
        &worker,
        original.replace("- name: orders", "- name: refunds"),
    )
    .unwrap();
    wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "fulfillment", "-e", "test"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("subscribes to topic `refunds` of `web`, which no workload of this workspace publishes")
                .and(predicate::str::contains("no deployed stack publishes")),
        );
    assert!(stacks(ep).get("orders-test-fulfillment").is_none());
    std::fs::write(&worker, &original).unwrap();

    // Everything: the worker after the web service whose topic it subscribes to; the
    // job without a rollout.
    let out = wharf_lab(d, ep, &lab)
        .args(["deploy", "-e", "test", "--all"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let web_done = err.find("orders-test-web: created").expect(&err);
    let worker_start = err.find("orders-test-fulfillment: ").expect(&err);
    assert!(
        web_done < worker_start,
        "the worker deploys after web:\n{err}"
    );
    assert!(err.contains("orders-test-fulfillment: created"), "{err}");
    assert!(err.contains("orders-test-report: created"), "{err}");
    assert!(
        !err.contains("orders-test-report: rollout"),
        "a job has no rollout to watch:\n{err}"
    );

    let m = messaging(ep);
    assert_eq!(m["endpoints"], serde_json::json!([m["queue_arn"]]), "{m}");
    assert_eq!(m["redrive"]["deadLetterTargetArn"], m["dlq_arn"], "{m}");
    assert_eq!(m["redrive"]["maxReceiveCount"].as_u64(), Some(5), "{m}");
    assert_eq!(m["filter"], serde_json::json!({"event": ["placed"]}), "{m}");
    assert_eq!(
        m["received"],
        serde_json::json!(["order 2"]),
        "only placed orders: {m}"
    );

    // `job deploy` says when it runs next; nothing changed, so no stack update.
    wharf_lab(d, ep, &lab)
        .args(["job", "deploy", "-n", "report", "-e", "test"])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                r"report: runs on cron\(0 3 \* \* \? \*\); next: \d{4}-\d\d-\d\d 03:00 UTC",
            )
            .unwrap(),
        );

    // A run now, followed: the task exits 0.
    wharf_lab(d, ep, &lab)
        .args(["job", "run", "-n", "report", "-e", "test", "--follow"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            ":execution:orders-test-report:wharf-",
        ))
        .stderr(predicate::str::contains("report: succeeded"));

    // The task exits 3 on every try (two retries): the run fails with exit code 3.
    job_exits_with(d, "3");
    wharf_lab(d, ep, &lab)
        .args(["job", "deploy", "-n", "report", "-e", "test"])
        .assert()
        .success();
    wharf_lab(d, ep, &lab)
        .args(["job", "run", "-n", "report", "-e", "test", "--follow"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("task exit code 3")
                .and(predicate::str::contains("States.TaskFailed")),
        );
    let tries = boto(
        ep,
        r#"
sfn = client('stepfunctions')
m = [s for s in sfn.list_state_machines()['stateMachines'] if s['name'] == 'orders-test-report'][0]
e = sfn.list_executions(stateMachineArn=m['stateMachineArn'])['executions']
last = sorted(e, key=lambda x: x['startDate'])[-1]
h = sfn.get_execution_history(executionArn=last['executionArn'], maxResults=1000)['events']
print(json.dumps(sum(1 for x in h if x['type'] == 'TaskSubmitted')))
"#,
    );
    assert_eq!(tries, 3, "one run and two retries");

    // Without --follow: started, not waited for.
    wharf_lab(d, ep, &lab)
        .args(["job", "run", "-n", "report", "-e", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains(":execution:"));

    // The publisher cannot go while the worker is subscribed to its topics.
    wharf_lab(d, ep, &lab)
        .args(["svc", "delete", "-n", "web", "-e", "test", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`fulfillment` subscribes to topics of `web` and is deployed",
        ));
    assert!(stacks(ep).get("orders-test-web").is_some());

    // Deleting removes the stacks, the queues and the subscription.
    for (kind, name) in [("job", "report"), ("svc", "fulfillment")] {
        wharf_lab(d, ep, &lab)
            .args([kind, "delete", "-n", name, "-e", "test", "--yes"])
            .assert()
            .success();
    }
    let s = stacks(ep);
    assert!(
        s.get("orders-test-report").is_none() && s.get("orders-test-fulfillment").is_none(),
        "{s}"
    );
    let left = boto(
        ep,
        r#"
sns = client('sns')
topic = [t['TopicArn'] for t in sns.list_topics()['Topics'] if t['TopicArn'].endswith(':orders-test-web-orders')][0]
print(json.dumps({'queues': client('sqs').list_queues().get('QueueUrls', []), 'subs': len(sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions'])}))
"#,
    );
    assert_eq!(left, serde_json::json!({"queues": [], "subs": 0}), "{left}");
    wharf_lab(d, ep, &lab)
        .args(["job", "run", "-n", "report", "-e", "test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("job `report` in `test`"));
}
