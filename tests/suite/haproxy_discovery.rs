//! HAProxy configurations found and told apart from nginx: by name, by content, in a
//! directory next to an nginx tree.

use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn codes(paths: &[PathBuf]) -> Vec<(String, String)> {
    let o = gwlint::lint(paths, &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    o.findings
        .iter()
        .map(|f| (f.dialect.as_str().to_string(), f.rule.code.to_string()))
        .collect()
}

const HAPROXY_INLINE_ACLS: &str = "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    use_backend api if { path_beg /api }\n    default_backend app\nbackend app\n    server a 127.0.0.1:8081 check\n";

#[test]
fn anonymous_acls_at_the_end_of_a_line_do_not_make_it_nginx() {
    assert!(gwlint::discover::looks_like_haproxy(HAPROXY_INLINE_ACLS));
    // nginx blocks still read as nginx, however they start.
    for nginx in [
        "http {\n    server { listen 80; }\n}\n",
        "listen 80;\n",
        "global_thing on;\nhttp {\n}\n",
        "backend x\nlocation / {\n    return 200;\n}\n",
    ] {
        assert!(!gwlint::discover::looks_like_haproxy(nginx), "{nginx}");
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "edge/haproxy.cfg", HAPROXY_INLINE_ACLS);
    assert_eq!(
        codes(&[p]),
        vec![("haproxy".to_string(), "GW101".to_string())],
        "linted as HAProxy: the undefined backend `api` is found"
    );
}

/// One run over a directory that holds an nginx tree (with an include) and an HAProxy
/// configuration: both are linted, each as its own dialect, and an unrelated `.cfg` is left
/// alone.
#[test]
fn a_directory_with_nginx_and_haproxy_is_linted_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n    server {\n        listen 80;\n        location / { proxy_pass http://app; }\n    }\n}\n",
    );
    write(
        d,
        "conf.d/upstreams.conf",
        "upstream app {\n    server 127.0.0.1:8081 down;\n}\n",
    );
    write(
        d,
        "haproxy.cfg",
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind 127.0.0.1:8080\n    default_backend web\nbackend web\n    server a 127.0.0.1:8081 check disabled\n",
    );
    write(d, "setup.cfg", "[metadata]\nname = tool\n");
    let o = gwlint::lint(&[d.to_path_buf()], &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    let mut found: Vec<(String, String, String)> = o
        .findings
        .iter()
        .map(|f| {
            let name = o.loader.sources.get(f.span.file).name.clone();
            let file = Path::new(&name)
                .strip_prefix(d)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                f.dialect.as_str().to_string(),
                f.rule.code.to_string(),
                file,
            )
        })
        .collect();
    found.sort();
    let want = |d: &str, c: &str, f: &str| (d.to_string(), c.to_string(), f.to_string());
    assert_eq!(
        found,
        vec![
            want("haproxy", "GW105", "haproxy.cfg"),
            want("nginx", "GW105", "conf.d/upstreams.conf"),
        ]
    );
    assert_eq!(o.files, 3, "nginx.conf, its include and haproxy.cfg");
}
