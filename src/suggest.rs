//! "Did you mean …?" for mistyped names.
//!
//! A typo is at most two edits away, and at most a third of the longer name. Distances are
//! computed only up to that bound (O(len) per comparison, not O(len²)), and [`Index`] finds
//! the few candidates worth comparing, so a configuration with thousands of names and
//! thousands of typos stays linear.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

/// The most edits a suggestion may be away.
const K: usize = 2;
/// Longer names get no suggestion from an [`Index`]: no one mistypes a 300-character name,
/// and it bounds the work per query.
const MAX_LEN: usize = 256;
/// Candidates sharing a piece with the query compared at most. Past it (a family like
/// `app-server-001` … `app-server-999`, where every piece but the mistyped one is shared)
/// the query's neighbours in sorted order are compared too, `NEAR` on each side, forwards
/// and backwards: a typo keeps either the start or the end of the name. Only beyond both
/// (hostile input) can the best one be missed; the choice is still deterministic.
const MAX_VERIFY: usize = 64;
const NEAR: usize = 16;

/// The candidate closest to `name` when it is close enough to be a typo. For small fixed
/// lists; candidates from the user's configuration go through an [`Index`].
pub(crate) fn closest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let q = lower(name);
    let mut best = None;
    for (id, &c) in candidates.iter().enumerate() {
        // Cheap first: a name three letters longer or shorter is never within reach.
        if c.chars().count().abs_diff(q.len()) <= K {
            consider(&mut best, name, &q, c, id);
        }
    }
    best.map(|(_, _, _, c)| c)
}

/// The better of two suggestions for `name`, as if `a`'s list came before `b`'s.
pub(crate) fn better<'c>(name: &str, a: Option<&'c str>, b: Option<&'c str>) -> Option<&'c str> {
    let q = lower(name);
    let mut best = None;
    for (id, c) in [a, b].into_iter().enumerate() {
        if let Some(c) = c {
            consider(&mut best, name, &q, c, id);
        }
    }
    best.map(|(_, _, _, c)| c)
}

/// Candidates indexed for [`Index::closest`]; build it once per list, query it per finding.
#[derive(Default)]
pub(crate) struct Index<'c> {
    names: Vec<&'c str>,
    /// (char length, piece number, piece) → candidates, in candidate order. With at most
    /// `K` edits one of `K + 1` pieces of the candidate is in the query unchanged, shifted
    /// by at most `K` (pigeonhole), so a query looks up a bounded number of keys.
    pieces: HashMap<u64, Vec<u32>>,
    /// Built by the first query that needs it (most configurations have none), then kept
    /// up to date.
    sorted: OnceCell<Neighbours<'c>>,
}

