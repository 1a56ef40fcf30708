//! The internal load balancer on moto (tests/fixtures/workspaces/internal-lb): Backend
//! Services with `http` get an internal Application Load Balancer in the private
//! subnets, reachable from the VPC, with their rules on its listener (priorities apart
//! from the public one's) and names in the private zone `test.inner.internal`; and
//! the public load balancer's access logs in a bucket of the environment's.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_ok};

#[test]
fn backend_services_deploy_behind_the_internal_load_balancer() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("internal-lb");
    let d = dir.path();
    wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    let got = boto(
        ep,
        r#"
elb, ssm, ec2, r53 = client('elbv2'), client('ssm'), client('ec2'), client('route53')
p = lambda k: ssm.get_parameter(Name=f'/wharf/inner/test/{k}')['Parameter']['Value']
lb = elb.describe_load_balancers(LoadBalancerArns=[res('inner-test', 'InternalLoadBalancer')])['LoadBalancers'][0]
private = [res('inner-test', f'PrivateSubnet{i}') for i in (1, 2)]
out = {'scheme': lb['Scheme'], 'in_private': sorted(a['SubnetId'] for a in lb['AvailabilityZones']) == sorted(private)}
out['dns'] = p('internal-load-balancer-dns-name') == lb['DNSName']
def rules(listener):
    out = {}
    for r in elb.describe_rules(ListenerArn=listener)['Rules']:
        if r['IsDefault']:
            continue
        paths = [c for c in r['Conditions'] if c['Field'] == 'path-pattern'][0]
        tg = elb.describe_target_groups(TargetGroupArns=[r['Actions'][0]['TargetGroupArn']])['TargetGroups'][0]
        out[','.join(paths.get('Values') or paths['PathPatternConfig']['Values'])] = tg['Port']
    return out
out['internal_rules'] = rules(p('internal-http-listener-arn'))
out['public_rules'] = rules(p('http-listener-arn'))
sg = ec2.describe_security_groups(GroupIds=[res('inner-test', 'InternalLoadBalancerSecurityGroup')])['SecurityGroups'][0]
out['sg'] = sorted([p.get('FromPort'), [g['GroupId'] for g in p.get('UserIdGroupPairs', [])] != [], [r['CidrIp'] for r in p.get('IpRanges', [])]] for p in sg['IpPermissions'])
out['vpc_cidr'] = ec2.describe_vpcs(VpcIds=[res('inner-test', 'VPC')])['Vpcs'][0]['CidrBlock']
zone = p('internal-hosted-zone-id')
bucket = res('inner-test', 'ELBAccessLogsBucket')
policy = json.loads(client('s3').get_bucket_policy(Bucket=bucket)['Policy'])
out['log_principal'] = policy['Statement'][0]['Principal']
attrs = {a['Key']: a['Value'] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=res('inner-test', 'PublicLoadBalancer'))['Attributes']}
out['logs'] = [attrs.get('access_logs.s3.enabled'), attrs.get('access_logs.s3.bucket') == bucket]
out['records'] = sorted(r['Name'].rstrip('.') for r in r53.list_resource_record_sets(HostedZoneId=zone)['ResourceRecordSets'] if r['Type'] == 'A')
print(json.dumps(out))
"#,
    );
    assert_eq!(got["scheme"], "internal", "{got}");
    assert_eq!(got["in_private"], true, "{got}");
    assert_eq!(got["dns"], true, "{got}");
    assert_eq!(
        got["internal_rules"],
        serde_json::json!({"/*": 80, "/admin,/admin/*": 8081, "/ledger,/ledger/*": 8080}),
        "{got}"
    );
    assert_eq!(got["public_rules"], serde_json::json!({"/*": 80}), "{got}");
    // Port 80 from the tasks (their security group) and from the VPC's block, in one
    // permission as EC2 groups them.
    assert_eq!(
        got["sg"],
        serde_json::json!([[80, true, [got["vpc_cidr"]]]]),
        "{got}"
    );
    // Access logs of the public load balancer, to a bucket us-east-1's ELB account may
    // write (wharf filled the principal at deploy).
    assert_eq!(
        got["log_principal"],
        serde_json::json!({"AWS": "arn:aws:iam::127311923021:root"}),
        "{got}"
    );
    assert_eq!(got["logs"], serde_json::json!(["true", true]), "{got}");
    assert_eq!(
        got["records"],
        serde_json::json!(["api.test.inner.internal", "ledger.test.inner.internal"]),
        "{got}"
    );
}
