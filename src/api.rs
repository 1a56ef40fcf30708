//! What a call to AWS can fail with, in wharf's terms and without the SDK's types:
//! [`AwsError`] and its [`ErrorKind`], each kind with one sentence and one line of
//! advice, and which custom endpoint (`AWS_ENDPOINT_URL…`) a call goes to. The core
//! (`deploy/`, `watch/`, `image/`) names these; `aws/error.rs` makes them from the SDK's
//! errors.

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
pub(crate) fn endpoint_in(
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
pub(crate) fn service_of(operation: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
