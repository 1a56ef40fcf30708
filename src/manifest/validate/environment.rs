//! Semantic checks for environment and application manifests.

use super::Checker;
use super::net::{Cidr, CidrSet};
use crate::manifest::app::AppManifest;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::{Code, Diagnostics};
use crate::manifest::environment::{EnvManifest, Subnet};

fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
}

/// `vpc-0abc…` / `subnet-0abc…`: the prefix and 8 or 17 hex digits.
fn valid_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|h| h.strip_prefix('-'))
        .is_some_and(|h| {
            (h.len() == 8 || h.len() == 17) && h.chars().all(|c| c.is_ascii_hexdigit())
        })
}

fn region(c: &mut Checker, r: &Spanned<String>, path: &str) {
    if !valid_region(r) {
        c.error(
            Code::InvalidValue,
            r.span,
            path,
            format!("`{}` is not an AWS region name", r.value),
            Some("region names look like `us-east-1` or `eu-west-3`".to_string()),
        );
    }
}

/// Checks an environment manifest.
pub fn validate_env(m: &EnvManifest, diags: &mut Diagnostics) {
    let mut c = Checker::new(diags);
    c.name(&m.name, "environment", "name");
    // Its hosted zone's name is a DNS name: 253 characters at most.
    if let Some(d) = &m.app_domain
        && let Some(why) = super::net::dns_name_problem(&d.env_zone(&m.name.value), false)
    {
        c.error(
            Code::Range,
            m.name.span,
            "name",
            format!(
                "environment `{}`'s hosted zone `{}` is not a DNS name: {why}",
                m.name.value,
                d.env_zone(&m.name.value)
            ),
            Some("use a shorter environment name or domain".into()),
        );
    }
    if let Some(r) = &m.region {
        region(&mut c, r, "region");
    }
    if let Some(a) = &m.account
        && !(a.len() == 12 && a.chars().all(|ch| ch.is_ascii_digit()))
    {
        c.error(
            Code::InvalidValue,
            a.span,
            "account",
            format!("`{}` is not an AWS account ID", a.value),
            Some("account IDs are 12 digits; quote them so a leading zero is kept".to_string()),
        );
    }
    if let Some(n) = &m.namespace
        && let Some(why) = super::net::dns_name_problem(&n.value, false)
    {
        c.error(
            Code::InvalidValue,
            n.span,
            "namespace",
            format!("`{}` is not a DNS name: {why}", n.value),
            Some(
                "Copilot's namespaces are `<env>.<app>.local`, or `<app>.local` before v1.5".into(),
            ),
        );
    }
    if let Some(vpc) = m.vpc() {
        if let Some(g) = &vpc.security_group {
            security_group(&mut c, &g.value);
        }
        if let Some(r) = vpc
            .flow_logs
            .as_ref()
            .and_then(|l| l.value.retention.as_ref())
        {
            super::service::retention(&mut c, r, "network.vpc.flow_logs.retention");
        }
        let subnets = vpc.subnets.as_ref();
        let lists = [
            ("public", subnets.and_then(|s| s.public.as_ref())),
            ("private", subnets.and_then(|s| s.private.as_ref())),
        ];
        match (&vpc.id, &vpc.cidr) {
            (Some(_), Some(cidr)) => c.error(
                Code::MutuallyExclusive,
                cidr.span,
                "network.vpc.cidr",
                "`network.vpc.id` and `network.vpc.cidr` cannot both be set",
                Some(
                    "import an existing VPC by `id`, or let wharf create one with `cidr`"
                        .to_string(),
                ),
            ),
            (Some(id), None) => {
                if !valid_id(id, "vpc") {
                    c.error(
                        Code::InvalidValue,
                        id.span,
                        "network.vpc.id",
                        format!("`{}` is not a VPC ID", id.value),
                        Some(
                            "VPC IDs are `vpc-` and 8 or 17 hex digits, like `vpc-0abc1234`"
                                .to_string(),
                        ),
                    );
                }
                if lists.iter().all(|(_, l)| l.is_none_or(|l| l.is_empty())) {
                    c.error(
                        Code::MissingField,
                        id.span,
                        "network.vpc.subnets",
                        "an imported VPC needs `network.vpc.subnets` with the IDs of its subnets",
                        None,
                    );
                }
                let mut ids: std::collections::BTreeMap<&str, String> =
                    std::collections::BTreeMap::new();
                for (kind, list) in &lists {
                    for (i, s) in list.iter().flat_map(|l| l.iter()).enumerate() {
                        let path = format!("network.vpc.subnets.{kind}[{i}]");
                        imported_subnet(&mut c, s, &path);
                        if let Some(id) = &s.id
                            && let Some(first) = ids.insert(id.value.as_str(), path.clone())
                        {
                            c.error(
                                Code::DuplicateKey,
                                id.span,
                                &format!("{path}.id"),
                                format!(
                                    "subnet `{}` is listed twice (also at `{first}`)",
                                    id.value
                                ),
                                Some("each subnet is public or private, and listed once".into()),
                            );
                        }
                    }
                }
            }
            (None, cidr) => {
                let vpc_cidr = match cidr {
                    Some(s) => c.cidr(s, "network.vpc.cidr").inspect(|v| {
                        if !(16..=24).contains(&v.prefix) || v.addr.is_ipv6() {
                            c.error(Code::Range, s.span, "network.vpc.cidr", "a VPC CIDR block is IPv4 with a prefix from /16 to /24 (room for four subnets)", None);
                        }
                    }),
                    None => Cidr::parse("10.0.0.0/16").ok(),
                };
                managed_subnets(&mut c, vpc_cidr, &lists);
            }
        }
    }
    if let Some(p) = m.public_http() {
        certificates(&mut c, p.certificates.as_deref(), "http.public");
        for (i, ip) in p
            .ingress
            .iter()
            .flat_map(|g| g.source_ips.iter().flatten())
            .enumerate()
        {
            c.cidr(ip, &format!("http.public.ingress.source_ips[{i}]"));
        }
        if let Some(pol) = &p.ssl_policy {
            ssl_policy(&mut c, pol, p.certificates.as_deref(), "http.public");
        }
        if let Some(a) = &p.access_logs {
            access_logs(&mut c, a);
        }
    }
    if let Some(p) = m.private_http() {
        private_http(&mut c, m, p);
    }
    cdn(&mut c, m);
}

