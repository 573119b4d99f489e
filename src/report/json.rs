//! A JSON array of findings with stable field names.

use serde::Serialize;

use super::position;
use crate::finding::{Dialect, Finding, Severity};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Out<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    dialect: Dialect,
    /// The proxy refuses to start (or to reload) on this configuration.
    refuses_to_start: bool,
    related: Vec<Related<'a>>,
    /// The repair `--fix` would try, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    title: &'a str,
    edits: Vec<EditOut<'a>>,
}

/// Replace from (line, column) to (end_line, end_column), 1-based, end exclusive.
#[derive(Serialize)]
struct EditOut<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    text: &'a str,
}

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let out: Vec<Out> = findings
        .iter()
        .map(|f| {
            let p = position(sources, f.span);
            Out {
                code: f.rule.code,
                name: f.rule.name,
                severity: f.severity,
                message: &f.message,
                help: f.help.as_deref(),
                file: &sources.get(f.span.file).name,
                line: p.line,
                column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
                dialect: f.dialect,
                refuses_to_start: f.severity == Severity::Error
                    && f.rule.refuses.contains(&f.dialect),
                related: f
                    .related
                    .iter()
                    .map(|(span, message)| {
                        let p = position(sources, *span);
                        Related {
                            file: &sources.get(span.file).name,
                            line: p.line,
                            column: p.column,
                            message,
                        }
                    })
                    .collect(),
                fix: f.fix.as_ref().map(|x| FixOut {
                    title: &x.title,
                    edits: x
                        .edits
                        .iter()
                        .map(|e| {
                            let p = position(sources, e.span);
                            EditOut {
                                file: &sources.get(e.span.file).name,
                                line: p.line,
                                column: p.column,
                                end_line: p.end_line,
                                end_column: p.end_column,
                                text: &e.text,
                            }
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
