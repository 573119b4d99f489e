//! Proofs for the gateway-chain rules: HAProxy in front of nginx on loopback ports, run with
//! the installed proxies (`cargo test --release --features proof --test chain_proof`).

// Proofs: the chains the rules describe, run on this machine with the installed nginx and
// HAProxy, on loopback ports, each bounded in time; every process is killed when the test
// ends. A machine without both proxies fails these tests loudly rather than skipping them.

#[path = "proof/net.rs"]
#[allow(dead_code)]
mod net;

mod proof {
    pub use super::net::free_port;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A process that is killed (by its id) when dropped.
    pub struct Running(pub Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn wait_for(port: u16) {
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nothing listens on 127.0.0.1:{port} after 5s");
    }

    fn binary(name: &str) -> String {
        for dir in ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"] {
            let p = format!("{dir}/{name}");
            if Path::new(&p).is_file() {
                return p;
            }
        }
        panic!("{name} is not installed: these proofs need nginx (1.22+) and haproxy (2.6+)");
    }

    /// Starts nginx with `conf` (its logs in `dir`) and waits until `port` accepts.
    pub fn nginx(dir: &Path, conf: &str, port: u16) -> Running {
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(binary("nginx"))
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off; master_process off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let r = Running(child);
        wait_for(port);
        r
    }

    /// Starts HAProxy with `cfg` (its log on stdout) and waits until `port` accepts.
    pub fn haproxy(dir: &Path, cfg: &str, port: u16) -> Running {
        std::fs::write(dir.join("haproxy.cfg"), cfg).unwrap();
        let log = std::fs::File::create(dir.join("haproxy.log")).unwrap();
        let child = Command::new(binary("haproxy"))
            .arg("-f")
            .arg(dir.join("haproxy.cfg"))
            .arg("-db")
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let r = Running(child);
        wait_for(port);
        r
    }

    /// A backend that answers every request with 200 after `delay`.
    pub fn slow_backend(port: u16, delay: Duration) {
        let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut c = c;
                    let mut buf = [0u8; 4096];
                    let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = c.read(&mut buf);
                    std::thread::sleep(delay);
                    let _ = c.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
                    );
                });
            }
        });
    }

    /// One request; the status code of the answer (0 when the connection closed without one).
    pub fn get(port: u16, path: &str) -> u16 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        text.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Waits up to 5s for `needle` in a log file; returns the log.
    pub fn log_with(path: &Path, needle: &str) -> String {
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            if text.contains(needle) || Instant::now() > end {
                return text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The rule codes gwlint reports on the two configurations.
    pub fn codes(dir: &Path) -> Vec<&'static str> {
        let paths = [dir.join("haproxy.cfg"), dir.join("nginx.conf")];
        let outcome = gwlint::lint(&paths, &gwlint::Options::default());
        outcome.findings.iter().map(|f| f.rule.code).collect()
    }
}

#[test]
fn proof_timeout_order() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let (front, middle, back) = (proof::free_port(), proof::free_port(), proof::free_port());
    proof::slow_backend(back, Duration::from_secs(3));
    let d = dir.path().display();
    let _nginx = proof::nginx(
        dir.path(),
        &format!(
            "pid {d}/nginx.pid;\nevents {{}}\nhttp {{\n    access_log {d}/access.log;\n    server {{\n        listen 127.0.0.1:{middle};\n        location / {{\n            proxy_read_timeout 5s;\n            proxy_pass http://127.0.0.1:{back};\n        }}\n    }}\n}}\n"
        ),
        middle,
    );
    let _haproxy = proof::haproxy(
        dir.path(),
        &format!(
            "global\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    option httplog\n    timeout connect 1s\n    timeout client 10s\n    timeout server 1s\nfrontend www\n    bind 127.0.0.1:{front}\n    default_backend web\nbackend web\n    server web1 127.0.0.1:{middle}\n"
        ),
        front,
    );
    assert_eq!(proof::codes(dir.path()), ["GW701"]);
    assert_eq!(proof::get(front, "/report"), 504, "HAProxy answers first");
    let hlog = proof::log_with(&dir.path().join("haproxy.log"), "sH--");
    assert!(hlog.contains(" 504 ") && hlog.contains("sH--"), "{hlog}");
    let access = proof::log_with(&dir.path().join("access.log"), "\" 499 ");
    assert!(
        access.contains("\" 499 "),
        "nginx saw its client leave: {access}"
    );
    let errors = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    assert!(!errors.contains("upstream timed out"), "{errors}");
}

