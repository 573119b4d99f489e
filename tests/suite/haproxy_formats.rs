//! Every output format on HAProxy findings (a two-file configuration directory, a finding
//! inside an `.if` block, findings with related places), as snapshots.

use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

const FIXTURE: &str = "tests/fixtures/haproxy/findings";

use crate::common::cli as common_cli;
use crate::snapshots;

fn gwlint(format: &str) -> Command {
    let mut c = common_cli::gwlint();
    c.args(["--format", format, FIXTURE]);
    c
}

#[test]
fn haproxy_concise() {
    snapshots().bind(|| {
        assert_cmd_snapshot!("haproxy_formats__haproxy_concise", gwlint("concise"));
    });
}

#[test]
fn haproxy_pretty() {
    snapshots().bind(|| {
        assert_cmd_snapshot!("haproxy_formats__haproxy_pretty", gwlint("pretty"));
    });
}

#[test]
fn haproxy_json() {
    snapshots().bind(|| {
        assert_cmd_snapshot!("haproxy_formats__haproxy_json", gwlint("json"));
    });
}

#[test]
fn haproxy_sarif() {
    let o = gwlint("sarif").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    snapshots().bind(|| {
        insta::assert_json_snapshot!(
            "haproxy_formats__haproxy_sarif",
            crate::common::sarif::without_catalogue(&o.stdout)
        );
    });
}

#[test]
fn haproxy_github() {
    snapshots().bind(|| {
        assert_cmd_snapshot!("haproxy_formats__haproxy_github", gwlint("github"));
    });
}

/// A finding on a line inside a conditional block names the block; one outside does not; nginx
/// messages never do.
#[test]
fn findings_in_conditional_blocks_name_the_condition() {
    let o = gwlint("concise").output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("[GW")).collect();
    assert_eq!(lines.len(), 4, "{out}");
    for l in &lines {
        assert_eq!(
            l.ends_with("(under `.if defined(CANARY)`)"),
            l.contains("[GW122]"),
            "{l}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp { server { location / { proxy_pass http://missing; } } }\n",
    )
    .unwrap();
    let o = gwlint::lint(&[conf], &gwlint::Options::default());
    assert_eq!(o.findings.len(), 1);
    assert!(!o.findings[0].message.contains("(under"));
}

/// `gwlint parse` on HAProxy: sections hold their statements, with line numbers, and a
/// statement inside a conditional block carries its condition.
#[test]
fn parse_keeps_sections_lines_and_conditions() {
    let o = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["parse", &format!("{FIXTURE}/20-edge.cfg")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sections = v["files"][0]["directives"].as_array().unwrap();
    let names: Vec<(&str, &str)> = sections
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["args"][0]["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("frontend", "www"),
            ("backend", "web"),
            ("backend", "api"),
            ("backend", "canary")
        ]
    );
    let lines = sections[0]["block"].as_array().unwrap();
    let conditional: Vec<(u64, &str)> = lines
        .iter()
        .filter_map(|d| Some((d["line"].as_u64()?, d["condition"].as_str()?)))
        .collect();
    assert_eq!(conditional, [(6, ".if defined(CANARY)")]);
}
