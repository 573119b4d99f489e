//! A `*_connect_timeout` longer than the kernel lets a TCP connect wait: it never fires.

use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW202",
    name: "connect-timeout-too-long",
    severity: Info,
    family: Timeouts,
    dialects: [Nginx],
    refuses: [],
    summary: "a *_connect_timeout above 135s: Linux abandons the connect first, with 502 instead of 504",
}

/// Linux gives up after `net.ipv4.tcp_syn_retries` (default 6) retransmissions: 127 s by the
/// kernel's documentation, 135 s measured. FreeBSD and macOS give up after 75 s, but gwlint
/// does not know the platform, and gateways run on Linux: a value between 75 s and 135 s
/// still works there, so it is not reported.
const LINUX_MS: u64 = 135_000;

/// The connect timeouts of nginx's own modules to an upstream (`proxy_`, `fastcgi_`, `grpc_`,
/// the stream proxy's, …), from the directive table: the names ending in `_connect_timeout`
/// whose setter reads a time.
fn is_connect_timeout(name: &str) -> bool {
    use crate::tables::nginx::{Build, Kind, table};
    name.ends_with("_connect_timeout")
        && table()
            .rows(name)
            .iter()
            .any(|r| r.kind == Kind::Msec && matches!(r.build, Build::Default | Build::With))
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // The directive is wrong wherever it stands, used by a route or not (a snippet of
    // http-level settings has no route).
    for scope in &ctx.proxy.scopes {
        for d in &scope.directives {
            // Every directive of the configuration passes here: one comparison for most.
            if !is_connect_timeout(d.name()) {
                continue;
            }
            let Some(time) = ctx.proxy.time_of(d) else {
                continue;
            };
            if time.value <= LINUX_MS {
                continue;
            }
            let written = time.shown();
            let kernels = "the kernel abandons a connect whose SYN goes unanswered before that — Linux after about 130 s (`net.ipv4.tcp_syn_retries` 6; FreeBSD and macOS after 75 s) —";
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "{written} is longer than the operating system lets a TCP connect wait: when a backend does not answer (host down, a firewall dropping packets) {kernels} nginx logs `connect() failed (110: Connection timed out) while connecting to upstream` and answers 502, not the 504 its own timeout would give; every request to that server waits that long before the next server is tried"
                    ),
                )
                .label("beyond the kernel's connect limit")
                .help(format!(
                    "use a few seconds: `{} 5s;` — a reachable backend accepts a connection in milliseconds, and a short timeout sends the request to the next server sooner",
                    d.name()
                )),
            );
        }
    }
}
