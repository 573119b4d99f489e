//! Inputs meant to break gwlint: each run ends within seconds with a clear finding or error
//! (exit 1 or 2), never a crash, and the other files are still reported.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn gwlint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwlint"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GWLINT_FORMAT")
        .env_remove("GWLINT_INJECT_PANIC")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Runs gwlint with a time limit; a run that takes longer is killed and fails the test.
fn run_within(mut c: Command, limit: Duration) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gwlint ran longer than {limit:?}: {c:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn lint(paths: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = gwlint();
    c.args(["--format", "concise"]).args(paths);
    for (k, v) in env {
        c.env(k, v);
    }
    run_within(c, Duration::from_secs(20))
}

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("gwlint was killed by a signal")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A configuration with one known finding (GW101 on line 2), to show it is still reported.
const WITNESS: &[u8] = b"events {}\nhttp { upstream api { server 127.0.0.1:1; } server { location / { proxy_pass http://apl; } } }\n";

fn witness(dir: &Path) -> String {
    write(dir, "witness/nginx.conf", WITNESS)
}

fn assert_witness(o: &Output, case: &str) {
    assert!(
        out(o).contains("witness/nginx.conf:2:") && out(o).contains("GW101"),
        "{case} hid the other file: {}\n{}",
        out(o),
        err(o)
    );
}

// ---- crashes inside gwlint ------------------------------------------------------------------

#[test]
fn a_crash_while_parsing_one_file_is_gw000_for_it_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad/nginx.conf",
        b"# gwlint-inject-panic\nevents {}\n",
    );
    let w = witness(dir.path());
    let o = lint(&[&bad, &w], &[("GWLINT_INJECT_PANIC", "parse")]);
    assert_eq!(code(&o), 2, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("bad/nginx.conf:1:1: error[GW000] gwlint failed while parsing this file"),
        "{}",
        out(&o)
    );
    assert!(err(&o).contains("internal error (GW000)"), "{}", err(&o));
    assert_witness(&o, "a parser crash");
    // Without the injected fault the same run is an ordinary one.
    let o = lint(&[&bad, &w], &[]);
    assert_eq!(code(&o), 1);
    assert!(!out(&o).contains("GW000"));
}

#[test]
fn a_crash_while_lowering_one_configuration_is_gw000_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad/haproxy.cfg",
        b"# gwlint-inject-panic\nglobal\n  maxconn 10\n",
    );
    let w = witness(dir.path());
    let o = lint(&[&bad, &w], &[("GWLINT_INJECT_PANIC", "lower")]);
    assert_eq!(code(&o), 2, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("bad/haproxy.cfg:1:1: error[GW000] gwlint failed while checking"),
        "{}",
        out(&o)
    );
    assert_witness(&o, "a lowering crash");
}

// ---- parallel runs ---------------------------------------------------------------------------

#[test]
fn many_files_in_parallel_report_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        write(
            dir.path(),
            &format!("site{i:02}/nginx.conf"),
            format!("events {{}}\nhttp {{ server {{ location / {{ proxy_pass http://missing{i}; }} }} }}\n")
                .as_bytes(),
        );
    }
    let d = dir.path().to_str().unwrap();
    let first = lint(&[d], &[]);
    assert_eq!(code(&first), 1);
    let lines: Vec<&str> = std::str::from_utf8(&first.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.iter().filter(|l| l.contains("GW101")).count(), 60);
    // Sorted by file: site00 … site59.
    let sites: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains("GW101"))
        .map(|l| l.split("/nginx.conf").next().unwrap())
        .collect();
    let mut sorted = sites.clone();
    sorted.sort();
    assert_eq!(sites, sorted);
    for _ in 0..4 {
        assert_eq!(lint(&[d], &[]).stdout, first.stdout);
    }
}
