//! HAProxy rules on the cases their pages do not show: what must be found and what must stay
//! quiet.

fn findings(text: &str) -> Vec<(String, usize, String)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("haproxy.cfg");
    std::fs::write(&p, text).unwrap();
    let o = gwlint::lint(&[p], &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    o.findings
        .iter()
        .map(|f| {
            let src = o.loader.sources.get(f.span.file);
            let help = f.help.clone().unwrap_or_default();
            (
                f.rule.code.to_string(),
                src.line(f.span.start as usize),
                format!("{} | {help}", f.message),
            )
        })
        .collect()
}

fn codes(text: &str) -> Vec<String> {
    findings(text).into_iter().map(|(c, _, _)| c).collect()
}

const DEFAULTS: &str = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n";

fn cfg(rest: &str) -> String {
    format!("{DEFAULTS}{rest}")
}

#[test]
fn acls_are_per_section_and_in_order() {
    let f = findings(&cfg(
        "frontend a\n    bind 127.0.0.1:8080\n    acl is_api path_beg /api\n    default_backend app\nfrontend b\n    bind 127.0.0.1:8081\n    use_backend app if !is_api or { path_beg /x } || METH_GET\n    http-request deny if !LOCALHOST { src 10.0.0.0/8 }\n    default_backend app\nbackend app\n    server s 127.0.0.1:9000 check\n",
    ));
    assert_eq!(f.len(), 1, "{f:#?}");
    let (code, line, text) = &f[0];
    assert_eq!((code.as_str(), *line), ("GW122", 12));
    assert!(
        text.contains("`is_api` is defined in frontend 'a'"),
        "{text}"
    );
}

#[test]
fn verification_follows_server_default_server_and_global() {
    let be = |global: &str, ds: &str, server: &str| {
        codes(&format!(
            "{global}{DEFAULTS}frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n{ds}    server s 127.0.0.1:9444 check {server}\n"
        ))
    };
    // HAProxy 2.6 prepares TLS for a server that inherits `ssl`, even when it says `no-ssl`.
    assert_eq!(be("", "    default-server ssl\n", "no-ssl"), ["GW404"]);
    assert!(be("", "", "no-ssl").is_empty());
    assert!(be("global\n    ssl-server-verify none\n", "", "ssl").is_empty());
    assert!(be("", "    default-server ssl ca-file @system-ca\n", "").is_empty());
    assert_eq!(be("", "", "check-ssl"), ["GW404"]);
    assert!(be("", "", "ssl verify required verify none").is_empty());
}

#[test]
fn tls_ports_only_in_http_mode_and_servers_that_take_traffic() {
    let tcp = "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend f\n    bind 127.0.0.1:8443\n    default_backend b\nbackend b\n    server s 127.0.0.1:443 check\n";
    assert!(codes(tcp).is_empty());
    let mixed = cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:443 check\n    server b 127.0.0.1:8081 check\n    server c 127.0.0.1:8443 check disabled\n",
    );
    let f = findings(&mixed);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1), ("GW401", 10));
    assert!(f[0].2.contains("one of the 2 servers"), "{}", f[0].2);
}

#[test]
fn disabled_servers_matter_only_where_traffic_goes() {
    let unrouted = cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check\nbackend spare\n    server b 127.0.0.1:8082 disabled\n",
    );
    assert!(codes(&unrouted).is_empty());
    let with_backup = cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check disabled\n    server b 127.0.0.1:8082 check backup\n",
    );
    assert!(codes(&with_backup).is_empty());
    let dynamic = cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    use_backend %[req.hdr(host),lower]\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check\nbackend spare\n    server b 127.0.0.1:8082 disabled\n",
    );
    assert_eq!(codes(&dynamic), ["GW105"]);
}

