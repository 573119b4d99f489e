//! nginx refusals read from the directive table on the cases the rule pages do not show: what
//! must be found, and what nginx accepts and must stay quiet.

/// gwlint's refusal findings (code and severity) on one nginx.conf, with a gwlint.toml beside
/// it naming the build when `build` is given (run as users run it, so the file is found).
fn verdicts(text: &str, build: Option<&str>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nginx.conf");
    std::fs::write(&p, text).unwrap();
    if let Some(b) = build {
        std::fs::write(
            dir.path().join("gwlint.toml"),
            format!("[nginx]\nbuild = \"{b}\"\n"),
        )
        .unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["--nginx-version", "1.22.1", "--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once(": ")?;
            let (sev, rest) = rest.split_once('[')?;
            let code = rest.split(']').next()?;
            code.starts_with("GW02").then(|| format!("{code} {sev}"))
        })
        .collect()
}

fn http(body: &str) -> String {
    format!("events {{}}\nhttp {{\n{body}\n}}\n")
}

#[test]
fn every_repeat_or_some_repeats() {
    // `events` and `http` refuse every repeat; `limit_req` of two zones, `proxy_redirect` and
    // `proxy_cookie_path` written twice are what nginx takes.
    assert_eq!(
        verdicts("events {}\nevents {}\nhttp {}\n", None),
        ["GW024 error"]
    );
    assert_eq!(
        verdicts("events {}\nhttp {}\nhttp {}\n", None),
        ["GW024 error"]
    );
    let fine = http(
        "limit_req_zone $binary_remote_addr zone=a:1m rate=1r/s;\n\
         limit_req_zone $server_name zone=b:1m rate=9r/s;\n\
         server { listen 127.0.0.1:8080; location / {\n\
           limit_req zone=a; limit_req zone=b;\n\
           proxy_redirect http://a/ /; proxy_redirect http://b/ /;\n\
           proxy_cookie_path /a /; proxy_cookie_path /b /;\n\
           proxy_pass http://127.0.0.1:9000; } }",
    );
    assert!(verdicts(&fine, None).is_empty());
    let twice = http(
        "server { listen 127.0.0.1:8080; location / { resolver 127.0.0.53; resolver 127.0.0.53; proxy_pass http://127.0.0.1:9000; } }",
    );
    assert_eq!(verdicts(&twice, None), ["GW024 error"]);
}

#[test]
fn parameter_words() {
    let server = |params: &str| {
        http(&format!(
            "upstream app {{ server 127.0.0.1:9000 {params}; }}\nserver {{ listen 127.0.0.1:8080; location / {{ proxy_pass http://app; }} }}"
        ))
    };
    assert!(
        verdicts(
            &server("weight=2 max_fails=3 fail_timeout=10s backup"),
            None
        )
        .is_empty()
    );
    assert_eq!(verdicts(&server("on"), None), ["GW023 error"]);
    // NGINX Plus has parameters no source holds: a warning while the build is unknown, an
    // error for a known open-source build.
    assert_eq!(verdicts(&server("slow_start=30s"), None), ["GW023 warning"]);
    assert_eq!(
        verdicts(&server("slow_start=30s"), Some("debian-bookworm")),
        ["GW023 error"]
    );
    let listen = |rest: &str| {
        http(&format!(
            "server {{ listen {rest}; location / {{ proxy_pass http://127.0.0.1:9000; }} }}"
        ))
    };
    assert!(
        verdicts(
            &listen("127.0.0.1:8080 default_server reuseport backlog=511 so_keepalive=on"),
            None
        )
        .is_empty()
    );
    assert!(verdicts(&listen("[::1]:8080 ipv6only=on"), None).is_empty());
    assert_eq!(
        verdicts(&listen("127.0.0.1:8080 defualt_server"), None),
        ["GW023 error"]
    );
    assert_eq!(verdicts(&listen("127.0.0.1:70000"), None), ["GW023 error"]);
    // A header added with `always`, a log with its buffer and condition.
    let ok = http(
        "server { listen 127.0.0.1:8080; add_header X-A b always; access_log /tmp/a.log combined buffer=32k if=$status; location / { proxy_pass http://127.0.0.1:9000; } }",
    );
    assert!(verdicts(&ok, None).is_empty());
}
