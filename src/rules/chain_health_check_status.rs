//! HAProxy's HTTP health check asks the nginx behind it for a path that nginx answers, as
//! the configuration shows, with an error.

use std::collections::HashSet;

use crate::chain::{Chain, Hop};
use crate::model::sections::option as haproxy_option;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::{Proxy, ScopeId, ScopeKind};
use crate::source::Span;
use crate::model::Statement;

declare_rule! {
    code: "GW705",
    name: "chain-health-check-status",
    severity: Error,
    family: Chains,
    dialects: [Haproxy],
    refuses: [],
    summary: "HAProxy's `option httpchk` path gets an error from the nginx behind it (`return 404`, `deny all`, `internal`): servers marked DOWN",
}

/// The request HAProxy's check sends.
struct Probe<'a> {
    directive: &'a Statement,
    method: String,
    path: String,
    /// The check names a `Host`: nginx may pick another `server` than the default one.
    host: bool,
}

/// What nginx answers, as the configuration shows it.
struct Answer {
    status: u16,
    /// How it is written: "`return 404`", "`deny all`", "`internal`".
    shown: String,
    span: Span,
    /// "`location = /healthz`".
    location: String,
}

pub(crate) fn check(chain: &Chain, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(usize, usize, usize)> = HashSet::new();
    // Every checked server linked to an nginx that fails its check, per backend.
    let mut failing: Vec<(&Hop, Probe, Answer)> = Vec::new();
    for hop in &chain.hops {
        let outer = &chain.layer(hop.outer).proxy;
        let inner = &chain.layer(hop.inner).proxy;
        if outer.dialect != Dialect::Haproxy || inner.dialect != Dialect::Nginx {
            continue;
        }
        let (Some(p), Some(s)) = (hop.pool, hop.server) else {
            continue;
        };
        if !seen.insert((hop.outer, p, s)) {
            continue;
        }
        let pool = &outer.pools[p];
        let server = &pool.servers[s];
        // A check sent to another address or port is not this hop's.
        if !server.flag("check") || server.flag("port") || server.flag("addr") {
            continue;
        }
        let Some(probe) = probe(outer, pool.scope) else {
            continue;
        };
        let Some(hop) = default_hop(chain, hop, probe.host) else {
            continue;
        };
        let listener = chain.listener(hop);
        match answer(inner, listener.scope, &probe.path) {
            Some(a) if a.status >= 400 => failing.push((hop, probe, a)),
            _ => {}
        }
    }
    for (hop, probe, answer) in &failing {
        let outer = &chain.layer(hop.outer).proxy;
        let pool = &outer.pools[hop.pool.unwrap_or_default()];
        let checked = pool.servers.iter().filter(|x| x.flag("check")).count();
        let down = failing
            .iter()
            .filter(|(h, _, _)| h.outer == hop.outer && h.pool == hop.pool)
            .count();
        let result = if answer.status == 444 {
            "nginx closes the connection without a response, so every check fails".to_string()
        } else {
            format!(
                "every check fails with `Layer7 wrong status, code: {}`",
                answer.status
            )
        };
        let all = down >= checked;
        let outcome = if all {
            format!(
                "HAProxy marks {} DOWN and answers 503 to every request on backend `{}` (`<NOSRV>`, termination state `SC--`)",
                if checked == 1 {
                    "the server"
                } else {
                    "every server"
                },
                pool.name
            )
        } else {
            format!(
                "HAProxy marks this server DOWN, and backend `{}` runs on its other servers only",
                pool.name
            )
        };
        out.push(
            Finding::new(
                &RULE,
                probe.directive.span(),
                format!(
                    "the health check `{} {}` of {} reaches {}, where {} answers {}: {result}; {outcome}",
                    probe.method,
                    probe.path,
                    chain.outer_name(hop),
                    chain.inner_name(hop),
                    answer.location,
                    answer.shown,
                ),
            )
            .label(format!("nginx answers {}", answer.status))
            .related(answer.span, format!("{} for {}", answer.status, probe.path))
            .help(format!(
                "check a path nginx answers with 2xx (e.g. `location = /healthz {{ return 200; }}`), or expect this status with `http-check expect status {}`",
                answer.status
            ))
            .severity(if all {
                Severity::Error
            } else {
                Severity::Warning
            })
            .dialect(Dialect::Haproxy),
        );
    }
}

/// `option httpchk [<method>] [<uri>] [<version>]`, with `http-check send meth … uri …`
/// over it; None when the backend has no HTTP check, or sets its own `http-check expect`.
fn probe<'a>(proxy: &Proxy<'a>, scope: ScopeId) -> Option<Probe<'a>> {
    if !haproxy_option(proxy, scope, "httpchk") {
        return None;
    }
    let directive = *proxy.setting(scope, "option httpchk").directives.last()?;
    if proxy
        .setting(scope, "http-check")
        .directives
        .iter()
        .any(|d| d.arg(0) == Some("expect"))
    {
        return None;
    }
    let args: Vec<&str> = directive.args().iter().map(|a| a.value.as_str()).collect();
    let (mut method, mut path, mut host) = match args.as_slice() {
        [] => ("OPTIONS".to_string(), "/".to_string(), false),
        [uri] => ("OPTIONS".to_string(), uri.to_string(), false),
        [m, uri, rest @ ..] => (
            m.to_string(),
            uri.to_string(),
            rest.iter()
                .any(|r| r.to_ascii_lowercase().contains("host:")),
        ),
    };
    for send in proxy
        .setting(scope, "http-check")
        .directives
        .iter()
        .filter(|d| d.arg(0) == Some("send"))
    {
        let words: Vec<&str> = send.args().iter().map(|a| a.value.as_str()).collect();
        for (i, w) in words.iter().enumerate() {
            match (*w, words.get(i + 1)) {
                ("meth", Some(m)) => method = m.to_string(),
                ("uri" | "uri-lf", Some(u)) => path = u.to_string(),
                ("hdr", Some(h)) if h.eq_ignore_ascii_case("host") => host = true,
                _ => {}
            }
        }
    }
    if path.contains('%') || !path.starts_with('/') {
        return None;
    }
    Some(Probe {
        directive,
        method,
        path,
        host,
    })
}

