//! Shared helpers for the timeout, buffer, connection-reuse and name-resolution rules:
//! walking scopes, variable values, the facts of a pool.

use crate::model::{Proxy, ScopeId, ScopeKind};

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

/// Values the configuration gives `$name` (without the `$`); None when nothing assigns it.
pub fn variable_values<'c>(
    ctx: &'c super::Context,
    name: &str,
) -> Option<&'c crate::model::variables::VarValues> {
    ctx.proxy.variable_values(name)
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
