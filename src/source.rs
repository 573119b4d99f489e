//! Source files, spans and line indexes: every location in gwlint is a byte range in one file.

use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file (of its text as gwlint holds it, see [`SourceFile::text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both (same file).
    pub fn to(&self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path used to open the file.
    pub path: PathBuf,
    /// The path as shown to the user: as given on the command line or discovered.
    pub name: String,
    /// The text; bytes that are not UTF-8 are replaced by U+FFFD so that a Latin-1 comment
    /// does not stop the file from being linted.
    pub text: String,
    /// True when the file held bytes that are not UTF-8.
    pub lossy: bool,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut col_start = offset;
        while !self.text.is_char_boundary(col_start) {
            col_start -= 1;
        }
        let col = self.text[start..col_start].chars().count() + 1;
        (line + 1, col)
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }
}

/// The arena of every file a run has loaded.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    by_path: std::collections::HashMap<PathBuf, FileId>,
}

impl SourceMap {
    pub fn add(&mut self, path: &Path, name: String, bytes: Vec<u8>) -> FileId {
        let (text, lossy) = match String::from_utf8(bytes) {
            Ok(s) => (s, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0u32);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        let id = FileId(self.files.len() as u32);
        self.by_path.insert(path.to_path_buf(), id);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            name,
            text,
            lossy,
            line_starts,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn text(&self, span: Span) -> &str {
        self.get(span.file).slice(span)
    }
}
