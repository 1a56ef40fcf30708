//! The environment stack: turns an environment manifest (and what the workspace's
//! services need from it) into an [`EnvPlan`] and renders `templates/environment.yml`.

use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig, quote};
use crate::contract::{EnvValue, ssm_name};
use crate::manifest::decode::Spanned;
use crate::manifest::environment::{EnvManifest, Subnet};
use crate::manifest::service::ServiceManifest;
use crate::render::render;
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether a workload scales on its queue's backlog (`count.queue_delay`), which needs
/// Container Insights in its environment.
pub fn scales_on_queue(m: &ServiceManifest) -> bool {
    matches!(
        m.count().map(|c| &c.value),
        Some(crate::manifest::service::Count::Auto(a)) if a.queue_delay.is_some()
    )
}

/// The default VPC block, as Copilot uses it; default subnets come from the VPC's block
/// ([`default_subnets`](crate::manifest::validate::net::default_subnets)).
pub const DEFAULT_VPC: &str = "10.0.0.0/16";
/// TLS policy used when the manifest names none.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// A subnet the stack creates.
#[derive(Debug, Clone, Serialize)]
pub struct SubnetPlan {
    /// Its CIDR block.
    pub cidr: String,
    /// Its availability zone; `None` picks the n-th zone of the region.
    pub az: Option<String>,
}

/// The VPC: created by the stack, or imported.
#[derive(Debug, Clone, Serialize)]
pub struct VpcPlan {
    /// Whether the stack creates it.
    pub managed: bool,
    /// CIDR of a managed VPC.
    pub cidr: String,
    /// Public subnets of a managed VPC.
    pub public: Vec<SubnetPlan>,
    /// Private subnets of a managed VPC.
    pub private: Vec<SubnetPlan>,
}

/// The public load balancer.
#[derive(Debug, Clone, Serialize)]
pub struct AlbPlan {
    /// Whether it serves HTTPS (and redirects HTTP).
    pub https: bool,
    /// ACM certificates, as CloudFormation values: the imported ARNs (quoted), or the
    /// domain's certificate (`!Ref EnvCertificate`).
    pub certificates: Vec<String>,
    /// TLS policy.
    pub ssl_policy: String,
    /// Who may connect.
    pub source_ips: Vec<String>,
    /// Whether deletion protection is on.
    pub deletion_protection: bool,
    /// Access logs, when asked for.
    pub access_logs: Option<AccessLogsPlan>,
    /// Only CloudFront reaches it: ingress from CloudFront's origin-facing prefix list
    /// (the `CloudFrontPrefixListId` parameter, which `wharf` looks up at deploy)
    /// instead of `source_ips`.
    pub cdn_only: bool,
}

/// The public load balancer's access logs.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLogsPlan {
    /// Whether the stack creates the bucket (with the policy ELB needs).
    pub managed: bool,
    /// The bucket, as a CloudFormation value.
    pub bucket: String,
    /// The key prefix, if any.
    pub prefix: Option<String>,
}

/// The stack parameter taking who may write a managed access-log bucket: the region's
/// Elastic Load Balancing account (`arn:aws:iam::<id>:root`) or, in regions opened
/// since August 2022, the log delivery service ([`ELB_LOG_SERVICE`]); wharf fills it at
/// deploy ([`elb_log_principal`]).
pub const ELB_LOG_PRINCIPAL_PARAMETER: &str = "ELBLogDeliveryPrincipal";

/// The service principal that writes access logs in regions opened since August 2022.
pub const ELB_LOG_SERVICE: &str = "logdelivery.elasticloadbalancing.amazonaws.com";

/// Elastic Load Balancing's account in each region opened before August 2022, which
/// writes that region's access logs
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>).
const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// Who may write access logs in `region` ([`ELB_LOG_PRINCIPAL_PARAMETER`]): the
/// region's ELB account root in `partition`, or the log delivery service.
pub fn elb_log_principal(region: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    ELB_ACCOUNTS
        .iter()
        .find(|(r, _)| *r == region)
        .map_or(ELB_LOG_SERVICE.to_string(), |(_, id)| {
            format!("arn:{partition}:iam::{id}:root")
        })
}

