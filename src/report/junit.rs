//! JUnit XML: one test suite per file, one failed test case per finding, as GitLab, Jenkins
//! and Azure Pipelines show test reports. A clean run is one passing test case, so the report
//! is never empty.

use std::fmt::Write;

use super::{message_with_help, position, relative_path, xml_escape};
use crate::finding::Finding;
use crate::source::SourceMap;

/// `errors`: paths that could not be checked, each an errored test case (never a passing
/// "no problems found" beside them).
pub(crate) fn render(findings: &[Finding], sources: &SourceMap, errors: &[String]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if findings.is_empty() && errors.is_empty() {
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
        "<testsuites name=\"gwlint\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        findings.len() + errors.len(),
        findings.len(),
        errors.len()
    );
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"gwlint\" tests=\"{n}\" failures=\"0\" errors=\"{n}\">",
            n = errors.len()
        );
        for e in errors {
            let e = xml_escape(e);
            let _ = writeln!(
                out,
                "    <testcase name=\"could not check: {e}\" classname=\"gwlint\">\n      <error message=\"{e}\" type=\"error\">{e}</error>\n    </testcase>"
            );
        }
        out.push_str("  </testsuite>\n");
    }
    // Findings arrive sorted by file: one suite per run of the same file. The Jenkins xUnit
    // schema has no file or line on a test case: the suite carries the file, the name the place.
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
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" file=\"{path}\">",
            n = end - start
        );
        for f in &findings[start..end] {
            let p = position(sources, f.span);
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at line {}, column {}\" classname=\"{path}\">",
                f.rule.code, f.rule.name, p.line, p.column
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
