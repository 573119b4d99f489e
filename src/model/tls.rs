//! Upstream TLS in the model (the TLS rules GW4xx and the probes read it): which routes speak TLS to their target, the prefix of
//! their `*_ssl_*` directives, where the target listens, and what a certificate name looks like.

use crate::model::{Ctx, Endpoint, Origin, Pass, Proxy, Route, Setting, Target};
use crate::source::Span;

/// How a route talks to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `https://`, `grpcs://`, `suwsgi://`.
    Tls,
    /// `http://`, `grpc://`, `uwsgi://` (and `grpc_pass`/`uwsgi_pass` without a scheme).
    Plain,
    /// Not an http-context proxy, gRPC or uwsgi hand-off, or the scheme is a variable.
    Unknown,
}

/// The prefix of the route's `*_ssl_*` directives: `proxy`, `grpc` or `uwsgi`.
pub fn prefix(route: &Route) -> Option<&'static str> {
    if route.ctx != Ctx::Http {
        return None;
    }
    // Only these hand-offs have *_ssl_* directives.
    route
        .pass
        .prefix()
        .filter(|p| matches!(*p, "proxy" | "grpc" | "uwsgi"))
}

pub fn wire(route: &Route) -> Wire {
    if prefix(route).is_none() {
        return Wire::Unknown;
    }
    match (route.pass, route.scheme) {
        (Pass::Proxy, Some("https"))
        | (Pass::Grpc, Some("grpcs"))
        | (Pass::Uwsgi, Some("suwsgi")) => Wire::Tls,
        (Pass::Proxy, Some("http")) => Wire::Plain,
        (Pass::Grpc, Some("grpc") | None) | (Pass::Uwsgi, Some("uwsgi") | None)
            if !route
                .directive
                .args
                .first()
                .is_some_and(|a| a.value.starts_with('$')) =>
        {
            Wire::Plain
        }
        _ => Wire::Unknown,
    }
}

/// Does nginx set up TLS for this route when it loads the configuration? True for a TLS
/// scheme and, as nginx 1.22.1 does, for any target built from variables (it may turn out to
/// be `https://` at run time).
pub fn may_use_tls(route: &Route) -> bool {
    prefix(route).is_some()
        && (wire(route) == Wire::Tls
            || route
                .directive
                .args
                .first()
                .is_some_and(|a| a.has_variable()))
}

/// The effective `<prefix>_ssl_<name>` at the route.
pub fn ssl_setting<'a>(proxy: &Proxy<'a>, route: &Route, name: &str) -> Setting<'a> {
    let prefix = prefix(route).unwrap_or("proxy");
    proxy.setting(route.scope, &format!("{prefix}_ssl_{name}"))
}

/// Is an on/off setting on (explicitly or by default)?
pub fn is_on(s: &Setting) -> bool {
    s.first().is_some_and(|v| v.eq_ignore_ascii_case("on"))
}

/// The directive that decides a setting, or the route's directive when the default applies.
pub fn deciding_span(s: &Setting, route: &Route) -> Span {
    match s.origin() {
        Origin::Set(span) => span,
        Origin::Default => route.directive.span,
    }
}

/// The name nginx checks the certificate against (and sends as SNI) when it is set
/// explicitly to something other than the host of the `*_pass`.
pub fn explicit_ssl_name<'a>(proxy: &Proxy<'a>, route: &Route) -> Option<String> {
    let s = ssl_setting(proxy, route, "name");
    if !s.is_set() {
        return None;
    }
    let v = s.first()?.to_string();
    (v != "$proxy_host").then_some(v)
}

/// One address the route's traffic may reach and the port it is on.
pub struct Reach {
    /// None: a unix socket or an address built from variables.
    pub port: Option<u16>,
    /// The port was not written (an upstream `server` without one uses 80).
    pub implied: bool,
    pub span: Span,
}

/// Where the route sends traffic: the port of a direct target when one is written, or every
/// `server` of its upstream that is not marked `down`. Empty when nothing can be judged.
pub fn reach(proxy: &Proxy, route: &Route) -> Vec<Reach> {
    match &route.target {
        Target::Endpoint(Endpoint::Inet {
            port: Some(port), ..
        }) => vec![Reach {
            port: Some(*port),
            implied: false,
            span: route.target_span,
        }],
        Target::Endpoint(_) | Target::Missing(_) => Vec::new(),
        Target::Pool(i) => proxy.pools[*i]
            .servers
            .iter()
            .filter(|s| !s.flag("down"))
            .map(|s| match &s.endpoint {
                Endpoint::Inet { port, .. } => Reach {
                    port: Some(port.unwrap_or(80)),
                    implied: port.is_none(),
                    span: s.endpoint_span,
                },
                _ => Reach {
                    port: None,
                    implied: false,
                    span: s.endpoint_span,
                },
            })
            .collect(),
    }
}

/// An IP literal (IPv6 without brackets, as the model holds it).
pub fn is_ip(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

/// A DNS name with at least two labels, such as a public certificate names: `api.example.com`.
pub fn is_dotted_host_name(name: &str) -> bool {
    !is_ip(name)
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A single DNS label (`backend`, `api-1`): a host name on a private network at best.
pub fn is_single_label(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dotted_host_name("api.example.com"));
        assert!(!is_dotted_host_name("10.0.0.1"));
        assert!(!is_dotted_host_name("api_backend"));
        assert!(!is_dotted_host_name("backend"));
        assert!(is_single_label("backend"));
        assert!(!is_single_label("api_backend"));
        assert!(is_ip("::1"));
        assert!(is_ip("[::1]"));
    }
}
