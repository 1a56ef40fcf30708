//! Adopting an application deployed from **Copilot's own templates**
//! (`../shared/copilot-golden/`, Copilot v1.33) on moto, with Copilot's parameters,
//! tags, stack role and registry in SSM. What moto cannot run (Lambda functions and the
//! custom resources they back) gets the stand-ins `copilot_golden.py` documents; logical
//! IDs, physical names, exports, parameters and tags stay as Copilot made them. The
//! workspaces hold the manifests those stacks were made from
//! (`../shared/copilot-corpus/`), an `image.build` given as the image it deployed.
//!
//! - The environment, the Backend Service `simple-backend` and the Worker Service
//!   `dogworker`.
//! - The environment with its public load balancer, which then serves a wharf service;
//!   a workspace that would lose the load balancer is refused.
//! - The Load Balanced Web Service `fe` on an imported load balancer.
//!
//! `wharf app adopt` must take the stacks over in place: every resource that holds state
//! or identity keeps its physical ID, the ECS services keep their desired count and
//! tasks, the log groups keep their events, and a second deploy changes nothing.

use crate::harness::{Emulator, boto, moto, repo, wharf, write_file};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory of `../shared/` (`name`), or where the environment variable `var` says.
fn shared_dir(var: &str, name: &str) -> PathBuf {
    let dir = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared").join(name));
    assert!(
        dir.is_dir(),
        "{name} not found at {} (set {var})",
        dir.display()
    );
    dir
}

/// Copilot's golden templates.
fn golden_dir() -> PathBuf {
    shared_dir("WHARF_COPILOT_GOLDEN", "copilot-golden")
}

/// The Copilot manifests they were made from.
fn corpus_dir() -> PathBuf {
    shared_dir("WHARF_COPILOT_CORPUS", "copilot-corpus")
}

/// A golden template as JSON with moto's stand-ins (`copilot_golden.py`, run by the
/// Python that has cfn-lint's CloudFormation YAML reader).
fn deployable(name: &str, out: &Path) -> PathBuf {
    let python = std::env::var_os("WHARF_CFN_LINT")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(|d| d.join("python")))
        .unwrap_or_else(|| repo().join(".venv/cfn-lint/bin/python"));
    let run = Command::new(&python)
        .arg(repo().join("tests/emulators/copilot_golden.py"))
        .arg(golden_dir().join(name))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        run.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let dest = out.join(name).with_extension("json");
    std::fs::write(&dest, run.stdout).unwrap();
    dest
}

/// Resources of the Copilot stacks that hold state or identity, by stack and logical ID.
const PROTECTED: &[(&str, &[&str])] = &[
    (
        "my-app-test",
        &[
            "VPC",
            "PublicSubnet1",
            "PublicSubnet2",
            "PrivateSubnet1",
            "PrivateSubnet2",
            "PublicRouteTable",
            "InternetGateway",
            "Cluster",
            "ServiceDiscoveryNamespace",
            "EnvironmentSecurityGroup",
        ],
    ),
    (
        "my-app-test-simple-backend",
        &["LogGroup", "Service", "DiscoveryService"],
    ),
    (
        "my-app-test-dogworker",
        &[
            "LogGroup",
            "Service",
            "EventsQueue",
            "DeadLetterQueue",
            "dogsvcgiveshuskiesEventsQueue",
            "mytopicmytopicfifoEventsQueue",
            "yourtopicyourtopicfifoEventsQueue",
            "nonfifotopicnonfifotopicEventsQueue",
            "givesOtherdogsSNSTopic",
            "mytopicSNSTopic",
            "mytopicfifoSNSTopic",
            "yourtopicfifoSNSTopic",
            "nonfifotopicSNSTopic",
            "AutoScalingTarget",
        ],
    ),
];

/// Physical IDs of [`PROTECTED`], the services' desired and running counts, and the
/// events in the workloads' log groups.
fn observe(ep: &str) -> serde_json::Value {
    let protected = serde_json::to_string(PROTECTED).unwrap();
    boto(
        ep,
        &format!(
            r#"
cfn, ecs, logs = client('cloudformation'), client('ecs'), client('logs')
ids = {{s: {{lid: res(s, lid) for lid in lids}} for s, lids in json.loads({protected:?})}}
cluster = res('my-app-test', 'Cluster')
services = {{}}
for s in ['simple-backend', 'dogworker']:
    d = ecs.describe_services(cluster=cluster, services=[res('my-app-test-' + s, 'Service')])['services'][0]
    services[s] = {{'arn': d['serviceArn'], 'desired': d['desiredCount'], 'running': d['runningCount']}}
events = {{}}
for s in ['simple-backend', 'dogworker']:
    g = '/copilot/my-app-test-' + s
    events[s] = [e['message'] for e in logs.filter_log_events(logGroupName=g)['events']]
roles = sorted(r['RoleName'] for r in client('iam').list_roles()['Roles'] if r['RoleName'].startswith('my-app-test-') and r['RoleName'].endswith(('CFNExecutionRole', 'EnvManagerRole')))
print(json.dumps({{'ids': ids, 'services': services, 'events': events, 'roles': roles}}))
"#
        ),
    )
}

/// Python for the harness scripts: Copilot's registry in SSM, and stacks created with
/// Copilot's parameters and tags.
const COPILOT: &str = r#"
import time
cfn, ssm = client('cloudformation'), client('ssm')
app, env = 'my-app', 'test'
tags = {'copilot-application': app, 'copilot-environment': env}

def put(name, value):
    ssm.put_parameter(Name=name, Type='String', Value=json.dumps(value))

def register(workloads):
    put(f'/copilot/applications/{app}', {'name': app, 'account': '123456789012', 'version': 'v1.2.0'})
    put(f'/copilot/applications/{app}/environments/{env}', {'app': app, 'name': env, 'region': 'us-east-1', 'accountID': '123456789012',
        'executionRoleARN': f'arn:aws:iam::123456789012:role/{app}-{env}-CFNExecutionRole', 'managerRoleARN': f'arn:aws:iam::123456789012:role/{app}-{env}-EnvManagerRole'})
    for name, kind in workloads.items():
        put(f'/copilot/applications/{app}/components/{name}', {'app': app, 'name': name, 'type': kind})

def create(name, path, params, tags, body=None, role=None):
    """Copilot deploys a workload's stack with the environment's CloudFormation role."""
    extra = {'RoleARN': role} if role else {}
    cfn.create_stack(StackName=name, TemplateBody=body or open(path).read(), Capabilities=['CAPABILITY_NAMED_IAM'],
        Parameters=[{'ParameterKey': k, 'ParameterValue': v} for k, v in params.items()],
        Tags=[{'Key': k, 'Value': v} for k, v in tags.items()], **extra)
    status = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']
    assert status == 'CREATE_COMPLETE', (name, status)

def environment(path, alb_workloads='', namespace=None, domain='', body=None, aliases=''):
    """The environment stack as Copilot deploys it: a public load balancer when Load
    Balanced Web Services use it; no internal one, no managed file system, no NAT
    gateways. Its namespace is `<env>.<app>.local` unless `namespace` says otherwise
    (Copilot before v1.5: `<app>.local`). With `domain`, the application's: its zone
    `<env>.<app>.<domain>`, delegated and with a certificate on an HTTPS listener."""
    create(f'{app}-{env}', path, {'AppName': app, 'EnvironmentName': env, 'ALBWorkloads': alb_workloads, 'InternalALBWorkloads': '',
        'EFSWorkloads': '', 'NATWorkloads': '', 'AppRunnerPrivateWorkloads': '', 'ToolsAccountPrincipalARN': 'arn:aws:iam::123456789012:root',
        'AppDNSName': domain, 'AppDNSDelegationRole': f'arn:aws:iam::123456789012:role/{app}-DNSDelegationRole' if domain else '',
        'Aliases': aliases, 'CreateHTTPSListener': 'true' if domain else 'false', 'CreateInternalHTTPSListener': 'false',
        'ServiceDiscoveryEndpoint': namespace or f'{env}.{app}.local'}, tags, body=body)

