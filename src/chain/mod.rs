//! Gateway chains: when one run sees several proxies, an outer proxy's targets are linked to
//! an inner proxy's listeners (link.rs), and each hop is checked as one path: the inner layer
//! must time out first, the outer must drop idle connections first, both ends must speak the
//! same protocol, health checks must get a 2xx. The graph of the run is drawn by graph.rs.

pub mod graph;
pub mod link;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::discover::Scope;
use crate::facts::Facts;
use crate::finding::{Dialect, Finding};
use crate::load::Loader;
use crate::model::listen::{self, Listener};
use crate::model::{Proxy, ScopeId, ScopeKind, Server, Target};
use crate::rules::{self, Rule};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::include::Tree;

pub use graph::Graph;
pub use link::Hop;

/// One proxy configuration of the run, lowered, with its listeners.
pub struct Layer<'a> {
    pub proxy: Proxy<'a>,
    pub listeners: Vec<Listener<'a>>,
}

/// Everything the chain rules check with.
pub struct Chain<'a> {
    pub sources: &'a SourceMap,
    pub layers: Vec<Layer<'a>>,
    pub hops: Vec<Hop>,
    pub nginx_version: Option<rules::Version>,
    /// Per layer, built when first asked: the routes inside each block (`behind`).
    routes_in: Vec<OnceLock<HashMap<ScopeId, Vec<usize>>>>,
}

pub type Check = fn(&Chain, &mut Vec<Finding>);

/// The chain rules (registered in `rules::RULES` too, for selection, SARIF and pages).
pub static CHECKS: &[(&Rule, Check)] = &[
    (
        &rules::chain_timeout_order::RULE,
        rules::chain_timeout_order::check,
    ),
    (
        &rules::chain_keepalive_race::RULE,
        rules::chain_keepalive_race::check,
    ),
    (
        &rules::chain_protocol_mismatch::RULE,
        rules::chain_protocol_mismatch::check,
    ),
    (
        &rules::chain_proxy_protocol_mismatch::RULE,
        rules::chain_proxy_protocol_mismatch::check,
    ),
    (
        &rules::chain_health_check_status::RULE,
        rules::chain_health_check_status::check,
    ),
];

/// The result of linking a run's proxies.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub graph: Graph,
}

/// Lowers every kept tree again (lowering is cheap), links the layers and checks every hop.
/// Findings outside the files the user asked about are dropped, as for the other rules. The
/// graph is drawn only when asked for (`gwlint graph`): a lint run does not need it.
pub fn check(
    loader: &Loader,
    trees: &[&(Tree, Scope)],
    facts: &Facts,
    nginx_version: Option<rules::Version>,
    want_graph: bool,
) -> Checked {
    // One configuration alone is no chain: nothing to link, nothing to lower again.
    if trees.len() < 2 && !want_graph {
        return Checked {
            findings: Vec::new(),
            graph: Graph::default(),
        };
    }
    let parsed = loader.parsed_map();
    let layers: Vec<Layer> = trees
        .iter()
        .map(|(tree, _)| {
            let proxy = match tree.dialect {
                Dialect::Nginx => crate::model::nginx::lower(tree, parsed),
                Dialect::Haproxy => crate::model::haproxy::lower(tree, parsed),
            };
            let listeners = listen::listeners(&proxy);
            Layer { proxy, listeners }
        })
        .collect();
    let hops = link::link(&layers, facts, &loader.sources);
    let chain = Chain {
        sources: &loader.sources,
        routes_in: layers.iter().map(|_| OnceLock::new()).collect(),
        layers,
        hops,
        nginx_version,
    };
    let mut findings = Vec::new();
    for (rule, check) in CHECKS {
        let mut found = Vec::new();
        let r =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&chain, &mut found)));
        match r {
            Ok(()) => findings.extend(found),
            Err(_) => {
                let root = chain.layers.first().map(|l| l.proxy.root);
                if let Some(root) = root {
                    findings.push(Finding::new(
                        &rules::internal_error::RULE,
                        Span::new(root, 0, 0),
                        format!(
                            "gwlint failed while checking {} {} on this chain; please report it",
                            rule.code, rule.name
                        ),
                    ));
                }
            }
        }
    }
    // One set of the files in scope, not every tree asked about every finding.
    if !trees.iter().any(|(_, scope)| matches!(scope, Scope::All)) {
        let files: HashSet<FileId> = trees
            .iter()
            .filter_map(|(_, scope)| match scope {
                Scope::Files(f) => Some(f),
                Scope::All => None,
            })
            .flatten()
            .copied()
            .collect();
        findings.retain(|f| files.contains(&f.span.file));
    }
    let graph = if want_graph {
        graph::build(&chain)
    } else {
        Graph::default()
    };
    Checked { findings, graph }
}

