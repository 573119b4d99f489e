//! `keepalive N` in an upstream whose routes never let a connection be reused.


use super::{Context, Version};
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::model::reuse::{Closer, closers};
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
            let found = why_not(ctx, route, new_defaults);
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
            Pass::Uwsgi | Pass::Scgi => format!(
                "nginx cannot keep `{directive}` connections: remove `keepalive` from upstream `{}`, or serve the application over HTTP and use `proxy_pass` with `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";`",
                pool.name
            ),
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

/// The closers of a route ([`crate::model::reuse::closers`]), worded, with the repair that
/// goes beside the route when a default decides.
fn why_not(ctx: &Context, route: &Route, new_defaults: bool) -> Vec<Cause> {
    let proxy = ctx.proxy;
    let at = |set: Option<Span>| set.unwrap_or(route.directive.span());
    closers(proxy, route, new_defaults)
        .into_iter()
        .map(|c| match c {
            Closer::Http10(set) => Cause {
                what: match set {
                    Some(_) => "`proxy_http_version 1.0` speaks HTTP/1.0 to it".into(),
                    None => "`proxy_http_version` is not set to 1.1 (nginx before 1.29.7 speaks HTTP/1.0 to upstreams)".into(),
                },
                span: at(set),
                repair: set.is_none().then_some("proxy_http_version 1.1;"),
            },
            Closer::NoConnectionHeader => Cause {
                what: "no `proxy_set_header Connection \"\"`, so nginx sends `Connection: close`"
                    .into(),
                span: route.directive.span(),
                // A level that sets any proxy_set_header inherits none from outside: adding
                // one where the others come from outside would drop them.
                repair: (proxy.deciding(route.scope, "proxy_set_header").is_empty()
                    || proxy.scopes[route.scope]
                        .directives
                        .iter()
                        .any(|d| d.name() == "proxy_set_header"))
                .then_some("proxy_set_header Connection \"\";"),
            },
            Closer::ConnectionHeader { value, closes, span } => Cause {
                what: format!("`proxy_set_header Connection {value}` sends `Connection: {closes}`"),
                span,
                repair: None,
            },
            Closer::NeverKept(pass) => Cause {
                what: format!(
                    "`{}` cannot reuse a connection (nginx's {} module keeps none)",
                    pass.directive(),
                    pass.directive().trim_end_matches("_pass")
                ),
                span: route.directive.span(),
                repair: None,
            },
            Closer::FastCgiKeepConnOff(set) => Cause {
                what: "`fastcgi_keep_conn` is off, so nginx asks the FastCGI server to close"
                    .into(),
                span: at(set),
                repair: set.is_none().then_some("fastcgi_keep_conn on;"),
            },
        })
        .collect()
}

/// The directives that let `route` reuse connections, when every cause has one.
fn repair(ctx: &Context, route: &Route, causes: &[Cause]) -> Option<Edit> {
    let lines: Vec<&str> = causes.iter().map(|c| c.repair).collect::<Option<_>>()?;
    super::repair::after_route(ctx, route, &lines)
}