role = f'arn:aws:iam::123456789012:role/{app}-{env}-CFNExecutionRole'
"#;

/// Copilot's application as Copilot deployed it (see the module doc), with an event
/// written to each workload's log group and every service at a steady state.
fn deploy_golden_application(emu: &Emulator, tmp: &Path) {
    let env = deployable("environments_template-with-basic-manifest.yml", tmp);
    let backend = deployable("workloads_backend_simple-template.yml", tmp);
    let worker = deployable("workloads_worker-test.stack.yml", tmp);
    let golden = golden_dir();
    let script = format!(
        r#"{COPILOT}
register({{'simple-backend': 'Backend Service', 'dogworker': 'Worker Service'}})
environment({env:?})
params = lambda f: json.load(open(os.path.join({golden:?}, f)))['Parameters']
p = params('workloads_backend_simple-params.json')
p.update(EnvName=env, ContainerImage='public.ecr.aws/nginx/nginx:1.27')
create(f'{{app}}-{{env}}-simple-backend', {backend:?}, p, dict(tags, **{{'copilot-service': 'simple-backend'}}), role=role)
# What the worker imports and subscribes to, from outside this application's workspace:
# a file system exported as `stack-fs-12345`, and the topics of the services its
# manifest subscribes to, published by their own (Copilot) stacks.
fs = client('efs').create_file_system(CreationToken='stand-in')['FileSystemId']
cfn.create_stack(StackName='shared-storage', TemplateBody=json.dumps({{
    'Resources': {{'Marker': {{'Type': 'AWS::SSM::Parameter', 'Properties': {{'Name': '/shared-storage/fs', 'Type': 'String', 'Value': fs}}}}}},
    'Outputs': {{'FileSystem': {{'Value': fs, 'Export': {{'Name': 'stack-fs-12345'}}}}}}}}))
publishers = {{'dogsvc': ['givesdogs', 'giveshuskies'], 'mytopic': ['mytopic.fifo'], 'yourtopic': ['yourtopic.fifo'], 'nonfifotopic': ['nonfifotopic']}}
for svc, topics in publishers.items():
    resources = {{}}
    for t in topics:
        fifo = t.endswith('.fifo')
        props = {{'TopicName': f'{{app}}-{{env}}-{{svc}}-{{t}}'}}
        if fifo:
            props['FifoTopic'] = True
        resources[t.replace('.fifo', '') + ('fifo' if fifo else '') + 'SNSTopic'] = {{'Type': 'AWS::SNS::Topic', 'Properties': props}}
    create(f'{{app}}-{{env}}-{{svc}}', None, {{}}, dict(tags, **{{'copilot-service': svc}}), body=json.dumps({{'Resources': resources}}))
create(f'{{app}}-{{env}}-dogworker', {worker:?}, params('workloads_worker-test.params.json'), dict(tags, **{{'copilot-service': 'dogworker'}}), role=role)

logs = client('logs')
for s in ['simple-backend', 'dogworker']:
    g = f'/copilot/{{app}}-{{env}}-{{s}}'
    logs.create_log_stream(logGroupName=g, logStreamName=f'copilot/{{s}}/1')
    logs.put_log_events(logGroupName=g, logStreamName=f'copilot/{{s}}/1', logEvents=[{{'timestamp': int(time.time() * 1000), 'message': f'{{s}} under Copilot'}}])
ecs, cluster = client('ecs'), res(f'{{app}}-{{env}}', 'Cluster')
for _ in range(100):
    d = ecs.describe_services(cluster=cluster, services=[res(f'{{app}}-{{env}}-{{s}}', 'Service') for s in ['simple-backend', 'dogworker']])['services']
    if all(x['runningCount'] == x['desiredCount'] > 0 for x in d):
        break
    time.sleep(0.1)
print(json.dumps(True))
"#,
        env = env.display().to_string(),
        backend = backend.display().to_string(),
        worker = worker.display().to_string(),
        golden = golden.display().to_string(),
    );
    boto(&emu.endpoint, &script);
}

