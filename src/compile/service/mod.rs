//! Service stacks: turns a service manifest (as resolved for one environment) into a
//! [`ServicePlan`] and renders `templates/service.yml`. Each feature's values come from
//! its own module, beside its template partial: `task` (image, size, main container),
//! `secrets`, `lb`, `scaling` (count, autoscaling, capacity providers), `deployment`
//! (rolling percentages, rollback alarms), `network` (subnets, environment values),
//! `connect` (Service Connect); `plan` puts them together.

mod addons;
mod connect;
mod deployment;
mod env_files;
mod imported_alb;
mod job;
mod lb;
mod logging;
mod messaging;
mod network;
mod nlb;
mod parts;
mod scaling;
mod secrets;
mod sidecars;
mod task;
mod tracing;
mod types;
mod volumes;

pub use addons::{
    AddonsPlan, TEMPLATE_URL_PARAMETER as ADDONS_TEMPLATE_URL,
    parameters_block as addons_parameters,
};
pub use imported_alb::{ImportedAlb, ImportedRule, LookupParam};
pub use lb::{
    CertificatePlan, LbPlan, NamePlan, RecordPlan, RulePlan, TargetHealthPlan, ZoneRef,
    record_logical_id,
};
pub use messaging::{topic_logical_id, topic_name};
pub use nlb::{NlbListenerPlan, NlbPlan};
pub use types::*;
pub use volumes::uses_env_file_system;

use lb::lb_plan;
use parts::*;
use scaling::autoscaling;
use secrets::secrets;

use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig, quote};
use crate::contract::{EnvValue, parameter, ssm_name};
use crate::manifest::common::{Arch, OsFamily, Platform};
use crate::manifest::duration::Duration;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{
    Autoscaling, Cooldown, Count, Http, HttpVersion, Placement, Rolling, Secret, ServiceManifest,
    ServiceType, TargetHealthCheck,
};
use crate::render::render;
use serde::Serialize;
use std::collections::BTreeMap;

/// The parameter holding the subnets `placement.subnets.from_tags` chose.
pub const TAGGED_SUBNETS: &str = "Subnets";

