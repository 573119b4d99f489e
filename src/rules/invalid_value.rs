//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW023",
    name: "invalid-value",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "a value the directive does not accept: a flag that is not `on`/`off`, a word outside its list",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::Value, &RULE, out);
}
