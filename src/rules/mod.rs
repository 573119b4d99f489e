//! The rule registry: one list, one file per rule, one page per rule in `rules/`.

use std::collections::HashMap;

use crate::finding::{Dialect, Finding, Severity};
use crate::model::Proxy;
use crate::source::{FileId, SourceMap};
use crate::syntax::include::Tree;
use crate::syntax::nginx;

pub mod duplicate_upstream;
pub mod empty_upstream;
pub mod include_cycle;
pub mod include_not_followed;
pub mod include_not_found;
pub mod internal_error;
pub mod limit_reached;
pub mod missing_timeouts;
pub mod mode_mismatch;
pub mod not_text;
pub mod syntax_error;
pub mod undefined_upstream;
pub mod upstream_with_port;
// what the proxy refuses, from the directive tables (GW020-GW028)
pub mod directive_not_allowed;
pub mod duplicate_directive;
pub mod invalid_arguments;
pub mod invalid_value;
pub mod not_in_version;
pub mod option_not_negatable;
pub mod program_without_master_worker;
pub mod tls_listener_without_certificate;
pub mod unknown_directive;
// suppressions (GW011-GW013), raised by the filter stage
pub mod invalid_suppression;
pub mod suppression_without_reason;
pub mod unix_socket_in_tmp;
pub mod unused_suppression;
pub mod upgrade_from_connection_map;
pub mod websocket_over_http10;
// dead targets and health checks (GW1xx, GW3xx)
pub mod all_servers_down;
pub mod backup_only_upstream;
pub mod backup_with_hash;
pub mod connect_to_any_address;
pub mod fastcgi_pass_to_http_port;
pub mod max_conns_without_queue;
pub mod next_upstream_off;
pub mod pass_scheme_mismatch;
pub mod pass_uri_not_allowed;
pub mod passive_checks_disabled;
pub mod proxy_pass_to_fastcgi_port;
pub mod repair;
pub mod server_address_invalid;
pub mod support_dead;
// timeouts, buffers, connection reuse, name resolution (GW2xx, GW5xx, GW6xx)
pub mod busy_buffers_too_large;
pub mod connect_timeout_too_long;
pub mod header_buffer_too_small;
pub mod hostname_resolved_at_start;
pub mod keepalive_race;
pub mod keepalive_unused;
pub mod limit_req_without_burst;
pub mod localhost_ipv6;
pub mod read_timeout_below_response_time;
pub mod resolver_variable;
pub mod settings_before_named_location;
pub mod support_tune;
pub mod upstream_resolve_unusable;
pub mod variable_pass_without_resolver;
pub mod websocket_read_timeout;
pub mod websocket_without_tunnel_timeout;
// TLS (GW4xx)
pub mod http_to_tls_port;
pub mod https_to_plain_port;
pub mod outdated_tls_protocols;
pub mod support_tls;
pub mod tls_without_sni;
pub mod verify_against_upstream_name;
pub mod verify_without_ca;
// HAProxy rules
pub mod apiserver_tcp_check;
pub mod backend_without_checks;
pub mod default_backend_replaced;
pub mod duplicate_server;
pub mod dynamic_backend_without_default;
pub mod frontend_without_default;
pub mod http_check_expects_error;
pub mod http_check_without_httpchk;
pub mod http_reuse_without_retry;
pub mod httpchk_method_as_uri;
pub mod httpchk_without_check;
pub mod mysql_check_without_user;
pub mod no_retries;
pub mod server_resolved_once;
pub mod small_bufsize;
pub mod support_haproxy;
pub mod timeout_connect_too_long;
pub mod undefined_acl;
// nginx catalogue
// gateway chains
pub mod chain_health_check_status;
pub mod chain_keepalive_race;
pub mod chain_protocol_mismatch;
pub mod chain_proxy_protocol_mismatch;
pub mod chain_timeout_order;
// online (GW8xx)
pub mod client_certificate_expiry;
pub mod name_not_resolved;
pub mod support_online;
pub mod target_unreachable;
pub mod tls_file_unusable;
pub mod unix_socket_unusable;

