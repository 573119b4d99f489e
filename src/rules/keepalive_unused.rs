//! `keepalive N` in an upstream whose routes never let a connection be reused.


use super::{Context, Version};
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::model::{Ctx, Pass, Route, Target};
use crate::source::Span;

declare_rule! {
    code: "GW503",
    name: "keepalive-unused",
    severity: Warning,
    family: ReuseAndBuffers,
    dialects: [Nginx],
    refuses: [],
    summary: "an upstream's keepalive is never used: HTTP/1.0, `Connection: close` or no fastcgi_keep_conn",
}

/// Why one route opens a new connection for every request.
struct Cause {
    what: String,
    /// The directive that decides, or the route when a default does.
    span: Span,
    /// The directive that repairs it beside the route, when a default decides and adding it
    /// there changes nothing else.
    repair: Option<&'static str>,
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let new_defaults = ctx.nginx_at_least(Version(1, 29, 7));
    // The routes of each pool, found in one pass: a site with thousands of upstreams would
    // otherwise scan every route for every pool.
    let mut routes_of: Vec<Vec<&Route>> = vec![Vec::new(); proxy.pools.len()];
    for r in &proxy.routes {
        if let Target::Pool(p) = r.target {
            routes_of[p].push(r);
        }
    }
    for (i, pool) in proxy.pools.iter().enumerate() {
        if pool.ctx != Ctx::Http {
            continue;
        }
        let Some(keepalive) = proxy.scopes[pool.scope]
            .directives
            .iter()
            .find(|d| d.name() == "keepalive")
        else {
            continue;
        };
        let mut causes: Vec<(&Route, Cause)> = Vec::new();
        // Routes that keep connections, and those that lose them.
        let (mut reusing, mut losing) = (0usize, Vec::new());
        // The repair of every losing route, if each has one.
        let mut repairs: Option<Vec<Edit>> = Some(Vec::new());
        for &route in &routes_of[i] {
            let found = match route.pass {
                Pass::Proxy => proxy_causes(ctx, route, new_defaults),
                Pass::FastCgi => fastcgi_cause(ctx, route).into_iter().collect(),
                _ => Vec::new(),
            };
            match found.is_empty() {
                true => reusing += 1,
                false => losing.push(route),
            }
            if !found.is_empty() {
                let edit = repair(ctx, route, &found);
                match (&mut repairs, edit) {
                    (Some(all), Some(e)) => all.push(e),
                    _ => repairs = None,
                }
            }
            for c in found {
                if !causes.iter().any(|(_, k)| k.what == c.what) {
                    causes.push((route, c));
                }
            }
        }
        let Some((first, _)) = causes.first() else {
            continue;
        };
        let list: Vec<&str> = causes.iter().map(|(_, c)| c.what.as_str()).collect();
        let directive = first.pass.directive();
        let help = match first.pass {
            Pass::FastCgi => "add `fastcgi_keep_conn on;` where the upstream is used".to_string(),
            _ => format!(
                "add `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";` in every location that does `{directive}` to this upstream (a location that sets any `proxy_set_header` does not inherit the outer ones)"
            ),
        };
        let mut f = if reusing == 0 {
            Finding::new(
                &RULE,
                keepalive.span(),
                format!(
                    "`keepalive` in upstream `{}` is never used: {}; nginx closes the connection after every response and opens a new one for the next request",
                    pool.name,
                    list.join("; ")
                ),
            )
            .label("idle connections are never kept")
            .help(help)
        } else {
            // Some routes keep connections: name those that do not.
            let places: Vec<String> = losing
                .iter()
                .map(|r| {
                    let src = ctx.sources.get(r.directive.span().file);
                    format!(
                        "`{}` at {}:{}",
                        r.pass.directive(),
                        src.name,
                        src.line(r.directive.span().start as usize)
                    )
                })
                .collect();
            Finding::new(
                &RULE,
                keepalive.span(),
                format!(
                    "`keepalive` in upstream `{}` is used by {reusing} route{}, but not by {}: {}; requests through {} open a new connection each",
                    pool.name,
                    if reusing == 1 { "" } else { "s" },
                    places.join(", "),
                    list.join("; "),
                    if losing.len() == 1 { "it" } else { "them" },
                ),
            )
            .severity(Severity::Info)
            .label("kept by some routes only")
            .help(help)
        };
        for (route, c) in &causes {
            if c.span != route.directive.span() {
                f = f.related(c.span, "decided here");
            }
            f = f.related(
                route.directive.span(),
                format!("`{directive}` to the upstream here"),
            );
        }
        if let Some(edits) = repairs.filter(|e| !e.is_empty()) {
            f = f.fix(Fix {
                title: format!("Keep connections to upstream `{}` alive", pool.name),
                edits,
                uncovers: false,
            });
        }
        out.push(f);
    }
}

/// Can this route reuse an idle connection to its upstream? `new_defaults`: judge by nginx
/// 1.29.7's defaults (HTTP/1.1, no `Connection: close`). uwsgi and scgi never reuse one.
pub(crate) fn reuses(ctx: &Context, route: &Route, new_defaults: bool) -> bool {
    match route.pass {
        Pass::Proxy => proxy_causes(ctx, route, new_defaults).is_empty(),
        Pass::FastCgi => fastcgi_cause(ctx, route).is_none(),
        Pass::Grpc | Pass::Memcached => true,
        _ => false,
    }
}

fn proxy_causes(ctx: &Context, route: &Route, new_defaults: bool) -> Vec<Cause> {
    let proxy = ctx.proxy;
    let mut causes = Vec::new();
    // The defaults depend on the version: nginx's table is not asked.
    let version = proxy.deciding(route.scope, "proxy_http_version");
    let v = match version.last() {
        Some(d) => d.arg(0).unwrap_or(""),
        None if new_defaults => "1.1",
        None => "1.0",
    };
    if v == "1.0" {
        causes.push(Cause {
            what: match version.last() {
                Some(_) => "`proxy_http_version 1.0` speaks HTTP/1.0 to it".into(),
                None => "`proxy_http_version` is not set to 1.1 (nginx before 1.29.7 speaks HTTP/1.0 to upstreams)".into(),
            },
            span: version.last().map_or(route.directive.span(), |d| d.span()),
            repair: version
                .last()
                .is_none()
                .then_some("proxy_http_version 1.1;"),
        });
    }
    let headers = proxy.deciding(route.scope, "proxy_set_header");
    let conn = headers.iter().rev().find(|d| {
        d.arg(0)
            .is_some_and(|n| n.eq_ignore_ascii_case("connection"))
    });
    match conn {
        None if !new_defaults => causes.push(Cause {
            what: "no `proxy_set_header Connection \"\"`, so nginx sends `Connection: close`"
                .into(),
            span: route.directive.span(),
            // A level that sets any proxy_set_header inherits none from outside: adding one
            // where the others come from outside would drop them.
            repair: (headers.is_empty()
                || proxy.scopes[route.scope]
                    .directives
                    .iter()
                    .any(|d| d.name() == "proxy_set_header"))
            .then_some("proxy_set_header Connection \"\";"),
        }),
        None => {}
        Some(d) => {
            let value = d.arg(1).unwrap_or("");
            if let Some(bad) = closes(ctx, value) {
                causes.push(Cause {
                    what: format!(
                        "`proxy_set_header Connection {value}` sends `Connection: {bad}`"
                    ),
                    span: d.span(),
                    repair: None,
                });
            }
        }
    }
    causes
}

