//! HAProxy's sections and servers in the model: a section's mode and name, a server's
//! effective flags and values (its own line first, then the `default-server` lines in force),
//! `global` settings, conditions and the sections read together.

use super::Statement;
use crate::model::{Endpoint, Pool, Proxy, ScopeId, Server};
use crate::source::Span;

/// The effective `mode` of a section (HAProxy's default is tcp).
pub(crate) fn mode(proxy: &Proxy, scope: ScopeId) -> &'static str {
    match proxy.setting(scope, "mode").first() {
        Some("http") => "http",
        Some("log") => "log",
        _ => "tcp",
    }
}

/// The section's keyword and name, as HAProxy names it in its messages: ("backend", "app").
pub(crate) fn section<'a>(proxy: &Proxy<'a>, scope: ScopeId) -> (&'a str, &'a str) {
    match proxy.scopes[scope].block {
        Some(d) => (d.name(), d.arg(0).unwrap_or("?")),
        None => ("global", ""),
    }
}

/// The section as a message names it: `backend 'app'`, `defaults 'base'`, or `the defaults
/// section` when it has no name.
pub(crate) fn section_named(proxy: &Proxy, scope: ScopeId) -> String {
    match section(proxy, scope) {
        ("defaults", "?" | "") => "the defaults section".to_string(),
        ("global", _) => "global".to_string(),
        (kind, name) => format!("{kind} '{name}'"),
    }
}

/// Is `option NAME` in force at `scope`: its last `option NAME` or `no option NAME`, in the
/// section or the `defaults` it follows.
pub(crate) fn option(proxy: &Proxy, scope: ScopeId, name: &str) -> bool {
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

/// The last line of `global` with this keyword.
pub(crate) fn global<'a>(proxy: &Proxy<'a>, name: &str) -> Option<&'a Statement> {
    proxy
        .scopes
        .first()?
        .directives
        .iter()
        .rev()
        .find(|d| d.name() == name)
}

/// The span of the word that turns a server flag on (`ssl`, `check`, `disabled`, `backup`)
/// when it is in effect; None when its opposite (`no-ssl`, `no-check`, `enabled`,
/// `no-backup`) decides or neither is written.
pub(crate) fn flag(server: &Server, on: &str, off: &str) -> Option<Span> {
    server
        .params()
        .find(|(n, _, _)| *n == on || *n == off)
        .filter(|(n, _, _)| *n == on)
        .map(|(_, _, span)| span)
}

/// The release from which HAProxy sends an HTTP request's Host header as SNI by itself when a
/// server has no `sni` (`sni-auto`).
pub(crate) const SNI_AUTO_FROM: crate::version::Version = crate::version::Version(3, 3, 0);

/// Is `sni-auto` in force for the server (on unless `no-sni-auto` is, from its line or
/// `default-server`)?
pub(crate) fn sni_auto(server: &Server) -> bool {
    flag(server, "no-sni-auto", "sni-auto").is_none()
}

/// `backend/server`, as HAProxy names a server in its messages; `backend/web1..3` for the
/// servers of `server-template web 3 …` (or `web 1-3`).
pub(crate) fn server_name(pool: &Pool, server: &Server) -> String {
    let d = server.directive;
    let name = d.arg(0).unwrap_or("?");
    if d.name() != "server-template" {
        return format!("{}/{name}", pool.name);
    }
    let range = d.arg(1).unwrap_or("?");
    let range = match range.split_once('-') {
        Some((a, b)) => format!("{a}..{b}"),
        None => format!("1..{range}"),
    };
    format!("{}/{name}{range}", pool.name)
}

/// Is the server in service: not `disabled` (on its line or by `default-server`), or
/// `enabled` again?
pub(crate) fn in_service(server: &Server) -> bool {
    flag(server, "disabled", "enabled").is_none()
}

/// The servers of a backend that take traffic.
pub(crate) fn serving<'p, 'a>(pool: &'p Pool<'a>) -> Vec<&'p Server<'a>> {
    pool.servers.iter().filter(|s| in_service(s)).collect()
}

/// The servers that take traffic and judge their own health: not following another
/// server's checks with `track`.
pub(crate) fn checkable<'p, 'a>(pool: &'p Pool<'a>) -> Vec<&'p Server<'a>> {
    pool.servers
        .iter()
        .filter(|s| in_service(s) && s.param("track").is_none())
        .collect()
}

