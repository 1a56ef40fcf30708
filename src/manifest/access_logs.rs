//! An environment's `http.public.access_logs` (Copilot's field): the public load
//! balancer's access logs, to a bucket the environment creates (`true`) or to one of
//! the user's (`{bucket_name, prefix}`)
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>).

use super::decode::{Cx, Decode, Fields, Spanned};
use super::yaml::{Node, Value};
use schemars::JsonSchema;

/// `http.public.access_logs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessLogs {
    /// `true`: a bucket of the environment's, with the policy ELB needs; `false`: none.
    Managed(bool),
    /// The user's bucket, whose policy lets ELB write.
    Bucket {
        /// The bucket's name.
        bucket_name: Option<Spanned<String>>,
        /// The key prefix of the logs.
        prefix: Option<Spanned<String>>,
    },
}

impl JsonSchema for AccessLogs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AccessLogs".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The public load balancer's access logs: `true` (a bucket the environment creates), or `{bucket_name, prefix}` (a bucket of yours that lets ELB write).",
            "anyOf": [
                {"type": "boolean"},
                {"type": "object", "additionalProperties": false, "properties": {
                    "bucket_name": {"type": "string"},
                    "prefix": {"type": "string"}
                }}
            ]
        })
    }
}

impl Decode for AccessLogs {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(AccessLogs::Managed);
        }
        let mut f = Fields::new(node, cx, "http.public.access_logs")?;
        let a = AccessLogs::Bucket {
            bucket_name: f.opt(cx, "bucket_name"),
            prefix: f.opt(cx, "prefix"),
        };
        f.finish(cx);
        Some(a)
    }
}
