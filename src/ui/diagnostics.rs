//! Rendering manifest diagnostics: rustc/miette style with the source line and a caret
//! for people, one JSON object each for machines.

use crate::manifest::diag::{Diagnostic, Severity};
use crate::manifest::source::SourceMap;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;
use std::fmt;

/// A diagnostic as `--output json` prints it (the `data` of a `diagnostic` event).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Stable code, like `wharf::manifest::unknown_key`.
    pub code: &'static str,
    /// One-line description.
    pub message: String,
    /// File path, when the problem is in a file.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// YAML path, like `http.healthcheck.interval`.
    pub path: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

/// The JSON form of a diagnostic.
pub fn to_json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let loc = d.span.map(|s| {
        (
            sources.path(s.file).display().to_string(),
            sources.line_col(s),
        )
    });
    JsonDiagnostic {
        severity: d.severity,
        code: d.code.as_str(),
        message: d.message.clone(),
        file: loc.as_ref().map(|(f, _)| f.clone()),
        line: loc.as_ref().map(|(_, lc)| lc.line),
        column: loc.as_ref().map(|(_, lc)| lc.col),
        path: d.path.clone(),
        help: d.help.clone(),
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    src: Option<NamedSource<String>>,
    headline: String,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}
impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code.as_str()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        let span = self.d.span?;
        let len = span.len.max(1);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.d.label.clone(),
            SourceSpan::new(span.start.into(), len),
        ))))
    }
}

/// Renders one diagnostic for a terminal or a log: a headline with `file:line:col`, then
/// the source line with a caret and the help.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: bool, width: usize) -> String {
    let location = d
        .span
        .map(|s| format!("{}:{}", sources.path(s.file).display(), sources.line_col(s)));
    // The YAML path is shown unless the message already names it.
    let message = match &d.path {
        Some(p) if !d.message.contains(&format!("`{p}`")) => format!("{} (at `{p}`)", d.message),
        _ => d.message.clone(),
    };
    let headline = match &location {
        Some(loc) => format!("{loc}: {message}"),
        None => message,
    };
    let src = d.span.filter(|_| d.code.shows_source()).map(|s| {
        let f = sources.file(s.file);
        NamedSource::new(f.path.display().to_string(), f.text.clone())
    });
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_context_lines(1);
    let mut out = String::new();
    let report = Report { d, src, headline };
    if handler.render_report(&mut out, &report).is_err() {
        out = report.headline.clone();
    }
    out
}
