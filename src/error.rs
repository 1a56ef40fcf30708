//! wharf's errors and the one function that turns them into exit codes.
//!
//! Exit codes (documented in the README): 0 success or no changes; 1 runtime failure
//! (AWS, I/O, a bug) or a refusal; 2 invalid manifest or usage; 3 deployment failed and was rolled
//! back; 4 rollback failed or the stack needs manual attention; 130 interrupted.

use std::path::PathBuf;

/// Why a question could not be asked or answered.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PromptError {
    /// Nobody can answer: no terminal, `CI`, or `--no-input`.
    #[error("{what} is needed and there is no terminal to ask on")]
    #[diagnostic(code(wharf::usage::needs_flag), help("pass `{flag}`"))]
    NeedsFlag {
        /// The flag that answers it.
        flag: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// The terminal failed.
    #[error("could not read the answer: {0}")]
    #[diagnostic(code(wharf::io::prompt))]
    Io(#[from] dialoguer::Error),
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WharfError {
    /// Wrong use of a command (a bad flag value, a missing name).
    #[error("{message}")]
    #[diagnostic(code(wharf::usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        #[help]
        help: Option<String>,
    },
    /// wharf would not do what was asked, given what is deployed: it would replace a
    /// resource that holds state without a yes, or would not do all it says (a rollback
    /// that cannot restore everything that differs).
    #[error("{message}")]
    #[diagnostic(code(wharf::refused))]
    Refused {
        /// What was refused, and why.
        message: String,
        /// What to do.
        #[help]
        help: Option<String>,
    },
    /// `package --diff`: the template differs from the deployed stack's (exit 1, as
    /// Copilot's `package --diff`).
    #[error("{}", if *deployed { format!("the template differs from stack {stack}'s deployed one") } else { format!("stack {stack} is not deployed: everything in the template is new") })]
    #[diagnostic(code(wharf::diff::differs))]
    Differs {
        /// The stack.
        stack: String,
        /// Whether it is deployed.
        deployed: bool,
    },
    /// `package --diff` could not compare (exit 2, as Copilot's `package --diff`).
    #[error("no diff: {0}")]
    #[diagnostic(code(wharf::diff::unavailable))]
    DiffUnavailable(Box<WharfError>),
    /// No workspace above the current directory.
    #[error("no wharf workspace found in {} or above", dir.display())]
    #[diagnostic(
        code(wharf::usage::no_workspace),
        help(
            "create one with `wharf init` or `wharf app init NAME`, or run wharf inside a directory that has `wharf/app.yml` (or a Copilot `copilot/.workspace`)"
        )
    )]
    NoWorkspace {
        /// Where the search started.
        dir: PathBuf,
    },
    /// Manifests have errors; they were already reported.
    #[error("{errors} error{} in the manifests", if *errors == 1 { "" } else { "s" })]
    #[diagnostic(code(wharf::manifest::invalid))]
    InvalidManifest {
        /// How many.
        errors: usize,
    },
    /// A question could not be asked.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Prompt(#[from] PromptError),
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    #[diagnostic(code(wharf::io))]
    Io {
        /// `read`, `write`, `create`.
        action: &'static str,
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An AWS call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] crate::aws::AwsError),
    /// A deploy did not succeed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Deploy(#[from] crate::deploy::DeployError),
    /// A deploy lock was not taken.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] crate::deploy::lock::LockError),
    /// Several stacks were deployed and some failed (each was reported).
    #[error("{failed} of {total} stacks did not deploy")]
    #[diagnostic(code(wharf::deploy::some_failed))]
    SomeFailed {
        /// How many failed.
        failed: usize,
        /// How many there were.
        total: usize,
        /// The exit code of the worst failure.
        code: u8,
    },
    /// An image could not be built or pushed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Image(#[from] crate::image::pipeline::ImageError),
    /// Several images were made and some failed (each was reported).
    #[error("{failed} of {total} images could not be built or pushed; nothing was deployed")]
    #[diagnostic(code(wharf::image::some_failed))]
    ImagesFailed {
        /// How many failed.
        failed: usize,
        /// How many there were.
        total: usize,
        /// 2 when every failure was the user's input, else 1.
        code: u8,
    },
    /// A job run that did not succeed, or was not followed to its end (`job run
    /// --follow`).
    #[error("{message}")]
    #[diagnostic(code(wharf::job::run), help("{help}"))]
    JobRun {
        /// What happened.
        message: String,
        /// What to look at.
        help: String,
        /// The task's exit code (1 to 255); 1 for a failure without one; 4 for a timeout;
        /// 130 for Ctrl-C.
        code: u8,
    },
    /// Ctrl-C stopped the command before it changed anything remote.
    #[error("interrupted while {during}; nothing was deployed")]
    #[diagnostic(code(wharf::interrupted))]
    Interrupted {
        /// What was going on.
        during: &'static str,
    },
    /// Ctrl-C stopped a command between steps, after some had changed things: what
    /// was done and what was not.
    #[error("interrupted: {done}")]
    #[diagnostic(code(wharf::interrupted), help("{help}"))]
    InterruptedBetween {
        /// What was done before the interrupt, and what was left.
        done: String,
        /// How to go on.
        help: String,
    },
    /// A template failed to render: a bug in wharf.
    #[error("internal error rendering a template: {0}")]
    #[diagnostic(
        code(wharf::bug),
        help("please report this with the manifest that caused it")
    )]
    Template(#[from] crate::render::RenderError),
}

