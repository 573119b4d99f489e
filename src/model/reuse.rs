//! Whether an nginx route reuses idle connections to its upstream, and what stops it: the
//! HTTP version it speaks, the `Connection` header it sends, `fastcgi_keep_conn`. nginx
//! 1.29.7 changed the defaults (HTTP/1.1 and no `Connection: close` to upstreams).

use super::{Pass, Proxy, Route};
use crate::source::Span;

/// Why a route opens a new connection for every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Closer {
    /// HTTP/1.0 to the upstream: `proxy_http_version 1.0` there (its span), or the default
    /// before nginx 1.29.7 (None).
    Http10(Option<Span>),
    /// No `proxy_set_header Connection`: before nginx 1.29.7 nginx sends `Connection: close`.
    NoConnectionHeader,
    /// `proxy_set_header Connection VALUE` sends `Connection: closes` (a value of its
    /// variable, when the header is one).
    ConnectionHeader {
        value: String,
        closes: String,
        span: Span,
    },
    /// `fastcgi_keep_conn` off: set there (its span), or by default (None).
    FastCgiKeepConnOff(Option<Span>),
    /// `uwsgi_pass`, `scgi_pass`: nginx's modules never keep the connection (they set no
    /// `u->keepalive`), whatever the upstream's `keepalive`.
    NeverKept(Pass),
}

/// What stops `route` from reusing a connection; empty when it reuses them. `new_defaults`:
/// judge by nginx 1.29.7's defaults.
pub(crate) fn closers(proxy: &Proxy, route: &Route, new_defaults: bool) -> Vec<Closer> {
    match route.pass {
        Pass::Proxy => proxy_closers(proxy, route, new_defaults),
        Pass::FastCgi => {
            let keep = proxy.setting(route.scope, "fastcgi_keep_conn");
            match keep.first() == Some("on") {
                true => Vec::new(),
                false => vec![Closer::FastCgiKeepConnOff(
                    keep.directives.last().map(|d| d.span()),
                )],
            }
        }
        Pass::Uwsgi | Pass::Scgi => vec![Closer::NeverKept(route.pass)],
        _ => Vec::new(),
    }
}

/// Can this route reuse an idle connection to its upstream?
pub(crate) fn reuses(proxy: &Proxy, route: &Route, new_defaults: bool) -> bool {
    match route.pass {
        Pass::Proxy | Pass::FastCgi | Pass::Uwsgi | Pass::Scgi => {
            closers(proxy, route, new_defaults).is_empty()
        }
        Pass::Grpc | Pass::Memcached => true,
        _ => false,
    }
}

fn proxy_closers(proxy: &Proxy, route: &Route, new_defaults: bool) -> Vec<Closer> {
    let mut out = Vec::new();
    // The defaults depend on the version: nginx's table is not asked.
    let version = proxy.deciding(route.scope, "proxy_http_version");
    let v = match version.last() {
        Some(d) => d.arg(0).unwrap_or(""),
        None if new_defaults => "1.1",
        None => "1.0",
    };
    if v == "1.0" {
        out.push(Closer::Http10(version.last().map(|d| d.span())));
    }
    match proxy.set_header(route.scope, "connection") {
        None if !new_defaults => out.push(Closer::NoConnectionHeader),
        None => {}
        Some(d) => {
            let value = d.arg(1).unwrap_or("");
            if let Some(closes) = closes(proxy, value) {
                out.push(Closer::ConnectionHeader {
                    value: value.to_string(),
                    closes,
                    span: d.span(),
                });
            }
        }
    }
    out
}

/// The `Connection` value that stops reuse, when the header (or a value of its variable) is
/// one; None when every value keeps the connection (or gwlint cannot list them).
fn closes(proxy: &Proxy, value: &str) -> Option<String> {
    let bad = |v: &str| {
        let v = v.trim();
        !(v.is_empty() || v.eq_ignore_ascii_case("keep-alive") || v.eq_ignore_ascii_case("upgrade"))
    };
    if !super::has_variable(value) {
        return bad(value).then(|| value.to_string());
    }
    let name = value.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    let values = proxy.variable_values(name)?;
    if values.open {
        return None;
    }
    values.values.iter().find(|v| bad(v)).cloned()
}
