//! Running the binary in a fixed environment, and building throw-away workspaces.

use std::path::{Path, PathBuf};

/// `wharf` in `dir`, with the environment pinned: CI mode, no color, fixed width, and no
/// AWS settings leaking in from the machine.
pub fn wharf(dir: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(wharf_std(dir))
}

/// [`wharf`] as a plain `std::process::Command`, for tests that choose its streams.
pub fn wharf_std(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("wharf"));
    cmd.current_dir(dir)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory with files written into it.
pub struct Dir {
    /// Kept alive for the test's duration.
    pub tmp: tempfile::TempDir,
}

impl Dir {
    /// An empty directory.
    pub fn new() -> Self {
        Dir {
            tmp: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// A directory holding a copy of `examples/<name>`.
    pub fn example(name: &str) -> Self {
        let d = Dir::new();
        copy_tree(&repo().join("examples").join(name), d.path());
        d
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes `text` to `rel`, creating directories.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Reads `rel`.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A minimal wharf workspace: app `demo`, environment `test`.
pub fn workspace() -> Dir {
    let d = Dir::new();
    d.write("wharf/app.yml", "name: demo\n");
    d.write(
        "wharf/environments/test/manifest.yml",
        "name: test\ntype: Environment\n",
    );
    d
}

/// Parses every stdout line as JSON.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The cfn-lint executable (installed by `scripts/install-cfn-lint.sh`). Tests that lint
/// fail, not skip, when it is missing.
pub fn cfn_lint() -> PathBuf {
    let p = std::env::var_os("WHARF_CFN_LINT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/cfn-lint/bin/cfn-lint"));
    assert!(
        p.is_file(),
        "cfn-lint not found at {}: run scripts/install-cfn-lint.sh (or set WHARF_CFN_LINT)",
        p.display()
    );
    p
}

/// Runs cfn-lint on `files`; panics with its output when it reports an error.
pub fn lint(files: &[PathBuf]) {
    assert!(!files.is_empty(), "nothing to lint");
    let out = std::process::Command::new(cfn_lint())
        .arg("--non-zero-exit-code")
        .arg("error")
        .args(files)
        .output()
        .expect("cfn-lint runs");
    assert!(
        out.status.success(),
        "cfn-lint found errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `wharf ARGS` in `dir`, asserts success, and returns stdout.
pub fn stdout_ok(dir: &Path, args: &[&str]) -> String {
    let out = wharf(dir)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("stdout is UTF-8")
}
