//! Every rule page in `rules/` is a specification the suite runs: the page's header matches the
//! registry, every bad example raises exactly that rule, every good example raises nothing.

use std::collections::BTreeSet;

use gwlint::rules::RULES;

use crate::common::pages;
use pages::{Example, examples};

/// The findings of an example as `file:line:col: severity[code] message` lines, with the
/// temporary directory removed from the paths: what the rule's message snapshots hold.
fn concise(example: &Example) -> String {
    let dir = tempfile::tempdir().unwrap();
    let roots = example.write(dir.path());
    let outcome = gwlint::lint(&roots, &example.options());
    let text = gwlint::report::concise::render(&outcome.findings, &outcome.loader.sources);
    let prefix = format!("{}/", dir.path().display());
    text.replace(&prefix, "")
}

fn lint(example: &Example) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let roots = example.write(dir.path());
    let outcome = gwlint::lint(&roots, &example.options());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.code.to_string(), f.message.clone()))
        .collect()
}

/// Rules whose failure no text example can show.
const NO_EXAMPLES: &[&str] = &[
    "GW000", // internal error: a bug in gwlint
    "GW004", // binary file: a code block cannot hold a NUL byte (tests/suite/cli.rs covers it)
];

#[test]
fn every_rule_has_a_page_that_matches_the_registry() {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in RULES {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let first = r.page.lines().next().unwrap_or("");
        assert_eq!(
            first,
            format!("# {} {}", r.code, r.name),
            "first line of {}'s page",
            r.code
        );
        assert!(
            r.page
                .contains(&format!("| Severity | {} |", r.severity.as_str())),
            "{}'s page states another severity",
            r.code
        );
        for section in [
            "## What it finds",
            "## Why it breaks the gateway",
            "## References",
        ] {
            assert!(r.page.contains(section), "{} has no {section}", r.code);
        }
        let path = format!(
            "{}/rules/{}-{}.md",
            env!("CARGO_MANIFEST_DIR"),
            r.code,
            r.name
        );
        assert!(std::path::Path::new(&path).is_file(), "missing {path}");
    }
    // No page without a rule.
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            RULES
                .iter()
                .any(|r| name == format!("{}-{}.md", r.code, r.name)),
            "rules/{name} belongs to no rule"
        );
    }
}

#[test]
fn bad_examples_raise_exactly_their_rule() {
    for r in RULES {
        let bad = examples(r.page, "## Bad");
        if NO_EXAMPLES.contains(&r.code) {
            assert!(bad.is_empty(), "{} is listed as having no examples", r.code);
            continue;
        }
        assert!(!bad.is_empty(), "{} has no bad example", r.code);
        for (i, ex) in bad.iter().enumerate().filter(|(_, ex)| !ex.online) {
            let found = lint(ex);
            let codes: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
            assert_eq!(
                codes,
                BTreeSet::from([r.code]),
                "bad example {} of {} raised {found:#?}",
                i + 1,
                r.code
            );
        }
    }
}

#[test]
fn good_examples_raise_nothing() {
    for r in RULES {
        let good = examples(r.page, "## Good");
        if NO_EXAMPLES.contains(&r.code) {
            continue;
        }
        assert!(!good.is_empty(), "{} has no good example", r.code);
        for (i, ex) in good.iter().enumerate().filter(|(_, ex)| !ex.online) {
            let found = lint(ex);
            assert!(
                found.is_empty(),
                "good example {} of {} raised {found:#?}",
                i + 1,
                r.code
            );
        }
    }
}

/// Every rule's messages on its bad examples, as snapshots: a change in wording is reviewed.
#[test]
fn messages_of_bad_examples() {
    for r in RULES {
        let text: String = examples(r.page, "## Bad")
            .iter()
            .enumerate()
            .filter(|(_, ex)| !ex.online)
            .map(|(i, ex)| format!("# bad example {}\n{}", i + 1, concise(ex)))
            .collect();
        if text.is_empty() {
            continue;
        }
        let name = format!("rule_pages__{}-{}", r.code, r.name);
        crate::snapshots().bind(|| insta::assert_snapshot!(name, text));
    }
}
