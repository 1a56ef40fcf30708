//! Taking over an application AWS Copilot deployed (`wharf app adopt`), in place. This
//! module holds the pure parts: Copilot's registry read into a [`Registry`] and set
//! against the workspace ([`survey`]), and a change set against a Copilot stack judged
//! ([`judge`]): what it modifies, adds and removes, and which resources holding state or
//! identity it would replace or delete (refused unless the user allows each one). The
//! change sets themselves are made and dropped by `plan`.

pub mod plan;
pub mod retain;

use crate::deploy::types::Change;
use std::collections::BTreeSet;

/// An environment in Copilot's registry (`/copilot/applications/<app>/environments/<env>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredEnv {
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: Option<String>,
    /// Its account ID.
    pub account: Option<String>,
    /// The CloudFormation service role its stacks run with (`executionRoleARN`).
    pub execution_role: Option<String>,
}

/// A workload in Copilot's registry (`/copilot/applications/<app>/components/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredWorkload {
    /// Its name.
    pub name: String,
    /// Its type (`Load Balanced Web Service`, …).
    pub kind: Option<String>,
}

/// What Copilot registered for one application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    /// Whether the application itself is registered.
    pub application: bool,
    /// The application's domain (`domain` in its entry, from `copilot app init
    /// --domain`).
    pub domain: Option<String>,
    /// Its environments, by name.
    pub environments: Vec<RegisteredEnv>,
    /// Its workloads, by name.
    pub workloads: Vec<RegisteredWorkload>,
    /// Entries that could not be read (name and why), reported, never fatal.
    pub unreadable: Vec<(String, String)>,
}

/// Reads the registry parameters of application `app` (name, JSON value), as
/// `aws::ssm` returns them. Pure.
pub fn registry(app: &str, entries: &[(String, String)]) -> Registry {
    let root = format!("/copilot/applications/{app}");
    let mut out = Registry::default();
    for (name, value) in entries {
        if name == &root {
            out.application = true;
            out.domain = serde_json::from_str::<serde_json::Value>(value)
                .ok()
                .and_then(|v| v.get("domain")?.as_str().map(str::to_ascii_lowercase))
                .filter(|d| !d.is_empty());
            continue;
        }
        let Some(rest) = name.strip_prefix(&format!("{root}/")) else {
            continue;
        };
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(value);
        let text = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match (rest.split_once('/'), parsed) {
            (Some(("environments", env)), Ok(v)) if !env.contains('/') => {
                out.environments.push(RegisteredEnv {
                    name: env.to_string(),
                    region: text(&v, "region"),
                    account: text(&v, "accountID"),
                    execution_role: text(&v, "executionRoleARN"),
                })
            }
            (Some(("components", w)), Ok(v)) if !w.contains('/') => {
                out.workloads.push(RegisteredWorkload {
                    name: w.to_string(),
                    kind: text(&v, "type"),
                })
            }
            (Some(("environments" | "components", _)), Err(e)) => {
                out.unreadable
                    .push((name.clone(), format!("its value is not JSON: {e}")));
            }
            // Pipelines and anything newer: not part of an adoption.
            _ => {}
        }
    }
    out.environments.sort_by(|a, b| a.name.cmp(&b.name));
    out.workloads.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// What the registry and the workspace agree and disagree on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Survey {
    /// Environments in both.
    pub environments: Vec<String>,
    /// Workloads in both.
    pub workloads: Vec<String>,
    /// Deployed by Copilot, with no manifest in the workspace.
    pub only_deployed: Vec<String>,
    /// In the workspace, not registered by Copilot (wharf would create them).
    pub only_in_workspace: Vec<String>,
}

