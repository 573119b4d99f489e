//! Inline suppressions: where each form applies, in nginx and HAProxy files and in included
//! files, and the findings about suppressions (GW011 no reason, GW012 unused, GW013 invalid).

use std::path::Path;

use gwlint::config::Selection;

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `line: code` of each finding of a run over `files` (the first is linted).
fn lint_with(files: &[(&str, &str)], selection: Selection) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    let opts = gwlint::Options {
        selection,
        ..Default::default()
    };
    let outcome = gwlint::lint(&[dir.path().join(files[0].0)], &opts);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| {
            let src = outcome.loader.sources.get(f.span.file);
            let name = src.path.file_name().unwrap().to_string_lossy();
            format!(
                "{name}:{}: {} {}",
                src.line(f.span.start as usize),
                f.rule.code,
                f.message
            )
        })
        .collect()
}

fn lint(files: &[(&str, &str)]) -> Vec<String> {
    lint_with(files, Selection::default())
}

fn codes(found: &[String]) -> Vec<&str> {
    found
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap_or(""))
        .collect()
}

/// GW301 is reported at line 4 (the first `max_fails=0`).
fn pool(line3: &str, line4_tail: &str) -> String {
    format!(
        "events {{}}
http {{
    upstream app {{{line3}
        server 127.0.0.1:8080 max_fails=0;{line4_tail}
        server 127.0.0.1:8081 max_fails=0;
    }}
    server {{
        listen 127.0.0.1:8000;
        location / {{
            proxy_pass http://app;
        }}
    }}
}}
"
    )
}

#[test]
fn the_unsuppressed_finding() {
    let found = lint(&[("nginx.conf", &pool("", ""))]);
    assert_eq!(codes(&found), ["GW301"], "{found:?}");
    assert!(found[0].starts_with("nginx.conf:4: GW301"), "{found:?}");
}

#[test]
fn at_the_end_of_the_reported_line() {
    let text = pool(
        "",
        "  # gwlint: ignore[GW301] a load balancer that checks its pool",
    );
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
    // By name and by prefix too.
    let text = pool(
        "",
        "  # gwlint: ignore[passive-checks-disabled] checked upstream",
    );
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
    let text = pool("", "  # gwlint: ignore[GW3] checked upstream");
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
}

#[test]
fn alone_on_the_line_before_the_statement() {
    let text = pool(
        "\n        # gwlint: ignore[GW301] a load balancer that checks its pool",
        "",
    );
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
    // Several comment lines (and blank lines) may stand between it and the statement.
    let text = pool(
        "\n        # gwlint: ignore[GW301] a load balancer that checks its pool\n        # (ticket OPS-12)\n",
        "",
    );
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
}

#[test]
fn on_a_block_opening_line_only_that_line() {
    // The finding is inside the block (line 4 or 5): the suppression on `upstream app {`
    // does not reach it, and is reported as unused.
    let text = pool("  # gwlint: ignore[GW301] checked upstream", "");
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW012", "GW301"], "{found:?}");
    assert!(
        found[0].contains("no GW301 finding on line 3 to suppress"),
        "{found:?}"
    );
    let text = format!("# gwlint: ignore[GW301] checked upstream\n{}", pool("", ""));
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW012", "GW301"], "{found:?}");
}

