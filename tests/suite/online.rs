//! `--online` against a loopback world: a DNS responder, plain and TLS listeners (one that
//! requires SNI), closed ports, unix sockets and certificate files. Each finding must be at the
//! line that names the target; a live, correct target gets none; without `--online` nothing
//! is sent.

use crate::common::pages as common_pages;
#[path = "online/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use support::{Answer, Dns, Listener, Speaks, TestCert, closed_port, lint, online};

/// The 1-based line of the text that carries `# <marker>`.
fn line_of(conf: &str, marker: &str) -> usize {
    conf.lines()
        .position(|l| l.ends_with(&format!("# {marker}")))
        .unwrap_or_else(|| panic!("no marker {marker}"))
        + 1
}

fn expect(conf: &str, pairs: &[(&str, &str)]) -> BTreeSet<(usize, String)> {
    pairs
        .iter()
        .map(|(m, c)| (line_of(conf, m), c.to_string()))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn localhost(v4: bool) -> Answer {
    if v4 {
        Answer::Addrs(vec![Ipv4Addr::LOCALHOST], vec![])
    } else {
        Answer::Addrs(vec![], vec![])
    }
}

#[test]
fn each_failure_at_its_line_and_nothing_on_live_targets() {
    let cert = TestCert::new();
    let dns = Dns::start("127.0.0.1:0", &[("api.example.test", localhost(true))]);
    let plain = Listener::start("127.0.0.1:0", Speaks::Http, &cert);
    let tls = Listener::start("127.0.0.1:0", Speaks::Tls, &cert);
    let sni = Listener::start("127.0.0.1:0", Speaks::TlsSniRequired, &cert);
    let closed = closed_port();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let (p, t, s, c) = (
        plain.addr.port(),
        tls.addr.port(),
        sni.addr.port(),
        closed.port(),
    );
    let conf = format!(
        "events {{}}
http {{
    upstream app {{
        server nosuch.example.test:{p}; # nx
        server api.example.test:{p};
    }}
    server {{
        listen 80;
        location /app {{ proxy_pass http://app; }}
        location /refused {{ proxy_pass http://127.0.0.1:{c}; }} # refused
        location /http-to-tls {{ proxy_pass http://127.0.0.1:{t}; }} # http-to-tls
        location /https-to-plain {{ proxy_pass https://127.0.0.1:{p}; }} # https-to-plain
        location /no-sni {{ proxy_pass https://api.example.test:{s}; }} # no-sni
        location ~ \\.php$ {{ fastcgi_pass unix:{d}/missing.sock; }} # unix
        location /verified {{
            proxy_pass https://127.0.0.1:{t};
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_trusted_certificate {d}/missing-ca.pem; # ca
        }}
        location /live-http {{ proxy_pass http://api.example.test:{p}; }}
        location /live-tls {{ proxy_pass https://127.0.0.1:{t}; }}
        location /live-sni {{
            proxy_pass https://api.example.test:{s};
            proxy_ssl_server_name on;
        }}
    }}
}}
"
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let (found, text) = lint(&path, Some(online(dns.addr)));
    let found: BTreeSet<_> = found.into_iter().collect();
    assert_eq!(
        found,
        expect(
            &conf,
            &[
                ("nx", "GW801"),
                ("refused", "GW802"),
                ("http-to-tls", "GW401"),
                ("https-to-plain", "GW402"),
                ("no-sni", "GW403"),
                ("unix", "GW803"),
                ("ca", "GW804"),
            ]
        ),
        "{text}"
    );
    for needle in [
        format!("NXDOMAIN for `nosuch.example.test` from {}", dns.addr),
        format!("connection refused at 127.0.0.1:{c}"),
        format!("127.0.0.1:{t} answered a ClientHello with a TLS handshake"),
        format!(
            "127.0.0.1:{p} answered a ClientHello with plain text (`HTTP/1.1 400 Bad Request`)"
        ),
        "with SNI \"api.example.test\" with a TLS handshake (observed with --online)".to_string(),
        "missing.sock` does not exist".to_string(),
        "missing-ca.pem` does not exist".to_string(),
    ] {
        assert!(text.contains(&needle), "no «{needle}» in\n{text}");
    }
    assert!(dns.queries() > 0 && plain.accepted() > 0 && tls.accepted() > 0 && sni.accepted() > 0);
}

#[test]
fn dns_failures_are_told_apart_within_the_timeout() {
    let dns = Dns::start(
        "127.0.0.1:0",
        &[
            ("servfail.example.test", Answer::ServFail),
            ("silent.example.test", Answer::Silent),
            ("nodata.example.test", localhost(false)),
            (
                "v6only.example.test",
                Answer::Addrs(vec![], vec![std::net::Ipv6Addr::LOCALHOST]),
            ),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let conf = "events {}
http {
    upstream app {
        server servfail.example.test:1; # servfail
        server silent.example.test:1; # silent
        server nodata.example.test:1; # nodata
        server v6only.example.test:1 down;
        server gone.example.test:1 down; # nx
    }
    server {
        listen 80;
        location / { proxy_pass http://app; }
    }
}
";
    let path = write(dir.path(), "nginx.conf", conf);
    let start = Instant::now();
    let (found, text) = lint(&path, Some(online(dns.addr)));
    let took = start.elapsed();
    assert_eq!(
        found.into_iter().collect::<BTreeSet<_>>(),
        expect(
            conf,
            &[
                ("servfail", "GW801"),
                ("silent", "GW801"),
                ("nodata", "GW801"),
                ("nx", "GW801"),
            ]
        ),
        "{text}"
    );
    for needle in [
        "SERVFAIL for `servfail.example.test`",
        "no answer for `silent.example.test`",
        "`nodata.example.test` exists but has no A or AAAA record",
        "NXDOMAIN for `gone.example.test`",
    ] {
        assert!(text.contains(needle), "no «{needle}» in\n{text}");
    }
    // One deadline: max(0.8s DNS + 0.25s, 2 × 0.8s connect) + 0.5s, and the rest of the run.
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn many_dead_targets_end_within_the_bound() {
    let dns = Dns::start("127.0.0.1:0", &[("silent.example.test", Answer::Silent)]);
    let dir = tempfile::tempdir().unwrap();
    let mut conf = String::from("events {}\nhttp {\n    upstream app {\n");
    for i in 0..300 {
        conf.push_str(&format!(
            "        server 127.0.0.{}:{};\n",
            2 + i % 200,
            closed_port().port()
        ));
    }
    conf.push_str("        server silent.example.test:80;\n    }\n    server {\n        listen 80;\n        location / { proxy_pass http://app; }\n    }\n}\n");
    let path = write(dir.path(), "nginx.conf", &conf);
    let start = Instant::now();
    let (found, _) = lint(&path, Some(online(dns.addr)));
    let took = start.elapsed();
    assert_eq!(found.iter().filter(|(_, c)| c == "GW802").count(), 300);
    assert_eq!(found.iter().filter(|(_, c)| c == "GW801").count(), 1);
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn unix_sockets_missing_stale_not_a_socket_and_forbidden() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ok = dir.path().join("ok.sock");
    let forbidden = dir.path().join("forbidden.sock");
    let stale = dir.path().join("stale.sock");
    let _ok = std::os::unix::net::UnixListener::bind(&ok).unwrap();
    let _forbidden = std::os::unix::net::UnixListener::bind(&forbidden).unwrap();
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(&forbidden, std::fs::Permissions::from_mode(0o600)).unwrap();
    let file = write(dir.path(), "file.sock", "");
    let d = dir.path().display();
    let conf = format!(
        "user nobody;
events {{}}
http {{
    upstream php {{
        server unix:{d}/ok.sock;
        server unix:{d}/forbidden.sock; # forbidden
    }}
    server {{
        listen 80;
        location /a {{ fastcgi_pass php; }}
        location /b {{ fastcgi_pass unix:{d}/stale.sock; }} # stale
        location /c {{ fastcgi_pass unix:{}; }} # file
        location /d {{ proxy_pass http://unix:{d}/ok.sock:/x; }}
    }}
}}
",
        file.display()
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let dns = Dns::start("127.0.0.1:0", &[]);
    let (found, text) = lint(&path, Some(online(dns.addr)));
    assert_eq!(
        found.into_iter().collect::<BTreeSet<_>>(),
        expect(
            &conf,
            &[
                ("forbidden", "GW803"),
                ("stale", "GW803"),
                ("file", "GW803")
            ]
        ),
        "{text}"
    );
    assert!(
        text.contains("the worker user `nobody` may not connect"),
        "{text}"
    );
    assert!(text.contains("(13: Permission denied)"), "{text}");
    assert!(text.contains("a stale socket"), "{text}");
    assert!(text.contains("is a regular file, not a socket"), "{text}");
    assert_eq!(dns.queries(), 0, "no name to resolve");
}

#[test]
fn certificate_files() {
    let dir = tempfile::tempdir().unwrap();
    let cert = TestCert::new();
    write(dir.path(), "ca.pem", &cert.cert_pem);
    write(dir.path(), "client.key", &cert.key_pem);
    write(
        dir.path(),
        "valid.pem",
        &support::cert_valid(support::days_from_now(-1), support::days_from_now(365)),
    );
    write(
        dir.path(),
        "soon.pem",
        &support::cert_valid(support::days_from_now(-1), support::days_from_now(3)),
    );
    write(
        dir.path(),
        "expired.pem",
        &support::cert_valid((2020, 1, 1), (2021, 1, 1)),
    );
    write(dir.path(), "nokey.pem", &cert.cert_pem);
    let tls = Listener::start("127.0.0.1:0", Speaks::Tls, &cert);
    let t = tls.addr.port();
    // Relative paths start at the configuration's directory.
    let conf = format!(
        "events {{}}
http {{
    proxy_ssl_verify on;
    proxy_ssl_name localhost;
    proxy_ssl_trusted_certificate ca.pem;
    server {{
        listen 80;
        location /valid {{
            proxy_pass https://127.0.0.1:{t};
            proxy_ssl_certificate valid.pem;
            proxy_ssl_certificate_key client.key;
        }}
        location /soon {{
            proxy_pass https://127.0.0.1:{t};
            proxy_ssl_certificate soon.pem; # soon
            proxy_ssl_certificate_key client.key;
        }}
        location /expired {{
            proxy_pass https://127.0.0.1:{t};
            proxy_ssl_certificate expired.pem; # expired
            proxy_ssl_certificate_key nokey.pem; # nokey
        }}
    }}
}}
"
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let dns = Dns::start("127.0.0.1:0", &[]);
    let (found, text) = lint(&path, Some(online(dns.addr)));
    assert_eq!(
        found.into_iter().collect::<BTreeSet<_>>(),
        expect(
            &conf,
            &[("soon", "GW805"), ("expired", "GW805"), ("nokey", "GW804")]
        ),
        "{text}"
    );
    assert!(text.contains("expired on 2021-01-01"), "{text}");
    assert!(text.contains("warning[GW805]"), "{text}");
    assert!(
        text.contains("in 2 days") || text.contains("in 3 days"),
        "{text}"
    );
    assert!(
        text.contains("holds 1 certificate(s) and no private key"),
        "{text}"
    );
}

#[test]
fn haproxy_servers() {
    let cert = TestCert::new();
    let dns = Dns::start("127.0.0.1:0", &[("api.example.test", localhost(true))]);
    let plain = Listener::start("127.0.0.1:0", Speaks::Http, &cert);
    let tls = Listener::start("127.0.0.1:0", Speaks::Tls, &cert);
    let dir = tempfile::tempdir().unwrap();
    let (p, t, c) = (plain.addr.port(), tls.addr.port(), closed_port().port());
    let conf = format!(
        "global
    user nobody
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:8080
    default_backend app
backend app
    server a1 api.example.test:{p} check
    server a2 nosuch.example.test:{p} check # nx
    server a3 127.0.0.1:{c} check # refused
    server a4 127.0.0.1:{t} ssl verify required ca-file {}/missing-ca.pem check # ca
",
        dir.path().display()
    );
    let path = write(dir.path(), "haproxy.cfg", &conf);
    let (found, text) = lint(&path, Some(online(dns.addr)));
    // GW605 (host names resolved once, a static rule) is true here too; this test is about
    // what the probes observe.
    assert_eq!(
        found
            .into_iter()
            .filter(|(_, code)| code != "GW605")
            .collect::<BTreeSet<_>>(),
        expect(
            &conf,
            &[("nx", "GW801"), ("refused", "GW802"), ("ca", "GW804")]
        ),
        "{text}"
    );
    assert!(
        text.contains("could not resolve address 'nosuch.example.test'"),
        "{text}"
    );
    assert!(
        text.contains("warning[GW802]"),
        "a pool with live servers survives: {text}"
    );
    assert!(text.contains("`SC--`"), "{text}");
}

#[test]
fn without_online_nothing_is_sent_even_with_a_resolver() {
    let cert = TestCert::new();
    let dns = Dns::start("127.0.0.1:0", &[("api.example.test", localhost(true))]);
    let plain = Listener::start("127.0.0.1:0", Speaks::Http, &cert);
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "events {{}}
http {{
    upstream app {{ server api.example.test:{p}; }}
    server {{
        listen 80;
        location / {{ proxy_pass http://app; }}
        location /b {{ proxy_pass https://127.0.0.1:{p}; }}
    }}
}}
",
        p = plain.addr.port()
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .args([
                "--resolver",
                &dns.addr.to_string(),
                "--connect-timeout",
                "800ms",
            ])
            .args(extra)
            .arg(&path)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let offline = run(&[]);
    assert!(!offline.contains("GW80"), "{offline}");
    assert_eq!(dns.queries(), 0, "a DNS query without --online");
    assert_eq!(plain.accepted(), 0, "a connection without --online");
    // The same run with --online reaches both: the counters do count.
    let online = run(&["--online"]);
    assert!(dns.queries() > 0, "{online}");
    assert!(plain.accepted() > 0, "{online}");
    assert!(online.contains("GW402"), "{online}");
}

/// The `online` examples of the rule pages, run against the world they describe: DNS at
/// 127.0.8.53:5353 (`api.example.test` → 127.0.8.1), plain HTTP on 127.0.8.1:8080 and :9080,
/// TLS on 127.0.8.1:8443 and :9443, TLS that requires SNI on 127.0.8.2:8443, nothing on
/// 127.0.8.1:8081, and certificate files in /tmp/gwlint-example/. Fixed addresses, so one run
/// at a time holds them (a listener on 127.0.8.254 is the lock).
#[test]
fn rule_pages_online_examples() {
    let _lock = (0..600)
        .find_map(|_| {
            std::net::TcpListener::bind("127.0.8.254:18254")
                .map_err(|_| std::thread::sleep(Duration::from_millis(100)))
                .ok()
        })
        .expect("the page world's lock");
    let cert = TestCert::new();
    let files = Path::new("/tmp/gwlint-example");
    std::fs::create_dir_all(files).unwrap();
    // Removed when the test ends, passed or failed.
    struct Cleanup(&'static Path);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0);
        }
    }
    let _cleanup = Cleanup(files);
    write(files, "ca.pem", &cert.cert_pem);
    write(files, "client.key", &cert.key_pem);
    write(
        files,
        "client.pem",
        &support::cert_valid(support::days_from_now(-1), support::days_from_now(365)),
    );
    write(
        files,
        "expired.pem",
        &support::cert_valid((2020, 1, 1), (2021, 1, 1)),
    );
    let _dns = Dns::start(
        "127.0.8.53:5353",
        &[(
            "api.example.test",
            Answer::Addrs(vec![Ipv4Addr::new(127, 0, 8, 1)], vec![]),
        )],
    );
    let _world = [
        Listener::start("127.0.8.1:8080", Speaks::Http, &cert),
        Listener::start("127.0.8.1:9080", Speaks::Http, &cert),
        Listener::start("127.0.8.1:8443", Speaks::Tls, &cert),
        Listener::start("127.0.8.1:9443", Speaks::Tls, &cert),
        Listener::start("127.0.8.2:8443", Speaks::TlsSniRequired, &cert),
    ];
    let opts = online("127.0.8.53:5353".parse().unwrap());
    let mut ran = 0;
    for rule in gwlint::rules::RULES {
        let mut messages = String::new();
        for (heading, bad) in [("## Bad", true), ("## Good", false)] {
            for (i, example) in online_examples(rule.page, heading).iter().enumerate() {
                let dir = tempfile::tempdir().unwrap();
                let path = write(dir.path(), "nginx.conf", example);
                let (found, text) = lint(&path, Some(opts.clone()));
                let codes: BTreeSet<String> = found.into_iter().map(|(_, c)| c).collect();
                if bad {
                    assert_eq!(
                        codes,
                        BTreeSet::from([rule.code.to_string()]),
                        "online bad example {} of {}: {text}",
                        i + 1,
                        rule.code
                    );
                    let prefix = format!("{}/", dir.path().display());
                    messages.push_str(&format!(
                        "# online bad example {}\n{}",
                        i + 1,
                        text.replace(&prefix, "")
                    ));
                } else {
                    assert!(
                        codes.is_empty(),
                        "online good example {} of {}: {text}",
                        i + 1,
                        rule.code
                    );
                }
                ran += 1;
            }
        }
        if !messages.is_empty() {
            let name = format!("online__online-{}-{}", rule.code, rule.name);
            crate::snapshots().bind(|| insta::assert_snapshot!(name, messages));
        }
    }
    assert!(ran >= 16, "only {ran} online examples");
}

/// The examples tagged `online` in a section of a page: their main file.
fn online_examples(page: &str, heading: &str) -> Vec<String> {
    common_pages::examples(page, heading)
        .into_iter()
        .filter(|ex| ex.online)
        .filter_map(|ex| ex.files.into_iter().next().map(|(_, text)| text))
        .collect()
}

#[test]
fn ctrl_c_stops_the_probes() {
    let dns = Dns::start("127.0.0.1:0", &[("slow.example.test", Answer::Silent)]);
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://slow.example.test; } } }\n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args([
            "--online",
            "--dns-timeout",
            "30s",
            "--resolver",
            &dns.addr.to_string(),
        ])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the query is out, then interrupt.
    let start = Instant::now();
    while dns.queries() == 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("gwlint did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("interrupted"), "{err}");
}

#[test]
fn ipv6_targets_from_aaaa_records() {
    let cert = TestCert::new();
    let dns = Dns::start(
        "127.0.0.1:0",
        &[(
            "v6.example.test",
            Answer::Addrs(vec![], vec![std::net::Ipv6Addr::LOCALHOST]),
        )],
    );
    let live = Listener::start("[::1]:0", Speaks::Http, &cert);
    let closed = {
        let l = std::net::TcpListener::bind("[::1]:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "events {{}}
http {{
    upstream app {{
        server v6.example.test:{};
        server [::1]:{closed}; # refused
    }}
    server {{
        listen 80;
        location / {{ proxy_pass http://app; }}
    }}
}}
",
        live.addr.port()
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let (found, text) = lint(&path, Some(online(dns.addr)));
    assert_eq!(
        found.into_iter().collect::<BTreeSet<_>>(),
        expect(&conf, &[("refused", "GW802")]),
        "{text}"
    );
    assert!(
        text.contains(&format!("connection refused at [::1]:{closed}")),
        "{text}"
    );
    assert!(
        text.contains("warning[GW802]"),
        "the other server answers: {text}"
    );
    assert!(live.accepted() > 0, "the AAAA address was connected to");
}

/// With `--online`, a host name that resolves to loopback links the chain like the address:
/// HAProxy's `server web1 web.example.test:PORT send-proxy` reaches nginx's listener on PORT,
/// which does not expect the PROXY protocol (GW704). Offline the name links nothing.
#[test]
fn resolved_host_names_link_the_chain() {
    let dns = Dns::start("127.0.0.1:0", &[("web.example.test", localhost(true))]);
    let port = closed_port().port();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "haproxy.cfg",
        &format!(
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend web\nbackend web\n    server web1 web.example.test:{port} send-proxy\n"
        ),
    );
    write(
        dir.path(),
        "nginx.conf",
        &format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            return 200;\n        }}\n    }}\n}}\n"
        ),
    );
    let chain = |online: Option<gwlint::probe::OnlineOptions>| -> Vec<String> {
        let opts = gwlint::Options {
            online,
            ..Default::default()
        };
        let outcome = gwlint::lint(&[dir.path().to_path_buf()], &opts);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome
            .findings
            .iter()
            .filter(|f| f.rule.code.starts_with("GW7"))
            .map(|f| {
                let file = outcome.loader.sources.get(f.span.file);
                format!("{}:{}", file.line(f.span.start as usize), f.rule.code)
            })
            .collect()
    };
    assert_eq!(chain(None), Vec::<String>::new());
    assert_eq!(chain(Some(online(dns.addr))), ["10:GW704"]);
    assert!(dns.queries() > 0);
}

/// `[online]` in gwlint.toml gives the defaults of `--online`'s flags; a flag given wins.
#[test]
fn online_table_defaults_and_flags_on_top() {
    let file_dns = Dns::start("127.0.0.1:0", &[("api.example.test", localhost(true))]);
    let flag_dns = Dns::start("127.0.0.1:0", &[("api.example.test", localhost(true))]);
    let cert = TestCert::new();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "client.key", &cert.key_pem);
    // Expires in 20 days: reported within 30, not within 10 (nor the built-in 14).
    write(
        dir.path(),
        "client.pem",
        &support::cert_valid(support::days_from_now(-1), support::days_from_now(20)),
    );
    let port = closed_port().port();
    let conf = format!(
        "events {{}}
http {{
    upstream app {{ server api.example.test:{port}; }}
    server {{
        listen 80;
        location / {{
            proxy_pass https://app;
            proxy_ssl_certificate client.pem; # cert
            proxy_ssl_certificate_key client.key;
        }}
    }}
}}
"
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    write(
        dir.path(),
        "gwlint.toml",
        &format!(
            "[online]\nresolver = \"{}\"\ncert-warn-days = 30\nconnect-timeout = \"500ms\"\ndns-timeout = \"800ms\"\n",
            file_dns.addr
        ),
    );
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .args(["--format", "concise", "--online"])
            .args(extra)
            .arg(&path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(2), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cert_line = format!("nginx.conf:{}:", line_of(&conf, "cert"));
    let from_file = run(&[]);
    assert!(file_dns.queries() > 0, "the file's resolver: {from_file}");
    assert_eq!(flag_dns.queries(), 0);
    assert!(
        from_file
            .lines()
            .any(|l| l.contains(&cert_line) && l.contains("[GW805]")),
        "{from_file}"
    );
    let asked = file_dns.queries();
    let from_flags = run(&[
        "--resolver",
        &flag_dns.addr.to_string(),
        "--cert-warn-days",
        "10",
    ]);
    assert_eq!(file_dns.queries(), asked, "the flag's resolver wins");
    assert!(flag_dns.queries() > 0, "{from_flags}");
    assert!(!from_flags.contains("[GW805]"), "{from_flags}");
}

/// One failure, one finding: a mistyped upstream name (GW101) or a port on an upstream's name
/// (GW102) does not resolve either, and GW801 does not say it again at the same place — unless
/// the probe proves what GW101 could only suspect (a warning), or GW101 is turned off.
#[test]
fn a_dead_target_rule_and_nxdomain_at_one_place_are_one_finding() {
    let dns = Dns::start("127.0.0.1:0", &[]);
    let port = closed_port().port();
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "events {{}}
http {{
    upstream api_backend {{ server 127.0.0.1:{port}; }}
    upstream app {{ server 127.0.0.1:{port}; }}
    server {{
        listen 80;
        location /a {{ proxy_pass http://api_backnd; }} # typo
        location /b {{ proxy_pass http://app:8080; }} # port
        location /c {{ proxy_pass http://billing; }} # nowhere
        location /d {{ proxy_pass http://gone.example.test; }} # gone
    }}
}}
"
    );
    let path = write(dir.path(), "nginx.conf", &conf);
    let run = |ignore: &[&str]| -> BTreeSet<(usize, String)> {
        let opts = gwlint::Options {
            online: Some(online(dns.addr)),
            selection: gwlint::config::Selection {
                ignore: ignore.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            ..Default::default()
        };
        let outcome = gwlint::lint(std::slice::from_ref(&path), &opts);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome
            .findings
            .iter()
            .filter(|f| ["GW101", "GW102", "GW801"].contains(&f.rule.code))
            .map(|f| {
                let line = outcome
                    .loader
                    .sources
                    .get(f.span.file)
                    .line(f.span.start as usize);
                (line, f.rule.code.to_string())
            })
            .collect()
    };
    assert_eq!(
        run(&[]),
        expect(
            &conf,
            &[
                ("typo", "GW101"),
                ("port", "GW102"),
                ("nowhere", "GW801"),
                ("gone", "GW801")
            ]
        )
    );
    assert_eq!(
        run(&["GW101"]),
        expect(
            &conf,
            &[
                ("typo", "GW801"),
                ("port", "GW102"),
                ("nowhere", "GW801"),
                ("gone", "GW801")
            ]
        )
    );
}
