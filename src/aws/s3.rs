//! S3: uploading templates too large to send inline and environment files, checking
//! the bucket's expiry, and the deploy locks' conditional
//! writes (`If-None-Match`, `If-Match`; see "Conditional requests" in the S3 user guide).

use super::{Aws, AwsError, call_error};

impl Aws {
    /// The AWS partition of the client's region (`aws`, `aws-cn`, `aws-us-gov`), for
    /// ARNs built outside a template.
    pub fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    /// Whether an enabled lifecycle rule of `bucket` expires objects under `prefix`
    /// (a rule with no prefix, or one that `prefix` starts with). A bucket without a
    /// lifecycle configuration expires nothing.
    pub async fn expires_under(&self, bucket: &str, prefix: &str) -> Result<bool, AwsError> {
        let out = match self
            .s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                use aws_sdk_s3::error::ProvideErrorMetadata;
                if e.code() == Some("NoSuchLifecycleConfiguration") {
                    return Ok(false);
                }
                return Err(call_error(
                    "GetBucketLifecycleConfiguration",
                    format!("s3://{bucket}"),
                    e,
                ));
            }
        };
        Ok(out.rules().iter().any(|r| {
            // CloudFormation's `Rule.Prefix` may come back as the rule's own prefix.
            #[allow(deprecated)]
            let rule_prefix = r
                .filter()
                .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
                .or(r.prefix())
                .unwrap_or("");
            r.status() == &aws_sdk_s3::types::ExpirationStatus::Enabled
                && r.expiration().is_some()
                && prefix.starts_with(rule_prefix)
        }))
    }

    /// Uploads `body` to `bucket`/`key` (server-side encrypted with S3's keys) and
    /// returns the object's ARN.
    pub async fn put_file(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<String, AwsError> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("text/plain")
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
            .body(aws_sdk_s3::primitives::ByteStream::from(body))
            .send()
            .await
            .map_err(|e| call_error("PutObject", format!("s3://{bucket}/{key}"), e))?;
        Ok(format!("arn:{}:s3:::{bucket}/{key}", self.partition()))
    }

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

impl Aws {
    /// Deletes every object in `bucket` (so that its stack can delete it: S3 deletes only
    /// empty buckets) and returns how many there were. A bucket already gone has none.
    ///
    /// # Errors
    /// When listing or deleting fails.
    pub async fn empty_bucket(&self, bucket: &str) -> Result<usize, AwsError> {
        use aws_sdk_s3::types::{Delete, ObjectIdentifier};
        let mut deleted = 0;
        loop {
            let page = match self.s3.list_objects_v2().bucket(bucket).send().await {
                Ok(p) => p,
                Err(e) => {
                    let e = call_error("ListObjectsV2", format!("s3://{bucket}"), e);
                    if e.aws_code() == Some("NoSuchBucket") {
                        return Ok(deleted);
                    }
                    return Err(e);
                }
            };
            let keys: Vec<ObjectIdentifier> = page
                .contents
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| ObjectIdentifier::builder().set_key(o.key).build().ok())
                .collect();
            if keys.is_empty() {
                return Ok(deleted);
            }
            let n = keys.len();
            let delete = Delete::builder()
                .set_objects(Some(keys))
                .quiet(true)
                .build()
                .map_err(|e| {
                    AwsError::answer("DeleteObjects", format!("s3://{bucket}"), e.to_string())
                })?;
            let out = self
                .s3
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| call_error("DeleteObjects", format!("s3://{bucket}"), e))?;
            // An object S3 would not delete would be listed again for ever: stop at once.
            if let Some(e) = out.errors.unwrap_or_default().into_iter().next() {
                return Err(AwsError::answer(
                    "DeleteObjects",
                    format!("s3://{bucket}/{}", e.key.unwrap_or_default()),
                    e.message.unwrap_or_else(|| "not deleted".into()),
                ));
            }
            deleted += n;
        }
    }
}

/// Deploy locks in one bucket (see [`crate::deploy::lock`]).
pub struct BucketLocks<'a> {
    /// The clients.
    pub aws: &'a Aws,
    /// The application's bucket.
    pub bucket: String,
}

/// The condition of a conditional write.
enum Condition<'a> {
    /// The key does not exist (`If-None-Match: *`).
    Absent,
    /// The object's ETag is this one (`If-Match`).
    Matches(&'a str),
}

impl BucketLocks<'_> {
    /// Writes `key` if `condition` holds: the new ETag, or `None` when it did not hold
    /// (or, for [`Condition::Matches`], the object is gone).
    async fn put_if(
        &self,
        key: &str,
        body: &str,
        condition: Condition<'_>,
    ) -> Result<Option<String>, AwsError> {
        let put = self
            .aws
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(aws_sdk_s3::primitives::ByteStream::from(
                body.as_bytes().to_vec(),
            ));
        let put = match condition {
            Condition::Absent => put.if_none_match("*"),
            Condition::Matches(etag) => put.if_match(etag),
        };
        match put
            .send()
            .await
            .map_err(|e| call_error("PutObject", format!("s3://{}/{key}", self.bucket), e))
        {
            Ok(out) => Ok(Some(out.e_tag().unwrap_or_default().to_string())),
            Err(e) if condition_failed(&e) || e.aws_code() == Some("NoSuchKey") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Whether S3 refused a conditional write because the condition did not hold (412), or
/// because another conditional write to the key was in flight (409).
fn condition_failed(e: &AwsError) -> bool {
    matches!(
        e.aws_code(),
        Some("PreconditionFailed" | "ConditionalRequestConflict")
    )
}

impl crate::deploy::lock::LockStore for BucketLocks<'_> {
    async fn create(&self, key: &str, body: &str) -> Result<Option<String>, AwsError> {
        self.put_if(key, body, Condition::Absent).await
    }

    async fn read(&self, key: &str) -> Result<Option<(String, String)>, AwsError> {
        let r = self
            .aws
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| call_error("GetObject", format!("s3://{}/{key}", self.bucket), e));
        let out = match r {
            Ok(out) => out,
            Err(e)
                if e.aws_code() == Some("NoSuchKey")
                    || e.kind() == Some(super::ErrorKind::NotFound) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let etag = out.e_tag().unwrap_or_default().to_string();
        // A lease is a few hundred bytes; anything much larger is not one.
        let bytes = out.body.collect().await.map_err(|e| {
            AwsError::answer(
                "GetObject",
                format!("s3://{}/{key}", self.bucket),
                e.to_string(),
            )
        })?;
        let bytes = bytes.into_bytes();
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned();
        Ok(Some((text, etag)))
    }

    async fn replace(&self, key: &str, etag: &str, body: &str) -> Result<Option<String>, AwsError> {
        self.put_if(key, body, Condition::Matches(etag)).await
    }

    async fn delete(&self, key: &str, etag: &str) -> Result<(), AwsError> {
        let r = self
            .aws
            .s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| call_error("DeleteObject", format!("s3://{}/{key}", self.bucket), e));
        match r {
            Err(e) if condition_failed(&e) || e.aws_code() == Some("NoSuchKey") => Ok(()),
            other => other.map(|_| ()),
        }
    }
}
