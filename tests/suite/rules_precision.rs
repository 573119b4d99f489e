//! Rules on situations from real configurations where an earlier version was wrong: each test
//! is the situation, linted as a user would.

use crate::common::cli as common_cli;
use common_cli::{gwlint, out};

/// Lints `text` as `nginx.conf` in a directory of its own; the concise output.
fn lint_nginx(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let p = dir.path().join("nginx.conf");
    std::fs::write(&p, text).unwrap();
    let o = gwlint()
        .args(["--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    out(&o)
}

/// Lints `text` as `nginx.conf` with `toml` as the gwlint.toml beside it; the concise output.
fn lint_nginx_with_toml(text: &str, toml: &str) -> String {
    lint_with_toml("nginx.conf", text, toml)
}

/// Lints `text` as `name` with `toml` as the gwlint.toml beside it; the concise output.
fn lint_with_toml(name: &str, text: &str, toml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    std::fs::write(dir.path().join("gwlint.toml"), toml).unwrap();
    let o = gwlint()
        .args(["--format", "concise"])
        .arg(dir.path().join(name))
        .output()
        .unwrap();
    out(&o)
}

/// A repository of `files` (path, text), linted at `path` (`.` is the repository) with `args`.
fn lint_repo(files: &[(&str, &str)], path: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let o = gwlint()
        .args(["--format", "concise"])
        .args(args)
        .arg(dir.path().join(path))
        .output()
        .unwrap();
    out(&o)
}

/// `unix:///run/php/php-fpm.sock` is a socket path with extra slashes, which nginx accepts
/// for every *_pass but proxy_pass (checked with nginx -t 1.22.1).
#[test]
fn gw108_unix_sockets_written_with_three_slashes() {
    for pass in ["fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass"] {
        let text = format!(
            "events {{}}\nhttp {{ server {{ listen 8080; location / {{ {pass} unix:///run/php/php-fpm.sock; }} }} }}\n"
        );
        let o = lint_nginx(&text);
        assert!(!o.contains("GW108"), "{pass}: {o}");
    }
    let o = lint_nginx(
        "events {}\nhttp { server { listen 8080; location / { proxy_pass unix:///run/app.sock; } } }\n",
    );
    assert!(
        o.contains("error[GW108]") && o.contains("invalid URL prefix"),
        "{o}"
    );
}

/// A 90 s connect timeout works on Linux (the kernel waits about 130 s): not reported; 300 s
/// is never reached there.
#[test]
fn gw202_only_beyond_what_linux_waits() {
    let at = |t: &str| {
        lint_nginx(&format!(
            "events {{}}\nhttp {{ server {{ listen 8080; location / {{ proxy_connect_timeout {t}; proxy_pass http://127.0.0.1:9000; }} }} }}\n"
        ))
    };
    for t in ["90s", "2m", "135s"] {
        assert!(!at(t).contains("GW202"), "{t}: {}", at(t));
    }
    for t in ["136s", "300s", "5m"] {
        assert!(at(t).contains("info[GW202]"), "{t}: {}", at(t));
    }
}

/// Most WebSocket stacks ping: the default read timeout is a hint, unless gwlint.toml says the
/// backend stays silent (a warning) or pings sooner (nothing).
#[test]
fn gw201_depends_on_whether_the_backend_pings() {
    let nginx = "events {}\nhttp { server { listen 80; location /ws/ { proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_pass http://127.0.0.1:3000; } } }\n";
    let run = |toml: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("nginx.conf"), nginx).unwrap();
        if let Some(t) = toml {
            std::fs::write(dir.path().join("gwlint.toml"), t).unwrap();
        }
        let o = gwlint()
            .args(["--format", "concise"])
            .arg(dir.path().join("nginx.conf"))
            .output()
            .unwrap();
        (o.status.code(), out(&o))
    };
    let (code, o) = run(None);
    assert!(
        o.contains("info[GW201]") && o.contains("unless the backend sends"),
        "{o}"
    );
    assert_eq!(code, Some(0), "an info finding does not fail the run: {o}");
    let backend = |ping: &str| {
        format!("[[backend]]\ntarget = \"127.0.0.1:3000\"\nwebsocket_ping = \"{ping}\"\n")
    };
    let (code, o) = run(Some(&backend("none")));
    assert!(
        o.contains("warning[GW201]") && o.contains("declared not to ping"),
        "{o}"
    );
    assert_eq!(code, Some(1), "{o}");
    let (_, o) = run(Some(&backend("90s")));
    assert!(
        o.contains("warning[GW201]") && o.contains("every 90s"),
        "{o}"
    );
    let (_, o) = run(Some(&backend("25s")));
    assert!(!o.contains("GW201"), "{o}");
}

