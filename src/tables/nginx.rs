//! nginx's directives: `data/tables/nginx-directives.tsv`, generated from nginx's
//! `ngx_command_t` arrays (every release from 1.18.0), nginx.org's documentation (defaults,
//! NGINX Plus) and well-known third-party modules; `data/tables/nginx-builds.tsv` says which
//! modules a known build has.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Versions;
use crate::version::Version;

const DIRECTIVES: &str = include_str!("../../data/tables/nginx-directives.tsv");
const BUILDS: &str = include_str!("../../data/tables/nginx-builds.tsv");

/// Where a directive's module comes from, and so which builds have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Build {
    /// Compiled in unless a `--without-…` option removes it.
    Default,
    /// Needs `--with-…` (or is one of nginx's dynamic modules).
    With,
    /// A third-party module (`owner/repo`).
    ThirdParty(&'static str),
    /// NGINX Plus only.
    Plus,
}

/// The contexts a directive may appear in (nginx's `NGX_*_CONF` bits, named by module type).
pub(crate) mod ctx {
    pub(crate) const MAIN: u32 = 1;
    pub(crate) const DIRECT: u32 = 1 << 1;
    pub(crate) const ANY: u32 = 1 << 2;
    pub(crate) const EVENTS: u32 = 1 << 3;
    pub(crate) const HTTP: u32 = 1 << 4;
    pub(crate) const HTTP_SRV: u32 = 1 << 5;
    pub(crate) const HTTP_LOC: u32 = 1 << 6;
    pub(crate) const HTTP_UPS: u32 = 1 << 7;
    pub(crate) const HTTP_SIF: u32 = 1 << 8;
    pub(crate) const HTTP_LIF: u32 = 1 << 9;
    pub(crate) const HTTP_LMT: u32 = 1 << 10;
    pub(crate) const STREAM: u32 = 1 << 11;
    pub(crate) const STREAM_SRV: u32 = 1 << 12;
    pub(crate) const STREAM_UPS: u32 = 1 << 13;
    pub(crate) const MAIL: u32 = 1 << 14;
    pub(crate) const MAIL_SRV: u32 = 1 << 15;

    pub(crate) const NAMES: [(&str, u32); 16] = [
        ("main", MAIN),
        ("direct", DIRECT),
        ("any", ANY),
        ("events", EVENTS),
        ("http", HTTP),
        ("http_srv", HTTP_SRV),
        ("http_loc", HTTP_LOC),
        ("http_ups", HTTP_UPS),
        ("http_sif", HTTP_SIF),
        ("http_lif", HTTP_LIF),
        ("http_lmt", HTTP_LMT),
        ("stream", STREAM),
        ("stream_srv", STREAM_SRV),
        ("stream_ups", STREAM_UPS),
        ("mail", MAIL),
        ("mail_srv", MAIL_SRV),
    ];

    /// How nginx's documentation names a context, for messages.
    pub(crate) fn describe(c: u32) -> &'static str {
        match c {
            MAIN => "the main context",
            EVENTS => "events",
            HTTP => "http",
            HTTP_SRV => "server (http)",
            HTTP_LOC => "location",
            HTTP_UPS => "upstream (http)",
            HTTP_SIF => "if (in server)",
            HTTP_LIF => "if (in location)",
            HTTP_LMT => "limit_except",
            STREAM => "stream",
            STREAM_SRV => "server (stream)",
            STREAM_UPS => "upstream (stream)",
            MAIL => "mail",
            MAIL_SRV => "server (mail)",
            _ => "this context",
        }
    }

    /// The context of a block's body, nginx's tree of contexts (`ngx_http_block()`,
    /// `ngx_http_core_server()`, …); None when nginx reads the body with its own parser (`map`,
    /// `types`, a third-party block) or the context cannot be told.
    pub(crate) fn body(c: Option<u32>, name: &str) -> Option<Option<u32>> {
        Some(Some(match (c, name) {
            (Some(MAIN), "events") => EVENTS,
            (Some(MAIN), "http") => HTTP,
            (Some(MAIN), "stream") => STREAM,
            (Some(MAIN), "mail") => MAIL,
            (Some(HTTP), "server") => HTTP_SRV,
            (Some(HTTP), "upstream") => HTTP_UPS,
            (Some(HTTP_SRV | HTTP_LOC), "location") => HTTP_LOC,
            (Some(HTTP_SRV), "if") => HTTP_SIF,
            (Some(HTTP_LOC), "if") => HTTP_LIF,
            (Some(HTTP_LOC), "limit_except") => HTTP_LMT,
            (Some(STREAM), "server") => STREAM_SRV,
            (Some(STREAM), "upstream") => STREAM_UPS,
            (Some(MAIL), "server") => MAIL_SRV,
            // Where the parent is not known, a few names still say where their body is.
            (None, "location") => HTTP_LOC,
            (None, "limit_except") => HTTP_LMT,
            (None, "server" | "upstream" | "if") => return Some(None),
            (_, "events" | "http" | "stream" | "mail") if c.is_none() => match name {
                "events" => EVENTS,
                "http" => HTTP,
                "stream" => STREAM,
                _ => MAIL,
            },
            _ => return None,
        }))
    }
}