/// Every rule, grouped by family (`gwlint rules` lists them by code). Codes and names are
/// stable forever.
pub static RULES: &[&Rule] = &[
    &internal_error::RULE,
    &syntax_error::RULE,
    &include_not_found::RULE,
    &include_cycle::RULE,
    &not_text::RULE,
    &include_not_followed::RULE,
    &limit_reached::RULE,
    // what the proxy refuses, from the directive tables (GW020-GW028)
    &unknown_directive::RULE,
    &directive_not_allowed::RULE,
    &invalid_arguments::RULE,
    &invalid_value::RULE,
    &duplicate_directive::RULE,
    &not_in_version::RULE,
    &option_not_negatable::RULE,
    &program_without_master_worker::RULE,
    &tls_listener_without_certificate::RULE,
    // suppressions (GW011-GW013), raised by the filter stage
    &suppression_without_reason::RULE,
    &unused_suppression::RULE,
    &invalid_suppression::RULE,
    &undefined_upstream::RULE,
    &upstream_with_port::RULE,
    &duplicate_upstream::RULE,
    &empty_upstream::RULE,
    &mode_mismatch::RULE,
    &missing_timeouts::RULE,
    &websocket_without_tunnel_timeout::RULE,
    &timeout_connect_too_long::RULE,
    // dead targets and health checks (GW1xx, GW3xx)
    &all_servers_down::RULE,
    &backup_only_upstream::RULE,
    &backup_with_hash::RULE,
    &pass_scheme_mismatch::RULE,
    &proxy_pass_to_fastcgi_port::RULE,
    &fastcgi_pass_to_http_port::RULE,
    &connect_to_any_address::RULE,
    &server_address_invalid::RULE,
    &pass_uri_not_allowed::RULE,
    &upgrade_from_connection_map::RULE,
    &websocket_over_http10::RULE,
    &settings_before_named_location::RULE,
    &unix_socket_in_tmp::RULE,
    &passive_checks_disabled::RULE,
    &next_upstream_off::RULE,
    &max_conns_without_queue::RULE,
    &limit_req_without_burst::RULE,
    // timeouts, buffers, connection reuse, name resolution (GW2xx, GW5xx, GW6xx)
    &websocket_read_timeout::RULE,
    &connect_timeout_too_long::RULE,
    &read_timeout_below_response_time::RULE,
    &busy_buffers_too_large::RULE,
    &header_buffer_too_small::RULE,
    &keepalive_unused::RULE,
    &keepalive_race::RULE,
    &variable_pass_without_resolver::RULE,
    &hostname_resolved_at_start::RULE,
    &localhost_ipv6::RULE,
    &upstream_resolve_unusable::RULE,
    &resolver_variable::RULE,
    // TLS (GW4xx)
    &http_to_tls_port::RULE,
    &https_to_plain_port::RULE,
    &tls_without_sni::RULE,
    &verify_without_ca::RULE,
    &verify_against_upstream_name::RULE,
    &outdated_tls_protocols::RULE,
    // HAProxy rules
    &undefined_acl::RULE,
    &duplicate_server::RULE,
    &dynamic_backend_without_default::RULE,
    &frontend_without_default::RULE,
    &default_backend_replaced::RULE,
    &no_retries::RULE,
    &backend_without_checks::RULE,
    &httpchk_without_check::RULE,
    &httpchk_method_as_uri::RULE,
    &http_check_without_httpchk::RULE,
    &http_check_expects_error::RULE,
    &mysql_check_without_user::RULE,
    &apiserver_tcp_check::RULE,
    &http_reuse_without_retry::RULE,
    &small_bufsize::RULE,
    &server_resolved_once::RULE,
    // nginx catalogue
    // gateway chains
    &chain_timeout_order::RULE,
    &chain_keepalive_race::RULE,
    &chain_protocol_mismatch::RULE,
    &chain_proxy_protocol_mismatch::RULE,
    &chain_health_check_status::RULE,
    // online (GW8xx)
    &name_not_resolved::RULE,
    &target_unreachable::RULE,
    &unix_socket_unusable::RULE,
    &tls_file_unusable::RULE,
    &client_certificate_expiry::RULE,
];