/// `http.public.access_logs` to a bucket of the user's: its name follows S3's rules, and
/// the prefix does not hold `AWSLogs` (ELB adds it) or start or end with `/`
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>,
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>).
fn access_logs(c: &mut Checker, a: &Spanned<crate::manifest::access_logs::AccessLogs>) {
    use crate::manifest::access_logs::AccessLogs;
    let AccessLogs::Bucket {
        bucket_name,
        prefix,
    } = &a.value
    else {
        return;
    };
    match bucket_name {
        None => c.error(
            Code::MissingField,
            a.span,
            "http.public.access_logs.bucket_name",
            "missing required field `http.public.access_logs.bucket_name`",
            Some(
                "name your bucket, or write `access_logs: true` for one the environment creates"
                    .into(),
            ),
        ),
        Some(b) => {
            let ok = (3..=63).contains(&b.len())
                && b.chars().all(|ch| {
                    ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-'
                })
                && b.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                && b.ends_with(|ch: char| ch.is_ascii_alphanumeric())
                && !b.contains("..");
            if !ok {
                c.error(Code::InvalidValue, b.span, "http.public.access_logs.bucket_name", format!("`{}` is not an S3 bucket name", b.value), Some("bucket names are 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit".into()));
            }
        }
    }
    if let Some(p) = prefix
        && (p.contains("AWSLogs") || p.starts_with('/') || p.ends_with('/') || p.is_empty())
    {
        c.error(
            Code::InvalidValue,
            p.span,
            "http.public.access_logs.prefix",
            format!("`{}` is not an access log prefix", p.value),
            Some("a prefix has no `AWSLogs` (ELB adds it) and no `/` at either end".into()),
        );
    }
}

