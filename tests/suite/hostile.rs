//! Inputs meant to break gwlint: each run ends within seconds with a clear finding or error
//! (exit 1 or 2), never a crash, and the other files are still reported.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::cli as common_cli;
use common_cli::{code, err, out};

fn gwlint() -> Command {
    let mut c = common_cli::gwlint();
    c.stdin(Stdio::null());
    c
}

/// Runs gwlint with a time limit; a run that takes longer is killed and fails the test. Its
/// output is read while it runs (a full pipe would stop it).
fn run_within(mut c: Command, limit: Duration) -> Output {
    use std::io::Read;
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gwlint ran longer than {limit:?}: {c:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
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

#[test]
fn a_crash_in_one_rule_is_gw000_and_the_other_rules_still_report() {
    let dir = tempfile::tempdir().unwrap();
    // GW501 (busy buffers) and GW101 (undefined upstream) on the same configuration.
    let bad = write(
        dir.path(),
        "bad/nginx.conf",
        b"# gwlint-inject-panic\nevents {}\nhttp { proxy_busy_buffers_size 64k; server { location / { proxy_pass http://apl; } } }\n",
    );
    let o = lint(&[&bad], &[]);
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("GW501") && out(&o).contains("GW101"),
        "{}",
        out(&o)
    );
    let o = lint(&[&bad], &[("GWLINT_INJECT_PANIC", "GW501")]);
    assert_eq!(code(&o), 2, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("error[GW000] rule GW501 (busy-buffers-too-large) failed"),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains("[GW501]"), "{}", out(&o));
    assert!(out(&o).contains("[GW101]"), "{}", out(&o));
}

/// `gwlint files` and `gwlint graph` list and link; they run no rule: a rule that would
/// crash (GW501, injected) changes nothing there, while a lint run of the same file fails.
#[test]
fn files_and_graph_run_no_rule() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad/nginx.conf",
        b"# gwlint-inject-panic\nevents {}\nhttp { proxy_busy_buffers_size 64k; server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9000; } } }\n",
    );
    for inject in ["GW501", "lower"] {
        let o = lint(&[&bad], &[("GWLINT_INJECT_PANIC", inject)]);
        assert_eq!(code(&o), 2, "lint with {inject}: {}{}", out(&o), err(&o));
    }
    for command in ["files", "graph"] {
        let mut c = gwlint();
        c.arg(command).arg(&bad).env("GWLINT_INJECT_PANIC", "GW501");
        let o = run_within(c, Duration::from_secs(20));
        assert_eq!(code(&o), 0, "gwlint {command}: {}{}", out(&o), err(&o));
        assert!(
            out(&o).contains("bad/nginx.conf"),
            "gwlint {command}: {}",
            out(&o)
        );
        assert!(!out(&o).contains("GW000") && !err(&o).contains("GW000"));
    }
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

// ---- hostile files ---------------------------------------------------------------------------
// Also in tests/suite/cli.rs: 100,000-deep nesting, a 20 MB line, binary with NUL bytes, Latin-1,
// an unterminated block, an include glob that matches the including file.

/// Lints `case` beside the witness; the run must finish, exit 0–2, name the witness's finding
/// and not panic. Returns the output for the case's own assertions.
fn hostile(case: &str, env: &[(&str, &str)], dir: &Path) -> Output {
    let w = witness(dir);
    let o = lint(&[case, &w], env);
    assert!(
        matches!(code(&o), 1 | 2),
        "{case}: exit {:?}\n{}",
        o.status,
        err(&o)
    );
    assert_witness(&o, case);
    assert!(!err(&o).contains("panicked"), "{case}: {}", err(&o));
    o
}

#[test]
fn ten_thousand_nested_ifs() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("global\n");
    text.push_str(&".if defined(X)\n".repeat(10_000));
    text.push_str("  maxconn 1\n");
    text.push_str(&".endif\n".repeat(10_000));
    let p = write(dir.path(), "ifs/haproxy.cfg", text.as_bytes());
    let o = hostile(&p, &[], dir.path());
    assert!(
        out(&o).contains("GW001") && out(&o).contains("nested '.if'"),
        "{}",
        out(&o)
    );
}

