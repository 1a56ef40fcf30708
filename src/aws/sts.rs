//! STS: who the caller is.

use super::{Aws, AwsError, call_error};

impl Aws {
    /// The AWS account of the current credentials.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| call_error("GetCallerIdentity", "the current credentials", e))?;
        Ok(out.account().unwrap_or_default().to_string())
    }
}