/// A Copilot workspace of application `my-app` with the golden environment's manifest
/// (the corpus file is its template; the manifest is the template's
/// `Metadata.Manifest`).
fn environment_workspace(d: &Path) {
    write_file(d, "copilot/.workspace", "application: my-app\n");
    write_file(
        d,
        "copilot/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
}

/// `wharf app adopt --plan` in `d` succeeds and refuses nothing.
fn plan_loses_nothing(d: &Path, ep: &str) {
    let plan = wharf(d, ep)
        .args(["app", "adopt", "--plan"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&plan.stderr).to_string();
    assert!(plan.status.success(), "{text}");
    assert!(!text.contains("REFUSED"), "{text}");
}

/// `wharf app adopt --plan` in `d` is refused (exit 1); what it wrote to stderr.
fn plan_refused(d: &Path, ep: &str) -> String {
    let out = wharf(d, ep)
        .args(["app", "adopt", "--plan"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    text
}

/// The workspace's manifest of `fe`, a Load Balanced Web Service on the environment's
/// load balancer (Copilot's `fe` in the environment's `ALBWorkloads`).
const FE: &str = "name: fe\ntype: Load Balanced Web Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 4000\nhttp:\n  path: '/'\ncount: 1\n";

/// `wharf app adopt --yes` (with `more`) in `d` succeeds; what it wrote to stderr.
fn adopt(d: &Path, ep: &str, more: &[&str]) -> String {
    let out = wharf(d, ep)
        .args(["app", "adopt", "--yes"])
        .args(more)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    err
}

/// The workspace the golden stacks were made from.
fn workspace(d: &Path) {
    let corpus = corpus_dir();
    let read = |f: &str| std::fs::read_to_string(corpus.join(f)).unwrap();
    environment_workspace(d);
    let backend = read("testdata__workloads__backend__simple-manifest.yml");
    assert!(backend.contains("  build: Dockerfile\n"), "{backend}");
    write_file(
        d,
        "copilot/simple-backend/manifest.yml",
        &backend.replace(
            "  build: Dockerfile\n",
            "  location: public.ecr.aws/nginx/nginx:1.27\n",
        ),
    );
    write_file(
        d,
        "copilot/dogworker/manifest.yml",
        &read("testdata__workloads__worker-manifest.yml"),
    );
}

#[test]
fn copilots_own_stacks_are_adopted_in_place() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    deploy_golden_application(&emu, tmp.path());
    let before = observe(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    workspace(d);

    // The plan: the one loss is the log group of Copilot's backlog-calculator Lambda,
    // which wharf's native scaling replaces; it must be allowed by name. Planning
    // changes nothing.
    let plan = |allow: &[&str]| {
        let mut args = vec!["app", "adopt", "--plan", "--output", "json"];
        for a in allow {
            args.extend(["--allow", a]);
        }
        let out = wharf(d, ep).args(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let plans = stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|e| e["type"] == "adoption_plan")
            .unwrap_or_else(|| panic!("{stdout}"));
        (out.status.code(), plans["data"].clone(), stdout)
    };
    let lambda_logs = "my-app-test-dogworker:BacklogPerTaskCalculatorLogGroup";
    let (code, plans, stdout) = plan(&[]);
    assert_eq!(code, Some(1), "{stdout}");
    let losses: Vec<(String, String, String)> = plans
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let stack = p["stack"].as_str().unwrap().to_string();
            p["plan"]["losses"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |l| {
                    (
                        stack.clone(),
                        l["logical_id"].as_str().unwrap().to_string(),
                        l["what"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        losses,
        [(
            "my-app-test-dogworker".to_string(),
            "BacklogPerTaskCalculatorLogGroup".to_string(),
            "deleted".to_string()
        )],
        "{stdout}"
    );
    let (code, plans, stdout) = plan(&[lambda_logs]);
    assert_eq!(code, Some(0), "{stdout}");
    let stacks: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stack"].as_str().unwrap())
        .collect();
    assert_eq!(
        stacks,
        [
            "my-app-test",
            "my-app-test-dogworker",
            "my-app-test-simple-backend"
        ]
    );
    assert_eq!(observe(ep), before);

    // The plan says Copilot's roles leave the environment stack and stay in the account
    // (its stacks deploy with the CloudFormation one).
    let env_plan = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["stack"] == "my-app-test")
        .unwrap();
    assert_eq!(
        env_plan["plan"]["retained"],
        serde_json::json!(["CloudformationExecutionRole", "EnvironmentManagerRole"]),
        "{env_plan}"
    );

    // Ctrl-C once the environment is adopted stops there (exit 130), saying what was
    // done; the next run goes on from there.
    let mut child = crate::harness::wharf_command(d, ep)
        .args(["app", "adopt", "--yes", "--allow", lambda_logs])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains("my-app-test: updated") {
            let sent = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            break;
        }
    }
    std::io::Read::read_to_string(&mut reader, &mut seen).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(
        seen.contains("interrupted: application stack my-app-infrastructure created; environment `test` adopted; nothing after"),
        "{seen}"
    );
    let env_tags = boto(
        ep,
        "print(json.dumps({t['Key']: t['Value'] for t in client('cloudformation').describe_stacks(StackName='my-app-test')['Stacks'][0]['Tags']}))",
    );
    assert_eq!(env_tags["wharf-application"], "my-app", "{seen}");

    // Adoption.
    let err = adopt(d, ep, &["--allow", lambda_logs]);
    let after = observe(ep);
    // Nothing that holds state or identity was replaced.
    assert_eq!(after["ids"], before["ids"], "{err}");
    // The same ECS services, with the desired count they had and their tasks running: the
    // simulation (moto_ecs_rollouts.py) only lowers a service's running count when the
    // service is replaced or its desired count falls, so the same ARN, the same desired
    // count and a full running count mean no moment without tasks.
    for s in ["simple-backend", "dogworker"] {
        let (b, a) = (&before["services"][s], &after["services"][s]);
        assert_eq!(a["arn"], b["arn"], "{s}: {after}");
        assert_eq!(a["desired"], b["desired"], "{s}: {after}");
        assert!(a["running"].as_i64().unwrap() > 0, "{s}: {after}");
    }
    assert_eq!(after["events"], before["events"]);
    // Copilot's roles outlive the environment stack's update.
    assert_eq!(after["roles"], before["roles"]);
    assert_eq!(
        after["roles"],
        serde_json::json!(["my-app-test-CFNExecutionRole", "my-app-test-EnvManagerRole"])
    );
    let tags = boto(
        ep,
        "print(json.dumps({s['StackName']: {t['Key']: t['Value'] for t in s.get('Tags', [])} for s in client('cloudformation').describe_stacks()['Stacks']}))",
    );
    // wharf's application stack (its bucket holds deploy locks and files) was created
    // first, beside Copilot's.
    for s in [
        "my-app-infrastructure",
        "my-app-test",
        "my-app-test-simple-backend",
        "my-app-test-dogworker",
    ] {
        assert_eq!(tags[s]["wharf-application"], "my-app", "{tags}");
    }
    let ls = wharf(d, ep).args(["app", "ls", "--json"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&ls.stdout).contains("\"name\":\"my-app\""),
        "{}",
        String::from_utf8_lossy(&ls.stderr)
    );
    // The second deploy is a no-op.
    crate::harness::deploy_changes_nothing(
        d,
        ep,
        "test",
        &[
            "my-app-test",
            "my-app-test-simple-backend",
            "my-app-test-dogworker",
        ],
    );
    assert_eq!(observe(ep)["ids"], before["ids"]);
}

/// The physical IDs of [`ALB_PARTS`], by logical ID.
fn alb_ids(ep: &str) -> serde_json::Value {
    let parts = serde_json::to_string(ALB_PARTS).unwrap();
    boto(
        ep,
        &format!(
            "print(json.dumps({{lid: res('my-app-test', lid) for lid in json.loads({parts:?})}}))"
        ),
    )
}

/// Physical IDs of the golden environment's load balancer and what serves it.
const ALB_PARTS: &[&str] = &[
    "VPC",
    "PublicSubnet1",
    "PublicSubnet2",
    "PublicLoadBalancer",
    "HTTPListener",
    "PublicHTTPLoadBalancerSecurityGroup",
    "EnvironmentSecurityGroup",
    "Cluster",
];

#[test]
fn copilots_public_load_balancer_is_kept_and_serves_wharfs_services() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let env = deployable("environments_template-with-basic-manifest.yml", tmp.path());
    // Copilot's environment with the public load balancer its Load Balanced Web Service
    // `fe` used; the service itself is in the workspace only (adopting leaves it; the
    // next deploy creates it).
    let ids = alb_ids;
    boto(
        ep,
        &format!(
            "{COPILOT}\nregister({{}})\nenvironment({:?}, 'fe')\nprint(json.dumps(True))\n",
            env.display().to_string()
        ),
    );
    let before = ids(ep);
    let dns = |ep: &str| {
        boto(
            ep,
            "elb = client('elbv2')\nprint(json.dumps(elb.describe_load_balancers(LoadBalancerArns=[res('my-app-test', 'PublicLoadBalancer')])['LoadBalancers'][0]['DNSName']))",
        )
    };
    let name = dns(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    // A workspace whose service no longer uses the public load balancer would lose it
    // (and its DNS name): refused, and nothing changes.
    write_file(
        d,
        "copilot/fe/manifest.yml",
        "name: fe\ntype: Backend Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 4000\ncount: 1\n",
    );
    let text = plan_refused(d, ep);
    assert!(
        text.contains(
            "REFUSED: PublicLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer) would be deleted"
        ),
        "{text}"
    );
    assert_eq!(ids(ep), before);
    write_file(d, "copilot/fe/manifest.yml", FE);
    // The plan: Copilot's security groups and listener kept; its default target group
    // (which no service registers in) goes, which loses nothing.
    plan_loses_nothing(d, ep);
    let err = adopt(d, ep, &[]);
    assert_eq!(ids(ep), before, "{err}");
    assert_eq!(dns(ep), name);
    // The service deploys onto Copilot's listener.
    let deploy = wharf(d, ep)
        .args(["deploy", "-e", "test", "--all"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&deploy.stderr).to_string();
    assert!(deploy.status.success(), "{text}");
    let rule_listener = boto(
        ep,
        "print(json.dumps(client('elbv2').describe_rules(RuleArns=[res('my-app-test-fe', 'HTTPListenerRule')])['Rules'][0]['RuleArn'].replace(':listener-rule/', ':listener/').rsplit('/', 1)[0]))",
    );
    assert_eq!(rule_listener, before["HTTPListener"], "{text}");
    assert_eq!(ids(ep), before, "{text}");
}

/// Resource types whose physical IDs an adoption keeps (the issue's list, as far as
/// the golden Load Balanced Web Service has them).
const KEPT_TYPES: &[&str] = &[
    "AWS::ECS::Service",
    "AWS::Logs::LogGroup",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::Route53::RecordSetGroup",
    "AWS::ServiceDiscovery::Service",
    "AWS::SNS::Topic",
    "AWS::ApplicationAutoScaling::ScalableTarget",
];

#[test]
fn copilots_web_service_on_an_imported_load_balancer_is_adopted_in_place() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let env = deployable("environments_template-with-basic-manifest.yml", tmp.path());
    let svc = deployable("workloads_svc-test.stack.yml", tmp.path());
    // Copilot's golden service carries the mock values of Copilot's unit tests where
    // its imported load balancer's values go (`MockListenerARN1`, `mockImportALBSG1`,
    // `mockHostedZoneID`, …) and a hosted zone and security groups that exist only in
    // AWS; the harness makes the real ones on moto and writes their values in their
    // place, in the template and in the manifest alike.
    let made = boto(
        ep,
        &format!(
            r#"{COPILOT}
register({{'fe': 'Load Balanced Web Service'}})
environment({env:?})
out = {{o['OutputKey']: o['OutputValue'] for o in cfn.describe_stacks(StackName=f'{{app}}-{{env}}')['Stacks'][0]['Outputs']}}
ec2, elb = client('ec2'), client('elbv2')
group = lambda n: ec2.create_security_group(GroupName=n, Description=n, VpcId=out['VpcId'])['GroupId']
sg1, sg2, own1, own2, db1, db2 = (group(n) for n in ['alb1', 'alb2', 'own1', 'own2', 'db1', 'db2'])
lb = elb.create_load_balancer(Name='demo-t-Publi', Subnets=out['PublicSubnets'].split(','), SecurityGroups=[sg1, sg2], Scheme='internet-facing', Type='application')['LoadBalancers'][0]
cert = client('acm').request_certificate(DomainName='example.com')['CertificateArn']
tg = elb.create_target_group(Name='theirs', Protocol='HTTP', Port=80, VpcId=out['VpcId'], TargetType='ip')['TargetGroups'][0]['TargetGroupArn']
fwd = [{{'Type': 'forward', 'TargetGroupArn': tg}}]
https = elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTPS', Port=443, Certificates=[{{'CertificateArn': cert}}], DefaultActions=fwd)['Listeners'][0]['ListenerArn']
http = elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTP', Port=80, DefaultActions=fwd)['Listeners'][0]['ListenerArn']
zone = client('route53').create_hosted_zone(Name='example.com', CallerReference='golden')['HostedZone']['Id'].split('/')[-1]
cfn.create_stack(StackName='user-db', TemplateBody=json.dumps({{'Resources': {{'Marker': {{'Type': 'AWS::SSM::Parameter', 'Properties': {{'Name': '/user-db/marker', 'Type': 'String', 'Value': 'x'}}}}}},
    'Outputs': {{'A': {{'Value': db1, 'Export': {{'Name': 'MyUserDBAccessSecurityGroup1'}}}}, 'B': {{'Value': db2, 'Export': {{'Name': 'MyUserDBAccessSecurityGroup2'}}}}}}}}))
t = json.load(open({svc:?}))
for lid, r in t['Resources'].items():
    p = r.get('Properties', {{}})
    if p.get('ListenerArn') == 'MockListenerARN1':
        p['ListenerArn'] = http if lid.startswith('HTTPListenerRedirect') or lid.startswith('HTTPRedirect') else https
real = {{'mockImportALBSG1': sg1, 'mockImportALBSG2': sg2, 'mockHostedZoneID': lb['CanonicalHostedZoneId'], 'mockImportALBDNSName': lb['DNSName'],
    'Z08230443CW11KE6JBNUA': zone, 'sg-0c10c4fe23f5e5361': own1, 'sg-09295097b2a41b59d': own2}}
body = json.dumps(t)
for mock, value in real.items():
    body = body.replace(mock, value)
p = json.load(open(os.path.join({golden:?}, 'workloads_svc-test.params.json')))['Parameters']
p.update(ContainerImage='public.ecr.aws/nginx/nginx:1.27')
create(f'{{app}}-{{env}}-fe', None, p, dict(tags, **{{'copilot-service': 'fe'}}), body=body, role=role)
ecs = client('ecs')
for _ in range(100):
    d = ecs.describe_services(cluster=out['ClusterId'], services=[res(f'{{app}}-{{env}}-fe', 'Service')])['services'][0]
    if d['runningCount'] == d['desiredCount'] > 0:
        break
    time.sleep(0.1)
real['alb'] = lb['LoadBalancerArn']
print(json.dumps(real))
"#,
            env = env.display().to_string(),
            svc = svc.display().to_string(),
            golden = golden_dir().display().to_string(),
        ),
    );
    let kept = serde_json::to_string(KEPT_TYPES).unwrap();
    let observe = |ep: &str| {
        boto(
            ep,
            &format!(
                r#"
cfn, ecs = client('cloudformation'), client('ecs')
kept = json.loads({kept:?})
ids = {{r['LogicalResourceId']: r['PhysicalResourceId'] for r in cfn.describe_stack_resources(StackName='my-app-test-fe')['StackResources'] if r['ResourceType'] in kept}}
d = ecs.describe_services(cluster=res('my-app-test', 'Cluster'), services=[ids['Service']])['services'][0]
print(json.dumps({{'ids': ids, 'desired': d['desiredCount'], 'running': d['runningCount']}}))
"#
            ),
        )
    };
    let before = observe(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    let mut manifest = std::fs::read_to_string(
        corpus_dir().join("testdata__workloads__svc-manifest.yml"),
    )
    .unwrap()
    .replace(
        "  build: ./Dockerfile\n",
        "  location: public.ecr.aws/nginx/nginx:1.27\n",
    )
    .replace(
        "arn:aws:elasticloadbalancing:us-west-2:1234567890:loadbalancer/app/demo-t-Publi-MqfbfMJgLPZ0/5ea280ee3a7eff37",
        made["alb"].as_str().unwrap(),
    );
    for mock in [
        "Z08230443CW11KE6JBNUA",
        "sg-0c10c4fe23f5e5361",
        "sg-09295097b2a41b59d",
    ] {
        manifest = manifest.replace(mock, made[mock].as_str().unwrap());
    }
    write_file(d, "copilot/fe/manifest.yml", &manifest);
    plan_loses_nothing(d, ep);
    assert_eq!(observe(ep), before);
    let err = adopt(d, ep, &[]);
    let after = observe(ep);
    // Service, log group, both target groups, the alias record group, Cloud Map service,
    // topics and scalable target: the same resources.
    assert_eq!(after["ids"], before["ids"], "{err}");
    assert_eq!(after["desired"], before["desired"], "{err}");
    assert!(after["running"].as_i64().unwrap() > 0, "{after}");
    // The alias still points at the load balancer.
    let alias = boto(
        ep,
        &format!(
            "r = [x for x in client('route53').list_resource_record_sets(HostedZoneId={:?})['ResourceRecordSets'] if x['Type'] == 'A']\nprint(json.dumps([(x['Name'].rstrip('.'), x['AliasTarget']['DNSName'].rstrip('.').lower()) for x in r]))",
            made["Z08230443CW11KE6JBNUA"].as_str().unwrap()
        ),
    );
    let dns = made["mockImportALBDNSName"]
        .as_str()
        .unwrap()
        .to_ascii_lowercase();
    assert_eq!(alias, serde_json::json!([["example.com", dns]]), "{err}");
    crate::harness::deploy_changes_nothing(d, ep, "test", &["my-app-test", "my-app-test-fe"]);
    assert_eq!(observe(ep)["ids"], before["ids"]);
}

/// A Copilot environment whose load balancer was named (a Copilot override could set
/// `Name`, which CloudFormation cannot change in place): wharf's template names none,
/// so adopting would replace the load balancer and its DNS name. Refused, in the plan
/// and in the run, and nothing changes.
#[test]
fn adopting_a_plan_that_replaces_the_load_balancer_is_refused() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let env = deployable("environments_template-with-basic-manifest.yml", tmp.path());
    let mut template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&env).unwrap()).unwrap();
    template["Resources"]["PublicLoadBalancer"]["Properties"]["Name"] =
        serde_json::json!("my-app-test-edge");
    std::fs::write(&env, template.to_string()).unwrap();
    boto(
        ep,
        &format!(
            "{COPILOT}\nregister({{}})\nenvironment({:?}, 'fe')\nprint(json.dumps(True))\n",
            env.display().to_string()
        ),
    );
    let ids = alb_ids;
    let before = ids(ep);
    let stacks = crate::harness::stacks_snapshot(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(d, "copilot/fe/manifest.yml", FE);
    for args in [&["--plan"][..], &["--yes"][..]] {
        let out = wharf(d, ep)
            .args(["app", "adopt"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(
            text.contains(
                "REFUSED: PublicLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer) would be replaced"
            ),
            "{args:?}: {text}"
        );
        assert!(text.contains("--allow"), "{args:?}: {text}");
    }
    assert_eq!(ids(ep), before);
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);
}

/// An environment Copilot made before v1.5, whose namespace is `<app>.local`: wharf's
/// default (`<env>.<app>.local`) would replace it, and the plan says so and how to keep
/// it; with `namespace: my-app.local` in the environment's manifest the plan loses
/// nothing and the adoption keeps the namespace.
#[test]
fn an_older_copilot_namespace_is_kept_when_the_manifest_names_it() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let env = deployable("environments_template-with-basic-manifest.yml", tmp.path());
    boto(
        ep,
        &format!(
            "{COPILOT}\nregister({{}})\nenvironment({:?}, namespace=f'{{app}}.local')\nprint(json.dumps(True))\n",
            env.display().to_string()
        ),
    );
    let namespace = || {
        boto(
            ep,
            "print(json.dumps(res('my-app-test', 'ServiceDiscoveryNamespace')))",
        )
    };
    let before = namespace();
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    let text = plan_refused(d, ep);
    assert!(
        text.contains("REFUSED: ServiceDiscoveryNamespace (AWS::ServiceDiscovery::PrivateDnsNamespace) would be replaced"),
        "{text}"
    );
    assert!(
        text.contains("the namespace is `my-app.local`: `namespace: my-app.local` in environments/test/manifest.yml keeps it"),
        "{text}"
    );
    write_file(
        d,
        "copilot/environments/test/manifest.yml",
        "name: test\ntype: Environment\nnamespace: my-app.local\n",
    );
    plan_loses_nothing(d, ep);
    let err = adopt(d, ep, &[]);
    assert_eq!(namespace(), before, "{err}");
    let template = boto(
        ep,
        "print(json.dumps(client('cloudformation').get_template(StackName='my-app-test')['TemplateBody']))",
    );
    assert!(
        template
            .as_str()
            .unwrap()
            .contains("Name: \"my-app.local\""),
        "{template}"
    );
}

/// Python: Copilot's application with domain `example.com`, as `copilot app init
/// --domain` and `copilot env deploy` leave it. The domain's zone (the customer's);
/// Copilot's application stack `<app>-infrastructure-roles` with the application's zone
/// and its delegation (its roles left out); the registry naming the domain; the
/// environment stack with the domain, its certificate action standing in for a real
/// ACM certificate; and the NS record its `DelegateDNSAction` wrote in the application's
/// zone through the Route 53 API. Reads `ENV_TEMPLATE` (the deployable template) and
/// `ALIASES` (the `Aliases` parameter); prints the zones' IDs.
const COPILOT_DOMAIN: &str = r#"
r53, acm = client('route53'), client('acm')
def zone(name):
    return r53.create_hosted_zone(Name=name, CallerReference=name)['HostedZone']['Id'].split('/')[-1]
root = zone('example.com')
create(f'{app}-infrastructure-roles', None, {}, {'copilot-application': app}, body=json.dumps({'Resources': {
    'AppHostedZone': {'Type': 'AWS::Route53::HostedZone', 'Properties': {'Name': f'{app}.example.com'}},
    'AppDomainDelegationRecordSet': {'Type': 'AWS::Route53::RecordSet', 'Properties': {'HostedZoneId': root,
        'Name': f'{app}.example.com', 'Type': 'NS', 'TTL': '900', 'ResourceRecords': {'Fn::GetAtt': ['AppHostedZone', 'NameServers']}}}}}))
app_zone = res(f'{app}-infrastructure-roles', 'AppHostedZone').split('/')[-1]
ssm.put_parameter(Name=f'/copilot/applications/{app}', Type='String', Overwrite=True,
    Value=json.dumps({'name': app, 'account': '123456789012', 'domain': 'example.com', 'domainHostedZoneID': root, 'version': 'v1.2.0'}))
cert = acm.request_certificate(DomainName=f'{env}.{app}.example.com', ValidationMethod='DNS')['CertificateArn']
environment(ENV_TEMPLATE, 'fe', domain='example.com', body=open(ENV_TEMPLATE).read().replace('certificate/stand-in', 'certificate/' + cert.split('/')[-1]),
    aliases=ALIASES)
env_zone = res(f'{app}-{env}', 'EnvironmentHostedZone').split('/')[-1]
ns = r53.get_hosted_zone(Id=env_zone)['DelegationSet']['NameServers']
r53.change_resource_record_sets(HostedZoneId=app_zone, ChangeBatch={'Changes': [{'Action': 'UPSERT', 'ResourceRecordSet': {
    'Name': f'{env}.{app}.example.com', 'Type': 'NS', 'TTL': 60, 'ResourceRecords': [{'Value': n} for n in ns]}}]})
print(json.dumps({'root': root, 'app': app_zone, 'env': env_zone, 'cert': cert}))
"#;

/// Copilot's application with domain `example.com` ([`COPILOT_DOMAIN`]) on moto, its
/// templates made deployable in `tmp`; `workloads` (a Python dict, name to type) are
/// registered, `aliases` (a Python expression) is the environment stack's `Aliases`
/// parameter. The zones' IDs and Copilot's certificate, as [`COPILOT_DOMAIN`] prints them.
fn copilot_domain_application(
    ep: &str,
    tmp: &Path,
    workloads: &str,
    aliases: &str,
) -> serde_json::Value {
    let env = deployable("environments_template-with-basic-manifest.yml", tmp);
    boto(
        ep,
        &format!(
            "{COPILOT}\nregister({workloads})\nENV_TEMPLATE = {:?}\nALIASES = {aliases}\n{COPILOT_DOMAIN}",
            env.display().to_string()
        ),
    )
}

/// What a domain's adoption must keep: the physical IDs of the environment's zone, load
/// balancer and listeners; the delegation record Copilot wrote outside CloudFormation;
/// how many zones are named `my-app.example.com`; and which custom resources' delete
/// handlers ran (moto_server.py adjustment 36).
fn domain_state(ep: &str, app_zone: &str) -> serde_json::Value {
    boto(
        ep,
        &format!(
            r#"
r53 = client('route53')
ids = {{lid: res('my-app-test', lid) for lid in ['EnvironmentHostedZone', 'PublicLoadBalancer', 'HTTPListener', 'HTTPSListener', 'Cluster', 'VPC']}}
records = r53.list_resource_record_sets(HostedZoneId={app_zone:?})['ResourceRecordSets']
ns = [sorted(v['Value'] for v in r['ResourceRecords']) for r in records if r['Type'] == 'NS' and r['Name'].rstrip('.') == 'test.my-app.example.com']
zones = [z['Id'] for z in r53.list_hosted_zones()['HostedZones'] if z['Name'].rstrip('.') == 'my-app.example.com']
deleted = sorted(p['Name'] for p in client('ssm').describe_parameters()['Parameters'] if p['Name'].startswith('/stand-in/deleted/'))
print(json.dumps({{'ids': ids, 'delegation': ns, 'app_zones': len(zones), 'handlers_run': deleted}}))
"#
        ),
    )
}

/// A Copilot application with a domain: its application zone (in Copilot's
/// `<app>-infrastructure-roles`), the environment's zone and the NS record delegating
/// it (written by Copilot's `DelegateDNSAction` outside CloudFormation) are kept; the
/// DNS and certificate custom resources leave the stack without their delete handlers
/// running (which would take the delegation and the certificate away); wharf's
/// certificate takes over the HTTPS listener; and a workspace that does not name the
/// domain is refused before anything changes.
#[test]
fn copilots_environment_with_a_domain_is_adopted_with_its_zones_and_delegation() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let zones =
        copilot_domain_application(ep, tmp.path(), "{'fe': 'Load Balanced Web Service'}", "''");
    // Copilot's Load Balanced Web Service `fe` on the HTTPS listener, with its default
    // name `fe.test.my-app.example.com` in the environment's zone (the parts an
    // adoption keeps; it imports the environment's exports).
    boto(
        ep,
        &format!(
            r#"{COPILOT}
imp = lambda name: {{'Fn::ImportValue': f'{{app}}-{{env}}-' + name}}
body = {{'Resources': {{
    'LogGroup': {{'Type': 'AWS::Logs::LogGroup', 'Properties': {{'LogGroupName': f'/copilot/{{app}}-{{env}}-fe', 'RetentionInDays': 30}}}},
    'TargetGroup': {{'Type': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Properties': {{'HealthCheckPath': '/', 'Port': 4000, 'Protocol': 'HTTP',
        'TargetGroupAttributes': [{{'Key': 'deregistration_delay.timeout_seconds', 'Value': '60'}}, {{'Key': 'stickiness.enabled', 'Value': 'false'}}],
        'TargetType': 'ip', 'VpcId': imp('VpcId')}}}},
    'HTTPSListenerRule': {{'Type': 'AWS::ElasticLoadBalancingV2::ListenerRule', 'Properties': {{
        'Actions': [{{'TargetGroupArn': {{'Ref': 'TargetGroup'}}, 'Type': 'forward'}}],
        'Conditions': [{{'Field': 'path-pattern', 'PathPatternConfig': {{'Values': ['/*']}}}}],
        'ListenerArn': imp('HTTPSListenerArn'), 'Priority': 2}}}},
    'LoadBalancerDNSAlias': {{'Type': 'AWS::Route53::RecordSetGroup', 'Properties': {{'HostedZoneId': imp('HostedZone'),
        'RecordSets': [{{'Name': f'fe.{{env}}.{{app}}.example.com', 'Type': 'A',
            'AliasTarget': {{'HostedZoneId': imp('CanonicalHostedZoneID'), 'DNSName': imp('PublicLoadBalancerDNS')}}}}]}}}},
}}}}
create(f'{{app}}-{{env}}-fe', None, {{}}, dict(tags, **{{'copilot-service': 'fe'}}), body=json.dumps(body))
print(json.dumps(True))
"#
        ),
    );
    let fe = |ep: &str| {
        boto(
            ep,
            r#"
rule = client('elbv2').describe_rules(RuleArns=[res('my-app-test-fe', 'HTTPSListenerRule')])['Rules'][0]
print(json.dumps({lid: res('my-app-test-fe', lid) for lid in ['TargetGroup', 'HTTPSListenerRule', 'LoadBalancerDNSAlias', 'LogGroup']} | {'priority': rule['Priority']}))
"#,
        )
    };
    let fe_before = fe(ep);
    assert_eq!(fe_before["priority"], "2", "{fe_before}");
    let app_zone = zones["app"].as_str().unwrap();
    let before = domain_state(ep, app_zone);
    assert_eq!(
        before["delegation"].as_array().unwrap().len(),
        1,
        "{before}"
    );
    assert_eq!(before["app_zones"], 1, "{before}");
    let stacks = crate::harness::stacks_snapshot(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(d, "copilot/fe/manifest.yml", FE);

    // Without the domain in the workspace, the plan is refused and nothing changes.
    let text = plan_refused(d, ep);
    assert!(
        text.contains("Copilot registered the application with domain example.com; the workspace names no domain")
            && text.contains("add `domain: example.com` to copilot/.workspace"),
        "{text}"
    );
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);

    // Another domain than Copilot's: refused, saying which to set.
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.org\n",
    );
    let text = plan_refused(d, ep);
    assert!(
        text.contains("set `domain: example.com` in copilot/.workspace"),
        "{text}"
    );
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.com\n",
    );
    // The plan: the custom resources are retained first, so they are no loss; the
    // zone, load balancer and listeners stay.
    let plan = wharf(d, ep)
        .args(["app", "adopt", "--plan"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&plan.stderr).to_string();
    assert!(plan.status.success(), "{text}");
    assert!(!text.contains("REFUSED"), "{text}");
    assert!(
        text.contains(&format!(
            "keeping Copilot's hosted zone my-app.example.com ({app_zone})"
        )),
        "{text}"
    );
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);

    let err = adopt(d, ep, &[]);
    assert!(
        err.contains("my-app-test: retaining Copilot's custom resources first"),
        "{err}"
    );
    let after = domain_state(ep, app_zone);
    // Nothing replaced, the delegation as Copilot wrote it, no second application
    // zone, and no delete handler ran.
    assert_eq!(after, before, "{err}");
    assert_eq!(after["handlers_run"], serde_json::json!([]), "{err}");
    let facts = boto(
        ep,
        r#"
cfn, elb = client('cloudformation'), client('elbv2')
params = lambda s: {p['ParameterKey']: p['ParameterValue'] for p in cfn.describe_stacks(StackName=s)['Stacks'][0]['Parameters']}
listener = elb.describe_listeners(ListenerArns=[res('my-app-test', 'HTTPSListener')])['Listeners'][0]
print(json.dumps({
    'app_zone_parameter': params('my-app-infrastructure').get('AdoptedAppHostedZoneId'),
    'published': client('ssm').get_parameter(Name='/wharf/my-app/_app/app-hosted-zone-id')['Parameter']['Value'],
    'delegation_kept': params('my-app-test').get('AdoptedDelegation'),
    'listener_certificate': listener['Certificates'][0]['CertificateArn'],
    'wharf_certificate': res('my-app-test', 'EnvCertificate'),
}))
"#,
    );
    assert_eq!(facts["app_zone_parameter"], app_zone, "{facts}");
    assert_eq!(facts["published"], app_zone, "{facts}");
    assert_eq!(facts["delegation_kept"], "true", "{facts}");
    assert_eq!(
        facts["listener_certificate"], facts["wharf_certificate"],
        "{facts}"
    );
    assert_ne!(facts["listener_certificate"], zones["cert"], "{facts}");

    // The service kept its target group, its rule with Copilot's priority, its name's
    // record group and its log group; a deploy then changes nothing.
    assert_eq!(fe(ep), fe_before, "{err}");
    crate::harness::deploy_changes_nothing(d, ep, "test", &["my-app-test", "my-app-test-fe"]);
    assert_eq!(domain_state(ep, app_zone), before);
    assert_eq!(fe(ep), fe_before);

    // Dropping the domain now would delete the zone Copilot's record delegates to:
    // refused, and nothing changes.
    let stacks = crate::harness::stacks_snapshot(ep);
    write_file(d, "copilot/.workspace", "application: my-app\n");
    let out = wharf(d, ep)
        .args(["deploy", "-e", "test", "--all", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("hosted zone test.my-app.example.com is delegated by an NS record AWS Copilot wrote outside CloudFormation, and this update deletes the zone"),
        "{text}"
    );
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.com\n",
    );

    // Deleting the environment deletes the delegation Copilot wrote with it (none is
    // left to a deleted zone); Copilot's application zone stays.
    let delete = wharf(d, ep)
        .args(["env", "delete", "-n", "test", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&delete.stderr).to_string();
    assert!(delete.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "deleted the NS record test.my-app.example.com in hosted zone {app_zone}"
        )),
        "{text}"
    );
    let left = boto(
        ep,
        &format!(
            r#"
r53 = client('route53')
records = r53.list_resource_record_sets(HostedZoneId={app_zone:?})['ResourceRecordSets']
print(json.dumps({{
    'delegation': [r['Name'] for r in records if r['Type'] == 'NS' and r['Name'].rstrip('.') == 'test.my-app.example.com'],
    'zones': sorted(z['Name'].rstrip('.') for z in r53.list_hosted_zones()['HostedZones']),
}}))
"#
        ),
    );
    assert_eq!(left["delegation"], serde_json::json!([]), "{left}");
    // (moto deletes no hosted zone with its stack, so the environment's is not checked.)
    assert!(
        left["zones"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("my-app.example.com")),
        "{left}"
    );
}

