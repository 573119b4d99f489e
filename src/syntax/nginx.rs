//! nginx configuration → syntax tree. The tokens are `grammar/nginx.pest`'s, found by the hand
//! lexer of [`super::nginx_lex`] (pest only where it gives up, and as the oracle its tests
//! compare with); this module assembles statements and blocks with an explicit stack and
//! reports errors the way `ngx_conf_read_token()` would, then goes on so one file yields
//! every error it can.

use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use super::nginx_lex::{self, ChunkEnd, Tok};
use super::{MAX_DEPTH, SyntaxError, lua};
use crate::atom::{self, Atom};
use crate::source::{FileId, Span};

pub(crate) use crate::word::{Arg, Quote, has_variable};

/// The arguments of a statement. Most statements have one (`proxy_pass x`, `keepalive 16`):
/// that one is kept in place. A parse puts longer lists end to end in one pool shared by its
/// statements (a 50 MB configuration has 900 thousand statements with two or three
/// arguments: an allocation each would add 16 bytes apiece in glibc's headers and rounding);
/// a statement built alone puts them in an exact-size box.
#[derive(Clone)]
pub struct Args(ArgsRepr);

#[derive(Clone)]
enum ArgsRepr {
    Few {
        len: u8,
        one: Arg,
    },
    Many(Box<[Arg]>),
    Pooled {
        pool: Arc<ArgPool>,
        start: u32,
        len: u32,
    },
}

/// The argument lists of one parse, end to end; filled once, when the parse is done (its
/// statements are not read before).
#[derive(Default)]
pub(crate) struct ArgPool(OnceLock<Box<[Arg]>>);

/// A pool being filled by a parse.
#[derive(Default)]
struct PoolWriter {
    pool: Arc<ArgPool>,
    args: Vec<Arg>,
}

impl PoolWriter {
    fn args(&mut self, args: &[Arg]) -> Args {
        match (args.len(), u32::try_from(self.args.len())) {
            (2.., Ok(start)) => {
                self.args.extend_from_slice(args);
                Args(ArgsRepr::Pooled {
                    pool: self.pool.clone(),
                    start,
                    len: args.len() as u32,
                })
            }
            _ => Args::new(args),
        }
    }
    /// Hands the lists to the statements that hold ranges of them.
    fn seal(&mut self) {
        let args = std::mem::take(&mut self.args).into_boxed_slice();
        // A pool is sealed once; a second seal (nothing added since) changes nothing.
        let _ = self.pool.0.set(args);
    }
}

impl Args {
    pub(crate) fn new(args: &[Arg]) -> Args {
        Args(match args.len() {
            0 => ArgsRepr::Few {
                len: 0,
                one: Arg {
                    value: Atom::default(),
                    span: Span::new(crate::source::FileId(0), 0, 0),
                },
            },
            1 => ArgsRepr::Few {
                len: 1,
                one: args[0],
            },
            _ => ArgsRepr::Many(args.into()),
        })
    }
}

impl std::ops::Deref for Args {
    type Target = [Arg];
    fn deref(&self) -> &[Arg] {
        match &self.0 {
            ArgsRepr::Few { len: 0, .. } => &[],
            ArgsRepr::Few { one, .. } => std::slice::from_ref(one),
            ArgsRepr::Many(b) => b,
            ArgsRepr::Pooled { pool, start, len } => {
                let all = pool.0.get().expect("a parse seals its pool before it ends");
                &all[*start as usize..(*start + *len) as usize]
            }
        }
    }
}

