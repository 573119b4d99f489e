//! One `gwlint.toml`: its keys read with serde (unknown keys refused), its values checked
//! against the rule registry, each error with the file, line:column and a suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::facts::{Backend, Link};
use crate::finding::Severity;
use crate::model::Endpoint;
use crate::rules::{RULES, Version};

type Value = Spanned<toml::Value>;

// The file as written. Leaves are read as plain TOML values and checked below, so that a bad
// value gets a message that says what is expected, not serde's type name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Value>,
    extend_select: Option<Value>,
    ignore: Option<Value>,
    fail_on: Option<Value>,
    severity: Option<BTreeMap<Spanned<String>, Value>>,
    per_file: Option<Vec<RawPerFile>>,
    nginx: Option<RawNginx>,
    haproxy: Option<RawHaproxy>,
    backend: Option<Vec<RawBackend>>,
    link: Option<Vec<RawLink>>,
    mount: Option<Vec<RawMount>>,
    online: Option<RawOnline>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMount {
    runtime: Value,
    path: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerFile {
    glob: Value,
    ignore: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNginx {
    version: Option<Value>,
    prefix: Option<Value>,
    build: Option<Value>,
    modules: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHaproxy {
    version: Option<Value>,
    files: Option<Value>,
}

// Named as the nginx-rules issue spells them (`idle_timeout`, `max_response_time`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackend {
    target: Value,
    idle_timeout: Option<Value>,
    max_response_time: Option<Value>,
    max_header_size: Option<Value>,
    websocket_ping: Option<Value>,
    tls: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    target: Value,
    listener: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOnline {
    dns_timeout: Option<Value>,
    connect_timeout: Option<Value>,
    resolver: Option<Value>,
    cert_warn_days: Option<Value>,
}

/// A value and the line of the file that set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub(crate) value: T,
    pub(crate) line: usize,
}

/// `[[per-file]]`: rules ignored in the files a glob matches.
#[derive(Debug, Clone)]
pub(crate) struct PerFile {
    /// As written; relative to the directory of the configuration file.
    pub(crate) glob: String,
    pub(crate) pattern: glob::Pattern,
    pub(crate) ignore: Vec<String>,
    pub(crate) line: usize,
}

/// The longest probe timeout gwlint.toml may set.
pub(crate) const MAX_PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// `[online]`: defaults for the `--online` flags.
#[derive(Debug, Clone, Default)]
pub struct Online {
    pub(crate) dns_timeout: Option<Located<Duration>>,
    pub(crate) connect_timeout: Option<Located<Duration>>,
    /// A name server, `IP` or `IP:port`.
    pub resolver: Option<Located<String>>,
    pub(crate) cert_warn_days: Option<Located<u32>>,
}

impl Online {
    /// The command line's options, with these values where none is set there.
    pub(crate) fn fill(&self, flags: &crate::probe::OnlineOptions) -> crate::probe::OnlineOptions {
        let mut o = flags.clone();
        o.dns_timeout = o.dns_timeout.or(self.dns_timeout.as_ref().map(|d| d.value));
        o.connect_timeout = o
            .connect_timeout
            .or(self.connect_timeout.as_ref().map(|d| d.value));
        o.cert_warn_days = o
            .cert_warn_days
            .or(self.cert_warn_days.as_ref().map(|d| d.value));
        if o.resolvers.is_empty() {
            // Checked when the file was read.
            o.resolvers.extend(
                self.resolver
                    .as_ref()
                    .and_then(|r| crate::probe::parse_resolver(&r.value).ok()),
            );
        }
        o
    }
}

/// A checked configuration file.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    pub(crate) path: PathBuf,
    /// The directory relative paths and globs start from.
    pub(crate) dir: PathBuf,
    pub(crate) select: Option<Located<Vec<String>>>,
    pub(crate) extend_select: Option<Located<Vec<String>>>,
    pub(crate) ignore: Option<Located<Vec<String>>>,
    pub(crate) fail_on: Option<Located<Severity>>,
    /// `[severity]`: selector → severity, in file order.
    pub severity: Vec<(String, Located<Severity>)>,
    pub(crate) per_file: Vec<PerFile>,
    pub(crate) nginx_version: Option<Located<Version>>,
    /// Absolute, or relative to the working directory when `dir` is.
    pub(crate) nginx_prefix: Option<Located<PathBuf>>,
    /// `[nginx] build`: a preset of `data/tables/nginx-builds.tsv` (`official`, …).
    pub(crate) nginx_build: Option<Located<String>>,
    /// `[nginx] modules`: modules compiled in beyond the preset's (or, without a preset, the
    /// build's modules besides nginx's default ones).
    pub(crate) nginx_modules: Vec<String>,
    pub(crate) haproxy_version: Option<Located<Version>>,
    /// `[haproxy] files`: the `-f` list HAProxy runs with (files or directories, in order),
    /// relative to this file's directory.
    pub(crate) haproxy_files: Vec<PathBuf>,
    pub backends: Vec<Backend>,
    /// `[[link]]`: host names that reach a listener of another proxy of the run.
    pub links: Vec<Link>,
    /// `[[mount]]`: where a run-time directory or file is in the repository.
    pub(crate) mounts: Vec<crate::plan::mounts::Mount>,
    pub online: Online,
}

/// What is wrong in a configuration file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
    pub(crate) col: usize,
    pub(crate) message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// The names `[severity]` values, `fail-on` and the command line's `--fail-on` accept.
pub(crate) const SEVERITIES: &[&str] = &["error", "warning", "info"];

impl ConfigFile {
    /// What the configuration says of the nginx build: a preset and modules, or unknown.
    pub(crate) fn nginx_build(&self) -> crate::model::refusals::nginx::BuildInfo {
        let preset = self.nginx_build.as_ref().map(|b| b.value.as_str());
        let mut modules: Option<Vec<String>> = preset.and_then(|p| {
            let m = crate::tables::nginx::table().build(p)?;
            Some(m.iter().map(|m| m.to_string()).collect())
        });
        if !self.nginx_modules.is_empty() {
            // Modules alone: nginx's default modules plus these.
            let m = modules.get_or_insert_with(|| {
                crate::tables::nginx::table()
                    .build("source")
                    .unwrap_or_default()
                    .iter()
                    .map(|m| m.to_string())
                    .collect()
            });
            m.extend(self.nginx_modules.iter().cloned());
        }
        let from = match preset {
            Some(p) => format!("the `{p}` build (gwlint.toml)"),
            None => "the build gwlint.toml describes".to_string(),
        };
        crate::model::refusals::nginx::BuildInfo {
            from: modules.as_ref().map(|_| from),
            modules,
        }
    }
    /// Reads and checks a configuration file.
    pub(crate) fn load(path: &Path) -> Result<ConfigFile, Vec<ConfigError>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![ConfigError {
                path: path.to_path_buf(),
                line: 1,
                col: 1,
                message: format!("cannot read the configuration file: {e}"),
                help: None,
            }]
        })?;
        ConfigFile::parse(path, &text)
    }

    /// Checks the text of a configuration file read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, Vec<ConfigError>> {
        let mut c = Checker {
            path,
            text,
            errors: Vec::new(),
        };
        let raw: Raw = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => return Err(vec![c.toml_error(&e)]),
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut out = ConfigFile {
            path: path.to_path_buf(),
            dir: dir.clone(),
            ..Default::default()
        };
        out.select = raw.select.as_ref().and_then(|v| c.selectors(v, "select"));
        out.extend_select = raw
            .extend_select
            .as_ref()
            .and_then(|v| c.selectors(v, "extend-select"));
        out.ignore = raw.ignore.as_ref().and_then(|v| c.selectors(v, "ignore"));
        out.fail_on = raw.fail_on.as_ref().and_then(|v| c.severity(v, "fail-on"));
        for (key, v) in raw.severity.iter().flatten() {
            let known = c.selector(key.get_ref(), key.span());
            if let (true, Some(s)) = (
                known,
                c.severity(v, &format!("[severity] {}", key.get_ref())),
            ) {
                out.severity.push((key.get_ref().clone(), s));
            }
        }
        // File order, so that `gwlint config` shows them as written.
        out.severity.sort_by_key(|(_, s)| s.line);
        for p in raw.per_file.iter().flatten() {
            let Some(glob) = c.string(&p.glob, "glob", "a path glob such as \"conf.d/*.conf\"")
            else {
                continue;
            };
            let pattern = match glob::Pattern::new(&glob.value) {
                Ok(pat) => pat,
                Err(e) => {
                    c.error(
                        p.glob.span(),
                        format!("invalid glob \"{}\": {}", glob.value, e.msg),
                        Some("globs use *, ?, [abc] and **/ for any directories".into()),
                    );
                    continue;
                }
            };
            if let Some(ignore) = c.selectors(&p.ignore, "ignore") {
                out.per_file.push(PerFile {
                    glob: glob.value,
                    pattern,
                    ignore: ignore.value,
                    line: glob.line,
                });
            }
        }
        if let Some(n) = &raw.nginx {
            out.nginx_version = n.version.as_ref().and_then(|v| c.version(v, "1.24.0"));
            out.nginx_prefix = n.prefix.as_ref().and_then(|v| {
                c.string(v, "prefix", "a directory such as \"/etc/nginx\"")
                    .map(|s| Located {
                        value: dir.join(s.value),
                        line: s.line,
                    })
            });
            let presets: Vec<&str> = crate::tables::nginx::table().presets().collect();
            let expected = format!("one of {}", presets.join(", "));
            out.nginx_build = n.build.as_ref().and_then(|v| {
                let s = c.string(v, "build", &expected)?;
                if presets.contains(&s.value.as_str()) {
                    Some(s)
                } else {
                    c.error(
                        v.span(),
                        format!("unknown build \"{}\"", s.value),
                        Some(format!("write {expected}")),
                    );
                    None
                }
            });
            match n.modules.as_ref().map(|v| (v, v.get_ref())) {
                Some((_, toml::Value::Array(items))) => {
                    for item in items {
                        match item {
                            toml::Value::String(m) => out.nginx_modules.push(m.clone()),
                            other => c.error(
                                n.modules.as_ref().map(|v| v.span()).unwrap_or_default(),
                                format!("modules must hold strings, not {}", other.type_str()),
                                Some("write modules = [\"ngx_http_geoip2_module\"]".into()),
                            ),
                        }
                    }
                }
                Some((v, _)) => c.error(
                    v.span(),
                    "modules must be a list".into(),
                    Some("write modules = [\"ngx_http_geoip2_module\"]".into()),
                ),
                None => {}
            }
        }
        if let Some(h) = &raw.haproxy {
            out.haproxy_version = h.version.as_ref().and_then(|v| c.version(v, "2.8.5"));
            let expected = "a list of files and directories such as [\"haproxy.cfg\", \"conf.d\"]";
            match h.files.as_ref().map(|v| (v, v.get_ref())) {
                Some((_, toml::Value::Array(items))) => {
                    for item in items {
                        match item {
                            toml::Value::String(f) => out.haproxy_files.push(dir.join(f)),
                            other => c.error(
                                h.files.as_ref().map(|v| v.span()).unwrap_or_default(),
                                format!("files must hold strings, not {}", other.type_str()),
                                Some(format!("write {expected}")),
                            ),
                        }
                    }
                }
                Some((v, _)) => {
                    if let Some(f) = c.string(v, "files", expected) {
                        out.haproxy_files.push(dir.join(f.value));
                    }
                }
                None => {}
            }
        }
        for b in raw.backend.iter().flatten() {
            let target = c.string(
                &b.target,
                "target",
                "an upstream or backend name (\"app\") or an address (\"127.0.0.1:8080\")",
            );
            let mut ok = true;
            let mut duration = |v: &Option<Value>, key| match v {
                Some(v) => {
                    let d = c.duration(v, key).map(|d| d.value);
                    ok &= d.is_some();
                    d
                }
                None => None,
            };
            let idle_timeout = duration(&b.idle_timeout, "idle_timeout");
            let max_response_time = duration(&b.max_response_time, "max_response_time");
            let websocket_ping = match &b.websocket_ping {
                Some(v) if v.get_ref().as_str() == Some("none") => Some(crate::facts::Ping::Never),
                Some(v) => {
                    let d = c.duration(v, "websocket_ping").map(|d| d.value);
                    ok &= d.is_some();
                    d.map(crate::facts::Ping::Every)
                }
                None => None,
            };
            let max_header_size = match &b.max_header_size {
                Some(v) => {
                    let size = c
                        .string(v, "max_header_size", "a size such as \"16k\" or \"1m\"")
                        .and_then(|s| crate::units::parse_size(&s.value));
                    if size.is_none() {
                        c.error(
                            v.span(),
                            "max_header_size: not a size".into(),
                            Some("write a size with its unit: \"8k\", \"16k\", \"1m\"".into()),
                        );
                        ok = false;
                    }
                    size
                }
                None => None,
            };
            let tls = match &b.tls {
                Some(v) => match v.get_ref() {
                    toml::Value::Boolean(t) => Some(*t),
                    other => {
                        c.error(
                            v.span(),
                            format!("tls must be a boolean, not {}", other.type_str()),
                            Some("write tls = false for a backend that speaks plain text, tls = true for one that speaks TLS".into()),
                        );
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            let (Some(target), true) = (target, ok) else {
                continue;
            };
            out.backends.push(Backend {
                max_header_size,
                tls,
                target: target.value,
                idle_timeout,
                max_response_time,
                websocket_ping,
                origin: format!("{}:{}", path.display(), target.line),
            });
        }
        for l in raw.link.iter().flatten() {
            let target = c.link_address(
                &l.target,
                "target",
                "the target as the outer proxy names it, without a scheme: \"app.internal:8080\", \
                 or \"app.internal\" for every port",
            );
            let listener = c.link_address(
                &l.listener,
                "listener",
                "the inner proxy's listen address: \"127.0.0.1:8080\", \"127.0.0.1\" (the \
                 target's port), \"[::1]:8080\" or \"unix:/run/app.sock\"",
            );
            let (Some(target), Some(listener)) = (target, listener) else {
                continue;
            };
            out.links.push(Link {
                target: target.value,
                listener: listener.value,
                origin: format!("{}:{}", path.display(), target.line),
            });
        }
        for m in raw.mount.iter().flatten() {
            let runtime = c.string(
                &m.runtime,
                "runtime",
                "an absolute run-time path such as \"/etc/nginx\"",
            );
            let local = c.string(
                &m.path,
                "path",
                "a path of the repository such as \"deploy/nginx\"",
            );
            let (Some(runtime), Some(local)) = (runtime, local) else {
                continue;
            };
            if !Path::new(&runtime.value).is_absolute() {
                c.error(
                    m.runtime.span(),
                    format!("`{}` is not an absolute path", runtime.value),
                    Some("runtime is where the proxy reads the files, e.g. \"/etc/nginx\"".into()),
                );
                continue;
            }
            out.mounts.push(crate::plan::mounts::Mount {
                runtime: crate::plan::mounts::normalize(Path::new(&runtime.value)),
                local: dir.join(&local.value),
                origin: crate::plan::mounts::Origin::Config(format!(
                    "{}:{}",
                    path.display(),
                    runtime.line
                )),
            });
        }
        if let Some(o) = &raw.online {
            out.online.dns_timeout = o
                .dns_timeout
                .as_ref()
                .and_then(|v| c.probe_timeout(v, "dns-timeout"));
            out.online.connect_timeout = o
                .connect_timeout
                .as_ref()
                .and_then(|v| c.probe_timeout(v, "connect-timeout"));
            out.online.resolver = o.resolver.as_ref().and_then(|v| c.resolver(v));
            out.online.cert_warn_days = o.cert_warn_days.as_ref().and_then(|v| c.days(v));
        }
        if c.errors.is_empty() {
            Ok(out)
        } else {
            c.errors.sort_by_key(|e| (e.line, e.col));
            Err(c.errors)
        }
    }
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        (line, col)
    }

    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.line_col(span.start).0
    }

    fn error(&mut self, span: std::ops::Range<usize>, message: String, help: Option<String>) {
        let (line, col) = self.line_col(span.start);
        self.errors.push(ConfigError {
            path: self.path.to_path_buf(),
            line,
            col,
            message,
            help,
        });
    }

    /// serde's and the TOML parser's errors, unknown keys with a "did you mean".
    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let (line, col) = self.line_col(e.span().map_or(0, |s| s.start));
        let msg = e.message().trim().replace('\n', "; ");
        let (message, help) = match unknown_field(&msg) {
            Some((key, expected)) => {
                let help = crate::suggest::closest(&key, &expected)
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .or_else(|| Some(format!("the keys here are: {}", expected.join(", "))));
                (format!("unknown key \"{key}\""), help)
            }
            None => (msg, None),
        };
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            col,
            message,
            help,
        }
    }

    fn string(&mut self, v: &Value, key: &str, expected: &str) -> Option<Located<String>> {
        match v.get_ref() {
            toml::Value::String(s) => Some(Located {
                value: s.clone(),
                line: self.line(v.span()),
            }),
            other => {
                self.error(
                    v.span(),
                    format!("{key} must be a string, not {}", other.type_str()),
                    Some(format!("write {expected}")),
                );
                None
            }
        }
    }

    /// Is `s` a code, name or code prefix of some rule? Reports it when not.
    fn selector(&mut self, s: &str, span: std::ops::Range<usize>) -> bool {
        if RULES.iter().any(|r| r.matches(s)) {
            return true;
        }
        let help = suggest_rule(s);
        self.error(span, format!("no rule matches \"{s}\""), Some(help));
        false
    }

    /// A list of rule selectors (a single string is taken as a list of one).
    fn selectors(&mut self, v: &Value, key: &str) -> Option<Located<Vec<String>>> {
        let items: Vec<(String, std::ops::Range<usize>)> = match v.get_ref() {
            toml::Value::String(s) => vec![(s.clone(), v.span())],
            toml::Value::Array(a) => {
                let mut out = Vec::new();
                for item in a {
                    match item {
                        toml::Value::String(s) => out.push((s.clone(), v.span())),
                        other => {
                            self.error(
                                v.span(),
                                format!("{key} lists rules as strings; found {}", other.type_str()),
                                Some(format!("write {key} = [\"GW101\", \"missing-timeouts\"]")),
                            );
                            return None;
                        }
                    }
                }
                out
            }
            other => {
                self.error(
                    v.span(),
                    format!("{key} must be a list of rules, not {}", other.type_str()),
                    Some(format!("write {key} = [\"GW101\", \"missing-timeouts\"]")),
                );
                return None;
            }
        };
        let mut ok = true;
        for (s, span) in &items {
            // Array items carry no span of their own: point at the item's text in the array.
            let span = self.text[span.clone()]
                .find(&format!("\"{s}\""))
                .or_else(|| self.text[span.clone()].find(&format!("'{s}'")))
                .map_or(span.clone(), |i| {
                    span.start + i..span.start + i + s.len() + 2
                });
            ok &= self.selector(s, span);
        }
        ok.then(|| Located {
            value: items.into_iter().map(|(s, _)| s).collect(),
            line: self.line(v.span()),
        })
    }

    fn severity(&mut self, v: &Value, key: &str) -> Option<Located<Severity>> {
        let s = self.string(v, key, "\"error\", \"warning\" or \"info\"")?;
        let sev = match s.value.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            other => {
                // "warn", "err": an abbreviation is as likely as a typo.
                let abbreviated = SEVERITIES
                    .iter()
                    .find(|c| !other.is_empty() && c.starts_with(&other.to_ascii_lowercase()))
                    .copied();
                let help = match abbreviated.or_else(|| crate::suggest::closest(other, SEVERITIES))
                {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None if matches!(other, "off" | "ignore" | "none") => {
                        "to turn a rule off, list it in ignore".into()
                    }
                    None => "use \"error\", \"warning\" or \"info\"".into(),
                };
                self.error(
                    v.span(),
                    format!("{key}: \"{other}\" is not a severity"),
                    Some(help),
                );
                return None;
            }
        };
        Some(Located {
            value: sev,
            line: s.line,
        })
    }

    fn version(&mut self, v: &Value, example: &str) -> Option<Located<Version>> {
        let s = self.string(v, "version", &format!("a version such as \"{example}\""))?;
        match s.value.parse::<Version>() {
            Ok(ver) => Some(Located {
                value: ver,
                line: s.line,
            }),
            Err(e) => {
                self.error(v.span(), e, Some(format!("write version = \"{example}\"")));
                None
            }
        }
    }

    fn duration(&mut self, v: &Value, key: &str) -> Option<Located<Duration>> {
        let help = "write a duration with its unit: \"500ms\", \"5s\", \"90s\", \"1m\", \"1m30s\"";
        let s = self.string(v, key, help.trim_start_matches("write "))?;
        match crate::units::duration(&s.value) {
            Some(d) => Some(Located {
                value: d,
                line: s.line,
            }),
            None => {
                self.error(
                    v.span(),
                    format!("{key}: \"{}\" is not a duration", s.value),
                    Some(help.into()),
                );
                None
            }
        }
    }

    /// A probe timeout: gwlint.toml comes with the change under review, so it may not make
    /// an `--online` run wait without bound; the command line may.
    fn probe_timeout(&mut self, v: &Value, key: &str) -> Option<Located<Duration>> {
        let d = self.duration(v, key)?;
        if d.value > MAX_PROBE_TIMEOUT {
            self.error(
                v.span(),
                format!(
                    "{key}: at most {}s in gwlint.toml",
                    MAX_PROBE_TIMEOUT.as_secs()
                ),
                Some(format!(
                    "a longer timeout can be given on the command line (--{key})"
                )),
            );
            return None;
        }
        Some(d)
    }

    fn resolver(&mut self, v: &Value) -> Option<Located<String>> {
        let s = self.string(
            v,
            "resolver",
            "a name server address such as \"127.0.0.1:53\"",
        )?;
        let ok = s.value.parse::<std::net::SocketAddr>().is_ok()
            || s.value.parse::<std::net::IpAddr>().is_ok();
        if ok {
            return Some(s);
        }
        self.error(
            v.span(),
            format!("resolver: \"{}\" is not an IP address", s.value),
            Some(
                "write an IP address with an optional port: \"127.0.0.1:53\", \"[::1]:53\"".into(),
            ),
        );
        None
    }

    /// A `[[link]]` address: `target` as the outer proxy writes it (host, host:port,
    /// unix:path), `listener` as nginx writes `listen` (the port may be left out).
    fn link_address(&mut self, v: &Value, key: &str, help: &str) -> Option<Located<String>> {
        let s = self.string(v, key, help)?;
        let problem = match Endpoint::parse(s.value.trim()) {
            _ if s.value.contains("://") => Some("a URL, not an address".to_string()),
            Endpoint::Inet { host, .. } if host.is_empty() => Some("no host".into()),
            Endpoint::Unix(p) if p.is_empty() => Some("no socket path".into()),
            Endpoint::Inet { .. } | Endpoint::Unix(_) => None,
            Endpoint::Dynamic => Some("built from variables".into()),
            Endpoint::Invalid(why) => Some(why),
        };
        let Some(why) = problem else {
            return Some(s);
        };
        self.error(
            v.span(),
            format!("{key}: \"{}\" is not an address: {why}", s.value),
            Some(format!("write {help}")),
        );
        None
    }

    fn days(&mut self, v: &Value) -> Option<Located<u32>> {
        match v.get_ref() {
            toml::Value::Integer(n) if (0..=36_500).contains(n) => Some(Located {
                value: *n as u32,
                line: self.line(v.span()),
            }),
            other => {
                self.error(
                    v.span(),
                    format!("cert-warn-days must be a number of days, not {other}"),
                    Some("write cert-warn-days = 14".into()),
                );
                None
            }
        }
    }
}

