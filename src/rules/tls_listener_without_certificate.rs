//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW028",
    name: "tls-listener-without-certificate",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "`listen … ssl` whose default server has no `ssl_certificate` (HAProxy: `bind … ssl` without `crt`): the proxy refuses to start",
    page: include_str!("../../rules/GW028-tls-listener-without-certificate.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::SslWithoutCertificate, &RULE, out);
}
