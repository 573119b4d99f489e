//! HAProxy configuration → sections of statements. pest finds the words of each line
//! (grammar/haproxy.pest, the rules of parse_line() in HAProxy's src/tools.c); this module
//! assembles lines into statements and sections, tracks conditional blocks with an explicit
//! stack, and reports errors the way HAProxy 2.6's readcfgfile() would, then goes on so one
//! file yields every error it can.
//!
//! Every branch of a conditional block is kept: each statement records the chain of
//! `.if`/`.elif`/`.else` directives around it in [`Statement::condition`].
//!
//! Speed: pest reads about 6 MB/s here (release build), like the nginx grammar, so lines
//! without `"`, `'`, `\` or `$` (most of a configuration) are split in Rust, where a word
//! is simply a run of non-blank characters up to `#` (about 40–70 MB/s, mostly allocation).
//! The tests parse every input both ways and compare.

use std::sync::Arc;

use pest::Parser;
use pest::iterators::Pair;
use pest_derive::Parser;

use super::SyntaxError;
use crate::source::{FileId, Span};

#[derive(Parser)]
#[grammar = "../grammar/haproxy.pest"]
struct Grammar;

/// At most this many words on a line (HAProxy's `MAX_LINE_ARGS`).
pub(crate) const MAX_WORDS: usize = 64;

/// HAProxy's `MAXNESTEDCONDS`: HAProxy 2.6 accepts 99 nested `.if` and refuses the 100th
/// with "too many nested '.if', max is 100".
pub(crate) const MAX_NESTED_CONDS: usize = 100;

/// A directive line is shown at most this long (in bytes) in [`Statement::condition`].
const MAX_COND_TEXT: usize = 200;

/// Lines are handed to pest in runs of at most about this many bytes (always whole lines:
/// quotes never span lines), so the token queue of a huge file is never held at once.
const CHUNK: usize = 1 << 20;

/// Does the word start a section (`global`, `frontend`, …, from the keyword table)?
pub fn is_section_keyword(s: &str) -> bool {
    crate::tables::haproxy::is_section(s)
}

/// One word of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Quotes removed, escapes resolved; environment variables kept as written (`${PORT}`).
    pub value: String,
    /// The word as written, quotes included.
    pub(crate) span: Span,
    /// The word refers to an environment variable: its real value is unknown. Double-quoted
    /// references are expanded by HAProxy's tokenizer; unquoted `$VAR` / `${VAR}` are left
    /// as written by the tokenizer but expanded later by address parsing (`bind`, `server`,
    /// `log` …), so they count too. Single quotes protect everything.
    pub(crate) dynamic: bool,
    /// The value with every `"${VAR-default}"` replaced by its default, when every variable
    /// in the word has one (HAProxy applies defaults inside double quotes only). `None` for a
    /// word that is not dynamic.
    pub(crate) default: Option<String>,
}

impl Word {
    /// The value when it is known without the environment: the value of a static word, the
    /// default of a dynamic one.
    pub(crate) fn known(&self) -> Option<&str> {
        if self.dynamic {
            self.default.as_deref()
        } else {
            Some(&self.value)
        }
    }
}

/// One line: its words, the first being the keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// At least one word, at most [`MAX_WORDS`].
    pub(crate) words: Vec<Word>,
    /// From the start of the first word to the end of the last.
    pub(crate) span: Span,
    /// The chain of conditional directives around the line, as written, outermost first,
    /// joined by " > ": `.if defined(FOO)`, `.if defined(FOO) > .else`,
    /// `.if A > .elif B > .if C`. `None` outside any conditional block. Shared between the
    /// statements of a block.
    pub(crate) condition: Option<Arc<str>>,
}

impl Statement {
    pub fn keyword(&self) -> &str {
        &self.words[0].value
    }
    pub fn args(&self) -> &[Word] {
        &self.words[1..]
    }
    /// The value of argument `i` (0 = the word after the keyword).
    #[cfg(test)]
    pub(crate) fn arg(&self, i: usize) -> Option<&str> {
        self.words.get(i + 1).map(|w| w.value.as_str())
    }
}

/// A section: its header line and the lines up to the next section keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `global`, `defaults`, `frontend`, …
    pub(crate) keyword: Word,
    /// The name after the keyword, if any (`defaults from base` has none).
    pub(crate) name: Option<Word>,
    /// The whole header line.
    pub(crate) header: Statement,
    /// Every line of the section, whatever the branch of a conditional block it is in;
    /// `.diag`/`.notice`/`.warning`/`.alert` included.
    pub statements: Vec<Statement>,
}

impl Section {
    pub fn kind(&self) -> &str {
        &self.keyword.value
    }
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|w| w.value.as_str())
    }
    /// The defaults section named by `from NAME` on the header (`frontend fe from base`).
    #[cfg(test)]
    pub(crate) fn from(&self) -> Option<&Word> {
        let w = &self.header.words;
        let at = w.iter().skip(1).position(|w| w.value == "from")? + 1;
        w.get(at + 1)
    }
}

/// One parsed file.
#[derive(Debug, Default)]
pub struct File {
    pub sections: Vec<Section>,
    /// The lines before the first section: `.notice` & co. (valid there) and stray
    /// statements (each also reported as an error).
    pub(crate) preamble: Vec<Statement>,
    /// Every comment, from `#` to the end of its line.
    pub(crate) comments: Vec<Span>,
    pub errors: Vec<SyntaxError>,
}

/// Parse one HAProxy configuration file. Never fails: errors are collected in
/// [`File::errors`] (at most 20) and parsing goes on.
pub fn parse(file: FileId, text: &str) -> File {
    parse_with(file, text, true)
}

