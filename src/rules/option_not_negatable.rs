//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW026",
    name: "option-not-negatable",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Haproxy],
    refuses: [Haproxy],
    summary: "`no option X` for an option HAProxy cannot negate: HAProxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::NotNegatable, &RULE, out);
}