/// The argument shapes a directive accepts (nginx's `NGX_CONF_*` argument bits).
pub(crate) mod args {
    pub(crate) const NOARGS: u32 = 1;
    /// `TAKE1` … `TAKE7`: bit `n` for `n` arguments.
    pub(crate) const fn take(n: u32) -> u32 {
        1 << n
    }
    pub(crate) const MORE1: u32 = 1 << 8;
    pub(crate) const MORE2: u32 = 1 << 9;
    pub(crate) const FLAG: u32 = 1 << 10;
    pub(crate) const ANY: u32 = 1 << 11;
    pub(crate) const BLOCK: u32 = 1 << 12;
}

/// What a directive's value is, from the function that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Flag,
    Msec,
    Sec,
    Size,
    Off,
    Bufs,
    Num,
    Str,
    StrArray,
    Keyval,
    Path,
    Access,
    Enum(Vec<&'static str>),
    Bitmask(Vec<&'static str>),
    Custom,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) module: &'static str,
    pub(crate) build: Build,
    pub(crate) contexts: u32,
    pub(crate) args: u32,
    pub(crate) kind: Kind,
    /// nginx answers every second occurrence at the same level with "is duplicate" (the
    /// table's `some`, a refusal that depends on the words, counts as false).
    pub(crate) dup: bool,
    /// The documented default as written (`60s`, `4k|8k`, `(none)`); None when undocumented.
    pub(crate) default: Option<&'static str>,
    pub(crate) versions: Versions,
    /// The parameter words the setter takes from argument `.0` on (0-based): every such
    /// argument must be one of them (a word ending in `=` or `*` is matched by its
    /// beginning), or nginx answers `invalid parameter`. None: not checked.
    pub(crate) params: Option<(usize, Vec<&'static str>)>,
}

impl Row {
    pub(crate) fn in_context(&self, c: u32) -> bool {
        self.contexts & (c | ctx::ANY) != 0 || (c == ctx::MAIN && self.contexts & ctx::DIRECT != 0)
    }

    pub(crate) fn is_block(&self) -> bool {
        self.args & args::BLOCK != 0
    }

    /// Does nginx accept `n` arguments (as `ngx_conf_handler` counts them)?
    pub(crate) fn takes(&self, n: usize) -> bool {
        let a = self.args;
        if a & args::ANY != 0 {
            return true;
        }
        if a & args::FLAG != 0 {
            return n == 1;
        }
        if a & args::MORE1 != 0 {
            return n >= 1;
        }
        if a & args::MORE2 != 0 {
            return n >= 2;
        }
        if n == 0 {
            return a & args::NOARGS != 0;
        }
        n <= 7 && a & args::take(n as u32) != 0
    }

    /// Is this row in release `v` (None: the release is unknown, so every row counts)?
    pub(crate) fn in_version(&self, v: Option<Version>) -> bool {
        v.is_none_or(|v| self.versions.contains(v, table().oldest))
    }
}

pub(crate) struct Table {
    /// Sorted by name.
    pub(crate) rows: Vec<Row>,
    by_name: HashMap<&'static str, (usize, usize)>,
    /// Names by length, each sorted.
    by_len: Vec<Vec<&'static str>>,
    /// The oldest and newest nginx releases the generator scanned.
    pub(crate) oldest: Version,
    pub(crate) newest: Version,
    /// Build presets: name → module names.
    builds: Vec<(&'static str, Vec<&'static str>)>,
}

impl Table {
    /// Every row for `name`, any module, any release.
    pub(crate) fn rows(&self, name: &str) -> &[Row] {
        match self.by_name.get(name) {
            Some(&(from, to)) => &self.rows[from..to],
            None => &[],
        }
    }

    /// The directive names within two letters of `len` long, for suggestions.
    pub(crate) fn names_near(&self, len: usize) -> impl Iterator<Item = &'static str> + '_ {
        let lo = len.saturating_sub(2);
        self.by_len
            .iter()
            .skip(lo)
            .take(len + 3 - lo)
            .flatten()
            .copied()
    }

    /// The modules of a build preset (`official`, `debian-bookworm`, `source`).
    pub(crate) fn build(&self, preset: &str) -> Option<&[&'static str]> {
        self.builds
            .iter()
            .find(|(n, _)| *n == preset)
            .map(|(_, m)| m.as_slice())
    }

    pub(crate) fn presets(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.builds.iter().map(|(n, _)| *n)
    }
}

pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(DIRECTIVES, BUILDS).expect("data/tables/nginx-directives.tsv"))
}

