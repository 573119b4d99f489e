//! Hostile HAProxy inputs through the command line: each ends, in bounded time, with a clear
//! GW001 finding and exit code 1, never a panic.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs gwlint on one file and returns (exit code, stdout, stderr); fails if it takes more
/// than 30 s.
fn run(path: &std::path::Path) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["--format", "concise"])
        .arg(path)
        .env("NO_COLOR", "1")
        .env_remove("GWLINT_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("gwlint took more than 30 s on {}", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (
        status.code().expect("killed by a signal"),
        reader.join().unwrap(),
        err,
    )
}

const HEAD: &str = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check\n";

#[test]
fn hostile_haproxy_inputs_end_with_a_clear_finding() {
    let nested = format!(
        "{HEAD}{}{}",
        ".if defined(X)\n".repeat(10_000),
        ".endif\n".repeat(10_000)
    );
    let long_line = format!(
        "{HEAD}    http-request set-header X-Long{}\n",
        " w".repeat(5_000)
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unmatched-quote",
            format!("{HEAD}    http-request set-header X-A \"unterminated\n"),
            "unmatched quote",
        ),
        (
            "no-final-lf",
            format!("{HEAD}    timeout queue 5s"),
            "Missing LF on last line",
        ),
        ("nested-ifs", nested, "too many nested '.if', max is 100"),
        (
            "long-line",
            long_line,
            "too many words, truncating after word 64",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expect) in cases {
        let path = dir.path().join(format!("{name}.cfg"));
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = run(&path);
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        let hits: Vec<&str> = out.lines().filter(|l| l.contains(expect)).collect();
        assert!(
            !hits.is_empty() && hits.iter().all(|l| l.contains("error[GW001]")),
            "{name}: expected a GW001 finding with {expect:?}, got:\n{out}"
        );
    }
}
