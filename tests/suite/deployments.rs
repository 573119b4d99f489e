//! Deployments: gwlint lints a configuration the way the proxy loads it at run time. An
//! absolute include (`/etc/nginx/conf.d/*.conf`) is mapped to the repository's files through
//! what the repository says about where they go (the layout of the official image, a Compose
//! volume, a Dockerfile `COPY`, a Debian `/etc/nginx` tree, a linuxserver.io `/config` tree,
//! HAProxy's `-f DIR`, an `nginx -T` dump), never read from this machine's `/etc`.
//!
//! Every layout of `tests/fixtures/deploy/` is a small repository laid out as real ones are.
//! The nginx layouts define `upstream api_backend` in one file and mistype it
//! (`proxy_pass http://api_backnd;`) in another: the one error expected is GW101 at the typo,
//! whichever way gwlint is pointed at the repository (the directory, the main file, the changed
//! file alone as pre-commit passes it, standard input).
//!
//! What these tests assume (the implementation may refine it, the assertions say the minimum):
//! - Files the repository does not hold and the image or package ships (`/etc/nginx/mime.types`,
//!   Debian's `proxy_params` and `modules-enabled/`) or that are written at container start
//!   (linuxserver's `/config/nginx/resolver.conf`) are not GW002: their content is unknown, an
//!   info finding (GW005 include-not-followed) at most.
//! - A finding is reported at the file that holds its text in the repository: for Debian's
//!   `sites-enabled/app -> ../sites-available/app`, at `sites-available/app` (the file a diff
//!   shows and pre-commit passes); for an `nginx -T` dump, at the dumped file's own name
//!   (`/etc/nginx/conf.d/app.conf`) and line, not the dump's.
//! - `gwlint files --format json` lists `{file, dialect, root, runtime, mapped_by}`; every
//!   file it lists lies inside the linted tree (stock files and includes not followed are not
//!   listed), and none under `/etc`.
//! - Nothing outside the linted tree is read unless a mount maps it: its content never shows in
//!   any output format.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::common::cli as common_cli;

const ROOT: &str = "tests/fixtures/deploy";

/// One repository layout of `tests/fixtures/deploy/`. Paths are relative to its directory.
struct Layout {
    dir: &'static str,
    /// What the proxy is started with: the main file (HAProxy: the `-f` directory).
    main: &'static str,
    /// The file with the typo, and the typo's line in it.
    typo: &'static str,
    line: u64,
    /// The file that defines the upstream (backend) the typo misses.
    defines: &'static str,
    /// Rules that must not fire in any mode (a file linted out of its deployment would get them).
    absent: &'static [&'static str],
}

impl Layout {
    fn path(&self, rel: &str) -> String {
        format!("{ROOT}/{}/{rel}", self.dir)
    }
    fn typo_path(&self) -> String {
        self.path(self.typo)
    }
    /// The typo file's text, checked to hold the typo where the tests expect it, so that a
    /// failure is gwlint's and not an edited fixture's.
    fn typo_text(&self) -> String {
        let text = std::fs::read_to_string(repo(&self.typo_path())).unwrap();
        let at = text.lines().nth(self.line as usize - 1).unwrap_or("");
        assert!(
            at.contains("api_backnd"),
            "fixture {}:{} no longer holds the typo: {at:?}",
            self.typo_path(),
            self.line
        );
        text
    }
}

const OFFICIAL: Layout = Layout {
    dir: "official",
    main: "nginx/nginx.conf",
    typo: "nginx/conf.d/app.conf",
    line: 18,
    defines: "nginx/conf.d/upstreams.conf",
    absent: &[],
};

/// No nginx.conf in the repository: the image's own is the main file. No main-file mode.
const COMPOSE: Layout = Layout {
    dir: "compose",
    main: "",
    typo: "proxy/conf.d/default.conf",
    line: 13,
    defines: "proxy/conf.d/upstreams.conf",
    absent: &[],
};

const DOCKERFILE: Layout = Layout {
    dir: "dockerfile",
    main: "nginx/main.conf",
    typo: "sites/app.conf",
    line: 16,
    defines: "sites/upstreams.conf",
    absent: &[],
};

const DEBIAN: Layout = Layout {
    dir: "debian",
    main: "etc/nginx/nginx.conf",
    typo: "etc/nginx/sites-available/app",
    line: 18,
    defines: "etc/nginx/sites-available/api.example.com",
    absent: &[],
};

const LINUXSERVER: Layout = Layout {
    dir: "linuxserver",
    main: "config/nginx/nginx.conf",
    typo: "config/nginx/proxy-confs/app.subdomain.conf",
    line: 22,
    defines: "config/nginx/proxy-confs/api.subdomain.conf",
    absent: &[],
};

/// `haproxy -f /usr/local/etc/haproxy/conf.d`: the main "file" is the directory; the typo is
/// in `default_backend`. The timeouts are in 00-global.cfg's defaults: a file linted alone
/// without them would get GW210.
const HAPROXY_SPLIT: Layout = Layout {
    dir: "haproxy-split",
    main: "haproxy/conf.d",
    typo: "haproxy/conf.d/10-frontend.cfg",
    line: 6,
    defines: "haproxy/conf.d/20-backends.cfg",
    absent: &["GW210"],
};

// ---- running gwlint -----------------------------------------------------------------------

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut c = common_cli::gwlint();
    c.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(input) = stdin {
        // gwlint may stop reading early (and fail); the output says why.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().unwrap()
}

/// Lints with `--format json --fail-on error`: the exit code and the findings. A usage error
/// (exit 2) or output that is not JSON fails the test with gwlint's message.
fn lint(args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<Value>) {
    lint_or_why(args, stdin).unwrap_or_else(|why| panic!("{why}"))
}

/// [`lint`], with exit 2 or output that is not JSON as an error that says why.
fn lint_or_why(args: &[&str], stdin: Option<&[u8]>) -> Result<(i32, Vec<Value>), String> {
    let mut all = vec!["--format", "json", "--fail-on", "error"];
    all.extend_from_slice(args);
    let o = run(&all, stdin);
    let code = common_cli::code(&o);
    let why = |what: String| {
        format!(
            "gwlint {all:?} {what}:\n{}{}",
            common_cli::out(&o),
            common_cli::err(&o)
        )
    };
    if code == 2 {
        return Err(why("exited 2".into()));
    }
    match serde_json::from_slice::<Value>(&o.stdout) {
        Ok(Value::Array(findings)) => Ok((code, findings)),
        Ok(_) => Err(why("printed JSON that is not an array".into())),
        Err(e) => Err(why(format!("printed no JSON ({e})"))),
    }
}

fn s<'a>(f: &'a Value, k: &str) -> &'a str {
    f[k].as_str().unwrap_or("")
}

