//! The words of a configuration as the proxies read them: a value (quotes removed, escapes
//! undone), how it was quoted, and where it is written. Below the parsers, which make them,
//! and the model, which hands them to rules (a rule reads words and spans, never the syntax
//! tree).

use crate::atom::Atom;
use crate::source::Span;

/// How an argument was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Double,
    Single,
    /// The body of a `*_by_lua_block`, without its braces.
    Lua,
}

impl Quote {
    pub(crate) const ALL: [Quote; 4] = [Quote::None, Quote::Double, Quote::Single, Quote::Lua];
}

/// One word of a statement (the directive name is the first): 16 bytes, as a configuration
/// holds millions of them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// The value as nginx sees it: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped.
    /// Interned; its tag holds the [`Quote`].
    pub value: Atom,
    /// The word as written, quotes included.
    pub span: Span,
}

impl Arg {
    pub(crate) fn new(value: &str, span: Span, quote: Quote) -> Arg {
        Arg::of(Atom::new(value), span, quote)
    }
    pub(crate) fn of(value: Atom, span: Span, quote: Quote) -> Arg {
        Arg {
            value: value.tagged(quote as u8),
            span,
        }
    }
    pub fn quote(&self) -> Quote {
        Quote::ALL[usize::from(self.value.tag())]
    }
    /// True when the value holds an nginx variable (`$name` or `${name}`).
    pub(crate) fn has_variable(&self) -> bool {
        self.quote() != Quote::Lua && has_variable(&self.value)
    }
}

impl std::fmt::Debug for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arg")
            .field("value", &self.value)
            .field("span", &self.span)
            .field("quote", &self.quote())
            .finish()
    }
}

pub(crate) fn has_variable(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphanumeric()))
}