/// A Load Balanced Web Service Copilot deployed on the environment's load balancer: its
/// rule keeps its logical ID (`HTTPListenerRule`), its ARN and the priority Copilot's
/// custom resource gave it, so routing among the adopted services stays as it was; its
/// target group stays; later deploys keep the priority and change nothing.
#[test]
fn copilots_web_service_rule_keeps_its_priority() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let env = deployable("environments_template-with-basic-manifest.yml", tmp.path());
    // The service's stack as Copilot's Load Balanced Web Service template makes it on
    // the environment's HTTP listener (the parts an adoption must keep; wharf's
    // template adds the rest), with the priority its `HTTPRulePriorityAction` chose.
    boto(
        ep,
        &format!(
            r#"{COPILOT}
register({{'fe': 'Load Balanced Web Service'}})
environment({:?}, 'fe')
body = {{'Resources': {{
    'LogGroup': {{'Type': 'AWS::Logs::LogGroup', 'Properties': {{'LogGroupName': f'/copilot/{{app}}-{{env}}-fe', 'RetentionInDays': 30}}}},
    'TargetGroup': {{'Type': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Properties': {{'HealthCheckPath': '/', 'Port': 4000, 'Protocol': 'HTTP',
        'TargetGroupAttributes': [{{'Key': 'deregistration_delay.timeout_seconds', 'Value': '60'}}, {{'Key': 'stickiness.enabled', 'Value': 'false'}}],
        'TargetType': 'ip', 'VpcId': {{'Fn::ImportValue': f'{{app}}-{{env}}-VpcId'}}}}}},
    'HTTPListenerRule': {{'Type': 'AWS::ElasticLoadBalancingV2::ListenerRule', 'Properties': {{
        'Actions': [{{'TargetGroupArn': {{'Ref': 'TargetGroup'}}, 'Type': 'forward'}}],
        'Conditions': [{{'Field': 'path-pattern', 'PathPatternConfig': {{'Values': ['/*']}}}}],
        'ListenerArn': {{'Fn::ImportValue': f'{{app}}-{{env}}-HTTPListenerArn'}}, 'Priority': 3}}}},
}}}}
create(f'{{app}}-{{env}}-fe', None, {{}}, dict(tags, **{{'copilot-service': 'fe'}}), body=json.dumps(body))
print(json.dumps(True))
"#,
            env.display().to_string()
        ),
    );
    let rule = |ep: &str| {
        boto(
            ep,
            r#"
rule = client('elbv2').describe_rules(RuleArns=[res('my-app-test-fe', 'HTTPListenerRule')])['Rules'][0]
print(json.dumps({'arn': rule['RuleArn'], 'priority': rule['Priority'], 'target_group': res('my-app-test-fe', 'TargetGroup')}))
"#,
        )
    };
    let before = rule(ep);
    assert_eq!(before["priority"], "3", "{before}");
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(d, "copilot/fe/manifest.yml", FE);
    plan_loses_nothing(d, ep);
    let err = adopt(d, ep, &[]);
    assert_eq!(rule(ep), before, "{err}");
    let kept = boto(
        ep,
        "print(json.dumps({p['ParameterKey']: p['ParameterValue'] for p in client('cloudformation').describe_stacks(StackName='my-app-test-fe')['Stacks'][0]['Parameters']}.get('RulePriority')))",
    );
    assert_eq!(kept, "3", "{err}");
    crate::harness::deploy_changes_nothing(d, ep, "test", &["my-app-test", "my-app-test-fe"]);
    assert_eq!(rule(ep), before);
}

