//! Running the proxies' checks and gwlint on a written configuration, each child bounded in
//! time, and reading their verdicts.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::bases::Dialect;

/// Every child is killed after this long.
pub const LIMIT: Duration = Duration::from_secs(10);

/// What a child did: its exit code (None: killed at [`LIMIT`], or by a signal), and its
/// standard output and error.
pub struct Output {
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` in `cwd` with its output in files under `scratch`, killing it after [`LIMIT`].
pub fn run(mut cmd: Command, cwd: &Path, scratch: &Path) -> Output {
    let (out, err) = (scratch.join("stdout"), scratch.join("stderr"));
    let child = cmd
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn();
    let mut child = child.unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let deadline = Instant::now() + LIMIT;
    let mut pause = Duration::from_micros(200);
    let (code, timed_out) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status.code(), false);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Output {
        code,
        timed_out,
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// The installed proxy, or a failure that says how to install it (the test never skips).
pub fn binary(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed: the differential test needs the real nginx and \
                 HAProxy (apt-get install -y nginx haproxy)"
            )
        })
}

/// The version the binary reports (`nginx -v`, `haproxy -v`): `1.22.1`, `2.6.12`.
pub fn version(dialect: Dialect, scratch: &Path) -> String {
    let name = dialect.name();
    let mut cmd = Command::new(binary(name));
    cmd.arg("-v");
    let out = run(cmd, scratch, scratch);
    let text = format!("{}{}", out.stdout, out.stderr);
    let marker = match dialect {
        Dialect::Nginx => "nginx/",
        Dialect::Haproxy => "version ",
    };
    text.split(marker)
        .nth(1)
        .map(|v| {
            v.chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<String>()
        })
        .filter(|v| v.split('.').count() == 3)
        .unwrap_or_else(|| panic!("cannot read the version of {name} from:\n{text}"))
}

/// The proxy's verdict on a configuration.
#[derive(Clone, Debug)]
pub enum Verdict {
    Accepted,
    /// Refused because of the configuration; the first error line.
    Refused(String),
    /// Refused for a reason of this machine (DNS, a missing file, a certificate, a bind, a
    /// permission); excluded from the agreement.
    Environment(String),
    /// Killed at the time limit: excluded, and listed.
    Timeout,
}

/// Signs that a refusal comes from the machine, not the configuration.
const ENVIRONMENT: &[&str] = &[
    "host not found",
    "could not resolve",
    "No such file",
    "cannot load certificate",
    "unable to load",
    "cannot open",
    "bind()",
    "cannot bind",
    "Cannot bind",
    "Permission denied",
    "Address already in use",
    // HAProxy: a file outside the configuration, a user of another machine, what this
    // OpenSSL does not have.
    "error opening file",
    "cannot find user id",
    "cannot find group id",
    "unable to set SSL cipher",
    "unable to set SSL curves",
    "getpwnam",
    "getgrnam",
    "unknown user",
    "unknown group",
];

/// HAProxy's closing lines, which name no cause of their own.
const GENERIC: &[&str] = &[
    "Error(s) found in configuration file",
    "Fatal errors found in configuration",
    "Failed to initialize server(s) addr",
    "Fatal errors found in",
];

/// `nginx -t` / `haproxy -c` on the written configuration, and its verdict; messages have the
/// check's directory (`dir`) removed, so they name `nginx.conf:12`.
pub fn check(dialect: Dialect, dir: &Path, root: &str, scratch: &Path) -> (Verdict, Output) {
    let d = dir.display().to_string();
    let mut cmd = Command::new(binary(dialect.name()));
    match dialect {
        Dialect::Nginx => cmd
            .arg("-T")
            .args(["-p", &format!("{d}/")])
            .args(["-c", &format!("{d}/{root}")])
            .args(["-e", "stderr"])
            .args(["-g", "error_log stderr;"]),
        Dialect::Haproxy => cmd.arg("-c").args(["-f", &format!("{d}/{root}")]),
    };
    let out = run(cmd, dir, scratch);
    if out.timed_out {
        return (Verdict::Timeout, out);
    }
    if out.code == Some(0) {
        return (Verdict::Accepted, out);
    }
    let clean = |l: &str| l.replace(&format!("{d}/"), "").replace(&d, "DIR");
    let lines: Vec<String> = out.stderr.lines().map(clean).collect();
    let no_message = || match out.code {
        Some(c) => format!("(exit {c}, no message)"),
        None => "(killed by a signal: the proxy crashed)".to_string(),
    };
    let verdict = match dialect {
        Dialect::Nginx => {
            let first = lines
                .iter()
                .find(|l| l.contains("[emerg]"))
                .or_else(|| {
                    lines
                        .iter()
                        .find(|l| l.contains("[alert]") || l.contains("[crit]"))
                })
                .or_else(|| lines.iter().find(|l| !l.trim().is_empty()))
                .cloned()
                .unwrap_or_else(no_message);
            // `nginx: [emerg] 1234#1234: message` → `message`.
            let first = first
                .trim_start_matches("nginx: ")
                .split_once("] ")
                .map_or(first.as_str(), |(_, m)| m);
            let first = match first.split_once(": ") {
                Some((pid, m)) if pid.bytes().all(|c| c.is_ascii_digit() || c == b'#') => m,
                _ => first,
            }
            .to_string();
            if ENVIRONMENT.iter().any(|e| first.contains(e)) {
                Verdict::Environment(first)
            } else {
                Verdict::Refused(first)
            }
        }
        Dialect::Haproxy => {
            // Each cause on its own line: the configuration is at fault when one of the causes
            // is not the machine's.
            let causes: Vec<String> = lines
                .iter()
                .filter(|l| l.contains("[ALERT]"))
                .filter(|l| !GENERIC.iter().any(|g| l.contains(g)))
                .map(|l| haproxy_message(l))
                .collect();
            match causes
                .iter()
                .find(|c| !ENVIRONMENT.iter().any(|e| c.contains(e)))
            {
                Some(c) => Verdict::Refused(c.clone()),
                None => match causes.first() {
                    Some(c) => Verdict::Environment(c.clone()),
                    // No cause named: the closing alert, or what it said on standard output
                    // (`… will not start (no listener) => exit(2).`).
                    None => Verdict::Refused(
                        lines
                            .iter()
                            .find(|l| l.contains("[ALERT]"))
                            .map(|l| haproxy_message(l))
                            .or_else(|| {
                                out.stdout
                                    .lines()
                                    .chain(out.stderr.lines())
                                    .find(|l| !l.trim().is_empty() && !l.contains("[NOTICE]"))
                                    .map(clean)
                            })
                            .unwrap_or_else(no_message),
                    ),
                },
            }
        }
    };
    (verdict, out)
}

