//! The six kinds of mutation. A [`Site`] is where one applies (a file, a statement or line, a
//! variant); the choices a mutation makes there (which letter, which context, which argument)
//! come from a [`Rng`] seeded with the base's name and the site, so every run makes the same
//! mutants. HAProxy lines under `.if` are left alone: whether HAProxy reads them depends on the
//! environment, so its verdict on them would measure this machine's variables.

use crate::bases::{Base, DIR, Dialect, splice};
use crate::lex::{self, Span, Stmt};
use crate::rng::Rng;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Kind {
    Syntax,
    Name,
    Context,
    Args,
    Ancestor,
    Duplicate,
}

pub const KINDS: [Kind; 6] = [
    Kind::Syntax,
    Kind::Name,
    Kind::Context,
    Kind::Args,
    Kind::Ancestor,
    Kind::Duplicate,
];

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Syntax => "1-syntax",
            Kind::Name => "2-name",
            Kind::Context => "3-context",
            Kind::Args => "4-args",
            Kind::Ancestor => "5-ancestor",
            Kind::Duplicate => "6-duplicate",
        }
    }

    pub fn about(self, d: Dialect) -> &'static str {
        match (self, d) {
            (Kind::Syntax, Dialect::Nginx) => "one `;` dropped",
            (Kind::Syntax, Dialect::Haproxy) => "two lines joined",
            (Kind::Name, _) => "a directive/keyword name changed by one letter",
            (Kind::Context, Dialect::Nginx) => "a directive moved into another block",
            (Kind::Context, Dialect::Haproxy) => {
                "a line moved to another kind of section, or a server/bind flag to the section line"
            }
            (Kind::Args, _) => "one argument added or removed",
            (Kind::Ancestor, Dialect::Nginx) => "`listen … ssl` ↔ `ssl on;`",
            (Kind::Ancestor, Dialect::Haproxy) => {
                "a keyword replaced by its removed ancestor (contimeout, reqirep…), or `nbproc 2`"
            }
            (Kind::Duplicate, _) => "a directive duplicated in its block",
        }
    }
}

/// Where a mutation applies: a file of the base, a statement (nginx) or line (HAProxy) of it,
/// and a variant (add or remove an argument, …).
#[derive(Clone, Copy, Debug)]
pub struct Site {
    pub file: usize,
    pub at: usize,
    pub variant: u8,
}

/// One mutant: the base, the changed file and its new text, and what changed, for the report
/// (`file:line: the mutated line (note)`).
pub struct Mutant {
    pub base: usize,
    pub kind: Kind,
    pub file: usize,
    pub text: String,
    pub what: String,
}

/// The sites of a kind in a base, in a fixed shuffled order.
pub fn sites(base: &Base, kind: Kind) -> Vec<Site> {
    let mut out = Vec::new();
    for &f in &base.mutable {
        let text = &base.files[f].1;
        match base.dialect {
            Dialect::Nginx => {
                if let Some(stmts) = lex::nginx(text) {
                    nginx_sites(text, &stmts, kind, f, &mut out);
                }
            }
            Dialect::Haproxy => haproxy_sites(text, kind, f, &mut out),
        }
    }
    Rng::new(&[&base.name, &kind.label()]).shuffle(&mut out);
    out
}

/// The mutant at a site, or None when the site offers nothing (no other context, …).
pub fn mutant(bi: usize, base: &Base, kind: Kind, site: Site) -> Option<Mutant> {
    let text = &base.files[site.file].1;
    let mut rng = Rng::new(&[
        &base.name,
        &kind.label(),
        &site.file,
        &site.at,
        &site.variant,
    ]);
    let (edits, focus, note) = match base.dialect {
        Dialect::Nginx => nginx_mutation(base, text, kind, site, &mut rng)?,
        Dialect::Haproxy => haproxy_mutation(text, kind, site, &mut rng)?,
    };
    // Where the focus lands in the new text: after every edit before it (an insertion at the
    // focus itself stays after it, so the focus is the inserted text).
    let shift: isize = edits
        .iter()
        .filter(|(r, _)| r.start < focus && r.end <= focus)
        .map(|(r, w)| w.len() as isize - r.len() as isize)
        .sum();
    let new = splice(text, edits);
    if new == *text {
        return None;
    }
    let focus = (focus as isize + shift).max(0) as usize;
    let (n, line) = lex::line_at(&new, focus);
    let mut line = line.trim().replace(DIR, "DIR");
    if line.chars().count() > 140 {
        line = format!("{}…", line.chars().take(140).collect::<String>());
    }
    Some(Mutant {
        base: bi,
        kind,
        file: site.file,
        what: format!("{}:{n}: `{line}`{note}", base.files[site.file].0),
        text: new,
    })
}