/// `fast`: lines without quotes, backslashes or dollars are split in Rust (the grammar's
/// words are then runs of plain characters between white space, up to a `#`); the others go
/// to pest. Without `fast`, pest reads every line: the tests check that both agree.
fn parse_with(file: FileId, text: &str, fast: bool) -> File {
    super::init_pest();
    let bytes = text.as_bytes();
    let nuls: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == 0)
        .map(|(i, _)| i)
        .collect();
    let mut b = Builder {
        file,
        text,
        out: File::default(),
        line: Line::default(),
        line_start: 0,
        conds: Vec::new(),
        overflow: 0,
        condition: None,
        nuls,
        next_nul: 0,
    };
    // Lines waiting for pest, from `pending` to `pos`.
    let mut pending: Option<usize> = None;
    let mut pos = 0;
    let mut gave_up = false;
    while pos < text.len() {
        let eol = bytes[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(text.len(), |i| pos + i);
        let next = (eol + 1).min(text.len());
        let line = &bytes[pos..eol];
        if fast
            && !line
                .iter()
                .any(|&c| matches!(c, b'"' | b'\'' | b'\\' | b'$'))
        {
            if let Some(start) = pending.take()
                && !b.tokens(start, pos)
            {
                gave_up = true;
                break;
            }
            b.plain_line(pos, eol);
        } else {
            let start = *pending.get_or_insert(pos);
            if next - start >= CHUNK {
                pending = None;
                if !b.tokens(start, next) {
                    gave_up = true;
                    break;
                }
            }
        }
        pos = next;
    }
    if let Some(start) = pending
        && !gave_up
    {
        gave_up = !b.tokens(start, text.len());
    }
    if !gave_up && b.line_start < text.len() {
        b.end_line(text.len());
    }
    b.finish()
}

/// The words of the line being read.
#[derive(Default)]
struct Line {
    words: Vec<Word>,
    /// All words, also those past MAX_WORDS.
    count: usize,
    /// Start of the first word past MAX_WORDS, end of the last word.
    extra_start: usize,
    last_end: usize,
    /// A lexical error: HAProxy drops the line.
    broken: bool,
}

/// An open `.if` block.
struct Cond {
    /// The `.if` line as written (shortened).
    text: String,
    /// The `.elif`/`.else` line of the current branch, when past the first.
    branch: Option<String>,
    seen_else: bool,
    span: Span,
}

/// A word being decoded.
#[derive(Default)]
struct Decoded {
    value: Vec<u8>,
    /// The value with defaults, started at the first variable.
    default: Option<Vec<u8>>,
    /// A variable without a (usable) default was seen.
    no_default: bool,
    dynamic: bool,
}

impl Decoded {
    fn push(&mut self, b: &[u8]) {
        self.value.extend_from_slice(b);
        if let Some(d) = &mut self.default {
            d.extend_from_slice(b);
        }
    }

    /// A variable written `raw`, with the default HAProxy would use when it is not set.
    fn variable(&mut self, raw: &str, default: Option<&str>) {
        self.dynamic = true;
        match default {
            Some(d) if !self.no_default => {
                let buf = self.default.get_or_insert_with(|| self.value.clone());
                buf.extend_from_slice(d.as_bytes());
            }
            _ => {
                self.no_default = true;
                self.default = None;
            }
        }
        self.value.extend_from_slice(raw.as_bytes());
    }
}