fn lint_haproxy(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let p = dir.path().join("haproxy.cfg");
    std::fs::write(&p, text).unwrap();
    let o = gwlint()
        .args(["--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    out(&o)
}

/// An HTTP `defaults` section with the three timeouts, so no test meets GW210.
const DEFAULTS: &str = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n";

/// A frontend routing `/b` to backend b and the rest to a.
const FRONTEND: &str =
    "frontend www\n    bind :8080\n    use_backend b if { path_beg /b }\n    default_backend a\n";

/// A name on many server lines is one finding; Compose and Kubernetes names move (warning),
/// other names rarely do (info); placeholders and socket prefixes are no host names; with
/// `init-addr none` HAProxy starts, so the message does not say it refuses.
#[test]
fn gw605_one_finding_per_name_and_what_moves() {
    let o = lint_haproxy(&format!(
        "{DEFAULTS}{FRONTEND}backend a\n    server a1 app:3000 check\n    server a2 app:3000 check\n    server a3 db.example.com:5432 check\n    server a4 HOST1_IP:80 check\n    server a5 abns@haproxy-peers\n    server a6 rhttp@\n    server a7 <ip>:80\nbackend b\n    server b1 app:3000 check\n    server b2 web.default.svc.cluster.local:80 init-addr last,libc,none\n"
    ));
    let gw605: Vec<&str> = o.lines().filter(|l| l.contains("GW605")).collect();
    assert_eq!(gw605.len(), 3, "{o}");
    let app = gw605.iter().find(|l| l.contains("\"app\"")).unwrap();
    assert!(
        app.contains("warning[GW605]") && app.contains("(and on 2 other server lines)"),
        "{app}"
    );
    let db = gw605.iter().find(|l| l.contains("db.example.com")).unwrap();
    assert!(db.contains("info[GW605]"), "{db}");
    let svc = gw605
        .iter()
        .find(|l| l.contains("svc.cluster.local"))
        .unwrap();
    assert!(
        svc.contains("warning[GW605]")
            && svc.contains("starts without the address")
            && !svc.contains("refuses to start"),
        "{svc}"
    );
    for not_a_name in ["HOST1_IP", "abns@", "rhttp@", "<ip>"] {
        assert!(
            !gw605.iter().any(|l| l.contains(not_a_name)),
            "{not_a_name}: {o}"
        );
    }
}

/// HAProxy's condition parser takes `or` in any case (strcasecmp in acl.c): `OR` is no ACL.
#[test]
fn gw122_or_in_any_case() {
    let o = lint_haproxy(&format!(
        "{DEFAULTS}{FRONTEND}    acl is_api path_beg /api\n    acl is_v2 path_beg /v2\n    http-request deny if is_api OR is_v2 Or is_api\nbackend a\n    server a1 127.0.0.1:3000 check\nbackend b\n    server b1 127.0.0.1:3001 check\n"
    ));
    assert!(!o.contains("GW122"), "{o}");
    let o = lint_haproxy(&format!(
        "{DEFAULTS}{FRONTEND}    acl is_api path_beg /api\n    http-request deny if is_api OR is_v3\nbackend a\n    server a1 127.0.0.1:3000 check\nbackend b\n    server b1 127.0.0.1:3001 check\n"
    ));
    assert!(o.contains("GW122") && o.contains("is_v3"), "{o}");
}

/// A second `default_backend` replaces the first (HAProxy keeps the last name; `haproxy -c`
/// accepts an undefined first one): the first carries no traffic and is not checked.
#[test]
fn gw104_gw105_only_where_traffic_goes() {
    let o = lint_haproxy(&format!(
        "{DEFAULTS}frontend www\n    bind :8080\n    default_backend old\n    default_backend nope_typo\n    default_backend app\nbackend old\nbackend down\n    server d1 127.0.0.1:9001 disabled\nbackend app\n    server a1 127.0.0.1:9000 check\n"
    ));
    for code in ["GW104", "GW105", "GW101"] {
        assert!(!o.contains(code), "{code}: {o}");
    }
}

/// An empty backend that the runtime API, Lua or the Data Plane API can fill after start is
/// a hint, not an error; with nothing that can, it is an error.
#[test]
fn gw104_backends_filled_at_run_time() {
    let body =
        &format!("{DEFAULTS}frontend www\n    bind :8080\n    default_backend app\nbackend app\n");
    let o = lint_haproxy(&format!(
        "global\n    stats socket /run/haproxy/admin.sock mode 660 level admin\n{body}"
    ));
    assert!(
        o.contains("info[GW104]") && o.contains("runtime API"),
        "{o}"
    );
    let o = lint_haproxy(&format!(
        "{body}program api\n    command /usr/bin/dataplaneapi -f /etc/haproxy/dataplaneapi.yml\n"
    ));
    assert!(
        o.contains("info[GW104]") && o.contains("Data Plane API"),
        "{o}"
    );
    let o = lint_haproxy(&format!(
        "global\n    stats socket /run/haproxy/admin.sock mode 660 level user\n{body}"
    ));
    assert!(o.contains("error[GW104]"), "{o}");
}

/// One route sends `Connection: close` (the usual `$connection_upgrade` map, whose `''` is
/// `close`) while another keeps connections: keep-alive is used, and the message says which
/// route loses it. With every route losing it, it is "never used".
#[test]
fn gw503_names_the_route_that_loses_keepalive() {
    let map = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n";
    let upstream = "upstream app { server 127.0.0.1:3000; keepalive 16; }\n";
    let api = "location /api/ { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://app; }\n";
    let ws = "location /ws/ { proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; proxy_pass http://app; }\n";
    let o = lint_nginx(&format!(
        "events {{}}\nhttp {{\n{map}{upstream}server {{ listen 80;\n{api}{ws}}}\n}}\n"
    ));
    let line = o
        .lines()
        .find(|l| l.contains("GW503"))
        .unwrap_or_else(|| panic!("{o}"));
    assert!(
        line.contains("info[GW503]")
            && line.contains("is used by 1 route, but not by `proxy_pass` at ")
            && line.contains("nginx.conf:7")
            && line.contains("Connection: close"),
        "{line}"
    );
    let o = lint_nginx(&format!(
        "events {{}}\nhttp {{\n{map}{upstream}server {{ listen 80;\n{ws}}}\n}}\n"
    ));
    assert!(
        o.contains("warning[GW503]") && o.contains("is never used"),
        "{o}"
    );
}

/// GW125 judges only what it can: a frontend that routes nowhere, or one whose conditions
/// compare Host exactly. Complementary or catch-all conditions, an unconditional
/// `use_backend`, `monitor-uri` and redirects are left alone.
#[test]
fn gw125_only_where_the_unmatched_requests_are_known() {
    let head = &format!(
        "{DEFAULTS}backend app\n    server a 127.0.0.1:3000\nbackend ws\n    server w 127.0.0.1:3001\n"
    );
    let quiet = [
        "frontend f\n    bind :80\n    use_backend ws if { path -i -m beg /socket/ }\n    use_backend app if !{ path -i -m beg /socket/ }\n",
        "frontend f\n    bind :80\n    acl all_paths path_beg /\n    use_backend app if all_paths\n",
        "frontend f\n    bind :8080\n    use_backend app\n",
        "frontend f\n    bind 127.0.0.1:8405\n    monitor-uri /healthz\n",
        "frontend f\n    bind :80\n    redirect scheme https code 301 if !{ ssl_fc }\n",
    ];
    for f in quiet {
        let o = lint_haproxy(&format!("{head}{f}"));
        assert!(!o.contains("GW125"), "{f}\n{o}");
    }
    let o = lint_haproxy(&format!(
        "{head}frontend f\n    bind :8080\n    acl is_shop hdr(host) -i shop.example\n    use_backend app if is_shop\n"
    ));
    assert!(
        o.contains("warning[GW125]") && o.contains("port 8080"),
        "{o}"
    );
    let o = lint_haproxy(&format!(
        "{head}frontend f\n    bind :443 ssl crt /etc/haproxy/site.pem\n    use_backend app if {{ req.hdr(host) -i shop.example }}\n"
    ));
    assert!(o.contains("info[GW125]"), "{o}");
    let o = lint_haproxy(&format!("{head}frontend f\n    bind :80\n"));
    assert!(
        o.contains("error[GW125]") && o.contains("no `use_backend`"),
        "{o}"
    );
}

/// GW112 fires on the Connection map's variable given to `Upgrade`, not on `$http_upgrade` nor
/// on a map whose values are protocols.
#[test]
fn gw112_only_the_connection_map_as_upgrade() {
    let conf = |upgrade: &str| {
        format!(
            "events {{}}\nhttp {{\nmap $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\nmap $http_upgrade $proto {{ default websocket; '' ''; }}\nserver {{ listen 80; location /ws/ {{ proxy_http_version 1.1; proxy_set_header Upgrade {upgrade}; proxy_set_header Connection $connection_upgrade; proxy_read_timeout 1h; proxy_pass http://127.0.0.1:3000; }} }}\n}}\n"
        )
    };
    assert!(lint_nginx(&conf("$connection_upgrade")).contains("error[GW112]"));
    for ok in ["$http_upgrade", "$proto", "websocket"] {
        let o = lint_nginx(&conf(ok));
        assert!(!o.contains("GW112"), "{ok}: {o}");
    }
}

/// A Compose service name (one label) is resolved once at start: a warning, once per name,
/// whether it stands in a `proxy_pass` or as an upstream's server.
#[test]
fn gw602_compose_service_names() {
    let o = lint_nginx(
        "events {}\nhttp {\nupstream api_pool { server api:8080; server api:8080 backup; }\nserver { listen 80;\nlocation / { proxy_pass http://web:3000; }\nlocation /b { proxy_pass http://web:3000/b; }\nlocation /api/ { proxy_pass http://api_pool; }\n}\n}\n",
    );
    let gw602: Vec<&str> = o.lines().filter(|l| l.contains("GW602")).collect();
    assert_eq!(gw602.len(), 2, "{o}");
    assert!(
        gw602
            .iter()
            .all(|l| l.contains("warning[GW602]") && l.contains("single-label")),
        "{o}"
    );
    // A dotted internal name with no resolver in sight is left alone, as before.
    let o = lint_nginx(
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://app.internal.example:3000; } } }\n",
    );
    assert!(!o.contains("GW602"), "{o}");
}

/// GW308 says the status `limit_req_status` sets, and says nothing in dry-run mode.
#[test]
fn gw308_status_and_dry_run() {
    let conf = |extra: &str| {
        format!(
            "events {{}}\nhttp {{\nlimit_req_zone $binary_remote_addr zone=api:10m rate=5r/s;\n{extra}\nserver {{ listen 80; location / {{ limit_req zone=api; proxy_pass http://127.0.0.1:3000; }} }}\n}}\n"
        )
    };
    let o = lint_nginx(&conf("limit_req_status 429;"));
    assert!(
        o.contains("warning[GW308]") && o.contains("with 429"),
        "{o}"
    );
    let o = lint_nginx(&conf("limit_req_dry_run on;"));
    assert!(!o.contains("GW308"), "{o}");
}

/// Non-ASCII words in targets and servers are read, never sliced inside a character.
#[test]
fn non_ascii_targets_do_not_crash() {
    let o = lint_nginx(
        "events {}\nhttp {\nupstream u { server éééé; }\nserver { listen 80; location / { proxy_pass éééé; } location ~^/api/ { proxy_pass http://127.0.0.1:1/v1/; } }\n}\n",
    );
    assert!(!o.contains("GW000"), "{o}");
    assert!(o.contains("GW111"), "a glued `~` is a regex location: {o}");
}

/// A second `default_backend` replaces the first; in different `.if` branches they are
/// alternatives and not reported.
#[test]
fn gw126_replaced_default_backend() {
    let head = &format!(
        "{DEFAULTS}backend a\n    server a1 127.0.0.1:3000\nbackend b\n    server b1 127.0.0.1:3001\n"
    );
    let o = lint_haproxy(&format!(
        "{head}frontend f\n    bind :80\n    default_backend a\n    default_backend b\n"
    ));
    assert!(
        o.contains("warning[GW126]") && o.contains("`default_backend a`"),
        "{o}"
    );
    let o = lint_haproxy(&format!(
        "{head}frontend f\n    bind :80\n.if defined(BLUE)\n    default_backend a\n.else\n    default_backend b\n.endif\n"
    ));
    assert!(!o.contains("GW126"), "{o}");
}

/// GW113 follows the release: from nginx 1.29.7 HTTP/1.1 is the default towards upstreams, and
/// an inherited `proxy_http_version 1.1` counts like one in the location.
#[test]
fn gw113_follows_the_release_and_inheritance() {
    let conf = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection upgrade;\n            proxy_read_timeout 1h;\n        }\n    }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nginx.conf");
    std::fs::write(&p, conf).unwrap();
    let run = |version: &str| {
        let o = gwlint()
            .args(["--format", "concise", "--nginx-version", version])
            .arg(&p)
            .output()
            .unwrap();
        out(&o)
    };
    assert!(run("1.29.6").contains("error[GW113]"), "{}", run("1.29.6"));
    assert!(!run("1.29.7").contains("GW113"), "{}", run("1.29.7"));
    let inherited = conf.replace(
        "    server {\n",
        "    proxy_http_version 1.1;\n    server {\n",
    );
    assert!(
        !lint_nginx(&inherited).contains("GW113"),
        "{}",
        lint_nginx(&inherited)
    );
    assert!(
        lint_nginx(conf).contains("warning[GW113]"),
        "{}",
        lint_nginx(conf)
    );
}

