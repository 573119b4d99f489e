//! miette's graphical report: the source line with a label on the exact directive or
//! argument, the rule code and name, and help.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{escape, position};
use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, SourceMap};

/// Lines longer than this are not printed as a snippet (a 20 MB line would flood the terminal).
const MAX_SNIPPET_LINE: usize = 400;

pub fn render(findings: &[Finding], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    // Source text with control characters, shown with each replaced (byte for byte, so spans
    // hold): an escape sequence in a comment must not reach the terminal.
    let mut shown: std::collections::HashMap<crate::source::FileId, Option<String>> =
        std::collections::HashMap::new();
    for f in findings {
        let file = sources.get(f.span.file);
        let text = shown
            .entry(f.span.file)
            .or_insert_with(|| without_controls(&file.text))
            .as_deref()
            .unwrap_or(&file.text);
        let name = escape(&file.name);
        let p = position(sources, f.span);
        let snippet =
            !file.text.is_empty() && line_len(file, f.span.start as usize) <= MAX_SNIPPET_LINE;
        let diag = Pretty {
            finding: f,
            source: Named {
                name: name.clone(),
                text,
            },
            snippet,
            location: format!("{name}:{}:{}", p.line, p.column),
            related: f
                .related
                .iter()
                .filter(|(s, _)| s.file == f.span.file && snippet)
                .map(|(s, m)| LabeledSpan::new(Some(escape(m)), s.start as usize, s.len()))
                .collect(),
            notes: f
                .related
                .iter()
                .filter(|(s, _)| s.file != f.span.file || !snippet)
                .map(|(s, m)| {
                    let q = position(sources, *s);
                    let name = escape(&sources.get(s.file).name);
                    format!("{}: {name}:{}:{}", escape(m), q.line, q.column)
                })
                .collect(),
        };
        let _ = handler.render_report(&mut out, &diag);
        out.push('\n');
    }
    out
}

fn line_len(file: &SourceFile, offset: usize) -> usize {
    let t = file.text.as_bytes();
    let start = t[..offset.min(t.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = t[offset.min(t.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(t.len(), |i| offset + i);
    end - start
}

/// The text with every control character but line ends and tabs replaced by `?`, one per
/// byte; None when there is none. A carriage return is a line end only before a line feed
/// (alone it would return the cursor and let the rest of the line overwrite the report).
fn without_controls(text: &str) -> Option<String> {
    let bad = |c: char, next: Option<char>| {
        c.is_control() && !matches!(c, '\n' | '\t') && !(c == '\r' && next == Some('\n'))
    };
    let mut chars = text.chars().peekable();
    let mut out: Option<String> = None;
    let mut at = 0;
    while let Some(c) = chars.next() {
        if bad(c, chars.peek().copied()) {
            let o = out.get_or_insert_with(|| text[..at].to_string());
            o.push_str(&"?".repeat(c.len_utf8()));
        } else if let Some(o) = &mut out {
            o.push(c);
        }
        at += c.len_utf8();
    }
    out
}

struct Named<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

struct Pretty<'a> {
    finding: &'a Finding,
    source: Named<'a>,
    snippet: bool,
    location: String,
    related: Vec<LabeledSpan>,
    notes: Vec<String>,
}

impl fmt::Debug for Pretty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.finding.message)
    }
}

impl fmt::Display for Pretty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = escape(&self.finding.message);
        if self.snippet {
            write!(f, "{message}")
        } else {
            write!(f, "{}: {message}", self.location)
        }
    }
}

impl std::error::Error for Pretty<'_> {}

impl Diagnostic for Pretty<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{} {}",
            self.finding.rule.code, self.finding.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut parts: Vec<String> = self.notes.clone();
        if let Some(h) = &self.finding.help {
            parts.push(escape(h));
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet {
            return None;
        }
        let s = self.finding.span;
        let primary = LabeledSpan::new_primary_with_span(
            self.finding.label.as_deref().map(escape),
            SourceSpan::new((s.start as usize).into(), s.len()),
        );
        Some(Box::new(
            std::iter::once(primary).chain(self.related.iter().cloned()),
        ))
    }
}
