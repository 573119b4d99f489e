//! The HTML report in a real browser: headless Chromium (Debian's `chromium`) renders it to a
//! PNG and dumps the DOM after its script ran. Fails, not skips, when Chromium is missing.
//! The screenshot is kept as `target/html-report.png` for a human to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/cli.rs"]
mod common_cli;
use common_cli::{code, err, run};

/// A Chromium run is killed after this.
const TIMEOUT: Duration = Duration::from_secs(60);

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        let found = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|d| d.join(name))
            .find(|p| p.is_file());
        if let Some(p) = found {
            return p;
        }
    }
    panic!("chromium is not installed: apt-get install chromium (tests/browser.rs needs it)");
}

struct Ran {
    stdout: String,
    stderr: String,
}

/// Chromium headless on a page, with its own profile, bounded by [`TIMEOUT`].
fn chromium_on(page: &Path, args: &[&str]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let (out, errs) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&errs).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let ran = Ran {
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&errs).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium {args:?}: {status}\n{}",
        ran.stderr
    );
    ran
}

/// The report of `args` written to a file in `dir`.
fn report(dir: &Path, args: &[&str], expect: i32) -> PathBuf {
    let page = dir.join("report.html");
    let mut all = vec!["--format", "html", "-o", page.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(code(&o), expect, "{}", err(&o));
    page
}

/// The DOM after the page's script ran, failing on any script error or refused load.
fn dom(page: &Path) -> String {
    let ran = chromium_on(page, &["--enable-logging=stderr", "--v=0", "--dump-dom"]);
    for bad in ["Uncaught", "Refused to", "Content Security Policy"] {
        assert!(
            !ran.stderr.contains(bad),
            "{bad} in the browser's log:\n{}",
            ran.stderr
        );
    }
    assert!(
        ran.stdout.contains("data-ok=\"1\""),
        "the page's script did not run to its end (a script error, or its hash is not the \
         policy's):\n{}",
        ran.stderr
    );
    ran.stdout
}

#[test]
fn the_report_renders_and_its_script_runs() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), &["tests/fixtures/chain/bad"], 1);
    let dom = dom(&page);
    for c in ["GW701", "GW703", "GW704", "GW705", "GW505"] {
        assert!(dom.contains(&format!(">{c}</a>")), "{c} in the DOM");
    }
    assert!(dom.contains("<svg") && dom.contains(">bind 127.0.0.1:28080</text>"));

    let png = dir.path().join("report.png");
    chromium_on(
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
        ],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    // IHDR: the window's size.
    let dim = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((dim(16), dim(20)), (1280, 2000));
    // A blank page compresses to a few kilobytes; this one has text and a drawing.
    assert!(bytes.len() > 60_000, "{} bytes: blank?", bytes.len());
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("html-report.png");
    std::fs::copy(&png, &keep).unwrap();
}

#[test]
fn markup_from_the_input_stays_text_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("<img src=x onerror=alert(1)>.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      \
         proxy_pass \"http://up</script><img src=x onerror=alert(2)><b>bold</b>\";\n    }\n  }\n}\n",
    )
    .unwrap();
    let page = report(dir.path(), &[conf.to_str().unwrap()], 1);
    let dom = dom(&page);
    // Serialized, an element would be `<img …>`; text is `&lt;img …`.
    assert!(!dom.contains("<img") && !dom.contains("<b>bold"), "{dom}");
    assert!(dom.contains("&lt;img src=x onerror=alert(2)&gt;&lt;b&gt;bold"));
}
