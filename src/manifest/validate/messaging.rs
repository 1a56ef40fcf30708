//! Checks of `publish`, `subscribe`, `count.queue_delay` and a Scheduled Job's
//! `retries`/`timeout`, against the limits of SNS
//! (<https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html>), SQS
//! (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>)
//! and Step Functions (`TimeoutSeconds`).

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::service::{Autoscaling, Fifo, Job, Queue, ServiceManifest};
use std::collections::BTreeMap;

/// Most topics one workload publishes, and most topics a worker subscribes to: each adds
/// two or three resources to a stack of at most 500.
pub const MAX_TOPICS: usize = 50;

/// Most retries of a job's failed task.
pub const MAX_JOB_RETRIES: u32 = 10;

/// Longest an SNS filter policy may be (bytes).
const MAX_FILTER_POLICY_BYTES: usize = 256 * 1024;

fn topic_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `publish.topics`: names SNS accepts, each once, within the limit.
pub(super) fn publish(c: &mut Checker, m: &ServiceManifest) {
    let topics = m.topics();
    if topics.len() > MAX_TOPICS {
        c.error(
            Code::Limit,
            topics[MAX_TOPICS].span,
            "publish.topics",
            format!(
                "a workload publishes at most {MAX_TOPICS} topics; found {}",
                topics.len()
            ),
            None,
        );
    }
    let mut seen: BTreeMap<(String, bool), usize> = BTreeMap::new();
    for (i, t) in topics.iter().enumerate() {
        let path = format!("publish.topics[{i}].name");
        let n = &t.value.name;
        if !topic_name_ok(n) {
            c.error(
                Code::InvalidValue,
                n.span,
                &path,
                format!("`{}` is not a valid topic name", n.value),
                Some("use letters, digits, `-` and `_`".into()),
            );
        }
        // SNS: at most 256 characters, `<app>-<env>-<workload>-<name>[.fifo]`. App and
        // environment names are at most 40 characters each; the workload's too.
        let longest = 40 + 1 + 40 + 1 + m.name.len() + 1 + n.len() + 5;
        if longest > 256 {
            c.error(
                Code::Range,
                n.span,
                &path,
                format!("topic name `{}` is too long for SNS", n.value),
                Some("SNS topic names are at most 256 characters, including `<app>-<env>-<workload>-`".into()),
            );
        }
        let fifo = t.value.fifo.as_ref().is_some_and(|f| f.enabled);
        if let Some(first) = seen.insert((n.value.clone(), fifo), i) {
            c.error(
                Code::DuplicateKey,
                n.span,
                &path,
                format!(
                    "topic `{}` is published twice (also `publish.topics[{first}]`)",
                    n.value
                ),
                None,
            );
        }
    }
}

/// `subscribe`: topics named well, each once; queue settings within SQS's limits.
pub(super) fn subscribe(c: &mut Checker, m: &ServiceManifest) {
    let Some(s) = m.subscribe() else { return };
    if s.topics.len() > MAX_TOPICS {
        c.error(
            Code::Limit,
            s.topics[MAX_TOPICS].span,
            "subscribe.topics",
            format!(
                "a worker subscribes to at most {MAX_TOPICS} topics; found {}",
                s.topics.len()
            ),
            None,
        );
    }
    if let Some(q) = &s.queue {
        queue(c, &q.value, "subscribe.queue");
    }
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, t) in s.topics.iter().enumerate() {
        let t = &t.value;
        let at = format!("subscribe.topics[{i}]");
        if !topic_name_ok(&t.name) {
            c.error(
                Code::InvalidValue,
                t.name.span,
                &format!("{at}.name"),
                format!("`{}` is not a valid topic name", t.name.value),
                Some("use the name as the publisher's `publish.topics` writes it: letters, digits, `-` and `_`".into()),
            );
        }
        c.name(&t.service, "workload", &format!("{at}.service"));
        if t.service.value == m.name.value {
            c.warn(
                Code::Reference,
                t.service.span,
                &format!("{at}.service"),
                format!("the worker subscribes to its own topic `{}`", t.name.value),
                None,
            );
        }
        if let Some(first) = seen.insert((t.service.value.clone(), t.name.value.clone()), i) {
            c.error(
                Code::DuplicateKey,
                t.name.span,
                &format!("{at}.name"),
                format!(
                    "topic `{}` of `{}` is subscribed twice (also `subscribe.topics[{first}]`)",
                    t.name.value, t.service.value
                ),
                None,
            );
        }
        if let Some(fp) = &t.filter_policy {
            let text = serde_json::to_string(&fp.value.0).unwrap_or_default();
            if text.len() > MAX_FILTER_POLICY_BYTES {
                c.error(
                    Code::Limit,
                    fp.span,
                    &format!("{at}.filter_policy"),
                    "the filter policy is larger than SNS's 256 KiB",
                    None,
                );
            }
        }
        if let Some(q) = t.queue.as_ref()
            && let crate::manifest::service::TopicQueue::Settings(settings) = &q.value
        {
            queue(c, settings, &format!("{at}.queue"));
        }
    }
}