fn lossy(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
    out: File,
    line: Line,
    /// Where the line being read starts.
    line_start: usize,
    conds: Vec<Cond>,
    /// `.if` blocks opened past MAX_NESTED_CONDS: counted so their `.endif`s balance.
    overflow: usize,
    /// The condition of the current position, built when a statement needs it; `None` when
    /// the stack changed since.
    condition: Option<Option<Arc<str>>>,
    nuls: Vec<usize>,
    next_nul: usize,
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, start: usize, end: usize, message: String, help: Option<String>) {
        let span = self.span(start, end);
        super::push_error(&mut self.out.errors, span, message, help);
    }

    /// Read the whole lines `start..end` with pest. False when pest gave up.
    fn tokens(&mut self, start: usize, end: usize) -> bool {
        match Grammar::parse(Rule::chunk, &self.text[start..end]) {
            Ok(mut pairs) => {
                let chunk = pairs.next().map(|p| p.into_inner());
                for pair in chunk.into_iter().flatten() {
                    let s = pair.as_span();
                    let (from, to) = (start + s.start(), start + s.end());
                    match pair.as_rule() {
                        Rule::nl => self.end_line(from),
                        Rule::comment => self.out.comments.push(self.span(from, to)),
                        Rule::word => self.word(start, pair),
                        _ => {}
                    }
                }
                true
            }
            Err(e) => {
                // The grammar accepts every input; only pest's limits can stop it.
                let at = start
                    + match e.location {
                        pest::error::InputLocation::Pos(p) => p,
                        pest::error::InputLocation::Span((s, _)) => s,
                    };
                self.error(
                    at,
                    at,
                    "the parser gave up here (input too large or too complex)".into(),
                    None,
                );
                false
            }
        }
    }

    /// A line `start..eol` without `"`, `'`, `\\` or `$`: its words are plain text.
    fn plain_line(&mut self, start: usize, eol: usize) {
        let bytes = self.text.as_bytes();
        let mut i = start;
        while i < eol {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | 0x0B | 0x0C => i += 1,
                b'#' => {
                    self.out.comments.push(self.span(i, eol));
                    break;
                }
                _ => {
                    let w = i;
                    while i < eol && !matches!(bytes[i], b' ' | b'\t' | b'\r' | 0x0B | 0x0C | b'#')
                    {
                        i += 1;
                    }
                    self.plain_word(w, i);
                }
            }
        }
        if eol < self.text.len() {
            self.end_line(eol);
        }
    }

    /// Count a word; false when it is past MAX_WORDS (counted, not kept).
    fn count_word(&mut self, start: usize, end: usize) -> bool {
        let line = &mut self.line;
        if line.count == 0 {
            line.words.reserve(8);
        }
        line.count += 1;
        line.last_end = end;
        if line.count > MAX_WORDS {
            if line.count == MAX_WORDS + 1 {
                line.extra_start = start;
            }
            return false;
        }
        true
    }

    fn plain_word(&mut self, start: usize, end: usize) {
        if self.count_word(start, end) {
            let span = self.span(start, end);
            self.line.words.push(Word {
                value: self.text[start..end].to_string(),
                span,
                dynamic: false,
                default: None,
            });
        }
    }

    fn word(&mut self, base: usize, pair: Pair<'_, Rule>) {
        let s = pair.as_span();
        let (start, end) = (base + s.start(), base + s.end());
        if !self.count_word(start, end) {
            return;
        }
        let mut w = Decoded {
            value: Vec::with_capacity(end - start),
            ..Decoded::default()
        };
        for piece in pair.into_inner() {
            match piece.as_rule() {
                Rule::dquoted | Rule::squoted => {
                    let quote = base + piece.as_span().start();
                    for inner in piece.into_inner() {
                        self.piece(base, inner, quote, &mut w);
                    }
                }
                _ => self.piece(base, piece, start, &mut w),
            }
        }
        let default = match w.default {
            Some(d) if w.dynamic && !w.no_default => Some(lossy(d)),
            _ => None,
        };
        let span = self.span(start, end);
        self.line.words.push(Word {
            value: lossy(w.value),
            span,
            dynamic: w.dynamic,
            default,
        });
    }

    /// One piece of a word, or of the inside of a quoted piece opened at `quote`.
    fn piece(&mut self, base: usize, piece: Pair<'_, Rule>, quote: usize, w: &mut Decoded) {
        let start = base + piece.as_span().start();
        let raw = piece.as_str();
        match piece.as_rule() {
            Rule::text | Rule::dq_text | Rule::sq_text => w.push(raw.as_bytes()),
            Rule::escape | Rule::dq_escape => {
                let c = match raw.as_bytes()[1] {
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b'x' => u8::from_str_radix(&raw[2..4], 16).unwrap_or(b'?'),
                    c => c,
                };
                w.push(&[c]);
            }
            // Not expanded by the tokenizer; expanded later by address parsing, which
            // ignores defaults.
            Rule::uvar => w.variable(raw, None),
            Rule::var => {
                let default = piece
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::var_default);
                w.variable(raw, default.as_ref().map(|d| d.as_str()));
            }
            Rule::bad_hex => {
                self.line.broken = true;
                self.error(
                    start,
                    start + 2,
                    "truncated or invalid hexadecimal sequence".into(),
                    Some("\\x must be followed by two hexadecimal digits (\\x41 is 'A'); write \\\\x for a backslash followed by x".into()),
                );
            }
            Rule::bad_var => {
                self.line.broken = true;
                let (at, len, message, help) = classify_bad_var(raw);
                self.error(
                    start + at,
                    start + at + len,
                    message.into(),
                    Some(help.into()),
                );
            }
            Rule::unclosed => {
                self.line.broken = true;
                let q = &self.text[quote..quote + 1];
                self.error(
                    quote,
                    quote + 1,
                    "unmatched quote".into(),
                    Some(format!(
                        "this {q} is never closed on its line (quotes do not span lines): close it, or escape it as \\{q}"
                    )),
                );
            }
            _ => {}
        }
    }

    fn end_line(&mut self, end: usize) {
        let line = std::mem::take(&mut self.line);
        let line_start = std::mem::replace(&mut self.line_start, end + 1);
        let broken = line.broken | self.nul(line_start, end);
        if line.count > MAX_WORDS
            || (line.count == MAX_WORDS
                && trailing_space(&self.text.as_bytes()[line.last_end..end]))
        {
            let (s, e) = if line.count > MAX_WORDS {
                (line.extra_start, line.last_end)
            } else {
                (line.last_end, end)
            };
            self.error(
                s,
                e,
                format!("too many words, truncating after word {MAX_WORDS}"),
                Some(format!(
                    "HAProxy reads at most {MAX_WORDS} words on a line (spaces after the last one count as the start of another): quote arguments that belong together, or split the line"
                )),
            );
        }
        let words = line.words;
        if words.is_empty() {
            return;
        }
        // HAProxy skips a line whose first word is empty (`"" foo`).
        if words[0].value.is_empty() && !words[0].dynamic {
            return;
        }
        let span = words[0].span.to(words[words.len() - 1].span);
        let keyword = &words[0].value;
        let dynamic = words[0].dynamic;
        match keyword.as_str() {
            ".if" | ".elif" | ".else" | ".endif" if !dynamic => {
                self.conditional(keyword, &words, span);
                return;
            }
            _ => {}
        }
        let condition = self.condition();
        let statement = Statement {
            words: Vec::new(),
            span,
            condition,
        };
        if !dynamic && is_section_keyword(keyword) {
            let kw = words[0].clone();
            let name = match keyword.as_str() {
                "global" | "traces" => None,
                "defaults" if words.len() >= 3 && words[1].value == "from" => None,
                _ => words.get(1).cloned(),
            };
            let header = Statement { words, ..statement };
            self.out.sections.push(Section {
                keyword: kw,
                name,
                header,
                statements: Vec::new(),
            });
            return;
        }
        if broken {
            return;
        }
        if !dynamic && keyword.starts_with('.') {
            if matches!(
                keyword.as_str(),
                ".diag" | ".notice" | ".warning" | ".alert"
            ) {
                if let Some(extra) = words.get(2) {
                    let (s, e) = (extra.span.start as usize, extra.span.end as usize);
                    self.error(
                        s,
                        e,
                        format!("Unexpected argument '{}' for '{keyword}'", &self.text[s..e]),
                        Some("put the whole message in double quotes".into()),
                    );
                }
            } else {
                let w = words[0].span;
                self.error(
                    w.start as usize,
                    w.end as usize,
                    format!("unknown directive '{keyword}'"),
                    Some("the directives are .if, .elif, .else, .endif, .diag, .notice, .warning and .alert".into()),
                );
            }
        } else if self.out.sections.is_empty() {
            let w = words[0].span;
            self.error(
                w.start as usize,
                w.end as usize,
                format!("unknown keyword '{keyword}' out of section"),
                Some("every statement belongs to a section: add a section line (global, defaults, frontend, backend, listen …) above it".into()),
            );
        }
        let statement = Statement { words, ..statement };
        match self.out.sections.last_mut() {
            Some(sec) => sec.statements.push(statement),
            None => self.out.preamble.push(statement),
        }
    }

    /// Report the first NUL byte of the line `start..end` and skip the others; true if any.
    fn nul(&mut self, start: usize, end: usize) -> bool {
        let Some(&at) = self.nuls.get(self.next_nul).filter(|&&at| at < end) else {
            return false;
        };
        self.error(
            at,
            at + 1,
            format!("Stray NUL character at position {}", at - start + 1),
            Some(
                "remove the NUL byte: HAProxy refuses it, the file may be binary or corrupted"
                    .into(),
            ),
        );
        while self.nuls.get(self.next_nul).is_some_and(|&at| at < end) {
            self.next_nul += 1;
        }
        true
    }

    fn conditional(&mut self, keyword: &str, words: &[Word], span: Span) {
        let written = shorten(&self.text[span.range()]);
        let extra_args = |b: &mut Self| {
            if let Some(extra) = words.get(1) {
                let (s, e) = (extra.span.start as usize, extra.span.end as usize);
                b.error(
                    s,
                    e,
                    format!("Unexpected argument '{}' for '{keyword}'", &b.text[s..e]),
                    Some(format!(
                        "'{keyword}' takes no argument: put a comment after '#'"
                    )),
                );
            }
        };
        let here = (span.start as usize, span.end as usize);
        match keyword {
            ".if" => {
                if self.overflow > 0 || self.conds.len() + 1 >= MAX_NESTED_CONDS {
                    if self.overflow == 0 {
                        self.error(
                            here.0,
                            here.1,
                            format!("too many nested '.if', max is {MAX_NESTED_CONDS}"),
                            Some("HAProxy refuses this many nested conditional blocks: combine conditions with && and || instead of nesting".into()),
                        );
                    }
                    self.overflow += 1;
                    return;
                }
                self.conds.push(Cond {
                    text: written,
                    branch: None,
                    seen_else: false,
                    span,
                });
            }
            ".elif" | ".else" => {
                if self.overflow > 0 {
                    return;
                }
                if keyword == ".else" {
                    extra_args(self);
                }
                let Some(top) = self.conds.last_mut() else {
                    self.error(
                        here.0,
                        here.1,
                        format!("lone '{keyword}' with no matching '.if'"),
                        Some(format!(
                            "remove this '{keyword}', or open the block with '.if' above it"
                        )),
                    );
                    return;
                };
                if top.seen_else {
                    self.error(
                        here.0,
                        here.1,
                        format!("'{keyword}' after '.else' is not permitted"),
                        Some("'.else' must be the last branch of its '.if' block".into()),
                    );
                    return;
                }
                top.seen_else = keyword == ".else";
                top.branch = Some(written);
            }
            _ => {
                extra_args(self);
                if self.overflow > 0 {
                    self.overflow -= 1;
                    return;
                }
                if self.conds.pop().is_none() {
                    self.error(
                        here.0,
                        here.1,
                        "lone '.endif' with no matching '.if'".into(),
                        Some("remove this '.endif', or open the block with '.if' above it".into()),
                    );
                    return;
                }
            }
        }
        self.condition = None;
    }

    fn condition(&mut self) -> Option<Arc<str>> {
        if let Some(c) = &self.condition {
            return c.clone();
        }
        let c = if self.conds.is_empty() {
            None
        } else {
            let mut s = String::new();
            for c in &self.conds {
                if !s.is_empty() {
                    s.push_str(" > ");
                }
                s.push_str(&c.text);
                if let Some(b) = &c.branch {
                    s.push_str(" > ");
                    s.push_str(b);
                }
            }
            Some(Arc::from(s))
        };
        self.condition = Some(c.clone());
        c
    }

    fn finish(mut self) -> File {
        if let Some(top) = self.conds.last() {
            let (s, e) = (top.span.start as usize, top.span.end as usize);
            let open = self.conds.len() + self.overflow;
            let more = if open > 1 {
                format!(" ({open} blocks are still open)")
            } else {
                String::new()
            };
            self.error(
                s,
                e,
                "non-terminated '.if' block".into(),
                Some(format!("close this '.if' with a matching '.endif'{more}")),
            );
        }
        let text = self.text;
        if !text.is_empty() && !text.ends_with('\n') {
            let start = text.rfind('\n').map_or(0, |i| i + 1);
            self.error(
                start,
                text.len(),
                format!(
                    "{MISSING_LF}, file might have been truncated at position {}",
                    text.len() - start + 1
                ),
                Some(
                    "end the file with a line feed: HAProxy 2.3 and later refuse a last line without one (2.2 warns)".into(),
                ),
            );
        }
        self.out
    }
}

