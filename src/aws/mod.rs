//! The only module that knows the AWS SDK: one configuration, thin wrappers that
//! paginate, classify errors and return wharf types.
//!
//! Endpoints come from the SDK's own settings, so `AWS_ENDPOINT_URL` and
//! `AWS_ENDPOINT_URL_<SERVICE>` reach every call (LocalStack, moto).

pub mod cfn;
pub mod ecr;
pub mod ecs;
pub mod rollout;
pub mod s3;
pub mod sts;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_smithy_types::error::display::DisplayErrorContext;

/// Where AWS calls go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// Named profile (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Region (`--region`, else the manifest, else the AWS configuration).
    pub region: Option<String>,
}

/// Clients for one region.
#[derive(Debug, Clone)]
pub struct Aws {
    /// CloudFormation.
    pub cfn: aws_sdk_cloudformation::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// ECR.
    pub ecr: aws_sdk_ecr::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// The region the clients use.
    pub region: String,
}

/// What kind of failure an AWS call had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The thing does not exist.
    NotFound,
    /// Rate limited (after the SDK's own retries).
    Throttled,
    /// Credentials lack permission, or are missing or expired.
    AccessDenied,
    /// The request was rejected as invalid.
    Validation,
    /// The endpoint could not be reached.
    Transport,
    /// Anything else.
    Other,
}

/// A failed AWS call: which operation, on what, and why.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AwsError {
    /// No region anywhere.
    #[error("no AWS region is configured")]
    #[diagnostic(
        code(wharf::aws::no_region),
        help(
            "pass `--region`, set `region` in the environment or application manifest, or set AWS_REGION"
        )
    )]
    NoRegion,
    /// An API call failed.
    #[error("{operation} on {resource} failed: {message}")]
    #[diagnostic(code(wharf::aws::call))]
    Call {
        /// API operation, like `CreateChangeSet`.
        operation: &'static str,
        /// The resource, like `stack shop-test`.
        resource: String,
        /// Classified cause.
        kind: ErrorKind,
        /// AWS's error code, when there is one.
        code: Option<String>,
        /// AWS's message.
        message: String,
    },
}

impl AwsError {
    /// The classified cause, for calls.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            AwsError::Call { kind, .. } => Some(*kind),
            AwsError::NoRegion => None,
        }
    }

    /// AWS's message, for calls.
    pub fn message(&self) -> &str {
        match self {
            AwsError::Call { message, .. } => message,
            AwsError::NoRegion => "",
        }
    }
}

/// Turns an SDK error into an [`AwsError`] naming the operation and resource.
pub(crate) fn call_error<E, R>(
    operation: &'static str,
    resource: impl Into<String>,
    err: aws_sdk_cloudformation::error::SdkError<E, R>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    use aws_sdk_cloudformation::error::SdkError;
    let (kind, code, message) = match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().map(str::to_string);
            let message = e.message().unwrap_or("no message").to_string();
            (classify(code.as_deref(), &message), code, message)
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => (
            ErrorKind::Transport,
            None,
            DisplayErrorContext(&err).to_string(),
        ),
        _ => (
            ErrorKind::Other,
            None,
            DisplayErrorContext(&err).to_string(),
        ),
    };
    AwsError::Call {
        operation,
        resource: resource.into(),
        kind,
        code,
        message,
    }
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
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException" => ErrorKind::AccessDenied,
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

impl Aws {
    /// Loads the standard credential chain and configuration once.
    pub async fn connect(opts: &AwsOptions) -> Result<Aws, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        // Adaptive retries (client-side rate limiting after throttling) unless the user
        // chose retry settings: setting them in code would override theirs.
        if std::env::var_os("AWS_RETRY_MODE").is_none()
            && std::env::var_os("AWS_MAX_ATTEMPTS").is_none()
        {
            loader = loader.retry_config(RetryConfig::adaptive().with_max_attempts(5));
        }
        let sdk = loader.load().await;
        let region = sdk.region().ok_or(AwsError::NoRegion)?.to_string();
        // Emulators serve buckets by path, not by host name.
        let emulated = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
            .iter()
            .any(|k| std::env::var_os(k).is_some());
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(emulated)
                .build(),
        );
        Ok(Aws {
            cfn: aws_sdk_cloudformation::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            ecs: aws_sdk_ecs::Client::new(&sdk),
            ecr: aws_sdk_ecr::Client::new(&sdk),
            logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
            s3,
            region,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            classify(Some("ClusterNotFoundException"), ""),
            ErrorKind::NotFound
        );
        assert_eq!(classify(Some("Weird"), ""), ErrorKind::Other);
    }
}
