//! What the proxies themselves know about their configuration languages: one table per
//! dialect, generated from the proxies' sources by `tools/gen_tables/` and checked in under
//! `data/tables/`. Lowering and the refusal checks read directive knowledge only from here.

pub(crate) mod haproxy;
pub(crate) mod nginx;

use crate::version::Version;

/// The releases a row holds for, as the generator wrote them: `1.18.0-` (from the oldest
/// release scanned, or earlier, through the newest), `1.25.1-1.27.4`, `*` (not tied to a
/// release: third-party modules, NGINX Plus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Versions {
    Any,
    Ranges(Vec<(Version, Option<Version>)>),
}

impl Versions {
    /// `branches`: the releases are branches (HAProxy's `2.8`), so a range ending in `2.8`
    /// holds every 2.8.x.
    pub(crate) fn parse(s: &str, branches: bool) -> Result<Versions, String> {
        if s == "*" {
            return Ok(Versions::Any);
        }
        if s == "-" {
            return Ok(Versions::Ranges(Vec::new()));
        }
        let mut out = Vec::new();
        for range in s.split(',') {
            // A single release stands for itself.
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            let from: Version = from.parse()?;
            let to = if to.is_empty() {
                None
            } else {
                let to: Version = to.parse()?;
                Some(if branches {
                    Version(to.0, to.1, u32::MAX)
                } else {
                    to
                })
            };
            out.push((from, to));
        }
        Ok(Versions::Ranges(out))
    }

    /// Does release `v` have the row? `oldest` is the oldest release the generator scanned:
    /// a range that starts there may start earlier, so older releases count as having it.
    pub(crate) fn contains(&self, v: Version, oldest: Version) -> bool {
        match self {
            Versions::Any => true,
            Versions::Ranges(r) => r
                .iter()
                .any(|&(from, to)| (from <= v || from == oldest) && to.is_none_or(|to| v <= to)),
        }
    }

    /// Widens `bounds` (the oldest and newest release a table names) by this row's ranges; a
    /// branch's open patch (`2.8.x`) counts as `2.8.0`.
    pub(crate) fn widen(&self, bounds: &mut Option<(Version, Version)>) {
        let Versions::Ranges(r) = self else { return };
        for &(from, to) in r {
            let top = to.map_or(from, |t| {
                if t.2 == u32::MAX {
                    Version(t.0, t.1, 0)
                } else {
                    t
                }
            });
            let top = top.max(from);
            *bounds = Some(bounds.map_or((from, top), |(o, n)| (o.min(from), n.max(top))));
        }
    }

    /// The first release that has the row, when it is later than `oldest`.
    pub(crate) fn added(&self, oldest: Version) -> Option<Version> {
        match self {
            Versions::Ranges(r) => r
                .iter()
                .map(|&(from, _)| from)
                .min()
                .filter(|&f| f > oldest),
            Versions::Any => None,
        }
    }

    /// The last release that has the row, when the newest scanned does not.
    pub(crate) fn last(&self) -> Option<Version> {
        match self {
            Versions::Ranges(r) if r.iter().all(|(_, to)| to.is_some()) => {
                r.iter().filter_map(|&(_, to)| to).max()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ranges() {
        let oldest = Version(1, 18, 0);
        let v = Versions::parse("1.18.0-1.25.0", false).unwrap();
        assert!(v.contains(Version(1, 16, 1), oldest), "older than the scan");
        assert!(v.contains(Version(1, 22, 1), oldest));
        assert!(!v.contains(Version(1, 25, 1), oldest));
        assert_eq!(v.last(), Some(Version(1, 25, 0)));
        let v = Versions::parse("1.25.1-", false).unwrap();
        assert!(!v.contains(Version(1, 24, 0), oldest));
        assert!(v.contains(Version(1, 29, 9), oldest), "newer than the scan");
        assert_eq!(v.added(oldest), Some(Version(1, 25, 1)));
        assert_eq!(v.last(), None);
        assert!(
            Versions::parse("*", false)
                .unwrap()
                .contains(Version(1, 0, 0), oldest)
        );
        assert!(
            Versions::parse("1.18.0", false)
                .unwrap()
                .contains(Version(1, 18, 0), oldest)
        );
        assert!(
            !Versions::parse("1.19.0", false)
                .unwrap()
                .contains(Version(1, 20, 0), oldest)
        );
        assert!(Versions::parse("1.x-", false).is_err());
        let v = Versions::parse("2.0-2.8", true).unwrap();
        assert!(v.contains(Version(2, 8, 12), Version(2, 0, 0)));
        assert!(!v.contains(Version(2, 9, 0), Version(2, 0, 0)));
    }
}
