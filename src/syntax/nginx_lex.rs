//! nginx tokens. `grammar/nginx.pest` defines them; [`fast_chunk`] is a hand-written lexer
//! that finds the same tokens about thirty times faster and hands the input back to the
//! grammar for what it does not handle (a quote that is never closed). `tests/suite/nginx_lex.rs`
//! checks that both agree on generated and fixture inputs.

use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/nginx.pest"]
struct Grammar;

/// The kinds of token the grammar names (white space is silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Comment,
    Semi,
    Open,
    Close,
    Word,
    DQuoted,
    SQuoted,
    /// A quote that is never closed: from it to the end of the text.
    Unterminated,
    /// `content_by_lua_block $arg {`: the whole opening, then its name and argument.
    LuaOpen,
    LuaName,
    LuaArg,
}

/// How a chunk of tokens ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkEnd {
    /// The end of the text.
    Eof,
    /// A Lua block opens with the `{` at this byte; its body is not nginx tokens.
    Lua(usize),
}

/// The tokens from `pos` up to the next Lua block or the end of the text, as
/// `emit(kind, start, end)` in text order. `Err(at)` when the grammar gives up at `at`.
pub(crate) fn chunk(
    text: &str,
    pos: usize,
    emit: &mut impl FnMut(Tok, usize, usize),
) -> Result<ChunkEnd, usize> {
    match fast_chunk(text, pos, emit) {
        Fast::Done(end) => Ok(end),
        Fast::Stopped(at) => pest_chunk(text, at, emit),
    }
}

/// What the hand-written lexer did with a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fast {
    Done(ChunkEnd),
    /// It stopped at this token boundary; the tokens before were emitted.
    Stopped(usize),
}

/// The tokens of a chunk as the grammar's `chunk` rule finds them.
pub(crate) fn pest_chunk(
    text: &str,
    pos: usize,
    emit: &mut impl FnMut(Tok, usize, usize),
) -> Result<ChunkEnd, usize> {
    super::init_pest();
    let pairs = Grammar::parse(Rule::chunk, &text[pos..]).map_err(|e| {
        pos + match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        }
    })?;
    let mut end = ChunkEnd::Eof;
    for pair in pairs.flatten() {
        let s = pair.as_span();
        let (start, stop) = (pos + s.start(), pos + s.end());
        let kind = match pair.as_rule() {
            Rule::comment => Tok::Comment,
            Rule::semi => Tok::Semi,
            Rule::open => Tok::Open,
            Rule::close => Tok::Close,
            Rule::word => Tok::Word,
            Rule::dquoted => Tok::DQuoted,
            Rule::squoted => Tok::SQuoted,
            Rule::unterminated => Tok::Unterminated,
            Rule::lua_open => {
                end = ChunkEnd::Lua(stop - 1);
                Tok::LuaOpen
            }
            Rule::lua_name => Tok::LuaName,
            Rule::lua_arg => Tok::LuaArg,
            _ => continue,
        };
        emit(kind, start, stop);
    }
    Ok(end)
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The grammar's `word_char*` from `i`: the end of a bare word.
fn word_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            // A backslash escapes the next character, whatever it is. Byte steps are enough:
            // every byte the grammar treats specially is ASCII, never part of a longer
            // character.
            b'\\' => i = (i + 2).min(b.len()),
            b'$' if b.get(i + 1) == Some(&b'{') => i += 2,
            c if is_ws(c) || c == b';' || c == b'{' => break,
            _ => i += 1,
        }
    }
    i
}

const LUA_SUFFIX: &[u8] = b"_by_lua_block";

/// Where the parts of a `lua_open` end.
struct LuaOpen {
    name_end: usize,
    /// `lua_arg`: start and end.
    arg: Option<(usize, usize)>,
    /// The index of the `{`.
    open: usize,
}