/// One queue's settings.
fn queue(c: &mut Checker, q: &Queue, at: &str) {
    if let Some(r) = &q.retention {
        c.seconds(r, 60, 1_209_600, &format!("{at}.retention"));
    }
    if let Some(d) = &q.delay {
        c.seconds(d, 0, 900, &format!("{at}.delay"));
    }
    if let Some(t) = &q.timeout {
        c.seconds(t, 0, 43_200, &format!("{at}.timeout"));
    }
    if let Some(t) = q.dead_letter.as_ref().and_then(|d| d.tries.as_ref()) {
        c.range(
            t.value,
            1,
            1000,
            t.span,
            &format!("{at}.dead_letter.tries"),
            "",
        );
    }
    if let Some(Spanned {
        value: Fifo::Settings(f),
        span,
    }) = &q.fifo
    {
        let path = format!("{at}.fifo");
        for (v, key, allowed) in [
            (
                &f.deduplication_scope,
                "deduplication_scope",
                ["messageGroup", "queue"],
            ),
            (
                &f.throughput_limit,
                "throughput_limit",
                ["perMessageGroupId", "perQueue"],
            ),
        ] {
            if let Some(v) = v
                && !allowed.contains(&v.value.as_str())
            {
                c.error(
                    Code::InvalidValue,
                    v.span,
                    &format!("{path}.{key}"),
                    format!("`{path}.{key}` cannot be `{}`", v.value),
                    Some(crate::manifest::common::one_of(&v.value, &allowed)),
                );
            }
        }
        if f.high_throughput == Some(true)
            && (f.deduplication_scope.is_some() || f.throughput_limit.is_some())
        {
            c.error(
                Code::MutuallyExclusive,
                *span,
                &path,
                "`high_throughput` sets `deduplication_scope` and `throughput_limit` itself",
                Some("remove `high_throughput`, or the other two".into()),
            );
        }
        if f.throughput_limit
            .as_ref()
            .is_some_and(|t| t.value == "perMessageGroupId")
            && f.deduplication_scope
                .as_ref()
                .is_some_and(|d| d.value == "queue")
        {
            c.error(
                Code::InvalidValue,
                *span,
                &path,
                "`throughput_limit: perMessageGroupId` needs `deduplication_scope: messageGroup`",
                None,
            );
        }
    }
}

/// `count.queue_delay`: both durations positive, processing no longer than the latency.
pub(super) fn queue_delay(c: &mut Checker, m: &ServiceManifest, a: &Autoscaling) {
    let Some(q) = &a.queue_delay else { return };
    if *m.kind != crate::manifest::service::ServiceType::WorkerService {
        c.error(
            Code::NotForType,
            q.span,
            "count.queue_delay",
            format!(
                "`count.queue_delay` is not a field of a {}",
                m.kind.as_str()
            ),
            Some("queue-based scaling is for a Worker Service, which has a queue".into()),
        );
        return;
    }
    let (lat, each) = (&q.value.acceptable_latency, &q.value.msg_processing_time);
    for (d, key) in [(lat, "acceptable_latency"), (each, "msg_processing_time")] {
        if d.value.as_millis() == 0 {
            c.error(
                Code::Range,
                d.span,
                &format!("count.queue_delay.{key}"),
                format!("`count.queue_delay.{key}` must be more than 0s"),
                None,
            );
        }
    }
    if each.value > lat.value {
        c.error(
            Code::Range,
            each.span,
            "count.queue_delay.msg_processing_time",
            format!(
                "a message takes {} to process, longer than the acceptable latency {}",
                each.value, lat.value
            ),
            Some("the acceptable latency must be at least one message's processing time".into()),
        );
    }
}

