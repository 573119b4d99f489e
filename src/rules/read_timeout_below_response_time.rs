//! A `*_read_timeout` shorter than the time a backend is declared to take for its answer.

use std::collections::HashSet;

use super::support_tune::{parse_time_ms, route_facts, show_ms};
use super::{Context, Family, Rule};
use crate::facts::Backend;
use crate::finding::{Dialect, Finding, Severity};
use crate::model::{Ctx, Target};

pub static RULE: Rule = Rule {
    code: "GW204",
    name: "read-timeout-below-response-time",
    severity: Severity::Warning,
    family: Family::Timeouts,
    dialects: &[Dialect::Nginx],
    refuses: &[],
    summary: "a *_read_timeout is not longer than the backend's declared slowest response: those responses end in 504",
    page: include_str!("../../rules/GW204-read-timeout-below-response-time.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
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
        let Some(read_ms) = setting.first().and_then(parse_time_ms) else {
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
