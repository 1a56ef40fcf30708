//! Load balancer routing (Load Balanced Web Service): the listener rule's paths and
//! priority, whether HTTP is redirected to HTTPS, the target group (protocol, version)
//! and its health check. Its partials are `svc-target-group.yml` and the load balancer
//! part of `svc-service.yml`.

use super::*;

pub(super) fn path_patterns(path: &str) -> (Vec<String>, String) {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        (vec!["/*".into()], "/".into())
    } else {
        (
            vec![format!("/{trimmed}"), format!("/{trimmed}/*")],
            format!("/{trimmed}"),
        )
    }
}

pub(super) fn lb_plan(m: &ServiceManifest, h: &Http, inputs: &ServiceInputs) -> LbPlan {
    let https = !inputs.env.certificates().is_empty();
    let (path_patterns, url_path) =
        path_patterns(h.path.as_ref().map_or("/", |p| p.value.as_str()));
    let full = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Full(a)) => Some(a),
        _ => None,
    };
    let version = h.version.as_ref().map(|v| v.value);
    let grpc = version == Some(HttpVersion::Grpc);
    // gRPC: the load balancer's own defaults, which any gRPC server passes (code 12,
    // UNIMPLEMENTED, for a path no service has).
    let (default_path, default_codes) = if grpc {
        ("/AWS.ALB/healthcheck", "12")
    } else {
        ("/", "200")
    };
    let health_path = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Path(p)) => p.clone(),
        Some(TargetHealthCheck::Full(a)) => a
            .path
            .as_ref()
            .map_or(default_path.into(), |p| p.value.clone()),
        None => default_path.into(),
    };
    let sidecar = h
        .target_container
        .as_ref()
        .and_then(|t| m.task.sidecars.get(&t.value).map(|s| (t.value.clone(), s)));
    let target_port = h
        .target_port
        .as_ref()
        .map(|p| p.value.0)
        .or_else(|| match &sidecar {
            Some((_, s)) => s.port.as_ref().map(|p| p.value.port),
            None => m.task.image.port.as_ref().map(|p| p.value.0),
        })
        .unwrap_or(80);
    let redirect = h.redirect_to_https.as_ref().is_none_or(|r| r.value);
    LbPlan {
        container: sidecar
            .as_ref()
            .map_or_else(|| m.name.value.clone(), |(n, _)| n.clone()),
        path_patterns,
        url_path,
        scheme: if https { "https" } else { "http" },
        priority: inputs.priority.unwrap_or(1),
        listener: if https {
            crate::contract::EnvValue::HttpsListenerArn
        } else {
            crate::contract::EnvValue::HttpListenerArn
        },
        target_port,
        protocol: if target_port == 443 { "HTTPS" } else { "HTTP" },
        protocol_version: version.map(HttpVersion::as_cfn),
        http_listener_param: (https && !redirect).then(|| {
            crate::contract::EnvValue::HttpListenerArn
                .parameter()
                .to_string()
        }),
        health: TargetHealthPlan {
            path: health_path,
            matcher: if grpc { "GrpcCode" } else { "HttpCode" },
            port: full.and_then(|a| a.port.as_ref()).map(|p| p.value.0),
            codes: full
                .and_then(|a| a.success_codes.as_ref())
                .map_or(default_codes.into(), |c| c.value.clone()),
            healthy: full
                .and_then(|a| a.healthy_threshold.as_ref())
                .map_or(5, |t| t.value),
            unhealthy: full
                .and_then(|a| a.unhealthy_threshold.as_ref())
                .map_or(2, |t| t.value),
            interval: secs(full.and_then(|a| a.interval.as_ref()), 30),
            timeout: secs(full.and_then(|a| a.timeout.as_ref()), 5),
        },
        grace_period: secs(full.and_then(|a| a.grace_period.as_ref()), 60),
        deregistration_delay: secs(h.deregistration_delay.as_ref(), 60),
        stickiness: h.stickiness.unwrap_or(false),
        source_ips: h
            .allowed_source_ips
            .iter()
            .flatten()
            .map(|s| s.value.clone())
            .collect(),
    }
}
