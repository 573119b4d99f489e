//! `--fix` and `--diff`: every rule-page bad example whose findings carry a repair is
//! repaired into a configuration without that rule's finding; repairs that would raise
//! something else are refused; files are written only where the run was pointed.

use std::collections::BTreeSet;

use gwlint::rules::RULES;

use crate::common::pages;
use pages::examples;

use crate::common::cli as common_cli;
use common_cli::{code, err, gwlint, out};

/// The rules whose bad examples the fixes must repair: if one stops offering its repair, or
/// the repair stops working, this fails.
const FIXED: &[&str] = &[
    "GW001", "GW022", "GW101", "GW102", "GW112", "GW113", "GW503",
];

#[test]
fn every_page_bad_example_with_a_fix_is_repaired() {
    let mut repaired: BTreeSet<&str> = BTreeSet::new();
    for r in RULES {
        for (i, ex) in examples(r.page, "## Bad").iter().enumerate() {
            if ex.online {
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            let paths = ex.write(dir.path());
            let opts = ex.options();
            let outcome = gwlint::lint(&paths, &opts);
            let ours: Vec<_> = outcome
                .findings
                .iter()
                .filter(|f| f.rule.code == r.code)
                .collect();
            if ours.is_empty() || ours.iter().any(|f| f.fix.is_none()) {
                continue;
            }
            let plan = gwlint::fix::plan(&paths, &opts, outcome);
            let after = plan.outcome.as_ref().unwrap();
            let left: Vec<String> = after
                .findings
                .iter()
                .map(|f| format!("{} {}", f.rule.code, f.message))
                .collect();
            assert!(
                left.iter().all(|l| !l.starts_with(r.code)),
                "bad example {} of {}: after the fixes {left:#?} remain (refused: {:?})",
                i + 1,
                r.code,
                plan.rejected
            );
            assert!(
                !plan.changed.is_empty(),
                "bad example {} of {}: nothing changed",
                i + 1,
                r.code
            );
            // The repaired text, linted from disk as a user would after --fix, agrees.
            gwlint::fix::write(&plan.changed).unwrap();
            let again = gwlint::lint(&paths, &opts);
            assert!(
                again.findings.iter().all(|f| f.rule.code != r.code),
                "bad example {} of {}: the written files still raise it",
                i + 1,
                r.code
            );
            repaired.insert(r.code);
        }
    }
    let missing: Vec<&&str> = FIXED.iter().filter(|c| !repaired.contains(**c)).collect();
    assert!(
        missing.is_empty(),
        "no bad example of {missing:?} was repaired; repaired: {repaired:?}"
    );
}

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    dir
}

const MAIN: &str = "events {}\nhttp {\n    upstream api_backend {\n        server 127.0.0.1:9000;\n    }\n    include conf.d/*.conf;\n}\n";
const SITE: &str = "server {\n    listen 8080\n    location / {\n        proxy_pass http://api_backnd;\n    }\n}\n";

#[test]
fn diff_prints_the_repairs_and_writes_nothing() {
    let dir = repo(&[("nginx.conf", MAIN), ("conf.d/site.conf", SITE)]);
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--diff", "nginx.conf"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", err(&o));
    let d = out(&o);
    assert!(
        d.contains("--- a/conf.d/site.conf\n+++ b/conf.d/site.conf\n"),
        "{d}"
    );
    assert!(d.contains("-    listen 8080\n+    listen 8080;\n"), "{d}");
    assert!(
        d.contains(
            "-        proxy_pass http://api_backnd;\n+        proxy_pass http://api_backend;\n"
        ),
        "{d}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("conf.d/site.conf")).unwrap(),
        SITE,
        "--diff wrote the file"
    );
}

#[test]
fn fix_writes_the_repairs_in_the_deployment_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(&[("nginx.conf", MAIN), ("conf.d/site.conf", SITE)]);
    let site = dir.path().join("conf.d/site.conf");
    std::fs::set_permissions(&site, std::fs::Permissions::from_mode(0o640)).unwrap();
    // The changed snippet alone, as pre-commit passes it: linted with its parent.
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--fix", "conf.d/site.conf"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("fixed 2 findings in 1 file"),
        "{}",
        err(&o)
    );
    assert!(out(&o).contains("No problems found"), "{}", out(&o));
    let fixed = std::fs::read_to_string(&site).unwrap();
    assert_eq!(
        fixed,
        SITE.replace("8080\n", "8080;\n")
            .replace("api_backnd", "api_backend")
    );
    let mode = std::fs::metadata(&site).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Nothing else appeared beside it (the temporary file was renamed away).
    let names: Vec<_> = std::fs::read_dir(dir.path().join("conf.d"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A second run has nothing to do.
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--diff", "."])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).is_empty());
}

#[test]
fn a_repair_that_would_drop_inherited_headers_is_not_offered() {
    // The location inherits `proxy_set_header Host` from the server: adding
    // `proxy_set_header Connection ""` there would drop it. Only the version is certain.
    let conf = "events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:9000;\n        keepalive 8;\n    }\n    server {\n        listen 8080;\n        proxy_set_header Host $host;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n";
    let dir = repo(&[("nginx.conf", conf)]);
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--diff", "nginx.conf"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).is_empty(), "{}", out(&o));
    // Without the outer header, the repair is made, and nginx's keep-alive works.
    let conf = conf.replace("        proxy_set_header Host $host;\n", "");
    let dir = repo(&[("nginx.conf", &conf)]);
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--fix", "nginx.conf"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let fixed = std::fs::read_to_string(dir.path().join("nginx.conf")).unwrap();
    assert!(
        fixed.contains(
            "            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n"
        ),
        "{fixed}"
    );
}

#[test]
fn a_misspelt_name_with_two_near_matches_is_left_to_the_user() {
    let conf = "events {}\nhttp {\n    upstream app1 {\n        server 127.0.0.1:9001;\n    }\n    upstream app2 {\n        server 127.0.0.1:9002;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n";
    let dir = repo(&[("nginx.conf", conf)]);
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--fix", "nginx.conf"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("GW101"), "{}", out(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("nginx.conf")).unwrap(),
        conf
    );
}

#[test]
fn fix_refuses_standard_input() {
    let o = gwlint()
        .args(["--fix", "--stdin-filename", "nginx.conf", "-"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("standard input"), "{}", err(&o));
}

#[test]
fn a_linked_site_is_repaired_in_the_file_the_link_leads_to() {
    // Debian's layout: sites-enabled/app -> ../sites-available/app. The link stays a link.
    let main = "events {}\nhttp {\n    upstream api_backend {\n        server 127.0.0.1:9000;\n    }\n    include sites-enabled/*;\n}\n";
    let site = "server {\n    listen 8080;\n    location / {\n        proxy_pass http://api_backend:9000;\n    }\n}\n";
    let dir = repo(&[("nginx.conf", main), ("sites-available/app", site)]);
    std::fs::create_dir(dir.path().join("sites-enabled")).unwrap();
    std::os::unix::fs::symlink(
        "../sites-available/app",
        dir.path().join("sites-enabled/app"),
    )
    .unwrap();
    let o = gwlint()
        .current_dir(dir.path())
        .args(["--fix", "."])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let link = dir.path().join("sites-enabled/app");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sites-available/app")).unwrap(),
        site.replace("api_backend:9000", "api_backend")
    );
}