/// GW114 is about host services: a Compose deployment's /tmp is the container's, where no
/// `PrivateTmp=` applies; the same file linted alone on a host gets the warning.
#[test]
fn gw114_not_in_a_container_deployment() {
    let conf = "events {}\nhttp {\n    server {\n        listen 8080;\n        location / {\n            fastcgi_pass unix:/tmp/php-fpm.sock;\n            include fastcgi_params;\n        }\n    }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("nginx")).unwrap();
    std::fs::write(dir.path().join("nginx/nginx.conf"), conf).unwrap();
    std::fs::write(
        dir.path().join("nginx/fastcgi_params"),
        "fastcgi_param A b;\n",
    )
    .unwrap();
    let lint = || {
        let o = gwlint()
            .args(["--format", "concise"])
            .arg(dir.path())
            .output()
            .unwrap();
        out(&o)
    };
    assert!(lint().contains("warning[GW114]"), "{}", lint());
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/fastcgi_params:/etc/nginx/fastcgi_params:ro\n",
    )
    .unwrap();
    assert!(!lint().contains("GW114"), "{}", lint());
}

/// WebSocket traffic to a backend without `timeout tunnel`: found through a named ACL, an
/// anonymous one or a socket.io path, with the shorter of `timeout client` and `timeout
/// server` deciding; not with `timeout tunnel` in the defaults, with timeouts above 60s, for
/// a negated condition or a header that is not the upgrade; a name alone is info.
#[test]
fn gw211_websocket_without_tunnel_timeout() {
    let lint = |defaults: &str, frontend: &str, backend: &str| {
        lint_haproxy(&format!(
            "defaults\n    mode http\n    timeout connect 5s\n{defaults}frontend www\n    bind :80\n{frontend}    default_backend app\nbackend app\n    server a 127.0.0.1:3000\nbackend {backend}\n    server w 127.0.0.1:3001\n"
        ))
    };
    let short = "    timeout client 30s\n    timeout server 30s\n";
    let fires = [
        "    acl ws hdr(Upgrade) -i WebSocket\n    use_backend live if ws\n",
        "    acl ws hdr_beg(Connection) -i upgrade\n    use_backend live if ws\n",
        "    use_backend live if { req.hdr(upgrade),lower -m str websocket }\n",
        "    use_backend live if { path_beg /socket.io/ }\n",
        "    acl api path_beg /api/\n    acl ws hdr(upgrade) -i websocket\n    use_backend live if api ws\n",
    ];
    for f in fires {
        let o = lint(short, f, "live");
        assert!(
            o.contains("warning[GW211]") && o.contains("backend 'live'") && o.contains("30s"),
            "{f}: {o}"
        );
    }
    // The shorter side decides: a 10s client timeout, a 2m server timeout.
    let o = lint(
        "    timeout client 10s\n    timeout server 2m\n",
        fires[0],
        "live",
    );
    assert!(o.contains("`timeout client 10s`"), "{o}");
    let quiet = [
        // Tunnel timeout in the defaults.
        (
            "    timeout client 30s\n    timeout server 30s\n    timeout tunnel 1h\n",
            fires[0],
        ),
        // Both timeouts above 60s.
        ("    timeout client 5m\n    timeout server 5m\n", fires[0]),
        // Negated, or another header, or another upgrade.
        (
            short,
            "    acl ws hdr(upgrade) -i websocket\n    use_backend live if !ws\n",
        ),
        (
            short,
            "    use_backend live if { hdr(host) -i ws.example.com }\n",
        ),
        (short, "    use_backend live if { hdr(upgrade) -i h2c }\n"),
        (short, "    use_backend live if { path_beg /news/ }\n"),
    ];
    for (d, f) in quiet {
        let o = lint(d, f, "live");
        assert!(!o.contains("GW211"), "{d}{f}: {o}");
    }
    // Set in the backend itself.
    let o = lint_haproxy(&format!(
        "defaults\n    mode http\n    timeout connect 5s\n{short}frontend www\n    bind :80\n{}    default_backend app\nbackend app\n    server a 127.0.0.1:3000\nbackend live\n    timeout tunnel 1h\n    server w 127.0.0.1:3001\n",
        fires[0]
    ));
    assert!(!o.contains("GW211"), "{o}");
    // A name alone: info.
    let o = lint(
        short,
        "    use_backend be_ws if { path_beg /live/ }\n",
        "be_ws",
    );
    assert!(o.contains("info[GW211]"), "{o}");
    let o = lint(
        short,
        "    use_backend news if { path_beg /live/ }\n",
        "news",
    );
    assert!(!o.contains("GW211"), "{o}");
}

/// `http-check expect` read as HAProxy reads it: options before the match, `!` apart or
/// glued, `status` lists and ranges, `rstatus` regexes; passing only on 5xx or failing on 200
/// is a warning, passing only on 4xx (a check behind authentication) info, the rest nothing.
#[test]
fn gw310_http_check_expects_error() {
    let lint = |expect: &str| {
        lint_haproxy(&format!(
            "{DEFAULTS}frontend www\n    bind :80\n    default_backend app\nbackend app\n    option httpchk GET /health\n    http-check expect {expect}\n    server a 127.0.0.1:3000 check\n"
        ))
    };
    for e in [
        "status 500",
        "status 500-599",
        "rstatus ^5",
        "rstatus ^[45]",
        "comment \"must fail\" min-recv 0 rstatus ^5..$",
        "! status 200",
        "!status 200-399",
        "! rstatus ^2",
        "error-status L7STS ! rstatus ^[23]",
    ] {
        let o = lint(e);
        assert!(o.contains("warning[GW310]"), "{e}: {o}");
    }
    for e in ["status 401", "status 401,403"] {
        let o = lint(e);
        assert!(o.contains("info[GW310]"), "{e}: {o}");
    }
    for e in [
        "status 200",
        "status 200-399",
        "status 200,301",
        "rstatus ^[23]",
        "! rstatus ^5",
        "! status 500-599",
        "status 204",
        "string OK",
        "! string error",
        "hdr name X-Health value ok",
        "rstatus (",
    ] {
        let o = lint(e);
        assert!(!o.contains("GW310"), "{e}: {o}");
    }
}

/// `option mysql-check` without `user`, wherever it stands (a `defaults` too); with a user,
/// with or without `post-41`, nothing.
#[test]
fn gw311_mysql_check_without_user() {
    let lint = |defaults: &str, backend: &str| {
        lint_haproxy(&format!(
            "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30m\n    timeout server 30m\n{defaults}frontend mysql\n    bind :3306\n    default_backend db\nbackend db\n{backend}    server m 127.0.0.1:3307 check\n"
        ))
    };
    let o = lint("", "    option mysql-check\n");
    assert!(
        o.contains("warning[GW311]") && o.contains("backend 'db'"),
        "{o}"
    );
    let o = lint("    option mysql-check\n", "");
    assert!(
        o.contains("warning[GW311]") && o.contains("defaults"),
        "{o}"
    );
    for with in [
        "    option mysql-check user haproxy_check\n",
        "    option mysql-check user haproxy_check post-41\n",
        "    option tcp-check\n",
    ] {
        let o = lint("", with);
        assert!(!o.contains("GW311"), "{with}: {o}");
    }
}