/// `[ALERT]    (1234) : config : parsing [x.cfg:3] : …` → `parsing [x.cfg:3] : …`.
fn haproxy_message(line: &str) -> String {
    let rest = line
        .split_once("[ALERT]")
        .map_or(line, |(_, r)| r)
        .trim_start();
    let rest = match rest.strip_prefix('(') {
        Some(r) => r.split_once(") :").map_or(r, |(_, r)| r).trim_start(),
        None => rest,
    };
    rest.strip_prefix("config : ")
        .unwrap_or(rest)
        .trim()
        .to_string()
}

/// The files `nginx -T` says it read, as paths under `dir` (Err: a file elsewhere).
pub fn nginx_files(stdout: &str, dir: &Path) -> Vec<Result<String, String>> {
    let d = format!("{}/", dir.display());
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# configuration file "))
        .map(|l| l.trim_end().trim_end_matches(':'))
        .map(|p| p.strip_prefix(&d).map(str::to_string).ok_or(p.to_string()))
        .collect()
}

/// What gwlint says of each rule: whether a finding of it means the proxy refuses to start
/// (`refuses_to_start` in `gwlint rules --format json`), and in which dialects (`refuses_in`,
/// when the list is there).
pub struct Rules {
    pub refuses: BTreeMap<String, (bool, Option<Vec<String>>)>,
    /// Rules without `refuses_to_start` (read as `false`).
    pub missing: Vec<String>,
    /// Whether any rule has `refuses_in`.
    pub per_dialect: bool,
}

impl Rules {
    /// Whether an error of `code` in `dialect` means a refusal to start.
    pub fn refuses(&self, code: &str, dialect: &str) -> bool {
        match self.refuses.get(code) {
            Some((true, None)) => true,
            Some((true, Some(ds))) => ds.iter().any(|d| d == dialect),
            _ => false,
        }
    }
}