#[derive(Default)]
struct Neighbours<'c> {
    fwd: BTreeSet<(Sorted<'c, false>, u32)>,
    back: BTreeSet<(Sorted<'c, true>, u32)>,
}

impl<'c> Neighbours<'c> {
    fn insert(&mut self, name: &'c str, id: u32) {
        self.fwd.insert((Sorted(name), id));
        self.back.insert((Sorted(name), id));
    }
}

/// Shorter than 2 chars is never within reach of anything (see `pieces`).
fn indexed(chars: usize) -> bool {
    (2..=MAX_LEN + K).contains(&chars)
}

impl<'c> Index<'c> {
    #[cfg(test)]
    pub(crate) fn new(candidates: &[&'c str]) -> Self {
        candidates.iter().copied().collect()
    }

    /// Adds a candidate after the others (it loses ties to them).
    pub(crate) fn push(&mut self, name: &'c str) {
        let id = self.names.len() as u32;
        self.names.push(name);
        let c = lower(name);
        if !indexed(c.len()) {
            return;
        }
        if let Some(s) = self.sorted.get_mut() {
            s.insert(name, id);
        }
        for (p, (s, e)) in pieces(c.len()).enumerate() {
            self.pieces
                .entry(key(c.len(), p, &c[s..e]))
                .or_default()
                .push(id);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The candidate closest to `name` when it is close enough to be a typo; ties go to the
    /// shorter, then to the earlier candidate.
    pub(crate) fn closest(&self, name: &str) -> Option<&'c str> {
        self.search(name).0
    }

    /// The suggestion when it is the only name within reach: a repair can then be made
    /// without asking which one was meant.
    pub(crate) fn sole(&self, name: &str) -> Option<&'c str> {
        match self.search(name) {
            (best, _, 1) => best,
            _ => None,
        }
    }

    /// The suggestion, how many candidates were compared, and how many are typos of it.
    fn search(&self, name: &str) -> (Option<&'c str>, usize, usize) {
        let q = lower(name);
        let n = q.len();
        if n > MAX_LEN {
            return (None, 0, 0);
        }
        let mut keys = Vec::new();
        let mut lists: Vec<&[u32]> = Vec::new();
        for m in n.saturating_sub(K).max(2)..=n + K {
            for (p, (s, e)) in pieces(m).enumerate() {
                for at in s.saturating_sub(K)..=s + K {
                    if at + (e - s) > n {
                        break;
                    }
                    let k = key(m, p, &q[at..at + (e - s)]);
                    if !keys.contains(&k) {
                        keys.push(k);
                        lists.extend(self.pieces.get(&k).map(Vec::as_slice));
                    }
                }
            }
        }
        // The most selective pieces first; a stable sort keeps this deterministic.
        lists.sort_by_key(|l| l.len());
        let mut seen: Vec<u32> = Vec::new();
        let full = 'lists: {
            for &id in lists.iter().flat_map(|l| l.iter()) {
                if !seen.contains(&id) {
                    if seen.len() == MAX_VERIFY {
                        break 'lists true;
                    }
                    seen.push(id);
                }
            }
            false
        };
        if full {
            let s = self.sorted.get_or_init(|| {
                let mut s = Neighbours::default();
                for (id, &c) in self.names.iter().enumerate() {
                    if indexed(c.chars().count()) {
                        s.insert(c, id as u32);
                    }
                }
                s
            });
            let (f, b) = ((Sorted(name), 0), (Sorted(name), 0));
            let fwd = s.fwd.range(..&f).rev().take(NEAR);
            let fwd = fwd.chain(s.fwd.range(&f..).take(NEAR)).map(|e| e.1);
            let back = s.back.range(..&b).rev().take(NEAR);
            let back = back.chain(s.back.range(&b..).take(NEAR)).map(|e| e.1);
            for id in fwd.chain(back) {
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
        }
        let mut best = None;
        let mut typos = 0;
        for &id in &seen {
            typos += usize::from(consider(
                &mut best,
                name,
                &q,
                self.names[id as usize],
                id as usize,
            ));
        }
        (best.map(|(_, _, _, c)| c), seen.len(), typos)
    }
}

impl<'c> Extend<&'c str> for Index<'c> {
    fn extend<I: IntoIterator<Item = &'c str>>(&mut self, iter: I) {
        for c in iter {
            self.push(c);
        }
    }
}

impl<'c> FromIterator<&'c str> for Index<'c> {
    fn from_iter<I: IntoIterator<Item = &'c str>>(iter: I) -> Self {
        let mut index = Index::default();
        index.extend(iter);
        index
    }
}

/// Keeps `c` in `best` if it is a typo of `name` and beats it; says whether it is a typo: (distance, byte length,
/// candidate order), smallest first.
fn consider<'c>(
    best: &mut Option<(usize, usize, usize, &'c str)>,
    name: &str,
    q: &[char],
    c: &'c str,
    id: usize,
) -> bool {
    if c.eq_ignore_ascii_case(name) {
        return false;
    }
    let cl = lower(c);
    let Some(d) = distance(q, &cl) else {
        return false;
    };
    let rank = (d, c.len(), id, c);
    let typo = d * 3 <= q.len().max(cl.len());
    if typo && best.is_none_or(|b| rank < b) {
        *best = Some(rank);
    }
    typo
}

/// A name ordered by its lowercase bytes, from the end when `BACK` (bytes are cheaper than
/// chars, and any order that keeps common starts or ends together will do).
struct Sorted<'c, const BACK: bool>(&'c str);

impl<const BACK: bool> Ord for Sorted<'_, BACK> {
    fn cmp(&self, other: &Self) -> Ordering {
        let bytes = |s: &'_ Self| s.0.bytes().map(|b| b.to_ascii_lowercase());
        let (a, b) = (bytes(self), bytes(other));
        if BACK { a.rev().cmp(b.rev()) } else { a.cmp(b) }
    }
}