/// As GW202: up to 135 s works on Linux and is not reported; beyond, info, in HAProxy's time
/// syntax (no unit is milliseconds).
#[test]
fn gw212_only_beyond_what_linux_waits() {
    let at = |t: &str| {
        lint_haproxy(&format!(
            "defaults\n    mode http\n    timeout connect {t}\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind :80\n    default_backend app\nbackend app\n    server a 127.0.0.1:3000\n"
        ))
    };
    for t in ["90s", "2m", "135s", "135000", "200000us"] {
        assert!(!at(t).contains("GW212"), "{t}: {}", at(t));
    }
    for t in ["136s", "300s", "5m", "1h", "200000"] {
        assert!(at(t).contains("info[GW212]"), "{t}: {}", at(t));
    }
}

/// GW401 knows the ports of services that speak only TLS, and names the service; a port next
/// to one is not judged.
#[test]
fn gw401_tls_only_service_ports() {
    let conf = |port: u16| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 8080;\n        location / {{\n            proxy_pass http://10.0.0.10:{port};\n        }}\n    }}\n}}\n"
        )
    };
    let out = lint_nginx(&conf(6443));
    assert!(
        out.contains("error[GW401]") && out.contains("the Kubernetes API server's port"),
        "{out}"
    );
    assert!(lint_nginx(&conf(9443)).contains("error[GW401]"));
    assert!(lint_nginx(&conf(10250)).contains("the kubelet's port"));
    assert!(
        !lint_nginx(&conf(6444)).contains("GW401"),
        "{}",
        lint_nginx(&conf(6444))
    );
}

/// GW204 in HAProxy: a backend's slowest response declared by a server's address counts, the
/// backend's own `timeout server` replaces the defaults', and a backend no traffic reaches is
/// not judged.
#[test]
fn gw204_haproxy_by_address_own_timeout_and_reach() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gwlint.toml"),
        "[[backend]]\ntarget = \"127.0.0.1:8081\"\nmax_response_time = \"90s\"\n",
    )
    .unwrap();
    let lint = |backend: &str, default_backend: &str| {
        let cfg = format!(
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 120s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend {default_backend}\nbackend reports\n{backend}    server r1 127.0.0.1:8081\nbackend other\n    server o1 127.0.0.1:8082\n"
        );
        let p = dir.path().join("haproxy.cfg");
        std::fs::write(&p, cfg).unwrap();
        let o = gwlint()
            .args(["--format", "concise"])
            .arg(&p)
            .output()
            .unwrap();
        out(&o)
    };
    let o = lint("", "reports");
    assert!(
        o.contains("warning[GW204]") && o.contains("`127.0.0.1:8081`"),
        "{o}"
    );
    assert!(!lint("    timeout server 100s\n", "reports").contains("GW204"));
    assert!(
        !lint("", "other").contains("GW204"),
        "{}",
        lint("", "other")
    );
}

/// GW205: only settings the named location does not set itself, only in a location that does
/// not pass requests on its own, and not for `fastcgi_*` beside a `proxy_pass`.
#[test]
fn gw205_what_the_named_location_really_loses() {
    let conf = |here: &str, there: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 8080;\n        location / {{\n            root /srv;\n            try_files $uri @app;\n{here}        }}\n        location @app {{\n{there}            proxy_pass http://127.0.0.1:9000;\n        }}\n    }}\n}}\n"
        )
    };
    let bad = lint_nginx(&conf("            proxy_buffer_size 16k;\n", ""));
    assert!(
        bad.contains("warning[GW205]") && bad.contains("proxy_buffer_size"),
        "{bad}"
    );
    let same = conf(
        "            proxy_buffer_size 16k;\n",
        "            proxy_buffer_size 16k;\n",
    );
    assert!(
        !lint_nginx(&same).contains("GW205"),
        "{}",
        lint_nginx(&same)
    );
    let other = conf("            fastcgi_read_timeout 300s;\n", "");
    assert!(
        !lint_nginx(&other).contains("GW205"),
        "{}",
        lint_nginx(&other)
    );
    let passes = conf(
        "            proxy_read_timeout 300s;\n            proxy_pass http://127.0.0.1:9001;\n",
        "",
    );
    assert!(
        !lint_nginx(&passes).contains("GW205"),
        "{}",
        lint_nginx(&passes)
    );
}

/// GW312: servers on 6443 with `check` whose backend runs a TCP connect, a TLS handshake or a
/// TLS hello; not with an HTTP check (in the backend or its defaults), a check of the user's
/// own (`tcp-check`), servers elsewhere or without `check`, nor where GW307 speaks.
#[test]
fn gw312_apiserver_checked_at_tcp_level() {
    let lint = |defaults: &str, backend: &str, server: &str| {
        lint_haproxy(&format!(
            "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n{defaults}frontend k8s_api\n    bind :6443\n    default_backend k8s_api\nbackend k8s_api\n{backend}    server cp1 {server}\n    server cp2 {}\n",
            server.replace("10.0.0.11", "10.0.0.12")
        ))
    };
    let tcp = "10.0.0.11:6443 check";
    let o = lint("", "", tcp);
    assert!(
        o.contains("warning[GW312]")
            && o.contains("only a TCP connect")
            && o.contains("its 2 servers"),
        "{o}"
    );
    let o = lint(
        "",
        "    default-server check check-ssl verify none\n",
        "10.0.0.11:6443",
    );
    assert!(
        o.contains("warning[GW312]") && o.contains("a TLS handshake"),
        "{o}"
    );
    let o = lint(
        "",
        "    option httpchk GET /healthz\n    http-check expect status 200\n    option ssl-hello-chk\n",
        tcp,
    );
    assert!(
        o.contains("warning[GW312]") && o.contains("replaces the `option httpchk`"),
        "{o}"
    );
    let o = lint(
        "    option httpchk GET /readyz\n",
        "    no option httpchk\n",
        tcp,
    );
    assert!(o.contains("warning[GW312]"), "{o}");
    for (defaults, backend, server) in [
        ("", "", "10.0.0.11:6444 check"),
        ("", "", "10.0.0.11:6443"),
        (
            "",
            "    option httpchk GET /readyz\n",
            "10.0.0.11:6443 check check-ssl verify none",
        ),
        (
            "    option httpchk GET /readyz\n",
            "",
            "10.0.0.11:6443 check check-ssl verify none",
        ),
        ("", "    option tcp-check\n", tcp),
        ("", "    option external-check\n", tcp),
        ("", "", "10.0.0.11:6443 check agent-check agent-port 9999"),
        ("", "    default-server check\n", "10.0.0.11:6443 no-check"),
    ] {
        let o = lint(defaults, backend, server);
        assert!(!o.contains("GW312"), "{defaults}{backend}{server}: {o}");
    }
    // The last check option is an HTTP check, in plain HTTP to the TLS-only port.
    let o = lint(
        "",
        "    option ssl-hello-chk\n    option httpchk GET /readyz\n",
        tcp,
    );
    assert!(
        o.contains("error[GW312]") && o.contains("in plain HTTP"),
        "{o}"
    );
    let o = lint("", "    http-check send meth GET uri /readyz\n", tcp);
    assert!(!o.contains("GW312") && o.contains("GW307"), "{o}");
    // A backend no traffic reaches.
    let o = lint_haproxy(&format!(
        "{DEFAULTS}backend k8s_api\n    server cp1 10.0.0.11:6443 check\n    server cp2 10.0.0.12:6443 check\n"
    ));
    assert!(!o.contains("GW312"), "{o}");
}

