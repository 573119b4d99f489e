//! Raised while loading and parsing.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW003",
    name: "include-cycle",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx],
    refuses: &[Dialect::Nginx],
    summary: "files include each other in a loop",
    page: include_str!("../../rules/GW003-include-cycle.md"),
    check: None,
};
