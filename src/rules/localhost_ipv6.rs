//! `localhost` as a target: nginx also tries ::1 where /etc/hosts maps it.

use super::Context;
use crate::finding::Finding;
use crate::model::{Endpoint, Target};
use crate::source::Span;

declare_rule! {
    code: "GW603",
    name: "localhost-ipv6",
    severity: Info,
    family: NameResolution,
    dialects: [Nginx],
    refuses: [],
    summary: "`localhost` as a target resolves to ::1 as well as 127.0.0.1 on many hosts",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut targets: Vec<(Span, Option<u16>)> = Vec::new();
    for route in &proxy.routes {
        if let Target::Endpoint(Endpoint::Inet { host, port }) = &route.target
            && host.eq_ignore_ascii_case("localhost")
        {
            targets.push((route.target_span, *port));
        }
    }
    for pool in &proxy.pools {
        for s in &pool.servers {
            if let Endpoint::Inet { host, port } = &s.endpoint
                && host.eq_ignore_ascii_case("localhost")
            {
                targets.push((s.endpoint_span, *port));
            }
        }
    }
    for (span, port) in targets {
        let p = port.map(|p| format!(":{p}")).unwrap_or_default();
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "nginx resolves `localhost` once, to every address /etc/hosts gives it — on many systems ::1 as well as 127.0.0.1 — and sends requests to each in turn: a backend that listens on 127.0.0.1 only makes every other attempt fail with `connect() failed (111: Connection refused) while connecting to upstream, upstream: \"http://[::1]{p}/\"` (502 when no other address is tried)"
                ),
            )
            .label("may be ::1")
            .help(format!(
                "write the address the backend listens on: `127.0.0.1{p}` (or `[::1]{p}`)"
            )),
        );
    }
}
