//! SNS topics a workload publishes (`publish.topics`) and a Worker Service's SQS queues
//! and subscriptions (`subscribe`), with Copilot's logical IDs, physical topic names
//! (`<app>-<env>-<workload>-<topic>`) and container variables. Queues use SQS-managed
//! encryption (SSE-SQS), which SNS can deliver to without a key policy, except in a
//! Copilot workspace, where they keep Copilot's `EventsKMSKey` (messages already in a
//! queue or its dead-letter queue stay readable after a take-over); topics use the
//! AWS-managed SNS key. Its partials are `svc-topics.yml` and `svc-queues.yml`.
//! Scaling on a queue's backlog is in `scaling.rs` (`queue_policies`).

use super::*;
use crate::manifest::decode::Spanned;
use crate::manifest::service::{Queue, Subscribe, Topic};

/// Retention of a dead-letter queue (seconds): SQS's longest, 14 days.
const DEAD_LETTER_RETENTION: u64 = 14 * 24 * 3600;

use crate::manifest::service::id_part as safe;

/// Copilot's `Title` on a safe name: first letter upper-case, the rest lower-case.
fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase()
            .chain(c.flat_map(char::to_lowercase))
            .collect()
    })
}

/// The topic name in AWS: `<app>-<env>-<workload>-<topic>[.fifo]`.
pub fn topic_name(app: &str, env: &str, workload: &str, topic: &str, fifo: bool) -> String {
    format!(
        "{app}-{env}-{workload}-{topic}{}",
        if fifo { ".fifo" } else { "" }
    )
}

/// `!Sub` text of a topic's ARN in this account and region.
fn topic_arn(name: &str) -> String {
    format!("arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{name}")
}

/// What `publish` and `subscribe` add to the stack, and the main container's variables.
pub(super) fn plan(
    m: &ServiceManifest,
    app: &str,
    env: &str,
    prefix: &str,
) -> (Option<MessagingPlan>, Vec<(String, String)>) {
    let copilot = prefix == "COPILOT";
    let name = m.name.value.as_str();
    let topics: Vec<TopicPlan> = m
        .topics()
        .iter()
        .map(|t| publish_topic(t, app, env, name))
        .collect();
    let mut vars = Vec::new();
    let names = |p: &str| {
        let mut v = vec![format!("COPILOT_{p}")];
        if prefix != "COPILOT" {
            v.push(format!("{prefix}_{p}"));
        }
        v.push(format!("WHARF_{p}"));
        v.dedup();
        v
    };
    if !topics.is_empty() {
        let arns: BTreeMap<&str, String> = topics
            .iter()
            .map(|t| (t.key.as_str(), topic_arn(&t.name)))
            .collect();
        let json = serde_json::to_string(&arns).unwrap_or_default();
        for n in names("SNS_TOPIC_ARNS") {
            vars.push((n, sub(&json)));
        }
    }
    let mut queues = Vec::new();
    let mut subscriptions = Vec::new();
    if *m.kind == ServiceType::WorkerService {
        let default = Subscribe::default();
        let s = m.subscribe().unwrap_or(&default);
        let shared = s
            .queue
            .as_ref()
            .map(|q| q.value.clone())
            .unwrap_or_default();
        let mut events = queue_plan("EventsQueue", "DeadLetterQueue", &shared);
        let mut own_queue_vars = BTreeMap::new();
        for t in &s.topics {
            let t = &t.value;
            let own = t.queue.as_ref().and_then(|q| q.value.settings());
            let fifo = s.expects_fifo(t);
            let publisher = topic_name(app, env, &t.service.value, &t.name.value, fifo);
            // Copilot's IDs name a FIFO topic with its `.fifo` (`mytopicmytopicfifo…`).
            let topic_key = format!("{}{}", t.name.value, if fifo { ".fifo" } else { "" });
            let id = format!("{}{}", safe(&t.service.value), safe(&topic_key));
            let arn = topic_arn(&publisher);
            let target = match own {
                Some(q) => {
                    let mut qp = queue_plan(
                        &format!("{id}EventsQueue"),
                        &format!("{id}DeadLetterQueue"),
                        &q,
                    );
                    qp.sources.push(sub(&arn));
                    own_queue_vars.insert(
                        format!(
                            "{}{}EventsQueue",
                            safe(&t.service.value),
                            title(&safe(&topic_key))
                        ),
                        format!("${{{id}EventsQueue}}"),
                    );
                    let logical = qp.logical_id.clone();
                    queues.push(qp);
                    logical
                }
                None => {
                    events.sources.push(sub(&arn));
                    events.logical_id.clone()
                }
            };
            subscriptions.push(SubscriptionPlan {
                logical_id: format!("{id}SNSTopicSubscription"),
                topic_arn: sub(&arn),
                queue: target,
                filter_policy: t
                    .filter_policy
                    .as_ref()
                    .map(|f| serde_json::to_string(&f.value.0).unwrap_or_default()),
                what: format!("topic `{}` of `{}`", t.name.value, t.service.value),
            });
        }
        queues.insert(0, events);
        for n in names("QUEUE_URI") {
            vars.push((n, "!Ref EventsQueue".into()));
        }
        if !own_queue_vars.is_empty() {
            let json = serde_json::to_string(&own_queue_vars).unwrap_or_default();
            for n in names("TOPIC_QUEUE_URIS") {
                vars.push((n, sub(&json)));
            }
        }
    }
    let plan = (!topics.is_empty() || !queues.is_empty()).then_some(MessagingPlan {
        topics,
        kms_key: copilot && !queues.is_empty(),
        queues,
        subscriptions,
    });
    (plan, vars)
}

