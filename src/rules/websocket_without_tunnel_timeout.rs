//! HAProxy: a backend that carries WebSocket connections without `timeout tunnel`, where
//! `timeout client` or `timeout server` is 60s or less.

use crate::model::sections::{mode, section};
use super::Context;
use crate::units::show_ms;
use crate::finding::{Finding, Severity};
use crate::model::{Pass, Target};
use crate::source::Span;
use crate::model::Statement;

declare_rule! {
    code: "GW211",
    name: "websocket-without-tunnel-timeout",
    severity: Warning,
    family: Timeouts,
    dialects: [Haproxy],
    refuses: [],
    summary: "WebSocket traffic routed to an HAProxy backend without `timeout tunnel`: idle sockets are cut at `timeout client`/`timeout server` (60s or less)",
}

const LIMIT_MS: u64 = 60_000;

/// Why a route is taken to carry WebSockets.
struct Evidence {
    /// The line that routes the traffic (`use_backend ws if is_websocket`).
    route: Span,
    /// What in its condition says so: `acl is_websocket hdr(upgrade) -i websocket`.
    shown: String,
    /// The ACL line, when a named ACL says so.
    acl: Option<Span>,
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (i, pool) in proxy.pools.iter().enumerate() {
        if mode(proxy, pool.scope) != "http" {
            continue;
        }
        if proxy.setting(pool.scope, "timeout tunnel").is_set() {
            continue;
        }
        // The routes that reach this backend from an http frontend (or listen).
        let routes: Vec<_> = proxy
            .routes
            .iter()
            .filter(|r| matches!(r.target, Target::Pool(p) if p == i))
            .filter(|r| mode(proxy, r.scope) == "http")
            .collect();
        if routes.is_empty() {
            continue;
        }
        let evidence = routes
            .iter()
            .filter(|r| r.pass == Pass::UseBackend)
            .find_map(|r| websocket_route(ctx, r.scope, r.directive));
        let named = evidence.is_none() && websocket_name(&pool.name);
        if evidence.is_none() && !named {
            continue;
        }
        // The side that gives up first: the backend's `timeout server`, or the shortest
        // `timeout client` of the frontends routing here; of two equal ones the client's
        // fires first (HAProxy 2.6 logs `cD--`).
        let mut cut = proxy
            .time(pool.scope, "timeout server")
            .filter(|t| t.value > 0);
        for r in &routes {
            let client = proxy
                .time(r.scope, "timeout client")
                .filter(|t| t.value > 0);
            if let Some(t) = client
                && cut.as_ref().is_none_or(|c| t.value <= c.value)
            {
                cut = Some(t);
            }
        }
        // 0 is no timeout (GW210's finding), and a long one lets idle sockets live.
        let Some(timeout) = cut.filter(|t| t.value <= LIMIT_MS) else {
            continue;
        };
        let ms = timeout.value;
        let (kind, name) = section(proxy, pool.scope);
        let written = timeout.shown();
        let state = if timeout.name == "timeout client" {
            "cD"
        } else {
            "sD"
        };
        let secs = show_ms(ms);
        let consequence = format!(
            "once a connection is upgraded HAProxy applies `timeout tunnel` to it, and without one the client and server timeouts, so {written} closes every WebSocket that carries no message for {secs} (logged with termination state `{state}--`); clients see the socket drop (close code 1006) and reconnect"
        );
        let mut f = match &evidence {
            Some(e) => Finding::new(
                &RULE,
                pool.name_span,
                format!(
                    "{kind} '{name}' receives WebSocket traffic ({}) and no `timeout tunnel` applies to it: {consequence}",
                    e.shown
                ),
            )
            .related(e.route, "WebSocket traffic routed here"),
            None => Finding::new(
                &RULE,
                pool.name_span,
                format!(
                    "{kind} '{name}' is named like a WebSocket backend and no `timeout tunnel` applies to it: if it carries WebSockets, {consequence}, unless the application pings more often than that"
                ),
            )
            .severity(Severity::Info),
        };
        if let Some(acl) = evidence.as_ref().and_then(|e| e.acl) {
            f = f.related(acl, "matches WebSocket requests");
        }
        out.push(
            f.label("no `timeout tunnel` for its WebSockets")
                .related(timeout.at(pool.name_span), "cuts idle WebSockets")
                .help(format!(
                    "add `timeout tunnel 1h` to {kind} '{name}' (or to its `defaults`): it replaces the client and server timeouts once the connection is upgraded, and leaves {written} for ordinary requests"
                )),
        );
    }
}

/// Does the route's `if` condition match WebSocket requests: a named ACL or an anonymous
/// one (`{ … }`) on the `Upgrade: websocket` or `Connection: upgrade` header, or on a
/// WebSocket path (`/ws`, `/socket.io`)? Negated terms and `unless` conditions are not read.
fn websocket_route(
    ctx: &Context,
    scope: crate::model::ScopeId,
    route: &Statement,
) -> Option<Evidence> {
    let at = route
        .args()
        .iter()
        .position(|a| a.value == "if" && a.span.range().len() == 2)?;
    let words: Vec<&str> = route.args()[at + 1..]
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    let acls: Vec<&Statement> = ctx.proxy.scopes[scope]
        .directives
        .iter()
        .filter(|d| d.name() == "acl")
        .collect();
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        if w == "{" || w == "!{" {
            let end = words[k..]
                .iter()
                .position(|w| *w == "}")
                .map_or(words.len(), |e| k + e);
            if w == "{"
                && let Some(what) = websocket_match(&words[k + 1..end])
            {
                return Some(Evidence {
                    route: route.span(),
                    shown: format!("`{{ {} }}`: {what}", words[k + 1..end].join(" ")),
                    acl: None,
                });
            }
            k = end + 1;
            continue;
        }
        k += 1;
        if w.starts_with('!') || w == "||" || w.eq_ignore_ascii_case("or") {
            continue;
        }
        for acl in acls.iter().filter(|a| a.arg(0) == Some(w)) {
            let terms: Vec<&str> = acl.args()[1..].iter().map(|a| a.value.as_str()).collect();
            if let Some(what) = websocket_match(&terms) {
                return Some(Evidence {
                    route: route.span(),
                    shown: format!("`acl {w} {}`: {what}", terms.join(" ")),
                    acl: Some(acl.span()),
                });
            }
        }
    }
    None
}