#[test]
fn nul_bytes_in_a_text_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "nul/nginx.conf", b"events {}\nhttp {\0}\n");
    let o = hostile(&p, &[], dir.path());
    assert!(
        out(&o).contains("GW004") && out(&o).contains("NUL byte at offset 16"),
        "{}",
        out(&o)
    );
}

#[test]
fn random_binary_named_nginx_conf() {
    let dir = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    // With NUL bytes: not text.
    let p = write(dir.path(), "bin/nginx.conf", &bytes);
    let o = hostile(&p, &[], dir.path());
    assert!(
        out(&o).contains("bin/nginx.conf") && out(&o).contains("GW004"),
        "{}",
        out(&o)
    );
    // Without: read as (broken, mostly not UTF-8) text, and whatever it says is reported.
    for b in &mut bytes {
        if *b == 0 {
            *b = b'x';
        }
    }
    let p = write(dir.path(), "garbage/nginx.conf", &bytes);
    let o = hostile(&p, &[], dir.path());
    assert!(out(&o).contains("garbage/nginx.conf"), "{}", out(&o));
}

#[test]
fn unterminated_string() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "quote/nginx.conf",
        b"events {}\nhttp { server { return 200 \"never closed; } }\n",
    );
    let o = hostile(&p, &[], dir.path());
    assert!(
        out(&o).contains("quote/nginx.conf:2:28: error[GW001]"),
        "{}",
        out(&o)
    );
    assert!(
        out(&o).contains("unexpected end of file, expecting \";\" or \"}\""),
        "{}",
        out(&o)
    );
}

#[test]
fn lua_block_with_braces_in_strings_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "lua/nginx.conf",
        b"events {}\nhttp {\n  server {\n    location /lua {\n      content_by_lua_block {\n        local s = \"}}\" -- a } in a comment\n        local t = [[ { ]] --[==[ } ]==]\n        ngx.say(s, t, '{')\n      }\n    }\n    location /after { proxy_pass http://nowhere; }\n  }\n}\n",
    );
    let o = hostile(&p, &[], dir.path());
    // The Lua body is skipped whole: no syntax error, and the location after it is linted.
    assert!(!out(&o).contains("GW001"), "{}", out(&o));
    assert!(out(&o).contains("lua/nginx.conf:11:"), "{}", out(&o));
    assert!(out(&o).contains("GW101"), "{}", out(&o));
}

#[test]
fn include_cycles_direct_and_through_globs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A file that includes itself.
    let direct = write(
        d,
        "direct/nginx.conf",
        b"events {}\nhttp { include nginx.conf; }\n",
    );
    let o = hostile(&direct, &[], d);
    assert!(
        out(&o).contains("GW003") && out(&o).contains("include cycle"),
        "{}",
        out(&o)
    );
    // Two files that include each other.
    write(d, "pair/a.conf", b"include b.conf;\n");
    write(d, "pair/b.conf", b"include a.conf;\n");
    let pair = write(
        d,
        "pair/nginx.conf",
        b"events {}\nhttp { include a.conf; }\n",
    );
    let o = hostile(&pair, &[], d);
    assert!(out(&o).contains("include cycle"), "{}", out(&o));
    // A glob that matches the file it is in.
    let glob = write(
        d,
        "glob/nginx.conf",
        b"events {}\nhttp { include *.conf; }\n",
    );
    let o = hostile(&glob, &[], d);
    assert!(out(&o).contains("include cycle"), "{}", out(&o));
}

