//! GitLab code quality: a JSON array of Code Climate issues (`description`, `check_name`,
//! `fingerprint`, `severity`, `location.path`, `location.lines.begin`).

use serde_json::{Value, json};

use super::{fingerprints, message_with_help, position, relative_path};
use crate::finding::{Finding, Severity};
use crate::source::SourceMap;

pub(crate) fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let issues: Vec<Value> = findings
        .iter()
        .zip(fingerprints(findings, sources))
        .map(|(f, fingerprint)| {
            let p = position(sources, f.span);
            json!({
                "type": "issue",
                "check_name": f.rule.code,
                "description": format!("{} {}: {}", f.rule.code, f.rule.name, f.message),
                "content": {"body": message_with_help(f)},
                "categories": ["Bug Risk"],
                "severity": severity(f.severity),
                "fingerprint": fingerprint,
                "location": {
                    "path": relative_path(&sources.get(f.span.file).name),
                    "lines": {"begin": p.line, "end": p.end_line},
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// Code Climate's scale: info, minor, major, critical, blocker. An error stops the proxy or
/// fails every request on a route (critical); a warning fails under a named condition (major).
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}
