//! ECR: a service's image repository (created on first push, settings kept in line with
//! the manifest when wharf made it, left alone when not), finding an image by tag, and
//! the registry login token.

use super::{Aws, AwsError, ErrorKind, call_error};
use crate::image::registry::{RegistryLogin, Repository};
use crate::image::spec::RepositorySettings;
use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, ImageTagMutability, Tag};
use std::collections::BTreeMap;

/// The lifecycle policy that keeps the newest `keep` images (tagged or not).
pub fn lifecycle_policy(keep: u32) -> String {
    serde_json::json!({
        "rules": [{
            "rulePriority": 1,
            "description": format!("wharf: keep the newest {keep} images"),
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
            "action": {"type": "expire"}
        }]
    })
    .to_string()
}

fn mutability(immutable: bool) -> ImageTagMutability {
    if immutable {
        ImageTagMutability::Immutable
    } else {
        ImageTagMutability::Mutable
    }
}

fn same_json(a: &str, b: &str) -> bool {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    parse(a).is_some_and(|a| Some(a) == parse(b))
}

impl Aws {
    /// The repository `name`, created with `settings` and `tags` when missing; an existing
    /// one that carries `tags` (wharf made it) has its scanning, tag mutability and
    /// lifecycle policy brought in line; one that does not (Copilot's, anyone's) is left
    /// as it is and marked [`Repository::foreign`].
    pub async fn ensure_repository(
        &self,
        name: &str,
        settings: RepositorySettings,
        tags: &BTreeMap<String, String>,
    ) -> Result<Repository, AwsError> {
        let what = format!("repository {name}");
        let found = match self
            .ecr
            .describe_repositories()
            .repository_names(name)
            .send()
            .await
        {
            Ok(out) => out.repositories.unwrap_or_default().into_iter().next(),
            Err(e) => {
                let e = call_error("DescribeRepositories", &what, e);
                if e.kind() != Some(ErrorKind::NotFound) {
                    return Err(e);
                }
                None
            }
        };
        let scanning = ImageScanningConfiguration::builder()
            .scan_on_push(settings.scan_on_push)
            .build();
        let (uri, created) = match found {
            Some(repo) if !self.repository_has_tags(&repo, tags).await? => {
                return Ok(Repository {
                    name: name.to_string(),
                    uri: repo.repository_uri.unwrap_or_default(),
                    created: false,
                    foreign: true,
                });
            }
            Some(repo) => {
                if repo
                    .image_scanning_configuration()
                    .is_none_or(|c| c.scan_on_push() != settings.scan_on_push)
                {
                    self.ecr
                        .put_image_scanning_configuration()
                        .repository_name(name)
                        .image_scanning_configuration(scanning)
                        .send()
                        .await
                        .map_err(|e| call_error("PutImageScanningConfiguration", &what, e))?;
                }
                if repo.image_tag_mutability() != Some(&mutability(settings.immutable_tags)) {
                    self.ecr
                        .put_image_tag_mutability()
                        .repository_name(name)
                        .image_tag_mutability(mutability(settings.immutable_tags))
                        .send()
                        .await
                        .map_err(|e| call_error("PutImageTagMutability", &what, e))?;
                }
                (repo.repository_uri.unwrap_or_default(), false)
            }
            None => {
                let mut req = self
                    .ecr
                    .create_repository()
                    .repository_name(name)
                    .image_scanning_configuration(scanning)
                    .image_tag_mutability(mutability(settings.immutable_tags));
                for (k, v) in tags {
                    if let Ok(tag) = Tag::builder().key(k).value(v).build() {
                        req = req.tags(tag);
                    }
                }
                let out = req
                    .send()
                    .await
                    .map_err(|e| call_error("CreateRepository", &what, e))?;
                let uri = out
                    .repository
                    .and_then(|r| r.repository_uri)
                    .unwrap_or_default();
                (uri, true)
            }
        };
        let policy = lifecycle_policy(settings.keep_images);
        let current = if created {
            None
        } else {
            match self
                .ecr
                .get_lifecycle_policy()
                .repository_name(name)
                .send()
                .await
            {
                Ok(out) => out.lifecycle_policy_text,
                Err(e) => {
                    let e = call_error("GetLifecyclePolicy", &what, e);
                    if e.kind() != Some(ErrorKind::NotFound) {
                        return Err(e);
                    }
                    None
                }
            }
        };
        if !current.is_some_and(|c| same_json(&c, &policy)) {
            self.ecr
                .put_lifecycle_policy()
                .repository_name(name)
                .lifecycle_policy_text(policy)
                .send()
                .await
                .map_err(|e| call_error("PutLifecyclePolicy", &what, e))?;
        }
        Ok(Repository {
            name: name.to_string(),
            uri,
            created,
            foreign: false,
        })
    }