/// The CloudFront distribution in front of the public load balancer (`cdn`).
#[derive(Debug, Clone, Serialize)]
pub struct CdnPlan {
    /// Whether CloudFront reaches the load balancer over HTTPS (it serves HTTPS and
    /// `terminate_tls` is off).
    pub origin_https: bool,
    /// The viewer certificate's ARN (us-east-1), with `aliases`; none: CloudFront's
    /// own name only, or the one wharf makes (`managed`).
    pub certificate: Option<String>,
    /// Whether the viewer certificate is wharf's, from the stack of
    /// `compile::cdn_certificate` (parameter `CloudFrontCertificateArn`): until it
    /// exists, CloudFront's own name only.
    pub managed: bool,
    /// The distribution's domain names: the services' names on the public load
    /// balancer, and the static assets' alias.
    pub aliases: Vec<String>,
    /// The S3 bucket's domain name of static assets, and their path pattern.
    pub static_assets: Option<(String, String)>,
    /// The static assets' alias and the zone of its record (a CloudFormation value),
    /// with the certificate and the application's domain.
    pub static_record: Option<(String, String)>,
}

/// The internal load balancer (for Backend Services with `http`), and the private
/// hosted zone `<env>.<app>.internal` of its names.
#[derive(Debug, Clone, Serialize)]
pub struct InternalAlbPlan {
    /// Whether it serves HTTPS (and redirects HTTP).
    pub https: bool,
    /// ACM certificate ARNs (quoted).
    pub certificates: Vec<String>,
    /// TLS policy.
    pub ssl_policy: String,
    /// Flow list of the subnets it goes in.
    pub subnets: String,
    /// Whether anything in the VPC may reach it (`ingress.vpc`), not only the tasks.
    pub vpc_ingress: bool,
    /// The private hosted zone's name.
    pub zone: String,
}

/// The environment's part of the application's domain: its hosted zone
/// `<env>.<app>.<domain>`, delegated from the application's zone, and (for a load
/// balancer without imported certificates) a certificate for the zone's names.
#[derive(Debug, Clone, Serialize)]
pub struct DomainPlan {
    /// The zone's name.
    pub zone: String,
    /// SSM parameter holding the application's zone ID (the application stack's).
    pub app_zone_ssm: String,
    /// SSM parameter holding the domain's zone ID (the application stack's).
    pub domain_zone_ssm: String,
    /// Whether the stack creates the certificate `<zone>` + `*.<zone>`.
    pub certificate: bool,
    /// The stack's parameter saying the zone's delegation record is kept outside it
    /// ([`ADOPTED_DELEGATION_PARAMETER`]).
    pub adopted_delegation_parameter: &'static str,
}

/// The environment stack's parameter (`'true'`/`'false'`, default `'false'`) saying
/// whether the NS record delegating its zone from the application's zone was made
/// outside CloudFormation and stays there: AWS Copilot's `DelegateDNSAction` wrote it
/// through the Route 53 API, and a `AWS::Route53::RecordSet` of the same name cannot be
/// created beside it (nor imported), so an adopted environment keeps Copilot's record.
/// Filled at deploy from the deployed stack (`release::delegation::keep_adopted_delegation`).
pub const ADOPTED_DELEGATION_PARAMETER: &str = "AdoptedDelegation";

/// A value published in SSM Parameter Store for service stacks.
#[derive(Debug, Clone, Serialize)]
pub struct SsmPlan {
    /// Logical ID of the `AWS::SSM::Parameter`.
    pub logical_id: &'static str,
    /// Parameter name.
    pub name: String,
    /// `String` or `StringList`.
    pub kind: &'static str,
    /// What it holds, for descriptions.
    pub what: &'static str,
    /// CloudFormation expression of its value.
    pub value: String,
}

/// References to network pieces, as CloudFormation expressions.
#[derive(Debug, Clone, Serialize)]
pub struct Refs {
    /// The VPC.
    pub vpc: String,
    /// Flow list of public subnet IDs, when there are any.
    pub public_subnets: Option<String>,
    /// Flow list of private subnet IDs, when there are any.
    pub private_subnets: Option<String>,
    /// One value per subnet the file system's mount targets go in: the private subnets,
    /// or the public ones when there are none.
    pub mount_subnets: Vec<String>,
}

