//! Lowering HAProxy into a [`Proxy`]: `global` and `defaults` as outer scopes (a proxy
//! inherits from the last `defaults` before it, or the one named by `from`), `backend` and
//! `listen` as pools, `use_backend`/`default_backend` (and a `listen`'s own servers) as routes.

use std::collections::HashMap;

use super::{
    Ctx, Endpoint, Pass, Pool, Proxy, Route, Scope, ScopeId, ScopeKind, Server, Statement, Target,
};
use crate::finding::Dialect;
use crate::load::include::Tree;
use crate::source::FileId;
use crate::syntax::nginx::{Directive, File};
use crate::tables::haproxy as table;

pub fn lower<'a>(tree: &'a Tree, files: &'a HashMap<FileId, File>) -> Proxy<'a> {
    let mut proxy = Proxy {
        dialect: Dialect::Haproxy,
        root: tree.root,
        fragment: false,
        scopes: vec![Scope {
            parent: None,
            kind: ScopeKind::Global,
            block: None,
            directives: Default::default(),
        }],
        routes: Vec::new(),
        pools: Vec::new(),
        pool_index: Default::default(),
        lookup: Default::default(),
        tree,
        files,
        variables: Default::default(),
    };
    let mut last_defaults: Option<ScopeId> = None;
    let mut named_defaults: HashMap<&str, ScopeId> = HashMap::new();
    let mut sections: Vec<(&'a Directive, ScopeId)> = Vec::new();
    for f in &tree.files {
        let Some(file) = files.get(f) else { continue };
        for d in &file.directives {
            let kind = match d.name() {
                "global" => {
                    proxy.scopes[0].directives.push_run(d.children());
                    continue;
                }
                "defaults" => ScopeKind::Defaults,
                "frontend" => ScopeKind::Frontend,
                "backend" => ScopeKind::Backend,
                "listen" => ScopeKind::Listen,
                "program" => ScopeKind::Program,
                _ => continue,
            };
            // A `defaults` section starts afresh (unless it names one with `from`); a proxy
            // takes the last `defaults` before it. `global` is nobody's parent: its keywords
            // mean other things.
            let named = from(d).and_then(|n| named_defaults.get(n).copied());
            let parent = match kind {
                ScopeKind::Defaults => named,
                ScopeKind::Program => None,
                _ => named.or(last_defaults),
            };
            proxy.scopes.push(Scope {
                parent,
                kind,
                block: Some(Statement::of(d)),
                directives: super::Statements::from_run(d.children()),
            });
            let id = proxy.scopes.len() - 1;
            if kind == ScopeKind::Defaults {
                last_defaults = Some(id);
                if let Some(name) = d.arg(0).filter(|n| *n != "from") {
                    named_defaults.insert(name, id);
                }
            } else {
                sections.push((d, id));
            }
        }
    }
    for &(d, scope) in &sections {
        if matches!(
            proxy.scopes[scope].kind,
            ScopeKind::Backend | ScopeKind::Listen
        ) && let Some(name) = d.args.first()
        {
            let servers = servers(&proxy, scope);
            proxy.pools.push(Pool {
                name: name.value.to_string(),
                name_span: name.span,
                directive: Statement::of(d),
                ctx: Ctx::Http,
                servers,
                scope,
            });
        }
    }
    proxy.index_pools();
    for &(d, scope) in &sections {
        let kind = proxy.scopes[scope].kind;
        if matches!(kind, ScopeKind::Frontend | ScopeKind::Listen) {
            let children = d.children();
            for (k, c) in children.iter().enumerate() {
                let pass = match c.name() {
                    "use_backend" => Pass::UseBackend,
                    "default_backend" => Pass::DefaultBackend,
                    _ => continue,
                };
                // A later `default_backend` read in the same run replaces this one: HAProxy
                // keeps the last name only, so no traffic goes to this one, nor is it checked.
                let replaced = pass == Pass::DefaultBackend
                    && children[k + 1..].iter().any(|l| {
                        l.name() == "default_backend"
                            && match (c.condition(), l.condition()) {
                                (Some(x), Some(y)) => x == y,
                                _ => true,
                            }
                    });
                if replaced {
                    continue;
                }
                let Some(arg) = c.args.first() else { continue };
                let target = if arg.value.contains("%[") || arg.has_variable() {
                    Target::Endpoint(Endpoint::Dynamic)
                } else {
                    match proxy.pools_named(Ctx::Http, &arg.value).next() {
                        Some((i, _)) => Target::Pool(i),
                        None => Target::Missing(arg.value.to_string()),
                    }
                };
                proxy.routes.push(Route {
                    directive: Statement::of(c),
                    pass,
                    ctx: Ctx::Http,
                    scheme: None,
                    target,
                    target_span: arg.span,
                    scope,
                });
            }
        }
        let own = d.args.first().and_then(|name| {
            let i = proxy
                .pools_named(Ctx::Http, &name.value)
                .next()
                .map(|(i, _)| i);
            i.map(|i| (i, name))
        });
        if kind == ScopeKind::Listen
            && let Some((i, name)) = own
        {
            proxy.routes.push(Route {
                directive: Statement::of(d),
                pass: Pass::DefaultBackend,
                ctx: Ctx::Http,
                scheme: None,
                target: Target::Pool(i),
                target_span: name.span,
                scope,
            });
        }
    }
    proxy.finish();
    proxy
}

/// `frontend fe from base`: the defaults section named after `from`.
fn from(d: &Directive) -> Option<&str> {
    let at = d.args.iter().position(|a| a.value == "from")?;
    d.arg(at + 1)
}

/// HAProxy addresses: `ipv4@`/`ipv6@` prefixes, `unix@/path` and `/path` for sockets.
fn endpoint(addr: &str) -> Endpoint {
    let addr = addr
        .strip_prefix("ipv4@")
        .or_else(|| addr.strip_prefix("ipv6@"))
        .unwrap_or(addr);
    if let Some(p) = addr.strip_prefix("unix@") {
        return Endpoint::Unix(p.to_string());
    }
    // Abstract sockets, inherited descriptors, socket pairs, reverse HTTP, and addresses taken
    // from the environment at start: no host name, no path gwlint can look at.
    const NOT_INET: [&str; 6] = ["abns@", "abnsz@", "sockpair@", "fd@", "rhttp@", "uxdg@"];
    if NOT_INET.iter().any(|p| addr.starts_with(p)) || addr.contains('$') {
        return Endpoint::Dynamic;
    }
    if addr.starts_with('/') {
        return Endpoint::Unix(addr.to_string());
    }
    // A bare IPv6 address with a port: the last colon separates it (`::1:8080`).
    if addr.matches(':').count() > 1
        && !addr.starts_with('[')
        && let Some((host, port)) = addr.rsplit_once(':')
        && let Ok(p) = port.parse::<u16>()
    {
        return Endpoint::Inet {
            host: host.to_string(),
            port: Some(p),
        };
    }
    Endpoint::parse(addr)
}

/// The `default-server` lines in force in a section, the one that decides first: the
/// section's own, last line first, then those of the `defaults` it inherits from (HAProxy
/// starts a section's default server from a copy of its defaults' one).
fn default_servers<'a>(proxy: &Proxy<'a>, scope: ScopeId) -> Vec<&'a Statement> {
    let mut out = Vec::new();
    let mut s = Some(scope);
    while let Some(id) = s {
        let sc = &proxy.scopes[id];
        out.extend(
            sc.directives
                .iter()
                .rev()
                .filter(|d| d.name() == "default-server"),
        );
        s = sc.parent;
    }
    out
}