#[cfg(unix)]
#[test]
fn directory_with_a_symlink_loop() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "tree/sites-enabled/app.conf", b"server { listen 80;\n");
    std::os::unix::fs::symlink(d.join("tree"), d.join("tree/sites-enabled/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("tree/self"), d.join("tree/self")).unwrap_or(());
    let tree = d.join("tree");
    let o = hostile(tree.to_str().unwrap(), &[], d);
    assert!(
        out(&o).contains("sites-enabled/app.conf:1:8: error[GW001]"),
        "{}",
        out(&o)
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A file without read permission: exit 2 with the reason. Root reads it anyway; then the
    // cases below (which no one can read) carry the test.
    let locked = write(d, "locked/nginx.conf", b"events {}\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_err() {
        let o = hostile(&locked, &[], d);
        assert_eq!(code(&o), 2);
        assert!(
            err(&o).contains("locked/nginx.conf: permission denied"),
            "{}",
            err(&o)
        );
    } else {
        eprintln!(
            "running as root: a mode-000 file is readable; testing a dangling symlink and a FIFO"
        );
    }
    // A dangling symlink named on the command line: exit 2.
    std::os::unix::fs::symlink(d.join("gone.conf"), d.join("dangling.conf")).unwrap();
    let dangling = d.join("dangling.conf");
    let o = hostile(dangling.to_str().unwrap(), &[], d);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("dangling.conf: no such file or directory"),
        "{}",
        err(&o)
    );
    // An include of a FIFO that no one writes to: a finding, not a hang.
    let fifo = d.join("fifo/pipe.conf");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let main = write(
        d,
        "fifo/nginx.conf",
        b"events {}\nhttp { include pipe.conf; }\n",
    );
    let o = hostile(&main, &[], d);
    assert!(
        out(&o).contains("GW002") && out(&o).contains("not a regular file"),
        "{}",
        out(&o)
    );
}

#[test]
fn files_that_disappear_while_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let churn = dir.path().join("churn");
    std::fs::create_dir_all(&churn).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (churn, stop) = (churn.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut round = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for i in 0..200 {
                    let p = churn.join(format!("site{i:03}.conf"));
                    if (i + round) % 2 == 0 {
                        let _ = std::fs::write(&p, "server { listen 80; }\n".repeat(50));
                    } else {
                        let _ = std::fs::remove_file(&p);
                    }
                }
                round += 1;
            }
        })
    };
    let d = dir.path().to_path_buf();
    let result = std::panic::catch_unwind(|| {
        for _ in 0..5 {
            let w = witness(&d);
            let o = lint(&[churn.to_str().unwrap(), &w], &[]);
            // Files gone between the walk and the read are reported as missing (exit 2).
            assert!(matches!(code(&o), 0..=2), "{:?}\n{}", o.status, err(&o));
            assert_witness(&o, "a churning directory");
            assert!(!err(&o).contains("panicked"), "{}", err(&o));
        }
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn a_hundred_thousand_files_in_a_directory() {
    // In memory where the machine has it: creating 100,000 files on a busy disk takes minutes.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let many = dir.path().join("many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..100_000 {
        std::fs::write(
            many.join(format!("site{i:06}.conf")),
            "server { listen 80; location / { proxy_pass http://127.0.0.1:8080; } }\n",
        )
        .unwrap();
    }
    // One of them is broken, and is found.
    std::fs::write(many.join("site050000.conf"), "server { listen 80;\n").unwrap();
    let mut c = gwlint();
    c.args(["--format", "concise", many.to_str().unwrap()]);
    let start = Instant::now();
    let o = run_within(c, Duration::from_secs(120));
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        out(&o).contains("site050000.conf:1:8: error[GW001]"),
        "{}",
        &out(&o)[..out(&o).len().min(2000)]
    );
    assert!(
        out(&o).contains("in 100000 files"),
        "{}",
        &out(&o)[..out(&o).len().min(2000)]
    );
    eprintln!(
        "100,000 files linted in {:?} (debug build)",
        start.elapsed()
    );
}

// ---- configurations from pull requests: bounded, escaped, never a crash ---------------------

/// Runs gwlint with its address space limited to `mb` MiB and a time limit: a run that needs
/// more memory fails to allocate (and aborts), one that takes longer is killed; both fail the
/// test. The limit is set in the child before it starts.
fn bounded(args: &[&str], mb: u64, secs: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = gwlint();
    c.args(args);
    let bytes = mb << 20;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            match libc::setrlimit(libc::RLIMIT_AS, &lim) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let o = run_within(c, Duration::from_secs(secs));
    assert!(
        o.status.code().is_some(),
        "gwlint {args:?} was killed ({:?}) within {mb} MiB: {}",
        o.status,
        &err(&o)[..err(&o).len().min(2000)]
    );
    assert!(!err(&o).contains("panicked"), "{args:?}: {}", err(&o));
    o
}

