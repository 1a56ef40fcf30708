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

/// The first two words of `args` that are neither flags nor the values of the global
/// flags that take one: the command (`svc show`), or a one-word command and what
/// follows it.
fn command_words(args: &[String]) -> Vec<&str> {
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
    words
}

/// Copilot's flags that wharf does not take, with the commands that had them and what to
/// use instead (from Copilot's command reference,
/// <https://aws.github.io/copilot-cli/docs/commands/>).
const FLAGS: &[(&[&str], &[&str], &str)] = &[
    (
        &["env init", "deploy", "init"],
        &[
            "--aws-access-key-id",
            "--aws-secret-access-key",
            "--aws-session-token",
        ],
        "wharf takes no credentials as arguments, where other users of the machine could read them: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or pass `--profile`",
    ),
    (
        &["svc show", "env show", "job show"],
        &["--manifest"],
        "the manifest is the workspace's file; `wharf svc package -n NAME -e ENV` (or `env package -n ENV`) shows the template it compiles to",
    ),
    (
        &["svc init", "init"],
        &["--ingress-type"],
        "it chose the traffic of a Request-Driven Web Service (App Runner), which wharf does not deploy",
    ),
    (
        &["svc init", "init"],
        &["--sources"],
        "it listed a Static Site's files, which wharf does not deploy",
    ),
    (
        &["env package"],
        &["--upload-assets"],
        "an environment stack has nothing to upload before it is deployed: `wharf env package` is complete offline, and `wharf env deploy` uploads the environment's addons",
    ),
    (
        &["app show", "app delete"],
        &["--name", "-n"],
        "wharf works on the application of the workspace it runs in: run it there (`--app NAME` checks that it is that application)",
    ),
];

/// The answer to the Copilot flag `flag` (as clap reports an unknown argument:
/// `--resources`, maybe with `=value`) in the command `args` (the process arguments after
/// the program name) names; `None` when it is no Copilot flag wharf knows of.
pub fn flag_answer(args: &[String], flag: &str) -> Option<(String, String)> {
    let flag = flag.split('=').next().unwrap_or(flag);
    let words = command_words(args);
    let two = words.join(" ");
    let one = words.first().copied().unwrap_or_default();
    FLAGS.iter().find_map(|(commands, flags, help)| {
        let command = commands.iter().find(|c| **c == two || **c == one)?;
        flags.contains(&flag).then(|| {
            (
                format!("wharf has no `{command} {flag}` (a Copilot flag)"),
                (*help).to_string(),
            )
        })
    })
}

/// The answer to `args` (the process arguments after the program name) when they
/// start with a Copilot command wharf does not have; `None` otherwise.
pub fn answer(args: &[String]) -> Option<Answer> {
    let words = command_words(args);
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

    #[test]
    fn copilot_only_flags_name_what_to_use() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let (m, h) = flag_answer(
            &args("env init -n test --aws-access-key-id AKIA"),
            "--aws-access-key-id",
        )
        .unwrap();
        assert_eq!(
            m,
            "wharf has no `env init --aws-access-key-id` (a Copilot flag)"
        );
        assert!(h.contains("AWS_ACCESS_KEY_ID"), "{h}");
        let (m, _) = flag_answer(
            &args("--json svc show -n web --manifest test"),
            "--manifest",
        )
        .unwrap();
        assert!(m.contains("`svc show --manifest`"), "{m}");
        // One-word commands, whatever follows.
        assert!(
            flag_answer(
                &args("deploy web --aws-session-token=x"),
                "--aws-session-token=x"
            )
            .is_some()
        );
        // Another command, or a flag of no Copilot command: clap's own message.
        assert_eq!(
            flag_answer(&args("svc deploy --manifest x"), "--manifest"),
            None
        );
        assert_eq!(flag_answer(&args("svc show --bogus"), "--bogus"), None);
    }
}
