//! The plain statements of a scope: views of the syntax tree, not copies. A scope's
//! statements are runs of its block's statements without blocks (cut where an `include`
//! stands, the included file's runs in between). A 50 MB configuration has 220 thousand
//! scopes: a list of pointers per scope held a million pointers in 220 thousand allocations.

use crate::syntax::nginx::Directive;

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
    pub fn from_run(run: &'a [Directive]) -> Statements<'a> {
        let mut s = Statements::default();
        s.push_run(run);
        s
    }

    /// Appends the plain statements of a run of statements: the stretches between its
    /// blocks (a big `http` block holds thousands of blocks and a few statements of its own,
    /// which lookups must not find by scanning the blocks).
    pub fn push_run(&mut self, run: &'a [Directive]) {
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
    pub fn extend_within(&mut self, other: &Statements<'a>, whole: &'a [Directive]) {
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

    pub fn runs(&self) -> &[&'a [Directive]] {
        match &self.runs {
            Runs::None => &[],
            Runs::One(r) => std::slice::from_ref(r),
            Runs::Many(v) => v,
        }
    }

    pub fn iter(&self) -> Iter<'_, 'a> {
        self.runs().iter().copied().flatten()
    }

    /// How many statements: a sum over the runs (one or a few).
    pub fn len(&self) -> usize {
        self.runs().iter().map(|r| r.len()).sum()
    }
    pub fn is_empty(&self) -> bool {
        matches!(self.runs, Runs::None)
    }
    pub fn first(&self) -> Option<&'a Directive> {
        self.iter().next()
    }
    pub fn last(&self) -> Option<&'a Directive> {
        self.iter().next_back()
    }

    /// Drops spare room in the list of runs (the model lives for the whole run).
    pub fn shrink_to_fit(&mut self) {
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
pub type Iter<'s, 'a> =
    std::iter::Flatten<std::iter::Copied<std::slice::Iter<'s, &'a [Directive]>>>;

impl<'s, 'a> IntoIterator for &'s Statements<'a> {
    type Item = &'a Directive;
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
