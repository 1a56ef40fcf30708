//! CloudFront's certificate made by wharf, on moto: an application with a domain in
//! eu-west-1 and `cdn: true` without `certificate`. The environment stack comes first
//! (its hosted zone validates the certificate), then the certificate's own stack in
//! us-east-1, then the environment stack again with its ARN; new names make a new
//! certificate, and the old one goes only once the distribution has moved (moto refuses
//! to delete a certificate a distribution shows, adjustment 35); dropping `cdn` is
//! refused while the services' names point at the distribution, and once they no longer
//! do the certificate's stack goes with it; `env delete` removes the certificate's stack
//! after the environment's.

use crate::harness::{boto, fixture, image_lab, moto_with, wharf_ok, write_file};

const STATE: &str = r#"
def c(name, region):
    return boto3.client(name, **dict(kw, region_name=region))
cfn_east, cfn = c('cloudformation', 'us-east-1'), c('cloudformation', 'eu-west-1')
out = {}
try:
    s = cfn_east.describe_stacks(StackName='shop-test-CloudFrontCertificate')['Stacks'][0]
    out['tags'] = {t['Key']: t['Value'] for t in s['Tags'] if t['Key'].startswith('wharf-')}
    out['arn'] = [o['OutputValue'] for o in s['Outputs'] if o['OutputKey'] == 'CertificateArn'][0]
    out['updated'] = str(s.get('LastUpdatedTime', s['CreationTime']))
    out['certificates'] = sorted(r['LogicalResourceId'] for r in cfn_east.describe_stack_resources(StackName=s['StackName'])['StackResources'])
except cfn_east.exceptions.ClientError:
    out['arn'] = None
acm = c('acm', 'us-east-1')
def names(arn):
    d = acm.describe_certificate(CertificateArn=arn)['Certificate']
    return sorted(set([d['DomainName']] + d.get('SubjectAlternativeNames', [])))
out['acm'] = {a['CertificateArn']: names(a['CertificateArn']) for a in acm.list_certificates()['CertificateSummaryList']}
env = cfn.describe_stacks(StackName='shop-test')['Stacks'][0] if [s for s in cfn.list_stacks()['StackSummaries'] if s['StackName'] == 'shop-test' and s['StackStatus'] != 'DELETE_COMPLETE'] else None
if env:
    out['env_arn'] = {p['ParameterKey']: p['ParameterValue'] for p in env['Parameters']}.get('CloudFrontCertificateArn')
    out['env_updated'] = str(env.get('LastUpdatedTime', env['CreationTime']))
    cfd = ([o['OutputValue'] for o in env['Outputs'] if o['OutputKey'] == 'CloudFrontDomainName'] or [None])[0]
if env and cfd:
    r53 = client('route53')
    zone = [z['Id'] for z in r53.list_hosted_zones()['HostedZones'] if z['Name'] == 'example.com.'][0]
    www = [r for r in r53.list_resource_record_sets(HostedZoneId=zone)['ResourceRecordSets'] if r['Name'].rstrip('.') == 'www.example.com'][0]
    out['www_to_cloudfront'] = www['AliasTarget']['DNSName'].rstrip('.') == cfd
print(json.dumps(out))
"#;

/// Environment `env`'s certificate stack in us-east-1, as a list of its name (empty
/// when there is none).
fn cert_stack(ep: &str, env: &str) -> serde_json::Value {
    boto(
        ep,
        &format!(
            "cfn = boto3.client('cloudformation', **dict(kw, region_name='us-east-1'))\nprint(json.dumps([s['StackName'] for s in cfn.list_stacks()['StackSummaries'] if s['StackName'] == 'shop-{env}-CloudFrontCertificate' and s['StackStatus'] != 'DELETE_COMPLETE']))"
        ),
    )
}

