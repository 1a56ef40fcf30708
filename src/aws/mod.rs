//! The only module that knows the AWS SDK: one configuration, thin wrappers that
//! paginate, classify errors and return wharf types.
//!
//! Endpoints come from the SDK's own settings, so `AWS_ENDPOINT_URL` and
//! `AWS_ENDPOINT_URL_<SERVICE>` reach every call (LocalStack, moto).

pub mod cfn;
pub mod ecr;
pub mod ecs;
pub mod error;
pub mod rollout;
pub mod s3;
pub mod sts;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
pub(crate) use error::call_error;
pub use error::{AwsError, ErrorKind, classify};

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
