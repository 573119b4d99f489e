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
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub(crate) fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both (same file).
    pub(crate) fn to(&self, other: Span) -> Span {
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
    pub(crate) lossy: bool,
    /// How many newlines come before each 4 KiB block of the text: counted at memchr's
    /// speed, 1/1000th of the text's size; a lookup counts the newlines in one block.
    line_marks: Vec<u32>,
    /// How many characters come before each block, for text that is not all ASCII: a column
    /// is then counted in at most two blocks, however long its line.
    char_marks: Option<Vec<u32>>,
}

const LINE_BLOCK: usize = 4096;

/// Characters in UTF-8 bytes: every byte that does not continue a character starts one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    /// 0-based line and the byte offset where it starts.
    fn line_and_start(&self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let k = offset / LINE_BLOCK;
        let base = k * LINE_BLOCK;
        let line =
            self.line_marks[k] as usize + memchr::memchr_iter(b'\n', &bytes[base..offset]).count();
        let start = match memchr::memrchr(b'\n', &bytes[base..offset]) {
            Some(i) => base + i + 1,
            None if line == 0 => 0,
            None => {
                // The line began in an earlier block: the one holding newline number `line`.
                let j = self.line_marks.partition_point(|&m| (m as usize) < line) - 1;
                let from = j * LINE_BLOCK;
                let to = (from + LINE_BLOCK).min(bytes.len());
                memchr::memrchr(b'\n', &bytes[from..to]).map_or(0, |i| from + i + 1)
            }
        };
        (line, start)
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (line, start) = self.line_and_start(offset);
        let mut col_start = offset;
        while !self.text.is_char_boundary(col_start) {
            col_start -= 1;
        }
        let col = match &self.char_marks {
            None => col_start - start,
            Some(marks) => self.chars_before(marks, col_start) - self.chars_before(marks, start),
        };
        (line + 1, col + 1)
    }

    /// Characters before a byte offset (a character boundary).
    fn chars_before(&self, marks: &[u32], offset: usize) -> usize {
        let k = offset / LINE_BLOCK;
        let base = k * LINE_BLOCK;
        marks[k] as usize + chars_in(&self.text.as_bytes()[base..offset])
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.line_and_start(offset).0 + 1
    }

    pub(crate) fn slice(&self, span: Span) -> &str {
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
        let mut line_marks = Vec::with_capacity(text.len() / LINE_BLOCK + 2);
        let mut newlines = 0u32;
        line_marks.push(0);
        for block in text.as_bytes().chunks(LINE_BLOCK) {
            newlines += memchr::memchr_iter(b'\n', block).count() as u32;
            line_marks.push(newlines);
        }
        let char_marks = (!text.is_ascii()).then(|| {
            let mut marks = Vec::with_capacity(line_marks.len());
            let mut chars = 0u32;
            marks.push(0);
            for block in text.as_bytes().chunks(LINE_BLOCK) {
                chars += chars_in(block) as u32;
                marks.push(chars);
            }
            marks
        });
        let id = FileId(self.files.len() as u32);
        self.by_path.insert(path.to_path_buf(), id);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            name,
            text,
            lossy,
            line_marks,
            char_marks,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    pub(crate) fn text(&self, span: Span) -> &str {
        self.get(span.file).slice(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_match_a_plain_count() {
        let text: String = (0..200)
            .map(|i| match i % 4 {
                0 => String::new(),
                1 => "é\r".into(),
                2 => "x".repeat(i),
                _ => "  server_name ü;".into(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut map = SourceMap::default();
        let id = map.add(Path::new("t"), "t".into(), text.clone().into_bytes());
        let f = map.get(id);
        for offset in 0..=text.len() + 3 {
            let at = offset.min(text.len());
            let before = &text[..text.floor_char_boundary(at)];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
            assert_eq!(f.line(offset), line, "offset {offset}");
        }
    }

    #[test]
    fn lines_longer_than_a_block() {
        let text = format!(
            "a\n{}\nb\n\n{}é\n",
            "x".repeat(9000),
            "y".repeat(LINE_BLOCK)
        );
        let mut map = SourceMap::default();
        let id = map.add(Path::new("t"), "t".into(), text.clone().into_bytes());
        let f = map.get(id);
        for offset in (0..text.len())
            .step_by(97)
            .chain([0, 2, 9001, 9002, 9003, 9004, text.len()])
        {
            let before = &text[..text.floor_char_boundary(offset)];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
        }
    }

    #[test]
    fn columns_on_long_lines_with_and_without_multibyte_characters() {
        for text in [
            format!("a\n{}b", "x".repeat(3 * LINE_BLOCK)),
            format!("a\n{}b", "é".repeat(3 * LINE_BLOCK)),
        ] {
            let mut map = SourceMap::default();
            let id = map.add(Path::new("t"), "t".into(), text.clone().into_bytes());
            let f = map.get(id);
            for offset in (0..text.len()).step_by(131).chain([text.len()]) {
                let before = &text[..text.floor_char_boundary(offset)];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
            }
        }
    }
}