fn head(s: &str) -> &str {
    let mut end = s.len().min(3000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Files that each include the next one ten times: 1.5 KB that expand to a billion
/// statements. gwlint follows includes up to its bound and says where it stopped.
#[test]
fn tenfold_includes_stop_at_the_expansion_bound() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "fan/nginx.conf",
        b"events {}\nhttp { include f1.conf; }\n",
    );
    for i in 1..=8 {
        let line = format!("include f{}.conf; ", i + 1).repeat(10);
        write(dir.path(), &format!("fan/f{i}.conf"), line.as_bytes());
    }
    write(
        dir.path(),
        "fan/f9.conf",
        b"server { listen 8080; location / { proxy_pass http://127.0.0.1:9000; } }\n",
    );
    let w = witness(dir.path());
    let o = bounded(&["--format", "concise", &main, &w], 1024, 60);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert_witness(&o, "tenfold includes");
    let text = out(&o);
    let gw006: Vec<&str> = text.lines().filter(|l| l.contains("GW006")).collect();
    assert_eq!(gw006.len(), 1, "{}", head(&text));
    assert!(
        gw006[0].contains("fan/f") && gw006[0].contains("this include is not followed"),
        "{}",
        gw006[0]
    );
}

/// Eleven files that each include `inc/*.conf`, themselves among them: every path through
/// them is a cycle (11! walks before), reported as cycles and never expanded.
#[test]
fn files_that_glob_their_own_directory() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "globs/nginx.conf",
        b"events {}\nhttp { include inc/*.conf; }\n",
    );
    for i in 0..11 {
        write(
            dir.path(),
            &format!("globs/inc/f{i:02}.conf"),
            b"include inc/*.conf;\n",
        );
    }
    let o = bounded(&["--format", "concise", &main], 1024, 60);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        out(&o).contains("error[GW003] include cycle"),
        "{}",
        head(&out(&o))
    );
}

/// A chain of 5001 files, each including the next: gwlint stops at its nesting bound with a
/// finding, never silently, and says nothing about what lies past it.
#[test]
fn an_include_chain_five_thousand_deep() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "deep/nginx.conf",
        b"events {}\nhttp { include d1.conf; }\n",
    );
    for i in 1..=5000 {
        write(
            dir.path(),
            &format!("deep/d{i}.conf"),
            format!("include d{}.conf;\n", i + 1).as_bytes(),
        );
    }
    write(
        dir.path(),
        "deep/d5001.conf",
        b"upstream api { server 127.0.0.1:9000; }\nserver { listen 8080; location / { proxy_pass http://api; } }\n",
    );
    let o = bounded(&["--format", "concise", &main], 1024, 120);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("warning[GW006] blocks and includes nest more than 400 levels deep"),
        "{}",
        head(&text)
    );
    // What the cut part defines is unknown: no finding claims it is absent.
    for code in ["GW101", "GW104", "GW105"] {
        assert!(
            !text.contains(code),
            "{code} past the bound: {}",
            head(&text)
        );
    }
    assert!(!text.contains("No problems found"), "{}", head(&text));
}

/// nginx globs includes with glob(3), where `**` is two stars in one name, never "any
/// directories".
#[test]
fn a_double_star_in_an_include_does_not_cross_directories() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "stars/nginx.conf",
        b"events {}\nhttp {\n  include conf.d/**.conf;\n  server { listen 8080; location /a { proxy_pass http://a; } location /b { proxy_pass http://b; } }\n}\n",
    );
    write(
        dir.path(),
        "stars/conf.d/a.conf",
        b"upstream a { server 127.0.0.1:9001; }\n",
    );
    write(
        dir.path(),
        "stars/conf.d/sub/b.conf",
        b"upstream b { server 127.0.0.1:9002; }\n",
    );
    let o = bounded(&["--format", "concise", &main], 1024, 30);
    let text = out(&o);
    assert!(
        text.contains("GW101") && text.contains("names \"b\""),
        "conf.d/sub/b.conf is not included: {text}"
    );
    assert!(!text.contains("names \"a\""), "{text}");
    assert!(!text.contains("GW103"), "{text}");
}

