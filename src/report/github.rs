//! GitHub Actions workflow commands: one annotation per finding.

use std::fmt::Write;

use super::position;
use crate::finding::{Finding, Severity};
use crate::source::SourceMap;

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in findings {
        let p = position(sources, f.span);
        // Names and messages carry words of the input: control characters are escaped, so
        // no byte of theirs can start a workflow command or drive the terminal.
        // The path from the repository root, as GitHub attaches annotations to a pull
        // request's diff only by it (`./x.conf` or an absolute path is shown on no file).
        let name = &super::escape(&super::relative_path(&sources.get(f.span.file).name));
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!(
            "file={},line={},endLine={}",
            property(name),
            p.line,
            p.end_line
        );
        // The runner rejects columns on multi-line spans, and an end before the start.
        if p.line == p.end_line && p.end_column >= p.column {
            let _ = write!(props, ",col={},endColumn={}", p.column, p.end_column);
        }
        let _ = write!(
            props,
            ",title={}",
            property(&format!("{} {}", f.rule.code, f.rule.name))
        );
        // The place is in the properties; GitHub shows it beside the text already.
        let mut message = super::escape(&f.message);
        if let Some(h) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(&super::escape(h));
        }
        let _ = writeln!(out, "::{level} {props}::{}", data(&message));
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::data("50%\nx"), "50%25%0Ax");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
