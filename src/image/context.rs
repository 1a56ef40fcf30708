//! What a build depends on, as one hash: the files the build context sends (after
//! `.dockerignore`, with Docker's rules), the Dockerfile, build args, target and
//! platform. Equal hashes mean an image built from them already exists and can be
//! reused. Reads files; decides nothing else.

use globset::{GlobBuilder, GlobMatcher};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `.dockerignore` rule.
#[derive(Debug, Clone)]
struct Rule {
    matcher: GlobMatcher,
    /// `!pattern`: puts matching files back.
    include: bool,
}

/// `.dockerignore` rules, with Docker's semantics: patterns are relative to the context
/// root, `*` and `?` stop at `/`, `**` crosses directories, the last matching rule wins,
/// and a rule that matches a directory applies to everything under it.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    rules: Vec<Rule>,
}

/// Why a `.dockerignore` line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(".dockerignore line {line}: `{pattern}` is not a valid pattern: {reason}")]
pub struct PatternError {
    /// 1-based line.
    pub line: usize,
    /// The pattern.
    pub pattern: String,
    /// Why.
    pub reason: String,
}

/// Docker cleans patterns like Go's `filepath.Clean`, relative to the context root.
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (include, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let cleaned = clean(pattern);
            if cleaned.is_empty() {
                continue;
            }
            // `literal_separator`: `*` does not cross `/`, as in Go's filepath.Match.
            let matcher = GlobBuilder::new(&cleaned)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| PatternError {
                    line: i + 1,
                    pattern: pattern.to_string(),
                    reason: e.kind().to_string(),
                })?
                .compile_matcher();
            rules.push(Rule { matcher, include });
        }
        Ok(DockerIgnore { rules })
    }

    /// Whether `path` (relative to the context root, `/`-separated) is left out.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for rule in &self.rules {
            // The rule matches the path itself or one of its parent directories.
            let mut hit = rule.matcher.is_match(path);
            let mut rest = path;
            while !hit && let Some((parent, _)) = rest.rsplit_once('/') {
                hit = rule.matcher.is_match(parent);
                rest = parent;
            }
            if hit {
                excluded = !rule.include;
            }
        }
        excluded
    }
}

/// Everything a build depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInputs {
    /// The build context directory.
    pub context: PathBuf,
    /// The Dockerfile.
    pub dockerfile: PathBuf,
    /// `--build-arg` values.
    pub args: BTreeMap<String, String>,
    /// Multi-stage target.
    pub target: Option<String>,
    /// `linux/amd64`, `linux/arm64`, …
    pub platform: String,
}