/// `include /**/*;` and kernel files: nothing outside the tree is read; with --system (the
/// host's own files asked for), /proc and /sys are still not read.
#[test]
fn includes_of_the_whole_filesystem_and_of_kernel_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let all = write(
        dir.path(),
        "all/nginx.conf",
        b"events {}\nhttp { include /**/*; }\n",
    );
    let o = bounded(&["--format", "concise", &all], 512, 30);
    assert!(
        out(&o).contains("info[GW005] `include /**/*`"),
        "{}",
        out(&o)
    );
    for kernel in ["/proc/kmsg", "/proc/self/pagemap", "/sys/kernel/notes"] {
        let text = format!("events {{}}\nhttp {{ include {kernel}; }}\n");
        let p = write(dir.path(), "kernel/nginx.conf", text.as_bytes());
        let o = bounded(&["--system", "--format", "concise", &p], 512, 30);
        assert!(
            out(&o).contains(&format!("included file \"{kernel}\" cannot be read")),
            "{kernel}: {}",
            out(&o)
        );
    }
}

/// Devices, FIFOs and links to them are not read, named or found; a pipe the shell hands
/// over (`gwlint <(…)`) is.
#[test]
fn devices_fifos_and_links_to_them_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dev/.git")).unwrap();
    let site = dir.path().join("dev/sites-enabled");
    std::fs::create_dir_all(&site).unwrap();
    std::os::unix::fs::symlink("/dev/zero", site.join("zero")).unwrap();
    let fifo = dir.path().join("dev/fifo.conf");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    // Reading /dev/zero to the 512 MB cap does not fit in 256 MiB.
    for named in [site.join("zero"), PathBuf::from("/dev/zero"), fifo.clone()] {
        let o = bounded(&["--format", "concise", named.to_str().unwrap()], 256, 30);
        // A committed link out of the tree is a note (Debian's sites-enabled links to the
        // host's files); a device or FIFO named is an error.
        let expected = if named.starts_with(&site) { 0 } else { 2 };
        assert_eq!(code(&o), expected, "{}: {}", named.display(), err(&o));
        assert!(
            err(&o).contains("not read") && !out(&o).contains("No problems"),
            "{}: {}{}",
            named.display(),
            out(&o),
            err(&o)
        );
    }
    let include = write(
        dir.path(),
        "dev/nginx.conf",
        b"events {}\nhttp { include fifo.conf; }\n",
    );
    let o = bounded(&["--format", "concise", &include], 256, 30);
    assert!(out(&o).contains("not a regular file"), "{}", out(&o));
    // A pipe: the shell's process substitution, as /dev/fd/N.
    let o = bounded(&["--format", "concise", "/dev/stdin"], 256, 30);
    assert!(
        !err(&o).contains("not read") && !err(&o).contains("not a regular file"),
        "{}",
        err(&o)
    );
}

/// A newline or an escape byte in a file name or a quoted word never starts a line of its
/// own or reaches the terminal raw, in any human-readable format.
#[test]
fn control_characters_from_the_input_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let name = "ctl/a\n::error::x\u{1b}[2J";
    write(
        dir.path(),
        &format!("{name}/nginx.conf"),
        b"events {}\nhttp { \"proxy_re\n::warning::pwned\x1b[31m\" 1; server { location / { proxy_pass http://nope; } } }\n# \x1b]0;title\x07\n",
    );
    let path = dir.path().join("ctl");
    for format in ["concise", "pretty", "github"] {
        let o = bounded(&["--format", format, path.to_str().unwrap()], 1024, 30);
        let text = out(&o);
        assert!(
            text.contains("GW020") && text.contains("GW101"),
            "{format}: {text}"
        );
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: a raw control byte: {text:?}"
        );
        for line in text.lines() {
            let command = line.starts_with("::");
            let ours = format == "github"
                && (line.starts_with("::warning file=") || line.starts_with("::notice file="));
            assert!(
                !command || ours,
                "{format}: a line of the input's: {line:?}"
            );
        }
    }
}