    /// Whether `repo` carries every one of `tags` (ListTagsForResource).
    async fn repository_has_tags(
        &self,
        repo: &aws_sdk_ecr::types::Repository,
        tags: &BTreeMap<String, String>,
    ) -> Result<bool, AwsError> {
        let Some(arn) = repo.repository_arn() else {
            return Ok(tags.is_empty());
        };
        let out = self
            .ecr
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| {
                let name = repo.repository_name().unwrap_or(arn);
                call_error("ListTagsForResource", format!("repository {name}"), e)
            })?;
        let found: BTreeMap<&str, &str> = out.tags().iter().map(|t| (t.key(), t.value())).collect();
        Ok(tags
            .iter()
            .all(|(k, v)| found.get(k.as_str()) == Some(&v.as_str())))
    }

    /// The digest of the image tagged `tag` in repository `repo`, if there is one.
    pub async fn image_digest(&self, repo: &str, tag: &str) -> Result<Option<String>, AwsError> {
        match self
            .ecr
            .describe_images()
            .repository_name(repo)
            .image_ids(ImageIdentifier::builder().image_tag(tag).build())
            .send()
            .await
        {
            Ok(out) => Ok(out
                .image_details
                .unwrap_or_default()
                .into_iter()
                .find_map(|d| d.image_digest)),
            Err(e) => {
                let e = call_error("DescribeImages", format!("{repo}:{tag}"), e);
                if e.kind() == Some(ErrorKind::NotFound) {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// A login for the account's registry (GetAuthorizationToken).
    pub async fn registry_login(&self) -> Result<RegistryLogin, AwsError> {
        let out = self
            .ecr
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| call_error("GetAuthorizationToken", "the ECR registry", e))?;
        let data = out
            .authorization_data
            .unwrap_or_default()
            .into_iter()
            .next();
        let bad = |why: &str| AwsError::Call {
            operation: "GetAuthorizationToken",
            resource: "the ECR registry".into(),
            kind: ErrorKind::Other,
            code: None,
            message: why.to_string(),
            detail: None,
        };
        let data = data.ok_or_else(|| bad("no authorization data in the answer"))?;
        let token = data
            .authorization_token
            .ok_or_else(|| bad("no token in the answer"))?;
        let decoded = aws_smithy_types::base64::decode(&token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| bad("the token is not base64 text"))?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or_else(|| bad("the token is not `user:password`"))?;
        Ok(RegistryLogin {
            endpoint: data
                .proxy_endpoint
                .ok_or_else(|| bad("no proxy endpoint in the answer"))?,
            username: username.to_string(),
            password: password.to_string(),
        })
    }
}

impl crate::image::pipeline::Registry for Aws {
    async fn ensure_repository(
        &self,
        name: &str,
        settings: RepositorySettings,
        tags: &BTreeMap<String, String>,
    ) -> Result<Repository, AwsError> {
        Aws::ensure_repository(self, name, settings, tags).await
    }

    async fn image_digest(&self, repo: &str, tag: &str) -> Result<Option<String>, AwsError> {
        Aws::image_digest(self, repo, tag).await
    }

    async fn login(&self) -> Result<RegistryLogin, AwsError> {
        self.registry_login().await
    }
}

impl Aws {
    /// The repositories named `<app>/…` that carry the tag `wharf-application=<app>`
    /// (wharf tags every repository it creates): what `app delete` may delete. Others
    /// under the same prefix (made by Copilot or by hand) are not listed.
    ///
    /// # Errors
    /// When listing or reading tags fails.
    pub async fn application_repositories(&self, app: &str) -> Result<Vec<String>, AwsError> {
        let prefix = format!("{app}/");
        let wharfs = BTreeMap::from([("wharf-application".to_string(), app.to_string())]);
        let mut found = Vec::new();
        let mut pages = self.ecr.describe_repositories().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| call_error("DescribeRepositories", "repositories", e))?;
            for repo in page.repositories.unwrap_or_default() {
                let Some(name) = repo.repository_name().filter(|n| n.starts_with(&prefix)) else {
                    continue;
                };
                if self.repository_has_tags(&repo, &wharfs).await? {
                    found.push(name.to_string());
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Deletes repository `name` with its images.
    ///
    /// # Errors
    /// When the deletion fails (a repository already gone is fine).
    pub async fn delete_repository(&self, name: &str) -> Result<(), AwsError> {
        match self
            .ecr
            .delete_repository()
            .repository_name(name)
            .force(true)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = call_error("DeleteRepository", format!("repository {name}"), e);
                if e.kind() == Some(ErrorKind::NotFound) {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_policy_keeps_the_newest_images() {
        let p: serde_json::Value = serde_json::from_str(&lifecycle_policy(25)).unwrap();
        let rule = &p["rules"][0];
        assert_eq!(rule["selection"]["countType"], "imageCountMoreThan");
        assert_eq!(rule["selection"]["countNumber"], 25);
        assert_eq!(rule["selection"]["tagStatus"], "any");
        assert_eq!(rule["action"]["type"], "expire");
    }

    #[test]
    fn policies_compare_as_json() {
        assert!(same_json(
            &lifecycle_policy(5),
            &serde_json::to_string_pretty(
                &serde_json::from_str::<serde_json::Value>(&lifecycle_policy(5)).unwrap()
            )
            .unwrap()
        ));
        assert!(!same_json(&lifecycle_policy(5), &lifecycle_policy(6)));
        assert!(!same_json("not json", "not json"));
    }
}
