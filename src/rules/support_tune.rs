//! Shared helpers for the timeout, buffer, connection-reuse and name-resolution rules:
//! walking scopes, variable values, the facts of a pool.

use crate::model::{Proxy, ScopeId, ScopeKind};
use crate::syntax::nginx::Directive;

/// Is this scope inside `stream {}`?
pub fn in_stream(proxy: &Proxy, mut scope: ScopeId) -> bool {
    loop {
        match proxy.scopes[scope].kind {
            ScopeKind::Stream | ScopeKind::StreamServer => return true,
            _ => {}
        }
        match proxy.scopes[scope].parent {
            Some(p) => scope = p,
            None => return false,
        }
    }
}

/// What the configuration assigns to a variable: every value written by `set`, `map`, `geo`
/// and `split_clients` (in every file of the tree), or None when something assigns it in a
/// way gwlint cannot list (an `include` inside a `map`, a value built from variables…).
#[derive(Debug, Default)]
pub struct VarValues {
    pub values: Vec<String>,
    /// Some assignment could not be listed.
    pub open: bool,
}

/// Every variable the configuration assigns, with its values: listed in one pass over the
/// tree the first time a rule asks, since rules ask per route.
#[derive(Debug, Default)]
pub struct Assignments(std::sync::OnceLock<std::collections::HashMap<String, VarValues>>);

/// Values the configuration gives `$name` (without the `$`); None when nothing assigns it.
pub fn variable_values<'c>(ctx: &'c super::Context, name: &str) -> Option<&'c VarValues> {
    let all = ctx.variables.0.get_or_init(|| {
        let mut all = std::collections::HashMap::new();
        // The files of this deployment, in the order nginx reads them: never another
        // deployment's, and never in hash-map order (the first value listed is named in
        // messages).
        for file in ctx.tree.files.iter().filter_map(|f| ctx.files.get(f)) {
            collect(&file.directives, &mut all);
        }
        all
    });
    all.get(name)
}

fn var_name(s: &str) -> Option<&str> {
    let v = s.strip_prefix('$')?;
    Some(
        v.strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(v),
    )
}

fn collect(dirs: &[Directive], all: &mut std::collections::HashMap<String, VarValues>) {
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
            collect(d.children(), all);
        }
    }
}

/// The host and port of a `*_pass` argument as written, variables left in: `http://$b:8080/x`
/// → ("$b", Some("8080")); None for unix sockets.
pub fn pass_host(arg: &str) -> Option<(&str, Option<&str>)> {
    let (_, addr) = crate::model::endpoint::split_url(arg);
    if addr.starts_with("unix:") {
        return None;
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')));
    }
    match addr.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, Some(p))),
        _ => Some((addr, None)),
    }
}

/// The facts declared for a pool: by its name, or by the address of one of its servers as
/// written (`127.0.0.1:8080`; an nginx `server`'s first word, an HAProxy `server`'s second).
pub fn pool_facts<'f>(
    ctx: &super::Context<'f>,
    pool: &crate::model::Pool,
) -> Vec<&'f crate::facts::Backend> {
    ctx.facts
        .backends
        .iter()
        .filter(|b| {
            b.target.eq_ignore_ascii_case(&pool.name)
                || pool
                    .servers
                    .iter()
                    .any(|s| ctx.sources.text(s.endpoint_span) == b.target)
        })
        .collect()
}

/// The facts declared for where a route sends: its pool's ([`pool_facts`]), or those of the
/// address it names.
pub fn route_facts<'f>(
    ctx: &super::Context<'f>,
    route: &crate::model::Route,
) -> Vec<&'f crate::facts::Backend> {
    use crate::model::Target;
    match &route.target {
        Target::Pool(i) => pool_facts(ctx, &ctx.proxy.pools[*i]),
        Target::Endpoint(_) => {
            let addr = route
                .directive
                .arg(0)
                .map(|a| crate::model::endpoint::split_url(a).1)
                .unwrap_or("");
            ctx.facts
                .backends
                .iter()
                .filter(|b| b.target == addr)
                .collect()
        }
        Target::Missing(_) => Vec::new(),
    }
}
