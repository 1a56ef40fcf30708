//! The names stacks and the CLI share, in one place: the values an environment stack
//! publishes for its services (SSM parameters under `/wharf/<app>/<env>/`), the service
//! stack's parameters, the outputs the CLI reads and the logical IDs it looks up. The
//! compiler writes these names into templates and `aws/` and `cli/` read them back, so
//! a rename here is a rename everywhere. Pure.

/// The SSM parameter name of `key` in environment `env` of application `app`:
/// `/wharf/<app>/<env>/<key>`.
pub fn ssm_name(app: &str, env: &str, key: &str) -> String {
    format!("/wharf/{app}/{env}/{key}")
}

/// The SSM parameter name of application `app`'s value `key` (published by the
/// application stack): `/wharf/<app>/_app/<key>` (`_` is in no environment name).
pub fn app_ssm_name(app: &str, key: &str) -> String {
    format!("/wharf/{app}/_app/{key}")
}

/// A value an environment stack publishes as an SSM parameter and service stacks take
/// as an SSM-typed parameter with that parameter's name as default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvValue {
    /// The VPC ID.
    VpcId,
    /// The public subnet IDs.
    PublicSubnets,
    /// The private subnet IDs.
    PrivateSubnets,
    /// The ECS cluster name.
    Cluster,
    /// The security group of the environment's tasks.
    EnvironmentSecurityGroup,
    /// The Cloud Map namespace ID.
    ServiceDiscoveryNamespaceId,
    /// The load balancer's HTTP listener ARN.
    HttpListenerArn,
    /// The load balancer's HTTPS listener ARN.
    HttpsListenerArn,
    /// The load balancer's DNS name.
    LoadBalancerDnsName,
    /// The load balancer's full name (for metrics).
    LoadBalancerFullName,
    /// The environment's EFS file system (when a workload mounts it with `efs: true`).
    FileSystemId,
    /// The environment's Route 53 hosted zone `<env>.<app>.<domain>` (with a domain).
    HostedZoneId,
    /// The application's hosted zone `<app>.<domain>` (with a domain).
    AppHostedZoneId,
    /// The domain's own hosted zone (with a domain).
    DomainHostedZoneId,
    /// The load balancer's canonical hosted zone, for alias records.
    LoadBalancerHostedZoneId,
    /// The internal load balancer's HTTP listener ARN.
    InternalHttpListenerArn,
    /// The internal load balancer's HTTPS listener ARN.
    InternalHttpsListenerArn,
    /// The internal load balancer's DNS name.
    InternalLoadBalancerDnsName,
    /// The internal load balancer's full name (for metrics).
    InternalLoadBalancerFullName,
    /// The internal load balancer's canonical hosted zone, for alias records.
    InternalLoadBalancerHostedZoneId,
    /// The private hosted zone `<env>.<app>.internal` of the internal load balancer's
    /// names.
    InternalHostedZoneId,
    /// The CloudFront distribution's domain name (with `cdn` and its certificate), which
    /// the services' records point at.
    CloudFrontDomainName,
}

impl EnvValue {
    /// Every value, in the order the environment stack publishes them.
    pub const ALL: [EnvValue; 22] = [
        EnvValue::VpcId,
        EnvValue::PublicSubnets,
        EnvValue::PrivateSubnets,
        EnvValue::Cluster,
        EnvValue::EnvironmentSecurityGroup,
        EnvValue::ServiceDiscoveryNamespaceId,
        EnvValue::HttpListenerArn,
        EnvValue::HttpsListenerArn,
        EnvValue::LoadBalancerDnsName,
        EnvValue::LoadBalancerFullName,
        EnvValue::FileSystemId,
        EnvValue::HostedZoneId,
        EnvValue::AppHostedZoneId,
        EnvValue::DomainHostedZoneId,
        EnvValue::LoadBalancerHostedZoneId,
        EnvValue::InternalHttpListenerArn,
        EnvValue::InternalHttpsListenerArn,
        EnvValue::InternalLoadBalancerDnsName,
        EnvValue::InternalLoadBalancerFullName,
        EnvValue::InternalLoadBalancerHostedZoneId,
        EnvValue::InternalHostedZoneId,
        EnvValue::CloudFrontDomainName,
    ];

    /// The internal load balancer's counterpart of a public load balancer value (the
    /// value itself for any other). A Backend Service's stack takes it under the public
    /// value's parameter name, so one template serves both.
    pub fn internal(self) -> EnvValue {
        match self {
            EnvValue::HttpListenerArn => EnvValue::InternalHttpListenerArn,
            EnvValue::HttpsListenerArn => EnvValue::InternalHttpsListenerArn,
            EnvValue::LoadBalancerDnsName => EnvValue::InternalLoadBalancerDnsName,
            EnvValue::LoadBalancerFullName => EnvValue::InternalLoadBalancerFullName,
            EnvValue::LoadBalancerHostedZoneId => EnvValue::InternalLoadBalancerHostedZoneId,
            other => other,
        }
    }