/// `cdn` and CloudFront-only ingress
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html>:
/// a distribution's certificate is in us-east-1).
fn cdn(c: &mut Checker, m: &EnvManifest) {
    if let Some(only) = m.cdn_only_ingress() {
        if m.cdn().is_none() {
            c.error(
                Code::Reference,
                only.span,
                "http.public.ingress.cdn",
                "only CloudFront may reach the load balancer, and this environment has no `cdn`",
                Some("add `cdn: true`, or remove `ingress.cdn`".into()),
            );
        }
        if let Some(ips) = m
            .public_http()
            .and_then(|p| p.ingress.as_ref())
            .and_then(|i| i.source_ips.as_ref())
            && let Some(first) = ips.first()
        {
            c.error(
                Code::InvalidValue,
                first.span,
                "http.public.ingress.source_ips",
                "`source_ips` and `cdn` both say who reaches the load balancer; choose one",
                None,
            );
        }
    }
    let Some(cdn) = m.cdn() else { return };
    if let Some(cert) = &cdn.certificate {
        certificates(c, Some(std::slice::from_ref(cert)), "cdn");
        if cert.split(':').nth(3).is_some_and(|r| r != "us-east-1") {
            c.error(
                Code::InvalidValue,
                cert.span,
                "cdn.certificate",
                format!(
                    "`{}` is not in us-east-1; CloudFront takes certificates from there only",
                    cert.value
                ),
                Some("import or request the certificate in us-east-1".into()),
            );
        }
    }
    if let Some(a) = &cdn.static_assets {
        match &a.location {
            None => c.error(
                Code::MissingField,
                a.span,
                "cdn.static_assets.location",
                "missing required field `cdn.static_assets.location`",
                Some("the bucket's domain name, like `assets.s3.us-east-1.amazonaws.com`".into()),
            ),
            Some(l)
                if !(l.contains(".s3.") || l.contains(".s3-"))
                    || !l.ends_with(".amazonaws.com") =>
            {
                c.error(
                    Code::InvalidValue,
                    l.span,
                    "cdn.static_assets.location",
                    format!("`{}` is not an S3 bucket's domain name", l.value),
                    Some("write `<bucket>.s3.<region>.amazonaws.com`".into()),
                )
            }
            Some(_) => {}
        }
        if let Some(p) = &a.path
            && (p.is_empty() || p.chars().any(char::is_whitespace) || p.len() > 255)
        {
            c.error(
                Code::InvalidValue,
                p.span,
                "cdn.static_assets.path",
                format!("`{}` is not a path pattern", p.value),
                Some("write a pattern like `static/*`".into()),
            );
        }
        if let Some(al) = &a.alias {
            if let Some(why) = super::net::dns_name_problem(&al.value, true) {
                c.error(
                    Code::InvalidValue,
                    al.span,
                    "cdn.static_assets.alias",
                    format!("`{}` is not a domain name: {why}", al.value),
                    None,
                );
            } else if let Some(d) = &m.app_domain {
                super::http::domain_name(c, d, &m.name.value, al, "cdn.static_assets.alias", false);
            }
            if !m.cdn_answers_names() {
                c.warn(Code::InvalidValue, al.span, "cdn.static_assets.alias", "the distribution answers to its aliases with a certificate only: `cdn.certificate`, or the one wharf makes in an application with a domain; without either this name is not served", Some("give `cdn.certificate` (us-east-1) covering it".into()));
            }
        }
    }
}

