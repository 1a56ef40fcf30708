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

/// What kind of failure an AWS call had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The thing does not exist.
    NotFound,
    /// Rate limited (after the SDK's own retries).
    Throttled,
    /// The credentials are valid but lack permission for the call.
    AccessDenied,
    /// No credentials anywhere in the chain (environment, profile, SSO, instance role).
    NoCredentials,
    /// Credentials were found but have expired (an SSO session, a session token).
    ExpiredCredentials,
    /// Credentials were found but AWS does not recognize them (a wrong or deleted key).
    InvalidCredentials,
    /// The request was rejected as invalid.
    Validation,
    /// The endpoint could not be reached, or did not answer in time.
    Transport,
    /// Anything else.
    Other,
}

/// A failed AWS call: which operation, on what, and why.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// No region anywhere.
    #[error("no AWS region is configured")]
    NoRegion,
    /// The named profile is in neither shared file.
    #[error(
        "the AWS profile `{profile}` (from {source_name}) is not in the AWS config or credentials file"
    )]
    UnknownProfile {
        /// The profile name.
        profile: String,
        /// Where the name came from: `--profile` or `AWS_PROFILE`.
        source_name: &'static str,
    },
    /// An API call failed.
    #[error("{operation} on {resource} failed: {message}")]
    Call {
        /// API operation, like `CreateChangeSet`.
        operation: &'static str,
        /// The resource, like `stack shop-test`.
        resource: String,
        /// Classified cause.
        kind: ErrorKind,
        /// AWS's error code, when there is one.
        code: Option<String>,
        /// AWS's message, or one sentence for failures that never reached AWS.
        message: String,
        /// The SDK's whole error chain, shown only with `--verbose` or `RUST_LOG`.
        detail: Option<String>,
    },
}

impl AwsError {
    /// A failure found by wharf in an answer (not an SDK error): kind `Other`, no detail.
    pub fn answer(
        operation: &'static str,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        AwsError::Call {
            operation,
            resource: resource.into(),
            kind: ErrorKind::Other,
            code: None,
            message: message.into(),
            detail: None,
        }
    }

    /// The classified cause, for calls.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            AwsError::Call { kind, .. } => Some(*kind),
            AwsError::NoRegion | AwsError::UnknownProfile { .. } => None,
        }
    }

    /// AWS's message, for calls.
    pub fn message(&self) -> &str {
        match self {
            AwsError::Call { message, .. } => message,
            AwsError::NoRegion | AwsError::UnknownProfile { .. } => "",
        }
    }

    /// AWS's error code (`PreconditionFailed`, `NoSuchKey`), for calls AWS answered.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            AwsError::Call { code, .. } => code.as_deref(),
            AwsError::NoRegion | AwsError::UnknownProfile { .. } => None,
        }
    }

    /// The SDK's error chain, for `--verbose`.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AwsError::Call { detail, .. } => detail.as_deref(),
            AwsError::NoRegion | AwsError::UnknownProfile { .. } => None,
        }
    }

    /// What to do about it, by kind.
    pub fn advice(&self) -> Option<String> {
        let (kind, operation) = match self {
            AwsError::NoRegion => {
                return Some(
                    "pass `--region`, set `region` in the environment or application manifest, or set AWS_REGION".into(),
                );
            }
            AwsError::UnknownProfile { source_name, .. } => {
                return Some(format!(
                    "`aws configure list-profiles` lists the profiles there are; fix {source_name}, or create the profile with `aws configure --profile NAME` (or `aws configure sso`)"
                ));
            }
            AwsError::Call {
                kind, operation, ..
            } => (*kind, *operation),
        };
        Some(match kind {
            ErrorKind::NoCredentials => "configure credentials: run `aws configure`, pass `--profile` (or set AWS_PROFILE), run `aws sso login` for an SSO profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            ErrorKind::ExpiredCredentials => "refresh the credentials: run `aws sso login` (with `--profile` for a named profile), or get a new session token".into(),
            ErrorKind::InvalidCredentials => "check the access key in use (AWS_ACCESS_KEY_ID, AWS_PROFILE or `--profile`): AWS does not know it".into(),
            ErrorKind::AccessDenied => format!("the identity in use is not allowed to call {operation}: use a profile that is (`--profile`), or ask for that permission"),
            ErrorKind::Transport => match endpoint_for(operation) {
                Some((var, url)) => format!("check that something answers at {url} (set by {var}), or unset {var} to use AWS"),
                None => "check the network connection and the region (`--region`); a proxy (HTTPS_PROXY) or a custom endpoint (AWS_ENDPOINT_URL) may be needed".into(),
            },
            ErrorKind::Throttled => "AWS is rate-limiting this account: wait a minute and run the command again".into(),
            ErrorKind::NotFound | ErrorKind::Validation | ErrorKind::Other => return None,
        })
    }
}

