//! HAProxy's configuration parser, offline: each line of a section is looked up in the keyword
//! table (`timeout X` and `option X` by their second word, `bind` and `server` lines word by
//! word, skipping each keyword's arguments), as `cfg_parse_listen()` and its keyword lists do.

use std::collections::HashMap;

use super::{Kind, Refusal, cap};
use crate::load::include::Tree;
use crate::source::{FileId, Span};
use crate::syntax::nginx::{Arg, Directive, File};
use crate::tables::haproxy::{self as table, Row, branch, sect};
use crate::version::Version;

pub fn check(tree: &Tree, files: &HashMap<FileId, File>, version: Option<Version>) -> Vec<Refusal> {
    let mut w = Walk {
        version,
        out: Vec::new(),
        wanted: Vec::new(),
        exposure: Exposure::read(tree, files),
    };
    // Backends (and listens) opened, and backend lines with more words, which open none.
    let mut opened: Vec<&str> = Vec::new();
    let mut unopened: Vec<(&str, Span)> = Vec::new();
    let mut master_worker = false;
    let mut programs = Vec::new();
    let mut frontends: HashMap<&str, Span> = HashMap::new();
    for f in &tree.files {
        if !tree.is_own(*f) {
            continue;
        }
        let Some(file) = files.get(f) else { continue };
        for d in &file.directives {
            let Some(body) = d.block() else {
                // Before the first section.
                if !d.name().starts_with('.') {
                    w.out.push(
                        Refusal::new(
                            Kind::Unknown,
                            d.name_arg().span,
                            format!(
                                "unknown keyword '{}' out of section: HAProxy refuses to start",
                                d.name()
                            ),
                        )
                        .help("put it in the section it belongs to (`global`, `defaults`, …)"),
                    );
                }
                continue;
            };
            let section = d.name();
            let rows = table::table().rows("section", section);
            if !rows.is_empty() && !w.in_release(d.name_arg().span, "section", section, rows) {
                continue;
            }
            if d.condition().is_none() && !w.section_line(d) {
                continue;
            }
            match section {
                "global" => {
                    master_worker |= body.iter().any(|l| l.name() == "master-worker");
                    w.lines(body, "global", 0, None);
                }
                "program" => {
                    programs.push(d.name_arg().span);
                    w.lines(body, "program", 0, None);
                }
                "defaults" | "frontend" | "backend" | "listen" => {
                    let bit = sect::NAMES
                        .iter()
                        .find(|(n, _)| *n == section)
                        .map_or(0, |x| x.1);
                    // HAProxy 1.x took the address on the section line; 2.0 on want `bind`
                    // (a backend's line with more words opens no section: its lines fail).
                    let extra = d
                        .args
                        .get(1)
                        .filter(|e| e.value.as_str() != "from" && d.condition().is_none());
                    if matches!(section, "backend" | "listen")
                        && let Some(name) = d.arg(0)
                    {
                        match extra {
                            Some(e) if section == "backend" && body.is_empty() => {
                                unopened.push((name, e.span))
                            }
                            Some(_) => {}
                            None => opened.push(name),
                        }
                    }
                    if section != "defaults"
                        && let Some(extra) = extra
                        && (section != "backend" || !body.is_empty())
                    {
                        let name = d.arg(0).unwrap_or("");
                        let (says, help) = if section == "backend" {
                            (
                                "'listen' or 'defaults' expected.` on the next line".to_string(),
                                format!("write `backend {name}` alone on its line"),
                            )
                        } else {
                            (
                                "please use the 'bind' keyword for listening addresses.`"
                                    .to_string(),
                                format!(
                                    "write `{section} {name}` and, on the next line, `bind {}`",
                                    extra.value.as_str()
                                ),
                            )
                        };
                        w.out.push(
                            Refusal::new(
                                Kind::Arguments,
                                extra.span,
                                format!(
                                    "a word after the name on the `{section}` line: HAProxy refuses to start with `{says}"
                                ),
                            )
                            .help(help),
                        );
                    }
                    // Two frontends (a `listen` is one) of one name; two backends are GW103's.
                    if matches!(section, "frontend" | "listen")
                        && let Some(name) = d.args.first()
                        && d.condition().is_none()
                    {
                        match frontends.get(name.value.as_str()) {
                            Some(&first) => {
                                let mut r = Refusal::new(
                                    Kind::Duplicate,
                                    name.span,
                                    format!(
                                        "{section} '{}' has the same name as another frontend: HAProxy refuses to start with `{section} '{}' has the same name as frontend '{}' declared at …`",
                                        name.value, name.value, name.value
                                    ),
                                )
                                .help("give each frontend its own name");
                                r.related.push((first, "first defined here".into()));
                                w.out.push(r);
                            }
                            None => {
                                frontends.insert(name.value.as_str(), name.span);
                            }
                        }
                    }
                    w.lines(body, "proxy", bit, d.arg(0));
                }
                other => w.lines(body, other, 0, d.arg(0)),
            }
        }
    }
    // HAProxy skips a backend line with more words (2.x: without a word), so the backend
    // does not exist; only a proxy that needs it fails.
    for (name, span) in unopened {
        if opened.contains(&name) {
            continue;
        }
        if let Some((_, keyword, from)) = w.wanted.iter().find(|(to, _, _)| to == name) {
            w.out.push(
                Refusal::new(
                    Kind::Arguments,
                    span,
                    format!(
                        "a word after the name on the `backend` line: HAProxy opens no backend '{name}' and refuses to start with `Proxy '{from}': unable to find required {keyword}: '{name}'.`"
                    ),
                )
                .help(format!("write `backend {name}` alone on its line, and the rest on the lines after it")),
            );
        }
    }
    if !master_worker {
        for p in programs {
            w.out.push(
                Refusal::new(
                    Kind::ProgramWithoutMasterWorker,
                    p,
                    "a `program` section without `master-worker` in `global`: unless its command line sets the mode (`-W`), HAProxy refuses to start with `Can't use a 'program' section without master worker mode.`".into(),
                )
                .help("add `master-worker` to the `global` section, or start HAProxy with -W"),
            );
        }
    }
    cap(w.out)
}

