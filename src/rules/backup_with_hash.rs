//! `backup` in an upstream balanced by `hash`, `ip_hash` or `random`.

use crate::model::pools::backup_after_method;
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW107",
    name: "backup-with-hash",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "a `backup` server follows `hash`, `ip_hash` or `random` in an upstream",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // The stream module refuses it with the same message.
    for pool in &ctx.proxy.pools {
        let Some((method, backup)) = backup_after_method(ctx.proxy, pool) else {
            continue;
        };
        let name = ctx
            .sources
            .text(method)
            .split_whitespace()
            .next()
            .unwrap_or("hash")
            .trim_end_matches(';')
            .to_string();
        out.push(
            Finding::new(
                &RULE,
                backup,
                format!(
                    "upstream \"{}\" is balanced by `{name}`, which has no backup servers: nginx refuses to start with `balancing method does not support parameter \"backup\"`",
                    pool.name
                ),
            )
            .label(format!("`backup` is not allowed with `{name}`"))
            .help(format!(
                "remove `backup` (make it a regular server, or `down` while it should take no traffic), or balance upstream \"{}\" with round-robin or `least_conn`, which support backups",
                pool.name
            ))
            .related(method, format!("`{name}` is set here")),
        );
    }
}
