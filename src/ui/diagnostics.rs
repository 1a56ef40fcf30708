//! Rendering manifest diagnostics: rustc/miette style with the source line and a caret
//! for people, one JSON object each for machines.

use crate::manifest::diag::{Diagnostic, Severity};
use crate::manifest::limits::MAX_EXCERPT_CHARS;
use crate::manifest::source::{SourceFile, SourceMap, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};
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
    /// The environments whose effective manifest has it (absent: the manifest as
    /// written, or every environment checked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
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
        environments: d.environments.clone(),
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    src: Option<Excerpt>,
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
            Severity::Note => miette::Severity::Advice,
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
        let src = self.src.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.d.label.clone(),
            src.label,
        ))))
    }
}

/// The few lines shown under a diagnostic: the lines of its span and one either side,
/// each cut to [`MAX_EXCERPT_CHARS`] characters around the span's column. Giving miette
/// this instead of the whole file keeps the output (and miette's column arithmetic,
/// which panics past column 65,535) bounded however long the lines are.
struct Excerpt {
    /// The file's display path.
    name: String,
    /// The lines, cut, joined by `\n`.
    text: String,
    /// 0-based line of the first line of `text` in the file.
    first_line: usize,
    /// 0-based line and column of the span's start in the file.
    line: usize,
    column: usize,
    /// The span, in `text`.
    label: SourceSpan,
}

/// Lines a multi-line span may cover and still be shown whole; longer spans are shown
/// by their first line.
const MAX_SPAN_LINES: usize = 8;

impl Excerpt {
    fn new(file: &SourceFile, span: Span) -> Option<Excerpt> {
        if file.text.is_empty() {
            return None;
        }
        let start = file.line_col(span.start);
        let end_offset = (span.start + span.len).min(file.text.len());
        let mut end_line = file.line_of(end_offset);
        if end_line - start.line >= MAX_SPAN_LINES {
            end_line = start.line;
        }
        let first = start.line.saturating_sub(1).max(1);
        let last = end_line + 1;
        let span_line_chars = file
            .line_range(start.line)
            .map_or(0, |r| file.text[r].chars().count());
        let window_start = if span_line_chars > MAX_EXCERPT_CHARS {
            (start.col - 1).saturating_sub(MAX_EXCERPT_CHARS / 2)
        } else {
            0
        };
        let mut text = String::new();
        let (mut label_start, mut label_end) = (None, None);
        for line in first..=last {
            let Some(range) = file.line_range(line) else {
                break;
            };
            if line > first {
                text.push('\n');
            }
            // A secret-looking variable's value never reaches the screen, whatever the
            // diagnostic is about (masking keeps every offset on the line).
            let masked = crate::manifest::secret_names::mask_line(&file.text[range.clone()]);
            let line_text = masked.as_ref();
            let byte_at = |chars: usize| {
                line_text
                    .char_indices()
                    .nth(chars)
                    .map_or(line_text.len(), |(i, _)| i)
            };
            let (b0, b1) = (
                byte_at(window_start),
                byte_at(window_start + MAX_EXCERPT_CHARS),
            );
            if b0 > 0 {
                text.push('…');
            }
            // Where an offset of the file falls in `text`, when it is on this line.
            let base = text.len();
            let map = |o: usize| base + o.saturating_sub(range.start + b0).min(b1 - b0);
            if line == start.line {
                label_start = Some(map(span.start));
            }
            if line == end_line {
                label_end = Some(map(end_offset.min(range.end)));
            }
            text.push_str(&line_text[b0..b1]);
            if b1 < line_text.len() {
                text.push('…');
            }
        }
        let label_start = label_start?;
        let label_end = label_end.unwrap_or(label_start).max(label_start);
        Some(Excerpt {
            name: file.path.display().to_string(),
            text,
            first_line: first - 1,
            line: start.line - 1,
            column: start.col - 1,
            label: SourceSpan::new(label_start.into(), (label_end - label_start).max(1)),
        })
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette asks with no context lines for the position it shows in the header, and
        // with context for the lines it draws.
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 {
            (self.line, self.column)
        } else {
            (self.first_line, 0)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            line,
            column,
            self.text.lines().count(),
        )))
    }
}

