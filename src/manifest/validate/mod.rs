//! Semantic checks on decoded manifests: things the shape alone cannot say (ranges,
//! Fargate sizes, either/or fields, references between manifests). Every finding carries
//! the span of the value it is about. Pure.

mod containers;
mod environment;
pub mod http;
pub mod messaging;
pub mod net;
mod nlb;
pub mod observability;
pub mod service;

pub use environment::{validate_app, validate_app_domain, validate_env};
pub use service::{RESERVED_PREFIXES, validate_service};

use super::diag::{Code, Diagnostic, Diagnostics};
use super::source::Span;

/// Collects findings of one manifest.
pub(crate) struct Checker<'a> {
    diags: &'a mut Diagnostics,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(diags: &'a mut Diagnostics) -> Self {
        Checker { diags }
    }

    fn report(&mut self, d: Diagnostic, span: Span, path: &str, help: Option<String>) {
        self.diags.push(d.at(span).path(path).maybe_help(help));
    }

    fn error(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        self.report(Diagnostic::error(code, message), span, path, help.into());
    }

    fn warn(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        self.report(Diagnostic::warning(code, message), span, path, help.into());
    }

    /// `value` must be within `lo..=hi`.
    fn range<T: PartialOrd + std::fmt::Display>(
        &mut self,
        value: T,
        lo: T,
        hi: T,
        span: Span,
        path: &str,
        unit: &str,
    ) {
        if value < lo || value > hi {
            self.error(
                Code::Range,
                span,
                path,
                format!("`{path}` is {value}{unit}, must be from {lo}{unit} to {hi}{unit}"),
                None,
            );
        }
    }

    /// A duration that CloudFormation takes in whole seconds, within bounds.
    fn seconds(
        &mut self,
        d: &super::decode::Spanned<super::duration::Duration>,
        lo: u64,
        hi: u64,
        path: &str,
    ) -> Option<u64> {
        match d.whole_secs() {
            Some(s) => {
                self.range(s, lo, hi, d.span, path, "s");
                Some(s)
            }
            None => {
                self.error(
                    Code::InvalidValue,
                    d.span,
                    path,
                    format!(
                        "`{path}` must be a whole number of seconds, found {}",
                        d.value
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A CIDR block.
    fn cidr(&mut self, s: &super::decode::Spanned<String>, path: &str) -> Option<net::Cidr> {
        match net::Cidr::parse(s) {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(
                    Code::InvalidValue,
                    s.span,
                    path,
                    format!("`{path}` is not a valid CIDR block: {e}"),
                    None,
                );
                None
            }
        }
    }

    /// A resource name: starts with a letter; letters, digits and hyphens.
    fn name(&mut self, s: &super::decode::Spanned<String>, what: &str, path: &str) {
        let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !s.ends_with('-')
            && s.len() <= 40;
        if !ok {
            self.error(
                Code::InvalidValue,
                s.span,
                path,
                format!("`{}` is not a valid {what} name", s.value),
                Some("names start with a letter, use only letters, digits and hyphens, do not end with a hyphen, and are at most 40 characters".into()),
            );
        }
    }
}

/// Whether `s` is an AWS resource ID with `prefix` (`subnet-`, `sg-`, `fs-`, `fsap-`):
/// 8 to 17 hexadecimal digits after it.
fn aws_id(s: &str, prefix: &str) -> bool {
    // EC2 and EFS IDs are lower-case: `sg-0ABC…` is refused by the APIs.
    s.strip_prefix(prefix).is_some_and(|h| {
        (8..=17).contains(&h.len())
            && h.chars()
                .all(|ch| ch.is_ascii_digit() || ('a'..='f').contains(&ch))
    })
}

#[cfg(test)]
mod tests;
