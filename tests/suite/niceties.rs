//! What users expect around the lint itself: `gwlint files`, shell completions, the manual
//! page, `--statistics`.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::cli as common_cli;
use common_cli::gwlint;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    gwlint().current_dir(dir).args(args).output().unwrap()
}

fn run(args: &[&str]) -> Output {
    gwlint().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// An nginx main configuration with an included snippet, an HAProxy configuration, and a file
/// that is neither.
fn layout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx/nginx.conf",
        "events {}\nhttp {\n  include conf.d/*.conf;\n}\n",
    );
    write(
        dir.path(),
        "nginx/conf.d/app.conf",
        "upstream app { server 127.0.0.1:8080; }\nserver {\n  listen 80;\n  location / { proxy_pass http://app; }\n}\n",
    );
    write(
        dir.path(),
        "haproxy/haproxy.cfg",
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\nfrontend www\n  bind 127.0.0.1:8081\n  default_backend app\nbackend app\n  server a 127.0.0.1:8080 check\n",
    );
    write(dir.path(), "README.md", "not a configuration\n");
    dir
}

// ---- gwlint files ------------------------------------------------------------------------------

#[test]
fn files_lists_each_file_with_dialect_and_root() {
    let dir = layout();
    let o = run_in(dir.path(), &["files", "."]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows: Vec<Vec<String>> = stdout(&o)
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect();
    // The main configuration, then what it includes, then HAProxy's.
    let expect: Vec<Vec<&str>> = vec![
        vec!["./nginx/nginx.conf", "nginx"],
        vec![
            "./nginx/conf.d/app.conf",
            "nginx",
            "included",
            "by",
            "./nginx/nginx.conf",
        ],
        vec!["./haproxy/haproxy.cfg", "haproxy"],
    ];
    assert_eq!(rows, expect, "{}", stdout(&o));
}

#[test]
fn files_of_an_included_file_names_its_parent() {
    let dir = layout();
    let o = run_in(
        dir.path(),
        &["files", "--format", "json", "nginx/conf.d/app.conf"],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{
            "file": "nginx/conf.d/app.conf",
            "dialect": "nginx",
            "root": "nginx/nginx.conf",
            "runtime": null,
            "mapped_by": null,
        }])
    );
}

#[test]
fn files_json_matches_the_lint_file_count() {
    let dir = layout();
    let v: serde_json::Value =
        serde_json::from_slice(&run_in(dir.path(), &["files", "--format", "json"]).stdout).unwrap();
    let listed = v.as_array().unwrap().len();
    let lint = stdout(&run_in(dir.path(), &["--format", "concise"]));
    assert!(
        lint.contains(&format!(" in {listed} files.")),
        "{listed} listed; lint says {lint}"
    );
}

#[test]
fn files_forced_dialect_and_missing_path() {
    let dir = layout();
    for (forced, detected) in [(None, "haproxy"), (Some("nginx"), "nginx")] {
        let mut args = vec!["files", "--format", "json", "haproxy/haproxy.cfg"];
        if let Some(d) = forced {
            args.extend(["--dialect", d]);
        }
        let v: serde_json::Value = serde_json::from_slice(&run_in(dir.path(), &args).stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(v[0]["dialect"], detected, "{args:?}");
    }
    let o = run_in(dir.path(), &["files", "missing.conf", "nginx/nginx.conf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.conf"));
    // What could be read is still listed.
    assert!(stdout(&o).contains("nginx/nginx.conf"));
}

// ---- completions and the manual page -----------------------------------------------------------

#[test]
fn completions_for_each_shell_know_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let s = stdout(&o);
        for word in [
            "files",
            "manpage",
            "completions",
            "rules",
            "statistics",
            "fail-on",
        ] {
            assert!(s.contains(word), "{shell} completion lacks {word}");
        }
        // Format names, where the shell completes values.
        if shell != "powershell" {
            assert!(
                s.contains("checkstyle"),
                "{shell} completion lacks checkstyle"
            );
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn bash_completion_is_valid_bash() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("gwlint.bash");
    std::fs::write(&script, run(&["completions", "bash"]).stdout).unwrap();
    let o = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // And it registers itself for the command.
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("complete -F _gwlint"), "{text}");
}

#[test]
fn manpage_is_roff_with_the_commands_and_options() {
    let o = run(&["manpage"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(s.contains(".TH gwlint 1"), "{s}");
    for word in [
        ".SH NAME",
        ".SH SYNOPSIS",
        "\\-\\-format",
        "\\-\\-statistics",
        "files",
        "completions",
        "manpage",
        "Exit codes",
    ] {
        assert!(s.contains(word), "man page lacks {word}");
    }
}

// ---- --statistics ------------------------------------------------------------------------------

/// One line per rule that fired, its count equal to that rule's findings.
#[test]
fn statistics_count_per_rule() {
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "json", "examples/"]).stdout).unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for f in json.as_array().unwrap() {
        *expected
            .entry(f["code"].as_str().unwrap().to_string())
            .or_insert(0usize) += 1;
    }
    assert!(
        expected.values().any(|&n| n > 1),
        "a rule fires twice in examples/"
    );

    // Human formats: after the findings, on standard output.
    let out = stdout(&run(&[
        "--format",
        "concise",
        "--statistics",
        "-q",
        "examples/",
    ]));
    let stats: std::collections::BTreeMap<String, usize> = out
        .lines()
        .filter(|l| !l.contains(": "))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(w.len(), 3, "count, code, name: {l}");
            let rule = gwlint::rules::find(w[1]).expect("a rule code");
            assert_eq!(rule.name, w[2]);
            (w[1].to_string(), w[0].parse().unwrap())
        })
        .collect();
    assert_eq!(stats, expected, "{out}");

    // Machine formats keep standard output parseable: the statistics go to standard error.
    let o = run(&["--format", "json", "--statistics", "examples/"]);
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("stdout stays JSON");
    let err = String::from_utf8_lossy(&o.stderr);
    for (code, n) in &expected {
        assert!(
            err.lines().any(|l| l
                .split_whitespace()
                .take(2)
                .eq([n.to_string().as_str(), code])),
            "{code} x{n} in {err}"
        );
    }
}
