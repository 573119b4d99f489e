//! `proxy_ssl_verify on` where no `proxy_ssl_trusted_certificate` is in effect.

use std::collections::HashSet;

use crate::model::sections::{flag, global, own, server_name};
use crate::model::tls::{deciding_span, is_on, may_use_tls, prefix, ssl_setting};
use super::Context;
use crate::finding::{Dialect, Finding};

declare_rule! {
    code: "GW404",
    name: "verify-without-ca",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "*_ssl_verify on without a *_ssl_trusted_certificate (HAProxy: `ssl` with verification required and no `ca-file`): the proxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return haproxy(ctx, out);
    }
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    for route in &proxy.routes {
        // nginx checks the pair where it sets up TLS for a location: a TLS scheme, or a
        // target built from variables.
        if !may_use_tls(route) {
            continue;
        }
        let Some(p) = prefix(route) else { continue };
        let verify = ssl_setting(proxy, route, "verify");
        if !is_on(&verify) || ssl_setting(proxy, route, "trusted_certificate").is_set() {
            continue;
        }
        let span = deciding_span(&verify, route);
        if !seen.insert(span) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "`{p}_ssl_verify on` with no `{p}_ssl_trusted_certificate` in effect for `{}`: nginx refuses to start with `[emerg] no {p}_ssl_trusted_certificate for {p}_ssl_verify`",
                    ctx.sources.text(route.target_span)
                ),
            )
            .label("verification without trusted CAs")
            .help(format!(
                "add `{p}_ssl_trusted_certificate /path/to/ca-bundle.pem;` at the same level (for public CAs: the system bundle, e.g. /etc/ssl/certs/ca-certificates.crt)"
            ))
            .related(route.target_span, "TLS is set up for this target"),
        );
    }
}

/// HAProxy 2.6 checks every server it prepares TLS for: one with `ssl` or `check-ssl` in
/// effect, and also one that inherits either from `default-server` even when its own line
/// says `no-ssl` (observed with `haproxy -c`). Verification is required unless the server
/// says `verify none` or, without a `verify` of its own, `global` has
/// `ssl-server-verify none`.
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let global_verify = global(proxy, "ssl-server-verify");
    for pool in &proxy.pools {
        for s in &pool.servers {
            let tls = flag(s, "ssl", "no-ssl")
                .or_else(|| flag(s, "check-ssl", "no-check-ssl"))
                .or_else(|| {
                    s.params()
                        .find(|(n, _, span)| matches!(*n, "ssl" | "check-ssl") && !own(s, *span))
                        .map(|(_, _, span)| span)
                });
            let Some(tls) = tls else { continue };
            if s.value("ca-file").is_some() {
                continue;
            }
            let (why, quoted) = match s.value("verify") {
                Some(("none", _)) => continue,
                Some((_, span)) => (Some(span), "verify is enabled but no CA file specified."),
                None => match global_verify {
                    Some(g) if g.arg(0) == Some("none") => continue,
                    Some(g) => (
                        Some(g.span),
                        "verify is enabled by default but no CA file specified.",
                    ),
                    None => (
                        None,
                        "verify is enabled by default but no CA file specified.",
                    ),
                },
            };
            let name = server_name(pool, s);
            // Inherited TLS: the finding goes on the server, so that each server sharing one
            // `default-server` line is told apart.
            let (span, other) = if own(s, tls) {
                (tls, s.endpoint_span)
            } else {
                (s.endpoint_span, tls)
            };
            let mut f = Finding::new(
                &RULE,
                span,
                format!(
                    "server '{name}' uses TLS with certificate verification required ({}) but no `ca-file`: HAProxy refuses to start with `'server {name}' : {quoted}`",
                    match why {
                        Some(span) if own(s, span) => "`verify required`",
                        Some(span) if proxy.scopes[0].directives.iter().any(|d| d.span == span) => "`ssl-server-verify required`",
                        Some(_) => "`verify required` from `default-server`",
                        None => "HAProxy's default, `ssl-server-verify required`",
                    }
                ),
            )
            .label("TLS without a CA to verify against")
            .help(
                "add `ca-file /etc/ssl/certs/ca-certificates.crt` (or `ca-file @system-ca`) to the server line or to `default-server`; only on a network where the server is trusted without verification, write `verify none`",
            )
            .related(
                other,
                if own(s, tls) {
                    "the server"
                } else {
                    "TLS turned on by `default-server`"
                },
            );
            if let Some(span) = why {
                f = f.related(span, "verification required here");
            }
            out.push(f);
        }
    }
}
