//! Which files are linted in which context: whole trees, directories, files given alone,
//! fragments without a parent.

use std::path::{Path, PathBuf};

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "nginx.conf",
            "events {}\nhttp {\n    include conf.d/*.conf;\n    include sites/*.conf;\n}\n",
        ),
        (
            "conf.d/upstreams.conf",
            "upstream app { server 127.0.0.1:8080; }\nupstream api { server 127.0.0.1:9090; }\n",
        ),
        (
            "sites/app.conf",
            "server {\n    listen 80;\n    location / { proxy_pass http://app; }\n    location /api/ { proxy_pass http://api; include snippets/headers.conf; }\n}\n",
        ),
        ("snippets/headers.conf", "proxy_set_header Host $host;\n"),
    ];
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn codes(paths: &[PathBuf]) -> Vec<String> {
    let o = gwlint::lint(paths, &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    o.findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f.rule.code,
                o.loader.sources.get(f.span.file).name,
                f.message
            )
        })
        .collect()
}

#[test]
fn a_correct_site_is_clean_however_it_is_linted() {
    let dir = site();
    let d = dir.path();
    assert_eq!(codes(&[d.join("nginx.conf")]), Vec::<String>::new());
    assert_eq!(codes(&[d.to_path_buf()]), Vec::<String>::new());
    for f in [
        "conf.d/upstreams.conf",
        "sites/app.conf",
        "snippets/headers.conf",
    ] {
        assert_eq!(codes(&[d.join(f)]), Vec::<String>::new(), "{f} alone");
    }
}

#[test]
fn a_file_given_alone_is_linted_in_its_parents_tree_and_reports_only_itself() {
    let dir = site();
    let d = dir.path();
    // A typo in the site file, an empty upstream in the parent's other include.
    std::fs::write(
        d.join("sites/app.conf"),
        "server {\n    listen 80;\n    location / { proxy_pass http://app; }\n    location /x/ { proxy_pass http://appp; }\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("conf.d/more.conf"), "upstream empty {}\n").unwrap();
    let alone = codes(&[d.join("sites/app.conf")]);
    assert_eq!(alone.len(), 1, "{alone:?}");
    assert!(
        alone[0].starts_with("GW101") && alone[0].contains("appp"),
        "{alone:?}"
    );
    // The directory reports both files, each once.
    let all = codes(&[d.to_path_buf()]);
    assert_eq!(
        all.iter().filter(|c| c.starts_with("GW104")).count(),
        1,
        "{all:?}"
    );
    assert_eq!(
        all.iter().filter(|c| c.starts_with("GW101")).count(),
        1,
        "{all:?}"
    );
}

#[test]
fn a_fragment_without_parent_gets_no_undefined_noise() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("site.conf");
    std::fs::write(
        &p,
        "server {\n    listen 80;\n    location / { proxy_pass http://defined_elsewhere; }\n}\n",
    )
    .unwrap();
    assert_eq!(codes(std::slice::from_ref(&p)), Vec::<String>::new());
    // ...but a near miss of an upstream it can see is still a typo.
    std::fs::write(
        &p,
        "upstream backend { server 127.0.0.1:1; }\nserver {\n    location / { proxy_pass http://backnd; }\n}\n",
    )
    .unwrap();
    let c = codes(&[p]);
    assert_eq!(c.len(), 1);
    assert!(c[0].starts_with("GW101"));
}

#[test]
fn missing_include_is_an_error_and_an_empty_glob_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nginx.conf");
    std::fs::write(
        &p,
        "events {}\nhttp {\n    include none.d/*.conf;\n    include missing.conf;\n}\n",
    )
    .unwrap();
    let c = codes(&[p]);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].starts_with("GW002") && c[0].contains("missing.conf"),
        "{c:?}"
    );
}

#[test]
fn prefix_moves_relative_includes() {
    let dir = site();
    let d = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let root = elsewhere.path().join("main.conf");
    std::fs::write(
        &root,
        "events {}\nhttp { include conf.d/*.conf; include sites/*.conf; }\n",
    )
    .unwrap();
    let opts = gwlint::Options {
        prefix: Some(d.to_path_buf()),
        ..Default::default()
    };
    let o = gwlint::lint(&[root], &opts);
    assert!(o.findings.is_empty(), "{:?}", o.findings);
    assert_eq!(
        o.files,
        4 + 1 - 1,
        "main.conf, the two includes of conf.d and sites, and the snippet"
    );
}

#[test]
fn include_cycles_are_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let d: &Path = dir.path();
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\nhttp { include a.conf; }\n",
    )
    .unwrap();
    std::fs::write(d.join("a.conf"), "include b.conf;\n").unwrap();
    std::fs::write(d.join("b.conf"), "include a.conf;\n").unwrap();
    let c = codes(&[d.to_path_buf()]);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].starts_with("GW003") && c[0].contains("a.conf → ") && c[0].contains("b.conf → "),
        "{c:?}"
    );
}
