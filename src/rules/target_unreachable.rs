//! `--online`: a target address where nothing accepts a TCP connection.

use super::support_online::{connect_failure, dead, places};
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::probe::tcp::Connect;

declare_rule! {
    code: "GW802",
    name: "target-unreachable",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "(--online) a *_pass target or server where the TCP connection is refused, unreachable or times out",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let places = places(ctx);
    for place in &places {
        let failed: Vec<_> = place
            .observed
            .addrs
            .iter()
            .filter(|a| !a.connect.is_open())
            .collect();
        let Some(first) = failed.first() else {
            continue;
        };
        let observed: Vec<String> = failed
            .iter()
            .map(|a| match &a.connect {
                Connect::Refused => format!("connection refused at {}", a.addr),
                Connect::TimedOut => {
                    format!("no answer from {} within the connect timeout", a.addr)
                }
                Connect::Unreachable(e) | Connect::Failed(e) => {
                    format!("{} unreachable ({e})", a.addr)
                }
                Connect::Open => String::new(),
            })
            .collect();
        let all = failed.len() == place.observed.addrs.len();
        // A pool survives a dead server while another one answers: a warning.
        let others_alive = place.server.is_some_and(|(pool, _)| {
            places
                .iter()
                .filter(|p| p.server.is_some_and(|(q, _)| std::ptr::eq(q, pool)))
                .any(|p| !dead(p.observed) && !p.observed.addrs.is_empty())
        });
        let (severity, scope) = match (all, others_alive) {
            (true, false) => (
                Severity::Error,
                "every request sent there fails".to_string(),
            ),
            (true, true) => (
                Severity::Warning,
                format!(
                    "the requests balanced to it fail{} until it is marked failed",
                    match ctx.proxy.dialect {
                        Dialect::Nginx => " or wait for the next server",
                        Dialect::Haproxy => " or are redispatched",
                    }
                ),
            ),
            (false, _) => (
                Severity::Warning,
                format!(
                    "{} of its {} addresses answer; the requests sent to the others fail",
                    place.observed.addrs.len() - failed.len(),
                    place.observed.addrs.len()
                ),
            ),
        };
        let consequence = connect_failure(ctx.proxy.dialect, &first.connect);
        out.push(
            Finding::new(
                &RULE,
                place.span,
                format!("{}: {scope}; {consequence}", observed.join(", ")),
            )
            .severity(severity)
            .label(match first.connect {
                Connect::Refused => "connection refused",
                Connect::TimedOut => "connect timed out",
                _ => "unreachable",
            })
            .help("start the backend or fix the address and port; a firewall that drops the SYN shows as a timeout"),
        );
    }
}
