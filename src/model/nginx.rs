//! Lowering an nginx [`Tree`] into a [`Proxy`]: scopes with their directives (includes
//! expanded where they stand), pools from `upstream`, routes from `*_pass`.

use std::collections::HashMap;

use super::endpoint::{Endpoint, split_url};
use super::{Ctx, Pass, Pool, Proxy, Route, Scope, ScopeId, ScopeKind, Server, Target, directives};
use crate::finding::Dialect;
use crate::source::FileId;
use crate::syntax::include::Tree;
use crate::syntax::nginx::{Directive, File};

/// Includes may chain through blocks; past this depth lowering stops descending.
const MAX_WALK_DEPTH: usize = 1000;

pub fn lower<'a>(tree: &'a Tree, files: &'a HashMap<FileId, File>) -> Proxy<'a> {
    let root = &files[&tree.root].directives;
    let kind = root_kind(root);
    let mut l = Lowering {
        tree,
        files,
        proxy: Proxy {
            dialect: Dialect::Nginx,
            root: tree.root,
            fragment: kind != ScopeKind::Main,
            scopes: Vec::new(),
            routes: Vec::new(),
            pools: Vec::new(),
        },
        active: vec![tree.root],
        passes: Vec::new(),
    };
    // A fragment sits in the context its directives imply, under an implied http or stream.
    let top = match kind {
        ScopeKind::Main => l.scope(None, ScopeKind::Main, None),
        ScopeKind::Stream | ScopeKind::StreamServer => {
            let main = l.scope(None, ScopeKind::Main, None);
            l.scope(Some(main), ScopeKind::Stream, None)
        }
        k => {
            let main = l.scope(None, ScopeKind::Main, None);
            let mut s = l.scope(Some(main), ScopeKind::Http, None);
            if matches!(k, ScopeKind::Server | ScopeKind::Location) {
                s = l.scope(Some(s), ScopeKind::Server, None);
            }
            if k == ScopeKind::Location {
                s = l.scope(Some(s), ScopeKind::Location, None);
            }
            s
        }
    };
    l.walk(root, top, 0);
    l.resolve_routes();
    l.proxy
}

/// The context a file's top-level directives imply.
fn root_kind(dirs: &[Directive]) -> ScopeKind {
    let has = |n: &str| dirs.iter().any(|d| d.name() == n);
    if dirs.iter().any(|d| directives::is_main_only(d.name())) {
        return ScopeKind::Main;
    }
    if has("location") || has("listen") || has("server_name") {
        return ScopeKind::Server;
    }
    let servers: Vec<&Directive> = dirs
        .iter()
        .filter(|d| d.name() == "server" && d.block.is_some())
        .collect();
    if !servers.is_empty() {
        // A stream server proxies directly; an http server has locations.
        let stream = servers.iter().all(|s| {
            s.children().iter().any(|c| c.name() == "proxy_pass")
                && !s.children().iter().any(|c| c.name() == "location")
        });
        return if stream {
            ScopeKind::Stream
        } else {
            ScopeKind::Http
        };
    }
    if dirs
        .iter()
        .any(|d| Pass::from_directive(d.name()).is_some())
    {
        return ScopeKind::Location;
    }
    ScopeKind::Http
}

struct Lowering<'a> {
    tree: &'a Tree,
    files: &'a HashMap<FileId, File>,
    proxy: Proxy<'a>,
    /// Files being walked (an include of one of them is a cycle, reported elsewhere).
    active: Vec<FileId>,
    passes: Vec<(&'a Directive, Pass, ScopeId, Ctx)>,
}

impl<'a> Lowering<'a> {
    fn scope(
        &mut self,
        parent: Option<ScopeId>,
        kind: ScopeKind,
        block: Option<&'a Directive>,
    ) -> ScopeId {
        self.proxy.scopes.push(Scope {
            parent,
            kind,
            block,
            directives: Vec::new(),
        });
        self.proxy.scopes.len() - 1
    }

