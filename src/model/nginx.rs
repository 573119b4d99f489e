//! Lowering an nginx [`Tree`] into a [`Proxy`]: scopes with their directives (includes
//! expanded where they stand), pools from `upstream`, routes from `*_pass`.

use std::collections::HashMap;

use super::endpoint::{Endpoint, split_url};
use super::{
    Ctx, Pass, Pool, Proxy, Route, Scope, ScopeId, ScopeKind, Server, Statement, Target, directives,
};
use crate::atom::Atom;
use crate::finding::Dialect;
use crate::load::include::Tree;
use crate::source::FileId;
use crate::syntax::nginx::{Directive, File};

/// Includes may chain through blocks; past this depth lowering stops descending.
const MAX_WALK_DEPTH: usize = 1000;

pub fn lower<'a>(tree: &'a Tree, files: &'a HashMap<FileId, File>) -> Proxy<'a> {
    let root = &files[&tree.root].directives;
    let kind = root_kind(root);
    let mut l = Lowering::new(tree, files, vec![tree.root]);
    l.proxy.fragment = kind != ScopeKind::Main;
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
    l.proxy.index_pools();
    l.resolve_routes();
    l.proxy.finish();
    l.proxy
}

/// A URL scheme in lower case, interned.
fn scheme_of(s: &str) -> &'static str {
    const KNOWN: [&str; 6] = ["http", "https", "grpc", "grpcs", "uwsgi", "suwsgi"];
    match KNOWN.iter().find(|k| k.eq_ignore_ascii_case(s)) {
        Some(k) => k,
        None => Atom::new(&s.to_ascii_lowercase()).as_str(),
    }
}

/// Is this a main configuration file (it holds directives only a main file has)?
pub(crate) fn is_main(dirs: &[Directive]) -> bool {
    dirs.iter().any(|d| directives::is_main_only(d.name()))
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
        .filter(|d| d.name() == "server" && d.block().is_some())
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
    /// A part of a big block walked on its own core: it does not split again.
    part: bool,
}

/// A block with at least this many statements is lowered in parts on all cores.
const PARALLEL_BLOCK: usize = 4096;

