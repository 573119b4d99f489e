//! HAProxy: `http-reuse always`/`aggressive` without `retry-on` covering the idle-connection
//! race.

use crate::model::sections::{mode, section};
use super::Context;
use crate::finding::Finding;
use crate::source::Span;

declare_rule! {
    code: "GW505",
    name: "http-reuse-without-retry",
    severity: Warning,
    family: ReuseAndBuffers,
    dialects: [Haproxy],
    refuses: [],
    summary: "`http-reuse always` or `aggressive` without `retry-on conn-failure empty-response`: a request sent on a connection the server just closed gets 502",
}

/// Does a `retry-on` line cover both halves of the race: the connection is gone before the
/// request is sent (`conn-failure`), or the server closes it without answering
/// (`empty-response`)?
fn covers(words: &[&str]) -> bool {
    let has = |k: &str| {
        words
            .iter()
            .any(|w| *w == k || *w == "all-retryable-errors")
    };
    has("conn-failure") && has("empty-response")
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let reached = proxy.reached();
    let mut found: Vec<(Span, String, Vec<String>)> = Vec::new();
    for (i, pool) in proxy.pools.iter().enumerate() {
        if pool.servers.is_empty() || !reached[i] || mode(proxy, pool.scope) != "http" {
            continue;
        }
        let reuse = proxy.setting(pool.scope, "http-reuse");
        let Some(d) = reuse.directives.last().copied() else {
            continue;
        };
        let Some(how @ ("always" | "aggressive")) = d.arg(0) else {
            continue;
        };
        if covers(&proxy.setting(pool.scope, "retry-on").args()) {
            continue;
        }
        let (kind, name) = section(proxy, pool.scope);
        let who = format!("{kind} '{name}'");
        match found.iter_mut().find(|(s, _, _)| *s == d.span()) {
            Some((_, _, v)) => v.push(who),
            None => found.push((d.span(), how.to_string(), vec![who])),
        }
    }
    for (span, how, who) in found {
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "`http-reuse {how}` in {} without `retry-on conn-failure empty-response`: HAProxy sends requests on idle server connections that the server may be closing at that very moment, and such a request gets 502 (termination state `SH--`) instead of being retried on a new connection",
                    who.join(", ")
                ),
            )
            .label(format!("reuses idle connections ({how})"))
            .help("add `retry-on conn-failure empty-response response-timeout` next to it (and keep `retries` above 0), or use the default `http-reuse safe`"),
        );
    }
}
