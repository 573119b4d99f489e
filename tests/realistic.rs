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
