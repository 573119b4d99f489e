//! Rules that compare the configuration with facts declared about the backends
//! (`gwlint.toml` `[[backend]]`) or with the nginx version: version-dependent defaults and
//! matching by name or address.

use std::time::Duration;

use gwlint::facts::{Backend, Facts};
use gwlint::rules::Version;

fn codes(conf: &str, backends: Vec<Backend>, version: Option<Version>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nginx.conf");
    std::fs::write(&root, conf).unwrap();
    let opts = gwlint::Options {
        facts: Facts {
            backends,
            ..Facts::default()
        },
        nginx_version: version,
        ..gwlint::Options::default()
    };
    let o = gwlint::lint(&[root], &opts);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    o.findings.iter().map(|f| f.rule.code.to_string()).collect()
}

fn idle(target: &str, secs: u64) -> Backend {
    Backend {
        target: target.into(),
        idle_timeout: Some(Duration::from_secs(secs)),
        ..Backend::default()
    }
}

fn slow(target: &str, secs: u64) -> Backend {
    Backend {
        target: target.into(),
        max_response_time: Some(Duration::from_secs(secs)),
        ..Backend::default()
    }
}

/// An upstream without `keepalive`, used with HTTP/1.1: idle connections are kept only from
/// nginx 1.29.7 on (and assumed when the version is unknown).
const NO_KEEPALIVE: &str = "events {}\nhttp {\n upstream app { server 127.0.0.1:3000; }\n server { listen 80; location / { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://app; } }\n}\n";

#[test]
fn keepalive_race_follows_the_version_defaults() {
    let facts = || vec![idle("app", 5)];
    assert_eq!(codes(NO_KEEPALIVE, facts(), None), ["GW504"]);
    assert_eq!(
        codes(NO_KEEPALIVE, facts(), Some(Version(1, 29, 7))),
        ["GW504"]
    );
    assert!(codes(NO_KEEPALIVE, facts(), Some(Version(1, 22, 1))).is_empty());
    // No facts, no finding.
    assert!(codes(NO_KEEPALIVE, vec![], None).is_empty());
}

#[test]
fn keepalive_race_needs_a_route_that_reuses_connections() {
    let conf = "events {}\nhttp {\n upstream app { server 127.0.0.1:3000; keepalive 8; }\n server { listen 80; location / { proxy_http_version 1.0; proxy_pass http://app; } }\n}\n";
    let found = codes(conf, vec![idle("127.0.0.1:3000", 5)], None);
    // GW503 says keepalive is unused; no race on connections that are never reused.
    assert_eq!(found, ["GW503"]);
}

#[test]
fn read_timeout_matches_a_server_address_and_the_slowest_counts() {
    let conf = "events {}\nhttp {\n upstream app { server 127.0.0.1:3000; server 127.0.0.2:3000; }\n server { listen 80; location / { proxy_read_timeout 45s; proxy_pass http://app; } }\n}\n";
    assert_eq!(
        codes(
            conf,
            vec![slow("127.0.0.1:3000", 10), slow("127.0.0.2:3000", 50)],
            None
        ),
        ["GW204"]
    );
    assert!(codes(conf, vec![slow("127.0.0.2:3000", 40)], None).is_empty());
    assert!(codes(conf, vec![slow("other", 500)], None).is_empty());
}

#[test]
fn upstream_resolve_depends_on_the_version() {
    let conf = "events {}\nhttp {\n resolver 127.0.0.53;\n upstream api { zone api 64k; server api.internal.example:8080 resolve; }\n server { listen 80; location / { proxy_pass http://api; } }\n}\n";
    let severity = |v: Option<Version>| -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("nginx.conf");
        std::fs::write(&root, conf).unwrap();
        let opts = gwlint::Options {
            nginx_version: v,
            ..gwlint::Options::default()
        };
        gwlint::lint(&[root], &opts)
            .findings
            .iter()
            .map(|f| format!("{} {}", f.rule.code, f.severity.as_str()))
            .collect()
    };
    assert_eq!(severity(Some(Version(1, 22, 1))), ["GW604 error"]);
    assert_eq!(severity(None), ["GW604 info"]);
    assert!(severity(Some(Version(1, 27, 3))).is_empty());
}
