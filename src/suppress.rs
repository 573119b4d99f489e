//! Inline suppressions, written in the linted file's own comments (nginx and HAProxy both use
//! `#`):
//!
//! ```text
//! proxy_pass http://legacy;  # gwlint: ignore[GW101] resolved by the host's /etc/hosts
//! # gwlint: ignore[missing-timeouts] timeouts come from the included defaults
//! location / { … }
//! # gwlint: ignore-file[GW303] the queue is in the load balancer in front
//! ```
//!
//! At the end of a line, a suppression covers findings on that line (and the rest of the
//! statement when it spans lines); alone on a line, it covers the next statement — for a block,
//! its opening line only, not what is inside. The comments come from the parsers; nothing is
//! re-read.

use crate::finding::Finding;
use crate::rules::RULES;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::nginx::{Directive, File};

/// One `# gwlint: ignore[…]` or `# gwlint: ignore-file[…]` comment.
#[derive(Debug, Clone)]
pub(crate) struct Suppression {
    /// The whole comment.
    pub(crate) span: Span,
    pub(crate) file_wide: bool,
    /// The rules named, each with its place in the comment and whether it suppressed anything.
    pub(crate) rules: Vec<Named>,
    /// The text after `]`, if any.
    pub(crate) reason: Option<String>,
    /// The lines whose findings it covers (1-based, inclusive); unused when file-wide.
    pub(crate) lines: (usize, usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub(crate) selector: String,
    pub(crate) span: Span,
    pub(crate) used: bool,
}

/// A comment that starts like a suppression but cannot work.
#[derive(Debug, Clone)]
pub(crate) struct Invalid {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// What every suppression comment holds: `# gwlint:`.
const MARKER: &str = "gwlint:";

/// The suppressions of one parsed file, and the comments that try to be one and fail.
pub(crate) fn scan(
    id: FileId,
    src: &SourceFile,
    parsed: &File,
) -> (Vec<Suppression>, Vec<Invalid>) {
    let mut out = Vec::new();
    let mut invalid = Vec::new();
    // Most files hold no suppression: one pass over the text for the marker settles it, and
    // only then are comments read and statements placed.
    let marker = memchr::memmem::Finder::new(MARKER);
    if marker.find(src.text.as_bytes()).is_none() {
        return (out, invalid);
    }
    let mut statements: Option<Statements> = None;
    for &comment in &parsed.comments {
        let text = src.slice(comment);
        if marker.find(text.as_bytes()).is_none() {
            continue;
        }
        match parse(text) {
            None => {}
            Some(Err((offset, message, help))) => invalid.push(Invalid {
                span: Span::new(id, comment.start as usize + offset, comment.end as usize),
                message,
                help,
            }),
            Some(Ok(p)) => {
                let statements = statements.get_or_insert_with(|| Statements::of(src, parsed));
                let line = src.line(comment.start as usize);
                let line_start = src.text[..comment.start as usize]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let alone = src.text[line_start..comment.start as usize]
                    .trim()
                    .is_empty();
                let lines = if alone {
                    // The next statement: its first line to the line of its `;` or `{`.
                    statements.next_after(comment.end as usize)
                } else {
                    // This line, and the whole statement when it runs over several lines.
                    statements.around(line)
                };
                let mut rules = Vec::new();
                for (s, range) in p.rules {
                    let span = Span::new(
                        id,
                        comment.start as usize + range.start,
                        comment.start as usize + range.end,
                    );
                    if RULES.iter().any(|r| r.matches(&s)) {
                        rules.push(Named {
                            selector: s,
                            span,
                            used: false,
                        });
                    } else {
                        invalid.push(Invalid {
                            span,
                            message: format!("the suppression names \"{s}\", which is no rule"),
                            help: crate::config::file::suggest_rule(&s),
                        });
                    }
                }
                if rules.is_empty() {
                    continue;
                }
                out.push(Suppression {
                    span: comment,
                    file_wide: p.file_wide,
                    rules,
                    reason: p.reason,
                    lines,
                });
            }
        }
    }
    (out, invalid)
}

/// Every statement of a file, from its name to its `;` or `{` (blocks' contents are their own
/// statements), as (start offset, first line, last line), sorted by start.
struct Statements {
    rows: Vec<(usize, usize, usize)>,
    /// The most lines one statement spans, less one: bounds the search for a line's statements.
    longest: usize,
}

impl Statements {
    fn of(src: &SourceFile, parsed: &File) -> Statements {
        let mut spans = Vec::new();
        collect(&parsed.directives, &mut spans);
        let mut rows: Vec<(usize, usize, usize)> = spans
            .iter()
            .map(|s| {
                (
                    s.start as usize,
                    src.line(s.start as usize),
                    end_line(src, *s),
                )
            })
            .collect();
        // Stable, and already in order for a parsed file: the first of equal starts stays first.
        rows.sort_by_key(|r| r.0);
        let longest = rows
            .iter()
            .map(|r| r.2.saturating_sub(r.1))
            .max()
            .unwrap_or(0);
        Statements { rows, longest }
    }

