//! `fastcgi_pass`, `uwsgi_pass` or `scgi_pass` to port 80 or 8080, where HTTP listens: the
//! mirror of GW109.

use crate::model::tls::PLAIN_PORTS;
use crate::model::tls::reach;
use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::{Ctx, Pass, Target};

declare_rule! {
    code: "GW115",
    name: "fastcgi-pass-to-http-port",
    severity: Warning,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [],
    summary: "`fastcgi_pass`, `uwsgi_pass` or `scgi_pass` to port 80 or 8080, where HTTP listens (a `server` without a port uses 80): the HTTP server rejects the binary request, 502 or 504",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect != Dialect::Nginx {
        return;
    }
    for route in &ctx.proxy.routes {
        let (protocol, log) = match route.pass {
            Pass::FastCgi => (
                "FastCGI",
                "`upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream` (the `H` of `HTTP/1.1 400`)",
            ),
            Pass::Uwsgi if route.scheme != Some("suwsgi") => (
                "uwsgi",
                "the server's `400 Bad Request`, or `upstream prematurely closed connection`",
            ),
            Pass::Scgi => (
                "SCGI",
                "`upstream sent invalid header while reading response header from upstream`",
            ),
            _ => continue,
        };
        if route.ctx != Ctx::Http {
            continue;
        }
        let reach = reach(ctx.proxy, route);
        if reach.is_empty()
            || !reach
                .iter()
                .all(|r| r.port.is_some_and(|p| PLAIN_PORTS.contains(&p)))
        {
            continue;
        }
        let directive = route.pass.directive();
        let port = reach[0].port.unwrap_or(80);
        let implied = reach.iter().any(|r| r.implied);
        let whom = match &route.target {
            Target::Pool(i) => format!(
                "upstream `{}`, whose servers are all on port 80 or 8080{}",
                ctx.proxy.pools[*i].name,
                if implied {
                    " (a `server` without a port uses 80)"
                } else {
                    ""
                }
            ),
            _ => format!("port {port}"),
        };
        let mut f = Finding::new(
            &RULE,
            route.target_span,
            format!(
                "`{directive}` speaks {protocol} to {whom}, where HTTP listens by convention: an HTTP server takes the binary {protocol} request for a broken request line and answers 400 and closes (nginx logs {log} and answers 502), or waits for a line end that never comes (`upstream timed out … while reading response header from upstream`, 504 after the read timeout)"
            ),
        )
        .label(format!("{protocol} to an HTTP port"))
        .help(format!(
            "point `{directive}` at the application server's {protocol} port or socket (php-fpm: 9000 or `unix:/run/php/php-fpm.sock`); if the backend speaks HTTP, use `proxy_pass http://…` instead"
        ));
        for r in reach.iter().filter(|r| r.span != route.target_span) {
            f = f.related(
                r.span,
                match r.implied {
                    true => "no port: nginx uses 80".to_string(),
                    false => format!("port {}", r.port.unwrap_or(0)),
                },
            );
        }
        out.push(f);
    }
}
