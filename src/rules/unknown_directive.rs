//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW020",
    name: "unknown-directive",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "a directive (HAProxy: a keyword, option, timeout, `bind` or `server` keyword) that no module of the build has: the proxy refuses to start",
    page: include_str!("../../rules/GW020-unknown-directive.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Unknown, &RULE, out);
}
