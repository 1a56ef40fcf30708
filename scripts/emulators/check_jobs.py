"""Checks the patched moto on Scheduled Job and Worker Service stacks (moto_sfn_jobs.py,
moto_server.py adjustments 11 and 12), and that a Load Balanced/Backend-style ECS service
stack still deploys, updates and deletes.

Run:  .venv/moto/bin/python scripts/emulators/check_jobs.py      (from the repository root)

It starts its own moto_server.py on a free 127.0.0.1 port (its log in a temporary
directory; .emulators/ is left alone), and stops it at the end. Through CloudFormation
(change sets, as wharf deploys) it builds, with a VPC, subnets and a security group made
through the EC2 API and handed over as SSM-typed parameters, as wharf's environment does:

- a job stack shaped like templates/partials/svc-job.yml and svc-messaging.yml: log
  group, roles, two task definitions (WHARF_SIM_EXIT_CODE 0, with a non-essential
  sidecar exiting 9, and 3), two state machines with wharf's definition (`!Sub [json,
  {Subnets: !Join ...}]`, runTask.sync, `Group.$: $$.Execution.Name`; the failing one
  with wharf's Retry, MaxAttempts 1), a DISABLED events rule targeting the state
  machine, an SNS topic + TopicPolicy + Subscription (FilterPolicy), an SQS queue + DLQ +
  QueuePolicy, and a FIFO queue without a name;
- then runs both jobs (DescribeExecution polled every 0.2 s and every 1 s), two at once,
  stops one (StopExecution), runs one on an unknown cluster and one whose exit codes are
  "1,0" (with Retry), a RunTask + StopTask, publishes
  to the topic (a message the filter takes and one it drops), receives from the queue,
  updates the stack (the failing task now exits 0; another filter policy), and deletes
  it (DELETE_COMPLETE, and the subscription, state machines, rule, queues and topic
  are gone);
- a service stack (cluster, task definition, Fargate service with the circuit breaker):
  created, rolled out, updated to a new task definition, deleted.

It fails (exit 1) on any check that does not hold, and on a traceback or an HTTP 5xx in
moto's log. Environment for moto: WHARF_SIM_JOB_SECONDS=0.5, WHARF_SIM_RETRY_SCALE=0.05
(wharf's 10 s retry interval becomes 0.5 s), WHARF_SIM_ROLLOUT_SECONDS=1.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILURES = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f"  [{detail}]" if detail else ""))
    if not ok:
        FAILURES.append(what)


def start_moto(log_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(os.environ, WHARF_SIM_JOB_SECONDS="0.5", WHARF_SIM_RETRY_SCALE="0.05", WHARF_SIM_ROLLOUT_SECONDS="1")
    env.pop("WHARF_LAB_REGISTRY", None)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "scripts/emulators/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto did not start:\n" + open(log_path).read()[-3000:])


def clients(url):
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    return {n: boto3.client(n, **kw) for n in ["cloudformation", "ec2", "ssm", "ecs", "stepfunctions", "sns", "sqs", "events", "iam"]}


def deploy(cfn, name, template, kind="CREATE"):
    """A change set, as wharf deploys; the final stack status."""
    cs = cfn.create_change_set(StackName=name, ChangeSetName=f"cs-{int(time.time() * 1000)}", ChangeSetType=kind,
                               TemplateBody=template, Capabilities=["CAPABILITY_NAMED_IAM"])["Id"]
    cfn.execute_change_set(ChangeSetName=cs)
    for _ in range(100):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.1)
    return stack


def delete(cfn, stack_id):
    cfn.delete_stack(StackName=stack_id)
    for _ in range(100):
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            return status
        time.sleep(0.1)
    return status


def failed_events(cfn, stack):
    events = cfn.describe_stack_events(StackName=stack["StackId"])["StackEvents"]
    return "".join(f" {e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events if e["ResourceStatus"].endswith("_FAILED"))


def definition(retries):
    """What src/compile/service/job.rs renders (plan()), before CloudFormation's Sub."""
    run = {
        "Type": "Task",
        "Resource": "arn:${AWS::Partition}:states:::ecs:runTask.sync",
        "Parameters": {
            "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST",
            "Cluster": "${ClusterName}",
            "TaskDefinition": "${TaskDefinition}",
            "PropagateTags": "TASK_DEFINITION",
            "Group.$": "$$.Execution.Name",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": ["${Subnets}"],
                    "AssignPublicIp": "ENABLED",
                    "SecurityGroups": ["${EnvironmentSecurityGroup}"],
                }
            },
        },
        "End": True,
    }
    if retries:
        run["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": retries, "BackoffRate": 1.5}]
    return json.dumps({"Version": "1.0", "Comment": "a wharf job", "StartAt": "Run Fargate Task", "States": {"Run Fargate Task": run}})