/// The servers of a backend (a `server-template` counts as one), each with its parameters followed by those of the
/// `default-server` lines in force, the deciding one first: the first occurrence of a
/// parameter in [`Server::params`] is its effective value.
fn servers<'a>(proxy: &Proxy<'a>, scope: ScopeId) -> Vec<Server<'a>> {
    let defaults = default_servers(proxy, scope);
    let params = |d: &Statement, from: usize| {
        let mut out = Vec::new();
        let mut i = from;
        while i < d.args().len() {
            let k = &d.args()[i];
            if table::server_takes_value(&k.value) && i + 1 < d.args().len() {
                out.push((
                    k.value.as_str(),
                    Some(d.args()[i + 1].value.as_str()),
                    k.span.to(d.args()[i + 1].span),
                ));
                i += 2;
            } else {
                out.push((k.value.as_str(), None, k.span));
                i += 1;
            }
        }
        // On one line the last occurrence decides (`ssl no-ssl` is no TLS).
        out.reverse();
        out
    };
    proxy.scopes[scope]
        .directives
        .iter()
        .filter_map(|d| {
            // `server NAME ADDR …`, `server-template PREFIX NUM|RANGE FQDN[:PORT] …`: the
            // template's servers share its address and parameters.
            let at = match d.name() {
                "server" => 1,
                "server-template" => 2,
                _ => return None,
            };
            let addr = d.args().get(at)?;
            let mut p = params(d, at + 1);
            for ds in &defaults {
                p.extend(params(ds, 0));
            }
            let endpoint = if addr.has_variable() {
                Endpoint::Dynamic
            } else {
                endpoint(&addr.value)
            };
            Some(Server::listed(d, endpoint, addr.span, p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(text: &str, f: impl FnOnce(&Proxy)) {
        let file = FileId(0);
        let parsed =
            crate::syntax::sections::from_haproxy(crate::syntax::haproxy::parse(file, text));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(Dialect::Haproxy, vec![file]);
        f(&lower(&tree, &files));
    }

    #[test]
    fn defaults_pools_and_routes() {
        lowered(
            "global\n    maxconn 100\ndefaults base\n    timeout server 30s\n    default-server inter 3s\ndefaults\n    timeout server 5s\nfrontend fe from base\n    bind :80\n    use_backend api if { path_beg /api }\n    use_backend %[req.hdr(host)]\n    default_backend nope\nbackend api\n    server a 127.0.0.1:8080 check\n    server b [::1]:8081\nlisten stats\n    bind :8404\n    server s unix@/run/s.sock\n",
            |p| {
                assert_eq!(p.pools.len(), 2);
                assert_eq!(p.pools[0].servers.len(), 2);
                let a = &p.pools[0].servers[0];
                assert!(a.flag("check"));
                assert_eq!(
                    a.param("inter").and_then(|x| x.1),
                    None,
                    "api inherits the last defaults, not base"
                );
                assert_eq!(
                    p.pools[0].servers[1].endpoint,
                    Endpoint::Inet {
                        host: "::1".into(),
                        port: Some(8081)
                    }
                );
                assert_eq!(
                    p.pools[1].servers[0].endpoint,
                    Endpoint::Unix("/run/s.sock".into())
                );
                assert_eq!(p.routes.len(), 4);
                assert!(matches!(p.routes[0].target, Target::Pool(0)));
                assert!(matches!(
                    p.routes[1].target,
                    Target::Endpoint(Endpoint::Dynamic)
                ));
                assert!(matches!(&p.routes[2].target, Target::Missing(n) if n == "nope"));
                // The frontend inherits from `base` (named by `from`).
                let t = p.setting(p.routes[0].scope, "timeout server");
                assert_eq!(t.first(), Some("30s"));
                let api_scope = p.pools[0].scope;
                assert_eq!(p.setting(api_scope, "timeout server").first(), Some("5s"));
                assert_eq!(
                    p.setting(api_scope, "maxconn").first(),
                    None,
                    "global is not a parent"
                );
            },
        );
    }

    #[test]
    fn server_template_is_a_server_with_its_address_and_parameters() {
        lowered(
            "defaults\n    default-server check\nbackend api\n    server-template api 3 api.service.consul:8080 resolvers dns init-addr none\n",
            |p| {
                let s = &p.pools[0].servers;
                assert_eq!(s.len(), 1);
                assert_eq!(
                    s[0].endpoint,
                    Endpoint::Inet {
                        host: "api.service.consul".into(),
                        port: Some(8080)
                    }
                );
                assert_eq!(s[0].param("resolvers").and_then(|x| x.1), Some("dns"));
                assert!(
                    s[0].flag("check"),
                    "default-server applies to templates too"
                );
            },
        );
    }

    #[test]
    fn default_server_lines_inherit_and_the_last_decides() {
        lowered(
            "defaults\n    default-server ssl verify none\nbackend be\n    default-server check\n    default-server verify required\n    server a 127.0.0.1:443 no-ssl\n    server b 127.0.0.1:443 inter 1s inter 2s\n",
            |p| {
                let (a, b) = (&p.pools[0].servers[0], &p.pools[0].servers[1]);
                let first = |s: &Server, names: &[&str]| {
                    s.params()
                        .find(|(n, _, _)| names.contains(n))
                        .map(|(n, v, _)| (n.to_string(), v.map(str::to_string)))
                };
                assert_eq!(first(a, &["ssl", "no-ssl"]), Some(("no-ssl".into(), None)));
                assert_eq!(first(b, &["ssl", "no-ssl"]), Some(("ssl".into(), None)));
                assert!(b.flag("check"), "the backend's default-server applies");
                assert_eq!(
                    b.param("verify").and_then(|x| x.1),
                    Some("required"),
                    "the backend's line overrides its defaults'"
                );
                assert_eq!(b.param("inter").and_then(|x| x.1), Some("2s"));
            },
        );
    }
}
