//! Proof against the real proxies: each scenario runs a rule page's bad example in nginx or
//! HAProxy and shows the failure the page promises (the status code, the refusal to start, the
//! log line), then the good example and shows it works; gwlint reports the rule on the first
//! and nothing on the second.
//!
//! `cargo test --release --features proof --test proof`; needs `nginx`, `haproxy` and `apache2` on
//! the machine (Debian's packages) and fails when they are missing. Everything runs on loopback,
//! on ports the kernel picks; every process is stopped when its guard is dropped.
//!
//! The examples are run as the pages show them, except for what one machine needs: `listen`
//! and `bind` move to a free port, the example's backend addresses are mapped to the test's
//! backends (`map`), DNS names are served as upstream blocks (`host`), and CA paths point at
//! the test's CA. Any other change is said in the scenario.

#[path = "proof/apache.rs"]
mod apache;
#[path = "proof/backend.rs"]
mod backend;
#[path = "common/pages.rs"]
mod common_pages;
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
use net::{closed_within, get, refused, request, try_get, websocket, websocket_status};
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

/// Asserts the proxy's own check passes on a good example.
fn accepted(prepared: &proxy::Prepared) {
    let check = prepared.check();
    assert!(check.ok, "the check failed:\n{}", check.output);
}

/// The refusals of the directive tables (GW020-GW027): each bad example is refused with the
/// message its page quotes, and the good example passes the check.
fn refused_then_accepted(code: &'static str, cases: &[(usize, &'static str)], goods: usize) {
    for &(n, message) in cases {
        let ex = bad(code, n);
        let prepared = if ex.files[0].0.ends_with(".cfg") {
            proxy::haproxy(&ex)
        } else {
            proxy::nginx(&ex)
        };
        refuses_to_start(&prepared, quoted(code, message));
    }
    for n in 1..=goods {
        let ex = good(code, n);
        if ex.files[0].0.ends_with(".cfg") {
            accepted(&proxy::haproxy(&ex));
        } else {
            accepted(&proxy::nginx(&ex));
        }
    }
}

#[test]
fn gw020_unknown_directive() {
    refused_then_accepted(
        "GW020",
        &[
            (1, "unknown directive \"proxy_pas\""),
            (2, "unknown keyword 'chek'; did you mean 'check' maybe ?"),
            (3, "but got 'ydeny'. Did you mean 'deny' maybe ?"),
        ],
        2,
    );
}

#[test]
fn gw021_directive_not_allowed_here() {
    refused_then_accepted(
        "GW021",
        &[
            (1, "\"proxy_pass\" directive is not allowed here"),
            (
                2,
                "'server' not allowed because frontend 'www' has no backend capability.",
            ),
            (
                3,
                "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'",
            ),
        ],
        3,
    );
}

#[test]
fn gw022_invalid_arguments() {
    refused_then_accepted(
        "GW022",
        &[
            (
                1,
                "invalid number of arguments in \"ssl_ciphers\" directive",
            ),
            (2, "'inter' expects a delay as argument"),
            (3, "'maxconn' cannot handle unexpected argument 'retries'."),
        ],
        3,
    );
}

#[test]
fn gw023_invalid_value() {
    refused_then_accepted(
        "GW023",
        &[
            (
                1,
                "invalid value \"yes\" in \"proxy_buffering\" directive, it must be \"on\" or \"off\"",
            ),
            (2, "unknown proxy mode 'htp'."),
            (3, "invalid parameter \"bakup\""),
        ],
        3,
    );
}

#[test]
fn gw024_duplicate_directive() {
    refused_then_accepted(
        "GW024",
        &[
            (1, "\"proxy_pass\" directive is duplicate"),
            (
                2,
                "frontend 'www' has the same name as frontend 'www' declared at",
            ),
        ],
        2,
    );
}

#[test]
fn gw025_not_in_version() {
    refused_then_accepted(
        "GW025",
        &[
            (1, "unknown directive \"http2\""),
            (2, "nbproc is not supported any more since HAProxy 2.5"),
            (
                3,
                "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
            ),
        ],
        2,
    );
}

#[test]
fn gw026_option_not_negatable() {
    refused_then_accepted(
        "GW026",
        &[(1, "negation/default is not supported for option 'httpchk'.")],
        1,
    );
}

