//! `proxy_pass http://backend:8080` while `upstream backend {}` exists.

use super::Context;
use crate::finding::{Finding, Fix};
use crate::model::{Endpoint, Target};

declare_rule! {
    code: "GW102",
    name: "upstream-with-port",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "a *_pass puts a port on the name of an upstream",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for route in &ctx.proxy.routes {
        let Target::Endpoint(Endpoint::Inet {
            host,
            port: Some(port),
        }) = &route.target
        else {
            continue;
        };
        let Some((_, pool)) = ctx.proxy.pools_named(route.ctx, host).next() else {
            continue;
        };
        let written = ctx.sources.text(route.target_span);
        let fixed = written.replacen(&format!(":{port}"), "", 1);
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "\"{host}\" is an upstream, and an upstream takes no port here: nginx refuses to start with `upstream \"{host}\" may not have port {port}`"
                ),
            )
            .label(format!("port {port} on upstream `{host}`"))
            .help(format!(
                "drop the port (`{}`): the ports belong on the upstream's `server` lines",
                fixed
            ))
            .related(pool.name_span, "the upstream is defined here")
            .fix(Fix::replace(
                format!("Drop port {port} from upstream `{host}`"),
                route.target_span,
                fixed,
            )),
        );
    }
}
