//! The README's rule table is what users read first: it must list every rule, as registered.

use gwlint::rules::RULES;

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = include_str!("../../README.md");
    // The table under "## Rules" (other tables list rules too, e.g. what is proven).
    let rules = readme
        .split("\n## Rules\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a ## Rules section");
    let rows: Vec<Vec<&str>> = rules
        .lines()
        .filter(|l| l.starts_with("| GW"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    for r in RULES {
        let row = rows
            .iter()
            .find(|row| row[0] == r.code)
            .unwrap_or_else(|| panic!("README has no row for {} {}", r.code, r.name));
        assert_eq!(row[1], r.name, "README name of {}", r.code);
        assert_eq!(row[2], r.severity.as_str(), "README severity of {}", r.code);
    }
    for row in &rows {
        assert!(
            RULES.iter().any(|r| r.code == row[0]),
            "README lists {}, which is no rule",
            row[0]
        );
    }
    let codes: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "README rule table is out of order");
}
