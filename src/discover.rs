//! From the paths a user gives to the configurations to lint: which files, which root
//! configuration each belongs to, and which files' findings to report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::source::FileId;

/// Does this text read as HAProxy configuration? Its first statement opens a section
/// (`global`, `defaults`, `frontend`, …) and no line reads as nginx: ends with `{` or `;`,
/// or with a `}` that closes a block (HAProxy's anonymous ACLs, `if { path_beg /api }`,
/// end with a brace too).
pub fn looks_like_haproxy(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let first = lines
        .next()
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("");
    crate::syntax::haproxy::is_section_keyword(first)
        && !text.lines().any(|l| {
            let l = l.trim_end();
            l.ends_with('{')
                || l.ends_with(';')
                || l.strip_suffix('}').is_some_and(|before| {
                    let before = before.trim_end();
                    before.is_empty() || before.ends_with([';', '{', '}'])
                })
        })
}

/// Does this text read as nginx configuration? For files a directory walk finds by name
/// (`*.conf` is also redis's, supervisord's, fail2ban's, Apache's and dovecot's extension):
/// its first statement starts with a lowercase directive name, some line ends a statement or
/// a block (`;`, `{`, `}`), and no line reads as another format (`key = value`, `[section]`,
/// `<Tag>`, template markup). An empty file passes.
pub(crate) fn looks_like_nginx(text: &str) -> Result<(), &'static str> {
    if text.contains("{{") || text.contains("{%") {
        return Err("a template (`{{`/`{%` markup), not configuration nginx reads");
    }
    let mut first = true;
    let mut ends = false;
    // Lua inside `*_by_lua_block { … }` is not nginx syntax: skipped, by brace depth.
    let mut depth = 0i64;
    let mut lua_until: Option<i64> = None;
    for line in text.lines() {
        let line = match line.find('#') {
            Some(i) => &line[..i],
            None => line,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        let opened = line.matches('{').count() as i64 - line.matches('}').count() as i64;
        if let Some(until) = lua_until {
            depth += opened;
            if depth <= until {
                lua_until = None;
            }
            continue;
        }
        if line.contains("_by_lua_block") && line.ends_with('{') {
            lua_until = Some(depth);
            depth += opened;
            ends = true;
            first = false;
            continue;
        }
        depth += opened;
        if line.starts_with('<') {
            return Err("XML or Apache markup (`<…>` lines), not nginx");
        }
        if line.starts_with('[') && line.ends_with(']') {
            return Err("an INI file (`[section]` lines), not nginx");
        }
        let mut words = line.split_whitespace();
        let word = words.next().unwrap_or("");
        let second = words.next().unwrap_or("");
        if (second == "=" || word.ends_with('=') || second.starts_with('='))
            && !matches!(word, "location" | "if" | "}")
            && !word.starts_with(['"', '\'', '~', '$'])
        {
            return Err("`key = value` lines, not nginx");
        }
        if first {
            first = false;
            let name = word.trim_end_matches([';', '{']);
            let plain = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            if !plain && !matches!(word, "}" | "{") {
                return Err("its first statement is no nginx directive");
            }
        }
        ends |= line.ends_with([';', '{', '}']);
    }
    if !first && !ends {
        return Err("no statement ends with `;` or `{`: not nginx");
    }
    Ok(())
}

/// Could this file (found in a directory walk) be HAProxy configuration? (Its text decides.)
pub(crate) fn is_haproxy_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.') && (name.ends_with(".cfg") || name == "haproxy.conf")
}

/// Could this file (found in a directory walk) be an `nginx -T` dump? (Its text decides.)
pub(crate) fn is_dump_candidate(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    !name.starts_with('.')
        && name.contains("nginx")
        && [".txt", ".dump", ".out", ".log"]
            .iter()
            .any(|x| name.ends_with(x))
}

