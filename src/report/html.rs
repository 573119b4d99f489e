//! One self-contained HTML page for a CI artifact: the totals, the paths that could not be
//! checked, the gateway chain drawn as SVG (html/graph.rs), and the findings by file with
//! their source lines. Everything taken from the input is escaped (configurations come from
//! pull requests), and the page loads nothing: its Content-Security-Policy forbids it.

mod graph;

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{position, relative_path};
use crate::chain::Graph;
use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, SourceMap, Span};

/// Lines around a finding's own, each side.
const CONTEXT: usize = 1;
/// A span over more lines than this (a whole block) is shown by its first lines.
const MAX_SPAN_LINES: usize = 6;
/// Longer lines are not shown (a 20 MB minified line would make the page unusable).
const MAX_LINE: usize = 400;

/// The page's only script: the severity buttons hide and show findings; the last line marks
/// that it ran (tests/browser.rs checks it). Its hash is in the policy below; a change to the
/// script needs the new hash (`printf %s "$script" | openssl dgst -sha256 -binary | base64`),
/// else browsers refuse to run it and the browser test fails.
const SCRIPT: &str = "for(const b of document.querySelectorAll('button[data-sev]'))b.onclick=()=>{document.body.classList.toggle('hide-'+b.dataset.sev);b.classList.toggle('off')};document.body.dataset.ok='1';";
const SCRIPT_HASH: &str = "sha256-kTB1pqYr3aOz9nQu6pGDSTYMzBvP7ndp3+BlR7XBwBs=";

const STYLE: &str = include_str!("html.css");

