//! An application's domain on moto (tests/fixtures/workspaces/domains): `wharf app
//! init` finds the domain's hosted zone and creates the application's, delegated from
//! it; the environment gets its own zone and certificate; services get alias records
//! in the zone each name belongs to, a certificate on the HTTPS listener for names the
//! environment's does not cover, and one target group and listener rule per rule of
//! `http` (host names as conditions, a second port of the main container, a sidecar);
//! a service with only a Network Load Balancer of its own (TLS and UDP); and CloudFront
//! in front of the load balancer, which only CloudFront's addresses reach.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_ok};

#[test]
fn hosted_zones_records_certificates_and_additional_rules_deploy() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("domains");
    let d = dir.path();
    let root = boto(
        ep,
        "print(json.dumps(client('route53').create_hosted_zone(Name='example.com', CallerReference='root')['HostedZone']['Id'].split('/')[-1]))",
    );
    wharf_ok(d, ep, &lab, &["app", "init", "shop"]);
    wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    let got = boto(
        ep,
        r#"
r53, elb, ssm, acm = client('route53'), client('elbv2'), client('ssm'), client('acm')
# Names with and without the final dot are one name.
zones = {z['Name'].rstrip('.'): z['Id'].split('/')[-1] for z in r53.list_hosted_zones()['HostedZones']}
def records(zone):
    out = {}
    for r in r53.list_resource_record_sets(HostedZoneId=zones[zone])['ResourceRecordSets']:
        name = r['Name'].rstrip('.')
        if r['Type'] == 'A' or (r['Type'] == 'NS' and name != zone):
            out[name] = r['Type']
    return out
out = {'zones': sorted(zones), 'records': {z: records(z) for z in zones}}
out['ssm_app_zone'] = ssm.get_parameter(Name='/wharf/shop/_app/app-hosted-zone-id')['Parameter']['Value']
out['app_zone'] = zones.get('shop.example.com')
https = ssm.get_parameter(Name='/wharf/shop/test/https-listener-arn')['Parameter']['Value']
certs = [c['CertificateArn'] for c in elb.describe_listener_certificates(ListenerArn=https)['Certificates']]
def names(arn):
    c = acm.describe_certificate(CertificateArn=arn)['Certificate']
    return sorted(set([c['DomainName']] + c.get('SubjectAlternativeNames', [])))
out['cert_names'] = sorted(names(a) for a in certs)
rules = {}
for r in elb.describe_rules(ListenerArn=https)['Rules']:
    if r['IsDefault']:
        continue
    cond = {c['Field']: c.get('Values') or c.get('HostHeaderConfig', {}).get('Values') or c.get('PathPatternConfig', {}).get('Values') or c.get('SourceIpConfig', {}).get('Values') for c in r['Conditions']}
    tg = elb.describe_target_groups(TargetGroupArns=[r['Actions'][0]['TargetGroupArn']])['TargetGroups'][0]
    rules[','.join(cond['path-pattern'])] = {'hosts': cond.get('host-header'), 'ips': cond.get('source-ip'), 'port': tg['Port']}
out['rules'] = rules
nlb = elb.describe_load_balancers(LoadBalancerArns=[res('shop-test-relay', 'NetworkLoadBalancer')])['LoadBalancers'][0]
listeners = elb.describe_listeners(LoadBalancerArn=nlb['LoadBalancerArn'])['Listeners']
cfd = [o['OutputValue'] for o in client('cloudformation').describe_stacks(StackName='shop-test')['Stacks'][0]['Outputs'] if o['OutputKey'] == 'CloudFrontDomainName'][0]
www = [r for r in r53.list_resource_record_sets(HostedZoneId=zones['example.com'])['ResourceRecordSets'] if r['Name'].rstrip('.') == 'www.example.com'][0]
out['www_target'] = [www['AliasTarget']['DNSName'].rstrip('.') == cfd, www['AliasTarget']['HostedZoneId']]
groups = client('ec2').describe_security_groups(GroupIds=[res('shop-test', 'PublicHTTPLoadBalancerSecurityGroup'), res('shop-test', 'PublicHTTPSLoadBalancerSecurityGroup')])['SecurityGroups']
pl = client('ec2').describe_managed_prefix_lists(Filters=[{'Name': 'prefix-list-name', 'Values': ['com.amazonaws.global.cloudfront.origin-facing']}])['PrefixLists'][0]['PrefixListId']
out['alb_ingress'] = sorted([p.get('FromPort'), [x['PrefixListId'] == pl for x in p.get('PrefixListIds', [])], [r['CidrIp'] for r in p.get('IpRanges', [])]] for sg in groups for p in sg['IpPermissions'])
out['nlb'] = {'type': nlb['Type'], 'scheme': nlb['Scheme'], 'listeners': sorted([l['Port'], l['Protocol'], elb.describe_target_groups(TargetGroupArns=[l['DefaultActions'][0]['TargetGroupArn']])['TargetGroups'][0]['Protocol'], len(l.get('Certificates', []))] for l in listeners)}
print(json.dumps(out))
"#,
    );
    assert_eq!(
        got["zones"],
        serde_json::json!(["example.com", "shop.example.com", "test.shop.example.com"]),
        "{got}"
    );
    assert_eq!(got["ssm_app_zone"], got["app_zone"]);
    let records = &got["records"];
    // Delegations: the application's zone from the domain's, the environment's from the
    // application's; alias records in the zone each name belongs to.
    assert_eq!(
        records["example.com"],
        serde_json::json!({"shop.example.com": "NS", "www.example.com": "A", "example.com": "A", "relay.example.com": "A"}),
        "{got}"
    );
    assert_eq!(
        records["shop.example.com"],
        serde_json::json!({"test.shop.example.com": "NS", "shop.example.com": "A"}),
        "{got}"
    );
    assert_eq!(
        records["test.shop.example.com"],
        serde_json::json!({"admin.test.shop.example.com": "A", "api.test.shop.example.com": "A", "relay-nlb.test.shop.example.com": "A"}),
        "{got}"
    );
    // The environment's certificate is the listener's default; the service adds one for
    // its names outside the environment's zone.
    assert_eq!(
        got["cert_names"],
        serde_json::json!([
            ["*.test.shop.example.com", "test.shop.example.com"],
            ["example.com", "shop.example.com", "www.example.com"]
        ]),
        "{got}"
    );
    // CloudFront in front: the names point at the distribution, and only CloudFront's
    // addresses (the prefix list wharf looked up) reach the load balancer.
    assert_eq!(
        got["www_target"],
        serde_json::json!([true, "Z2FDTNDATAQYW2"]),
        "{got}"
    );
    assert_eq!(
        got["alb_ingress"],
        serde_json::json!([[80, [true], []], [443, [true], []]]),
        "{got}"
    );
    // relay's own Network Load Balancer: TLS with its certificate, and UDP.
    assert_eq!(
        got["nlb"],
        serde_json::json!({"type": "network", "scheme": "internet-facing", "listeners": [[53, "UDP", "UDP", 0], [443, "TLS", "TCP", 1]]}),
        "{got}"
    );
    let rules = &got["rules"];
    assert_eq!(
        rules["/*"]["hosts"],
        serde_json::json!(["www.example.com", "example.com", "shop.example.com"]),
        "{got}"
    );
    assert_eq!(rules["/admin,/admin/*"]["port"], 8080, "{got}");
    assert_eq!(
        rules["/admin,/admin/*"]["hosts"],
        serde_json::json!(["admin.test.shop.example.com"])
    );
    assert_eq!(rules["/metrics,/metrics/*"]["port"], 9100);
    assert_eq!(rules["/metrics,/metrics/*"]["ips"], serde_json::Value::Null);
    assert_eq!(rules["/api,/api/*"]["hosts"], serde_json::Value::Null);
    assert!(root.as_str().is_some_and(|z| !z.is_empty()));
}
