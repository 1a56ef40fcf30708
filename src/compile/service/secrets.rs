//! Secrets: each as the container reads it (`ValueFrom`), and what the execution role
//! may read (SSM parameters, Secrets Manager secrets), exactly those.

use super::*;

/// The main container's secrets, by name, and what reading them takes.
pub(super) fn secrets(m: &ServiceManifest) -> (Vec<SecretItem>, SecretsPlan) {
    secrets_of(&m.task.secrets)
}

/// One container's secrets, by name, and what reading them takes.
pub(super) fn secrets_of(
    declared: &crate::manifest::decode::Keyed<crate::manifest::decode::Spanned<Secret>>,
) -> (Vec<SecretItem>, SecretsPlan) {
    let mut p = SecretsPlan::default();
    let mut items = Vec::new();
    let mut entries: Vec<_> = declared.iter().collect();
    entries.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (k, s) in entries {
        let (value_from, ssm, sm) = match &s.value {
            Secret::Ssm(v) if v.starts_with("arn:") => {
                if v.contains(":secretsmanager:") {
                    (quote(v), None, Some(arn_resources(v)))
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
            // The export is the ARN of a parameter or a secret: either may be read.
            Secret::FromCfn { from_cfn } => {
                let import = format!("!ImportValue {}", quote(from_cfn));
                (import.clone(), Some(import.clone()), Some(vec![import]))
            }
            Secret::SecretsManager { secretsmanager: v } if v.starts_with("arn:") => {
                (quote(v), None, Some(arn_resources(v)))
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
                let resources = name_resources(&base, name)
                    .into_iter()
                    .map(|r| sub(&r))
                    .collect();
                (sub(&value), None, Some(resources))
            }
        };
        items.push(SecretItem {
            name: k.value.clone(),
            value_from,
        });
        p.ssm.extend(ssm);
        p.secretsmanager.extend(sm.into_iter().flatten());
    }
    p.sort();
    (items, p)
}

impl SecretsPlan {
    /// Sorted and without repeats, so the output is stable.
    pub(super) fn sort(&mut self) {
        self.ssm.sort();
        self.ssm.dedup();
        self.secretsmanager.sort();
        self.secretsmanager.dedup();
    }

    /// What reading `other` takes too.
    pub(super) fn merge(&mut self, other: SecretsPlan) {
        self.ssm.extend(other.ssm);
        self.secretsmanager.extend(other.secretsmanager);
        self.sort();
    }
}

/// Whether a secret name ends in what looks like the six characters Secrets Manager
/// appends to make its ARN (`db-Ab12Cd`).
fn has_suffix(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(head, tail)| {
        !head.is_empty() && tail.len() == 6 && tail.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// What reading secret `name` (whose ARN up to the name is `base`) takes: a secret's
/// ARN is its name plus `-` and six random characters, so a name is granted with
/// `-??????`; a name that may already carry them (`db-Ab12Cd`) is granted as written
/// too (<https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html>,
/// "wildcard for the six random characters").
fn name_resources(base: &str, name: &str) -> Vec<String> {
    let mut out = vec![format!("{base}-??????")];
    if has_suffix(name) {
        out.insert(0, base.to_string());
    }
    out
}

/// The resources an execution role reads a secret given by ARN with
/// (`arn:…:secret:NAME[:json-key:stage:id]`): the secret's ARN, by [`name_resources`].
pub(super) fn arn_resources(arn: &str) -> Vec<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let base = parts.iter().take(7).copied().collect::<Vec<_>>().join(":");
    let name = parts.get(6).copied().unwrap_or("");
    name_resources(&base, name)
        .into_iter()
        .map(|r| quote(&r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_manager_names_are_granted_with_their_random_suffix() {
        let base = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/test/db";
        assert_eq!(
            name_resources(base, "app/test/db"),
            [format!("{base}-??????")]
        );
        assert_eq!(
            arn_resources(&format!("{base}:password::")),
            [quote(&format!("{base}-??????"))]
        );
        let suffixed = format!("{base}-Ab12Cd");
        assert_eq!(
            arn_resources(&suffixed),
            [quote(&suffixed), quote(&format!("{suffixed}-??????"))]
        );
        assert_eq!(
            name_resources("arn:x:secret:db-Ab12Cd", "db-Ab12Cd"),
            ["arn:x:secret:db-Ab12Cd", "arn:x:secret:db-Ab12Cd-??????"]
        );
        // `-` then a word that is not six characters: not a suffix.
        assert!(!has_suffix("my-secrets") && !has_suffix("db-Ab12C_") && has_suffix("a-b-123456"));
    }
}