/// The `Connection` value that stops reuse, when the header (or a value of its variable) is
/// one; None when every value keeps the connection (or gwlint cannot list them).
fn closes(ctx: &Context, value: &str) -> Option<String> {
    let bad = |v: &str| {
        let v = v.trim();
        !(v.is_empty() || v.eq_ignore_ascii_case("keep-alive") || v.eq_ignore_ascii_case("upgrade"))
    };
    if !crate::model::has_variable(value) {
        return bad(value).then(|| value.to_string());
    }
    let name = value.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    let values = ctx.proxy.variable_values(name)?;
    if values.open {
        return None;
    }
    values.values.iter().find(|v| bad(v)).cloned()
}

fn fastcgi_cause(ctx: &Context, route: &Route) -> Option<Cause> {
    let keep = ctx.proxy.setting(route.scope, "fastcgi_keep_conn");
    if keep.first() == Some("on") {
        return None;
    }
    Some(Cause {
        what: "`fastcgi_keep_conn` is off, so nginx asks the FastCGI server to close".into(),
        span: keep
            .directives
            .last()
            .map_or(route.directive.span(), |d| d.span()),
        repair: keep
            .directives
            .is_empty()
            .then_some("fastcgi_keep_conn on;"),
    })
}

/// The directives that let `route` reuse connections, when every cause has one.
fn repair(ctx: &Context, route: &Route, causes: &[Cause]) -> Option<Edit> {
    let lines: Vec<&str> = causes.iter().map(|c| c.repair).collect::<Option<_>>()?;
    super::repair::after_route(ctx, route, &lines)
}