/// Decides what the service stack contains.
pub fn plan(m: &ServiceManifest, inputs: &ServiceInputs) -> ServicePlan {
    let app = inputs.app.name.clone();
    let env = inputs.env.name.value.clone();
    let name = m.name.value.clone();
    let mut lb = m.http().map(|h| lb_plan(m, h, inputs));
    let nlb = m.nlb().map(|n| nlb::nlb_plan(m, n, inputs));
    let (messaging, messaging_vars) = messaging::plan(m, &app, &env, inputs.app.var_prefix);
    let auto = match m.count().map(|c| &c.value) {
        Some(Count::Auto(a)) => autoscaling(a).map(|mut plan| {
            let queues = messaging.as_ref().map_or(&[][..], |p| p.queues.as_slice());
            scaling::queue_policies(a, &mut plan, queues);
            plan
        }),
        _ => None,
    };
    let capacity = scaling::capacity(m);
    let placement = m.placement();
    let (env_params, subnets) =
        network::env_params(m, &app, &env, lb.as_ref(), nlb.as_ref(), auto.as_ref());
    let (lookup_params, imported_alb) = match (m.imported_alb(), lb.as_mut()) {
        (Some(a), Some(l)) => {
            l.imported_ports = imported_alb::ports(l);
            let (params, needs) = imported_alb::plan(
                &name,
                &a.value,
                l,
                network::needs_lb_full_name(auto.as_ref()),
            );
            (params, Some(needs))
        }
        (None, Some(l)) => (imported_alb::env_rule_priorities(l), None),
        _ => (Vec::new(), None),
    };
    let image = task::image(m, &app, inputs.image_tag.is_some());
    let ecr_pull_resource = task::ecr_pull_resource(m, &app);
    let (platform, cpu, memory) = task::size(m);
    let service_connect = connect::plan(m, &app, inputs.env);
    let (mut container, mut secrets) = task::main_container(
        m,
        inputs,
        image.expr.clone(),
        lb.as_ref(),
        service_connect.as_ref(),
    );
    for (name, value) in messaging_vars {
        if !container.environment.iter().any(|v| v.name == name) {
            container.environment.push(VarPlan { name, value });
        }
    }
    // Addons' outputs: variables, secrets and security groups of the tasks.
    let mut security_groups = network::security_groups(m);
    let addons = m.addons.as_ref().map(|a| {
        let (plan, vars, addon_secrets, groups) = addons::plan(a, &app, &env, &name);
        for v in vars {
            if !container.environment.iter().any(|x| x.name == v.name) {
                container.environment.push(v);
            }
        }
        for s in addon_secrets {
            secrets.secretsmanager.push(s.value_from.clone());
            container.secrets.push(s);
        }
        security_groups.extend(groups);
        plan
    });
    // An imported load balancer reaches the tasks through a group of the stack's own
    // (services sharing it and a port cannot collide), unless the tasks have no room
    // for another group: then through the environment's, as Copilot did.
    if let (Some(_), Some(l)) = (&imported_alb, lb.as_mut()) {
        let env_group = format!("!Ref {}", EnvValue::EnvironmentSecurityGroup.parameter());
        l.imported_env_ingress = security_groups.len()
            >= crate::manifest::validate::service::MAX_TASK_SECURITY_GROUPS
            && security_groups.contains(&env_group);
        if !l.imported_env_ingress {
            security_groups.push("!GetAtt ImportedALBTargetSecurityGroup.GroupId".into());
        }
    }
    container.environment.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(c) = &m.task.image.credentials {
        secrets.secretsmanager.extend(secrets::arn_resources(c));
        secrets.sort();
    }
    let sidecar_digest_params = if inputs.image_tag.is_some() {
        Vec::new()
    } else {
        sidecars::digest_params(m)
    };
    let image_tag_param =
        inputs.image_tag.is_some() && (image.tag_param || !m.built_sidecars().is_empty());
    let (sidecars, sidecar_reads) =
        sidecars::containers(m, inputs, lb.as_ref(), &sidecar_digest_params);
    secrets.merge(sidecar_reads);
    if let Some((log, reads)) = logging::main_log(m) {
        container.firelens = Some(log);
        secrets.merge(reads);
    }
    let router = logging::router(m, inputs, lb.is_some()).map(|(c, reads)| {
        secrets.merge(reads);
        c
    });
    secrets.sort();
    // Copilot's order: main, log router, collector, sidecars by name (what
    // `taskdef_overrides` indexes).
    let mut containers: Vec<ContainerPlan> = std::iter::once(container)
        .chain(router)
        .chain(tracing::collector(m))
        .chain(sidecars)
        .collect();
    // Each Network Load Balancer target is a port mapping of its container, in its
    // protocol (a UDP listener beside a TCP port of the same number needs both).
    for l in nlb.iter().flat_map(|n| &n.listeners) {
        if let Some(c) = containers.iter_mut().find(|c| c.name == l.container)
            && !c
                .ports
                .iter()
                .any(|p| p.port == l.target_port && p.protocol == l.ip_protocol)
        {
            c.ports.push(PortPlan {
                port: l.target_port,
                name: None,
                protocol: l.ip_protocol,
            });
        }
    }
    let env_file_params = env_files::params(m, &mut containers);
    let job = m
        .job()
        .map(|j| job::plan(j, &app, &env, &name, placement == Placement::Public));
    let (volumes, efs_grants) = volumes::plan(m);
    let (desired_count, count_text) = scaling::count(m, auto.as_ref());
    let (min_healthy, max_percent) = deployment::percents(m);
    let alarms = deployment::alarms(m);
    let permissions_boundary = task::permissions_boundary(inputs);
    ServicePlan {
        kind: m.kind.as_str(),
        version: TEMPLATE_VERSION,
        image,
        env_params,
        image_tag_param,
        lookup_params,
        imported_alb,
        // A Copilot workspace's services keep Copilot's log group names, so a service
        // taken over keeps its logs (a log group's name cannot change in place).
        log_group: if inputs.app.var_prefix == "COPILOT" {
            format!("/copilot/{app}-{env}-{name}")
        } else {
            format!("/wharf/{app}/{env}/{name}")
        },
        retention: m
            .task
            .logging
            .as_ref()
            .and_then(|l| l.retention.as_ref())
            .map_or(30, |r| r.value),
        family: format!("{app}-{env}-{name}"),
        cpu,
        memory,
        platform: PlatformPlan {
            os: platform.os,
            arch: platform.arch,
        },
        containers,
        env_file_params,
        sidecar_digest_params,
        log_grants: logging::grants(m),
        xray: m.tracing().is_some(),
        secrets,
        ephemeral: m
            .task
            .storage
            .as_ref()
            .and_then(|st| st.ephemeral.as_ref())
            .map(|e| e.value)
            // 20 GiB is Fargate's default, and CloudFormation takes 21-200 only.
            .filter(|g| *g > crate::manifest::fargate::DEFAULT_EPHEMERAL_GIB),
        capacity,
        service_connect,
        sidecar_ecr_pulls: sidecars::ecr_pulls(m, &app, ecr_pull_resource.as_deref()),
        ecr_pull_resource,
        permissions_boundary,
        exec: m.exec(),
        desired_count,
        count_text,
        min_healthy,
        max_percent,
        alarms,
        public_ip: placement == Placement::Public,
        // Subnets chosen by tags arrive as a parameter the deploy fills.
        subnets_param: if m.subnet_tags().is_some() {
            TAGGED_SUBNETS
        } else {
            subnets.parameter()
        },
        tagged_subnets: m.subnet_tags().is_some(),
        subnet_ids: network::subnet_ids(m),
        security_groups,
        addons,
        grace_period: lb
            .as_ref()
            .map(|l| l.grace_period)
            .or(nlb.as_ref().map(|n| n.grace_period)),
        lb,
        nlb,
        autoscaling: auto,
        discovery_name: format!("{name}.{}", inputs.env.namespace_name(&app)),
        ecs_service: m.kind.is_service(),
        discovery: has_discovery(*m.kind),
        messaging,
        job,
        volumes,
        efs_grants,
        access_points: volumes::access_points(m, &app, &env),
        app,
        env,
        name,
    }
}