    /// The lines of the first statement that starts after `offset`; (0, 0) when none does.
    fn next_after(&self, offset: usize) -> (usize, usize) {
        let i = self.rows.partition_point(|r| r.0 <= offset);
        self.rows.get(i).map_or((0, 0), |&(_, a, b)| (a, b))
    }

    /// `line`, widened to every statement that runs over it.
    fn around(&self, line: usize) -> (usize, usize) {
        // Rows are in line order too; a statement over `line` starts at most `longest` before.
        let lo = self.rows.partition_point(|r| r.1 + self.longest < line);
        let hi = self.rows.partition_point(|r| r.1 <= line);
        self.rows[lo..hi.max(lo)]
            .iter()
            .filter(|(_, a, b)| *a <= line && line <= *b)
            .fold((line, line), |(lo, hi), &(_, a, b)| (lo.min(a), hi.max(b)))
    }
}

fn collect(directives: &[Directive], out: &mut Vec<Span>) {
    for d in directives {
        out.push(d.span);
        collect(d.children(), out);
    }
}

fn end_line(src: &SourceFile, s: Span) -> usize {
    src.line((s.end as usize).saturating_sub(1).max(s.start as usize))
}

struct Parsed {
    file_wide: bool,
    /// Each rule named, with its byte range in the comment.
    rules: Vec<(String, std::ops::Range<usize>)>,
    reason: Option<String>,
}

/// `# gwlint: ignore[a, b] reason`. None: not a gwlint comment. Err: a gwlint comment that
/// cannot work (offset in the comment, message, help).
fn parse(comment: &str) -> Option<Result<Parsed, (usize, String, String)>> {
    let body = comment.strip_prefix('#')?;
    let trimmed = body.trim_start();
    let rest = trimmed.strip_prefix("gwlint:")?;
    let mut at = comment.len() - rest.len();
    let directive = rest.trim_start();
    at += rest.len() - directive.len();
    let usage = "write # gwlint: ignore[GW101] reason, or # gwlint: ignore-file[GW101] reason";
    let (file_wide, list) = if let Some(l) = directive.strip_prefix("ignore-file[") {
        (true, l)
    } else if let Some(l) = directive.strip_prefix("ignore[") {
        (false, l)
    } else {
        let word: String = directive
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let message = if word == "ignore" || word == "ignore-file" {
            format!("\"{word}\" needs the rules it ignores in brackets: {word}[GW101]")
        } else {
            format!("unknown gwlint comment \"{word}\"; it suppresses nothing")
        };
        return Some(Err((at, message, usage.into())));
    };
    at += directive.len() - list.len();
    let Some(close) = list.find(']') else {
        return Some(Err((
            at,
            "the rule list is not closed with ]".into(),
            usage.into(),
        )));
    };
    let mut rules = Vec::new();
    let mut offset = at;
    for part in list[..close].split(',') {
        let word = part.trim();
        if !word.is_empty() {
            let start = offset + part.find(word).unwrap_or(0);
            rules.push((word.to_string(), start..start + word.len()));
        }
        offset += part.len() + 1;
    }
    if rules.is_empty() {
        return Some(Err((
            at,
            "the suppression names no rule".into(),
            "name the rules it is for: # gwlint: ignore[GW101] reason".into(),
        )));
    }
    let reason = list[close + 1..].trim();
    Some(Ok(Parsed {
        file_wide,
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    }))
}

/// Removes the findings the suppressions cover, marking which named rules did suppress.
/// Findings about suppressions themselves (GW011–GW013) are not suppressible inline.
pub(crate) fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &mut [Suppression],
    line_of: impl Fn(Span) -> usize,
) {
    use std::collections::HashMap;
    if suppressions.is_empty() {
        return;
    }
    // The suppressions that can cover a finding, by its file (file-wide ones) and by its
    // line: each finding looks at its own, not at every suppression of the run.
    let mut file_wide: HashMap<FileId, Vec<usize>> = HashMap::new();
    let mut by_line: HashMap<(FileId, usize), Vec<usize>> = HashMap::new();
    for (i, s) in suppressions.iter().enumerate() {
        if s.file_wide {
            file_wide.entry(s.span.file).or_default().push(i);
        } else {
            for line in s.lines.0..=s.lines.1 {
                by_line.entry((s.span.file, line)).or_default().push(i);
            }
        }
    }
    let lined: std::collections::HashSet<FileId> = by_line.keys().map(|k| k.0).collect();
    findings.retain(|f| {
        let file = f.span.file;
        let at_line = lined
            .contains(&file)
            .then(|| by_line.get(&(file, line_of(f.span))))
            .flatten();
        let mut covered = false;
        for &i in file_wide.get(&file).into_iter().chain(at_line).flatten() {
            for n in suppressions[i]
                .rules
                .iter_mut()
                .filter(|n| f.rule.matches(&n.selector))
            {
                n.used = true;
                covered = true;
            }
        }
        !covered
    });
}

#[cfg(test)]
mod tests {
    use super::{Named, Statements, Suppression, apply, parse};
    use crate::finding::Finding;
    use crate::source::{FileId, SourceMap, Span};

