//! What an nginx configuration assigns to its variables: every value written by `set`, `map`,
//! `geo` and `split_clients`, listed once per proxy the first time a rule asks.

use std::collections::HashMap;

use crate::syntax::nginx::Directive;

/// What the configuration assigns to a variable: every value written by `set`, `map`, `geo`
/// and `split_clients` (in every file of the tree), or None when something assigns it in a
/// way gwlint cannot list (an `include` inside a `map`, a value built from variables…).
#[derive(Debug, Default)]
pub(crate) struct VarValues {
    pub(crate) values: Vec<String>,
    /// Some assignment could not be listed.
    pub(crate) open: bool,
}

/// Every variable the configuration assigns, with its values.
pub(crate) type Assignments = HashMap<String, VarValues>;

/// The assignments in `files`, which are one deployment's files in the order nginx reads
/// them: never another deployment's, and never in hash-map order (the first value listed is
/// named in messages).
pub(crate) fn collect<'a>(files: impl Iterator<Item = &'a [Directive]>) -> Assignments {
    let mut all = HashMap::new();
    for directives in files {
        walk(directives, &mut all);
    }
    all
}

fn var_name(s: &str) -> Option<&str> {
    let v = s.strip_prefix('$')?;
    Some(
        v.strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(v),
    )
}

fn walk(dirs: &[Directive], all: &mut Assignments) {
    for d in dirs {
        match d.name() {
            "set" => {
                if let Some(name) = d.arg(0).and_then(var_name) {
                    let out = all.entry(name.to_string()).or_default();
                    match d.args.get(1) {
                        Some(a) if !a.has_variable() => out.values.push(a.value.to_string()),
                        _ => out.open = true,
                    }
                }
            }
            "map" | "geo" | "split_clients" if d.block().is_some() => {
                // map $src $dst; geo [$src] $dst; split_clients "$src" $dst.
                let Some(dst) = d.args.last() else { continue };
                let Some(name) = var_name(&dst.value) else {
                    continue;
                };
                let out = all.entry(name.to_string()).or_default();
                for e in d.children() {
                    let special = match d.name() {
                        "map" => matches!(e.name(), "hostnames" | "volatile"),
                        "geo" => {
                            matches!(e.name(), "ranges" | "delete" | "proxy" | "proxy_recursive")
                        }
                        _ => false,
                    };
                    if special {
                        continue;
                    }
                    if e.name() == "include" || e.block().is_some() {
                        out.open = true;
                        continue;
                    }
                    match e.args.first() {
                        Some(a) if !a.has_variable() => out.values.push(a.value.to_string()),
                        _ => out.open = true,
                    }
                }
                // A map or split_clients without a default yields "" for the rest.
            }
            _ => {}
        }
        if d.block().is_some() && !crate::model::directives::is_table_block(d.name()) {
            walk(d.children(), all);
        }
    }
}