    /// The last part of its SSM parameter name ([`ssm_name`]).
    pub fn key(self) -> &'static str {
        match self {
            EnvValue::VpcId => "vpc-id",
            EnvValue::PublicSubnets => "public-subnets",
            EnvValue::PrivateSubnets => "private-subnets",
            EnvValue::Cluster => "cluster",
            EnvValue::EnvironmentSecurityGroup => "environment-security-group",
            EnvValue::ServiceDiscoveryNamespaceId => "service-discovery-namespace-id",
            EnvValue::HttpListenerArn => "http-listener-arn",
            EnvValue::HttpsListenerArn => "https-listener-arn",
            EnvValue::LoadBalancerDnsName => "load-balancer-dns-name",
            EnvValue::LoadBalancerFullName => "load-balancer-full-name",
            EnvValue::FileSystemId => "efs-file-system-id",
            EnvValue::HostedZoneId => "hosted-zone-id",
            EnvValue::AppHostedZoneId => "app-hosted-zone-id",
            EnvValue::DomainHostedZoneId => "domain-hosted-zone-id",
            EnvValue::LoadBalancerHostedZoneId => "load-balancer-hosted-zone-id",
            EnvValue::InternalHttpListenerArn => "internal-http-listener-arn",
            EnvValue::InternalHttpsListenerArn => "internal-https-listener-arn",
            EnvValue::InternalLoadBalancerDnsName => "internal-load-balancer-dns-name",
            EnvValue::InternalLoadBalancerFullName => "internal-load-balancer-full-name",
            EnvValue::InternalLoadBalancerHostedZoneId => "internal-load-balancer-hosted-zone-id",
            EnvValue::InternalHostedZoneId => "internal-hosted-zone-id",
            EnvValue::CloudFrontDomainName => "cloudfront-domain-name",
        }
    }

    /// The logical ID of the `AWS::SSM::Parameter` in the environment stack.
    pub fn publisher(self) -> &'static str {
        match self {
            EnvValue::VpcId => "VpcIdParameter",
            EnvValue::PublicSubnets => "PublicSubnetsParameter",
            EnvValue::PrivateSubnets => "PrivateSubnetsParameter",
            EnvValue::Cluster => "ClusterParameter",
            EnvValue::EnvironmentSecurityGroup => "EnvironmentSecurityGroupParameter",
            EnvValue::ServiceDiscoveryNamespaceId => "ServiceDiscoveryNamespaceParameter",
            EnvValue::HttpListenerArn => "HTTPListenerParameter",
            EnvValue::HttpsListenerArn => "HTTPSListenerParameter",
            EnvValue::LoadBalancerDnsName => "LoadBalancerDNSParameter",
            EnvValue::LoadBalancerFullName => "LoadBalancerFullNameParameter",
            EnvValue::FileSystemId => "FileSystemIdParameter",
            EnvValue::HostedZoneId => "HostedZoneParameter",
            EnvValue::AppHostedZoneId => "AppHostedZoneParameter",
            EnvValue::DomainHostedZoneId => "DomainHostedZoneParameter",
            EnvValue::LoadBalancerHostedZoneId => "LoadBalancerHostedZoneParameter",
            EnvValue::InternalHttpListenerArn => "InternalHTTPListenerParameter",
            EnvValue::InternalHttpsListenerArn => "InternalHTTPSListenerParameter",
            EnvValue::InternalLoadBalancerDnsName => "InternalLoadBalancerDNSParameter",
            EnvValue::InternalLoadBalancerFullName => "InternalLoadBalancerFullNameParameter",
            EnvValue::InternalLoadBalancerHostedZoneId => "InternalLoadBalancerHostedZoneParameter",
            EnvValue::InternalHostedZoneId => "InternalHostedZoneParameter",
            EnvValue::CloudFrontDomainName => "CloudFrontDomainParameter",
        }
    }

    /// The name of the service stack's parameter that takes it.
    pub fn parameter(self) -> &'static str {
        match self {
            EnvValue::VpcId => "VpcId",
            EnvValue::PublicSubnets => "PublicSubnets",
            EnvValue::PrivateSubnets => "PrivateSubnets",
            EnvValue::Cluster => "ClusterName",
            EnvValue::EnvironmentSecurityGroup => "EnvironmentSecurityGroup",
            EnvValue::ServiceDiscoveryNamespaceId => "ServiceDiscoveryNamespaceId",
            EnvValue::HttpListenerArn => "HTTPListenerArn",
            EnvValue::HttpsListenerArn => "HTTPSListenerArn",
            EnvValue::LoadBalancerDnsName => "LoadBalancerDNSName",
            EnvValue::LoadBalancerFullName => "LoadBalancerFullName",
            EnvValue::FileSystemId => "EFSFileSystemId",
            EnvValue::HostedZoneId => "EnvHostedZoneId",
            EnvValue::AppHostedZoneId => "AppHostedZoneId",
            EnvValue::DomainHostedZoneId => "DomainHostedZoneId",
            EnvValue::LoadBalancerHostedZoneId => "LoadBalancerHostedZoneId",
            EnvValue::InternalHttpListenerArn => "InternalHTTPListenerArn",
            EnvValue::InternalHttpsListenerArn => "InternalHTTPSListenerArn",
            EnvValue::InternalLoadBalancerDnsName => "InternalLoadBalancerDNSName",
            EnvValue::InternalLoadBalancerFullName => "InternalLoadBalancerFullName",
            EnvValue::InternalLoadBalancerHostedZoneId => "InternalLoadBalancerHostedZoneId",
            EnvValue::InternalHostedZoneId => "InternalHostedZoneId",
            EnvValue::CloudFrontDomainName => "CloudFrontDomainName",
        }
    }

    /// Whether it is a list (`StringList` in SSM, `List<String>` in the service stack).
    pub fn is_list(self) -> bool {
        matches!(self, EnvValue::PublicSubnets | EnvValue::PrivateSubnets)
    }

    /// The SSM parameter type: `String` or `StringList`.
    pub fn ssm_type(self) -> &'static str {
        if self.is_list() {
            "StringList"
        } else {
            "String"
        }
    }

    /// The service stack parameter's type, resolved from SSM by CloudFormation.
    pub fn parameter_type(self) -> &'static str {
        if self.is_list() {
            "AWS::SSM::Parameter::Value<List<String>>"
        } else {
            "AWS::SSM::Parameter::Value<String>"
        }
    }
}

