//! Checkstyle XML: `<checkstyle><file name><error line column severity message source/>`, as
//! Jenkins' warnings plugin, reviewdog and GitLab code-quality converters read it.

use std::fmt::Write;

use super::{message_with_help, position, relative_path, xml_escape};
use crate::finding::{Finding, Severity};
use crate::source::SourceMap;

pub(crate) fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<checkstyle version=\"4.3\">\n");
    // Findings arrive sorted by file: one <file> element per run of the same file.
    let mut open: Option<&str> = None;
    for f in findings {
        let name = sources.get(f.span.file).name.as_str();
        if open != Some(name) {
            if open.is_some() {
                out.push_str("  </file>\n");
            }
            let _ = writeln!(
                out,
                "  <file name=\"{}\">",
                xml_escape(&relative_path(name))
            );
            open = Some(name);
        }
        let p = position(sources, f.span);
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(
            out,
            "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"gwlint.{}.{}\"/>",
            p.line,
            p.column,
            xml_escape(&message_with_help(f)),
            f.rule.code,
            f.rule.name,
        );
    }
    if open.is_some() {
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
