//! Generated repositories through the whole pipeline, as a pull request could shape them:
//! files that include each other (globs, cycles, repeats, missing files), several unrelated
//! configurations in one run, words and names with control characters. For each: no crash
//! (no GW000), human output that no input byte can steer, and findings about a configuration
//! that do not depend on what else the run holds.
//!
//! `GWLINT_FUZZ_CASES` sets how many repositories are tried (default 24; `.ci/run` runs more
//! in release). `fuzz/` has the libFuzzer targets for `cargo +nightly fuzz`.

use std::path::{Path, PathBuf};

use gwlint::report;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("GWLINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// One statement of a generated file.
#[derive(Debug, Clone)]
enum Stmt {
    Include(String),
    Upstream(u8),
    Pass(u8),
    Word(String),
    Open,
    Close,
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,12}",
        // Control characters, quotes and braces, as a hostile word would hold them.
        prop::collection::vec(
            prop_oneof![
                Just('\n'),
                Just('\u{1b}'),
                Just('\u{7}'),
                Just('\r'),
                Just(':'),
                Just('"'),
                Just('{'),
                Just('}'),
                Just(';'),
                Just('\u{9b}'),
                prop::char::range('a', 'z'),
            ],
            1..10
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

fn stmt(files: usize) -> impl Strategy<Value = Stmt> {
    let target = prop_oneof![
        (0..files).prop_map(|i| format!("f{i}.conf")),
        Just("*.conf".to_string()),
        Just("sub/*.conf".to_string()),
        Just("**.conf".to_string()),
        Just("missing.conf".to_string()),
        Just("/etc/nginx/conf.d/*.conf".to_string()),
    ];
    prop_oneof![
        3 => target.prop_map(Stmt::Include),
        2 => any::<u8>().prop_map(Stmt::Upstream),
        2 => any::<u8>().prop_map(Stmt::Pass),
        2 => word().prop_map(Stmt::Word),
        1 => Just(Stmt::Open),
        1 => Just(Stmt::Close),
    ]
}

fn print(stmts: &[Stmt]) -> String {
    let mut out = String::new();
    for s in stmts {
        match s {
            Stmt::Include(t) => out.push_str(&format!("include {t};\n")),
            Stmt::Upstream(n) => out.push_str(&format!(
                "upstream u{} {{ server 127.0.0.{}:{}; }}\n",
                n % 8,
                n % 4 + 1,
                8000 + u16::from(*n)
            )),
            Stmt::Pass(n) => out.push_str(&format!(
                "server {{ listen {}; location / {{ proxy_pass http://u{}; }} }}\n",
                8000 + u16::from(*n),
                n % 10
            )),
            Stmt::Word(w) => out.push_str(&format!("\"{}\" {w};\n", w.replace('"', "'"))),
            Stmt::Open => out.push_str("location /x {\n"),
            Stmt::Close => out.push_str("}\n"),
        }
    }
    out
}

/// A repository: one or two deployments (`a/`, `b/`), each a main file and included files,
/// some in `sub/`; a file name may hold control characters.
#[derive(Debug, Clone)]
struct Repo {
    deployments: Vec<(Vec<Stmt>, Vec<Vec<Stmt>>, bool)>,
    odd_name: Option<String>,
}

fn repo() -> impl Strategy<Value = Repo> {
    let deployment = (1usize..6).prop_flat_map(|n| {
        (
            prop::collection::vec(stmt(n), 0..8),
            prop::collection::vec(prop::collection::vec(stmt(n), 0..6), n),
            any::<bool>(),
        )
    });
    (
        prop::collection::vec(deployment, 1..3),
        prop::option::of(word()),
    )
        .prop_map(|(deployments, odd_name)| Repo {
            deployments,
            odd_name,
        })
}

fn write(root: &Path, repo: &Repo) -> Vec<PathBuf> {
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let mut mains = Vec::new();
    for (d, (main, files, http)) in repo.deployments.iter().enumerate() {
        let dir = root.join(format!("d{d}"));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let body = print(main);
        let text = match http {
            true => format!("events {{}}\nhttp {{\n{body}}}\n"),
            false => format!("events {{}}\n{body}"),
        };
        std::fs::write(dir.join("nginx.conf"), text).unwrap();
        for (i, f) in files.iter().enumerate() {
            let place = if i % 3 == 2 { "sub/" } else { "" };
            std::fs::write(dir.join(format!("{place}f{i}.conf")), print(f)).unwrap();
        }
        if let Some(name) = &repo.odd_name
            && !name.contains('/')
            && !name.contains('\0')
        {
            let _ = std::fs::write(dir.join(format!("{name}.conf")), print(main));
        }
        mains.push(dir.join("nginx.conf"));
    }
    mains
}

fn lint(paths: &[PathBuf]) -> gwlint::Outcome {
    let opts = gwlint::Options::default();
    gwlint::lint(paths, &opts)
}

/// Findings as text, for comparing runs.
fn shown(o: &gwlint::Outcome, under: &Path) -> Vec<String> {
    let mut v: Vec<String> = report::concise::render(&o.findings, &o.loader.sources)
        .lines()
        .filter(|l| Path::new(l.split(':').next().unwrap_or("")).starts_with(under))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn check_outputs(o: &gwlint::Outcome) {
    assert!(
        !o.findings.iter().any(|f| f.rule.code == "GW000"),
        "{:?}",
        o.findings
            .iter()
            .filter(|f| f.rule.code == "GW000")
            .map(|f| &f.message)
            .collect::<Vec<_>>()
    );
    let s = &o.loader.sources;
    for (format, text) in [
        ("concise", report::concise::render(&o.findings, s)),
        ("pretty", report::pretty::render(&o.findings, s, false)),
        ("github", report::github::render(&o.findings, s)),
    ] {
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\r'] {
            assert!(!text.contains(c), "{format}: raw {c:?} in {text:?}");
        }
        for line in text.lines() {
            let ours = format == "github"
                && ["::error file=", "::warning file=", "::notice file="]
                    .iter()
                    .any(|p| line.starts_with(p));
            assert!(
                !line.starts_with("::") || ours,
                "{format}: a line of the input's: {line:?}"
            );
        }
    }
    let _ = report::json::render(&o.findings, s);
    let _ = report::sarif::render(&o.findings, s, &o.errors);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn generated_repositories(repo in repo()) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let mains = write(&root, &repo);
        // The whole repository, then each deployment alone: what a deployment's files get
        // does not depend on the other deployment in the run.
        let all = lint(std::slice::from_ref(&root));
        check_outputs(&all);
        for main in &mains {
            let dir = main.parent().unwrap();
            let alone = lint(&[dir.to_path_buf()]);
            check_outputs(&alone);
            prop_assert_eq!(shown(&alone, dir), shown(&all, dir), "{}", dir.display());
            let file = lint(std::slice::from_ref(main));
            check_outputs(&file);
        }
    }
}
