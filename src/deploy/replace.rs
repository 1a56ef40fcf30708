//! Which resources an update replaces, known from the two templates rather than from the
//! change set: CloudFormation replaces a resource when a create-only property changes
//! (the resource provider schemas' `createOnlyProperties`, for `AWS::ECS::Service` also
//! the conditional `LaunchType`), and emulators leave the change set's `Replacement`
//! field empty. Only resources that hold state or identity are listed: replacing them
//! loses what they hold (an ECS service's running tasks and its name, a log group's
//! logs, a queue's messages, a load balancer's DNS name, a VPC or subnet and what runs
//! in it, a security group's ID that running tasks and other groups' rules name, a
//! namespace's DNS names, a hosted zone's name servers and records). Pure.

use super::resolve::{Values, has_unknown, resolve};
use serde::Serialize;
use serde_json::Value;

/// Create-only properties of the resource types whose replacement loses something, as
/// the CloudFormation resource provider schemas (the ones cfn-lint ships) list them.
const CREATE_ONLY: &[(&str, &[&str])] = &[
    (
        "AWS::ECS::Service",
        &[
            "Cluster",
            "LaunchType",
            "Role",
            "SchedulingStrategy",
            "ServiceName",
        ],
    ),
    ("AWS::ECS::Cluster", &["ClusterName"]),
    (
        "AWS::EC2::SecurityGroup",
        &["GroupDescription", "GroupName", "VpcId"],
    ),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    ("AWS::SQS::Queue", &["FifoQueue", "QueueName"]),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &["Name", "Scheme", "Type"],
    ),
    (
        "AWS::EC2::VPC",
        &[
            "CidrBlock",
            "InstanceTenancy",
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "VpcEncryptionControl",
        ],
    ),
    (
        "AWS::EC2::Subnet",
        &[
            "AvailabilityZone",
            "AvailabilityZoneId",
            "CidrBlock",
            "VpcId",
        ],
    ),
    (
        "AWS::S3::Bucket",
        &["BucketName", "BucketNamePrefix", "BucketNamespace"],
    ),
    (
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        &["Name", "Vpc"],
    ),
    ("AWS::Route53::HostedZone", &["Name"]),
];

/// A resource the update replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replaced {
    /// Logical ID.
    pub logical_id: String,
    /// Resource type (`AWS::ECS::Service`).
    pub resource_type: String,
    /// The create-only properties whose value changes.
    pub properties: Vec<String>,
}

impl Replaced {
    /// "the ECS service `Service` (ServiceName, LaunchType change)".
    pub fn describe(&self) -> String {
        let what = match self.resource_type.as_str() {
            "AWS::ECS::Service" => "ECS service",
            "AWS::ECS::Cluster" => "ECS cluster",
            "AWS::EC2::SecurityGroup" => "security group",
            "AWS::Logs::LogGroup" => "log group",
            "AWS::SQS::Queue" => "queue",
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => "load balancer",
            "AWS::EC2::VPC" => "VPC",
            "AWS::EC2::Subnet" => "subnet",
            "AWS::ServiceDiscovery::PrivateDnsNamespace" => "service discovery namespace",
            "AWS::S3::Bucket" => "bucket",
            "AWS::Route53::HostedZone" => "hosted zone",
            other => other,
        };
        format!(
            "the {what} `{}` ({} {})",
            self.logical_id,
            self.properties.join(", "),
            if self.properties.len() == 1 {
                "changes"
            } else {
                "change"
            }
        )
    }
}

/// The resources of `deployed` that `new` replaces: same logical ID and type, and a
/// create-only property whose value differs (an absent property counts as a value).
/// Templates are YAML or JSON; values are compared in canonical form, so `!Ref X` and
/// `{"Ref": "X"}` are the same. A template that cannot be read replaces nothing here
/// (the change set still says what it knows).
pub fn replacements(deployed: &str, new: &str) -> Vec<Replaced> {
    compare(deployed, new, None)
}

/// [`replacements`], comparing values as each template resolves them with its own
/// parameters, the region's exports and pseudo parameters ([`super::resolve`]): a
/// property written differently but with the same value is not a change, and one whose
/// value is not known before the deploy is not known to change.
pub fn replacements_with(
    deployed: &str,
    new: &str,
    deployed_values: &Values,
    new_values: &Values,
) -> Vec<Replaced> {
    compare(deployed, new, Some((deployed_values, new_values)))
}

