//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW025",
    name: "not-in-version",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "a directive or keyword the configured release does not have: added later, or removed (HAProxy names the replacement)",
    page: include_str!("../../rules/GW025-not-in-version.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Version, &RULE, out);
}
