//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW020",
    name: "unknown-directive",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "a directive (HAProxy: a keyword, option, timeout, `bind` or `server` keyword) that no module of the build has: the proxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Unknown, &RULE, out);
}
