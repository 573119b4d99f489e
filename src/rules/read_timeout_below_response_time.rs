//! A `*_read_timeout` shorter than the time a backend is declared to take for its answer.

use std::collections::HashSet;

use super::support_tune::{pool_facts, route_facts};
use crate::units::{nginx_time_ms, show_ms};
use super::Context;
use crate::facts::Backend;
use crate::finding::{Dialect, Finding};
use crate::model::{Ctx, Target};

declare_rule! {
    code: "GW204",
    name: "read-timeout-below-response-time",
    severity: Warning,
    family: Timeouts,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a *_read_timeout (HAProxy: `timeout server`) is not longer than the backend's declared slowest response: those responses end in 504",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return haproxy(ctx, out);
    }
    let proxy = ctx.proxy;
    let mut seen = HashSet::new();
    for route in &proxy.routes {
        if route.ctx != Ctx::Http {
            continue; // stream's proxy_timeout is about idle tunnels, not responses
        }
        let Some(prefix) = route.pass.prefix() else {
            continue;
        };
        if matches!(route.target, Target::Missing(_)) {
            continue;
        }
        let facts: Vec<&Backend> = route_facts(ctx, route);
        // The slowest declared backend decides.
        let Some((slowest, fact)) = facts
            .into_iter()
            .filter_map(|b| Some((b.max_response_time?, b)))
            .max_by_key(|(d, _)| *d)
        else {
            continue;
        };
        let slowest_ms = slowest.as_millis() as u64;
        let name = format!("{prefix}_read_timeout");
        let setting = proxy.setting(route.scope, &name);
        let Some(read_ms) = setting.first().and_then(nginx_time_ms) else {
            continue;
        };
        if read_ms > slowest_ms {
            continue;
        }
        let (span, written) = match setting.directives.last() {
            Some(d) => (d.span, format!("`{name} {}`", d.arg(0).unwrap_or(""))),
            None => (
                route.directive.span,
                format!("`{name}` (default {})", show_ms(read_ms)),
            ),
        };
        if !seen.insert((span, fact.target.clone())) {
            continue;
        }
        let origin = if fact.origin.is_empty() {
            String::new()
        } else {
            format!(", {}", fact.origin)
        };
        let mut f = Finding::new(
            &RULE,
            span,
            format!(
                "{written} applies here, but the backend `{}` may take up to {} to answer (declared{origin}): nginx gives up on a response that has not started after {}, logs `upstream timed out (110: Connection timed out) while reading response header from upstream` and the client gets 504",
                fact.target,
                show_ms(slowest_ms),
                show_ms(read_ms),
            ),
        )
        .label(format!(
            "{} {} the backend's {}",
            show_ms(read_ms),
            if read_ms == slowest_ms { "=" } else { "<" },
            show_ms(slowest_ms)
        ))
        .help(format!(
            "raise it above the backend's slowest response where this backend is used: `{name} {};`",
            show_ms(slowest_ms + 10_000)
        ));
        if span != route.directive.span {
            f = f.related(
                route.directive.span,
                format!("`{}` to the backend here", route.pass.directive()),
            );
        }
        out.push(f);
    }
}

/// HAProxy: `timeout server` in force for a backend (its own, or its defaults') against the
/// slowest response declared for the backend (by its name) or one of its servers (by address).
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    use super::support_haproxy::{mode, reached, section_named};
    let proxy = ctx.proxy;
    let reached = reached(proxy);
    for (i, pool) in proxy.pools.iter().enumerate() {
        if !reached[i] || mode(proxy, pool.scope) != "http" {
            continue;
        }
        let Some((slowest, fact)) = pool_facts(ctx, pool)
            .into_iter()
            .filter_map(|b| Some((b.max_response_time?, b)))
            .max_by_key(|(d, _)| *d)
        else {
            continue;
        };
        let slowest_ms = slowest.as_millis() as u64;
        // No `timeout server` is GW210's finding; 0 waits for ever.
        let setting = proxy.setting(pool.scope, "timeout server");
        let Some(d) = setting.directives.last() else {
            continue;
        };
        let Some(ms) = d
            .arg(0)
            .and_then(crate::units::haproxy_time_ms)
            .filter(|ms| *ms > 0)
        else {
            continue;
        };
        if ms > slowest_ms {
            continue;
        }
        let origin = if fact.origin.is_empty() {
            String::new()
        } else {
            format!(", {}", fact.origin)
        };
        let section = section_named(proxy, pool.scope);
        let mut f = Finding::new(
            &RULE,
            d.span,
            format!(
                "`timeout server {}` applies to {section}, but the backend `{}` may take up to {} to answer (declared{origin}): HAProxy gives up on a response that has not started after {}, and the client gets 504 (termination state `sH--`)",
                d.arg(0).unwrap_or(""),
                fact.target,
                show_ms(slowest_ms),
                show_ms(ms),
            ),
        )
        .dialect(Dialect::Haproxy)
        .label(format!(
            "{} {} the backend's {}",
            show_ms(ms),
            if ms == slowest_ms { "=" } else { "<" },
            show_ms(slowest_ms)
        ))
        .help(format!(
            "raise it above the backend's slowest response in {section}: `timeout server {}`",
            show_ms(slowest_ms + 10_000)
        ));
        // Set in the defaults: point at the backend too.
        if !proxy.scopes[pool.scope]
            .directives
            .iter()
            .any(|x| x.span == d.span)
        {
            f = f.related(pool.name_span, format!("{section} is here"));
        }
        out.push(f);
    }
}