/// GW402 by the configuration's own listeners and gwlint.toml: TLS to a `listen` of the same
/// configuration without `ssl` is an error on any port; not when that listener (or another on
/// its port) has `ssl`, when the port is another, or when an include gwlint does not follow
/// may hold the `ssl`. `tls = false` declares plain text, `tls = true` TLS (even on 8080).
#[test]
fn gw402_own_listeners_and_declared_backends() {
    let conf = |target: &str, listen: &str, extra: &str| {
        format!(
            "events {{}}\nhttp {{\n{extra}    server {{\n        listen 127.0.0.1:8088;\n        location / {{\n            proxy_pass https://{target};\n        }}\n    }}\n    server {{\n        listen {listen};\n        ssl_certificate /etc/nginx/tls/a.crt;\n        ssl_certificate_key /etc/nginx/tls/a.key;\n        location / {{\n            return 200;\n        }}\n    }}\n}}\n"
        )
    };
    for (target, listen) in [
        ("127.0.0.1:8081", "127.0.0.1:8081"),
        ("127.0.0.1:8081", "8081"),
        ("localhost:8081", "8081"),
        ("127.0.0.2:8081", "*:8081"),
        ("[::1]:8081", "[::]:8081"),
        ("10.0.0.7:8081", "10.0.0.7:8081"),
    ] {
        let o = lint_nginx(&conf(target, listen, ""));
        assert!(
            o.contains("error[GW402]") && o.contains("own `listen"),
            "{target} to {listen}: {o}"
        );
    }
    for (target, listen) in [
        ("127.0.0.1:8081", "127.0.0.1:8081 ssl"),
        ("127.0.0.1:8080", "127.0.0.1:8080 ssl"),
        ("127.0.0.1:8082", "127.0.0.1:8081"),
        ("10.0.0.7:8081", "8081"),
        ("127.0.0.1:8081", "10.0.0.7:8081"),
        ("127.0.0.1:8081", "127.0.0.1:8081 http2"),
        ("127.0.0.1:8081", "127.0.0.1:8081 proxy_protocol"),
    ] {
        let o = lint_nginx(&conf(target, listen, ""));
        assert!(!o.contains("GW402"), "{target} to {listen}: {o}");
    }
    // Another server on the same socket asks for ssl: nginx turns it on for both.
    let shared = conf(
        "127.0.0.1:8081",
        "127.0.0.1:8081",
        "    server {\n        listen 127.0.0.1:8081 ssl;\n        server_name tls.example.com;\n        ssl_certificate /etc/nginx/tls/a.crt;\n        ssl_certificate_key /etc/nginx/tls/a.key;\n    }\n",
    );
    let o = lint_nginx(&shared);
    assert!(!o.contains("GW402"), "{o}");
    // An include not followed may hold `listen 127.0.0.1:8081 ssl`.
    let unknown = conf(
        "127.0.0.1:8081",
        "127.0.0.1:8081",
        "    include /opt/vendor/nginx/*.conf;\n",
    );
    let o = lint_nginx(&unknown);
    assert!(!o.contains("GW402"), "{o}");

    let with_toml = |target: &str, toml: &str| {
        lint_nginx_with_toml(
            &format!(
                "events {{}}\nhttp {{\n    upstream legacy {{\n        server 10.0.0.20:9080;\n    }}\n    server {{\n        listen 80;\n        location / {{\n            proxy_pass https://{target};\n        }}\n    }}\n}}\n"
            ),
            toml,
        )
    };
    let plain = |t: &str| format!("[[backend]]\ntarget = \"{t}\"\ntls = false\n");
    let o = with_toml("10.0.0.20:9080", &plain("10.0.0.20:9080"));
    assert!(
        o.contains("error[GW402]") && o.contains("tls = false"),
        "{o}"
    );
    let o = with_toml("legacy", &plain("legacy"));
    assert!(
        o.contains("error[GW402]") && o.contains("tls = false"),
        "{o}"
    );
    let o = with_toml("legacy", &plain("10.0.0.20:9080"));
    assert!(
        o.contains("error[GW402]") && o.contains("take plain text (`tls = false` at"),
        "{o}"
    );
    let o = with_toml(
        "10.0.0.20:8080",
        "[[backend]]\ntarget = \"10.0.0.20:8080\"\ntls = true\n",
    );
    assert!(!o.contains("GW402"), "{o}");
    let o = with_toml(
        "10.0.0.20:9080",
        "[[backend]]\ntarget = \"10.0.0.20:9080\"\nidle_timeout = \"5s\"\n",
    );
    assert!(!o.contains("GW402"), "{o}");

    // HAProxy: `ssl` to its own plain bind; not to a bind with `ssl`, nor to a tcp frontend.
    let haproxy = |bind: &str, mode: &str| {
        lint_haproxy(&format!(
            "{DEFAULTS}frontend www\n    bind :80\n    default_backend loop\nfrontend internal\n{mode}    bind {bind}\n    default_backend app\nbackend loop\n{mode}    server self 127.0.0.1:8081 ssl verify none\nbackend app\n{mode}    server a 10.0.0.5:8082\n"
        ))
    };
    let o = haproxy("127.0.0.1:8081", "");
    assert!(o.contains("error[GW402]") && o.contains("own `bind"), "{o}");
    let o = haproxy("127.0.0.1:8081 ssl crt /etc/haproxy/a.pem", "");
    assert!(!o.contains("GW402"), "{o}");
    let o = haproxy("127.0.0.1:8081", "    mode tcp\n");
    assert!(!o.contains("GW402"), "{o}");
}

/// GW116: `0.0.0.0` and `[::]` as targets in nginx (warning) and HAProxy (info, whose servers
/// without an address take the client's destination); not other addresses, not a `down`
/// server, not where the configuration itself listens on that port.
#[test]
fn gw116_connect_to_any_address() {
    let nginx = |upstream: &str, pass: &str, listen: &str| {
        lint_nginx(&format!(
            "events {{}}\nhttp {{\n    upstream app {{\n        server {upstream};\n    }}\n    server {{\n        listen {listen};\n        location / {{\n            proxy_pass http://{pass};\n        }}\n    }}\n}}\n"
        ))
    };
    let o = nginx("10.0.0.5:8080", "0.0.0.0:8080", "80");
    assert!(
        o.contains("warning[GW116]") && o.contains("127.0.0.1"),
        "{o}"
    );
    let o = nginx("10.0.0.5:8080", "[::]:8080", "80");
    assert!(o.contains("warning[GW116]") && o.contains("::1"), "{o}");
    let o = nginx("0.0.0.0:8080", "app", "80");
    assert!(
        o.contains("warning[GW116]") && o.contains("upstream `app`"),
        "{o}"
    );
    let o = nginx("0.0.0.0", "app", "8080");
    assert!(
        o.contains("warning[GW116]"),
        "a server without a port uses 80: {o}"
    );
    for (upstream, pass, listen) in [
        ("10.0.0.5:8080", "app", "80"),
        ("10.0.0.5:8080", "127.0.0.1:8080", "80"),
        ("0.0.0.0:8080 down", "app", "80"),
        ("10.0.0.5:8080", "0.0.0.0:8080", "8080"),
        ("0.0.0.0:8081", "app", "127.0.0.1:8081"),
    ] {
        let o = nginx(upstream, pass, listen);
        assert!(!o.contains("GW116"), "{upstream} {pass} {listen}: {o}");
    }
    let haproxy = |server: &str, bind: &str| {
        lint_haproxy(&format!(
            "{DEFAULTS}frontend www\n    bind {bind}\n    default_backend app\nbackend app\n    server a {server}\n"
        ))
    };
    for server in ["0.0.0.0:8080", "*:8080", ":8080", ":::8080", "0.0.0.0"] {
        let o = haproxy(server, "127.0.0.1:80");
        assert!(o.contains("info[GW116]"), "{server}: {o}");
    }
    let o = haproxy("0.0.0.0:8080 check", "127.0.0.1:80");
    assert!(o.contains("health check"), "{o}");
    for (server, bind) in [("10.0.0.5:8080", "127.0.0.1:80"), ("0.0.0.0:8080", ":8080")] {
        let o = haproxy(server, bind);
        assert!(!o.contains("GW116"), "{server} {bind}: {o}");
    }
}

