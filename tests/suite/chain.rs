//! Gateway chains: HAProxy in front of nginx (and nginx in front of nginx) linked and checked
//! as one path, on the fixtures in `tests/fixtures/chain/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chain")
        .join(name)
}

/// `file:line code` for every finding of a run, paths relative to the fixture.
fn findings(dir: &Path) -> Vec<String> {
    let outcome = gwlint::lint(&[dir.to_path_buf()], &gwlint::Options::default());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    // Only the chain rules: each layer's own findings are the other tests' business.
    outcome
        .findings
        .iter()
        .filter(|f| f.rule.code.starts_with("GW7"))
        .map(|f| {
            let file = outcome.loader.sources.get(f.span.file);
            let name = Path::new(&file.name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            format!(
                "{name}:{} {}",
                file.line(f.span.start as usize),
                f.rule.code
            )
        })
        .collect()
}

fn gwlint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn a_correct_chain_is_clean() {
    assert_eq!(findings(&fixture("good")), Vec::<String>::new());
}

#[test]
fn graph_draws_the_chain_from_the_client_through_both_proxies() {
    let out = gwlint(&["graph", "tests/fixtures/chain/good"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    crate::snapshots().bind(|| insta::assert_snapshot!("chain__graph_text", &text));
    // The hop from HAProxy's server to nginx's listener is the link.
    let server = text.find("server web1 127.0.0.1:18081").unwrap();
    let listen = text
        .find("→ nginx server www.example.test: listen 127.0.0.1:18081")
        .unwrap();
    assert!(server < listen, "{text}");
}

#[test]
fn graph_as_json_and_dot() {
    let out = gwlint(&["graph", "--format", "json", "tests/fixtures/chain/good"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    let links: Vec<&serde_json::Value> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["link"] == true)
        .collect();
    assert_eq!(links.len(), 1, "{v:#}");
    let from = &nodes[links[0]["from"].as_u64().unwrap() as usize];
    let to = &nodes[links[0]["to"].as_u64().unwrap() as usize];
    assert_eq!(from["label"], "server web1 127.0.0.1:18081 check inter 2s");
    assert_eq!(
        (from["kind"].as_str(), to["kind"].as_str()),
        (Some("server"), Some("listener"))
    );
    assert_eq!(to["label"], "listen 127.0.0.1:18081");
    assert_eq!(v["proxies"].as_array().unwrap().len(), 2);

    let out = gwlint(&["graph", "--format", "dot", "tests/fixtures/chain/good"]);
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph gwlint {"), "{dot}");
    assert!(dot.contains("[style=bold, color=blue]"), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn graph_of_a_missing_path_exits_2() {
    let out = gwlint(&["graph", "tests/fixtures/chain/nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn each_chain_finding_at_its_line() {
    assert_eq!(
        findings(&fixture("bad")),
        [
            "haproxy.cfg:10 GW701",
            "haproxy.cfg:26 GW705",
            "haproxy.cfg:35 GW703",
            "haproxy.cfg:39 GW704",
        ]
    );
    // The inner directive is named too: nginx's side of each disagreement.
    let outcome = gwlint::lint(&[fixture("bad")], &gwlint::Options::default());
    let related: Vec<(&str, usize)> = outcome
        .findings
        .iter()
        .filter(|f| f.rule.code.starts_with("GW7"))
        .map(|f| {
            let (span, _) = f.related.last().expect("a related span");
            let file = outcome.loader.sources.get(span.file);
            (f.rule.code, file.line(span.start as usize))
        })
        .collect();
    assert_eq!(
        related,
        [("GW701", 16), ("GW705", 7), ("GW703", 21), ("GW704", 27),]
    );
    // An outer HAProxy's idle-connection race is reported once, by GW505 on its backend.
    let race: Vec<(&str, usize)> = outcome
        .findings
        .iter()
        .filter(|f| matches!(f.rule.code, "GW505" | "GW702"))
        .map(|f| {
            let file = outcome.loader.sources.get(f.span.file);
            (f.rule.code, file.line(f.span.start as usize))
        })
        .collect();
    assert_eq!(race, [("GW505", 43)]);
}

#[test]
fn one_layer_alone_is_no_chain() {
    let outcome = gwlint::lint(
        &[fixture("bad").join("haproxy.cfg")],
        &gwlint::Options {
            graph: true,
            ..Default::default()
        },
    );
    assert!(!outcome.graph.nodes.is_empty(), "the graph is drawn");
    assert!(
        outcome
            .findings
            .iter()
            .all(|f| !f.rule.code.starts_with("GW7")),
        "{:?}",
        outcome.findings
    );
    assert!(outcome.graph.edges.iter().all(|e| !e.link));
}

#[test]
fn host_names_link_only_through_link_facts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("haproxy.cfg"),
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend web\nbackend web\n    server web1 web.internal:8081 send-proxy\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 8081;\n        location / {\n            return 200;\n        }\n    }\n}\n",
    )
    .unwrap();
    let codes = |opts: &gwlint::Options| -> Vec<&'static str> {
        gwlint::lint(&[dir.path().to_path_buf()], opts)
            .findings
            .iter()
            .map(|f| f.rule.code)
            .filter(|c| c.starts_with("GW7"))
            .collect()
    };
    assert_eq!(codes(&gwlint::Options::default()), Vec::<&str>::new());
    let mut opts = gwlint::Options::default();
    opts.facts.links.push(gwlint::facts::Link {
        target: "web.internal".into(),
        listener: "127.0.0.1".into(),
        origin: "gwlint.toml:1".into(),
    });
    assert_eq!(codes(&opts), ["GW704"]);
}

#[test]
fn link_entries_in_gwlint_toml_link_host_names() {
    let dir = tempfile::tempdir().unwrap();
    // Apart (not one deployment by their directories): only the link joins them.
    let put = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put(
        "edge/lb/haproxy.cfg",
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend web\nbackend web\n    server web1 web.internal:8081 send-proxy\n",
    );
    put(
        "apps/web/site/nginx.conf",
        "events {}\nhttp {\n    server {\n        listen 8081;\n        location / {\n            return 200;\n        }\n    }\n}\n",
    );
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .args(["--format", "concise", "--select", "GW7", "."])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let o = run();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    put(
        "gwlint.toml",
        "[[link]]\ntarget = \"web.internal:8081\"\nlistener = \"127.0.0.1:8081\"\n",
    );
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let found: Vec<&str> = out.lines().filter(|l| l.contains("[GW")).collect();
    assert_eq!(found.len(), 1, "{out}");
    assert!(
        found[0].starts_with("./edge/lb/haproxy.cfg:10:") && found[0].contains("[GW704]"),
        "{out}"
    );
    // `gwlint graph` draws the hop the link makes.
    let o = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["graph", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let graph = String::from_utf8_lossy(&o.stdout);
    assert!(
        graph.contains("→ nginx") && graph.contains("listen 8081"),
        "{graph}"
    );
    // `gwlint config` shows it, with its line.
    let o = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["config", "edge/lb/haproxy.cfg"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&o.stdout);
    let line = shown
        .lines()
        .find(|l| l.starts_with("listener = \"127.0.0.1:8081\""))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.ends_with("gwlint.toml:2"), "{line}");
    // A bad entry stops the run with its place.
    put(
        "gwlint.toml",
        "[[link]]\ntarget = \"web.internal:8081\"\nlistener = \"127.0.0.1:http\"\n",
    );
    let o = run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("gwlint.toml:3:12: listener: \"127.0.0.1:http\" is not an address"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn nginx_in_front_of_nginx() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("edge.conf"),
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_read_timeout 30s;\n            proxy_pass http://localhost:8081;\n        }\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.conf"),
        "events {}\nhttp {\n    server {\n        listen 8081;\n        location / {\n            fastcgi_read_timeout 300s;\n            fastcgi_pass 127.0.0.1:9000;\n            include fastcgi_params;\n        }\n    }\n}\n",
    )
    .unwrap();
    let found = findings(dir.path());
    assert!(
        found.contains(&"edge.conf:6 GW701".to_string()),
        "{found:?}"
    );
}

#[test]
fn layers_link_in_one_directory_or_sibling_directories_only() {
    let dir = tempfile::tempdir().unwrap();
    let haproxy = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend web\nbackend web\n    server web1 127.0.0.1:8081 send-proxy\n";
    let nginx = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8081;\n        location / {\n            return 200;\n        }\n    }\n}\n";
    let put = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // One deployment: deploy/haproxy/ and deploy/nginx/.
    put("deploy/haproxy/haproxy.cfg", haproxy);
    put("deploy/nginx/nginx.conf", nginx);
    // Unrelated configurations that use the same loopback port.
    put("services/a/lb/haproxy.cfg", haproxy);
    put("other/b/site/nginx.conf", nginx);
    let found: Vec<String> = findings(dir.path())
        .into_iter()
        .filter(|f| f.contains("GW7"))
        .collect();
    // Only the deployment's own pair: one GW704, from deploy/haproxy.
    let outcome = gwlint::lint(&[dir.path().to_path_buf()], &gwlint::Options::default());
    let files: Vec<&str> = outcome
        .findings
        .iter()
        .filter(|f| f.rule.code == "GW704")
        .map(|f| outcome.loader.sources.get(f.span.file).name.as_str())
        .collect();
    assert_eq!(found, ["haproxy.cfg:10 GW704"], "{files:?}");
    assert!(
        files[0].ends_with("deploy/haproxy/haproxy.cfg"),
        "{files:?}"
    );
}

/// The GW7xx findings of a run over several paths, `dir/file:line code`.
fn chain_findings(paths: &[PathBuf], opts: &gwlint::Options) -> Vec<String> {
    let outcome = gwlint::lint(paths, opts);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .filter(|f| f.rule.code.starts_with("GW7"))
        .map(|f| {
            let file = outcome.loader.sources.get(f.span.file);
            let path = Path::new(&file.name);
            let dir = path.parent().and_then(Path::file_name).unwrap_or_default();
            format!(
                "{}/{}:{} {}",
                dir.to_string_lossy(),
                path.file_name().unwrap().to_string_lossy(),
                file.line(f.span.start as usize),
                f.rule.code
            )
        })
        .collect()
}

/// The links `gwlint graph --format json` draws, as `from label -> to label`.
fn graph_links(args: &[&str]) -> Vec<String> {
    let mut all = vec!["graph", "--format", "json"];
    all.extend_from_slice(args);
    let out = gwlint(&all);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    let label = |e: &serde_json::Value, end: &str| {
        let n = &nodes[e[end].as_u64().unwrap() as usize];
        format!(
            "{} {}",
            n["file"].as_str().unwrap(),
            n["label"].as_str().unwrap()
        )
    };
    v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["link"] == true)
        .map(|e| format!("{} -> {}", label(e, "from"), label(e, "to")))
        .collect()
}

fn put(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const HAPROXY_80_TO_8081: &str = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind :80\n    default_backend web\nbackend web\n    server web1 127.0.0.1:8081 send-proxy\n";
const NGINX_8081: &str = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8081;\n        location / {\n            return 200;\n        }\n    }\n}\n";