/// Whether a workload of this type gets a Cloud Map entry: the two service types other
/// services call (a worker is called by nobody; a job is no service).
pub fn has_discovery(t: ServiceType) -> bool {
    matches!(
        t,
        ServiceType::LoadBalancedWebService | ServiceType::BackendService
    )
}

/// Compiles a service stack.
pub fn compile_service(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
) -> Result<Package, crate::render::RenderError> {
    let p = plan(m, inputs);
    let template = render("service.yml", &p)?;
    let mut parameters = BTreeMap::new();
    match (
        &m.task.image.location,
        inputs.image_digests.get(&m.name.value),
    ) {
        (Some(loc), _) => {
            parameters.insert(parameter::CONTAINER_IMAGE.into(), loc.value.clone());
        }
        (None, Some(digest)) => {
            parameters.insert(parameter::IMAGE_DIGEST.into(), digest.to_string());
        }
        (None, None) => {}
    }
    if p.image_tag_param
        && let Some(tag) = inputs.image_tag
    {
        parameters.insert(parameter::IMAGE_TAG.into(), tag.to_string());
    }
    for d in &p.sidecar_digest_params {
        if let Some(digest) = inputs.image_digests.get(&d.container) {
            parameters.insert(d.name.clone(), digest.clone());
        }
    }
    for e in &p.env_params {
        parameters.insert(e.name.to_string(), e.ssm_name.clone());
    }
    for l in &p.lookup_params {
        if let Some(v) = inputs.looked_up.and_then(|found| found.get(&l.name)) {
            parameters.insert(l.name.clone(), v.clone());
        } else if let (None, true, Some(d)) = (&p.imported_alb, l.priority, &l.default) {
            // A rule on the environment's load balancer: wharf's priority, unless the
            // deploy keeps an adopted one (`release::alb::keep_rule_priorities`).
            parameters.insert(l.name.clone(), d.clone());
        }
    }
    if p.tagged_subnets
        && let Some(ids) = inputs.subnets
    {
        parameters.insert(TAGGED_SUBNETS.into(), ids.join(","));
    }
    for f in &p.env_file_params {
        if let Some(arn) = inputs.env_files.get(&f.container) {
            parameters.insert(f.name.clone(), arn.clone());
        }
    }
    if p.addons.is_some()
        && let Some(url) = inputs.addons_url
    {
        parameters.insert(ADDONS_TEMPLATE_URL.into(), url.to_string());
    }
    Ok(Package {
        imported_alb: p.imported_alb.clone(),
        cdn_certificate: None,
        addons: p.addons.as_ref().map(|a| a.template.clone()),
        stack_name: super::service_stack_name(&p.app, &p.env, &p.name),
        file_stem: format!("{}-{}", p.name, p.env),
        template,
        config: TemplateConfig {
            parameters,
            tags: inputs.app.stack_tags(&p.env, Some(&p.name)),
        },
        follow_up: if p.ecs_service {
            super::FollowUp::EcsRollout
        } else {
            super::FollowUp::Nothing
        },
        needs: Vec::new(),
        after: m
            .subscribe()
            .into_iter()
            .flat_map(|s| &s.topics)
            .map(|t| super::service_stack_name(&p.app, &p.env, &t.value.service))
            .filter(|n| *n != super::service_stack_name(&p.app, &p.env, &p.name))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    })
}
