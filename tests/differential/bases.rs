//! The configurations the mutants start from: every nginx and HAProxy example of the rule pages
//! (`## Good` and `## Bad`), and every nginx main file (one with `events`) and HAProxy `.cfg`
//! under `examples/` and `tests/fixtures/`, with the files next to it. Which of them are used
//! is the real proxy's decision (the harness checks each one first).
//!
//! The preparation for one machine rewrites words in place, so every line keeps its number and
//! gwlint reads exactly what the proxy reads: listeners on loopback (same port), nginx's pid,
//! logs, temporary and cache paths, the certificates and CA files of both proxies (test
//! certificates made here), nginx's `user` (`root`, which every machine has), and absolute include paths that name a
//! file of the copied tree (`/etc/nginx/conf.d/*.conf` → `DIR/conf.d/*.conf`). An include of a
//! file nginx ships (`mime.types`, `fastcgi_params`…) that the tree lacks gets the installed
//! copy. Paths are written with the placeholder [`DIR`], replaced by the directory of each check.

use std::path::Path;
use std::sync::OnceLock;

use crate::lex;

/// The directory a configuration is checked in, as written in the prepared texts.
pub const DIR: &str = "@DIR@";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Dialect {
    Nginx,
    Haproxy,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Nginx => "nginx",
            Dialect::Haproxy => "haproxy",
        }
    }
}

/// One configuration: its files (relative path, prepared text) and which one is the root.
#[derive(Clone, Debug)]
pub struct Base {
    pub name: String,
    pub dialect: Dialect,
    pub files: Vec<(String, String)>,
    pub root: usize,
    /// The files a mutation may change: for nginx the ones `nginx -T` says it read (set once
    /// the base is checked), for HAProxy the root. Test certificates and copies of the files
    /// nginx ships are never changed.
    pub mutable: Vec<usize>,
    /// Files added by the preparation (certificates, nginx's own files).
    pub added: Vec<usize>,
}

impl Base {
    pub fn root_path(&self) -> &str {
        &self.files[self.root].0
    }

    /// Writes every file under `dir`, with [`DIR`] replaced by `dir`; `replace` substitutes
    /// one file's text (a mutant).
    pub fn write(&self, dir: &Path, replace: Option<(usize, &str)>) {
        let d = dir.display().to_string();
        for (i, (name, text)) in self.files.iter().enumerate() {
            let text = match replace {
                Some((j, t)) if j == i => t,
                _ => text.as_str(),
            };
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text.replace(DIR, &d)).unwrap();
        }
    }
}

/// The bases from the rule pages: one per example and per root of a chain example.
pub fn pages() -> Vec<Base> {
    let mut out = Vec::new();
    for rule in gwlint::rules::RULES {
        for heading in ["Good", "Bad"] {
            let examples = crate::common_pages::examples(rule.page, &format!("## {heading}"));
            for (n, ex) in examples.into_iter().enumerate() {
                let roots: Vec<String> = std::iter::once(ex.files[0].0.clone())
                    .chain(ex.roots.iter().cloned())
                    .collect();
                for root in &roots {
                    let mut name = format!("{} {} {}", rule.code, heading.to_lowercase(), n + 1);
                    if roots.len() > 1 {
                        name.push_str(&format!(" ({root})"));
                    }
                    if ex.online {
                        name.push_str(" online");
                    }
                    let root = ex.files.iter().position(|(p, _)| p == root).unwrap();
                    out.push(prepare(name, ex.files.clone(), root));
                }
            }
        }
    }
    out
}

