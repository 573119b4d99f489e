//! HAProxy: the servers of a Kubernetes API backend (port 6443) checked only at TCP level.

use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::sections::{checkable, flag, mode, port, server_name};
use crate::model::{Pool, Proxy, ScopeId};

declare_rule! {
    code: "GW312",
    name: "apiserver-tcp-check",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "servers on port 6443 (kube-apiserver) with `check` but no `option httpchk` (or one replaced by `option ssl-hello-chk`): an API server that accepts connections but is not ready (`/readyz` fails) stays UP and keeps its share of requests; with `option httpchk` in plain HTTP (no `check-ssl`) every check fails and the servers go DOWN",
}

/// The kube-apiserver's port.
const APISERVER: u16 = 6443;

/// The options that choose a backend's check; the last one read decides.
const CHECKS: &[&str] = &[
    "httpchk",
    "ssl-hello-chk",
    "tcp-check",
    "external-check",
    "mysql-check",
    "pgsql-check",
    "redis-check",
    "smtpchk",
    "ldap-check",
    "spop-check",
];

/// The check option in force for a section: its own last one, else its `defaults`'. None:
/// none is set (or `no option …` turned it off), and `check` is a TCP connect.
fn check_option<'a>(proxy: &Proxy<'a>, scope: ScopeId) -> Option<&'a str> {
    let mut s = Some(scope);
    while let Some(id) = s {
        let found = proxy.scopes[id].directives.iter().rev().find_map(|d| {
            let name = d.name();
            let (off, option) = match name.strip_prefix("no option ") {
                Some(o) => (true, o),
                None => (false, name.strip_prefix("option ")?),
            };
            CHECKS.contains(&option).then_some((off, option))
        });
        if let Some((off, option)) = found {
            return (!off).then_some(option);
        }
        s = proxy.scopes[id].parent;
    }
    None
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    for (i, pool) in proxy.pools.iter().enumerate() {
        if !reached[i] {
            continue;
        }
        let rules = proxy.scopes[pool.scope]
            .directives
            .iter()
            .any(|d| d.name() == "http-check");
        let option = match check_option(proxy, pool.scope) {
            // `http-check` rules without `option httpchk` are GW307's finding.
            None if rules => continue,
            None => None,
            // HAProxy keeps the last check option: this one replaces an `option httpchk`
            // before it, and `haproxy -c` says nothing.
            Some("ssl-hello-chk") if proxy.setting(pool.scope, "option httpchk").is_set() => Some(
                "a TLS hello (`option ssl-hello-chk` replaces the `option httpchk` before it: HAProxy keeps the last check option)",
            ),
            Some("ssl-hello-chk") => Some("a TLS hello (`option ssl-hello-chk`)"),
            Some("httpchk") => {
                out.extend(plain_http_check(proxy, pool));
                continue;
            }
            Some(_) => continue,
        };
        let checked: Vec<_> = checkable(pool)
            .into_iter()
            .filter(|s| port(s) == Some(APISERVER) && s.param("agent-check").is_none())
            .filter_map(|s| Some((s, flag(s, "check", "no-check")?)))
            .collect();
        let Some((first, _)) = checked.first() else {
            continue;
        };
        let what = match option {
            Some(what) => what,
            None if checked.iter().any(|(s, _)| s.flag("check-ssl")) => {
                "a TLS handshake (`check-ssl` without `option httpchk`)"
            }
            None => "a TCP connect",
        };
        let who = match checked.len() {
            1 => format!("server '{}'", server_name(pool, first)),
            n => format!("its {n} servers"),
        };
        let mut f = Finding::new(
            &RULE,
            pool.name_span,
            format!(
                "backend '{}' sends traffic to the Kubernetes API server's port {APISERVER}, and the health check of {who} is only {what}, so an API server that accepts connections but is not ready (`/readyz` fails while it starts or shuts down, or when it loses etcd) stays UP and keeps its share of requests, which fail (500/503 from the API server, `etcdserver: request timed out`)",
                pool.name
            ),
        )
        .label("readiness never checked")
        .help(
            "check readiness over TLS: `option httpchk GET /readyz` and `http-check expect status 200` in the backend (HAProxy runs the HTTP check in `mode tcp` too), and `check check-ssl verify none` on the servers",
        );
        for (s, span) in &checked {
            f = f.related(*span, format!("`check` on {}", server_name(pool, s)));
        }
        out.push(f);
    }
}

/// `option httpchk` in a TLS-passthrough backend (`mode tcp`) whose servers on 6443 have
/// neither `check-ssl` nor `ssl`: the check is plain HTTP to a port that speaks only TLS, the
/// API server answers 400, and the servers go DOWN. Not judged: a check sent elsewhere
/// (`port`, `addr`, `http-check connect`), and `mode http`, where the traffic itself is plain
/// text to a TLS port (GW401).
fn plain_http_check(proxy: &Proxy, pool: &Pool) -> Option<Finding> {
    // A backend without check rules of its own takes its `defaults`' (`proxy.c`), so a
    // `http-check connect` in either may send the check elsewhere or over TLS.
    let mut scope = Some(pool.scope);
    while let Some(id) = scope {
        if proxy.scopes[id]
            .directives
            .iter()
            .any(|d| d.name() == "http-check" && d.arg(0) == Some("connect"))
        {
            return None;
        }
        scope = proxy.scopes[id].parent;
    }
    if mode(proxy, pool.scope) != "tcp" {
        return None;
    }
    let checked: Vec<_> = checkable(pool)
        .into_iter()
        .filter(|s| port(s) == Some(APISERVER) && s.param("agent-check").is_none())
        .filter_map(|s| Some((s, flag(s, "check", "no-check")?)))
        .collect();
    let plain: Vec<_> = checked
        .iter()
        .filter(|(s, _)| {
            flag(s, "check-ssl", "no-check-ssl").is_none()
                && flag(s, "ssl", "no-ssl").is_none()
                && s.param("port").is_none()
                && s.param("addr").is_none()
        })
        .collect();
    let (first, _) = plain.first()?;
    let all = plain.len() == checked.len();
    let who = match (plain.len(), all) {
        (1, true) => format!("server '{}'", server_name(pool, first)),
        (n, true) => format!("its {n} servers"),
        (n, false) => format!("{n} of its {} checked servers", checked.len()),
    };
    let outcome = if all {
        "every server goes DOWN and HAProxy closes every connection it takes at once (`<NOSRV>` in the log, termination state `SC`): no client reaches the API"
    } else {
        "those servers go DOWN and the others carry all the traffic"
    };
    let mut f = Finding::new(
        &RULE,
        pool.name_span,
        format!(
            "backend '{}' checks {who} on the Kubernetes API server's port {APISERVER} with `option httpchk` in plain HTTP (neither `check-ssl` nor `ssl` on the server): the API server speaks only TLS there and answers `400 Client sent an HTTP request to an HTTPS server.`, so the check fails (`Layer7 wrong status, code: 400`; a TLS server that closes instead gives `Layer7 invalid response` or a socket error): {outcome}",
            pool.name
        ),
    )
    .severity(if all { Severity::Error } else { Severity::Warning })
    .label("plain-HTTP check of a TLS port")
    .help("add `check-ssl verify none` to the servers (or to `default-server`), so that the HTTP check speaks TLS");
    for (s, span) in &plain {
        f = f.related(*span, format!("`check` on {}", server_name(pool, s)));
    }
    Some(f)
}