#[test]
fn health_checks_resolvers_and_reuse_stay_quiet_when_handled() {
    let tracked = cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 track other/a\n    server b 127.0.0.1:8082 track other/b\nbackend other\n    server a 127.0.0.1:8081 check\n    server b 127.0.0.1:8082 check\n",
    );
    assert!(codes(&tracked).is_empty());
    let resolved = format!(
        "resolvers dns\n    nameserver ns 127.0.0.53:53\n{}",
        cfg(
            "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    default-server resolvers dns init-addr none\n    server a app.internal.example:80 check\n    server b localhost:81 check\n"
        )
    );
    assert!(codes(&resolved).is_empty());
    let reuse = |retry_on: &str| {
        findings(&format!(
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n    http-reuse aggressive\n{retry_on}frontend www\n    bind 127.0.0.1:8080\n    use_backend b if {{ path_beg /b }}\n    default_backend a\nbackend a\n    server a 127.0.0.1:8081 check\nbackend b\n    server b 127.0.0.1:8082 check\n"
        ))
    };
    let f = reuse("");
    assert_eq!(
        f.len(),
        1,
        "one finding for the one `http-reuse` line: {f:#?}"
    );
    assert!(f[0].2.contains("backend 'a', backend 'b'"), "{}", f[0].2);
    assert!(reuse("    retry-on all-retryable-errors\n").is_empty());
}

#[test]
fn small_buffers_count_maxrewrite() {
    let f = findings(&format!(
        "global\n    tune.bufsize 4k\n    tune.maxrewrite 3000\n{}",
        cfg(
            "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check\n"
        )
    ));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].2.contains("about 2048 bytes"), "{}", f[0].2);
}

#[test]
fn tls_inherited_from_default_server_is_reported_on_each_server() {
    let f = findings(&cfg(
        "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    default-server ssl check\n    server a api-a.example.com:443\n    server b api-b.example.com:443\n",
    ));
    let mut at: Vec<(String, usize)> = f.iter().map(|(c, l, _)| (c.clone(), *l)).collect();
    at.sort();
    // GW403 and GW404 for each server, on the server's line; GW605 as well (no resolvers).
    assert_eq!(
        at,
        [
            ("GW403".to_string(), 11),
            ("GW403".to_string(), 12),
            ("GW404".to_string(), 11),
            ("GW404".to_string(), 12),
            ("GW605".to_string(), 11),
            ("GW605".to_string(), 12),
        ]
    );
}

/// HAProxy compares backend names with case (verified with haproxy 2.6.12 -c: `backend web`
/// and `backend Web` coexist; `default_backend WEB` is fatal when only `web` exists).
#[test]
fn backend_names_are_case_sensitive() {
    let two = cfg(
        "frontend fe\n    bind 127.0.0.1:8000\n    use_backend Web if { path_beg /w }\n    default_backend web\nbackend web\n    server a 127.0.0.1:8001 check\nbackend Web\n    server a 127.0.0.1:8002 check\n",
    );
    assert_eq!(codes(&two), Vec::<String>::new());
    let f = findings(&cfg(
        "frontend fe\n    bind 127.0.0.1:8000\n    default_backend WEB\nbackend web\n    server a 127.0.0.1:8001 check\n",
    ));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1), ("GW101", 8));
}

/// A `server-template` stands for its servers: one template of three without `check` is a
/// backend balancing over three unchecked servers (GW305), with its servers named as HAProxy
/// names them.
#[test]
fn server_template_counts_its_servers() {
    let f = findings(&cfg(
        "resolvers dns\n    nameserver ns 127.0.0.1:53\nfrontend fe\n    bind 127.0.0.1:8000\n    default_backend api\nbackend api\n    server-template api 1-3 api.internal.example:8080 resolvers dns init-addr none\n",
    ));
    let found: Vec<&str> = f.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(found, ["GW305"], "{f:#?}");
    assert!(f[0].2.contains("balances over 3 servers"), "{}", f[0].2);
    let one = cfg(
        "frontend fe\n    bind 127.0.0.1:8000\n    default_backend api\nbackend api\n    server-template api 1 127.0.0.1:8080\n",
    );
    assert_eq!(codes(&one), Vec::<String>::new());
}

/// A backend without `server` lines that still has a destination — `dispatch ADDR` or
/// `option transparent` (also from defaults) — is not empty (haproxy 2.6.12 -c accepts both
/// and forwards the traffic); one with neither is.
#[test]
fn dispatch_and_transparent_backends_are_not_empty() {
    let routed = |backend: &str| {
        codes(&cfg(&format!(
            "frontend fe\n    bind 127.0.0.1:8000\n    default_backend be\nbackend be\n{backend}"
        )))
    };
    assert_eq!(
        routed("    dispatch 127.0.0.1:8081\n"),
        Vec::<String>::new()
    );
    assert_eq!(routed("    option transparent\n"), Vec::<String>::new());
    assert_eq!(routed("    balance roundrobin\n"), ["GW104"]);
}

