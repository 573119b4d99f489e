//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW026",
    name: "option-not-negatable",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Haproxy],
    refuses: &[Dialect::Haproxy],
    summary: "`no option X` for an option HAProxy cannot negate: HAProxy refuses to start",
    page: include_str!("../../rules/GW026-option-not-negatable.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::NotNegatable, &RULE, out);
}