/// HAProxy's words for a last line without LF: fatal from 2.3, a warning in 2.2 (the caller,
/// which knows the release, says which).
pub(crate) const MISSING_LF: &str = "Missing LF on last line";

/// Spaces after the 64th word make HAProxy start a 65th (a CR right before the LF does not).
fn trailing_space(after: &[u8]) -> bool {
    match after.first() {
        Some(b' ' | b'\t' | 0x0B | 0x0C) => true,
        Some(b'\r') => after.len() > 1,
        _ => false,
    }
}

/// Which of HAProxy's errors a bad `$` in double quotes is: (offset, length, message, help).
fn classify_bad_var(raw: &str) -> (usize, usize, &'static str, &'static str) {
    let b = raw.as_bytes();
    let brace = b.get(1) == Some(&b'{');
    let name_at = if brace { 2 } else { 1 };
    let first = b.get(name_at).copied();
    let name_start = matches!(first, Some(c) if c.is_ascii_alphabetic() || c == b'_');
    if !name_start {
        let (at, len) = match raw[name_at.min(raw.len())..].chars().next() {
            Some(c) => (name_at, c.len_utf8()),
            None => (0, 1),
        };
        return (
            at,
            len,
            "forbidden first char in environment variable name",
            "a variable name starts with a letter or '_'; write \\$ for a literal dollar inside double quotes, or use single quotes",
        );
    }
    let mut i = name_at;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    if brace && b.get(i) == Some(&b'[') && !raw[i..].starts_with("[*]") {
        return (
            i,
            1,
            "truncated or invalid word expansion sequence",
            "the only expansion suffix is [*], as in \"${VAR[*]}\"",
        );
    }
    (
        1,
        1,
        "unmatched brace in environment variable name",
        "close the variable with '}', as in \"${VAR}\" or \"${VAR-default}\"",
    )
}

