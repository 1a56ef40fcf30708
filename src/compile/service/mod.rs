//! Service stacks: turns a service manifest (as resolved for one environment) into a
//! [`ServicePlan`] and renders `templates/service.yml`. Each feature's values come from
//! its own module, beside its template partial: `task` (image, size, main container),
//! `secrets`, `lb`, `scaling` (count, autoscaling, capacity providers), `deployment`
//! (rolling percentages, rollback alarms), `network` (subnets, environment values),
//! `connect` (Service Connect); `plan` puts them together.

mod connect;
mod deployment;
mod lb;
mod network;
mod parts;
mod scaling;
mod secrets;
mod task;
mod types;

pub use types::*;

use lb::lb_plan;
use parts::*;
use scaling::autoscaling;
use secrets::secrets;

use super::environment::namespace;
use super::{AppInfo, Package, TEMPLATE_VERSION, TemplateConfig, quote};
use crate::contract::{EnvValue, parameter, ssm_name};
use crate::manifest::common::{Arch, OsFamily, Platform};
use crate::manifest::duration::Duration;
use crate::manifest::environment::EnvManifest;
use crate::manifest::service::{
    Autoscaling, Cooldown, Count, Http, Placement, Rolling, Secret, ServiceManifest, ServiceType,
    TargetHealthCheck,
};
use crate::render::render;
use serde::Serialize;
use std::collections::BTreeMap;

/// Decides what the service stack contains.
pub fn plan(m: &ServiceManifest, inputs: &ServiceInputs) -> ServicePlan {
    let app = inputs.app.name.clone();
    let env = inputs.env.name.value.clone();
    let name = m.name.value.clone();
    let lb = m
        .http
        .as_ref()
        .filter(|_| m.is_load_balanced())
        .map(|h| lb_plan(m, h, inputs));
    let auto = match m.count.as_ref().map(|c| &c.value) {
        Some(Count::Auto(a)) => autoscaling(a),
        _ => None,
    };
    let capacity = scaling::capacity(m);
    let placement = m.placement();
    let (env_params, subnets) = network::env_params(m, &app, &env, lb.as_ref(), auto.as_ref());
    let image = task::image(m, &app);
    let ecr_pull_resource = task::ecr_pull_resource(m, &app);
    let (platform, cpu, memory) = task::size(m);
    let service_connect = connect::plan(m, &app, &env);
    let (container, secrets) = task::main_container(
        m,
        inputs,
        image.expr.clone(),
        lb.as_ref(),
        service_connect.as_ref(),
    );
    let (desired_count, count_text) = scaling::count(m, auto.as_ref());
    let (min_healthy, max_percent) = deployment::percents(m);
    let alarms = deployment::alarms(m);
    let permissions_boundary = task::permissions_boundary(inputs);
    ServicePlan {
        kind: match *m.kind {
            ServiceType::LoadBalancedWebService => "Load Balanced Web Service",
            ServiceType::BackendService => "Backend Service",
        },
        version: TEMPLATE_VERSION,
        image,
        env_params,
        log_group: format!("/wharf/{app}/{env}/{name}"),
        retention: m
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
        containers: vec![container],
        secrets,
        ephemeral: m
            .storage
            .as_ref()
            .and_then(|st| st.ephemeral.as_ref())
            .map(|e| e.value),
        capacity,
        service_connect,
        ecr_pull_resource,
        permissions_boundary,
        exec: m.exec.unwrap_or(false),
        desired_count,
        count_text,
        min_healthy,
        max_percent,
        alarms,
        public_ip: placement == Placement::Public,
        subnets_param: subnets.parameter(),
        lb,
        autoscaling: auto,
        discovery_name: format!("{name}.{}", namespace(&app, &env)),
        app,
        env,
        name,
    }
}

/// Compiles a service stack.
pub fn compile_service(
    m: &ServiceManifest,
    inputs: &ServiceInputs,
) -> Result<Package, crate::render::RenderError> {
    let p = plan(m, inputs);
    let template = render("service.yml", &p)?;
    let mut parameters = BTreeMap::new();
    match (&m.image.location, inputs.image_digest) {
        (Some(loc), _) => {
            parameters.insert(parameter::CONTAINER_IMAGE.into(), loc.value.clone());
        }
        (None, Some(digest)) => {
            parameters.insert(parameter::IMAGE_DIGEST.into(), digest.to_string());
        }
        (None, None) => {}
    }
    for e in &p.env_params {
        parameters.insert(e.name.to_string(), e.ssm_name.clone());
    }
    Ok(Package {
        stack_name: super::service_stack_name(&p.app, &p.env, &p.name),
        file_stem: format!("{}-{}", p.name, p.env),
        template,
        config: TemplateConfig {
            parameters,
            tags: inputs.app.stack_tags(&p.env, Some(&p.name)),
        },
    })
}
