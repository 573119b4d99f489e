//! JUnit and SARIF output validated against the schemas their readers use: the Jenkins xUnit
//! plugin's `junit-10.xsd` (with `xmllint`) and SARIF 2.1.0's JSON schema (with Python's
//! `jsonschema`). The schemas are in `tests/schemas/` (sources in its README).
//!
//! Runs with `cargo test --features schemas --test schemas`; needs `xmllint` (Debian's
//! `libxml2-utils`) and `python3 -m pip install jsonschema`. Fails, not skips, without them.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/cli.rs"]
mod common_cli;
use common_cli::{code, gwlint};

fn schema(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name)
}

/// The inputs each format is validated on: findings in both dialects, a clean configuration,
/// and a run where a path fails (JUnit's error case, SARIF's failed invocation).
fn runs(dir: &Path) -> Vec<(&'static str, Vec<String>)> {
    let clean = dir.join("clean/nginx.conf");
    std::fs::create_dir_all(clean.parent().unwrap()).unwrap();
    std::fs::write(
        &clean,
        "events {}\nhttp {\n    server {\n        listen 8080;\n        return 204;\n    }\n}\n",
    )
    .unwrap();
    let clean = clean.display().to_string();
    vec![
        ("nginx examples", vec!["examples/".into()]),
        (
            "haproxy findings",
            vec!["tests/fixtures/haproxy/findings".into()],
        ),
        ("clean", vec![clean.clone()]),
        ("a missing path", vec![clean, "no/such/nginx.conf".into()]),
    ]
}

fn output(format: &str, args: &[String], dir: &Path, name: &str) -> PathBuf {
    let o = gwlint()
        .args(["--format", format])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(code(&o), 0..=2),
        "gwlint {args:?} ended with {:?}",
        o.status
    );
    assert!(
        !o.stdout.is_empty(),
        "gwlint --format {format} {args:?} printed nothing"
    );
    let path = dir.join(name);
    std::fs::write(&path, &o.stdout).unwrap();
    path
}

fn xmllint(xml: &Path) -> std::process::Output {
    Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema("junit-10.xsd"))
        .arg(xml)
        .output()
        .unwrap_or_else(|e| panic!("this test needs xmllint (apt-get install libxml2-utils): {e}"))
}

const VALIDATE_JSON: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("/".join(map(str, e.path)), e.message)
sys.exit(1 if errors else 0)
"#;

fn jsonschema(json: &Path) -> std::process::Output {
    let probe = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .unwrap_or_else(|e| panic!("this test needs python3 with jsonschema: {e}"));
    assert!(
        probe.status.success(),
        "this test needs Python's jsonschema (python3 -m pip install jsonschema): {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    Command::new("python3")
        .args(["-c", VALIDATE_JSON])
        .arg(schema("sarif-schema-2.1.0.json"))
        .arg(json)
        .output()
        .unwrap()
}

#[test]
fn junit_validates_against_the_jenkins_xunit_schema() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (what, args)) in runs(dir.path()).iter().enumerate() {
        let xml = output("junit", args, dir.path(), &format!("{i}.xml"));
        let v = xmllint(&xml);
        assert!(
            v.status.success(),
            "JUnit of {what} does not validate:\n{}\n{}",
            String::from_utf8_lossy(&v.stderr),
            std::fs::read_to_string(&xml).unwrap()
        );
    }
}

#[test]
fn the_junit_check_rejects_what_jenkins_rejects() {
    // A test case with a `file` attribute, as gwlint once wrote: the schema forbids it.
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("bad.xml");
    std::fs::write(
        &xml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="gwlint" tests="1" failures="1" errors="0">
<testcase name="GW101" classname="nginx.conf" file="nginx.conf"><failure message="m">m</failure></testcase>
</testsuite></testsuites>
"#,
    )
    .unwrap();
    assert!(
        !xmllint(&xml).status.success(),
        "xmllint accepted a forbidden attribute"
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (what, args)) in runs(dir.path()).iter().enumerate() {
        let json = output("sarif", args, dir.path(), &format!("{i}.sarif"));
        let v = jsonschema(&json);
        assert!(
            v.status.success(),
            "SARIF of {what} does not validate:\n{}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }
}

#[test]
fn the_sarif_check_rejects_what_the_schema_forbids() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bad.sarif");
    // `level` takes none/note/warning/error only.
    std::fs::write(
        &json,
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gwlint"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}"#,
    )
    .unwrap();
    assert!(
        !jsonschema(&json).status.success(),
        "the SARIF schema accepted level \"fatal\""
    );
}