/// Failure families; the hundreds digit of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    SyntaxAndFiles,
    DeadTargets,
    Timeouts,
    HealthChecks,
    Tls,
    ReuseAndBuffers,
    NameResolution,
    Chains,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::SyntaxAndFiles => "syntax and files",
            Family::DeadTargets => "dead targets",
            Family::Timeouts => "timeouts",
            Family::HealthChecks => "health checks",
            Family::Tls => "TLS",
            Family::ReuseAndBuffers => "connection reuse and buffers",
            Family::NameResolution => "name resolution",
            Family::Chains => "gateway chains",
        }
    }
}

/// What a rule checks with.
pub struct Context<'a> {
    pub sources: &'a SourceMap,
    pub tree: &'a Tree,
    pub files: &'a HashMap<FileId, nginx::File>,
    pub proxy: &'a Proxy<'a>,
    /// The nginx version the configuration runs on (`--nginx-version`, else `[nginx] version`
    /// in gwlint.toml); None: unknown, and a rule must assume the behaviour that breaks.
    pub nginx_version: Option<Version>,
    /// The HAProxy version the configuration runs on (`--haproxy-version`, else `[haproxy]
    /// version` in gwlint.toml); None: unknown, and a rule that depends on it says from which
    /// release its claim holds (GW403, the refusals of GW025).
    pub haproxy_version: Option<Version>,
    /// What the user declared about the backends (`gwlint.toml` `[[backend]]`).
    pub facts: &'a crate::facts::Facts,
    /// What `--online` observed at the targets; None without `--online`.
    pub observed: Option<&'a crate::probe::Observations>,
    /// The variables the configuration assigns (`support_tune::variable_values`); empty
    /// until a rule asks.
    pub variables: support_tune::Assignments,
    /// What the proxy refuses in this configuration (`model::refusals`).
    pub refusals: &'a [crate::model::refusals::Refusal],
}

/// The refusals of one kind, as findings of `rule`.
fn refused(
    ctx: &Context,
    kind: crate::model::refusals::Kind,
    rule: &'static Rule,
    out: &mut Vec<Finding>,
) {
    for r in ctx.refusals.iter().filter(|r| r.kind == kind) {
        let mut f = Finding::new(rule, r.span, r.message.clone()).dialect(ctx.proxy.dialect);
        f.help = r.help.clone();
        f.related = r.related.clone();
        if let Some(s) = r.severity {
            f.severity = s;
        }
        if let Some(at) = r.run_on.as_deref().and_then(|w| semicolon_at(ctx, w)) {
            f = f.fix(crate::finding::Fix::semicolon(crate::source::Span::new(
                r.span.file,
                at,
                at,
            )));
        }
        out.push(f);
    }
}

/// Where a statement that runs into the next one ends: after the last word of its first
/// line, when those words are a whole statement by the directive table and the next line
/// starts with a directive nginx knows (`listen 80` ⏎ `location / {`).
fn semicolon_at(ctx: &Context, words: &[crate::source::Span]) -> Option<usize> {
    let text = &ctx.sources.get(words.first()?.file).text;
    let next = words
        .windows(2)
        .position(|w| text[w[0].end as usize..w[1].start as usize].contains('\n'))?;
    let word = |i: usize| &text[words[i].start as usize..words[i].end as usize];
    let table = crate::tables::nginx::table();
    // The first line is a whole statement by the table, and the next begins one.
    let whole = table
        .rows(word(0))
        .iter()
        .any(|r| !r.is_block() && r.takes(next));
    if !whole || table.rows(word(next + 1)).is_empty() {
        return None;
    }
    Some(words[next].end as usize)
}

pub use crate::version::Version;

