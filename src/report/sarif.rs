//! SARIF 2.1.0, as GitHub code scanning accepts it.

use serde_json::{Value, json};

use super::position;
use crate::finding::{Finding, Severity};
use crate::rules::RULES;
use crate::source::SourceMap;

/// `errors`: the paths that could not be checked; the run is then not a successful one, and
/// code scanning shows why (a notification per path) instead of a clean result.
pub fn render(findings: &[Finding], sources: &SourceMap, errors: &[String]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.page, "markdown": r.page},
                "helpUri": r.url(),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": [r.family.as_str()], "precision": "high"},
            })
        })
        .collect();
    let prints = super::fingerprints(findings, sources);
    let results: Vec<Value> = findings
        .iter()
        .zip(prints)
        .map(|(f, fingerprint)| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, (span, msg))| {
                    json!({"id": i, "message": {"text": msg}, "physicalLocation": location(sources, *span)})
                })
                .collect();
            let mut r = json!({
                "ruleId": f.rule.code,
                "ruleIndex": RULES.iter().position(|r| r.code == f.rule.code).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": location(sources, f.span)}],
                "partialFingerprints": {"gwlint/v1": fingerprint},
            });
            if !related.is_empty() {
                r["relatedLocations"] = Value::Array(related);
            }
            if let Some(fix) = &f.fix {
                r["fixes"] = json!([fix_of(sources, fix)]);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gwlint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": crate::rules::HOME,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": errors
                    .iter()
                    .map(|e| json!({"level": "error", "message": {"text": e}}))
                    .collect::<Vec<_>>(),
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn location(sources: &SourceMap, span: crate::source::Span) -> Value {
    let p = position(sources, span);
    json!({
        "artifactLocation": {"uri": uri(&sources.get(span.file).name)},
        "region": {
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column.max(if p.end_line == p.line { p.column } else { 1 }),
        }
    })
}

/// SARIF's `fix`: one artifact change per file, each edit a deleted region and its text.
fn fix_of(sources: &SourceMap, fix: &crate::finding::Fix) -> Value {
    let mut files: Vec<crate::source::FileId> = fix.edits.iter().map(|e| e.span.file).collect();
    files.dedup();
    let changes: Vec<Value> = files
        .iter()
        .map(|&file| {
            let replacements: Vec<Value> = fix
                .edits
                .iter()
                .filter(|e| e.span.file == file)
                .map(|e| {
                    let p = position(sources, e.span);
                    json!({
                        "deletedRegion": {
                            "startLine": p.line,
                            "startColumn": p.column,
                            "endLine": p.end_line,
                            "endColumn": p.end_column,
                        },
                        "insertedContent": {"text": e.text},
                    })
                })
                .collect();
            json!({
                "artifactLocation": {"uri": uri(&sources.get(file).name)},
                "replacements": replacements,
            })
        })
        .collect();
    json!({"description": {"text": fix.title}, "artifactChanges": changes})
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI with forward slashes (paths under the working directory are made relative).
fn uri(name: &str) -> String {
    let p = super::relative_path(name);
    let mut out = String::new();
    for c in p.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '-' | '_' | '.' | '~' => out.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}
