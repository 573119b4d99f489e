//! HAProxy's configuration parser, offline: each line of a section is looked up in the keyword
//! table (`timeout X` and `option X` by their second word, `bind` and `server` lines word by
//! word, skipping each keyword's arguments), as `cfg_parse_listen()` and its keyword lists do.

use std::collections::HashMap;

use super::{Kind, Refusal, cap};
use crate::source::{FileId, Span};
use crate::syntax::include::Tree;
use crate::syntax::nginx::{Arg, Directive, File};
use crate::tables::haproxy::{self as table, Row, branch, sect};
use crate::version::Version;

pub fn check(tree: &Tree, files: &HashMap<FileId, File>, version: Option<Version>) -> Vec<Refusal> {
    let mut w = Walk {
        version,
        out: Vec::new(),
    };
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
                    if section != "defaults"
                        && let Some(extra) = d.args.get(1)
                        && extra.value.as_str() != "from"
                        && d.condition().is_none()
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
    out: Vec<Refusal>,
}

impl Walk {
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
            match keyword {
                "server" | "default-server" | "server-template" if scope == "proxy" => {
                    let skip = match keyword {
                        "server" => 2,
                        "server-template" => 3,
                        _ => 0,
                    };
                    self.words(d, skip, "server", keyword, proxy);
                }
                "bind" if scope == "proxy" => {
                    self.words(d, 1, "bind", keyword, proxy.map(|_| section_name(section)));
                    self.bind_certificate(d, proxy);
                }
                _ => {}
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
