//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW028",
    name: "tls-listener-without-certificate",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "`listen … ssl` whose default server has no `ssl_certificate` (HAProxy: `bind … ssl` without `crt`): the proxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::SslWithoutCertificate, &RULE, out);
}