/// GW401 asks what GW402 asks (`model::tls::speaks`), for the opposite answer: plain text to
/// this configuration's own `listen … ssl` is an error on any port, and so is plain text to a
/// backend gwlint.toml declares TLS (`tls = true`); a plain listener of its own on 8443, or
/// `tls = false` on 443, takes plain text, so neither is reported; TLS ports alone still are.
#[test]
fn gw401_own_listeners_and_declared_backends() {
    let conf = |target: &str, listen: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:8088;\n        location / {{\n            proxy_pass http://{target};\n        }}\n    }}\n    server {{\n        listen {listen};\n        ssl_certificate /etc/nginx/tls/a.crt;\n        ssl_certificate_key /etc/nginx/tls/a.key;\n        location / {{\n            return 200;\n        }}\n    }}\n}}\n"
        )
    };
    for (target, listen) in [
        ("127.0.0.1:8081", "127.0.0.1:8081 ssl"),
        ("127.0.0.1:9000", "9000 ssl"),
        ("localhost:8081", "8081 ssl"),
    ] {
        let o = lint_nginx(&conf(target, listen));
        assert!(
            o.contains("error[GW401]") && o.contains("own `listen") && o.contains("takes TLS"),
            "{target} to {listen}: {o}"
        );
    }
    for (target, listen) in [
        // Its own plain listener takes the connection, whatever the port's convention.
        ("127.0.0.1:8443", "127.0.0.1:8443"),
        ("127.0.0.1:8082", "127.0.0.1:8081 ssl"),
        ("127.0.0.1:8081", "10.0.0.7:8081 ssl"),
    ] {
        let o = lint_nginx(&conf(target, listen));
        assert!(!o.contains("GW401"), "{target} to {listen}: {o}");
    }
    // Not its own listener: the port's convention, as before.
    let o = lint_nginx(&conf("10.0.0.9:8443", "127.0.0.1:9000"));
    assert!(o.contains("error[GW401]") && o.contains("port 8443"), "{o}");

    let with_toml = |target: &str, toml: &str| {
        lint_nginx_with_toml(
            &format!(
                "events {{}}\nhttp {{\n    upstream legacy {{\n        server 10.0.0.20:9443;\n    }}\n    server {{\n        listen 80;\n        location / {{\n            proxy_pass http://{target};\n        }}\n    }}\n}}\n"
            ),
            toml,
        )
    };
    let declared = |t: &str, tls: bool| format!("[[backend]]\ntarget = \"{t}\"\ntls = {tls}\n");
    let o = with_toml("10.0.0.20:9080", &declared("10.0.0.20:9080", true));
    assert!(
        o.contains("error[GW401]") && o.contains("declares TLS (`tls = true`)"),
        "{o}"
    );
    let o = with_toml("legacy", &declared("legacy", false));
    assert!(!o.contains("GW401"), "{o}");
    let o = with_toml("legacy", "");
    assert!(
        o.contains("error[GW401]") && o.contains("listen on a TLS port"),
        "{o}"
    );
}

/// TLS to an IP address with the client's Host forwarded and no SNI; not where SNI is sent,
/// the Host is nginx's default or HAProxy's is rewritten, or the target has a name (GW403's).
#[test]
fn gw407_forwarded_host_without_sni() {
    let nginx = |http: &str, location: &str, pass: &str| {
        lint_nginx(&format!(
            "events {{}}\nhttp {{\n    upstream sites {{\n        server 10.0.0.5:8443;\n        server 10.0.0.6:8443;\n    }}\n{http}    server {{\n        listen 80;\n        server_name shop.example.com;\n        location / {{\n{location}            proxy_pass https://{pass};\n        }}\n    }}\n}}\n"
        ))
    };
    let host = "            proxy_set_header Host $host;\n";
    for (http, location, pass) in [
        ("", host, "10.0.0.5:8443"),
        ("", host, "sites"),
        (
            "",
            "            proxy_set_header Host $http_host;\n",
            "[::1]:8443",
        ),
        (
            "",
            "            proxy_set_header Host app.example.com;\n",
            "10.0.0.5:8443",
        ),
        ("    proxy_ssl_server_name on;\n", host, "10.0.0.5:8443"),
        (
            "    proxy_ssl_server_name on;\n    proxy_ssl_name 10.0.0.5;\n",
            host,
            "sites",
        ),
        ("    proxy_set_header Host $host;\n", "", "10.0.0.5:8443"),
        // SNI on through an upstream: nginx sends the upstream's name, which names no site
        // (a dotted name is `gw407_upstream_name_as_sni`'s).
        ("    proxy_ssl_server_name on;\n", host, "sites"),
    ] {
        let o = nginx(http, location, pass);
        assert!(
            o.contains("info[GW407]") && o.contains("421") && o.contains("AH02032"),
            "{http}{location}{pass}: {o}"
        );
        assert!(!o.contains("GW403"), "{http}{location}{pass}: {o}");
    }
    for (http, location, pass) in [
        // SNI names the site.
        (
            "    proxy_ssl_server_name on;\n    proxy_ssl_name $host;\n",
            host,
            "10.0.0.5:8443",
        ),
        // nginx's default Host, or a Host that is an address.
        ("", "", "10.0.0.5:8443"),
        (
            "",
            "            proxy_set_header Host $proxy_host;\n",
            "10.0.0.5:8443",
        ),
        (
            "",
            "            proxy_set_header Host 10.0.0.5:8443;\n",
            "10.0.0.5:8443",
        ),
        // A level that sets any proxy_set_header inherits none from outside.
        (
            "    proxy_set_header Host $host;\n",
            "            proxy_set_header X-Real-IP $remote_addr;\n",
            "10.0.0.5:8443",
        ),
    ] {
        let o = nginx(http, location, pass);
        assert!(!o.contains("GW407"), "{http}{location}{pass}: {o}");
    }
    // A named target is GW403's, and so is a name that takes no effect.
    let o = nginx("", host, "api.partner.example");
    assert!(o.contains("GW403") && !o.contains("GW407"), "{o}");
    let o = nginx("    proxy_ssl_name $host;\n", host, "10.0.0.5:8443");
    assert!(o.contains("GW403") && !o.contains("GW407"), "{o}");
    let o = lint_nginx(
        "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_set_header Host $host;\n            proxy_pass http://10.0.0.5:8080;\n        }\n    }\n}\n",
    );
    assert!(!o.contains("GW407"), "plain HTTP: {o}");
    let o = nginx("", host, "10.0.0.5:80");
    assert!(o.contains("GW402") && !o.contains("GW407"), "{o}");

    let haproxy = |server: &str, extra: &str| {
        lint_haproxy(&format!(
            "{DEFAULTS}frontend www\n    bind 127.0.0.1:8080\n{extra}    default_backend a\nbackend a\n    server web1 {server}\n"
        ))
    };
    let acl = "    acl shop hdr_dom(host) -i shop.example.com\n    http-request deny unless shop\n";
    for server in [
        "10.0.0.5:8443 ssl verify none",
        "[::1]:8443 ssl verify none",
    ] {
        let o = haproxy(server, acl);
        assert!(
            o.contains("info[GW407]") && o.contains("before HAProxy 3.3"),
            "{server}: {o}"
        );
    }
    let rewritten = format!("{acl}    http-request set-header Host app.example.com\n");
    for (server, extra) in [
        ("10.0.0.5:8443 ssl verify none sni req.hdr(host)", acl),
        ("10.0.0.5:8443", acl),
        ("10.0.0.5:8443 ssl verify none disabled", acl),
        (
            "app.partner.example:8443 ssl verify none init-addr none",
            acl,
        ),
        // GW402's: TLS to a plain-HTTP port.
        ("10.0.0.5:80 ssl verify none", acl),
        // Nothing tells sites apart by Host.
        ("10.0.0.5:8443 ssl verify none", ""),
        ("10.0.0.5:8443 ssl verify none", rewritten.as_str()),
    ] {
        let o = haproxy(server, extra);
        assert!(!o.contains("GW407"), "{server} {extra}: {o}");
    }
    // From 3.3, sni-auto sends the Host as SNI.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let p = dir.path().join("haproxy.cfg");
    std::fs::write(
        &p,
        format!("{DEFAULTS}frontend www\n    bind 127.0.0.1:8080\n{acl}    default_backend a\nbackend a\n    server web1 10.0.0.5:8443 ssl verify none\n    server web2 10.0.0.6:8443 ssl verify none no-sni-auto\n"),
    )
    .unwrap();
    let o = out(&gwlint()
        .args(["--format", "concise", "--haproxy-version", "3.3.0"])
        .arg(&p)
        .output()
        .unwrap());
    assert!(
        o.contains("GW407") && o.contains("web2") && !o.contains("a/web1"),
        "{o}"
    );
}

