//! The chain of a run as a graph: client → listener → route → pool → server → the next
//! proxy's listener → … Printed by `gwlint graph` as text, JSON or Graphviz DOT.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use serde::Serialize;

use super::{Chain, dialect_name};
use crate::finding::Dialect;
use crate::model::{Proxy, ScopeId, ScopeKind, Target};
use crate::source::Span;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Graph {
    /// The configurations of the run, one per proxy.
    pub(crate) proxies: Vec<ProxyInfo>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProxyInfo {
    pub(crate) id: usize,
    pub(crate) dialect: Dialect,
    pub(crate) file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum NodeKind {
    /// nginx `listen`, HAProxy `bind`.
    Listener,
    /// nginx `*_pass`, HAProxy `use_backend`/`default_backend`.
    Route,
    /// nginx `upstream`, HAProxy `backend`.
    Pool,
    /// A pool's `server`.
    Server,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub(crate) id: usize,
    pub(crate) proxy: usize,
    pub(crate) kind: NodeKind,
    /// The block it sits in: `frontend fe`, `server example.test`, `location /api`.
    pub(crate) block: String,
    /// The directive as written: `listen 127.0.0.1:8080 ssl`, `proxy_pass http://app`.
    pub(crate) label: String,
    pub(crate) file: String,
    pub(crate) line: usize,
    /// The text it stands for: the block it owns (a listener's `server`/`frontend`, a
    /// route's `location`, a pool's `upstream`/`backend`), else its directive. The HTML
    /// report places findings on the node whose extent holds them.
    #[serde(skip)]
    pub(crate) extent: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    /// A hop from one proxy to another (the others are inside one configuration).
    pub link: bool,
}

/// The text drawing under way: each node's edges, the path from the root, the lines so far.
struct Text<'g> {
    graph: &'g Graph,
    kids: Vec<Vec<&'g Edge>>,
    path: Vec<usize>,
    out: String,
}

impl Text<'_> {
    fn node(&mut self, id: usize, indent: &str, last: bool, via_link: bool) {
        let branch = if last { "└─ " } else { "├─ " };
        let n = &self.graph.nodes[id];
        let link = if via_link { "→ " } else { "" };
        if self.path.contains(&id) || self.path.len() > 64 {
            // Words of the input: control characters escaped, as in every human format.
            let line = crate::output::escape(&self.graph.line(n, via_link));
            let _ = writeln!(self.out, "{indent}{branch}{link}(loop) {line}");
            return;
        }
        let line = crate::output::escape(&self.graph.line(n, via_link));
        let _ = writeln!(self.out, "{indent}{branch}{link}{line}");
        let next_indent = format!("{indent}{}", if last { "   " } else { "│  " });
        let kids = self.kids[id].clone();
        self.path.push(id);
        for (i, e) in kids.iter().enumerate() {
            self.node(e.to, &next_indent, i + 1 == kids.len(), e.link);
        }
        self.path.pop();
    }
}

/// `frontend fe`, `server example.test`, `location /api`, `upstream app`.
fn block_name(proxy: &Proxy, scope: ScopeId) -> String {
    let mut s = Some(scope);
    while let Some(id) = s {
        let sc = &proxy.scopes[id];
        if !matches!(sc.kind, ScopeKind::If | ScopeKind::LimitExcept)
            && let Some(b) = sc.block
        {
            let name = match (sc.kind, proxy.dialect) {
                (ScopeKind::Server, Dialect::Nginx) => {
                    let names = proxy.setting(id, "server_name");
                    match names.directives.last().and_then(|d| d.arg(0)) {
                        Some(n) => format!("server {n}"),
                        None => "server".into(),
                    }
                }
                _ => b.written(),
            };
            return name;
        }
        s = sc.parent;
    }
    String::new()
}

/// The block that opens a scope, from its name to its closing brace (or section end).
fn block_extent(proxy: &Proxy, scope: ScopeId) -> Option<Span> {
    let b = proxy.scopes[scope].block?;
    Some(b.span().to(b.block_span().unwrap_or(b.span())))
}

