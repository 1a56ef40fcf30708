//! Checks of `publish`, `subscribe`, `count.queue_delay` and a Scheduled Job's
//! `retries`/`timeout`, against the limits of SNS
//! (<https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html>), SQS
//! (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>)
//! and Step Functions (`TimeoutSeconds`).

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::service::{Autoscaling, Fifo, Job, Queue, ServiceManifest, id_part};
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
    let mut ids: BTreeMap<(String, bool), &str> = BTreeMap::new();
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
        if let Some(other) = ids.insert((id_part(n), fifo), n.value.as_str())
            && other != n.value
        {
            c.error(
                Code::InvalidValue,
                n.span,
                &path,
                format!(
                    "topics `{other}` and `{}` would be one CloudFormation resource (`{}{}SNSTopic`)",
                    n.value,
                    id_part(n),
                    if fifo { "fifo" } else { "" }
                ),
                Some("logical IDs keep only letters and digits, as in Copilot: make the names differ in those".into()),
            );
        }
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
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, t) in s.topics.iter().enumerate() {
        let t = &t.value;
        let id = format!("{}{}", id_part(&t.service), id_part(&t.name));
        if let Some(j) = ids.insert(id.clone(), i)
            && (s.topics[j].value.service.value != t.service.value
                || s.topics[j].value.name.value != t.name.value)
        {
            c.error(
                Code::InvalidValue,
                t.name.span,
                &format!("subscribe.topics[{i}].name"),
                format!(
                    "this subscription and `subscribe.topics[{j}]` would be one CloudFormation resource (`{id}SNSTopicSubscription`)"
                ),
                Some("logical IDs join the service's and the topic's letters and digits, as in Copilot: rename one topic or service".into()),
            );
        }
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
            filter_policy(c, fp, &format!("{at}.filter_policy"));
        }
        if let Some(q) = t.queue.as_ref()
            && let crate::manifest::service::TopicQueue::Settings(settings) = &q.value
        {
            queue(c, settings, &format!("{at}.queue"));
        }
    }
}

/// Most keys of a filter policy, and most value combinations, in SNS's
/// message-attribute scope
/// (<https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html>).
const MAX_FILTER_KEYS: usize = 5;
const MAX_FILTER_COMBINATIONS: usize = 150;

