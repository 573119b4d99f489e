//! JUnit XML: one test suite per file, one failed test case per finding, as GitLab, Jenkins
//! and Azure Pipelines show test reports. A clean run is one passing test case, so the report
//! is never empty.

use std::fmt::Write;

use super::{message_with_help, position, relative_path, xml_escape};
use crate::finding::Finding;
use crate::source::SourceMap;

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if findings.is_empty() {
        out.push_str(concat!(
            "<testsuites name=\"gwlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n",
            "  <testsuite name=\"gwlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n",
            "    <testcase name=\"no problems found\" classname=\"gwlint\"/>\n",
            "  </testsuite>\n",
            "</testsuites>\n"
        ));
        return out;
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"gwlint\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
        n = findings.len()
    );
    // Findings arrive sorted by file: one suite per run of the same file.
    let mut start = 0;
    while start < findings.len() {
        let file = findings[start].span.file;
        let end = start
            + findings[start..]
                .iter()
                .take_while(|f| f.span.file == file)
                .count();
        let path = xml_escape(&relative_path(&sources.get(file).name));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            n = end - start
        );
        for f in &findings[start..end] {
            let p = position(sources, f.span);
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at line {}, column {}\" classname=\"{path}\" file=\"{path}\" line=\"{}\">",
                f.rule.code, f.rule.name, p.line, p.column, p.line
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {}[{}] {}</failure>",
                xml_escape(&f.message),
                f.severity.as_str(),
                path,
                p.line,
                p.column,
                f.severity.as_str(),
                f.rule.code,
                xml_escape(&message_with_help(f)),
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
        start = end;
    }
    out.push_str("</testsuites>\n");
    out
}
