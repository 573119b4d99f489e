//! The plain statements of a scope: views of the syntax tree, not copies. A scope's
//! statements are runs of its block's statements without blocks (cut where an `include`
//! stands, the included file's runs in between). A 50 MB configuration has 220 thousand
//! scopes: a list of pointers per scope held a million pointers in 220 thousand allocations.

use crate::source::Span;
use crate::syntax::nginx::Directive;
use crate::word::Arg;

/// A statement as the model hands it to rules: its name, its words and where it is written,
/// nginx's or HAProxy's alike. It wraps the parser's statement and hides its block: a rule
/// reaches other statements only through the model (scopes, settings, routes, pools), never
/// by walking the syntax tree.
#[repr(transparent)]
pub struct Statement(Directive);

impl Statement {
    /// The model's view of a parsed statement.
    pub(in crate::model) fn of(d: &Directive) -> &Statement {
        // SAFETY: `Statement` is `repr(transparent)` over `Directive`, so both have one
        // layout and the reference keeps the borrow it was given.
        unsafe { &*(d as *const Directive).cast::<Statement>() }
    }
    /// A parsed statement as the model would hand it, for unit tests of the stages above.
    #[cfg(test)]
    pub(crate) fn parsed(d: &Directive) -> &Statement {
        Statement::of(d)
    }
    /// The parsed statement, for lowering and the refusals, which read the tree.
    pub(in crate::model) fn syntax(&self) -> &Directive {
        &self.0
    }
    /// The name's value (`proxy_pass`; HAProxy's folded keywords as one: `timeout server`).
    pub(crate) fn name(&self) -> &'static str {
        self.0.name()
    }
    /// The name as a word: its value and where it is written.
    pub(crate) fn name_arg(&self) -> Arg {
        self.0.name_arg()
    }
    /// The words after the name.
    pub(crate) fn args(&self) -> &[Arg] {
        &self.0.args
    }
    /// The value of the `i`th word after the name.
    pub(crate) fn arg(&self, i: usize) -> Option<&'static str> {
        self.0.arg(i)
    }
    /// From the name to the terminating `;` or `{`.
    pub(crate) fn span(&self) -> Span {
        self.0.span
    }
    /// From `{` to `}` of a block statement (to the end of the file when unclosed).
    pub(crate) fn block_span(&self) -> Option<Span> {
        self.0.block_span()
    }
    /// HAProxy: the conditional blocks the line is in, as written (`.if defined(X)`).
    pub(crate) fn condition(&self) -> Option<&'static str> {
        self.0.condition()
    }
    /// The words' values, space-separated (`127.0.0.1:8080 ssl`), for messages.
    pub(crate) fn args_text(&self) -> String {
        self.0.args_text()
    }
    /// The statement as written, name and words (`listen 127.0.0.1:8080 ssl`).
    pub(crate) fn written(&self) -> String {
        self.0.written()
    }
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The plain statements of one scope, in order, includes expanded.
#[derive(Debug, Clone, Default)]
pub struct Statements<'a> {
    runs: Runs<'a>,
}

#[derive(Debug, Clone, Default)]
enum Runs<'a> {
    #[default]
    None,
    One(&'a [Directive]),
    Many(Vec<&'a [Directive]>),
}

impl<'a> Statements<'a> {
    /// The statements of one block (an HAProxy section).
    pub(in crate::model) fn from_run(run: &'a [Directive]) -> Statements<'a> {
        let mut s = Statements::default();
        s.push_run(run);
        s
    }

    /// Appends the plain statements of a run of statements: the stretches between its
    /// blocks (a big `http` block holds thousands of blocks and a few statements of its own,
    /// which lookups must not find by scanning the blocks).
    pub(in crate::model) fn push_run(&mut self, run: &'a [Directive]) {
        for piece in run.split(|d| d.block().is_some()) {
            self.push_plain(piece);
        }
    }

    fn push_plain(&mut self, run: &'a [Directive]) {
        if run.is_empty() {
            return;
        }
        self.runs = match std::mem::take(&mut self.runs) {
            Runs::None => Runs::One(run),
            Runs::One(last) => Runs::Many(vec![last, run]),
            Runs::Many(mut v) => {
                v.push(run);
                Runs::Many(v)
            }
        };
    }

    /// Appends another list's runs. Parts of one block lowered apart (`whole`) come back
    /// together: a run that continues the last one in `whole` joins it.
    pub(in crate::model) fn extend_within(
        &mut self,
        other: &Statements<'a>,
        whole: &'a [Directive],
    ) {
        for &run in other.runs() {
            let last = match &mut self.runs {
                Runs::None => None,
                Runs::One(r) => Some(r),
                Runs::Many(v) => v.last_mut(),
            };
            match last.and_then(|last| Some((joined(whole, last, run)?, last))) {
                Some((j, last)) => *last = j,
                None => self.push_plain(run),
            }
        }
    }

    /// How many runs the statements are held in (what a scope costs, for the benchmarks).
    pub fn run_count(&self) -> usize {
        self.runs().len()
    }

    pub(in crate::model) fn runs(&self) -> &[&'a [Directive]] {
        match &self.runs {
            Runs::None => &[],
            Runs::One(r) => std::slice::from_ref(r),
            Runs::Many(v) => v,
        }
    }

    pub(crate) fn iter(&self) -> Iter<'_, 'a> {
        self.runs()
            .iter()
            .copied()
            .flatten()
            .map(Statement::of as fn(&'a Directive) -> &'a Statement)
    }

    /// How many statements: a sum over the runs (one or a few).
    pub(crate) fn len(&self) -> usize {
        self.runs().iter().map(|r| r.len()).sum()
    }
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self.runs, Runs::None)
    }
    #[cfg(test)]
    pub(crate) fn first(&self) -> Option<&'a Statement> {
        self.iter().next()
    }
    #[cfg(test)]
    pub(crate) fn last(&self) -> Option<&'a Statement> {
        self.iter().next_back()
    }

    /// Drops spare room in the list of runs (the model lives for the whole run).
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Runs::Many(v) = &mut self.runs {
            v.shrink_to_fit();
        }
    }
}