impl<'a> IntoIterator for &'a Args {
    type Item = &'a Arg;
    type IntoIter = std::slice::Iter<'a, Arg>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One statement: 48 bytes, as a configuration holds millions of them.
#[derive(Debug, Clone)]
pub struct Directive {
    pub args: Args,
    /// What few statements have; None for most.
    extra: Option<Box<Extra>>,
    /// From the name to the terminating `;` or `{` (or the end of a Lua block).
    pub span: Span,
    /// The name's value (its quote in the tag), written from `span.start`.
    name: Atom,
}

/// 32 bytes, one allocation size class below the 48 it took with the block's fields in a
/// struct of their own (a 50 MB configuration has 220 thousand blocks).
#[derive(Debug, Clone, Default)]
struct Extra {
    /// The statements of a block directive.
    block: Option<Box<[Directive]>>,
    /// From `{` to `}` (to the end of the file when unclosed), in the statement's file;
    /// meaningful with `block`.
    block_span: (u32, u32),
    /// HAProxy: the conditional blocks the line is in, as written, outermost first
    /// (`.if defined(X) > .else`).
    condition: Option<Atom>,
    /// Where the name ends when its value is not what is written (quoted, escaped, or a
    /// folded HAProxy keyword such as `timeout server`).
    name_end: Option<NonZeroU32>,
}

// The sizes the comments promise; a field added carelessly shows here, not in a benchmark.
const _: () = assert!(std::mem::size_of::<Extra>() == 32);
const _: () = assert!(std::mem::size_of::<Directive>() == 48);
const _: () = assert!(std::mem::size_of::<Arg>() == 16);

impl Directive {
    pub(crate) fn new(name: Arg, args: &[Arg], span: Span) -> Directive {
        Directive::with_args(name, Args::new(args), span)
    }
    fn with_args(name: Arg, args: Args, span: Span) -> Directive {
        let mut d = Directive {
            args,
            extra: None,
            span: Span {
                start: name.span.start,
                ..span
            },
            name: name.value,
        };
        if name.span.len() != name.value.len() || name.quote() != Quote::None {
            // A name that is written ends after its first byte.
            d.extra_mut().name_end = NonZeroU32::new(name.span.end);
        }
        d
    }
    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }
    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }
    /// Whether the name is `name`: `d.is(atom!("include"))` compares two integers.
    pub(crate) fn is(&self, name: Atom) -> bool {
        self.name == name
    }
    /// The name as a word: its value and where it is written.
    pub fn name_arg(&self) -> Arg {
        let end = self
            .extra
            .as_ref()
            .and_then(|e| e.name_end)
            .map_or(self.span.start + self.name.len() as u32, NonZeroU32::get);
        Arg {
            value: self.name,
            span: Span { end, ..self.span },
        }
    }
    /// HAProxy: the conditional blocks the line is in, as written, outermost first
    /// (`.if defined(X) > .else`); None outside any, and always in nginx.
    pub(crate) fn condition(&self) -> Option<&'static str> {
        self.extra.as_ref()?.condition.map(Atom::as_str)
    }
    pub(crate) fn set_condition(&mut self, condition: Option<&str>) {
        if let Some(c) = condition {
            self.extra_mut().condition = Some(Atom::new(c));
        }
    }
    pub(crate) fn arg(&self, i: usize) -> Option<&'static str> {
        self.args.get(i).map(|a| a.value.as_str())
    }
    /// The statements of a block directive; None for a simple one.
    pub fn block(&self) -> Option<&[Directive]> {
        self.extra.as_ref()?.block.as_deref()
    }
    /// From `{` to `}` of a block directive (to the end of the file when unclosed).
    pub(crate) fn block_span(&self) -> Option<Span> {
        let e = self.extra.as_ref()?;
        let (start, end) = e.block_span;
        e.block.as_ref().map(|_| Span {
            start,
            end,
            ..self.span
        })
    }
    pub(crate) fn set_block(&mut self, directives: Vec<Directive>, span: Span) {
        debug_assert_eq!(
            span.file, self.span.file,
            "a block is in its statement's file"
        );
        let e = self.extra_mut();
        e.block = Some(directives.into_boxed_slice());
        e.block_span = (span.start, span.end);
    }
    pub fn children(&self) -> &[Directive] {
        self.block().unwrap_or(&[])
    }
    /// The arguments' values, space-separated (`127.0.0.1:8080 ssl`), for messages.
    pub(crate) fn args_text(&self) -> String {
        let values: Vec<&str> = self.args.iter().map(|a| a.value.as_str()).collect();
        values.join(" ")
    }
    /// The statement as written, name and arguments (`listen 127.0.0.1:8080 ssl`).
    pub(crate) fn written(&self) -> String {
        if self.args.is_empty() {
            return self.name().to_string();
        }
        format!("{} {}", self.name(), self.args_text())
    }
}

/// One parsed file.
#[derive(Debug, Default)]
pub struct File {
    pub directives: Vec<Directive>,
    pub(crate) comments: Vec<Span>,
    pub errors: Vec<SyntaxError>,
}