/// Sets `registry` against the workspace's environment and workload names.
pub fn survey(registry: &Registry, envs: &[String], workloads: &[String]) -> Survey {
    let mut s = Survey::default();
    let registered_envs: BTreeSet<&str> = registry
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let registered: BTreeSet<&str> = registry.workloads.iter().map(|w| w.name.as_str()).collect();
    for e in &registry.environments {
        if envs.contains(&e.name) {
            s.environments.push(e.name.clone());
        } else {
            s.only_deployed.push(format!("environment `{}`", e.name));
        }
    }
    for w in &registry.workloads {
        if workloads.contains(&w.name) {
            s.workloads.push(w.name.clone());
        } else {
            s.only_deployed.push(format!("workload `{}`", w.name));
        }
    }
    for e in envs
        .iter()
        .filter(|e| !registered_envs.contains(e.as_str()))
    {
        s.only_in_workspace.push(format!("environment `{e}`"));
    }
    for w in workloads
        .iter()
        .filter(|w| !registered.contains(w.as_str()))
    {
        s.only_in_workspace.push(format!("workload `{w}`"));
    }
    s
}

/// Resource types that hold state or identity: an adoption never replaces or deletes
/// one unless the user allows it by name.
pub const PROTECTED: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::CertificateManager::Certificate",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "AWS::ServiceDiscovery::Service",
    "AWS::Logs::LogGroup",
    "AWS::EFS::FileSystem",
    "AWS::EFS::AccessPoint",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::ECR::Repository",
    // Copilot's Lambda-backed DNS and certificate resources: removing one runs its
    // delete handler, which takes the environment's subdomain delegation, the alias
    // records or the certificate away with it.
    "Custom::DNSDelegationFunction",
    "Custom::CertificateValidationFunction",
    "Custom::CustomDomainFunction",
];

/// Whether environment stack `deployed` keeps its zone's delegation record outside
/// CloudFormation: it says so itself (its
/// [`ADOPTED_DELEGATION_PARAMETER`](crate::compile::environment::ADOPTED_DELEGATION_PARAMETER)
/// is `'true'`), or it is AWS Copilot's with a domain (its `AppDNSName` parameter),
/// whose `DelegateDNSAction` wrote the record through the Route 53 API. Pure.
pub fn delegation_kept(deployed: &crate::deploy::types::StackInfo) -> bool {
    use crate::compile::environment::ADOPTED_DELEGATION_PARAMETER;
    match deployed.parameters.get(ADOPTED_DELEGATION_PARAMETER) {
        Some(v) => v == "true",
        None => {
            matches!(
                crate::deploy::owner::made_by(deployed),
                crate::deploy::owner::MadeBy::Copilot(_)
            ) && deployed
                .parameters
                .get("AppDNSName")
                .is_some_and(|d| !d.is_empty())
        }
    }
}

/// Why the workspace's application domain (`domain` in `copilot/.workspace` or
/// `app.yml`) cannot adopt what Copilot registered (`registered`), or `None` when they
/// agree. Copilot kept the domain in its registry only; wharf reads it from the
/// workspace, and compiling without it would drop the environments' hosted zones.
/// Pure.
pub fn domain_mismatch(registered: Option<&str>, workspace: Option<&str>) -> Option<String> {
    match (registered, workspace) {
        (Some(r), Some(w)) if r == w => None,
        (None, None) => None,
        (Some(r), None) => Some(format!(
            "Copilot registered the application with domain {r}; the workspace names no domain"
        )),
        (None, Some(w)) => Some(format!(
            "the workspace names domain {w}; Copilot registered the application without one"
        )),
        (Some(r), Some(w)) => Some(format!(
            "Copilot registered the application with domain {r}; the workspace names {w}"
        )),
    }
}

