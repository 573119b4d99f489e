//! `resolver` given a variable: nginx reads its addresses once, at start, as text.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::has_variable;

declare_rule! {
    code: "GW606",
    name: "resolver-variable",
    severity: Error,
    family: NameResolution,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "a `resolver` address given by a variable (`resolver $dns;`): nginx refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect != Dialect::Nginx {
        return;
    }
    for scope in &ctx.proxy.scopes {
        for d in &scope.directives {
            if d.name() != "resolver" {
                continue;
            }
            // Addresses come first; `valid=30s`, `ipv6=off`, `status_zone=` are parameters.
            for a in d.args().iter().take_while(|a| !a.value.contains('=')) {
                if !has_variable(&a.value) {
                    continue;
                }
                let written = a.value.as_str();
                out.push(
                    Finding::new(
                        &RULE,
                        a.span,
                        format!(
                            "`resolver {written}`: nginx takes a resolver's address as written, when it starts, and does not expand variables there; it looks `{written}` up as a host name and refuses to start with `host not found in resolver \"{written}\"`"
                        ),
                    )
                    .label("a variable where an address must be")
                    .help("write the DNS server's address (`resolver 127.0.0.11 valid=30s;` in Docker, the cluster DNS service's IP in Kubernetes); a template (envsubst, the official image's /etc/nginx/templates) can fill it in before nginx starts"),
                );
            }
        }
    }
}
