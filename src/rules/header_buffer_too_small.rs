//! `*_buffer_size` below one page: ordinary response headers no longer fit.

use std::collections::HashSet;

use crate::model::exits::route_facts;
use crate::units::{parse_size, show_size};
use super::Context;
use crate::finding::Finding;
use crate::model::Ctx;

declare_rule! {
    code: "GW502",
    name: "header-buffer-too-small",
    severity: Warning,
    family: ReuseAndBuffers,
    dialects: [Nginx],
    refuses: [],
    summary: "*_buffer_size below 4k, or below the backend's declared max_header_size: responses with larger headers fail with 502",
}

/// Below this, ordinary response headers (a few cookies, a CSP) no longer fit.
const MIN: u64 = 4096;
/// The default `*_buffer_size`: one memory page (4k on x86-64 and most arm64 kernels).
const PAGE: u64 = 4096;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    for route in &proxy.routes {
        if route.ctx != Ctx::Http {
            continue; // stream's proxy_buffer_size holds data, not headers
        }
        // memcached reads no response headers into this buffer.
        let Some(prefix) = route.pass.prefix().filter(|p| *p != "memcached") else {
            continue;
        };
        let name = format!("{prefix}_buffer_size");
        let setting = proxy.setting(route.scope, &name);
        // What gwlint.toml says the backend sends, against the buffer in force here.
        if let Some((need, fact)) = route_facts(ctx.facts, ctx.sources, ctx.proxy, route)
            .into_iter()
            .filter_map(|b| Some((b.max_header_size?, b)))
            .max_by_key(|(n, _)| *n)
        {
            let (size, span, written) = match setting.directives.last() {
                Some(d) => (
                    d.arg(0).and_then(parse_size),
                    d.span(),
                    format!("`{name} {}`", d.arg(0).unwrap_or("")),
                ),
                None => (
                    Some(PAGE),
                    route.directive.span(),
                    format!("`{name}` (default 4k, one memory page)"),
                ),
            };
            if let Some(size) = size
                && need > size
                && seen.insert(span)
            {
                out.push(
                    Finding::new(
                        &RULE,
                        span,
                        format!(
                            "{written} is smaller than the response headers the backend sends (`max_header_size = \"{}\"`, {}): such a response fails with `[error] upstream sent too big header while reading response header from upstream` and the client gets 502",
                            show_size(need),
                            fact.origin
                        ),
                    )
                    .label(format!("{} for all response headers", show_size(size)))
                    .help(format!(
                        "raise it above what the backend sends: `{name} {};` (with `{prefix}_buffers` at least as large; see GW501)",
                        show_size(need.next_power_of_two())
                    ))
                    .related(route.directive.span(), format!("`{}` uses it", route.pass.directive())),
                );
                continue;
            }
        }
        let Some(d) = setting.directives.last() else {
            continue;
        };
        let Some(size) = d.arg(0).and_then(parse_size) else {
            continue;
        };
        if size >= MIN || !seen.insert(d.span()) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                d.span(),
                format!(
                    "`{name} {}` leaves {} bytes for the backend's status line and response headers: a response with a few cookies or a long Content-Security-Policy fails with `[error] upstream sent too big header while reading response header from upstream` and the client gets 502",
                    d.arg(0).unwrap_or(""),
                    size
                ),
            )
            .label(format!("{} for all response headers", show_size(size)))
            .help(format!(
                "remove it (the default is one page, 4k) or raise it: `{name} 8k;` (with `{prefix}_buffers` large enough; see GW501)"
            ))
            .related(route.directive.span(), format!("`{}` uses it", route.pass.directive())),
        );
    }
}
