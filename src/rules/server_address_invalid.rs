//! An upstream `server` written as a URL: a scheme or a path nginx does not take there.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::Ctx;

declare_rule! {
    code: "GW110",
    name: "server-address-invalid",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "an upstream `server` with a scheme or a path (`server http://app:8080;`): nginx refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect != Dialect::Nginx {
        return;
    }
    for pool in &ctx.proxy.pools {
        for s in &pool.servers {
            let Some(addr) = s.directive.args().first() else {
                continue;
            };
            let written = addr.value.as_str();
            if written.contains('$')
                || written.len() > 5 && written.as_bytes()[..5].eq_ignore_ascii_case(b"unix:")
            {
                continue;
            }
            let (what, fix) = if let Some((scheme, rest)) = written.split_once("://") {
                let host = rest.split('/').next().unwrap_or(rest);
                (
                    format!("the scheme `{scheme}://`"),
                    format!(
                        "write the address alone, `server {host};`, and the scheme where the upstream is used: `{}_pass {scheme}://{};`",
                        match pool.ctx {
                            Ctx::Http if scheme.starts_with("grpc") => "grpc",
                            _ => "proxy",
                        },
                        pool.name
                    ),
                )
            } else if let Some((host, path)) = written.split_once('/') {
                (
                    format!("the path `/{path}`"),
                    format!(
                        "write `server {host};`; a path belongs on the `proxy_pass` that uses the upstream (`proxy_pass http://{}/{path};`)",
                        pool.name
                    ),
                )
            } else {
                continue;
            };
            out.push(
                Finding::new(
                    &RULE,
                    s.endpoint_span,
                    format!(
                        "`server {written}` in upstream `{}` has {what}: an upstream server is an address (`host:port` or `unix:/path`), and nginx refuses to start with `invalid host in upstream \"{written}\"`",
                        pool.name
                    ),
                )
                .label("not an address")
                .help(fix),
            );
        }
    }
}
