//! `observability.tracing: awsxray`: an AWS Distro for OpenTelemetry collector sidecar
//! (`aws-otel-collector`, as Copilot names it) running its built-in ECS X-Ray
//! configuration, which receives traces on OTLP (4317/4318) and X-Ray's UDP 2000 port,
//! and the task role's `AWSXRayDaemonWriteAccess` managed policy
//! (<https://aws-otel.github.io/docs/setup/ecs>). The collector is not essential: a
//! tracing failure does not stop the service.

use super::*;
use crate::manifest::validate::observability::COLLECTOR;

/// The collector's image, pinned.
pub const IMAGE: &str = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";
/// The collector's built-in configuration for traces to X-Ray.
pub const CONFIG: &str = "--config=/etc/ecs/ecs-xray.yaml";

/// The collector container, when the service traces.
pub(super) fn collector(m: &ServiceManifest) -> Option<ContainerPlan> {
    m.tracing()?;
    Some(ContainerPlan {
        name: COLLECTOR.into(),
        image: quote(IMAGE),
        essential: false,
        command: Some(vec![CONFIG.into()]),
        ..Default::default()
    })
}
