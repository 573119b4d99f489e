//! `proxy_ssl_verify on` where no `proxy_ssl_trusted_certificate` is in effect.

use std::collections::HashSet;

use super::support_tls::{deciding_span, is_on, may_use_tls, prefix, ssl_setting};
use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW404",
    name: "verify-without-ca",
    severity: Severity::Error,
    family: Family::Tls,
    dialects: &[Dialect::Nginx],
    summary: "*_ssl_verify on without a *_ssl_trusted_certificate: nginx refuses to start",
    page: include_str!("../../rules/GW404-verify-without-ca.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
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