/// Each of `certs` (`<at>.certificates`) is an ACM certificate ARN.
fn certificates(c: &mut Checker, certs: Option<&[Spanned<String>]>, at: &str) {
    for (i, cert) in certs.into_iter().flatten().enumerate() {
        let parts: Vec<&str> = cert.split(':').collect();
        if !(parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "acm"
            && parts[5].starts_with("certificate/"))
        {
            c.error(
                Code::InvalidValue,
                cert.span,
                &format!("{at}.certificates[{i}]"),
                format!("`{}` is not an ACM certificate ARN", cert.value),
                Some(
                    "certificate ARNs look like `arn:aws:acm:us-east-1:111122223333:certificate/…`"
                        .to_string(),
                ),
            );
        }
    }
}

/// `<at>.ssl_policy` names an ELB policy and has certificates to apply to.
fn ssl_policy(c: &mut Checker, pol: &Spanned<String>, certs: Option<&[Spanned<String>]>, at: &str) {
    let path = format!("{at}.ssl_policy");
    if !pol.starts_with("ELBSecurityPolicy-") {
        c.error(
            Code::InvalidValue,
            pol.span,
            &path,
            format!("`{}` is not an ELB security policy", pol.value),
            Some("policies look like `ELBSecurityPolicy-TLS13-1-2-2021-06`".to_string()),
        );
    }
    if certs.is_none_or(<[_]>::is_empty) {
        c.warn(
            Code::InvalidValue,
            pol.span,
            &path,
            "`ssl_policy` has no effect without `certificates` (there is no HTTPS listener)",
            None,
        );
    }
}

/// `http.private`: certificates and TLS policy as for the public load balancer; its
/// `subnets` are subnets the environment imports, in two or more (an Application Load
/// Balancer's minimum of zones, which wharf cannot see offline, so two distinct
/// subnets); `ingress.vpc` needs the VPC's block, which only a VPC wharf creates has in
/// the template.
fn private_http(c: &mut Checker, m: &EnvManifest, p: &crate::manifest::environment::PrivateHttp) {
    certificates(c, p.certificates.as_deref(), "http.private");
    if let Some(pol) = &p.ssl_policy {
        ssl_policy(c, pol, p.certificates.as_deref(), "http.private");
    }
    if let Some(list) = &p.subnets {
        if list.is_empty() {
            c.error(Code::Range, list.span, "http.private.subnets", "`http.private.subnets` is empty", Some("list 2 or more subnets of different zones, or leave it out for the private subnets".into()));
        }
        let listed: Vec<&str> = m
            .vpc()
            .and_then(|v| v.subnets.as_ref())
            .into_iter()
            .flat_map(|s| s.public.iter().chain(s.private.iter()))
            .flat_map(|l| l.value.iter())
            .filter_map(|s| s.id.as_ref().map(|i| i.value.as_str()))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for (i, id) in list.iter().enumerate() {
            let at = format!("http.private.subnets[{i}]");
            if !m.imports_vpc() {
                c.error(Code::Reference, id.span, &at, format!("`{}` is a subnet ID, and this environment creates its VPC", id.value), Some("`http.private.subnets` chooses among the subnets of an imported VPC (`network.vpc.id`); leave it out to use the private subnets wharf creates".into()));
                return;
            }
            if !listed.contains(&id.value.as_str()) {
                c.error(
                    Code::Reference,
                    id.span,
                    &at,
                    format!("`{}` is not one of the environment's subnets", id.value),
                    Some("list it under `network.vpc.subnets`, or choose one listed there".into()),
                );
            }
            if !seen.insert(id.value.as_str()) {
                c.error(
                    Code::DuplicateKey,
                    id.span,
                    &at,
                    format!("subnet `{}` is listed twice", id.value),
                    None,
                );
            }
        }
        if seen.len() < 2
            && let Some(first) = list.first()
        {
            c.error(
                Code::Range,
                first.span,
                "http.private.subnets",
                "an internal load balancer needs subnets in at least 2 availability zones",
                Some("list 2 or more subnets of different zones".into()),
            );
        }
    }
    if let Some(v) = p.ingress.as_ref().and_then(|i| i.vpc.as_ref())
        && v.value
        && m.imports_vpc()
    {
        c.error(Code::Unsupported, v.span, "http.private.ingress.vpc", "`ingress.vpc` needs the VPC's CIDR block, which wharf does not read from an imported VPC", Some("the environment's tasks reach the internal load balancer without it; for other sources in the VPC, this is not available in this version of wharf".into()));
    }
}

