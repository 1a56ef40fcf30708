//! How many tasks run and where: the desired count, autoscaling policies (target
//! tracking, with Copilot's cooldowns) and the Fargate / Fargate Spot capacity provider
//! strategy. Its partial is `svc-autoscaling.yml`.

use super::*;

/// Default scale-in / scale-out cooldowns (seconds), as Copilot uses them.
const SCALE_IN_SECS: u64 = 120;
const SCALE_OUT_SECS: u64 = 60;

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
            logical_id: String::from(logical_id),
            suffix: String::from(suffix),
            what,
            target,
            target_text,
            predefined,
            resource_label,
            scale_in: cd.0,
            scale_out: cd.1,
            queue: None,
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

/// One target-tracking policy per queue for `count.queue_delay`: keep each queue's
/// visible messages per running task at `ceil(acceptable_latency / msg_processing_time)`
/// (Copilot's target), computed with CloudWatch metric math instead of Copilot's Lambda
/// (<https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html>).
pub(super) fn queue_policies(a: &Autoscaling, plan: &mut AutoscalingPlan, queues: &[QueuePlan]) {
    let Some(q) = &a.queue_delay else {
        return;
    };
    let latency = q.value.acceptable_latency.value.as_millis();
    let each = q.value.msg_processing_time.value.as_millis().max(1);
    let target = latency.div_ceil(each).max(1);
    let cd = cooldown(q.value.cooldown.as_ref(), a.cooldown.as_ref());
    for queue in queues {
        plan.policies.push(PolicyPlan {
            logical_id: format!("AutoScalingPolicy{}", queue.logical_id),
            suffix: format!("backlog-{}", queue.logical_id),
            what: "messages waiting per task",
            target: target.to_string(),
            target_text: format!(
                "{target} (a message waits at most {})",
                q.value.acceptable_latency.value
            ),
            predefined: None,
            resource_label: false,
            scale_in: cd.0,
            scale_out: cd.1,
            queue: Some(queue.logical_id.clone()),
        });
    }
}

/// The capacity provider strategy: Fargate Spot for `count.spot`, or Fargate up to
/// `count.range.spot_from` and Spot above; `None` runs on plain Fargate (the launch type).
pub(super) fn capacity(m: &ServiceManifest) -> Option<Vec<CapacityPlan>> {
    match m.count().map(|c| &c.value) {
        Some(Count::Auto(a)) if a.spot.is_some() => Some(vec![CapacityPlan {
            provider: "FARGATE_SPOT",
            base: None,
            weight: 1,
        }]),
        // Tasks below `spot_from` stay on Fargate; the rest go to Spot.
        Some(Count::Auto(a)) => a.range.as_ref().and_then(|r| r.spot_from).map(|from| {
            vec![
                CapacityPlan {
                    provider: "FARGATE",
                    base: Some(from.saturating_sub(1)),
                    weight: 0,
                },
                CapacityPlan {
                    provider: "FARGATE_SPOT",
                    base: None,
                    weight: 1,
                },
            ]
        }),
        _ => None,
    }
}

/// The desired count (`None` with autoscaling: the running count is kept on updates)
/// and how the template describes it ("2 tasks", "1 to 4 tasks").
pub(super) fn count(m: &ServiceManifest, auto: Option<&AutoscalingPlan>) -> (Option<u32>, String) {
    match m.count().map(|c| &c.value) {
        Some(Count::Fixed(n)) => (
            Some(*n),
            format!("{n} task{}", if *n == 1 { "" } else { "s" }),
        ),
        Some(Count::Auto(a)) if a.spot.is_some() => {
            let n = a.spot.as_ref().map_or(0, |s| s.value);
            (
                Some(n),
                format!("{n} task{} on Fargate Spot", if n == 1 { "" } else { "s" }),
            )
        }
        Some(Count::Auto(_)) => (
            None,
            auto.map_or("1 task".into(), |a| format!("{} to {} tasks", a.min, a.max)),
        ),
        None => (Some(1), "1 task".into()),
    }
}
