//! Systems Manager Parameter Store: AWS Copilot's registry of what it deployed
//! (`/copilot/applications/<app>`, `…/environments/<env>`, `…/components/<workload>`,
//! JSON String parameters in the application's home region), read by
//! GetParametersByPath; and the values of named parameters (GetParameters), which
//! wharf's templates read through SSM-typed stack parameters.

use super::{Aws, AwsError, call_error};

/// One parameter of Copilot's registry: its name and JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryEntry {
    /// Its name, `/copilot/applications/<app>[/…]`.
    pub name: String,
    /// Its value (JSON text).
    pub value: String,
}

impl Aws {
    /// Every parameter of application `app` in Copilot's registry: the application's
    /// own and those below it (environments, workloads), at most 1,000 (100 pages of
    /// 10). Empty when Copilot registered nothing by that name.
    pub async fn copilot_registry(&self, app: &str) -> Result<Vec<RegistryEntry>, AwsError> {
        let root = format!("/copilot/applications/{app}");
        let mut out = Vec::new();
        match self.ssm.get_parameter().name(&root).send().await {
            Ok(p) => {
                if let Some(p) = p.parameter() {
                    out.push(RegistryEntry {
                        name: p.name().unwrap_or_default().to_string(),
                        value: p.value().unwrap_or_default().to_string(),
                    });
                }
            }
            Err(e) => {
                let e = call_error("GetParameter", format!("parameter {root}"), e);
                if e.kind() != Some(super::ErrorKind::NotFound) {
                    return Err(e);
                }
            }
        }
        let mut token: Option<String> = None;
        for _ in 0..100 {
            let page = self
                .ssm
                .get_parameters_by_path()
                .path(&root)
                .recursive(true)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    call_error("GetParametersByPath", format!("parameters under {root}"), e)
                })?;
            out.extend(page.parameters().iter().map(|p| RegistryEntry {
                name: p.name().unwrap_or_default().to_string(),
                value: p.value().unwrap_or_default().to_string(),
            }));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// The values of the parameters named `names` that exist, by name (GetParameters,
    /// 10 names a call, at most 100 names; a name that does not exist is left out).
    pub async fn parameter_values(
        &self,
        names: &[String],
    ) -> Result<std::collections::BTreeMap<String, String>, AwsError> {
        let mut out = std::collections::BTreeMap::new();
        for chunk in names.chunks(10).take(10) {
            let page = self
                .ssm
                .get_parameters()
                .set_names(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| call_error("GetParameters", chunk.join(", "), e))?;
            for p in page.parameters() {
                if let (Some(n), Some(v)) = (p.name(), p.value()) {
                    out.insert(n.to_string(), v.to_string());
                }
            }
        }
        Ok(out)
    }
}
