//! Pools in the model: which servers of a pool take traffic, which routes use a pool, and a
//! backup after a balancing method that ignores it.

use crate::model::{Ctx, Pool, Proxy, Route, Server, Target};
use crate::source::Span;

/// Servers that take traffic in normal operation: not `down`, not `backup`.
pub(crate) fn primaries<'p, 'a>(pool: &'p Pool<'a>) -> Vec<&'p Server<'a>> {
    pool.servers
        .iter()
        .filter(|s| !s.flag("down") && !s.flag("backup"))
        .collect()
}

/// Routes whose target is the pool at `index`.
pub(crate) fn routes_to<'p, 'a>(proxy: &'p Proxy<'a>, index: usize) -> Vec<&'p Route<'a>> {
    proxy
        .routes
        .iter()
        .filter(|r| matches!(r.target, Target::Pool(i) if i == index))
        .collect()
}

/// Pools of `http {}` (the stream module's pools are not judged by these rules).
pub(crate) fn http_pools<'p, 'a>(
    proxy: &'p Proxy<'a>,
) -> impl Iterator<Item = (usize, &'p Pool<'a>)> {
    proxy
        .pools
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ctx == Ctx::Http)
}

/// The span of a flag parameter such as `down` or `backup`.
pub(crate) fn flag_span(server: &Server, name: &str) -> Option<Span> {
    server.param(name).map(|(_, _, span)| span)
}

/// Where the configuration takes a server out of service: nginx's `down`, HAProxy's
/// `disabled` in effect (on its line or from `default-server`; `enabled` undoes it). None: the
/// server takes traffic.
pub(crate) fn out_of_service(dialect: crate::finding::Dialect, server: &Server) -> Option<Span> {
    match dialect {
        crate::finding::Dialect::Nginx => flag_span(server, "down"),
        crate::finding::Dialect::Haproxy => super::sections::flag(server, "disabled", "enabled"),
    }
}

/// Balancing methods that reject `backup` on the servers that follow them.
pub(crate) const NO_BACKUP_METHODS: &[&str] = &["hash", "ip_hash", "random"];

/// The first `backup` server that follows a `hash`, `ip_hash` or `random` directive in the
/// pool, as nginx reads the block: the method directive and the `backup` parameter. nginx
/// checks the parameter when it reads the server, so a method written after the servers is
/// accepted.
pub(crate) fn backup_after_method<'a>(proxy: &Proxy<'a>, pool: &Pool<'a>) -> Option<(Span, Span)> {
    let mut method: Option<Span> = None;
    for d in &proxy.scopes[pool.scope].directives {
        if NO_BACKUP_METHODS.contains(&d.name()) {
            method.get_or_insert(d.span());
            continue;
        }
        if d.name() != "server" {
            continue;
        }
        let Some(m) = method else { continue };
        if let Some(b) = d.args().iter().skip(1).find(|a| a.value == "backup") {
            return Some((m, b.span));
        }
    }
    None
}

/// What becomes of a pool written without servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Empty {
    /// nginx refuses to start (`no servers are inside upstream`).
    Refused,
    /// HAProxy starts, and answers 503 to the traffic routed here (`routed`: the first
    /// `use_backend`/`default_backend` that names it); `filled`: what in the configuration
    /// may add servers after start, and where.
    Unserved {
        routed: Span,
        filled: Option<(&'static str, Span)>,
    },
}

/// The pool has no server, and what follows; None when it has one, when an include that is
/// missing may hold them (GW002 reports it), or, in HAProxy, when no traffic is routed to it
/// or the backend answers by itself or sends traffic somewhere without a server.
pub(crate) fn empty(proxy: &Proxy, index: usize) -> Option<Empty> {
    let pool = &proxy.pools[index];
    if !pool.servers.is_empty() {
        return None;
    }
    if pool
        .directive
        .syntax()
        .children()
        .iter()
        .map(super::Statement::of)
        .any(|d| d.name() == "include" && proxy.included(d).is_empty())
    {
        return None;
    }
    if proxy.dialect == crate::finding::Dialect::Nginx {
        return Some(Empty::Refused);
    }
    let routed = routes_to(proxy, index).first()?.target_span;
    if answers_itself(proxy, pool) {
        return None;
    }
    Some(Empty::Unserved {
        routed,
        filled: filled_at_run_time(proxy),
    })
}

/// An HAProxy backend that answers by itself (stats, `http-request return`, a redirect, a
/// service) or sends traffic somewhere without a server (`dispatch ADDR`, `option
/// transparent`).
fn answers_itself(proxy: &Proxy, pool: &Pool) -> bool {
    let answers = proxy.scopes[pool.scope].directives.iter().any(|d| {
        matches!(
            d.name(),
            "redirect"
                | "stats enable"
                | "stats"
                | "errorfile"
                | "http-request"
                | "tcp-request"
                | "use-service"
        ) && (d.name() != "http-request"
            || matches!(
                d.arg(0),
                Some("return" | "redirect" | "deny" | "tarpit" | "use-service")
            ))
            && (d.name() != "tcp-request" || d.args().iter().any(|a| a.value == "reject"))
    });
    answers
        || proxy.setting(pool.scope, "dispatch").is_set()
        || proxy.setting(pool.scope, "option transparent").is_set()
}

/// What in an HAProxy configuration can add servers after start (`add server`): the runtime
/// API at admin level, Lua, or HAProxy's Data Plane API run as a program.
fn filled_at_run_time(proxy: &Proxy) -> Option<(&'static str, Span)> {
    use crate::model::ScopeKind;
    for scope in &proxy.scopes {
        for d in &scope.directives {
            let words = || d.args().iter().map(|a| a.value.as_str());
            let how = match (scope.kind, d.name()) {
                (ScopeKind::Global, "stats socket") | (ScopeKind::Global, "stats")
                    if words().any(|w| w == "admin") =>
                {
                    "the runtime API (`stats socket … level admin`)"
                }
                (ScopeKind::Global, "lua-load" | "lua-load-per-thread") => "Lua (`lua-load`)",
                (ScopeKind::Program, "command") if words().any(|w| w.contains("dataplaneapi")) => {
                    "the Data Plane API"
                }
                _ => continue,
            };
            return Some((how, d.span()));
        }
    }
    None
}