/// Serializes an [`EnvValue`] as the name of the service stack parameter that takes it
/// (`#[serde(serialize_with = …)]`, for templates).
///
/// # Errors
/// Those of the serializer.
pub fn as_parameter<S: serde::Serializer>(v: &EnvValue, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.parameter())
}

/// The environment stack's parameter taking CloudFront's origin-facing prefix list
/// (`com.amazonaws.global.cloudfront.origin-facing`), which `wharf` looks up at deploy.
pub const CLOUDFRONT_PREFIX_LIST_PARAMETER: &str = "CloudFrontPrefixListId";

/// The name of CloudFront's managed prefix list of origin-facing addresses
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html>).
pub const CLOUDFRONT_PREFIX_LIST: &str = "com.amazonaws.global.cloudfront.origin-facing";

/// CloudFront's hosted zone ID, for alias records to distributions
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-route53-aliastarget.html>).
pub const CLOUDFRONT_HOSTED_ZONE: &str = "Z2FDTNDATAQYW2";

/// The certificate CloudFront shows for an environment's names when wharf makes it
/// (`cdn` without `certificate`, in an application with a domain): a stack of its own
/// in us-east-1, where CloudFront takes certificates from
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html>).
pub mod cdn_certificate {
    /// The region of the certificate and its stack.
    pub const REGION: &str = "us-east-1";
    /// The environment stack's parameter taking the certificate's ARN (empty until the
    /// certificate exists: the distribution then answers to its own name only).
    pub const ARN_PARAMETER: &str = "CloudFrontCertificateArn";
    /// The certificate stack's output: the ARN of the certificate for the current names.
    pub const ARN_OUTPUT: &str = "CertificateArn";
    /// The certificate stack's output: that certificate's logical ID.
    pub const ID_OUTPUT: &str = "CertificateLogicalId";
    /// The environment values of the hosted zones the certificate is validated in:
    /// the certificate stack takes each as a parameter named as a service stack's
    /// ([`super::EnvValue::parameter`]), which wharf fills from the environment's
    /// published value at deploy.
    pub const ZONES: [super::EnvValue; 3] = [
        super::EnvValue::HostedZoneId,
        super::EnvValue::AppHostedZoneId,
        super::EnvValue::DomainHostedZoneId,
    ];

    /// The part of the environment the certificate stack holds (its `wharf-part` tag).
    pub const PART: &str = "CloudFrontCertificate";