#[test]
fn the_cases_of_a_test_suite_in_one_directory_are_no_chain() {
    // Every case listens on 127.0.0.1:8080 and sends to 127.0.0.1:8080-8081: linked to each
    // other they gave 13 findings; they cannot run side by side, so they are alternatives.
    assert_eq!(
        chain_findings(&[fixture("suite")], &gwlint::Options::default()),
        Vec::<String>::new()
    );
    assert_eq!(
        graph_links(&["tests/fixtures/chain/suite"]),
        Vec::<String>::new()
    );
    // The same front and back servers as two configurations that can run together are a
    // chain, with its findings: what removed them is the collision, not the servers.
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "front.conf",
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_read_timeout 30s;\n            proxy_pass http://127.0.0.1:8081;\n        }\n    }\n}\n",
    );
    put(
        dir.path(),
        "back.conf",
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8081 ssl;\n        ssl_certificate server.crt;\n        ssl_certificate_key server.key;\n        location / {\n            proxy_read_timeout 90s;\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n}\n",
    );
    let found = chain_findings(&[dir.path().to_path_buf()], &gwlint::Options::default());
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        found,
        [
            format!("{name}/front.conf:6 GW701"),
            format!("{name}/front.conf:7 GW703"),
        ]
    );
    // A second back end on the same address is an alternative: which one runs is not known.
    put(
        dir.path(),
        "back-v2.conf",
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8081;\n        location / {\n            return 200;\n        }\n    }\n}\n",
    );
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &gwlint::Options::default()),
        Vec::<String>::new()
    );
}

