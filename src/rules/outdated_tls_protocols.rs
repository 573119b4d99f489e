//! `proxy_ssl_protocols` that modern backends refuse, or that lack TLSv1.3.

use std::collections::HashSet;

use crate::model::tls::{Wire, prefix, ssl_setting, wire};
use super::{Context, Version};
use crate::finding::{Finding, Severity};

declare_rule! {
    code: "GW406",
    name: "outdated-tls-protocols",
    severity: Error,
    family: Tls,
    dialects: [Nginx],
    refuses: [],
    summary: "*_ssl_protocols offers only TLSv1/TLSv1.1 (or, as info, no TLSv1.3) to upstreams",
}

/// The release whose `proxy_ssl_protocols` default gained TLSv1.3.
const TLS13_DEFAULT: Version = Version(1, 23, 4);

const REFUSED: &str = "SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream";

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    let mut default_reported = false;
    for route in &proxy.routes {
        if wire(route) != Wire::Tls {
            continue;
        }
        let Some(p) = prefix(route) else { continue };
        let s = ssl_setting(proxy, route, "protocols");
        let Some(d) = s.directives.last() else {
            // The default. Before 1.23.4 it is `TLSv1 TLSv1.1 TLSv1.2`; reported (once) only
            // when the configuration is said to run on such a version, so that a
            // configuration without the directive is not flooded with notes.
            let old = ctx.nginx_version.is_some_and(|v| v < TLS13_DEFAULT);
            if old && !default_reported {
                default_reported = true;
                out.push(
                    Finding::new(
                        &RULE,
                        route.directive.span(),
                        format!(
                            "on nginx {} the default `{p}_ssl_protocols` is `TLSv1 TLSv1.1 TLSv1.2`, without TLSv1.3: a backend that accepts only TLS 1.3 refuses the handshake with `{REFUSED}` and the client gets 502 (this and every other TLS route without `{p}_ssl_protocols`)",
                            version_text(ctx)
                        ),
                    )
                    .severity(Severity::Info)
                    .label("default protocols without TLSv1.3")
                    .help(format!(
                        "set `{p}_ssl_protocols TLSv1.2 TLSv1.3;` in `http {{}}` (the default from nginx 1.23.4 on)"
                    )),
                );
            }
            continue;
        };
        if !seen.insert(d.span()) {
            continue;
        }
        let args = s.args();
        let has = |v: &str| args.iter().any(|a| a.eq_ignore_ascii_case(v));
        if !has("TLSv1.2") && !has("TLSv1.3") {
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "`{p}_ssl_protocols {}` offers no protocol newer than TLS 1.1: backends with current TLS libraries and policies refuse the handshake (`{REFUSED}`, or `tlsv1 alert internal error:SSL alert number 80` from OpenSSL 3 defaults) and every request through the route gets 502",
                        args.join(" ")
                    ),
                )
                .label("only deprecated TLS versions")
                .help(format!("write `{p}_ssl_protocols TLSv1.2 TLSv1.3;`"))
                .related(route.target_span, "a TLS target it applies to"),
            );
        } else if !has("TLSv1.3") {
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "`{p}_ssl_protocols {}` leaves out TLSv1.3: a backend that accepts only TLS 1.3 refuses the handshake with `{REFUSED}` and the client gets 502",
                        args.join(" ")
                    ),
                )
                .severity(Severity::Info)
                .label("no TLSv1.3")
                .help(format!("add TLSv1.3: `{p}_ssl_protocols TLSv1.2 TLSv1.3;`"))
                .related(route.target_span, "a TLS target it applies to"),
            );
        }
    }
}

fn version_text(ctx: &Context) -> String {
    match ctx.nginx_version {
        Some(Version(a, b, c)) => format!("{a}.{b}.{c}"),
        None => "this version".into(),
    }
}
