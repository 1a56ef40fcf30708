//! Where manifests come from, and turning their bytes into checked text.
//!
//! [`Files`] is the workspace loader's only view of storage: [`Disk`] reads the real file
//! system, [`MemFiles`] serves a map of paths to bytes (for tests and the fuzz target, so
//! a whole workspace can be loaded without touching the disk). [`add_manifest`] registers
//! what was read in the [`SourceMap`] and reports, at a position, every reason it cannot
//! be used: not a regular file, unreadable, larger than [`MAX_FILE_BYTES`], not UTF-8.
//! A manifest that exists is never skipped silently.

use super::diag::{Code, Diagnostic, Diagnostics};
use super::limits::MAX_FILE_BYTES;
use super::source::{FileId, SourceMap, Span};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a manifest could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// It exists but is not a regular file; says what it is ("a directory").
    NotAFile(&'static str),
    /// It is larger than [`MAX_FILE_BYTES`]; holds the first [`MAX_FILE_BYTES`] bytes.
    TooLarge(Vec<u8>),
}

/// Read access to a workspace's files.
pub trait Files {
    /// Names of the entries of directory `dir` (empty when it cannot be listed).
    fn entries(&self, dir: &Path) -> Vec<OsString>;
    /// Whether anything is at `path`: a file, a directory, even a dangling link.
    fn exists(&self, path: &Path) -> bool;
    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// The bytes of the regular file at `path`, at most [`MAX_FILE_BYTES`] of them.
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError>;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl Files for Disk {
    fn entries(&self, dir: &Path) -> Vec<OsString> {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok).map(|e| e.file_name()).collect()
    }

    fn exists(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        // Checked before opening: opening a FIFO would wait for a writer forever.
        let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
        if !meta.is_file() {
            return Err(ReadError::NotAFile(if meta.is_dir() {
                "a directory"
            } else {
                "a special file (a device, a pipe or a socket)"
            }));
        }
        let file = std::fs::File::open(path).map_err(ReadError::Io)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
        if bytes.len() > MAX_FILE_BYTES {
            bytes.truncate(MAX_FILE_BYTES);
            return Err(ReadError::TooLarge(bytes));
        }
        Ok(bytes)
    }
}