type Edits = (Vec<(Span, String)>, usize, String);

/// Blocks whose contents are values, not directives.
const VALUE_BLOCKS: &[&str] = &[
    "map",
    "geo",
    "types",
    "split_clients",
    "charset_map",
    "match",
];

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// A statement mutations may touch: a directive (a plain name), not a value of a `map`.
fn eligible(text: &str, stmts: &[Stmt], i: usize) -> bool {
    if !is_word(&text[stmts[i].name.clone()]) {
        return false;
    }
    let mut p = stmts[i].parent;
    while let Some(j) = p {
        if VALUE_BLOCKS.contains(&&text[stmts[j].name.clone()]) {
            return false;
        }
        p = stmts[j].parent;
    }
    true
}

fn nginx_sites(text: &str, stmts: &[Stmt], kind: Kind, file: usize, out: &mut Vec<Site>) {
    let site = |at, variant| Site { file, at, variant };
    for (i, s) in stmts.iter().enumerate() {
        if !eligible(text, stmts, i) {
            continue;
        }
        let name = &text[s.name.clone()];
        match kind {
            Kind::Syntax if !s.is_block() => out.push(site(i, 0)),
            Kind::Name | Kind::Context | Kind::Duplicate => out.push(site(i, 0)),
            Kind::Args => {
                if !s.args.is_empty() {
                    out.push(site(i, 0));
                }
                out.push(site(i, 1));
            }
            Kind::Ancestor => {
                if name == "listen" && s.args.iter().any(|a| &text[a.clone()] == "ssl") {
                    out.push(site(i, 0));
                }
                if name == "ssl" && s.args.len() == 1 && &text[s.args[0].clone()] == "on" {
                    out.push(site(i, 1));
                }
            }
            _ => {}
        }
    }
}

/// The context each file's top level is in: `main` for the root, else that of the `include`
/// that reads it.
fn tops(base: &Base) -> Vec<String> {
    let mut tops: Vec<Option<String>> = vec![None; base.files.len()];
    tops[base.root] = Some("main".to_string());
    let root_dir = std::path::Path::new(base.root_path())
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    for _ in 0..4 {
        for f in 0..base.files.len() {
            let Some(top) = tops[f].clone() else { continue };
            let text = &base.files[f].1;
            let Some(stmts) = lex::nginx(text) else {
                continue;
            };
            for s in stmts.iter().filter(|s| &text[s.name.clone()] == "include") {
                let Some(a) = s.args.first() else { continue };
                let p = text[a.clone()].trim_matches(|c| c == '"' || c == '\'');
                let p = match p.strip_prefix(&format!("{DIR}/")) {
                    Some(p) => p.to_string(),
                    None if root_dir.is_empty() => p.to_string(),
                    None => format!("{root_dir}/{p}"),
                };
                let Ok(pattern) = glob::Pattern::new(&p) else {
                    continue;
                };
                let ctx = s
                    .parent
                    .map_or(top.clone(), |j| text[stmts[j].name.clone()].to_string());
                for (g, (path, _)) in base.files.iter().enumerate() {
                    if tops[g].is_none() && pattern.matches(path) {
                        tops[g] = Some(ctx.clone());
                    }
                }
            }
        }
    }
    tops.into_iter()
        .map(|t| t.unwrap_or_else(|| "top".to_string()))
        .collect()
}

fn letter_edit(word: &str, rng: &mut Rng, alphabet: &[u8]) -> Option<String> {
    let b = word.as_bytes();
    let mut out = b.to_vec();
    match rng.below(3) {
        0 => {
            let p = rng.below(b.len());
            let others: Vec<u8> = alphabet.iter().copied().filter(|&c| c != b[p]).collect();
            out[p] = *rng.pick(&others);
        }
        1 if b.len() > 1 => {
            out.remove(rng.below(b.len()));
        }
        _ => out.insert(rng.below(b.len() + 1), *rng.pick(alphabet)),
    }
    String::from_utf8(out).ok()
}

/// The argument to add: a copy of the last one, or a word of the kind directives take.
fn extra_arg(last: Option<&str>, rng: &mut Rng) -> String {
    let mut pool = vec!["on", "1", "x"];
    if let Some(l) = last {
        pool.push(l);
        pool.push(l);
    }
    rng.pick(&pool).to_string()
}