impl<const BACK: bool> PartialOrd for Sorted<'_, BACK> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<const BACK: bool> PartialEq for Sorted<'_, BACK> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<const BACK: bool> Eq for Sorted<'_, BACK> {}

fn lower(s: &str) -> Vec<char> {
    s.chars().map(|c| c.to_ascii_lowercase()).collect()
}

/// `K + 1` pieces of a name of `m` chars, as char ranges. A 2-char name can only be one
/// edit from a 3-char one (two edits need 6 chars), so two pieces suffice there.
fn pieces(m: usize) -> impl Iterator<Item = (usize, usize)> {
    let k = if m > K { K + 1 } else { 2 };
    (0..k).map(move |p| (p * m / k, (p + 1) * m / k))
}

/// FNV-1a: fixed, so that collisions (which only cost a comparison) are the same each run.
fn key(m: usize, p: usize, piece: &[char]) -> u64 {
    let words = [m as u64, p as u64].into_iter();
    words
        .chain(piece.iter().map(|&c| u64::from(c)))
        .fold(0xcbf2_9ce4_8422_2325, |h, w| {
            (h ^ w).wrapping_mul(0x100_0000_01b3)
        })
}

/// The Levenshtein distance of `a` and `b` if it is at most `K`. Only the band
/// |i - j| <= K of the matrix can hold such values, and once a whole row exceeds `K` no
/// later row can come back under it.
fn distance(a: &[char], b: &[char]) -> Option<usize> {
    const FAR: usize = K + 1;
    // A common prefix or suffix costs nothing (configurations are full of `app_…` names).
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[pre..], &b[pre..]);
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suf], &b[..b.len() - suf]);
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > K {
        return None;
    }
    let mut prev = vec![FAR; m + 1];
    let mut cur = vec![FAR; m + 1];
    for (j, v) in prev.iter_mut().enumerate().take(K + 1) {
        *v = j;
    }
    for i in 1..=n {
        let (lo, hi) = (i.saturating_sub(K).max(1), (i + K).min(m));
        // Left of the band (or column 0 while it is inside).
        cur[lo - 1] = if lo == 1 { i.min(FAR) } else { FAR };
        let mut row_min = cur[lo - 1];
        for j in lo..=hi {
            let v = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(FAR);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        // Right of the band: the next row reads it.
        if hi < m {
            cur[hi + 1] = FAR;
        }
        if row_min > K {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= K).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::{Index, closest, distance, lower};

    /// Both entry points, which must agree.
    fn both<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
        let a = closest(name, candidates);
        assert_eq!(a, Index::new(candidates).closest(name), "{name}");
        a
    }

    fn d(a: &str, b: &str) -> Option<usize> {
        distance(&lower(a), &lower(b))
    }

    #[test]
    fn typos_only() {
        assert_eq!(both("backnd", &["backend", "api"]), Some("backend"));
        assert_eq!(both("app_backend", &["app-backend"]), Some("app-backend"));
        assert_eq!(both("web", &["api"]), None);
        assert_eq!(both("ab", &["ac"]), None);
        // Exactly the name (in any case) is no typo.
        assert_eq!(both("Backend", &["backend"]), None);
    }

    #[test]
    fn two_edits_anywhere() {
        let c = "upstream_backend";
        for q in [
            // insertions at the start, middle, end
            "xxupstream_backend",
            "upstreamxx_backend",
            "upstream_backendxx",
            // deletions
            "stream_backend",
            "upstrea_bckend",
            "upstream_backe",
            // substitutions
            "xxstream_backend",
            "upstrxam_bxckend",
            "upstream_backexx",
            // mixed
            "xpstream_backen",
        ] {
            assert_eq!(d(q, c), Some(2), "{q}");
            assert_eq!(both(q, &["other", c, "upstream"]), Some(c), "{q}");
        }
        assert_eq!(d("upstream_backend", "upstream_backenx"), Some(1));
        assert_eq!(d("abc", "abc"), Some(0));
        assert_eq!(d("", "ab"), Some(2));
        assert_eq!(d("", "abc"), None);
    }

    #[test]
    fn transposition_is_two() {
        assert_eq!(d("backend", "bakcend"), Some(2));
        assert_eq!(both("bakcend", &["backend"]), Some("backend"));
        // Two letters too short for two edits: 2 * 3 > 5.
        assert_eq!(both("bakcn", &["backn"]), None);
    }

    #[test]
    fn case_insensitive() {
        assert_eq!(d("BACKEND", "backend"), Some(0));
        assert_eq!(both("BACKND", &["backend"]), Some("backend"));
        assert_eq!(both("backnd", &["BackEnd"]), Some("BackEnd"));
    }

    #[test]
    fn three_edits_is_none() {
        for q in [
            "xxxstream_backend",
            "upstream_backxxx",
            "upxtrxam_bxckend",
            "stream_backen",
        ] {
            assert_eq!(d(q, "upstream_backend"), None, "{q}");
            assert_eq!(both(q, &["upstream_backend"]), None, "{q}");
        }
    }

    #[test]
    fn tie_break() {
        // Smallest distance first, wherever it is.
        assert_eq!(
            both("backend1", &["backend12", "backend2"]),
            Some("backend2")
        );
        // Then the shortest.
        assert_eq!(
            both("backendx", &["backendxyz", "backend"]),
            Some("backend")
        );
        // Then the first.
        assert_eq!(both("backend", &["backend1", "backend2"]), Some("backend1"));
        assert_eq!(both("backend", &["backend2", "backend1"]), Some("backend2"));
        assert_eq!(
            super::better("backend", Some("backend2"), Some("backend1")),
            Some("backend2")
        );
        assert_eq!(
            super::better("backend", Some("backend12"), Some("backend1")),
            Some("backend1")
        );
    }

    #[test]
    fn too_long_gets_nothing() {
        let long = "a".repeat(300);
        let typo = format!("{long}b");
        assert_eq!(Index::new(&[long.as_str()]).closest(&typo), None);
    }

    /// Thousands of candidates sharing a long prefix: every one shares pieces with every
    /// query, and the distance cannot stop early; the comparisons per query stay bounded.
    #[test]
    fn hostile_prefix_is_bounded() {
        let prefix = "p".repeat(46);
        let names: Vec<String> = (0..20_000).map(|i| format!("{prefix}{i:014}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let index = Index::new(&refs);
        let most = super::MAX_VERIFY + 4 * super::NEAR;
        for (i, n) in names.iter().enumerate() {
            let q = format!("{}x", &n[..n.len() - 1]);
            let (best, verified, _) = index.search(&q);
            assert!(verified <= most, "{verified} for {q}");
            // One substitution from ten names; the first of them wins.
            assert_eq!(best, Some(refs[i - i % 10]), "{q}");
        }
        // Distinct names are still found exactly.
        let words: Vec<String> = (0..20_000).map(|i| format!("{i:x}-{}", i * 7919)).collect();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let index = Index::new(&refs);
        for w in refs.iter().step_by(499) {
            let q = format!("{w}z");
            let (best, verified, _) = index.search(&q);
            assert!(verified <= super::MAX_VERIFY);
            assert_eq!(best, closest(&q, &refs), "{q}");
        }
    }

    /// A family sharing all but a few letters: found past the cap, by sorted neighbours,
    /// as close as the best (though, among ten equally close, not always the first).
    #[test]
    fn families_past_the_cap() {
        let names: Vec<String> = (0..1000).map(|i| format!("app-server-{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let index = Index::new(&refs);
        for q in [
            "app-server-9o9",
            "app-server-o99",
            "app-server-99",
            "app-server-9999",
        ] {
            let (got, want) = (index.closest(q).unwrap(), closest(q, &refs).unwrap());
            assert_eq!(d(q, got), d(q, want), "{q}: {got} {want}");
        }
        // One insertion from one name only.
        assert_eq!(index.closest("app-server-70x7"), Some("app-server-707"));
        // A name added after the sorted orders were built is in them.
        let mut index = index;
        index.push("app-server-abc");
        assert_eq!(index.closest("app-server-abx"), Some("app-server-abc"));
        let mut suffixed: Vec<String> = (0..1000).map(|i| format!("{i:03}-backend-pool")).collect();
        suffixed.reverse();
        let refs: Vec<&str> = suffixed.iter().map(String::as_str).collect();
        let index = Index::new(&refs);
        for q in ["0x0-backend-pool", "00-backend-pool", "x00-backend-pool"] {
            assert_eq!(index.closest(q), closest(q, &refs), "{q}");
        }
    }
}