/// The names AWS Copilot's environment stack `deployed` aliases through its
/// `CustomDomainAction`, by service (its `Aliases` parameter: JSON, service to names):
/// records that Lambda wrote through the Route 53 API, outside any stack. Empty when it
/// has none. Names are lower case and sorted. Pure.
///
/// # Errors
/// The parameter's value, when it is set and not such JSON (what it aliases is then
/// unknown).
pub fn custom_domain_aliases(
    deployed: &crate::deploy::types::StackInfo,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, String> {
    let Some(raw) = deployed
        .parameters
        .get("Aliases")
        .filter(|a| !a.trim().is_empty())
    else {
        return Ok(Default::default());
    };
    serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| {
            v.as_object()?
                .iter()
                .map(|(service, names)| {
                    let mut names = names
                        .as_array()?
                        .iter()
                        .map(|n| n.as_str().map(str::to_ascii_lowercase))
                        .collect::<Option<Vec<String>>>()?;
                    names.sort();
                    names.dedup();
                    Some((service.clone(), names))
                })
                .filter(|x| x.as_ref().is_none_or(|(_, n)| !n.is_empty()))
                .collect::<Option<std::collections::BTreeMap<_, _>>>()
        })
        .ok_or_else(|| raw.clone())
}

/// `template` (wharf's rendered environment template) with each parameter of `given`
/// that reads an SSM parameter (`AWS::SSM::Parameter::Value<String>`) turned into a
/// plain `String`, for a plan made before the application stack that publishes those
/// SSM parameters exists: the plan passes the values they will hold. Only the plan's
/// change set uses it; the stack is deployed with the template as rendered. Pure.
pub fn ssm_parameters_given(template: &str, given: &[&str]) -> String {
    let mut out = template.to_string();
    for p in given {
        out = out.replace(
            &format!("\n  {p}:\n    Type: AWS::SSM::Parameter::Value<String>\n"),
            &format!("\n  {p}:\n    Type: String\n"),
        );
    }
    out
}

/// How a change set would change one resource that holds state or identity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Loss {
    /// The resource's logical ID.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// `replaced`, `may be replaced` or `deleted`.
    pub what: &'static str,
    /// Whether the user allowed it (`--allow <stack>:<logical ID>`).
    pub allowed: bool,
}

/// A change set against one stack, judged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Judgement {
    /// Resources added.
    pub added: usize,
    /// Resources modified in place (or replaced, when not protected).
    pub modified: usize,
    /// Resources removed that hold nothing (custom resources, policies, …).
    pub removed: usize,
    /// Their logical IDs.
    pub removed_ids: Vec<String>,
    /// Resources removed from the stack that stay in the account (`DeletionPolicy:
    /// Retain` in the deployed template: Copilot's CloudFormation execution role, which
    /// its stacks keep deploying with), by logical ID.
    pub retained: Vec<String>,
    /// Protected resources replaced or deleted.
    pub losses: Vec<Loss>,
}

impl Judgement {
    /// The losses nobody allowed: while there is one, the plan is refused.
    pub fn refused(&self) -> impl Iterator<Item = &Loss> {
        self.losses.iter().filter(|l| !l.allowed)
    }
}

/// Resources of Copilot's environment stack whose type is protected but that hold
/// nothing, by logical ID: the default target groups of its load balancers' listeners,
/// which no service ever registers targets in (services have their own). wharf's
/// listeners answer 404 by default instead; deleting them loses nothing.
pub const HOLD_NOTHING: &[(&str, &str)] = &[
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "DefaultHTTPTargetGroup",
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "DefaultInternalHTTPTargetGroup",
    ),
];

