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

/// Reads and checks the environment files of `m` (paths relative to `root`, the
/// workspace's root). Problems go to `diags` (a missing file at the manifest's
/// `env_file`, a bad line at that line of the file); `None` when there is one.
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
        let fail = |diags: &mut Diagnostics, msg: String, help: &str| {
            diags.push(
                Diagnostic::error(Code::Io, msg)
                    .at(p.span)
                    .path(at.clone())
                    .help(help.to_string()),
            );
        };
        if let Some(why) = path_problem(p) {
            fail(
                diags,
                format!("`{at}` cannot be `{}`: {why}", p.value),
                "give the path of a file of `VARIABLE=VALUE` lines, relative to the workspace's root",
            );
            ok = false;
            continue;
        }
        let path = root.join(&p.value);
        if let Some(why) = outside(root, &path, &p.value) {
            fail(
                diags,
                format!("environment file `{}` {why}", p.value),
                "environment files are uploaded to S3 for the tasks: keep them inside the workspace (paths are relative to the directory holding `wharf/` or `copilot/`)",
            );
            ok = false;
            continue;
        }
        let bytes = match files.read(&path) {
            Ok(b) if b.len() <= MAX_BYTES => b,
            Ok(_) | Err(ReadError::TooLarge(_)) => {
                fail(
                    diags,
                    format!(
                        "environment file `{}` is larger than {} KiB",
                        p.value,
                        MAX_BYTES / 1024
                    ),
                    "keep large configuration in the image or in SSM parameters",
                );
                ok = false;
                continue;
            }
            Err(ReadError::NotAFile(what)) => {
                fail(
                    diags,
                    format!("environment file `{}` is {what}, not a file", p.value),
                    "paths are relative to the workspace's root (the directory holding `wharf/` or `copilot/`)",
                );
                ok = false;
                continue;
            }
            Err(ReadError::Io(e)) => {
                fail(
                    diags,
                    format!("cannot read environment file `{}`: {e}", p.value),
                    "paths are relative to the workspace's root (the directory holding `wharf/` or `copilot/`)",
                );
                ok = false;
                continue;
            }
        };
        if bytes.starts_with(b"\xef\xbb\xbf") {
            fail(
                diags,
                format!(
                    "environment file `{}` starts with a byte-order mark",
                    p.value
                ),
                "ECS would read the first variable's name with the mark in it; save the file as UTF-8 without BOM",
            );
            ok = false;
            continue;
        }
        if bytes.contains(&0) {
            fail(
                diags,
                format!(
                    "environment file `{}` holds NUL bytes: it is not a text file",
                    p.value
                ),
                "give a file of `VARIABLE=VALUE` lines",
            );
            ok = false;
            continue;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            fail(
                diags,
                format!("environment file `{}` is not UTF-8 text", p.value),
                "save it as UTF-8",
            );
            ok = false;
            continue;
        };
        if let Err(bad) = check(text) {
            let file = sources.add(p.value.clone(), text.to_string());
            let src = sources.file(file);
            for b in bad {
                let range = src.line_range(b.line).unwrap_or(0..0);
                diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("environment file line {}: {}", b.line, b.message),
                    )
                    .at(Span {
                        file,
                        start: range.start,
                        len: range.len(),
                    })
                    .path(at.clone())
                    .help("each line is `VARIABLE=VALUE`; lines starting with `#` are comments"),
                );
            }
            ok = false;
            continue;
        }
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

/// A line that is not `VARIABLE=VALUE`: its 1-based line number and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
}

/// Checks the file's lines; `Ok` with the number of variables.
pub fn check(text: &str) -> Result<usize, Vec<BadLine>> {
    let mut bad = Vec::new();
    let mut vars = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // The ECS agent skips blank lines and comments, also indented ones.
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            None => bad.push(BadLine {
                line: i + 1,
                message: "not `VARIABLE=VALUE`: there is no `=`",
            }),
            Some(("", _)) => bad.push(BadLine {
                line: i + 1,
                message: "the variable's name is empty",
            }),
            Some((name, _)) if name.chars().any(char::is_whitespace) => bad.push(BadLine {
                line: i + 1,
                message: "the variable's name has a space (ECS does not trim lines)",
            }),
            Some(_) => vars += 1,
        }
    }
    if bad.is_empty() { Ok(vars) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_ecs_rules() {
        assert_eq!(check("# c\n\n  # indented\nA=1\nB=\nC=x=y\r\n"), Ok(3));
        let bad = check("A=1\nnoequals\n=v\n A=1\n").unwrap_err();
        assert_eq!(
            bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![2, 3, 4]
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
