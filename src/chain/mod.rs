//! Gateway chains: when one run sees several proxies, an outer proxy's targets are linked to
//! an inner proxy's listeners (link.rs), and each hop is checked as one path: the inner layer
//! must time out first, the outer must drop idle connections first, both ends must speak the
//! same protocol, health checks must get a 2xx. The graph of the run is drawn by graph.rs.

pub(crate) mod graph;
pub(crate) mod link;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::discover::Scope;
use crate::facts::Facts;
use crate::finding::{Dialect, Finding};
use crate::load::Loader;
use crate::load::include::Tree;
use crate::model::listen::{self, Listener};
use crate::model::{Proxy, ScopeId, Server, Target};
use crate::source::{FileId, SourceMap};
use crate::version::Version;

pub(crate) use graph::Graph;
pub(crate) use link::Hop;

/// One proxy configuration of the run, lowered, with its listeners.
pub(crate) struct Layer<'a> {
    pub(crate) proxy: Proxy<'a>,
    pub(crate) listeners: Vec<Listener<'a>>,
}

/// Everything the chain rules check with.
pub(crate) struct Chain<'a> {
    pub(crate) sources: &'a SourceMap,
    pub(crate) layers: Vec<Layer<'a>>,
    pub(crate) hops: Vec<Hop>,
    pub(crate) nginx_version: Option<Version>,
    /// Per layer, built when first asked: the routes inside each block (`behind`).
    routes_in: Vec<OnceLock<HashMap<ScopeId, Vec<usize>>>>,
}

pub(crate) type Check = fn(&Chain, &mut Vec<Finding>);

/// The result of linking a run's proxies.
pub(crate) struct Checked {
    pub(crate) findings: Vec<Finding>,
    pub(crate) graph: Graph,
}

/// Links the layers of the kept trees and checks every hop with `rules` (the chain rules,
/// `rules::check_chain`). `lowered` holds each tree's proxy as the check stage lowered it
/// (in the order of `trees`); a tree without one (a run that checks nothing, a crash) is
/// lowered here. Findings outside the files the user
/// asked about are dropped, as for the other rules. The graph is drawn only when asked for
/// (`gwlint graph`): a lint run does not need it.
pub(crate) fn check<'a>(
    loader: &'a Loader,
    trees: &[&'a (Tree, Scope)],
    lowered: Vec<Option<Proxy<'a>>>,
    facts: &Facts,
    nginx_version: Option<Version>,
    want_graph: bool,
    rules: fn(&Chain) -> Vec<Finding>,
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
        .zip(lowered)
        .map(|((tree, _), proxy)| {
            let proxy = proxy.unwrap_or_else(|| match tree.dialect {
                Dialect::Nginx => crate::model::nginx::lower(tree, parsed),
                Dialect::Haproxy => crate::model::haproxy::lower(tree, parsed),
            });
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
    let mut findings = rules(&chain);
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
    pub(crate) fn layer(&self, i: usize) -> &Layer<'a> {
        &self.layers[i]
    }
    /// The outer server of a hop (None for an nginx `proxy_pass` straight to an address).
    pub(crate) fn server(&self, hop: &Hop) -> Option<&Server<'a>> {
        let pool = &self.layers[hop.outer].proxy.pools[hop.pool?];
        pool.servers.get(hop.server?)
    }
    /// What the outer end of a hop sends ([`crate::model::sends`]): the nginx route's, or the
    /// HAProxy server's.
    pub(crate) fn sends(&self, hop: &Hop) -> Option<crate::model::sends::Sends> {
        let proxy = &self.layers[hop.outer].proxy;
        match proxy.dialect {
            Dialect::Haproxy => Some(crate::model::sends::server(
                proxy,
                &proxy.pools[hop.pool?],
                self.server(hop)?,
            )),
            Dialect::Nginx => Some(crate::model::sends::route(proxy, &proxy.routes[hop.route?])),
        }
    }
    pub(crate) fn listener(&self, hop: &Hop) -> &Listener<'a> {
        &self.layers[hop.inner].listeners[hop.listener]
    }
    /// "server web1 127.0.0.1:8080 in backend app" / "proxy_pass http://127.0.0.1:8080".
    pub(crate) fn outer_name(&self, hop: &Hop) -> String {
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
                        .args()
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
    pub(crate) fn inner_name(&self, hop: &Hop) -> String {
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
    pub(crate) fn behind(&self, layer: usize, listener: &Listener) -> Vec<usize> {
        self.routes_in(layer)
            .get(&listener.scope)
            .cloned()
            .unwrap_or_default()
    }
    /// Every block of a layer with the routes inside it, in order: each route is listed
    /// under its own block and every block around it, once per layer (asking every route
    /// about every listener would cost listeners × routes).
    pub(crate) fn routes_in(&self, layer: usize) -> &HashMap<ScopeId, Vec<usize>> {
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
    pub(crate) fn pool_of(&self, layer: usize, route: usize) -> Option<usize> {
        match self.layers[layer].proxy.routes[route].target {
            Target::Pool(p) => Some(p),
            _ => None,
        }
    }
}

pub(crate) fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Nginx => "nginx",
        Dialect::Haproxy => "HAProxy",
    }
}
