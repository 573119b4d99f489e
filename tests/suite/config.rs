//! gwlint.toml as a user meets it: discovery (nearest wins), --config, --isolated, every key's
//! effect on a run, errors with file:line:col and a suggestion (exit 2), `gwlint config` and
//! its JSON Schema.

use std::path::Path;
use std::process::Output;

use crate::common::cli as common_cli;
use common_cli::{code, err, out};

fn gwlint(dir: &Path, args: &[&str]) -> Output {
    common_cli::gwlint()
        .current_dir(dir)
        .args(
            ["--format", "concise"]
                .iter()
                .filter(|_| args.first() != Some(&"config")),
        )
        .args(args)
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The rule codes reported, in order.
fn codes(o: &Output) -> Vec<String> {
    out(o)
        .lines()
        .filter_map(|l| Some(l.split_once("[GW")?.1.split_once(']')?.0))
        .map(|c| format!("GW{c}"))
        .collect()
}

/// GW301 (warning) at line 4, GW503 (warning; gone with nginx >= 1.29.7) at line 5.
const TWO_WARNINGS: &str = "events {}
http {
    upstream app {
        server 127.0.0.1:8080 max_fails=0;
        server 127.0.0.1:8081 max_fails=0;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:8000;
        location / {
            proxy_pass http://app;
        }
    }
}
";

/// A site with the config at its root and nginx files below.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nginx/nginx.conf", TWO_WARNINGS);
    dir
}

#[test]
fn without_a_config_file_every_rule_runs() {
    let dir = site();
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", out(&o));
    assert_eq!(code(&o), 1);
}

#[test]
fn the_nearest_file_wins_and_dot_gwlint_toml_counts() {
    let dir = site();
    write(dir.path(), "gwlint.toml", "ignore = [\"GW301\"]\n");
    let o = gwlint(dir.path(), &["nginx/nginx.conf"]);
    assert_eq!(codes(&o), ["GW503"], "{}", out(&o));
    // A nearer file replaces the farther one entirely (no merging up the tree).
    write(
        dir.path(),
        "nginx/.gwlint.toml",
        "ignore = [\"keepalive-unused\"]\n",
    );
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(codes(&o), ["GW301"], "{}", out(&o));
    // Relative paths from a working directory below the config file find it too.
    let o = gwlint(&dir.path().join("nginx"), &["nginx.conf"]);
    assert_eq!(codes(&o), ["GW301"], "{}", out(&o));
}

