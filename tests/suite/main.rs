//! The integration suite: every test that `cargo test` runs outside `src/`, one binary, so a
//! change to the library links one test executable, not thirty. Each module was a file of its
//! own in `tests/` and keeps its name: `cargo test --test suite online::` runs what
//! `cargo test --test online` ran. The slow tiers that need a real proxy, browser or editor
//! (`proof`, `differential`, `chain_proof`, `precommit`, `schemas`, `browser`, `editor`) stay
//! separate binaries behind their features; `.ci/run` runs them.

#[path = "../common/mod.rs"]
mod common;
/// The configuration generator the benchmarks use (`nginx_lex`, `parsers_prop`).
#[path = "../../bench/generate.rs"]
mod generate;

mod backend_facts;
mod chain;
mod ci_formats;
mod cli;
mod config;
mod deployments;
mod discovery;
mod fix;
mod fuzz_props;
mod haproxy_discovery;
mod haproxy_formats;
mod haproxy_hostile;
mod haproxy_rules;
mod hostile;
mod html_report;
mod integrations;
mod isolation;
mod layers;
mod new_rule;
mod nginx_lex;
mod nginx_refusals;
mod niceties;
mod online;
mod parse_goldens;
mod parsers_prop;
mod production;
mod readme;
mod realistic;
mod rule_pages;
mod rules_precision;
mod server;
mod suppress;
mod tls_rules;

/// insta's settings under which a snapshot keeps the file it had when each module was a test
/// binary of its own: `tests/snapshots/<module>__<name>.snap`. insta alone would name it after
/// the module path and look next to the source (`tests/suite/snapshots/suite__cli__...`), so a
/// test binds these and names its snapshot with the module first:
/// `snapshots().bind(|| assert_snapshot!("chain__graph_text", text))`.
fn snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}
