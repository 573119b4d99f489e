//! `server … max_conns=N` on every server of an upstream, with no `queue`.

use crate::model::pools::http_pools;
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW303",
    name: "max-conns-without-queue",
    severity: Info,
    family: HealthChecks,
    dialects: [Nginx],
    refuses: [],
    summary: "every server of an upstream is capped by `max_conns` and nothing queues the excess",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, pool) in http_pools(ctx.proxy) {
        // Servers that can take traffic, backups included: one without a cap absorbs the rest.
        let usable: Vec<_> = pool.servers.iter().filter(|s| !s.flag("down")).collect();
        if usable.is_empty() {
            continue;
        }
        let caps: Vec<_> = usable
            .iter()
            .filter_map(|s| {
                s.value("max_conns")
                    .filter(|(v, _)| v.parse::<u64>().is_ok_and(|n| n > 0))
            })
            .collect();
        if caps.len() != usable.len() {
            continue;
        }
        let directives = &ctx.proxy.scopes[pool.scope].directives;
        // NGINX Plus queues requests above the cap.
        if directives.iter().any(|d| d.name() == "queue") {
            continue;
        }
        let zone = directives.iter().any(|d| d.name() == "zone");
        let total: u64 = caps.iter().filter_map(|(v, _)| v.parse::<u64>().ok()).sum();
        let per = if zone {
            String::new()
        } else {
            ", counted per worker process: the upstream has no `zone`".to_string()
        };
        let mut f = Finding::new(
            &RULE,
            caps[0].1,
            format!(
                "every server of upstream \"{}\" is capped by `max_conns` ({total} connections in all{per}); nginx does not queue the request above the cap: it answers 502 at once with `no live upstreams while connecting to upstream`",
                pool.name
            ),
        )
        .label("connection cap")
        .help("if bursts above the cap are expected, raise or drop `max_conns`, or add a server without a cap; open-source nginx has no `queue` (NGINX Plus does). To shed load on purpose, prefer `limit_conn`/`limit_req`, which answer 503 and are logged as such");
        for (_, span) in &caps[1..] {
            f = f.related(*span, "capped here too");
        }
        out.push(f);
    }
}
