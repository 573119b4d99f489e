//! The command line as a user meets it: formats (snapshots), exit codes, hostile inputs.

use std::path::Path;

use insta_cmd::assert_cmd_snapshot;

use crate::common::cli as common_cli;
use crate::snapshots;
use common_cli::{code, err, gwlint, out, run};

// ---- formats -------------------------------------------------------------------------------

#[test]
fn format_concise() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "cli__format_concise",
            gwlint().args(["--format", "concise", "examples/"])
        );
    });
}

#[test]
fn format_pretty() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "cli__format_pretty",
            gwlint().args(["--format", "pretty", "examples/"])
        );
    });
}

#[test]
fn format_json() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "cli__format_json",
            gwlint().args(["--format", "json", "examples/"])
        );
    });
}

#[test]
fn format_sarif() {
    let o = run(&["--format", "sarif", "examples/"]);
    assert_eq!(code(&o), 1);
    snapshots().bind(|| {
        insta::assert_json_snapshot!(
            "cli__format_sarif",
            crate::common::sarif::without_catalogue(&o.stdout)
        );
    });
}

#[test]
fn format_github() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "cli__format_github",
            gwlint().args(["--format", "github", "examples/"])
        );
    });
}

#[test]
fn format_from_environment() {
    let o = gwlint()
        .env("GWLINT_FORMAT", "json")
        .arg("examples/")
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("GWLINT_FORMAT=json gives JSON");
    assert!(!v.as_array().unwrap().is_empty());
}