fn nginx_mutation(base: &Base, text: &str, kind: Kind, site: Site, rng: &mut Rng) -> Option<Edits> {
    let stmts = lex::nginx(text)?;
    let s = stmts.get(site.at)?;
    let name = &text[s.name.clone()];
    let label = |j: Option<usize>, tops: &[String]| match j {
        Some(j) => text[stmts[j].name.clone()].to_string(),
        None => tops[site.file].clone(),
    };
    let last_end = s.args.last().map_or(s.name.end, |a| a.end);
    match kind {
        Kind::Syntax => Some((
            vec![(s.end..s.end + 1, String::new())],
            s.name.start,
            String::new(),
        )),
        Kind::Name => {
            let new = letter_edit(name, rng, b"abcdefghijklmnopqrstuvwxyz_")?;
            Some((vec![(s.name.clone(), new)], s.name.start, String::new()))
        }
        Kind::Context => {
            let tops = tops(base);
            let here = label(s.parent, &tops);
            let range = s.range();
            let mut dests: Vec<(usize, String)> = Vec::new();
            if s.parent.is_some() {
                dests.push((0, tops[site.file].clone()));
            }
            for (j, b) in stmts.iter().enumerate() {
                let inside = b.name.start >= range.start && b.name.start < range.end;
                if b.is_block() && !inside && Some(j) != s.parent && eligible(text, &stmts, j) {
                    dests.push((b.end + 1, text[b.name.clone()].to_string()));
                }
            }
            dests.retain(|(_, l)| *l != here);
            dests.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            if dests.is_empty() {
                return None;
            }
            // First the kind of context, then one block of that kind.
            let mut kinds: Vec<&str> = dests.iter().map(|(_, l)| l.as_str()).collect();
            kinds.dedup();
            let to = rng.pick(&kinds).to_string();
            let of_kind: Vec<usize> = dests
                .iter()
                .filter(|(_, l)| *l == to)
                .map(|(p, _)| *p)
                .collect();
            let at = *rng.pick(&of_kind);
            let moved = &text[range.clone()];
            let ins = if at == 0 {
                format!("{moved} ")
            } else {
                format!(" {moved}")
            };
            Some((
                vec![(range, String::new()), (at..at, ins)],
                at,
                format!(" (moved from {here} into {to})"),
            ))
        }
        Kind::Args => {
            if site.variant == 0 {
                let k = rng.below(s.args.len());
                let from = if k == 0 {
                    s.name.end
                } else {
                    s.args[k - 1].end
                };
                let gone = &text[s.args[k].clone()];
                Some((
                    vec![(from..s.args[k].end, String::new())],
                    s.name.start,
                    format!(" (removed `{gone}`)"),
                ))
            } else {
                let w = extra_arg(s.args.last().map(|a| &text[a.clone()]), rng);
                Some((
                    vec![(last_end..last_end, format!(" {w}"))],
                    s.name.start,
                    format!(" (added `{w}`)"),
                ))
            }
        }
        Kind::Ancestor => {
            if site.variant == 0 {
                let a = s.args.iter().position(|a| &text[a.clone()] == "ssl")?;
                let from = if a == 0 {
                    s.name.end
                } else {
                    s.args[a - 1].end
                };
                Some((
                    vec![
                        (from..s.args[a].end, String::new()),
                        (s.end + 1..s.end + 1, " ssl on;".to_string()),
                    ],
                    s.name.start,
                    " (listen … ssl → ssl on;)".to_string(),
                ))
            } else {
                let mut edits = vec![(s.range(), String::new())];
                let mut focus = None;
                for l in stmts.iter().filter(|l| l.parent == s.parent) {
                    let plain = &text[l.name.clone()] == "listen"
                        && !l.args.iter().any(|a| &text[a.clone()] == "ssl");
                    if plain {
                        let end = l.args.last().map_or(l.name.end, |a| a.end);
                        edits.push((end..end, " ssl".to_string()));
                        focus.get_or_insert(l.name.start);
                    }
                }
                Some((edits, focus?, " (ssl on; → listen … ssl)".to_string()))
            }
        }
        Kind::Duplicate => {
            let range = s.range();
            let copy = format!(" {}", &text[range.clone()]);
            Some((vec![(range.end..range.end, copy)], range.end, String::new()))
        }
    }
}

const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "resolvers",
    "peers",
    "userlist",
    "cache",
    "program",
    "http-errors",
    "ring",
    "mailers",
    "fcgi-app",
    "log-forward",
];