fn parse(text: &'static str, builds: &'static str) -> Result<Table, String> {
    let mut rows = Vec::new();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    let head = lines.next().ok_or("empty table")?;
    if !head.starts_with("name\tmodule\tbuild\tcontexts\targs\tkind\tdup\tdefault\tversions") {
        return Err(format!("unexpected header: {head}"));
    }
    let mut bounds = None::<(Version, Version)>;
    for line in lines {
        let f: Vec<&'static str> = line.split('\t').collect();
        let [
            name,
            module,
            build,
            contexts,
            arg_spec,
            kind,
            dup,
            default,
            versions,
            ref rest @ ..,
        ] = f[..]
        else {
            // A 10th column (`params`) holds the parameter words some setters take.
            return Err(format!("fewer than 9 columns: {line}"));
        };
        let build = match build {
            "default" => Build::Default,
            "with" => Build::With,
            "plus" => Build::Plus,
            b => Build::ThirdParty(
                b.strip_prefix("third-party:")
                    .ok_or_else(|| format!("unknown build {b}"))?,
            ),
        };
        let mut c = 0;
        for word in contexts.split(',').filter(|w| !w.is_empty()) {
            c |= ctx::NAMES
                .iter()
                .find(|(n, _)| *n == word)
                .ok_or_else(|| format!("unknown context {word}"))?
                .1;
        }
        let mut a = 0;
        for word in arg_spec.split(',').filter(|w| !w.is_empty()) {
            a |= match word {
                "noargs" => args::NOARGS,
                "1more" => args::MORE1,
                "2more" => args::MORE2,
                "flag" => args::FLAG,
                "any" => args::ANY,
                "block" => args::BLOCK,
                w => match w.strip_prefix("take").and_then(|n| n.parse::<u32>().ok()) {
                    Some(n @ 1..=7) => args::take(n),
                    _ => return Err(format!("unknown argument shape {w}")),
                },
            };
        }
        let values = |s: &'static str| s.split('|').collect();
        let kind = match kind {
            "flag" => Kind::Flag,
            "msec" => Kind::Msec,
            "sec" => Kind::Sec,
            "size" => Kind::Size,
            "off" => Kind::Off,
            "bufs" => Kind::Bufs,
            "num" => Kind::Num,
            "str" => Kind::Str,
            "str_array" => Kind::StrArray,
            "keyval" => Kind::Keyval,
            "path" => Kind::Path,
            "access" => Kind::Access,
            k => match k.split_once(':') {
                Some(("enum", v)) => Kind::Enum(values(v)),
                Some(("bitmask", v)) => Kind::Bitmask(values(v)),
                _ => Kind::Custom,
            },
        };
        let versions = Versions::parse(versions, false)?;
        versions.widen(&mut bounds);
        rows.push(Row {
            name,
            module,
            build,
            contexts: c,
            args: a,
            kind,
            dup: match dup {
                "yes" => true,
                "some" | "no" => false,
                d => return Err(format!("unknown dup {d}")),
            },
            default: (!default.is_empty()).then_some(default),
            versions,
            params: rest
                .first()
                .and_then(|p| p.split_once(';'))
                .and_then(|(pos, words)| Some((pos.parse().ok()?, words.split('|').collect()))),
        });
    }
    rows.sort_by(|a, b| a.name.cmp(b.name));
    let mut by_name = HashMap::new();
    let mut i = 0;
    while i < rows.len() {
        let j = i + rows[i..]
            .iter()
            .take_while(|r| r.name == rows[i].name)
            .count();
        by_name.insert(rows[i].name, (i, j));
        i = j;
    }
    let builds = builds
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .skip(1)
        .filter_map(|l| {
            let (preset, modules) = l.split_once('\t')?;
            Some((
                preset,
                modules.split(',').filter(|m| !m.is_empty()).collect(),
            ))
        })
        .collect();
    let mut by_len: Vec<Vec<&'static str>> = Vec::new();
    for &name in by_name.keys() {
        if by_len.len() <= name.len() {
            by_len.resize(name.len() + 1, Vec::new());
        }
        by_len[name.len()].push(name);
    }
    for names in &mut by_len {
        names.sort_unstable();
    }
    Ok(Table {
        rows,
        by_name,
        by_len,
        oldest: bounds.map_or(Version(1, 18, 0), |b| b.0),
        newest: bounds.map_or(Version(1, 18, 0), |b| b.1),
        builds,
    })
}

