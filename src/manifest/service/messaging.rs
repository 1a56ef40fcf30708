//! `publish` (SNS topics a workload owns) and `subscribe` (a Worker Service's SQS queue
//! and the topics feeding it), with Copilot's field names and meaning, and
//! `count.queue_delay`. Decoding only; limits are checked in `validate/messaging.rs`.

use crate::manifest::decode::{Cx, Decode, Fields, Spanned};
use crate::manifest::duration::Duration;
use crate::manifest::yaml::{Node, Value};
use schemars::JsonSchema;

/// A name as a part of a CloudFormation logical ID: its letters and digits (Copilot's
/// rule, so `or-ders` and `orders` give the same ID, which validation refuses).
pub fn id_part(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// `publish`: the SNS topics this workload owns and may publish to.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// The topics, each named `<app>-<env>-<workload>-<name>` in AWS.
    #[serde(default)]
    pub topics: Vec<Spanned<Topic>>,
}

/// `publish.topics[]`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Topic name within the workload: letters, digits, `-` and `_`.
    pub name: Spanned<String>,
    /// A FIFO topic (`true`, or `{content_based_deduplication}`).
    pub fifo: Option<Spanned<TopicFifo>>,
}

/// `publish.topics[].fifo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicFifo {
    /// Whether the topic is FIFO (`fifo: true`, or the mapping form).
    pub enabled: bool,
    /// Deduplicate messages by a hash of their body.
    pub content_based_deduplication: Option<bool>,
}

impl JsonSchema for TopicFifo {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TopicFifo".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A FIFO topic: `true`, or `{content_based_deduplication}`.",
            "anyOf": [
                {"type": "boolean"},
                {"type": "object", "additionalProperties": false, "properties": {
                    "content_based_deduplication": {"type": "boolean", "description": "Deduplicate messages by a hash of their body."}
                }}
            ]
        })
    }
}

/// `subscribe`: a Worker Service's queue and the topics feeding it.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscribe {
    /// Topics published by other workloads of the application.
    #[serde(default)]
    pub topics: Vec<Spanned<TopicSubscription>>,
    /// The worker's queue (`COPILOT_QUEUE_URI`).
    pub queue: Option<Spanned<Queue>>,
}

/// `subscribe.topics[]`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSubscription {
    /// The topic's name in the publisher's `publish.topics`.
    pub name: Spanned<String>,
    /// The workload that publishes it.
    pub service: Spanned<String>,
    /// SNS filter policy: only matching messages reach the queue.
    pub filter_policy: Option<Spanned<FilterPolicy>>,
    /// A queue of its own for this topic (`true`, or queue settings) instead of the
    /// worker's queue.
    pub queue: Option<Spanned<TopicQueue>>,
}

/// An SNS filter policy, as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy(pub serde_json::Value);

impl JsonSchema for FilterPolicy {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FilterPolicy".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "object", "description": "An SNS subscription filter policy."})
    }
}

/// `subscribe.topics[].queue`: `true` for a queue with default settings, or settings.
#[derive(Debug, Clone, PartialEq)]
pub enum TopicQueue {
    /// `true` / `false`.
    Enabled(bool),
    /// Settings of the topic's own queue.
    Settings(Box<Queue>),
}

impl TopicQueue {
    /// The settings of the topic's own queue, when it has one.
    pub fn settings(&self) -> Option<Queue> {
        match self {
            TopicQueue::Enabled(true) => Some(Queue::default()),
            TopicQueue::Enabled(false) => None,
            TopicQueue::Settings(q) => Some((**q).clone()),
        }
    }
}

impl JsonSchema for TopicQueue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TopicQueue".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let q = generator.subschema_for::<Queue>();
        schemars::json_schema!({"anyOf": [{"type": "boolean"}, q]})
    }
}

/// An SQS queue's settings.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// How long a message is kept (60s–336h). Default 4 days.
    pub retention: Option<Spanned<Duration>>,
    /// Delay before a new message is visible (0s–15m). Default 0s.
    pub delay: Option<Spanned<Duration>>,
    /// Visibility timeout: how long a received message is hidden (0s–12h). Default 30s.
    pub timeout: Option<Spanned<Duration>>,
    /// A dead-letter queue for messages received too often.
    pub dead_letter: Option<DeadLetter>,
    /// A FIFO queue (`true`, or settings).
    pub fifo: Option<Spanned<Fifo>>,
}

/// `dead_letter`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadLetter {
    /// Receives before a message moves to the dead-letter queue (1–1000).
    pub tries: Option<Spanned<u32>>,
}

/// `fifo`: `true`, or FIFO settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fifo {
    /// `true` / `false`.
    Enabled(bool),
    /// FIFO with settings.
    Settings(FifoSettings),
}

impl Fifo {
    /// Whether the queue is FIFO.
    pub fn enabled(&self) -> bool {
        !matches!(self, Fifo::Enabled(false))
    }

    /// The settings written (none for `true`).
    pub fn settings(&self) -> FifoSettings {
        match self {
            Fifo::Settings(s) => s.clone(),
            Fifo::Enabled(_) => FifoSettings::default(),
        }
    }
}