impl Context<'_> {
    /// Is the nginx version known to be at least `v`? Unknown counts as older.
    pub fn nginx_at_least(&self, v: Version) -> bool {
        self.nginx_version.is_some_and(|have| have >= v)
    }
}

pub type Check = fn(&Context, &mut Vec<Finding>);

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub family: Family,
    pub dialects: &'static [Dialect],
    /// The dialects in which a finding of this rule means the proxy refuses to start (or to
    /// reload): `nginx -t` / `haproxy -c` fail.
    pub refuses: &'static [Dialect],
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The rule's page (`rules/<code>-<name>.md`).
    pub page: &'static str,
    /// None for rules raised while loading and parsing, and for the chain rules, which
    /// check several proxies at once (`chain::CHECKS`).
    pub check: Option<Check>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// Where the project lives (Cargo.toml's `repository`): rule pages are linked from here.
pub const HOME: &str = env!("CARGO_PKG_REPOSITORY");

impl Rule {
    /// The rule's page on the web, as SARIF's `helpUri` and an editor's link show it.
    pub fn url(&self) -> String {
        format!("{HOME}/blob/main/rules/{}-{}.md", self.code, self.name)
    }

    /// Does `selector` (a code, a name, a code prefix such as `GW1`, or `ALL`) pick this rule?
    pub fn matches(&self, selector: &str) -> bool {
        selector.eq_ignore_ascii_case("ALL")
            || selector == self.name
            || self.code.starts_with(&selector.to_ascii_uppercase())
    }
}

/// A rule by code or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// The rules that take longest on a big configuration (a 50 MB generated nginx one), slowest
/// first: they start first, so that none of them is left to run alone at the end.
const SLOWEST_FIRST: &[&str] = &[
    "GW501", "GW503", "GW201", "GW202", "GW107", "GW404", "GW108", "GW502", "GW602",
];

/// Runs every model rule on one proxy, on all cores; findings come out in `RULES` order
/// whatever finishes first. A rule that panics becomes an internal-error finding instead of
/// taking the run (or the other rules) down.
pub fn check(ctx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Built here once rather than by whichever rule asks first while the others wait.
    ctx.proxy.index_settings();
    let root = &ctx.sources.get(ctx.proxy.root).text;
    let rules: Vec<(&Rule, Check)> = RULES
        .iter()
        .filter(|rule| rule.dialects.contains(&ctx.proxy.dialect))
        .filter_map(|rule| Some((*rule, rule.check?)))
        .collect();
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by_key(|&i| {
        let slow = SLOWEST_FIRST.iter().position(|c| *c == rules[i].0.code);
        slow.unwrap_or(SLOWEST_FIRST.len())
    });
    let done: Vec<OnceLock<Vec<Finding>>> = rules.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    // Each core takes the next rule in `order` when it is free: the slow ones spread over the
    // cores first, the quick ones fill in behind them.
    (0..rayon::current_num_threads())
        .into_par_iter()
        .for_each(|_| {
            while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                let (rule, check) = rules[i];
                let mut found = Vec::new();
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    // The crash tests make one rule fail: GWLINT_INJECT_PANIC=<its code>.
                    crate::inject_panic(rule.code, root);
                    check(ctx, &mut found)
                }));
                let found = match r {
                    Ok(()) => found,
                    Err(p) => vec![internal_error::finding(ctx, rule, p)],
                };
                let _ = done[i].set(found);
            }
        });
    done.into_iter()
        .flat_map(|f| f.into_inner().unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slowest_rules_are_model_rules() {
        for code in SLOWEST_FIRST {
            let rule = find(code).unwrap_or_else(|| panic!("{code} is no rule"));
            assert!(rule.check.is_some(), "{code} is not run by `check`");
        }
    }

    /// Codes and names are stable forever, so never shared: a second rule under a taken code
    /// would split one code's findings, pages and suppressions between two meanings.
    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for r in RULES {
            assert!(codes.insert(r.code), "{} is taken twice", r.code);
            assert!(names.insert(r.name), "{} is taken twice", r.name);
        }
    }
}