impl WharfError {
    /// A usage error with an optional hint.
    pub fn usage(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        WharfError::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        WharfError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl WharfError {
    /// The AWS SDK's error chain behind an AWS failure, for `--verbose`.
    pub fn sdk_detail(&self) -> Option<&str> {
        match self {
            WharfError::Aws(e) => e.detail(),
            WharfError::Deploy(crate::deploy::DeployError::Aws(e)) => e.detail(),
            WharfError::Lock(crate::deploy::lock::LockError::Aws(e)) => e.detail(),
            _ => None,
        }
    }
}

/// The process exit code for an error.
pub fn exit_code(err: &WharfError) -> u8 {
    match err {
        WharfError::Usage { .. }
        | WharfError::NoWorkspace { .. }
        | WharfError::InvalidManifest { .. }
        | WharfError::DiffUnavailable(_) => 2,
        WharfError::Differs { .. } => 1,
        WharfError::Prompt(PromptError::NeedsFlag { .. }) => 2,
        WharfError::Prompt(PromptError::Io(_))
        | WharfError::Io { .. }
        | WharfError::Template(_)
        | WharfError::Refused { .. }
        | WharfError::Aws(_) => 1,
        WharfError::Lock(crate::deploy::lock::LockError::TimedOut { .. }) => 4,
        WharfError::Lock(_) => 1,
        WharfError::Deploy(d) => d.exit_code(),
        WharfError::SomeFailed { code, .. } | WharfError::ImagesFailed { code, .. } => *code,
        WharfError::Image(e) if e.is_usage() => 2,
        WharfError::Image(_) => 1,
        WharfError::Interrupted { .. } | WharfError::InterruptedBetween { .. } => 130,
        WharfError::JobRun { code, .. } => *code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(&WharfError::usage("x", None)), 2);
        assert_eq!(
            exit_code(&WharfError::Refused {
                message: "x".into(),
                help: None
            }),
            1
        );
        assert_eq!(exit_code(&WharfError::InvalidManifest { errors: 1 }), 2);
        assert_eq!(exit_code(&WharfError::NoWorkspace { dir: ".".into() }), 2);
        assert_eq!(
            exit_code(
                &PromptError::NeedsFlag {
                    flag: "--name",
                    what: "a name"
                }
                .into()
            ),
            2
        );
        assert_eq!(
            exit_code(&WharfError::io("read", "x", std::io::Error::other("boom"))),
            1
        );
    }
}
