//! The TLS rules (GW4xx) where a rule page cannot show it: version-dependent defaults,
//! severities that depend on the target, and configurations that must stay quiet.

use gwlint::rules::Version;
use gwlint::{Options, lint};

fn findings(conf: &str, version: Option<Version>) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let opts = Options {
        nginx_version: version,
        ..Options::default()
    };
    let out = lint(&[path], &opts);
    assert!(out.errors.is_empty());
    out.findings
        .iter()
        .map(|f| (f.rule.code.to_string(), f.severity.as_str().to_string()))
        .collect()
}

fn site(body: &str) -> String {
    format!("events {{}}\nhttp {{\n{body}\n}}\n")
}

#[test]
fn default_protocols_are_judged_only_with_an_old_version_and_once() {
    let conf = site(
        "server { listen 80;\n location /a { proxy_pass https://10.0.0.5:8443; }\n location /b { proxy_pass https://10.0.0.6:8443; } }",
    );
    assert!(findings(&conf, None).is_empty());
    assert!(findings(&conf, Some(Version(1, 25, 0))).is_empty());
    assert_eq!(
        findings(&conf, Some(Version(1, 22, 1))),
        vec![("GW406".into(), "info".into())]
    );
}

#[test]
fn mixed_pools_are_warnings() {
    let conf = site(
        "upstream u { server 10.0.0.1:8443; server 10.0.0.2:8080; }\nserver { listen 80; location / { proxy_pass http://u; } location /s { proxy_pass https://u; } }",
    );
    let mut got = findings(&conf, None);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("GW401".into(), "warning".into()),
            ("GW402".into(), "warning".into())
        ]
    );
}

#[test]
fn verification_against_a_bare_name_or_an_ip_is_a_warning() {
    let conf = site(
        "proxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/ca.pem;\nupstream backend { server 10.0.0.1:443; }\nserver { listen 80; location / { proxy_pass https://backend; } location /ip { proxy_pass https://10.0.0.9; } }",
    );
    assert_eq!(
        findings(&conf, None),
        vec![
            ("GW405".into(), "warning".into()),
            ("GW405".into(), "warning".into())
        ]
    );
}

#[test]
fn quiet_on_private_and_plain_targets() {
    // IP backends without SNI, unix sockets, variables, stream pass-through, grpc/uwsgi
    // without TLS on their usual ports, explicit modern protocols.
    let conf = format!(
        "{}stream {{ server {{ listen 8443; proxy_pass 10.0.0.5:443; }} }}\n",
        site(
            "proxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/ca.pem;\nproxy_ssl_name app.internal.example.com;\nproxy_ssl_protocols TLSv1.2 TLSv1.3;\nresolver 10.0.0.2;\nupstream app { server 10.0.0.1:8443; server 10.0.0.2:8443; }\nserver { listen 80;\n location / { proxy_pass https://app; }\n location /v { proxy_pass https://$http_x_target; }\n location /u { proxy_pass http://unix:/run/app.sock:/; }\n location /g { grpc_pass 10.0.0.3:50051; }\n location /w { uwsgi_pass 10.0.0.4:3031; }\n location /p { proxy_pass http://10.0.0.5:8080; } }"
        )
    );
    assert_eq!(findings(&conf, Some(Version(1, 22, 1))), vec![]);
    assert_eq!(findings(&conf, None), vec![]);
}