/// FIFO queue settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FifoSettings {
    /// Deduplicate by a hash of the message body.
    pub content_based_deduplication: Option<bool>,
    /// `messageGroup` or `queue`.
    pub deduplication_scope: Option<Spanned<String>>,
    /// `perMessageGroupId` or `perQueue`.
    pub throughput_limit: Option<Spanned<String>>,
    /// High throughput: `perMessageGroupId` limits and `messageGroup` scope.
    pub high_throughput: Option<bool>,
}

impl JsonSchema for Fifo {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Fifo".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let s = generator.subschema_for::<FifoSettings>();
        schemars::json_schema!({"anyOf": [{"type": "boolean"}, s]})
    }
}

/// `count.queue_delay`: scale so that a message waits at most `acceptable_latency`,
/// given that one task handles one message in `msg_processing_time`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueDelay {
    /// How long a message may wait in the queue.
    pub acceptable_latency: Spanned<Duration>,
    /// How long a task takes to process one message.
    pub msg_processing_time: Spanned<Duration>,
    /// Cooldowns for this metric.
    pub cooldown: Option<super::Cooldown>,
}

impl Subscribe {
    /// Whether subscription `t` expects a FIFO topic: its own queue, or else the
    /// worker's queue, is FIFO (SNS FIFO topics deliver only to FIFO queues).
    pub fn expects_fifo(&self, t: &TopicSubscription) -> bool {
        match t.queue.as_ref().and_then(|q| q.value.settings()) {
            Some(q) => q.fifo.as_ref().is_some_and(|f| f.enabled()),
            None => self
                .queue
                .as_ref()
                .and_then(|q| q.value.fifo.as_ref())
                .is_some_and(|f| f.enabled()),
        }
    }
}

impl Decode for Publish {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "publish")?;
        let p = Publish {
            topics: f.opt(cx, "topics").unwrap_or_default(),
        };
        f.finish(cx);
        Some(p)
    }
}

impl Decode for Topic {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "publish topic")?;
        let name = f.req(cx, "name");
        let fifo = f.opt(cx, "fifo");
        f.finish(cx);
        Some(Topic { name: name?, fifo })
    }
}

impl Decode for TopicFifo {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(|enabled| TopicFifo {
                enabled,
                content_based_deduplication: None,
            });
        }
        let mut f = Fields::new(node, cx, "publish topic fifo")?;
        let t = TopicFifo {
            enabled: true,
            content_based_deduplication: f.opt(cx, "content_based_deduplication"),
        };
        f.finish(cx);
        Some(t)
    }
}

impl Decode for Subscribe {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "subscribe")?;
        let s = Subscribe {
            topics: f.opt(cx, "topics").unwrap_or_default(),
            queue: f.opt(cx, "queue"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for TopicSubscription {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "subscribed topic")?;
        let name = f.req(cx, "name");
        let service = f.req(cx, "service");
        let filter_policy = f.opt(cx, "filter_policy");
        let queue = f.opt(cx, "queue");
        f.finish(cx);
        Some(TopicSubscription {
            name: name?,
            service: service?,
            filter_policy,
            queue,
        })
    }
}

impl Decode for FilterPolicy {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(_) => Some(FilterPolicy(node.to_json())),
            Value::Scalar(s) => match serde_json::from_str::<serde_json::Value>(&s.text) {
                Ok(v @ serde_json::Value::Object(_)) => Some(FilterPolicy(v)),
                _ => {
                    cx.type_error(node, "a mapping (or a JSON object)");
                    None
                }
            },
            Value::Seq(_) => {
                cx.type_error(node, "a mapping (or a JSON object)");
                None
            }
        }
    }
}

impl Decode for TopicQueue {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(TopicQueue::Enabled);
        }
        Queue::decode(node, cx).map(|q| TopicQueue::Settings(Box::new(q)))
    }
}

impl Decode for Queue {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "queue")?;
        let q = Queue {
            retention: f.opt(cx, "retention"),
            delay: f.opt(cx, "delay"),
            timeout: f.opt(cx, "timeout"),
            dead_letter: f.opt(cx, "dead_letter"),
            fifo: f.opt(cx, "fifo"),
        };
        f.finish(cx);
        Some(q)
    }
}

impl Decode for DeadLetter {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "dead_letter")?;
        let d = DeadLetter {
            tries: f.opt(cx, "tries"),
        };
        f.finish(cx);
        Some(d)
    }
}

impl Decode for Fifo {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(Fifo::Enabled);
        }
        let mut f = Fields::new(node, cx, "fifo")?;
        let s = FifoSettings {
            content_based_deduplication: f.opt(cx, "content_based_deduplication"),
            deduplication_scope: f.opt(cx, "deduplication_scope"),
            throughput_limit: f.opt(cx, "throughput_limit"),
            high_throughput: f.opt(cx, "high_throughput"),
        };
        f.finish(cx);
        Some(Fifo::Settings(s))
    }
}

impl Decode for QueueDelay {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "count.queue_delay")?;
        let acceptable_latency = f.req(cx, "acceptable_latency");
        let msg_processing_time = f.req(cx, "msg_processing_time");
        let cooldown = f.opt(cx, "cooldown");
        f.finish(cx);
        Some(QueueDelay {
            acceptable_latency: acceptable_latency?,
            msg_processing_time: msg_processing_time?,
            cooldown,
        })
    }
}