#[test]
fn a_statement_over_several_lines_is_covered_from_its_last_line() {
    let text = "events {}
http {
    upstream app {
        server 127.0.0.1:8080
            max_fails=0;  # gwlint: ignore[GW301] checked upstream
        server 127.0.0.1:8081 max_fails=0;
    }
    server {
        listen 127.0.0.1:8000;
        location / { proxy_pass http://app; }
    }
}
";
    assert_eq!(lint(&[("nginx.conf", text)]), Vec::<String>::new());
}

#[test]
fn file_wide() {
    let text = format!(
        "{}# gwlint: ignore-file[GW301] every upstream here is a checked load balancer\n",
        pool("", "")
    );
    assert_eq!(lint(&[("nginx.conf", &text)]), Vec::<String>::new());
}

#[test]
fn in_an_included_file() {
    let main = "events {}
http {
    include conf.d/*.conf;
    server {
        listen 127.0.0.1:8000;
        location / { proxy_pass http://app; }
    }
}
";
    let upstreams = "upstream app {
    server 127.0.0.1:8080 max_fails=0;  # gwlint: ignore[GW301] checked upstream
    server 127.0.0.1:8081 max_fails=0;
}
";
    let found = lint(&[("nginx.conf", main), ("conf.d/app.conf", upstreams)]);
    assert_eq!(found, Vec::<String>::new());
    // Without the comment, the finding is in the included file.
    let bare = upstreams.replace("  # gwlint: ignore[GW301] checked upstream", "");
    let found = lint(&[("nginx.conf", main), ("conf.d/app.conf", &bare)]);
    assert!(found[0].starts_with("app.conf:2: GW301"), "{found:?}");
    // A file-wide suppression in an included file does not reach the file that includes it.
    let main = pool("", "").replace("http {\n", "http {\n    include conf.d/*.conf;\n");
    let stale = "# gwlint: ignore-file[GW301] checked upstreams\n";
    let found = lint(&[("nginx.conf", &main), ("conf.d/notes.conf", stale)]);
    assert_eq!(codes(&found), ["GW012", "GW301"], "{found:?}");
    assert!(found[0].starts_with("notes.conf:1: GW012"), "{found:?}");
    assert!(found[1].starts_with("nginx.conf:5: GW301"), "{found:?}");
}

#[test]
fn in_haproxy_files() {
    let text = "defaults
    mode http

frontend www
    bind 127.0.0.1:8080
    timeout client 30s
    default_backend app

backend app  # gwlint: ignore[missing-timeouts] timeouts come from defaults.cfg, loaded first
    server a 127.0.0.1:8081 check
";
    assert_eq!(lint(&[("haproxy.cfg", text)]), Vec::<String>::new());
    let before = text.replace(
        "backend app  # gwlint: ignore[missing-timeouts] timeouts come from defaults.cfg, loaded first\n",
        "# gwlint: ignore[missing-timeouts] timeouts come from defaults.cfg, loaded first\nbackend app\n",
    );
    assert_eq!(lint(&[("haproxy.cfg", &before)]), Vec::<String>::new());
    let bare = text.replace(
        "  # gwlint: ignore[missing-timeouts] timeouts come from defaults.cfg, loaded first",
        "",
    );
    assert_eq!(codes(&lint(&[("haproxy.cfg", &bare)])), ["GW210"]);
}

#[test]
fn without_a_reason() {
    let text = pool("", "  # gwlint: ignore[GW301]");
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW011"], "{found:?}");
    assert!(found[0].contains("suppression of GW301 gives no reason"));
}

#[test]
fn unused_rules_in_a_list_are_named() {
    let text = pool("", "  # gwlint: ignore[GW301, GW101] checked upstream");
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW012"], "{found:?}");
    assert!(
        found[0].contains("no GW101 finding on line 4 to suppress"),
        "{found:?}"
    );
}

#[test]
fn unknown_rules_and_bad_forms() {
    for (comment, message) in [
        (
            "# gwlint: ignore[GW3O1] checked",
            "the suppression names \"GW3O1\", which is no rule",
        ),
        (
            "# gwlint: ignore GW301 checked",
            "needs the rules it ignores in brackets",
        ),
        (
            "# gwlint: disable[GW301] checked",
            "unknown gwlint comment \"disable\"",
        ),
        ("# gwlint: ignore[GW301 checked", "not closed with ]"),
        ("# gwlint: ignore[] checked", "names no rule"),
    ] {
        let text = pool("", &format!("  {comment}"));
        let found = lint(&[("nginx.conf", &text)]);
        assert_eq!(codes(&found), ["GW301", "GW013"], "{comment}: {found:?}");
        assert!(found[1].contains(message), "{comment}: {found:?}");
    }
    // An unknown rule beside a known one: the known one still works.
    let text = pool("", "  # gwlint: ignore[GW301, nope] checked");
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW013"], "{found:?}");
}

#[test]
fn a_rule_turned_off_is_not_reported_as_unused() {
    let text = pool("", "  # gwlint: ignore[GW301] checked upstream");
    let only_gw1 = Selection {
        select: vec!["GW1".into(), "GW012".into()],
        ..Default::default()
    };
    assert_eq!(
        lint_with(&[("nginx.conf", &text)], only_gw1),
        Vec::<String>::new()
    );
    // Findings about suppressions follow the selection like any other rule.
    let text = pool("", "  # gwlint: ignore[GW301]");
    let no_reason_ok = Selection {
        ignore: vec!["suppression-without-reason".into()],
        ..Default::default()
    };
    assert_eq!(
        lint_with(&[("nginx.conf", &text)], no_reason_ok),
        Vec::<String>::new()
    );
}

#[test]
fn ordinary_comments_and_hash_in_strings_are_left_alone() {
    let text = pool("\n        # gwlint is run in CI; see README", "").replace(
        "proxy_pass http://app;",
        "proxy_pass http://app;\n            add_header X-Note \"# gwlint: ignore[GW301]\";",
    );
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW301"], "{found:?}");
}

#[test]
fn a_suppression_with_no_statement_after_it() {
    let text = format!("{}# gwlint: ignore[GW301] checked upstream\n", pool("", ""));
    let found = lint(&[("nginx.conf", &text)]);
    assert_eq!(codes(&found), ["GW301", "GW012"], "{found:?}");
    assert!(found[1].contains("no statement follows it"), "{found:?}");
}
