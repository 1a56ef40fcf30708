//! Pieces of a service plan that need more than a line: secrets and their read
//! permissions, load balancer routing, autoscaling policies, ECR references.

use super::*;

/// Default scale-in / scale-out cooldowns (seconds), as Copilot uses them.
const SCALE_IN_SECS: u64 = 120;
const SCALE_OUT_SECS: u64 = 60;

pub(super) fn secs(d: Option<&crate::manifest::decode::Spanned<Duration>>, default: u64) -> u64 {
    d.map_or(default, |d| d.secs())
}

pub(super) fn sub(s: &str) -> String {
    format!("!Sub {}", quote(s))
}

pub(super) fn ecr_repo_arn(uri: &str) -> Option<String> {
    // 111122223333.dkr.ecr.us-east-1.amazonaws.com/repo[:tag|@digest]
    let (host, path) = uri.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() < 6 || parts[1] != "dkr" || parts[2] != "ecr" || parts[0].len() != 12 {
        return None;
    }
    let repo = path.split(['@', ':']).next()?;
    Some(sub(&format!(
        "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{repo}",
        parts[3], parts[0]
    )))
}

/// The main container's secrets, by name, and what reading them takes.
pub(super) fn secrets(m: &ServiceManifest) -> (Vec<SecretItem>, SecretsPlan) {
    let mut p = SecretsPlan::default();
    let mut items = Vec::new();
    let mut entries: Vec<_> = m.secrets.iter().collect();
    entries.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (k, s) in entries {
        let (value_from, ssm, sm) = match &s.value {
            Secret::Ssm(v) if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                if v.contains(":secretsmanager:") {
                    (quote(v), None, Some(quote(&resource)))
                } else {
                    (quote(v), Some(quote(v)), None)
                }
            }
            Secret::Ssm(name) => {
                let arn = sub(&format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
                    name.trim_start_matches('/')
                ));
                (arn.clone(), Some(arn), None)
            }
            Secret::SecretsManager { secretsmanager: v } if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                (quote(v), None, Some(quote(&resource)))
            }
            Secret::SecretsManager { secretsmanager: v } => {
                let (name, rest) = v
                    .split_once(':')
                    .map_or((v.as_str(), None), |(n, r)| (n, Some(r)));
                let base = format!(
                    "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}"
                );
                let value = match rest {
                    Some(r) => format!("{base}:{r}"),
                    None => base.clone(),
                };
                (sub(&value), None, Some(sub(&format!("{base}-??????"))))
            }
        };
        items.push(SecretItem {
            name: k.value.clone(),
            value_from,
        });
        p.ssm.extend(ssm);
        p.secretsmanager.extend(sm);
    }
    p.ssm.sort();
    p.ssm.dedup();
    p.secretsmanager.sort();
    p.secretsmanager.dedup();
    (items, p)
}

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
    let health_path = match h.healthcheck.as_ref().map(|h| &h.value) {
        Some(TargetHealthCheck::Path(p)) => p.clone(),
        Some(TargetHealthCheck::Full(a)) => a.path.as_ref().map_or("/".into(), |p| p.value.clone()),
        None => "/".into(),
    };
    LbPlan {
        path_patterns,
        url_path,
        scheme: if https { "https" } else { "http" },
        priority: inputs.priority.unwrap_or(1),
        listener: if https {
            crate::contract::EnvValue::HttpsListenerArn
        } else {
            crate::contract::EnvValue::HttpListenerArn
        },
        target_port: h
            .target_port
            .as_ref()
            .or(m.image.port.as_ref())
            .map_or(80, |p| p.value.0),
        health: TargetHealthPlan {
            path: health_path,
            port: full.and_then(|a| a.port.as_ref()).map(|p| p.value.0),
            codes: full
                .and_then(|a| a.success_codes.as_ref())
                .map_or("200".into(), |c| c.value.clone()),
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

pub(super) fn cooldown(own: Option<&Cooldown>, shared: Option<&Cooldown>) -> (u64, u64) {
    let pick = |f: fn(&Cooldown) -> Option<crate::manifest::decode::Spanned<Duration>>, d| {
        own.and_then(f)
            .or_else(|| shared.and_then(f))
            .map_or(d, |x| x.secs())
    };
    (
        pick(|c| c.scale_in, SCALE_IN_SECS),
        pick(|c| c.scale_out, SCALE_OUT_SECS),
    )
}

pub(super) fn autoscaling(a: &Autoscaling) -> Option<AutoscalingPlan> {
    let r = a.range.as_ref()?;
    let shared = a.cooldown.as_ref();
    let mut policies = Vec::new();
    let mut add = |logical_id,
                   suffix,
                   what,
                   target: String,
                   target_text: String,
                   predefined,
                   resource_label,
                   cd: (u64, u64)| {
        policies.push(PolicyPlan {
            logical_id,
            suffix,
            what,
            target,
            target_text,
            predefined,
            resource_label,
            scale_in: cd.0,
            scale_out: cd.1,
        });
    };
    if let Some(c) = &a.cpu_percentage {
        add(
            "CpuScalingPolicy",
            "cpu",
            "average CPU use",
            c.value.value.to_string(),
            format!("{}%", c.value.value),
            Some("ECSServiceAverageCPUUtilization"),
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.memory_percentage {
        add(
            "MemoryScalingPolicy",
            "memory",
            "average memory use",
            c.value.value.to_string(),
            format!("{}%", c.value.value),
            Some("ECSServiceAverageMemoryUtilization"),
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.requests {
        add(
            "RequestsScalingPolicy",
            "requests",
            "requests per task",
            c.value.value.to_string(),
            c.value.value.to_string(),
            Some("ALBRequestCountPerTarget"),
            true,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    if let Some(c) = &a.response_time {
        let ms = c.value.value.as_millis();
        let target = if ms % 1000 == 0 {
            (ms / 1000).to_string()
        } else {
            format!("{}.{:03}", ms / 1000, ms % 1000)
                .trim_end_matches('0')
                .to_string()
        };
        add(
            "ResponseTimeScalingPolicy",
            "response-time",
            "average response time",
            target.clone(),
            format!("{target}s"),
            None,
            false,
            cooldown(c.value.cooldown.as_ref(), shared),
        );
    }
    Some(AutoscalingPlan {
        min: r.min,
        max: r.max,
        policies,
    })
}
