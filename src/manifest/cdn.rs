//! An environment's `cdn` (Copilot's field): a CloudFront distribution in front of the
//! public load balancer, with static assets from an S3 bucket; and the ways to let
//! only CloudFront reach the load balancer (`http.public.ingress.cdn`, and Copilot's
//! older `http.public.security_groups.ingress.restrict_to.cdn`).

use super::decode::{Cx, Decode, Fields, Spanned};
use super::yaml::{Node, Value};
use schemars::JsonSchema;

/// `cdn`: `true`, or settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cdn {
    /// Whether there is a distribution (`cdn: false` is none).
    pub enabled: bool,
    /// ACM certificate (in us-east-1, as CloudFront requires) for the services'
    /// aliases; without one, CloudFront answers on its own `*.cloudfront.net` name.
    pub certificate: Option<Spanned<String>>,
    /// CloudFront ends TLS and reaches the load balancer over HTTP.
    pub terminate_tls: Option<Spanned<bool>>,
    /// Files served from an S3 bucket instead of the load balancer.
    pub static_assets: Option<Spanned<StaticAssets>>,
}

impl JsonSchema for Cdn {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cdn".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let assets = g.subschema_for::<StaticAssets>();
        schemars::json_schema!({
            "description": "A CloudFront distribution in front of the public load balancer: `true`, or settings.",
            "anyOf": [
                {"type": "boolean"},
                {"type": "object", "additionalProperties": false, "properties": {
                    "certificate": {"type": "string", "description": "ACM certificate ARN in us-east-1 for the services' aliases."},
                    "terminate_tls": {"type": "boolean", "description": "CloudFront ends TLS and reaches the load balancer over HTTP."},
                    "static_assets": assets
                }}
            ]
        })
    }
}

/// `cdn.static_assets`: files from an S3 bucket.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaticAssets {
    /// The bucket's domain name (`<bucket>.s3.<region>.amazonaws.com`).
    pub location: Option<Spanned<String>>,
    /// A domain name of the distribution for the files.
    pub alias: Option<Spanned<String>>,
    /// The path pattern served from the bucket (`static/*`).
    pub path: Option<Spanned<String>>,
}

/// `http.public.security_groups` (Copilot's older spelling of `ingress.cdn`).
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicSecurityGroups {
    /// `ingress.restrict_to.cdn`.
    pub ingress: Option<RestrictIngress>,
}

/// `http.public.security_groups.ingress`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictIngress {
    /// `restrict_to.cdn`.
    pub restrict_to: Option<RestrictTo>,
}

/// `http.public.security_groups.ingress.restrict_to`.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictTo {
    /// Only CloudFront reaches the load balancer.
    pub cdn: Option<Spanned<bool>>,
}

impl Decode for Cdn {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        if let Value::Scalar(_) = node.value {
            return bool::decode(node, cx).map(|enabled| Cdn {
                enabled,
                ..Cdn::default()
            });
        }
        let mut f = Fields::new(node, cx, "cdn")?;
        let c = Cdn {
            enabled: true,
            certificate: f.opt(cx, "certificate"),
            terminate_tls: f.opt(cx, "terminate_tls"),
            static_assets: f.opt(cx, "static_assets"),
        };
        f.finish(cx);
        Some(c)
    }
}

impl Decode for StaticAssets {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "cdn.static_assets")?;
        let s = StaticAssets {
            location: f.opt(cx, "location"),
            alias: f.opt(cx, "alias"),
            path: f.opt(cx, "path"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for PublicSecurityGroups {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.public.security_groups")?;
        let s = PublicSecurityGroups {
            ingress: f.opt(cx, "ingress"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for RestrictIngress {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.public.security_groups.ingress")?;
        let s = RestrictIngress {
            restrict_to: f.opt(cx, "restrict_to"),
        };
        f.finish(cx);
        Some(s)
    }
}

impl Decode for RestrictTo {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "http.public.security_groups.ingress.restrict_to")?;
        let s = RestrictTo {
            cdn: f.opt(cx, "cdn"),
        };
        f.finish(cx);
        Some(s)
    }
}