impl<'a> Lowering<'a> {
    fn new(tree: &'a Tree, files: &'a HashMap<FileId, File>, active: Vec<FileId>) -> Lowering<'a> {
        Lowering {
            tree,
            files,
            proxy: Proxy {
                dialect: Dialect::Nginx,
                root: tree.root,
                fragment: false,
                scopes: Vec::new(),
                routes: Vec::new(),
                pools: Vec::new(),
                pool_index: Default::default(),
                lookup: Default::default(),
                tree,
                files,
                variables: Default::default(),
            },
            active,
            passes: Vec::new(),
            part: false,
        }
    }

    /// Walks the statements of a big block (`http { … }` of thousands of servers) in
    /// contiguous parts on all cores, then appends each part's scopes, pools and hand-offs
    /// in order, renumbered: the same model as one walk, as parts keep document order.
    fn walk_parallel(&mut self, dirs: &'a [Directive], scope: ScopeId, depth: usize) {
        use rayon::prelude::*;
        let kind = self.proxy.scopes[scope].kind;
        let ctx = self.ctx(scope);
        let part = dirs.len().div_ceil(rayon::current_num_threads().max(1));
        let parts: Vec<Lowering<'a>> = dirs
            .par_chunks(part)
            .map(|chunk| {
                let mut sub = Lowering::new(self.tree, self.files, self.active.clone());
                sub.part = true;
                // Scope 0 stands for `scope`: same kind, and the context it is in.
                let parent = match ctx {
                    Ctx::Stream => Some(sub.scope(None, ScopeKind::Stream, None)),
                    Ctx::Http => None,
                };
                let top = sub.scope(parent, kind, None);
                sub.walk(chunk, top, depth);
                sub
            })
            .collect();
        // The model lives as long as the run: its scopes are sized once here, not doubled.
        let more: usize = parts.iter().map(|p| p.proxy.scopes.len()).sum();
        self.proxy.scopes.reserve_exact(more);
        for sub in parts {
            // The stand-ins (one, or two under stream) map to `scope`; the rest follow on.
            let stand_ins = sub
                .proxy
                .scopes
                .iter()
                .take_while(|s| s.block.is_none())
                .count();
            let base = self.proxy.scopes.len();
            let map = |id: ScopeId| match id < stand_ins {
                true => scope,
                false => base + id - stand_ins,
            };
            let mut scopes = sub.proxy.scopes.into_iter();
            for stand_in in scopes.by_ref().take(stand_ins) {
                self.proxy.scopes[scope]
                    .directives
                    .extend_within(&stand_in.directives, dirs);
            }
            for mut s in scopes {
                s.parent = s.parent.map(map);
                self.proxy.scopes.push(s);
            }
            for mut p in sub.proxy.pools {
                p.scope = map(p.scope);
                self.proxy.pools.push(p);
            }
            self.passes.extend(
                sub.passes
                    .into_iter()
                    .map(|(d, pass, sc, cx)| (d, pass, map(sc), cx)),
            );
        }
    }

    fn scope(
        &mut self,
        parent: Option<ScopeId>,
        kind: ScopeKind,
        block: Option<&'a Statement>,
    ) -> ScopeId {
        self.proxy.scopes.push(Scope {
            parent,
            kind,
            block,
            directives: Default::default(),
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
        if dirs.len() >= PARALLEL_BLOCK && !self.part && rayon::current_num_threads() > 1 {
            return self.walk_parallel(dirs, scope, depth);
        }
        let kind = self.proxy.scopes[scope].kind;
        // The scope's statements are runs of `dirs`, cut where an include stands.
        let mut run = 0;
        for (i, d) in dirs.iter().enumerate() {
            if d.is(crate::atom!("include")) {
                self.proxy.scopes[scope].directives.push_run(&dirs[run..i]);
                run = i + 1;
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
            let Some(children) = d.block() else {
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
            let child = self.scope(Some(scope), child_kind, Some(Statement::of(d)));
            self.walk(children, child, depth + 1);
            if child_kind == ScopeKind::Upstream {
                self.pool(d, child);
            }
        }
        self.proxy.scopes[scope].directives.push_run(&dirs[run..]);
    }

    fn pool(&mut self, d: &'a Directive, scope: ScopeId) {
        let Some(name) = d.args.first() else { return };
        let ctx = self.ctx(scope);
        let directives = &self.proxy.scopes[scope].directives;
        let mut servers =
            Vec::with_capacity(directives.iter().filter(|s| s.name() == "server").count());
        servers.extend(
            directives
                .iter()
                .filter(|s| s.name() == "server")
                .filter_map(|s| {
                    let addr = s.args().first()?;
                    Some(Server::new(s, Endpoint::parse(&addr.value), addr.span))
                }),
        );
        self.proxy.pools.push(Pool {
            name: name.value.to_string(),
            name_span: name.span,
            directive: Statement::of(d),
            ctx,
            servers,
            scope,
        });
    }

    /// The hand-offs become routes, on all cores: each is resolved on its own.
    fn resolve_routes(&mut self) {
        use rayon::prelude::*;
        let passes = std::mem::take(&mut self.passes);
        let proxy = &self.proxy;
        let routes: Vec<Route<'a>> = passes
            .par_iter()
            .with_min_len(1024)
            .filter_map(|&(d, pass, scope, ctx)| {
                let arg = d.args.first()?;
                let (scheme, addr) = split_url(&arg.value);
                let endpoint = if arg.has_variable() {
                    Endpoint::Dynamic
                } else {
                    Endpoint::parse(addr)
                };
                // An upstream name is written without a port; with one, nginx refuses to
                // start (a rule reports it), so the route is left pointing at the address.
                let pool = match &endpoint {
                    Endpoint::Inet { host, port: None } => {
                        proxy.pools_named(ctx, host).next().map(|(i, _)| i)
                    }
                    _ => None,
                };
                let target = match pool {
                    Some(i) => Target::Pool(i),
                    None => Target::Endpoint(endpoint),
                };
                Some(Route {
                    directive: Statement::of(d),
                    pass,
                    ctx,
                    scheme: scheme.map(scheme_of),
                    target,
                    target_span: arg.span,
                    scope,
                })
            })
            .collect();
        self.proxy.routes = routes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use crate::source::FileId;

    fn lowered(text: &str, f: impl FnOnce(&Proxy)) {
        let file = FileId(0);
        let parsed = crate::syntax::nginx::parse(file, text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(Dialect::Nginx, vec![file]);
        f(&lower(&tree, &files));
    }

    #[test]
    fn a_server_parameter_is_found_as_its_list_has_it() {
        let text =
            "upstream u { server 127.0.0.1 weight=2 down max_fails=0 backupx resolve=a=b; }\n";
        lowered(text, |p| {
            let s = &p.pools[0].servers[0];
            let listed: Vec<_> = s.params().collect();
            assert_eq!(listed.len(), 5);
            for name in [
                "weight",
                "down",
                "max_fails",
                "backup",
                "backupx",
                "resolve",
                "wei",
                "",
                "resolve=a",
            ] {
                let found = listed.iter().find(|(n, _, _)| *n == name).copied();
                assert_eq!(s.param(name), found, "{name}");
            }
            assert_eq!(s.param("weight").and_then(|p| p.1), Some("2"));
            assert_eq!(s.param("resolve").and_then(|p| p.1), Some("a=b"));
            assert!(s.flag("down") && !s.flag("backup"));
        });
    }

    #[test]
    fn inheritance_and_defaults() {
        lowered(
            "events {}\nhttp {\n proxy_set_header A 1;\n proxy_set_header B 2;\n proxy_read_timeout 5s;\n server {\n  location /a { proxy_pass http://u; }\n  location /b { proxy_set_header C 3; if ($x) { proxy_pass http://u; } }\n }\n upstream u { server 127.0.0.1:1; }\n}\n",
            |p| {
                assert_eq!(p.routes.len(), 2);
                assert!(!p.fragment);
                let a = &p.routes[0];
                assert!(matches!(a.target, Target::Pool(0)));
                let headers = p.setting(a.scope, "proxy_set_header");
                assert_eq!(headers.directives.len(), 2, "inherited from http");
                let t = p.setting(a.scope, "proxy_read_timeout");
                assert_eq!(t.first(), Some("5s"));
                assert!(matches!(t.origin(), Origin::Set(_)));
                // An array directive at an inner level replaces the outer set wholesale,
                // and `if` inherits from its location.
                let b = &p.routes[1];
                let headers = p.setting(b.scope, "proxy_set_header");
                assert_eq!(headers.directives.len(), 1);
                assert_eq!(headers.directives[0].arg(0), Some("C"));
                let connect = p.setting(b.scope, "proxy_connect_timeout");
                assert_eq!(
                    (connect.origin(), connect.first()),
                    (Origin::Default, Some("60s"))
                );
                let ka = p.setting(p.pools[0].scope, "keepalive_timeout");
                assert_eq!(ka.first(), Some("60s"), "the upstream module's default");
            },
        );
    }

    /// The model as text: scopes (kind, parent, block and directives by position), pools,
    /// routes.
    fn shape(p: &Proxy) -> String {
        let mut out = String::new();
        for (i, s) in p.scopes.iter().enumerate() {
            let dirs: Vec<u32> = s.directives.iter().map(|d| d.span().start).collect();
            out += &format!(
                "{i} {:?} {:?} {:?} {dirs:?}\n",
                s.kind,
                s.parent,
                s.block.map(|b| b.span())
            );
        }
        for p in &p.pools {
            out += &format!(
                "pool {} {:?} {} {}\n",
                p.name,
                p.ctx,
                p.scope,
                p.servers.len()
            );
        }
        for r in &p.routes {
            out += &format!(
                "route {:?} {} {:?} {:?} {}\n",
                r.pass,
                r.directive.span().start,
                r.ctx,
                r.target,
                r.scope
            );
        }
        out
    }

    #[test]
    fn a_big_block_lowered_in_parts_is_the_block_lowered_whole() {
        let site = |i: usize| {
            format!(
                "  upstream u{i} {{ server 127.0.0.1:{}; }}\n  server {{ listen 80; location / {{ proxy_pass http://u{i}; if ($x) {{ proxy_pass http://u{}; }} }} }}\n  proxy_read_timeout {i}s;\n",
                1000 + i,
                i / 2
            )
        };
        let body: String = (0..PARALLEL_BLOCK).map(site).collect();
        let stream: String = (0..PARALLEL_BLOCK / 2)
            .map(|i| format!("  upstream s{i} {{ server 127.0.0.1:{i}; }}\n  server {{ listen {i}; proxy_pass s{i}; }}\n"))
            .collect();
        let text = format!("events {{}}\nhttp {{\n{body}}}\nstream {{\n{stream}}}\n");
        let file = FileId(0);
        let parsed = crate::syntax::nginx::parse(file, &text);
        assert!(parsed.errors.is_empty());
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(Dialect::Nginx, vec![file]);
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        let whole = pool(1).install(|| shape(&lower(&tree, &files)));
        let parts = pool(3).install(|| shape(&lower(&tree, &files)));
        assert!(whole.lines().count() > 3 * PARALLEL_BLOCK);
        assert_eq!(whole, parts);
    }

    #[test]
    fn stream_and_http_names_are_apart_and_fragments_get_a_context() {
        lowered(
            "stream { upstream db { server 127.0.0.1:5432; } server { listen 5432; proxy_pass db; } }\nhttp { server { location / { proxy_pass http://db; } } }\nevents {}\n",
            |p| {
                assert_eq!(p.routes[0].ctx, Ctx::Stream);
                assert!(matches!(p.routes[0].target, Target::Pool(0)));
                assert_eq!(p.routes[1].ctx, Ctx::Http);
                assert!(matches!(p.routes[1].target, Target::Endpoint(_)));
            },
        );
        lowered("location / { proxy_pass http://x; }\n", |p| {
            assert!(p.fragment);
            assert_eq!(p.scopes[p.routes[0].scope].kind, ScopeKind::Location);
        });
        lowered("proxy_pass http://x;\n", |p| {
            assert_eq!(p.scopes[p.routes[0].scope].kind, ScopeKind::Location);
        });
        lowered("server { listen 1; proxy_pass 127.0.0.1:2; }\n", |p| {
            assert_eq!(p.routes[0].ctx, Ctx::Stream);
        });
    }
}