/// A Copilot environment with a domain whose delegation record is gone from the
/// application's zone (deleted by hand): the adoption does not keep what is not there;
/// wharf's environment stack makes the record.
#[test]
fn a_missing_copilot_delegation_is_made_by_the_adoption() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let zones = copilot_domain_application(ep, tmp.path(), "{}", "''");
    let app_zone = zones["app"].as_str().unwrap();
    let delete = format!(
        r#"
r53 = client('route53')
record = [r for r in r53.list_resource_record_sets(HostedZoneId={app_zone:?})['ResourceRecordSets'] if r['Type'] == 'NS' and r['Name'].rstrip('.') == 'test.my-app.example.com'][0]
r53.change_resource_record_sets(HostedZoneId={app_zone:?}, ChangeBatch={{'Changes': [{{'Action': 'DELETE', 'ResourceRecordSet': record}}]}})
print(json.dumps(True))
"#
    );
    boto(ep, &delete);
    assert_eq!(
        domain_state(ep, app_zone)["delegation"],
        serde_json::json!([])
    );
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.com\n",
    );
    write_file(d, "copilot/fe/manifest.yml", FE);
    let err = adopt(d, ep, &[]);
    let after = boto(
        ep,
        &format!(
            r#"
r53, cfn = client('route53'), client('cloudformation')
params = {{p['ParameterKey']: p['ParameterValue'] for p in cfn.describe_stacks(StackName='my-app-test')['Stacks'][0]['Parameters']}}
env_zone = res('my-app-test', 'EnvironmentHostedZone').split('/')[-1]
servers = sorted(r53.get_hosted_zone(Id=env_zone)['DelegationSet']['NameServers'])
records = r53.list_resource_record_sets(HostedZoneId={app_zone:?})['ResourceRecordSets']
ns = [sorted(v['Value'] for v in r['ResourceRecords']) for r in records if r['Type'] == 'NS' and r['Name'].rstrip('.') == 'test.my-app.example.com']
print(json.dumps({{'kept': params.get('AdoptedDelegation'), 'made': res('my-app-test', 'EnvironmentHostedZoneDelegation') != '', 'ns': ns, 'servers': servers}}))
"#
        ),
    );
    assert_eq!(after["kept"], "false", "{after}\n{err}");
    assert_eq!(after["made"], true, "{after}");
    assert_eq!(
        after["ns"],
        serde_json::json!([after["servers"]]),
        "{after}"
    );
}

