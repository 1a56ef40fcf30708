//! The only module that knows the AWS SDK: one configuration, thin wrappers that
//! paginate, classify errors and return wharf types.
//!
//! Endpoints come from the SDK's own settings, so `AWS_ENDPOINT_URL` and
//! `AWS_ENDPOINT_URL_<SERVICE>` reach every call (LocalStack, moto).

pub mod cfn;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elbv2;
pub mod error;
pub mod rollout;
pub mod route53;
pub mod s3;
pub mod sfn;
pub mod ssm;
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

/// The most `WHARF_AWS_CALL_TIMEOUT` ([`crate::settings`]) may set: one hour (a larger
/// value means one hour).
pub const MAX_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The longest one AWS call may take, retries included: 30 s. An endpoint that accepts
/// connections and never answers (a wedged proxy, the wrong port) fails the command
/// then, instead of hanging it; each attempt gives up sooner (see [`timeouts`]).
pub const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The SDK timeouts wharf sets (the SDK sets only a connect timeout by default), from
/// the longest a whole call may take, retries included (`total_secs`, default
/// [`CALL_TIMEOUT`], at least 1 s): the first byte of an answer within a third of it
/// (10 s by default; the API calls wharf makes answer in well under a second, and a
/// template upload is at most 1 MB), one attempt within two thirds, and a connection
/// within 3 s. See "Timeouts" in the AWS SDK for Rust developer guide.
pub fn timeouts(total_secs: Option<u64>) -> aws_config::timeout::TimeoutConfig {
    use std::time::Duration;
    let total = total_secs
        .map_or(CALL_TIMEOUT, Duration::from_secs)
        .clamp(Duration::from_secs(1), MAX_CALL_TIMEOUT);
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3).min(total))
        .read_timeout(total / 3)
        .operation_attempt_timeout(total * 2 / 3)
        .operation_timeout(total)
        .build()
}

/// The profile asked for by name, and where: `--profile`, else `AWS_PROFILE`.
fn selected_profile(opts: &AwsOptions) -> Option<(String, &'static str)> {
    match &opts.profile {
        Some(p) => Some((p.clone(), "--profile")),
        None => std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .map(|p| (p, "AWS_PROFILE")),
    }
}

/// Whether `profile` is in the shared config or credentials file (wherever
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` put them), read with the SDK's
/// own parser. Files that cannot be read count as "exists": the SDK then says why.
async fn profile_exists(profile: &str) -> bool {
    let (fs, env) = (
        aws_types::os_shim_internal::Fs::real(),
        aws_types::os_shim_internal::Env::real(),
    );
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    match aws_config::profile::parser::load(&fs, &env, &files, Some(profile.to_string().into()))
        .await
    {
        Ok(set) => set.get_profile(profile).is_some(),
        Err(_) => true,
    }
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
    /// Step Functions (Scheduled Jobs).
    pub sfn: aws_sdk_sfn::Client,
    /// EC2 (subnets chosen by tags).
    pub ec2: aws_sdk_ec2::Client,
    /// Route 53 (the application domain's hosted zone).
    pub route53: aws_sdk_route53::Client,
    /// Elastic Load Balancing v2 (load balancers services import).
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// Systems Manager (Copilot's registry, for `app adopt`).
    pub ssm: aws_sdk_ssm::Client,
    /// The region the clients use.
    pub region: String,
    /// The named profile the clients were loaded with.
    pub profile: Option<String>,
}

impl Aws {
    /// Loads the standard credential chain and configuration once.
    pub async fn connect(opts: &AwsOptions) -> Result<Aws, AwsError> {
        if let Some((profile, source_name)) = selected_profile(opts)
            && !profile_exists(&profile).await
        {
            return Err(AwsError::UnknownProfile {
                profile,
                source_name,
            });
        }
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
        loader = loader.timeout_config(timeouts(
            crate::settings::current()
                .aws_call_timeout
                .map(|d| d.as_secs()),
        ));
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
            sfn: aws_sdk_sfn::Client::new(&sdk),
            ec2: aws_sdk_ec2::Client::new(&sdk),
            route53: aws_sdk_route53::Client::new(&sdk),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&sdk),
            ssm: aws_sdk_ssm::Client::new(&sdk),
            s3,
            region,
            profile: opts.profile.clone(),
        })
    }

    /// Clients of the same profile (and endpoint settings) in `region`: for what AWS
    /// keeps in one region, as CloudFront's certificates in us-east-1.
    ///
    /// # Errors
    /// As [`Aws::connect`].
    pub async fn in_region(&self, region: &str) -> Result<Aws, AwsError> {
        if self.region == region {
            return Ok(self.clone());
        }
        Aws::connect(&AwsOptions {
            profile: self.profile.clone(),
            region: Some(region.to_string()),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_call_has_a_bound() {
        let t = timeouts(None);
        assert_eq!(t.operation_timeout(), Some(CALL_TIMEOUT));
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(20)));
        assert_eq!(t.read_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(3)));
        // Every limit follows the total; zero is taken as one second.
        let t = timeouts(Some(120));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(120)));
        assert_eq!(t.read_timeout(), Some(Duration::from_secs(40)));
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(80)));
        let t = timeouts(Some(2));
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(
            timeouts(Some(0)).operation_timeout(),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            timeouts(Some(99_999_999_999)).operation_timeout(),
            Some(MAX_CALL_TIMEOUT)
        );
    }
}
