//! `limit_req` without `burst`: a second request inside one interval of the rate gets 503.

use super::Context;
use crate::finding::{Dialect, Finding};

declare_rule! {
    code: "GW308",
    name: "limit-req-without-burst",
    severity: Warning,
    family: HealthChecks,
    dialects: [Nginx],
    refuses: [],
    summary: "`limit_req` without `burst`: a second request within one interval of the rate gets 503 (or limit_req_status)",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
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
                d.args()
                    .iter()
                    .find_map(|a| a.value.strip_prefix(k).map(str::to_string))
            };
            if let (Some(zone), Some(rate)) = (word("zone="), word("rate=")) {
                let name = zone.split(':').next().unwrap_or("").to_string();
                rates.insert(name, rate);
            }
        }
    }
    for (id, scope) in ctx.proxy.scopes.iter().enumerate() {
        for d in scope.directives.iter().filter(|d| d.name() == "limit_req") {
            if d.args().iter().any(|a| a.value.starts_with("burst=")) {
                continue;
            }
            // In dry-run mode nothing is rejected.
            if ctx.proxy.setting(id, "limit_req_dry_run").first() == Some("on") {
                continue;
            }
            let status = ctx
                .proxy
                .setting(id, "limit_req_status")
                .first()
                .unwrap_or("503")
                .to_string();
            let Some(zone) = d.args().iter().find_map(|a| a.value.strip_prefix("zone=")) else {
                continue;
            };
            let rate = match rates.get(zone) {
                Some(r) => format!(" (`rate={r}`)"),
                None => String::new(),
            };
            out.push(
                Finding::new(
                    &RULE,
                    d.span(),
                    format!(
                        "`limit_req zone={zone}` has no `burst`: a request that comes less than one interval of the zone's rate{rate} after the previous one from the same key is rejected at once, with {status} (`limiting requests, excess: … by zone \"{zone}\"` in the error log); two requests sent together, as a browser loading a page's assets or a client retrying sends them, get {status} for the second; if that strictness is meant (a login form), say so with a suppression"
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
