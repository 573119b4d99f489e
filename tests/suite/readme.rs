//! The README's rule table and proof table are generated from the registry and the rule pages
//! (each page's "**In short:**" line under "## Proof"), and held here: a rule added, renamed
//! or re-proven changes them. `GWLINT_BLESS=1 cargo test --test suite readme::` writes them.

use gwlint::finding::Dialect;
use gwlint::rules::RULES;

fn dialects(ds: &[Dialect]) -> String {
    ds.iter()
        .map(|d| match d {
            Dialect::Nginx => "nginx",
            Dialect::Haproxy => "HAProxy",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn sorted() -> Vec<&'static gwlint::rules::Rule> {
    let mut rules: Vec<_> = RULES.to_vec();
    rules.sort_by_key(|r| r.code);
    rules
}

fn rule_table() -> String {
    let mut t =
        String::from("| Code | Name | Severity | Dialects | Finds |\n|---|---|---|---|---|\n");
    for r in sorted() {
        t += &format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            r.name,
            r.severity.as_str(),
            dialects(r.dialects),
            r.summary
        );
    }
    t
}

/// A page's "**In short:** PROXY — PROVEN" line.
fn in_short(r: &gwlint::rules::Rule) -> (String, String) {
    let proof = r
        .page
        .split("\n## Proof\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("{} has no Proof section", r.code));
    let line = proof
        .lines()
        .find_map(|l| l.strip_prefix("**In short:** "))
        .unwrap_or_else(|| {
            panic!(
                "the Proof section of {} has no `**In short:** PROXY — PROVEN` line",
                r.code
            )
        });
    let (proxy, proven) = line
        .split_once(" — ")
        .unwrap_or_else(|| panic!("{}: `{line}` is not `PROXY — PROVEN`", r.code));
    (proxy.to_string(), proven.to_string())
}

fn proof_table() -> String {
    let mut t = String::from("| Rule | Proxy | Proven |\n|---|---|---|\n");
    for r in sorted() {
        let (proxy, proven) = in_short(r);
        t += &format!("| {} | {proxy} | {proven} |\n", r.code);
    }
    t
}

/// The README with the table that starts with `header` replaced by `table`.
fn replaced(readme: &str, header: &str, table: &str) -> String {
    let start = readme
        .find(&format!("\n{header}\n"))
        .unwrap_or_else(|| panic!("README has no table `{header}`"))
        + 1;
    let len = readme[start..]
        .split_inclusive('\n')
        .take_while(|l| l.starts_with('|'))
        .map(str::len)
        .sum::<usize>();
    format!("{}{table}{}", &readme[..start], &readme[start + len..])
}

#[test]
fn readme_tables_are_generated_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let want = replaced(
        &replaced(
            &readme,
            "| Code | Name | Severity | Dialects | Finds |",
            &rule_table(),
        ),
        "| Rule | Proxy | Proven |",
        &proof_table(),
    );
    if want != readme && std::env::var_os("GWLINT_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    if want != readme {
        let diff: Vec<String> = readme
            .lines()
            .zip(want.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("README:    {a}\ngenerated: {b}"))
            .collect();
        panic!(
            "the README's rule or proof table is not what the registry and pages give (`GWLINT_BLESS=1 cargo test --test suite readme::` writes it):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn replaced_swaps_only_the_table() {
    let text = "intro\n| A | B |\n|---|---|\n| x | y |\n\nafter\n";
    assert_eq!(
        replaced(text, "| A | B |", "| A | B |\n|---|---|\n| z | w |\n"),
        "intro\n| A | B |\n|---|---|\n| z | w |\n\nafter\n"
    );
}