fn show(findings: &[Value]) -> String {
    let lines: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "  {}:{}:{}: {}[{}] {}",
                s(f, "file"),
                f["line"],
                f["column"],
                s(f, "severity"),
                s(f, "code"),
                s(f, "message")
            )
        })
        .collect();
    if lines.is_empty() {
        "  (no findings)".into()
    } else {
        lines.join("\n")
    }
}

fn assert_finding(findings: &[Value], code: &str, file: &str, line: u64) {
    assert!(
        findings
            .iter()
            .any(|f| s(f, "code") == code && s(f, "file") == file && f["line"] == line),
        "expected {code} at {file}:{line}; gwlint reported:\n{}",
        show(findings)
    );
}

fn assert_no(findings: &[Value], code: &str) {
    let hits: Vec<Value> = findings
        .iter()
        .filter(|f| s(f, "code").starts_with(code))
        .cloned()
        .collect();
    assert!(
        hits.is_empty(),
        "no {code} expected; gwlint reported:\n{}",
        show(findings)
    );
}

/// Every error-severity finding is one of `expected` (code, file, line).
fn assert_no_other_errors(findings: &[Value], expected: &[(&str, &str, u64)]) {
    let other: Vec<Value> = findings
        .iter()
        .filter(|f| s(f, "severity") == "error")
        .filter(|f| {
            !expected
                .iter()
                .any(|(c, p, l)| s(f, "code") == *c && s(f, "file") == *p && f["line"] == *l)
        })
        .cloned()
        .collect();
    assert!(
        other.is_empty(),
        "errors other than {expected:?}:\n{}",
        show(&other)
    );
}

/// The typo is found, and nothing else is an error: no include is "not found".
fn assert_typo_only(l: &Layout, code: i32, findings: &[Value], file: &str, line: u64) {
    assert_finding(findings, "GW101", file, line);
    assert_no(findings, "GW002");
    for c in l.absent {
        assert_no(findings, c);
    }
    assert_no_other_errors(findings, &[("GW101", file, line)]);
    assert_eq!(code, 1, "an error is exit 1:\n{}", show(findings));
}

/// No error at all (in particular no GW101, GW104 nor GW002), exit 0.
fn assert_clean(l: &Layout, code: i32, findings: &[Value]) {
    assert_no(findings, "GW101");
    assert_no(findings, "GW104");
    assert_no(findings, "GW002");
    for c in l.absent {
        assert_no(findings, c);
    }
    assert_no_other_errors(findings, &[]);
    assert_eq!(code, 0, "no error is exit 0 with --fail-on error");
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The path, absolute (relative ones from the repository root) and with `.` and `..` resolved
/// by their names (`a/../../etc` is `/etc`, whatever symbolic links say).
fn normal(p: &str) -> PathBuf {
    let p = Path::new(p);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        repo(&p.to_string_lossy())
    };
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn is_under(file: &str, dir: &str) -> bool {
    normal(file).starts_with(normal(dir))
}

// ---- the modes, for every layout ------------------------------------------------------------

/// `gwlint <layout>`.
fn directory(l: &Layout) {
    l.typo_text();
    let (code, f) = lint(&[&l.path("")], None);
    assert_typo_only(l, code, &f, &l.typo_path(), l.line);
}

/// `gwlint <main file>`.
fn main_file(l: &Layout) {
    l.typo_text();
    let (code, f) = lint(&[&l.path(l.main)], None);
    assert_typo_only(l, code, &f, &l.typo_path(), l.line);
}

/// `gwlint <the typo file>`, as pre-commit passes a changed file: linted in its deployment, so
/// the upstream defined in another file is known and the typo is still found.
fn changed_file(l: &Layout) {
    l.typo_text();
    let (code, f) = lint(&[&l.typo_path()], None);
    assert_typo_only(l, code, &f, &l.typo_path(), l.line);
}

/// `gwlint <the file that defines the upstream>`: nothing false (the upstream is used, the
/// file has no error).
fn defining_file(l: &Layout) {
    l.typo_text();
    let (code, f) = lint(&[&l.path(l.defines)], None);
    assert_clean(l, code, &f);
}

/// An editor's buffer: `gwlint - --stdin-filename <typo file>`. Reported under that name.
fn stdin(l: &Layout) {
    let text = l.typo_text();
    let name = l.typo_path();
    let (code, f) = lint(&["-", "--stdin-filename", &name], Some(text.as_bytes()));
    assert_typo_only(l, code, &f, &name, l.line);
}

/// The buffer has the typo fixed, the disk does not: the buffer is what is linted.
fn stdin_edited(l: &Layout) {
    let text = l.typo_text().replace("api_backnd", "api_backend");
    let name = l.typo_path();
    let (code, f) = lint(&["-", "--stdin-filename", &name], Some(text.as_bytes()));
    assert_clean(l, code, &f);
}

macro_rules! layout_tests {
    ($module:ident = $layout:ident: $($mode:ident),+) => {
        mod $module {
            $(
                #[test]
                fn $mode() {
                    super::$mode(&super::$layout)
                }
            )+
        }
    };
}

layout_tests!(
    official = OFFICIAL:
    directory, main_file, changed_file, defining_file, stdin, stdin_edited
);
layout_tests!(
    compose = COMPOSE:
    directory, changed_file, defining_file, stdin, stdin_edited
);
layout_tests!(
    dockerfile = DOCKERFILE:
    directory, main_file, changed_file, defining_file, stdin, stdin_edited
);
layout_tests!(
    debian = DEBIAN:
    directory, main_file, changed_file, defining_file, stdin, stdin_edited
);
layout_tests!(
    linuxserver = LINUXSERVER:
    directory, main_file, changed_file, defining_file, stdin, stdin_edited
);
layout_tests!(
    haproxy_split = HAPROXY_SPLIT:
    directory, main_file, changed_file, defining_file, stdin, stdin_edited
);

/// `include /config/nginx/resolver.conf;` names a file the container writes at start: not in
/// the repository, and not an error (an info finding that it is not followed, at most).
#[test]
fn linuxserver_generated_include_is_not_an_error() {
    let main = LINUXSERVER.path(LINUXSERVER.main);
    let text = std::fs::read_to_string(repo(&main)).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.contains("include /config/nginx/resolver.conf;"))
        .expect("the fixture includes resolver.conf") as u64;
    for args in [vec![LINUXSERVER.path("")], vec![main.clone()]] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, f) = lint(&args, None);
        assert_no(&f, "GW002");
        for x in f
            .iter()
            .filter(|x| s(x, "file") == main && x["line"] == line)
        {
            assert!(
                s(x, "code") == "GW005" && s(x, "severity") != "error",
                "at the resolver.conf include only an info GW005 is expected:\n{}",
                show(&f)
            );
        }
        // The deployment was followed: the typo behind the other includes is found.
        assert_finding(&f, "GW101", &LINUXSERVER.typo_path(), LINUXSERVER.line);
    }
}

