//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW011",
    name: "suppression-without-reason",
    severity: Severity::Warning,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[],
    summary: "a gwlint suppression comment gives no reason",
    page: include_str!("../../rules/GW011-suppression-without-reason.md"),
    check: None,
};
