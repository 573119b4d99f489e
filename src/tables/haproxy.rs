//! HAProxy's keywords: `data/tables/haproxy-keywords.tsv`, generated from HAProxy's keyword
//! registrations and parsers (every `X.Y.0` release from 2.0): section keywords, `global` and
//! proxy keywords, `option`s, `timeout`s, `bind` and `server` keywords, and the keywords HAProxy
//! removed, with the release that removed them and what HAProxy says instead.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Versions;
use crate::version::Version;

const KEYWORDS: &str = include_str!("../../data/tables/haproxy-keywords.tsv");

/// The proxy sections.
pub(crate) mod sect {
    pub(crate) const DEFAULTS: u8 = 1;
    pub(crate) const FRONTEND: u8 = 2;
    pub(crate) const BACKEND: u8 = 4;
    pub(crate) const LISTEN: u8 = 8;
    pub(crate) const NAMES: [(&str, u8); 4] = [
        ("defaults", DEFAULTS),
        ("frontend", FRONTEND),
        ("backend", BACKEND),
        ("listen", LISTEN),
    ];
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// `section`, `global`, `proxy`, `option`, `timeout`, `bind`, `server`, or another
    /// section's name (`resolvers`, `peers`, …).
    pub(crate) scope: &'static str,
    pub(crate) keyword: &'static str,
    /// For `proxy`, `option` and `timeout`: the proxy sections that accept it (`sect::*`).
    pub(crate) sections: u8,
    /// For `bind` and `server` keywords: the number of arguments; -1 when the keyword's
    /// parser takes a variable number.
    pub(crate) args: Option<i8>,
    /// For the other scopes: how many words after the keyword (after `option X`, `timeout X`)
    /// HAProxy accepts, at least and at most (None: any number, or not known past the least).
    pub(crate) count: Option<(u8, Option<u8>)>,
    /// For options: may it be written `no option X`?
    pub(crate) negatable: Option<bool>,
    pub(crate) flags: Vec<&'static str>,
    pub(crate) versions: Versions,
    /// The release from which HAProxy refuses the keyword as removed (`2.1`).
    pub(crate) removed: Option<Version>,
    pub(crate) replacement: Option<&'static str>,
    /// HAProxy's message for it, as its source writes it.
    pub(crate) message: Option<&'static str>,
}

impl Row {
    pub(crate) fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }
    /// The words HAProxy accepts first after the keyword (`mode`: `http`, `tcp`); a word
    /// ending in `*` is matched by its beginning (`hdr(*`). None: any word.
    pub(crate) fn values(&self) -> Option<impl Iterator<Item = &'static str>> {
        self.flags
            .iter()
            .find_map(|f| f.strip_prefix("values="))
            .map(|v| v.split('|'))
    }
    /// A refusal row: from `removed` on, HAProxy refuses the keyword (or, with the `warning`
    /// flag, warns and ignores it).
    pub(crate) fn is_refusal(&self) -> bool {
        self.removed.is_some()
    }
    /// Is the row in release `v` (None: unknown, every row counts)?
    pub(crate) fn in_version(&self, v: Option<Version>) -> bool {
        v.is_none_or(|v| self.versions.contains(v, table().oldest))
    }
}

pub(crate) struct Table {
    rows: Vec<Row>,
    by_key: HashMap<(&'static str, &'static str), (usize, usize)>,
    pub(crate) oldest: Version,
    pub(crate) newest: Version,
}

impl Table {
    /// Every row for `keyword` in `scope`.
    pub(crate) fn rows(&self, scope: &str, keyword: &str) -> &[Row] {
        match self.by_key.get(&(scope, keyword)) {
            Some(&(from, to)) => &self.rows[from..to],
            None => &[],
        }
    }

    /// The keywords of `scope` that release `v` accepts (and, for proxy scopes, that
    /// `section` accepts), for suggestions.
    pub(crate) fn keywords(
        &self,
        scope: &str,
        section: u8,
        v: Option<Version>,
    ) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .rows
            .iter()
            .filter(|r| r.scope == scope && r.in_version(v) && !is_only_removed(r))
            .filter(|r| section == 0 || r.sections == 0 || r.sections & section != 0)
            .map(|r| r.keyword)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn is_only_removed(r: &Row) -> bool {
    matches!(&r.versions, Versions::Ranges(v) if v.is_empty())
}

pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(KEYWORDS).expect("data/tables/haproxy-keywords.tsv"))
}

