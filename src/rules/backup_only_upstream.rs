//! Every server of an upstream is a `backup`.

use crate::model::pools::{backup_after_method, flag_span};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW106",
    name: "backup-only-upstream",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "every server of an upstream is a `backup`",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // The stream module refuses it with the same message.
    for pool in &ctx.proxy.pools {
        if pool.servers.is_empty() || !pool.servers.iter().all(|s| s.flag("backup")) {
            continue;
        }
        // A hash/ip_hash/random method before a backup server fails first (GW107).
        if backup_after_method(ctx.proxy, pool).is_some() {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            pool.name_span,
            format!(
                "every server of upstream \"{}\" is a `backup`, and backups only stand in for primary servers: nginx refuses to start with `no servers in upstream \"{}\"`",
                pool.name, pool.name
            ),
        )
        .label("no primary server in this upstream")
        .help(format!(
            "remove `backup` from the server(s) that should take traffic in upstream \"{}\"; keep it only on stand-ins",
            pool.name
        ));
        for s in &pool.servers {
            if let Some(span) = flag_span(s, "backup") {
                f = f.related(span, "backup here");
            }
        }
        out.push(f);
    }
}
