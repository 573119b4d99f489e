//! Refused while reading the configuration: see `model::refusals`.

use super::Context;
use crate::finding::Finding;
use crate::model::refusals::Kind;

declare_rule! {
    code: "GW027",
    name: "program-without-master-worker",
    severity: Warning,
    family: SyntaxAndFiles,
    dialects: [Haproxy],
    refuses: [],
    summary: "a `program` section without `master-worker` in `global`: HAProxy refuses to start unless its command line sets the mode",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::ProgramWithoutMasterWorker, &RULE, out);
}