/// Flags of `server` and `bind` lines that take no value.
const FLAGS: &[&str] = &[
    "check",
    "backup",
    "ssl",
    "send-proxy",
    "send-proxy-v2",
    "disabled",
    "no-check",
    "accept-proxy",
    "v4v6",
    "v6only",
    "transparent",
    "defer-accept",
    "tfo",
    "allow-0rtt",
    "check-ssl",
];

/// How many words make the keyword (`timeout connect`, `no option httplog`).
fn keyword_words(words: &[&str]) -> usize {
    let k = match words {
        ["no", "option", ..] => 3,
        [
            "timeout"
            | "option"
            | "http-request"
            | "http-response"
            | "http-after-response"
            | "tcp-request"
            | "tcp-response"
            | "http-check"
            | "tcp-check"
            | "stats"
            | "http-error",
            ..,
        ] => 2,
        _ => 1,
    };
    k.min(words.len())
}

struct HLine<'a> {
    line: lex::Line,
    words: Vec<&'a str>,
    /// The header line of the section the line is in (itself for a header).
    section: Option<usize>,
    /// A `.if`/`.elif`/`.else`/`.endif` line or one inside such a block: whether HAProxy reads
    /// it depends on the environment, so no mutation touches it.
    conditional: bool,
}

fn haproxy_lines(text: &str) -> Vec<HLine<'_>> {
    let mut out = Vec::new();
    let mut section = None;
    let mut depth = 0usize;
    for (i, line) in lex::haproxy(text).into_iter().enumerate() {
        let words: Vec<&str> = line.words.iter().map(|w| &text[w.clone()]).collect();
        if words.first().is_some_and(|w| SECTIONS.contains(w)) {
            section = Some(i);
        }
        let directive = words.first().is_some_and(|w| w.starts_with('.'));
        match words.first().copied() {
            Some(".if") => depth += 1,
            Some(".endif") => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(HLine {
            line,
            words,
            section,
            conditional: directive || depth > 0,
        });
    }
    out
}

fn is_header(l: &HLine) -> bool {
    l.words.first().is_some_and(|w| SECTIONS.contains(w))
}

fn haproxy_sites(text: &str, kind: Kind, file: usize, out: &mut Vec<Site>) {
    let lines = haproxy_lines(text);
    let site = |at, variant| Site { file, at, variant };
    if kind == Kind::Ancestor {
        out.push(site(0, 9));
    }
    for (i, l) in lines.iter().enumerate() {
        let w = &l.words;
        if w.is_empty() || l.conditional {
            continue;
        }
        let k = keyword_words(w);
        match kind {
            Kind::Syntax => {
                let next = lines.get(i + 1);
                if !l.line.comment && next.is_some_and(|n| !n.words.is_empty() && !n.conditional) {
                    out.push(site(i, 0));
                }
            }
            Kind::Name => {
                if w[0]
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
                {
                    out.push(site(i, 0));
                }
            }
            Kind::Context => {
                if !is_header(l) && l.section.is_some() {
                    out.push(site(i, 0));
                    let flags = matches!(w[0], "server" | "default-server" | "bind")
                        && w.iter().skip(2).any(|x| FLAGS.contains(x));
                    if flags {
                        out.push(site(i, 1));
                    }
                }
            }
            Kind::Args => {
                if w.len() > k {
                    out.push(site(i, 0));
                }
                out.push(site(i, 1));
            }
            Kind::Ancestor => {
                let v = match w.as_slice() {
                    ["timeout", "connect" | "client" | "server", _, ..] => 0,
                    ["http-request", "replace-header", _, _, _, ..] => 1,
                    ["http-request", "add-header", _, _, ..] => 2,
                    ["http-response", "add-header", _, _, ..] => 3,
                    ["http-request", "del-header", _, ..] => 4,
                    ["option", "redispatch", ..] => 5,
                    _ => continue,
                };
                out.push(site(i, v));
            }
            Kind::Duplicate => out.push(site(i, 0)),
        }
    }
}

/// Where to insert a new line after `line`, and the text to insert (the focus is the new line).
fn after_line(text: &str, line: &lex::Line, new: &str) -> (usize, String) {
    if line.end < text.len() {
        (line.end + 1, format!("{new}\n"))
    } else {
        (line.end, format!("\n{new}"))
    }
}