#[test]
fn cloudfront_certificate_made_in_us_east_1_follows_the_names() {
    let lab = image_lab();
    let emu = moto_with(&lab);
    let ep = emu.endpoint.as_str();
    let dir = fixture("domains");
    let d = dir.path();
    std::fs::remove_dir_all(d.join("wharf/relay")).unwrap();
    write_file(
        d,
        "wharf/app.yml",
        "name: shop\ndomain: example.com\nregion: eu-west-1\n",
    );
    write_file(
        d,
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\ncdn: true\nhttp:\n  public:\n    ingress:\n      cdn: true\n",
    );
    boto(
        ep,
        "client('route53').create_hosted_zone(Name='example.com', CallerReference='root'); print('{}')",
    );
    wharf_ok(d, ep, &lab, &["app", "init", "shop"]);
    let err = wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    assert!(err.contains("hosted zone comes first"), "{err}");
    let first = boto(ep, STATE);
    let arn = first["arn"].as_str().expect("the certificate stack's ARN");
    assert!(arn.starts_with("arn:aws:acm:us-east-1:"), "{first}");
    assert_eq!(
        first["tags"],
        serde_json::json!({"wharf-application": "shop", "wharf-environment": "test", "wharf-part": "CloudFrontCertificate"}),
        "{first}"
    );
    // The environment's zone and every name one label below it, then the services'
    // names elsewhere in the domain.
    assert_eq!(
        first["acm"][arn],
        serde_json::json!([
            "*.test.shop.example.com",
            "example.com",
            "shop.example.com",
            "test.shop.example.com",
            "www.example.com"
        ]),
        "{first}"
    );
    assert_eq!(first["env_arn"], arn, "{first}");
    assert_eq!(first["www_to_cloudfront"], true, "{first}");
    assert_eq!(first["certificates"].as_array().unwrap().len(), 1);

    // A new name: a new certificate, the distribution moves to it, the old one goes.
    let web = std::fs::read_to_string(d.join("wharf/web/manifest.yml")).unwrap();
    write_file(
        d,
        "wharf/web/manifest.yml",
        &web.replace(
            "alias: [www.example.com, example.com, shop.example.com]",
            "alias: [www.example.com, example.com, shop.example.com, new.example.com]",
        ),
    );
    // `svc deploy` leaves the environment alone: a name its distribution does not
    // answer to yet is refused, with what deploys both.
    let out = crate::harness::wharf_lab(d, ep, &lab)
        .args(["svc", "deploy", "-n", "web", "-e", "test"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("does not answer to `new.example.com` yet")
            && text.contains("wharf deploy -e test -n web"),
        "{text}"
    );
    let err = wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    assert!(!err.contains("hosted zone comes first"), "{err}");
    let second = boto(ep, STATE);
    let arn2 = second["arn"].as_str().unwrap();
    assert_ne!(arn2, arn, "{second}");
    assert_eq!(second["env_arn"], arn2, "{second}");
    assert_eq!(
        second["acm"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec![arn2],
        "the old certificate is deleted once nothing shows it: {second}"
    );
    assert!(
        second["acm"][arn2]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("new.example.com")),
        "{second}"
    );
    assert_eq!(second["certificates"].as_array().unwrap().len(), 1);

    // Nothing changed: neither stack is updated.
    wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    let third = boto(ep, STATE);
    assert_eq!(third["updated"], second["updated"], "{third}");
    assert_eq!(third["env_updated"], second["env_updated"], "{third}");

    // Dropping `cdn` while the services' names point at the distribution is refused
    // for the environment alone; deployed with them, the services go first (their
    // records then point at the load balancer), then the environment.
    write_file(
        d,
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    let out = crate::harness::wharf_lab(d, ep, &lab)
        .args(["env", "deploy", "-n", "test"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("removes environment `test`'s CloudFront distribution, and the names of api, web still point at it"),
        "{text}"
    );
    assert!(text.contains("wharf deploy -e test --all"), "{text}");
    let err = wharf_ok(d, ep, &lab, &["deploy", "-e", "test", "--all"]);
    let at = |what: &str| {
        err.find(what)
            .unwrap_or_else(|| panic!("no `{what}` in: {err}"))
    };
    assert!(
        at("shop-test-api: updated") < at("shop-test: updated")
            && at("shop-test-web: updated") < at("shop-test: updated"),
        "{err}"
    );
    assert_eq!(
        cert_stack(ep, "test"),
        serde_json::json!([]),
        "the certificate's stack goes with the distribution"
    );

    // `env delete` deletes the certificate's stack after the environment's (prod: an
    // environment stack with the distribution and its certificate, no services).
    write_file(
        d,
        "wharf/environments/prod/manifest.yml",
        "name: prod\ntype: Environment\ncdn: true\n",
    );
    wharf_ok(d, ep, &lab, &["env", "deploy", "-n", "prod"]);
    assert_eq!(
        cert_stack(ep, "prod"),
        serde_json::json!(["shop-prod-CloudFrontCertificate"])
    );
    let err = wharf_ok(d, ep, &lab, &["env", "delete", "-n", "prod", "--yes"]);
    assert_eq!(cert_stack(ep, "prod"), serde_json::json!([]), "{err}");
    // Nothing is left in ACM.
    let gone = boto(ep, STATE);
    assert_eq!(gone["acm"], serde_json::json!({}), "{gone}");
}
