//! HAProxy: a `timeout connect` longer than the kernel lets a TCP connect wait: it never
//! fires (GW202's counterpart).

use crate::model::sections::{proxies, section_named};
use super::Context;
use crate::units::show_ms;
use crate::finding::Finding;

declare_rule! {
    code: "GW212",
    name: "timeout-connect-too-long",
    severity: Info,
    family: Timeouts,
    dialects: [Haproxy],
    refuses: [],
    summary: "an HAProxy `timeout connect` above 135s: Linux abandons the connect first, so the timeout never fires and each attempt waits about 130s",
}

/// As GW202: Linux gives up after `net.ipv4.tcp_syn_retries` (default 6) retransmissions,
/// 127 s by the kernel's documentation, 135 s measured; FreeBSD and macOS after 75 s, but a
/// value between 75 s and 135 s still works on Linux, where gateways run.
const LINUX_MS: u64 = 135_000;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxies(proxy) {
        for d in scope
            .directives
            .iter()
            .filter(|d| matches!(d.name(), "timeout connect" | "contimeout"))
        {
            let Some(time) = proxy.time_of(d) else {
                continue;
            };
            if time.value <= LINUX_MS {
                continue;
            }
            let place = section_named(proxy, id);
            // The value in seconds when it is written otherwise (`3m`, `200000`).
            let shown = match show_ms(time.value) {
                s if s == time.written => String::new(),
                s => format!(" ({s})"),
            };
            let written = format!("{}{shown}", time.shown());
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "{written} in {place} is longer than the operating system lets a TCP connect wait: when a server does not answer (host down, a firewall dropping packets) the kernel abandons the connect before that — Linux after about 130 s (`net.ipv4.tcp_syn_retries` 6; FreeBSD and macOS after 75 s) — so HAProxy's own timeout never fires: it sees a connection error (termination state `SC--`, not `sC--`), and each attempt, retries included, has held the request about 130 s before the next server is tried or the client gets 503",
                    ),
                )
                .label("beyond the kernel's connect limit")
                .help(
                    "use a few seconds: `timeout connect 5s` — a reachable server accepts a connection in milliseconds; a long wait for a queue slot is `timeout queue`'s, and a slow response `timeout server`'s",
                ),
            );
        }
    }
}