/// Everything the environment template needs.
#[derive(Debug, Clone, Serialize)]
pub struct EnvPlan {
    /// Application name.
    pub app: String,
    /// Environment name.
    pub env: String,
    /// wharf version.
    pub version: &'static str,
    /// The VPC.
    pub vpc: VpcPlan,
    /// Whether to create NAT gateways (a managed VPC with privately placed services).
    pub nat: bool,
    /// The load balancer, when a Load Balanced Web Service exists.
    pub alb: Option<AlbPlan>,
    /// Container Insights.
    pub container_insights: bool,
    /// Cloud Map namespace name.
    pub namespace: String,
    /// SSM prefix.
    pub ssm_prefix: String,
    /// Network references.
    pub refs: Refs,
    /// Published values.
    pub ssm: Vec<SsmPlan>,
    /// The environment's EFS file system, when a workload mounts it (`efs: true`).
    pub efs: bool,
    /// The manifest's rules of the environment's security group.
    pub security_group: super::env_vpc::SecurityGroupPlan,
    /// VPC flow logs, when asked for.
    pub flow_logs: Option<super::env_vpc::FlowLogsPlan>,
    /// The environment's hosted zone and certificate, when the application has a
    /// domain.
    pub domain: Option<DomainPlan>,
    /// The internal load balancer, when a Backend Service has `http`.
    pub internal_alb: Option<InternalAlbPlan>,
    /// The CloudFront distribution, with `cdn` and a public load balancer.
    pub cdn: Option<CdnPlan>,
    /// The parameter of who writes access logs ([`ELB_LOG_PRINCIPAL_PARAMETER`]).
    pub elb_log_parameter: &'static str,
    /// The log delivery service's principal ([`ELB_LOG_SERVICE`]).
    pub elb_log_service: &'static str,
    /// CloudFront's hosted zone, for records to the distribution.
    pub cdn_zone: &'static str,
    /// The parameter taking the certificate wharf makes for the distribution.
    pub cdn_certificate_parameter: &'static str,
    /// The environments' addons: the nested stack's `Parameters` block.
    pub addons: Option<String>,
}

fn flow_list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| format!("[{}]", items.join(", ")))
}

/// The public and private subnets of a managed VPC with block `vpc`: those given, and
/// defaults derived from the block for a list not given (validation has checked that
/// they fit).
fn managed_subnets(
    vpc: &str,
    public: &[Spanned<Subnet>],
    private: &[Spanned<Subnet>],
) -> (Vec<SubnetPlan>, Vec<SubnetPlan>) {
    use crate::manifest::validate::net::{Cidr, default_subnets};
    let blocks = |given: &[Spanned<Subnet>]| -> Vec<Cidr> {
        given
            .iter()
            .filter_map(|s| Cidr::parse(&s.cidr.as_ref()?.value).ok())
            .collect()
    };
    let (made_public, made_private) = Cidr::parse(vpc)
        .ok()
        .and_then(|v| default_subnets(&v, &blocks(public), &blocks(private)).ok())
        .unwrap_or_default();
    let plans = |given: &[Spanned<Subnet>], made: Vec<Cidr>| -> Vec<SubnetPlan> {
        if given.is_empty() {
            made.iter()
                .map(|c| SubnetPlan {
                    cidr: c.to_string(),
                    az: None,
                })
                .collect()
        } else {
            given
                .iter()
                .map(|s| SubnetPlan {
                    cidr: s.cidr.as_ref().map(|c| c.value.clone()).unwrap_or_default(),
                    az: s.az.as_ref().map(|a| a.value.clone()),
                })
                .collect()
        }
    };
    (plans(public, made_public), plans(private, made_private))
}