/// A job's `retries` and `timeout`.
pub(super) fn job(c: &mut Checker, j: &Job) {
    if let Some(r) = &j.retries {
        c.range(r.value, 0, MAX_JOB_RETRIES, r.span, "retries", "");
    }
    if let Some(t) = &j.timeout {
        // Step Functions' TimeoutSeconds: whole seconds, from 1 s to a year.
        c.seconds(t, 1, 31_536_000, "timeout");
    }
}

/// A subscription no workload of the workspace satisfies.
#[derive(Debug, Clone)]
pub struct Unpublished {
    /// The subscribing worker.
    pub worker: String,
    /// The publisher named.
    pub service: String,
    /// The topic's name.
    pub topic: String,
    /// Whether the subscription expects a FIFO topic.
    pub fifo: bool,
    /// A warning at the subscription, naming what the workspace does publish.
    pub diagnostic: crate::manifest::diag::Diagnostic,
}

/// Every subscription of `services` (the workspace's workloads, as they are for one
/// environment) to a topic none of them publishes, with a warning: the publisher may
/// live in another repository of the same application, so this is checked again, as an
/// error, against the deployed environment at deploy time. `expects_fifo` says whether a
/// subscription wants a FIFO topic.
pub fn unpublished(
    services: &[ServiceManifest],
    expects_fifo: impl Fn(
        &crate::manifest::service::Subscribe,
        &crate::manifest::service::TopicSubscription,
    ) -> bool,
) -> Vec<Unpublished> {
    use crate::manifest::diag::Diagnostic;
    let published: BTreeMap<&str, Vec<(&str, bool)>> = services
        .iter()
        .map(|m| {
            let topics = m
                .topics()
                .iter()
                .map(|t| {
                    (
                        t.value.name.value.as_str(),
                        t.value.fifo.as_ref().is_some_and(|f| f.enabled),
                    )
                })
                .collect();
            (m.name.value.as_str(), topics)
        })
        .collect();
    let mut out = Vec::new();
    for m in services {
        let Some(s) = m.subscribe() else { continue };
        for (i, t) in s.topics.iter().enumerate() {
            let t = &t.value;
            let fifo = expects_fifo(s, t);
            let kind = if fifo { "FIFO topic" } else { "topic" };
            let found = published
                .get(t.service.value.as_str())
                .is_some_and(|ts| ts.contains(&(t.name.value.as_str(), fifo)));
            if found {
                continue;
            }
            let here: Vec<String> = published
                .iter()
                .filter(|(_, ts)| !ts.is_empty())
                .map(|(svc, ts)| {
                    let names: Vec<String> = ts
                        .iter()
                        .map(|(n, f)| format!("{n}{}", if *f { " (FIFO)" } else { "" }))
                        .collect();
                    format!("`{svc}` publishes {}", names.join(", "))
                })
                .collect();
            let what = match published.get(t.service.value.as_str()) {
                None => format!(
                    "there is no workload `{}` in this workspace",
                    t.service.value
                ),
                Some(_) => format!("`{}` does not publish it", t.service.value),
            };
            let help = format!(
                "{}; if another repository of the application publishes it, `wharf deploy` checks that a deployed stack of the environment does",
                if here.is_empty() {
                    "no workload of this workspace publishes topics".to_string()
                } else {
                    here.join("; ")
                }
            );
            let diagnostic = Diagnostic::warning(
                Code::Reference,
                format!(
                    "`{}` subscribes to {kind} `{}` of `{}`, which no workload of this workspace publishes: {what}",
                    m.name.value, t.name.value, t.service.value
                ),
            )
            .at(t.name.span)
            .path(format!("subscribe.topics[{i}].name"))
            .help(help);
            out.push(Unpublished {
                worker: m.name.value.clone(),
                service: t.service.value.clone(),
                topic: t.name.value.clone(),
                fifo,
                diagnostic,
            });
        }
    }
    out
}
