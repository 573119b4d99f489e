//! Proof against the real proxies: each scenario runs a rule page's bad example in nginx or
//! HAProxy and shows the failure the page promises (the status code, the refusal to start, the
//! log line), then the good example and shows it works; gwlint reports the rule on the first
//! and nothing on the second.
//!
//! `cargo test --release --features proof --test proof`; needs `nginx` and `haproxy` on the
//! machine (Debian's packages) and fails when they are missing. Everything runs on loopback,
//! on ports the kernel picks; every process is stopped when its guard is dropped.
//!
//! The examples are run as the pages show them, except for what one machine needs: `listen`
//! and `bind` move to a free port, the example's backend addresses are mapped to the test's
//! backends (`map`), DNS names are served as upstream blocks (`host`), and CA paths point at
//! the test's CA. Any other change is said in the scenario.

#[path = "proof/backend.rs"]
mod backend;
#[path = "proof/dns.rs"]
mod dns;
#[path = "proof/net.rs"]
mod net;
#[path = "proof/pages.rs"]
mod pages;
#[path = "proof/proxy.rs"]
mod proxy;
#[path = "proof/tls.rs"]
mod tls;

use std::time::Duration;

use backend::{Backend, Behaviour};
use net::{closed_within, get, refused, try_get, websocket};
use pages::{bad, good, quoted};
use tls::Versions;

/// Asserts a configuration check failed with the message the page quotes; returns its output.
fn refuses_to_start(prepared: &proxy::Prepared, message: &str) -> String {
    let check = prepared.check();
    assert!(!check.ok, "the check passed:\n{}", check.output);
    assert!(
        check.output.contains(message),
        "the check failed without `{message}`:\n{}",
        check.output
    );
    check.output
}

/// Asserts the check failed with `message` at `place` (`nginx.conf:7`): the line the page names.
fn refuses_at(prepared: &proxy::Prepared, message: &str, place: &str) {
    let output = refuses_to_start(prepared, message);
    assert!(
        output.contains(&format!("{message} in ")) && output.contains(place),
        "not at {place}:\n{output}"
    );
}

// ---------------------------------------------------------------- syntax and files (GW0xx)