/// Why the inputs could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// Which.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `.dockerignore` is invalid.
    #[error(transparent)]
    Pattern(#[from] PatternError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HashError + '_ {
    move |source| HashError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Files the context sends, relative and sorted, with `.dockerignore` applied.
pub fn context_files(context: &Path) -> Result<Vec<String>, HashError> {
    let ignore_path = context.join(".dockerignore");
    let ignore = match std::fs::read_to_string(&ignore_path) {
        Ok(t) => DockerIgnore::parse(&t)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
        Err(e) => return Err(io(&ignore_path)(e)),
    };
    let mut out = Vec::new();
    let mut stack = vec![(context.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(io(&entry.path()))?;
            if kind.is_dir() {
                // Descend even into excluded directories: an exception may put files back.
                stack.push((entry.path(), path));
            } else if !ignore.excludes(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The SHA-256 (hex) of everything a build depends on.
pub fn hash(inputs: &BuildInputs) -> Result<String, HashError> {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    field(
        "dockerfile",
        &std::fs::read(&inputs.dockerfile).map_err(io(&inputs.dockerfile))?,
    );
    for (k, v) in &inputs.args {
        field(&format!("arg:{k}"), v.as_bytes());
    }
    field("target", inputs.target.as_deref().unwrap_or("").as_bytes());
    field("platform", inputs.platform.as_bytes());
    for rel in context_files(&inputs.context)? {
        let path = inputs.context.join(&rel);
        let meta = std::fs::metadata(&path).map_err(io(&path))?;
        #[cfg(unix)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111;
        #[cfg(not(unix))]
        let mode = u32::from(meta.permissions().readonly());
        field(
            &format!("file:{rel}:{mode:o}"),
            &std::fs::read(&path).map_err(io(&path))?,
        );
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).unwrap()
    }

    #[test]
    fn patterns_are_rooted_and_star_stops_at_slashes() {
        let i = ignore("*.md\n/tmp\n");
        assert!(i.excludes("README.md"));
        assert!(
            !i.excludes("docs/guide.md"),
            "`*` does not cross directories"
        );
        assert!(
            i.excludes("tmp/x/y"),
            "a matching directory takes its contents"
        );
        assert!(!i.excludes("src/tmp"));
    }

    #[test]
    fn double_star_crosses_directories() {
        let i = ignore("**/*.log\n**/node_modules\n");
        assert!(i.excludes("a.log") && i.excludes("x/y/z.log"));
        assert!(i.excludes("web/node_modules/lib/index.js"));
        assert!(!i.excludes("logs/readme"));
    }

    #[test]
    fn the_last_matching_rule_wins_and_exceptions_put_files_back() {
        let i = ignore("*.log\n!keep.log\n");
        assert!(i.excludes("debug.log"));
        assert!(!i.excludes("keep.log"));
        let i = ignore("build\n!build/app\n");
        assert!(i.excludes("build/tmp.o"));
        assert!(!i.excludes("build/app"));
    }

    #[test]
    fn comments_blanks_and_cleaning() {
        let i = ignore("# comment\n\n./secrets/\nsub/../other\n");
        assert!(i.excludes("secrets/key"));
        assert!(i.excludes("other"));
        assert!(!i.excludes("sub/other"));
    }

    #[test]
    fn invalid_patterns_name_their_line() {
        let e = DockerIgnore::parse("ok\n[z-a\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn inputs(dir: &Path) -> BuildInputs {
        BuildInputs {
            context: dir.to_path_buf(),
            dockerfile: dir.join("Dockerfile"),
            args: BTreeMap::new(),
            target: None,
            platform: "linux/amd64".into(),
        }
    }

    #[test]
    fn the_hash_follows_what_the_build_uses_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        write(p, "Dockerfile", "FROM scratch\nCOPY app /app\n");
        write(p, "app/main", "v1");
        write(p, ".dockerignore", "*.log\nnotes\n");
        write(p, "debug.log", "noise");
        let base = hash(&inputs(p)).unwrap();
        assert_eq!(base.len(), 64);
        assert_eq!(hash(&inputs(p)).unwrap(), base, "deterministic");
        assert_eq!(
            context_files(p).unwrap(),
            [".dockerignore", "Dockerfile", "app/main"]
        );

        write(p, "debug.log", "more noise");
        write(p, "notes/todo", "x");
        assert_eq!(
            hash(&inputs(p)).unwrap(),
            base,
            "ignored files do not count"
        );

        write(p, "app/main", "v2");
        let changed = hash(&inputs(p)).unwrap();
        assert_ne!(changed, base, "a used file counts");

        let mut with_args = inputs(p);
        with_args.args.insert("VERSION".into(), "1".into());
        assert_ne!(hash(&with_args).unwrap(), changed, "build args count");
        let mut arm = inputs(p);
        arm.platform = "linux/arm64".into();
        assert_ne!(hash(&arm).unwrap(), changed, "the platform counts");
        let mut target = inputs(p);
        target.target = Some("runtime".into());
        assert_ne!(hash(&target).unwrap(), changed, "the target counts");
    }

    #[test]
    fn a_dockerfile_outside_the_context_still_counts() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        write(p, "ctx/file", "x");
        write(p, "build/Dockerfile", "FROM scratch\n");
        let mut i = inputs(&p.join("ctx"));
        i.dockerfile = p.join("build/Dockerfile");
        let a = hash(&i).unwrap();
        write(p, "build/Dockerfile", "FROM scratch\nCOPY file /\n");
        assert_ne!(hash(&i).unwrap(), a);
    }
}
