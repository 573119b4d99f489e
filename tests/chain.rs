//! Gateway chains: HAProxy in front of nginx (and nginx in front of nginx) linked and checked
//! as one path, on the fixtures in `tests/fixtures/chain/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chain")
        .join(name)
}

/// `file:line code` for every finding of a run, paths relative to the fixture.
fn findings(dir: &Path) -> Vec<String> {
    let outcome = gwlint::lint(&[dir.to_path_buf()], &gwlint::Options::default());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| {
            let file = outcome.loader.sources.get(f.span.file);
            let name = Path::new(&file.name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            format!(
                "{name}:{} {}",
                file.line(f.span.start as usize),
                f.rule.code
            )
        })
        .collect()
}

fn gwlint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn a_correct_chain_is_clean() {
    assert_eq!(findings(&fixture("good")), Vec::<String>::new());
}

#[test]
fn graph_draws_the_chain_from_the_client_through_both_proxies() {
    let out = gwlint(&["graph", "tests/fixtures/chain/good"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("graph_text", text);
    // The hop from HAProxy's server to nginx's listener is the link.
    let server = text.find("server web1 127.0.0.1:18081").unwrap();
    let listen = text
        .find("→ nginx server www.example.test: listen 127.0.0.1:18081")
        .unwrap();
    assert!(server < listen, "{text}");
}

#[test]
fn graph_as_json_and_dot() {
    let out = gwlint(&["graph", "--format", "json", "tests/fixtures/chain/good"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    let links: Vec<&serde_json::Value> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["link"] == true)
        .collect();
    assert_eq!(links.len(), 1, "{v:#}");
    let from = &nodes[links[0]["from"].as_u64().unwrap() as usize];
    let to = &nodes[links[0]["to"].as_u64().unwrap() as usize];
    assert_eq!(from["label"], "server web1 127.0.0.1:18081 check inter 2s");
    assert_eq!(
        (from["kind"].as_str(), to["kind"].as_str()),
        (Some("server"), Some("listener"))
    );
    assert_eq!(to["label"], "listen 127.0.0.1:18081");
    assert_eq!(v["proxies"].as_array().unwrap().len(), 2);

    let out = gwlint(&["graph", "--format", "dot", "tests/fixtures/chain/good"]);
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph gwlint {"), "{dot}");
    assert!(dot.contains("[style=bold, color=blue]"), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn graph_of_a_missing_path_exits_2() {
    let out = gwlint(&["graph", "tests/fixtures/chain/nope"]);
    assert_eq!(out.status.code(), Some(2));
}