/// The bases from `examples/` and `tests/fixtures/`: each nginx main file and HAProxy `.cfg`
/// with the tree it belongs to (the directory two levels below `examples/` or `tests/fixtures/`).
pub fn fixtures(manifest: &Path) -> Vec<Base> {
    let mut out = Vec::new();
    for top in ["examples", "tests/fixtures"] {
        let top = manifest.join(top);
        for (path, _, _) in main_files(&top) {
            let rel = path.strip_prefix(&top).unwrap();
            let depth = rel.components().count().saturating_sub(1).min(2);
            let tree_root: std::path::PathBuf =
                top.join(rel.iter().take(depth).collect::<std::path::PathBuf>());
            let mut files = Vec::new();
            for e in walkdir::WalkDir::new(&tree_root)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
            {
                let Ok(t) = std::fs::read_to_string(e.path()) else {
                    continue;
                };
                let r = e.path().strip_prefix(&tree_root).unwrap();
                files.push((r.to_string_lossy().into_owned(), t));
            }
            let root_rel = path
                .strip_prefix(&tree_root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let root = files.iter().position(|(p, _)| *p == root_rel).unwrap();
            let name = path.strip_prefix(manifest).unwrap().display().to_string();
            out.push(prepare(name, files, root));
        }
    }
    out
}

/// The files of a directory of real configurations (`GWLINT_DIFF_CORPUS`), each one alone:
/// nginx main files and HAProxy `.cfg` files, prepared as the fixtures are. They are checked,
/// not mutated: the measure is gwlint's verdict on configurations it was not written against.
pub fn corpus(dir: &Path) -> Vec<Base> {
    let mut out = Vec::new();
    for (path, text, haproxy) in main_files(dir) {
        let file = if haproxy { "haproxy.cfg" } else { "nginx.conf" };
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        out.push(prepare(name, vec![(file.to_string(), text)], 0));
    }
    out
}

/// The main configurations under `dir`, in path order: (path, text, is it HAProxy's).
fn main_files(dir: &Path) -> Vec<(std::path::PathBuf, String, bool)> {
    let mut paths: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let haproxy = path.extension().is_some_and(|e| e == "cfg");
            (haproxy || nginx_main(&path, &text)).then_some((path, text, haproxy))
        })
        .collect()
}

/// A file of nginx's: not a file of another kind, and `events` at its top level.
fn nginx_main(path: &Path, text: &str) -> bool {
    let skip = [
        "json", "md", "txt", "yaml", "yml", "cfg", "lst", "map", "sh", "pem", "toml",
    ];
    if path
        .extension()
        .is_some_and(|e| skip.contains(&e.to_string_lossy().as_ref()))
    {
        return false;
    }
    lex::nginx(text).is_some_and(|s| {
        s.iter()
            .any(|s| s.parent.is_none() && &text[s.name.clone()] == "events")
    })
}

fn dialect_of(path: &str) -> Dialect {
    if path.ends_with(".cfg") {
        Dialect::Haproxy
    } else {
        Dialect::Nginx
    }
}

struct Certs {
    cert: String,
    key: String,
}

/// A self-signed certificate for `localhost` (it is also the CA file).
fn certs() -> &'static Certs {
    static C: OnceLock<Certs> = OnceLock::new();
    C.get_or_init(|| {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        Certs {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    })
}

/// The files nginx ships that a configuration may include without having them.
const NGINX_OWN: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "uwsgi_params",
    "scgi_params",
    "proxy_params",
    "koi-utf",
    "koi-win",
    "win-utf",
];

fn prepare(name: String, files: Vec<(String, String)>, root: usize) -> Base {
    let dialect = dialect_of(&files[root].0);
    let mut base = Base {
        name,
        dialect,
        files,
        root,
        mutable: Vec::new(),
        added: Vec::new(),
    };
    let c = certs();
    for (f, text) in [
        ("gw-cert.pem", c.cert.clone()),
        ("gw-key.pem", c.key.clone()),
        ("gw-ca.pem", c.cert.clone()),
        ("gw-combined.pem", format!("{}{}", c.cert, c.key)),
    ] {
        base.added.push(base.files.len());
        base.files.push((f.to_string(), text));
    }
    match dialect {
        Dialect::Nginx => {
            for i in 0..base.files.len() {
                if dialect_of(&base.files[i].0) == Dialect::Nginx && !base.added.contains(&i) {
                    let text = nginx_file(&mut base, i);
                    base.files[i].1 = text;
                }
            }
        }
        Dialect::Haproxy => {
            base.files[root].1 = haproxy_file(&base, root);
            base.mutable = vec![root];
        }
    }
    base
}

/// Replaces byte ranges (none overlapping) with new words.
pub fn splice(text: &str, mut edits: Vec<(lex::Span, String)>) -> String {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse((r.start, r.end)));
    let mut out = text.to_string();
    for (r, w) in edits {
        out.replace_range(r, &w);
    }
    out
}