/// Copilot's service `fe` with alias `www.example.com` in the domain's zone `root`: the
/// alias's `A` record as the environment's `CustomDomainAction` wrote it (through the
/// Route 53 API), and the service's stack as Copilot's template makes it for an alias
/// (a host-header rule on the HTTPS listener, no record of its own).
fn copilot_service_behind_alias(ep: &str, root: &str) {
    boto(
        ep,
        &format!(
            r#"{COPILOT}
elb, r53 = client('elbv2'), client('route53')
lb = elb.describe_load_balancers(LoadBalancerArns=[res(f'{{app}}-{{env}}', 'PublicLoadBalancer')])['LoadBalancers'][0]
r53.change_resource_record_sets(HostedZoneId={root:?}, ChangeBatch={{'Changes': [{{'Action': 'UPSERT', 'ResourceRecordSet': {{
    'Name': 'www.example.com', 'Type': 'A', 'AliasTarget': {{'HostedZoneId': lb['CanonicalHostedZoneId'], 'DNSName': lb['DNSName'], 'EvaluateTargetHealth': True}}}}}}]}})
imp = lambda name: {{'Fn::ImportValue': f'{{app}}-{{env}}-' + name}}
body = {{'Resources': {{
    'LogGroup': {{'Type': 'AWS::Logs::LogGroup', 'Properties': {{'LogGroupName': f'/copilot/{{app}}-{{env}}-fe', 'RetentionInDays': 30}}}},
    'TargetGroup': {{'Type': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Properties': {{'HealthCheckPath': '/', 'Port': 4000, 'Protocol': 'HTTP',
        'TargetGroupAttributes': [{{'Key': 'deregistration_delay.timeout_seconds', 'Value': '60'}}, {{'Key': 'stickiness.enabled', 'Value': 'false'}}],
        'TargetType': 'ip', 'VpcId': imp('VpcId')}}}},
    'HTTPSListenerRule': {{'Type': 'AWS::ElasticLoadBalancingV2::ListenerRule', 'Properties': {{
        'Actions': [{{'TargetGroupArn': {{'Ref': 'TargetGroup'}}, 'Type': 'forward'}}],
        'Conditions': [{{'Field': 'host-header', 'HostHeaderConfig': {{'Values': ['www.example.com']}}}}, {{'Field': 'path-pattern', 'PathPatternConfig': {{'Values': ['/*']}}}}],
        'ListenerArn': imp('HTTPSListenerArn'), 'Priority': 1}}}},
}}}}
create(f'{{app}}-{{env}}-fe', None, {{}}, dict(tags, **{{'copilot-service': 'fe'}}), body=json.dumps(body))
print(json.dumps(True))
"#
        ),
    );
}

