//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW024",
    name: "duplicate-directive",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "a directive set twice at one level where nginx says it \"is duplicate\" (HAProxy: two frontends of one name)",
    page: include_str!("../../rules/GW024-duplicate-directive.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Duplicate, &RULE, out);
}
