//! The rule registry: one list, one file per rule, one page per rule in `rules/`.

use crate::finding::Finding;
use crate::load::include::Tree;
use crate::model::Proxy;
use crate::source::SourceMap;

pub use crate::finding::{Family, HOME, Rule};

/// A rule's header, declared once: its page is `rules/<code>-<name>.md`, made of the two.
macro_rules! declare_rule {
    (
        code: $code:literal,
        name: $name:literal,
        severity: $severity:ident,
        family: $family:ident,
        dialects: [$($dialect:ident),*],
        refuses: [$($refuses:ident),*],
        summary: $summary:expr,
    ) => {
        pub(crate) static RULE: $crate::finding::Rule = $crate::finding::Rule {
            code: $code,
            name: $name,
            severity: $crate::finding::Severity::$severity,
            family: $crate::finding::Family::$family,
            dialects: &[$($crate::finding::Dialect::$dialect),*],
            refuses: &[$($crate::finding::Dialect::$refuses),*],
            summary: $summary,
            page: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"), "/rules/", $code, "-", $name, ".md"
            )),
        };
    };
}

/// How a rule of the registry runs.
#[derive(Clone, Copy)]
pub(crate) enum Run {
    /// On one proxy's model (`check`).
    Model(Check),
    /// On the linked proxies of a run (`check_chain`).
    Chain(crate::chain::Check),
    /// Raised by the stage that finds the problem (loading, parsing, filtering).
    Raised,
}

/// One line of the registry.
pub(crate) struct Entry {
    pub(crate) rule: &'static Rule,
    pub(crate) run: Run,
}

macro_rules! run {
    (model $module:ident) => {
        Run::Model($module::check)
    };
    (chain $module:ident) => {
        Run::Chain($module::check)
    };
    (raised $module:ident) => {
        Run::Raised
    };
}

macro_rules! registry {
    ($($kind:ident $module:ident,)*) => {
        $(pub mod $module;)*
        /// Every rule, in the registry's order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE,)*];
        /// Every rule with how it runs, in the registry's order.
        pub(crate) static REGISTRY: &[Entry] = &[$(Entry { rule: &$module::RULE, run: run!($kind $module) },)*];
    };
}

pub(crate) mod repair;
pub mod support_online;

// The registry, the one list of rules: each line names a rule's module and how it runs
// (`model`: `check` on one proxy's model; `chain`: `check` on the linked proxies of a run;
// `raised`: found while loading, parsing or filtering, by the stage that owns the problem).
// It declares the module, `RULES` (grouped by family; `gwlint rules` lists them by code) and
// `REGISTRY`. Codes and names are stable forever.
registry! {
    raised internal_error,
    raised syntax_error,
    raised include_not_found,
    raised include_cycle,
    raised not_text,
    raised include_not_followed,
    raised limit_reached,
    // what the proxy refuses, from the directive tables (GW020-GW028)
    model unknown_directive,
    model directive_not_allowed,
    model invalid_arguments,
    model invalid_value,
    model duplicate_directive,
    model not_in_version,
    model option_not_negatable,
    model program_without_master_worker,
    model tls_listener_without_certificate,
    // suppressions (GW011-GW013), raised by the filter stage
    raised suppression_without_reason,
    raised unused_suppression,
    raised invalid_suppression,
    model undefined_upstream,
    model upstream_with_port,
    model duplicate_upstream,
    model empty_upstream,
    model mode_mismatch,
    model missing_timeouts,
    model websocket_without_tunnel_timeout,
    model timeout_connect_too_long,
    // dead targets and health checks (GW1xx, GW3xx)
    model all_servers_down,
    model backup_only_upstream,
    model backup_with_hash,
    model pass_scheme_mismatch,
    model proxy_pass_to_fastcgi_port,
    model fastcgi_pass_to_http_port,
    model connect_to_any_address,
    model server_address_invalid,
    model pass_uri_not_allowed,
    model upgrade_from_connection_map,
    model websocket_over_http10,
    model settings_before_named_location,
    model unix_socket_in_tmp,
    model passive_checks_disabled,
    model next_upstream_off,
    model max_conns_without_queue,
    model limit_req_without_burst,
    // timeouts, buffers, connection reuse, name resolution (GW2xx, GW5xx, GW6xx)
    model websocket_read_timeout,
    model connect_timeout_too_long,
    model read_timeout_below_response_time,
    model busy_buffers_too_large,
    model header_buffer_too_small,
    model keepalive_unused,
    model keepalive_race,
    model variable_pass_without_resolver,
    model hostname_resolved_at_start,
    model localhost_ipv6,
    model upstream_resolve_unusable,
    model resolver_variable,
    // TLS (GW4xx)
    model http_to_tls_port,
    model https_to_plain_port,
    model tls_without_sni,
    model verify_without_ca,
    model verify_against_upstream_name,
    model outdated_tls_protocols,
    // HAProxy rules
    model undefined_acl,
    model duplicate_server,
    model dynamic_backend_without_default,
    model frontend_without_default,
    model default_backend_replaced,
    model no_retries,
    model backend_without_checks,
    model httpchk_without_check,
    model httpchk_method_as_uri,
    model http_check_without_httpchk,
    model http_check_expects_error,
    model mysql_check_without_user,
    model apiserver_tcp_check,
    model http_reuse_without_retry,
    model small_bufsize,
    model server_resolved_once,
    // nginx catalogue
    // gateway chains
    chain chain_timeout_order,
    chain chain_keepalive_race,
    chain chain_protocol_mismatch,
    chain chain_proxy_protocol_mismatch,
    chain chain_health_check_status,
    // online (GW8xx)
    model name_not_resolved,
    model target_unreachable,
    model unix_socket_unusable,
    model tls_file_unusable,
    model client_certificate_expiry,
    model forwarded_host_without_sni,
}