#[test]
fn config_flag_overrides_and_isolated_ignores() {
    let dir = site();
    write(dir.path(), "gwlint.toml", "ignore = [\"GW301\"]\n");
    write(dir.path(), "ci/strict.toml", "select = [\"GW5\"]\n");
    let o = gwlint(dir.path(), &["--config", "ci/strict.toml", "nginx/"]);
    assert_eq!(codes(&o), ["GW503"], "{}", out(&o));
    let o = gwlint(dir.path(), &["--isolated", "nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", out(&o));
    let o = gwlint(
        dir.path(),
        &["--isolated", "--config", "ci/strict.toml", "nginx/"],
    );
    assert_eq!(code(&o), 2, "the two flags contradict each other");
    let o = gwlint(dir.path(), &["--config", "ci/missing.toml", "nginx/"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("ci/missing.toml"), "{}", err(&o));
}

#[test]
fn select_extend_select_and_ignore_with_the_command_line_on_top() {
    let dir = site();
    write(
        dir.path(),
        "gwlint.toml",
        "select = [\"GW1\"]\nextend-select = [\"passive-checks-disabled\"]\n",
    );
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(codes(&o), ["GW301"], "{}", out(&o));
    // --select replaces the file's select (extend-select still adds).
    let o = gwlint(dir.path(), &["--select", "GW503", "nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", out(&o));
    // --ignore and --extend-select add to the file's.
    let o = gwlint(dir.path(), &["--ignore", "GW301", "nginx/"]);
    assert_eq!(codes(&o), Vec::<String>::new(), "{}", out(&o));
    let o = gwlint(dir.path(), &["--extend-select", "GW5", "nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", out(&o));
    let o = gwlint(dir.path(), &["--extend-select", "GW5O3", "nginx/"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn fail_on_and_severity() {
    let dir = site();
    write(
        dir.path(),
        "gwlint.toml",
        "fail-on = \"error\"\n[severity]\nGW5 = \"info\"\nkeepalive-unused = \"error\"\nALL = \"info\"\n",
    );
    // The most specific entry wins: keepalive-unused (a name) over GW5 over ALL.
    let o = gwlint(dir.path(), &["nginx/"]);
    let text = out(&o);
    assert!(text.contains("info[GW301]"), "{text}");
    assert!(text.contains("error[GW503]"), "{text}");
    assert_eq!(code(&o), 1, "an error with fail-on = error");
    write(
        dir.path(),
        "gwlint.toml",
        "fail-on = \"error\"\n[severity]\nGW503 = \"warning\"\n",
    );
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(
        code(&o),
        0,
        "only warnings with fail-on = error: {}",
        out(&o)
    );
    assert_eq!(codes(&o).len(), 2, "findings are still printed");
    // The command line's --fail-on takes precedence.
    let o = gwlint(dir.path(), &["--fail-on", "warning", "nginx/"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn per_file_globs_are_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sites/legacy-shop.conf", TWO_WARNINGS);
    write(dir.path(), "sites/shop.conf", TWO_WARNINGS);
    write(
        dir.path(),
        "gwlint.toml",
        "[[per-file]]\nglob = \"sites/legacy-*.conf\"\nignore = [\"GW301\"]\n\n[[per-file]]\nglob = \"*.conf\"\nignore = [\"GW503\"]\n",
    );
    let o = gwlint(dir.path(), &["sites/"]);
    let text = out(&o);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("[GW")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with("sites/shop.conf") && lines[0].contains("[GW301]"),
        "{text}"
    );
}

#[test]
fn nginx_version_and_prefix() {
    let dir = site();
    write(dir.path(), "gwlint.toml", "[nginx]\nversion = \"1.29.7\"\n");
    // From 1.29.7 proxy_http_version defaults to 1.1: keep-alive works, GW503 is gone.
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(codes(&o), ["GW301"], "{}", out(&o));
    // --nginx-version takes precedence.
    let o = gwlint(dir.path(), &["--nginx-version", "1.22.1", "nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", out(&o));

    // A relative include starts from the configured prefix (relative to the config file).
    write(
        dir.path(),
        "site/nginx.conf",
        "events {}\nhttp {\n    include conf.d/upstreams.conf;\n    server {\n        listen 127.0.0.1:8000;\n        location / { proxy_pass http://app; }\n    }\n}\n",
    );
    write(
        dir.path(),
        "etc/conf.d/upstreams.conf",
        "upstream app { server 127.0.0.1:8080; }\n",
    );
    write(dir.path(), "gwlint.toml", "[nginx]\nprefix = \"etc\"\n");
    let o = gwlint(dir.path(), &["site/nginx.conf"]);
    assert_eq!(codes(&o), Vec::<String>::new(), "{}", out(&o));
    let o = gwlint(dir.path(), &["--isolated", "site/nginx.conf"]);
    assert_eq!(codes(&o), ["GW002"], "{}", out(&o));
}

/// `--haproxy-version` is taken and checked like `--nginx-version`; no rule depends on it yet,
/// so the findings stay the same.
#[test]
fn haproxy_version_flag() {
    let dir = site();
    let o = gwlint(dir.path(), &["--haproxy-version", "2.8.5", "nginx/"]);
    assert_eq!(codes(&o), ["GW301", "GW503"], "{}", err(&o));
    let o = gwlint(dir.path(), &["--haproxy-version", "latest", "nginx/"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("invalid value 'latest' for '--haproxy-version <X.Y.Z>'"),
        "{}",
        err(&o)
    );
}

#[test]
fn unknown_keys_and_bad_values_are_errors_with_a_place_and_a_suggestion() {
    let dir = site();
    let cases = [
        (
            "ignore = [\"GW301\"]\nfail_on = \"error\"\n",
            "gwlint.toml:2:1: unknown key \"fail_on\"",
            "did you mean \"fail-on\"?",
        ),
        (
            "[nginx]\nversoin = \"1.24.0\"\n",
            "gwlint.toml:2:1: unknown key \"versoin\"",
            "did you mean \"version\"?",
        ),
        (
            "[[backend]]\ntarget = \"app\"\nidle_timeout = \"5 seconds\"\n",
            "gwlint.toml:3:16: idle_timeout: \"5 seconds\" is not a duration",
            "\"500ms\", \"5s\"",
        ),
        (
            "ignore = [\"GW301\", \"keepalive-unsued\"]\n",
            "gwlint.toml:1:20: no rule matches \"keepalive-unsued\"",
            "did you mean \"keepalive-unused\"?",
        ),
        (
            "[severity]\nGW301 = \"fatal\"\n",
            "gwlint.toml:2:9: [severity] GW301: \"fatal\" is not a severity",
            "use \"error\", \"warning\" or \"info\"",
        ),
        (
            "[online]\nresolver = \"dns.example\"\n",
            "gwlint.toml:2:12: resolver: \"dns.example\" is not an IP address",
            "127.0.0.1:53",
        ),
        (
            "[[per-file]]\nglob = \"a/[b\"\nignore = [\"GW1\"]\n",
            "gwlint.toml:2:8: invalid glob",
            "",
        ),
        ("select = [\"GW1\"", "gwlint.toml:1:", ""),
    ];
    for (text, message, help) in cases {
        write(dir.path(), "gwlint.toml", text);
        let o = gwlint(dir.path(), &["nginx/"]);
        assert_eq!(code(&o), 2, "{text}");
        let e = err(&o);
        assert!(e.contains(message), "{text}\n{e}");
        assert!(e.contains(help), "{text}\n{e}");
        assert!(
            out(&o).is_empty(),
            "nothing is linted with a broken config: {}",
            out(&o)
        );
    }
}

#[test]
fn a_broken_config_below_a_linted_directory_is_an_error_too() {
    let dir = site();
    write(dir.path(), "nginx/extra/site.conf", TWO_WARNINGS);
    write(dir.path(), "nginx/extra/gwlint.toml", "selcet = []\n");
    let o = gwlint(dir.path(), &["nginx/"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("extra/gwlint.toml:1:1: unknown key \"selcet\""),
        "{}",
        err(&o)
    );
}

#[test]
fn config_command_shows_settings_and_their_origin() {
    let dir = site();
    write(
        dir.path(),
        "gwlint.toml",
        "ignore = [\"GW503\"]\n[severity]\nGW301 = \"error\"\n[nginx]\nversion = \"1.24.0\"\n[[backend]]\ntarget = \"app\"\nidle_timeout = \"5s\"\nmax_response_time = \"1m30s\"\n[online]\ncert-warn-days = 14\n",
    );
    let o = gwlint(dir.path(), &["config", "nginx/nginx.conf"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    let config = std::fs::canonicalize(dir.path().join("gwlint.toml")).unwrap();
    let at = |line: usize| format!("# {}:{line}", config.display());
    for (setting, origin) in [
        ("select = [\"ALL\"]", "# default".to_string()),
        ("ignore = [\"GW503\"]", at(1)),
        ("GW301 = \"error\"", at(3)),
        ("version = \"1.24.0\"", at(5)),
        ("target = \"app\"", at(7)),
        ("max_response_time = \"90s\"", at(7)),
        ("cert-warn-days = 14", at(11)),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(setting))
            .unwrap_or_else(|| panic!("no {setting} in\n{text}"));
        assert!(line.ends_with(&origin), "{line} should end with {origin}");
    }
    assert!(text.contains(&format!("# Configuration file: {}", config.display())));
    assert!(text.contains("#   off: GW503 keepalive-unused"), "{text}");
    assert!(text.contains("#   GW301 passive-checks-disabled: error (default warning)"));

    let o = gwlint(dir.path(), &["config", "--isolated", "nginx/"]);
    assert!(
        out(&o).contains("# Configuration file: none"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("ignore = []"));
    write(dir.path(), "gwlint.toml", "ignore = 3\n");
    let o = gwlint(dir.path(), &["config"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("gwlint.toml:1:10: ignore must be a list of rules"),
        "{}",
        err(&o)
    );
}

/// Every key the parser accepts, per table, read from its own "unknown key" errors.
fn accepted_keys(table: &str, header: &str) -> Vec<String> {
    let text = format!("{header}\nno-such-key = 1\n");
    let e = gwlint::config::ConfigFile::parse(Path::new("gwlint.toml"), &text).unwrap_err();
    let help = e[0].help.clone().unwrap_or_default();
    let keys = help
        .strip_prefix("the keys here are: ")
        .unwrap_or_else(|| panic!("{table}: {e:?}"));
    keys.split(", ").map(str::to_string).collect()
}

#[test]
fn the_schema_lists_every_key_the_parser_accepts_and_nothing_else() {
    let o = gwlint(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["config", "--schema"],
    );
    assert_eq!(code(&o), 0);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let props = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let top = &schema;
    assert_eq!(props(top), sorted(accepted_keys("top", "")));
    for (table, header, node) in [
        ("nginx", "[nginx]", &top["properties"]["nginx"]),
        ("haproxy", "[haproxy]", &top["properties"]["haproxy"]),
        ("online", "[online]", &top["properties"]["online"]),
        (
            "per-file",
            "[[per-file]]\nglob = \"x\"\nignore = []",
            &top["properties"]["per-file"]["items"],
        ),
        (
            "backend",
            "[[backend]]\ntarget = \"x\"",
            &top["properties"]["backend"]["items"],
        ),
        (
            "link",
            "[[link]]\ntarget = \"x\"\nlistener = \"127.0.0.1\"",
            &top["properties"]["link"]["items"],
        ),
    ] {
        assert_eq!(props(node), sorted(accepted_keys(table, header)), "{table}");
        assert_eq!(node["additionalProperties"], false, "{table}");
    }
    // Every rule code and name is offered to editors.
    let known = &schema["definitions"]["selector"]["anyOf"][0]["enum"];
    for r in gwlint::rules::RULES {
        assert!(
            known.as_array().unwrap().iter().any(|v| v == r.code),
            "{}",
            r.code
        );
        assert!(
            known.as_array().unwrap().iter().any(|v| v == r.name),
            "{}",
            r.name
        );
    }
}

#[test]
fn a_file_using_every_key_is_accepted() {
    let dir = site();
    write(
        dir.path(),
        "gwlint.toml",
        r#"select = ["ALL"]
extend-select = ["GW4"]
ignore = ["GW503"]
fail-on = "warning"

[severity]
GW301 = "error"

[[per-file]]
glob = "conf.d/legacy-*.conf"
ignore = ["GW101"]

[nginx]
version = "1.24.0"
prefix = "nginx"

[haproxy]
version = "2.6.12"

[[backend]]
target = "app"
idle_timeout = "5s"
max_response_time = "90s"

[[link]]
target = "app.internal:8080"
listener = "127.0.0.1:8080"

[online]
dns-timeout = "2s"
connect-timeout = "500ms"
resolver = "127.0.0.1:53"
cert-warn-days = 14
"#,
    );
    let o = gwlint(dir.path(), &["nginx/"]);
    // GW204: the declared 90s response time outlasts the default 60s read timeout.
    assert_eq!(codes(&o), ["GW301", "GW204"], "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("error[GW301]"));
    assert!(out(&o).contains("gwlint.toml:21"));
}

/// The README's gwlint.toml is copied by users: it must be accepted as it stands.
#[test]
fn the_readme_example_is_valid() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```toml\n# gwlint.toml")
        .expect("the README shows a gwlint.toml");
    let body = &readme[start + "```toml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let c = gwlint::config::ConfigFile::parse(Path::new("/srv/gwlint.toml"), body)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c.backends.len(), 1);
    assert_eq!(c.links.len(), 1);
    assert_eq!(c.severity.len(), 2);
    assert!(c.online.resolver.is_some());
}

/// A rule that grades its findings (GW406: error for TLS 1.0/1.1 only, info for no TLS 1.3)
/// takes an explicit `[severity]` for every finding, even one equal to its default.
#[test]
fn an_explicit_severity_applies_to_graded_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp {\n    proxy_ssl_protocols TLSv1.2;\n    server {\n        listen 127.0.0.1:8000;\n        location / { proxy_pass https://127.0.0.5:8443; }\n    }\n}\n",
    );
    let o = gwlint(dir.path(), &["nginx.conf"]);
    assert!(out(&o).contains("info[GW406]"), "{}", out(&o));
    write(dir.path(), "gwlint.toml", "[severity]\nGW406 = \"error\"\n");
    let o = gwlint(dir.path(), &["nginx.conf"]);
    assert!(out(&o).contains("error[GW406]"), "{}", out(&o));
}
