//! `gwlint config [PATH]`: the settings in force for a path and where each comes from;
//! `gwlint config --schema`: the JSON Schema of the file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use super::file::{ConfigFile, Located};
use super::{FileRules, Resolver, Selection};
use crate::rules::{RULES, Version};

#[derive(clap::Args, Debug)]
pub(crate) struct ConfigArgs {
    /// The file or directory whose settings to show [default: .]
    pub(crate) path: Option<PathBuf>,
    /// Print the JSON Schema of gwlint.toml instead
    #[arg(long)]
    pub(crate) schema: bool,
    /// Use this configuration file instead of discovering one
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore configuration files
    #[arg(long)]
    pub(crate) isolated: bool,
}

pub(crate) fn run(args: ConfigArgs) -> ExitCode {
    if args.schema {
        let mut s = serde_json::to_string_pretty(&super::schema::schema()).unwrap_or_default();
        s.push('\n');
        return match crate::output::stdout(s.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failed) => failed,
        };
    }
    let resolver = match resolver(args.config.as_deref(), args.isolated) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let path = args.path.unwrap_or_else(|| PathBuf::from("."));
    if !path.exists() {
        crate::output::errln!(
            "gwlint: error: {}: no such file or directory",
            path.display()
        );
        return ExitCode::from(2);
    }
    let config = resolver.for_path(&path);
    let errors = resolver.take_errors();
    if !errors.is_empty() {
        for e in errors {
            crate::output::errln!("gwlint: error: {e}");
        }
        return ExitCode::from(2);
    }
    let how = if args.isolated {
        "--isolated: no configuration file is read"
    } else if args.config.is_some() {
        "--config"
    } else {
        "nearest gwlint.toml or .gwlint.toml above the path"
    };
    match crate::output::stdout(render(&path, config.as_deref(), how).as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => failed,
    }
}

/// The resolver for `--config FILE` / `--isolated` / discovery; errors are printed.
pub(crate) fn resolver(config: Option<&Path>, isolated: bool) -> Result<Resolver, ExitCode> {
    if isolated {
        return Ok(Resolver::isolated());
    }
    match config {
        None => Ok(Resolver::discover()),
        Some(p) => Resolver::fixed(p).map_err(|errors| {
            for e in errors {
                crate::output::errln!("gwlint: error: {e}");
            }
            ExitCode::from(2)
        }),
    }
}