/// Files at least this large are parsed in segments on all cores.
const SPLIT_MIN: usize = 4 << 20;

pub fn parse(file: FileId, text: &str) -> File {
    let cores = rayon::current_num_threads();
    if text.len() >= SPLIT_MIN
        && cores > 1
        && memchr::memmem::find(text.as_bytes(), b"_by_lua_block").is_none()
        && let Some(f) = parse_guessed(file, text, cores).or_else(|| parse_split(file, text, cores))
    {
        return f;
    }
    let mut b = Builder::new(file, text);
    b.run(text, 0);
    b.finish()
}

/// A large file is nearly always one big block (`http { … }`) of many statements. The lexer
/// alone (a fraction of the parse) finds statement boundaries inside that block; the stretches
/// between them are built on all cores, each as the children of the block, and joined in
/// order. The result is the sequential parse's: anything unusual in a stretch (an error, a Lua
/// block, an unclosed quote) makes it give up, and the caller parses the file in one piece.
fn parse_split(file: FileId, text: &str, segments: usize) -> Option<File> {
    let points = split_points(text, segments)?;
    let mut bounds = vec![0];
    bounds.extend(&points);
    let mut built = build_stretches(file, text, &bounds);
    let mut rest = built.split_off(1);
    let mut a = built.pop()?;
    if !a.open_at_cut()
        || rest
            .iter()
            .any(|b| !b.open_at_cut() || !b.out.errors.is_empty())
    {
        return None;
    }
    let more: usize = rest.iter().map(|b| b.stack[0].2.len()).sum();
    a.stack.last_mut()?.2.reserve_exact(more);
    for b in &mut rest {
        let (_, _, children) = b.stack.pop()?;
        a.stack.last_mut()?.2.extend(children);
        a.out.comments.append(&mut b.out.comments);
    }
    a.run(text, *points.last()?);
    Some(a.finish())
}

/// Like [`parse_split`] without the lexer's pass: the cuts are guessed at line starts that
/// look like statements directly inside the big block (after a line ending in `;` or `}`,
/// with the least indentation nearby), the last stretch runs to the end of the file, and the
/// guess is checked afterwards: each stretch before a cut must end exactly there with only
/// the big block open. A wrong guess costs the work, not the result.
fn parse_guessed(file: FileId, text: &str, segments: usize) -> Option<File> {
    let mut bounds = vec![0];
    for k in 1..segments {
        let cut = guess_cut(text, k * text.len() / segments)?;
        if cut <= *bounds.last()? {
            return None;
        }
        bounds.push(cut);
    }
    bounds.push(text.len());
    let mut built = build_stretches(file, text, &bounds);
    let mut rest = built.split_off(1);
    let mut a = built.pop()?;
    let mut last = rest.pop()?;
    let quiet = |b: &Builder| b.out.errors.is_empty() && b.words.is_empty() && b.skipped_depth == 0;
    let middle_ok = rest
        .iter()
        .all(|b| b.open_at_cut() && b.stretch && quiet(b));
    let last_ok = quiet(&last)
        && match last.stretch_closed {
            Some(_) => last.stack.is_empty(),
            None => last.stack.len() == 1,
        };
    if !a.open_at_cut() || !middle_ok || !last_ok {
        return None;
    }
    let more: usize = rest.iter().map(|b| b.stack[0].2.len()).sum::<usize>()
        + last.stack.first().map_or(0, |s| s.2.len())
        + last.stretch_closed.as_ref().map_or(0, |c| c.1.len());
    a.stack.last_mut()?.2.reserve_exact(more);
    for b in rest.iter_mut().chain(std::iter::once(&mut last)) {
        if let Some((_, _, children)) = b.stack.pop() {
            a.stack.last_mut()?.2.extend(children);
        }
        a.out.comments.append(&mut b.out.comments);
    }
    if let Some((at, children)) = last.stretch_closed.take() {
        a.stack.last_mut()?.2.extend(children);
        a.close(at);
        for d in std::mem::take(&mut last.out.directives) {
            a.push(d);
        }
    }
    Some(a.finish())
}