pub fn rules(scratch: &Path) -> Rules {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gwlint"));
    cmd.args(["rules", "--format", "json"]);
    let out = run(cmd, scratch, scratch);
    assert_eq!(
        out.code,
        Some(0),
        "gwlint rules --format json failed:\n{}",
        out.stderr
    );
    parse_rules(&out.stdout)
}

pub fn parse_rules(json: &str) -> Rules {
    let list: Vec<serde_json::Value> = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("gwlint rules --format json is not a JSON list ({e})"));
    let mut rules = Rules {
        refuses: BTreeMap::new(),
        missing: Vec::new(),
        per_dialect: false,
    };
    for r in list {
        let code = r["code"].as_str().expect("a rule without code").to_string();
        let dialects = r.get("refuses_in").and_then(|v| v.as_array()).map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        });
        rules.per_dialect |= dialects.is_some();
        let refuses = match r.get("refuses_to_start").and_then(|v| v.as_bool()) {
            Some(v) => v,
            None => {
                rules.missing.push(code.clone());
                false
            }
        };
        rules.refuses.insert(code, (refuses, dialects));
    }
    rules
}

/// gwlint's verdict: the codes it reported (`GW001`, with `!` when it is an error of a rule
/// that refuses to start), and whether it says the proxy refuses to start.
#[derive(Clone, Debug)]
pub struct Lint {
    pub refuses: bool,
    pub codes: Vec<String>,
    /// Findings whose own `refuses_to_start` (when the finding has one) differs from what the
    /// rule list says: a sign the two are out of step.
    pub inconsistent: Vec<String>,
}

/// gwlint on the written configuration; Err: a harness error (exit 2, a crash, a hang, output
/// that is not JSON).
pub fn gwlint(
    dialect: Dialect,
    version: &str,
    dir: &Path,
    root: &str,
    rules: &Rules,
    scratch: &Path,
) -> Result<Lint, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gwlint"));
    cmd.env_remove("GWLINT_FORMAT")
        .env_remove("GWLINT_INJECT_PANIC")
        .env("NO_COLOR", "1")
        .args(["--isolated", "--format", "json", "--color", "never"])
        .args(["--dialect", dialect.name()])
        .arg(format!("--{}-version", dialect.name()))
        .arg(version)
        .arg(root);
    let out = run(cmd, dir, scratch);
    let d = dir.display().to_string();
    let stderr = out.stderr.replace(&d, "DIR");
    if out.timed_out {
        return Err(format!("gwlint did not finish within {}s", LIMIT.as_secs()));
    }
    match out.code {
        Some(0 | 1) => {}
        Some(c) => return Err(format!("gwlint exited {c}: {}", stderr.trim())),
        None => return Err(format!("gwlint was killed by a signal: {}", stderr.trim())),
    }
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("gwlint's output is not a JSON list ({e}): {}", out.stdout))?;
    let mut lint = Lint {
        refuses: false,
        codes: Vec::new(),
        inconsistent: Vec::new(),
    };
    for f in findings {
        let code = f["code"].as_str().unwrap_or("?").to_string();
        let d = f["dialect"].as_str().unwrap_or(dialect.name());
        let refusal = f["severity"] == "error" && rules.refuses(&code, d);
        if f.get("refuses_to_start")
            .and_then(|v| v.as_bool())
            .is_some_and(|r| r != refusal)
        {
            lint.inconsistent.push(code.clone());
        }
        lint.refuses |= refusal;
        let shown = if refusal { format!("{code}!") } else { code };
        if !lint.codes.contains(&shown) {
            lint.codes.push(shown);
        }
    }
    lint.codes.sort();
    Ok(lint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_without_the_field_do_not_refuse() {
        let r = parse_rules(r#"[{"code": "GW001"}, {"code": "GW104", "refuses_to_start": true}]"#);
        assert_eq!(r.missing, ["GW001"]);
        assert!(!r.refuses("GW001", "nginx"));
        assert!(r.refuses("GW104", "haproxy"));
        let r = parse_rules(
            r#"[{"code": "GW104", "refuses_to_start": true, "refuses_in": ["nginx"]}]"#,
        );
        assert!(r.per_dialect && r.refuses("GW104", "nginx") && !r.refuses("GW104", "haproxy"));
    }
}
