//! The default image tag: the git commit (short SHA, `-dirty` when the work tree has
//! changes), or, outside git, a content hash of the build inputs.

use std::path::Path;
use std::process::Command;

/// What git says about the work tree at `dir`, if it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// Short commit SHA.
    pub short_sha: String,
    /// Whether tracked or untracked (not ignored) files differ from the commit.
    pub dirty: bool,
}

/// Reads the git state of `dir`; `None` outside a repository (or without git).
pub fn git_state(dir: &Path) -> Option<GitState> {
    let run = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let short_sha = run(&["rev-parse", "--short=12", "HEAD"])?;
    let dirty = !run(&["status", "--porcelain"])?.is_empty();
    Some(GitState { short_sha, dirty })
}

/// The tag for a build: `<sha>` or `<sha>-dirty` in git, else `h-<first 12 of the input hash>`.
pub fn default_tag(git: Option<&GitState>, input_hash: &str) -> String {
    match git {
        Some(g) if g.dirty => format!("{}-dirty", g.short_sha),
        Some(g) => g.short_sha.clone(),
        None => format!("h-{}", &input_hash[..input_hash.len().min(12)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_naming() {
        let clean = GitState {
            short_sha: "abc123def456".into(),
            dirty: false,
        };
        let dirty = GitState {
            dirty: true,
            ..clean.clone()
        };
        assert_eq!(default_tag(Some(&clean), "ff"), "abc123def456");
        assert_eq!(default_tag(Some(&dirty), "ff"), "abc123def456-dirty");
        assert_eq!(default_tag(None, "0123456789abcdef0123"), "h-0123456789ab");
    }

    #[test]
    fn reads_a_real_repository() {
        let d = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            assert!(
                Command::new("git")
                    .args(args)
                    .current_dir(d.path())
                    .output()
                    .unwrap()
                    .status
                    .success(),
                "git {args:?}"
            )
        };
        assert_eq!(git_state(d.path()), None, "not a repository yet");
        git(&["init", "-q"]);
        git(&[
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first",
        ]);
        let s = git_state(d.path()).unwrap();
        assert_eq!((s.short_sha.len(), s.dirty), (12, false));
        std::fs::write(d.path().join("new-file"), "x").unwrap();
        assert!(git_state(d.path()).unwrap().dirty);
    }
}