#[test]
fn gw027_program_without_master_worker() {
    refused_then_accepted(
        "GW027",
        &[(
            1,
            "Can't use a 'program' section without master worker mode.",
        )],
        1,
    );
}

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
    drop(haproxy);

    // A `use_backend` one character off the backend's name.
    let v2 = Backend::http(Behaviour::Ok);
    let ex = bad("GW101", 4)
        .map("127.0.0.1:8081", &b.addr())
        .map("127.0.0.1:8082", &v2.addr());
    let message = quoted("GW101", "unable to find required use_backend: 'api_v2'");
    refuses_to_start(&proxy::haproxy(&ex), message);
    let ex = good("GW101", 3)
        .map("127.0.0.1:8081", &b.addr())
        .map("127.0.0.1:8082", &v2.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/v2/orders").status, 200);
    haproxy.wait_line(&["www api-v2/b ", " 200 ", "/v2/orders"]);
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
fn gw105_all_servers_disabled_haproxy() {
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    // The servers are alive: `disabled` alone makes every request fail.
    let ex = bad("GW105", 3)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    for _ in 0..3 {
        assert_eq!(get(haproxy.port(), "/off").status, 503);
    }
    haproxy.wait_line(&[
        "www app/<NOSRV> ",
        quoted("GW105", "SC--"),
        " 503 ",
        "GET /off ",
    ]);
    // Not even checked: a disabled server gets no connection at all.
    assert_eq!(a.connections() + b.connections(), 0);
    drop(haproxy);

    let ex = good("GW105", 3)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    for _ in 0..3 {
        assert_eq!(get(haproxy.port(), "/").status, 200);
    }
    haproxy.wait_line(&["www app/a ", " 200 "]);
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

#[test]
fn gw122_undefined_acl() {
    let switching = "error detected while parsing switching rule : no such ACL : ";
    // A misspelt name, and a name used above the line that defines it.
    let output = refuses_to_start(&proxy::haproxy(&bad("GW122", 1)), switching);
    assert!(output.contains(&format!("{switching}'is_aip'")), "{output}");
    refuses_to_start(
        &proxy::haproxy(&bad("GW122", 2)),
        quoted(
            "GW122",
            "error detected while parsing switching rule : no such ACL : 'is_api'",
        ),
    );

    let (api, app) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = good("GW122", 1)
        .map("127.0.0.1:8081", &api.addr())
        .map("127.0.0.1:8082", &app.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/api/orders").status, 200);
    haproxy.wait_line(&["www api/a ", " 200 ", "/api/orders"]);
    assert_eq!(get(haproxy.port(), "/").status, 200);
    haproxy.wait_line(&["www app/b ", " 200 "]);
}

#[test]
fn gw123_duplicate_server() {
    let (a, b, c) = (
        Backend::http(Behaviour::Ok),
        Backend::http(Behaviour::Ok),
        Backend::http(Behaviour::Ok),
    );
    let ex = bad("GW123", 1)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr());
    // (The line numbers differ from the page's: the log settings are added above.)
    refuses_to_start(
        &proxy::haproxy(&ex),
        quoted(
            "GW123",
            "backend 'app', another server named 'web' was already defined at line",
        ),
    );

    let ex = good("GW123", 1)
        .map("127.0.0.1:8081", &a.addr())
        .map("127.0.0.1:8082", &b.addr())
        .map("127.0.0.1:9001", &c.addr());
    let haproxy = proxy::haproxy(&ex).start();
    for path in ["/", "/", "/api/"] {
        assert_eq!(get(haproxy.port(), path).status, 200);
    }
    for server in ["www app/web1 ", "www app/web2 ", "www api/web1 "] {
        haproxy.wait_line(&[server, " 200 "]);
    }
}

#[test]
fn gw124_dynamic_backend_without_default() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW124", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    // A Host that names a backend is served...
    assert_eq!(request(haproxy.port(), "GET", "/", "api:8080").status, 200);
    // ...any other gets the frontend's own 503.
    assert_eq!(
        request(haproxy.port(), "GET", "/", "scanner.example").status,
        503
    );
    haproxy.wait_line(&["www www/<NOSRV> ", " 503 ", quoted("GW124", "SC--")]);
    drop(haproxy);

    let ex = good("GW124", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(
        request(haproxy.port(), "GET", "/", "scanner.example").status,
        200
    );
    drop(haproxy);
    // The map's default names a backend (the map file, empty on the page, holds one entry).
    let ex = good("GW124", 2)
        .map("127.0.0.1:8081", &b.addr())
        .map("/etc/haproxy/hosts.map", "{dir}/hosts.map")
        .with_file("hosts.map", "shop.example api\n");
    let haproxy = proxy::haproxy(&ex).start();
    for host in ["shop.example", "scanner.example"] {
        assert_eq!(request(haproxy.port(), "GET", "/", host).status, 200);
    }
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
fn gw204_read_timeout_below_response_time() {
    // The page's times divided by 30: `fastcgi_read_timeout 30s` is 1s, the script's
    // 2 minutes 4s.
    let php = Backend::http(Behaviour::SlowFastCgi(Duration::from_secs(4)));
    let ex = bad("GW204", 2)
        .map("127.0.0.1:9000", &php.addr())
        .map("fastcgi_read_timeout 30s", "fastcgi_read_timeout 1s");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/export.php").status, 504);
    nginx.wait_log(quoted(
        "GW204",
        "upstream timed out (110: Connection timed out) while reading response header from upstream",
    ));

    // The good example's 100s against a 90s report, here 4s against 3s.
    let reports = Backend::http(Behaviour::Slow(Duration::from_secs(3)));
    let ex = good("GW204", 1)
        .map("127.0.0.1:8080", &reports.addr())
        .map("proxy_read_timeout 100s", "proxy_read_timeout 4s");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/reports/monthly").status, 200);
}

#[test]
fn gw204_read_timeout_below_response_time_haproxy() {
    // The page's times divided by 30: `timeout server 30s` is 1s, the 90s report 3s.
    let reports = Backend::http(Behaviour::Slow(Duration::from_secs(3)));
    let ex = bad("GW204", 3)
        .map("127.0.0.1:8081", &reports.addr())
        .map("timeout server 30s", "timeout server 1s");
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/reports/monthly").status, 504);
    haproxy.wait_line(&["www reports/r1 ", quoted("GW204", "sH--"), " 504 "]);
    drop(haproxy);

    let ex = good("GW204", 2)
        .map("127.0.0.1:8081", &reports.addr())
        .map("timeout server 30s", "timeout server 1s")
        .map("timeout server 100s", "timeout server 4s");
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/reports/monthly").status, 200);
}

#[test]
fn gw205_settings_before_named_location() {
    // The backend takes 2s; the timeout the page writes as 300s is 1s here, so where it
    // applies the request ends in 504, and where it does not (the bad example) in 200.
    let slow = Backend::http(Behaviour::Slow(Duration::from_secs(2)));
    let ex = bad("GW205", 1)
        .map("127.0.0.1:8080", &slow.addr())
        .map("proxy_read_timeout 300s", "proxy_read_timeout 1s");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/report").status, 200);
    drop(nginx);

    let ex = good("GW205", 1)
        .map("127.0.0.1:8080", &slow.addr())
        .map("proxy_read_timeout 300s", "proxy_read_timeout 1s");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/report").status, 504);
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

/// The retries of an HAProxy log line: the last of `actconn/feconn/beconn/srv_conn/retries`
/// (`+` when the last one went to another server), the second field of five numbers (the
/// timers `Tq/Tw/Tc/Tr/Ta` are the first).
fn retries(line: &str) -> u32 {
    line.split_whitespace()
        .filter(|w| {
            let parts: Vec<&str> = w.split('/').collect();
            parts.len() == 5
                && parts
                    .iter()
                    .all(|n| n.trim_start_matches('+').parse::<i64>().is_ok())
        })
        .nth(1)
        .and_then(|w| w.rsplit('/').next())
        .and_then(|r| r.trim_start_matches('+').parse().ok())
        .unwrap_or_else(|| panic!("no retries field in {line}"))
}

#[test]
fn gw304_no_retries() {
    // A server that restarts: up when HAProxy starts (its first check, at once, passes, and
    // a request is answered), then its port refuses for a moment. (One failed check later
    // leaves it UP: it takes `fall 3`.)
    let port = net::free_port();
    let addr = format!("127.0.0.1:{port}");
    let ex = bad("GW304", 1).map("127.0.0.1:8081", &addr);
    let server = Backend::http_on(port, Behaviour::Ok);
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    drop(server);
    let start = std::time::Instant::now();
    assert_eq!(get(haproxy.port(), "/").status, 503);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let line = haproxy.wait_line(&["www app/a ", " 503 ", quoted("GW304", "SC--")]);
    assert_eq!(retries(&line), 0, "{line}");
    drop(haproxy);

    // The same restart, the port back after 300ms: HAProxy's retry, one second after the
    // refused connect, finds it.
    let ex = good("GW304", 1).map("127.0.0.1:8081", &addr);
    let server = Backend::http_on(port, Behaviour::Ok);
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    drop(server);
    let back = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        Backend::http_on(port, Behaviour::Ok)
    });
    assert_eq!(get(haproxy.port(), "/orders").status, 200);
    let _server = back.join().unwrap();
    let line = haproxy.wait_line(&["www app/a ", " 200 ", "/orders"]);
    assert!(retries(&line) >= 1, "{line}");
}

#[test]
fn gw305_backend_without_checks() {
    let live = Backend::http(Behaviour::Ok);
    let dead = refused();
    let ex = bad("GW305", 1)
        .map("127.0.0.1:8081", &dead)
        .map("127.0.0.1:8082", &live.addr());
    let haproxy = proxy::haproxy(&ex).start();
    // Round robin: one request of two goes to the dead server, and stays there (3 retries).
    let mut statuses = [
        get(haproxy.port(), "/").status,
        get(haproxy.port(), "/").status,
    ];
    statuses.sort();
    assert_eq!(statuses, [200, 503]);
    let line = haproxy.wait_line(&["www app/a ", " 503 ", quoted("GW305", "SC--")]);
    assert_eq!(retries(&line), 3, "{line}");
    drop(haproxy);

    let ex = good("GW305", 1)
        .map("127.0.0.1:8081", &dead)
        .map("127.0.0.1:8082", &live.addr());
    let haproxy = proxy::haproxy(&ex).start();
    haproxy.wait_line_within(&["Server app/a is DOWN"], Duration::from_secs(10));
    for _ in 0..6 {
        assert_eq!(get(haproxy.port(), "/").status, 200);
    }
}

/// The bad and the good example side by side, in front of one server that accepts
/// connections and closes them without an answer: the good one's HTTP check marks it DOWN,
/// the bad one keeps sending it requests (502 `SH--`) and never logs a check.
fn checked_only_by_the_good(code: &'static str) {
    let broken = Backend::http(Behaviour::CloseBeforeHeaders);
    let unchecked = proxy::haproxy(&bad(code, 1).map("127.0.0.1:8081", &broken.addr())).start();
    let checked = proxy::haproxy(&good(code, 1).map("127.0.0.1:8081", &broken.addr())).start();
    checked.wait_line_within(&["Server app/a is DOWN"], Duration::from_secs(10));
    assert_eq!(get(checked.port(), "/").status, 503);
    checked.wait_line(&["www app/<NOSRV> ", " 503 ", "SC--"]);
    assert_eq!(get(unchecked.port(), "/").status, 502);
    unchecked.wait_line(&["www app/a ", " 502 ", "SH--"]);
    assert!(
        !unchecked.logs().contains("is DOWN"),
        "{}",
        unchecked.logs()
    );
    drop((unchecked, checked));

    let ok = Backend::http(Behaviour::Ok);
    let haproxy = proxy::haproxy(&good(code, 1).map("127.0.0.1:8081", &ok.addr())).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}

#[test]
fn gw306_httpchk_without_check() {
    let ex = bad("GW306", 1);
    let check = proxy::haproxy(&ex).check();
    assert!(
        check.ok && !check.output.contains("WARNING"),
        "{}",
        check.output
    );
    checked_only_by_the_good("GW306");
}

#[test]
fn gw307_http_check_without_httpchk() {
    let warning = quoted(
        "GW307",
        "backend 'app' uses http-check rules without 'option httpchk', so the rules are ignored.",
    );
    let check = proxy::haproxy(&bad("GW307", 1)).check();
    assert!(
        check.ok && check.output.contains(warning),
        "{}",
        check.output
    );
    let check = proxy::haproxy(&good("GW307", 1)).check();
    assert!(
        check.ok && !check.output.contains(warning),
        "{}",
        check.output
    );
    // Without `option httpchk` the check is a TCP connect, which the broken server passes.
    checked_only_by_the_good("GW307");
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
        (
            bad("GW401", 4)
                .map("10.0.0.10:6443", &tls.addr())
                .map("10.0.0.11:6443", &tls.addr()),
            "/k8s/",
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
    // nginx proxying to its own plain listener: every listener is on the one port here.
    let ex = bad("GW402", 4).map("127.0.0.1:8081", "127.0.0.1:{port}");
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_line(&[
        "wrong version number) while SSL handshaking to upstream",
        &format!("upstream: \"https://127.0.0.1:{}/\"", nginx.port()),
    ]);
    // Declared plain in gwlint.toml (`tls = false`): a plain backend.
    let ex = bad("GW402", 5).map("10.0.0.20:9080", &plain.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/legacy/").status, 502);
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
fn gw401_http_to_tls_port_haproxy() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let ex = bad("GW401", 3).map("127.0.0.11:8443", &tls.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 502);
    haproxy.wait_line(&["www payments/pay1 ", quoted("GW401", "SH--"), " 502 "]);
    drop(haproxy);

    // Verified against the test's CA.
    let ex = good("GW401", 3)
        .map("127.0.0.11:8443", &tls.addr())
        .map("/etc/ssl/certs/ca-certificates.crt", "{dir}/ca.pem");
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}

#[test]
fn gw402_https_to_plain_port_haproxy() {
    let tls = Backend::tls(Behaviour::Ok, Versions::Modern);
    let plain = Backend::http(Behaviour::Ok);
    let plain_at = format!("{} ", plain.addr());
    let ex = bad("GW402", 3).map("127.0.0.5:80 ", &plain_at);
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 503);
    haproxy.wait_line(&[" 503 ", quoted("GW402", "SC--")]);
    drop(haproxy);

    let ex = good("GW402", 2)
        .map("127.0.0.5:80 ", &plain_at)
        .map("127.0.0.6:443", &tls.addr());
    let haproxy = proxy::haproxy(&ex).start();
    for _ in 0..4 {
        assert_eq!(get(haproxy.port(), "/").status, 200);
    }
    // Round robin: both servers answered, the plain one and the TLS one.
    haproxy.wait_line(&["www app/a ", " 200 "]);
    haproxy.wait_line(&["www app/b ", " 200 "]);
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

/// Apache httpd with two name-based TLS virtual hosts: without SNI it answers a Host naming
/// the second with 421; the first (the default) and SNI that names the site are served.
#[test]
fn gw407_forwarded_host_without_sni() {
    let apache = apache::Apache::sites(&["www.example.com", "shop.example.com"]);
    let line = [quoted(
        "GW407",
        "AH02032: Hostname www.example.com (default host as no SNI was provided) and hostname shop.example.com provided via HTTP have no compatible SSL setup",
    )];
    // An SNI that names no virtual host (bad example 4, an upstream's name).
    let unnamed = [quoted(
        "GW407",
        "AH02032: Hostname sites provided via SNI and hostname shop.example.com provided via HTTP have no compatible SSL setup",
    )];
    let misdirected = |port: u16, seen: &mut usize, line: &[&str]| {
        assert_eq!(
            request(port, "GET", "/index.html", "shop.example.com").status,
            421
        );
        let now = apache.count(line);
        assert!(now > *seen, "no AH02032 line:\n{}", apache.logs());
        *seen = now;
        // The default virtual host is served without SNI.
        assert_eq!(
            request(port, "GET", "/index.html", "www.example.com").status,
            200
        );
    };
    let mut seen = 0;
    let ex = bad("GW407", 1).map("127.0.0.1:8443", &apache.addr());
    let nginx = proxy::nginx(&ex).start();
    misdirected(nginx.port(), &mut seen, &line);
    let ex = bad("GW407", 2)
        .map("127.0.0.11:8443", &apache.addr())
        .map("127.0.0.12:8443", &apache.addr());
    let nginx = proxy::nginx(&ex).start();
    misdirected(nginx.port(), &mut seen, &line);
    let ex = bad("GW407", 3).map("127.0.0.1:8443", &apache.addr());
    let haproxy = proxy::haproxy(&ex).start();
    misdirected(haproxy.port(), &mut seen, &line);
    let ex = bad("GW407", 4).map("127.0.0.13:8443", &apache.addr());
    let nginx = proxy::nginx(&ex).start();
    let mut unnamed_seen = 0;
    misdirected(nginx.port(), &mut unnamed_seen, &unnamed);

    // SNI that names the site the Host names.
    let ex = good("GW407", 1).map("127.0.0.1:8443", &apache.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(
        request(nginx.port(), "GET", "/index.html", "shop.example.com").status,
        200
    );
    // nginx's default Host, the address, names no virtual host.
    let ex = good("GW407", 2).map("127.0.0.1:8443", &apache.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(
        request(nginx.port(), "GET", "/index.html", "shop.example.com").status,
        200
    );
    let ex = good("GW407", 3).map("127.0.0.1:8443", &apache.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(
        request(haproxy.port(), "GET", "/index.html", "shop.example.com").status,
        200
    );
    assert_eq!(apache.count(&line), seen, "{}", apache.logs());
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
fn gw404_verify_without_ca_haproxy() {
    refuses_to_start(
        &proxy::haproxy(&bad("GW404", 4)),
        quoted(
            "GW404",
            "verify is enabled by default but no CA file specified",
        ),
    );
    refuses_to_start(
        &proxy::haproxy(&bad("GW404", 5)),
        quoted("GW404", "verify is enabled but no CA file specified."),
    );

    // The CA given in `defaults` serves both backends; `verify none` on the second.
    let (a, b) = (
        Backend::tls(Behaviour::Ok, Versions::Modern),
        Backend::tls(Behaviour::Ok, Versions::Modern),
    );
    let ex = good("GW404", 3)
        .map("@system-ca", "{dir}/ca.pem")
        .map("127.0.0.5:443", &a.addr())
        .map("127.0.0.6:443", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    assert_eq!(get(haproxy.port(), "/internal/").status, 200);
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

    // A backend that sends 12k of headers, as declared (16k at most): the default 4k buffer
    // fails, 32k holds them.
    let big = Backend::http(Behaviour::BigHeaders(12 * 1024));
    let ex = bad("GW502", 3).map("127.0.0.1:8080", &big.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log("upstream sent too big header while reading response header from upstream");
    let ex = good("GW502", 2).map("127.0.0.1:8080", &big.addr());
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
    // uwsgi: the backend would take the next request on the connection; nginx closes it.
    assert_eq!(
        connections(bad("GW503", 4), "127.0.0.1:3031", Behaviour::Uwsgi, "/"),
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

/// Polls `done` every 20ms for up to `timeout`; true once it holds.
fn until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn gw504_keepalive_race() {
    // The pages' times divided by 5: the backend's 5s idle timeout is 1s here, the good
    // example's `keepalive_timeout 4s` 800ms. The backend's close always crosses the next
    // request on a connection idle that long (Behaviour::IdleClose): the race, every time.
    let idle = Duration::from_secs(1);
    let after_idle = idle + Duration::from_millis(200);
    let post = |port| request(port, "POST", "/orders", "localhost").status;
    let closed = quoted(
        "GW504",
        "upstream prematurely closed connection while reading response header from upstream",
    );
    let app = Backend::http(Behaviour::IdleClose(idle));
    let ex = bad("GW504", 1).map("127.0.0.1:3000", &app.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(post(nginx.port()), 200);
    std::thread::sleep(after_idle);
    // nginx (keepalive_timeout 60s) reuses the connection the backend has closed.
    assert_eq!(post(nginx.port()), 502);
    nginx.wait_log(closed);
    // A GET meets the same close, and nginx sends it again on a new connection.
    assert_eq!(get(nginx.port(), "/").status, 200);
    std::thread::sleep(after_idle);
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(nginx.logs().matches(closed).count(), 2);
    assert_eq!(app.connections(), 3);
    drop(nginx);

    // Two servers, one of them (127.0.0.2:8000, idle timeout 2s: 400ms here) racing.
    let (steady, racing) = (
        Backend::http(Behaviour::Ok),
        Backend::http(Behaviour::IdleClose(Duration::from_millis(400))),
    );
    let ex = bad("GW504", 2)
        .map("127.0.0.1:8000", &steady.addr())
        .map("127.0.0.2:8000", &racing.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!((post(nginx.port()), post(nginx.port())), (200, 200));
    std::thread::sleep(Duration::from_millis(600));
    let mut after = [post(nginx.port()), post(nginx.port())];
    after.sort();
    assert_eq!(after, [200, 502]);
    drop(nginx);

    // nginx closes its idle connection first (800ms < 1s): the next POST, after the
    // backend's idle timeout, goes out on a new connection.
    let app = Backend::http(Behaviour::IdleClose(idle));
    let ex = good("GW504", 1)
        .map("127.0.0.1:3000", &app.addr())
        .map("keepalive_timeout 4s", "keepalive_timeout 800ms");
    let nginx = proxy::nginx(&ex).start();
    let start = std::time::Instant::now();
    assert_eq!(post(nginx.port()), 200);
    assert!(until(Duration::from_secs(5), || app.closed_by_proxy() == 1));
    std::thread::sleep(after_idle.saturating_sub(start.elapsed()));
    assert_eq!(post(nginx.port()), 200);
    assert_eq!(app.connections(), 2);
    assert!(!nginx.logs().contains(closed));
}

#[test]
fn gw505_http_reuse_without_retry() {
    // The backend's idle timeout runs out just as the next request comes on a connection: every
    // reused connection meets its close.
    let app = Backend::http(Behaviour::IdleClose(Duration::ZERO));
    let ex = bad("GW505", 1).map("127.0.0.1:8081", &app.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    // Another client, and `http-reuse always` sends it on the first one's idle connection.
    assert_eq!(get(haproxy.port(), "/next").status, 502);
    haproxy.wait_line(&["www app/a ", " 502 ", quoted("GW505", "SH--"), "/next"]);
    drop(haproxy);

    let ex = good("GW505", 1).map("127.0.0.1:8081", &app.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    // The empty response is retried on a new connection.
    assert_eq!(get(haproxy.port(), "/next").status, 200);
    let line = haproxy.wait_line(&["www app/a ", " 200 ", "/next"]);
    assert!(retries(&line) >= 1, "{line}");
}

#[test]
fn gw506_small_bufsize() {
    // 12 000 bytes of response headers: more than 8192 less the 1024 HAProxy keeps for
    // rewrites, less than the default 16384.
    let b = Backend::http(Behaviour::BigHeaders(12_000));
    let ex = bad("GW506", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 502);
    haproxy.wait_line(&["www app/a ", " 502 ", quoted("GW506", "PH--")]);
    drop(haproxy);

    let ex = good("GW506", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
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

#[test]
fn gw602_hostname_resolved_at_start() {
    // What one machine can show: the name is resolved when the configuration is read, so a
    // name that does not resolve then stops nginx.
    let check = proxy::nginx(&bad("GW602", 1)).check();
    let message = quoted("GW602", "host not found in upstream");
    assert!(
        !check.ok
            && check
                .output
                .contains(&format!("{message} \"api.internal.example\"")),
        "{}",
        check.output
    );

    // The variable is resolved per request, by the `resolver` (a loopback DNS server here).
    let dns = dns::Dns::start();
    let api = Backend::http(Behaviour::Ok);
    let port = api.addr().rsplit_once(':').unwrap().1.to_string();
    let ex = good("GW602", 1)
        .map("resolver 127.0.0.53 ", &format!("resolver {} ", dns.addr()))
        .map(
            "api.internal.example:8080",
            &format!("api.internal.example:{port}"),
        );
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    let (a, b) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = good("GW602", 2)
        .map("127.0.0.1:8080", &a.addr())
        .map("127.0.0.2:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw604_upstream_resolve_unusable() {
    // nginx 1.22 does not know the parameter, zone or not.
    let message = quoted("GW604", "invalid parameter \"resolve\"");
    for n in [1, 2] {
        refuses_at(&proxy::nginx(&bad("GW604", n)), message, "nginx.conf:");
    }

    let dns = dns::Dns::start();
    let api = Backend::http(Behaviour::Ok);
    let port = api.addr().rsplit_once(':').unwrap().1.to_string();
    let ex = good("GW604", 1)
        .map("resolver 127.0.0.53 ", &format!("resolver {} ", dns.addr()))
        .map(
            "api.internal.example:8080",
            &format!("api.internal.example:{port}"),
        );
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(api.connections(), 1);
}

#[test]
fn gw605_server_resolved_once() {
    // The name does not resolve here: HAProxy does not start.
    let output = refuses_to_start(
        &proxy::haproxy(&bad("GW605", 1)),
        quoted("GW605", "could not resolve address 'app.internal.example'"),
    );
    assert!(
        output.contains(quoted("GW605", "Failed to initialize server(s) addr.")),
        "{output}"
    );

    // With `resolvers` (a loopback DNS server here) HAProxy starts without the address and
    // finds it at run time.
    let dns = dns::Dns::start();
    let app = Backend::http(Behaviour::Ok);
    let port = app.addr().rsplit_once(':').unwrap().1.to_string();
    let ex = good("GW605", 1).map("127.0.0.53:53", &dns.addr()).map(
        "app.internal.example:8080",
        &format!("app.internal.example:{port}"),
    );
    let haproxy = proxy::haproxy(&ex).start();
    assert!(until(Duration::from_secs(10), || get(haproxy.port(), "/")
        .status
        == 200));
    haproxy.wait_line(&["www app/a ", " 200 "]);
}

// ---------------------------------------------------------------- the pages

/// Every rule page has a "Proof" section; every scenario it names exists (`gw…` here,
/// `proof_…` in tests/chain_proof.rs), and every scenario here is named by the page of its
/// rule: what the pages claim as proven is what the suites run. A section that names no
/// scenario says why, starting with "Not".
#[test]
fn pages_name_the_scenarios_that_prove_them() {
    let scenarios_of = |source: &'static str, prefix: &str| -> Vec<&'static str> {
        source
            .lines()
            .filter_map(|l| l.strip_prefix("fn "))
            .filter(|rest| rest.starts_with(prefix))
            .filter_map(|rest| rest.split_once("()").map(|(name, _)| name))
            .collect()
    };
    let scenarios = scenarios_of(include_str!("proof.rs"), "gw");
    let chains = scenarios_of(include_str!("chain_proof.rs"), "proof_");
    assert!(scenarios.len() >= 15, "{scenarios:?}");
    assert!(!chains.is_empty());
    for r in gwlint::rules::RULES {
        let (_, proof) = r
            .page
            .split_once("\n## Proof\n")
            .unwrap_or_else(|| panic!("{}'s page has no Proof section", r.code));
        let proof = proof.split("\n## ").next().unwrap();
        let named: Vec<&str> = proof
            .split('`')
            .filter(|w| w.starts_with("gw") || w.starts_with("proof_"))
            .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        assert!(
            !named.is_empty() || proof.trim_start().starts_with("Not "),
            "{}'s Proof section names no scenario and does not say why",
            r.code
        );
        for n in &named {
            assert!(
                scenarios.contains(n) || chains.contains(n),
                "{} names {n}, which no proof suite has",
                r.code
            );
        }
        let code = r.code.to_ascii_lowercase();
        for s in scenarios.iter().filter(|s| s[..5] == code[..]) {
            assert!(named.contains(s), "{}'s page does not name {s}", r.code);
        }
    }
}

#[test]
fn gw028_tls_listener_without_certificate() {
    refused_then_accepted(
        "GW028",
        &[
            (
                1,
                "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive",
            ),
            (
                2,
                "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive",
            ),
            (3, "no SSL certificate specified for bind '"),
        ],
        2,
    );
}

#[test]
fn gw110_server_address_invalid() {
    let b = Backend::http(Behaviour::Ok);
    for n in 1..=2 {
        let ex = bad("GW110", n).map("127.0.0.1:8080", &refused());
        refuses_to_start(
            &proxy::nginx(&ex),
            quoted("GW110", "invalid host in upstream"),
        );
    }
    let ex = good("GW110", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw111_pass_uri_not_allowed() {
    let b = Backend::http(Behaviour::Ok);
    for n in 1..=2 {
        let ex = bad("GW111", n).map("127.0.0.1:8080", &refused());
        refuses_to_start(
            &proxy::nginx(&ex),
            quoted(
                "GW111",
                "\"proxy_pass\" cannot have URI part in location given by regular expression",
            ),
        );
    }
    let ex = good("GW111", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/api/x").status, 200);
}

#[test]
fn gw606_resolver_variable() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW606", 1).map("127.0.0.1:8080", &refused());
    refuses_to_start(
        &proxy::nginx(&ex),
        quoted("GW606", "host not found in resolver \"$dns_server\""),
    );
    let ex = good("GW606", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
}

#[test]
fn gw308_limit_req_without_burst() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW308", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(get(nginx.port(), "/").status, 503);
    nginx.wait_log(quoted("GW308", "limiting requests, excess:"));
    drop(nginx);

    let ex = good("GW308", 1).map("127.0.0.1:8080", &b.addr());
    let nginx = proxy::nginx(&ex).start();
    for _ in 0..2 {
        assert_eq!(get(nginx.port(), "/").status, 200);
    }
}

#[test]
fn gw125_frontend_without_default() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW125", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(
        request(haproxy.port(), "GET", "/", "shop.example").status,
        503
    );
    haproxy.wait_line(&["www www/<NOSRV> ", " 503 ", quoted("GW125", "SC--")]);
    drop(haproxy);

    let ex = bad("GW125", 2).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(
        request(haproxy.port(), "GET", "/", "shop.example").status,
        200
    );
    assert_eq!(
        request(haproxy.port(), "GET", "/", "shop.example:8080").status,
        503
    );
    haproxy.wait_line(&["www www/<NOSRV> ", " 503 "]);
    drop(haproxy);

    let ex = good("GW125", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    for host in ["shop.example", "shop.example:8080"] {
        assert_eq!(
            request(haproxy.port(), "GET", "/", host).status,
            200,
            "{host}"
        );
    }
}

#[test]
fn gw309_httpchk_method_as_uri() {
    let b = Backend::http(Behaviour::Ok);
    let ex = bad("GW309", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    haproxy.wait_line_within(
        &[
            "Server app/a is DOWN",
            quoted("GW309", "Layer7 wrong status, code: 400"),
        ],
        Duration::from_secs(10),
    );
    assert_eq!(get(haproxy.port(), "/").status, 503);
    drop(haproxy);

    let ex = good("GW309", 1).map("127.0.0.1:8081", &b.addr());
    let haproxy = proxy::haproxy(&ex).start();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(get(haproxy.port(), "/").status, 200);
    assert!(!haproxy.logs().contains("is DOWN"), "{}", haproxy.logs());
}

#[test]
fn gw112_upgrade_from_connection_map() {
    let ws = Backend::http(Behaviour::QuietWebSocket);
    let ex = bad("GW112", 1).map("127.0.0.1:8080", &ws.addr());
    let nginx = proxy::nginx(&ex).start();
    let status = websocket_status(nginx.port(), "/ws/");
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    drop(nginx);

    let ex = good("GW112", 1).map("127.0.0.1:8080", &ws.addr());
    let nginx = proxy::nginx(&ex).start();
    let status = websocket_status(nginx.port(), "/ws/");
    assert!(status.starts_with("HTTP/1.1 101"), "{status}");
}

#[test]
fn gw113_websocket_over_http10() {
    let ws = Backend::http(Behaviour::QuietWebSocket);
    let ex = bad("GW113", 1).map("127.0.0.1:8080", &ws.addr());
    let nginx = proxy::nginx(&ex).start();
    let status = websocket_status(nginx.port(), "/ws/");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    drop(nginx);

    let ex = good("GW113", 1).map("127.0.0.1:8080", &ws.addr());
    let nginx = proxy::nginx(&ex).start();
    let status = websocket_status(nginx.port(), "/ws/");
    assert!(status.starts_with("HTTP/1.1 101"), "{status}");
}

#[test]
fn gw115_fastcgi_pass_to_http_port() {
    let http = Backend::http(Behaviour::Ok);
    let ex = bad("GW115", 1).map("127.0.0.1:8080", &http.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/index.php").status, 502);
    nginx.wait_log("upstream sent unsupported FastCGI protocol version: 72");
}

#[test]
fn gw126_default_backend_replaced() {
    let (app, legacy) = (Backend::http(Behaviour::Ok), Backend::http(Behaviour::Ok));
    let ex = bad("GW126", 1)
        .map("127.0.0.1:8081", &app.addr())
        .map("127.0.0.1:8082", &legacy.addr());
    let check = proxy::haproxy(&ex).check();
    assert!(check.ok, "{}", check.output);
    let haproxy = proxy::haproxy(&ex).start();
    for _ in 0..3 {
        assert_eq!(get(haproxy.port(), "/").status, 200);
    }
    assert_eq!(app.connections(), 0);
    assert!(legacy.connections() > 0);
    drop(haproxy);

    let ex = good("GW126", 1)
        .map("127.0.0.1:8081", &app.addr())
        .map("127.0.0.1:8082", &legacy.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
    assert!(app.connections() > 0);
}

/// A backend started as systemd starts a unit with `PrivateTmp=yes`: in a mount namespace of
/// its own with a fresh tmpfs on /tmp. It answers 200 on a unix socket at `path`, open to
/// every user as php-fpm's `listen.mode` makes it (nginx's workers may run as another user).
struct PrivateTmpBackend {
    child: std::process::Child,
}

impl PrivateTmpBackend {
    fn start(path: &str) -> PrivateTmpBackend {
        const SERVER: &str = "import os, socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\nos.chmod(sys.argv[1], 0o666)\ns.listen(16)\nprint('ready', flush=True)\nwhile True:\n    c, _ = s.accept()\n    c.recv(65536)\n    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n')\n    c.close()\n";
        // From `/`: the working directory may be under /tmp, which the tmpfs hides (a Python
        // launcher that looks up the directory, as pyenv's does, would fail there).
        let mut child = std::process::Command::new("unshare")
            .current_dir("/")
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg("mount -t tmpfs gwlint-private-tmp /tmp && exec python3 -c \"$1\" \"$2\"")
            .args(["sh", SERVER, path])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("this proof needs unshare (util-linux) and python3");
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        // Bounded: the child is killed if it does not say it is ready.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = std::io::BufRead::read_line(&mut out, &mut line);
            let _ = tx.send(line);
        });
        let ready = rx.recv_timeout(Duration::from_secs(10));
        if ready.as_deref().map(str::trim) != Ok("ready") {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the private-/tmp backend did not start (unshare needs CAP_SYS_ADMIN): {ready:?}"
            );
        }
        PrivateTmpBackend { child }
    }
}

impl Drop for PrivateTmpBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn gw114_unix_socket_in_tmp() {
    let n = std::process::id();
    let hidden = format!("/tmp/gwlint-gw114-{n}.sock");
    let backend = PrivateTmpBackend::start(&hidden);
    let ex = bad("GW114", 1).map("/tmp/gunicorn.sock", &hidden);
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 502);
    nginx.wait_log(&format!(
        "connect() to unix:{hidden} failed (2: No such file or directory)"
    ));
    drop(nginx);
    drop(backend);

    let shared = format!("/dev/shm/gwlint-gw114-{n}.sock");
    let _ = std::fs::remove_file(&shared);
    let backend = PrivateTmpBackend::start(&shared);
    let ex = good("GW114", 1).map("/run/gunicorn/gunicorn.sock", &shared);
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    drop(nginx);
    drop(backend);
    let _ = std::fs::remove_file(&shared);
}

#[test]
fn gw211_websocket_without_tunnel_timeout() {
    let (app, ws) = (
        Backend::http(Behaviour::Ok),
        Backend::http(Behaviour::QuietWebSocket),
    );
    // The page's 30s timeouts shortened to 1s.
    let ex = bad("GW211", 1)
        .map("127.0.0.1:8081", &app.addr())
        .map("127.0.0.1:8082", &ws.addr())
        .map("timeout client 30s", "timeout client 1s")
        .map("timeout server 30s", "timeout server 1s");
    let haproxy = proxy::haproxy(&ex).start();
    let mut socket = websocket(haproxy.port(), "/chat");
    let start = std::time::Instant::now();
    assert!(closed_within(&mut socket, Duration::from_secs(5)));
    let after = start.elapsed();
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(3),
        "closed after {after:?}"
    );
    haproxy.wait_line(&["www ws/w", " 101 ", quoted("GW211", "cD--")]);
    drop(haproxy);

    let ex = good("GW211", 1)
        .map("127.0.0.1:8081", &app.addr())
        .map("127.0.0.1:8082", &ws.addr())
        .map("timeout client 30s", "timeout client 1s")
        .map("timeout server 30s", "timeout server 1s")
        .map("timeout tunnel 1h", "timeout tunnel 10s");
    let haproxy = proxy::haproxy(&ex).start();
    let mut socket = websocket(haproxy.port(), "/chat");
    // Three times the client and server timeouts, still open.
    assert!(!closed_within(&mut socket, Duration::from_secs(3)));
}

#[test]
fn gw310_http_check_expects_error() {
    let app = Backend::http(Behaviour::Ok);
    let run = |ex: pages::Example| {
        let ex = ex.map("127.0.0.1:8081", &app.addr());
        accepted(&proxy::haproxy(&ex));
        proxy::haproxy(&ex).start()
    };
    let bads = [run(bad("GW310", 1)), run(bad("GW310", 2))];
    for haproxy in &bads {
        haproxy.wait_line_within(
            &[
                "Server app/a is DOWN",
                quoted("GW310", "Layer7 wrong status, code: 200"),
            ],
            Duration::from_secs(10),
        );
        assert_eq!(get(haproxy.port(), "/").status, 503);
        haproxy.wait_line(&["app/<NOSRV>", " 503 ", "SC--"]);
    }
    drop(bads);

    let goods = [run(good("GW310", 1)), run(good("GW310", 2))];
    // Longer than the first check takes to come (`inter 2s`, spread from the start).
    std::thread::sleep(Duration::from_secs(3));
    for haproxy in &goods {
        assert_eq!(get(haproxy.port(), "/").status, 200);
        assert!(!haproxy.logs().contains("is DOWN"), "{}", haproxy.logs());
    }
}

/// Only what HAProxy decides: it accepts both, silently (the lockout needs a MySQL server).
#[test]
fn gw311_mysql_check_without_user() {
    for ex in [bad("GW311", 1), good("GW311", 1)] {
        let check = proxy::haproxy(&ex).check();
        assert!(check.ok, "{}", check.output);
        // The only warning is about the `option httplog` the harness adds to tcp defaults.
        assert!(!check.output.contains("mysql-check"), "{}", check.output);
    }
}

/// Two TLS servers in place of the API servers, one ready and one not (500 to everything,
/// `/readyz` included), behind a TLS-passthrough backend: TCP and TLS-hello checks keep the
/// not-ready one UP, and half of the requests get its 500; the HTTP check of `/readyz` over TLS
/// marks it DOWN, and every request gets 200.
#[test]
fn gw312_apiserver_tcp_check() {
    let ready = Backend::tls(Behaviour::Ok, Versions::Modern);
    let not_ready = Backend::tls(Behaviour::Status(500), Versions::Modern);
    let run = |ex: pages::Example| {
        let ex = ex
            .map("10.0.0.11:6443", &ready.addr())
            .map("10.0.0.12:6443", &not_ready.addr());
        let check = proxy::haproxy(&ex).check();
        assert!(
            check.ok && !check.output.contains("check"),
            "{}",
            check.output
        );
        proxy::haproxy(&ex).start()
    };
    let bads = [run(bad("GW312", 1)), run(bad("GW312", 2))];
    // Longer than three failed checks would take (`inter 2s`, `fall 3`).
    std::thread::sleep(Duration::from_secs(8));
    for haproxy in &bads {
        let mut statuses: Vec<u16> = (0..4).map(|_| tls::tls_get(haproxy.port(), "/")).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 200, 500, 500]);
        haproxy.wait_line(&["k8s_api k8s_api/cp2 "]);
        assert!(!haproxy.logs().contains("is DOWN"), "{}", haproxy.logs());
    }
    drop(bads);

    // `option httpchk` without `check-ssl`: plain HTTP checks of a TLS-only port fail on both
    // servers, and the passthrough closes every connection.
    let haproxy = run(bad("GW312", 3));
    for server in ["cp1", "cp2"] {
        haproxy.wait_line_within(
            &[&format!(
                "Server k8s_api/{server} is DOWN, reason: Socket error"
            )],
            Duration::from_secs(10),
        );
    }
    assert!(tls::tls_closed(haproxy.port()), "{}", haproxy.logs());
    haproxy.wait_line(&["k8s_api/<NOSRV>", " SC "]);
    drop(haproxy);

    let haproxy = run(good("GW312", 1));
    haproxy.wait_line_within(
        &[
            "Server k8s_api/cp2 is DOWN",
            quoted("GW312", "Layer7 wrong status, code: 500"),
        ],
        Duration::from_secs(10),
    );
    for _ in 0..4 {
        assert_eq!(tls::tls_get(haproxy.port(), "/"), 200);
    }
    assert!(
        !haproxy.logs().contains("k8s_api/cp1 is DOWN"),
        "{}",
        haproxy.logs()
    );
}

/// `0.0.0.0` as the target: both proxies accept it; with nothing on the port the requests fail
/// (nginx 502, connection refused; HAProxy 503 `SC--`), and with a backend on 127.0.0.1 of
/// this host they get 200: the connection went to the proxy's own host.
#[test]
fn gw116_connect_to_any_address() {
    for n in [1, 2] {
        let port = net::free_port();
        let ex = bad("GW116", n).map("0.0.0.0:8080", &format!("0.0.0.0:{port}"));
        accepted(&proxy::nginx(&ex));
        let nginx = proxy::nginx(&ex).start();
        assert_eq!(get(nginx.port(), "/").status, 502);
        nginx.wait_line(&[
            quoted(
                "GW116",
                "connect() failed (111: Connection refused) while connecting to upstream",
            ),
            &format!("upstream: \"http://0.0.0.0:{port}/\""),
        ]);
        let _app = Backend::http_on(port, Behaviour::Ok);
        assert_eq!(get(nginx.port(), "/").status, 200);
    }

    let port = net::free_port();
    let ex = bad("GW116", 3).map("0.0.0.0:8080", &format!("0.0.0.0:{port}"));
    accepted(&proxy::haproxy(&ex));
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 503);
    haproxy.wait_line(&["www app/app1 ", " 503 ", "SC--"]);
    let _app = Backend::http_on(port, Behaviour::Ok);
    assert_eq!(get(haproxy.port(), "/").status, 200);
    drop(haproxy);

    let app = Backend::http(Behaviour::Ok);
    let ex = good("GW116", 1)
        .map("10.0.0.5:8080", &app.addr())
        .map("127.0.0.1:8080", &app.addr());
    let nginx = proxy::nginx(&ex).start();
    assert_eq!(get(nginx.port(), "/").status, 200);
    assert_eq!(get(nginx.port(), "/local/").status, 200);
    let ex = good("GW116", 2).map("10.0.0.5:8080", &app.addr());
    let haproxy = proxy::haproxy(&ex).start();
    assert_eq!(get(haproxy.port(), "/").status, 200);
}
