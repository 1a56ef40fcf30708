//! Failed AWS calls, sorted into the few kinds a user can act on: no credentials, expired
//! credentials, no permission, an endpoint that cannot be reached, throttling, a missing
//! resource, a rejected request. Each kind has one sentence and one line of advice; the
//! SDK's own error chain is kept only for `--verbose` (or `RUST_LOG`).
//!
//! The SDK reports credential problems as a dispatch failure whose source chain holds an
//! `aws_credential_types::provider::error::CredentialsError` (or a `TokenError` for SSO),
//! and connection problems as a `ConnectorError` (timeout or I/O), so classification walks
//! that chain.

use aws_credential_types::provider::error::{CredentialsError, TokenError};
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::error::display::DisplayErrorContext;
use std::error::Error as StdError;

pub use crate::api::{AwsError, ErrorKind, endpoint_for};

/// Turns an SDK error into an [`AwsError`] naming the operation and resource.
pub(crate) fn call_error<E>(
    operation: &'static str,
    resource: impl Into<String>,
    err: aws_sdk_cloudformation::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    use aws_sdk_cloudformation::error::SdkError;
    let detail = Some(DisplayErrorContext(&err).to_string());
    let (kind, code, message) = match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().map(str::to_string);
            match (code, e.message()) {
                (None, None) => {
                    // Not an AWS error answer at all: something else listens there.
                    let status = se.raw().status().as_u16();
                    let target = match endpoint_for(operation) {
                        Some((var, url)) => format!("{url} (set by {var})"),
                        None => "the AWS endpoint".to_string(),
                    };
                    (
                        ErrorKind::Transport,
                        None,
                        format!(
                            "{target} answered HTTP {status} without an AWS error: it does not look like an AWS endpoint"
                        ),
                    )
                }
                (code, message) => {
                    let message = message.unwrap_or("no message").to_string();
                    (classify(code.as_deref(), &message), code, message)
                }
            }
        }
        _ => {
            let (kind, message) = classify_chain(&err, endpoint_for(operation));
            (kind, None, message)
        }
    };
    AwsError::Call {
        operation,
        resource: resource.into(),
        kind,
        code,
        message,
        detail,
    }
}

/// Sorts a failure that never got an answer from AWS (no credentials, no connection) by
/// walking its source chain, and says it in one sentence. `endpoint` is the custom
/// endpoint in force for the call's service and the variable that set it (`None` for
/// AWS's own), as [`endpoint_for`] finds it.
pub fn classify_chain(
    err: &(dyn StdError + 'static),
    endpoint: Option<(String, String)>,
) -> (ErrorKind, String) {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut io: Option<std::io::ErrorKind> = None;
    let mut timeout = false;
    while let Some(e) = cur {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return credentials(c);
        }
        if let Some(t) = e.downcast_ref::<TokenError>() {
            return token(t);
        }
        if let Some(c) = e.downcast_ref::<ConnectorError>() {
            timeout |= c.is_timeout();
        }
        if let Some(i) = e.downcast_ref::<std::io::Error>() {
            io.get_or_insert(i.kind());
        }
        let text = e.to_string().to_ascii_lowercase();
        timeout |= text.contains("timed out") || text.contains("timeout");
        if io.is_none() {
            if text.contains("connection refused") {
                io = Some(std::io::ErrorKind::ConnectionRefused);
            } else if text.contains("dns error") || text.contains("failed to lookup address") {
                io = Some(std::io::ErrorKind::NotFound);
            }
        }
        cur = e.source();
    }
    let target = match endpoint {
        Some((_, url)) => format!("the AWS endpoint {url}"),
        None => "the AWS endpoint".to_string(),
    };
    match (io, timeout) {
        (Some(std::io::ErrorKind::ConnectionRefused), _) => (
            ErrorKind::Transport,
            format!("could not connect to {target}: connection refused"),
        ),
        (Some(std::io::ErrorKind::NotFound), _) => (
            ErrorKind::Transport,
            format!("could not find {target}: its host name does not resolve"),
        ),
        (_, true) => (
            ErrorKind::Transport,
            format!("{target} did not answer in time"),
        ),
        (Some(k), false) => (
            ErrorKind::Transport,
            format!("could not reach {target}: {k}"),
        ),
        (None, false) => (ErrorKind::Other, first_line(err)),
    }
}

fn credentials(c: &CredentialsError) -> (ErrorKind, String) {
    match c {
        CredentialsError::CredentialsNotLoaded(_) => (
            ErrorKind::NoCredentials,
            "no AWS credentials were found".into(),
        ),
        CredentialsError::ProviderTimedOut(_) => (
            ErrorKind::NoCredentials,
            "loading AWS credentials timed out".into(),
        ),
        other if expired(other) => (
            ErrorKind::ExpiredCredentials,
            "the AWS credentials have expired".into(),
        ),
        CredentialsError::InvalidConfiguration(_) => (
            ErrorKind::NoCredentials,
            format!("the AWS configuration is not valid: {}", source_text(c)),
        ),
        _ => (
            ErrorKind::NoCredentials,
            format!("AWS credentials could not be loaded: {}", source_text(c)),
        ),
    }
}

