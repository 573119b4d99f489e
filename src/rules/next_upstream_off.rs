//! `proxy_next_upstream off` (or a list without `error`) on a route to a pool of several
//! servers.

use crate::model::pools::primaries;
use super::Context;
use crate::finding::Finding;
use crate::model::{Ctx, Pass, Target};

declare_rule! {
    code: "GW302",
    name: "next-upstream-off",
    severity: Warning,
    family: HealthChecks,
    dialects: [Nginx],
    refuses: [],
    summary: "a route to several servers does not retry the next server when one fails",
}

/// `*_next_upstream` of the route's module.
fn next_upstream(pass: Pass) -> Option<&'static str> {
    Some(match pass {
        Pass::Proxy => "proxy_next_upstream",
        Pass::FastCgi => "fastcgi_next_upstream",
        Pass::Uwsgi => "uwsgi_next_upstream",
        Pass::Scgi => "scgi_next_upstream",
        Pass::Grpc => "grpc_next_upstream",
        Pass::Memcached => "memcached_next_upstream",
        Pass::UseBackend | Pass::DefaultBackend => return None,
    })
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for route in &ctx.proxy.routes {
        if route.ctx != Ctx::Http {
            continue;
        }
        let Target::Pool(i) = route.target else {
            continue;
        };
        // Most routes keep the default: look for the directive before the servers.
        let Some(name) = next_upstream(route.pass) else {
            continue;
        };
        let setting = ctx.proxy.setting(route.scope, name);
        let Some(d) = setting.directives.last() else {
            continue;
        };
        let pool = &ctx.proxy.pools[i];
        let live = primaries(pool);
        if live.len() < 2 {
            continue;
        }
        let args = setting.args();
        let off = args == ["off"];
        if !off && args.contains(&"error") {
            continue;
        }
        let what = if off {
            format!("`{name} off`")
        } else {
            format!("`{name}` without `error`")
        };
        let never_marked = live
            .iter()
            .all(|s| s.value("max_fails").is_some_and(|(v, _)| v == "0"));
        let share = if never_marked {
            "every request nginx sends to it (its servers have `max_fails=0`, so a dead one keeps its share)"
        } else {
            "the first request nginx sends to it, and one more every `fail_timeout` (10s by default) while it stays dead"
        };
        out.push(
            Finding::new(
                &RULE,
                d.span(),
                format!(
                    "{what}: when one of the {} servers of upstream \"{}\" is down or restarting, nginx does not retry another server — {share} answers 502 (`connect() failed (111: Connection refused) while connecting to upstream`)",
                    live.len(),
                    pool.name
                ),
            )
            .label(if off {
                "retries to the next server are off".to_string()
            } else {
                "connection errors are not retried".to_string()
            })
            .help(format!(
                "keep `error` in the list (the default is `{name} error timeout;`): nginx retries only requests that have not been sent yet or are idempotent, so POSTs are not replayed after they reached a server"
            ))
            .related(pool.name_span, format!("upstream \"{}\" has {} servers", pool.name, live.len())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_module_prefix() {
        for pass in [
            Pass::Proxy,
            Pass::FastCgi,
            Pass::Uwsgi,
            Pass::Scgi,
            Pass::Grpc,
            Pass::Memcached,
            Pass::UseBackend,
            Pass::DefaultBackend,
        ] {
            let want = pass.prefix().map(|p| format!("{p}_next_upstream"));
            assert_eq!(next_upstream(pass).map(String::from), want);
        }
    }
}