/// The stretches between `bounds`, built on all cores. All but the first start inside a
/// stand-in for the big block, whose statements they gather.
fn build_stretches<'t>(file: FileId, text: &'t str, bounds: &[usize]) -> Vec<Builder<'t>> {
    use rayon::prelude::*;
    bounds
        .par_windows(2)
        .enumerate()
        .map(|(i, w)| {
            let mut b = Builder::new(file, text);
            if i > 0 {
                let here = Span::new(file, w[0], w[0]);
                let block = Directive::new(Arg::new("", here, Quote::None), &[], here);
                b.stack.push((block, w[0], Vec::new()));
                b.stretch = true;
            }
            b.run(&text[..w[1]], w[0]);
            // Only the first stretch goes on (it takes the others' statements).
            if i > 0 {
                b.pool.seal();
            }
            b
        })
        .collect()
}

/// A line start at or after `from` that looks like a statement of the big block.
fn guess_cut(text: &str, from: usize) -> Option<usize> {
    const WINDOW: usize = 64 * 1024;
    let b = text.as_bytes();
    let end = (from + WINDOW).min(b.len());
    let mut best: Option<(usize, usize)> = None;
    let mut at = from;
    while let Some(nl) = memchr::memchr(b'\n', &b[at..end]).map(|i| at + i) {
        at = nl + 1;
        let ended = b[..nl]
            .iter()
            .rev()
            .find(|c| !c.is_ascii_whitespace())
            .is_some_and(|c| matches!(c, b';' | b'}'));
        let indent = b[at..end]
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
        let starts_word = b.get(at + indent).is_some_and(|c| c.is_ascii_alphabetic());
        if ended && starts_word && indent > 0 && best.is_none_or(|(_, i)| indent < i) {
            best = Some((at, indent));
        }
    }
    best.map(|(at, _)| at)
}

/// Where to cut: after statements (`;` or `}`) directly inside the largest top-level block,
/// about `segments` stretches apart, and after its last statement. None when the lexer meets
/// what a stretch could not be built from alone (Lua, an unclosed quote).
fn split_points(text: &str, segments: usize) -> Option<Vec<usize>> {
    let step = (text.len() / segments.max(1)).max(1);
    let mut depth = 0usize;
    let mut block = 0usize;
    // Per top-level block: where it opens, the cuts taken and its last statement boundary.
    let mut cuts: Vec<(usize, Vec<usize>, usize)> = Vec::new();
    let mut usable = true;
    let end = nginx_lex::chunk(text, 0, &mut |kind, start, _| match kind {
        Tok::Open => {
            depth += 1;
            if depth == 1 {
                block += 1;
                cuts.push((start, Vec::new(), start));
            }
        }
        Tok::Close | Tok::Semi if depth >= 1 => {
            if kind == Tok::Close {
                depth -= 1;
            }
            if depth == 1 && block > 0 {
                let (open, taken, last) = &mut cuts[block - 1];
                *last = start + 1;
                if start + 1 >= taken.last().copied().unwrap_or(*open) + step {
                    taken.push(start + 1);
                }
            }
        }
        Tok::Unterminated | Tok::LuaOpen | Tok::LuaName | Tok::LuaArg => usable = false,
        _ => {}
    });
    if !usable || end != Ok(ChunkEnd::Eof) {
        return None;
    }
    let (_, mut taken, last) = cuts.into_iter().max_by_key(|(open, _, last)| last - open)?;
    taken.retain(|&p| p < last);
    taken.push(last);
    (taken.len() >= 2).then_some(taken)
}

