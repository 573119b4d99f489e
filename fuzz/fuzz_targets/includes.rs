//! Bytes as a repository: split at 0xFF into up to eight files (`nginx.conf`, `f1.conf`, …,
//! some in `sub/`), each may include the others; linted as the directory, as the main file and
//! beside a second copy. No crash (no GW000), human output no input byte can steer, and the
//! same findings for the copy whatever else the run holds.
#![no_main]

use std::path::{Path, PathBuf};

use gwlint::report;
use libfuzzer_sys::fuzz_target;

fn write(dir: &Path, data: &[u8]) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    for (i, part) in data.split(|&b| b == 0xFF).take(8).enumerate() {
        let name = match i {
            0 => "nginx.conf".to_string(),
            i if i % 3 == 2 => format!("sub/f{i}.conf"),
            i => format!("f{i}.conf"),
        };
        std::fs::write(dir.join(name), part).unwrap();
    }
}

fn check(o: &gwlint::Outcome) -> String {
    assert!(!o.findings.iter().any(|f| f.rule.code == "GW000"));
    let s = &o.loader.sources;
    for text in [
        report::concise::render(&o.findings, s),
        report::pretty::render(&o.findings, s, false),
        report::github::render(&o.findings, s),
    ] {
        assert!(!text.contains('\u{1b}'));
        assert!(text.lines().all(|l| !l.starts_with("::") || l.contains(" file=")));
    }
    report::concise::render(&o.findings, s)
}

fuzz_target!(|data: &[u8]| {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join(".git")).unwrap();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    write(&a, data);
    write(&b, data);
    let opts = gwlint::Options::default();
    let alone = check(&gwlint::lint(std::slice::from_ref(&a), &opts));
    let both = check(&gwlint::lint(&[a.clone(), b], &opts));
    let _ = check(&gwlint::lint(&[a.join("nginx.conf")], &opts));
    let mine = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = t
            .lines()
            .filter(|l| PathBuf::from(l.split(':').next().unwrap_or("")).starts_with(&a))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    assert_eq!(mine(&alone), mine(&both));
});
