//! Manifest diagnostics: errors and warnings that point at a place in a manifest.
//!
//! Loading, decoding and validation push into one [`Diagnostics`] list so a run reports
//! every problem in every manifest at once. Rendering lives in `ui`; this module only
//! describes what went wrong and where.

use super::limits::MAX_DIAGNOSTICS_PER_FILE;
use super::source::{FileId, SourceMap, Span};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Not a problem itself: says something about the others (how many were not shown).
    Note,
    /// The manifest is used anyway; something looks wrong.
    Warning,
    /// The manifest cannot be used.
    Error,
}

/// Stable identifiers of diagnostic kinds (shown as `wharf::manifest::<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Code {
    Syntax,
    UnknownKey,
    DuplicateKey,
    InvalidType,
    InvalidValue,
    MissingField,
    Unsupported,
    UnsupportedType,
    NotForType,
    MutuallyExclusive,
    Range,
    Fargate,
    Interpolation,
    SecretInVariables,
    Reference,
    Io,
    Encoding,
    Limit,
    Truncated,
    /// A `taskdef_overrides` rule or YAML patch that does not fit the rendered template.
    Override,
}

impl Code {
    /// Whether the source line may be shown under the message. Not for a secret-like
    /// variable: its line holds the value the warning is about.
    pub fn shows_source(self) -> bool {
        self != Code::SecretInVariables
    }

    /// The code as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "wharf::manifest::syntax",
            Code::UnknownKey => "wharf::manifest::unknown_key",
            Code::DuplicateKey => "wharf::manifest::duplicate_key",
            Code::InvalidType => "wharf::manifest::invalid_type",
            Code::InvalidValue => "wharf::manifest::invalid_value",
            Code::MissingField => "wharf::manifest::missing_field",
            Code::Unsupported => "wharf::manifest::unsupported",
            Code::UnsupportedType => "wharf::manifest::unsupported_type",
            Code::NotForType => "wharf::manifest::not_for_type",
            Code::MutuallyExclusive => "wharf::manifest::mutually_exclusive",
            Code::Range => "wharf::manifest::range",
            Code::Fargate => "wharf::manifest::fargate",
            Code::Interpolation => "wharf::manifest::interpolation",
            Code::SecretInVariables => "wharf::manifest::secret_in_variables",
            Code::Reference => "wharf::manifest::reference",
            Code::Io => "wharf::manifest::io",
            Code::Encoding => "wharf::manifest::encoding",
            Code::Limit => "wharf::manifest::limit",
            Code::Truncated => "wharf::manifest::truncated",
            Code::Override => "wharf::manifest::override",
        }
    }
}

/// One problem found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub code: Code,
    /// One-line description.
    pub message: String,
    /// Where it is; `None` for problems with no place (a missing file).
    pub span: Option<Span>,
    /// The YAML path of the offending node, like `http.healthcheck.interval`.
    pub path: Option<String>,
    /// Short text next to the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// The environments whose effective manifest has the problem; empty when it is the
    /// manifest as written (or every environment checked).
    pub environments: Vec<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            path: None,
            label: None,
            help: None,
            environments: Vec::new(),
        }
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Sets where it is.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Sets the YAML path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = (!p.is_empty()).then_some(p);
        self
    }

    /// Sets the label next to the caret.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// The diagnostics of one run, in the order found.