impl<'a> Chain<'a> {
    pub fn layer(&self, i: usize) -> &Layer<'a> {
        &self.layers[i]
    }
    /// The outer server of a hop (None for an nginx `proxy_pass` straight to an address).
    pub fn server(&self, hop: &Hop) -> Option<&Server<'a>> {
        let pool = &self.layers[hop.outer].proxy.pools[hop.pool?];
        pool.servers.get(hop.server?)
    }
    pub fn listener(&self, hop: &Hop) -> &Listener<'a> {
        &self.layers[hop.inner].listeners[hop.listener]
    }
    /// The settings scope of the outer end: the HAProxy backend, or the nginx location.
    pub fn outer_scope(&self, hop: &Hop) -> Option<ScopeId> {
        let proxy = &self.layers[hop.outer].proxy;
        match proxy.dialect {
            Dialect::Haproxy => hop.pool.map(|p| proxy.pools[p].scope),
            Dialect::Nginx => hop.route.map(|r| proxy.routes[r].scope),
        }
    }
    /// "server web1 127.0.0.1:8080 in backend app" / "proxy_pass http://127.0.0.1:8080".
    pub fn outer_name(&self, hop: &Hop) -> String {
        let proxy = &self.layers[hop.outer].proxy;
        match (self.server(hop), hop.pool) {
            (Some(s), Some(p)) => {
                let kind = match proxy.dialect {
                    Dialect::Haproxy => "backend",
                    Dialect::Nginx => "upstream",
                };
                format!(
                    "`server {}` in {kind} `{}`",
                    s.directive
                        .args
                        .iter()
                        .map(|a| a.value.as_str())
                        .take(match proxy.dialect {
                            Dialect::Haproxy => 2,
                            Dialect::Nginx => 1,
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                    proxy.pools[p].name
                )
            }
            _ => match hop.route.map(|r| &proxy.routes[r]) {
                Some(r) => format!(
                    "`{} {}`",
                    r.pass.directive(),
                    r.directive.arg(0).unwrap_or("")
                ),
                None => "the target".into(),
            },
        }
    }
    /// "`listen 127.0.0.1:8080` in nginx.conf" for messages.
    pub fn inner_name(&self, hop: &Hop) -> String {
        let layer = &self.layers[hop.inner];
        let l = self.listener(hop);
        let file = &self.sources.get(l.span.file).name;
        let file = std::path::Path::new(file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let what = match (layer.proxy.dialect, l.implied) {
            (Dialect::Nginx, true) => "the implied `listen *:80`".to_string(),
            (Dialect::Nginx, false) => format!("`{}`", l.directive.written()),
            (Dialect::Haproxy, _) => format!("`{}`", l.directive.written()),
        };
        format!("{what} in {file}")
    }
    /// The routes that serve connections accepted by a listener: the nginx `server`'s
    /// locations, the HAProxy frontend's `use_backend`/`default_backend`.
    pub fn behind(&self, layer: usize, listener: &Listener) -> Vec<usize> {
        self.routes_in(layer)
            .get(&listener.scope)
            .cloned()
            .unwrap_or_default()
    }
    /// Every block of a layer with the routes inside it, in order: each route is listed
    /// under its own block and every block around it, once per layer (asking every route
    /// about every listener would cost listeners × routes).
    pub fn routes_in(&self, layer: usize) -> &HashMap<ScopeId, Vec<usize>> {
        self.routes_in[layer].get_or_init(|| {
            let proxy = &self.layers[layer].proxy;
            let mut map: HashMap<ScopeId, Vec<usize>> = HashMap::new();
            for (i, r) in proxy.routes.iter().enumerate() {
                let mut scope = Some(r.scope);
                while let Some(s) = scope {
                    map.entry(s).or_default().push(i);
                    scope = proxy.scopes[s].parent;
                }
            }
            map
        })
    }
    /// The pool a route hands to, if any.
    pub fn pool_of(&self, layer: usize, route: usize) -> Option<usize> {
        match self.layers[layer].proxy.routes[route].target {
            Target::Pool(p) => Some(p),
            _ => None,
        }
    }
}

pub fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Nginx => "nginx",
        Dialect::Haproxy => "HAProxy",
    }
}