/// A flood of `{` is a syntax error with memory linear in its size; `parse --format json`
/// on deep input is linear too (pretty output grew with depth times size).
#[test]
fn a_flood_of_braces_and_deep_parse_output() {
    let dir = tempfile::tempdir().unwrap();
    let flood = write(dir.path(), "flood/nginx.conf", &vec![b'{'; 5 << 20]);
    let o = bounded(&["--format", "concise", &flood], 512, 60);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("GW001"), "{}", head(&out(&o)));
    let small = write(dir.path(), "flood10k/nginx.conf", &vec![b'{'; 10_000]);
    let o = bounded(&["parse", "--format", "json", &small], 512, 60);
    assert_eq!(code(&o), 1, "syntax errors: {}", err(&o));
    assert!(
        o.stdout.len() < 1 << 20,
        "{} bytes for 10 KB",
        o.stdout.len()
    );
    let mut deep = "a{".repeat(199);
    deep.push_str(&"b;".repeat(100_000));
    deep.push_str(&"}".repeat(199));
    let deep = write(dir.path(), "deep/nginx.conf", deep.as_bytes());
    let o = bounded(&["parse", "--format", "json", &deep], 1024, 120);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let input = 200_000 + 4 * 199;
    assert!(
        o.stdout.len() < 100 * input,
        "{} bytes of JSON for {input} bytes",
        o.stdout.len()
    );
}

// ---- writing output: a closed pipe, a full disk ---------------------------------------------

/// Waits for `child` (its standard error piped) for at most 20 s, killing it and failing past
/// that; its exit status and standard error.
fn finish(mut child: std::process::Child, what: &str) -> (i32, String) {
    use std::io::Read;
    let mut stderr = child.stderr.take().expect("stderr is piped");
    // Read as it comes: a child blocked on a full stderr pipe would look like a hang.
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gwlint {what} still running after 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let err = reader.join().unwrap();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("gwlint {what} was killed by a signal ({status:?}); {err}"));
    (code, err)
}

/// Every subcommand, with a large enough output that stdout is written for real.
const WRITERS: &[&[&str]] = &[
    &["--format", "sarif", "examples/"],
    &["--format", "concise", "--statistics", "examples/"],
    &["--format", "json", "--statistics", "examples/"],
    &["files", "examples/"],
    &["files", "--format", "json", "examples/"],
    &["graph", "examples/"],
    &["graph", "--format", "dot", "examples/"],
    &["parse", "examples/shop/nginx.conf", "--format", "json"],
    &[
        "parse",
        "examples/shop/nginx.conf",
        "--format",
        "crossplane",
    ],
    &["rules"],
    &["rules", "--format", "json"],
    &["rule", "GW101"],
    &["completions", "bash"],
    &["manpage"],
    &["--help"],
    &["--version"],
];

