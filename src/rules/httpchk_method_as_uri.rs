//! HAProxy: `option httpchk GET`, one word, which HAProxy takes for the URI.

use crate::model::sections::section;
use super::Context;
use crate::finding::Finding;

declare_rule! {
    code: "GW309",
    name: "httpchk-method-as-uri",
    severity: Warning,
    family: HealthChecks,
    dialects: [Haproxy],
    refuses: [],
    summary: "`option httpchk GET` with one word: HAProxy takes it for the URI and checks with `OPTIONS GET HTTP/1.0`",
}

const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
];

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxy.scopes.iter().enumerate() {
        for d in scope
            .directives
            .iter()
            .filter(|d| d.name() == "option httpchk")
        {
            let [word] = d.args() else { continue };
            let Some(method) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(&word.value)) else {
                continue;
            };
            let (kind, name) = section(proxy, id);
            out.push(
                Finding::new(
                    &RULE,
                    word.span,
                    format!(
                        "`option httpchk {method}` in {kind} '{name}': with one argument HAProxy takes it for the URI, so the check sends `OPTIONS {method} HTTP/1.0`; most servers answer 400 (nginx, Apache, Go) or 404 to a request target that is no path, so the servers are marked DOWN (`Layer7 wrong status, code: 400`), and with all of them down every request gets 503; a server that answers 2xx to it is checked on a URI nobody meant"
                    ),
                )
                .label("read as the URI")
                .help(format!(
                    "give the method and the URI: `option httpchk {method} /health` (or, from HAProxy 2.2, `option httpchk` with `http-check send meth {method} uri /health`)"
                )),
            );
        }
    }
}
