//! Checks of FireLens log routing (`logging`) and tracing (`observability.tracing`) on
//! the effective manifest, against what ECS documents: FireLens and the ADOT collector
//! run on Linux tasks only
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html>,
//! "FireLens … is not supported for Windows containers"), a Fargate log router reads its
//! configuration from a file in its image (the `s3` type is for EC2 only), and the
//! output needs a Fluent Bit plugin `Name` unless that file defines the outputs.

use super::Checker;
use crate::manifest::decode::Spanned;
use crate::manifest::diag::Code;
use crate::manifest::service::{Logging, ServiceManifest};
use crate::manifest::source::Span;

/// The log router container's name (as Copilot's).
pub const LOG_ROUTER: &str = "firelens_log_router";
/// The tracing collector container's name (as Copilot's).
pub const COLLECTOR: &str = "aws-otel-collector";

/// Where a `logging` block that routes logs is, for messages about the block as a whole.
fn logging_span(l: &Logging) -> Option<(Span, &'static str)> {
    l.image
        .as_ref()
        .map(|i| (i.span, "logging.image"))
        .or_else(|| {
            l.destination
                .iter()
                .next()
                .map(|(k, _)| (k.span, "logging.destination"))
        })
        .or_else(|| {
            l.config_file_path
                .as_ref()
                .map(|c| (c.span, "logging.configFilePath"))
        })
        .or_else(|| {
            l.enable_metadata
                .as_ref()
                .map(|e| (e.span, "logging.enableMetadata"))
        })
        .or_else(|| {
            l.secret_options
                .iter()
                .next()
                .map(|(k, _)| (k.span, "logging.secretOptions"))
        })
        .or_else(|| {
            l.variables
                .iter()
                .next()
                .map(|(k, _)| (k.span, "logging.variables"))
        })
        .or_else(|| {
            l.secrets
                .iter()
                .next()
                .map(|(k, _)| (k.span, "logging.secrets"))
        })
        .or_else(|| l.env_file.as_ref().map(|e| (e.span, "logging.env_file")))
}

/// FireLens and tracing rules.
pub(super) fn observability(c: &mut Checker, m: &ServiceManifest) {
    let windows = m.task.platform.as_ref().is_some_and(|p| p.os.is_windows());
    if let Some(l) = m.firelens() {
        firelens(c, m, l, windows);
    }
    if let Some(t) = m.tracing() {
        if windows {
            c.error(
                Code::InvalidValue,
                t.span,
                "observability.tracing",
                "tracing is not available on Windows: the AWS Distro for OpenTelemetry collector runs in a Linux container",
                Some("remove `observability.tracing`, or run the service on `linux/x86_64` or `linux/arm64`".into()),
            );
        }
        reserved_name(
            c,
            m,
            COLLECTOR,
            "observability.tracing",
            "the tracing collector",
        );
    }
}

fn firelens(c: &mut Checker, m: &ServiceManifest, l: &Logging, windows: bool) {
    let Some((span, at)) = logging_span(l) else {
        return;
    };
    if windows {
        c.error(
            Code::InvalidValue,
            span,
            at,
            "FireLens log routing is not available on Windows tasks",
            Some("keep only `logging.retention` (logs go to CloudWatch Logs), or run the service on Linux".into()),
        );
    }
    reserved_name(c, m, LOG_ROUTER, at, "the FireLens log router");
    if let Some(img) = &l.image
        && (img.is_empty() || img.chars().any(char::is_whitespace))
    {
        c.error(
            Code::InvalidValue,
            img.span,
            "logging.image",
            format!("`{}` is not an image reference", img.value.escape_debug()),
            None,
        );
    }
    if let Some(p) = &l.config_file_path {
        config_file(c, p);
    }
    if !l.destination.is_empty()
        && l.config_file_path.is_none()
        && !l.destination.iter().any(|(k, _)| k.value == "Name")
    {
        let (k, _) = l.destination.iter().next().expect("not empty");
        c.error(
            Code::MissingField,
            k.span,
            "logging.destination.Name",
            "`logging.destination` needs `Name`: the Fluent Bit output plugin the logs go to",
            Some("for example `Name: cloudwatch_logs` with `region` and `log_group_name`, or `Name: firehose` with `region` and `delivery_stream`".into()),
        );
    }
    // The option each known output needs to know where to write.
    const TARGETS: &[(&[&str], &[&str])] = &[
        (
            &["cloudwatch", "cloudwatch_logs"],
            &["log_group_name", "log_group_template"],
        ),
        (&["firehose", "kinesis_firehose"], &["delivery_stream"]),
        (&["kinesis", "kinesis_streams"], &["stream"]),
        (&["s3"], &["bucket"]),
    ];
    if let Some((_, name)) = l.destination.iter().find(|(k, _)| k.value == "Name")
        && let Some((_, needs)) = TARGETS
            .iter()
            .find(|(plugins, _)| plugins.contains(&name.value.to_ascii_lowercase().as_str()))
        && !l
            .destination
            .iter()
            .any(|(k, _)| needs.iter().any(|n| k.value.eq_ignore_ascii_case(n)))
    {
        c.error(
            Code::MissingField,
            name.span,
            &format!("logging.destination.{}", needs[0]),
            format!(
                "the `{}` output needs `{}`: where the logs go",
                name.value,
                needs.join("` or `")
            ),
            None,
        );
    }
    for (k, v) in l.destination.iter() {
        if k.is_empty() || v.is_empty() {
            c.error(
                Code::InvalidValue,
                if k.is_empty() { k.span } else { v.span },
                &format!("logging.destination.{}", k.value),
                "log driver options need a name and a value",
                None,
            );
        }
    }
}

fn config_file(c: &mut Checker, p: &Spanned<String>) {
    let help = if p.starts_with("arn:") {
        "on Fargate, Fluent Bit reads its extra configuration from a file in the log router's image (`config-file-type: file`); S3 configuration files work only on EC2. Build an image with the file, or use `destination`"
    } else {
        "the path of a file inside the log router's image, like `/fluent-bit/etc/extra.conf`"
    };
    if !p.starts_with('/') {
        c.error(
            Code::InvalidValue,
            p.span,
            "logging.configFilePath",
            format!("`{}` is not an absolute path", p.value.escape_debug()),
            Some(help.into()),
        );
    }
}

/// A sidecar may not take the name of a container wharf adds.
fn reserved_name(c: &mut Checker, m: &ServiceManifest, name: &str, cause_path: &str, what: &str) {
    let clash = m
        .task
        .sidecars
        .iter()
        .map(|(k, _)| k)
        .find(|k| k.value == name)
        .or((m.name.value == name).then_some(&m.name));
    if let Some(k) = clash {
        c.error(
            Code::InvalidValue,
            k.span,
            if k.span == m.name.span {
                "name".to_string()
            } else {
                format!("sidecars.{name}")
            }
            .as_str(),
            format!("`{name}` is the name of {what} wharf adds for `{cause_path}`"),
            Some("rename this container".into()),
        );
    }
}