struct Walk {
    version: Option<Version>,
    exposure: Exposure,
    out: Vec<Refusal>,
    /// The backends that `default_backend` and `use_backend` lines name: (backend, keyword,
    /// the proxy naming it).
    wanted: Vec<(String, &'static str, String)>,
}

/// Where `expose-experimental-directives` is read. HAProxy sets a flag when its `global`
/// parser reads the line (`cfg_parse_global()`), and refuses an experimental keyword or action
/// read before (`check_kw_experimental()`, `parse_http_req_cond()`): the files in `-f` order,
/// each from its top.
struct Exposure {
    /// Each file's place in the reading order.
    order: HashMap<FileId, usize>,
    /// The first `expose-experimental-directives`: (file's place, offset). Under `.if` it
    /// may not be read, but a keyword before it is refused either way.
    from: Option<(usize, u32)>,
    /// Nothing can be told: includes not followed, a file not read, or no `global` section
    /// seen (the switch may be in a file gwlint was not given).
    unsure: bool,
}

impl Exposure {
    fn read(tree: &Tree, files: &HashMap<FileId, File>) -> Exposure {
        let mut order: HashMap<FileId, usize> = HashMap::new();
        for (i, f) in tree.files.iter().enumerate() {
            order.entry(*f).or_insert(i);
        }
        let mut from = None;
        let mut unsure = !tree.unknown.is_empty();
        let mut global = false;
        for (i, f) in tree.files.iter().enumerate() {
            let Some(file) = files.get(f) else {
                unsure = true;
                continue;
            };
            for d in file.directives.iter().filter(|d| d.name() == "global") {
                global = true;
                for l in d.children() {
                    if l.name() == "expose-experimental-directives" && from.is_none() {
                        from = Some((i, l.span.start));
                    }
                }
            }
        }
        Exposure {
            order,
            from,
            unsure: unsure || !global,
        }
    }

    /// Is an experimental keyword at `span` refused for certain: read before the first
    /// switch (conditional or not), or with none at all?
    fn refuses(&self, span: Span) -> bool {
        let Some(&at) = self.order.get(&span.file) else {
            return false;
        };
        !self.unsure && self.from.is_none_or(|p| p > (at, span.start))
    }
}

impl Walk {
    /// An experimental keyword (`what`: `directive`) or action read before
    /// `expose-experimental-directives`. With the release unknown, the newest scanned decides,
    /// and a keyword experimental in only some releases is a warning.
    fn experimental(&mut self, span: Span, what: &str, keyword: &str, rows: &[Row]) {
        // Every known keyword passes here; few are experimental in any release.
        if !rows.iter().any(|r| r.has_flag("experimental")) {
            return;
        }
        let v = self.version.unwrap_or(table::table().newest);
        let mut in_force = rows.iter().filter(|r| r.in_version(Some(v))).peekable();
        if in_force.peek().is_none()
            || !in_force.all(|r| r.has_flag("experimental"))
            || !self.exposure.refuses(span)
        {
            return;
        }
        let mut r = Refusal::new(
            Kind::NotAllowed,
            span,
            format!(
                "HAProxy refuses to start: `'{keyword}' {what} is experimental, must be allowed via a global 'expose-experimental-directives'`"
            ),
        )
        .help(format!(
            "put `expose-experimental-directives` in `global`, before the files and sections that use `{keyword}` (HAProxy reads it in order, and marks the process tainted), or do without `{keyword}`"
        ));
        if self.version.is_none() && !rows.iter().all(|r| r.has_flag("experimental")) {
            r.severity = Some(crate::finding::Severity::Warning);
        }
        self.out.push(r);
    }

