//! Pools in the model: which servers of a pool take traffic, which routes use a pool, and a
//! backup after a balancing method that ignores it.

use crate::model::{Ctx, Pool, Proxy, Route, Server, Target};
use crate::source::Span;

/// Servers that take traffic in normal operation: not `down`, not `backup`.
pub fn primaries<'p, 'a>(pool: &'p Pool<'a>) -> Vec<&'p Server<'a>> {
    pool.servers
        .iter()
        .filter(|s| !s.flag("down") && !s.flag("backup"))
        .collect()
}

/// Routes whose target is the pool at `index`.
pub fn routes_to<'p, 'a>(proxy: &'p Proxy<'a>, index: usize) -> Vec<&'p Route<'a>> {
    proxy
        .routes
        .iter()
        .filter(|r| matches!(r.target, Target::Pool(i) if i == index))
        .collect()
}

/// Pools of `http {}` (the stream module's pools are not judged by these rules).
pub fn http_pools<'p, 'a>(proxy: &'p Proxy<'a>) -> impl Iterator<Item = (usize, &'p Pool<'a>)> {
    proxy
        .pools
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ctx == Ctx::Http)
}

/// The span of a flag parameter such as `down` or `backup`.
pub fn flag_span(server: &Server, name: &str) -> Option<Span> {
    server.param(name).map(|(_, _, span)| span)
}

/// Where the configuration takes a server out of service: nginx's `down`, HAProxy's
/// `disabled` in effect (on its line or from `default-server`; `enabled` undoes it). None: the
/// server takes traffic.
pub fn out_of_service(dialect: crate::finding::Dialect, server: &Server) -> Option<Span> {
    match dialect {
        crate::finding::Dialect::Nginx => flag_span(server, "down"),
        crate::finding::Dialect::Haproxy => super::sections::flag(server, "disabled", "enabled"),
    }
}

/// Balancing methods that reject `backup` on the servers that follow them.
pub const NO_BACKUP_METHODS: &[&str] = &["hash", "ip_hash", "random"];

/// The first `backup` server that follows a `hash`, `ip_hash` or `random` directive in the
/// pool, as nginx reads the block: the method directive and the `backup` parameter. nginx
/// checks the parameter when it reads the server, so a method written after the servers is
/// accepted.
pub fn backup_after_method<'a>(proxy: &Proxy<'a>, pool: &Pool<'a>) -> Option<(Span, Span)> {
    let mut method: Option<Span> = None;
    for d in &proxy.scopes[pool.scope].directives {
        if NO_BACKUP_METHODS.contains(&d.name()) {
            method.get_or_insert(d.span);
            continue;
        }
        if d.name() != "server" {
            continue;
        }
        let Some(m) = method else { continue };
        if let Some(b) = d.args.iter().skip(1).find(|a| a.value == "backup") {
            return Some((m, b.span));
        }
    }
    None
}