pub(crate) fn build(chain: &Chain) -> Graph {
    let mut g = Graph::default();
    let mut ids: HashMap<(usize, NodeKind, usize, usize), usize> = HashMap::new();
    let at = |span: Span| {
        let f = chain.sources.get(span.file);
        (f.name.clone(), f.line(span.start as usize))
    };
    let mut add =
        |g: &mut Graph, key, proxy: usize, kind, block: String, label: String, span, extent| {
            let (file, line) = at(span);
            let id = g.nodes.len();
            g.nodes.push(Node {
                id,
                proxy,
                kind,
                block,
                label,
                file,
                line,
                extent,
            });
            ids.insert(key, id);
            id
        };
    for (li, layer) in chain.layers.iter().enumerate() {
        let proxy = &layer.proxy;
        g.proxies.push(ProxyInfo {
            id: li,
            dialect: proxy.dialect,
            file: chain.sources.get(proxy.root).name.clone(),
        });
        for (i, l) in layer.listeners.iter().enumerate() {
            let label = if l.implied {
                "listen *:80 (implied)".to_string()
            } else {
                l.directive.written()
            };
            add(
                &mut g,
                (li, NodeKind::Listener, i, 0),
                li,
                NodeKind::Listener,
                block_name(proxy, l.scope),
                label,
                l.span,
                block_extent(proxy, l.scope).unwrap_or(l.span),
            );
        }
        for (i, r) in proxy.routes.iter().enumerate() {
            add(
                &mut g,
                (li, NodeKind::Route, i, 0),
                li,
                NodeKind::Route,
                block_name(proxy, r.scope),
                r.directive.written(),
                r.directive.span(),
                // A route's own block (its `location`); the server or frontend it sits in
                // is its listener's.
                match proxy.scopes[r.scope].kind {
                    ScopeKind::Location | ScopeKind::If | ScopeKind::LimitExcept => {
                        block_extent(proxy, r.scope)
                    }
                    _ => None,
                }
                .unwrap_or(r.directive.span()),
            );
        }
        for (i, p) in proxy.pools.iter().enumerate() {
            let kind = match proxy.dialect {
                Dialect::Nginx => "upstream",
                Dialect::Haproxy => proxy.scopes[p.scope].block.map_or("backend", |b| b.name()),
            };
            add(
                &mut g,
                (li, NodeKind::Pool, i, 0),
                li,
                NodeKind::Pool,
                String::new(),
                format!("{kind} {}", p.name),
                p.name_span,
                block_extent(proxy, p.scope).unwrap_or(p.name_span),
            );
            for (s, server) in p.servers.iter().enumerate() {
                add(
                    &mut g,
                    (li, NodeKind::Server, i, s),
                    li,
                    NodeKind::Server,
                    format!("{kind} {}", p.name),
                    server.directive.written(),
                    server.directive.span(),
                    server.directive.span(),
                );
            }
        }
    }
    // Edges kept once each, in the order they are found (a set, not a scan of the list).
    let mut drawn: HashSet<(usize, usize)> = HashSet::new();
    let mut edge = |g: &mut Graph, from: usize, to: usize, link: bool| {
        if drawn.insert((from, to)) {
            g.edges.push(Edge { from, to, link });
        }
    };
    for (li, layer) in chain.layers.iter().enumerate() {
        let proxy = &layer.proxy;
        for (i, l) in layer.listeners.iter().enumerate() {
            for r in chain.behind(li, l) {
                edge(
                    &mut g,
                    ids[&(li, NodeKind::Listener, i, 0)],
                    ids[&(li, NodeKind::Route, r, 0)],
                    false,
                );
            }
        }
        for (i, r) in proxy.routes.iter().enumerate() {
            if let Target::Pool(p) = r.target {
                edge(
                    &mut g,
                    ids[&(li, NodeKind::Route, i, 0)],
                    ids[&(li, NodeKind::Pool, p, 0)],
                    false,
                );
            }
        }
        for (i, p) in proxy.pools.iter().enumerate() {
            for s in 0..p.servers.len() {
                edge(
                    &mut g,
                    ids[&(li, NodeKind::Pool, i, 0)],
                    ids[&(li, NodeKind::Server, i, s)],
                    false,
                );
            }
        }
    }
    for hop in &chain.hops {
        let from = match (hop.pool, hop.server, hop.route) {
            (Some(p), Some(s), _) => ids[&(hop.outer, NodeKind::Server, p, s)],
            (_, _, Some(r)) => ids[&(hop.outer, NodeKind::Route, r, 0)],
            _ => continue,
        };
        edge(
            &mut g,
            from,
            ids[&(hop.inner, NodeKind::Listener, hop.listener, 0)],
            true,
        );
    }
    g
}

