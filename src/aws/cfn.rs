//! CloudFormation: the [`StackApi`] the deploy engine uses, plus reading templates.

use super::{Aws, AwsError, ErrorKind, call_error};
use crate::deploy::StackApi;
use crate::deploy::types::{
    Change, ChangeSetKind, ChangeSetRequest, ChangeSetState, StackEvent, StackInfo,
};
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};
use std::collections::BTreeMap;

/// One resource of a stack, as `svc show --resources` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StackResource {
    /// Its logical ID in the template.
    pub logical_id: String,
    /// Its type (`AWS::ECS::Service`).
    pub resource_type: String,
    /// Its physical ID (name, ARN or ID, as CloudFormation gives it).
    pub physical_id: String,
    /// Its status (`CREATE_COMPLETE`).
    pub status: String,
}

fn stack_resource(name: &str) -> String {
    format!("stack {name}")
}

fn to_info(s: &aws_sdk_cloudformation::types::Stack) -> StackInfo {
    StackInfo {
        name: s.stack_name().unwrap_or_default().to_string(),
        id: s.stack_id().unwrap_or_default().to_string(),
        status: s
            .stack_status()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        reason: s.stack_status_reason().map(str::to_string),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| {
                Some((
                    o.output_key()?.to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        tags: s
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect(),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_string(),
                    p.parameter_value()?.to_string(),
                ))
            })
            .collect(),
    }
}

impl Aws {
    /// Every stack in the region whose tags include all of `tags`.
    pub async fn stacks_tagged(&self, tags: &[(&str, &str)]) -> Result<Vec<StackInfo>, AwsError> {
        let mut pages = self.cfn.describe_stacks().into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| call_error("DescribeStacks", "stacks of the region", e))?;
            for s in page.stacks() {
                let info = to_info(s);
                if tags
                    .iter()
                    .all(|(k, v)| info.tags.get(*k).is_some_and(|x| x == v))
                    && info.status != "DELETE_COMPLETE"
                {
                    out.push(info);
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Every resource of `stack` (ListStackResources, all pages; a stack holds at most
    /// 500 resources), in CloudFormation's order.
    pub async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, AwsError> {
        let mut pages = self
            .cfn
            .list_stack_resources()
            .stack_name(stack)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| call_error("ListStackResources", stack_resource(stack), e))?;
            for r in page.stack_resource_summaries() {
                out.push(StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: r.resource_type().unwrap_or_default().to_string(),
                    physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
                    status: r
                        .resource_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                });
            }
        }
        Ok(out)
    }