fn token(t: &TokenError) -> (ErrorKind, String) {
    match t {
        TokenError::TokenNotLoaded(_) => (
            ErrorKind::NoCredentials,
            "no AWS SSO token was found".into(),
        ),
        _ if expired(t) => (
            ErrorKind::ExpiredCredentials,
            "the AWS SSO session has expired".into(),
        ),
        _ => (
            ErrorKind::NoCredentials,
            format!("the AWS SSO token could not be loaded: {}", source_text(t)),
        ),
    }
}

/// Whether a credential failure is an expiry (SSO sessions, session tokens).
fn expired(e: &(dyn StdError + 'static)) -> bool {
    let text = format!("{:?}", DisplayErrorContext(e)).to_ascii_lowercase();
    text.contains("expired") || text.contains("sso session") || text.contains("refresh")
}

/// The innermost message of a chain, on one line.
fn source_text(e: &(dyn StdError + 'static)) -> String {
    let mut cur = e;
    while let Some(s) = cur.source() {
        cur = s;
    }
    cur.to_string().lines().next().unwrap_or("").to_string()
}

fn first_line(e: &(dyn StdError + 'static)) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

/// Sorts an AWS error code (and message) into a kind.
pub fn classify(code: Option<&str>, message: &str) -> ErrorKind {
    match code.unwrap_or("") {
        c if c.contains("Throttl")
            || c == "TooManyRequestsException"
            || c == "RequestLimitExceeded"
            || c == "SlowDown" =>
        {
            ErrorKind::Throttled
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            ErrorKind::ExpiredCredentials
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "AuthFailure" => ErrorKind::InvalidCredentials,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        "ValidationError" if message.contains("does not exist") => ErrorKind::NotFound,
        c if c.contains("NotFound") || c == "NoSuchEntity" || c == "NoSuchBucket" => {
            ErrorKind::NotFound
        }
        "ValidationError"
        | "ValidationException"
        | "InvalidParameterValue"
        | "InvalidParameterException" => ErrorKind::Validation,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::error::SdkError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

    type Sdk = SdkError<
        aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError,
        HttpResponse,
    >;

    fn dispatch(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Sdk {
        SdkError::dispatch_failure(ConnectorError::other(source.into(), None))
    }

    fn call(e: Sdk) -> AwsError {
        call_error("DescribeStacks", "stack shop-test", e)
    }

    #[test]
    fn classifies_common_codes() {
        assert_eq!(
            classify(Some("ThrottlingException"), ""),
            ErrorKind::Throttled
        );
        assert_eq!(classify(Some("Throttling"), ""), ErrorKind::Throttled);
        assert_eq!(
            classify(Some("ValidationError"), "Stack with id x does not exist"),
            ErrorKind::NotFound
        );
        assert_eq!(
            classify(Some("ValidationError"), "Template format error"),
            ErrorKind::Validation
        );
        assert_eq!(classify(Some("AccessDenied"), ""), ErrorKind::AccessDenied);
        assert_eq!(
            classify(Some("ExpiredToken"), ""),
            ErrorKind::ExpiredCredentials
        );
        assert_eq!(
            classify(Some("InvalidClientTokenId"), ""),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(
            classify(Some("ClusterNotFoundException"), ""),
            ErrorKind::NotFound
        );
        assert_eq!(classify(Some("Weird"), ""), ErrorKind::Other);
    }

    #[test]
    fn no_credentials_is_one_sentence_with_advice() {
        let e = call(dispatch(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        )));
        assert_eq!(e.kind(), Some(ErrorKind::NoCredentials));
        assert_eq!(
            e.to_string(),
            "DescribeStacks on stack shop-test failed: no AWS credentials were found"
        );
        assert!(e.advice().unwrap().contains("aws configure"));
        assert!(e.detail().unwrap().contains("DispatchFailure"));
    }

    #[test]
    fn expired_sso_session_says_sso_login() {
        let e = call(dispatch(CredentialsError::provider_error(
            "the SSO session has expired or is invalid",
        )));
        assert_eq!(e.kind(), Some(ErrorKind::ExpiredCredentials));
        assert!(e.advice().unwrap().contains("aws sso login"));
        let t = call(dispatch(TokenError::provider_error(
            "the cached SSO token is expired",
        )));
        assert_eq!(t.kind(), Some(ErrorKind::ExpiredCredentials));
    }

    #[test]
    fn refused_connection_names_the_endpoint() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = call(SdkError::dispatch_failure(ConnectorError::io(io.into())));
        assert_eq!(e.kind(), Some(ErrorKind::Transport));
        assert!(e.message().contains("connection refused"), "{e}");
        assert!(!e.to_string().contains("DispatchFailure"));
    }

    #[test]
    fn timeout_is_transport() {
        let e = call(SdkError::timeout_error("operation timed out"));
        assert_eq!(e.kind(), Some(ErrorKind::Transport));
        assert!(e.message().contains("did not answer in time"), "{e}");
    }

    #[test]
    fn access_denied_names_the_operation() {
        let e = AwsError::Call {
            operation: "CreateChangeSet",
            resource: "stack s".into(),
            kind: classify(Some("AccessDenied"), "User is not authorized"),
            code: Some("AccessDenied".into()),
            message: "User is not authorized".into(),
            detail: None,
        };
        assert!(e.advice().unwrap().contains("CreateChangeSet"));
        use miette::Diagnostic;
        assert_eq!(e.code().unwrap().to_string(), "wharf::aws::access_denied");
    }

    #[test]
    fn no_region_has_advice() {
        assert!(AwsError::NoRegion.advice().unwrap().contains("--region"));
    }
}
