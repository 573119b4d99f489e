//! Every rule page in `rules/` is a specification the suite runs: the page's header matches the
//! registry, every bad example raises exactly that rule, every good example raises nothing.

use std::collections::BTreeSet;

use gwlint::rules::RULES;

use crate::common::pages;
use crate::snapshots;
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
    "GW004", // binary file: a code block cannot hold a NUL byte (tests/cli.rs covers it)
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

/// One test per rule page, named by its code: `cargo test GW402` runs that page alone, and a
/// page that fails hides no other. A new rule's code goes here (tools/new_rule.py adds it).
macro_rules! pages {
    ($($code:ident),* $(,)?) => {
        $(
            #[test]
            #[allow(non_snake_case)]
            fn $code() {
                page(stringify!($code));
            }
        )*
        const LISTED: &[&str] = &[$(stringify!($code)),*];
    };
}

pages! {
    GW000, GW001, GW002, GW003, GW004, GW005, GW006, GW011, GW012, GW013,
    GW020, GW021, GW022, GW023, GW024, GW025, GW026, GW027, GW028, GW101,
    GW102, GW103, GW104, GW105, GW106, GW107, GW108, GW109, GW110, GW111,
    GW112, GW113, GW114, GW115, GW116, GW121, GW122, GW123, GW124, GW125,
    GW126, GW201, GW202, GW204, GW205, GW210, GW211, GW212, GW301, GW302,
    GW303, GW304, GW305, GW306, GW307, GW308, GW309, GW310, GW311, GW312,
    GW401, GW402, GW403, GW404, GW405, GW406, GW407, GW501, GW502, GW503,
    GW504, GW505, GW506, GW601, GW602, GW603, GW604, GW605, GW606, GW701,
    GW702, GW703, GW704, GW705, GW801, GW802, GW803, GW804, GW805,
}

#[test]
fn every_rule_has_a_page_test() {
    let mut listed: Vec<&str> = LISTED.to_vec();
    listed.sort();
    let mut registered: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    registered.sort();
    assert_eq!(
        listed, registered,
        "pages! in tests/suite/rule_pages.rs lists every rule once"
    );
}

/// A rule's page as a specification: every bad example raises exactly the rule, every good
/// example raises nothing, and the messages on the bad examples are the reviewed snapshot.
fn page(code: &str) {
    let r = RULES
        .iter()
        .find(|r| r.code == code)
        .expect("a registered rule");
    let bad = examples(r.page, "## Bad");
    let good = examples(r.page, "## Good");
    if NO_EXAMPLES.contains(&r.code) {
        assert!(bad.is_empty(), "{} is listed as having no examples", r.code);
        return;
    }
    assert!(!bad.is_empty(), "{} has no bad example", r.code);
    assert!(!good.is_empty(), "{} has no good example", r.code);
    let mut wrong = Vec::new();
    for (i, ex) in bad.iter().enumerate().filter(|(_, ex)| !ex.online) {
        let found = lint(ex);
        let codes: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        if codes != BTreeSet::from([r.code]) {
            wrong.push(format!("bad example {} raised {found:#?}", i + 1));
        }
    }
    for (i, ex) in good.iter().enumerate().filter(|(_, ex)| !ex.online) {
        let found = lint(ex);
        if !found.is_empty() {
            wrong.push(format!("good example {} raised {found:#?}", i + 1));
        }
    }
    assert!(wrong.is_empty(), "{}:\n{}", r.code, wrong.join("\n"));
    let text: String = bad
        .iter()
        .enumerate()
        .filter(|(_, ex)| !ex.online)
        .map(|(i, ex)| format!("# bad example {}\n{}", i + 1, concise(ex)))
        .collect();
    if !text.is_empty() {
        // The snapshots keep the names they had when one test held every page.
        snapshots().bind(|| {
            insta::assert_snapshot!(format!("rule_pages__{}-{}", r.code, r.name), text);
        });
    }
}