    /// The certificate stack of environment `env`: `<app>-<env>-CloudFrontCertificate`
    /// (capitals, so no service's stack, `<app>-<env>-<svc>`, has its name).
    pub fn stack_name(app: &str, env: &str) -> String {
        format!("{app}-{env}-{PART}")
    }
}

/// Logical IDs of service stack resources the CLI looks up.
pub mod logical {
    /// The ECS service (`AWS::ECS::Service`).
    pub const SERVICE: &str = "Service";
    /// The task definition the service runs (`AWS::ECS::TaskDefinition`).
    pub const TASK_DEFINITION: &str = "TaskDefinition";
}

/// Parameters of the service stack that wharf sets at deploy.
pub mod parameter {
    /// The image digest (`sha256:…`) in the service's ECR repository, for a service
    /// whose image wharf builds.
    pub const IMAGE_DIGEST: &str = "ImageDigest";
    /// The whole image reference, for a service with `image.location`.
    pub const CONTAINER_IMAGE: &str = "ContainerImage";
    /// The tag of the images wharf builds, in a package made with `--tag`.
    pub const IMAGE_TAG: &str = "ImageTag";
}

/// Parameters of a service stack on an imported load balancer (`http.alb`), which
/// wharf fills at deploy from the load balancer (`release::alb`).
pub mod imported_alb {
    /// The listener the rules go on: the HTTPS one when there is one, else HTTP.
    pub const LISTENER: &str = "ImportedALBListenerArn";
    /// The HTTP listener when the rules are on an HTTPS one, else empty.
    pub const HTTP_LISTENER: &str = "ImportedALBHTTPListenerArn";
    /// `HTTP` or `HTTPS`: the protocol of [`LISTENER`].
    pub const PROTOCOL: &str = "ImportedALBProtocol";
    /// The port of the HTTPS listener, where the HTTP listener's rules redirect.
    pub const HTTPS_PORT: &str = "ImportedALBHTTPSPort";
    /// `ImportedALBSecurityGroup1` to `…5`: the load balancer's security groups.
    pub const SECURITY_GROUP: &str = "ImportedALBSecurityGroup";
    /// An Application Load Balancer has at most five security groups
    /// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html>).
    pub const MAX_SECURITY_GROUPS: usize = 5;
    /// `RulePriority<suffix>`: the priority of rule `ListenerRule<suffix>`.
    pub const RULE_PRIORITY: &str = "RulePriority";
    /// `HTTPRulePriority<suffix>`: the priority of rule `HTTPListenerRule<suffix>`.
    pub const HTTP_RULE_PRIORITY: &str = "HTTPRulePriority";
    /// The main listener's rules' logical ID prefix.
    pub const RULE: &str = "ListenerRule";
    /// The HTTP listener's rules' logical ID prefix.
    pub const HTTP_RULE: &str = "HTTPListenerRule";
}

/// Stack outputs the CLI reads.
pub mod output {
    /// Environment stack: the ECS cluster's name.
    pub const CLUSTER_NAME: &str = "ClusterName";
    /// Service stack: the ECS service's name.
    pub const SERVICE_NAME: &str = "ServiceName";
    /// Service stack: the public URL of a load-balanced service.
    pub const URL: &str = "URL";
    /// Service stack: the service's Cloud Map name.
    pub const DISCOVERY_NAME: &str = "DiscoveryName";
    /// Service stack: its log group's name.
    pub const LOG_GROUP_NAME: &str = "LogGroupName";
    /// A Scheduled Job's state machine (ARN), which `wharf job run` starts.
    pub const STATE_MACHINE_ARN: &str = "StateMachineArn";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_well_formed() {
        let keys: BTreeSet<_> = EnvValue::ALL.iter().map(|v| v.key()).collect();
        let publishers: BTreeSet<_> = EnvValue::ALL.iter().map(|v| v.publisher()).collect();
        let parameters: BTreeSet<_> = EnvValue::ALL.iter().map(|v| v.parameter()).collect();
        assert_eq!(keys.len(), EnvValue::ALL.len());
        assert_eq!(publishers.len(), EnvValue::ALL.len());
        assert_eq!(parameters.len(), EnvValue::ALL.len());
        for k in keys {
            assert!(k.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{k}");
        }
        assert_eq!(
            ssm_name("shop", "test", EnvValue::Cluster.key()),
            "/wharf/shop/test/cluster"
        );
        assert_eq!(EnvValue::PrivateSubnets.ssm_type(), "StringList");
        assert_eq!(
            EnvValue::Cluster.parameter_type(),
            "AWS::SSM::Parameter::Value<String>"
        );
    }
}
