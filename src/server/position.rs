//! Byte offsets ↔ LSP positions. A position's character counts UTF-16 code units unless the
//! client and the server agreed on UTF-8 (`positionEncoding`, LSP 3.17): a column after an
//! `é` differs by one between the two, after an emoji by two.

use lsp_types::{ClientCapabilities, Position, PositionEncodingKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed), else UTF-16, which every
    /// client must support.
    pub(crate) fn negotiate(caps: &ClientCapabilities) -> Encoding {
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
            true => Encoding::Utf8,
            false => Encoding::Utf16,
        }
    }

    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The start of the line holding `offset`, and its 0-based number (lines end at `\n`).
fn line_start(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count();
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, start)
}

/// The position of a byte offset (clamped to the text, moved back to a character boundary).
pub(crate) fn to_position(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let (line, start) = line_start(text, offset);
    let character: usize = text[start..offset].chars().map(|c| enc.units(c)).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of a position: a character past the end of its line is the line's end
/// (as LSP says), a line past the end of the text is the text's end.
pub(crate) fn to_offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match memchr::memchr(b'\n', &text.as_bytes()[start..]) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += enc.units(c);
    }
    start + line.len()
}

/// The end of the line holding `offset`, before its `\r\n` or `\n`.
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let end = memchr::memchr(b'\n', &text.as_bytes()[offset..]).map_or(text.len(), |i| offset + i);
    match text[..end].ends_with('\r') {
        true => end - 1,
        false => end,
    }
}

/// The byte offset where the line holding `offset` starts.
pub(crate) fn start_of_line(text: &str, offset: usize) -> usize {
    line_start(text, offset.min(text.len())).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_the_negotiated_units() {
        // "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
        let text = "a\nxé😀y;\n";
        let y = text.find('y').unwrap();
        assert_eq!(to_position(text, y, Encoding::Utf16), Position::new(1, 4));
        assert_eq!(to_position(text, y, Encoding::Utf8), Position::new(1, 7));
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(to_offset(text, to_position(text, y, enc), enc), y);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        assert_eq!(to_offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(to_offset(text, Position::new(9, 0), Encoding::Utf16), 6);
        assert_eq!(to_position(text, 99, Encoding::Utf16), Position::new(1, 2));
        assert_eq!(line_end(text, 1), 2);
        assert_eq!(start_of_line(text, 5), 4);
    }
}