/// The hop nginx serves a check without `Host` from: the `default_server` of the address,
/// else its first `server`. With a `Host`, only when one `server` listens there.
fn default_hop<'h>(chain: &'h Chain, hop: &'h Hop, host: bool) -> Option<&'h Hop> {
    let same: Vec<&Hop> = chain
        .hops
        .iter()
        .filter(|h| {
            h.outer == hop.outer
                && h.pool == hop.pool
                && h.server == hop.server
                && h.inner == hop.inner
        })
        .collect();
    if host && same.len() > 1 {
        return None;
    }
    same.iter()
        .copied()
        .find(|h| {
            chain
                .listener(h)
                .directive
                .args()
                .iter()
                .any(|a| a.value == "default_server" || a.value == "default")
        })
        .or_else(|| same.into_iter().min_by_key(|h| h.listener))
}

/// What nginx's `server` answers for `path`, when the configuration alone decides it.
fn answer(proxy: &Proxy, server: ScopeId, path: &str) -> Option<Answer> {
    let path = path.split('?').next().unwrap_or(path);
    let children = |parent: ScopeId, kind: ScopeKind| {
        proxy
            .scopes
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.parent == Some(parent) && s.kind == kind)
            .map(|(i, _)| i)
    };
    // Rewrites and `if` at the server level run before the location is chosen.
    let rewrites = |scope: ScopeId| {
        proxy.scopes[scope]
            .directives
            .iter()
            .any(|d| d.name() == "rewrite")
            || children(scope, ScopeKind::If).next().is_some()
    };
    if rewrites(server) {
        return None;
    }
    if let Some(a) = returned(proxy, server, "this `server`") {
        return Some(a);
    }
    let mut exact = None;
    let mut longest: Option<(usize, ScopeId, bool)> = None;
    let mut regex = false;
    for loc in children(server, ScopeKind::Location) {
        let d = proxy.scopes[loc].block?;
        let (modifier, pattern) = match d.args() {
            [m, p] => (m.value.as_str(), p.value.as_str()),
            [p] if p.value.starts_with('=') && p.value.len() > 1 => ("=", &p.value[1..]),
            [p] if p.value.starts_with('@') => continue,
            [p] => ("", p.value.as_str()),
            _ => return None,
        };
        match modifier {
            "=" if pattern == path => exact = Some(loc),
            "=" => {}
            "" | "^~" if path.starts_with(pattern) => {
                if longest.is_none_or(|(n, _, _)| pattern.len() > n) {
                    longest = Some((pattern.len(), loc, modifier == "^~"));
                }
            }
            "" | "^~" => {}
            _ => regex = true,
        }
    }
    let loc = match (exact, longest) {
        (Some(l), _) => l,
        (None, Some((_, l, stop))) if stop || !regex => l,
        _ => return None,
    };
    if rewrites(loc) || children(loc, ScopeKind::Location).next().is_some() {
        return None;
    }
    let block = proxy.scopes[loc].block?;
    let name = format!("`{}`", block.written());
    if let Some(a) = returned(proxy, loc, &name) {
        return Some(a);
    }
    if let Some(d) = proxy.scopes[loc]
        .directives
        .iter()
        .find(|d| d.name() == "internal")
    {
        return Some(Answer {
            status: 404,
            shown: "404 (`internal`: not for outside requests)".into(),
            span: d.span(),
            location: name,
        });
    }
    // The access rules of the innermost level that has any; the check comes from loopback.
    let mut s = Some(loc);
    while let Some(id) = s {
        let rules: Vec<&Statement> = proxy.scopes[id]
            .directives
            .iter()
            .filter(|d| matches!(d.name(), "allow" | "deny"))
            .collect();
        if let Some(first) = rules.first() {
            return (first.name() == "deny" && first.arg(0) == Some("all")).then(|| Answer {
                status: 403,
                shown: "403 (`deny all`)".into(),
                span: first.span(),
                location: name,
            });
        }
        s = proxy.scopes[id].parent;
    }
    None
}

/// A `return` at this level: its status (a bare URL is a 302).
fn returned(proxy: &Proxy, scope: ScopeId, location: &str) -> Option<Answer> {
    let d = proxy.scopes[scope]
        .directives
        .iter()
        .find(|d| d.name() == "return")?;
    let first = d.arg(0)?;
    let status = if first.bytes().all(|b| b.is_ascii_digit()) {
        first.parse().ok()?
    } else {
        302
    };
    Some(Answer {
        status,
        shown: format!("{status} (`{}`)", d.written()),
        span: d.span(),
        location: location.to_string(),
    })
}