#[test]
fn gw001_syntax_error() {
    let b = Backend::http(Behaviour::Ok);
    let cases = [
        (1, "unexpected \"}\"", "nginx.conf:7"),
        (2, "unknown directive \"2,3}$\"", "nginx.conf:5"),
        (5, "unexpected end of file, expecting \"}\"", "nginx.conf:9"),
    ];
    for (n, message, place) in cases {
        let ex = bad("GW001", n);
        refuses_at(&proxy::nginx(&ex), quoted("GW001", message), place);
    }

    let ex = good("GW001", 1);
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/aa").status, 204);
    let ex = good("GW001", 2).map("127.0.0.1:9000", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw002_include_not_found() {
    let b = Backend::http(Behaviour::Ok);
    let missing = quoted("GW002", "failed (2: No such file or directory)");
    let output = refuses_to_start(&proxy::nginx(&bad("GW002", 1)), missing);
    assert!(
        output.contains("/conf.d/upstreams.conf\" failed"),
        "{output}"
    );
    // Relative to the including file: nginx looks next to nginx.conf instead.
    let ex = bad("GW002", 2).map("127.0.0.1:8080", &b.addr());
    refuses_at(&proxy::nginx(&ex), missing, "conf.d/shop.conf:1");

    let ex = good("GW002", 1).map("127.0.0.1:9000", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    let ex = good("GW002", 2).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw003_include_cycle() {
    let b = Backend::http(Behaviour::Ok);
    // With the usual limit of 1024 open files (higher limits end in a stack overflow instead).
    let ex = bad("GW003", 1).map("127.0.0.1:9000", &b.addr());
    let check = proxy::nginx(&ex).check_with_open_files(1024);
    let message = quoted("GW003", "failed (24: Too many open files)");
    assert!(
        !check.ok && check.output.contains(message),
        "{}",
        check.output
    );
    // A glob that matches its own file: nginx -t passes, having read the file ~1000 times.
    let ex = bad("GW003", 2).map("127.0.0.1:9000", &b.addr());
    let check = proxy::nginx(&ex).check_with_open_files(1024);
    let warning = quoted("GW003", "could not build optimal proxy_headers_hash");
    assert!(
        check.ok && check.output.contains(warning),
        "{}",
        check.output
    );

    for n in [1, 2] {
        let ex = good("GW003", n).map("127.0.0.1:9000", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

// ---------------------------------------------------------------- dead targets (GW1xx)

#[test]
fn gw101_undefined_upstream_nginx() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW101", 1).map("127.0.0.1:8080", &b.addr());
    let message = quoted("GW101", "host not found in upstream \"api_backnd\"");
    refuses_to_start(&proxy::nginx(&ex), message);

    let ex = good("GW101", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/api/").status, 200);
}

#[test]
fn gw101_undefined_backend_haproxy() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW101", 2).map("127.0.0.1:8081", &b.addr());
    let message = quoted("GW101", "unable to find required default_backend: 'shopp'");
    refuses_to_start(&proxy::haproxy(&ex), message);

    let ex = good("GW101", 2).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}

#[test]
fn gw105_all_servers_down() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let line = quoted("GW105", "no live upstreams while connecting to upstream");
    for n in [1, 2] {
        // The servers are alive: `down` alone makes every request fail.
        let mut ex = bad("GW105", n).map("127.0.0.1:8080", &a.addr());
        if n == 1 {
            ex = ex.map("127.0.0.1:8081", &b.addr());
        }
        let nginx = proxy::nginx(&ex).start();
        for _ in 0..3 {
            assert_eq!(get(nginx.port(), "/").status, 502);
        }
        nginx.wait_log(line);
    }
    assert_eq!(a.connections() + b.connections(), 0);
    for n in [1, 2] {
        let ex = good("GW105", n)
            .map("127.0.0.1:8080", &a.addr())
            .map("127.0.0.1:8081", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        for _ in 0..3 {
            assert_eq!(get(nginx.port(), "/").status, 200);
        }
    }
}

#[test]
fn gw102_port_on_upstream_name() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = bad("GW102", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    // The port on the name stays the page's 8080: only the servers moved.
    let message = quoted("GW102", "upstream \"backend\" may not have port 8080");
    refuses_to_start(&proxy::nginx(&ex), message);
    let ex = bad("GW102", 2).map("127.0.0.1:9000", &refused());
    let message = quoted("GW102", "upstream \"php\" may not have port 9000");
    refuses_to_start(&proxy::nginx(&ex), message);

    let ex = good("GW102", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..4 {
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
    assert!(a.connections() > 0 && b.connections() > 0);
}

#[test]
fn gw103_duplicate_upstream() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = bad("GW103", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    refuses_at(
        &proxy::nginx(&ex),
        quoted("GW103", "duplicate upstream \"app\""),
        "nginx.conf:6",
    );
    let ex = bad("GW103", 2)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    refuses_at(
        &proxy::nginx(&ex),
        quoted("GW103", "duplicate upstream \"backend\""),
        "conf.d/shop.conf:1",
    );
    let ex = bad("GW103", 3)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr());
    refuses_to_start(
        &proxy::haproxy(&ex),
        quoted("GW103", "backend 'web' has the same name as backend 'web'"),
    );

    for n in [1, 2] {
        let ex = good("GW103", n)
            .map("127.0.0.1:8080", &a.addr())
            .map("127.0.0.1:8081", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
    let ex = good("GW103", 3)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}

#[test]
fn gw104_empty_upstream_nginx() {
    let b = Backend::http(Behaviour::Ok);
    let message = quoted("GW104", "no servers are inside upstream");
    let ex = bad("GW104", 1);
    refuses_to_start(&proxy::nginx(&ex), message);
    // The empty group is used by nothing, and nginx still refuses it.
    let ex = bad("GW104", 2).map("127.0.0.1:8080", &b.addr());
    refuses_to_start(&proxy::nginx(&ex), message);

    for n in [1, 2] {
        let ex = good("GW104", n).map("127.0.0.1:8080", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

#[test]
fn gw104_empty_backend_haproxy() {
    let ex = bad("GW104", 3);
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 503);
    // (The readiness probe logs a `<NOSRV>` line too, with `CR--`.)
    haproxy.wait_line(&[quoted("GW104", "<NOSRV>"), quoted("GW104", "SC--"), " 503 "]);

    // The good example answers by itself: its own maintenance page, on purpose a 503, and
    // not HAProxy's "no server available" one.
    let ex = good("GW104", 3);
    let haproxy = proxy::haproxy(&ex).start();
    let r = get(haproxy.port(), "/");
    assert_eq!((r.status, r.body.as_str()), (503, "back soon"));
}

#[test]
fn gw106_backup_only_upstream() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = bad("GW106", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted("GW106", "no servers in upstream \"app\""),
    );

    let ex = good("GW106", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!((a.connections(), b.connections()), (1, 0));
}

#[test]
fn gw107_backup_with_hash() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let message = quoted(
        "GW107",
        "balancing method does not support parameter \"backup\"",
    );
    for n in [1, 2] {
        let ex = bad("GW107", n)
            .map("127.0.0.1:8080", &a.addr())
            .map("127.0.0.1:8081", &b.addr());
        refuses_at(&proxy::nginx(&ex), message, "nginx.conf:6");
    }
    for n in [1, 2] {
        let ex = good("GW107", n)
            .map("127.0.0.1:8080", &a.addr())
            .map("127.0.0.1:8081", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

#[test]
fn gw108_pass_scheme_mismatch() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW108", 1).map("127.0.0.1:9000", &refused());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted("GW108", "invalid host in upstream \"http://127.0.0.1:"),
    );
    let ex = bad("GW108", 2).map("127.0.0.1:50051", &refused());
    refuses_to_start(
        &proxy::nginx(&ex),
        "invalid host in upstream \"http://127.0.0.1:",
    );
    let ex = bad("GW108", 3).map("127.0.0.1:8080", &b.addr());
    refuses_to_start(&proxy::nginx(&ex), quoted("GW108", "invalid URL prefix"));

    let ex = good("GW108", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw109_proxy_pass_to_fastcgi_port() {
    let php = Backend::http(Behaviour::FastCgi);
    let ex = bad("GW109", 1).map("127.0.0.1:9000", &php.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/index.php").status, 502);
    nginx.wait_log(quoted(
        "GW109",
        "recv() failed (104: Connection reset by peer) while reading response header from upstream",
    ));

    // (The good example's /minio/ route, an HTTP server on the same port, is not requested:
    // one port here serves FastCGI.)
    let ex = good("GW109", 1).map("127.0.0.1:9000", &php.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/index.php").status, 200);
}

#[test]
fn gw121_mode_mismatch() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW121", 1).map("127.0.0.1:8081", &b.addr());
    refuses_to_start(
        &proxy::haproxy(&ex),
        quoted("GW121", "tries to use incompatible tcp backend 'api'"),
    );

    let ex = good("GW121", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}

// ---------------------------------------------------------------- timeouts (GW2xx)

#[test]
fn gw201_websocket_read_timeout() {
    let ws = Backend::http(Behaviour::QuietWebSocket);
    // The second bad example: 30s, so the test waits 30s rather than the default 60s.
    let ex = bad("GW201", 2).map("127.0.0.1:8080", &ws.addr());
    let bad_nginx = proxy::nginx(&ex).start();
    let ex = good("GW201", 1).map("127.0.0.1:8080", &ws.addr());
    let good_nginx = proxy::nginx(&ex).start();
    let mut closed = websocket(bad_nginx.port(), "/socket.io/");
    let mut open = websocket(good_nginx.port(), "/ws/");
    let start = std::time::Instant::now();
    assert!(closed_within(&mut closed, Duration::from_secs(40)));
    let after = start.elapsed();
    assert!(after >= Duration::from_secs(29), "closed after {after:?}");
    bad_nginx.wait_log(quoted(
        "GW201",
        "upstream timed out (110: Connection timed out) while proxying upgraded connection",
    ));
    // The same silence through the good example: still open.
    assert!(!closed_within(&mut open, Duration::from_millis(500)));
}

#[test]
fn gw210_missing_timeouts() {
    let ok = Backend::http(Behaviour::Ok);
    let silent = Backend::http(Behaviour::Silent);
    let ex = bad("GW210", 1).map("127.0.0.1:8081", &ok.addr());
    let check = proxy::haproxy(&ex).check();
    let warning = quoted("GW210", "missing timeouts for backend 'app'");
    assert!(check.output.contains(warning), "{}", check.output);
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    drop(haproxy);

    // A backend that stops answering holds the request for ever: no answer at all.
    let ex = bad("GW210", 1).map("127.0.0.1:8081", &silent.addr());
    let haproxy = proxy::haproxy(&ex).start();
    let r = try_get(haproxy.port(), "/", Duration::from_millis(2500));
    assert!(r.is_err(), "answered: {r:?}");

    let ex = good("GW210", 1).map("127.0.0.1:8081", &ok.addr());
    let check = proxy::haproxy(&ex).check();
    assert!(check.ok && !check.output.contains("missing timeouts"));
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    drop(haproxy);
    // A backend that answers after 3s, behind the good example, ends in 504 (`sH--`). The
    // page's 30s `timeout server` is shortened to 1s so the test does not wait 30s.
    let slow = Backend::http(Behaviour::Slow(Duration::from_secs(3)));
    let ex = good("GW210", 1)
        .map("127.0.0.1:8081", &slow.addr())
        .map("timeout server 30s", "timeout server 1s");
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 504);
    haproxy.wait_log(quoted("GW210", "sH--"));
}

// ---------------------------------------------------------------- health checks (GW3xx)

/// Counts the page's quoted connect failure in nginx's log.
fn refused_connects(logs: &str) -> usize {
    logs.matches("connect() failed (111: Connection refused) while connecting to upstream")
        .count()
}

#[test]
fn gw301_passive_checks_disabled() {
    quoted(
        "GW301",
        "connect() failed (111: Connection refused) while connecting to upstream",
    );
    let live = Backend::http(Behaviour::Ok);
    let dead = refused();
    let ex = bad("GW301", 1)
        .map("127.0.0.1:8080", &dead)
        .map("127.0.0.1:8081", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..20 {
        // Retried on the live server: the client does not see it...
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
    // ...but the dead server keeps getting its share, every one a failed connect.
    let bad_failures = refused_connects(&nginx.logs());
    assert!(bad_failures >= 9, "{bad_failures} failed connects in 20");

    let ex = good("GW301", 1)
        .map("127.0.0.1:8080", &dead)
        .map("127.0.0.1:8081", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..20 {
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
    // max_fails=3: after three failures the server is skipped for fail_timeout.
    assert_eq!(refused_connects(&nginx.logs()), 3);
}

#[test]
fn gw303_max_conns_without_queue() {
    let slow = || Backend::http(Behaviour::Slow(Duration::from_millis(1500)));
    let (a, b, c) = (slow(), slow(), slow());
    // 230 requests at once against two servers capped at 100 connections each.
    let burst = |port: u16| -> Vec<u16> {
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..230)
                .map(|_| s.spawn(move || get(port, "/").status))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    let ex = bad("GW303", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    let statuses = burst(nginx.port());
    let rejected = statuses.iter().filter(|&&s| s == 502).count();
    assert!(rejected >= 20, "{rejected} answers of 502 in 230");
    assert_eq!(
        rejected + statuses.iter().filter(|&&s| s == 200).count(),
        230
    );
    nginx.wait_log(quoted(
        "GW303",
        "no live upstreams while connecting to upstream",
    ));

    let ex = good("GW303", 1)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.1:8081", &b.addr())
        .map("127.0.0.1:8082", &c.addr());
    let nginx = proxy::nginx(&ex).start();
    assert!(burst(nginx.port()).iter().all(|&s| s == 200));
}

#[test]
fn gw302_next_upstream_off() {
    let live = Backend::http(Behaviour::Ok);
    let dead = refused();
    let ex = bad("GW302", 1)
        .map("127.0.0.1:8080", &dead)
        .map("127.0.0.1:8081", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    let statuses: Vec<u16> = (0..6).map(|_| get(nginx.port(), "/").status).collect();
    // Round robin sends one of the first two requests to the dead server, and it is not
    // retried; then max_fails=1 takes it out for fail_timeout (10s).
    assert!(statuses[..2].contains(&502), "{statuses:?}");
    nginx.wait_log(quoted(
        "GW302",
        "connect() failed (111: Connection refused) while connecting to upstream",
    ));

    let ex = good("GW302", 1)
        .map("127.0.0.1:8080", &dead)
        .map("127.0.0.1:8081", &live.addr())
        .map("127.0.0.1:8082", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..6 {
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
    assert_eq!(get(nginx.port(), "/single/").status, 200);
    assert_eq!(refused_connects(&nginx.logs()), 1);
    drop(nginx);

    // A server restarting in a rolling deploy: it accepts, then closes before answering.
    let closing = Backend::http(Behaviour::CloseBeforeHeaders);
    let ex = bad("GW302", 1)
        .map("127.0.0.1:8080", &closing.addr())
        .map("127.0.0.1:8081", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    let statuses: Vec<u16> = (0..2).map(|_| get(nginx.port(), "/").status).collect();
    assert!(statuses.contains(&502), "{statuses:?}");
    nginx.wait_log("upstream prematurely closed connection while reading response header");
    let ex = good("GW302", 1)
        .map("127.0.0.1:8080", &closing.addr())
        .map("127.0.0.1:8081", &live.addr())
        .map("127.0.0.1:8082", &live.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..4 {
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

// ---------------------------------------------------------------- TLS (GW4xx)

#[test]
fn gw401_http_to_tls_port() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let plain = Backend::http(Behaviour::Ok);
    let lines = [
        "recv() failed (104: Connection reset by peer) while reading response header from upstream",
        "upstream prematurely closed connection while reading response header from upstream",
    ];
    let cases = [
        (
            bad("GW401", 1).map("api.example.com:443", &tls.addr()),
            "/api/",
        ),
        (
            bad("GW401", 2)
                .map("127.0.0.11:8443", &tls.addr())
                .map("127.0.0.12:8443", &tls.addr()),
            "/pay/",
        ),
    ];
    for (ex, path) in cases {
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), path).status, 502);
        let logs = nginx.logs();
        assert!(
            lines.iter().any(|l| logs.contains(quoted("GW401", l))),
            "{logs}"
        );
    }

    let ex = good("GW401", 1)
        .map("127.0.0.11:8443", &tls.addr())
        .map("127.0.0.12:8443", &tls.addr())
        .map("127.0.0.5:8080", &plain.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/pay/").status, 200);
    assert_eq!(get(nginx.port(), "/api/").status, 200);
}

#[test]
fn gw402_https_to_plain_port() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let plain = Backend::http(Behaviour::Ok);
    let ex = bad("GW402", 1).map("127.0.0.5:8080", &plain.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log(quoted(
        "GW402",
        "wrong version number) while SSL handshaking to upstream",
    ));
    // Servers without a port: port 80, where plain HTTP listens (here: a plain backend).
    let ex = bad("GW402", 2)
        .map(
            "server api1.partner.example;",
            &format!("server {};", plain.addr()),
        )
        .map(
            "server api2.partner.example;",
            &format!("server {};", plain.addr()),
        );
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/partner/").status, 502);
    nginx.wait_log("wrong version number) while SSL handshaking to upstream");

    let ex = good("GW402", 1)
        .map("127.0.0.5:8080", &plain.addr())
        .map("api1.partner.example:443", &tls.addr())
        .map("api2.partner.example:443", &tls.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(get(nginx.port(), "/partner/").status, 200);
}

#[test]
fn gw403_tls_without_sni() {
    let fronted = Backend::tls_requiring_sni(&["api.partner.example", "status.partner.example"]);
    let line = quoted(
        "GW403",
        "tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream",
    );
    // No SNI at all.
    let ex = bad("GW403", 1).host("api.partner.example", &fronted.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/partner/").status, 502);
    nginx.wait_log(line);
    // SNI carries the upstream's name, `partner_api`.
    let ex = bad("GW403", 3)
        .map("api1.partner.example:443", &fronted.addr())
        .map("api2.partner.example:443", &fronted.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/partner/").status, 502);
    nginx.wait_log(line);

    let ex = good("GW403", 1)
        .map("api1.partner.example:443", &fronted.addr())
        .map("api2.partner.example:443", &fronted.addr())
        .host("status.partner.example", &fronted.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/partner/").status, 200);
    assert_eq!(get(nginx.port(), "/status/").status, 200);
}

#[test]
fn gw404_verify_without_ca() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let ex = bad("GW404", 1).host("api.partner.example", &tls.addr());
    let message = quoted(
        "GW404",
        "no proxy_ssl_trusted_certificate for proxy_ssl_verify",
    );
    refuses_to_start(&proxy::nginx(&ex), message);
    refuses_to_start(&proxy::nginx(&bad("GW404", 2)), message);
    let ex = bad("GW404", 3).map("127.0.0.7:50051", &tls.addr());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted(
            "GW404",
            "no grpc_ssl_trusted_certificate for grpc_ssl_verify",
        ),
    );

    // Verified against the test's CA, under the name the certificate carries.
    let ex = good("GW404", 1)
        .host("api.partner.example", &tls.addr())
        .map("/etc/ssl/certs/ca-certificates.crt", "{dir}/ca.pem")
        .map("/etc/nginx/ca/internal-ca.pem", "{dir}/ca.pem");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw405_verify_against_upstream_name() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let ex = bad("GW405", 1)
        .map("/etc/nginx/ca/internal-ca.pem", "{dir}/ca.pem")
        .map("127.0.0.11:8443", &tls.addr())
        .map("127.0.0.12:8443", &tls.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/api/").status, 502);
    let line = quoted("GW405", "upstream SSL certificate does not match");
    nginx.wait_log(&format!("{line} \"api_backend\""));

    let ex = good("GW405", 1)
        .map("/etc/nginx/ca/internal-ca.pem", "{dir}/ca.pem")
        .map("127.0.0.11:8443", &tls.addr())
        .map("127.0.0.12:8443", &tls.addr())
        .map("127.0.0.21:8443", &tls.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/api/").status, 200);
    assert_eq!(get(nginx.port(), "/billing/").status, 200);
}

#[test]
fn gw406_outdated_tls_protocols() {
    let modern = Backend::tls(Behaviour::Ok, Versions::Modern);
    let tls13 = Backend::tls(Behaviour::Ok, Versions::Tls13);
    let plain = Backend::http(Behaviour::Ok);
    let ex = bad("GW406", 1).map("127.0.0.5:8443", &modern.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log(quoted(
        "GW406",
        "tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream",
    ));

    // Against a TLS 1.3-only backend: the good example offers TLSv1.3.
    let ex = good("GW406", 1)
        .map("127.0.0.5:8443", &tls13.addr())
        .map("127.0.0.6:8080", &plain.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(get(nginx.port(), "/legacy/").status, 200);
}

// ---------------------------------------------------------------- reuse and buffers (GW5xx)

#[test]
fn gw501_busy_buffers_too_large() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW501", 1).map("127.0.0.1:8080", &b.addr());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted(
            "GW501",
            "\"proxy_busy_buffers_size\" must be less than the size of all \"proxy_buffers\" minus one buffer",
        ),
    );
    let ex = bad("GW501", 2).map("127.0.0.1:9000", &refused());
    refuses_to_start(
        &proxy::nginx(&ex),
        "\"fastcgi_busy_buffers_size\" must be less than the size of all \"fastcgi_buffers\" minus one buffer",
    );
    let ex = bad("GW501", 3).map("127.0.0.1:8080", &b.addr());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted(
            "GW501",
            "\"proxy_busy_buffers_size\" must be equal to or greater than the maximum of the value of \"proxy_buffer_size\" and one of the \"proxy_buffers\"",
        ),
    );

    for n in [1, 2] {
        let ex = good("GW501", n).map("127.0.0.1:8080", &b.addr());
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

#[test]
fn gw502_header_buffer_too_small() {
    // About 3k of response headers: a few cookies and a policy header.
    let b = Backend::http(Behaviour::BigHeaders(3000));
    let ex = bad("GW502", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log(quoted(
        "GW502",
        "upstream sent too big header while reading response header from upstream",
    ));

    let ex = good("GW502", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw503_keepalive_unused() {
    // Five requests through nginx: how many connections did the backend see?
    let connections = |ex: pages::Example, from: &str, behaviour: Behaviour, path: &str| {
        let b = Backend::http(behaviour);
        let nginx = proxy::nginx(&ex.map(from, &b.addr())).start();
        for _ in 0..5 {
            assert_eq!(get(nginx.port(), path).status, 200);
        }
        b.connections()
    };
    // Every request opens its own connection despite `keepalive`: HTTP/1.0, `Connection: close`
    // from the map's default, FastCGI without keep_conn.
    assert_eq!(
        connections(bad("GW503", 1), "127.0.0.1:8080", Behaviour::Ok, "/"),
        5
    );
    assert_eq!(
        connections(bad("GW503", 2), "127.0.0.1:8080", Behaviour::Ok, "/"),
        5
    );
    let php = "/index.php";
    assert_eq!(
        connections(bad("GW503", 3), "127.0.0.1:9000", Behaviour::FastCgi, php),
        5
    );

    let http = good("GW503", 1).map("127.0.0.1:9000", &refused());
    assert_eq!(connections(http, "127.0.0.1:8080", Behaviour::Ok, "/"), 1);
    let fastcgi = good("GW503", 1).map("127.0.0.1:8080", &refused());
    assert_eq!(
        connections(fastcgi, "127.0.0.1:9000", Behaviour::FastCgi, php),
        1
    );
}

// ---------------------------------------------------------------- name resolution (GW6xx)

#[test]
fn gw601_variable_pass_without_resolver() {
    let (blue, green) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = bad("GW601", 1);
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    let line = quoted("GW601", "no resolver defined to resolve");
    nginx.wait_log(&format!("{line} app.internal"));
    // `set $pool backend` with a port: the port makes it a host name, not the upstream.
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW601", 2).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log(&format!("{line} backend"));
    let ex = bad("GW601", 3);
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/svc/orders/").status, 502);
    nginx.wait_log(&format!("{line} orders.svc.internal"));

    let ex = good("GW601", 1)
        .map("127.0.0.1:8081", &blue.addr())
        .map("127.0.0.1:8082", &green.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!((blue.connections(), green.connections()), (1, 0));

    // The resolver the second good example names, served on a loopback port; the backend's
    // port is added to the target (the page's names mean port 80).
    let dns = dns::Dns::start();
    let app = Backend::http(Behaviour::Ok);
    let port = app.addr().rsplit_once(':').unwrap().1.to_string();
    let ex = good("GW601", 2)
        .map("resolver 127.0.0.2 ", &format!("resolver {} ", dns.addr()))
        .map(
            "http://$tenant_backend;",
            &format!("http://$tenant_backend:{port};"),
        );
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(app.connections(), 1);
}

// ---------------------------------------------------------------- the pages

/// Every test a page's "Proof" section names exists here, and every scenario here is named by
/// the page of its rule: what the pages claim as proven is what this file runs.
#[test]
fn pages_name_the_scenarios_that_prove_them() {
    let source = include_str!("proof.rs");
    let scenarios: Vec<&str> = source
        .lines()
        .filter_map(|l| l.strip_prefix("fn gw"))
        .filter_map(|rest| rest.split_once("()").map(|(name, _)| name))
        .collect();
    assert!(scenarios.len() >= 15, "{scenarios:?}");
    for r in gwlint::rules::RULES {
        let Some((_, proof)) = r.page.split_once("\n## Proof\n") else {
            continue;
        };
        let proof = proof.split("\n## ").next().unwrap();
        let named: Vec<&str> = proof
            .split('`')
            .filter_map(|w| w.strip_prefix("gw"))
            .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        assert!(
            !named.is_empty() || proof.trim_start().starts_with("Not "),
            "{}'s Proof section names no scenario and does not say why",
            r.code
        );
        for n in &named {
            assert!(
                scenarios.contains(n),
                "{} names gw{n}, which is not here",
                r.code
            );
        }
        let code = r.code.to_ascii_lowercase();
        for s in scenarios.iter().filter(|s| code.ends_with(&s[..3])) {
            assert!(named.contains(s), "{}'s page does not name gw{s}", r.code);
        }
    }
}
