//! `gwlint parse --format crossplane`: the payload of crossplane 0.5.8's
//! `parse(path, single=…, check_ctx=False, check_args=False, comments=False)`, for tools built
//! on crossplane. Where crossplane and nginx disagree on valid input (a `}` inside a bare word,
//! `"a"b`), gwlint follows nginx.

use serde_json::{Value, json};

use crate::finding::Finding;
use crate::load::include::Tree;
use crate::source::{SourceMap, Span};
use crate::syntax::nginx::{Directive, File, Quote};

pub(crate) fn render(
    tree: &Tree,
    files: &std::collections::HashMap<crate::source::FileId, File>,
    sources: &SourceMap,
    single: bool,
) -> String {
    let mut payload_errors = Vec::new();
    let mut configs = Vec::new();
    for &f in &tree.files {
        let src = sources.get(f);
        let name = &src.name;
        let parsed_file = files.get(&f);
        let mut errors = Vec::new();
        let mut failed = false;
        if let Some(e) = parsed_file.and_then(|p| p.errors.first()) {
            // crossplane stops a file at its first error and keeps nothing of it.
            let line = src.line(e.span.start as usize);
            errors.push((
                format!("{} in {}:{}", e.message, name, line),
                Value::from(line),
            ));
            failed = true;
        }
        let problems = crate::rules::tree_findings(tree);
        for finding in problems
            .iter()
            .filter(|x| x.span.file == f && x.rule.code == "GW002")
        {
            errors.push(include_error(finding, sources));
            failed = true;
        }
        let parsed = match parsed_file {
            Some(p) if p.errors.is_empty() => statements(&p.directives, p, tree, sources, single),
            _ => Vec::new(),
        };
        for (error, line) in &errors {
            payload_errors.push(json!({"file": name, "error": error, "line": line}));
        }
        configs.push(json!({
            "file": name,
            "status": if failed { "failed" } else { "ok" },
            "errors": errors.iter().map(|(e, l)| json!({"error": e, "line": l})).collect::<Vec<_>>(),
            "parsed": parsed,
        }));
    }
    let payload = json!({
        "status": if payload_errors.is_empty() { "ok" } else { "failed" },
        "errors": payload_errors,
        "config": configs,
    });
    let mut s = ensure_ascii(&serde_json::to_string_pretty(&payload).unwrap_or_default());
    s.push('\n');
    s
}

fn include_error(f: &Finding, sources: &SourceMap) -> (String, Value) {
    let path = f.message.split('"').nth(1).unwrap_or("");
    let line = sources.get(f.span.file).line(f.span.start as usize);
    (
        format!("[Errno 2] No such file or directory: '{path}'"),
        Value::from(line),
    )
}

fn statements(
    dirs: &[Directive],
    file: &File,
    tree: &Tree,
    sources: &SourceMap,
    single: bool,
) -> Vec<Value> {
    let mut out = Vec::new();
    for d in dirs {
        let src = sources.get(d.span.file);
        let mut args: Vec<String> = d
            .args
            .iter()
            .map(|a| arg(sources.text(a.span), a.quote(), &a.value))
            .collect();
        if d.name() == "if" {
            prepare_if_args(&mut args);
        }
        let mut stmt = serde_json::Map::new();
        stmt.insert(
            "directive".into(),
            Value::from(arg(
                sources.text(d.name_arg().span),
                d.name_arg().quote(),
                d.name(),
            )),
        );
        stmt.insert("line".into(), Value::from(src.line(d.span.start as usize)));
        stmt.insert("args".into(), Value::from(args));
        if d.name() == "include" && !single {
            let idx: Vec<usize> = tree
                .matched(d)
                .iter()
                .filter_map(|f| tree.files.iter().position(|x| x == f))
                .collect();
            stmt.insert("includes".into(), Value::from(idx));
        }
        if let Some(children) = d.block() {
            stmt.insert(
                "block".into(),
                Value::from(statements(children, file, tree, sources, single)),
            );
        }
        out.push(Value::Object(stmt));
        // crossplane keeps a comment that stands between a directive's words and its end.
        let line = src.line(d.span.start as usize);
        for c in comments_within(file, d) {
            out.push(json!({"directive": "#", "line": line, "args": [], "comment": &sources.text(c)[1..]}));
        }
    }
    out
}

fn comments_within<'f>(file: &'f File, d: &Directive) -> impl Iterator<Item = Span> + 'f {
    let (start, end) = (d.span.start, d.span.end);
    file.comments
        .iter()
        .copied()
        .filter(move |c| c.start > start && c.end < end)
}

/// crossplane's spelling of a word: bare words as written; quoted ones without their quotes
/// and with only the matching quote unescaped; line ends as Python's universal newlines.
fn arg(raw: &str, quote: Quote, value: &str) -> String {
    let s = match quote {
        Quote::None => raw.to_string(),
        Quote::Double => raw[1..raw.len() - 1].replace("\\\"", "\""),
        Quote::Single => raw[1..raw.len() - 1].replace("\\'", "'"),
        Quote::Lua => value.to_string(),
    };
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn prepare_if_args(args: &mut Vec<String>) {
    if args.first().is_some_and(|a| a.starts_with('('))
        && args.last().is_some_and(|a| a.ends_with(')'))
    {
        let first = args[0][1..].trim_start().to_string();
        args[0] = first;
        let n = args.len() - 1;
        let last = args[n][..args[n].len() - 1].trim_end().to_string();
        args[n] = last;
        let start = usize::from(args[0].is_empty());
        let end = args.len() - usize::from(args[args.len() - 1].is_empty());
        *args = args[start..end.max(start)].to_vec();
    }
}

/// Python's `json.dumps` escapes every character outside printable ASCII.
fn ensure_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() && c != '\u{7f}' {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}
