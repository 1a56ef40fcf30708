//! S3: uploading templates too large to send inline.

use super::{Aws, AwsError, call_error};

impl Aws {
    /// Uploads `body` to `bucket`/`key` and returns the URL CloudFormation reads it from.
    pub async fn put_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, AwsError> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/x-yaml")
            .body(aws_sdk_s3::primitives::ByteStream::from(
                body.as_bytes().to_vec(),
            ))
            .send()
            .await
            .map_err(|e| call_error("PutObject", format!("s3://{bucket}/{key}"), e))?;
        Ok(format!(
            "https://{bucket}.s3.{}.amazonaws.com/{key}",
            self.region
        ))
    }
}