/// `a` and `b` as one run, when both are ranges of `whole` and `b` starts where `a` ends.
fn joined<'a>(whole: &'a [Directive], a: &[Directive], b: &[Directive]) -> Option<&'a [Directive]> {
    let size = std::mem::size_of::<Directive>();
    let at =
        |r: &[Directive]| Some((r.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)? / size);
    let (start, mid) = (at(a)?, at(b)?);
    let end = mid + b.len();
    (start + a.len() == mid && end <= whole.len()).then(|| &whole[start..end])
}

/// The plain statements of a [`Statements`], in order (from both ends).
pub(crate) type Iter<'s, 'a> = std::iter::Map<
    std::iter::Flatten<std::iter::Copied<std::slice::Iter<'s, &'a [Directive]>>>,
    fn(&'a Directive) -> &'a Statement,
>;

impl<'s, 'a> IntoIterator for &'s Statements<'a> {
    type Item = &'a Statement;
    type IntoIter = Iter<'s, 'a>;
    fn into_iter(self) -> Iter<'s, 'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::nginx::parse;

    fn names<'a>(s: &Statements<'a>) -> Vec<&'static str> {
        s.iter().map(|d| d.name()).collect()
    }

    #[test]
    fn a_run_keeps_its_plain_statements_in_order_without_the_blocks() {
        let f = parse(FileId(0), "a 1; b { x; } c; d; e { y; } f;\n");
        let s = Statements::from_run(&f.directives);
        assert_eq!(names(&s), ["a", "c", "d", "f"]);
        assert_eq!(s.len(), 4);
        assert_eq!(s.runs().len(), 3, "cut at each block");
        assert_eq!(s.first().map(|d| d.name()), Some("a"));
        assert_eq!(s.last().map(|d| d.name()), Some("f"));
        let back: Vec<_> = s.iter().rev().map(|d| d.name()).collect();
        assert_eq!(back, ["f", "d", "c", "a"]);
        // From both ends at once, as `rev().find()` after `next()` does.
        let mut it = s.iter();
        assert_eq!(it.next().map(|d| d.name()), Some("a"));
        assert_eq!(it.next_back().map(|d| d.name()), Some("f"));
        assert_eq!(it.map(|d| d.name()).collect::<Vec<_>>(), ["c", "d"]);
        assert!(Statements::from_run(&f.directives[1..2]).is_empty());
    }

    #[test]
    fn parts_of_one_block_join_and_other_runs_do_not() {
        let f = parse(FileId(0), "a; b; c; d;\n");
        let g = parse(FileId(1), "x;\n");
        let whole = &f.directives[..];
        let mut s = Statements::from_run(&whole[..2]);
        s.extend_within(&Statements::from_run(&whole[2..]), whole);
        assert_eq!(s.runs().len(), 1, "adjacent parts of `whole` are one run");
        assert_eq!(names(&s), ["a", "b", "c", "d"]);
        s.extend_within(&Statements::from_run(&g.directives), whole);
        assert_eq!(
            s.runs().len(),
            2,
            "another file's statements are a run of their own"
        );
        let mut gap = Statements::from_run(&whole[..1]);
        gap.extend_within(&Statements::from_run(&whole[2..]), whole);
        assert_eq!(gap.runs().len(), 2, "not adjacent");
        assert_eq!(names(&gap), ["a", "c", "d"]);
        assert_eq!(gap.len(), 3);
    }
}
