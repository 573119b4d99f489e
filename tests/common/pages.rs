//! The rule pages' examples, read one way for every suite that runs them (`rule_pages.rs`,
//! `proof.rs`, `online.rs`). Each suite uses a part of it.
#![allow(dead_code)]

use gwlint::facts::{Backend, Facts};
use gwlint::units::nginx_time_ms;

/// One example: files (path, text); the first is the root. `facts`: what a ```toml facts
/// block declares about the backends, as `gwlint.toml` would.
#[derive(Debug)]
pub struct Example {
    pub files: Vec<(String, String)>,
    pub facts: Facts,
    /// Files linted as configurations of their own, next to the root (a chain's other layer).
    pub roots: Vec<String>,
    /// Tagged `online` (```nginx online): it needs `--online` and the loopback world of
    /// tests/suite/online.rs, which runs it; the offline suites skip it.
    pub online: bool,
    /// The releases a facts block names (`nginx_version = "1.22.1"`), as `gwlint.toml`'s
    /// `[nginx] version` would.
    pub nginx_version: Option<gwlint::rules::Version>,
    pub haproxy_version: Option<gwlint::rules::Version>,
}

/// Parses the code blocks of a section (`## Bad`, `## Good`). A block tagged `nginx` (or
/// `haproxy`) starts an example; a block tagged `nginx file=conf.d/x.conf` adds a file to it;
/// a block tagged `toml facts` holds `[[backend]]` entries (`target`, `idle_timeout`,
/// `max_response_time`) that apply to it. A file in the other dialect, or tagged `root`
/// (`nginx file=inner.conf root`), is another configuration of the same run: gwlint is given
/// it as a path of its own.
pub fn examples(page: &str, heading: &str) -> Vec<Example> {
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
                Some(ex) => {
                    let (f, nginx, haproxy) = facts(&body);
                    ex.facts = f;
                    ex.nginx_version = nginx;
                    ex.haproxy_version = haproxy;
                }
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
                nginx_version: None,
                haproxy_version: None,
            }),
        }
    }
    out
}

/// The `[[backend]]` entries of a facts block: `key = "value"` lines, durations in nginx's
/// time syntax (`5s`, `1m30s`). The origin is the line in the block (`gwlint.toml:N`). Before
/// any `[[backend]]`, `nginx_version` and `haproxy_version` name the release.
type Versions = (
    Facts,
    Option<gwlint::rules::Version>,
    Option<gwlint::rules::Version>,
);
fn facts(body: &str) -> Versions {
    let mut backends: Vec<Backend> = Vec::new();
    let (mut nginx, mut haproxy) = (None, None);
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
        let version = || {
            Some(
                value
                    .parse()
                    .expect("facts block: a version such as 1.22.1"),
            )
        };
        match key.trim() {
            "nginx_version" if backends.is_empty() => {
                nginx = version();
                continue;
            }
            "haproxy_version" if backends.is_empty() => {
                haproxy = version();
                continue;
            }
            _ => {}
        }
        let b = backends
            .last_mut()
            .unwrap_or_else(|| panic!("facts block: {line} before [[backend]]"));
        let duration = || {
            let ms = nginx_time_ms(value)
                .unwrap_or_else(|| panic!("facts block: not a duration: {value}"));
            Some(std::time::Duration::from_millis(ms))
        };
        match key.trim() {
            "target" => b.target = value.to_string(),
            "idle_timeout" => b.idle_timeout = duration(),
            "max_response_time" => b.max_response_time = duration(),
            "max_header_size" => {
                b.max_header_size = Some(
                    gwlint::units::parse_size(value)
                        .unwrap_or_else(|| panic!("facts block: not a size: {value}")),
                )
            }
            "websocket_ping" if value == "none" => {
                b.websocket_ping = Some(gwlint::facts::Ping::Never)
            }
            "websocket_ping" => b.websocket_ping = duration().map(gwlint::facts::Ping::Every),
            "tls" => {
                b.tls = Some(
                    value
                        .parse()
                        .unwrap_or_else(|_| panic!("facts block: tls is true or false: {value}")),
                )
            }
            k => panic!("facts block: unknown key {k}"),
        }
    }
    (
        Facts {
            backends,
            ..Facts::default()
        },
        nginx,
        haproxy,
    )
}

impl Example {
    /// The options a user's gwlint.toml would give for this example: its facts and releases.
    pub fn options(&self) -> gwlint::Options {
        gwlint::Options {
            facts: self.facts.clone(),
            nginx_version: self.nginx_version,
            haproxy_version: self.haproxy_version,
            ..gwlint::Options::default()
        }
    }

    /// Writes the example's files under `dir`; returns the paths to lint (the root, then the
    /// other configurations of the run).
    pub fn write(&self, dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        for (name, text) in &self.files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        std::iter::once(&self.files[0].0)
            .chain(&self.roots)
            .map(|f| dir.join(f))
            .collect()
    }
}