/// The grammar's `lua_open` at `i`.
fn lua_open(b: &[u8], i: usize) -> Option<LuaOpen> {
    // `lua_name` stops at the first "_by_lua_block" followed by white space or "{"; neither
    // can occur inside a run of letters, digits and "_", so it is the end of that run.
    let name_end = i + b[i..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .unwrap_or(b.len() - i);
    if !b[i..name_end].ends_with(LUA_SUFFIX)
        || !b.get(name_end).is_some_and(|&c| is_ws(c) || c == b'{')
    {
        return None;
    }
    let skip_ws = |mut q: usize| {
        while q < b.len() && is_ws(b[q]) {
            q += 1;
        }
        q
    };
    let mut q = name_end;
    let mut arg = None;
    let after_ws = skip_ws(q);
    if after_ws > q && b.get(after_ws) == Some(&b'$') {
        let end = word_end(b, after_ws + 1);
        if end > after_ws + 1 {
            arg = Some((after_ws, end));
            q = end;
        }
    }
    q = skip_ws(q);
    (b.get(q) == Some(&b'{')).then_some(LuaOpen {
        name_end,
        arg,
        open: q,
    })
}

/// The hand-written lexer: the grammar's `chunk` rule from `pos`, byte by byte.
pub(crate) fn fast_chunk(text: &str, pos: usize, emit: &mut impl FnMut(Tok, usize, usize)) -> Fast {
    let b = text.as_bytes();
    let mut i = pos;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
                emit(Tok::Comment, i, end);
                i = end;
            }
            b';' => {
                emit(Tok::Semi, i, i + 1);
                i += 1;
            }
            b'{' => {
                emit(Tok::Open, i, i + 1);
                i += 1;
            }
            b'}' => {
                emit(Tok::Close, i, i + 1);
                i += 1;
            }
            b'"' | b'\'' => {
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        // Never closed: the grammar's `unterminated` says so.
                        None => return Fast::Stopped(i),
                        Some(b'\\') if j + 1 < b.len() => j += 2,
                        Some(&q) if q == c => break,
                        Some(_) => j += 1,
                    }
                }
                let kind = if c == b'"' {
                    Tok::DQuoted
                } else {
                    Tok::SQuoted
                };
                emit(kind, i, j + 1);
                i = j + 1;
            }
            _ => {
                if (c.is_ascii_alphanumeric() || c == b'_')
                    && let Some(LuaOpen {
                        name_end,
                        arg,
                        open,
                    }) = lua_open(b, i)
                {
                    emit(Tok::LuaOpen, i, open + 1);
                    emit(Tok::LuaName, i, name_end);
                    if let Some((s, e)) = arg {
                        emit(Tok::LuaArg, s, e);
                    }
                    return Fast::Done(ChunkEnd::Lua(open));
                }
                // word_first: anything not handled above, or an escape, or "${".
                let first = if c == b'\\' || (c == b'$' && b.get(i + 1) == Some(&b'{')) {
                    (i + 2).min(b.len())
                } else {
                    i + 1
                };
                let end = word_end(b, first);
                emit(Tok::Word, i, end);
                i = end;
            }
        }
    }
    Fast::Done(ChunkEnd::Eof)
}

/// Which lexer [`tokens`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexer {
    /// The hand-written lexer, falling back to the grammar where it stops (what parsing uses).
    Fast,
    /// The grammar alone.
    Pest,
}

/// Every token of a text, Lua bodies skipped the way the parser skips them: for comparing
/// the two lexers. `Err` holds the tokens so far and where the grammar gave up.
pub fn tokens(text: &str, lexer: Lexer) -> Result<Vec<(Tok, usize, usize)>, usize> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let mut emit = |k, s, e| out.push((k, s, e));
        let end = match lexer {
            Lexer::Fast => chunk(text, pos, &mut emit)?,
            Lexer::Pest => pest_chunk(text, pos, &mut emit)?,
        };
        match end {
            ChunkEnd::Eof => return Ok(out),
            ChunkEnd::Lua(open) => match super::lua::find_block_end(text, open) {
                Ok(close) => pos = close + 1,
                Err(_) => return Ok(out),
            },
        }
    }
}
