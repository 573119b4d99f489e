//! `limit_req` without `burst`: a second request inside one interval of the rate gets 503.

use super::{Context, Family, Rule};
use crate::finding::{Dialect, Finding, Severity};

pub static RULE: Rule = Rule {
    code: "GW308",
    name: "limit-req-without-burst",
    severity: Severity::Warning,
    family: Family::HealthChecks,
    dialects: &[Dialect::Nginx],
    refuses: &[],
    summary: "`limit_req` without `burst`: a second request within one interval of the rate gets 503",
    page: include_str!("../../rules/GW308-limit-req-without-burst.md"),
    check: Some(check),
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect != Dialect::Nginx {
        return;
    }
    // The zones' rates, for the message.
    let mut rates = std::collections::HashMap::new();
    for scope in &ctx.proxy.scopes {
        for d in scope
            .directives
            .iter()
            .filter(|d| d.name() == "limit_req_zone")
        {
            let word = |k: &str| {
                d.args
                    .iter()
                    .find_map(|a| a.value.strip_prefix(k).map(str::to_string))
            };
            if let (Some(zone), Some(rate)) = (word("zone="), word("rate=")) {
                let name = zone.split(':').next().unwrap_or("").to_string();
                rates.insert(name, rate);
            }
        }
    }
    for scope in &ctx.proxy.scopes {
        for d in scope.directives.iter().filter(|d| d.name() == "limit_req") {
            if d.args.iter().any(|a| a.value.starts_with("burst=")) {
                continue;
            }
            let Some(zone) = d.args.iter().find_map(|a| a.value.strip_prefix("zone=")) else {
                continue;
            };
            let rate = match rates.get(zone) {
                Some(r) => format!(" (`rate={r}`)"),
                None => String::new(),
            };
            out.push(
                Finding::new(
                    &RULE,
                    d.span,
                    format!(
                        "`limit_req zone={zone}` has no `burst`: a request that comes less than one interval of the zone's rate{rate} after the previous one from the same key is rejected at once, with 503 (`limiting requests, excess: … by zone \"{zone}\"` in the error log); a browser loading a page's assets in parallel, or a client retrying, gets 503s at any rate"
                    ),
                )
                .label("no burst: no request may come early")
                .help(format!(
                    "allow a burst above the rate: `limit_req zone={zone} burst=20 nodelay;` (nodelay serves the burst at once instead of spacing it out)"
                )),
            );
        }
    }
}
