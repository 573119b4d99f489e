//! Syntax trees: the nginx and HAProxy parsers (include resolution is `load::include`).

pub mod haproxy;
pub(crate) mod lua;
pub mod nginx;
pub mod nginx_lex;
pub mod sections;

use crate::source::Span;

/// A syntax error: where, what nginx (or HAProxy) would say, and how to fix it.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// Where a `;` would end the statement the error is about, when that is certain (the
    /// statement before a `}`): `--fix` inserts it there.
    pub(crate) semicolon: Option<u32>,
}

/// At most this many syntax errors are reported per file; later ones are mostly echoes.
pub(crate) const MAX_ERRORS: usize = 20;

/// Adds a syntax error unless the file already has [`MAX_ERRORS`].
pub(crate) fn push_error(
    errors: &mut Vec<SyntaxError>,
    span: Span,
    message: String,
    help: Option<String>,
) {
    if errors.len() < MAX_ERRORS {
        errors.push(SyntaxError {
            span,
            message,
            help,
            semicolon: None,
        });
    }
}

/// How deep blocks may nest. nginx has no limit of its own, but no real configuration comes
/// near this, and every later stage may then recurse safely.
pub(crate) const MAX_DEPTH: usize = 200;

/// Set pest's call limit once per process. The grammars are linear (a handful of calls per
/// byte), so the limit only stops a runaway parse instead of letting it hang.
pub(crate) fn init_pest() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| pest::set_call_limit(std::num::NonZeroUsize::new(1 << 31)));
}
