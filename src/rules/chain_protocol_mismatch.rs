//! The two ends of a hop speak different protocols: TLS to a plain listener, plain text to a
//! TLS listener, HTTP/1 to nginx's plain-text `http2` listener.

use super::Version;
use crate::chain::Chain;
use crate::finding::{Dialect, Finding};
use crate::model::listen::Listener;

declare_rule! {
    code: "GW703",
    name: "chain-protocol-mismatch",
    severity: Error,
    family: Chains,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "the outer proxy speaks TLS to a plain listener, plain text to a TLS listener, or HTTP/1 to a plain `http2` listener",
}

pub(crate) fn check(chain: &Chain, out: &mut Vec<Finding>) {
    for hop in &chain.hops {
        let Some(o) = chain.sends(hop) else { continue };
        let Some(tls) = o.tls else { continue };
        let outer_dialect = chain.layer(hop.outer).proxy.dialect;
        let inner_dialect = chain.layer(hop.inner).proxy.dialect;
        let l = chain.listener(hop);
        let inner = chain.inner_name(hop);
        let (message, label, help, related) = if tls && !l.ssl && !l.tcp {
            let fails = match outer_dialect {
                Dialect::Haproxy => {
                    "the handshake fails and HAProxy answers 503 to every request on this server (termination state `SC--`)"
                }
                Dialect::Nginx => {
                    "nginx logs `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream` and answers 502 to every request"
                }
            };
            (
                format!(
                    "{} speaks TLS to {inner}, which takes plain text: {fails}",
                    o.shown
                ),
                "TLS to a plain listener",
                format!(
                    "drop TLS on this hop ({}), or add `ssl` (and a certificate) to the inner listener",
                    match outer_dialect {
                        Dialect::Haproxy => "remove `ssl` from the server line",
                        Dialect::Nginx => "write `http://`",
                    }
                ),
                "plain text here",
            )
        } else if !tls && l.ssl && !o.tcp {
            let fails = match inner_dialect {
                Dialect::Nginx => {
                    "nginx answers every request with 400 `The plain HTTP request was sent to HTTPS port`"
                }
                Dialect::Haproxy => {
                    "HAProxy finds no TLS handshake and closes the connection, so every request fails with 502"
                }
            };
            (
                format!("{} speaks plain HTTP to {inner}, which expects TLS: {fails}", o.shown),
                "plain HTTP to a TLS listener",
                match outer_dialect {
                    Dialect::Haproxy => "add `ssl verify required ca-file …` (or `ssl verify none` on loopback) to the server line".to_string(),
                    Dialect::Nginx => "write `https://` (and set `proxy_ssl_verify`/`proxy_ssl_trusted_certificate`)".to_string(),
                },
                "TLS here",
            )
        } else if h2c_only(chain, l, inner_dialect) && !o.h2 && !o.tcp && !tls {
            let fails = match outer_dialect {
                Dialect::Haproxy => {
                    "HAProxy gets HTTP/2 frames where it expects a status line and answers 502 (termination state `PH--`)"
                }
                Dialect::Nginx => {
                    "nginx gets HTTP/2 frames where it expects a status line (`upstream sent no valid HTTP/1.0 header while reading response header from upstream`)"
                }
            };
            (
                format!("{} speaks HTTP/1.1 to {inner}: a plain-text `http2` listener before nginx 1.25.1 takes only HTTP/2 with prior knowledge, so {fails}", o.shown),
                "HTTP/1.1 to an HTTP/2-only listener",
                match outer_dialect {
                    Dialect::Haproxy => "remove `http2` from the inner `listen` (or add `proto h2` to the server line)".to_string(),
                    Dialect::Nginx => "remove `http2` from the inner `listen`".to_string(),
                },
                "HTTP/2 only here",
            )
        } else {
            continue;
        };
        out.push(
            Finding::new(&RULE, o.tls_span, message)
                .label(label)
                .related(l.span, related)
                .help(help)
                .dialect(outer_dialect),
        );
    }
}

/// nginx before 1.25.1 serves a plain-text `listen … http2` with HTTP/2 only.
fn h2c_only(chain: &Chain, l: &Listener, inner: Dialect) -> bool {
    inner == Dialect::Nginx
        && l.http2
        && !l.ssl
        && !l.tcp
        && chain.nginx_version.is_none_or(|v| v < Version(1, 25, 1))
}