/// A filter policy SNS accepts on message attributes (Copilot's scope): at most five
/// keys, each a list of values or conditions, at most 150 combinations, at most 256 KiB.
fn filter_policy(
    c: &mut Checker,
    fp: &Spanned<crate::manifest::service::FilterPolicy>,
    path: &str,
) {
    let serde_json::Value::Object(map) = &fp.value.0 else {
        return;
    };
    let text = serde_json::to_string(&fp.value.0).unwrap_or_default();
    if text.len() > MAX_FILTER_POLICY_BYTES {
        c.error(
            Code::Limit,
            fp.span,
            path,
            "the filter policy is larger than SNS's 256 KiB",
            None,
        );
        return;
    }
    if map.is_empty() {
        c.error(Code::InvalidValue, fp.span, path, "the filter policy is empty", Some("name at least one message attribute, e.g. `event: [placed]`, or remove `filter_policy`".into()));
    }
    if map.len() > MAX_FILTER_KEYS {
        c.error(
            Code::Limit,
            fp.span,
            path,
            format!(
                "the filter policy has {} keys; SNS takes at most {MAX_FILTER_KEYS}",
                map.len()
            ),
            None,
        );
    }
    let mut combinations: usize = 1;
    for (k, v) in map {
        match v {
            serde_json::Value::Array(items) if !items.is_empty() => {
                combinations = combinations.saturating_mul(items.len());
            }
            serde_json::Value::Object(_) => c.error(
                Code::Unsupported,
                fp.span,
                &format!("{path}.{k}"),
                format!("`{k}` is a nested filter policy, which SNS matches only on message bodies; Copilot's (and wharf's) subscriptions filter on message attributes"),
                Some(format!("list the values: `{k}: [value, …]`")),
            ),
            _ => c.error(
                Code::InvalidValue,
                fp.span,
                &format!("{path}.{k}"),
                format!("`{k}` must be a non-empty list of values or conditions"),
                Some(format!("for example `{k}: [placed]`, or `{k}: [{{anything-but: cancelled}}]`")),
            ),
        }
    }
    if combinations > MAX_FILTER_COMBINATIONS {
        c.error(
            Code::Limit,
            fp.span,
            path,
            format!("the filter policy has {combinations} combinations of values; SNS takes at most {MAX_FILTER_COMBINATIONS}"),
            Some("the number of combinations is the product of the lengths of the lists".into()),
        );
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

/// A job's `retries`, `timeout`, and a schedule EventBridge takes and that fires.
pub(super) fn job(c: &mut Checker, j: &Job) {
    let s = &j.schedule;
    if let Some(expr) = s.value.expression() {
        if expr.len() > 256 {
            c.error(
                Code::Limit,
                s.span,
                "on.schedule",
                format!(
                    "the schedule is {} characters as EventBridge reads it (`{}…`); EventBridge takes at most 256",
                    expr.len(),
                    expr.chars().take(40).collect::<String>()
                ),
                Some("write lists of days or hours as ranges (`1-5`) or steps (`*/2`)".into()),
            );
        }
        let now = u64::try_from(crate::clock::now_ms() / 1000).unwrap_or(0);
        if s.value.next_runs(now, 1).is_some_and(|r| r.is_empty()) {
            c.warn(
                Code::InvalidValue,
                s.span,
                "on.schedule",
                format!("`{expr}` does not fire in the next five years"),
                Some("check the day of the month against the month (there is no 30 February), and the year".into()),
            );
        }
    }
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
/// error, against the deployed environment at deploy time.
pub fn unpublished(services: &[ServiceManifest]) -> Vec<Unpublished> {
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
            let fifo = s.expects_fifo(t);
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

/// Workers that subscribe to each other's topics, directly or around a longer loop: no
/// first deploy can create them (each subscription needs the other's topic), so a
/// warning at the first subscription of each loop found.
pub fn subscription_cycles(services: &[ServiceManifest]) -> Vec<crate::manifest::diag::Diagnostic> {
    use crate::manifest::diag::Diagnostic;
    let edges: BTreeMap<&str, Vec<(&str, crate::manifest::source::Span, usize)>> = services
        .iter()
        .map(|m| {
            let subs = m
                .subscribe()
                .map(|s| {
                    s.topics
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (t.value.service.value.as_str(), t.value.name.span, i))
                        .collect()
                })
                .unwrap_or_default();
            (m.name.value.as_str(), subs)
        })
        .collect();
    let mut out = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for start in edges.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
        let mut seen = std::collections::BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for (next, _, _) in edges.get(at).map(Vec::as_slice).unwrap_or(&[]) {
                if next == start {
                    // A worker subscribing to itself is said by `subscribe`.
                    let Some(&second) = path.get(1) else { continue };
                    let mut members: Vec<&str> = path.clone();
                    members.sort_unstable();
                    let first = edges[start].iter().find(|(n, _, _)| *n == second);
                    if let Some(&(_, span, i)) = first
                        && reported.insert(members)
                    {
                        let ring = path
                            .iter()
                            .chain(std::iter::once(start))
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" → ");
                        out.push(
                            Diagnostic::warning(
                                Code::Reference,
                                format!("{ring}: these workers subscribe to each other's topics, so no first deploy can create them"),
                            )
                            .at(span)
                            .path(format!("subscribe.topics[{i}].service"))
                            .help("deploy one of them first without the subscription that closes the loop, then add it"),
                        );
                    }
                } else if seen.insert(*next) && edges.contains_key(next) {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push((next, p));
                }
            }
        }
    }
    out
}
