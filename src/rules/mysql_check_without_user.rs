//! HAProxy: `option mysql-check` without `user`, which can get HAProxy's host blocked by
//! MySQL.

use crate::model::sections::{proxies, section_named};
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW311",
    name: "mysql-check-without-user",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`option mysql-check` without `user`: each check is an aborted connection to MySQL, which can block HAProxy's host (`max_connect_errors`)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxies(proxy) {
        for d in scope
            .directives
            .iter()
            .filter(|d| d.name() == "option mysql-check")
        {
            if d.args().iter().any(|a| a.value == "user") {
                continue;
            }
            let place = section_named(proxy, id);
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "`option mysql-check` in {place} has no `user`: HAProxy then only reads the server's greeting (the Handshake Initialization packet) and closes the connection without logging in, which MySQL counts as an interrupted connection from HAProxy's host; after `max_connect_errors` of them in a row (100 by default) MySQL blocks that host (`Host '…' is blocked because of many connection errors; unblock with 'mysqladmin flush-hosts'`), and from then on every check and every client connection through HAProxy is refused, until `FLUSH HOSTS`"
                    ),
                )
                .label("checks without logging in")
                .help(
                    "give the check a user: `option mysql-check user haproxy_check`, and create it in MySQL without a password and without privileges: `CREATE USER 'haproxy_check'@'<HAProxy's address>';`",
                ),
            );
        }
    }
}