/// The resources of `template` (YAML or JSON) that CloudFormation keeps in the account
/// when they leave the stack (`DeletionPolicy: Retain` or `RetainExceptOnCreate`), by
/// logical ID; empty when the template cannot be read. Pure.
pub fn retained_on_removal(template: &str) -> Vec<String> {
    let Some(t) = crate::deploy::diff::canonical_value(template) else {
        return Vec::new();
    };
    t.get("Resources")
        .and_then(serde_json::Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, v)| {
                    matches!(
                        v.get("DeletionPolicy").and_then(serde_json::Value::as_str),
                        Some("Retain" | "RetainExceptOnCreate")
                    )
                })
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Judges the `changes` of a change set against stack `stack`; `allowed` are the
/// `<stack>:<logical ID>` pairs the user accepts losing; `retained` the resources the
/// deployed template keeps when they leave the stack ([`retained_on_removal`]). Pure.
pub fn judge(
    stack: &str,
    changes: &[Change],
    allowed: &[String],
    retained: &[String],
) -> Judgement {
    let mut j = Judgement::default();
    for c in changes {
        if c.action == "Remove" && retained.contains(&c.logical_id) {
            j.retained.push(c.logical_id.clone());
            continue;
        }
        let protected = PROTECTED.contains(&c.resource_type.as_str())
            && !HOLD_NOTHING.contains(&(c.resource_type.as_str(), c.logical_id.as_str()));
        let loss = match (c.action.as_str(), c.replacement.as_deref()) {
            ("Remove", _) => Some("deleted"),
            ("Modify", Some("True")) => Some("replaced"),
            ("Modify", Some("Conditional")) => Some("may be replaced"),
            _ => None,
        };
        match (protected, loss) {
            (true, Some(what)) => j.losses.push(Loss {
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                what,
                allowed: allowed.contains(&format!("{stack}:{}", c.logical_id)),
            }),
            (false, Some("deleted")) => {
                j.removed += 1;
                j.removed_ids.push(c.logical_id.clone());
            }
            _ if c.action == "Add" => j.added += 1,
            _ => j.modified += 1,
        }
    }
    j
}

