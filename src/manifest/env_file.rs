//! `env_file`: a file of `VARIABLE=VALUE` lines for a container, which wharf uploads to
//! the application's bucket at deploy (content-addressed) and ECS reads when a task
//! starts (`environmentFiles`). The rules follow ECS's
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html>):
//! each line is `VARIABLE=VALUE`; lines starting with `#`
//! are comments and blank lines are skipped. Pure: callers hand in the text.

use super::decode::Spanned;
use super::diag::{Code, Diagnostic, Diagnostics};
use super::files::{Files, ReadError};
use super::service::ServiceManifest;
use super::source::{SourceMap, Span};
use super::validate::observability::LOG_ROUTER;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest file wharf uploads: a task's variables are bounded by the task
/// definition's 64 KiB anyway, so a larger file is a mistake.
pub const MAX_BYTES: usize = 256 * 1024;

/// Each container's `env_file`: (container name, path as written), main first.
pub fn declared(m: &ServiceManifest) -> Vec<(String, &Spanned<String>)> {
    let mut out = Vec::new();
    if let Some(p) = &m.task.env_file {
        out.push((m.name.value.clone(), p));
    }
    if let Some(p) = m.firelens().and_then(|l| l.env_file.as_ref()) {
        out.push((LOG_ROUTER.to_string(), p));
    }
    let mut sidecars: Vec<_> = m.task.sidecars.iter().collect();
    sidecars.sort_by(|a, b| a.0.value.cmp(&b.0.value));
    for (name, s) in sidecars {
        if let Some(p) = &s.value.env_file {
            out.push((name.value.clone(), p));
        }
    }
    out
}

/// Why a path cannot name an environment file, if it cannot. (ECS wants the `.env`
/// extension on the S3 object, which wharf names `<sha256>.env` whatever the file is
/// called here.)
pub fn path_problem(path: &str) -> Option<&'static str> {
    if path.trim().is_empty() {
        Some("the path is empty")
    } else if path.ends_with('/') {
        Some("the path names a directory")
    } else {
        None
    }
}

/// An environment file read and checked, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    /// The workload.
    pub service: String,
    /// The container it is for.
    pub container: String,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of the content: the object is `env-files/<sha256>.env`.
    pub sha256: String,
}

impl EnvFile {
    /// The S3 object key.
    pub fn key(&self) -> String {
        format!("env-files/{}.env", self.sha256)
    }
}

/// Paths are relative to this; said with every problem of reading a file.
const WHERE: &str =
    "paths are relative to the workspace's root (the directory holding `wharf/` or `copilot/`)";

/// Reads and checks the environment files of `m` (paths relative to `root`, the
/// workspace's root). Problems go to `diags`: one about the file as a whole at the
/// manifest's `env_file`, one about a line at that line of the file (a wrong line is
/// an error; a variable ECS would skip or wharf would override, a warning). `None` when
/// there is an error.
pub fn read_all(
    files: &dyn Files,
    root: &Path,
    m: &ServiceManifest,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Vec<EnvFile>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (container, p) in declared(m) {
        let at = if container == m.name.value {
            "env_file".to_string()
        } else if container == LOG_ROUTER {
            "logging.env_file".to_string()
        } else {
            format!("sidecars.{container}.env_file")
        };
        let text = match read_text(files, root, p) {
            Ok(t) => t,
            Err((message, help)) => {
                diags.push(
                    Diagnostic::error(Code::Io, message)
                        .at(p.span)
                        .path(at)
                        .help(help),
                );
                ok = false;
                continue;
            }
        };
        let lines = check(&text);
        if !lines.is_empty() {
            let file = sources.add(p.value.clone(), text.clone());
            let src = sources.file(file);
            for l in lines {
                let range = src.line_range(l.line).unwrap_or(0..0);
                let message = format!("environment file line {}: {}", l.line, l.message);
                let d = if l.error {
                    ok = false;
                    Diagnostic::error(Code::InvalidValue, message)
                        .help("each line is `VARIABLE=VALUE`; lines starting with `#` are comments")
                } else {
                    Diagnostic::warning(Code::InvalidValue, message)
                };
                diags.push(
                    d.at(Span {
                        file,
                        start: range.start,
                        len: range.len(),
                    })
                    .path(at.clone()),
                );
            }
        }
        let bytes = text.into_bytes();
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.push(EnvFile {
            service: m.name.value.clone(),
            container,
            bytes,
            sha256,
        });
    }
    ok.then_some(out)
}