///
/// Exact repeats are dropped (the same base manifest is checked once per environment, so
/// the same problem would otherwise be reported several times). At most
/// [`MAX_DIAGNOSTICS_PER_FILE`] are kept for each file; the others are only counted and
/// [`Diagnostics::sorted`] ends that file's list with a note saying how many were left out.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    /// The ones shown, in the order found.
    items: Vec<Diagnostic>,
    /// The ones past the per-file limit, in the order found.
    hidden: Vec<Diagnostic>,
    /// Everything pushed so far, to drop repeats in constant time.
    seen: HashSet<Diagnostic>,
    /// How many are shown per file (`None`: no file).
    kept: HashMap<Option<FileId>, usize>,
    /// Errors and warnings, shown or not.
    errors: usize,
    warnings: usize,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one, unless it repeats one already added; past the per-file limit it is only
    /// counted.
    pub fn push(&mut self, d: Diagnostic) {
        if self.seen.contains(&d) {
            return;
        }
        self.seen.insert(d.clone());
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => {}
        }
        let kept = self.kept.entry(d.span.map(|s| s.file)).or_default();
        if *kept < MAX_DIAGNOSTICS_PER_FILE {
            *kept += 1;
            self.items.push(d);
        } else {
            self.hidden.push(d);
        }
    }

    /// The same list, with `prefix` put before the YAML path of each diagnostic located
    /// inside `within` (the ones that point into an override block, whose paths were
    /// found in the merged manifest: `cpu` becomes `environments.test.cpu`).
    pub fn prefixed_within(self, within: Span, prefix: &str) -> Diagnostics {
        let inside = |s: &Span| {
            s.file == within.file && s.start >= within.start && s.start < within.start + within.len
        };
        let mut out = Diagnostics::new();
        for mut d in self.items.into_iter().chain(self.hidden) {
            if d.span.as_ref().is_some_and(inside)
                && let Some(p) = &d.path
                && !p.starts_with(prefix)
            {
                d.path = Some(format!("{prefix}{p}"));
            }
            out.push(d);
        }
        out
    }

    /// The same problems, each said to be of environment `env`'s effective manifest.
    pub fn in_environment(self, env: &str) -> Diagnostics {
        let mut out = Diagnostics::new();
        for mut d in self.items.into_iter().chain(self.hidden) {
            d.environments = vec![env.to_string()];
            out.push(d);
        }
        out
    }

    /// Problems found for several environments, merged: one found for every
    /// environment of `all` is said once without environments; one found for some is
    /// said once, naming them.
    pub fn merge_environments(per_env: Vec<Diagnostics>, all: &[String]) -> Diagnostics {
        let mut groups: Vec<(Diagnostic, Vec<String>)> = Vec::new();
        for ds in per_env {
            for d in ds.items.into_iter().chain(ds.hidden) {
                let mut key = d.clone();
                let envs = std::mem::take(&mut key.environments);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, e)) => e.extend(envs),
                    None => groups.push((key, envs)),
                }
            }
        }
        let mut out = Diagnostics::new();
        for (mut d, mut envs) in groups {
            envs.sort();
            envs.dedup();
            if all.is_empty() || !all.iter().all(|a| envs.contains(a)) {
                d.environments = envs;
            }
            out.push(d);
        }
        out
    }

    /// Adds all of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items.into_iter().chain(other.hidden) {
            self.push(d);
        }
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Number of errors, shown or not.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// Number of warnings, shown or not.
    pub fn warning_count(&self) -> usize {
        self.warnings
    }

    /// The diagnostics to show, sorted by file and position so output is stable; a file
    /// with more than [`MAX_DIAGNOSTICS_PER_FILE`] ends with a note on how many more
    /// there are.
    pub fn sorted(&self, sources: &SourceMap) -> Vec<Diagnostic> {
        let key = |file: Option<FileId>, start: usize| {
            (file.map(|f| sources.path(f).to_path_buf()), file, start)
        };
        let mut v: Vec<_> = self
            .items
            .iter()
            .map(|d| {
                (
                    key(d.span.map(|s| s.file), d.span.map_or(0, |s| s.start)),
                    d.clone(),
                )
            })
            .collect();
        let mut hidden_per_file: HashMap<Option<FileId>, (usize, usize)> = HashMap::new();
        for d in &self.hidden {
            let c = hidden_per_file.entry(d.span.map(|s| s.file)).or_default();
            match d.severity {
                Severity::Error => c.0 += 1,
                _ => c.1 += 1,
            }
        }
        for (file, (errors, warnings)) in hidden_per_file {
            let hidden = errors + warnings;
            let place = file.map_or_else(
                || "without a file".to_string(),
                |f| format!("in {}", sources.path(f).display()),
            );
            let note = Diagnostic {
                severity: Severity::Note,
                ..Diagnostic::error(
                    Code::Truncated,
                    format!(
                        "{hidden} more problem{} {place} not shown ({} error{}, {} warning{}); only the first {MAX_DIAGNOSTICS_PER_FILE} of a file are shown",
                        plural(hidden),
                        errors,
                        plural(errors),
                        warnings,
                        plural(warnings),
                    ),
                )
            }
            .help("fix the problems above and run again to see the rest");
            v.push((key(file, usize::MAX), note));
        }
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().map(|(_, d)| d).collect()
    }

    /// The diagnostics kept, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(map: &mut SourceMap, n: usize) -> Vec<Diagnostic> {
        let text = "k: v\n".repeat(n);
        let file = map.add("m.yml", text);
        (0..n)
            .map(|i| {
                let d = Diagnostic::error(Code::UnknownKey, format!("problem {i}"));
                let d = if i % 10 == 9 {
                    Diagnostic::warning(Code::UnknownKey, format!("problem {i}"))
                } else {
                    d
                };
                d.at(Span::point(file, i * 5))
            })
            .collect()
    }

    #[test]
    fn a_file_shows_its_first_diagnostics_and_a_note_counts_the_rest() {
        let mut map = SourceMap::new();
        let mut d = Diagnostics::new();
        for p in problems(&mut map, MAX_DIAGNOSTICS_PER_FILE + 50) {
            d.push(p);
        }
        assert_eq!(d.iter().count(), MAX_DIAGNOSTICS_PER_FILE);
        assert_eq!(
            d.error_count() + d.warning_count(),
            MAX_DIAGNOSTICS_PER_FILE + 50
        );
        assert_eq!(d.warning_count(), (MAX_DIAGNOSTICS_PER_FILE + 50) / 10);
        let shown = d.sorted(&map);
        assert_eq!(shown.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
        let note = shown.last().unwrap();
        assert_eq!(
            (note.severity, note.code),
            (Severity::Note, Code::Truncated)
        );
        assert!(
            note.message
                .starts_with("50 more problems in m.yml not shown (45 errors, 5 warnings)"),
            "{}",
            note.message
        );
    }

    #[test]
    fn repeats_are_dropped_also_past_the_limit_and_across_lists() {
        let mut map = SourceMap::new();
        let all = problems(&mut map, MAX_DIAGNOSTICS_PER_FILE + 20);
        let mut d = Diagnostics::new();
        // The same manifest checked for two environments finds the same problems twice.
        for _ in 0..2 {
            let mut per_env = Diagnostics::new();
            for p in &all {
                per_env.push(p.clone());
                per_env.push(p.clone());
            }
            d.extend(per_env);
        }
        assert_eq!(d.error_count() + d.warning_count(), all.len());
        assert!(
            d.sorted(&map)
                .last()
                .unwrap()
                .message
                .starts_with("20 more problems")
        );
    }
}