/// Is `scope` the block `outer` or inside it?
pub fn within(proxy: &Proxy, mut scope: ScopeId, outer: ScopeId) -> bool {
    loop {
        if scope == outer {
            return true;
        }
        match proxy.scopes[scope].parent {
            Some(p) => scope = p,
            None => return false,
        }
    }
}

/// The innermost nginx `server` (or stream server) around a scope.
pub fn server_scope(proxy: &Proxy, mut scope: ScopeId) -> Option<ScopeId> {
    loop {
        if matches!(
            proxy.scopes[scope].kind,
            ScopeKind::Server | ScopeKind::StreamServer
        ) {
            return Some(scope);
        }
        scope = proxy.scopes[scope].parent?;
    }
}

/// HAProxy's time syntax in milliseconds: a number with `us`, `ms`, `s`, `m`, `h` or `d`;
/// no unit means milliseconds.
pub fn haproxy_time_ms(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = s[..digits].parse().ok()?;
    let mult = match &s[digits..] {
        "us" => return Some(n / 1000),
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A time of either dialect in milliseconds.
pub fn time_ms(dialect: Dialect, s: &str) -> Option<u64> {
    match dialect {
        Dialect::Nginx => rules::support_tune::parse_time_ms(s),
        Dialect::Haproxy => haproxy_time_ms(s),
    }
}

/// A time for messages: `90s`, `2m`, `500ms`.
pub fn show_ms(ms: u64) -> String {
    if ms >= 600_000 && ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Is HAProxy `option <name>` in force at `scope` (the last `option`/`no option` of the
/// innermost section that writes one decides)?
pub fn haproxy_option(proxy: &Proxy, scope: ScopeId, name: &str) -> bool {
    let on = format!("option {name}");
    let off = format!("no option {name}");
    let mut s = Some(scope);
    while let Some(id) = s {
        let sc = &proxy.scopes[id];
        if let Some(d) = sc
            .directives
            .iter()
            .rev()
            .find(|d| d.name() == on || d.name() == off)
        {
            return d.name() == on;
        }
        s = sc.parent;
    }
    false
}

/// The effective time of a directive at a scope, with the span that decides it (None when a
/// default applies) — the default's value comes from nginx's table, or `fallback` for HAProxy.
pub fn timeout(proxy: &Proxy, scope: ScopeId, name: &str) -> Option<(u64, Option<Span>)> {
    let s = proxy.setting(scope, name);
    let ms = time_ms(proxy.dialect, s.first()?)?;
    Some((ms, s.directives.last().map(|d| d.span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haproxy_times() {
        assert_eq!(haproxy_time_ms("30s"), Some(30_000));
        assert_eq!(haproxy_time_ms("500"), Some(500));
        assert_eq!(haproxy_time_ms("2m"), Some(120_000));
        assert_eq!(haproxy_time_ms("1500us"), Some(1));
        assert_eq!(haproxy_time_ms("x"), None);
        assert_eq!(haproxy_time_ms("5x"), None);
        assert_eq!(show_ms(90_000), "90s");
        assert_eq!(show_ms(120_000), "120s");
        assert_eq!(show_ms(600_000), "10m");
        assert_eq!(show_ms(1500), "1500ms");
    }
}
