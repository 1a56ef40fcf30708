//! Load balancer routing on moto (tests/fixtures/workspaces/http-routing): an HTTPS
//! environment over three zones of a VPC block of its own, with security group rules
//! and flow logs; a gRPC target group, an HTTPS one for a container on 443, and a
//! service the HTTP listener also forwards to (`redirect_to_https: false`), read back
//! from EC2, ELB and CloudWatch Logs.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_ok};

#[test]
fn target_groups_listener_rules_and_three_zones_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("http-routing");
    let d = dir.path();
    // The listener's certificate must exist (moto checks, as AWS does).
    let cert = boto(
        ep,
        "print(json.dumps(client('acm').request_certificate(DomainName='edge.example.com')['CertificateArn']))",
    );
    let env = d.join("wharf/environments/prod/manifest.yml");
    let text = std::fs::read_to_string(&env).unwrap().replace(
        "arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555",
        cert.as_str().unwrap(),
    );
    std::fs::write(&env, text).unwrap();
    wharf_ok(d, ep, &lab, &["deploy", "-e", "prod", "--all"]);
    let got = boto(
        ep,
        r#"
cfn, ec2, elb, ssm = client('cloudformation'), client('ec2'), client('elbv2'), client('ssm')
vpc = res('edge-prod', 'VPC')
subnets = ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}])['Subnets']
out = {'cidrs': sorted(s['CidrBlock'] for s in subnets), 'vpc': ec2.describe_vpcs(VpcIds=[vpc])['Vpcs'][0]['CidrBlock']}
for svc in ['grpc', 'secure', 'site']:
    tg = elb.describe_target_groups(TargetGroupArns=[res(f'edge-prod-{svc}', 'TargetGroup')])['TargetGroups'][0]
    out[svc] = {k: tg.get(k) for k in ['Protocol', 'ProtocolVersion', 'HealthCheckProtocol', 'HealthCheckPath', 'Matcher', 'Port']}
http = ssm.get_parameter(Name='/wharf/edge/prod/http-listener-arn')['Parameter']['Value']
out['http_rules'] = [[a.get('TargetGroupArn') for a in r['Actions']] for r in elb.describe_rules(ListenerArn=http)['Rules'] if not r['IsDefault']]
out['site_tg'] = res('edge-prod-site', 'TargetGroup')
sg = ec2.describe_security_groups(GroupIds=[res('edge-prod', 'EnvironmentSecurityGroup')])['SecurityGroups'][0]
rule = lambda p: {'proto': p['IpProtocol'], 'from': p.get('FromPort'), 'to': p.get('ToPort'), 'cidrs': [r['CidrIp'] for r in p.get('IpRanges', [])]}
out['egress'] = sorted([rule(p) for p in sg['IpPermissionsEgress']], key=lambda r: r['from'] or 0)
out['ingress'] = [rule(p) for p in sg['IpPermissions'] if p.get('IpRanges')]
logs = ec2.describe_flow_logs(Filters=[{'Name': 'resource-id', 'Values': [vpc]}])['FlowLogs']
out['flow_logs'] = [{'group': f.get('LogGroupName'), 'traffic': f.get('TrafficType')} for f in logs]
g = client('logs').describe_log_groups(logGroupNamePrefix='/wharf/edge/prod/vpc-flow-logs')['logGroups']
out['flow_retention'] = g[0].get('retentionInDays') if g else None
print(json.dumps(out))
"#,
    );
    assert_eq!(got["vpc"], "172.20.0.0/16");
    assert_eq!(
        got["cidrs"],
        serde_json::json!([
            "172.20.0.0/24",
            "172.20.1.0/24",
            "172.20.2.0/24",
            "172.20.3.0/24",
            "172.20.4.0/24",
            "172.20.5.0/24"
        ]),
        "three public subnets as given, three private ones beside them: {got}"
    );
    assert_eq!(got["grpc"]["ProtocolVersion"], "GRPC", "{got}");
    assert_eq!(
        got["grpc"]["Matcher"],
        serde_json::json!({"GrpcCode": "12"})
    );
    assert_eq!(got["secure"]["Protocol"], "HTTPS");
    assert_eq!(got["secure"]["HealthCheckProtocol"], "HTTPS");
    assert_eq!(got["site"]["Protocol"], "HTTP");
    // The environment's security group: the manifest's ingress rule, and its egress
    // rules instead of "all outbound".
    assert_eq!(
        got["egress"],
        serde_json::json!([
            {"proto": "udp", "from": 53, "to": 53, "cidrs": ["172.20.0.2/32"]},
            {"proto": "tcp", "from": 443, "to": 443, "cidrs": ["0.0.0.0/0"]}
        ]),
        "{got}"
    );
    assert_eq!(
        got["ingress"],
        serde_json::json!([{"proto": "udp", "from": 8125, "to": 8126, "cidrs": ["172.20.0.0/16"]}])
    );
    assert_eq!(
        got["flow_logs"],
        serde_json::json!([{"group": "/wharf/edge/prod/vpc-flow-logs", "traffic": "ALL"}]),
        "{got}"
    );
    assert_eq!(got["flow_retention"], 30);
    // Only site's paths are forwarded on the HTTP listener; the others are redirected.
    assert_eq!(
        got["http_rules"],
        serde_json::json!([[got["site_tg"]]]),
        "{got}"
    );
}
