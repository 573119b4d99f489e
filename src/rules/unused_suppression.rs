//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW012",
    name: "unused-suppression",
    severity: Severity::Warning,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[],
    summary: "a gwlint suppression comment suppresses nothing",
    page: include_str!("../../rules/GW012-unused-suppression.md"),
    check: None,
};
