//! Copilot commands wharf does not have: each is answered with what to use instead
//! (exit 2), so a Copilot script fails saying why, not with "unrecognized subcommand".
//! `app upgrade` and `env upgrade` have nothing to do in wharf, and say so (exit 0).

/// What wharf answers to a Copilot-only command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Not available: the message and what to use instead.
    Absent(String, String),
    /// Nothing to do in wharf (the message).
    NothingToDo(String),
}

/// The answer to `args` (the process arguments after the program name) when they
/// start with a Copilot command wharf does not have; `None` otherwise.
pub fn answer(args: &[String]) -> Option<Answer> {
    // The first two words that are neither flags nor the values of the global flags
    // that take one.
    let mut words: Vec<&str> = Vec::new();
    let mut value_next = false;
    for a in args {
        if std::mem::take(&mut value_next) {
            continue;
        }
        if matches!(
            a.as_str(),
            "--output" | "--app" | "-a" | "--profile" | "--region"
        ) {
            value_next = true;
        } else if !a.starts_with('-') && words.len() < 2 {
            words.push(a);
        }
    }
    let absent = |what: &str, help: &str| {
        Some(Answer::Absent(
            format!("wharf has no `{what}` (a Copilot command)"),
            help.to_string(),
        ))
    };
    match words.as_slice() {
        ["app" | "env", "upgrade"] => Some(Answer::NothingToDo(
            "Nothing to upgrade: wharf renders every template with this version on each deploy."
                .into(),
        )),
        ["svc" | "job", "logs"] => absent(
            &format!("{} logs", words[0]),
            "`wharf svc show -n NAME -e ENV` names the log group; `aws logs tail <group> --follow` reads it",
        ),
        ["svc" | "task", "exec"] => absent(
            &format!("{} exec", words[0]),
            "`aws ecs execute-command --cluster <cluster> --task <task> --interactive --command /bin/sh` (the service needs `exec: true`)",
        ),
        ["task", ..] => absent(
            "task",
            "`aws ecs run-task` with the task definition `wharf svc show` names runs a one-off task",
        ),
        ["run", "local"] => absent(
            "run local",
            "run the image with `docker run` and the variables `wharf svc show` lists",
        ),
        ["storage", ..] => absent(
            "storage",
            "write the CloudFormation template under `<workload>/addons/` (or `environments/addons/`): wharf deploys addons as Copilot did",
        ),
        ["secret", ..] => absent(
            "secret",
            "`aws ssm put-parameter --type SecureString --name <name> --value <value>`, then name it under `secrets:` in the manifest",
        ),
        ["pipeline", ..] => absent(
            "pipeline",
            "run `wharf deploy -e ENV --all` (or `wharf package -e ENV --all --output-dir DIR`) from any CI system",
        ),
        ["svc" | "env" | "job", "override"] => absent(
            &format!("{} override", words[0]),
            "write `overrides/cfn.patches.yml` next to the manifest by hand (YAML patches are supported; CDK overrides are not)",
        ),
        ["svc", "pause" | "resume"] => absent(
            &format!("svc {}", words[1]),
            "it is for App Runner (Request-Driven Web Service), which wharf does not deploy",
        ),
        ["docs", ..] => absent("docs", "the README is wharf's documentation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(s: &str) -> Option<Answer> {
        answer(&s.split(' ').map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn copilot_only_commands_name_what_to_use() {
        assert!(
            matches!(of("svc logs -n web --follow"), Some(Answer::Absent(m, h)) if m.contains("`svc logs`") && h.contains("aws logs tail"))
        );
        assert!(
            matches!(of("--json pipeline deploy"), Some(Answer::Absent(m, _)) if m.contains("`pipeline`"))
        );
        assert!(
            matches!(of("--output json --app shop svc logs"), Some(Answer::Absent(m, _)) if m.contains("`svc logs`"))
        );
        assert!(matches!(of("app upgrade"), Some(Answer::NothingToDo(_))));
        assert_eq!(of("svc deploy -n web"), None);
        assert_eq!(of("app show"), None);
    }
}