#[test]
fn two_alternatives_behind_one_haproxy_are_not_linked() {
    // haproxy/ in front of nginx/ and nginx-staging/, both on 127.0.0.1:8081: they collide,
    // and the files do not say which one this HAProxy sends to.
    assert_eq!(
        chain_findings(&[fixture("alternatives")], &gwlint::Options::default()),
        Vec::<String>::new()
    );
    assert_eq!(
        graph_links(&["tests/fixtures/chain/alternatives"]),
        Vec::<String>::new()
    );
    // One deployment at a time is linked and checked.
    for inner in ["nginx", "nginx-staging"] {
        let paths = [
            fixture("alternatives/haproxy"),
            fixture("alternatives").join(inner),
        ];
        assert_eq!(
            chain_findings(&paths, &gwlint::Options::default()),
            ["haproxy/haproxy.cfg:18 GW704"],
            "{inner}"
        );
        let links = graph_links(&[
            "tests/fixtures/chain/alternatives/haproxy",
            &format!("tests/fixtures/chain/alternatives/{inner}"),
        ]);
        assert_eq!(
            links,
            [format!(
                "tests/fixtures/chain/alternatives/haproxy/haproxy.cfg server web1 127.0.0.1:8081 send-proxy -> tests/fixtures/chain/alternatives/{inner}/nginx.conf listen 127.0.0.1:8081"
            )]
        );
    }
}