/// `unknown field `x`, expected one of `a`, `b`` (serde's wording) → ("x", ["a", "b"]).
fn unknown_field(msg: &str) -> Option<(String, Vec<&str>)> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    Some((key.to_string(), expected))
}

/// "did you mean …?" for a mistyped rule selector.
pub(crate) fn suggest_rule(s: &str) -> String {
    let mut candidates: Vec<&str> = RULES.iter().flat_map(|r| [r.code, r.name]).collect();
    candidates.push("ALL");
    match crate::suggest::closest(s, &candidates) {
        Some(c) => format!("did you mean \"{c}\"?"),
        None => "use a code (GW101), a name (undefined-upstream), a code prefix (GW1) or ALL; \
                 `gwlint rules` lists them"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, Vec<ConfigError>> {
        ConfigFile::parse(Path::new("/repo/gwlint.toml"), text)
    }

    #[test]
    fn the_file_fills_what_the_flags_leave_unset() {
        use crate::probe::OnlineOptions;
        let file = parse(
            "[online]\ndns-timeout = \"5s\"\nconnect-timeout = \"300ms\"\nresolver = \"127.0.0.2\"\ncert-warn-days = 30\n",
        )
        .unwrap();
        let flags = OnlineOptions {
            connect_timeout: Some(Duration::from_secs(3)),
            cert_warn_days: Some(7),
            ..Default::default()
        };
        let o = file.online.fill(&flags);
        assert_eq!(o.dns_timeout, Some(Duration::from_secs(5)));
        assert_eq!(o.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(o.cert_warn_days, Some(7));
        assert_eq!(o.resolvers, ["127.0.0.2:53".parse().unwrap()]);
        let given = OnlineOptions {
            resolvers: vec!["127.0.0.9:5353".parse().unwrap()],
            ..Default::default()
        };
        assert_eq!(
            file.online.fill(&given).resolvers,
            ["127.0.0.9:5353".parse().unwrap()]
        );
    }

    #[test]
    fn every_key() {
        let c = parse(
            r#"
select = ["GW1", "missing-timeouts"]
extend-select = ["GW4"]
ignore = "GW503"
fail-on = "warning"
[severity]
GW201 = "error"
[[per-file]]
glob = "conf.d/legacy-*.conf"
ignore = ["GW101"]
[nginx]
version = "1.24.0"
prefix = "etc/nginx"
[haproxy]
version = "2.6.12"
[[backend]]
target = "app"
idle_timeout = "5s"
max_response_time = "90s"
tls = false
[[link]]
target = "app.internal:8080"
listener = "127.0.0.1:8081"
[online]
dns-timeout = "2s"
connect-timeout = "500ms"
resolver = "127.0.0.1:53"
cert-warn-days = 14
"#,
        )
        .unwrap();
        assert_eq!(
            c.select.unwrap().value,
            vec!["GW1".to_string(), "missing-timeouts".into()]
        );
        assert_eq!(c.ignore.unwrap().value, vec!["GW503".to_string()]);
        assert_eq!(c.fail_on.unwrap().value, Severity::Warning);
        assert_eq!(c.severity[0].0, "GW201");
        assert_eq!(c.severity[0].1.line, 7);
        assert!(c.per_file[0].pattern.matches("conf.d/legacy-a.conf"));
        assert_eq!(c.nginx_version.unwrap().value, Version(1, 24, 0));
        assert_eq!(
            c.nginx_prefix.unwrap().value,
            PathBuf::from("/repo/etc/nginx")
        );
        assert_eq!(c.haproxy_version.unwrap().value, Version(2, 6, 12));
        assert_eq!(c.backends[0].idle_timeout, Some(Duration::from_secs(5)));
        assert_eq!(c.backends[0].tls, Some(false));
        assert_eq!(c.backends[0].origin, "/repo/gwlint.toml:17");
        assert_eq!(
            c.links,
            vec![Link {
                target: "app.internal:8080".into(),
                listener: "127.0.0.1:8081".into(),
                origin: "/repo/gwlint.toml:22".into(),
            }]
        );
        assert_eq!(
            c.online.connect_timeout.unwrap().value,
            Duration::from_millis(500)
        );
        assert_eq!(c.online.cert_warn_days.unwrap().value, 14);
    }

    #[test]
    fn probe_timeouts_from_the_file_are_bounded() {
        let c = parse("[online]\ndns-timeout = \"10s\"\nconnect-timeout = \"500ms\"\n").unwrap();
        assert_eq!(c.online.dns_timeout.unwrap().value, Duration::from_secs(10));
        let e = parse("[online]\ndns-timeout = \"1h\"\nconnect-timeout = \"11s\"\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].message, "dns-timeout: at most 10s in gwlint.toml");
        assert_eq!(e[1].message, "connect-timeout: at most 10s in gwlint.toml");
        assert_eq!(e[1].line, 3);
    }

    #[test]
    fn unknown_keys_name_the_place_and_the_key_meant() {
        let e = parse("select = []\nselct = [\"GW1\"]\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].col), (2, 1));
        assert_eq!(e[0].message, "unknown key \"selct\"");
        assert_eq!(e[0].help.as_deref(), Some("did you mean \"select\"?"));
        let e = parse("[[backend]]\ntarget = \"app\"\nidle-timeout = \"5s\"\n").unwrap_err();
        assert_eq!(
            (e[0].line, e[0].message.as_str()),
            (3, "unknown key \"idle-timeout\"")
        );
        assert_eq!(e[0].help.as_deref(), Some("did you mean \"idle_timeout\"?"));
    }

    #[test]
    fn bad_values_name_the_place_and_what_is_expected() {
        let e = parse("fail-on = \"warn\"\nignore = [\"GW1O1\"]\n[nginx]\nversion = \"latest\"\n[[backend]]\ntarget = \"app\"\nidle_timeout = 5\n").unwrap_err();
        let got: Vec<_> = e
            .iter()
            .map(|e| {
                (
                    e.line,
                    e.col,
                    e.message.as_str(),
                    e.help.as_deref().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            got[0],
            (
                1,
                11,
                "fail-on: \"warn\" is not a severity",
                "did you mean \"warning\"?"
            )
        );
        assert_eq!(
            got[1],
            (
                2,
                11,
                "no rule matches \"GW1O1\"",
                "did you mean \"GW101\"?"
            )
        );
        assert_eq!(got[2].0, 4);
        assert!(got[2].2.contains("invalid version"), "{got:?}");
        assert_eq!(got[3].0, 7);
        assert_eq!(got[3].2, "idle_timeout must be a string, not integer");
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn bad_links_name_the_place() {
        let e = parse(
            "[[link]]\ntarget = \"http://app:8080\"\nlistener = \"127.0.0.1:8081\"\n\
             [[link]]\ntarget = \"app\"\nlistener = \"127.0.0.1:80a\"\n\
             [[link]]\ntarget = \"app\"\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 1, "a missing key stops the parse: {e:?}");
        assert_eq!(e[0].line, 7);
        assert!(e[0].message.contains("listener"), "{e:?}");
        let e = parse(
            "[[link]]\ntarget = \"http://app:8080\"\nlistener = \"127.0.0.1:8081\"\n\
             [[link]]\ntarget = \"app\"\nlistener = \"127.0.0.1:80a\"\n\
             [[link]]\ntarget = \"app\"\nlistener = 8081\n",
        )
        .unwrap_err();
        let got: Vec<_> = e.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    "target: \"http://app:8080\" is not an address: a URL, not an address"
                ),
                (
                    6,
                    "listener: \"127.0.0.1:80a\" is not an address: invalid port \"80a\""
                ),
                (9, "listener must be a string, not integer"),
            ]
        );
        assert!(e[0].help.as_deref().unwrap().contains("app.internal:8080"));
        assert!(e[2].help.as_deref().unwrap().contains("127.0.0.1:8080"));
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let e = parse("select = [\"GW1\" \"GW2\"]\n").unwrap_err();
        assert_eq!(e[0].line, 1, "{e:?}");
        assert!(e[0].to_string().starts_with("/repo/gwlint.toml:1:"));
    }
}
