//! `--online`: a host name in a static target that DNS does not resolve.

use std::collections::HashMap;

use super::support_online::{places, resolver};
use super::{Context, Rule};
use crate::finding::{Dialect, Finding, Severity};
use crate::probe::dns::Answer;
use crate::source::Span;

declare_rule! {
    code: "GW801",
    name: "name-not-resolved",
    severity: Error,
    family: NameResolution,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "(--online) a host name in a *_pass, upstream or HAProxy server that DNS does not resolve: NXDOMAIN, no address, SERVFAIL or no answer",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for place in places(ctx) {
        let Some(lookup) = &place.observed.dns else {
            continue;
        };
        let Some(failure) = lookup.failure() else {
            continue;
        };
        let name = &lookup.name;
        let from = resolver(ctx);
        let what = match failure {
            Answer::NxDomain => {
                format!("NXDOMAIN for `{name}` from {from}: the name does not exist")
            }
            Answer::NoData => format!("`{name}` exists but has no A or AAAA record (asked {from})"),
            Answer::ServFail => {
                format!("SERVFAIL for `{name}` from {from}: the DNS server could not resolve it")
            }
            Answer::Refused => format!("{from} refused to resolve `{name}`"),
            Answer::TimedOut => {
                format!("no answer for `{name}` from {from} within the DNS timeout")
            }
            Answer::Failed(e) => format!("`{name}` did not resolve from {from}: {e}"),
            Answer::Addrs(_) => continue,
        };
        let mut severity = Severity::Error;
        let consequence = match (ctx.proxy.dialect, place.server) {
            (Dialect::Nginx, Some((_, s))) if s.flag("resolve") => {
                severity = Severity::Warning;
                "nginx keeps asking at run time, and the server takes no traffic until the name resolves".to_string()
            }
            (Dialect::Nginx, _) => format!(
                "nginx resolves the name when it loads the configuration and refuses to start: `[emerg] host not found in upstream \"{name}\"`"
            ),
            (Dialect::Haproxy, Some((_, s)))
                if s.param("init-addr")
                    .and_then(|p| p.1)
                    .is_some_and(|v| v.split(',').any(|m| m == "none")) =>
            {
                severity = Severity::Warning;
                "with `init-addr none` HAProxy starts with the server in maintenance: it takes no traffic, and a backend with no other server answers 503 `<NOSRV>` (`SC--`)".to_string()
            }
            (Dialect::Haproxy, _) => format!(
                "HAProxy refuses to start: `could not resolve address '{name}'` then `Failed to initialize server(s) addr.`"
            ),
        };
        out.push(
            Finding::new(&RULE, place.span, format!("{what}: {consequence}"))
                .severity(severity)
                .label(match failure {
                    Answer::NxDomain => "NXDOMAIN".to_string(),
                    other => other.describe(),
                })
                .help("fix the name (a typo?) or publish it in DNS; a name only some hosts resolve belongs in /etc/hosts of the proxy's host or an IP address"),
        );
    }
}

/// Static rules whose finding at a target already says why its name cannot resolve: a
/// mistyped upstream name (GW101), a port on an upstream's name (GW102).
static EXPLAINED_BY: &[&Rule] = &[
    &super::undefined_upstream::RULE,
    &super::upstream_with_port::RULE,
];

/// One failure, one finding: where GW801 and one of [`EXPLAINED_BY`] report the same span,
/// only the static finding stays (it names the fix), unless GW801 is more severe — the probe
/// proved the failure the static rule could only suspect — and then only GW801 stays.
pub(crate) fn drop_explained(findings: &mut Vec<Finding>) {
    let explains = |f: &Finding| EXPLAINED_BY.iter().any(|r| r.code == f.rule.code);
    // By span: the most severe GW801 and the most severe explaining finding.
    let mut at: HashMap<Span, (Option<Severity>, Option<Severity>)> = HashMap::new();
    for f in findings.iter() {
        let (dns, explained) = at.entry(f.span).or_default();
        if f.rule.code == RULE.code {
            *dns = (*dns).max(Some(f.severity));
        } else if explains(f) {
            *explained = (*explained).max(Some(f.severity));
        }
    }
    findings.retain(|f| match at.get(&f.span) {
        Some(&(Some(dns), Some(explained))) if f.rule.code == RULE.code => dns > explained,
        Some(&(Some(dns), Some(explained))) if explains(f) => dns <= explained,
        _ => true,
    });
}
