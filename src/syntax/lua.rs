//! Lua bodies of `*_by_lua_block` directives: found with Lua's own lexical rules, so braces
//! in Lua strings, comments and long brackets do not end the block.

/// Given `text` and the byte index of the opening `{`, the index of the matching `}`.
/// `Err(i)` when the text ends first (`i` is where the unfinished string or comment began,
/// or the opening brace).
pub(crate) fn find_block_end(text: &str, open: usize) -> Result<usize, usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let start = i;
                i += 2;
                if let Some(level) = long_bracket(b, i) {
                    i = close_long_bracket(b, i + level + 2, level).ok_or(start)?;
                } else {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                continue;
            }
            b'[' => {
                if let Some(level) = long_bracket(b, i) {
                    let start = i;
                    i = close_long_bracket(b, i + level + 2, level).ok_or(start)?;
                    continue;
                }
            }
            q @ (b'"' | b'\'') => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err(start),
                        Some(b'\\') => i += 2,
                        Some(&c) if c == q => break,
                        // Lua strings end at a line break; an unfinished one is Lua's error,
                        // not a reason to swallow the rest of the file.
                        Some(b'\n') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(open)
}

/// `[[`, `[=[`, `[==[`… at `i`: the number of `=`.
fn long_bracket(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut level = 0;
    while b.get(i + 1 + level) == Some(&b'=') {
        level += 1;
    }
    (b.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// From `i` (inside the long bracket), the index just past its `]=*]`.
fn close_long_bracket(b: &[u8], mut i: usize, level: usize) -> Option<usize> {
    while i < b.len() {
        if b[i] == b']'
            && b.len() > i + level + 1
            && b[i + 1..i + 1 + level].iter().all(|&c| c == b'=')
            && b[i + 1 + level] == b']'
        {
            return Some(i + level + 2);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_block_end;

    #[test]
    fn braces_in_strings_comments_and_long_brackets() {
        let t = "{ local s = \"}\" -- } comment\n local t = [[ } ]] --[==[ } ]==] x = {a={}} }tail";
        let end = find_block_end(t, 0).unwrap();
        assert_eq!(&t[end + 1..], "tail");
    }

    #[test]
    fn unterminated() {
        assert!(find_block_end("{ x = [[ never", 0).is_err());
        assert!(find_block_end("{ {", 0).is_err());
    }
}