/// Rules wharf adds to the environment's security group besides the manifest's: from
/// itself and from the load balancer.
const OWN_INGRESS_RULES: usize = 2;

/// Rules per direction a security group takes by default
/// (<https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups>).
const RULES_PER_DIRECTION: usize = 60;

/// A security group rule as AWS compares them: protocol number, ports, block.
type RuleKey = (String, Option<(i32, i32)>, String);

/// `network.vpc.security_group`: each rule's protocol, ports and block, and the number
/// of rules within the quota (with wharf's own ingress rules).
fn security_group(c: &mut Checker, g: &crate::manifest::environment::EnvSecurityGroup) {
    for (dir, rules, room) in [
        (
            "ingress",
            g.ingress.as_slice(),
            RULES_PER_DIRECTION - OWN_INGRESS_RULES,
        ),
        (
            "egress",
            g.egress.as_deref().unwrap_or_default(),
            RULES_PER_DIRECTION,
        ),
    ] {
        if rules.len() > room {
            c.error(
                Code::Limit,
                rules[room].span,
                &format!("network.vpc.security_group.{dir}"),
                format!(
                    "{} {dir} rules; the environment's security group takes {room} of yours (a security group holds {RULES_PER_DIRECTION} per direction)",
                    rules.len()
                ),
                None,
            );
        }
        let mut seen: std::collections::BTreeMap<RuleKey, usize> =
            std::collections::BTreeMap::new();
        for (i, r) in rules.iter().enumerate() {
            let at = format!("network.vpc.security_group.{dir}[{i}]");
            let proto = r.value.ip_protocol.value.to_ascii_lowercase();
            // A rule as AWS compares them: protocol by number, ports (none for all
            // protocols), the block's network.
            let number = r.value.protocol_number();
            let ports = r
                .value
                .ports
                .as_ref()
                .filter(|_| number != "-1")
                .map(|p| (p.value.from, p.value.to));
            let block = super::net::Cidr::parse(&r.value.cidr.value)
                .map_or_else(|_| r.value.cidr.value.clone(), |b| b.to_string());
            if let Some(first) = seen.insert((number.clone(), ports, block), i) {
                c.error(
                    Code::DuplicateKey,
                    r.span,
                    &at,
                    format!(
                        "this {dir} rule is the same as {dir}[{first}]: AWS refuses a rule twice"
                    ),
                    Some("remove one of them".into()),
                );
            }
            if r.value.is_icmp()
                && let Some(p) = &r.value.ports
                && !((-1..=255).contains(&p.value.from) && (-1..=255).contains(&p.value.to))
            {
                c.error(
                    Code::InvalidValue,
                    p.span,
                    &format!("{at}.ports"),
                    format!("for `{proto}`, `ports` is the ICMP type and code (`type-code`), each from -1 (any) to 255"),
                    Some("for example `8-0` (echo request), or leave `ports` out for every type".into()),
                );
            }
            let known = matches!(proto.as_str(), "tcp" | "udp" | "icmp" | "icmpv6" | "-1")
                || proto.parse::<u8>().is_ok();
            if !known {
                c.error(
                    Code::InvalidValue,
                    r.value.ip_protocol.span,
                    &format!("{at}.ip_protocol"),
                    format!("`{}` is not an IP protocol", r.value.ip_protocol.value),
                    Some(
                        "use `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or a protocol number"
                            .into(),
                    ),
                );
            }
            match (&r.value.ports, r.value.has_ports()) {
                (None, true) => c.error(
                    Code::MissingField,
                    r.span,
                    &format!("{at}.ports"),
                    format!("a `{proto}` rule needs `ports`"),
                    Some("a port, `443`, or a range, `8000-8080`".into()),
                ),
                (Some(p), true) if p.value.from < 0 || p.value.from > p.value.to => c.error(
                    Code::InvalidValue,
                    p.span,
                    &format!("{at}.ports"),
                    format!(
                        "a `{proto}` rule takes ports from 0 to 65535, the first not above the last"
                    ),
                    None,
                ),
                _ => {}
            }
            c.cidr(&r.value.cidr, &format!("{at}.cidr"));
        }
    }
}

