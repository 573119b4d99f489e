//! HAProxy: `http-check expect` that passes only on error statuses, or fails on 200.

use crate::model::sections::{proxies, section_named};
use super::Context;
use crate::finding::{Finding, Severity};

declare_rule! {
    code: "GW310",
    name: "http-check-expects-error",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`http-check expect` accepts only error statuses (`status 500`, `rstatus ^5`) or rejects 200 (`! status 200`): healthy servers are marked DOWN",
}

/// The options of `http-check expect` before the match, each with one argument.
const OPTIONS: [&str; 8] = [
    "min-recv",
    "comment",
    "ok-status",
    "error-status",
    "tout-status",
    "on-success",
    "on-error",
    "status-code",
];

/// The statuses a check can see.
const STATUSES: std::ops::RangeInclusive<u16> = 100..=599;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxies(proxy) {
        for d in scope
            .directives
            .iter()
            .filter(|d| d.name() == "http-check" && d.arg(0) == Some("expect"))
        {
            let words: Vec<&str> = d.args()[1..].iter().map(|a| a.value.as_str()).collect();
            let Some(expect) = parse(&words) else {
                continue;
            };
            let Some(matches) = expect.matcher() else {
                continue;
            };
            let passes = |code: u16| matches(code) != expect.negated;
            let accepted: Vec<u16> = STATUSES.filter(|c| passes(*c)).collect();
            let place = section_named(proxy, id);
            let written = format!("`http-check expect {}`", words.join(" "));
            let (message, severity) = if expect.negated && !passes(200) {
                (
                    format!(
                        "{written} in {place} fails the check when the server answers 200: a healthy server is marked DOWN (`Layer7 wrong status, code: 200`), and with every server DOWN requests get 503 (`<NOSRV>`, `SC--`)"
                    ),
                    Severity::Warning,
                )
            } else if accepted.iter().all(|c| *c >= 400) {
                let server_errors = accepted.iter().any(|c| *c >= 500);
                let shown = if accepted.is_empty() {
                    "on no status at all".to_string()
                } else {
                    format!("only on {}", classes(&accepted))
                };
                if server_errors || accepted.is_empty() {
                    (
                        format!(
                            "{written} in {place} passes the check {shown}: a healthy server that answers 200 is marked DOWN (`Layer7 wrong status, code: 200`), and with every server DOWN requests get 503 (`<NOSRV>`, `SC--`); a failing server stays UP and keeps its share of requests"
                        ),
                        Severity::Warning,
                    )
                } else {
                    // 401/403 from an endpoint behind authentication does mean the
                    // application answers.
                    (
                        format!(
                            "{written} in {place} passes the check {shown}: right only for a check URI that needs authentication, otherwise a healthy server that answers 200 is marked DOWN and requests get 503 (`<NOSRV>`) when all are"
                        ),
                        Severity::Info,
                    )
                }
            } else {
                continue;
            };
            out.push(
                Finding::new(&RULE, d.span(), message)
                    .severity(severity)
                    .label("passes on errors")
                    .help(
                        "expect what a healthy server answers: `http-check expect status 200` (or a range such as `status 200-399`); to fail on errors, negate them: `http-check expect ! rstatus ^5`",
                    ),
            );
        }
    }
}

/// One `http-check expect` line: the match keyword, its pattern, and a `!` before it.
struct Expect<'w> {
    negated: bool,
    keyword: &'w str,
    pattern: &'w str,
}

fn parse<'w>(words: &[&'w str]) -> Option<Expect<'w>> {
    let mut k = 0;
    while k < words.len() && OPTIONS.contains(&words[k]) {
        k += 2;
    }
    let mut negated = false;
    let mut keyword = *words.get(k)?;
    // `! status` and `!status` are both written.
    if keyword == "!" {
        negated = true;
        k += 1;
        keyword = words.get(k)?;
    } else if let Some(rest) = keyword.strip_prefix('!') {
        negated = true;
        keyword = rest;
    }
    Some(Expect {
        negated,
        keyword,
        pattern: words.get(k + 1)?,
    })
}

impl Expect<'_> {
    /// Which statuses the pattern matches (before `!`); None for a body or header match, or
    /// a pattern gwlint cannot read.
    fn matcher(&self) -> Option<Box<dyn Fn(u16) -> bool>> {
        match self.keyword {
            "status" => {
                let mut ranges = Vec::new();
                for item in self.pattern.split(',') {
                    let (a, b) = item.split_once('-').unwrap_or((item, item));
                    ranges.push((a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?));
                }
                Some(Box::new(move |c| {
                    ranges.iter().any(|(a, b)| (*a..=*b).contains(&c))
                }))
            }
            "rstatus" => {
                let re = StatusRegex::parse(self.pattern)?;
                Some(Box::new(move |c| re.is_match(&c.to_string())))
            }
            _ => None,
        }
    }
}

