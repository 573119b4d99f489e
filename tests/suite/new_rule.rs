//! `tools/new_rule.py` stamps a rule's module and page and registers it after its family;
//! it refuses a code or name that is taken, and a code outside its family.

use std::path::Path;
use std::process::Command;

fn copy_rules(to: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = "tests/suite/rule_pages.rs";
    std::fs::create_dir_all(to.join(suite).parent().unwrap()).unwrap();
    std::fs::copy(root.join(suite), to.join(suite)).unwrap();
    let src = root.join("src/rules");
    std::fs::create_dir_all(to.join("src/rules")).unwrap();
    std::fs::create_dir_all(to.join("rules")).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join("src/rules").join(p.file_name().unwrap())).unwrap();
    }
}

fn stamp(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/new_rule.py"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("python3 runs tools/new_rule.py")
}

#[test]
fn a_new_rule_is_stamped_and_registered_after_its_family() {
    let dir = tempfile::tempdir().unwrap();
    copy_rules(dir.path());
    let out = stamp(
        dir.path(),
        &[
            "GW499",
            "tls-stamp",
            "--family",
            "Tls",
            "--severity",
            "error",
            "--dialects",
            "nginx,haproxy",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let module = std::fs::read_to_string(dir.path().join("src/rules/tls_stamp.rs")).unwrap();
    assert!(module.contains("code: \"GW499\""), "{module}");
    assert!(module.contains("dialects: [Nginx, Haproxy]"), "{module}");
    assert!(
        module.contains("pub(crate) fn check(ctx: &Context"),
        "{module}"
    );
    let suite = std::fs::read_to_string(dir.path().join("tests/suite/rule_pages.rs")).unwrap();
    assert!(
        suite.contains("GW406, GW499") || suite.contains("GW499,"),
        "{suite}"
    );
    let page = std::fs::read_to_string(dir.path().join("rules/GW499-tls-stamp.md")).unwrap();
    for section in [
        "## What it finds",
        "## Why it breaks the gateway",
        "## Bad",
        "## Good",
        "## Proof",
        "**In short:**",
        "## References",
    ] {
        assert!(page.contains(section), "{section} in\n{page}");
    }
    // After the last TLS rule of the registry, before whatever follows it.
    let registry = std::fs::read_to_string(dir.path().join("src/rules/mod.rs")).unwrap();
    let lines: Vec<&str> = registry.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "    model tls_stamp,")
        .expect("registered");
    let previous = lines[at - 1]
        .trim()
        .trim_end_matches(',')
        .rsplit(' ')
        .next()
        .unwrap();
    let before =
        std::fs::read_to_string(dir.path().join(format!("src/rules/{previous}.rs"))).unwrap();
    assert!(before.contains("family: Tls,"), "{previous} is no TLS rule");
    assert!(
        !lines[at + 1..].iter().any(|l| {
            l.trim().strip_prefix("model ").is_some_and(|m| {
                let m = m.trim_end_matches(',');
                std::fs::read_to_string(dir.path().join(format!("src/rules/{m}.rs")))
                    .is_ok_and(|t| t.contains("family: Tls,"))
            })
        }),
        "a TLS rule after the new one"
    );
}

#[test]
fn taken_codes_names_and_wrong_families_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_rules(dir.path());
    let before = std::fs::read_to_string(dir.path().join("src/rules/mod.rs")).unwrap();
    for args in [
        &[
            "GW101",
            "fresh-name",
            "--family",
            "DeadTargets",
            "--severity",
            "error",
            "--dialects",
            "nginx",
        ][..],
        &[
            "GW198",
            "undefined-upstream",
            "--family",
            "DeadTargets",
            "--severity",
            "error",
            "--dialects",
            "nginx",
        ],
        &[
            "GW198",
            "fresh-name",
            "--family",
            "Tls",
            "--severity",
            "error",
            "--dialects",
            "nginx",
        ],
        &[
            "GW198",
            "fresh-name",
            "--family",
            "DeadTargets",
            "--severity",
            "error",
            "--dialects",
            "apache",
        ],
    ] {
        let out = stamp(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("new_rule: "),
            "{out:?}"
        );
    }
    let after = std::fs::read_to_string(dir.path().join("src/rules/mod.rs")).unwrap();
    assert_eq!(before, after, "a refused stamp changed the registry");
    assert!(!dir.path().join("src/rules/fresh_name.rs").exists());
}