/// The most availability zones any region has (us-east-1's six): subnets without `az`
/// take the region's n-th zone.
const MAX_ZONES: usize = 6;

/// Zones of the subnets wharf creates: an `az` is a zone name (`us-east-1a`) or ID
/// (`use1-az1`); a list names each zone once; given on both lists, the public and the
/// private subnets are in the same zones (each private subnet routes through the NAT
/// gateway of the public subnet in its zone). Without `az`, at most 6 per list.
fn zones(c: &mut Checker, lists: &[(&str, SubnetList)]) {
    let mut sets: Vec<std::collections::BTreeSet<&str>> = Vec::new();
    for (kind, list) in lists {
        let Some(list) = list else { continue };
        let mut set = std::collections::BTreeSet::new();
        for (i, s) in list.iter().enumerate() {
            let Some(az) = &s.az else { continue };
            let path = format!("network.vpc.subnets.{kind}[{i}].az");
            if !zone_like(az) {
                c.error(
                    Code::InvalidValue,
                    az.span,
                    &path,
                    format!("`{}` is not an availability zone", az.value.escape_debug()),
                    Some("a zone name like `us-east-1a`, or a zone ID like `use1-az1`".into()),
                );
            } else if !set.insert(az.value.as_str()) {
                c.error(
                    Code::DuplicateKey,
                    az.span,
                    &path,
                    format!("two {kind} subnets are in `{}`: one per zone", az.value),
                    None,
                );
            }
        }
        if set.is_empty() && list.len() > MAX_ZONES {
            c.error(
                Code::Range,
                list.span,
                &format!("network.vpc.subnets.{kind}"),
                format!("{} {kind} subnets, one per zone, but no region has more than {MAX_ZONES} zones", list.len()),
                None,
            );
        }
        sets.push(set);
    }
    if let [a, b] = sets.as_slice()
        && !a.is_empty()
        && !b.is_empty()
        && a != b
        && let Some((_, Some(list))) = lists.get(1)
    {
        c.error(
            Code::InvalidValue,
            list.span,
            "network.vpc.subnets.private",
            format!(
                "the private subnets are in {}, the public ones in {}: an environment has one of each per zone",
                b.iter().copied().collect::<Vec<_>>().join(", "),
                a.iter().copied().collect::<Vec<_>>().join(", ")
            ),
            None,
        );
    }
}

/// A zone name (`us-east-1a`, `us-gov-west-1b`, `us-west-2-lax-1a`) or zone ID
/// (`use1-az1`).
fn zone_like(az: &str) -> bool {
    let lower = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    };
    if !lower(az) || az.starts_with('-') || az.ends_with('-') {
        return false;
    }
    let id = az.split_once("-az").is_some_and(|(a, n)| {
        !a.is_empty() && !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit())
    });
    let name = az.ends_with(|ch: char| ch.is_ascii_lowercase())
        && az.split('-').count() >= 3
        && az.chars().any(|ch| ch.is_ascii_digit());
    id || name
}

fn imported_subnet(c: &mut Checker, s: &Spanned<Subnet>, path: &str) {
    match &s.id {
        None => c.error(
            Code::MissingField,
            s.span,
            path,
            "subnets of an imported VPC are given by `id`",
            None,
        ),
        Some(id) if !valid_id(id, "subnet") => c.error(
            Code::InvalidValue,
            id.span,
            &format!("{path}.id"),
            format!("`{}` is not a subnet ID", id.value),
            Some("subnet IDs are `subnet-` and 8 or 17 hex digits".to_string()),
        ),
        Some(_) => {}
    }
    for (field, key) in [(&s.cidr, "cidr"), (&s.az, "az")] {
        if let Some(f) = field {
            c.error(
                Code::MutuallyExclusive,
                f.span,
                &format!("{path}.{key}"),
                format!("`{key}` cannot be set on a subnet of an imported VPC"),
                None,
            );
        }
    }
}