impl Graph {
    /// Each node's outgoing edges, in order.
    fn children(&self) -> Vec<Vec<&Edge>> {
        let mut kids = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            if let Some(k) = kids.get_mut(e.from) {
                k.push(e);
            }
        }
        kids
    }

    /// Where traffic enters: listeners (and routes of fragments without one) that no other
    /// proxy of the run sends to.
    fn roots(&self) -> Vec<usize> {
        let entered: HashSet<usize> = self.edges.iter().map(|e| e.to).collect();
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Listener | NodeKind::Route))
            .filter(|n| !entered.contains(&n.id))
            .map(|n| n.id)
            .collect()
    }

    fn line(&self, n: &Node, via_link: bool) -> String {
        let dialect = dialect_name(self.proxies[n.proxy].dialect);
        let what = match n.kind {
            NodeKind::Listener | NodeKind::Route if !n.block.is_empty() => {
                format!("{}: {}", n.block, n.label)
            }
            _ => n.label.clone(),
        };
        let head = if n.kind == NodeKind::Listener || via_link {
            format!("{dialect} ")
        } else {
            String::new()
        };
        format!("{head}{what}  ({}:{})", n.file, n.line)
    }

    /// The chain as an indented tree, from the client down.
    pub(crate) fn render_text(&self) -> String {
        let roots = self.roots();
        let mut text = Text {
            graph: self,
            kids: self.children(),
            path: Vec::new(),
            out: String::from("client\n"),
        };
        for (i, &r) in roots.iter().enumerate() {
            text.node(r, "", i + 1 == roots.len(), false);
        }
        if roots.is_empty() {
            text.out.push_str("└─ (no listener or route found)\n");
        }
        text.out
    }

    pub(crate) fn render_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Graphviz DOT: one cluster per proxy, hops between proxies in bold.
    pub(crate) fn render_dot(&self) -> String {
        let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = String::from(
            "digraph gwlint {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n  client [shape=oval];\n",
        );
        for p in &self.proxies {
            let _ = writeln!(
                out,
                "  subgraph cluster_{} {{\n    label=\"{} ({})\";",
                p.id,
                q(&p.file),
                dialect_name(p.dialect)
            );
            for n in self.nodes.iter().filter(|n| n.proxy == p.id) {
                let label = match n.kind {
                    NodeKind::Listener | NodeKind::Route if !n.block.is_empty() => {
                        format!("{}\\n{}", q(&n.block), q(&n.label))
                    }
                    _ => q(&n.label),
                };
                let _ = writeln!(out, "    n{} [label=\"{label}\\n:{}\"];", n.id, n.line);
            }
            out.push_str("  }\n");
        }
        for r in self.roots() {
            let _ = writeln!(out, "  client -> n{r};");
        }
        for e in &self.edges {
            let style = if e.link {
                " [style=bold, color=blue]"
            } else {
                ""
            };
            let _ = writeln!(out, "  n{} -> n{}{style};", e.from, e.to);
        }
        out.push_str("}\n");
        out
    }
}