/// Renders one diagnostic for a terminal or a log: a headline with `file:line:col`, then
/// the source lines around it with a caret, and the help.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: bool, width: usize) -> String {
    let location = d
        .span
        .map(|s| format!("{}:{}", sources.path(s.file).display(), sources.line_col(s)));
    // The YAML path is shown unless the message already names it.
    let at = match &d.path {
        Some(p) if !d.message.contains(&format!("`{p}`")) => Some(format!("at `{p}`")),
        _ => None,
    };
    let envs = match d.environments.as_slice() {
        [] => None,
        [one] => Some(format!("in environment `{one}`")),
        many => Some(format!(
            "in environments {}",
            many.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    let message = match (at, envs) {
        (None, None) => d.message.clone(),
        (Some(a), None) | (None, Some(a)) => format!("{} ({a})", d.message),
        (Some(a), Some(e)) => format!("{} ({a}, {e})", d.message),
    };
    let headline = match &location {
        Some(loc) => format!("{loc}: {message}"),
        None => message,
    };
    let src = d
        .span
        .filter(|_| d.code.shows_source())
        .and_then(|s| Excerpt::new(sources.file(s.file), s));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diag::Code;

    fn render(text: &str, start: usize, len: usize) -> String {
        let mut map = SourceMap::new();
        let file = map.add("m.yml", text);
        let d = Diagnostic::error(Code::UnknownKey, "unknown key")
            .at(Span { file, start, len })
            .label("not a field here");
        render_human(&d, &map, false, 100)
    }

    #[test]
    fn a_column_past_65535_renders_a_window_of_the_line() {
        // Found by fuzzing: miette panicked (exit 101) on a column past u16::MAX.
        let text = format!("{{name: demo,{}bogus: 1}}\n", " ".repeat(65_540));
        let at = text.find("bogus").unwrap();
        let out = render(&text, at, 5);
        assert!(out.contains("m.yml:1:65553: unknown key"), "{out}");
        assert!(
            out.contains(&format!("1 │ …{}bogus: 1}}\n", " ".repeat(80))),
            "{out}"
        );
        assert!(out.contains("── not a field here"), "{out}");
        assert!(out.len() < 2 * MAX_EXCERPT_CHARS * 4, "{} bytes", out.len());
    }

    #[test]
    fn long_lines_around_the_span_are_cut_too() {
        let long = "x".repeat(10_000);
        let text = format!("a: {long}\nport: eighty\nb: {long}\n");
        let out = render(&text, text.find("eighty").unwrap(), 6);
        assert!(out.contains("1 │ a: xxx"), "{out}");
        assert!(out.contains("x…\n"), "{out}");
        assert!(out.contains("2 │ port: eighty"), "{out}");
        assert!(out.len() < 4 * MAX_EXCERPT_CHARS * 4, "{} bytes", out.len());
    }

    #[test]
    fn short_lines_show_the_context_and_a_caret() {
        let text = "a: 1\nport: eighty\nb: 2\nc: 3\n";
        let out = render(text, text.find("eighty").unwrap(), 6);
        for line in [
            "1 │ a: 1",
            "2 │ port: eighty",
            "3 │ b: 2",
            "── not a field here",
        ] {
            assert!(out.contains(line), "{line} in {out}");
        }
        assert!(!out.contains("c: 3"), "{out}");
    }

    #[test]
    fn a_span_over_several_lines_is_shown_whole() {
        let text = "name: api\nhttp:\n  - a\n  - b\ncpu: 1\n";
        let start = text.find("  - a").unwrap() + 2;
        let out = render(text, start, text.find("cpu").unwrap() - 1 - start);
        for line in [
            "2 │     http:",
            "3 │ ╭─▶   - a",
            "4 │ ├─▶   - b",
            "5 │     cpu: 1",
        ] {
            assert!(out.contains(line), "{line} in {out}");
        }
    }

    #[test]
    fn an_unreadable_file_gets_the_headline_only() {
        let out = render("", 0, 0);
        assert!(out.contains("m.yml:1:1: unknown key"), "{out}");
        assert!(!out.contains('│'), "{out}");
    }
}