    fn ctx(&self, mut scope: ScopeId) -> Ctx {
        loop {
            match self.proxy.scopes[scope].kind {
                ScopeKind::Stream | ScopeKind::StreamServer => return Ctx::Stream,
                ScopeKind::Main => return Ctx::Http,
                _ => {}
            }
            match self.proxy.scopes[scope].parent {
                Some(p) => scope = p,
                None => return Ctx::Http,
            }
        }
    }

    fn walk(&mut self, dirs: &'a [Directive], scope: ScopeId, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            return;
        }
        let kind = self.proxy.scopes[scope].kind;
        for d in dirs {
            if d.name() == "include" {
                for &f in self.tree.included(d) {
                    if self.active.contains(&f) {
                        continue;
                    }
                    if let Some(file) = self.files.get(&f) {
                        self.active.push(f);
                        self.walk(&file.directives, scope, depth + 1);
                        self.active.pop();
                    }
                }
                continue;
            }
            let Some(children) = &d.block else {
                self.proxy.scopes[scope].directives.push(d);
                if let Some(pass) = Pass::from_directive(d.name()) {
                    let ctx = self.ctx(scope);
                    self.passes.push((d, pass, scope, ctx));
                }
                continue;
            };
            let child_kind = match (d.name(), kind) {
                ("http", _) => ScopeKind::Http,
                ("stream", _) => ScopeKind::Stream,
                ("server", ScopeKind::Stream) => ScopeKind::StreamServer,
                ("server", _) => ScopeKind::Server,
                ("location", _) => ScopeKind::Location,
                ("if", _) => ScopeKind::If,
                ("limit_except", _) => ScopeKind::LimitExcept,
                ("upstream", _) => ScopeKind::Upstream,
                // events, mail, map, types, …: nothing that routes traffic.
                _ => continue,
            };
            let child = self.scope(Some(scope), child_kind, Some(d));
            self.walk(children, child, depth + 1);
            if child_kind == ScopeKind::Upstream {
                self.pool(d, child);
            }
        }
    }

    fn pool(&mut self, d: &'a Directive, scope: ScopeId) {
        let Some(name) = d.args.first() else { return };
        let ctx = self.ctx(scope);
        let servers = self.proxy.scopes[scope]
            .directives
            .iter()
            .filter(|s| s.name() == "server")
            .filter_map(|s| {
                let addr = s.args.first()?;
                Some(Server {
                    directive: s,
                    endpoint: Endpoint::parse(&addr.value),
                    endpoint_span: addr.span,
                    params: s.args[1..]
                        .iter()
                        .map(|a| match a.value.split_once('=') {
                            Some((k, v)) => (k.to_string(), Some(v.to_string()), a.span),
                            None => (a.value.clone(), None, a.span),
                        })
                        .collect(),
                })
            })
            .collect();
        self.proxy.pools.push(Pool {
            name: name.value.clone(),
            name_span: name.span,
            directive: d,
            ctx,
            servers,
            scope,
        });
    }

    fn resolve_routes(&mut self) {
        for (d, pass, scope, ctx) in std::mem::take(&mut self.passes) {
            let Some(arg) = d.args.first() else { continue };
            let (scheme, addr) = split_url(&arg.value);
            let endpoint = if arg.has_variable() {
                Endpoint::Dynamic
            } else {
                Endpoint::parse(addr)
            };
            // An upstream name is written without a port; with one, nginx refuses to start
            // (a rule reports it), so the route is left pointing at the address.
            let pool = match &endpoint {
                Endpoint::Inet { host, port: None } => {
                    self.proxy.pools_named(ctx, host).next().map(|(i, _)| i)
                }
                _ => None,
            };
            let target = match pool {
                Some(i) => Target::Pool(i),
                None => Target::Endpoint(endpoint),
            };
            self.proxy.routes.push(Route {
                directive: d,
                pass,
                ctx,
                scheme: scheme.map(str::to_ascii_lowercase),
                target,
                target_span: arg.span,
                scope,
            });
        }
    }
}