/// Is this file (found in a directory walk) an nginx configuration?
pub(crate) fn is_nginx_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.') {
        return false;
    }
    if name.ends_with(".conf") {
        return true;
    }
    // Debian's layout: sites-enabled/example.com has no extension.
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    matches!(parent, "sites-enabled" | "sites-available") && !name.contains('.')
        || name.ends_with(".nginx")
}

/// What a directory walk found: configuration files, errors, and what it passed over that a
/// user may have meant (a line each in the report and in `gwlint files`).
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) errors: Vec<String>,
    /// (path, why it was not linted).
    pub(crate) skipped: Vec<(PathBuf, &'static str)>,
    /// Compose files and Dockerfiles seen on the way (the plan reads them).
    pub(crate) composes: Vec<PathBuf>,
    pub(crate) dockerfiles: Vec<PathBuf>,
}

/// Why a file that reads like configuration by its name is not linted on its own.
fn skip_reason(path: &Path) -> Option<&'static str> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.') {
        return None;
    }
    let stem_conf = |suffix: &str| {
        name.strip_suffix(suffix).is_some_and(|s| {
            s.ends_with(".conf") || s.ends_with(".cfg") || s == "nginx" || s.ends_with("nginx.conf")
        })
    };
    if [".sample", ".example", ".dist", ".bak", ".orig"]
        .iter()
        .any(|s| stem_conf(s))
    {
        return Some("an example or backup copy, not loaded by the proxy");
    }
    let in_templates = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "templates");
    if (name.ends_with(".template") || name.ends_with(".stream-template"))
        && (in_templates || name.ends_with(".conf.template"))
    {
        return Some(
            "a template: linted where a Compose file or Dockerfile places it (the official image's templates/ → conf.d/)",
        );
    }
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let config_dir = matches!(
        parent,
        "nginx"
            | "conf.d"
            | "snippets"
            | "haproxy"
            | "site-confs"
            | "proxy-confs"
            | "vhosts"
            | "servers"
    );
    if config_dir
        && !name.contains('.')
        && !matches!(name, "Dockerfile" | "Makefile" | "LICENSE" | "README")
    {
        return Some("no extension outside sites-*/: linted only where an include names it");
    }
    None
}

/// The configuration files below a directory, sorted, without following symbolic links
/// (a link loop cannot trap the walk) and without hidden directories.
pub(crate) fn walk(dir: &Path) -> Walk {
    let mut out = Walk::default();
    let mut hidden = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let skip = e.depth() > 0
                && e.file_type().is_dir()
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || n == "target" || n == "node_modules");
            if skip
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') && n != ".git")
            {
                hidden.push(e.path().to_path_buf());
            }
            !skip
        });
    for entry in walker {
        match entry {
            Ok(e)
                if e.file_type().is_file()
                    && (is_nginx_candidate(e.path())
                        || is_haproxy_candidate(e.path())
                        || is_dump_candidate(e.path())) =>
            {
                out.files.push(e.path().to_path_buf())
            }
            Ok(e) if e.file_type().is_file() => {
                let name = e.file_name().to_str().unwrap_or("");
                if crate::plan::containers::is_compose_name(name) {
                    out.composes.push(e.path().to_path_buf());
                } else if crate::plan::containers::is_dockerfile_name(name) {
                    out.dockerfiles.push(e.path().to_path_buf());
                }
                if let Some(why) = skip_reason(e.path()) {
                    out.skipped.push((e.path().to_path_buf(), why));
                }
            }
            Ok(_) => {}
            Err(e) => out.errors.push(e.to_string()),
        }
    }
    // A hidden directory is reported only when it holds configuration (`.examples/…/nginx.conf`),
    // looked for a few levels down and a bounded number of entries in.
    for h in hidden {
        let holds = walkdir::WalkDir::new(&h)
            .follow_links(false)
            .max_depth(5)
            .into_iter()
            .filter_map(Result::ok)
            .take(2_000)
            .any(|e| {
                e.file_type().is_file()
                    && (is_nginx_candidate(e.path()) || is_haproxy_candidate(e.path()))
            });
        if holds {
            out.skipped
                .push((h, "a hidden directory: name it to lint it"));
        }
    }
    out
}

