//! `gwlint parse --format json`: the syntax tree with exact positions.

use serde_json::{Value, json};

use crate::source::{SourceMap, Span};
use crate::syntax::include::Tree;
use crate::syntax::nginx::{Arg, Directive, File, Quote};

pub fn render(
    tree: &Tree,
    files: &std::collections::HashMap<crate::source::FileId, File>,
    sources: &SourceMap,
) -> String {
    let out: Vec<Value> = tree
        .files
        .iter()
        .map(|f| {
            let parsed = files.get(f);
            json!({
                "file": sources.get(*f).name,
                "errors": parsed.map(|p| p.errors.iter().map(|e| {
                    let mut v = place(sources, e.span);
                    v["message"] = Value::from(e.message.clone());
                    v["help"] = Value::from(e.help.clone());
                    v
                }).collect::<Vec<_>>()).unwrap_or_default(),
                "directives": parsed.map(|p| directives(&p.directives, tree, sources)).unwrap_or_default(),
            })
        })
        .collect();
    // Compact: indentation grows with nesting, and pretty output of a deep file is many times
    // its size.
    let mut s = serde_json::to_string(&json!({"files": out})).unwrap_or_default();
    s.push('\n');
    s
}

fn place(sources: &SourceMap, span: Span) -> Value {
    let p = super::position(sources, span);
    json!({"line": p.line, "column": p.column, "end_line": p.end_line, "end_column": p.end_column})
}

fn arg(sources: &SourceMap, a: &Arg) -> Value {
    let mut v = place(sources, a.span);
    v["value"] = Value::from(a.value.as_str());
    v["quote"] = Value::from(match a.quote() {
        Quote::None => "none",
        Quote::Double => "double",
        Quote::Single => "single",
        Quote::Lua => "lua",
    });
    v
}

fn directives(dirs: &[Directive], tree: &Tree, sources: &SourceMap) -> Vec<Value> {
    dirs.iter()
        .map(|d| {
            let mut v = place(sources, d.span);
            v["name"] = Value::from(d.name().to_string());
            v["args"] = Value::from(d.args.iter().map(|a| arg(sources, a)).collect::<Vec<_>>());
            if d.name() == "include" {
                v["includes"] = Value::from(
                    tree.matched(d)
                        .iter()
                        .map(|f| sources.get(*f).name.clone())
                        .collect::<Vec<_>>(),
                );
            }
            // HAProxy: the `.if` branch the line is in (nginx has none).
            if let Some(c) = d.condition() {
                v["condition"] = Value::from(c.to_string());
            }
            if let Some(children) = d.block() {
                v["block"] = Value::from(directives(children, tree, sources));
            }
            v
        })
        .collect()
}