    fn lines(&mut self, body: &[Directive], scope: &str, section: u8, proxy: Option<&str>) {
        let t = table::table();
        // A section whose keywords the table does not hold is not checked.
        if scope != "proxy" && t.keywords(scope, 0, None).is_empty() {
            return;
        }
        for d in body {
            let name = d.name();
            // A line under `.if` may be meant for another release or build: HAProxy reads it
            // only when the condition holds.
            // `no log`, `no busy-polling`, `default log`: negations HAProxy takes beside
            // `no option`; not checked.
            if name.starts_with('.')
                || name.contains('$')
                || d.condition().is_some()
                || matches!(name, "no" | "default")
            {
                continue;
            }
            let (scope, keyword, negated) = if scope != "proxy" {
                // `timeout X` is folded into one name everywhere; other sections register
                // only its first word.
                (scope, name.split(' ').next().unwrap_or(name), false)
            } else if let Some(x) = name.strip_prefix("timeout ") {
                ("timeout", x, false)
            } else if let Some(x) = name.strip_prefix("no option ") {
                ("option", x, true)
            } else if let Some(x) = name.strip_prefix("option ") {
                ("option", x, false)
            } else {
                ("proxy", name, false)
            };
            let span = d.name_arg().span;
            let rows = t.rows(scope, keyword);
            if rows.is_empty() {
                // Past the cap nothing more is shown: the suggestion is not worth its cost.
                let candidates = if self.out.len() < super::MAX_REFUSALS {
                    t.keywords(scope, section, self.version)
                } else {
                    Vec::new()
                };
                let near = crate::suggest::closest(keyword, &candidates);
                let maybe = near.map_or(String::new(), |n| format!("; did you mean '{n}' maybe ?"));
                let says = match scope {
                    "timeout" => format!(
                        "'timeout' supports {} (got '{keyword}')",
                        candidates
                            .iter()
                            .map(|c| format!("'{c}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "option" => format!("unknown option '{keyword}'{maybe}"),
                    "proxy" => format!(
                        "unknown keyword '{keyword}' in '{}' section{maybe}",
                        section_name(section)
                    ),
                    s => format!("unknown keyword '{keyword}' in '{s}' section{maybe}"),
                };
                let r = Refusal::new(
                    Kind::Unknown,
                    span,
                    format!("HAProxy refuses to start: `{says}`"),
                );
                self.out.push(match near {
                    Some(n) => r.help(format!("did you mean '{n}'?")),
                    None => r.help("remove it, or look the keyword up in the configuration manual of the release you run"),
                });
                continue;
            }
            if !self.in_release(span, scope, keyword, rows) {
                continue;
            }
            self.experimental(span, "directive", keyword, rows);
            if negated && rows.iter().all(|r| r.negatable == Some(false)) {
                self.out.push(
                    Refusal::new(
                        Kind::NotNegatable,
                        span,
                        format!(
                            "option '{keyword}' cannot be negated: HAProxy refuses to start with `negation/default is not supported for option '{keyword}'.`"
                        ),
                    )
                    .help(format!("remove the line: without `option {keyword}` the option is off")),
                );
                continue;
            }
            if scope == "proxy" && keyword == "default_backend" {
                if let Some(to) = d.args.first() {
                    if section & (sect::BACKEND | sect::LISTEN) != 0
                        && proxy == Some(to.value.as_str())
                    {
                        self.out.push(
                            Refusal::new(
                                Kind::Value,
                                to.span,
                                format!(
                                    "`default_backend` names its own {}: HAProxy refuses to start with `Proxy '{}': loop detected for default_backend: '{}'.`",
                                    section_name(section), to.value, to.value
                                ),
                            )
                            .help("name another backend, or remove the line"),
                        );
                        continue;
                    }
                }
            }
            if scope == "proxy"
                && matches!(keyword, "default_backend" | "use_backend")
                && let (Some(to), Some(from)) = (d.args.first(), proxy)
            {
                self.wanted
                    .push((to.value.as_str().to_string(), keyword, from.to_string()));
            }
            if !self.shape(d, scope, keyword, rows, section, proxy) {
                continue;
            }
            // cfgparse-listen.c: after the backend's name only a condition may follow.
            if scope == "proxy"
                && keyword == "use_backend"
                && let Some(w) = d.args.get(1)
                && !matches!(w.value.as_str(), "if" | "unless")
            {
                self.out.push(
                    Refusal::new(
                        Kind::Arguments,
                        w.span,
                        format!(
                            "HAProxy refuses to start: `unexpected keyword '{}' after switching rule, only 'if' and 'unless' are allowed.`",
                            w.value
                        ),
                    )
                    .help("write the condition after `if` (or `unless`): `use_backend NAME if CONDITION`"),
                );
                continue;
            }
            if keyword == "log" && matches!(scope, "proxy" | "global") {
                self.log_line(d, scope == "global");
                continue;
            }
            match keyword {
                "server" | "default-server" | "server-template" if scope == "proxy" => {
                    let skip = match keyword {
                        "server" => 2,
                        "server-template" => 3,
                        _ => 0,
                    };
                    self.words(d, skip, "server", keyword, proxy);
                }
                "http-request"
                | "http-response"
                | "http-after-response"
                | "tcp-request"
                | "tcp-response"
                    if scope == "proxy" =>
                {
                    self.action(d, keyword);
                }
                "bind" if scope == "proxy" => {
                    self.words(d, 1, "bind", keyword, proxy.map(|_| section_name(section)));
                    self.bind_ports(d);
                    self.bind_certificate(d, proxy);
                }
                _ => {}
            }
        }
    }

    /// A section line without the name it needs, or `global` with words after it.
    fn section_line(&mut self, d: &Directive) -> bool {
        let section = d.name();
        let says = match (section, d.args.first()) {
            ("global", Some(extra)) => Some((
                extra.span,
                format!(
                    "'global' cannot handle unexpected argument '{}'.",
                    extra.value
                ),
                "write `global` alone on its line",
            )),
            ("frontend" | "backend" | "listen" | "program", None) => Some((
                d.name_arg().span,
                format!("'{section}' expects an <id> argument"),
                "name the section: `{section} NAME`",
            )),
            ("userlist", None) => Some((
                d.name_arg().span,
                "'userlist' expects <name> as arguments.".to_string(),
                "name the section: `{section} NAME`",
            )),
            ("peers" | "resolvers", None) => Some((
                d.name_arg().span,
                format!("missing name for {section} section."),
                "name the section: `{section} NAME`",
            )),
            _ => None,
        };
        let Some((span, says, help)) = says else {
            return true;
        };
        self.out.push(
            Refusal::new(
                Kind::Arguments,
                span,
                format!("HAProxy refuses to start: `{says}`"),
            )
            .help(help.replace("{section}", section)),
        );
        false
    }

    /// Where the keyword may stand, how many words follow it and which word comes first, as
    /// HAProxy's parser of the keyword checks them. False when the line is refused (or
    /// ignored by HAProxy), so that nothing more is said about it.
    fn shape(
        &mut self,
        d: &Directive,
        scope: &str,
        keyword: &str,
        rows: &[Row],
        section: u8,
        proxy: Option<&str>,
    ) -> bool {
        let live: Vec<&Row> = rows
            .iter()
            .filter(|r| !r.is_refusal() && r.in_version(self.version))
            .collect();
        if live.is_empty() {
            return true;
        }
        let shown = match scope {
            "timeout" | "option" => format!("{scope} {keyword}"),
            _ => keyword.to_string(),
        };
        let span = d.name_arg().span;
        if section != 0 && live.iter().all(|r| r.sections & section == 0) {
            let t = table::table();
            let flag = if section == sect::DEFAULTS {
                "defaults_fatal"
            } else {
                "cap_fatal"
            };
            // Release unknown: fatal in every release, or (a warning) in the newest and the
            // releases since the flag came.
            let newest: Vec<&&Row> = live
                .iter()
                .filter(|r| r.in_version(Some(t.newest)))
                .collect();
            let since = if live.iter().all(|r| r.has_flag(flag)) {
                None
            } else if self.version.is_none()
                && !newest.is_empty()
                && newest.iter().all(|r| r.has_flag(flag))
            {
                live.iter()
                    .filter(|r| r.has_flag(flag))
                    .filter_map(|r| r.versions.added(t.oldest))
                    .min()
                    .or(Some(t.oldest))
            } else {
                // HAProxy warns and ignores the line.
                return false;
            };
            let says = if section == sect::DEFAULTS {
                format!("'{shown}' not allowed in 'defaults' section.")
            } else {
                let lacks = if section == sect::FRONTEND {
                    "backend"
                } else {
                    "frontend"
                };
                format!(
                    "'{shown}' not allowed because {} '{}' has no {lacks} capability.",
                    section_name(section),
                    proxy.unwrap_or("")
                )
            };
            let places: Vec<&str> = sect::NAMES
                .iter()
                .filter(|(_, b)| live.iter().any(|r| r.sections & b != 0))
                .map(|(n, _)| *n)
                .collect();
            let who = match since {
                Some(v) => format!("HAProxy {} and later refuse", branch(v)),
                None => "HAProxy refuses".to_string(),
            };
            let mut r =
                Refusal::new(Kind::NotAllowed, span, format!("{who} to start: `{says}`")).help(
                    format!("move `{shown}` to a {} section", places.join(" or ")),
                );
            if since.is_some() {
                r.message
                    .push_str(" (set --haproxy-version for a verdict on the release you run)");
                r.severity = Some(crate::finding::Severity::Warning);
            }
            self.out.push(r);
            return false;
        }
        // The words after the keyword: HAProxy counts words, and a variable may stand for
        // several or none.
        let name_words: Vec<&str> = d.name().split(' ').collect();
        let folded = if matches!(scope, "timeout" | "option") {
            name_words.len()
        } else {
            1
        };
        let mut words: Vec<(&str, Span)> =
            name_words[folded..].iter().map(|w| (*w, span)).collect();
        words.extend(d.args.iter().map(|a| (a.value.as_str(), a.span)));
        if words.iter().any(|(w, _)| w.is_empty() || w.contains('$')) {
            return true;
        }
        let counts: Option<Vec<(u8, Option<u8>)>> = live
            .iter()
            .filter(|r| section == 0 || r.sections & section != 0)
            .map(|r| r.count)
            .collect();
        let Some(counts) = counts.filter(|c| !c.is_empty()) else {
            return true;
        };
        let min = counts.iter().map(|c| c.0).min().unwrap_or(0) as usize;
        let max = counts
            .iter()
            .map(|c| c.1)
            .try_fold(0u8, |m, c| c.map(|c| m.max(c)))
            .map(usize::from);
        let n = words.len();
        if n < min {
            let says = if scope == "timeout" {
                format!("'{shown}' expects an integer value (in milliseconds)")
            } else if min == 1 {
                format!("'{shown}' expects an argument")
            } else {
                format!("'{shown}' expects {min} arguments")
            };
            self.out.push(
                Refusal::new(
                    Kind::Arguments,
                    span,
                    format!(
                        "{} after `{shown}`: HAProxy refuses to start with `{says}`",
                        if n == 0 {
                            "no word".to_string()
                        } else {
                            format!("{n} word(s)")
                        }
                    ),
                )
                .help(if scope == "timeout" {
                    format!("write `{shown} 30s`")
                } else {
                    format!("give `{shown}` its argument (see the configuration manual)")
                }),
            );
            return false;
        }
        if let Some(max) = max
            && n > max
        {
            let (extra, at) = words[max];
            let says = if scope == "timeout" && max >= 1 {
                format!(
                    "'{shown}' : unexpected extra argument '{extra}' after value '{}'.",
                    words[max - 1].0
                )
            } else {
                format!("'{shown}' cannot handle unexpected argument '{extra}'.")
            };
            // The extra word is a keyword of this section: two lines joined into one.
            let section_scope = match scope {
                "timeout" | "option" => "proxy",
                s => s,
            };
            let joined = !table::table().rows(section_scope, extra).is_empty();
            let help = if joined {
                format!("'{extra}' begins another line: put it on a line of its own")
            } else if max == 0 {
                format!("`{shown}` takes no argument: remove '{extra}'")
            } else {
                format!("remove '{extra}' and what follows: `{shown}` takes at most {max} word(s)")
            };
            self.out.push(
                Refusal::new(
                    Kind::Arguments,
                    at,
                    format!(
                        "a word too many after `{shown}`: HAProxy refuses to start with `{says}`"
                    ),
                )
                .help(help),
            );
            return false;
        }
        // The first word must be one HAProxy knows (`mode http`).
        let Some(&(first, at)) = words.first() else {
            return true;
        };
        let lists: Option<Vec<Vec<&'static str>>> = live
            .iter()
            .filter(|r| section == 0 || r.sections & section != 0)
            .map(|r| r.values().map(|v| v.collect()))
            .collect();
        let Some(lists) = lists else { return true };
        let matches = |v: &str| match v.strip_suffix('*') {
            Some(prefix) => {
                first.len() >= prefix.len() && first[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            None => first.eq_ignore_ascii_case(v),
        };
        if lists.iter().flatten().any(|v| matches(v)) {
            return true;
        }
        let mut known: Vec<&str> = lists
            .iter()
            .flatten()
            .map(|v| v.trim_end_matches(['*', '(']))
            .collect();
        known.sort_unstable();
        known.dedup();
        let says = if scope == "proxy" && keyword == "mode" {
            format!("unknown proxy mode '{first}'.")
        } else {
            format!(
                "'{shown}' only supports {} (got '{first}')",
                known
                    .iter()
                    .map(|k| format!("'{k}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let near = crate::suggest::closest(first, &known);
        self.out.push(
            Refusal::new(
                Kind::Value,
                at,
                format!(
                    "'{first}' is not a value of `{shown}`: HAProxy refuses to start with `{says}`"
                ),
            )
            .help(match near {
                Some(n) => format!("did you mean '{n}'?"),
                None => format!("use one of {}", known.join(", ")),
            }),
        );
        false
    }

    /// A `log` line: `global`, or an address, its options (`len`, `format`, `sample`,
    /// `profile`), a facility and up to two levels, as `parse_logger()` reads them; the
    /// facilities and levels are HAProxy's own lists (the table's `log-facility`, `log-level`).
    fn log_line(&mut self, d: &Directive, global: bool) {
        let words: Vec<&Arg> = d.args.iter().collect();
        if words
            .iter()
            .any(|a| a.value.contains('$') || a.value.is_empty())
        {
            return;
        }
        let t = table::table();
        let known =
            |scope: &str, w: &str| t.rows(scope, w).iter().any(|r| r.in_version(self.version));
        let refuse = |span: Span, says: String, help: String| {
            Refusal::new(
                Kind::Value,
                span,
                format!("HAProxy refuses to start: `log : {says}`"),
            )
            .help(help)
        };
        let Some(first) = words.first() else { return };
        if first.value.as_str() == "global" {
            let r = match words.get(1) {
                Some(x) => Some(refuse(
                    x.span,
                    format!("unknown log facility '{}'", x.value),
                    "write `log global` alone on its line".into(),
                )),
                None if global => Some(refuse(
                    first.span,
                    "'global' is not supported for a global syslog server".into(),
                    "`log global` belongs in `defaults` or a proxy; in `global`, name the log server: `log 127.0.0.1:514 local0`".into(),
                )),
                None => None,
            };
            if let Some(r) = r {
                self.out.push(r);
            }
            return;
        }
        let mut i = 1;
        while let Some(w) = words.get(i)
            && matches!(w.value.as_str(), "len" | "format" | "sample" | "profile")
        {
            i += 2;
        }
        let Some(facility) = words.get(i) else {
            if i == 1 {
                self.out.push(refuse(
                    first.span,
                    "expects <address> and <facility> as arguments".into(),
                    format!("add the facility: `log {} local0`", first.value),
                ));
            }
            return;
        };
        let f = facility.value.as_str();
        if !known("log-facility", f) {
            let facilities = t.keywords("log-facility", 0, self.version);
            let near = crate::suggest::closest(f, &facilities);
            self.out.push(refuse(
                facility.span,
                format!("unknown log facility '{f}'"),
                match near {
                    Some(n) => format!("did you mean '{n}'? (facilities are lower case: local0 … local7, daemon, …)"),
                    None => "name a syslog facility: local0 … local7, daemon, user, …".into(),
                },
            ));
            return;
        }
        for (k, level) in words.iter().skip(i + 1).enumerate() {
            let l = level.value.as_str();
            if k >= 2 {
                self.out.push(refuse(
                    level.span,
                    format!("cannot handle unexpected argument '{l}'"),
                    "a `log` line ends with its facility, a level and a minimum level".into(),
                ));
                return;
            }
            if !known("log-level", l) {
                let levels = t.keywords("log-level", 0, self.version);
                let near = crate::suggest::closest(l, &levels);
                let what = if k == 0 { "" } else { "minimum " };
                self.out.push(refuse(
                    level.span,
                    format!("unknown optional {what}log level '{l}'"),
                    match near {
                        Some(n) => format!("did you mean '{n}'?"),
                        None => format!("a level is one of {}", levels.join(", ")),
                    },
                ));
                return;
            }
        }
    }

    /// The ports of a `bind` line's addresses (`:80`, `ipv4@:8000-8010`, `a:80,b:81`): HAProxy
    /// answers 0 or one above 65535 with `invalid port`.
    fn bind_ports(&mut self, d: &Directive) {
        let Some(addr) = d.args.first() else { return };
        let a = addr.value.as_str();
        if a.contains('$') {
            return;
        }
        for part in a.split(',') {
            let after = part.rsplit_once('@').map_or(part, |(_, x)| x);
            if after.starts_with('/') || !after.contains(':') {
                continue;
            }
            let ports = after.rsplit_once(':').map_or("", |(_, p)| p);
            for p in ports.split('-') {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                if p.parse::<u32>().map_or(true, |n| n == 0 || n > 65535) {
                    self.out.push(
                        Refusal::new(
                            Kind::Value,
                            addr.span,
                            format!(
                                "port {p} is not a TCP port: HAProxy refuses to start with `'bind' : invalid port '{p}'`"
                            ),
                        )
                        .help("a TCP port is 1 to 65535"),
                    );
                    return;
                }
            }
        }
    }

    /// `bind … ssl` needs a certificate: `crt`, `crt-list`, or certificates generated from a CA.
    fn bind_certificate(&mut self, d: &Directive, proxy: Option<&str>) {
        let words: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
        if words.iter().any(|w| w.contains('$')) {
            return;
        }
        let Some(ssl) = d.args.iter().skip(1).find(|a| a.value.as_str() == "ssl") else {
            return;
        };
        if words
            .iter()
            .any(|w| matches!(*w, "crt" | "crt-list" | "generate-certificates"))
        {
            return;
        }
        let addr = words.first().copied().unwrap_or("");
        self.out.push(
            Refusal::new(
                Kind::SslWithoutCertificate,
                ssl.span,
                format!(
                    "`bind {addr} ssl` without `crt`: HAProxy refuses to start with `Proxy '{}': no SSL certificate specified for bind '{addr}' … (use 'crt').`",
                    proxy.unwrap_or("")
                ),
            )
            .help("add `crt /path/to/cert.pem` (or `crt-list`) to the bind line"),
        );
    }

    /// Is the keyword in the configured release? Reports it when not.
    fn in_release(&mut self, span: Span, scope: &str, keyword: &str, rows: &[Row]) -> bool {
        let t = table::table();
        let shown = match scope {
            "proxy" | "global" => format!("'{keyword}'"),
            "section" => format!("the '{keyword}' section"),
            "timeout" | "option" => format!("'{scope} {keyword}'"),
            _ => format!("the {scope} keyword '{keyword}'"),
        };
        // The release the verdict is for: the configured one, else the newest scanned (and
        // the message then says from which release HAProxy refuses it).
        let v = self.version.unwrap_or(t.newest);
        if rows.iter().any(|r| r.in_version(Some(v))) {
            return true;
        }
        // The refusal in force: the latest removal at or before the release.
        let refusal = rows
            .iter()
            .filter(|r| r.removed.is_some_and(|x| x <= v))
            .max_by_key(|r| r.removed);
        match refusal {
            // HAProxy warns and ignores it.
            Some(r) if r.has_flag("warning") => return true,
            None if self.version.is_none() => return true,
            _ => {}
        }
        let added = rows.iter().filter_map(|r| r.versions.added(t.oldest)).min();
        let says = refusal
            .and_then(|r| r.message)
            .map(|m| format!(" with `{}`", m.replace("%s", keyword)))
            .unwrap_or_default();
        let message = match (self.version, refusal) {
            (Some(v), Some(r)) => format!(
                "{shown} was removed in HAProxy {}: HAProxy {} refuses to start{says}",
                branch(r.removed.unwrap_or(v)),
                branch(v)
            ),
            (Some(v), None) => match added {
                Some(a) if a > v => format!(
                    "{shown} was added in HAProxy {}: HAProxy {} refuses to start",
                    branch(a),
                    branch(v)
                ),
                _ => format!(
                    "{shown} is not in HAProxy {}: it refuses to start",
                    branch(v)
                ),
            },
            (None, Some(r)) => {
                let from = branch(r.removed.unwrap_or(v));
                format!(
                    "{shown} was removed in HAProxy {from}: HAProxy {from} and later refuse to start{says} (set --haproxy-version for a verdict on the release you run)"
                )
            }
            (None, None) => unreachable!("handled above"),
        };
        let mut r = Refusal::new(Kind::Version, span, message);
        if self.version.is_none() {
            r.severity = Some(crate::finding::Severity::Warning);
        }
        self.out.push(with_replacement(r, rows));
        false
    }

    /// The action of a rule line (`http-request deny`, `tcp-request content reject`),
    /// looked up among the actions the release registers for that rule keyword. Lua actions
    /// (`lua.NAME`) are registered by the scripts HAProxy loads and are not judged.
    fn action(&mut self, d: &Directive, keyword: &str) {
        let (scope, at) = match keyword {
            "tcp-request" | "tcp-response" => match d.arg(0) {
                Some(sub @ ("connection" | "session" | "content")) => {
                    (format!("{keyword} {sub}"), 1)
                }
                // `inspect-delay`, or what the line's shape already judged.
                _ => return,
            },
            _ => (keyword.to_string(), 0),
        };
        let Some(a) = d.args.get(at) else { return };
        let word = a.value.as_str();
        if word.contains('$') || word.starts_with("lua.") || matches!(word, "if" | "unless") {
            return;
        }
        let t = table::table();
        // `set-var(txn.x)`, `sc-inc-gpc0(0)`: the action is what precedes its argument;
        // `track-sc0`: a registered prefix (`track-sc`) takes the rest.
        let head = word.split_once('(').map_or(word, |(k, _)| k);
        let mut name = head;
        let mut rows = t.rows(&scope, head);
        if rows.is_empty()
            && let Some(k) = t
                .keywords(&scope, 0, None)
                .into_iter()
                .filter(|k| {
                    head.starts_with(k) && t.rows(&scope, k).iter().any(|r| r.has_flag("prefix"))
                })
                .max_by_key(|k| k.len())
        {
            name = k;
            rows = t.rows(&scope, k);
        }
        if rows.is_empty() {
            let candidates = if self.out.len() < super::MAX_REFUSALS {
                t.keywords(&scope, 0, self.version)
            } else {
                Vec::new()
            };
            let near = crate::suggest::closest(head, &candidates);
            let maybe = near.map_or(String::new(), |n| format!(". Did you mean '{n}' maybe ?"));
            let r = Refusal::new(
                Kind::Unknown,
                a.span,
                format!("HAProxy refuses to start: `'{scope}' expects … but got '{word}'{maybe}`"),
            );
            self.out.push(match near {
                Some(n) => r.help(format!("did you mean '{n}'?")),
                None => r.help(format!(
                    "look the {scope} actions up in the configuration manual of the release you run"
                )),
            });
            return;
        }
        if self.in_release(a.span, &scope, name, rows) {
            self.experimental(a.span, "action", name, rows);
        }
    }

    /// The keywords of a `server` or `bind` line after its first `skip` words.
    fn words(&mut self, d: &Directive, skip: usize, scope: &str, line: &str, owner: Option<&str>) {
        let t = table::table();
        let args: &[Arg] = &d.args;
        let mut i = skip;
        while i < args.len() {
            let a = &args[i];
            // `set-proxy-v2-tlv-fmt(0xE1)`: the keyword is what precedes its argument.
            let word = a.value.as_str();
            let suffixed = word.split_once('(');
            let word = suffixed.map_or(word, |(k, _)| k);
            if word.contains('$') {
                i += 1;
                continue;
            }
            let rows = t.rows(scope, word);
            if rows.is_empty() {
                let candidates = if self.out.len() < super::MAX_REFUSALS {
                    t.keywords(scope, 0, self.version)
                } else {
                    Vec::new()
                };
                let near = crate::suggest::closest(word, &candidates);
                let maybe = near.map_or(String::new(), |n| format!("; did you mean '{n}' maybe ?"));
                let first = args.first().map_or("", |a| a.value.as_str());
                let says = match line {
                    "bind" => format!(
                        "'bind {first}' in section '{}': unknown keyword '{word}'{maybe}",
                        owner.unwrap_or("frontend")
                    ),
                    "server" => format!(
                        "'server {}/{first}' : unknown keyword '{word}'{maybe}",
                        owner.unwrap_or("")
                    ),
                    l => format!("'{l}' : unknown keyword '{word}'{maybe}"),
                };
                let r = Refusal::new(
                    Kind::Unknown,
                    a.span,
                    format!("HAProxy refuses to start: `{says}`"),
                );
                let r = match near {
                    Some(n) => r.help(format!("did you mean '{n}'?")),
                    None => r.help(format!("look the {scope} keyword up in the configuration manual of the release you run")),
                };
                self.out.push(r);
                return;
            }
            if !self.in_release(a.span, scope, word, rows) {
                return;
            }
            // What a keyword with an argument in parentheses takes after it is not counted.
            if suffixed.is_some() {
                return;
            }
            let n = rows.iter().filter_map(|r| r.args).max().unwrap_or(0);
            // A keyword whose parser takes what it wants: the rest of the line is its own.
            if n < 0 {
                return;
            }
            let n = n as usize;
            if i + n >= args.len() && n > 0 {
                self.out.push(
                    Refusal::new(
                        Kind::Arguments,
                        a.span,
                        format!("'{word}' expects an argument on the {line} line: HAProxy refuses to start"),
                    )
                    .help(format!("write `{word} VALUE`")),
                );
                return;
            }
            i += 1 + n;
        }
    }
}

fn with_replacement(mut r: Refusal, rows: &[Row]) -> Refusal {
    if let Some(rep) = rows.iter().find_map(|r| r.replacement) {
        r = r.help(format!("use `{rep}` instead"));
    }
    r
}

fn section_name(bit: u8) -> &'static str {
    sect::NAMES
        .iter()
        .find(|(_, b)| *b == bit)
        .map_or("proxy", |(n, _)| n)
}