def role(service, statement_yaml=""):
    return f"""
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: {service}
            Action: sts:AssumeRole
{statement_yaml}"""


def task_definition(logical, family, exit_code):
    return f"""
  {logical}:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: {family}
      NetworkMode: awsvpc
      RequiresCompatibilities:
        - FARGATE
      Cpu: '256'
      Memory: '512'
      RuntimePlatform:
        OperatingSystemFamily: LINUX
        CpuArchitecture: X86_64
      ExecutionRoleArn: !GetAtt ExecutionRole.Arn
      TaskRoleArn: !GetAtt TaskRole.Arn
      ContainerDefinitions:
        - Name: main
          Image: public.ecr.aws/docker/library/busybox:latest
          Essential: true
          Environment:
            - Name: WHARF_SIM_EXIT_CODE
              Value: '{exit_code}'
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref LogGroup
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: wharf
        - Name: sidecar
          Image: public.ecr.aws/docker/library/busybox:latest
          Essential: false
          Environment:
            - Name: WHARF_SIM_EXIT_CODE
              Value: '9'
"""


def state_machine(logical, name, td, retries):
    return f"""
  {logical}:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: {name}
      RoleArn: !GetAtt StateMachineRole.Arn
      LoggingConfiguration:
        Level: ALL
        IncludeExecutionData: true
        Destinations:
          - CloudWatchLogsLogGroup:
              LogGroupArn: !GetAtt LogGroup.Arn
      TracingConfiguration:
        Enabled: false
      DefinitionString: !Sub
        - {json.dumps(definition(retries).replace("${TaskDefinition}", "${" + td + "}"))}
        - Subnets: !Join ['","', !Ref PublicSubnets]
"""


JOB_TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ClusterName:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /check/cluster
  PublicSubnets:
    Type: AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>
    Default: /check/subnets
  EnvironmentSecurityGroup:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>
    Default: /check/sg
Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /check/jobs
      RetentionInDays: 7
  ExecutionRole:""" + role("ecs-tasks.amazonaws.com") + """
  TaskRole:""" + role("ecs-tasks.amazonaws.com") + """
  StateMachineRole:""" + role("states.amazonaws.com") + """
  RuleRole:""" + role("events.amazonaws.com") + task_definition("TaskDefinition", "check-ok", "0") + task_definition(
    "FailingTaskDefinition", "check-fail", "3"
) + state_machine("StateMachine", "check-env-ok", "TaskDefinition", 0) + state_machine(
    "FailingStateMachine", "check-env-fail", "FailingTaskDefinition", 1
) + """
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: 'rate(5 minutes)'
      State: DISABLED
      Targets:
        - Id: statemachine
          Arn: !Ref StateMachine
          RoleArn: !GetAtt RuleRole.Arn
  ordersTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: check-env-api-orders
      KmsMasterKeyId: alias/aws/sns
  ordersTopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics:
        - !Ref ordersTopic
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'
            Action: sns:Subscribe
            Resource: !Ref ordersTopic
            Condition:
              StringEquals:
                sns:Protocol: sqs
  EventsQueueDLQ:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      MessageRetentionPeriod: 1209600
  EventsQueue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      VisibilityTimeout: 30
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt EventsQueueDLQ.Arn
        maxReceiveCount: 5
  EventsQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref EventsQueue
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: sns.amazonaws.com
            Action: sqs:SendMessage
            Resource: !GetAtt EventsQueue.Arn
            Condition:
              ArnEquals:
                aws:SourceArn:
                  - !Ref ordersTopic
  ordersSubscription:
    Type: AWS::SNS::Subscription
    DependsOn: EventsQueuePolicy
    Properties:
      TopicArn: !Ref ordersTopic
      Protocol: sqs
      Endpoint: !GetAtt EventsQueue.Arn
      RawMessageDelivery: false
      FilterPolicy: {"type": ["created"]}
  FifoQueue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
