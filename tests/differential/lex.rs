//! Just enough of nginx's and HAProxy's lexers to find what a mutation changes: the statements
//! of an nginx file (name, arguments, `;` or block) and the words of each HAProxy line, as byte
//! ranges into the text, so that an edit leaves everything else byte for byte.

use std::ops::Range;

pub type Span = Range<usize>;

/// One nginx statement: `name args… ;` or `name args… { … }`.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub name: Span,
    pub args: Vec<Span>,
    /// The `;` or the `{`.
    pub end: usize,
    /// The `}` that closes the block.
    pub close: Option<usize>,
    /// The enclosing block statement (an index into the same list).
    pub parent: Option<usize>,
}

impl Stmt {
    pub fn is_block(&self) -> bool {
        self.close.is_some()
    }

    /// From the name to the `;` or the closing `}`, both included.
    pub fn range(&self) -> Span {
        self.name.start..self.close.unwrap_or(self.end) + 1
    }
}

fn space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The statements of an nginx file in the order they start, or None when it does not lex
/// (nginx refuses such a file anyway: such a base is never used).
///
/// As `ngx_conf_read_token`: `#` starts a comment only where a word could start; a quoted word
/// runs to its closing quote (backslash escapes); a bare word ends at white space, `;` or `{`
/// (not at `}`, and `${name}` is one word).
pub fn nginx(text: &str) -> Option<Vec<Stmt>> {
    let b = text.as_bytes();
    let mut stmts: Vec<Stmt> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut words: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if space(c) {
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b';' || c == b'{' {
            if words.is_empty() {
                return None;
            }
            stmts.push(Stmt {
                name: words[0].clone(),
                args: words[1..].to_vec(),
                end: i,
                close: None,
                parent: stack.last().copied(),
            });
            words.clear();
            if c == b'{' {
                stack.push(stmts.len() - 1);
            }
            i += 1;
        } else if c == b'}' {
            if !words.is_empty() {
                return None;
            }
            let open = stack.pop()?;
            stmts[open].close = Some(i);
            i += 1;
        } else if c == b'"' || c == b'\'' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != c {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            if i >= b.len() {
                return None;
            }
            i += 1;
            words.push(start..i);
        } else {
            let start = i;
            while i < b.len() && !space(b[i]) && b[i] != b';' && b[i] != b'{' {
                if b[i] == b'\\' {
                    i += 2;
                } else if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                    while i < b.len() && b[i] != b'}' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    i += 1;
                }
            }
            i = i.min(b.len());
            if !text.is_char_boundary(i) {
                return None;
            }
            words.push(start..i);
        }
    }
    if !words.is_empty() || !stack.is_empty() {
        return None;
    }
    Some(stmts)
}

/// One physical line of an HAProxy file.
#[derive(Debug, Clone)]
pub struct Line {
    /// Where the line starts, and where it ends (its `\n`, or the end of the text).
    pub start: usize,
    pub end: usize,
    pub words: Vec<Span>,
    /// Whether the line ends in a `#` comment.
    pub comment: bool,
}

/// The lines of an HAProxy file with their words: white space separates words, `#` outside
/// quotes starts a comment, `"…"` and `'…'` quote, a backslash escapes the next character.
pub fn haproxy(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    while start <= b.len() {
        let end = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| start + p);
        let mut words = Vec::new();
        let mut comment = false;
        let mut i = start;
        while i < end {
            let c = b[i];
            if space(c) {
                i += 1;
                continue;
            }
            if c == b'#' {
                comment = true;
                break;
            }
            let w = i;
            let mut quote = 0u8;
            while i < end {
                let c = b[i];
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    } else if c == b'\\' && quote == b'"' {
                        i += 1;
                    }
                } else if c == b'"' || c == b'\'' {
                    quote = c;
                } else if c == b'\\' {
                    i += 1;
                } else if space(c) || c == b'#' {
                    break;
                }
                i += 1;
            }
            i = i.min(end);
            while !text.is_char_boundary(i) {
                i += 1;
            }
            words.push(w..i);
        }
        lines.push(Line {
            start,
            end,
            words,
            comment,
        });
        if end == b.len() {
            break;
        }
        start = end + 1;
    }
    lines
}

/// The 1-based line number of a byte offset, and that line's text.
pub fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    (text[..start].matches('\n').count() + 1, &text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_statements() {
        let t = "events {}\nhttp { # c\n  map $a ${b}x { default \"1;\"; }\n  return 200}x;\n}\n";
        let s = nginx(t).unwrap();
        let names: Vec<&str> = s.iter().map(|s| &t[s.name.clone()]).collect();
        assert_eq!(names, ["events", "http", "map", "default", "return"]);
        assert_eq!(&t[s[2].args[1].clone()], "${b}x");
        assert_eq!(&t[s[4].args[0].clone()], "200}x");
        assert_eq!(s[3].parent, Some(2));
        assert!(nginx("http {").is_none());
    }

    #[test]
    fn haproxy_words() {
        let t = "backend b # x\n  http-request set-header X \"a b\" # y\n";
        let l = haproxy(t);
        assert_eq!(l.len(), 3);
        assert!(l[0].comment);
        assert_eq!(&t[l[1].words[3].clone()], "\"a b\"");
    }
}