/// GW401 on HAProxy is the same check over the model's hops (`model::tls::crossed`): a
/// server of an http backend without `ssl` is judged by gwlint.toml, then by the
/// configuration's own `bind`, then by the port, as nginx's `proxy_pass http://` is.
#[test]
fn gw401_haproxy_own_binds_and_declared_backends() {
    let conf = |server: &str, bind: &str| {
        format!(
            "{DEFAULTS}frontend www\n    bind 127.0.0.1:8088\n    default_backend app\nfrontend tls\n    bind {bind}\n    http-request return status 200\nbackend app\n    server s1 {server}\n"
        )
    };
    // Plain HTTP to its own `bind … ssl`, on a port of no convention.
    let o = lint_haproxy(&conf(
        "127.0.0.1:9000",
        "127.0.0.1:9000 ssl crt /etc/haproxy/site.pem",
    ));
    assert!(
        o.contains("error[GW401]") && o.contains("own `bind") && o.contains("takes TLS"),
        "{o}"
    );
    // Its own plain bind on 8443 takes plain text: not reported, though 8443 is a TLS port.
    let o = lint_haproxy(&conf("127.0.0.1:8443", "127.0.0.1:8443"));
    assert!(!o.contains("GW401"), "{o}");
    // Someone else's 8443: the port's convention, as before.
    let o = lint_haproxy(&conf("10.0.0.9:8443", "127.0.0.1:9000"));
    assert!(o.contains("error[GW401]") && o.contains("port 8443"), "{o}");
    // Declared in gwlint.toml, either way.
    let declared = |t: &str, tls: bool| format!("[[backend]]\ntarget = \"{t}\"\ntls = {tls}\n");
    let o = lint_with_toml(
        "haproxy.cfg",
        &conf("10.0.0.20:9080", "127.0.0.1:9000"),
        &declared("10.0.0.20:9080", true),
    );
    assert!(
        o.contains("error[GW401]") && o.contains("declares TLS (`tls = true`)"),
        "{o}"
    );
    let o = lint_with_toml(
        "haproxy.cfg",
        &conf("10.0.0.20:443", "127.0.0.1:9000"),
        &declared("app", false),
    );
    assert!(!o.contains("GW401"), "{o}");
    // A tcp backend passes what the client sends on: no finding without `ssl`.
    let tcp = conf("10.0.0.9:443", "127.0.0.1:9000")
        .replace("backend app\n", "backend app\n    mode tcp\n");
    let o = lint_haproxy(&tcp);
    assert!(!o.contains("GW401"), "{o}");
}

/// GW403 is one check over the model's hops (`model::tls::Hop::sni`): with SNI off, a named
/// host target is reported whether or not `proxy_ssl_name` is set for verification (as it
/// is for an upstream of named hosts), and turning SNI on silences it.
#[test]
fn gw403_no_sni_to_a_named_host_with_a_verified_name() {
    let conf = |sni: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 80;\n        location / {{\n            proxy_pass https://api.example.com;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n            proxy_ssl_name api.example.com;\n{sni}        }}\n    }}\n}}\n"
        )
    };
    let o = lint_nginx(&conf(""));
    assert!(
        o.contains("warning[GW403]")
            && o.contains("the host name \"api.example.com\"")
            && o.contains("sends no SNI"),
        "{o}"
    );
    let o = lint_nginx(&conf("            proxy_ssl_server_name on;\n"));
    assert!(!o.contains("GW403"), "{o}");
    // An IP target with a name for verification is not reported (one certificate, likely).
    let o = lint_nginx(&conf("").replace("https://api.example.com", "https://10.0.0.5"));
    assert!(!o.contains("GW403"), "{o}");
}

/// GW312's plain-HTTP check: `option httpchk` in a passthrough backend whose servers on 6443
/// have neither `check-ssl` nor `ssl` is an error (a warning for some of the servers); TLS
/// checks from `default-server`, a check sent to another port, `http-check connect` and
/// `mode http` (GW401's) are not reported.
#[test]
fn gw312_plain_http_check_of_the_apiserver() {
    let conf = |backend: &str| {
        format!(
            "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend k8s_api\n    bind 127.0.0.1:6443\n    default_backend k8s_api\nbackend k8s_api\n    option httpchk GET /readyz\n    http-check expect status 200\n{backend}"
        )
    };
    let o = lint_haproxy(&conf(
        "    server cp1 10.0.0.11:6443 check\n    server cp2 10.0.0.12:6443 check\n",
    ));
    assert!(
        o.contains("error[GW312]") && o.contains("its 2 servers") && o.contains("plain HTTP"),
        "{o}"
    );
    let o = lint_haproxy(&conf(
        "    server cp1 10.0.0.11:6443 check check-ssl verify none\n    server cp2 10.0.0.12:6443 check\n",
    ));
    assert!(
        o.contains("warning[GW312]") && o.contains("1 of its 2 checked servers"),
        "{o}"
    );
    for quiet in [
        "    default-server check-ssl verify none\n    server cp1 10.0.0.11:6443 check\n",
        "    server cp1 10.0.0.11:6443 check port 8080\n",
        "    http-check connect ssl\n    server cp1 10.0.0.11:6443 check\n",
        "    mode http\n    server cp1 10.0.0.11:6443 check\n",
    ] {
        let o = lint_haproxy(&conf(quiet));
        assert!(!o.contains("GW312"), "{quiet}: {o}");
    }
}

/// GW028 follows `ngx_http_ssl_init()`: `ssl` is merged over an address, its default server
/// (explicit, else the first) needs a certificate, and one that only rejects handshakes passes
/// the need on to the other servers of the address; other addresses are apart.
#[test]
fn gw028_the_address_and_its_default_server() {
    let conf = |a: &str, a_body: &str, b: &str, b_body: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen {a};\n{a_body}        location / {{ return 204; }}\n    }}\n    server {{\n        listen {b};\n{b_body}    }}\n}}\n"
        )
    };
    let cert = "        ssl_certificate /etc/nginx/tls/a.crt;\n        ssl_certificate_key /etc/nginx/tls/a.key;\n";
    let reject = "        ssl_reject_handshake on;\n";
    let refused = [
        ("127.0.0.1:8443", "", "127.0.0.1:8443 ssl", reject),
        (
            "127.0.0.1:8443",
            "",
            "127.0.0.1:8443 ssl default_server",
            reject,
        ),
        ("127.0.0.1:8443 ssl", reject, "127.0.0.1:8443", ""),
    ];
    for (a, ab, b, bb) in refused {
        let o = lint_nginx(&conf(a, ab, b, bb));
        assert!(o.contains("error[GW028]"), "{a} / {b}: {o}");
    }
    let accepted = [
        (
            "127.0.0.1:8443",
            "",
            "127.0.0.1:8443 ssl default_server",
            cert,
        ),
        ("127.0.0.1:8443", cert, "127.0.0.1:8443 ssl", reject),
        ("127.0.0.1:8443 ssl", reject, "127.0.0.1:8443", cert),
        ("127.0.0.1:8443", "", "127.0.0.2:8443 ssl", reject),
        ("8443", "", "127.0.0.1:8443 ssl", reject),
    ];
    for (a, ab, b, bb) in accepted {
        let o = lint_nginx(&conf(a, ab, b, bb));
        assert!(!o.contains("GW028"), "{a} / {b}: {o}");
    }
}

/// GW020 judges the action of a rule line against the actions the release registers: a
/// configuration `haproxy -c` 2.6 calls valid (prefix actions such as `track-sc0` and
/// `sc-inc-gpc0(0)`, `tcp-request inspect-delay`) has no finding; an unknown action has one,
/// with HAProxy's suggestion; a Lua action is registered by its script and not judged.
#[test]
fn gw020_rule_actions() {
    let valid = "global\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    stick-table type ip size 1k store gpc0,gpc1\n    bind 127.0.0.1:8088\n    tcp-request inspect-delay 5s\n    tcp-request connection accept if TRUE\n    tcp-request connection track-sc0 src\n    tcp-request session track-sc1 src\n    tcp-request content set-var(txn.a) str(x)\n    tcp-request content sc-inc-gpc0(0)\n    tcp-request content reject if FALSE\n    tcp-request content capture req.hdr(host) len 20\n    http-request set-var(txn.b) str(y)\n    http-request set-header X-A b\n    http-request del-header X-B\n    http-request track-sc2 src\n    http-request sc-inc-gpc1(2)\n    http-request redirect scheme https if !{ ssl_fc }\n    http-request return status 200 if { path /ok }\n    http-request deny deny_status 403 if { path /no }\n    http-request wait-for-body time 1s\n    http-request set-log-level silent\n    http-request capture req.hdr(Host) len 10\n    http-request early-hint Link \"</a.css>\"\n    http-response set-header X-C d\n    http-response del-header Server\n    http-after-response set-header X-D e\n    default_backend app\nbackend app\n    tcp-response inspect-delay 1s\n    tcp-response content accept if TRUE\n    server s1 127.0.0.1:9000\n";
    let o = lint_haproxy(valid);
    assert!(!o.contains("GW02"), "{o}");
    let o = lint_haproxy(&valid.replace("http-request del-header X-B", "http-request ydeny"));
    assert!(
        o.contains("error[GW020]") && o.contains("but got 'ydeny'. Did you mean 'deny' maybe ?"),
        "{o}"
    );
    let o =
        lint_haproxy(&valid.replace("tcp-request content reject", "tcp-request content rejekt"));
    assert!(
        o.contains("error[GW020]") && o.contains("'tcp-request content'"),
        "{o}"
    );
    let o = lint_haproxy(&valid.replace("http-request del-header X-B", "http-request lua.hello"));
    assert!(!o.contains("GW020"), "{o}");
}

