use super::{Context, Rule};
use crate::finding::Finding;
use crate::source::{FileId, Span};

declare_rule! {
    code: "GW000",
    name: "internal-error",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "gwlint failed while checking this file",
}

pub(crate) fn finding(ctx: &Context, rule: &Rule, payload: Box<dyn std::any::Any + Send>) -> Finding {
    let what = crate::panics::panic_message(&*payload);
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

/// gwlint crashed while reading one file or configuration (`stage`: "parsing", "checking").
pub(crate) fn failed(file: FileId, stage: &str, what: &str) -> Finding {
    Finding::new(
        &RULE,
        Span::new(file, 0, 0),
        format!("gwlint failed while {stage} this file: {what}; it was not checked"),
    )
    .help("this is a bug in gwlint: please report it with the configuration that triggers it")
}