Outputs:
  StateMachineArn:
    Value: !Ref StateMachine
  FailingStateMachineArn:
    Value: !GetAtt FailingStateMachine.Arn
  TopicArn:
    Value: !GetAtt ordersTopic.TopicArn
  QueueURL:
    Value: !Ref EventsQueue
  FifoQueueURL:
    Value: !Ref FifoQueue
  SubscriptionArn:
    Value: !Ref ordersSubscription
  QueuePolicyId:
    Value: !Ref EventsQueuePolicy
  RuleName:
    Value: !Ref Rule
"""


def service_template(image):
    return f"""
Parameters:
  PublicSubnets:
    Type: AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>
    Default: /check/subnets
  EnvironmentSecurityGroup:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>
    Default: /check/sg
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: check-svc-cluster
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: check-svc
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      Cpu: '256'
      Memory: '512'
      ContainerDefinitions:
        - Name: web
          Image: {image}
          Essential: true
          PortMappings:
            - ContainerPort: 80
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      DesiredCount: 2
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDefinition
      DeploymentConfiguration:
        DeploymentCircuitBreaker:
          Enable: true
          Rollback: true
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: !Ref PublicSubnets
          SecurityGroups: [!Ref EnvironmentSecurityGroup]
          AssignPublicIp: ENABLED
Outputs:
  ServiceArn:
    Value: !Ref Service
  ServiceName:
    Value: !GetAtt Service.Name