/// A directive line for [`Statement::condition`], cut at MAX_COND_TEXT bytes.
fn shorten(s: &str) -> String {
    if s.len() <= MAX_COND_TEXT {
        return s.to_string();
    }
    let mut end = MAX_COND_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse with and without the fast path for plain lines: both must agree.
    fn p(s: &str) -> File {
        let fast = parse(FileId(0), s);
        let slow = parse_with(FileId(0), s, false);
        assert_eq!(
            format!("{fast:?}"),
            format!("{slow:?}"),
            "fast path differs on {s:?}"
        );
        fast
    }

    /// The words of the only statement of `global` followed by `line`.
    fn words(line: &str) -> Vec<Word> {
        let f = p(&format!("global\n{line}\n"));
        assert!(f.errors.is_empty(), "{line}: {:?}", f.errors);
        f.sections[0].statements[0].words.clone()
    }

    fn values(line: &str) -> Vec<String> {
        words(line).into_iter().map(|w| w.value).collect()
    }

    fn messages(f: &File) -> Vec<&str> {
        f.errors.iter().map(|e| e.message.as_str()).collect()
    }

    /// The text under the span of the only error.
    fn only_error(text: &str) -> (String, String) {
        let f = p(text);
        assert_eq!(f.errors.len(), 1, "{text:?}: {:?}", f.errors);
        let e = &f.errors[0];
        (e.message.clone(), text[e.span.range()].to_string())
    }

    #[test]
    fn concatenated_pieces_form_one_word() {
        let w = words(r#"log-format "a"'b'\ c end"#);
        assert_eq!(w.len(), 3);
        assert_eq!(w[1].value, "ab c");
        assert_eq!(w[1].span.len(), r#""a"'b'\ c"#.len());
        assert!(!w[1].dynamic);
        assert_eq!(
            values(r#"log-format %{+Q}o\ %t "%{+Q}o %t"' %s'\ %{-Q}r"#),
            ["log-format", "%{+Q}o %t", "%{+Q}o %t %s %{-Q}r"]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            values(r"a \# \\ \' \x41\x2f x\ty \n\r \1 end\"),
            ["a", "#", "\\", "'", "A/", "x\ty", "\n\r", "\\1", "end\\"]
        );
        // `\$` is an escape in double quotes only; no escape in single quotes.
        assert_eq!(
            values(r#"a \$ "\$x" 'a\b' "a\'b\"""#),
            ["a", "\\$", "$x", "a\\b", "a'b\""]
        );
        // A backslash before a tab is not an escape: the tab separates.
        assert_eq!(values("a x\\\ty"), ["a", "x\\", "y"]);
        // \xNN may make bytes that are not UTF-8 alone, but a sequence is decoded.
        assert_eq!(values(r"a \xC3\xA9"), ["a", "é"]);
    }

    #[test]
    fn comments() {
        let f = p("global # tail\n  maxconn 10#x y\n  log-tag \\#x \"#y\" '#z' # c\n# full\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let st = &f.sections[0].statements;
        assert_eq!(st[0].words.len(), 2, "`#` mid-word starts a comment");
        assert_eq!(st[0].arg(0), Some("10"));
        let v: Vec<_> = st[1].words.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(v, ["log-tag", "#x", "#y", "#z"]);
        assert_eq!(f.comments.len(), 4);
        let text = "global # tail\n";
        assert_eq!(&text[f.comments[0].range()], "# tail");
    }

    #[test]
    fn environment_variables() {
        let w = words(r#"x '$HOME' "$HOME" "${PORT-8080}" "${A-x}:${B}" $HOME ${P-1} a$ "\$x""#);
        assert!(!w[1].dynamic, "single quotes protect everything");
        assert_eq!(w[1].value, "$HOME");
        assert!(w[2].dynamic);
        assert_eq!(w[2].value, "$HOME");
        assert_eq!(w[2].default, None);
        assert_eq!(w[2].known(), None);
        assert!(w[3].dynamic);
        assert_eq!(w[3].value, "${PORT-8080}");
        assert_eq!(w[3].default.as_deref(), Some("8080"));
        assert_eq!(w[3].known(), Some("8080"));
        assert_eq!(w[4].default, None, "not every variable has a default");
        // Unquoted: left as written, expanded later by address parsing, without defaults.
        assert!(w[5].dynamic && w[6].dynamic);
        assert_eq!(w[6].default, None);
        assert!(!w[7].dynamic, "a lone $ is literal outside quotes");
        assert!(!w[8].dynamic);
        assert_eq!(w[8].known(), Some("$x"));

        let w = words(r#"bind "127.0.0.1:${PORT-8080}" "${LIST[*]}" "$.LINE" "${A-x"y #z}""#);
        assert_eq!(w[1].default.as_deref(), Some("127.0.0.1:8080"));
        assert!(w[2].dynamic && w[3].dynamic);
        assert_eq!(
            w[4].default.as_deref(),
            Some("x\"y #z"),
            "a default runs raw to '}}'"
        );
        // `$NAME[*]` without braces: the suffix is plain text.
        assert_eq!(words(r#"x "$A[*]""#)[1].value, "$A[*]");
    }

    #[test]
    fn bad_variables_and_hex() {
        assert_eq!(
            only_error("global\n  log-tag \"a$\"\n"),
            (
                "forbidden first char in environment variable name".into(),
                "\"".into()
            )
        );
        assert_eq!(
            only_error("global\n  log-tag \"${1}\"\n").0,
            "forbidden first char in environment variable name"
        );
        assert_eq!(
            only_error("global\n  log-tag \"${A\"\n"),
            (
                "unmatched brace in environment variable name".into(),
                "{".into()
            )
        );
        assert_eq!(
            only_error("global\n  log-tag \"${A[x]}\"\n"),
            (
                "truncated or invalid word expansion sequence".into(),
                "[".into()
            )
        );
        assert_eq!(
            only_error("global\n  log-tag a\\xZZ\n"),
            (
                "truncated or invalid hexadecimal sequence".into(),
                "\\x".into()
            )
        );
        // A statement with a lexical error is dropped, as HAProxy drops the line.
        let f = p("global\n  log-tag \"a$\"\n  maxconn 1\n");
        assert_eq!(f.sections[0].statements.len(), 1);
        assert_eq!(f.sections[0].statements[0].keyword(), "maxconn");
    }

    #[test]
    fn unmatched_quotes() {
        assert_eq!(
            only_error("global\n  log-tag \"a b\n"),
            ("unmatched quote".into(), "\"".into())
        );
        assert_eq!(
            only_error("global\n  log-tag x'a b  \n").1,
            "'",
            "the span is the opening quote"
        );
        // Quotes never span lines: each line has its own error.
        let f = p("global\n  log-tag \"a\nb\"\n");
        assert_eq!(messages(&f), ["unmatched quote", "unmatched quote"]);
        // At the end of the file too.
        let f = p("global\n  log-tag 'a");
        assert!(messages(&f).contains(&"unmatched quote"));
    }

    #[test]
    fn sections_and_names() {
        let f = p(
            "global\ndefaults base\ndefaults from base\ndefaults d2 from base\n\
                   frontend fe from d2\nbackend be\nlisten st\nresolvers dns\npeers p\n\
                   userlist u\nmailers m\nhttp-errors e\nring r\ncache c\nfcgi-app f\n\
                   log-forward l\nprogram pr\ncrt-store cs\ntraces\nacme a\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.sections.len(), 20, "one per line");
        let names: Vec<_> = f.sections.iter().map(|s| s.name()).collect();
        assert_eq!(
            names[..5],
            [None, Some("base"), None, Some("d2"), Some("fe")]
        );
        assert_eq!(f.sections[2].from().map(|w| w.value.as_str()), Some("base"));
        assert_eq!(f.sections[4].from().map(|w| w.value.as_str()), Some("d2"));
        assert_eq!(f.sections[5].from(), None);
        assert_eq!(f.sections[5].header.keyword(), "backend");
    }

    #[test]
    fn statement_before_any_section() {
        let text = "  maxconn 10\n.notice \"hello\"\n.if defined(X)\n.endif\nglobal\n";
        let f = p(text);
        assert_eq!(messages(&f), ["unknown keyword 'maxconn' out of section"]);
        assert_eq!(&text[f.errors[0].span.range()], "maxconn");
        assert_eq!(f.preamble.len(), 2, "kept, with the valid .notice");
        assert_eq!(f.preamble[1].keyword(), ".notice");
        assert_eq!(f.sections.len(), 1);
    }

    #[test]
    fn message_and_unknown_directives() {
        let f = p("global\n  .diag \"d\"\n  .notice \"n\"\n  .warning \"w\"\n  .alert \"a\"\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let kw: Vec<_> = f.sections[0]
            .statements
            .iter()
            .map(|s| s.keyword())
            .collect();
        assert_eq!(kw, [".diag", ".notice", ".warning", ".alert"]);
        assert_eq!(
            messages(&p("global\n.notice a b\n.foo x\n")),
            [
                "Unexpected argument 'b' for '.notice'",
                "unknown directive '.foo'"
            ]
        );
    }

    #[test]
    fn conditional_blocks_keep_every_branch() {
        let text = "global\n\
            .if defined(FOO)\n  maxconn 1\n\
              .if feature(OPENSSL)  # inner\n  nbthread 2\n  .endif\n\
            .elif streq(\"$X\",y)\n  maxconn 2\n\
            .else\n  maxconn 3\n\
              .if 1\n  nbthread 4\n  .endif\n\
            .endif\n  maxconn 5\n";
        let f = p(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let got: Vec<_> = f.sections[0]
            .statements
            .iter()
            .map(|s| (s.arg(0).unwrap(), s.condition.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("1", Some(".if defined(FOO)")),
                ("2", Some(".if defined(FOO) > .if feature(OPENSSL)")),
                ("2", Some(".if defined(FOO) > .elif streq(\"$X\",y)")),
                ("3", Some(".if defined(FOO) > .else")),
                ("4", Some(".if defined(FOO) > .else > .if 1")),
                ("5", None),
            ]
        );
    }

    #[test]
    fn conditional_errors() {
        assert_eq!(
            messages(&p("global\n.elif 1\n.else\n.endif\n")),
            [
                "lone '.elif' with no matching '.if'",
                "lone '.else' with no matching '.if'",
                "lone '.endif' with no matching '.if'"
            ]
        );
        assert_eq!(
            messages(&p(".if 1\n.else\n.else\n.elif 0\n.endif\n")),
            [
                "'.else' after '.else' is not permitted",
                "'.elif' after '.else' is not permitted"
            ]
        );
        let text = "global\n.if 1\n.if 0\n.endif\n  maxconn 1\n";
        let (m, at) = only_error(text);
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("non-terminated '.if' block", ".if 1")
        );
        assert_eq!(
            messages(&p(".if 1\n.else x\n.endif y\n")),
            [
                "Unexpected argument 'x' for '.else'",
                "Unexpected argument 'y' for '.endif'"
            ]
        );
        // A directive written through a variable is not a directive.
        assert!(p("global\n\"${X}\" 1\n").errors.is_empty());
    }

    #[test]
    fn nesting_limit_like_haproxy() {
        let nest = |n: usize| {
            format!(
                "global\n{}  maxconn 1\n{}",
                ".if 1\n".repeat(n),
                ".endif\n".repeat(n)
            )
        };
        let f = p(&nest(MAX_NESTED_CONDS - 1));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let f = p(&nest(MAX_NESTED_CONDS));
        assert_eq!(messages(&f), ["too many nested '.if', max is 100"]);
        assert_eq!(f.sections[0].statements.len(), 1, "still kept");
    }

    #[test]
    fn ten_thousand_nested_ifs_do_not_overflow() {
        let f = p(&format!(
            "global\n{}  maxconn 1\n",
            ".if 1\n".repeat(10_000)
        ));
        assert_eq!(
            messages(&f),
            [
                "too many nested '.if', max is 100",
                "non-terminated '.if' block"
            ]
        );
        let s = &f.sections[0].statements[0];
        assert_eq!(
            s.condition.as_deref().map(|c| c.matches(".if").count()),
            Some(99)
        );
        let f = p(&format!("global\n{}", ".endif\n".repeat(10_000)));
        assert_eq!(f.errors.len(), super::super::MAX_ERRORS);
    }

    #[test]
    fn word_limit() {
        let line = |n: usize| {
            let w: Vec<String> = (1..n).map(|i| i.to_string()).collect();
            format!("global\n  log-tag {}", w.join(" "))
        };
        let f = p(&format!("{}\n", line(64)));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.sections[0].statements[0].words.len(), 64);
        assert!(p(&format!("{}\r\n", line(64))).errors.is_empty());
        // HAProxy counts spaces after the 64th word as a 65th.
        assert_eq!(
            messages(&p(&format!("{} # c\n", line(64)))),
            ["too many words, truncating after word 64"]
        );
        let text = format!("{}\n", line(5000));
        let f = p(&text);
        assert_eq!(messages(&f), ["too many words, truncating after word 64"]);
        assert!(text[f.errors[0].span.range()].starts_with("64 65 66"));
        assert!(text[f.errors[0].span.range()].ends_with("4999"));
        assert_eq!(f.sections[0].statements[0].words.len(), 64);
    }

    #[test]
    fn missing_final_lf() {
        let text = "global\n  maxconn 10";
        let (m, at) = only_error(text);
        assert_eq!(
            m,
            "Missing LF on last line, file might have been truncated at position 13"
        );
        assert_eq!(at, "  maxconn 10");
        assert_eq!(p("global\n  maxconn 10").sections[0].statements.len(), 1);
        assert!(p("").errors.is_empty());
        assert!(!p("global\n# c").errors.is_empty());
    }

    #[test]
    fn nul_bytes() {
        let text = "global\n  maxconn 10\0x\n  nbthread 1 \0\0\n  log-tag y\n";
        let f = p(text);
        assert_eq!(
            messages(&f),
            [
                "Stray NUL character at position 13",
                "Stray NUL character at position 14"
            ]
        );
        assert_eq!(f.errors[0].span.range(), 19..20);
        let kept: Vec<_> = f.sections[0]
            .statements
            .iter()
            .map(|s| s.keyword())
            .collect();
        assert_eq!(kept, ["log-tag"]);
    }

    #[test]
    fn empty_first_word_and_crlf() {
        let f = p("global\r\n  \"\" foo\r\n  maxconn 10\r\n\t\r\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let st = &f.sections[0].statements;
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].args()[0].value, "10");
        let w: Vec<_> = p("global\n  log-tag \"\" ''\n").sections[0].statements[0]
            .words
            .iter()
            .map(|w| w.value.clone())
            .collect();
        assert_eq!(w, ["log-tag", "", ""]);
    }

    #[test]
    fn realistic_config() {
        let text = r#"# gateway
global
    log 127.0.0.1:514 local0
    maxconn 4096
    ssl-server-verify none

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_main
    bind 127.0.0.1:8080
    acl is_api path_beg /api
    acl is_static path_reg '^/static/.*\.(css|js)$'
    http-request set-header X-Forwarded-Proto http
    use_backend be_api if is_api
    use_backend be_static if is_static || { hdr(host) -i static.local }
    default_backend be_web

backend be_api
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    server api1 127.0.0.1:9001 check inter 2s fall 3 rise 2
    server api2 127.0.0.1:9002 check backup

backend be_web
    server web1 [::1]:9003 check maxconn 100

backend be_static
    server s1 127.0.0.1:9004

listen stats
    bind 127.0.0.1:8404
    stats enable
    stats uri /stats
"#;
        let f = p(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.preamble.is_empty());
        let heads: Vec<_> = f.sections.iter().map(|s| (s.kind(), s.name())).collect();
        assert_eq!(
            heads,
            [
                ("global", None),
                ("defaults", None),
                ("frontend", Some("fe_main")),
                ("backend", Some("be_api")),
                ("backend", Some("be_web")),
                ("backend", Some("be_static")),
                ("listen", Some("stats")),
            ]
        );
        let counts: Vec<_> = f.sections.iter().map(|s| s.statements.len()).collect();
        assert_eq!(counts, [3, 6, 7, 5, 1, 1, 3]);
        let fe = &f.sections[2].statements;
        assert_eq!(fe[2].arg(2), Some("^/static/.*\\.(css|js)$"));
        assert_eq!(fe[4].keyword(), "use_backend");
        let args: Vec<_> = fe[5].args().iter().map(|w| w.value.as_str()).collect();
        assert_eq!(
            args,
            [
                "be_static",
                "if",
                "is_static",
                "||",
                "{",
                "hdr(host)",
                "-i",
                "static.local",
                "}"
            ]
        );
        assert_eq!(fe[6].arg(0), Some("be_web"));
        let api = &f.sections[3].statements[3];
        assert_eq!(
            &text[api.span.range()],
            "server api1 127.0.0.1:9001 check inter 2s fall 3 rise 2"
        );
        assert!(api.condition.is_none());
        assert_eq!(f.comments.len(), 1);
    }

    fn fixture(name: &str) -> File {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/haproxy/");
        p(&std::fs::read_to_string(format!("{path}{name}")).unwrap())
    }

    #[test]
    fn fixtures_valid() {
        // `haproxy -c` (2.6.12) accepts these.
        for name in ["basic.cfg", "conditionals_env.cfg", "quoting.cfg"] {
            let f = fixture(name);
            assert!(f.errors.is_empty(), "{name}: {:?}", f.errors);
            assert!(f.preamble.is_empty(), "{name}");
        }
        let f = fixture("quoting.cfg");
        let formats: Vec<_> = f
            .sections
            .iter()
            .flat_map(|s| &s.statements)
            .filter(|s| s.keyword() == "log-format")
            .map(|s| (s.words.len(), s.arg(0).unwrap()))
            .collect();
        assert_eq!(formats, [(2, "%{+Q}o %t %s %{-Q}r"); 3]);
        let f = fixture("conditionals_env.cfg");
        let be = f.sections.last().unwrap();
        assert_eq!(be.from().map(|w| w.value.as_str()), Some("api_defaults"));
        let servers: Vec<_> = be
            .statements
            .iter()
            .filter(|s| s.keyword() == "server")
            .map(|s| s.arg(0).unwrap())
            .collect();
        assert_eq!(servers, ["api1", "api2", "api1", "local", "local2"]);
    }

    #[test]
    fn fixtures_broken() {
        // `haproxy -c` (2.6.12) refuses these, with the first of these messages.
        let cases: [(&str, &[&str]); 3] = [
            ("bad_unmatched_quote.cfg", &["unmatched quote"]),
            (
                "bad_conditionals.cfg",
                &[
                    "'.else' after '.else' is not permitted",
                    "non-terminated '.if' block",
                ],
            ),
            (
                "bad_out_of_section_no_lf.cfg",
                &[
                    "unknown keyword 'maxconn' out of section",
                    "Missing LF on last line, file might have been truncated at position 29",
                ],
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(messages(&fixture(name)), expected, "{name}");
        }
    }

    #[test]
    fn random_lines_agree_both_ways_and_never_panic() {
        // Lines made of the characters that matter, with a small deterministic generator.
        let alphabet: Vec<char> = " \t\r\n#\"'\\$x{}[]*-.0aé\0".chars().collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut text = String::from("global\n");
            for _ in 0..(seed % 40) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            p(&text);
        }
    }

    #[test]
    fn large_input_is_linear() {
        // Plain lines take the fast path, the quoted one goes to pest; ~3 MB.
        let block = "backend be\n    server s1 127.0.0.1:80 check inter 2s fall 3 rise 2\n    \
                     http-request set-header X-A \"a b\" # c\n";
        let text = block.repeat(30_000);
        let f = parse(FileId(0), &text);
        assert!(f.errors.is_empty());
        assert_eq!(f.sections.len(), 30_000);
        assert_eq!(f.comments.len(), 30_000);
        // Pathological: huge lines of variable-like text must not go quadratic.
        let evil = format!(
            "global\n  x {}\n  y \"{}\"\n",
            "${A-".repeat(100_000),
            "${A-x".repeat(100_000)
        );
        let f = parse(FileId(0), &evil);
        assert_eq!(
            messages(&f),
            ["unmatched brace in environment variable name"]
        );
    }
}