/// The regular expressions written for status codes: alternatives (`|`) of digits, `.`,
/// `\d` and classes (`[45]`, `[0-9]`), each matching one character, with `^` and `$`
/// anchors. Anything else (quantifiers, groups) is not read.
struct StatusRegex {
    /// Anchored at the start, the characters (each a set of byte ranges), anchored at the end.
    alternatives: Vec<(bool, Vec<CharSet>, bool)>,
}

type CharSet = Vec<(u8, u8)>;

impl StatusRegex {
    fn parse(pattern: &str) -> Option<StatusRegex> {
        let mut alternatives = Vec::new();
        for alt in pattern.split('|') {
            let mut b = alt.as_bytes();
            let start = b.first() == Some(&b'^');
            if start {
                b = &b[1..];
            }
            let end = b.last() == Some(&b'$');
            if end {
                b = &b[..b.len() - 1];
            }
            let mut atoms = Vec::new();
            let mut k = 0;
            while k < b.len() {
                let atom = match b[k] {
                    c @ b'0'..=b'9' => vec![(c, c)],
                    b'.' => vec![(0, 255)],
                    b'\\' if b.get(k + 1) == Some(&b'd') => {
                        k += 1;
                        vec![(b'0', b'9')]
                    }
                    b'[' => {
                        let close = k + b[k..].iter().position(|c| *c == b']')?;
                        let inner = &b[k + 1..close];
                        if inner.first() == Some(&b'^') {
                            return None;
                        }
                        let mut set = Vec::new();
                        let mut i = 0;
                        while i < inner.len() {
                            if i + 2 < inner.len() && inner[i + 1] == b'-' {
                                set.push((inner[i], inner[i + 2]));
                                i += 3;
                            } else {
                                set.push((inner[i], inner[i]));
                                i += 1;
                            }
                        }
                        k = close;
                        set
                    }
                    _ => return None,
                };
                atoms.push(atom);
                k += 1;
            }
            alternatives.push((start, atoms, end));
        }
        Some(StatusRegex { alternatives })
    }

    /// Matches anywhere in `text`, as HAProxy's `rstatus` does, unless anchored.
    fn is_match(&self, text: &str) -> bool {
        let t = text.as_bytes();
        self.alternatives.iter().any(|(start, atoms, end)| {
            let Some(last) = t.len().checked_sub(atoms.len()) else {
                return false;
            };
            (0..=last)
                .filter(|at| !start || *at == 0)
                .filter(|at| !end || at + atoms.len() == t.len())
                .any(|at| {
                    atoms
                        .iter()
                        .enumerate()
                        .all(|(i, set)| set.iter().any(|(lo, hi)| (*lo..=*hi).contains(&t[at + i])))
                })
        })
    }
}

/// The statuses as written for a message: `500`, `5xx`, `4xx and 5xx`, `500-504`.
fn classes(codes: &[u16]) -> String {
    let whole = |h: u16| (h..h + 100).all(|c| codes.contains(&c));
    let mut parts = Vec::new();
    let mut rest: Vec<u16> = Vec::new();
    for h in [100, 200, 300, 400, 500] {
        if whole(h) {
            parts.push(format!("{}xx", h / 100));
        } else {
            rest.extend(codes.iter().filter(|c| (h..h + 100).contains(*c)));
        }
    }
    // Runs of the remaining codes.
    let mut k = 0;
    while k < rest.len() {
        let mut e = k;
        while e + 1 < rest.len() && rest[e + 1] == rest[e] + 1 {
            e += 1;
        }
        parts.push(if e == k {
            rest[k].to_string()
        } else {
            format!("{}-{}", rest[k], rest[e])
        });
        k = e + 1;
    }
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} and {last}", init.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(line: &str) -> Option<(bool, Vec<u16>)> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let e = parse(&words)?;
        let m = e.matcher()?;
        let accepted = STATUSES.filter(|c| m(*c) != e.negated).collect();
        Some((e.negated, accepted))
    }

    #[test]
    fn reads_the_expect_line() {
        let (neg, acc) = verdict("status 500").unwrap();
        assert!(!neg && acc == [500]);
        let (_, acc) = verdict("comment x ok-status L7OK rstatus ^5").unwrap();
        assert_eq!(classes(&acc), "5xx");
        let (neg, acc) = verdict("! status 200").unwrap();
        assert!(neg && !acc.contains(&200));
        let (neg, _) = verdict("!status 200-399").unwrap();
        assert!(neg);
        let (_, acc) = verdict("status 200,301-302").unwrap();
        assert_eq!(classes(&acc), "200 and 301-302");
        assert!(verdict("string OK").is_none());
        assert!(verdict("status").is_none());
        assert!(verdict("rstatus ^5+").is_none(), "a quantifier is not read");
        assert!(verdict("rstatus ^(2|3)").is_none(), "a group is not read");
        let (_, acc) = verdict("rstatus ^2..$|^30[12]$").unwrap();
        assert_eq!(classes(&acc), "2xx and 301-302");
        let (_, acc) = verdict("rstatus 5\\d\\d").unwrap();
        assert_eq!(classes(&acc), "5xx");
        assert_eq!(classes(&[401, 403, 500, 501, 502]), "401, 403 and 500-502");
    }
}