#[test]
fn layers_that_do_not_collide_link_as_before() {
    // HAProxy on :80 in front of nginx on 127.0.0.1:8081, sibling directories.
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "haproxy/haproxy.cfg", HAPROXY_80_TO_8081);
    put(dir.path(), "nginx/nginx.conf", NGINX_8081);
    let opts = gwlint::Options::default();
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        ["haproxy/haproxy.cfg:10 GW704"]
    );
    // nginx on another loopback address of the same port, or on [::1], takes other
    // connections: both run side by side, and the one HAProxy names is linked.
    put(
        dir.path(),
        "nginx-v6/nginx.conf",
        &NGINX_8081.replace("127.0.0.1:8081", "[::1]:8081"),
    );
    put(
        dir.path(),
        "nginx-lo2/nginx.conf",
        &NGINX_8081.replace("127.0.0.1:8081", "127.0.0.2:8081"),
    );
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        ["haproxy/haproxy.cfg:10 GW704"]
    );
}

#[test]
fn a_layer_that_collides_with_the_one_in_front_is_not_behind_it() {
    // nginx also listens on *:80, where HAProxy binds: they cannot run on one host, though
    // HAProxy's server names nginx's other address.
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "haproxy/haproxy.cfg", HAPROXY_80_TO_8081);
    // nginx with one more listener beside 127.0.0.1:8081.
    let also = |listen: &str| {
        NGINX_8081.replace(
            "listen 127.0.0.1:8081;",
            &format!("listen 127.0.0.1:8081;\n        listen {listen};"),
        )
    };
    put(dir.path(), "nginx/nginx.conf", &also("80"));
    let opts = gwlint::Options::default();
    let chains = || chain_findings(&[dir.path().to_path_buf()], &opts);
    assert_eq!(chains(), Vec::<String>::new());
    // A dual-stack [::]:80 takes IPv4's port 80 too; an IPv6-only one does not.
    put(
        dir.path(),
        "nginx/nginx.conf",
        &also("[::]:80 ipv6only=off"),
    );
    assert_eq!(chains(), Vec::<String>::new());
    put(dir.path(), "nginx/nginx.conf", &also("[::]:80"));
    assert_eq!(chains(), ["haproxy/haproxy.cfg:10 GW704"]);
    // Unix sockets collide by path.
    put(
        dir.path(),
        "haproxy/haproxy.cfg",
        &HAPROXY_80_TO_8081.replace("bind :80", "bind /run/www.sock"),
    );
    put(dir.path(), "nginx/nginx.conf", &also("unix:/run/www.sock"));
    assert_eq!(chains(), Vec::<String>::new());
    put(dir.path(), "nginx/nginx.conf", &also("unix:/run/app.sock"));
    assert_eq!(chains(), ["haproxy/haproxy.cfg:10 GW704"]);
}