impl miette::Diagnostic for AwsError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = match self {
            AwsError::NoRegion => "wharf::aws::no_region",
            AwsError::UnknownProfile { .. } => "wharf::aws::unknown_profile",
            AwsError::Call { kind, .. } => match kind {
                ErrorKind::NoCredentials => "wharf::aws::no_credentials",
                ErrorKind::ExpiredCredentials => "wharf::aws::expired_credentials",
                ErrorKind::InvalidCredentials => "wharf::aws::invalid_credentials",
                ErrorKind::AccessDenied => "wharf::aws::access_denied",
                ErrorKind::Transport => "wharf::aws::unreachable",
                ErrorKind::Throttled => "wharf::aws::throttled",
                _ => "wharf::aws::call",
            },
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.advice()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

/// The custom endpoint the SDK uses for `operation`: its service's
/// `AWS_ENDPOINT_URL_<SERVICE>` when set (it wins, as in the SDK), else `AWS_ENDPOINT_URL`.
pub fn endpoint_for(operation: &str) -> Option<(String, String)> {
    endpoint_in(operation, |k| std::env::var(k).ok())
}

/// [`endpoint_for`] with the variables read through `lookup`.
fn endpoint_in(
    operation: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<(String, String)> {
    let var = |k: &str| lookup(k).filter(|v| !v.is_empty());
    service_of(operation)
        .and_then(|s| {
            let k = format!("AWS_ENDPOINT_URL_{s}");
            var(&k).map(|v| (k, v))
        })
        .or_else(|| var("AWS_ENDPOINT_URL").map(|v| ("AWS_ENDPOINT_URL".to_string(), v)))
}

/// The `AWS_ENDPOINT_URL_<SERVICE>` suffix of the service an operation wharf calls
/// belongs to.
fn service_of(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "GetCallerIdentity" => "STS",
        "GetLogEvents" => "CLOUDWATCH_LOGS",
        "DescribeServices"
        | "DescribeTaskDefinition"
        | "DescribeTasks"
        | "ListTasks"
        | "UpdateService"
        | "ListServiceDeployments"
        | "DescribeServiceDeployments"
        | "DescribeServiceRevisions" => "ECS",
        "CreateRepository"
        | "DeleteRepository"
        | "DescribeRepositories"
        | "DescribeImages"
        | "GetAuthorizationToken"
        | "GetLifecyclePolicy"
        | "PutLifecyclePolicy"
        | "PutImageScanningConfiguration"
        | "PutImageTagMutability"
        | "ListTagsForResource" => "ECR",
        "PutObject" | "GetObject" | "DeleteObject" | "DeleteObjects" | "ListObjectsV2" => "S3",
        op if op.contains("Stack") || op.contains("ChangeSet") || op == "GetTemplate" => {
            "CLOUDFORMATION"
        }
        _ => return None,
    })
}

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
    fn every_operation_wharf_calls_has_its_service() {
        for (op, svc) in [
            ("DescribeStacks", "CLOUDFORMATION"),
            ("CreateChangeSet", "CLOUDFORMATION"),
            ("GetTemplate", "CLOUDFORMATION"),
            ("PutObject", "S3"),
            ("DescribeServices", "ECS"),
            ("DescribeImages", "ECR"),
            ("GetLogEvents", "CLOUDWATCH_LOGS"),
            ("GetCallerIdentity", "STS"),
        ] {
            assert_eq!(service_of(op), Some(svc), "{op}");
        }
        assert_eq!(service_of("Unheard"), None);
    }

    #[test]
    fn the_endpoint_comes_from_the_services_variable_then_the_general_one() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                set.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let both = env(&[
            ("AWS_ENDPOINT_URL_ECS", "http://e"),
            ("AWS_ENDPOINT_URL", "http://a"),
        ]);
        assert_eq!(
            endpoint_in("DescribeServices", both),
            Some(("AWS_ENDPOINT_URL_ECS".into(), "http://e".into()))
        );
        assert_eq!(
            endpoint_in("DescribeStacks", both),
            Some(("AWS_ENDPOINT_URL".into(), "http://a".into()))
        );
        assert_eq!(
            endpoint_in("PutObject", env(&[("AWS_ENDPOINT_URL_S3", "http://s")])),
            Some(("AWS_ENDPOINT_URL_S3".into(), "http://s".into()))
        );
        assert_eq!(
            endpoint_in("PutObject", env(&[("AWS_ENDPOINT_URL_ECS", "http://e")])),
            None
        );
        assert_eq!(
            endpoint_in("DescribeStacks", env(&[("AWS_ENDPOINT_URL", "")])),
            None
        );
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
