//! An imported load balancer on moto (tests/fixtures/workspaces/shared-alb): a service
//! whose `http.alb` names a load balancer another team made (here, the test) in the
//! environment's VPC gets its rules on that load balancer's HTTPS listener at free
//! priorities (a rule already there keeps its own), a redirect and a forward rule on
//! its HTTP listener, a security group its groups reach the tasks through, and its
//! alias's record; the environment makes no load balancer of its own; a second deploy
//! changes nothing; and a load balancer that is internal is refused, naming why.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_lab, wharf_ok};

#[test]
fn a_service_deploys_onto_a_load_balancer_it_did_not_make() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("shared-alb");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["env", "deploy", "-n", "test"]);
    // The other team's load balancer, in the environment's VPC: HTTP and HTTPS
    // listeners, a rule of theirs at the priority wharf prefers for `legacy`'s main
    // rule, and an internal load balancer beside it.
    let out = tempfile::tempdir().unwrap();
    wharf_ok(
        d,
        ep,
        &lab,
        &[
            "svc",
            "package",
            "-n",
            "legacy",
            "-e",
            "test",
            "--output-dir",
            out.path().to_str().unwrap(),
        ],
    );
    let template = std::fs::read_to_string(out.path().join("legacy-test.stack.yml")).unwrap();
    let preferred: u32 = template
        .split("  RulePriority:\n    Type: Number\n    Default: \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|p| p.parse().ok())
        .expect("the main rule's default priority");
    let setup = boto(
        ep,
        &format!(
            r#"
elb, ec2, acm, r53 = client('elbv2'), client('ec2'), client('acm'), client('route53')
vpc = res('shared-test', 'VPC')
subnets = [res('shared-test', f'PublicSubnet{{i}}') for i in (1, 2)]
sg = ec2.create_security_group(GroupName='edge-lb', Description='edge', VpcId=vpc)['GroupId']
lb = elb.create_load_balancer(Name='edge', Subnets=subnets, SecurityGroups=[sg], Scheme='internet-facing', Type='application')['LoadBalancers'][0]
cert = acm.request_certificate(DomainName='legacy.example.org')['CertificateArn']
tg = elb.create_target_group(Name='theirs', Protocol='HTTP', Port=80, VpcId=vpc, TargetType='ip')['TargetGroups'][0]['TargetGroupArn']
fwd = [{{'Type': 'forward', 'TargetGroupArn': tg}}]
https = elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTPS', Port=443, Certificates=[{{'CertificateArn': cert}}], DefaultActions=fwd)['Listeners'][0]['ListenerArn']
http = elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTP', Port=80, DefaultActions=fwd)['Listeners'][0]['ListenerArn']
theirs = elb.create_rule(ListenerArn=https, Priority={preferred}, Conditions=[{{'Field': 'path-pattern', 'Values': ['/theirs']}}], Actions=fwd)['Rules'][0]['RuleArn']
elb.create_load_balancer(Name='backoffice', Subnets=subnets, SecurityGroups=[sg], Scheme='internal', Type='application')
zone = r53.create_hosted_zone(Name='example.org', CallerReference='shared-alb')['HostedZone']['Id'].split('/')[-1]
print(json.dumps({{'sg': sg, 'https': https, 'http': http, 'theirs': theirs, 'zone': zone, 'dns': lb['DNSName'], 'lb_zone': lb['CanonicalHostedZoneId']}}))
"#
        ),
    );
    let manifest = d.join("wharf/legacy/manifest.yml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("Z0123456789ABCDEFGHIJ", setup["zone"].as_str().unwrap());
    std::fs::write(&manifest, &text).unwrap();
    wharf_ok(
        d,
        ep,
        &lab,
        &["svc", "deploy", "-n", "legacy", "-e", "test"],
    );
    let script = format!(
        r#"
elb, ec2, r53, cfn = client('elbv2'), client('ec2'), client('route53'), client('cloudformation')
def rules(listener):
    out = []
    for r in elb.describe_rules(ListenerArn=listener)['Rules']:
        if r['IsDefault']:
            continue
        paths = [c for c in r['Conditions'] if c['Field'] == 'path-pattern'][0]
        a = r['Actions'][0]
        out.append([int(r['Priority']), ','.join(paths.get('Values') or paths['PathPatternConfig']['Values']), a['Type'], r['RuleArn']])
    return sorted(out)
out = {{'https': rules({https:?}), 'http': rules({http:?})}}
g = ec2.describe_security_groups(GroupIds=[res('shared-test-legacy', 'ImportedALBTargetSecurityGroup')])['SecurityGroups'][0]
out['ingress'] = sorted([p.get('FromPort'), [x['GroupId'] for x in p.get('UserIdGroupPairs', [])]] for p in g['IpPermissions'])
svc = client('ecs').describe_services(cluster=res('shared-test', 'Cluster'), services=[res('shared-test-legacy', 'Service')])['services'][0]
out['task_groups'] = svc['networkConfiguration']['awsvpcConfiguration']['securityGroups']
out['service_group'] = g['GroupId']
rec = [r for r in r53.list_resource_record_sets(HostedZoneId={zone:?})['ResourceRecordSets'] if r['Type'] == 'A']
out['records'] = [[r['Name'].rstrip('.'), r['AliasTarget']['DNSName'].rstrip('.'), r['AliasTarget']['HostedZoneId']] for r in rec]
out['env_resources'] = sorted(r['LogicalResourceId'] for r in cfn.describe_stack_resources(StackName='shared-test')['StackResources'])
outputs = {{o['OutputKey']: o['OutputValue'] for o in cfn.describe_stacks(StackName='shared-test-legacy')['Stacks'][0]['Outputs']}}
out['url'] = outputs['URL']
print(json.dumps(out))
"#,
        https = setup["https"].as_str().unwrap(),
        http = setup["http"].as_str().unwrap(),
        zone = setup["zone"].as_str().unwrap(),
    );
    let got = boto(ep, &script);
    let https = got["https"].as_array().unwrap();
    // Theirs untouched; ours beside it, the main rule at the next free priority.
    assert_eq!(https.len(), 3, "{got}");
    assert!(
        https
            .iter()
            .any(|r| r[0] == preferred && r[3] == setup["theirs"]),
        "{got}"
    );
    let main = https.iter().find(|r| r[1] == "/legacy,/legacy/*").unwrap();
    assert_eq!(main[0], preferred + 1, "{got}");
    assert_eq!(main[2], "forward", "{got}");
    assert!(
        https
            .iter()
            .any(|r| r[1] == "/legacy/plain,/legacy/plain/*" && r[2] == "forward")
    );
    // HTTP: the main rule redirects to HTTPS, the plain one forwards.
    let http: Vec<(String, String)> = got["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[1].as_str().unwrap().to_string(),
                r[2].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        http,
        [
            (
                "/legacy/plain,/legacy/plain/*".to_string(),
                "forward".to_string()
            ),
            ("/legacy,/legacy/*".to_string(), "redirect".to_string()),
        ],
        "{got}"
    );
    // The load balancer's group reaches the traffic and health check ports, through a
    // group the tasks have.
    let sg = setup["sg"].clone();
    assert_eq!(
        got["ingress"],
        serde_json::json!([[8080, [sg.clone()]], [8081, [sg]]]),
        "{got}"
    );
    assert!(
        got["task_groups"]
            .as_array()
            .unwrap()
            .contains(&got["service_group"]),
        "{got}"
    );
    assert_eq!(
        got["records"],
        serde_json::json!([["legacy.example.org", setup["dns"], setup["lb_zone"]]]),
        "{got}"
    );
    assert_eq!(got["url"], "https://legacy.example.org/legacy", "{got}");
    // The environment made no load balancer of its own.
    assert!(
        !got["env_resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("LoadBalancer")),
        "{got}"
    );
    // Deployed again, nothing changes: each rule keeps its priority.
    let again = wharf_ok(
        d,
        ep,
        &lab,
        &["svc", "deploy", "-n", "legacy", "-e", "test"],
    );
    assert!(again.contains("shared-test-legacy: no changes"), "{again}");
    assert_eq!(boto(ep, &script)["https"], got["https"]);
    // An internal load balancer is refused before anything changes, saying why.
    std::fs::write(&manifest, text.replace("alb: edge", "alb: backoffice")).unwrap();
    let refused = wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "legacy", "-e", "test"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("backoffice") && err.contains("is internal"),
        "{err}"
    );
    assert_eq!(boto(ep, &script)["https"], got["https"]);
}
