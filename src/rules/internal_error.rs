use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "GW000",
    name: "internal-error",
    severity: Severity::Error,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Nginx, Dialect::Haproxy],
    summary: "gwlint failed while checking this file",
    page: include_str!("../../rules/GW000-internal-error.md"),
    check: None,
};

pub fn finding(ctx: &Context, rule: &Rule, payload: Box<dyn std::any::Any + Send>) -> Finding {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Finding::new(
        &RULE,
        Span::new(ctx.proxy.root, 0, 0),
        format!(
            "rule {} ({}) failed on this configuration: {what}",
            rule.code, rule.name
        ),
    )
    .help("this is a bug in gwlint: please report it with the configuration that triggers it")
}
