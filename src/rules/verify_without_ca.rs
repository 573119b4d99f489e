//! `proxy_ssl_verify on` where no `proxy_ssl_trusted_certificate` is in effect.

use std::collections::HashSet;

use super::Context;
use crate::finding::Finding;
use crate::model::Origin;
use crate::model::sections::{own, placed, server_name};
use crate::model::tls::{hops, prefix};

declare_rule! {
    code: "GW404",
    name: "verify-without-ca",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "*_ssl_verify on without a *_ssl_trusted_certificate (HAProxy: `ssl` with verification required and no `ca-file`): the proxy refuses to start",
}

/// One check over the model's hops (`model::tls::Hop`): where the proxy sets TLS up at
/// start, verification is required, and no CA file is in force.
pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    for hop in hops(proxy) {
        let Some(tls) = hop.prepared() else { continue };
        let verify = hop.verify(proxy);
        if !verify.value || hop.ca(proxy).is_some() {
            continue;
        }
        let f = match (hop.route, hop.server, hop.pool) {
            (Some(route), _, _) => {
                // One finding per `*_ssl_verify on` (or route, by default), not per route it
                // reaches.
                let span = match verify.origin {
                    Origin::Set(span) => span,
                    Origin::Default => route.directive.span(),
                };
                if !seen.insert(span) {
                    continue;
                }
                let name = &verify.name;
                let ca = format!("{}_ssl_trusted_certificate", prefix(route).unwrap_or("proxy"));
                Finding::new(
                    &RULE,
                    span,
                    format!(
                        "`{name} on` with no `{ca}` in effect for `{}`: nginx refuses to start with `[emerg] no {ca} for {name}`",
                        ctx.sources.text(route.target_span)
                    ),
                )
                .label("verification without trusted CAs")
                .help(format!(
                    "add `{ca} /path/to/ca-bundle.pem;` at the same level (for public CAs: the system bundle, e.g. /etc/ssl/certs/ca-certificates.crt)"
                ))
                .related(route.target_span, "TLS is set up for this target")
            }
            (None, Some(s), Some(pool)) => {
                let (why, quoted) = match (&verify.origin, verify.name.as_str()) {
                    (Origin::Set(span), "verify") if own(s, *span) => (
                        "`verify required`",
                        "verify is enabled but no CA file specified.",
                    ),
                    (Origin::Set(_), "verify") => (
                        "`verify required` from `default-server`",
                        "verify is enabled but no CA file specified.",
                    ),
                    (Origin::Set(_), _) => (
                        "`ssl-server-verify required`",
                        "verify is enabled by default but no CA file specified.",
                    ),
                    (Origin::Default, _) => (
                        "HAProxy's default, `ssl-server-verify required`",
                        "verify is enabled by default but no CA file specified.",
                    ),
                };
                let name = server_name(pool, s);
                // Inherited TLS: the finding goes on the server, so that each server sharing
                // one `default-server` line is told apart.
                let (span, other, tls_own) = placed(s, tls);
                let mut f = Finding::new(
                    &RULE,
                    span,
                    format!(
                        "server '{name}' uses TLS with certificate verification required ({why}) but no `ca-file`: HAProxy refuses to start with `'server {name}' : {quoted}`"
                    ),
                )
                .label("TLS without a CA to verify against")
                .help(
                    "add `ca-file /etc/ssl/certs/ca-certificates.crt` (or `ca-file @system-ca`) to the server line or to `default-server`; only on a network where the server is trusted without verification, write `verify none`",
                )
                .related(
                    other,
                    if tls_own {
                        "the server"
                    } else {
                        "TLS turned on by `default-server`"
                    },
                );
                if let Origin::Set(span) = verify.origin {
                    f = f.related(span, "verification required here");
                }
                f
            }
            _ => continue,
        };
        out.push(f);
    }
}
