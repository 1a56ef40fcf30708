//! Manifest diagnostics: errors and warnings that point at a place in a manifest.
//!
//! Loading, decoding and validation push into one [`Diagnostics`] list so a run reports
//! every problem in every manifest at once. Rendering lives in `ui`; this module only
//! describes what went wrong and where.

use super::source::{SourceMap, Span};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
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
    MutuallyExclusive,
    Range,
    Fargate,
    Interpolation,
    SecretInVariables,
    Reference,
    Io,
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
            Code::MutuallyExclusive => "wharf::manifest::mutually_exclusive",
            Code::Range => "wharf::manifest::range",
            Code::Fargate => "wharf::manifest::fargate",
            Code::Interpolation => "wharf::manifest::interpolation",
            Code::SecretInVariables => "wharf::manifest::secret_in_variables",
            Code::Reference => "wharf::manifest::reference",
            Code::Io => "wharf::manifest::io",
        }
    }
}

/// One problem found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one, dropping exact repeats (the same base manifest is checked once per
    /// environment, so the same problem would otherwise be reported several times).
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    /// Adds all of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// All diagnostics, sorted by file and position so output is stable.
    pub fn sorted(&self, sources: &SourceMap) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.span
                    .map(|s| (sources.path(s.file).to_path_buf(), s.start))
                    .unwrap_or_default()
            };
            key(a).cmp(&key(b))
        });
        v
    }

    /// All diagnostics in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