/// An ACL's criterion and values (`hdr(upgrade) -i websocket`): what it matches, when that
/// is WebSocket traffic.
fn websocket_match(terms: &[&str]) -> Option<&'static str> {
    let (criterion, rest) = terms.split_first()?;
    // Flags first (`-i`, `-m beg`, `-f file`), then the values.
    let mut values = Vec::new();
    let mut k = 0;
    let mut flags = true;
    while k < rest.len() {
        let w = rest[k];
        if flags && w == "--" {
            flags = false;
        } else if flags && w.starts_with('-') {
            // The flags that take an argument.
            if matches!(w, "-m" | "-f" | "-M" | "-u") {
                k += 1;
            }
        } else {
            flags = false;
            values.push(w.to_ascii_lowercase());
        }
        k += 1;
    }
    let criterion = criterion.to_ascii_lowercase();
    let fetch = criterion.split('(').next().unwrap_or("");
    let fetch = fetch.strip_prefix("req.").unwrap_or(fetch);
    let arg = criterion
        .split_once('(')
        .map(|(_, a)| a.split([',', ')']).next().unwrap_or("").trim())
        .unwrap_or("");
    match fetch {
        "hdr" | "fhdr" | "hdr_beg" | "hdr_sub" | "hdr_str" | "hdr_end" | "hdr_reg" | "hdr_dom"
        | "hdr_cnt" | "fhdr_cnt" => match arg {
            // `hdr_cnt(upgrade) gt 0` and `-m found` ask for any Upgrade header.
            "upgrade"
                if values.iter().any(|v| v.contains("websocket"))
                    || (fetch.ends_with("_cnt") || values.is_empty()) =>
            {
                Some("the `Upgrade: websocket` header")
            }
            "connection" if values.iter().any(|v| v.contains("upgrade")) => {
                Some("the `Connection: upgrade` header")
            }
            _ => None,
        },
        "path" | "path_beg" | "path_dir" | "path_sub" | "path_end" | "path_reg" | "url"
        | "url_beg" | "url_dir" | "url_sub" | "url_reg" | "base" | "base_beg" => values
            .iter()
            .any(|v| websocket_path(v))
            .then_some("a WebSocket path"),
        _ => None,
    }
}

/// A path with a segment that names WebSockets: `/ws`, `/ws/`, `^/socket.io/`, `/api/websocket`.
fn websocket_path(v: &str) -> bool {
    v.split('/').any(|s| {
        // A regex's anchors and escapes: `^/socket\.io/`, `^/ws$`, `/ws.*`.
        let s = s.trim_start_matches('^').replace("\\.", ".");
        let s = s.trim_end_matches(['$', '*', '?', '+']);
        let s = s.strip_suffix('.').unwrap_or(s);
        matches!(
            s,
            "ws" | "wss" | "websocket" | "websockets" | "socket.io" | "sockjs"
        )
    })
}

/// A backend named for WebSockets: a word of its name (between `-`, `_`, `.`) is `ws`,
/// `wss`, `websocket(s)` or `socket(s)`, or `socketio`.
fn websocket_name(name: &str) -> bool {
    name.to_ascii_lowercase().split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "ws" | "wss" | "websocket" | "websockets" | "socket" | "sockets" | "socketio"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches() {
        assert!(websocket_match(&["hdr(upgrade)", "-i", "websocket"]).is_some());
        assert!(websocket_match(&["hdr(Upgrade)", "-i", "WebSocket"]).is_some());
        assert!(websocket_match(&["req.hdr(upgrade),lower", "-m", "str", "websocket"]).is_some());
        assert!(websocket_match(&["hdr_beg(Connection)", "-i", "upgrade"]).is_some());
        assert!(websocket_match(&["hdr_cnt(upgrade)", "gt", "0"]).is_some());
        assert!(websocket_match(&["hdr(upgrade)", "-m", "found"]).is_some());
        assert!(websocket_match(&["hdr(upgrade)", "-i", "h2c"]).is_none());
        assert!(websocket_match(&["hdr(connection)", "-i", "close"]).is_none());
        assert!(websocket_match(&["hdr(host)", "-i", "ws.example.com"]).is_none());
        assert!(websocket_match(&["path_beg", "/socket.io/"]).is_some());
        assert!(websocket_match(&["path_beg", "/ws"]).is_some());
        assert!(websocket_match(&["path_reg", "^/ws/"]).is_some());
        assert!(websocket_match(&["path_beg", "/api/websocket"]).is_some());
        assert!(websocket_match(&["path_beg", "/news/"]).is_none());
        assert!(websocket_match(&["path_beg", "/wsdl"]).is_none());
    }

    #[test]
    fn names() {
        assert!(websocket_name("ws"));
        assert!(websocket_name("be_websocket"));
        assert!(websocket_name("chat-ws"));
        assert!(!websocket_name("news"));
        assert!(!websocket_name("aws_api"));
    }
}
