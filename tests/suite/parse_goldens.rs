//! `gwlint parse --format crossplane` against crossplane 0.5.8's own payloads for the same
//! fixtures (tests/fixtures/parse/*.crossplane.json, made by regen-goldens.sh).

use std::path::Path;
use std::process::Command;

/// Fixtures where gwlint deliberately differs from crossplane, and why. For these the test
/// checks that the payloads still differ (so this list stays true) and list the same files.
const DIFFERENT: &[(&str, &str)] = &[
    (
        "brace_in_bare_word",
        "nginx keeps `a}b` as one word; crossplane splits it and fails",
    ),
    (
        "lua_unbalanced_brace",
        "a `{` inside a Lua long bracket does not count; crossplane counts it and fails",
    ),
    (
        "errors/quote_followed_by_word",
        "nginx refuses `\"quoted\"tail`; crossplane accepts it",
    ),
    (
        "errors/missing_semicolon_eof",
        "crossplane reports an empty error with line null",
    ),
    (
        "errors/unterminated_block",
        "gwlint reports the line of the unclosed `{`, crossplane the last token's",
    ),
    (
        "errors/unterminated_string",
        "gwlint reports the unterminated quote, crossplane a missing `}`",
    ),
];

fn run(fixture: &str, single: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gwlint"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["parse", "--format", "crossplane"]);
    if single {
        cmd.arg("--single-file");
    }
    let out = cmd
        .arg(format!("tests/fixtures/parse/{fixture}.conf"))
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{fixture}: {out:?}"
    );
    String::from_utf8(out.stdout).unwrap()
}

fn files(payload: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap();
    v["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn crossplane_payloads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse");
    let mut goldens: Vec<_> = walk(&root)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".crossplane.json"))
        .collect();
    goldens.sort();
    assert!(goldens.len() >= 20, "fixtures are missing: {goldens:?}");
    for g in goldens {
        let rel = g
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (fixture, single) = match rel.strip_suffix(".single.crossplane.json") {
            Some(f) => (f.to_string(), true),
            None => (
                rel.strip_suffix(".crossplane.json").unwrap().to_string(),
                false,
            ),
        };
        let expected = std::fs::read_to_string(&g).unwrap();
        let got = run(&fixture, single);
        match DIFFERENT.iter().find(|(f, _)| *f == fixture) {
            None => assert_eq!(
                got, expected,
                "{fixture}: gwlint's payload differs from crossplane's"
            ),
            Some((_, why)) => {
                assert_ne!(
                    got, expected,
                    "{fixture} now matches crossplane: drop it from DIFFERENT ({why})"
                );
                assert_eq!(files(&got), files(&expected), "{fixture}");
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