/// `template` (wharf's rendered environment template) with the exports other stacks
/// import kept: each as an output of its key (or `<key>Kept` when wharf's template has
/// an output of that key) with the same export name and its deployed value. The
/// resources behind the values stay in place (an adoption replaces nothing that holds
/// identity), so the values hold. `kept` is `(key, export name, value)`. Pure.
pub fn keep_exports(template: &str, kept: &[(String, String, String)]) -> String {
    if kept.is_empty() {
        return template.to_string();
    }
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let existing: BTreeSet<&str> = template
        .split("\nOutputs:\n")
        .nth(1)
        .map(|outs| {
            outs.lines()
                .take_while(|l| l.is_empty() || l.starts_with(' '))
                .filter_map(|l| l.strip_prefix("  "))
                .filter(|l| !l.starts_with(' '))
                .filter_map(|l| l.strip_suffix(':'))
                .collect()
        })
        .unwrap_or_default();
    let mut block = String::new();
    for (key, name, value) in kept {
        let key = if existing.contains(key.as_str()) {
            format!("{key}Kept")
        } else {
            key.clone()
        };
        block.push_str(&format!(
            "  {key}:\n    Description: Kept while other stacks import it\n    Value: {}\n    Export:\n      Name: {}\n",
            q(value),
            q(name)
        ));
    }
    match template.split_once("\nOutputs:\n") {
        Some((head, tail)) => format!("{head}\nOutputs:\n{block}{tail}"),
        None => format!("{}\nOutputs:\n{block}", template.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, id: &str, t: &str, replacement: Option<&str>) -> Change {
        Change {
            action: action.into(),
            logical_id: id.into(),
            resource_type: t.into(),
            replacement: replacement.map(str::to_string),
        }
    }

    #[test]
    fn the_registry_names_environments_and_workloads_and_says_what_it_cannot_read() {
        let entries: Vec<(String, String)> = [
            ("/copilot/applications/shop", r#"{"name":"shop","account":"111122223333"}"#),
            (
                "/copilot/applications/shop/environments/test",
                r#"{"app":"shop","name":"test","region":"us-west-2","accountID":"111122223333","executionRoleARN":"arn:aws:iam::111122223333:role/shop-test-CFNExecutionRole"}"#,
            ),
            ("/copilot/applications/shop/components/web", r#"{"app":"shop","name":"web","type":"Load Balanced Web Service"}"#),
            ("/copilot/applications/shop/components/broken", "{not json"),
            ("/copilot/applications/shop/pipelines/main", "{}"),
            ("/copilot/applications/shopping/components/x", r#"{"name":"x"}"#),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let r = registry("shop", &entries);
        assert!(r.application);
        assert_eq!(r.environments.len(), 1);
        assert_eq!(r.environments[0].region.as_deref(), Some("us-west-2"));
        assert_eq!(
            r.environments[0].execution_role.as_deref(),
            Some("arn:aws:iam::111122223333:role/shop-test-CFNExecutionRole")
        );
        assert_eq!(
            r.workloads,
            [RegisteredWorkload {
                name: "web".into(),
                kind: Some("Load Balanced Web Service".into())
            }]
        );
        assert_eq!(r.unreadable.len(), 1);
        assert!(r.unreadable[0].0.ends_with("/broken"));
        let s = survey(&r, &["test".into(), "prod".into()], &["api".into()]);
        assert_eq!(s.environments, ["test"]);
        assert!(s.workloads.is_empty());
        assert_eq!(s.only_deployed, ["workload `web`"]);
        assert_eq!(
            s.only_in_workspace,
            ["environment `prod`", "workload `api`"]
        );
    }

    #[test]
    fn the_registry_gives_the_domain_and_the_workspace_must_name_it() {
        let entries = vec![(
            "/copilot/applications/shop".to_string(),
            r#"{"name":"shop","domain":"Example.COM","domainHostedZoneID":"Z1"}"#.to_string(),
        )];
        let r = registry("shop", &entries);
        assert_eq!(r.domain.as_deref(), Some("example.com"));
        assert_eq!(
            domain_mismatch(r.domain.as_deref(), Some("example.com")),
            None
        );
        assert_eq!(domain_mismatch(None, None), None);
        assert!(
            domain_mismatch(r.domain.as_deref(), None)
                .unwrap()
                .contains("the workspace names no domain")
        );
        assert!(
            domain_mismatch(None, Some("example.org"))
                .unwrap()
                .contains("without one")
        );
        assert!(
            domain_mismatch(Some("a.com"), Some("b.com"))
                .unwrap()
                .contains("names b.com")
        );
        let plain = vec![(
            "/copilot/applications/shop".to_string(),
            r#"{"name":"shop","domain":""}"#.to_string(),
        )];
        assert_eq!(registry("shop", &plain).domain, None);
    }

    fn stack(tags: &[(&str, &str)], params: &[(&str, &str)]) -> crate::deploy::types::StackInfo {
        crate::deploy::types::StackInfo {
            name: "shop-test".into(),
            id: "id".into(),
            status: "UPDATE_COMPLETE".into(),
            reason: None,
            outputs: Default::default(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            parameters: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_copilot_environment_with_a_domain_keeps_its_delegation_outside_the_stack() {
        let copilot = [
            ("copilot-application", "shop"),
            ("copilot-environment", "test"),
        ];
        assert!(delegation_kept(&stack(
            &copilot,
            &[("AppDNSName", "example.com")]
        )));
        assert!(!delegation_kept(&stack(&copilot, &[("AppDNSName", "")])));
        assert!(!delegation_kept(&stack(&copilot, &[])));
        // wharf's stack says so itself, whoever made it.
        let wharf = [("wharf-application", "shop"), ("wharf-environment", "test")];
        assert!(delegation_kept(&stack(
            &wharf,
            &[("AdoptedDelegation", "true")]
        )));
        assert!(!delegation_kept(&stack(
            &wharf,
            &[("AdoptedDelegation", "false")]
        )));
        assert!(!delegation_kept(&stack(
            &wharf,
            &[("AppDNSName", "example.com")]
        )));
    }

    #[test]
    fn a_plan_before_the_application_stack_gives_the_ssm_values() {
        let t = "Parameters:\n  AppHostedZoneId:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /wharf/shop/x\n  Other:\n    Type: AWS::SSM::Parameter::Value<String>\n";
        let out = ssm_parameters_given(t, &["AppHostedZoneId"]);
        assert_eq!(
            out,
            "Parameters:\n  AppHostedZoneId:\n    Type: String\n    Default: /wharf/shop/x\n  Other:\n    Type: AWS::SSM::Parameter::Value<String>\n"
        );
    }

    #[test]
    fn copilots_custom_domain_aliases_are_read_from_its_parameter() {
        let s = stack(
            &[],
            &[(
                "Aliases",
                r#"{"web":["www.example.com","Example.com"],"api":["api.example.com"],"none":[]}"#,
            )],
        );
        let by_service = custom_domain_aliases(&s).unwrap();
        assert_eq!(
            by_service,
            std::collections::BTreeMap::from([
                ("api".to_string(), vec!["api.example.com".to_string()]),
                (
                    "web".to_string(),
                    vec!["example.com".to_string(), "www.example.com".to_string()]
                ),
            ])
        );
        let read = |v: &str| custom_domain_aliases(&stack(&[], &[("Aliases", v)]));
        assert_eq!(read(""), Ok(Default::default()));
        assert_eq!(read("{}"), Ok(Default::default()));
        assert_eq!(read(r#"{"fe":[]}"#), Ok(Default::default()));
        assert!(custom_domain_aliases(&stack(&[], &[])).unwrap().is_empty());
        // Set and not understood: what it aliases is unknown.
        for bad in [
            "{x",
            "garbage",
            r#"["www.example.com"]"#,
            r#"{"fe":"www.example.com"}"#,
        ] {
            assert_eq!(read(bad), Err(bad.to_string()), "{bad}");
        }
    }

    #[test]
    fn exports_in_use_are_kept_with_their_names_and_values() {
        let t = "Resources:\n  VPC:\n    Type: AWS::EC2::VPC\nOutputs:\n  VpcId:\n    Value: !Ref VPC\n  ClusterName:\n    Value: !Ref Cluster\n";
        let kept = [
            (
                "VpcId".to_string(),
                "shop-test-VpcId".to_string(),
                "vpc-1".to_string(),
            ),
            (
                "ClusterId".to_string(),
                "shop-test-ClusterId".to_string(),
                "shop-test-Cluster-X".to_string(),
            ),
        ];
        let out = keep_exports(t, &kept);
        assert!(out.contains("  VpcIdKept:\n    Description: Kept while other stacks import it\n    Value: \"vpc-1\"\n    Export:\n      Name: \"shop-test-VpcId\"\n"), "{out}");
        assert!(out.contains("  ClusterId:\n"), "{out}");
        assert!(out.contains("  VpcId:\n    Value: !Ref VPC\n"), "{out}");
        // Still one YAML document with every output.
        let parsed = crate::deploy::diff::canonical_value(&out).expect("YAML");
        assert_eq!(parsed["Outputs"].as_object().unwrap().len(), 4, "{out}");
        assert_eq!(keep_exports(t, &[]), t);
        assert!(keep_exports("Resources: {}\n", &kept).contains("\nOutputs:\n  VpcId:"));
    }

    #[test]
    fn replacing_or_deleting_what_holds_state_is_a_loss_unless_allowed() {
        let changes = [
            change("Modify", "VPC", "AWS::EC2::VPC", Some("False")),
            change(
                "Modify",
                "PublicLoadBalancer",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                Some("True"),
            ),
            change("Remove", "LogGroup", "AWS::Logs::LogGroup", None),
            change(
                "Modify",
                "Service",
                "AWS::ECS::Service",
                Some("Conditional"),
            ),
            change(
                "Remove",
                "EnvControllerAction",
                "Custom::EnvControllerFunction",
                None,
            ),
            change(
                "Modify",
                "TaskDefinition",
                "AWS::ECS::TaskDefinition",
                Some("True"),
            ),
            change(
                "Add",
                "Certificate",
                "AWS::CertificateManager::Certificate",
                None,
            ),
        ];
        let j = judge(
            "shop-test",
            &changes,
            &["shop-test:LogGroup".to_string()],
            &[],
        );
        assert_eq!((j.added, j.modified, j.removed), (1, 2, 1));
        let lost: Vec<(&str, &str, bool)> = j
            .losses
            .iter()
            .map(|l| (l.logical_id.as_str(), l.what, l.allowed))
            .collect();
        assert_eq!(
            lost,
            [
                ("PublicLoadBalancer", "replaced", false),
                ("LogGroup", "deleted", true),
                ("Service", "may be replaced", false),
            ]
        );
        assert_eq!(j.refused().count(), 2);
    }

    #[test]
    fn removing_copilots_dns_and_certificate_actions_is_a_loss() {
        let changes = [
            change(
                "Remove",
                "DelegateDNSAction",
                "Custom::DNSDelegationFunction",
                None,
            ),
            change(
                "Remove",
                "HTTPSCert",
                "Custom::CertificateValidationFunction",
                None,
            ),
            change(
                "Remove",
                "CustomDomainAction",
                "Custom::CustomDomainFunction",
                None,
            ),
            change(
                "Remove",
                "EnvControllerAction",
                "Custom::EnvControllerFunction",
                None,
            ),
        ];
        let j = judge("shop-test", &changes, &[], &[]);
        let lost: Vec<&str> = j.losses.iter().map(|l| l.logical_id.as_str()).collect();
        assert_eq!(
            lost,
            ["DelegateDNSAction", "HTTPSCert", "CustomDomainAction"]
        );
        assert_eq!(j.removed_ids, ["EnvControllerAction"]);
    }

    #[test]
    fn copilots_default_target_groups_hold_nothing_and_other_target_groups_do() {
        let tg = "AWS::ElasticLoadBalancingV2::TargetGroup";
        let changes = [
            change("Remove", "DefaultHTTPTargetGroup", tg, None),
            change("Remove", "DefaultInternalHTTPTargetGroup", tg, None),
            change("Remove", "TargetGroup", tg, None),
            change(
                "Remove",
                "PublicHTTPLoadBalancerSecurityGroup",
                "AWS::EC2::SecurityGroup",
                None,
            ),
        ];
        let j = judge("shop-test", &changes, &[], &[]);
        assert_eq!(j.removed, 2);
        let lost: Vec<&str> = j.losses.iter().map(|l| l.logical_id.as_str()).collect();
        assert_eq!(lost, ["TargetGroup", "PublicHTTPLoadBalancerSecurityGroup"]);
    }

    #[test]
    fn what_the_deployed_template_retains_is_kept_not_lost() {
        let deployed = "Resources:\n  CloudformationExecutionRole:\n    DeletionPolicy: Retain\n    Type: AWS::IAM::Role\n  Zone:\n    DeletionPolicy: RetainExceptOnCreate\n    Type: AWS::Route53::HostedZone\n  Queue:\n    Type: AWS::SQS::Queue\n";
        let retained = retained_on_removal(deployed);
        assert_eq!(retained, ["CloudformationExecutionRole", "Zone"]);
        let changes = [
            change(
                "Remove",
                "CloudformationExecutionRole",
                "AWS::IAM::Role",
                None,
            ),
            change("Remove", "Zone", "AWS::Route53::HostedZone", None),
            change("Remove", "Queue", "AWS::SQS::Queue", None),
        ];
        let j = judge("shop-test", &changes, &[], &retained);
        assert_eq!(j.retained, ["CloudformationExecutionRole", "Zone"]);
        assert_eq!(j.removed, 0);
        assert_eq!(j.losses.len(), 1);
        assert_eq!(j.losses[0].logical_id, "Queue");
        assert!(retained_on_removal("{").is_empty());
    }
}