/// The logical ID of a published topic in its workload's stack (Copilot's).
pub fn topic_logical_id(name: &str, fifo: bool) -> String {
    format!("{}{}SNSTopic", safe(name), if fifo { "fifo" } else { "" })
}

fn publish_topic(t: &Spanned<Topic>, app: &str, env: &str, workload: &str) -> TopicPlan {
    let fifo = t.fifo.as_ref().filter(|f| f.enabled);
    let n = &t.name.value;
    TopicPlan {
        logical_id: topic_logical_id(n, fifo.is_some()),
        key: format!("{n}{}", if fifo.is_some() { ".fifo" } else { "" }),
        name: topic_name(app, env, workload, n, fifo.is_some()),
        fifo: fifo.is_some(),
        content_dedup: fifo.and_then(|f| f.content_based_deduplication),
    }
}

fn queue_plan(logical_id: &str, dlq: &str, q: &Queue) -> QueuePlan {
    let fifo = q.fifo.as_ref().filter(|f| f.enabled());
    let settings = fifo.map(|f| f.settings()).unwrap_or_default();
    let high = settings.high_throughput == Some(true);
    QueuePlan {
        logical_id: logical_id.into(),
        policy_id: format!(
            "{}QueuePolicy",
            logical_id.strip_suffix("EventsQueue").unwrap_or(logical_id)
        ),
        dead_letter: q
            .dead_letter
            .as_ref()
            .and_then(|d| d.tries.as_ref())
            .map(|t| DeadLetterPlan {
                logical_id: dlq.into(),
                tries: t.value,
                retention: DEAD_LETTER_RETENTION,
            }),
        fifo: fifo.is_some(),
        content_dedup: settings.content_based_deduplication,
        dedup_scope: if high {
            Some("messageGroup".into())
        } else {
            settings.deduplication_scope.map(|s| s.value)
        },
        throughput_limit: if high {
            Some("perMessageGroupId".into())
        } else {
            settings.throughput_limit.map(|s| s.value)
        },
        retention: q.retention.as_ref().map(|d| d.secs()),
        delay: q.delay.as_ref().map(|d| d.secs()),
        timeout: q.timeout.as_ref().map(|d| d.secs()),
        sources: Vec::new(),
    }
}
