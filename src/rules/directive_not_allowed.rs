//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW021",
    name: "directive-not-allowed-here",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    refuses: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "a directive in a context that does not accept it (`proxy_pass` in `http`, `listen` in `location`): the proxy refuses to start",
    page: include_str!("../../rules/GW021-directive-not-allowed-here.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::NotAllowed, &RULE, out);
}