#[test]
fn json_fields_and_order() {
    let o = run(&["--format", "json", "examples/"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(items.len() >= 4);
    let keys = [
        "code",
        "name",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "dialect",
    ];
    for item in items {
        for k in keys {
            assert!(item.get(k).is_some(), "missing {k} in {item}");
        }
        assert!(["error", "warning", "info"].contains(&item["severity"].as_str().unwrap()));
        assert!(item["line"].as_u64().unwrap() >= 1 && item["column"].as_u64().unwrap() >= 1);
    }
    let order: Vec<(String, u64, u64, String)> = items
        .iter()
        .map(|i| {
            (
                i["file"].as_str().unwrap().into(),
                i["line"].as_u64().unwrap(),
                i["column"].as_u64().unwrap(),
                i["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        order, sorted,
        "json output is sorted by file, line, column, code"
    );
}

#[test]
fn sarif_is_what_code_scanning_takes() {
    let o = run(&["--format", "sarif", "examples/"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["id"].is_string() && r["help"]["text"].is_string())
    );
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let mut prints = std::collections::HashSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            !loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            prints.insert(
                r["partialFingerprints"]["gwlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            )
        );
    }
    // Stable between runs.
    assert_eq!(
        o.stdout,
        self::run(&["--format", "sarif", "examples/"]).stdout
    );
}

#[test]
fn github_annotations_escape_and_drop_columns_on_multiline_spans() {
    let dir = tempfile::tempdir().unwrap();
    // An unclosed block: the error spans from `{` to the end of the file.
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n  server {\n",
    )
    .unwrap();
    let o = run(&[
        "--format",
        "github",
        dir.path().join("nginx.conf").to_str().unwrap(),
    ]);
    let out = out(&o);
    assert!(out.starts_with("::error file="), "{out}");
    assert!(out.contains("title=GW001 syntax-error::"), "{out}");
    assert!(!out.contains('\r'));
    assert_eq!(out.lines().count(), 1, "one line per annotation: {out}");
}

// ---- exit codes ----------------------------------------------------------------------------

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

const CLEAN: &str = "events {}\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n";

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let clean = write(dir.path(), "clean/nginx.conf", CLEAN.as_bytes());
    let warn = write(
        dir.path(),
        "warn/nginx.conf",
        b"events {}\nhttp { server { listen 80; location / { proxy_pass http://app; } } }\n",
    );
    assert_eq!(code(&run(&[&clean])), 0);
    assert!(out(&run(&[&clean])).contains("No problems found"));
    assert_eq!(code(&run(&["examples/"])), 1);
    assert_eq!(code(&run(&["--exit-zero", "examples/"])), 0);
    // A warning fails by default and with --fail-on warning, not with --fail-on error.
    assert_eq!(code(&run(&[&warn])), 1);
    assert_eq!(code(&run(&["--fail-on", "warning", &warn])), 1);
    assert_eq!(code(&run(&["--fail-on", "error", &warn])), 0);
    // Info findings are hints: they fail a run only when asked to.
    let info = write(
        dir.path(),
        "info/nginx.conf",
        b"events {}\nhttp { include /srv/shared/extra.conf; }\n",
    );
    let o = run(&["--format", "concise", &info]);
    assert!(out(&o).contains("info[GW005]"), "{}", out(&o));
    assert_eq!(code(&o), 0);
    assert_eq!(code(&run(&["--fail-on", "info", &info])), 1);
    // Usage errors.
    assert_eq!(code(&run(&["--format", "xml", "examples/"])), 2);
    assert_eq!(code(&run(&["--select", "GW9999", "examples/"])), 2);
    assert_eq!(code(&run(&["rule", "no-such-rule"])), 2);
    // I/O errors: a missing path is exit 2, and the other files are still reported.
    let o = run(&["--format", "concise", "does/not/exist.conf", &warn]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("does/not/exist.conf: no such file or directory"));
    assert!(out(&o).contains("GW101"), "{}", out(&o));
}

#[test]
fn select_and_ignore() {
    let only = out(&run(&[
        "--format",
        "concise",
        "--select",
        "GW103",
        "examples/",
    ]));
    assert!(
        only.lines()
            .filter(|l| l.contains("[GW"))
            .all(|l| l.contains("[GW103]")),
        "{only}"
    );
    assert!(only.contains("[GW103]"));
    let by_name = out(&run(&[
        "--format",
        "concise",
        "--ignore",
        "duplicate-upstream,GW10",
        "examples/",
    ]));
    assert!(!by_name.contains("[GW1"), "{by_name}");
    let prefix = out(&run(&[
        "--format",
        "concise",
        "--select",
        "GW1",
        "--ignore",
        "GW101",
        "examples/",
    ]));
    assert!(
        prefix.contains("[GW102]") && !prefix.contains("[GW101]"),
        "{prefix}"
    );
}

#[test]
fn quiet_and_statistics() {
    let q = out(&run(&["--format", "concise", "-q", "examples/"]));
    assert!(!q.contains("Found"));
    let s = out(&run(&["--format", "concise", "--statistics", "examples/"]));
    assert!(
        s.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["1", "GW103", "duplicate-upstream"]),
        "{s}"
    );
}

#[test]
fn stdin_with_a_filename() {
    use std::io::Write;
    let mut child = gwlint()
        .args(["--format", "concise", "--stdin-filename", "site.conf", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"events {}\nhttp { upstream api { server 127.0.0.1:1; } server { location / { proxy_pass http://apl; } } }\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 1);
    assert!(out(&o).starts_with("site.conf:2:"), "{}", out(&o));
}

#[test]
fn rule_and_rules() {
    let o = run(&["rule", "GW101"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).starts_with("# GW101 undefined-upstream"));
    assert_eq!(out(&run(&["rule", "undefined-upstream"])), out(&o));
    let list: serde_json::Value =
        serde_json::from_slice(&run(&["rules", "--format", "json"]).stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), gwlint::rules::RULES.len());
    assert!(out(&run(&["rules"])).contains("GW104 "));
}

#[test]
fn parse_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.conf", CLEAN.as_bytes());
    let bad = write(dir.path(), "bad.conf", b"http {\n");
    assert_eq!(code(&run(&["parse", &ok])), 0);
    assert_eq!(code(&run(&["parse", &bad])), 1);
    assert_eq!(code(&run(&["parse", "no/such/file.conf"])), 2);
    let tree: serde_json::Value = serde_json::from_slice(&run(&["parse", &ok]).stdout).unwrap();
    assert_eq!(tree["files"][0]["directives"][1]["name"], "http");
}

// ---- hostile inputs ------------------------------------------------------------------------

/// Each hostile file ends with a clear finding or error, and a good file linted in the same
/// run is still reported.
#[test]
fn hostile_inputs_do_not_hide_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let witness = write(
        d,
        "witness/nginx.conf",
        b"events {}\nhttp { upstream api { server 127.0.0.1:1; } server { location / { proxy_pass http://apl; } } }\n",
    );
    let mut deep = "http {".repeat(100_000).into_bytes();
    deep.push(b'\n');
    let mut long = b"events {}\nhttp { return 200 \"".to_vec();
    long.extend(std::iter::repeat_n(b'a', 20 * 1024 * 1024));
    long.extend(b"\"; }\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "binary/nginx.conf",
            vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff, 0],
            "GW004",
        ),
        (
            "latin1/nginx.conf",
            b"# caf\xe9\nevents {}\nhttp { server { listen 80; } }\n".to_vec(),
            "",
        ),
        ("deep/nginx.conf", deep, "nested deeper than"),
        (
            "unterminated/nginx.conf",
            b"events {}\nhttp {\n server {\n".to_vec(),
            "expecting \"}\"",
        ),
        ("long/nginx.conf", long, ""),
        (
            "cycle/nginx.conf",
            b"events {}\nhttp { include conf.d/*.conf; }\n".to_vec(),
            "",
        ),
        (
            "cycle/conf.d/a.conf",
            b"include conf.d/*.conf;\n".to_vec(),
            "include cycle",
        ),
    ];
    for (name, text, expect) in &cases {
        let path = write(d, name, text);
        if name.ends_with("a.conf") {
            continue;
        }
        let o = gwlint()
            .args(["--format", "concise", &path, &witness])
            .output()
            .unwrap();
        let out = out(&o);
        assert!(matches!(code(&o), 0..=2), "{name}: {o:?}");
        assert!(
            out.contains("witness/nginx.conf:2:"),
            "{name} hid the other file: {out}"
        );
        if !expect.is_empty() {
            let cycle_case = *name == "cycle/nginx.conf";
            assert!(
                out.contains(expect) || (cycle_case && out.contains("GW003")),
                "{name}: {out}"
            );
        }
        assert!(!err(&o).contains("panicked"), "{name}: {}", err(&o));
    }
    // A directory with no configuration is a usage error with a clear message.
    std::fs::create_dir_all(d.join("empty")).unwrap();
    let o = run(&[d.join("empty").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("no nginx or HAProxy configuration found"));
}

#[test]
fn invalid_utf8_is_linted_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "nginx.conf",
        b"# r\xe9sum\xe9\nevents {}\nhttp { upstream a { } server { location / { proxy_pass http://a; } } }\n",
    );
    let o = run(&["--format", "concise", &p]);
    assert!(
        out(&o).contains(":3:") && out(&o).contains("GW104"),
        "{}",
        out(&o)
    );
}