    #[test]
    fn apply_covers_by_file_and_by_line_and_marks_what_was_used() {
        let (a, b) = (FileId(0), FileId(1));
        let sup = |file, file_wide, rule: &str, lines| Suppression {
            span: Span::new(file, 0, 1),
            file_wide,
            rules: vec![Named {
                selector: rule.into(),
                span: Span::new(file, 0, 1),
                used: false,
            }],
            reason: None,
            lines,
        };
        let mut sups = vec![
            sup(a, false, "GW101", (3, 4)),
            sup(a, false, "GW201", (4, 4)),
            sup(b, true, "GW1", (0, 0)),
            sup(a, false, "GW301", (9, 9)),
        ];
        // A finding's line is its span's start, for the test.
        let at = |file, line: usize, rule| {
            Finding::new(
                crate::rules::find(rule).unwrap(),
                Span::new(file, line, line + 1),
                "m",
            )
        };
        let mut findings = vec![
            at(a, 4, "GW101"),
            at(a, 4, "GW202"),
            at(a, 5, "GW101"),
            at(b, 7, "GW102"),
            at(b, 7, "GW201"),
        ];
        apply(&mut findings, &mut sups, |s| s.start as usize);
        let left: Vec<(FileId, u32, &str)> = findings
            .iter()
            .map(|f| (f.span.file, f.span.start, f.rule.code))
            .collect();
        assert_eq!(left, [(a, 4, "GW202"), (a, 5, "GW101"), (b, 7, "GW201")]);
        let used: Vec<bool> = sups.iter().map(|s| s.rules[0].used).collect();
        assert_eq!(used, [true, false, true, false]);
    }

    #[test]
    fn statements_found_by_search_match_a_full_scan() {
        let mut text = String::from("http {\n");
        for i in 0..30 {
            match i % 3 {
                0 => text.push_str(&format!("  add_header X{i} v;\n")),
                1 => text.push_str(&format!("  location /{i}\n    /x {{\n  return 200;\n }}\n")),
                _ => text.push_str(&format!(
                    "  proxy_set_header\n    A{i}\n    b;  server_tokens off;\n"
                )),
            }
        }
        text.push_str("}\n");
        let mut sources = SourceMap::default();
        let id = sources.add(
            std::path::Path::new("t.conf"),
            "t.conf".into(),
            text.clone().into(),
        );
        let parsed = crate::syntax::nginx::parse(id, &text);
        let st = Statements::of(sources.get(id), &parsed);
        assert!(st.longest >= 2, "multi-line statements");
        let lines = text.lines().count() + 2;
        for line in 0..lines {
            let want = st
                .rows
                .iter()
                .filter(|(_, a, b)| *a <= line && line <= *b)
                .fold((line, line), |(lo, hi), &(_, a, b)| (lo.min(a), hi.max(b)));
            assert_eq!(st.around(line), want, "line {line}");
        }
        for offset in 0..text.len() + 1 {
            let want = st
                .rows
                .iter()
                .filter(|(start, _, _)| *start > offset)
                .min_by_key(|(start, _, _)| *start)
                .map_or((0, 0), |&(_, a, b)| (a, b));
            assert_eq!(st.next_after(offset), want, "offset {offset}");
        }
    }

    #[test]
    fn forms() {
        let p = parse("# gwlint: ignore[GW101, missing-timeouts] legacy host")
            .unwrap()
            .unwrap();
        assert!(!p.file_wide);
        let text = "# gwlint: ignore[GW101, missing-timeouts] legacy host";
        let names: Vec<_> = p
            .rules
            .iter()
            .map(|(s, r)| (s.as_str(), &text[r.clone()]))
            .collect();
        assert_eq!(
            names,
            [("GW101", "GW101"), ("missing-timeouts", "missing-timeouts")]
        );
        assert_eq!(p.reason.as_deref(), Some("legacy host"));
        let p = parse("#gwlint: ignore-file[GW3]").unwrap().unwrap();
        assert!(p.file_wide && p.reason.is_none());
        assert!(parse("# an ordinary comment").is_none());
        // Odd input is an error or nothing, never a panic, and ranges stay inside the comment.
        for odd in [
            "# gwlint:",
            "# gwlint: ignore[",
            "# gwlint: ignore[,,,] x",
            "# gwlint: ignore[é, ü] ö",
            "#gwlint:ignore-file[GW1]]]",
            "# gwlint:\tignore[GW1]\t",
            "#",
        ] {
            if let Some(Ok(p)) = parse(odd) {
                for (s, r) in &p.rules {
                    assert_eq!(&odd[r.clone()], s, "{odd}");
                }
            }
        }
        assert!(parse("# gwlint is great").is_none());
        for bad in [
            "# gwlint: ignore GW101",
            "# gwlint: disable[GW101]",
            "# gwlint: ignore[GW101",
            "# gwlint: ignore[] why",
        ] {
            assert!(parse(bad).unwrap().is_err(), "{bad}");
        }
    }
}
