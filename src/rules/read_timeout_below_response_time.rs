//! A `*_read_timeout` shorter than the time a backend is declared to take for its answer.

use std::collections::HashSet;

use crate::model::exits::pool_facts;
use crate::model::exits::route_facts;
use crate::units::show_ms;
use super::Context;
use crate::facts::Backend;
use crate::finding::{Dialect, Finding};
use crate::model::Origin;
use crate::model::exits::Wait;

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
    use crate::model::sections::section_named;
    let proxy = ctx.proxy;
    let nginx = proxy.dialect == Dialect::Nginx;
    let mut seen = HashSet::new();
    // nginx's stream proxy_timeout is about idle tunnels, not responses; HAProxy's TCP
    // backends have no response to wait for.
    for exit in proxy.exits().iter().filter(|e| e.http) {
        let facts: Vec<&Backend> = match (exit.route, exit.pool) {
            (Some(route), _) => route_facts(ctx.facts, ctx.sources, ctx.proxy, route),
            (None, Some(pool)) => pool_facts(ctx.facts, ctx.sources, pool),
            (None, None) => continue,
        };
        // The slowest declared backend decides.
        let Some((slowest, fact)) = facts
            .into_iter()
            .filter_map(|b| Some((b.max_response_time?, b)))
            .max_by_key(|(d, _)| *d)
        else {
            continue;
        };
        let slowest_ms = slowest.as_millis() as u64;
        let Some(wait) = proxy.wait(exit, Wait::Response) else {
            continue;
        };
        let ms = wait.value;
        // HAProxy's 0 waits for ever; a `timeout server` nowhere is GW210's finding.
        if ms > slowest_ms || (!nginx && (ms == 0 || wait.origin == Origin::Default)) {
            continue;
        }
        let (span, written) = match wait.origin {
            Origin::Set(span) => (span, format!("`{} {}`", wait.name, wait.written)),
            Origin::Default => (
                exit.span,
                format!("`{}` (default {})", wait.name, show_ms(ms)),
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
        let section = section_named(proxy, exit.scope);
        let (applies, gives_up, fix_at) = match nginx {
            true => (
                "here".to_string(),
                format!(
                    "nginx gives up on a response that has not started after {}, logs `upstream timed out (110: Connection timed out) while reading response header from upstream` and the client gets 504",
                    show_ms(ms)
                ),
                "where this backend is used".to_string(),
            ),
            false => (
                format!("to {section}"),
                format!(
                    "HAProxy gives up on a response that has not started after {}, and the client gets 504 (termination state `sH--`)",
                    show_ms(ms)
                ),
                format!("in {section}"),
            ),
        };
        let mut f = Finding::new(
            &RULE,
            span,
            format!(
                "{written} applies {applies}, but the backend `{}` may take up to {} to answer (declared{origin}): {gives_up}",
                fact.target,
                show_ms(slowest_ms),
            ),
        )
        .label(format!(
            "{} {} the backend's {}",
            show_ms(ms),
            if ms == slowest_ms { "=" } else { "<" },
            show_ms(slowest_ms)
        ))
        .help(format!(
            "raise it above the backend's slowest response {fix_at}: `{} {}{}`",
            wait.name,
            show_ms(slowest_ms + 10_000),
            if nginx { ";" } else { "" }
        ));
        // Point at the exit too: the nginx `*_pass` when the setting is elsewhere, the
        // HAProxy backend when its defaults set it.
        let inside = proxy.scopes[exit.scope]
            .directives
            .iter()
            .any(|x| x.span() == span);
        let related = match exit.route {
            Some(route) => (span != exit.span)
                .then(|| format!("`{}` to the backend here", route.pass.directive())),
            None => (!inside).then(|| format!("{section} is here")),
        };
        if let Some(text) = related {
            f = f.related(exit.span, text);
        }
        out.push(f);
    }
}