/// A listener's address on loopback, the port kept: `80` → `127.0.0.1:80`, `[::]:443` →
/// `[::1]:443`, `*:8080` → `127.0.0.1:8080`; unix sockets and names stay.
fn nginx_listen(addr: &str) -> Option<String> {
    if addr.starts_with("unix:") {
        return None;
    }
    if addr.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("127.0.0.1:{addr}"));
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (_, after) = rest.split_once(']')?;
        return Some(format!("[::1]{after}"));
    }
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, ""));
    let port = if port.is_empty() {
        String::new()
    } else {
        format!(":{port}")
    };
    if host == "*" || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some(format!("127.0.0.1{port}"));
    }
    None
}

/// The same for HAProxy's `bind` (`:80`, `*:443`, `:::80`, `ipv4@0.0.0.0:80`, lists with `,`).
fn haproxy_bind(addrs: &str) -> String {
    addrs
        .split(',')
        .map(|a| {
            let (prefix, addr) = match a.split_once('@') {
                Some((p, rest)) => (format!("{p}@"), rest),
                None => (String::new(), a),
            };
            if ["unix@", "abns@", "fd@", "sockpair@"].contains(&prefix.as_str()) {
                return a.to_string();
            }
            let Some((host, port)) = addr.rsplit_once(':') else {
                return a.to_string();
            };
            let host =
                if host.is_empty() || host == "*" || host.parse::<std::net::Ipv4Addr>().is_ok() {
                    "127.0.0.1"
                } else if host.contains(':') || host.parse::<std::net::Ipv6Addr>().is_ok() {
                    "::1"
                } else {
                    host
                };
            format!("{prefix}{host}:{port}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn unquote(w: &str) -> &str {
    w.trim_matches(|c| c == '"' || c == '\'')
}

/// Whether `pattern` (relative to the tree, maybe a glob) names something of the tree: the
/// file itself, or for a glob, an existing directory before the first wildcard.
fn in_tree(files: &[(String, String)], pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    if !pattern.contains(['*', '?', '[']) {
        return files.iter().any(|(p, _)| p == pattern);
    }
    let dir: Vec<&str> = pattern
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .collect();
    if dir.is_empty() {
        return false;
    }
    let dir = format!("{}/", dir.join("/"));
    files.iter().any(|(p, _)| p.starts_with(&dir))
}

/// An absolute path of the configuration as a path of the tree: the shortest prefix dropped
/// that leaves something of the tree (`/etc/nginx/conf.d/*.conf` → `conf.d/*.conf`).
fn tree_path(files: &[(String, String)], path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    (0..parts.len())
        .map(|k| parts[k..].join("/"))
        .find(|p| in_tree(files, p))
}

fn nginx_file(base: &mut Base, i: usize) -> String {
    let text = base.files[i].1.clone();
    let Some(stmts) = lex::nginx(&text) else {
        return text;
    };
    let root_dir = Path::new(&base.files[base.root].0)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefixed = |p: &str| {
        if root_dir.is_empty() {
            p.to_string()
        } else {
            format!("{root_dir}/{p}")
        }
    };
    let mut edits = Vec::new();
    let mut cache = 0;
    for s in &stmts {
        let name = &text[s.name.clone()];
        let arg = |k: usize| s.args.get(k).map(|a| unquote(&text[a.clone()]));
        let mut set = |k: usize, w: String| {
            if let Some(a) = s.args.get(k) {
                edits.push((a.clone(), w));
            }
        };
        match name {
            "listen" => {
                if let Some(a) = arg(0).and_then(nginx_listen) {
                    set(0, a);
                }
            }
            "pid" => set(0, format!("{DIR}/gw.pid")),
            // Files, not `stderr`, `syslog:…`, `off` or a path made of variables.
            "error_log" if arg(0).is_some_and(|a| a != "stderr" && !a.contains(':')) => {
                set(0, format!("{DIR}/gw-error.log"))
            }
            "access_log" if arg(0).is_some_and(|a| a != "off" && !a.contains([':', '$'])) => {
                set(0, format!("{DIR}/gw-access.log"))
            }
            // A user and group every machine has (nginx -t looks them up when run as root).
            "user" => {
                set(0, "root".to_string());
                set(1, "root".to_string());
            }
            "include" => {
                let Some(p) = arg(0).map(str::to_string) else {
                    continue;
                };
                let file = p.rsplit('/').next().unwrap_or(&p).to_string();
                let local = if p.starts_with('/') {
                    None
                } else {
                    Some(prefixed(&p))
                };
                if local.as_deref().is_some_and(|l| in_tree(&base.files, l)) {
                    continue;
                }
                if p.starts_with('/') {
                    if let Some(t) = tree_path(&base.files, &p) {
                        set(0, format!("{DIR}/{t}"));
                        continue;
                    }
                }
                // One of nginx's own files, missing from the tree: the installed copy.
                let own = Path::new("/etc/nginx").join(&file);
                if NGINX_OWN.contains(&file.as_str()) && own.is_file() {
                    let at = prefixed(&file);
                    if !base.files.iter().any(|(f, _)| *f == at) {
                        base.added.push(base.files.len());
                        base.files
                            .push((at.clone(), std::fs::read_to_string(&own).unwrap()));
                    }
                    if p.starts_with('/') {
                        set(0, format!("{DIR}/{at}"));
                    } else if p != file {
                        set(0, file.clone());
                    }
                }
            }
            n if n.ends_with("_temp_path") => set(0, format!("{DIR}/tmp-{n}")),
            n if n.ends_with("_cache_path") => {
                cache += 1;
                set(0, format!("{DIR}/cache-{cache}"));
            }
            n if n.ends_with("_certificate_key") && arg(0).is_some_and(|a| !a.contains('$')) => {
                set(0, format!("{DIR}/gw-key.pem"))
            }
            n if n.ends_with("trusted_certificate") || n == "ssl_client_certificate" => {
                set(0, format!("{DIR}/gw-ca.pem"))
            }
            n if n.ends_with("ssl_certificate") && arg(0).is_some_and(|a| !a.contains('$')) => {
                set(0, format!("{DIR}/gw-cert.pem"))
            }
            _ => {}
        }
    }
    splice(&text, edits)
}

fn haproxy_file(base: &Base, i: usize) -> String {
    let text = &base.files[i].1;
    let abs = regex::Regex::new(r#"(?:^|[(,=])(/[^\s,()'"]+)"#).unwrap();
    let mut edits = Vec::new();
    for line in lex::haproxy(text) {
        let words: Vec<&str> = line.words.iter().map(|w| &text[w.clone()]).collect();
        if words.first() == Some(&"bind") && words.len() > 1 {
            let a = haproxy_bind(words[1]);
            if a != words[1] {
                edits.push((line.words[1].clone(), a));
            }
        }
        for (k, w) in words.iter().enumerate() {
            let next = line.words.get(k + 1).cloned();
            let value = words.get(k + 1).map(|w| unquote(w));
            match *w {
                "crt" if value.is_some() => {
                    edits.push((next.unwrap(), format!("{DIR}/gw-combined.pem")));
                    continue;
                }
                "ca-file" if value.is_some_and(|v| !v.starts_with('@')) => {
                    edits.push((next.unwrap(), format!("{DIR}/gw-ca.pem")));
                    continue;
                }
                _ => {}
            }
            if k > 0 && matches!(words[k - 1], "crt" | "ca-file") {
                continue;
            }
            for m in abs.captures_iter(w) {
                let m = m.get(1).unwrap();
                if let Some(t) = tree_path(&base.files, m.as_str()) {
                    let at = line.words[k].start + m.start();
                    edits.push((at..at + m.len(), format!("{DIR}/{t}")));
                }
            }
        }
    }
    splice(text, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_move_to_loopback() {
        assert_eq!(nginx_listen("80").as_deref(), Some("127.0.0.1:80"));
        assert_eq!(nginx_listen("[::]:443").as_deref(), Some("[::1]:443"));
        assert_eq!(
            nginx_listen("0.0.0.0:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(nginx_listen("unix:/run/x.sock"), None);
        assert_eq!(haproxy_bind(":80"), "127.0.0.1:80");
        assert_eq!(haproxy_bind(":::80"), "::1:80");
        assert_eq!(
            haproxy_bind("ipv4@*:80,10.0.0.1:81"),
            "ipv4@127.0.0.1:80,127.0.0.1:81"
        );
    }
}