/// `gwlint … | head -1`: when the reader has gone, gwlint drops the rest of its output
/// quietly (as ripgrep and ruff do) and ends with the status the run has anyway: the lint
/// runs have findings, so 1, which `set -o pipefail` passes on.
fn closed_pipe(args: &[&str]) {
    let what = args.join(" ");
    let mut child = gwlint()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The read end closes before gwlint has started writing: its first write gets EPIPE.
    drop(child.stdout.take());
    let (code, err) = finish(child, &what);
    assert!(!err.contains("panicked"), "gwlint {what}: {err}");
    assert!(
        !err.contains("error") && !err.contains("Broken pipe"),
        "gwlint {what} on a closed pipe says nothing about it: {err}"
    );
    let lints = args.last() == Some(&"examples/") && !matches!(args[0], "files" | "graph");
    assert_eq!(code, i32::from(lints), "gwlint {what} on a closed pipe");
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_every_subcommand_quietly() {
    for args in WRITERS {
        closed_pipe(args);
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_config_quietly() {
    closed_pipe(&["config"]);
    closed_pipe(&["config", "--schema"]);
}

/// A full disk (or any write error but a closed pipe) loses the output: gwlint says so and
/// exits 2, even with --exit-zero.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_in_every_subcommand() {
    let lint: &[&str] = &["--format", "sarif", "--exit-zero", "examples/"];
    for args in std::iter::once(&lint).chain(WRITERS) {
        let what = args.join(" ");
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let child = gwlint()
            .args(*args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::from(full))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let (code, err) = finish(child, &what);
        assert!(!err.contains("panicked"), "gwlint {what}: {err}");
        assert!(
            err.contains("gwlint: error: cannot write output: No space left on device"),
            "gwlint {what}: {err}"
        );
        assert_eq!(code, 2, "gwlint {what} > /dev/full: {err}");
    }
}

/// Messages to a standard error that cannot be written are dropped, not a panic: the exit
/// status still tells the outcome.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_does_not_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = gwlint()
        .args(["--format", "json", "--statistics", "examples/"])
        .stderr(std::process::Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = gwlint()
        .args(["rule", "no-such-rule"])
        .stderr(std::process::Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
}

/// gwlint.toml comes with the change under review: it may not make an `--online` run wait
/// without bound. The refusal keeps its help on a line of its own.
#[test]
fn a_repository_cannot_set_long_probe_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("toml/.git")).unwrap();
    write(
        dir.path(),
        "toml/gwlint.toml",
        b"[online]\ndns-timeout = \"1h\"\n",
    );
    let main = write(
        dir.path(),
        "toml/nginx.conf",
        b"events {}\nhttp { server { listen 80; location / { proxy_pass http://127.0.0.1:1; } } }\n",
    );
    let o = lint(&[&main], &[]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("dns-timeout: at most 10s in gwlint.toml\n  help: "),
        "{}",
        err(&o)
    );
}

/// "Did you mean" on 1500 upstreams with 60-letter names and as many near misses: each query
/// looks at a bounded number of candidates (this took 7.5 s in a release build, quadratic in
/// the names and their length), and the suggestions are still found.
#[test]
fn suggestions_on_thousands_of_long_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut name = || -> String {
        (0..60)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (b'a' + (x % 10) as u8) as char
            })
            .collect()
    };
    let names: Vec<String> = (0..1500).map(|_| name()).collect();
    let mut text = String::from("events {}\nhttp {\n");
    for n in &names {
        text.push_str(&format!(" upstream {n} {{ server 127.0.0.1:1; }}\n"));
    }
    text.push_str(" server { listen 80;\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "  location /{i} {{ proxy_pass http://{}q; }}\n",
            &n[..59]
        ));
    }
    text.push_str(" }\n}\n");
    let p = write(dir.path(), "long/nginx.conf", text.as_bytes());
    let o = bounded(&["--format", "json", &p], 1024, 60);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let suggested = out(&o).matches("\"help\": \"did you mean").count();
    let gw101 = out(&o).matches("\"code\": \"GW101\"").count();
    assert_eq!(gw101, 1500, "{}", head(&out(&o)));
    assert!(suggested >= 1490, "{suggested} of 1500 suggested");
}

/// A pipe the shell hands over (`gwlint <(slow command)`) is read as it comes, even when the
/// writer is slow: it is not opened non-blocking like a file.
#[test]
fn a_slow_pipe_is_read_to_its_end() {
    let mut writer = Command::new("sh")
        .args([
            "-c",
            "sleep 1; printf 'events {}\\nhttp { server { location / { proxy_pass http://apl; } } }\\n'",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = common_cli::gwlint();
    c.args(["--format", "concise", "/dev/stdin"])
        .stdin(Stdio::from(writer.stdout.take().unwrap()));
    let o = run_within(c, Duration::from_secs(30));
    let _ = writer.wait();
    assert!(out(&o).contains("GW101"), "{}{}", out(&o), err(&o));
}