/// The settings for `path` as TOML, each value followed by where it was set.
pub(crate) fn render(path: &Path, config: Option<&ConfigFile>, how: &str) -> String {
    let mut out = String::new();
    let mut line = |text: String, origin: String| {
        let _ = writeln!(out, "{text:<40} # {origin}");
    };
    let from = |l: usize| match config {
        Some(c) => format!("{}:{l}", c.path.display()),
        None => "default".into(),
    };
    let origin = |v: Option<usize>| v.map_or_else(|| "default".to_string(), from);
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let header = format!(
        "# Settings for {}\n# Configuration file: {} ({how})\n",
        path.display(),
        config.map_or("none".to_string(), |c| c.path.display().to_string())
    );
    let c = config;
    let select = c.and_then(|c| c.select.as_ref());
    line(
        format!(
            "select = {}",
            select.map_or("[\"ALL\"]".into(), |s| list(&s.value))
        ),
        origin(select.map(|s| s.line)),
    );
    let extend = c.and_then(|c| c.extend_select.as_ref());
    line(
        format!(
            "extend-select = {}",
            extend.map_or("[]".into(), |s| list(&s.value))
        ),
        origin(extend.map(|s| s.line)),
    );
    let ignore = c.and_then(|c| c.ignore.as_ref());
    line(
        format!(
            "ignore = {}",
            ignore.map_or("[]".into(), |s| list(&s.value))
        ),
        origin(ignore.map(|s| s.line)),
    );
    let fail_on = c.and_then(|c| c.fail_on.as_ref());
    line(
        format!(
            "fail-on = \"{}\"",
            fail_on.map_or("warning", |s| s.value.as_str())
        ),
        origin(fail_on.map(|s| s.line)),
    );
    let mut body = String::new();
    let mut section = |title: &str, entries: Vec<(String, String)>| {
        let _ = writeln!(body, "\n{title}");
        for (text, origin) in entries {
            let _ = writeln!(body, "{text:<40} # {origin}");
        }
    };
    let opt = |key: &str, v: Option<(String, usize)>, unset: &str| match v {
        Some((text, l)) => (format!("{key} = {text}"), from(l)),
        None => (format!("# {key} = (not set)"), unset.to_string()),
    };
    section(
        "[severity]",
        c.into_iter()
            .flat_map(|c| &c.severity)
            .map(|(k, v)| (format!("{k} = \"{}\"", v.value.as_str()), from(v.line)))
            .collect(),
    );
    for p in c.into_iter().flat_map(|c| &c.per_file) {
        section(
            "[[per-file]]",
            vec![
                (format!("glob = \"{}\"", p.glob), from(p.line)),
                (format!("ignore = {}", list(&p.ignore)), from(p.line)),
            ],
        );
    }
    section(
        "[nginx]",
        vec![
            opt(
                "version",
                c.and_then(|c| c.nginx_version.as_ref()).map(version),
                "unknown: rules assume the defaults that break (--nginx-version)",
            ),
            opt(
                "prefix",
                c.and_then(|c| c.nginx_prefix.as_ref())
                    .map(|p| (format!("\"{}\"", p.value.display()), p.line)),
                "the main file's directory (--prefix)",
            ),
        ],
    );
    section(
        "[haproxy]",
        vec![opt(
            "version",
            c.and_then(|c| c.haproxy_version.as_ref()).map(version),
            "unknown",
        )],
    );
    for b in c.into_iter().flat_map(|c| &c.backends) {
        let mut entries = vec![(format!("target = \"{}\"", b.target), b.origin.clone())];
        if let Some(d) = b.idle_timeout {
            entries.push((
                format!("idle_timeout = \"{}\"", crate::units::show_duration(d)),
                b.origin.clone(),
            ));
        }
        if let Some(d) = b.max_response_time {
            entries.push((
                format!("max_response_time = \"{}\"", crate::units::show_duration(d)),
                b.origin.clone(),
            ));
        }
        if let Some(n) = b.max_header_size {
            entries.push((format!("max_header_size = \"{n}\""), b.origin.clone()));
        }
        match b.websocket_ping {
            Some(crate::facts::Ping::Never) => {
                entries.push(("websocket_ping = \"none\"".to_string(), b.origin.clone()))
            }
            Some(crate::facts::Ping::Every(d)) => entries.push((
                format!("websocket_ping = \"{}\"", crate::units::show_duration(d)),
                b.origin.clone(),
            )),
            None => {}
        }
        if let Some(t) = b.tls {
            entries.push((format!("tls = {t}"), b.origin.clone()));
        }
        section("[[backend]]", entries);
    }
    for l in c.into_iter().flat_map(|c| &c.links) {
        section(
            "[[link]]",
            vec![
                (format!("target = \"{}\"", l.target), l.origin.clone()),
                (format!("listener = \"{}\"", l.listener), l.origin.clone()),
            ],
        );
    }
    let online = c.map(|c| &c.online);
    let dur = |d: Option<&Located<Duration>>| {
        d.map(|d| {
            (
                format!("\"{}\"", crate::units::show_duration(d.value)),
                d.line,
            )
        })
    };
    section(
        "[online]",
        vec![
            opt(
                "dns-timeout",
                online.and_then(|o| dur(o.dns_timeout.as_ref())),
                &format!(
                    "built-in: {}",
                    crate::units::show_duration(crate::probe::DNS_TIMEOUT)
                ),
            ),
            opt(
                "connect-timeout",
                online.and_then(|o| dur(o.connect_timeout.as_ref())),
                &format!(
                    "built-in: {}",
                    crate::units::show_duration(crate::probe::CONNECT_TIMEOUT)
                ),
            ),
            opt(
                "resolver",
                online
                    .and_then(|o| o.resolver.as_ref())
                    .map(|r| (format!("\"{}\"", r.value), r.line)),
                "the system's resolv.conf and hosts file",
            ),
            opt(
                "cert-warn-days",
                online
                    .and_then(|o| o.cert_warn_days.as_ref())
                    .map(|d| (d.value.to_string(), d.line)),
                &format!("built-in: {}", crate::probe::CERT_WARN_DAYS),
            ),
        ],
    );
    // What that means rule by rule, for the path itself (per-file globs included).
    let cli = Selection::default();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rules = FileRules::new(config, &cli, &abs);
    let mut sorted: Vec<_> = RULES.iter().collect();
    sorted.sort_by_key(|r| r.code);
    let on = sorted.iter().filter(|r| rules.enabled(r)).count();
    let _ = writeln!(body, "\n# Rules in force here: {on} of {}", sorted.len());
    for r in &sorted {
        if !rules.enabled(r) {
            let _ = writeln!(body, "#   off: {} {}", r.code, r.name);
        } else if let Some(sev) = rules.severity(r).filter(|s| *s != r.severity) {
            let _ = writeln!(
                body,
                "#   {} {}: {} (default {})",
                r.code,
                r.name,
                sev.as_str(),
                r.severity.as_str()
            );
        }
    }
    format!("{header}{out}{body}")
}

fn version(v: &Located<Version>) -> (String, usize) {
    let Version(a, b, c) = v.value;
    (format!("\"{a}.{b}.{c}\""), v.line)
}