fn parse(text: &'static str) -> Result<Table, String> {
    let dash = |s: &'static str| (s != "-" && !s.is_empty()).then_some(s);
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    let head = lines.next().ok_or("empty table")?;
    if !head.starts_with("scope\tkeyword\tsections\targs\tnegatable\tflags\tversions\tremoved") {
        return Err(format!("unexpected header: {head}"));
    }
    let mut rows = Vec::new();
    let mut bounds = None::<(Version, Version)>;
    for line in lines {
        let f: Vec<&'static str> = line.split('\t').collect();
        let [
            scope,
            keyword,
            sections,
            args,
            negatable,
            flags,
            versions,
            removed,
            replacement,
            message,
        ] = f[..]
        else {
            return Err(format!("not 10 columns: {line}"));
        };
        let mut s = 0;
        for w in sections.split(',').filter(|w| *w != "-" && !w.is_empty()) {
            s |= sect::NAMES
                .iter()
                .find(|(n, _)| *n == w)
                .ok_or_else(|| format!("unknown section {w}"))?
                .1;
        }
        let versions = Versions::parse(versions, true)?;
        versions.widen(&mut bounds);
        rows.push(Row {
            scope,
            keyword,
            sections: s,
            // bind/server: a count; every other scope: `MIN-MAX`.
            args: dash(args).and_then(|a| a.parse().ok()),
            count: dash(args)
                .filter(|_| !matches!(scope, "bind" | "server"))
                .and_then(|a| a.split_once('-'))
                .map(|(min, max)| -> Result<_, String> {
                    let min = min.parse().map_err(|_| format!("bad count {args}"))?;
                    Ok((min, max.parse().ok()))
                })
                .transpose()?,
            negatable: dash(negatable).map(|n| n == "yes"),
            flags: dash(flags).map_or(Vec::new(), |f| f.split(',').collect()),
            versions,
            removed: dash(removed).map(str::parse).transpose()?,
            replacement: dash(replacement),
            message: dash(message),
        });
    }
    rows.sort_by(|a, b| (a.scope, a.keyword).cmp(&(b.scope, b.keyword)));
    let mut by_key = HashMap::new();
    let mut i = 0;
    while i < rows.len() {
        let key = (rows[i].scope, rows[i].keyword);
        let j = i + rows[i..]
            .iter()
            .take_while(|r| (r.scope, r.keyword) == key)
            .count();
        by_key.insert(key, (i, j));
        i = j;
    }
    Ok(Table {
        rows,
        by_key,
        oldest: bounds.map_or(Version(2, 0, 0), |b| b.0),
        newest: bounds.map_or(Version(2, 0, 0), |b| b.1),
    })
}

/// Does the `server` (or `default-server`) keyword take a value, in any release?
pub(crate) fn server_takes_value(keyword: &str) -> bool {
    table()
        .rows("server", keyword)
        .iter()
        .any(|r| r.args.is_some_and(|a| a != 0))
}

/// Does the word start a section, in any release?
pub(crate) fn is_section(keyword: &str) -> bool {
    !table().rows("section", keyword).is_empty()
}

/// A release as HAProxy names its branches: `2.6`.
pub(crate) fn branch(v: Version) -> String {
    format!("{}.{}", v.0, v.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# test\nscope\tkeyword\tsections\targs\tnegatable\tflags\tversions\tremoved\treplacement\tmessage\n\
        proxy\tcontimeout\tdefaults,frontend,backend,listen\t-\t-\t-\t2.0-2.0\t2.1\ttimeout connect\tthe '%s' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.\n\
        server\tinter\t-\t1\t-\tdefault_ok,dynamic_ok\t2.0-\t-\t-\t-\n\
        proxy\tmode\tdefaults,frontend,backend,listen\t1-1\t-\tvalues=http|tcp\t2.3-\t-\t-\t-\n\
        proxy\tlog\tdefaults,frontend,backend,listen\t1-*\t-\t-\t2.0-\t-\t-\t-\n\
        option\thttpchk\tdefaults,backend,listen\t-\tno\t-\t2.0-\t-\t-\t-\n";

    #[test]
    fn rows() {
        let t = parse(SAMPLE).unwrap();
        let c = &t.rows("proxy", "contimeout")[0];
        assert_eq!(c.removed, Some(Version(2, 1, 0)));
        assert!(c.versions.contains(Version(2, 0, 14), t.oldest));
        assert!(!c.versions.contains(Version(2, 1, 0), t.oldest));
        assert_eq!(c.replacement, Some("timeout connect"));
        let inter = &t.rows("server", "inter")[0];
        assert_eq!(inter.args, Some(1));
        assert!(inter.has_flag("default_ok"));
        assert_eq!(t.rows("option", "httpchk")[0].negatable, Some(false));
        let mode = &t.rows("proxy", "mode")[0];
        assert_eq!(mode.count, Some((1, Some(1))));
        assert_eq!(mode.values().unwrap().collect::<Vec<_>>(), ["http", "tcp"]);
        assert_eq!(t.rows("proxy", "log")[0].count, Some((1, None)));
        assert_eq!(inter.count, None);
        assert_eq!(t.keywords("option", sect::BACKEND, None), vec!["httpchk"]);
        assert!(t.keywords("option", sect::FRONTEND, None).is_empty());
    }

    #[test]
    fn the_checked_in_table_parses() {
        let t = table();
        assert!(!t.rows("server", "check").is_empty());
        assert!(!t.rows("timeout", "connect").is_empty());
    }
}
