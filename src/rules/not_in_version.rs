//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW025",
    name: "not-in-version",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "a directive or keyword the configured release does not have: added later, or removed (HAProxy names the replacement)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Version, &RULE, out);
}