/// Decides what the environment stack contains. `services` are the workspace's
/// services as compiled for this environment.
pub fn plan(app: &AppInfo, m: &EnvManifest, services: &[ServiceManifest]) -> EnvPlan {
    let env = m.name.value.clone();
    let vpc_m = m.vpc();
    let subnet_list = |public: bool| {
        vpc_m
            .and_then(|v| v.subnets.as_ref())
            .and_then(|s| {
                if public {
                    s.public.as_ref()
                } else {
                    s.private.as_ref()
                }
            })
            .map(|l| l.value.clone())
            .unwrap_or_default()
    };
    let (vpc, refs) = if let Some(id) = vpc_m.and_then(|v| v.id.as_ref()) {
        let ids = |public: bool| {
            subnet_list(public)
                .iter()
                .filter_map(|s| s.id.as_ref().map(|i| quote(i)))
                .collect::<Vec<_>>()
        };
        (
            VpcPlan {
                managed: false,
                cidr: String::new(),
                public: vec![],
                private: vec![],
            },
            Refs {
                vpc: quote(id),
                public_subnets: flow_list(&ids(true)),
                private_subnets: flow_list(&ids(false)),
                mount_subnets: if ids(false).is_empty() {
                    ids(true)
                } else {
                    ids(false)
                },
            },
        )
    } else {
        let cidr = vpc_m
            .and_then(|v| v.cidr.as_ref())
            .map_or(DEFAULT_VPC.to_string(), |c| c.value.clone());
        let (public, private) = managed_subnets(&cidr, &subnet_list(true), &subnet_list(false));
        let refs = |prefix: &str, n: usize| {
            flow_list(
                &(1..=n)
                    .map(|i| format!("!Ref {prefix}{i}"))
                    .collect::<Vec<_>>(),
            )
        };
        let r = Refs {
            vpc: "!Ref VPC".into(),
            public_subnets: refs("PublicSubnet", public.len()),
            private_subnets: refs("PrivateSubnet", private.len()),
            mount_subnets: (1..=private.len())
                .map(|i| format!("!Ref PrivateSubnet{i}"))
                .collect(),
        };
        (
            VpcPlan {
                managed: true,
                cidr,
                public,
                private,
            },
            r,
        )
    };
    let nat = vpc.managed && services.iter().any(ServiceManifest::in_env_private_subnets);
    let efs = services.iter().any(super::service::uses_env_file_system);
    let alb = services
        .iter()
        .any(ServiceManifest::on_public_alb)
        .then(|| {
            let mut certificates: Vec<String> = m.certificates().into_iter().map(quote).collect();
            if certificates.is_empty() && m.app_domain.is_some() {
                certificates.push("!Ref EnvCertificate".into());
            }
            let public = m.public_http();
            let source_ips = public
                .and_then(|p| p.ingress.as_ref())
                .and_then(|i| i.source_ips.as_ref())
                .map(|ips| ips.iter().map(|s| s.value.clone()).collect())
                .unwrap_or_else(|| vec!["0.0.0.0/0".to_string()]);
            AlbPlan {
                https: !certificates.is_empty(),
                ssl_policy: public
                    .and_then(|p| p.ssl_policy.as_ref())
                    .map_or(DEFAULT_SSL_POLICY.to_string(), |s| s.value.clone()),
                certificates,
                source_ips,
                deletion_protection: m.lb_deletion_protection(),
                cdn_only: m.cdn_only_ingress().is_some(),
                access_logs: public.and_then(|p| p.access_logs.as_ref()).and_then(|a| {
                    use crate::manifest::access_logs::AccessLogs;
                    match &a.value {
                        AccessLogs::Managed(false) => None,
                        AccessLogs::Managed(true) => Some(AccessLogsPlan {
                            managed: true,
                            bucket: "!Ref ELBAccessLogsBucket".into(),
                            prefix: None,
                        }),
                        AccessLogs::Bucket {
                            bucket_name,
                            prefix,
                        } => Some(AccessLogsPlan {
                            managed: false,
                            bucket: quote(&bucket_name.as_ref()?.value),
                            prefix: prefix.as_ref().map(|p| p.value.clone()),
                        }),
                    }
                }),
            }
        });
    let cdn = m.cdn().filter(|_| alb.is_some()).map(|c| {
        let certificate = c.certificate.as_ref().map(|x| x.value.clone());
        // With a certificate, given or made by wharf, the distribution answers to the
        // names.
        let answers = m.cdn_answers_names();
        let mut aliases: Vec<String> = Vec::new();
        if answers {
            for s in services.iter().filter(|s| s.on_public_alb()) {
                if let Some(h) = s.http() {
                    for n in crate::manifest::dns::http_names(s, h, m, &app.name) {
                        if !aliases.contains(&n.name) {
                            aliases.push(n.name);
                        }
                    }
                }
            }
        }
        // The services' own names, before the static assets' alias joins them.
        let service_names = aliases.clone();
        if answers
            && let Some(a) = c
                .static_assets
                .as_ref()
                .and_then(|s| s.value.alias.as_ref())
        {
            let a = a.value.to_ascii_lowercase();
            if !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        let static_record = c
            .static_assets
            .as_ref()
            .and_then(|s| s.value.alias.as_ref())
            .filter(|_| answers)
            // A service's name of the same: its record points at the distribution.
            .filter(|a| !service_names.contains(&a.value.to_ascii_lowercase()))
            .and_then(|a| {
                use crate::manifest::environment::Zone;
                let zone = match m.app_domain.as_ref()?.zone_of(&env, a)? {
                    Zone::Env => "!Ref EnvironmentHostedZone".to_string(),
                    Zone::App => format!("!Ref {}", EnvValue::AppHostedZoneId.parameter()),
                    Zone::Domain => format!("!Ref {}", EnvValue::DomainHostedZoneId.parameter()),
                };
                Some((a.value.to_ascii_lowercase(), zone))
            });
        CdnPlan {
            managed: m.cdn_managed_certificate(),
            static_record,
            origin_https: m.https() && !c.terminate_tls.as_ref().is_some_and(|t| t.value),
            certificate,
            aliases,
            static_assets: c.static_assets.as_ref().and_then(|s| {
                Some((
                    s.value.location.as_ref()?.value.clone(),
                    s.value
                        .path
                        .as_ref()
                        .map_or("*".to_string(), |p| p.value.clone()),
                ))
            }),
        }
    });
    let internal_alb = services
        .iter()
        .any(ServiceManifest::is_internally_load_balanced)
        .then(|| {
            let private = m.private_http();
            let chosen: Vec<String> = private
                .and_then(|p| p.subnets.as_ref())
                .map(|l| l.iter().map(|s| quote(s)).collect())
                .unwrap_or_default();
            InternalAlbPlan {
                https: m.lb_https(true),
                certificates: m.private_certificates().into_iter().map(quote).collect(),
                ssl_policy: private
                    .and_then(|p| p.ssl_policy.as_ref())
                    .map_or(DEFAULT_SSL_POLICY.to_string(), |s| s.value.clone()),
                subnets: flow_list(&chosen)
                    .or_else(|| refs.private_subnets.clone())
                    .unwrap_or_else(|| "[]".into()),
                vpc_ingress: vpc.managed
                    && private
                        .and_then(|p| p.ingress.as_ref())
                        .and_then(|i| i.vpc.as_ref())
                        .is_some_and(|v| v.value),
                zone: m.internal_zone(&app.name),
            }
        });
    // On when asked, or when a worker scales on its queue: the backlog-per-task metric
    // divides by Container Insights' RunningTaskCount.
    let container_insights = m
        .observability
        .as_ref()
        .and_then(|o| o.container_insights)
        .unwrap_or_else(|| services.iter().any(scales_on_queue));
    let domain = m.app_domain.as_ref().map(|d| DomainPlan {
        zone: d.env_zone(&env),
        app_zone_ssm: crate::contract::app_ssm_name(&app.name, EnvValue::AppHostedZoneId.key()),
        domain_zone_ssm: crate::contract::app_ssm_name(
            &app.name,
            EnvValue::DomainHostedZoneId.key(),
        ),
        certificate: alb.is_some() && m.certificates().is_empty(),
        adopted_delegation_parameter: ADOPTED_DELEGATION_PARAMETER,
    });
    let mut ssm = Vec::new();
    let mut publish = |v: EnvValue, what, value: String| {
        ssm.push(SsmPlan {
            logical_id: v.publisher(),
            name: ssm_name(&app.name, &env, v.key()),
            kind: v.ssm_type(),
            what,
            value,
        })
    };
    publish(EnvValue::VpcId, "the VPC ID", refs.vpc.clone());
    if let Some(l) = &refs.public_subnets {
        publish(
            EnvValue::PublicSubnets,
            "the public subnet IDs",
            format!("!Join [',', {l}]"),
        );
    }
    if let Some(l) = &refs.private_subnets {
        publish(
            EnvValue::PrivateSubnets,
            "the private subnet IDs",
            format!("!Join [',', {l}]"),
        );
    }
    publish(
        EnvValue::Cluster,
        "the ECS cluster name",
        "!Ref Cluster".into(),
    );
    if efs {
        publish(
            EnvValue::FileSystemId,
            "the EFS file system's ID",
            "!Ref FileSystem".into(),
        );
    }
    publish(
        EnvValue::EnvironmentSecurityGroup,
        "the tasks' security group",
        "!Ref EnvironmentSecurityGroup".into(),
    );
    publish(
        EnvValue::ServiceDiscoveryNamespaceId,
        "the Cloud Map namespace ID",
        "!GetAtt ServiceDiscoveryNamespace.Id".into(),
    );
    if let Some(a) = &alb {
        publish(
            EnvValue::HttpListenerArn,
            "the HTTP listener ARN",
            "!Ref HTTPListener".into(),
        );
        if a.https {
            publish(
                EnvValue::HttpsListenerArn,
                "the HTTPS listener ARN",
                "!Ref HTTPSListener".into(),
            );
        }
        publish(
            EnvValue::LoadBalancerDnsName,
            "the load balancer's DNS name",
            "!GetAtt PublicLoadBalancer.DNSName".into(),
        );
        publish(
            EnvValue::LoadBalancerFullName,
            "the load balancer's full name (for metrics)",
            "!GetAtt PublicLoadBalancer.LoadBalancerFullName".into(),
        );
        publish(
            EnvValue::LoadBalancerHostedZoneId,
            "the load balancer's canonical hosted zone (for alias records)",
            "!GetAtt PublicLoadBalancer.CanonicalHostedZoneID".into(),
        );
    }
    if cdn
        .as_ref()
        .is_some_and(|c| c.certificate.is_some() || c.managed)
    {
        publish(
            EnvValue::CloudFrontDomainName,
            "the CloudFront distribution's domain name (for alias records)",
            "!GetAtt Distribution.DomainName".into(),
        );
    }
    if let Some(a) = &internal_alb {
        publish(
            EnvValue::InternalHttpListenerArn,
            "the internal load balancer's HTTP listener ARN",
            "!Ref InternalHTTPListener".into(),
        );
        if a.https {
            publish(
                EnvValue::InternalHttpsListenerArn,
                "the internal load balancer's HTTPS listener ARN",
                "!Ref InternalHTTPSListener".into(),
            );
        }
        publish(
            EnvValue::InternalLoadBalancerDnsName,
            "the internal load balancer's DNS name",
            "!GetAtt InternalLoadBalancer.DNSName".into(),
        );
        publish(
            EnvValue::InternalLoadBalancerFullName,
            "the internal load balancer's full name (for metrics)",
            "!GetAtt InternalLoadBalancer.LoadBalancerFullName".into(),
        );
        publish(
            EnvValue::InternalLoadBalancerHostedZoneId,
            "the internal load balancer's canonical hosted zone (for alias records)",
            "!GetAtt InternalLoadBalancer.CanonicalHostedZoneID".into(),
        );
        publish(
            EnvValue::InternalHostedZoneId,
            "the private hosted zone of the internal load balancer's names",
            "!Ref InternalWorkloadsHostedZone".into(),
        );
    }
    if domain.is_some() {
        publish(
            EnvValue::HostedZoneId,
            "the environment's hosted zone ID",
            "!Ref EnvironmentHostedZone".into(),
        );
        publish(
            EnvValue::AppHostedZoneId,
            "the application's hosted zone ID",
            format!("!Ref {}", EnvValue::AppHostedZoneId.parameter()),
        );
        publish(
            EnvValue::DomainHostedZoneId,
            "the domain's hosted zone ID",
            format!("!Ref {}", EnvValue::DomainHostedZoneId.parameter()),
        );
    }
    EnvPlan {
        namespace: m.namespace_name(&app.name),
        ssm_prefix: ssm_name(&app.name, &env, "")
            .trim_end_matches('/')
            .to_string(),
        app: app.name.clone(),
        env,
        version: TEMPLATE_VERSION,
        vpc,
        nat,
        alb,
        container_insights,
        efs,
        refs,
        security_group: super::env_vpc::security_group(m),
        flow_logs: super::env_vpc::flow_logs(m),
        domain,
        internal_alb,
        cdn,
        elb_log_parameter: ELB_LOG_PRINCIPAL_PARAMETER,
        elb_log_service: ELB_LOG_SERVICE,
        cdn_zone: crate::contract::CLOUDFRONT_HOSTED_ZONE,
        cdn_certificate_parameter: crate::contract::cdn_certificate::ARN_PARAMETER,
        addons: m.addons.as_ref().map(|a| {
            super::service::addons_parameters(a, &[("App", &app.name), ("Env", &m.name.value)])
        }),
        ssm,
    }
}

/// Compiles the environment stack.
pub fn compile_env(
    app: &AppInfo,
    m: &EnvManifest,
    services: &[ServiceManifest],
) -> Result<Package, crate::render::RenderError> {
    let p = plan(app, m, services);
    let template = render("environment.yml", &p)?;
    let env = p.env.clone();
    Ok(Package {
        stack_name: super::env_stack_name(&app.name, &env),
        file_stem: env.clone(),
        template,
        config: TemplateConfig {
            parameters: BTreeMap::from([
                ("AppName".into(), app.name.clone()),
                ("EnvironmentName".into(), env.clone()),
            ]),
            tags: app.stack_tags(&env, None),
        },
        follow_up: super::FollowUp::Nothing,
        needs: Vec::new(),
        after: Vec::new(),
        addons: m
            .addons
            .as_ref()
            .map(|a| super::overrides::emit::document(&a.template)),
        imported_alb: None,
        cdn_certificate: super::cdn_certificate::request(&app.name, m, services),
    })
}