/// A Copilot service with an alias in the domain's zone (`http.alias: www.example.com`):
/// Copilot's environment's `CustomDomainAction` wrote its `A` record through the Route
/// 53 API. The adoption keeps that record where it is (the service stack names it in
/// `AdoptedAliasRecords` and makes no record group there), runs no delete handler, and
/// a later deploy that changes the alias is refused (wharf would make no record for it).
#[test]
fn copilots_alias_records_stay_where_its_lambda_wrote_them() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let zones = copilot_domain_application(
        ep,
        tmp.path(),
        "{'fe': 'Load Balanced Web Service'}",
        "json.dumps({'fe': ['www.example.com']})",
    );
    let root = zones["root"].as_str().unwrap();
    copilot_service_behind_alias(ep, root);
    let record = |ep: &str| {
        boto(
            ep,
            &format!(
                "print(json.dumps([r for r in client('route53').list_resource_record_sets(HostedZoneId={root:?})['ResourceRecordSets'] if r['Name'].rstrip('.') == 'www.example.com']))"
            ),
        )
    };
    let before = record(ep);
    assert_eq!(before.as_array().unwrap().len(), 1, "{before}");
    let app_zone = zones["app"].as_str().unwrap();
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.com\n",
    );
    let manifest = |alias: &str| {
        format!(
            "name: fe\ntype: Load Balanced Web Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 4000\nhttp:\n  path: '/'\n  alias: {alias}\ncount: 1\n"
        )
    };
    write_file(d, "copilot/fe/manifest.yml", &manifest("www.example.com"));
    plan_loses_nothing(d, ep);
    let err = adopt(d, ep, &[]);
    assert!(
        err.contains("`fe`: Copilot's CustomDomainAction wrote records for www.example.com outside CloudFormation"),
        "{err}"
    );
    assert_eq!(record(ep), before, "{err}");
    assert_eq!(
        domain_state(ep, app_zone)["handlers_run"],
        serde_json::json!([])
    );
    let fe = boto(
        ep,
        r#"
cfn = client('cloudformation')
params = {p['ParameterKey']: p['ParameterValue'] for p in cfn.describe_stacks(StackName='my-app-test-fe')['Stacks'][0]['Parameters']}
resources = sorted(r['LogicalResourceId'] for r in cfn.list_stack_resources(StackName='my-app-test-fe')['StackResourceSummaries'])
print(json.dumps({'kept': params.get('AdoptedAliasRecords'), 'groups': [r for r in resources if r.startswith('LoadBalancerDNSAlias')]}))
"#,
    );
    assert_eq!(fe["kept"], "www.example.com", "{fe}");
    assert_eq!(fe["groups"], serde_json::json!([]), "{fe}");
    crate::harness::deploy_changes_nothing(d, ep, "test", &["my-app-test", "my-app-test-fe"]);
    assert_eq!(record(ep), before);

    // Another alias would have no record: refused, and nothing changes.
    let stacks = crate::harness::stacks_snapshot(ep);
    write_file(d, "copilot/fe/manifest.yml", &manifest("www2.example.com"));
    let out = wharf(d, ep)
        .args(["deploy", "-e", "test", "--all", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the records of www.example.com are AWS Copilot's, outside CloudFormation")
            && text.contains("wharf would make no record for www2.example.com"),
        "{text}"
    );
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);
    // Dropping the alias would leave its record behind: refused too.
    write_file(d, "copilot/fe/manifest.yml", FE);
    let out = wharf(d, ep)
        .args(["deploy", "-e", "test", "--all", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the manifest drops www.example.com, whose records would stay"),
        "{text}"
    );
    assert_eq!(crate::harness::stacks_snapshot(ep), stacks);

    // Deleting the service deletes the record with it, as Copilot's would have.
    write_file(d, "copilot/fe/manifest.yml", &manifest("www.example.com"));
    let out = wharf(d, ep)
        .args(["svc", "delete", "-n", "fe", "-e", "test", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "deleted the A record www.example.com in hosted zone {root}"
        )),
        "{text}"
    );
    assert_eq!(record(ep), serde_json::json!([]));
}

