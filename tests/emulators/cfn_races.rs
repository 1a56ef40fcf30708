//! The patched moto under concurrent requests, as wharf makes them: the rollout watcher
//! polls DescribeStackResource while ExecuteChangeSet builds the stack. Each resource must
//! be built once, by the change set, and a rolled-back stack must not grow resources
//! when it is read.

use crate::harness::{boto, moto_env};

/// A service stack in miniature: a listener rule with a fixed priority (built twice, it
/// fails with `PriorityInUse`), and an ECS service after it.
const TEMPLATE: &str = r#"
def template(conflict=False):
    r = {
      "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
      "SubA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}},
      "SubB": {"Type": "AWS::EC2::Subnet", "DependsOn": "SubA", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24" if conflict else "10.0.2.0/24", "AvailabilityZone": "us-east-1b"}},
      "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": [{"Ref": "SubA"}, {"Ref": "SubB"}]}},
      "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 80, "Protocol": "HTTP", "VpcId": {"Ref": "Vpc"}, "TargetType": "ip"}},
      "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
      "Rule": {"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {"ListenerArn": {"Ref": "Listener"}, "Priority": 10, "Conditions": [{"Field": "path-pattern", "Values": ["/app"]}], "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
      "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "races"}},
      "Td": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "races", "ContainerDefinitions": [{"Name": "app", "Image": "nginx", "Memory": 128}]}},
      "Service": {"Type": "AWS::ECS::Service", "DependsOn": "Rule", "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Td"}, "DesiredCount": 1}},
    }
    return json.dumps({"Resources": r})

def failures(name):
    return [[e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")]
            for e in client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
            if e["ResourceStatus"].endswith("_FAILED")]
"#;

#[test]
fn reading_a_stack_while_its_change_set_runs_builds_nothing_twice() {
    // 50 ms per resource: polls are in flight while the change set runs. moto answers one
    // request at a time, so a poll sent then is answered before or after the change set's
    // request: what counts is that it was in flight (sent before the execute returned,
    // answered after it was sent), not when it started, which is a race with the
    // threads' scheduling.
    let emu = moto_env(&[("WHARF_SIM_CFN_BUILD_SECONDS", "0.05".to_string())]);
    let out = boto(
        &emu.endpoint,
        &format!(
            r#"{TEMPLATE}
import threading, time
cfn = client("cloudformation")
cs = cfn.create_change_set(StackName="app", ChangeSetName="c1", TemplateBody=template(), ChangeSetType="CREATE")
stop, errors, polls = threading.Event(), [], []
def poll():
    c = client("cloudformation")
    while not stop.is_set():
        at = time.time()
        try:
            c.describe_stack_resource(StackName="app", LogicalResourceId="Service")
            c.describe_stack_resources(StackName="app")
            c.describe_stacks(StackName="app")
        except Exception as e:
            if "does not exist" not in str(e):
                errors.append(str(e))
        polls.append((at, time.time()))
threads = [threading.Thread(target=poll) for _ in range(3)]
for t in threads: t.start()
deadline = time.time() + 60
while len(polls) < 3 and time.time() < deadline:
    time.sleep(0.01)
begin = time.time()
cfn.execute_change_set(ChangeSetName=cs["Id"])
end = time.time()
stop.set()
for t in threads: t.join()
elb, ecs = client("elbv2"), client("ecs")
listener = cfn.describe_stack_resource(StackName="app", LogicalResourceId="Listener")["StackResourceDetail"]["PhysicalResourceId"]
print(json.dumps({{
    "status": cfn.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"],
    "failures": failures("app"),
    "poll_errors": errors[:3],
    "polls_during_execute": sum(1 for (at, done) in polls if at < end and done > begin),
    "rules": sorted(r["Priority"] for r in elb.describe_rules(ListenerArn=listener)["Rules"]),
    "load_balancers": len(elb.describe_load_balancers()["LoadBalancers"]),
    "services": len(ecs.list_services(cluster="races")["serviceArns"]),
}}))
"#
        ),
    );
    assert!(
        out["polls_during_execute"].as_u64().unwrap() >= 1,
        "polls ran while the change set did: {out}"
    );
    assert_eq!(out["status"], "CREATE_COMPLETE", "{out}");
    assert_eq!(out["failures"], serde_json::json!([]), "{out}");
    assert_eq!(out["poll_errors"], serde_json::json!([]), "{out}");
    assert_eq!(out["rules"], serde_json::json!(["10", "default"]), "{out}");
    assert_eq!(out["load_balancers"], 1, "{out}");
    assert_eq!(out["services"], 1, "{out}");
}

#[test]
fn a_rolled_back_create_names_its_failure_and_builds_nothing_when_read() {
    let emu = moto_env(&[]);
    let out = boto(
        &emu.endpoint,
        &format!(
            r#"{TEMPLATE}
cfn = client("cloudformation")
cs = cfn.create_change_set(StackName="app", ChangeSetName="c1", TemplateBody=template(conflict=True), ChangeSetType="CREATE")
cfn.execute_change_set(ChangeSetName=cs["Id"])
try:
    cfn.describe_stack_resource(StackName="app", LogicalResourceId="Service")
    service = "described"
except Exception as e:
    service = str(e)
listed = sorted(r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName="app")["StackResources"])
print(json.dumps({{
    "status": cfn.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"],
    "failures": [f[:2] for f in failures("app")],
    "service": service,
    "listed": listed,
    "clusters": client("ecs").list_clusters()["clusterArns"],
    "load_balancers": len(client("elbv2").describe_load_balancers()["LoadBalancers"]),
}}))
"#
        ),
    );
    assert_eq!(out["status"], "ROLLBACK_COMPLETE", "{out}");
    assert_eq!(
        out["failures"],
        serde_json::json!([["SubB", "CREATE_FAILED"]]),
        "{out}"
    );
    assert!(
        out["service"]
            .as_str()
            .unwrap()
            .contains("Resource Service does not exist"),
        "{out}"
    );
    let listed = out["listed"].as_array().unwrap();
    assert!(
        ["SubB", "Lb", "Rule", "Service"]
            .iter()
            .all(|r| !listed.contains(&serde_json::json!(r))),
        "{out}"
    );
    assert_eq!(out["clusters"], serde_json::json!([]), "{out}");
    assert_eq!(out["load_balancers"], 0, "{out}");
}
