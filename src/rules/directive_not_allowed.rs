//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW021",
    name: "directive-not-allowed-here",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "a directive in a context that does not accept it (`proxy_pass` in `http`, `listen` in `location`): the proxy refuses to start",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::NotAllowed, &RULE, out);
}