/// A finding's subject when only some of the backend's servers are concerned:
/// `server 'be/a' (one of the 3 servers of backend 'be')`; `server 'be/a'` when all are.
pub(crate) fn server_among(
    pool: &Pool,
    server: &Server,
    serving: usize,
    concerned: usize,
) -> String {
    let name = server_name(pool, server);
    if concerned < serving {
        format!(
            "server '{name}' (one of the {serving} servers of backend '{}')",
            pool.name
        )
    } else {
        format!("server '{name}'")
    }
}

/// How many servers a line stands for: one, or the count of a `server-template` (`3`,
/// `1-3`); one when the count cannot be read.
pub(crate) fn instances(server: &Server) -> usize {
    let d = server.directive;
    if d.name() != "server-template" {
        return 1;
    }
    let count = d.arg(1).and_then(|r| match r.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.parse::<usize>().ok()?, b.parse::<usize>().ok()?);
            b.checked_sub(a).map(|n| n + 1)
        }
        None => r.parse().ok(),
    });
    count.unwrap_or(1).max(1)
}

/// The server's port, when its address has one (a server without a port connects to the
/// port the client connected to).
pub(crate) fn port(server: &Server) -> Option<u16> {
    match server.endpoint {
        Endpoint::Inet { port, .. } => port,
        _ => None,
    }
}

/// Where a finding about a server keyword goes, and where its related note: on the word
/// when the server's own line has it, else on the server's address (each server sharing one
/// `default-server` line is told apart), with `(word's note, own)` to choose the note by.
pub(crate) fn placed(server: &Server, word: Span) -> (Span, Span, bool) {
    match own(server, word) {
        true => (word, server.endpoint_span, true),
        false => (server.endpoint_span, word, false),
    }
}

/// Is this parameter written on the server's own line (not inherited from `default-server`)?
pub(crate) fn own(server: &Server, span: Span) -> bool {
    let line = server.directive.span();
    span.file == line.file && span.start >= line.start && span.end <= line.end
}

/// Can HAProxy read both lines in one run? Lines in conditional blocks (`.if`/`.else`) with
/// different conditions may be alternatives, so only lines under the same condition, or one of
/// them under none, are taken to be read together.
pub(crate) fn read_together(a: &Statement, b: &Statement) -> bool {
    match (a.condition(), b.condition()) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// The sections that carry traffic or rules: `defaults`, `frontend`, `backend`, `listen`.
pub(crate) fn proxies<'p, 'a>(
    proxy: &'p Proxy<'a>,
) -> impl Iterator<Item = (ScopeId, &'p crate::model::Scope<'a>)> {
    use crate::model::ScopeKind;
    proxy.scopes.iter().enumerate().filter(|(_, s)| {
        matches!(
            s.kind,
            ScopeKind::Defaults | ScopeKind::Frontend | ScopeKind::Backend | ScopeKind::Listen
        )
    })
}

/// The words of a line's `if`/`unless` condition that name ACLs: operators (`!`, `||`,
/// `or`) and anonymous ACLs (`{ … }`, `!{ … }`) left out, leading `!`s removed.
pub(crate) fn condition_acls(d: &Statement) -> Vec<(&str, Span)> {
    // A quoted "if" is a value (`set-header X-Mode "unless"`), not the keyword: the keyword
    // is written bare, as long as its value.
    let Some(at) = d.args().iter().position(|a| {
        (a.value == "if" || a.value == "unless") && a.span.range().len() == a.value.len()
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    for a in &d.args()[at + 1..] {
        // HAProxy strips every leading `!` from a word first: `!{ … }` negates an anonymous
        // ACL, `!!name` is `name`.
        match a.value.trim_start_matches('!') {
            "{" => depth += 1,
            "}" => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            // acl.c: `||`, and `or` in any case (strcasecmp).
            "||" | "" => {}
            or if or.eq_ignore_ascii_case("or") => {}
            name => out.push((name, a.span)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_acls_skip_operators_and_anonymous_acls() {
        let file = crate::source::FileId(0);
        let parsed = crate::syntax::sections::from_haproxy(crate::syntax::haproxy::parse(
            file,
            "frontend fe\n    http-request deny if !HTTP_1.1 !{ req.proto_http } || !!bad or { path /x } OR Or\n    http-request set-header X-Mode \"unless\" if ok\n",
        ));
        let names = |i: usize| -> Vec<&str> {
            let line = &parsed.directives[0].children()[i];
            condition_acls(super::Statement::of(line))
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(names(0), ["HTTP_1.1", "bad"]);
        assert_eq!(names(1), ["ok"], "a quoted \"unless\" is a value");
    }
}