/// The text of one environment file, or what is wrong with the file as a whole and
/// what to do.
fn read_text(
    files: &dyn Files,
    root: &Path,
    p: &Spanned<String>,
) -> Result<String, (String, &'static str)> {
    let shown = &p.value;
    if let Some(why) = path_problem(shown) {
        return Err((
            format!("`env_file` cannot be `{shown}`: {why}"),
            "give the path of a file of `VARIABLE=VALUE` lines, relative to the workspace's root",
        ));
    }
    let path = root.join(shown);
    if let Some(why) = outside(root, &path, shown) {
        return Err((
            format!("environment file `{shown}` {why}"),
            "environment files are uploaded to S3 for the tasks: keep them inside the workspace (paths are relative to the directory holding `wharf/` or `copilot/`)",
        ));
    }
    let bytes = match files.read(&path) {
        Ok(b) if b.len() <= MAX_BYTES => b,
        Ok(_) | Err(ReadError::TooLarge(_)) => {
            return Err((
                format!(
                    "environment file `{shown}` is larger than {} KiB",
                    MAX_BYTES / 1024
                ),
                "keep large configuration in the image or in SSM parameters",
            ));
        }
        Err(ReadError::NotAFile(what)) => {
            return Err((
                format!("environment file `{shown}` is {what}, not a file"),
                WHERE,
            ));
        }
        Err(ReadError::Io(e)) => {
            return Err((
                format!("cannot read environment file `{shown}`: {e}"),
                WHERE,
            ));
        }
    };
    if bytes.starts_with(b"\xef\xbb\xbf") {
        return Err((
            format!("environment file `{shown}` starts with a byte-order mark"),
            "ECS would read the first variable's name with the mark in it; save the file as UTF-8 without BOM",
        ));
    }
    if bytes.contains(&0) {
        return Err((
            format!("environment file `{shown}` holds NUL bytes: it is not a text file"),
            "give a file of `VARIABLE=VALUE` lines",
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        (
            format!("environment file `{shown}` is not UTF-8 text"),
            "save it as UTF-8",
        )
    })
}

/// Why `path` (written `shown`) is not inside the workspace's `root`, if it is not:
/// absolute, climbing out with `..`, or a link that leads out.
fn outside(root: &Path, path: &Path, shown: &str) -> Option<&'static str> {
    let written = Path::new(shown);
    if written.is_absolute() {
        return Some("is an absolute path");
    }
    if written
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Some("climbs out of the workspace with `..`");
    }
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(r), Ok(p)) if !p.starts_with(&r) => Some("is a link to a file outside the workspace"),
        _ => None,
    }
}

/// A line ECS would not read as a variable (an error), or would read other than meant
/// (a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
    /// Whether it stops the deploy.
    pub error: bool,
}

/// Checks the file's lines against what the ECS agent reads: `VARIABLE=VALUE`, skipping
/// blank lines and comments (also indented ones). A variable with no value is skipped
/// by the agent, and one named like wharf's own (`WHARF_…`, `COPILOT_…`) loses to the
/// task definition's value: both are warned.
pub fn check(text: &str) -> Vec<LineProblem> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let problem = match line.split_once('=') {
            None => Some(("not `VARIABLE=VALUE`: there is no `=`", true)),
            Some(("", _)) => Some(("the variable's name is empty", true)),
            Some((name, _)) if name.chars().any(char::is_whitespace) => Some((
                "the variable's name has a space (ECS does not trim lines)",
                true,
            )),
            Some((_, "")) => Some(("the variable has no value, and ECS skips it", false)),
            Some((name, _))
                if super::validate::RESERVED_PREFIXES
                    .iter()
                    .any(|p| name.starts_with(p)) =>
            {
                Some((
                    "wharf sets variables with this prefix itself, and the task definition's value wins over the file's",
                    false,
                ))
            }
            Some(_) => None,
        };
        if let Some((message, error)) = problem {
            out.push(LineProblem {
                line: i + 1,
                message,
                error,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_ecs_rules() {
        assert!(check("# c\n\n  # indented\nA=1\nC=x=y\r\n").is_empty());
        let found: Vec<(usize, bool)> = check("A=1\nnoequals\n=v\n A=1\nB=\nWHARF_X=1\n")
            .iter()
            .map(|p| (p.line, p.error))
            .collect();
        assert_eq!(
            found,
            vec![(2, true), (3, true), (4, true), (5, false), (6, false)]
        );
    }

    #[test]
    fn paths_name_a_file() {
        assert!(path_problem("config/web.env").is_none());
        assert!(path_problem(".env").is_none());
        assert!(path_problem("conf/").is_some());
        assert!(path_problem(" ").is_some());
    }
}