fn compare(deployed: &str, new: &str, values: Option<(&Values, &Values)>) -> Vec<Replaced> {
    let (Some(old), Some(new)) = (
        super::diff::canonical_value(deployed),
        super::diff::canonical_value(new),
    ) else {
        return Vec::new();
    };
    let (Some(old_resources), Some(new_resources)) = (
        old.get("Resources").and_then(Value::as_object),
        new.get("Resources").and_then(Value::as_object),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, new_res) in new_resources {
        let Some(old_res) = old_resources.get(id) else {
            continue;
        };
        let kind = new_res.get("Type").and_then(Value::as_str).unwrap_or("");
        if old_res.get("Type").and_then(Value::as_str) != Some(kind) {
            // A different type is a different resource: the change set shows a
            // remove and an add.
            continue;
        }
        let Some((_, props)) = CREATE_ONLY.iter().find(|(t, _)| *t == kind) else {
            continue;
        };
        let prop = |res: &Value, p: &str, values: Option<&Values>| {
            res.get("Properties")
                .and_then(|ps| ps.get(p))
                .map(|v| values.map_or_else(|| v.clone(), |vals| resolve(v, vals)))
        };
        let changed: Vec<String> = props
            .iter()
            .filter(|p| {
                let (a, b) = (
                    prop(old_res, p, values.map(|v| v.0)),
                    prop(new_res, p, values.map(|v| v.1)),
                );
                let unknown =
                    a.as_ref().is_some_and(has_unknown) || b.as_ref().is_some_and(has_unknown);
                !unknown && a != b
            })
            .map(|p| (*p).to_string())
            .collect();
        if !changed.is_empty() {
            out.push(Replaced {
                logical_id: id.clone(),
                resource_type: kind.to_string(),
                properties: changed,
            });
        }
    }
    out
}

/// Marks the changes of `replacing`'s resources as replacements (`True`) where the
/// change set left `Replacement` empty, as emulators do; CloudFormation's own answer
/// stands where it gave one.
pub fn mark(changes: &mut [super::types::Change], replacing: &[Replaced]) {
    for c in changes {
        if c.action == "Modify"
            && c.replacement.as_deref().is_none_or(str::is_empty)
            && replacing.iter().any(|r| r.logical_id == c.logical_id)
        {
            c.replacement = Some("True".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_what_the_change_set_left_empty() {
        let change = |id: &str, replacement: Option<&str>| super::super::types::Change {
            action: "Modify".into(),
            logical_id: id.into(),
            resource_type: "AWS::ECS::Service".into(),
            replacement: replacement.map(str::to_string),
        };
        let replacing = [Replaced {
            logical_id: "Service".into(),
            resource_type: "AWS::ECS::Service".into(),
            properties: vec!["ServiceName".into()],
        }];
        let mut changes = vec![
            change("Service", None),
            change("TaskDefinition", None),
            change("Service", Some("Conditional")),
        ];
        mark(&mut changes, &replacing);
        let got: Vec<_> = changes.iter().map(|c| c.replacement.as_deref()).collect();
        assert_eq!(got, [Some("True"), None, Some("Conditional")]);
    }

    const FARGATE: &str = "Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /wharf/shop/test/web
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !ImportValue shop-test-ClusterName
      LaunchType: FARGATE
      DesiredCount: 1
      TaskDefinition: !Ref TaskDefinition
";

    #[test]
    fn launch_type_to_capacity_providers_replaces_the_service() {
        let spot = FARGATE.replace(
            "      LaunchType: FARGATE\n",
            "      CapacityProviderStrategy:\n        - CapacityProvider: FARGATE_SPOT\n          Weight: 1\n",
        );
        let r = replacements(FARGATE, &spot);
        assert_eq!(
            r,
            [Replaced {
                logical_id: "Service".into(),
                resource_type: "AWS::ECS::Service".into(),
                properties: vec!["LaunchType".into()],
            }]
        );
        assert_eq!(
            r[0].describe(),
            "the ECS service `Service` (LaunchType changes)"
        );
    }

    #[test]
    fn a_new_name_or_cluster_replaces_and_in_place_changes_do_not() {
        let renamed = FARGATE
            .replace(
                "      LaunchType: FARGATE\n",
                "      LaunchType: FARGATE\n      ServiceName: web2\n",
            )
            .replace("shop-test-ClusterName", "shop-prod-ClusterName");
        let r = replacements(FARGATE, &renamed);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].properties, ["Cluster", "ServiceName"]);
        assert_eq!(
            r[0].describe(),
            "the ECS service `Service` (Cluster, ServiceName change)"
        );
        // Desired count, task definition, load balancers: updated in place.
        let scaled = FARGATE.replace("DesiredCount: 1", "DesiredCount: 3");
        assert_eq!(replacements(FARGATE, &scaled), []);
        // The same template written as JSON replaces nothing.
        let json = r#"{"Resources": {"LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/wharf/shop/test/web"}},
            "Service": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": {"Fn::ImportValue": "shop-test-ClusterName"}, "LaunchType": "FARGATE", "DesiredCount": 1, "TaskDefinition": {"Ref": "TaskDefinition"}}}}}"#;
        assert_eq!(replacements(FARGATE, json), []);
    }

    #[test]
    fn a_renamed_log_group_is_listed_and_new_or_retyped_resources_are_not() {
        let moved = FARGATE.replace("/wharf/shop/test/web", "/wharf/shop/test/api");
        let r = replacements(FARGATE, &moved);
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].describe(),
            "the log group `LogGroup` (LogGroupName changes)"
        );
        let added = format!("{FARGATE}  Queue:\n    Type: AWS::SQS::Queue\n");
        assert_eq!(replacements(FARGATE, &added), []);
        let retyped = FARGATE.replace("AWS::Logs::LogGroup", "AWS::SQS::Queue");
        assert_eq!(replacements(FARGATE, &retyped), []);
    }

    #[test]
    fn unreadable_templates_replace_nothing() {
        assert_eq!(replacements("{", FARGATE), []);
        assert_eq!(replacements(FARGATE, "Resources: [1"), []);
        assert_eq!(replacements("Outputs: {}", FARGATE), []);
    }
}
