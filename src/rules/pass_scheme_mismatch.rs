//! A `*_pass` given a URL scheme its module does not speak.

use super::Context;
use crate::finding::Finding;
use crate::model::{Ctx, Pass};
use crate::model::has_variable;

declare_rule! {
    code: "GW108",
    name: "pass-scheme-mismatch",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "a *_pass URL has a scheme its module does not accept",
}

/// The schemes a pass directive accepts; an empty list: an address with no scheme.
fn accepted(pass: Pass) -> &'static [&'static str] {
    match pass {
        Pass::Proxy => &["http", "https"],
        Pass::Grpc => &["grpc", "grpcs"],
        Pass::Uwsgi => &["uwsgi", "suwsgi"],
        Pass::FastCgi | Pass::Scgi | Pass::Memcached => &[],
        // HAProxy routes: this rule is for nginx only.
        Pass::UseBackend | Pass::DefaultBackend => &[],
    }
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for route in &ctx.proxy.routes {
        if route.ctx != Ctx::Http {
            continue;
        }
        let written = ctx.sources.text(route.target_span);
        let url = route
            .directive
            .args()
            .first()
            .map(|a| a.value.as_str())
            .unwrap_or("");
        let directive = route.pass.directive();
        let ok = accepted(route.pass);
        match &route.scheme {
            Some(scheme) => {
                // With a variable, nginx parses the URL per request, not at start-up.
                if has_variable(url) || ok.contains(scheme) {
                    continue;
                }
                // The address after the scheme, for the fix.
                let rest = &url[scheme.len() + 3..];
                let (what, fix) = match route.pass {
                    Pass::Proxy => (
                        "`invalid URL prefix`".to_string(),
                        format!(
                            "`proxy_pass` speaks HTTP: write `proxy_pass http://{rest};` (or `https://`), or use the directive of the protocol the backend speaks"
                        ),
                    ),
                    Pass::Grpc => (
                        format!("`invalid host in upstream \"{url}\"`"),
                        format!(
                            "write `grpc_pass grpc://{rest};`{}",
                            if *scheme == "https" {
                                " — `grpcs://` for TLS"
                            } else {
                                ""
                            }
                        ),
                    ),
                    Pass::Uwsgi => (
                        format!("`invalid host in upstream \"{url}\"`"),
                        format!(
                            "write `uwsgi_pass {rest};` (or `uwsgi://{rest}`); uwsgi_pass speaks the uwsgi protocol, use `proxy_pass` for an HTTP backend"
                        ),
                    ),
                    _ => (
                        format!("`invalid host in upstream \"{url}\"`"),
                        format!(
                            "`{directive}` takes an address with no scheme: write `{directive} {rest};`"
                        ),
                    ),
                };
                out.push(
                    Finding::new(
                        &RULE,
                        route.target_span,
                        format!(
                            "`{directive}` does not accept the `{scheme}://` scheme: nginx refuses to start with {what}"
                        ),
                    )
                    .label(format!("`{scheme}://` is not a scheme of `{directive}`"))
                    .help(fix),
                );
            }
            None => {
                // proxy_pass needs a scheme; a variable may carry one, and a fragment may
                // belong in a stream server, where proxy_pass takes a bare address.
                if route.pass != Pass::Proxy || has_variable(written) || ctx.proxy.fragment {
                    continue;
                }
                out.push(
                    Finding::new(
                        &RULE,
                        route.target_span,
                        "`proxy_pass` in http needs a URL with `http://` or `https://`: nginx refuses to start with `invalid URL prefix`",
                    )
                    .label("no scheme")
                    .help(format!("write `proxy_pass http://{url};`")),
                );
            }
        }
    }
}