/// A Copilot service whose aliases have records for only some of them (one deleted by
/// hand): wharf keeps a service's alias records outside its stack or makes them all,
/// so the adoption is refused, in the plan and in the run, before anything changes.
#[test]
fn copilot_aliases_with_a_missing_record_are_refused_before_anything_changes() {
    let emu = moto();
    let ep = emu.endpoint.as_str();
    let tmp = tempfile::tempdir().unwrap();
    let zones = copilot_domain_application(
        ep,
        tmp.path(),
        "{'fe': 'Load Balanced Web Service'}",
        "json.dumps({'fe': ['www.example.com', 'shop.example.com']})",
    );
    let root = zones["root"].as_str().unwrap();
    copilot_service_behind_alias(ep, root);
    let stacks = crate::harness::stacks_snapshot(ep);
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    environment_workspace(d);
    write_file(
        d,
        "copilot/.workspace",
        "application: my-app\ndomain: example.com\n",
    );
    write_file(
        d,
        "copilot/fe/manifest.yml",
        "name: fe\ntype: Load Balanced Web Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 4000\nhttp:\n  path: '/'\n  alias: [www.example.com, shop.example.com]\ncount: 1\n",
    );
    for args in [&["--plan"][..], &["--yes"][..]] {
        let out = wharf(d, ep)
            .args(["app", "adopt"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(
            text.contains("shop.example.com of the service's aliases have no record"),
            "{args:?}: {text}"
        );
        assert_eq!(
            crate::harness::stacks_snapshot(ep),
            stacks,
            "{args:?}: {text}"
        );
    }
}
