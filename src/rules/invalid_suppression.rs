//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW013",
    name: "invalid-suppression",
    severity: Severity::Warning,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[],
    summary: "a gwlint comment that cannot suppress anything (unknown rule, bad form)",
    page: include_str!("../../rules/GW013-invalid-suppression.md"),
    check: None,
};
