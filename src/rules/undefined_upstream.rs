//! A `*_pass` names something that is neither an upstream nor a usable host.

use std::cell::LazyCell;

use super::Context;
use crate::finding::{Finding, Fix, Severity};
use crate::model::{Ctx, Endpoint, Target};
use crate::source::Span;
use crate::suggest::Index;

declare_rule! {
    code: "GW101",
    name: "undefined-upstream",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "a *_pass names no upstream (or use_backend/default_backend no backend)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // Indexed once, on the first miss: a configuration can have thousands of upstreams and
    // thousands of typos.
    let names = |c: Ctx| -> Index {
        proxy
            .pools
            .iter()
            .filter(|p| p.ctx == c)
            .map(|p| p.name.as_str())
            .collect()
    };
    let http_names = LazyCell::new(|| names(Ctx::Http));
    let stream_names = LazyCell::new(|| names(Ctx::Stream));
    for route in &proxy.routes {
        if let Target::Missing(name) = &route.target {
            out.push(missing_backend(ctx, route, name, &http_names));
            continue;
        }
        let Target::Endpoint(Endpoint::Inet { host, port }) = &route.target else {
            continue;
        };
        // A host with a port on an upstream name is GW102; dotted names, IPs and localhost
        // are hosts.
        if port.is_some() && proxy.pools_named(route.ctx, host).next().is_some() {
            continue;
        }
        if host.contains('.') || host.contains(':') || host.eq_ignore_ascii_case("localhost") {
            continue;
        }
        let directive = route.pass.directive();
        let names: &Index = match route.ctx {
            Ctx::Http => &http_names,
            Ctx::Stream => &stream_names,
        };
        if let Some(best) = names.closest(host) {
            let pool = proxy.pools_named(route.ctx, best).next().map(|(_, p)| p);
            let fails = if route.ctx == Ctx::Stream && port.is_none() {
                // The stream module wants a port on anything that is not an upstream.
                format!("nginx refuses to start with `no port in upstream \"{host}\"`")
            } else {
                format!(
                    "nginx resolves it as a host name and refuses to start with `host not found in upstream \"{host}\"` (or, if it resolves, sends traffic somewhere else)"
                )
            };
            let mut f = Finding::new(
                &RULE,
                route.target_span,
                format!("`{directive}` names \"{host}\", which is no upstream; {fails}"),
            )
            .label(format!("did you mean `{best}`?"))
            .help(format!(
                "did you mean `{best}`? Write the upstream's name exactly as it is defined"
            ));
            if let Some(p) = pool {
                f = f.related(p.name_span, format!("upstream `{best}` is defined here"));
            }
            if names.sole(host) == Some(best)
                && let Some(span) = name_in(ctx, route.target_span, host)
            {
                f = f.fix(Fix::replace(format!("Name upstream `{best}`"), span, best));
            }
            out.push(f);
            continue;
        }
        if ctx.proxy.fragment
            || ctx.proxy.unknown_includes()
            || ctx.proxy.missing_includes()
        {
            // The name may be defined in the file that includes this one, or in the include
            // that is missing.
            continue;
        }
        if route.ctx == Ctx::Stream && port.is_none() {
            out.push(
                Finding::new(
                    &RULE,
                    route.target_span,
                    format!(
                        "stream `proxy_pass {host}` names no upstream and has no port: nginx refuses to start with `no port in upstream \"{host}\"`"
                    ),
                )
                .label("no upstream of this name in stream {}")
                .help(format!("define `upstream {host} {{ server …; }}` inside `stream {{}}`, or give host and port: `proxy_pass {host}:PORT;`")),
            );
            continue;
        }
        if port.is_none() {
            out.push(
                Finding::new(
                    &RULE,
                    route.target_span,
                    format!(
                        "`{directive}` names \"{host}\", which is no upstream in this configuration: nginx resolves it as a host name when it starts and, where it does not resolve, refuses to start with `host not found in upstream \"{host}\"`"
                    ),
                )
                .severity(Severity::Warning)
                .label("no upstream of this name")
                .help(format!(
                    "define `upstream {host} {{ server ADDRESS:PORT; }}`, or name the host fully (`{host}.example.internal`) with a port"
                )),
            );
        }
    }
}

/// HAProxy: `use_backend`/`default_backend` to a backend that does not exist.
fn missing_backend(
    ctx: &Context,
    route: &crate::model::Route,
    name: &str,
    names: &Index,
) -> Finding {
    let keyword = route.pass.directive();
    let section = ctx.proxy.scopes[route.scope]
        .block
        .and_then(|b| b.arg(0))
        .unwrap_or("?");
    let mut f = Finding::new(
        &RULE,
        route.target_span,
        format!(
            "`{keyword}` names \"{name}\", which is no backend: HAProxy refuses to start with `Proxy '{section}': unable to find required {keyword}: '{name}'.`"
        ),
    )
    .label("no backend of this name");
    match names.closest(name) {
        Some(best) => {
            f = f.label(format!("did you mean `{best}`?")).help(format!(
                "did you mean `{best}`? Write the backend's name exactly as it is defined"
            ));
            if let Some((_, p)) = ctx.proxy.pools_named(Ctx::Http, best).next() {
                f = f.related(p.name_span, format!("backend `{best}` is defined here"));
            }
            if names.sole(name) == Some(best)
                && let Some(span) = name_in(ctx, route.target_span, name)
            {
                f = f.fix(Fix::replace(format!("Name backend `{best}`"), span, best));
            }
        }
        None => {
            f = f.help(format!("define `backend {name}` with its servers, or point `{keyword}` at an existing backend"));
        }
    }
    f
}

/// Where `name` is written in the target `span` (after a URL's `scheme://`), if it is there
/// as it was read: a repair replaces exactly those bytes.
fn name_in(ctx: &Context, span: Span, name: &str) -> Option<Span> {
    let written = ctx.sources.text(span);
    let at = written.find("://").map_or(0, |i| i + 3);
    let rest = &written[at..];
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    (&rest[..end] == name).then(|| {
        let start = span.start as usize + at;
        Span::new(span.file, start, start + name.len())
    })
}