impl<'t> Builder<'t> {
    fn new(file: FileId, text: &'t str) -> Builder<'t> {
        Builder {
            file,
            text,
            out: File::default(),
            stack: Vec::new(),
            words: Vec::new(),
            last_quoted_end: None,
            skipped_depth: 0,
            glued_open: None,
            // A configuration's distinct words: about one per 40 bytes of a small file.
            atoms: atom::Local::with_capacity((text.len() / 40).min(1 << 14)),
            stretch: false,
            stretch_closed: None,
            pool: PoolWriter::default(),
            spare: Vec::new(),
        }
    }

    /// Builds from the tokens of `lex` (the text, or the part of it that ends a stretch)
    /// from `pos` on.
    fn run(&mut self, lex: &str, pos: usize) {
        let b = self;
        let mut pos = pos;
        loop {
            let end = nginx_lex::chunk(lex, pos, &mut |kind, start, end| match kind {
                Tok::Comment => b.out.comments.push(Span::new(b.file, start, end)),
                Tok::Semi => b.semi(start),
                Tok::Open => b.open(start),
                Tok::Close => b.close(start),
                Tok::Word | Tok::LuaName | Tok::LuaArg => b.word(start, end, Quote::None),
                Tok::DQuoted => b.word(start, end, Quote::Double),
                Tok::SQuoted => b.word(start, end, Quote::Single),
                Tok::Unterminated => {
                    let q = &b.text[start..start + 1];
                    b.error(
                        start,
                        start + 1,
                        "unexpected end of file, expecting \";\" or \"}\"".into(),
                        Some(format!("this {q} is never closed: close the string")),
                    );
                }
                Tok::LuaOpen => {}
            });
            let lua_at = match end {
                Ok(ChunkEnd::Eof) => None,
                Ok(ChunkEnd::Lua(open)) => Some(open),
                Err(at) => {
                    b.error(
                        at,
                        at,
                        "the parser gave up here (input too large or too complex)".into(),
                        None,
                    );
                    break;
                }
            };
            let Some(open) = lua_at else { break };
            match lua::find_block_end(b.text, open) {
                Ok(close) => {
                    b.lua_body(open, close);
                    pos = close + 1;
                }
                Err(at) => {
                    b.error(
                        at,
                        at + 1,
                        "unexpected end of file inside a Lua block".into(),
                        Some("close the Lua string, comment or block that starts here".into()),
                    );
                    b.words.clear();
                    break;
                }
            }
        }
    }
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
    out: File,
    /// Open blocks: the directive, where its `{` is, and the statements gathered so far.
    stack: Vec<(Directive, usize, Vec<Directive>)>,
    words: Vec<Arg>,
    last_quoted_end: Option<usize>,
    /// Blocks opened past MAX_DEPTH: their content is skipped.
    skipped_depth: usize,
    /// The block just opened with `{` glued to the previous word, as in `~ ^/a{2}$`.
    glued_open: Option<usize>,
    atoms: atom::Local,
    /// Where the statements' argument lists go.
    pool: PoolWriter,
    /// Emptied lists of a closed block's statements, reused by the blocks opened next: a
    /// block's statements are moved to an exact-size box, not grown and shrunk in place.
    spare: Vec<Vec<Directive>>,
    /// A stretch built alone: its bottom block stands for the block the stretch starts in.
    stretch: bool,
    /// Where a stretch closed that block, and the statements it had gathered.
    stretch_closed: Option<(usize, Vec<Directive>)>,
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Stopped at a cut with only the block it started in open, and no statement begun.
    fn open_at_cut(&self) -> bool {
        self.stack.len() == 1 && self.words.is_empty() && self.skipped_depth == 0
    }

    /// A block's statements in one exact-size allocation; the list goes back to `spare`.
    fn exact(&mut self, mut children: Vec<Directive>) -> Vec<Directive> {
        let mut exact = Vec::with_capacity(children.len());
        exact.append(&mut children);
        self.spare.push(children);
        exact
    }

    fn arg_of(&mut self, raw: &str, span: Span, quote: Quote) -> Arg {
        let value = if memchr::memchr(b'\\', raw.as_bytes()).is_some() {
            self.atoms.atom(&unescape(raw))
        } else {
            self.atoms.atom(raw)
        };
        Arg::of(value, span, quote)
    }

    fn error(&mut self, start: usize, end: usize, message: String, help: Option<String>) {
        let span = self.span(start, end);
        super::push_error(&mut self.out.errors, span, message, help);
    }

    fn word(&mut self, start: usize, end: usize, quote: Quote) {
        if self.skipped_depth > 0 {
            return;
        }
        // nginx wants white space, ";", "{" or ")" after a closing quote.
        if self.last_quoted_end == Some(start)
            && let Some(c) = self.text[start..].chars().next().filter(|&c| c != ')')
        {
            self.error(
                start,
                start + c.len_utf8(),
                format!("unexpected \"{c}\""),
                Some(
                    "put a space after the closing quote, or move the quote to the end of the word"
                        .into(),
                ),
            );
        }
        if let Some(open) = self.glued_open.take()
            && self.words.is_empty()
            && quote == Quote::None
            && looks_like_quantifier_tail(&self.text[start..end])
        {
            self.error(
                open,
                open + 1,
                "\"{\" inside an unquoted regular expression opens a block".into(),
                Some("nginx ends a bare word at \"{\": quote the whole expression, e.g. location ~ \"^/a{2,3}$\" { … }".into()),
            );
        }
        self.last_quoted_end = matches!(quote, Quote::Double | Quote::Single).then_some(end);
        let raw = &self.text[start..end];
        let span = self.span(start, end);
        let arg = match quote {
            Quote::None => self.arg_of(raw, span, quote),
            Quote::Double | Quote::Single => self.arg_of(&raw[1..raw.len() - 1], span, quote),
            Quote::Lua => Arg::new(raw, span, quote),
        };
        self.words.push(arg);
    }

    fn statement(&mut self, end: usize) -> Option<Directive> {
        if self.words.is_empty() {
            return None;
        }
        // Copied, not taken: the buffer is reused, and the arguments go to the pool.
        let name = self.words[0];
        let args = self.pool.args(&self.words[1..]);
        let d = Directive::with_args(name, args, self.span(name.span.start as usize, end));
        self.words.clear();
        Some(d)
    }

    fn push(&mut self, d: Directive) {
        match self.stack.last_mut() {
            Some((_, _, children)) => children.push(d),
            None => self.out.directives.push(d),
        }
    }

    fn semi(&mut self, at: usize) {
        self.last_quoted_end = None;
        self.glued_open = None;
        if self.skipped_depth > 0 {
            return;
        }
        match self.statement(at + 1) {
            Some(d) => self.push(d),
            None => self.error(
                at,
                at + 1,
                "unexpected \";\"".into(),
                Some("an empty statement is an error in nginx: remove this \";\"".into()),
            ),
        }
    }

    fn open(&mut self, at: usize) {
        let glued = self
            .words
            .last()
            .is_some_and(|w| w.quote() == Quote::None && w.span.end as usize == at);
        self.last_quoted_end = None;
        self.glued_open = None;
        if self.skipped_depth > 0 {
            self.skipped_depth += 1;
            return;
        }
        // Anonymous blocks count too: a flood of `{` must not nest without bound.
        if self.stack.len() >= MAX_DEPTH {
            self.words.clear();
            self.error(
                at,
                at + 1,
                format!("blocks nested deeper than {MAX_DEPTH} levels"),
                Some("no nginx configuration needs this depth; check for unbalanced braces".into()),
            );
            self.skipped_depth = 1;
            return;
        }
        let Some(d) = self.statement(at + 1) else {
            self.error(
                at,
                at + 1,
                "unexpected \"{\"".into(),
                Some("a block needs a directive name before \"{\"".into()),
            );
            // Keep the structure so the matching "}" closes this block.
            let anon = Directive::new(
                Arg::new("", self.span(at, at), Quote::None),
                &[],
                self.span(at, at + 1),
            );
            let children = self.spare.pop().unwrap_or_default();
            self.stack.push((anon, at, children));
            return;
        };
        if glued {
            self.glued_open = Some(at);
        }
        let children = self.spare.pop().unwrap_or_default();
        self.stack.push((d, at, children));
    }

    fn close(&mut self, at: usize) {
        self.last_quoted_end = None;
        self.glued_open = None;
        if self.skipped_depth > 0 {
            self.skipped_depth -= 1;
            return;
        }
        if !self.words.is_empty() {
            let name = self.words[0].span;
            self.error(
                at,
                at + 1,
                "unexpected \"}\"".into(),
                Some(format!(
                    "the statement \"{}\" before it is not terminated by \";\"",
                    &self.text[name.range()]
                )),
            );
            let last = self.words.last().map(|w| w.span.end);
            if let Some(e) = self
                .out
                .errors
                .last_mut()
                .filter(|e| e.span.start as usize == at)
            {
                e.semicolon = last;
            }
            self.words.clear();
        }
        match self.stack.pop() {
            Some((_, _, children)) if self.stretch && self.stack.is_empty() => {
                self.stretch = false;
                self.stretch_closed = Some((at, children));
            }
            Some((mut d, open, children)) => {
                if !d.name().is_empty() || !d.name_arg().span.is_empty() {
                    let span = self.span(open, at + 1);
                    d.set_block(self.exact(children), span);
                    self.push(d);
                } else {
                    // An anonymous block from an error: keep its statements.
                    for c in children {
                        self.push(c);
                    }
                }
            }
            None => self.error(
                at,
                at + 1,
                "unexpected \"}\"".into(),
                Some("this \"}\" closes no block: remove it or add the missing opening".into()),
            ),
        }
    }

    fn lua_body(&mut self, open: usize, close: usize) {
        self.last_quoted_end = None;
        self.glued_open = None;
        if self.skipped_depth > 0 {
            self.words.clear();
            return;
        }
        self.words.push(Arg::new(
            &self.text[open + 1..close],
            self.span(open + 1, close),
            Quote::Lua,
        ));
        if let Some(d) = self.statement(close + 1) {
            self.push(d);
        }
    }

    fn finish(mut self) -> File {
        let len = self.text.len();
        if let Some(first) = self.words.first() {
            let (s, e) = (first.span.start as usize, first.span.end as usize);
            let name = self.text[s..e].to_string();
            self.error(
                s,
                e,
                "unexpected end of file, expecting \";\" or \"}\"".into(),
                Some(format!("terminate \"{name}\" with \";\"")),
            );
            self.words.clear();
        }
        // After another error, an unclosed block is almost always its echo (a `{` taken from
        // a regular expression, a statement cut off): nginx, too, reports only the first.
        if let Some(&(ref d, open, _)) = self.stack.last().filter(|_| self.out.errors.is_empty()) {
            let name = d.name();
            self.error(
                open,
                (open + 1).min(len),
                "unexpected end of file, expecting \"}\"".into(),
                Some(format!(
                    "the block of \"{name}\" opened here is never closed"
                )),
            );
        }
        while let Some((mut d, open, children)) = self.stack.pop() {
            let span = self.span(open, len);
            d.set_block(self.exact(children), span);
            self.push(d);
        }
        self.out.directives.shrink_to_fit();
        self.pool.seal();
        self.out
    }
}

/// `2,3}$` after `^/a{`: what is left of a regular expression split at its `{`.
fn looks_like_quantifier_tail(w: &str) -> bool {
    let head: String = w
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    !head.is_empty() && w[head.len()..].starts_with('}')
}

/// nginx's unescaping of a word (ngx_conf_read_token): `\"`, `\'`, `\\` lose the backslash;
/// `\t`, `\r`, `\n` become the control characters; any other escape is kept as written.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"' | '\'' | '\\') => {
                    out.push(chars.next().unwrap_or('\\'));
                    continue;
                }
                Some('t') => {
                    chars.next();
                    out.push('\t');
                    continue;
                }
                Some('r') => {
                    chars.next();
                    out.push('\r');
                    continue;
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> File {
        parse(FileId(0), s)
    }

    #[test]
    fn words_quotes_and_blocks() {
        let f = p("http { server { location ~ \"^/a{2}$\" { return 200 'a;b#'; } } }\n");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let loc = &f.directives[0].children()[0].children()[0];
        assert_eq!(loc.name(), "location");
        assert_eq!(loc.arg(1), Some("^/a{2}$"));
        assert_eq!(loc.children()[0].arg(1), Some("a;b#"));
    }

    #[test]
    fn brace_in_word_and_variables() {
        let f = p("return 200 a}b${x}c; # tail");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.directives[0].arg(1), Some("a}b${x}c"));
        assert_eq!(f.comments.len(), 1);
    }

    #[test]
    fn errors_like_nginx() {
        assert_eq!(p("a;;").errors[0].message, "unexpected \";\"");
        assert_eq!(p("a \"b\"c;").errors[0].message, "unexpected \"c\"");
        assert_eq!(
            p("a { b; ").errors[0].message,
            "unexpected end of file, expecting \"}\""
        );
        assert_eq!(
            p("a b").errors[0].message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(p("}").errors[0].message, "unexpected \"}\"");
        assert!(
            p("location ~ ^/a{2,3}$ { }").errors[0]
                .message
                .contains("regular expression")
        );
        assert!(
            p("a \"b").errors[0]
                .help
                .as_deref()
                .unwrap()
                .contains("never closed")
        );
    }

    #[test]
    fn lua_block_is_one_argument() {
        let f = p(
            "content_by_lua_block { ngx.say(\"}\") -- }\n }\nset_by_lua_block $x { return 1 } a b;",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.directives.len(), 3);
        assert_eq!(f.directives[0].args[0].quote(), Quote::Lua);
        assert_eq!(f.directives[1].arg(0), Some("$x"));
        assert_eq!(f.directives[1].arg(1), Some(" return 1 "));
    }

    fn sequential(text: &str) -> File {
        let mut b = Builder::new(FileId(0), text);
        b.run(text, 0);
        b.finish()
    }

    fn same_tree(a: &File, b: &File) {
        assert_eq!(format!("{:?}", a.directives), format!("{:?}", b.directives));
        assert_eq!(a.comments, b.comments);
        assert_eq!(format!("{:?}", a.errors), format!("{:?}", b.errors));
    }

    #[test]
    fn a_file_parsed_in_stretches_is_the_file_parsed_in_one() {
        let site = |i: usize| {
            format!(
                "  # site {i}\n  upstream u{i} {{ server 127.0.0.{}:80 max_fails=3; }}\n  server {{ listen 80; location ~ \"^/a{{2}}\" {{ proxy_pass http://u{i}; }} }}\n  proxy_set_header X-{i} 'a b';\n",
                i % 200
            )
        };
        let body: String = (0..400).map(site).collect();
        let text = format!(
            "events {{}}\nhttp {{\n{body}}}\nstream {{ server {{ listen 1; proxy_pass 127.0.0.1:2; }} }}\n"
        );
        for segments in [2, 3, 7, 50] {
            let split = parse_split(FileId(0), &text, segments).expect("splits");
            same_tree(&split, &sequential(&text));
        }
        for segments in [2, 3, 5] {
            let guessed = parse_guessed(FileId(0), &text, segments).expect("guesses");
            same_tree(&guessed, &sequential(&text));
        }
        // The file as a whole, on this machine's cores or in one piece.
        same_tree(&parse(FileId(0), &text), &sequential(&text));
    }

    #[test]
    fn a_wrong_guess_is_caught() {
        // Every line that looks like a statement of the big block is inside a server: the
        // guessed cuts are one level too deep, and the stretches say so.
        let server = "server {\n  listen 80;\n  location / {\n    return 200;\n  }\n}\n";
        let text = format!("http {{\n{}}}\n", server.repeat(300));
        assert!(parse_guessed(FileId(0), &text, 3).is_none());
        same_tree(
            &parse_split(FileId(0), &text, 3).expect("the lexer's cuts"),
            &sequential(&text),
        );
        // An unbalanced tail, and errors after the cut, are for the one-piece parse to report.
        for tail in ["", "}\n}\n", "a b\n", "x {\n"] {
            let text = format!(
                "http {{\n{}{tail}",
                "  location / { return 200; }\n".repeat(400)
            );
            match parse_guessed(FileId(0), &text, 2) {
                Some(g) => same_tree(&g, &sequential(&text)),
                None => assert!(
                    !sequential(&text).errors.is_empty() || tail.is_empty(),
                    "{tail:?}"
                ),
            }
            same_tree(&parse(FileId(0), &text), &sequential(&text));
        }
    }

    #[test]
    fn stretches_give_up_on_what_they_cannot_build_alone() {
        let body = "  location / { return 200; }\n".repeat(200);
        let errs = format!("http {{\n{body}  a;;\n{body}}}\n");
        assert!(
            parse_split(FileId(0), &errs, 8).is_none(),
            "an error in a stretch"
        );
        let lua = format!("http {{\n{body} content_by_lua_block {{ x }}\n{body}}}\n");
        assert!(parse_split(FileId(0), &lua, 8).is_none(), "Lua");
        let quote = format!("http {{\n{body} a \"b;\n");
        assert!(
            parse_split(FileId(0), &quote, 8).is_none(),
            "an unclosed quote"
        );
        assert!(
            parse_split(FileId(0), "a; b;", 8).is_none(),
            "no block to cut"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "a {".repeat(100_000);
        let f = p(&s);
        assert!(f.errors.iter().any(|e| e.message.contains("nested deeper")));
    }

    #[test]
    fn unescape_like_nginx() {
        assert_eq!(unescape(r#"a\"b\\c\td\x"#), "a\"b\\c\td\\x");
    }
}