fn haproxy_mutation(text: &str, kind: Kind, site: Site, rng: &mut Rng) -> Option<Edits> {
    let lines = haproxy_lines(text);
    if kind == Kind::Ancestor && site.variant == 9 {
        let global = lines
            .iter()
            .find(|l| l.words.first() == Some(&"global") && !l.conditional);
        return Some(match global {
            Some(g) => {
                let (at, ins) = after_line(text, &g.line, "    nbproc 2");
                (vec![(at..at, ins)], at, " (added to global)".to_string())
            }
            None => (
                vec![(0..0, "global\n    nbproc 2\n".to_string())],
                8,
                " (a global section added)".to_string(),
            ),
        });
    }
    let l = lines.get(site.at)?;
    let w = &l.words;
    let span = |k: usize| l.line.words[k].clone();
    let k = keyword_words(w);
    let sec_name = |h: usize| lines[h].words.join(" ");
    match kind {
        Kind::Syntax => {
            let next = &lines[site.at + 1];
            let gap = span(w.len() - 1).end..next.line.words[0].start;
            Some((vec![(gap, " ".to_string())], l.line.start, String::new()))
        }
        Kind::Name => {
            let i = if k > 1 && rng.below(2) == 1 { 1 } else { 0 };
            let new = letter_edit(w[i], rng, b"abcdefghijklmnopqrstuvwxyz")?;
            Some((vec![(span(i), new)], l.line.start, String::new()))
        }
        Kind::Context if site.variant == 0 => {
            let here = l.section?;
            let kind_of = |h: usize| lines[h].words[0];
            let dests: Vec<usize> = (0..lines.len())
                .filter(|&h| is_header(&lines[h]) && !lines[h].conditional)
                .filter(|&h| kind_of(h) != kind_of(here))
                .collect();
            if dests.is_empty() {
                return None;
            }
            let mut kinds: Vec<&str> = dests.iter().map(|&h| kind_of(h)).collect();
            kinds.sort();
            kinds.dedup();
            let to = *rng.pick(&kinds);
            let of_kind: Vec<usize> = dests
                .iter()
                .copied()
                .filter(|&h| kind_of(h) == to)
                .collect();
            let d = *rng.pick(&of_kind);
            let moved = &text[span(0).start..l.line.end].trim_end();
            let remove = l.line.start..(l.line.end + 1).min(text.len());
            let (at, ins) = after_line(text, &lines[d].line, &format!("    {moved}"));
            Some((
                vec![(remove, String::new()), (at..at, ins)],
                at,
                format!(" (moved from `{}` into `{}`)", sec_name(here), sec_name(d)),
            ))
        }
        Kind::Context => {
            let here = l.section?;
            let flags: Vec<usize> = (2..w.len()).filter(|&i| FLAGS.contains(&w[i])).collect();
            let f = *rng.pick(&flags);
            let header = &lines[here];
            let end = header.line.words.last()?.end;
            Some((
                vec![
                    (span(f - 1).end..span(f).end, String::new()),
                    (end..end, format!(" {}", w[f])),
                ],
                header.line.start,
                format!(
                    " (`{}` moved from `{}`)",
                    w[f],
                    w[..2.min(w.len())].join(" ")
                ),
            ))
        }
        Kind::Args => {
            if site.variant == 0 {
                let i = k + rng.below(w.len() - k);
                Some((
                    vec![(span(i - 1).end..span(i).end, String::new())],
                    l.line.start,
                    format!(" (removed `{}`)", w[i]),
                ))
            } else {
                let a = extra_arg((w.len() > k).then(|| *w.last().unwrap()), rng);
                let end = span(w.len() - 1).end;
                Some((
                    vec![(end..end, format!(" {a}"))],
                    l.line.start,
                    format!(" (added `{a}`)"),
                ))
            }
        }
        Kind::Ancestor => {
            let rest = |from: usize| w[from..].join(" ");
            let header = |h: &str| h.replace(' ', "\\ ");
            let new = match site.variant {
                0 => {
                    let old = match w[1] {
                        "connect" => "contimeout",
                        "client" => "clitimeout",
                        _ => "srvtimeout",
                    };
                    format!("{old} {}", rest(2))
                }
                1 => format!(
                    "reqirep ^{}:\\ {} {}:\\ {}",
                    w[2],
                    w[3],
                    header(w[2]),
                    rest(4)
                ),
                2 => format!("reqadd {}:\\ {}", w[2], header(&rest(3))),
                3 => format!("rspadd {}:\\ {}", w[2], header(&rest(3))),
                4 => format!("reqidel ^{}:", w[2]),
                _ => format!("redispatch {}", rest(2)).trim_end().to_string(),
            };
            let all = span(0).start..span(w.len() - 1).end;
            Some((vec![(all, new)], l.line.start, String::new()))
        }
        Kind::Duplicate => {
            let (at, ins) = after_line(text, &l.line, &text[l.line.start..l.line.end]);
            Some((vec![(at..at, ins)], at, String::new()))
        }
    }
}
