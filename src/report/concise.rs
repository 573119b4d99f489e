//! `path:line:col: severity[code] message`: what editors' problem matchers read.

use std::fmt::Write;

use super::position;
use crate::finding::Finding;
use crate::source::SourceMap;

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in findings {
        let p = position(sources, f.span);
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            // Control characters escaped: a newline in a name or a quoted word must not
            // start a line of its own (a `::warning` workflow command in a CI log).
            super::escape(&sources.get(f.span.file).name),
            p.line,
            p.column,
            f.severity.as_str(),
            f.rule.code,
            super::escape(&f.message)
        );
    }
    out
}
