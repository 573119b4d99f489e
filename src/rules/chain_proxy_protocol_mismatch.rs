//! One end of a hop uses the PROXY protocol and the other does not.

use crate::chain::Chain;
use crate::finding::{Dialect, Finding};

declare_rule! {
    code: "GW704",
    name: "chain-proxy-protocol-mismatch",
    severity: Error,
    family: Chains,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "`send-proxy` to a listener without `proxy_protocol`/`accept-proxy`, or the reverse: every request fails",
}

pub(crate) fn check(chain: &Chain, out: &mut Vec<Finding>) {
    for hop in &chain.hops {
        let Some(sends) = chain.sends(hop) else {
            continue;
        };
        let ((send, span), shown) = (sends.proxy_protocol, sends.proxy_shown);
        let l = chain.listener(hop);
        if send == l.proxy_protocol {
            continue;
        }
        let outer_dialect = chain.layer(hop.outer).proxy.dialect;
        let inner_dialect = chain.layer(hop.inner).proxy.dialect;
        let inner = chain.inner_name(hop);
        let accept_kw = match inner_dialect {
            Dialect::Nginx => "proxy_protocol",
            Dialect::Haproxy => "accept-proxy",
        };
        let f = if send {
            let fails = if l.tcp {
                "the PROXY header becomes the first bytes of the forwarded stream and breaks the protocol behind it".to_string()
            } else {
                format!(
                    "{} reads the PROXY header as the request line and answers every request with 400 Bad Request",
                    crate::chain::dialect_name(inner_dialect)
                )
            };
            Finding::new(&RULE, span, format!("{shown} sends a PROXY protocol header to {inner}, which does not expect one (no `{accept_kw}`): {fails}"))
                .label("PROXY header sent")
                .related(l.span, format!("no `{accept_kw}` here"))
                .help(format!("add `{accept_kw}` to the inner listener (and take the client address from it), or stop sending the header"))
        } else {
            let log = match inner_dialect {
                Dialect::Nginx => {
                    "nginx logs `broken header: \"GET / HTTP/1.1…\" while reading PROXY protocol` and closes the connection"
                }
                Dialect::Haproxy => "HAProxy finds no PROXY header and closes the connection",
            };
            let outer_fails = match outer_dialect {
                Dialect::Haproxy => {
                    "HAProxy answers 502 to every request (termination state `SH--`)"
                }
                Dialect::Nginx => {
                    "nginx answers 502 to every request (`upstream prematurely closed connection while reading response header from upstream`)"
                }
            };
            Finding::new(&RULE, span, format!("{shown} sends no PROXY protocol header, but {inner} requires one (`{accept_kw}`): {log}, and {outer_fails}"))
                .label("no PROXY header sent")
                .related(l.span, format!("`{accept_kw}` requires a PROXY header"))
                .help(match outer_dialect {
                    Dialect::Haproxy => "add `send-proxy` (or `send-proxy-v2`) to the server line, or remove the requirement from the inner listener".to_string(),
                    Dialect::Nginx => format!("remove `{accept_kw}` from the inner listener (nginx's http proxy cannot send a PROXY header; a `stream` proxy can, with `proxy_protocol on`)"),
                })
        };
        out.push(f.dialect(outer_dialect));
    }
}
