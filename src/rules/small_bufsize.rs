//! HAProxy: `tune.bufsize` below its default of 16384.

use crate::model::sections::{global};
use crate::units::haproxy_size;
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW506",
    name: "small-bufsize",
    severity: Warning,
    family: ReuseAndBuffers,
    dialects: [Haproxy],
    refuses: [],
    summary: "`tune.bufsize` below the default 16384: responses with large headers get 502",
}

/// HAProxy's defaults (configuration manual, 3.2).
const DEFAULT_BUFSIZE: u64 = 16384;
const DEFAULT_MAXREWRITE: u64 = 1024;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let Some(d) = global(proxy, "tune.bufsize") else {
        return;
    };
    let Some(bufsize) = d.arg(0).and_then(haproxy_size) else {
        return;
    };
    if bufsize >= DEFAULT_BUFSIZE {
        return;
    }
    // HAProxy keeps `tune.maxrewrite` free for header rewrites, and caps it at half the
    // buffer.
    let maxrewrite = global(proxy, "tune.maxrewrite")
        .and_then(|m| m.arg(0).and_then(haproxy_size))
        .unwrap_or(DEFAULT_MAXREWRITE)
        .min(bufsize / 2);
    let room = bufsize - maxrewrite;
    out.push(
        Finding::new(
            &RULE,
            d.span(),
            format!(
                "`tune.bufsize {}` is below HAProxy's default of 16384: a response whose headers take more than about {room} bytes (long cookies, tokens, CSP headers) cannot be parsed and the client gets 502 (termination state `PH--`); a request with headers that large gets 400 (`PR--`)",
                d.arg(0).unwrap_or_default()
            ),
        )
        .label(format!("headers must fit in {room} bytes"))
        .help("remove it (16384 is the default) or raise it to 16384 or more; each connection holds two buffers, so plan memory for `maxconn` × 2 × `tune.bufsize`"),
    );
}