#[test]
fn no_chain_joins_two_alternatives_through_a_third_configuration() {
    // edge/ (HAProxy on :80) → mid/ (nginx on 127.0.0.1:8081) → app/ (nginx on
    // 127.0.0.1:8082): one deployment, both hops checked.
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "edge/haproxy.cfg", HAPROXY_80_TO_8081);
    put(
        dir.path(),
        "mid/nginx.conf",
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8081 proxy_protocol;\n        location / {\n            proxy_read_timeout 10s;\n            proxy_pass http://127.0.0.1:8082;\n        }\n    }\n}\n",
    );
    let app = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8082;\n        location / {\n            proxy_read_timeout 60s;\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n}\n";
    put(dir.path(), "app/nginx.conf", app);
    let opts = gwlint::Options::default();
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        ["mid/nginx.conf:6 GW701"]
    );
    let base = dir.path().to_string_lossy().into_owned();
    assert_eq!(graph_links(&[base.as_str()]).len(), 2);
    // app/ also binds *:80, as edge/ does: edge and app are alternatives, so no chain runs
    // from one to the other, not through mid/ either.
    put(
        dir.path(),
        "app/nginx.conf",
        &app.replace(
            "listen 127.0.0.1:8082;",
            "listen 127.0.0.1:8082;\n        listen 80;",
        ),
    );
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        Vec::<String>::new()
    );
    assert_eq!(graph_links(&[base.as_str()]), Vec::<String>::new());
    // Linted without edge/, mid/ → app/ is one deployment again.
    let paths = [dir.path().join("mid"), dir.path().join("app")];
    assert_eq!(chain_findings(&paths, &opts), ["mid/nginx.conf:6 GW701"]);
}

#[test]
fn a_link_entry_links_across_a_collision() {
    // HAProxy on :80 in front of nginx on :80 through a host name: another host, where the
    // port is free. The user's `[[link]]` is the evidence, honoured as written.
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "lb/haproxy.cfg",
        &HAPROXY_80_TO_8081.replace("127.0.0.1:8081", "web.internal:80"),
    );
    put(
        dir.path(),
        "web/nginx.conf",
        &NGINX_8081.replace("127.0.0.1:8081", "80"),
    );
    let mut opts = gwlint::Options::default();
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        Vec::<String>::new()
    );
    opts.facts.links.push(gwlint::facts::Link {
        target: "web.internal".into(),
        listener: "127.0.0.1".into(),
        origin: "gwlint.toml:1".into(),
    });
    assert_eq!(
        chain_findings(&[dir.path().to_path_buf()], &opts),
        ["lb/haproxy.cfg:10 GW704"]
    );
}