"""


def run_job(sfn, arn, poll, name=None):
    t0 = time.time()
    kwargs = {"stateMachineArn": arn, "input": "{}"}
    if name:
        kwargs["name"] = name
    execution = sfn.start_execution(**kwargs)["executionArn"]
    statuses = []
    while time.time() - t0 < 30:
        d = sfn.describe_execution(executionArn=execution)
        statuses.append(d["status"])
        if d["status"] != "RUNNING":
            break
        time.sleep(poll)
    d["elapsed"] = time.time() - t0
    d["seen"] = statuses
    return d


def main():
    log_dir = tempfile.mkdtemp(prefix="check-jobs-")
    log_path = os.path.join(log_dir, "moto.log")
    proc, url = start_moto(log_path)
    print(f"moto at {url}, log {log_path}")
    try:
        run_checks(clients(url))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    log = open(log_path).read()
    errors = [l for l in log.splitlines() if re.search(r'" 5\d\d ', l) or l.startswith("Traceback")]
    check("moto's log has no traceback and no HTTP 5xx", not errors, "; ".join(errors[:5]))
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed; moto's log: {log_path}")
        sys.exit(1)
    shutil.rmtree(log_dir, ignore_errors=True)
    print("\nall checks hold")


def run_checks(c):
    cfn, ec2, ssm, ecs, sfn, sns, sqs = (c[n] for n in ["cloudformation", "ec2", "ssm", "ecs", "stepfunctions", "sns", "sqs"])

    # What wharf's environment stack provides, made through the APIs.
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    sg = ec2.create_security_group(GroupName="check-env", Description="env", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="check-env-cluster")
    ssm.put_parameter(Name="/check/cluster", Value="check-env-cluster", Type="String")
    ssm.put_parameter(Name="/check/subnets", Value=",".join(subnets), Type="StringList")
    ssm.put_parameter(Name="/check/sg", Value=sg, Type="String")
    enis_before = len(ec2.describe_network_interfaces()["NetworkInterfaces"])

    # ---- the job and messaging stack
    stack = deploy(cfn, "check-env-jobs", JOB_TEMPLATE)
    check("job stack CREATE_COMPLETE", stack["StackStatus"] == "CREATE_COMPLETE", stack["StackStatus"] + failed_events(cfn, stack))
    if stack["StackStatus"] != "CREATE_COMPLETE":
        return
    out = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    check("outputs: Ref/GetAtt of state machines, topic, queues, subscription, policy, rule",
          set(out) == {"StateMachineArn", "FailingStateMachineArn", "TopicArn", "QueueURL", "FifoQueueURL", "SubscriptionArn", "QueuePolicyId", "RuleName"},
          sorted(out))
    resources = {r["LogicalResourceId"]: r for r in cfn.describe_stack_resources(StackName="check-env-jobs")["StackResources"]}
    for logical in ["ordersSubscription", "ordersTopicPolicy", "EventsQueuePolicy", "StateMachine", "Rule"]:
        check(f"stack resource {logical} is built", logical in resources and bool(resources[logical].get("PhysicalResourceId")),
              resources.get(logical, {}).get("PhysicalResourceId"))

    sm = out["StateMachineArn"]
    check("state machine Ref is its ARN", sm.startswith("arn:aws:states:us-east-1:") and sm.endswith(":stateMachine:check-env-ok"), sm)
    text = sfn.describe_state_machine(stateMachineArn=sm)["definition"]
    params = json.loads(text)["States"]["Run Fargate Task"]["Parameters"]
    check("definition: Sub filled in partition, cluster, task definition, subnets, security group",
          params["Cluster"] == "check-env-cluster" and params["TaskDefinition"].startswith("arn:aws:ecs:") and
          params["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == subnets and
          params["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == [sg] and
          json.loads(text)["States"]["Run Fargate Task"]["Resource"] == "arn:aws:states:::ecs:runTask.sync", json.dumps(params))
    check("definition keeps `$$.Execution.Name`", params.get("Group.$") == "$$.Execution.Name", params.get("Group.$"))

    rule = c["events"].describe_rule(Name=out["RuleName"])
    check("events rule: DISABLED, schedule kept", rule["State"] == "DISABLED" and rule["ScheduleExpression"] == "rate(5 minutes)", rule["State"])
    targets = c["events"].list_targets_by_rule(Rule=out["RuleName"])["Targets"]
    check("events rule targets the state machine", [t["Arn"] for t in targets] == [sm])

    # ---- jobs
    for poll in (0.2, 1.0):
        ok = run_job(sfn, sm, poll)
        output = json.loads(ok.get("output") or "{}")
        exits = {x["Name"]: x.get("ExitCode") for x in output.get("Containers", [])}
        check(f"exit 0 job SUCCEEDED (polled every {poll} s)", ok["status"] == "SUCCEEDED", f"{ok['status']} {ok.get('error')} {ok.get('cause')}")
        check(f"  ...within {poll + 1.2:.1f} s", ok["elapsed"] < poll + 1.2, f"{ok['elapsed']:.2f} s, seen {ok['seen']}")
        check("  ...its output is the stopped task (sidecar 9 is not essential)",
              output.get("LastStatus") == "STOPPED" and output.get("StopCode") == "EssentialContainerExited" and exits == {"main": 0, "sidecar": 9}, exits)
        check("  ...execution got a generated name", re.fullmatch(r"[0-9a-f-]{36}", ok["name"] or "") is not None, ok["name"])
        check("  ...task group is the execution name", output.get("Group") == ok["name"], output.get("Group"))

    bad = run_job(sfn, out["FailingStateMachineArn"], 0.3, name="fail-run")
    cause = json.loads(bad.get("cause") or "{}")
    check("exit 3 job FAILED with States.TaskFailed", bad["status"] == "FAILED" and bad.get("error") == "States.TaskFailed",
          f"{bad['status']} {bad.get('error')}")
    check("  ...cause is the task, with containers' exit codes",
          {x["Name"]: x.get("ExitCode") for x in cause.get("Containers", [])} == {"main": 3, "sidecar": 9} and cause.get("LastStatus") == "STOPPED",
          (bad.get("cause") or "")[:200])
    history = [e["type"] for e in sfn.get_execution_history(executionArn=bad["executionArn"])["events"]]
    check("  ...Retry MaxAttempts 1: two tasks ran", history.count("TaskSubmitted") == 2 and history.count("TaskFailed") == 2, history)
    check("  ...with wharf's 10 s interval scaled by 0.05 (about 2 x 0.5 s + 0.5 s)", 1.0 < bad["elapsed"] < 4, f"{bad['elapsed']:.2f} s")
    tasks = ecs.list_tasks(cluster="check-env-cluster", desiredStatus="STOPPED")["taskArns"]
    described = ecs.describe_tasks(cluster="check-env-cluster", tasks=tasks)["tasks"] if tasks else []
    failing = [t for t in described if t.get("group") == "fail-run"]
    check("DescribeTasks: the two failing tasks, STOPPED, exit codes, startedBy Step Functions",
          len(failing) == 2 and all(t["lastStatus"] == "STOPPED" and t["containers"][0].get("exitCode") == 3 and t["startedBy"] == "AWS Step Functions" for t in failing),
          [(t.get("group"), t["lastStatus"], [x.get("exitCode") for x in t["containers"]]) for t in described])
    check("stopped tasks released their network interfaces", len(ec2.describe_network_interfaces()["NetworkInterfaces"]) == enis_before)

    # Two executions at once, polled together.
    arns = [sfn.start_execution(stateMachineArn=sm)["executionArn"] for _ in range(2)]
    t0 = time.time()
    while time.time() - t0 < 10 and any(sfn.describe_execution(executionArn=a)["status"] == "RUNNING" for a in arns):
        time.sleep(0.2)
    check("two concurrent executions both SUCCEEDED", all(sfn.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns),
          f"{time.time() - t0:.2f} s")

    # StopExecution while the task runs; an ECS error (an unknown cluster).
    for wait in (0, 0.2):  # before the task runs, and while it runs
        long_running = sfn.start_execution(stateMachineArn=sm, name=f"stopped-{wait}")["executionArn"]
        time.sleep(wait)
        sfn.stop_execution(executionArn=long_running, error="Stopped", cause="by check")
        time.sleep(0.3)
        d = sfn.describe_execution(executionArn=long_running)
        arns = ecs.list_tasks(cluster="check-env-cluster")["taskArns"]
        mine = [t for t in ecs.describe_tasks(cluster="check-env-cluster", tasks=arns)["tasks"] if t.get("group") == f"stopped-{wait}"]
        check(f"StopExecution after {wait} s: ABORTED, its task (if it started) stopped by Step Functions",
              d["status"] == "ABORTED" and all(t["lastStatus"] == "STOPPED" and t.get("stopCode") == "UserInitiated" for t in mine) and (wait == 0 or mine),
              f"{d['status']} {[(t['lastStatus'], t.get('stopCode')) for t in mine]}")
    text = json.loads(sfn.describe_state_machine(stateMachineArn=sm)["definition"])
    text["States"]["Run Fargate Task"]["Parameters"]["Cluster"] = "no-such-cluster"
    role_arn = sfn.describe_state_machine(stateMachineArn=sm)["roleArn"]
    lost = sfn.create_state_machine(name="check-lost", definition=json.dumps(text), roleArn=role_arn)["stateMachineArn"]
    d = run_job(sfn, lost, 0.2)
    check("an unknown cluster: FAILED with ECS.ClusterNotFoundException", d["status"] == "FAILED" and d.get("error") == "ECS.ClusterNotFoundException",
          f"{d['status']} {d.get('error')} {d.get('cause')}")
    sfn.delete_state_machine(stateMachineArn=lost)

    # WHARF_SIM_EXIT_CODE "1,0": the first run fails, the retry succeeds.
    flaky_td = ecs.register_task_definition(
        family="check-flaky", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "main", "image": "busybox", "environment": [{"name": "WHARF_SIM_EXIT_CODE", "value": "1,0"}]}],
    )["taskDefinition"]["taskDefinitionArn"]
    text = json.loads(sfn.describe_state_machine(stateMachineArn=out["FailingStateMachineArn"])["definition"])
    text["States"]["Run Fargate Task"]["Parameters"]["TaskDefinition"] = flaky_td
    flaky = sfn.create_state_machine(name="check-flaky", definition=json.dumps(text), roleArn=role_arn)["stateMachineArn"]
    d = run_job(sfn, flaky, 0.2)
    history = [e["type"] for e in sfn.get_execution_history(executionArn=d["executionArn"])["events"]]
    check('exit codes "1,0" with a Retry: TaskFailed, then TaskSucceeded, SUCCEEDED',
          d["status"] == "SUCCEEDED" and history.count("TaskFailed") == 1 and history.count("TaskSucceeded") == 1, f"{d['status']} {history}")
    sfn.delete_state_machine(stateMachineArn=flaky)

    # A plain RunTask and StopTask.
    run = ecs.run_task(cluster="check-env-cluster", taskDefinition="check-ok", launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}})["tasks"][0]
    stopped = ecs.stop_task(cluster="check-env-cluster", task=run["taskArn"], reason="by check")["task"]
    check("RunTask then StopTask: STOPPED, UserInitiated", stopped["lastStatus"] == "STOPPED" and stopped.get("stopCode") == "UserInitiated", stopped.get("stopCode"))

    # ---- messaging
    topic, queue_url = out["TopicArn"], out["QueueURL"]
    check("GetAtt TopicArn is the topic ARN", topic.endswith(":check-env-api-orders"), topic)
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    check("subscription exists: sqs, endpoint the queue", [(s["Protocol"], s["Endpoint"], s["SubscriptionArn"]) for s in subs] == [("sqs", queue_arn, out["SubscriptionArn"])],
          subs)
    attrs = sns.get_subscription_attributes(SubscriptionArn=out["SubscriptionArn"])["Attributes"]
    check("subscription attributes: FilterPolicy, RawMessageDelivery false",
          json.loads(attrs.get("FilterPolicy", "{}")) == {"type": ["created"]} and attrs.get("RawMessageDelivery") == "false", attrs)
    qpolicy = json.loads(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])["Attributes"].get("Policy", "{}"))
    check("queue policy applied", qpolicy.get("Statement", [{}])[0].get("Condition") == {"ArnEquals": {"aws:SourceArn": [topic]}}, qpolicy)
    tpolicy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    check("topic policy applied", tpolicy.get("Statement", [{}])[0].get("Action") == "sns:Subscribe", tpolicy)
    sns.publish(TopicArn=topic, Message="dropped", MessageAttributes={"type": {"DataType": "String", "StringValue": "deleted"}})
    sns.publish(TopicArn=topic, Message="hello", MessageAttributes={"type": {"DataType": "String", "StringValue": "created"}})
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    bodies = [json.loads(m["Body"]).get("Message") for m in got]
    check("published message received from the queue (SNS envelope), filtered one not", bodies == ["hello"], bodies)
    fifo = out["FifoQueueURL"]
    check("a FIFO queue without a name gets a .fifo name", fifo.endswith(".fifo"), fifo)

    # ---- update: the failing job now exits 0 (a new task definition revision, which the
    # state machine's definition follows), and the subscription filters on another type
    updated = JOB_TEMPLATE.replace("Value: '3'", "Value: '0'").replace('{"type": ["created"]}', '{"type": ["updated"]}')
    stack = deploy(cfn, "check-env-jobs", updated, kind="UPDATE")
    check("job stack UPDATE_COMPLETE", stack["StackStatus"] == "UPDATE_COMPLETE", stack["StackStatus"] + failed_events(cfn, stack))
    fixed = run_job(sfn, out["FailingStateMachineArn"], 0.3)
    td = json.loads(sfn.describe_state_machine(stateMachineArn=out["FailingStateMachineArn"])["definition"])["States"]["Run Fargate Task"]["Parameters"]["TaskDefinition"]
    check("  ...the state machine runs the new revision, and SUCCEEDED", td.endswith("/check-fail:2") and fixed["status"] == "SUCCEEDED", f"{td} {fixed['status']}")
    sns.publish(TopicArn=topic, Message="old", MessageAttributes={"type": {"DataType": "String", "StringValue": "created"}})
    sns.publish(TopicArn=topic, Message="new", MessageAttributes={"type": {"DataType": "String", "StringValue": "updated"}})
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    bodies = [json.loads(m["Body"]).get("Message") for m in got]
    check("  ...the subscription's new filter policy applies", bodies == ["new"], bodies)

    # ---- delete
    status = delete(cfn, stack["StackId"])
    check("job stack DELETE_COMPLETE", status == "DELETE_COMPLETE", status)
    check("subscription gone", not sns.list_subscriptions()["Subscriptions"], sns.list_subscriptions()["Subscriptions"])
    check("state machines gone", not sfn.list_state_machines()["stateMachines"], [m["name"] for m in sfn.list_state_machines()["stateMachines"]])
    check("rule gone", not c["events"].list_rules()["Rules"], c["events"].list_rules()["Rules"])
    check("queues and topic gone", not sqs.list_queues().get("QueueUrls") and not sns.list_topics()["Topics"],
          (sqs.list_queues().get("QueueUrls"), sns.list_topics()["Topics"]))

    # ---- a service stack, as before
    svc_stack = deploy(cfn, "check-env-svc", service_template("public.ecr.aws/docker/library/nginx:1"))
    check("service stack CREATE_COMPLETE", svc_stack["StackStatus"] == "CREATE_COMPLETE", svc_stack["StackStatus"] + failed_events(cfn, svc_stack))
    if svc_stack["StackStatus"] != "CREATE_COMPLETE":
        return
    svc_arn = {o["OutputKey"]: o["OutputValue"] for o in svc_stack.get("Outputs", [])}.get("ServiceArn")
    time.sleep(1.2)
    svc = ecs.describe_services(cluster="check-svc-cluster", services=[svc_arn])["services"][0]
    check("service rolled out (COMPLETED, 2 running)", svc["deployments"][0]["rolloutState"] == "COMPLETED" and svc["runningCount"] == 2,
          [(d["status"], d["rolloutState"]) for d in svc["deployments"]])
    svc_stack = deploy(cfn, "check-env-svc", service_template("public.ecr.aws/docker/library/nginx:2"), kind="UPDATE")
    check("service stack UPDATE_COMPLETE", svc_stack["StackStatus"] == "UPDATE_COMPLETE", svc_stack["StackStatus"])
    svc = ecs.describe_services(cluster="check-svc-cluster", services=[svc_arn])["services"][0]
    check("update started a new deployment of revision 2", svc["deployments"][0]["taskDefinition"].endswith("/check-svc:2")
          and svc["deployments"][0]["rolloutState"] == "IN_PROGRESS", [(d["taskDefinition"], d["rolloutState"]) for d in svc["deployments"]])
    time.sleep(1.2)
    svc = ecs.describe_services(cluster="check-svc-cluster", services=[svc_arn])["services"][0]
    check("  ...and completed", [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"], [d["rolloutState"] for d in svc["deployments"]])
    status = delete(cfn, svc_stack["StackId"])
    check("service stack DELETE_COMPLETE", status == "DELETE_COMPLETE", status)


if __name__ == "__main__":
    main()
