//! Raised while loading and parsing.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW002",
    name: "include-not-found",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx],
    refuses: &[Dialect::Nginx],
    summary: "an include names a file that does not exist or cannot be read",
    page: include_str!("../../rules/GW002-include-not-found.md"),
    check: None,
};