type SubnetList<'a> = Option<&'a Spanned<Vec<Spanned<Subnet>>>>;

/// Subnets of a VPC wharf creates: each list has one subnet per availability zone, at
/// least 2 (an Application Load Balancer needs two zones,
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones>),
/// and both lists as many (each private subnet routes through the NAT gateway of the
/// public subnet in its zone); blocks inside the VPC's, not overlapping; and room in
/// the VPC's block for the default subnets of a list not given.
fn managed_subnets(c: &mut Checker, vpc: Option<Cidr>, lists: &[(&str, SubnetList)]) {
    let mut seen: CidrSet<String> = CidrSet::default();
    let mut az_given = Vec::new();
    let mut blocks: [Vec<Cidr>; 2] = [Vec::new(), Vec::new()];
    let mut all_read = true;
    if let [(_, Some(a)), (_, Some(b))] = lists
        && a.len() != b.len()
    {
        c.error(
            Code::Range,
            b.span,
            "network.vpc.subnets",
            format!(
                "an environment has as many private subnets as public ones, one of each per availability zone; found {} public and {} private",
                a.len(),
                b.len()
            ),
            None,
        );
    }
    for (k, (kind, list)) in lists.iter().enumerate() {
        let Some(list) = list else { continue };
        if list.len() < 2 {
            c.error(Code::Range, list.span, &format!("network.vpc.subnets.{kind}"), format!("an environment has at least 2 {kind} subnets, one in each of 2 or more availability zones; found {}", list.len()), None);
        }
        for (i, s) in list.iter().enumerate() {
            let path = format!("network.vpc.subnets.{kind}[{i}]");
            if let Some(id) = &s.id {
                c.error(
                    Code::MutuallyExclusive,
                    id.span,
                    &format!("{path}.id"),
                    "subnet `id` needs an imported VPC (`network.vpc.id`)",
                    Some("give `cidr` (and optionally `az`) for subnets wharf creates".to_string()),
                );
            }
            az_given.push((s.az.is_some(), s.span));
            let Some(cidr_s) = &s.cidr else {
                if s.id.is_none() {
                    c.error(
                        Code::MissingField,
                        s.span,
                        &format!("{path}.cidr"),
                        "a subnet wharf creates needs a `cidr`",
                        None,
                    );
                }
                continue;
            };
            let Some(cidr) = c.cidr(cidr_s, &format!("{path}.cidr")) else {
                all_read = false;
                continue;
            };
            if !(16..=28).contains(&cidr.prefix) || cidr.addr.is_ipv6() {
                // https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
                c.error(
                    Code::Range,
                    cidr_s.span,
                    &format!("{path}.cidr"),
                    format!(
                        "subnet `{}` is not an IPv4 block from /16 to /28, the sizes AWS allows",
                        cidr_s.value
                    ),
                    None,
                );
            }
            blocks[k].push(cidr);
            if let Some(v) = vpc
                && !v.contains(&cidr)
            {
                c.error(
                    Code::Range,
                    cidr_s.span,
                    &format!("{path}.cidr"),
                    format!("subnet `{}` is outside the VPC's CIDR block", cidr_s.value),
                    None,
                );
            }
            if let Some(other) = seen.overlapping(&cidr) {
                c.error(
                    Code::Range,
                    cidr_s.span,
                    &format!("{path}.cidr"),
                    format!("subnet `{}` overlaps subnet `{other}`", cidr_s.value),
                    None,
                );
            }
            seen.insert(&cidr, cidr_s.value.clone());
        }
    }
    if let Some(v) = vpc
        && all_read
        && let Err(e) = super::net::default_subnets(&v, &blocks[0], &blocks[1])
    {
        let span = lists.iter().find_map(|(_, l)| l.map(|l| l.span));
        if let Some(span) = span {
            c.error(
                Code::Range,
                span,
                "network.vpc.subnets",
                e,
                Some("give both the public and the private subnets, or a larger `cidr`".into()),
            );
        }
    }
    zones(c, lists);
    if az_given.iter().any(|(g, _)| *g) && !az_given.iter().all(|(g, _)| *g) {
        let span = az_given
            .iter()
            .find(|(g, _)| !*g)
            .map(|(_, s)| *s)
            .unwrap_or(az_given[0].1);
        c.error(
            Code::MissingField,
            span,
            "network.vpc.subnets",
            "give `az` for every subnet or for none",
            None,
        );
    }
}

