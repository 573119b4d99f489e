//! Raised while loading and parsing.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW004",
    name: "not-text",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx],
    summary: "a configuration file is binary (holds NUL bytes)",
    page: include_str!("../../rules/GW004-not-text.md"),
    check: None,
};
