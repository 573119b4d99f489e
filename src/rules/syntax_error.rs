//! Raised while loading and parsing.

use super::{Family, Rule};
use crate::finding::{Dialect, Severity};

pub static RULE: Rule = Rule {
    code: "GW001",
    name: "syntax-error",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "nginx (or HAProxy) cannot parse the configuration",
    page: include_str!("../../rules/GW001-syntax-error.md"),
    check: None,
};
