//! The rule pages' examples, as the proxies will run them: read by `tests/common/pages.rs`, as
//! for `tests/suite/rule_pages.rs`, then adjusted for one machine by explicit substitutions
//! that must each apply.

use std::collections::BTreeSet;
use std::path::Path;

use gwlint::facts::Facts;
use gwlint::rules::RULES;

/// One example of a rule page: files (path, text), the first is the root.
#[derive(Debug, Clone)]
pub struct Example {
    pub code: &'static str,
    pub files: Vec<(String, String)>,
    /// `upstream NAME { server ADDR; }` blocks to add to nginx's `http {}`: a DNS name of the
    /// example served by a loopback backend, without touching `/etc/hosts`. nginx still uses
    /// the name for SNI and certificate checks, exactly as it would with DNS.
    pub hosts: Vec<(String, String)>,
    /// What the example's ```toml facts block declares about the backends (`gwlint.toml`).
    pub facts: Facts,
    /// The releases the facts block names.
    pub nginx_version: Option<gwlint::rules::Version>,
    pub haproxy_version: Option<gwlint::rules::Version>,
}

/// The page of a rule, by code.
pub fn page(code: &str) -> &'static str {
    RULES
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no rule {code}"))
        .page
}

/// A log line (or a fragment of one) that the page promises; fails if the page no longer says it.
pub fn quoted(code: &str, fragment: &'static str) -> &'static str {
    assert!(
        page(code).contains(fragment),
        "{code}'s page no longer quotes `{fragment}`"
    );
    fragment
}

/// The `n`th example (1-based) under `## Bad` or `## Good` of a rule's page.
pub fn example(code: &'static str, heading: &str, n: usize) -> Example {
    // Examples tagged `online` need `--online` (tests/suite/online.rs runs them) and are not
    // counted.
    let ex = crate::common_pages::examples(page(code), &format!("## {heading}"))
        .into_iter()
        .filter(|ex| !ex.online)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{code} has no {heading} example {n}"));
    Example {
        code,
        files: ex.files,
        hosts: Vec::new(),
        facts: ex.facts,
        nginx_version: ex.nginx_version,
        haproxy_version: ex.haproxy_version,
    }
}

/// A bad example, after checking that gwlint reports exactly its rule on it.
pub fn bad(code: &'static str, n: usize) -> Example {
    let ex = example(code, "Bad", n);
    let found = lint(&ex);
    assert_eq!(
        found
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([code]),
        "gwlint on {code}'s bad example {n}: {found:#?}"
    );
    ex
}

/// A good example, after checking that gwlint reports nothing on it.
pub fn good(code: &'static str, n: usize) -> Example {
    let ex = example(code, "Good", n);
    let found = lint(&ex);
    assert!(
        found.is_empty(),
        "gwlint on {code}'s good example {n}: {found:#?}"
    );
    ex
}

impl Example {
    /// Replaces every occurrence of `from` (an address, a port, a path of the example) in every
    /// file; `from` must occur, so a changed page fails here instead of proving something else.
    pub fn map(mut self, from: &str, to: &str) -> Self {
        let mut hit = false;
        for (_, text) in &mut self.files {
            if text.contains(from) {
                hit = true;
                *text = text.replace(from, to);
            }
        }
        assert!(hit, "{}'s example no longer contains `{from}`", self.code);
        self
    }

    /// Serves the DNS name `name` (used in the example, without a port) from `addr`.
    pub fn host(mut self, name: &str, addr: &str) -> Self {
        assert!(
            self.files.iter().any(|(_, t)| t.contains(name)),
            "{}'s example no longer names {name}",
            self.code
        );
        self.hosts.push((name.to_string(), addr.to_string()));
        self
    }

    /// Adds a file the example refers to but does not show (an empty map file).
    pub fn with_file(mut self, name: &str, text: &str) -> Self {
        self.files.push((name.to_string(), text.to_string()));
        self
    }

    pub fn root(&self) -> &str {
        &self.files[0].1
    }

    /// Writes the files under `dir`, returning the root's path.
    pub fn write(&self, dir: &Path) -> std::path::PathBuf {
        for (name, text) in &self.files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        dir.join(&self.files[0].0)
    }
}

/// gwlint's findings on the example as the page shows it: (code, message).
fn lint(ex: &Example) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let root = ex.write(dir.path());
    let options = gwlint::Options {
        facts: ex.facts.clone(),
        nginx_version: ex.nginx_version,
        haproxy_version: ex.haproxy_version,
        ..gwlint::Options::default()
    };
    let outcome = gwlint::lint(&[root], &options);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.code.to_string(), f.message.clone()))
        .collect()
}