/// A `quic` listen is a UDP socket of its own: the HTTP/3 pair `listen 443 ssl;` and
/// `listen 443 quic;` in one server is not a duplicate (GW024), and does not join the TCP
/// address in GW028's walk; the same TCP address twice still is a duplicate.
#[test]
fn quic_listens_are_addresses_of_their_own() {
    let conf = |second: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:8443 ssl;\n        listen {second};\n        ssl_certificate /etc/nginx/tls/a.crt;\n        ssl_certificate_key /etc/nginx/tls/a.key;\n        location / {{ return 204; }}\n    }}\n}}\n"
        )
    };
    let o = lint_nginx(&conf("127.0.0.1:8443 quic reuseport"));
    assert!(!o.contains("GW024") && !o.contains("GW028"), "{o}");
    let o = lint_nginx(&conf("127.0.0.1:8443"));
    assert!(o.contains("GW024") && o.contains("duplicate listen"), "{o}");
}

/// GW312's plain-HTTP check is not reported where `defaults` holds the check's `http-check
/// connect` (a backend without check rules of its own takes them).
#[test]
fn gw312_http_check_connect_from_defaults() {
    let o = lint_haproxy(
        "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n    option httpchk GET /readyz\n    http-check connect ssl\nfrontend k8s_api\n    bind 127.0.0.1:6443\n    default_backend k8s_api\nbackend k8s_api\n    server cp1 10.0.0.11:6443 check\n    server cp2 10.0.0.12:6443 check\n",
    );
    assert!(!o.contains("GW312"), "{o}");
}

/// GW021 on experimental keywords follows HAProxy's reading order (checked with `haproxy -c`
/// 2.6.12): `expose-experimental-directives` counts from where it is read, in a `global`
/// before or after the line, in an earlier or later file of a `-f DIR` list; under `.if`, or
/// with no `global` in the files given, whether it is read is unknown and nothing is said.
#[test]
fn gw021_experimental_in_reading_order() {
    const REFUSED: &str = "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'";
    let fe = "frontend www\n    bind 127.0.0.1:8080\n    http-request normalize-uri path-merge-slashes\n    default_backend app\nbackend app\n    server web1 127.0.0.1:8081\n";
    let with = |global: &str| format!("{global}{DEFAULTS}{fe}");
    let o = lint_haproxy(&with("global\n    maxconn 100\n"));
    assert!(o.contains("error[GW021]") && o.contains(REFUSED), "{o}");
    let o = lint_haproxy(&with("global\n    expose-experimental-directives\n"));
    assert!(!o.contains("GW021"), "{o}");
    // Read after the action: too late.
    let o = lint_haproxy(&format!(
        "global\n    maxconn 100\n{DEFAULTS}{fe}global\n    expose-experimental-directives\n"
    ));
    assert!(o.contains("error[GW021]") && o.contains(REFUSED), "{o}");
    // Under a condition, or no global at all: unknown.
    let o = lint_haproxy(&with(
        "global\n.if defined(EXPERIMENTAL)\n    expose-experimental-directives\n.endif\n",
    ));
    assert!(!o.contains("GW021"), "{o}");
    let o = lint_haproxy(&with(""));
    assert!(!o.contains("GW021"), "{o}");
    // Before a conditional switch: refused whether or not it is read.
    let o = lint_haproxy(&format!(
        "global\n    maxconn 100\n{DEFAULTS}{fe}global\n.if defined(EXPERIMENTAL)\n    expose-experimental-directives\n.endif\n"
    ));
    assert!(o.contains("error[GW021]") && o.contains(REFUSED), "{o}");
    // A global keyword: before the switch is refused, after it is not. It was not
    // experimental before 2.4 (2.2 and 2.3 have no switch): with the release unknown, a warning.
    let o = lint_haproxy(&with(
        "global\n    tune.fd.edge-triggered on\n    expose-experimental-directives\n",
    ));
    assert!(
        o.contains("warning[GW021]")
            && o.contains("'tune.fd.edge-triggered' directive is experimental"),
        "{o}"
    );
    assert_eq!(o.matches("GW021").count(), 1, "the action comes after: {o}");
    // A `-f DIR` list reads its files in name order, whether the directory or the file that
    // uses the action is linted (a file named alone brings the rest of its list).
    let global = format!("global\n    expose-experimental-directives\n{DEFAULTS}");
    for (first, second, refused) in [
        ("00-global.cfg", "10-www.cfg", false),
        ("10-global.cfg", "00-www.cfg", true),
    ] {
        let files = [
            (format!("haproxy/{first}"), global.as_str()),
            (format!("haproxy/{second}"), fe),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        for path in ["haproxy".to_string(), format!("haproxy/{second}")] {
            let o = lint_repo(&files, &path, &[]);
            assert_eq!(
                o.contains(REFUSED),
                refused,
                "{first} then {second}, {path}: {o}"
            );
        }
    }
}

/// GW702 asks the model whether the outer nginx reuses connections (`model::reuse`, as GW503
/// and GW504 do): `proxy_http_version 1.0` does not, even with `Connection ""`, nor does a
/// `Connection` header whose variable sends `close`; HTTP/1.1 with `Connection ""` does.
#[test]
fn gw702_only_routes_that_reuse_connections_race() {
    let inner = "events {}\nhttp {\n    keepalive_timeout 15s;\n    server {\n        listen 127.0.0.1:8081;\n        location / {\n            return 200 \"ok\\n\";\n        }\n    }\n}\n";
    let outer = |location: &str, http: &str| {
        format!(
            "events {{}}\nhttp {{\n{http}    upstream inner {{\n        server 127.0.0.1:8081;\n        keepalive 16;\n    }}\n    server {{\n        listen 127.0.0.1:8080;\n        location / {{\n{location}            proxy_pass http://inner;\n        }}\n    }}\n}}\n"
        )
    };
    let lint_at = |outer: &str, version: &str| {
        lint_repo(
            &[("outer/nginx.conf", outer), ("inner/nginx.conf", inner)],
            ".",
            &["--nginx-version", version],
        )
    };
    let lint = |outer: &str| lint_at(outer, "1.22.1");
    let reuse =
        "            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n";
    let o = lint(&outer(reuse, ""));
    assert!(o.contains("GW702"), "{o}");
    let o = lint(&outer(
        "            proxy_http_version 1.0;\n            proxy_set_header Connection \"\";\n",
        "",
    ));
    assert!(!o.contains("GW702"), "HTTP/1.0 keeps no connection: {o}");
    let o = lint(&outer(
        "            proxy_http_version 1.1;\n            proxy_set_header Connection $connection_upgrade;\n",
        "    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n",
    ));
    assert!(
        !o.contains("GW702"),
        "a plain request sends Connection: close: {o}"
    );
    // From 1.29.7 nginx keeps connections by default, but not over HTTP/1.0.
    let o = lint_at(&outer("", ""), "1.29.7");
    assert!(o.contains("GW702"), "{o}");
    let o = lint_at(
        &outer(
            "            proxy_http_version 1.0;\n            proxy_set_header Connection \"\";\n",
            "",
        ),
        "1.29.7",
    );
    assert!(!o.contains("GW702"), "HTTP/1.0 keeps no connection: {o}");
}

/// GW407 on an upstream's name sent as SNI: a name without a dot names no site and is
/// reported; a dotted one may be the site's own, and a Host set to the upstream's name agrees
/// with the SNI: neither is reported.
#[test]
fn gw407_upstream_name_as_sni() {
    let conf = |upstream: &str, host: &str| {
        format!(
            "events {{}}\nhttp {{\n    upstream {upstream} {{\n        server 127.0.0.13:8443;\n    }}\n    server {{\n        listen 80;\n        server_name shop.example.com;\n        location / {{\n            proxy_ssl_server_name on;\n            proxy_set_header Host {host};\n            proxy_pass https://{upstream};\n        }}\n    }}\n}}\n"
        )
    };
    let o = lint_nginx(&conf("sites", "$host"));
    assert!(
        o.contains("GW407") && o.contains("the upstream's name \"sites\" as SNI"),
        "{o}"
    );
    let o = lint_nginx(&conf("shop.example.com", "$host"));
    assert!(!o.contains("GW407"), "{o}");
    let o = lint_nginx(&conf("sites", "sites"));
    assert!(!o.contains("GW407"), "{o}");
}
