//! Small helpers the feature modules share: durations in seconds, `!Sub` values, ECR
//! repository ARNs.

use super::*;

pub(super) fn secs(d: Option<&crate::manifest::decode::Spanned<Duration>>, default: u64) -> u64 {
    d.map_or(default, |d| d.secs())
}

pub(super) fn sub(s: &str) -> String {
    format!("!Sub {}", quote(s))
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