/// Finds the main configurations above files, asking the file system once per directory: a
/// fleet of 500 sites shares the directories above them.
#[derive(Default)]
pub(crate) struct Roots {
    known: std::collections::HashMap<PathBuf, bool>,
}

impl Roots {
    /// `nginx.conf` files in the file's directory and up to three levels above: the main
    /// configurations that may include it.
    pub(crate) fn of(&mut self, file: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dir = file.parent().map(Path::to_path_buf);
        for _ in 0..4 {
            let Some(d) = dir else { break };
            let candidate = d.join("nginx.conf");
            if candidate != file
                && *self
                    .known
                    .entry(candidate.clone())
                    .or_insert_with(|| candidate.is_file())
                && !same_file(&candidate, file)
            {
                out.push(candidate);
            }
            // A relative path climbs on with "..", as the user would.
            dir = if d.as_os_str().is_empty() || d.ends_with("..") {
                Some(d.join(".."))
            } else {
                d.parent().map(Path::to_path_buf)
            };
        }
        out
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    // Device and inode: two stat calls, where resolving both paths reads every link on them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return (x.dev(), x.ino()) == (y.dev(), y.ino());
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Which files of a tree to report.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    All,
    Files(HashSet<FileId>),
}

impl Scope {
    pub(crate) fn contains(&self, f: FileId) -> bool {
        match self {
            Scope::All => true,
            Scope::Files(s) => s.contains(&f),
        }
    }
    pub(crate) fn merge(&mut self, other: Scope) {
        match (self as &mut Scope, other) {
            (Scope::All, _) => {}
            (s, Scope::All) => *s = Scope::All,
            (Scope::Files(a), Scope::Files(b)) => a.extend(b),
        }
    }
}

/// What is reachable from `start` through `edges`: the files a file includes, directly or
/// not; the layers a chain leads to.
pub(crate) fn reachable<T: Copy + Eq + std::hash::Hash>(
    start: T,
    edges: &HashMap<T, Vec<T>>,
) -> HashSet<T> {
    let mut seen = HashSet::from([start]);
    let mut todo = vec![start];
    while let Some(f) = todo.pop() {
        for &t in edges.get(&f).map_or(&[][..], Vec::as_slice) {
            if seen.insert(t) {
                todo.push(t);
            }
        }
    }
    seen
}

#[cfg(test)]
mod nginx_tests {
    use super::looks_like_nginx;

    #[test]
    fn nginx_and_the_other_conf_files() {
        for ok in [
            "",
            "# only a comment\n",
            "proxy_set_header Host $host;\n",
            "upstream app {\n    server 127.0.0.1:8000;\n}\n",
            "server {\n    location = /x { return 204; }\n    if ($x = 1) { return 403; }\n}\n",
            "events {}\nhttp { include conf.d/*.conf; }\n",
            "more_set_headers 'Server: x';\n",
            "location / {\n    access_by_lua_block {\n        ngx.ctx.user = \"x\"\n        if a then b = { c = 1 } end\n    }\n    proxy_pass http://app;\n}\n",
        ] {
            assert_eq!(looks_like_nginx(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "[program:web]\ncommand=/usr/bin/web\n",
            "[Definition]\nfailregex = ^x$\n",
            "bind 127.0.0.1\nport 6379\n",
            "ServerRoot \"/etc/httpd\"\nListen 80\n",
            "<VirtualHost *:80>\n</VirtualHost>\n",
            "protocols = imap pop3\nservice imap {\n}\n",
            "options {\n  pidfile = \"/run/rspamd.pid\";\n}\n",
            "server {\n  listen {{ port }};\n}\n",
            "@version: 3.38\nsource s_src { system(); };\n",
        ] {
            assert!(looks_like_nginx(bad).is_err(), "{bad:?}");
        }
    }
}