/// An application's `domain` (in `app.yml`, or a Copilot workspace's `.workspace`).
pub fn validate_app_domain(d: &Spanned<String>, diags: &mut Diagnostics) {
    domain(&mut Checker::new(diags), d);
}

fn domain(c: &mut Checker, d: &Spanned<String>) {
    if let Some(why) = super::net::dns_name_problem(&d.value, false) {
        c.error(
            Code::InvalidValue,
            d.span,
            "domain",
            format!("`{}` is not a domain name: {why}", d.value),
            Some(
                "give the domain of a Route 53 hosted zone of this account, like `example.com`"
                    .into(),
            ),
        );
    }
}

/// Checks an application manifest.
pub fn validate_app(m: &AppManifest, diags: &mut Diagnostics) {
    let mut c = Checker::new(diags);
    let n = &m.name;
    if !(n.chars().next().is_some_and(|ch| ch.is_ascii_lowercase())
        && n.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        && n.len() <= 28
        && !n.ends_with('-'))
    {
        c.error(Code::InvalidValue, n.span, "name", format!("`{}` is not a valid application name", n.value), Some("application names start with a lower-case letter, use lower-case letters, digits and hyphens, and are at most 28 characters".to_string()));
    }
    if let Some(r) = &m.region {
        region(&mut c, r, "region");
    }
    if let Some(d) = &m.domain {
        domain(&mut c, d);
    }
    for (k, _) in m.tags.iter() {
        if k.to_ascii_lowercase().starts_with("aws:")
            || k.starts_with("wharf-")
            || k.starts_with("copilot-")
        {
            c.error(
                Code::InvalidValue,
                k.span,
                &format!("tags.{}", k.value),
                format!("tag key `{}` is reserved", k.value),
                Some(
                    "keys starting with `aws:`, `wharf-` or `copilot-` are set by AWS or wharf"
                        .to_string(),
                ),
            );
        }
    }
    if m.tags.0.len() > 40 {
        c.error(
            Code::Range,
            m.tags.0[40].0.span,
            "tags",
            "at most 40 application tags (CloudFormation allows 50 and wharf adds its own)",
            None,
        );
    }
    if let Some(pb) = &m.permissions_boundary
        && (pb.is_empty() || pb.chars().any(char::is_whitespace))
    {
        c.error(
            Code::InvalidValue,
            pb.span,
            "permissions_boundary",
            "`permissions_boundary` must be an IAM policy name or ARN",
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn regions() {
        assert!(super::valid_region("us-east-1"));
        assert!(super::valid_region("us-gov-west-1"));
        assert!(super::valid_region("ap-southeast-3"));
        assert!(!super::valid_region("useast1"));
        assert!(!super::valid_region("US-EAST-1"));
    }

    #[test]
    fn resource_ids() {
        assert!(super::valid_id("vpc-0abc1234", "vpc"));
        assert!(super::valid_id("subnet-0123456789abcdef0", "subnet"));
        assert!(!super::valid_id("subnet-1", "subnet"));
        assert!(!super::valid_id("vpc-0abc1234", "subnet"));
    }
}
