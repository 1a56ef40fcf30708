//! The application manifest (`wharf/app.yml`), or the application a Copilot workspace's
//! `copilot/.workspace` names.

use super::decode::{Cx, Decode, Fields, Keyed, Spanned};
use super::yaml::Node;
use schemars::JsonSchema;

/// An application manifest.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wharf application manifest")]
pub struct AppManifest {
    /// Application name: prefixes every stack and resource.
    pub name: Spanned<String>,
    /// Domain name for the application (a Route 53 hosted zone).
    pub domain: Option<Spanned<String>>,
    /// Tags added to every stack.
    #[serde(default)]
    pub tags: Keyed<Spanned<String>>,
    /// Name of an IAM policy used as permissions boundary on every role wharf creates.
    pub permissions_boundary: Option<Spanned<String>>,
    /// Default AWS region for environments that do not declare one.
    pub region: Option<Spanned<String>>,
}

impl Decode for AppManifest {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let mut f = Fields::new(node, cx, "application manifest")?;
        let name = f.req(cx, "name");
        let m = AppManifest {
            name: name?,
            domain: f.opt(cx, "domain"),
            tags: f.opt(cx, "tags").unwrap_or_default(),
            permissions_boundary: f.opt(cx, "permissions_boundary"),
            region: f.opt(cx, "region"),
        };
        f.finish(cx);
        Some(m)
    }
}

/// The `copilot/.workspace` file: `application: <name>`, and wharf's optional
/// `domain: <domain>` (Copilot keeps an application's domain in its SSM store, not in
/// the workspace; Copilot reads this file leniently and ignores the key).
pub fn decode_copilot_workspace(
    node: &Node,
    cx: &mut Cx,
) -> Option<(Spanned<String>, Option<Spanned<String>>)> {
    let mut f = Fields::new(node, cx, "Copilot .workspace file")?;
    // Only `application` and `domain` matter; other keys are Copilot's own bookkeeping,
    // not manifest content, so they are not reported.
    let name = f.req(cx, "application");
    let domain = f.opt(cx, "domain");
    Some((name?, domain))
}
