//! Source files of a workspace and positions inside them.
//!
//! Every manifest that is read is registered here once; spans elsewhere refer to it by
//! [`FileId`] so a diagnostic can always show `file:line:col` and the offending line.
//! Does no I/O: callers hand in the text they read.

use std::fmt;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Length in bytes (may be 0 for a point).
    pub len: usize,
}

impl Span {
    /// A zero-length span at `start`.
    pub fn point(file: FileId, start: usize) -> Self {
        Span {
            file,
            start,
            len: 0,
        }
    }
}

/// One source file: its display path and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to users (relative to the current directory when possible).
    pub path: PathBuf,
    /// Full text.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, col_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line_text = &rest[..line_end];
        let within = line_text
            .char_indices()
            .nth(col_chars)
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// Byte offset of a 1-based line and 0-based character column, found from `cursor`
    /// (the previous position, which this moves): costs the distance between the two when
    /// they are on the same line, so reading a long line token by token stays linear.
    pub fn offset_near(&self, cursor: &mut Cursor, line: usize, col_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let (from_col, from) = if cursor.line == line && cursor.exact && cursor.col <= col_chars {
            (cursor.col, cursor.offset)
        } else if cursor.line == line && cursor.exact {
            let back = cursor.col - col_chars;
            let off = self.text[start..cursor.offset]
                .char_indices()
                .rev()
                .nth(back - 1)
                .map_or(start, |(i, _)| start + i);
            (col_chars, off)
        } else {
            (0, start)
        };
        let found = self.text[from..end]
            .char_indices()
            .nth(col_chars - from_col)
            .map(|(i, _)| from + i);
        *cursor = Cursor {
            line,
            col: col_chars,
            offset: found.unwrap_or(end),
            exact: found.is_some(),
        };
        found.unwrap_or(end)
    }

    /// Byte range of a 1-based line, without its line break; `None` past the last line.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        Some(start..end)
    }

    /// The 1-based line of a byte offset (cheaper than [`SourceFile::line_col`]).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset.min(self.text.len())) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let col = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line_idx + 1,
            col,
        }
    }
}

/// The last position [`SourceFile::offset_near`] converted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    line: usize,
    col: usize,
    offset: usize,
    /// Whether `offset` is exactly at `col` (not clamped to the end of the line).
    exact: bool,
}

/// All files read in one run.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file and returns its id.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        self.files.push(SourceFile::new(path.into(), text.into()));
        id
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The display path of a file.
    pub fn path(&self, id: FileId) -> &Path {
        &self.file(id).path
    }

    /// Where a span starts, as line and column.
    pub fn line_col(&self, span: Span) -> LineCol {
        self.file(span.file).line_col(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_line_cols_round_trip() {
        let mut map = SourceMap::new();
        let id = map.add("m.yml", "a: 1\nbé: x\n  c: 2\n");
        let file = map.file(id);
        let off = file.offset_of(2, 4);
        assert_eq!(&file.text[off..off + 1], "x");
        assert_eq!(file.line_col(off), LineCol { line: 2, col: 5 });
        assert_eq!(file.line_col(0), LineCol { line: 1, col: 1 });
        let c = file.offset_of(3, 2);
        assert_eq!(file.line_col(c), LineCol { line: 3, col: 3 });
    }
}
