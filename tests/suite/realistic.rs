//! Realistic production configurations, each accepted by the real proxy (`nginx -t` 1.22.1
//! with the stream module, `haproxy -c` 2.6.12), get no error and no warning from gwlint.
//! Every false positive found on them was fixed in its rule and stays covered here.

use std::path::{Path, PathBuf};

use gwlint::finding::Severity;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/realistic")
        .join(rel)
}

/// Findings of warning or error severity, as `CODE message` lines, and the number of files read.
fn loud(path: PathBuf) -> (Vec<String>, usize) {
    let o = gwlint::lint(&[path], &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    let loud = o
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| format!("{} {}", f.rule.code, f.message))
        .collect();
    (loud, o.files)
}

#[test]
fn nginx_multi_site_gateway_is_clean() {
    let (found, files) = loud(fixture("nginx/nginx.conf"));
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        files, 4,
        "mime.types, fastcgi_params and uwsgi_params were read"
    );
}

#[test]
fn haproxy_edge_balancer_is_clean() {
    let (found, files) = loud(fixture("haproxy/haproxy.cfg"));
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(files, 1);
}

/// Named defaults, `.if`/`.else` alternatives (a server or a backend written once per branch),
/// `!{ … }` conditions, predefined ACLs, `${VAR}` addresses, dynamic routing with a default.
#[test]
fn haproxy_edge_cases_are_clean() {
    let (found, _) = loud(fixture("haproxy/edge-cases.cfg"));
    assert!(found.is_empty(), "{found:#?}");
}

/// Findings for one configuration text, as `CODE line` pairs.
fn found_in(name: &str, text: &str) -> Vec<(String, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    let o = gwlint::lint(&[p], &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    o.findings
        .iter()
        .map(|f| {
            let src = o.loader.sources.get(f.span.file);
            (f.rule.code.to_string(), src.line(f.span.start as usize))
        })
        .collect()
}

/// A value taken from the environment is known only when HAProxy starts: no rule guesses it.
/// Ports, host names, sizes, counts and backend names from `${VAR}` are each left alone; the
/// one sample expression (`%[…]`, computed per request) is still judged.
#[test]
fn haproxy_environment_values_are_not_guessed() {
    let found = found_in(
        "haproxy.cfg",
        r#"global
    tune.bufsize ${BUFSIZE}

defaults
    mode http
    retries ${RETRIES}
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:8000
    use_backend "${BACKEND}" if { path_beg /env }
    use_backend app

frontend per_request
    bind 127.0.0.1:8001
    use_backend be_${ENV}_%[req.hdr(host),lower]

backend app
    http-reuse ${REUSE}
    server a 127.0.0.1:${HTTPS_PORT} check
    server b "${APP_ADDR}" ssl verify none check
    server c ${TLS_HOST}:${TLS_PORT} ssl verify required ca-file /etc/ssl/ca.pem check
    server d ${HOST_ONLY}:8080 check
    server e 127.0.0.1:${PLAIN_PORT} ssl verify none check
"#,
    );
    assert_eq!(found, [("GW124".to_string(), 18)]);
}

/// The same for nginx variables: a port or host from `$var` (a map, `set`, the request) is
/// not guessed by the TLS, port and resolution rules; a literal one still is.
#[test]
fn nginx_variable_targets_are_not_guessed() {
    let found = found_in(
        "nginx.conf",
        r#"events {}
http {
    resolver 127.0.0.1;
    map $http_x_port $port { default 8443; }
    map $host $backend_host { default app.internal; }
    server {
        listen 8000;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate /etc/ssl/ca.pem;
        location /a { proxy_pass http://127.0.0.1:$port; }
        location /b { proxy_pass https://127.0.0.1:$port; }
        location /c { proxy_pass https://$host; }
        location /d { proxy_pass $scheme://127.0.0.1:8443; }
        location /e { proxy_pass https://$backend_host:8443; }
        location /f { fastcgi_pass 127.0.0.1:$port; }
        location /g { grpc_pass grpc://127.0.0.1:$port; }
        location /h { proxy_pass http://$backend_host:$port; }
        location /known { proxy_pass http://127.0.0.1:443; }
    }
}
"#,
    );
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        ["GW401"],
        "only the literal port 443 is judged: {found:?}"
    );
}
