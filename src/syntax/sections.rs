//! HAProxy's sections and lines as the generic statement tree the rest of gwlint reads: a
//! section is a block statement, a line a statement. `timeout X`, `option X` and
//! `no option X` are folded into one name (`timeout server`), so that a setting is looked up
//! by one name in either dialect.

use super::haproxy::{self, Statement, Word};
use super::nginx::{Arg, Directive, File, Quote};
use crate::finding::Finding;
use crate::source::Span;

pub fn from_haproxy(parsed: haproxy::File) -> File {
    let mut directives: Vec<Directive> = parsed.preamble.iter().map(statement).collect();
    for section in &parsed.sections {
        let mut d = statement(&section.header);
        let end = section.statements.last().map_or(d.span.end, |s| s.span.end);
        let children = section.statements.iter().map(statement).collect();
        d.set_block(children, Span { end, ..d.span });
        directives.push(d);
    }
    File {
        directives,
        comments: parsed.comments,
        errors: parsed.errors,
    }
}

fn arg(w: &Word) -> Arg {
    // What can be known without the environment: `${PORT-8080}` is 8080; `${PORT}` stays
    // as written, which later stages treat as unknown.
    Arg::new(w.known().unwrap_or(&w.value), w.span, Quote::None)
}

fn statement(s: &Statement) -> Directive {
    let words = &s.words;
    let folded = match words.first().map(|w| w.value.as_str()) {
        Some("timeout" | "option") if words.len() >= 2 => 2,
        Some("no") if words.len() >= 3 && words[1].value == "option" => 3,
        _ => 1,
    };
    let name = Arg::new(
        &words[..folded]
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        words[0].span.to(words[folded - 1].span),
        Quote::None,
    );
    let args: Vec<Arg> = words[folded..].iter().map(arg).collect();
    let mut d = Directive::new(name, &args, s.span);
    d.set_condition(s.condition.as_deref());
    d
}

/// Says in each finding's message which conditional block (`.if …`) the line it points at is
/// in: every branch is linted, and a finding in one that never runs must say so.
pub(crate) fn note_conditions<'f>(
    findings: &mut [Finding],
    files: impl IntoIterator<Item = &'f File>,
) {
    let mut lines: Vec<(Span, &str)> = Vec::new();
    for f in files {
        for d in &f.directives {
            for x in std::iter::once(d).chain(d.children()) {
                if let Some(c) = x.condition() {
                    lines.push((x.span, c));
                }
            }
        }
    }
    if lines.is_empty() {
        return;
    }
    lines.sort_by_key(|(s, _)| (s.file, s.start));
    for f in findings {
        let key = (f.span.file, f.span.start);
        let at = lines.partition_point(|(s, _)| (s.file, s.start) <= key);
        let Some((line, cond)) = at.checked_sub(1).map(|i| lines[i]) else {
            continue;
        };
        if line.file == f.span.file && f.span.end <= line.end {
            f.message.push_str(&format!(" (under `{cond}`)"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::FileId;

    #[test]
    fn sections_become_blocks_and_keywords_fold() {
        let f = super::from_haproxy(super::haproxy::parse(
            FileId(0),
            "defaults\n    timeout server 30s\n    no option httpchk\nbackend app\n    server a \"${HOST-127.0.0.1}:80\" check\n",
        ));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.directives.len(), 2);
        let d = &f.directives[0].children()[0];
        assert_eq!((d.name(), d.arg(0)), ("timeout server", Some("30s")));
        assert_eq!(f.directives[0].children()[1].name(), "no option httpchk");
        let server = &f.directives[1].children()[0];
        assert_eq!(server.arg(1), Some("127.0.0.1:80"));
    }
}
