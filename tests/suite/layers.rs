//! The arrows of the house point one way: a module of `src/` may use only the modules of the
//! layers below its own. This test reads every `crate::` path in `src/` (unit tests aside)
//! and fails on an edge that points up or sideways, so no cycle can come back.

use std::collections::BTreeSet;
use std::path::Path;

/// The layers, bottom first. Items of `lib.rs` (`lint`, `Options`, `Outcome`) are the
/// `lib` layer: the pipeline the front ends call.
const LAYERS: &[&[&str]] = &[
    &[
        "source", "version", "output", "suggest", "par", "panics", "atom",
    ],
    // a configuration's words (value, quoting, span): what the parsers make and rules read
    &["word"],
    // diagnostics metadata: Dialect, Severity, rule metadata, findings
    &["finding"],
    &["units", "tables", "facts"],
    &["syntax"],
    &["plan"],
    &["load", "discover"],
    &["model"],
    &["probe"],
    &["chain"],
    &["rules"],
    &["config"],
    &["suppress"],
    &["filter"],
    &["report"],
    &["baseline"],
    // the discover stage of the pipeline lib.rs wires
    &["gather"],
    &["lib"],
    &["fix", "server"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules a file names through `crate::` paths, test modules and comments
/// left out.
fn uses(text: &str) -> BTreeSet<String> {
    let text = without_tests(text);
    let code: String = text
        .lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        // `$crate::` in a macro is the same crate.
        if let Some(group) = after.strip_prefix('{') {
            // `use crate::{a::b, c};`: the first segment of each item at the top level.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        out.insert(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            // `crate::atom!`: an exported macro, which lives at the crate's root.
            if !after[name.len()..].starts_with('!') {
                out.insert(name);
            }
        }
        rest = after;
    }
    out.retain(|m| !m.is_empty());
    out
}

/// A file's text before its unit tests (`#[cfg(test)] mod tests`).
fn without_tests(text: &str) -> &str {
    match text.find("\n#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The `.rs` files under `src/<below>`, sorted.
fn sources(below: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(below),
        &mut files,
    );
    files.sort();
    files
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources("src");
    let modules: BTreeSet<String> = files
        .iter()
        .map(|p| top(&src, p))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut wrong = Vec::new();
    for m in &modules {
        if layer(m).is_none() {
            wrong.push(format!("src/{m}: in no layer; add it to LAYERS"));
        }
    }
    for p in &files {
        let from = top(&src, p);
        if from == "lib" || from == "main" {
            continue;
        }
        let Some(at) = layer(&from) else { continue };
        for to in uses(&std::fs::read_to_string(p).unwrap()) {
            if to == from {
                continue;
            }
            // A name that is no module is an item of lib.rs.
            let target = if modules.contains(&to) {
                to.as_str()
            } else {
                "lib"
            };
            let below = layer(target).unwrap();
            if below >= at {
                wrong.push(format!(
                    "{}: uses crate::{to} (layer {below}, `{target}`) from layer {at}",
                    p.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "edges that do not point down:\n{}",
        wrong.join("\n")
    );
}

/// The top-level module a file belongs to: `src/rules/x.rs` → `rules`, `src/units.rs` → `units`.
fn top(src: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The reader sees what it must: grouped imports, nested groups, paths in expressions.
#[test]
fn uses_reads_every_form() {
    let text = "use crate::finding::{Dialect, Finding};\nuse crate::{load::{Loader, include::Tree}, model};\nfn f() { crate::units::show_ms(1); crate::atom!(\"x\"); }\n// crate::cli is a comment\n#[cfg(test)]\nmod tests { use crate::server; }\n";
    let got: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(got, ["finding", "load", "model", "units"]);
}

/// A rule sees the model, never the syntax or the loading: the modules of `rules/` name
/// neither `crate::syntax` nor `crate::load`, except the registry (which reports the tree's
/// problems) and the rules it marks `raised`, which word the problems the loading stage found.
#[test]
fn rules_name_the_model_not_the_syntax() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let registry = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let raised: Vec<&str> = registry
        .lines()
        .filter_map(|l| l.trim().strip_prefix("raised "))
        .map(|m| m.trim_end_matches(','))
        .collect();
    assert!(raised.contains(&"include_not_found"), "{raised:?}");
    let mut wrong = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let module = p.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "mod" || raised.contains(&module.as_str()) {
            continue;
        }
        let used = uses(&std::fs::read_to_string(&p).unwrap());
        for lower in ["syntax", "load"] {
            if used.contains(lower) {
                wrong.push(format!("src/rules/{module}.rs uses crate::{lower}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What the model hands out names no syntax type: its fields and the values its functions
/// return, as far as other modules see them (`pub`, `pub(crate)`: rules are in the crate), are
/// the model's (a [`Statement`] hides the parser's statement and its block), so a rule cannot
/// walk the syntax tree even with the model in hand. `pub(in crate::model)` items are the
/// model's own. The lowering entry points take the syntax (`lower`, the refusals' `check`) and
/// return the model.
#[test]
fn the_model_hands_out_no_syntax() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let files = sources("src/model");
    // A syntax type among the words of a type: `Directive`, `File` (the parser's file), a
    // `syntax::` path.
    let syntax = |t: &str| {
        t.contains("syntax::")
            || t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == "Directive" || w == "File")
    };
    let mut wrong = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let text = without_tests(&text);
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let Some(rest) = t
                .strip_prefix("pub ")
                .or_else(|| t.strip_prefix("pub(crate) "))
            else {
                continue;
            };
            // Test-only helpers build the model's types from parsed text.
            if i > 0 && lines[i - 1].trim() == "#[cfg(test)]" {
                continue;
            }
            let at = format!("{}:{}", p.strip_prefix(&dir).unwrap().display(), i + 1);
            if rest.starts_with("use ") && syntax(rest) {
                wrong.push(format!("{at}: re-exports syntax: {t}"));
            }
            // A field: `pub name: Type,`.
            if let Some((name, ty)) = rest.split_once(": ")
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                && syntax(ty)
            {
                wrong.push(format!("{at}: field of a syntax type: {t}"));
            }
            // A function's return type (its signature may span lines).
            if rest.starts_with("fn ") {
                let sig: String = lines[i..]
                    .iter()
                    .take_while(|s| !s.trim_end().ends_with('{') && !s.trim_end().ends_with(';'))
                    .chain(lines[i..].iter().find(|s| s.trim_end().ends_with('{')))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some((_, ret)) = sig.split_once("->")
                    && syntax(ret)
                {
                    wrong.push(format!("{at}: returns a syntax type: {t}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