/// Files held in memory: each path maps to its bytes; directories are implied by paths.
#[derive(Debug, Clone, Default)]
pub struct MemFiles {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemFiles {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// The files strictly below `dir`.
    fn below<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = &'a Path> + 'a {
        self.files
            .range(dir.to_path_buf()..)
            .map(|(p, _)| p.as_path())
            .take_while(move |p| p.starts_with(dir))
            .filter(move |p| *p != dir)
    }
}

impl Files for MemFiles {
    fn entries(&self, dir: &Path) -> Vec<OsString> {
        let mut names: Vec<OsString> = self
            .below(dir)
            .filter_map(|p| p.strip_prefix(dir).ok()?.iter().next())
            .map(OsString::from)
            .collect();
        names.dedup();
        names
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.is_dir(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.below(path).next().is_some()
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        match self.files.get(path) {
            Some(b) if b.len() > MAX_FILE_BYTES => {
                Err(ReadError::TooLarge(b[..MAX_FILE_BYTES].to_vec()))
            }
            Some(b) => Ok(b.clone()),
            None if self.is_dir(path) => Err(ReadError::NotAFile("a directory")),
            None => Err(ReadError::Io(std::io::ErrorKind::NotFound.into())),
        }
    }
}

/// Registers what reading the manifest at `shown` gave and reports why it cannot be used,
/// if it cannot. Returns the file when its text can be parsed. A file that could not be
/// read is registered empty, so the error still names it (at 1:1).
pub fn add_manifest(
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    shown: PathBuf,
    read: Result<Vec<u8>, ReadError>,
) -> Option<FileId> {
    let (bytes, too_large) = match read {
        Ok(b) => (b, false),
        Err(ReadError::TooLarge(head)) => (head, true),
        Err(ReadError::NotAFile(what)) => {
            let reason = format!("it is {what}, not a regular file");
            unreadable(
                sources,
                diags,
                shown,
                &reason,
                "a manifest is a YAML file; move this out of the way",
            );
            return None;
        }
        Err(ReadError::Io(e)) => {
            unreadable(
                sources,
                diags,
                shown,
                &e.to_string(),
                "check that the file is readable",
            );
            return None;
        }
    };
    let (text, bad_byte) = match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            // The lossy text has the same bytes up to the first bad one, so `at` is still
            // the right offset in it.
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Some((at, byte)),
            )
        }
    };
    let end = text.len();
    let file = sources.add(shown, text);
    let path = sources.path(file).display().to_string();
    if let Some((at, byte)) = bad_byte {
        diags.push(
            Diagnostic::error(
                Code::Encoding,
                format!("{path} is not valid UTF-8: byte 0x{byte:02X} cannot start or continue a character here"),
            )
            .at(Span::point(file, at))
            .label("first invalid byte")
            .help("manifests are UTF-8 text; save the file as UTF-8 (without a byte-order mark for UTF-16)"),
        );
        return None;
    }
    if too_large {
        diags.push(
            Diagnostic::error(
                Code::Limit,
                format!(
                    "{path} is larger than {} MiB, the limit for a manifest",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .at(Span::point(file, end))
            .label("the limit is reached here")
            .help("a manifest is a few KiB; is this the right file?"),
        );
        return None;
    }
    Some(file)
}

fn unreadable(
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    shown: PathBuf,
    reason: &str,
    help: &str,
) {
    let message = format!("cannot read {}: {reason}", shown.display());
    let file = sources.add(shown, String::new());
    diags.push(
        Diagnostic::error(Code::Io, message)
            .at(Span::point(file, 0))
            .help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(read: Result<Vec<u8>, ReadError>) -> (Option<FileId>, Diagnostics, SourceMap) {
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let f = add_manifest(&mut sources, &mut diags, "m.yml".into(), read);
        (f, diags, sources)
    }

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let (f, d, map) = add(Ok(b"name: api\nimage: \xE9t\xE9\n".to_vec()));
        assert!(f.is_none());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Encoding);
        assert_eq!(map.line_col(diag.span.unwrap()).to_string(), "2:8");
        assert!(diag.message.contains("0xE9"), "{}", diag.message);
    }

    #[test]
    fn a_directory_is_an_error_naming_the_file() {
        let mut files = MemFiles::new();
        files.insert("w/api/manifest.yml/x", "");
        let (f, d, map) = add(files.read(Path::new("w/api/manifest.yml")));
        assert!(f.is_none());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Io);
        assert!(
            diag.message.contains("it is a directory"),
            "{}",
            diag.message
        );
        assert_eq!(map.path(diag.span.unwrap().file), Path::new("m.yml"));
    }

    #[test]
    fn disk_refuses_directories_and_files_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Disk.read(dir.path()),
            Err(ReadError::NotAFile("a directory"))
        ));
        let big = dir.path().join("big.yml");
        std::fs::write(&big, vec![b'#'; MAX_FILE_BYTES + 1]).unwrap();
        let Err(ReadError::TooLarge(head)) = Disk.read(&big) else {
            panic!("a file over the limit is refused");
        };
        assert_eq!(head.len(), MAX_FILE_BYTES);
        let (f, d, map) = add(Err(ReadError::TooLarge(head)));
        assert!(f.is_none());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, Code::Limit);
        assert!(
            diag.message.contains("larger than 1 MiB"),
            "{}",
            diag.message
        );
        assert_eq!(
            map.line_col(diag.span.unwrap()).to_string(),
            format!("1:{}", MAX_FILE_BYTES + 1)
        );
    }

    #[test]
    fn memory_files_imply_directories() {
        let mut files = MemFiles::new();
        files.insert("w/app.yml", "name: a\n");
        files.insert("w/api/manifest.yml", "x");
        files.insert("w/environments/test/manifest.yml", "x");
        assert_eq!(
            files.entries(Path::new("w")),
            ["api", "app.yml", "environments"]
        );
        assert!(files.is_dir(Path::new("w/api")));
        assert!(!files.is_dir(Path::new("w/app.yml")));
        assert!(files.exists(Path::new("w/api/manifest.yml")));
        assert!(!files.exists(Path::new("w/web/manifest.yml")));
    }
}
