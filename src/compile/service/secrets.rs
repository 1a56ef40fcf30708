//! Secrets: each as the container reads it (`ValueFrom`), and what the execution role
//! may read (SSM parameters, Secrets Manager secrets), exactly those.

use super::*;

/// The main container's secrets, by name, and what reading them takes.
pub(super) fn secrets(m: &ServiceManifest) -> (Vec<SecretItem>, SecretsPlan) {
    let mut p = SecretsPlan::default();
    let mut items = Vec::new();
    let mut entries: Vec<_> = m.task.secrets.iter().collect();
    entries.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (k, s) in entries {
        let (value_from, ssm, sm) = match &s.value {
            Secret::Ssm(v) if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                if v.contains(":secretsmanager:") {
                    (quote(v), None, Some(quote(&resource)))
                } else {
                    (quote(v), Some(quote(v)), None)
                }
            }
            Secret::Ssm(name) => {
                let arn = sub(&format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
                    name.trim_start_matches('/')
                ));
                (arn.clone(), Some(arn), None)
            }
            Secret::SecretsManager { secretsmanager: v } if v.starts_with("arn:") => {
                let resource = v.split(':').take(7).collect::<Vec<_>>().join(":");
                (quote(v), None, Some(quote(&resource)))
            }
            Secret::SecretsManager { secretsmanager: v } => {
                let (name, rest) = v
                    .split_once(':')
                    .map_or((v.as_str(), None), |(n, r)| (n, Some(r)));
                let base = format!(
                    "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}"
                );
                let value = match rest {
                    Some(r) => format!("{base}:{r}"),
                    None => base.clone(),
                };
                (sub(&value), None, Some(sub(&format!("{base}-??????"))))
            }
        };
        items.push(SecretItem {
            name: k.value.clone(),
            value_from,
        });
        p.ssm.extend(ssm);
        p.secretsmanager.extend(sm);
    }
    p.ssm.sort();
    p.ssm.dedup();
    p.secretsmanager.sort();
    p.secretsmanager.dedup();
    (items, p)
}