// ---- nginx -T dump ---------------------------------------------------------------------------

const DUMP: &str = "tests/fixtures/deploy/dump/nginx-T.txt";
const DUMP_TYPO: (&str, u64) = ("/etc/nginx/conf.d/app.conf", 13);

fn assert_dump(code: i32, f: &[Value]) {
    let (file, line) = DUMP_TYPO;
    assert_finding(f, "GW101", file, line);
    assert_no(f, "GW002");
    assert_no_other_errors(f, &[("GW101", file, line)]);
    assert!(
        f.iter().all(|x| !s(x, "file").ends_with("nginx-T.txt")),
        "findings are in the dumped files, not in the dump:\n{}",
        show(f)
    );
    assert_eq!(code, 1);
}

fn dump_text() -> Vec<u8> {
    let text = std::fs::read(repo(DUMP)).unwrap();
    let s = String::from_utf8_lossy(&text);
    assert!(s.starts_with("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"));
    let start = s
        .lines()
        .position(|l| l == "# configuration file /etc/nginx/conf.d/app.conf:")
        .unwrap();
    let typo = s.lines().nth(start + DUMP_TYPO.1 as usize).unwrap();
    assert!(
        typo.contains("api_backnd"),
        "the dump's typo moved: {typo:?}"
    );
    text
}

#[test]
fn dump_file() {
    dump_text();
    let (code, f) = lint(&[DUMP], None);
    assert_dump(code, &f);
}

#[test]
fn dump_directory() {
    dump_text();
    let (code, f) = lint(&["tests/fixtures/deploy/dump"], None);
    assert_dump(code, &f);
}

#[test]
fn dump_stdin() {
    let text = dump_text();
    let (code, f) = lint(&["-", "--stdin-filename", "nginx-T.txt"], Some(&text));
    assert_dump(code, &f);
}

/// A dump piped in without a name (`nginx -T | gwlint -`) is recognised by its text.
#[test]
fn dump_stdin_without_a_name() {
    let text = dump_text();
    let (code, f) = lint(&["-"], Some(&text));
    assert_dump(code, &f);
}

// ---- configurations side by side that are alternatives, not layers --------------------------

/// haproxy.cfg and haproxy-staging.cfg are each complete (global, defaults, frontend, backend
/// `web`): two deployments, not one `-f DIR`. Merged, `web` would be GW103.
#[test]
fn haproxy_alternatives_are_not_merged() {
    let dir = "tests/fixtures/deploy/haproxy-alternatives";
    let (code, f) = lint(&[dir], None);
    assert_no(&f, "GW103");
    assert_no_other_errors(&f, &[]);
    assert_eq!(code, 0);
    // Both were linted (not one dropped to avoid the duplicate): each file has its own root.
    let o = run(&["files", "--format", "json", dir], None);
    let files: Value = serde_json::from_slice(&o.stdout).unwrap();
    for name in ["haproxy.cfg", "haproxy-staging.cfg"] {
        let path = format!("{dir}/{name}");
        assert!(
            files
                .as_array()
                .unwrap()
                .iter()
                .any(|e| s(e, "file") == path && e["root"].is_null()),
            "{path} is a main configuration of its own: {files:#}"
        );
    }
}

/// Eight unrelated test configurations on the same listener: one typo, one finding, and no
/// gateway chain between them.
#[test]
fn many_configurations_side_by_side() {
    let dir = "tests/fixtures/deploy/many";
    let t5 = format!("{dir}/t5.conf");
    let (code, f) = lint(&[dir], None);
    let gw101: Vec<&Value> = f.iter().filter(|x| s(x, "code") == "GW101").collect();
    assert_eq!(gw101.len(), 1, "exactly one GW101:\n{}", show(&f));
    assert_finding(&f, "GW101", &t5, 23);
    assert_no(&f, "GW103");
    assert_no(&f, "GW7");
    assert_no_other_errors(&f, &[("GW101", &t5, 23)]);
    assert_eq!(code, 1);
}

// ---- the same findings, whatever else is linted in the run --------------------------------

type Key = (String, String, u64, u64, String);

