//! Service Connect: the namespace, and the main port offered under its alias. Its part
//! of the template is in `svc-service.yml`; discovery by DNS is `svc-discovery.yml`.

use super::*;

/// Service Connect, when the manifest asks for it.
pub(super) fn plan(m: &ServiceManifest, app: &str, env: &EnvManifest) -> Option<ConnectPlan> {
    let name = &m.name.value;
    m.connect().map(|c| ConnectPlan {
        namespace: env.namespace_name(app),
        // The DNS discovery service already uses the service name in this namespace.
        service: m.task.image.port.as_ref().map(|p| ConnectService {
            port_name: "target",
            discovery_name: format!("{name}-sc"),
            alias: c.alias.as_ref().map_or(name.clone(), |a| a.value.clone()),
            port: p.value.0,
        }),
    })
}
