//! SARIF 2.1.0, as GitHub code scanning accepts it.

use serde_json::{Value, json};

use super::position;
use crate::finding::{Finding, Severity};
use crate::rules::RULES;
use crate::source::SourceMap;

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.page, "markdown": r.page},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": [r.family.as_str()], "precision": "high"},
            })
        })
        .collect();
    let mut seen = std::collections::HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let file = sources.get(f.span.file);
            let uri = uri(&file.name);
            // Stable across runs and line moves: the rule, the file and the text it points at.
            let base = fnv1a(&format!("{}\0{}\0{}", f.rule.code, uri, file.slice(f.span)));
            let n = seen.entry(base).and_modify(|n| *n += 1).or_insert(0u32);
            let fingerprint = format!("{base:016x}:{n}");
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
                "rules": rules,
            }},
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

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI with forward slashes (paths under the working directory are made relative).
fn uri(name: &str) -> String {
    let mut p = name.to_string();
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = std::path::Path::new(name).strip_prefix(&cwd)
    {
        p = rel.to_string_lossy().into_owned();
    }
    let p = p.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
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

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}