/// Code and severity of every finding, for one configured release.
fn verdicts(text: &str, version: Option<(u32, u32)>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("haproxy.cfg");
    std::fs::write(&p, text).unwrap();
    let opts = gwlint::Options {
        haproxy_version: version.map(|(a, b)| gwlint::rules::Version(a, b, 0)),
        ..gwlint::Options::default()
    };
    let o = gwlint::lint(&[p], &opts);
    o.findings
        .iter()
        .map(|f| format!("{} {}", f.rule.code, f.severity.as_str()))
        .collect()
}

const APP: &str = "frontend www\n    bind 127.0.0.1:8080\n    default_backend app\nbackend app\n    server s 127.0.0.1:9000 check\n";

#[test]
fn keyword_word_counts_placements_and_values_follow_the_table() {
    let v26 = Some((2, 6));
    let refused = |extra: &str| verdicts(&format!("{DEFAULTS}{extra}{APP}"), v26);
    // Two lines joined, a timeout without its value, a value outside the list.
    assert_eq!(refused("    maxconn 1000 retries 3\n"), ["GW022 error"]);
    assert_eq!(refused("    timeout queue\n"), ["GW022 error"]);
    assert_eq!(refused("    timeout queue 5s 6s\n"), ["GW022 error"]);
    assert_eq!(refused("    balance rundrobin\n"), ["GW023 error"]);
    // A server in defaults is fatal.
    assert_eq!(refused("    server x 127.0.0.1:1\n"), ["GW021 error"]);
    // Accepted shapes stay quiet.
    assert!(
        refused("    balance random(2)\n    log global\n    option httpchk GET /health\n")
            .is_empty()
    );
    assert!(refused("    balance hdr(host)\n    timeout http-request 10s\n").is_empty());
    // `server` in a frontend: fatal from 2.4; a warning that says so when the release is unknown.
    let fe = format!(
        "{DEFAULTS}frontend www\n    bind 127.0.0.1:8080\n    server x 127.0.0.1:1\n    default_backend app\nbackend app\n    server s 127.0.0.1:9000 check\n"
    );
    assert_eq!(verdicts(&fe, v26), ["GW021 error"]);
    assert_eq!(verdicts(&fe, None), ["GW021 warning"]);
    // `default_backend` naming its own backend is a loop.
    let own = format!("{DEFAULTS}{APP}    default_backend app\n");
    assert_eq!(verdicts(&own, v26), ["GW023 error"]);
}

#[test]
fn log_lines_ports_and_the_last_line_feed() {
    let v26 = Some((2, 6));
    let with = |global: &str, extra: &str| {
        verdicts(&format!("global\n{global}{DEFAULTS}{extra}{APP}"), v26)
    };
    assert!(with("    log stdout format raw local0\n", "    log global\n").is_empty());
    assert!(with("    log 127.0.0.1:514 len 1024 local0 info notice\n", "").is_empty());
    assert_eq!(with("    log 127.0.0.1 LOCAL0\n", ""), ["GW023 error"]);
    assert_eq!(with("    log /dev/log\n", ""), ["GW023 error"]);
    assert_eq!(
        with("    log 127.0.0.1 local0 notic\n", ""),
        ["GW023 error"]
    );
    assert_eq!(with("    log global\n", ""), ["GW023 error"]);
    assert_eq!(with("", "    log global option httplog\n"), ["GW023 error"]);
    let port = |addr: &str| {
        verdicts(
            &format!(
                "{DEFAULTS}frontend www\n    bind {addr}\n    default_backend app\nbackend app\n    server s 127.0.0.1:9000 check\n"
            ),
            v26,
        )
    };
    assert_eq!(port(":92000"), ["GW023 error"]);
    assert_eq!(port("127.0.0.1:80,127.0.0.1:0"), ["GW023 error"]);
    assert!(port("ipv4@127.0.0.1:8000-8010").is_empty());
    assert!(port("unix@/run/haproxy.sock").is_empty());
    // No LF after the last line: HAProxy 2.3 and later refuse, 2.2 warns.
    let cut = format!("{DEFAULTS}{APP}    retries 3");
    assert_eq!(verdicts(&cut, v26), ["GW001 error"]);
    assert_eq!(verdicts(&cut, Some((2, 2))), ["GW001 warning"]);
}
