//! The rule pages' examples, as the proxies will run them: parsed the way `tests/rule_pages.rs`
//! parses them, then adjusted for one machine by explicit substitutions that must each apply.

use std::collections::BTreeSet;
use std::path::Path;

use gwlint::facts::{Backend, Facts};
use gwlint::rules::RULES;
use gwlint::rules::support_tune::parse_time_ms;

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
    let all = examples(page(code), &format!("## {heading}"));
    let (files, facts) = all
        .into_iter()
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{code} has no {heading} example {n}"));
    Example {
        code,
        files,
        hosts: Vec::new(),
        facts,
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

/// The code blocks of a section, as `tests/rule_pages.rs` reads them: a block tagged `nginx`
/// (or `haproxy`) starts an example; `nginx file=conf.d/x.conf` adds a file to it; `toml facts`
/// declares its backends. Examples tagged `online` need `--online` (tests/online.rs runs
/// them) and are not counted.
fn examples(page: &str, heading: &str) -> Vec<(Vec<(String, String)>, Facts)> {
    let mut out: Vec<(Vec<(String, String)>, Facts)> = Vec::new();
    let mut in_section = false;
    let mut online = false;
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
        let file = words.iter().find_map(|w| w.strip_prefix("file="));
        if words.first() == Some(&"toml") && words.contains(&"facts") {
            if !online {
                let ex = out.last_mut().expect("a facts block before its example");
                ex.1 = facts(&body);
            }
            continue;
        }
        let root = match words.first().copied().unwrap_or("") {
            "nginx" => "nginx.conf",
            "haproxy" => "haproxy.cfg",
            _ => continue,
        };
        if file.is_none() {
            online = words.contains(&"online");
        }
        if online {
            continue;
        }
        match (file, out.last_mut()) {
            (Some(f), Some(ex)) => ex.0.push((f.to_string(), body)),
            (Some(f), None) => panic!("{heading}: a file= block ({f}) before the main block"),
            (None, _) => out.push((vec![(root.to_string(), body)], Facts::default())),
        }
    }
    out
}

/// The `[[backend]]` entries of a facts block (`key = "value"` lines), as tests/rule_pages.rs
/// reads them.
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
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        let b = backends.last_mut().expect("a key before [[backend]]");
        let duration = || {
            let ms = parse_time_ms(value).unwrap_or_else(|| panic!("not a duration: {value}"));
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
