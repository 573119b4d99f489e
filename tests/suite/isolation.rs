//! A rule sees one deployment: what another configuration of the run assigns, defines or
//! includes never changes its findings, and the value a message names does not change from
//! run to run.

use std::path::Path;
use std::process::Command;

fn put(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The findings of a run in `files`, as `file:line:code message` lines, sorted.
fn findings(dir: &Path, args: &[&str], files: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut lines: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| file(f).starts_with(files))
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                file(f),
                f["line"],
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines
}

fn file(f: &serde_json::Value) -> &str {
    f["file"].as_str().unwrap().trim_start_matches("./")
}

/// `a` sends to a host from a variable with no resolver (GW601), and its keep-alive upstream
/// loses its connections to a `Connection` value from a map (GW503); `b` assigns the same
/// variables other values.
const A: &str = "events {}
http {
    map $http_x_tenant $tenant_backend {
        default app.example.internal;
    }
    upstream pool {
        server 127.0.0.1:8080;
        keepalive 16;
    }
    server {
        listen 80;
        location / {
            proxy_pass http://$tenant_backend;
        }
        location /api/ {
            proxy_http_version 1.1;
            proxy_set_header Connection $conn;
            proxy_pass http://pool;
        }
    }
    map $http_upgrade $conn {
        default close;
    }
}
";

const B: &str = "events {}
http {
    map $http_x_tenant $tenant_backend {
        default other.example.net;
        beta    beta.example.net;
    }
    map $http_upgrade $conn {
        default \"\";
    }
    resolver 127.0.0.53;
    server {
        listen 8080;
        location / {
            set $tenant_backend third.example.org;
            proxy_pass http://$tenant_backend;
        }
    }
}
";

#[test]
fn another_configuration_of_the_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    put(dir.path(), "a/nginx.conf", A);
    put(dir.path(), "b/nginx.conf", B);
    let alone = findings(dir.path(), &["a"], "a/");
    let codes: Vec<&str> = alone
        .iter()
        .map(|l| l.split(' ').next().unwrap().rsplit(':').next().unwrap())
        .collect();
    // The example holds what it is about: both rules fire on `a`, naming `a`'s values.
    assert!(codes.contains(&"GW601"), "{alone:#?}");
    assert!(codes.contains(&"GW503"), "{alone:#?}");
    assert!(
        alone.iter().any(|l| l.contains("app.example.internal")),
        "{alone:#?}"
    );
    assert!(
        !alone.iter().any(|l| l.contains("example.net")),
        "{alone:#?}"
    );
    for args in [
        &["."][..],
        &["a", "b"],
        &["b", "a"],
        &["a/nginx.conf", "b/nginx.conf"],
    ] {
        assert_eq!(findings(dir.path(), args, "a/"), alone, "gwlint {args:?}");
    }
}

#[test]
fn the_value_a_message_names_is_the_same_every_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    // Four hosts assigned in four files: the first nginx reads is named.
    let mut main = String::from("events {}\nhttp {\n");
    for (i, host) in [
        "one.example.internal",
        "two.example.internal",
        "three.example.internal",
        "four.example.internal",
    ]
    .iter()
    .enumerate()
    {
        main.push_str(&format!("    include conf.d/{i}.conf;\n"));
        put(
            dir.path(),
            &format!("conf.d/{i}.conf"),
            &format!("map $http_x_{i} $target {{\n    default {host};\n}}\n"),
        );
    }
    main.push_str("    server {\n        listen 80;\n        location / {\n            proxy_pass http://$target;\n        }\n    }\n}\n");
    put(dir.path(), "nginx.conf", &main);
    let first = findings(dir.path(), &["nginx.conf"], "");
    assert!(
        first
            .iter()
            .any(|l| l.contains("GW601") && l.contains("one.example.internal")),
        "{first:#?}"
    );
    for _ in 0..11 {
        assert_eq!(findings(dir.path(), &["nginx.conf"], ""), first);
    }
}