/// HAProxy in front of nginx on loopback, nginx answering `return 200`; `listen` takes the
/// listener's extra words, `server` the server line's.
fn haproxy_over_nginx(
    listen: &str,
    server: &str,
) -> (tempfile::TempDir, proof::Running, proof::Running, u16) {
    let dir = tempfile::tempdir().unwrap();
    let (front, inner) = (proof::free_port(), proof::free_port());
    let d = dir.path().display();
    let nginx = proof::nginx(
        dir.path(),
        &format!(
            "pid {d}/nginx.pid;\nevents {{}}\nhttp {{\n    access_log {d}/access.log;\n    server {{\n        listen 127.0.0.1:{inner}{listen};\n        location / {{\n            return 200 \"ok\\n\";\n        }}\n    }}\n}}\n"
        ),
        inner,
    );
    let haproxy = proof::haproxy(
        dir.path(),
        &format!(
            "global\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    option httplog\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend www\n    bind 127.0.0.1:{front}\n    default_backend web\nbackend web\n    server web1 127.0.0.1:{inner}{server}\n"
        ),
        front,
    );
    (dir, nginx, haproxy, front)
}

#[test]
fn proof_http1_to_a_plain_http2_listener() {
    let (dir, _n, _h, front) = haproxy_over_nginx(" http2", "");
    assert_eq!(proof::codes(dir.path()), ["GW703"]);
    let status = proof::get(front, "/");
    let log = proof::log_with(&dir.path().join("haproxy.log"), "www web/web1");
    assert_eq!(status, 502, "{log}");
    assert!(log.contains(" 502 ") && log.contains("PH--"), "{log}");
}

#[test]
fn proof_send_proxy_to_a_listener_without_proxy_protocol() {
    let (dir, _n, _h, front) = haproxy_over_nginx("", " send-proxy");
    assert_eq!(proof::codes(dir.path()), ["GW704"]);
    let status = proof::get(front, "/");
    let log = proof::log_with(&dir.path().join("haproxy.log"), "www web/web1");
    assert_eq!(status, 400, "{log}");
    // nginx took the PROXY line for the request line.
    let access = proof::log_with(&dir.path().join("access.log"), "\"PROXY TCP4 ");
    assert!(
        access.contains("\"PROXY TCP4 ") && access.contains(" 400 "),
        "{access}"
    );
}

#[test]
fn proof_proxy_protocol_listener_without_send_proxy() {
    let (dir, _n, _h, front) = haproxy_over_nginx(" proxy_protocol", "");
    assert_eq!(proof::codes(dir.path()), ["GW704"]);
    let status = proof::get(front, "/");
    let log = proof::log_with(&dir.path().join("haproxy.log"), "www web/web1");
    assert_eq!(status, 502, "{log}");
    assert!(log.contains("SH--"), "{log}");
    let errors = proof::log_with(&dir.path().join("error.log"), "broken header");
    assert!(errors.contains("while reading PROXY protocol"), "{errors}");
}

#[test]
fn proof_health_check_gets_404() {
    let dir = tempfile::tempdir().unwrap();
    let (front, inner) = (proof::free_port(), proof::free_port());
    let d = dir.path().display();
    let _nginx = proof::nginx(
        dir.path(),
        &format!(
            "pid {d}/nginx.pid;\nevents {{}}\nhttp {{\n    access_log {d}/access.log;\n    server {{\n        listen 127.0.0.1:{inner};\n        location = /healthz {{\n            return 404;\n        }}\n        location / {{\n            return 200 \"ok\\n\";\n        }}\n    }}\n}}\n"
        ),
        inner,
    );
    let _haproxy = proof::haproxy(
        dir.path(),
        &format!(
            "global\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    option httplog\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend www\n    bind 127.0.0.1:{front}\n    default_backend web\nbackend web\n    option httpchk GET /healthz\n    server web1 127.0.0.1:{inner} check inter 100ms fall 1 rise 1\n"
        ),
        front,
    );
    assert_eq!(proof::codes(dir.path()), ["GW705"]);
    // The first check runs at once; give HAProxy a few intervals (more on a loaded machine).
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut status = proof::get(front, "/");
    while status != 503 && std::time::Instant::now() < end {
        std::thread::sleep(std::time::Duration::from_millis(100));
        status = proof::get(front, "/");
    }
    // The readiness probe's empty connection is logged with `<NOSRV>` too (`CR--`): wait for
    // the request's own line.
    proof::log_with(&dir.path().join("haproxy.log"), "SC--");
    let log = proof::log_with(&dir.path().join("haproxy.log"), "Layer7 wrong status");
    assert_eq!(status, 503, "{log}");
    assert!(log.contains("<NOSRV>") && log.contains("SC--"), "{log}");
    assert!(log.contains("Layer7 wrong status, code: 404"), "{log}");
    let access = std::fs::read_to_string(dir.path().join("access.log")).unwrap();
    assert!(access.contains("\"GET /healthz HTTP/1.0\" 404"), "{access}");
}