/// The documented default of a directive (`60s`; the first of platform variants such as
/// `4k|8k`, which is x86-64 Linux's); None when it has none. `in_upstream` selects the
/// `upstream` module's meaning of a shared name (`keepalive_timeout`).
pub(crate) fn default(name: &str, in_upstream: bool) -> Option<&'static str> {
    let rows = table().rows(name);
    let of = |upstream: bool| {
        rows.iter()
            .filter(|r| r.module.contains("_upstream") == upstream)
            .find_map(|r| r.default)
    };
    of(in_upstream)
        .or_else(|| of(!in_upstream))
        .map(|d| d.split('|').next().unwrap_or(d).trim())
        .filter(|d| *d != "(none)")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# test\nname\tmodule\tbuild\tcontexts\targs\tkind\tdup\tdefault\tversions\n\
        proxy_buffering\tngx_http_proxy_module\tdefault\thttp,http_srv,http_loc\tflag\tflag\tyes\ton\t1.18.0-\n\
        http2\tngx_http_v2_module\twith\thttp,http_srv\tflag\tflag\tyes\toff\t1.25.1-\n\
        location\tngx_http_core_module\tdefault\thttp_srv,http_loc\tblock,take1,take2\tcustom\tno\t\t1.18.0-\n";

    #[test]
    fn rows_and_shapes() {
        let t = parse(SAMPLE, "preset\tmodules\nsource\tngx_http_core_module\n").unwrap();
        assert_eq!(t.oldest, Version(1, 18, 0));
        assert_eq!(t.newest, Version(1, 25, 1));
        let loc = &t.rows("location")[0];
        assert!(loc.is_block() && loc.takes(1) && loc.takes(2) && !loc.takes(3) && !loc.takes(0));
        assert!(loc.in_context(ctx::HTTP_LOC) && !loc.in_context(ctx::HTTP));
        let flag = &t.rows("proxy_buffering")[0];
        assert!(flag.takes(1) && !flag.takes(2));
        assert_eq!(flag.kind, Kind::Flag);
        assert_eq!(t.build("source"), Some(&["ngx_http_core_module"][..]));
        assert!(t.rows("nope").is_empty());
    }

    #[test]
    fn the_checked_in_table_parses() {
        let t = table();
        assert!(t.rows.len() > 500, "{} rows", t.rows.len());
        assert!(!t.rows("proxy_pass").is_empty());
    }

    #[test]
    fn defaults_from_the_table() {
        assert_eq!(default("proxy_read_timeout", false), Some("60s"));
        assert_eq!(default("keepalive_timeout", true), Some("60s"));
        assert_eq!(default("keepalive_timeout", false), Some("75s"));
        assert_eq!(default("proxy_buffers", false), Some("8 4k"));
        assert_eq!(default("resolver", false), None);
    }
}