fn keys<'a>(f: impl Iterator<Item = &'a Value>) -> Vec<Key> {
    let mut k: Vec<Key> = f
        .map(|x| {
            (
                s(x, "code").to_string(),
                s(x, "file").to_string(),
                x["line"].as_u64().unwrap_or(0),
                x["column"].as_u64().unwrap_or(0),
                s(x, "message").to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

/// Each layout linted alone, and all of `tests/fixtures/deploy` at once: for each layout the
/// findings in its files are the same (layouts do not leak into each other's deployments).
#[test]
fn findings_do_not_depend_on_the_rest_of_the_run() {
    let mut layouts: Vec<String> = std::fs::read_dir(repo(ROOT))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    layouts.sort();
    assert!(layouts.len() >= 10, "{layouts:?}");
    let (_, whole) = lint(&[ROOT], None);
    // The whole run is not empty by accident: every typo of the tree is found in it.
    for l in [
        &OFFICIAL,
        &COMPOSE,
        &DOCKERFILE,
        &DEBIAN,
        &LINUXSERVER,
        &HAPROXY_SPLIT,
    ] {
        assert_finding(&whole, "GW101", &l.typo_path(), l.line);
    }
    assert_finding(&whole, "GW101", DUMP_TYPO.0, DUMP_TYPO.1);
    assert_finding(&whole, "GW101", "tests/fixtures/deploy/many/t5.conf", 23);
    let mut differ = Vec::new();
    for name in &layouts {
        let dir = format!("{ROOT}/{name}");
        let mine = |x: &&Value| {
            let file = s(x, "file");
            if name == "dump" {
                file.starts_with("/etc/nginx/")
            } else {
                !file.starts_with("/etc/nginx/") && is_under(file, &dir)
            }
        };
        let alone = match lint_or_why(&[&dir], None) {
            Ok((_, alone)) => alone,
            Err(why) => {
                differ.push(format!("{name}: alone, {why}"));
                continue;
            }
        };
        let alone = keys(alone.iter().filter(mine));
        let together = keys(whole.iter().filter(mine));
        if alone != together {
            differ.push(format!(
                "{name}:\n alone:    {alone:?}\n together: {together:?}"
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

// ---- what `gwlint files` lists --------------------------------------------------------------

/// `(file, root)` of each entry of `gwlint files --format json`, and whether it is marked as
/// not read (a stock file of the image, an include not followed).
fn listed(path: &str) -> Vec<(String, Option<String>)> {
    let o = run(&["files", "--format", "json", path], None);
    assert_eq!(common_cli::code(&o), 0, "{}", common_cli::err(&o));
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("gwlint files: not JSON ({e}): {}", common_cli::out(&o)));
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                s(e, "file").to_string(),
                e["root"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn files_of_the_official_layout_are_the_repository_s() {
    let dir = "tests/fixtures/deploy/official";
    let l = listed(dir);
    for (file, _) in &l {
        assert!(!file.starts_with("/etc"), "{file} is this machine's: {l:?}");
        assert!(is_under(file, dir), "{file} is outside {dir}: {l:?}");
    }
    let main = format!("{dir}/nginx/nginx.conf");
    let expect = [
        (main.clone(), None),
        (format!("{dir}/nginx/conf.d/app.conf"), Some(main.clone())),
        (
            format!("{dir}/nginx/conf.d/upstreams.conf"),
            Some(main.clone()),
        ),
    ];
    for (file, root) in expect {
        assert!(
            l.iter().any(|(f, r)| *f == file && *r == root),
            "expected {file} with root {root:?}: {l:?}"
        );
    }
}

// ---- hostile includes -----------------------------------------------------------------------

const FORMATS: [&str; 9] = [
    "pretty",
    "concise",
    "json",
    "sarif",
    "github",
    "checkstyle",
    "junit",
    "gitlab",
    "html",
];

/// The first line of a file of this machine, when it can be read and is not empty.
fn first_line(path: &str) -> Option<String> {
    let text = std::fs::read(path).ok()?;
    let line = String::from_utf8_lossy(&text)
        .lines()
        .next()?
        .trim()
        .to_string();
    (line.len() >= 8).then_some(line)
}

fn assert_nowhere(args: &[&str], stdin: Option<&[u8]>, secrets: &[String]) {
    assert!(!secrets.is_empty());
    for format in FORMATS {
        let mut all = vec!["--format", format];
        all.extend_from_slice(args);
        let o = run(&all, stdin);
        let text = format!("{}{}", common_cli::out(&o), common_cli::err(&o));
        common_cli::code(&o); // not killed by a signal
        assert!(!text.contains("panicked"), "gwlint {all:?} crashed: {text}");
        for secret in secrets {
            assert!(
                !text.contains(secret.as_str()),
                "gwlint {all:?} printed {secret:?}, from a file outside the linted tree:\n{text}"
            );
        }
    }
}

/// `include /etc/shadow;` and `include ../../../../../../../../etc/passwd;`: neither file's
/// content shows in any format.
#[test]
fn hostile_includes_print_nothing_of_this_machine() {
    let secrets: Vec<String> = ["/etc/shadow", "/etc/passwd"]
        .iter()
        .filter_map(|p| first_line(p))
        .collect();
    assert_nowhere(&["tests/fixtures/deploy/hostile"], None, &secrets);
    assert_nowhere(
        &["tests/fixtures/deploy/hostile/nginx.conf"],
        None,
        &secrets,
    );
}

#[test]
fn hostile_files_lists_only_the_tree() {
    let dir = "tests/fixtures/deploy/hostile";
    let l = listed(dir);
    assert!(
        l.iter().any(|(f, _)| *f == format!("{dir}/nginx.conf")),
        "{l:?}"
    );
    for (file, _) in &l {
        assert!(is_under(file, dir), "{file} is outside {dir}: {l:?}");
    }
}

/// A file outside the repository with a unique marker, included by absolute path and by a
/// relative path that climbs out: the marker never shows, whatever the format, whether the
/// configuration is given as a directory, a file or standard input.
#[test]
fn an_included_file_outside_the_tree_is_not_printed() {
    let marker = format!(
        "gwlint-secret-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.conf");
    // If read, it gives findings that quote it: an empty upstream, then a syntax error.
    std::fs::write(
        &secret,
        format!("upstream {marker} {{ }}\n{marker}-line without a semicolon\n"),
    )
    .unwrap();
    let tree = tempfile::tempdir().unwrap();
    let outside_name = outside.path().file_name().unwrap().to_string_lossy();
    let hostile =
        std::fs::read_to_string(repo("tests/fixtures/deploy/hostile/nginx.conf")).unwrap();
    let conf = hostile.replacen(
        "http {\n",
        &format!(
            "http {{\n    include {};\n    include ../{outside_name}/secret.conf;\n",
            secret.display()
        ),
        1,
    );
    assert!(conf.contains("secret.conf"));
    let main = tree.path().join("nginx.conf");
    std::fs::write(&main, &conf).unwrap();
    let secrets = vec![marker.clone()];
    let dir = tree.path().to_string_lossy().into_owned();
    let file = main.to_string_lossy().into_owned();
    assert_nowhere(&[&dir], None, &secrets);
    assert_nowhere(&[&file], None, &secrets);
    assert_nowhere(
        &["-", "--stdin-filename", &file],
        Some(conf.as_bytes()),
        &secrets,
    );
    let l = listed(&dir);
    for (f, _) in &l {
        assert!(is_under(f, &dir), "{f} is outside {dir}: {l:?}");
    }
}

/// An HAProxy main file whose frontend routes to a backend kept in another file.
const LB_MAIN: &str = "global\n    maxconn 1000\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend www\n    bind :80\n    default_backend api\n";
/// The backend `LB_MAIN` routes to.
const LB_BACKENDS: &str =
    "backend api\n    server a1 10.0.0.1:8000 check\n    server a2 10.0.0.2:8000 check\n";

/// A repository of the test's own: a temporary directory with `.git`.
struct Repo(tempfile::TempDir);

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        Repo(dir)
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn put(&self, rel: &str, text: &str) {
        let p = self.0.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Runs gwlint in `dir` with `args`.
fn gwlint_in(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// A Compose `command:` with two `-f`: a main file and a directory of backends. Each file
/// alone (as pre-commit passes it) and the directory are linted as that one configuration.
#[test]
fn haproxy_command_lists_join_files_of_two_directories() {
    let repo = Repo::new();
    let d = repo.path();
    let put = |rel: &str, text: &str| repo.put(rel, text);
    put(
        "compose.yaml",
        "services:\n  lb:\n    image: haproxy:2.8\n    command: [\"haproxy\", \"-f\", \"/usr/local/etc/haproxy/haproxy.cfg\", \"-f\", \"/usr/local/etc/haproxy/backends\"]\n    volumes:\n      - ./lb:/usr/local/etc/haproxy:ro\n",
    );
    put("lb/haproxy.cfg", LB_MAIN);
    put("lb/backends/api.cfg", LB_BACKENDS);
    for target in ["lb/haproxy.cfg", "lb/backends/api.cfg", "."] {
        let out = gwlint_in(d, &["--format", "json", "--fail-on", "error", target]);
        let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let codes: Vec<&str> = findings.iter().map(|f| s(f, "code")).collect();
        assert!(
            !codes
                .iter()
                .any(|c| ["GW101", "GW104", "GW210"].contains(c)),
            "{target}: {}",
            show(&findings)
        );
        assert_eq!(out.status.code(), Some(0), "{target}: {}", show(&findings));
    }
}

/// What an include gwlint does not follow could define is unknown, never absent: no "no
/// resolver in scope" and no "undefined upstream" because of it; with the file mapped by
/// `--mount`, its content counts.
#[test]
fn an_include_not_followed_is_unknown_not_absent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    std::fs::create_dir_all(d.join("nginx")).unwrap();
    std::fs::create_dir_all(d.join("shared")).unwrap();
    std::fs::write(
        d.join("nginx/nginx.conf"),
        "events {}\nhttp {\n    include /srv/shared/defs.conf;\n    server {\n        listen 80;\n        set $target api.example.com;\n        location / { proxy_pass http://$target; }\n        location /v2/ { proxy_pass http://backend_v2; }\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("shared/defs.conf"),
        "resolver 127.0.0.11 valid=10s;\nupstream backend { server 127.0.0.1:8000; }\n",
    )
    .unwrap();
    let lint_in = |extra: &[&str]| -> Vec<Value> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .current_dir(d)
            .args(["--format", "json", "nginx/nginx.conf"])
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let unmapped = lint_in(&[]);
    let codes: Vec<&str> = unmapped.iter().map(|f| s(f, "code")).collect();
    assert_eq!(codes, ["GW005"], "{}", show(&unmapped));
    // Mapped, the file is read: its resolver counts, and backend_v2 is a near miss of
    // `backend`, which it now defines.
    let mapped = lint_in(&["--mount", "/srv/shared=shared"]);
    let codes: Vec<&str> = mapped.iter().map(|f| s(f, "code")).collect();
    assert!(
        !codes.contains(&"GW005") && !codes.contains(&"GW601"),
        "{}",
        show(&mapped)
    );
    assert!(codes.contains(&"GW101"), "{}", show(&mapped));
}

/// `[haproxy] files` in gwlint.toml gives the `-f` list when no container does.
#[test]
fn haproxy_files_from_gwlint_toml() {
    let repo = Repo::new();
    let d = repo.path();
    let put = |rel: &str, text: &str| repo.put(rel, text);
    put("lb/haproxy.cfg", LB_MAIN);
    put("lb/backends/api.cfg", LB_BACKENDS);
    let run_here = |target: &str| -> Vec<Value> {
        let out = gwlint_in(d, &["--format", "json", target]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Without the list, the main file alone names a backend it does not have.
    let alone = run_here("lb/haproxy.cfg");
    assert!(
        alone.iter().any(|f| s(f, "code") == "GW101"),
        "{}",
        show(&alone)
    );
    put(
        "gwlint.toml",
        "[haproxy]\nfiles = [\"lb/haproxy.cfg\", \"lb/backends\"]\n",
    );
    for target in ["lb/haproxy.cfg", "lb/backends/api.cfg"] {
        let found = run_here(target);
        let codes: Vec<&str> = found.iter().map(|f| s(f, "code")).collect();
        assert!(
            !codes
                .iter()
                .any(|c| ["GW101", "GW104", "GW210"].contains(c)),
            "{target}: {}",
            show(&found)
        );
    }
}

/// A gwlint.toml comes with the change under review: its `[[mount]]` cannot point outside the
/// repository (`--mount` on the command line can: the user typed it).
#[test]
fn a_gwlint_toml_mount_stays_inside_the_repository() {
    let top = tempfile::tempdir().unwrap();
    let repo = top.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(top.path().join("outside/conf.d")).unwrap();
    let marker = format!("gwlint-outside-{}", std::process::id());
    std::fs::write(
        top.path().join("outside/conf.d/x.conf"),
        format!("server {{ location / {{ proxy_pass http://{marker}_up; }} }}\n"),
    )
    .unwrap();
    std::fs::write(
        repo.join("nginx.conf"),
        "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("gwlint.toml"),
        "[[mount]]\nruntime = \"/etc/nginx\"\npath = \"../outside\"\n",
    )
    .unwrap();
    for args in [&["files", "."][..], &["--format", "json", "."][..]] {
        let out = gwlint_in(&repo, args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(&marker), "{args:?}: {text}");
        assert!(!text.contains("outside/conf.d/x.conf"), "{args:?}: {text}");
    }
    let out = gwlint_in(&repo, &["--format", "json", "."]);
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| s(f, "code") == "GW005" && s(f, "message").contains("leaves the linted tree")),
        "{}",
        show(&findings)
    );
    // The same mount given on the command line is the user's choice.
    let out = gwlint_in(
        &repo,
        &[
            "--isolated",
            "--format",
            "json",
            "--mount",
            "/etc/nginx=../outside",
            ".",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&marker));
}

/// A fragment no main file loads (a template kept beside conf.d/): its relative includes start
/// at the prefix of the nginx.conf around it; with none around, where they lead is unknown.
#[test]
fn a_fragment_s_relative_includes_start_at_the_main_prefix() {
    let repo = Repo::new();
    let d = repo.path();
    let put = |rel: &str, text: &str| repo.put(rel, text);
    put(
        "nginx/nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    );
    put(
        "nginx/conf.d/site.conf",
        "server {\n    listen 80;\n    include h5bp/basic.conf;\n}\n",
    );
    put(
        "nginx/conf.d/templates/example.conf",
        "server {\n    listen 80;\n    include h5bp/basic.conf;\n}\n",
    );
    put(
        "nginx/h5bp/basic.conf",
        "add_header X-Content-Type-Options nosniff always;\n",
    );
    put(
        "orphan/site.conf",
        "server {\n    listen 80;\n    include h5bp/missing.conf;\n}\n",
    );
    let out = gwlint_in(d, &["--format", "json", "."]);
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !findings.iter().any(|f| s(f, "code") == "GW002"),
        "{}",
        show(&findings)
    );
    let orphan: Vec<&Value> = findings
        .iter()
        .filter(|f| s(f, "file").ends_with("orphan/site.conf"))
        .collect();
    assert_eq!(orphan.len(), 1, "{}", show(&findings));
    assert_eq!(s(orphan[0], "code"), "GW005");
    assert!(
        s(orphan[0], "message").contains("fragment"),
        "{}",
        show(&findings)
    );
}

/// Writes `files` into a new repository (a directory with `.git`) and lints `args` there.
fn in_repo(files: &[(&str, &str)], args: &[&str]) -> (Repo, Vec<Value>, String) {
    let repo = Repo::new();
    for (rel, text) in files {
        repo.put(rel, text);
    }
    let args: Vec<&str> = ["--format", "json"].iter().chain(args).copied().collect();
    let out = gwlint_in(repo.path(), &args);
    let findings = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (repo, findings, stderr)
}

fn codes_of(findings: &[Value]) -> Vec<&str> {
    findings.iter().map(|f| s(f, "code")).collect()
}

/// `docker build -f alpine/Dockerfile .`: the sources are at the repository's root, not
/// beside the Dockerfile.
#[test]
fn a_dockerfile_whose_context_is_the_repository_root() {
    let (_d, found, _) = in_repo(
        &[
            (
                "alpine/Dockerfile",
                "FROM openresty/openresty:alpine\nCOPY nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\nCOPY site.conf /etc/nginx/conf.d/default.conf\n",
            ),
            (
                "nginx.conf",
                "events {}\nhttp {\n    upstream api { server 127.0.0.1:8000; }\n    include /etc/nginx/conf.d/*.conf;\n}\n",
            ),
            (
                "site.conf",
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://apii;\n    }\n}\n",
            ),
        ],
        &["."],
    );
    assert_finding(&found, "GW101", "./site.conf", 4);
}

/// A Dockerfile COPY adds files to the image's: a file the repository lacks there may be the
/// image's own (unknown), where a Compose bind mount of the directory replaces it (GW002).
#[test]
fn copied_files_join_the_image_s_and_bind_mounts_replace_them() {
    let nginx = "events {}\nhttp {\n    include /etc/nginx/extra/proxy.conf;\n    include /etc/nginx/conf.d/*.conf;\n}\n";
    let (_d, copied, _) = in_repo(
        &[
            ("Dockerfile", "FROM nginx:1.27\nCOPY nginx/ /etc/nginx/\n"),
            ("nginx/nginx.conf", nginx),
            ("nginx/conf.d/site.conf", "server { listen 80; }\n"),
        ],
        &["."],
    );
    assert!(!codes_of(&copied).contains(&"GW002"), "{}", show(&copied));
    assert!(codes_of(&copied).contains(&"GW005"), "{}", show(&copied));
    let (_d, bound, _) = in_repo(
        &[
            (
                "compose.yaml",
                "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx:/etc/nginx:ro\n",
            ),
            ("nginx/nginx.conf", nginx),
            ("nginx/conf.d/site.conf", "server { listen 80; }\n"),
        ],
        &["."],
    );
    assert!(codes_of(&bound).contains(&"GW002"), "{}", show(&bound));
}

/// Fedora's and RHEL's `haproxy -f haproxy.cfg -f conf.d`: the defaults in the main file
/// hold for the sections in conf.d/.
#[test]
fn haproxy_cfg_beside_conf_d_is_one_configuration() {
    let files = [
        (
            "haproxy/haproxy.cfg",
            "global\n    maxconn 1000\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n",
        ),
        (
            "haproxy/conf.d/app.cfg",
            "frontend www\n    bind :80\n    default_backend app\n\nbackend app\n    server a1 10.0.0.1:8000 check\n    server a2 10.0.0.2:8000 check\n",
        ),
    ];
    // The directory, and the file of conf.d/ alone (as pre-commit passes it).
    for args in [".", "haproxy/conf.d/app.cfg"] {
        let (_d, found, _) = in_repo(&files, &[args]);
        assert!(
            !codes_of(&found).contains(&"GW210"),
            "{args}: {}",
            show(&found)
        );
    }
}

/// `*.conf` is also redis's, supervisord's and fail2ban's extension: a directory walk lints
/// only what reads as nginx, and says how many it skipped; a file a proxy container copies
/// to its configuration path is linted whatever its name.
#[test]
fn only_nginx_is_linted_as_nginx() {
    let (d, found, _) = in_repo(
        &[
            ("redis/redis.conf", "bind 127.0.0.1\nport 6379\n"),
            (
                "supervisor/supervisord.conf",
                "[program:web]\ncommand=/usr/bin/web\n",
            ),
            ("fail2ban/jail.conf", "[sshd]\nenabled = true\n"),
            (
                "proxy/Dockerfile",
                "FROM nginx:1.27\nCOPY conf /etc/nginx/conf.d/default.conf\n",
            ),
            (
                "proxy/conf",
                "upstream app { server 127.0.0.1:8000; }\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://ap;\n    }\n}\n",
            ),
        ],
        &["."],
    );
    assert!(!codes_of(&found).contains(&"GW001"), "{}", show(&found));
    assert_finding(&found, "GW101", "./proxy/conf", 5);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(d.path())
        .args(["--format", "concise", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Skipped 3 files found by name that are not nginx or HAProxy configuration"),
        "{text}"
    );
}

/// A Compose file gwlint cannot read is said (a note on standard error), never silently
/// dropped, and does not fail the run; a flow list closed at its key's indentation is read.
#[test]
fn compose_files_gwlint_cannot_read_are_said() {
    let (_d, found, stderr) = in_repo(
        &[
            (
                "compose.yaml",
                "services:\n  web:\n    image: nginx\n    volumes: [\"./nginx.conf:/etc/nginx/nginx.conf\"\n  broken: : :\n",
            ),
            ("nginx.conf", "events {}\nhttp { server { listen 80; } }\n"),
        ],
        &["."],
    );
    assert!(
        stderr.contains("gwlint: note: ") && stderr.contains("compose.yaml"),
        "{stderr}"
    );
    assert!(!codes_of(&found).contains(&"GW000"), "{}", show(&found));
    let (_d, found, stderr) = in_repo(
        &[
            (
                "compose.yaml",
                "services:\n  db:\n    healthcheck:\n      test: [\n        \"CMD-SHELL\",\n        \"true\"\n      ]\n  web:\n    image: nginx:1.27\n    volumes: [\"./proxy.conf:/etc/nginx/conf.d/default.conf:ro\"]\n",
            ),
            (
                "proxy.conf",
                "upstream app { server 127.0.0.1:8000; }\nserver {\n    listen 80;\n    location / { proxy_pass http://ap; }\n}\n",
            ),
        ],
        &["proxy.conf"],
    );
    assert!(!stderr.contains("note"), "{stderr}");
    assert_finding(&found, "GW101", "proxy.conf", 4);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(_d.path())
        .args(["files", "--format", "json", "proxy.conf"])
        .output()
        .unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        listed[0]["runtime"].as_str(),
        Some("/etc/nginx/conf.d/default.conf"),
        "{listed:?}"
    );
}

/// Every way a change under review could point the plan outside the repository: no byte of
/// the outside files reaches the output (their marker line), whatever the route.
#[test]
fn nothing_outside_the_repository_through_the_plan() {
    #[cfg(unix)]
    use std::os::unix::fs::symlink;
    let top = tempfile::tempdir().unwrap();
    let outside = top.path().join("outside");
    std::fs::create_dir_all(outside.join("conf.d")).unwrap();
    let marker = format!("gwlint-plan-secret-{}", std::process::id());
    let secret_cfg = format!("backend {marker}\n    server s1 {marker}:80\n");
    std::fs::write(outside.join("secret.cfg"), &secret_cfg).unwrap();
    std::fs::write(outside.join("conf.d/leak.cfg"), &secret_cfg).unwrap();
    std::fs::write(
        outside.join("nginx.conf"),
        format!("events {{}}\nhttp {{ upstream {marker} {{ server 127.0.0.1:1; }} }}\n"),
    )
    .unwrap();
    let haproxy = "global\n    maxconn 100\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend www\n    bind :80\n    default_backend web\n\nbackend web\n    server w1 10.0.0.1:80 check\n";
    // (what, files to write, links to make), each path relative to a repository of its own.
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, Vec<(&'a str, String)>);
    let cases: Vec<Case> = vec![
        (
            "[haproxy] files naming files outside",
            vec![
                ("lb/haproxy.cfg", haproxy.to_string()),
                ("gwlint.toml", format!("[haproxy]\nfiles = [\"lb/haproxy.cfg\", \"{}\", \"../outside/secret.cfg\"]\n", outside.join("secret.cfg").display())),
            ],
            vec![],
        ),
        (
            "[nginx] prefix outside",
            vec![
                ("nginx.conf", "events {}\nhttp {\n    include nginx.conf;\n}\n".to_string()),
                ("gwlint.toml", format!("[nginx]\nprefix = \"{}\"\n", outside.display())),
            ],
            vec![],
        ),
        (
            "a Compose volume from outside in an HAProxy -f list",
            vec![
                ("lb/haproxy.cfg", haproxy.to_string()),
                ("compose.yaml", "services:\n  lb:\n    image: haproxy:2.8\n    command: [\"haproxy\", \"-f\", \"/usr/local/etc/haproxy/haproxy.cfg\", \"-f\", \"/x/secret.cfg\"]\n    volumes:\n      - ./lb:/usr/local/etc/haproxy:ro\n      - ../outside/secret.cfg:/x/secret.cfg:ro\n".to_string()),
            ],
            vec![],
        ),
        (
            "a main file beside conf.d/ that links outside",
            vec![("haproxy/conf.d/10.cfg", haproxy.to_string())],
            vec![("haproxy/haproxy.cfg", outside.join("secret.cfg").display().to_string())],
        ),
        (
            "a conf.d/ that links outside",
            vec![("haproxy/haproxy.cfg", haproxy.to_string())],
            vec![("haproxy/conf.d", outside.join("conf.d").display().to_string())],
        ),
        (
            "a container's main file that links outside",
            vec![
                ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./conf.d:/etc/nginx/conf.d:ro\n".to_string()),
                ("conf.d/site.conf", "server { listen 80; }\n".to_string()),
            ],
            vec![("nginx.conf", outside.join("nginx.conf").display().to_string())],
        ),
    ];
    for (what, files, links) in cases {
        let repo = top
            .path()
            .join(what.replace(' ', "_").replace(['[', ']', '/', '-'], ""));
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        for (rel, text) in &files {
            let p = repo.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        #[cfg(unix)]
        for (rel, target) in &links {
            let p = repo.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            symlink(target, p).unwrap();
        }
        for args in [
            &["--format", "json", "."][..],
            &["--format", "pretty", "."][..],
            &["files", "."][..],
            &["--format", "concise", "conf.d/site.conf"][..],
            &["--format", "concise", "haproxy/conf.d/10.cfg"][..],
            &["--format", "concise", "lb/haproxy.cfg"][..],
        ] {
            let out = gwlint_in(&repo, args);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!text.contains(&marker), "{what}, {args:?}: {text}");
            assert!(!text.contains("leak.cfg"), "{what}, {args:?}: {text}");
        }
    }
}

/// One match of a glob that cannot be read (a link out of the tree) does not drop the
/// others: the typo in the readable one is still found.
#[test]
fn one_unreadable_match_keeps_the_other_matches() {
    let (d, _, _) = in_repo(
        &[
            (
                "etc/nginx/nginx.conf",
                "events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; }\n    include /etc/nginx/sites-enabled/*;\n}\n",
            ),
            (
                "etc/nginx/sites-available/app",
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://ap;\n    }\n}\n",
            ),
        ],
        &["."],
    );
    #[cfg(unix)]
    {
        std::fs::create_dir_all(d.path().join("etc/nginx/sites-enabled")).unwrap();
        std::os::unix::fs::symlink(
            "../sites-available/app",
            d.path().join("etc/nginx/sites-enabled/app"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            "/etc/hostname",
            d.path().join("etc/nginx/sites-enabled/default"),
        )
        .unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(d.path())
        .args(["--format", "json", "."])
        .output()
        .unwrap();
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_finding(&found, "GW101", "./etc/nginx/sites-available/app", 4);
    assert!(
        found
            .iter()
            .any(|f| s(f, "code") == "GW005" && s(f, "message").contains("/etc/hostname")),
        "{}",
        show(&found)
    );
    assert!(codes_of(&found).contains(&"GW005"), "{}", show(&found));
}

/// A file is placed only by its own repository's containers: another repository in the same
/// run that mounts it (`../other/conf.d`) changes nothing.
#[test]
fn another_repository_s_containers_do_not_place_a_file() {
    let top = tempfile::tempdir().unwrap();
    let put = |rel: &str, text: &str| {
        let p = top.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    std::fs::create_dir_all(top.path().join("one/.git")).unwrap();
    std::fs::create_dir_all(top.path().join("two/.git")).unwrap();
    put(
        "one/conf.d/app.conf",
        "upstream app { server 127.0.0.1:8000; }\nserver {\n    listen 80;\n    location / { proxy_pass http://app; }\n    include /etc/nginx/extra.conf;\n}\n",
    );
    put(
        "two/compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ../one/conf.d:/etc/nginx/conf.d:ro\n",
    );
    put("two/site.conf", "server { listen 81; }\n");
    let run = |args: &[&str]| -> Vec<Value> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .current_dir(top.path())
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let in_file = |found: Vec<Value>| -> Vec<String> {
        found
            .iter()
            .filter(|f| s(f, "file").contains("one/conf.d/app.conf"))
            .map(|f| format!("{}:{}", s(f, "code"), f["line"]))
            .collect()
    };
    let alone = in_file(run(&["one/conf.d/app.conf"]));
    let together = in_file(run(&["two", "one/conf.d/app.conf"]));
    assert_eq!(alone, together);
    assert!(!alone.is_empty());
}

/// A hidden directory that holds configuration a few levels down (`.examples/…/nginx.conf`)
/// is said to be skipped, and linted when named; a Dockerfile template is no nginx template.
#[test]
fn hidden_directories_with_configuration_are_said() {
    let repo = Repo::new();
    repo.put(
        ".examples/compose/web/nginx.conf",
        "events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; }\n    server {\n        listen 80;\n        location / { proxy_pass http://ap; }\n    }\n}\n",
    );
    repo.put(".cache/notes.txt", "nothing to lint\n");
    repo.put("Dockerfile-debian.template", "FROM debian:%%VERSION%%\n");
    repo.put(
        "nginx/templates/default.conf.template",
        "server { listen ${PORT}; }\n",
    );
    repo.put("nginx/nginx.conf", "events {}\nhttp {}\n");
    let out = gwlint_in(repo.path(), &["--format", "concise", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Skipped ./.examples: a hidden directory"),
        "{text}"
    );
    assert!(!text.contains(".cache"), "{text}");
    assert!(!text.contains("Dockerfile-debian.template"), "{text}");
    assert!(text.contains("default.conf.template: a template"), "{text}");
    let out = gwlint_in(repo.path(), &["--format", "json", ".examples"]);
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_finding(&found, "GW101", ".examples/compose/web/nginx.conf", 6);
}

/// What places a file does not depend on which larger directory the run walked: a Compose
/// file deeper than the tree's own search looks counts neither way.
#[test]
fn placement_does_not_depend_on_the_walk() {
    let repo = Repo::new();
    let deep = "a/b/c/d/e/f";
    repo.put(
        &format!("{deep}/compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./conf.d:/etc/nginx/conf.d:ro\n",
    );
    repo.put(
        &format!("{deep}/conf.d/app.conf"),
        "upstream app { server 127.0.0.1:8000; }\nserver {\n    listen 80;\n    location / { proxy_pass http://app; }\n}\n",
    );
    let file = format!("{deep}/conf.d/app.conf");
    let runtime_of = |args: &[&str]| -> Option<String> {
        let out = gwlint_in(repo.path(), args);
        let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        listed
            .iter()
            .find(|e| s(e, "file").ends_with(&file))
            .and_then(|e| e["runtime"].as_str().map(str::to_string))
    };
    let alone = runtime_of(&["files", "--format", "json", &file]);
    let walked = runtime_of(&["files", "--format", "json", ".", &file]);
    assert_eq!(alone, walked);
    // Nearer the top, the Compose file places it, both ways.
    let near = "a/b";
    repo.put(
        &format!("{near}/compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./c/d/e/f/conf.d:/etc/nginx/conf.d:ro\n",
    );
    let alone = runtime_of(&["files", "--format", "json", &file]);
    let walked = runtime_of(&["files", "--format", "json", ".", &file]);
    assert_eq!(alone.as_deref(), Some("/etc/nginx/conf.d/app.conf"));
    assert_eq!(alone, walked);
}

/// An editor's buffer named by Debian's link (`sites-enabled/app -> ../sites-available/app`)
/// stands for the file the link leads to: the buffer, not the disk, is linted, in the
/// deployment.
#[test]
fn a_buffer_named_by_a_sites_enabled_link() {
    let link = format!("{ROOT}/debian/etc/nginx/sites-enabled/app");
    let text = DEBIAN.typo_text();
    let (_, found) = lint(&["-", "--stdin-filename", &link], Some(text.as_bytes()));
    assert_finding(&found, "GW101", &link, DEBIAN.line);
    let fixed = text.replace("api_backnd", "api_backend");
    let (code, found) = lint(&["-", "--stdin-filename", &link], Some(fixed.as_bytes()));
    assert_clean(&DEBIAN, code, &found);
}

/// A link named on the command line (a changed `sites-enabled/x`, as pre-commit passes it)
/// is read where its deployment maps it, never from this machine: Debian's absolute link
/// leads to the repository's `sites-available/x`; a link out of the tree is not read.
#[test]
fn a_link_named_alone_is_read_where_its_deployment_maps_it() {
    #[cfg(unix)]
    {
        let repo = Repo::new();
        let top = tempfile::tempdir().unwrap();
        let marker = format!("gwlint-linked-secret-{}", std::process::id());
        let secret = top.path().join("secret.conf");
        std::fs::write(&secret, format!("server {{ {marker} }}\n")).unwrap();
        repo.put(
            "etc/nginx/nginx.conf",
            "events {}\nhttp {\n    upstream app { server 127.0.0.1:8000; }\n    include /etc/nginx/sites-enabled/*;\n}\n",
        );
        repo.put(
            "etc/nginx/sites-available/app",
            "server {\n    listen 80;\n    location / {\n        proxy_pass http://ap;\n    }\n}\n",
        );
        let enabled = repo.path().join("etc/nginx/sites-enabled");
        std::fs::create_dir_all(&enabled).unwrap();
        std::os::unix::fs::symlink("/etc/nginx/sites-available/app", enabled.join("app")).unwrap();
        std::os::unix::fs::symlink(&secret, enabled.join("default")).unwrap();
        let out = gwlint_in(
            repo.path(),
            &["--format", "json", "etc/nginx/sites-enabled/app"],
        );
        let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_finding(&found, "GW101", "etc/nginx/sites-available/app", 4);
        for format in FORMATS {
            let out = gwlint_in(
                repo.path(),
                &["--format", format, "etc/nginx/sites-enabled/default"],
            );
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!text.contains(&marker), "{format}: {text}");
        }
    }
}

/// A Compose stack outside any repository, named by its absolute path from elsewhere: the
/// directory given bounds the tree, so its compose.yaml places nginx.conf at /etc/nginx as it
/// does when the stack is linted as `.` from inside.
#[test]
fn a_stack_named_from_elsewhere_is_planned_as_from_inside() {
    let dir = tempfile::tempdir().unwrap();
    let stack = dir.path().join("stack");
    std::fs::create_dir_all(stack.join("nginx")).unwrap();
    std::fs::write(
        stack.join("nginx/nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 8080;\n        location / {\n            fastcgi_pass 127.0.0.1:9000;\n            include fastcgi_params;\n        }\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(stack.join("nginx/fastcgi_params"), "fastcgi_param A b;\n").unwrap();
    std::fs::write(
        stack.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/fastcgi_params:/etc/nginx/fastcgi_params:ro\n",
    )
    .unwrap();
    let files = |cwd: &Path, path: &str| {
        let o = common_cli::gwlint()
            .current_dir(cwd)
            .args(["files", path])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let inside = files(&stack, ".");
    assert!(inside.contains("at /etc/nginx/nginx.conf"), "{inside}");
    let elsewhere = files(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        stack.to_str().unwrap(),
    );
    assert!(
        elsewhere.contains("at /etc/nginx/nginx.conf"),
        "{elsewhere}"
    );
}
