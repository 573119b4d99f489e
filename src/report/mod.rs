//! Reporters: one file per output format. A reporter only formats findings; it never reads
//! or parses files.

pub mod concise;
pub mod crossplane;
pub mod github;
pub mod json;
pub mod pretty;
pub mod sarif;
pub mod tree;

use crate::finding::Finding;
use crate::source::{SourceMap, Span};

/// A finding's place, 1-based; the end is exclusive (the character after the span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn position(sources: &SourceMap, span: Span) -> Position {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Sorted by file, line, column, code: the order every format prints.
pub fn sort(findings: &mut [Finding], sources: &SourceMap) {
    findings.sort_by_cached_key(|f| {
        let p = position(sources, f.span);
        (
            sources.get(f.span.file).name.clone(),
            p.line,
            p.column,
            f.rule.code,
            f.message.clone(),
        )
    });
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Pretty,
    Concise,
    Json,
    Sarif,
    Github,
}

/// Summary counts: "3 errors, 1 warning".
pub fn summary(findings: &[Finding]) -> String {
    use crate::finding::Severity::*;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let parts: Vec<String> = [(Error, "error"), (Warning, "warning"), (Info, "info")]
        .into_iter()
        .filter_map(|(s, word)| {
            let n = count(s);
            (n > 0).then(|| {
                format!(
                    "{n} {word}{}",
                    if n == 1 || word == "info" { "" } else { "s" }
                )
            })
        })
        .collect();
    parts.join(", ")
}
