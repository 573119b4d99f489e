//! Refused while reading the configuration: see `model::refusals`.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::model::refusals::Kind;

pub static RULE: Rule = Rule {
    code: "GW027",
    name: "program-without-master-worker",
    severity: Severity::Warning,
    family: Family::SyntaxAndFiles,
    dialects: &[Dialect::Haproxy],
    refuses: &[],
    summary: "a `program` section without `master-worker` in `global`: HAProxy refuses to start unless its command line sets the mode",
    page: include_str!("../../rules/GW027-program-without-master-worker.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    super::refused(ctx, Kind::ProgramWithoutMasterWorker, &RULE, out);
}