/// What a rule checks with.
pub struct Context<'a> {
    pub sources: &'a SourceMap,
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
    pub(crate) fn nginx_at_least(&self, v: Version) -> bool {
        self.nginx_version.is_some_and(|have| have >= v)
    }
}

pub(crate) type Check = fn(&Context, &mut Vec<Finding>);

/// A rule by code or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// Runs every model rule on one proxy, on all cores; findings come out in `RULES` order
/// whatever finishes first. A rule that panics becomes an internal-error finding instead of
/// taking the run (or the other rules) down.
pub fn check(ctx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    // Built here once rather than by whichever rule asks first while the others wait.
    ctx.proxy.index_settings();
    let root = &ctx.sources.get(ctx.proxy.root).text;
    let rules: Vec<(&Rule, Check)> = REGISTRY
        .iter()
        .filter(|e| e.rule.dialects.contains(&ctx.proxy.dialect))
        .filter_map(|e| match e.run {
            Run::Model(check) => Some((e.rule, check)),
            _ => None,
        })
        .collect();
    let found: Vec<Vec<Finding>> = rules
        .par_iter()
        .map(|&(rule, check)| {
            let mut found = Vec::new();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                // The crash tests make one rule fail: GWLINT_INJECT_PANIC=<its code>.
                crate::panics::inject_panic(rule.code, root);
                check(ctx, &mut found)
            }));
            match r {
                Ok(()) => found,
                Err(p) => vec![internal_error::finding(ctx, rule, p)],
            }
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// The findings of what went wrong while following a tree's includes (GW002-GW006).
pub(crate) fn tree_findings(tree: &Tree) -> Vec<Finding> {
    use crate::load::include::TreeProblem;
    tree.problems
        .iter()
        .map(|p| match p {
            TreeProblem::Unloadable { arg, shown, error } => {
                include_not_found::unloadable(*arg, shown, error)
            }
            TreeProblem::NotFollowed {
                arg,
                written,
                runtime,
                why,
            } => include_not_followed::finding(*arg, written, runtime, why),
            TreeProblem::Cycle { include, chain } => include_cycle::finding(*include, chain),
            TreeProblem::Bound { include, why, more } => {
                limit_reached::include(*include, why, *more)
            }
        })
        .collect()
}

/// Runs the chain rules on the linked proxies of a run. A rule that panics becomes an
/// internal-error finding.
pub(crate) fn check_chain(chain: &crate::chain::Chain) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (rule, check) in REGISTRY.iter().filter_map(|e| match e.run {
        Run::Chain(check) => Some((e.rule, check)),
        _ => None,
    }) {
        let mut found = Vec::new();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(chain, &mut found)));
        match r {
            Ok(()) => findings.extend(found),
            Err(_) => {
                let root = chain.layers.first().map(|l| l.proxy.root);
                if let Some(root) = root {
                    findings.push(Finding::new(
                        &internal_error::RULE,
                        crate::source::Span::new(root, 0, 0),
                        format!(
                            "gwlint failed while checking {} {} on this chain; please report it",
                            rule.code, rule.name
                        ),
                    ));
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

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
