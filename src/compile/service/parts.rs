//! Small helpers the feature modules share: durations in seconds, `!Sub` values, ECR
//! repository ARNs.

use super::*;

pub(super) fn secs(d: Option<&crate::manifest::decode::Spanned<Duration>>, default: u64) -> u64 {
    d.map_or(default, |d| d.secs())
}

pub(super) fn sub(s: &str) -> String {
    format!("!Sub {}", quote(s))
}

/// `base`, or `base2`, `base3`… when a parameter of `taken` has it: sidecars whose names
/// differ only in punctuation get distinct parameters.
pub(super) fn unique(base: String, taken: &[ContainerParam]) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|p| p.name == name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// The image of `app`'s service `service` in the account's ECR at the digest in
/// template parameter `param`, as a CloudFormation value.
pub(super) fn built_image(app: &str, service: &str, param: &str) -> String {
    sub(&format!(
        "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{app}/{service}@${{{param}}}"
    ))
}

/// An image of `app`'s service `service`'s ECR repository by tag: `<prefix>${ImageTag}`
/// (a sidecar's prefix is `<sidecar>-`).
pub(super) fn tagged_image(app: &str, service: &str, prefix: &str) -> String {
    sub(&format!(
        "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{app}/{service}:{prefix}${{{}}}",
        parameter::IMAGE_TAG
    ))
}

/// The ARN of `app`'s service `service`'s ECR repository in the account, as a
/// CloudFormation value.
pub(super) fn service_repo_arn(app: &str, service: &str) -> String {
    sub(&format!(
        "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{app}/{service}"
    ))
}

pub(super) fn ecr_repo_arn(uri: &str) -> Option<String> {
    // 111122223333.dkr.ecr.us-east-1.amazonaws.com/repo[:tag|@digest]
    let (host, path) = uri.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() < 6 || parts[1] != "dkr" || parts[2] != "ecr" || parts[0].len() != 12 {
        return None;
    }
    let repo = path.split(['@', ':']).next()?;
    Some(sub(&format!(
        "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{repo}",
        parts[3], parts[0]
    )))
}
