//! Every rule page in `rules/` is a specification the suite runs: the page's header matches the
//! registry, every bad example raises exactly that rule, every good example raises nothing.

use std::collections::BTreeSet;
use std::path::PathBuf;

use gwlint::facts::{Backend, Facts};
use gwlint::rules::RULES;
use gwlint::rules::support_tune::parse_time_ms;

/// One example: files (path, text); the first is the root. `facts`: what a ```toml facts
/// block declares about the backends, as `gwlint.toml` would.
#[derive(Debug)]
struct Example {
    files: Vec<(String, String)>,
    facts: Facts,
    /// Files linted as configurations of their own, next to the root (a chain's other layer).
    roots: Vec<String>,
    /// Tagged `online` (```nginx online): it needs `--online` and the loopback world of
    /// tests/online.rs, which runs it; the offline tests here skip it.
    online: bool,
}

/// Parses the code blocks of a section (`## Bad`, `## Good`). A block tagged `nginx` (or
/// `haproxy`) starts an example; a block tagged `nginx file=conf.d/x.conf` adds a file to it;
/// a block tagged `toml facts` holds `[[backend]]` entries (`target`, `idle_timeout`,
/// `max_response_time`) that apply to it. A file in the other dialect, or tagged `root`
/// (`nginx file=inner.conf root`), is another configuration of the same run: gwlint is given
/// it as a path of its own.
fn examples(page: &str, heading: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_section = false;
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("## ") {
            in_section = line.trim_end() == heading;
            continue;
        }
        if !in_section || !line.starts_with("```") {
            continue;
        }
        let info = line.trim_start_matches('`').trim();
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        let words: Vec<&str> = info.split_whitespace().collect();
        let lang = words.first().copied().unwrap_or("");
        let online = words.contains(&"online");
        let file = words
            .iter()
            .find_map(|w| w.strip_prefix("file="))
            .map(str::to_string);
        if lang == "toml" && info.split_whitespace().any(|w| w == "facts") {
            match out.last_mut() {
                Some(ex) => ex.facts = facts(&body),
                None => panic!("{heading}: a facts block before the example's main block"),
            }
            continue;
        }
        let own_root = words.contains(&"root");
        let root = match lang {
            "nginx" => "nginx.conf",
            "haproxy" => "haproxy.cfg",
            _ => continue,
        };
        match (file, out.last_mut()) {
            (Some(f), Some(ex)) => {
                let main_lang = if ex.files[0].0.ends_with(".cfg") {
                    "haproxy"
                } else {
                    "nginx"
                };
                if own_root || lang != main_lang {
                    ex.roots.push(f.clone());
                }
                ex.files.push((f, body))
            }
            (Some(f), None) => {
                panic!("{heading}: a file= block ({f}) before the example's main block")
            }
            (None, _) => out.push(Example {
                files: vec![(root.to_string(), body)],
                facts: Facts::default(),
                roots: Vec::new(),
                online,
            }),
        }
    }
    out
}

/// The `[[backend]]` entries of a facts block: `key = "value"` lines, durations in nginx's
/// time syntax (`5s`, `1m30s`). The origin is the line in the block (`gwlint.toml:N`).
fn facts(body: &str) -> Facts {
    let mut backends: Vec<Backend> = Vec::new();
    for (i, line) in body.lines().enumerate() {
        let line = line.trim();
        if line == "[[backend]]" {
            backends.push(Backend {
                origin: format!("gwlint.toml:{}", i + 1),
                ..Backend::default()
            });
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("facts block: not `key = value`: {line}"));
        let value = value.trim().trim_matches('"');
        let b = backends
            .last_mut()
            .unwrap_or_else(|| panic!("facts block: {line} before [[backend]]"));
        let duration = || {
            let ms = parse_time_ms(value)
                .unwrap_or_else(|| panic!("facts block: not a duration: {value}"));
            Some(std::time::Duration::from_millis(ms))
        };
        match key.trim() {
            "target" => b.target = value.to_string(),
            "idle_timeout" => b.idle_timeout = duration(),
            "max_response_time" => b.max_response_time = duration(),
            k => panic!("facts block: unknown key {k}"),
        }
    }
    Facts {
        backends,
        ..Facts::default()
    }
}

fn options(example: &Example) -> gwlint::Options {
    gwlint::Options {
        facts: example.facts.clone(),
        ..gwlint::Options::default()
    }
}

/// The findings of an example as `file:line:col: severity[code] message` lines, with the
/// temporary directory removed from the paths: what the rule's message snapshots hold.
fn concise(example: &Example) -> String {
    let dir = tempfile::tempdir().unwrap();
    let roots = write(example, dir.path());
    let outcome = gwlint::lint(&roots, &options(example));
    let text = gwlint::report::concise::render(&outcome.findings, &outcome.loader.sources);
    let prefix = format!("{}/", dir.path().display());
    text.replace(&prefix, "")
}

/// Writes the example's files; returns the paths to lint (the root, then other layers).
fn write(example: &Example, dir: &std::path::Path) -> Vec<PathBuf> {
    for (name, text) in &example.files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    std::iter::once(&example.files[0].0)
        .chain(&example.roots)
        .map(|f| dir.join(f))
        .collect()
}

fn lint(example: &Example) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let roots = write(example, dir.path());
    let outcome = gwlint::lint(&roots, &options(example));
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
        insta::assert_snapshot!(format!("{}-{}", r.code, r.name), text);
    }
}