pub(crate) fn render(
    findings: &[Finding],
    sources: &SourceMap,
    errors: &[String],
    files: usize,
    chain: &Graph,
) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'\">\n\
         <title>gwlint report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
    );
    header(&mut out, findings, errors, files);
    out.push_str("<section id=\"chain\">\n<h2>Gateway chain</h2>\n");
    graph::render(&mut out, chain, findings);
    out.push_str("</section>\n");
    by_file(&mut out, findings, sources);
    let _ = write!(
        out,
        "<footer>gwlint {}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(out: &mut String, findings: &[Finding], errors: &[String], files: usize) {
    out.push_str("<header>\n<h1>gwlint report</h1>\n<p class=\"totals\">");
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = findings.iter().filter(|f| f.severity == sev).count();
        let s = if n == 1 || sev == Severity::Info {
            ""
        } else {
            "s"
        };
        let _ = write!(
            out,
            "<button type=\"button\" class=\"total {word}\" data-sev=\"{word}\" \
             title=\"show or hide\">{n} {word}{s}</button> "
        );
    }
    let _ = writeln!(
        out,
        "<span class=\"files\">{files} file{} checked</span></p>",
        plural(files)
    );
    // The same sentence as the terminal's: never "No problems" when a path was not checked.
    let sentence = if !errors.is_empty() {
        format!(
            "{files} file{} checked; {} path{} could not be read.",
            plural(files),
            errors.len(),
            plural(errors.len())
        )
    } else if findings.is_empty() && files == 0 {
        "No configuration checked.".to_string()
    } else if findings.is_empty() {
        format!("No problems found in {files} file{}.", plural(files))
    } else {
        format!(
            "Found {} problem{} ({}) in {files} file{}.",
            findings.len(),
            plural(findings.len()),
            super::summary(findings),
            plural(files)
        )
    };
    let _ = writeln!(out, "<p class=\"summary\">{}</p>", text(&sentence));
    if !errors.is_empty() {
        out.push_str("<section class=\"errors\" role=\"alert\">\n<h2>Not checked</h2>\n<ul>\n");
        for e in errors {
            let _ = writeln!(out, "<li>{}</li>", text(e));
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</header>\n");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The findings by file, files sorted by the path shown; within a file in the order given
/// (`report::sort`). Ids `f0`, `f1`… follow the given order: the graph links to them.
fn by_file(out: &mut String, findings: &[Finding], sources: &SourceMap) {
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if findings.is_empty() {
        out.push_str("<p>None.</p>\n");
    }
    let mut files: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let name = relative_path(&sources.get(f.span.file).name);
        files.entry(name).or_default().push(i);
    }
    for (name, list) in &files {
        let _ = writeln!(
            out,
            "<section class=\"file\">\n<h3>{} <span class=\"count\">{}</span></h3>",
            text(name),
            list.len()
        );
        for &i in list {
            finding(out, i, &findings[i], sources, name);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

fn finding(out: &mut String, i: usize, f: &Finding, sources: &SourceMap, name: &str) {
    let p = position(sources, f.span);
    let sev = f.severity.as_str();
    let _ = writeln!(
        out,
        "<article class=\"finding {sev}\" id=\"f{i}\">\n<p class=\"head\">\
         <span class=\"sev\">{sev}</span> <a class=\"code\" href=\"{}\">{}</a> \
         <span class=\"rule\">{}</span> <span class=\"at\">{}:{}:{}</span></p>\n\
         <p class=\"msg\">{}</p>",
        text(&f.rule.url()),
        text(f.rule.code),
        text(f.rule.name),
        text(name),
        p.line,
        p.column,
        text(&f.message)
    );
    if let Some(h) = &f.help {
        let _ = writeln!(out, "<p class=\"help\"><b>help:</b> {}</p>", text(h));
    }
    excerpt(out, sources.get(f.span.file), f.span, f.label.as_deref());
    if !f.related.is_empty() {
        out.push_str("<ul class=\"related\">\n");
        for (span, msg) in &f.related {
            let q = position(sources, *span);
            let _ = writeln!(
                out,
                "<li><span class=\"at\">{}:{}:{}</span> {}</li>",
                text(&relative_path(&sources.get(span.file).name)),
                q.line,
                q.column,
                text(msg)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
}

/// The finding's lines with [`CONTEXT`] lines around, numbered, the span marked.
fn excerpt(out: &mut String, file: &SourceFile, span: Span, label: Option<&str>) {
    let t = file.text.as_bytes();
    if t.is_empty() {
        return;
    }
    let start = floor(&file.text, span.start as usize);
    let mut end = floor(&file.text, (span.end as usize).max(start));
    let line_start = |at: usize| memchr::memrchr(b'\n', &t[..at]).map_or(0, |i| i + 1);
    let line_end = |at: usize| memchr::memchr(b'\n', &t[at..]).map_or(t.len(), |i| at + i);
    let mut first = line_start(start);
    for _ in 0..CONTEXT {
        if first == 0 {
            break;
        }
        first = line_start(first - 1);
    }
    // A span that ends with its line's newline ends on that line.
    let mut last = line_end(if end > start && t[end - 1] == b'\n' {
        end - 1
    } else {
        end
    });
    let mut cut = false;
    let mut own_last = line_end(start);
    for _ in 1..MAX_SPAN_LINES {
        if own_last >= last {
            break;
        }
        own_last = line_end(own_last + 1);
    }
    if own_last < last {
        (last, end, cut) = (own_last, own_last, true);
    }
    for _ in 0..CONTEXT {
        if cut || last >= t.len() {
            break;
        }
        last = line_end(last + 1);
    }
    let mut n = file.line(first);
    let width = (n + MAX_SPAN_LINES + 2 * CONTEXT).to_string().len();
    out.push_str("<pre class=\"src\"><code>");
    let mut at = first;
    while at <= last && at <= t.len() {
        let le = line_end(at);
        let hit = if start == end {
            at <= start && start <= le
        } else {
            at < end && start <= le
        };
        let _ = write!(
            out,
            "<span class=\"ln{}\">{n:>width$}</span> ",
            if hit { " hit" } else { "" }
        );
        let shown = file.text[at..le].trim_end_matches('\r');
        let stop = at + shown.len();
        if shown.len() > MAX_LINE {
            let _ = write!(out, "<i>(a line of {} bytes, not shown)</i>", shown.len());
        } else if hit && start < end && start < stop && end > at {
            let (a, b) = (start.max(at), end.min(stop));
            let title = label
                .map(|l| format!(" title=\"{}\"", text(l)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "{}<mark{title}>{}</mark>{}",
                source(&file.text[at..a]),
                source(&file.text[a..b]),
                source(&file.text[b..stop])
            );
        } else {
            out.push_str(&source(shown));
        }
        out.push('\n');
        n += 1;
        at = le + 1;
    }
    if cut {
        out.push_str("<span class=\"ln\">…</span>\n");
    }
    out.push_str("</code></pre>\n");
    if let Some(l) = label {
        let _ = writeln!(out, "<p class=\"label\">↑ {}</p>", text(l));
    }
}

/// The nearest character boundary at or before `at`.
fn floor(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Text from the input as HTML: markup characters as entities, control characters as the
/// other human formats write them (`\n`, `\u{1b}`), so nothing in a name or message is
/// markup or a terminal escape.
pub(crate) fn text(s: &str) -> String {
    markup(&super::escape(s))
}

/// A source line: tabs kept, other control characters escaped, markup as entities.
fn source(s: &str) -> String {
    let mut kept = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            kept.extend(c.escape_default());
        } else {
            kept.push(c);
        }
    }
    markup(&kept)
}

fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::source::{SourceMap, Span};

    fn shown(text: &str, start: usize, end: usize) -> String {
        let mut map = SourceMap::default();
        let id = map.add(std::path::Path::new("t.conf"), "t.conf".into(), text.into());
        let mut out = String::new();
        super::excerpt(&mut out, map.get(id), Span::new(id, start, end), None);
        out
    }

    #[test]
    fn excerpt_marks_the_span_with_a_line_around() {
        let text = "a;\nb x;\nc;\nd;\n";
        assert_eq!(
            shown(text, 5, 6),
            "<pre class=\"src\"><code><span class=\"ln\">1</span> a;\n\
             <span class=\"ln hit\">2</span> b <mark>x</mark>;\n\
             <span class=\"ln\">3</span> c;\n</code></pre>\n"
        );
        // On the first line: no line before it.
        assert!(shown(text, 0, 1).starts_with(
            "<pre class=\"src\"><code><span class=\"ln hit\">1</span> <mark>a</mark>;"
        ));
    }

    #[test]
    fn a_long_span_shows_its_first_lines() {
        let text: String = (1..=20).map(|i| format!("l{i};\n")).collect();
        let out = shown(&text, 0, text.len());
        assert!(
            out.contains("<span class=\"ln hit\">6</span> <mark>l6;</mark>\n"),
            "{out}"
        );
        assert!(!out.contains("l7;"), "{out}");
        assert!(out.contains("<span class=\"ln\">…</span>"));
    }

    #[test]
    fn text_escapes_markup_and_controls() {
        assert_eq!(
            super::text("</script><img src=x onerror='a&b'>\n\u{1b}"),
            "&lt;/script&gt;&lt;img src=x onerror=&#39;a&amp;b&#39;&gt;\\n\\u{1b}"
        );
        assert_eq!(super::source("\tx\u{7}<"), "\tx\\u{7}&lt;");
    }
}