    /// The template CloudFormation has for a stack, `None` when the stack does not exist.
    pub async fn template(&self, stack: &str) -> Result<Option<String>, AwsError> {
        match self.cfn.get_template().stack_name(stack).send().await {
            Ok(out) => Ok(out.template_body().map(str::to_string)),
            Err(e) => {
                let err = call_error("GetTemplate", stack_resource(stack), e);
                if err.kind() == Some(ErrorKind::NotFound) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }
}

impl StackApi for Aws {
    async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, AwsError> {
        match self.cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => Ok(out.stacks().first().map(to_info)),
            Err(e) => {
                let err = call_error("DescribeStacks", stack_resource(stack), e);
                if err.kind() == Some(ErrorKind::NotFound) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn create_change_set(
        &self,
        req: &ChangeSetRequest<'_>,
    ) -> Result<Option<String>, AwsError> {
        let mut call = self
            .cfn
            .create_change_set()
            .stack_name(req.stack)
            .change_set_name(&req.name)
            .change_set_type(match req.kind {
                ChangeSetKind::Create => ChangeSetType::Create,
                ChangeSetKind::Update => ChangeSetType::Update,
            })
            .set_template_body(req.template_url.is_none().then(|| req.template.to_string()))
            .set_template_url(req.template_url.map(str::to_string))
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .description("Created by wharf");
        for (k, v) in req.parameters {
            call = call.parameters(
                Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build(),
            );
        }
        for (k, v) in req.tags {
            call = call.tags(Tag::builder().key(k).value(v).build());
        }
        let out = call
            .send()
            .await
            .map_err(|e| call_error("CreateChangeSet", stack_resource(req.stack), e))?;
        Ok(out.id().map(str::to_string))
    }

    async fn change_set(&self, id: &str) -> Result<ChangeSetState, AwsError> {
        let mut changes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .cfn
                .describe_change_set()
                .change_set_name(id)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| call_error("DescribeChangeSet", format!("change set {id}"), e))?;
            match out.status() {
                Some(ChangeSetStatus::CreateComplete) => {}
                Some(ChangeSetStatus::Failed) => {
                    let reason = out.status_reason().unwrap_or("no reason given").to_string();
                    return Ok(ChangeSetState::Failed(reason));
                }
                _ => return Ok(ChangeSetState::Pending),
            }
            for c in out.changes() {
                if let Some(rc) = c.resource_change() {
                    changes.push(Change {
                        action: rc
                            .action()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                        resource_type: rc.resource_type().unwrap_or_default().to_string(),
                        replacement: rc.replacement().map(|r| r.as_str().to_string()),
                    });
                }
            }
            match out.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        Ok(if changes.is_empty() {
            ChangeSetState::Empty
        } else {
            ChangeSetState::Ready(changes)
        })
    }

    async fn execute(&self, id: &str, disable_rollback: bool) -> Result<(), AwsError> {
        self.cfn
            .execute_change_set()
            .change_set_name(id)
            .disable_rollback(disable_rollback)
            .send()
            .await
            .map_err(|e| call_error("ExecuteChangeSet", format!("change set {id}"), e))?;
        Ok(())
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.cfn
            .delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| call_error("DeleteChangeSet", format!("change set {id}"), e))?;
        Ok(())
    }

    async fn events(
        &self,
        stack: &str,
        until_id: Option<&str>,
    ) -> Result<Vec<StackEvent>, AwsError> {
        let mut pages = self
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| call_error("DescribeStackEvents", stack_resource(stack), e))?;
            for e in page.stack_events() {
                let id = e.event_id().unwrap_or_default();
                if Some(id) == until_id {
                    return Ok(out);
                }
                out.push(StackEvent {
                    id: id.to_string(),
                    timestamp_ms: e
                        .timestamp()
                        .and_then(|t| t.to_millis().ok())
                        .unwrap_or_default(),
                    logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: e.resource_type().unwrap_or_default().to_string(),
                    status: e
                        .resource_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    reason: e.resource_status_reason().map(str::to_string),
                });
            }
            // Only the newest page matters before the first event is known.
            if until_id.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn delete(&self, stack: &str, retain: &[String]) -> Result<(), AwsError> {
        self.cfn
            .delete_stack()
            .stack_name(stack)
            .set_retain_resources((!retain.is_empty()).then(|| retain.to_vec()))
            .send()
            .await
            .map_err(|e| call_error("DeleteStack", stack_resource(stack), e))?;
        Ok(())
    }

    async fn cancel_update(&self, stack: &str) -> Result<(), AwsError> {
        self.cfn
            .cancel_update_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| call_error("CancelUpdateStack", stack_resource(stack), e))?;
        Ok(())
    }
}

/// An output of a stack exported under a name other stacks import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedExport {
    /// The output's key.
    pub key: String,
    /// The export's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Aws {
    /// Every export of the region, name to value (ListExports, at most 100 pages).
    pub async fn exports(&self) -> Result<BTreeMap<String, String>, AwsError> {
        let mut out = BTreeMap::new();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            let page = self
                .cfn
                .list_exports()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| call_error("ListExports", "the region's exports".to_string(), e))?;
            for e in page.exports() {
                if let (Some(n), Some(v)) = (e.name(), e.value()) {
                    out.insert(n.to_string(), v.to_string());
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// The outputs of `stack` that are exported and imported by some stack (ListImports),
    /// by key; empty when the stack does not exist. CloudFormation refuses an update that
    /// removes or changes such an export.
    pub async fn imported_exports(&self, stack: &str) -> Result<Vec<ImportedExport>, AwsError> {
        let out = match self.cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => out,
            Err(e) => {
                let err = call_error("DescribeStacks", stack_resource(stack), e);
                return if err.kind() == Some(ErrorKind::NotFound) {
                    Ok(Vec::new())
                } else {
                    Err(err)
                };
            }
        };
        let mut kept = Vec::new();
        for o in out
            .stacks()
            .first()
            .map(|s| s.outputs())
            .unwrap_or_default()
        {
            let (Some(key), Some(name)) = (o.output_key(), o.export_name()) else {
                continue;
            };
            let imported = match self.cfn.list_imports().export_name(name).send().await {
                Ok(i) => !i.imports().is_empty(),
                Err(e) => {
                    let err = call_error("ListImports", format!("export {name}"), e);
                    // "Export '…' is not imported by any stack."
                    if err.kind() == Some(ErrorKind::Validation)
                        || err.kind() == Some(ErrorKind::NotFound)
                    {
                        false
                    } else {
                        return Err(err);
                    }
                }
            };
            if imported {
                kept.push(ImportedExport {
                    key: key.to_string(),
                    name: name.to_string(),
                    value: o.output_value().unwrap_or_default().to_string(),
                });
            }
        }
        kept.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(kept)
    }
}
