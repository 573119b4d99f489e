//! Container definitions (Compose files and Dockerfiles) found in a repository, read for one
//! question: where does each repository file sit at run time inside the container? With that,
//! the absolute paths of a configuration (`include /etc/nginx/conf.d/*.conf;`) map back to the
//! files of the repository.
//!
//! Only what the definitions say is used: no environment is read (a variable without a default
//! makes its mount unknown, and an unknown mount is dropped rather than guessed), no image is
//! pulled, and nothing outside the walked tree is followed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::finding::Dialect;

/// One bind of a repository path at a run-time path inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    /// Absolute path inside the container, normalised (no trailing slash, no `.`/`..`).
    pub(crate) runtime: PathBuf,
    /// The repository path, as the compose file's / Dockerfile's directory joined with the
    /// source and lexically normalised (`deploy/./nginx/../x` -> `deploy/x`). Relative paths stay
    /// relative when the definition file's path was relative.
    pub(crate) local: PathBuf,
    /// Where this mount was declared, for `gwlint files`: e.g. "deploy/compose.yaml:12 (service proxy, volumes)"
    /// or "deploy/Dockerfile:4 (COPY)" or "deploy/compose.yaml:20 (templates → conf.d)".
    pub(crate) origin: String,
    /// 1-based line of the declaration in `file`.
    pub(crate) line: usize,
}

/// One container that runs a proxy (or might): its image and what it mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// The Compose service name; for a bare Dockerfile, the name of its directory.
    pub(crate) name: String,
    /// The Compose file or Dockerfile that declares it.
    pub(crate) file: PathBuf,
    /// 1-based line of the declaration (for Compose files found by searching the text, so
    /// approximate: the YAML loader gives no positions).
    pub(crate) line: usize,
    /// `image:`, or the final stage's `FROM` (e.g. "nginx:1.27-alpine", "haproxy:2.8").
    pub(crate) image: Option<String>,
    /// The final stage's `FROM` when the service is built from a Dockerfile (resolved through
    /// earlier stages), even when `image:` names the built image.
    pub(crate) base_image: Option<String>,
    /// The Dockerfile the image is built from, if any.
    pub(crate) dockerfile: Option<PathBuf>,
    /// In declaration order; later ones win on the same runtime path.
    pub(crate) mounts: Vec<Mount>,
    /// HAProxy `-f` arguments from `command:` / `entrypoint:` / Dockerfile `CMD`/`ENTRYPOINT`
    /// (run-time paths, in order), when the command is haproxy. Empty when the image's own
    /// command runs (`haproxy -f /usr/local/etc/haproxy/haproxy.cfg` for the official image).
    pub(crate) haproxy_files: Vec<PathBuf>,
    /// The effective command line (entrypoint then command) as far as the definitions say it.
    /// Words whose variables are unknown are kept as written.
    pub(crate) command: Vec<String>,
    /// Environment from compose `environment:` (list or map form) and Dockerfile `ENV`, in that
    /// order of precedence reversed: Dockerfile first, so the last entry of a name wins.
    pub(crate) env: Vec<(String, String)>,
    /// Compose service names this service can reach (all services of the same compose file),
    /// for chain linking. Empty for a bare Dockerfile.
    pub(crate) project: Vec<String>,
}

impl Service {
    /// The value of an environment variable of the container (the last definition wins).
    pub(crate) fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery

pub(crate) const MAX_DEPTH: usize = 6;
const MAX_BYTES: u64 = 1 << 20;
const MAX_FILES: usize = 200;
/// Directory entries looked at in one tree: a monorepo linted one file at a time (pre-commit,
/// an editor) must not walk all of it for each run.
const MAX_ENTRIES: usize = 20_000;
/// Bounds the expansion of a Dockerfile glob and the walk of a templates directory.
const MAX_MATCHES: usize = 1000;
/// Bounds the nodes a YAML document may expand to through its aliases (see [`AliasBudget`]).
const MAX_YAML_NODES: u64 = 1_000_000;

/// Is this file name a Compose file: `compose.yaml`, `docker-compose.yml`, or an override such
/// as `docker-compose.prod.yml`?
pub(crate) fn is_compose_name(name: &str) -> bool {
    ["docker-compose", "compose"].iter().any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            let Some(middle) = rest
                .strip_suffix(".yml")
                .or_else(|| rest.strip_suffix(".yaml"))
            else {
                return false;
            };
            // "" for the base file, ".NAME" for an override.
            middle.is_empty() || middle.len() > 1 && middle.starts_with('.')
        })
    })
}

/// Is this file name a Dockerfile: `Dockerfile`, `Dockerfile.prod`, `proxy.Dockerfile`?
pub(crate) fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Per-Dockerfile ignore files and notes share the prefix.
    if [".dockerignore", ".md", ".txt"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        return false;
    }
    lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile")
}

/// Every compose file and Dockerfile under `root` (bounded: depth 6, files of at most 1 MiB, at most
/// 200 definition files; skip hidden directories, `target`, `node_modules`; never follow symlinks),
/// sorted by path, parsed into services. Errors (unparseable YAML) are returned as strings "path: message", never panics.
///
/// A Dockerfile that a Compose file builds is read as part of that service only, not again as
/// a bare Dockerfile.
#[cfg(test)]
pub(crate) fn discover(root: &Path) -> (Vec<Service>, Vec<String>) {
    let (composes, dockerfiles, errors) = definition_files(root, &[]);
    read_definitions(root, composes, dockerfiles, errors)
}

/// The Compose files and Dockerfiles under `root` outside the directories in `skip` (whose
/// definitions a directory walk found already), as [`discover`] finds them.
pub(crate) fn definition_files_skipping(
    root: &Path,
    skip: &[PathBuf],
) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<String>) {
    definition_files(root, skip)
}

/// The services of definition files already found (by a directory walk that saw them),
/// as [`discover`] reads them.
pub(crate) fn read_definitions(
    root: &Path,
    mut composes: Vec<PathBuf>,
    mut dockerfiles: Vec<PathBuf>,
    mut errors: Vec<String>,
) -> (Vec<Service>, Vec<String>) {
    if composes.len() + dockerfiles.len() > MAX_FILES {
        errors.push(format!(
            "{}: more than {MAX_FILES} container definition files; the rest are not read",
            root.display()
        ));
        composes.truncate(MAX_FILES);
        dockerfiles.truncate(MAX_FILES - composes.len());
    }
    let mut services = Vec::new();
    let mut built = HashSet::new();
    composes.sort();
    dockerfiles.sort();
    for path in &composes {
        let resolved_root = std::fs::canonicalize(root).ok();
        match read_bounded(path)
            .and_then(|text| from_compose_in(path, &text, resolved_root.as_deref()))
        {
            Ok(found) => {
                built.extend(
                    found
                        .iter()
                        .filter_map(|s| s.dockerfile.as_deref().map(normalize)),
                );
                services.extend(found);
            }
            Err(e) => errors.push(e),
        }
    }
    for path in &dockerfiles {
        if built.contains(&normalize(path)) {
            continue;
        }
        match read_bounded(path) {
            Ok(text) => {
                // Without a Compose `build:` saying, the context is the Dockerfile's
                // directory, or the tree's root when the sources are found there instead
                // (`docker build -f alpine/Dockerfile .`).
                let here = path.parent().unwrap_or(Path::new(""));
                let local = from_dockerfile(path, &text, here);
                let found = |s: &[Service]| {
                    s.iter()
                        .flat_map(|s| &s.mounts)
                        .filter(|m| m.local.exists())
                        .count()
                };
                let at_root = (here != root)
                    .then(|| from_dockerfile(path, &text, root))
                    .filter(|r| found(r) > found(&local));
                services.extend(at_root.unwrap_or(local));
            }
            Err(e) => errors.push(e),
        }
    }
    // Stable: the services of one file keep their declaration order.
    services.sort_by(|a, b| a.file.cmp(&b.file));
    (services, errors)
}

/// The Compose files and Dockerfiles of the tree, within the bounds of [`discover`].
fn definition_files(root: &Path, skip: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<String>) {
    let (mut composes, mut dockerfiles, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let ignored = e
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.') || n == "target" || n == "node_modules");
            !ignored && !skip.iter().any(|s| s == e.path())
        });
    for (seen, entry) in walker.enumerate() {
        if seen >= MAX_ENTRIES {
            errors.push(format!(
                "{}: more than {MAX_ENTRIES} entries looked at for Compose files and Dockerfiles; the rest are not read (give the mounts with --mount or [[mount]])",
                root.display()
            ));
            break;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_str().unwrap_or("");
        let compose = is_compose_name(name);
        if !compose && !is_dockerfile_name(name) {
            continue;
        }
        if composes.len() + dockerfiles.len() >= MAX_FILES {
            errors.push(format!(
                "{}: more than {MAX_FILES} container definition files; the rest are not read",
                root.display()
            ));
            break;
        }
        let list = if compose {
            &mut composes
        } else {
            &mut dockerfiles
        };
        list.push(entry.into_path());
    }
    (composes, dockerfiles, errors)
}

/// The text of a definition file, refused beyond 1 MiB: definitions are small, and a huge file
/// with such a name is not one.
fn read_bounded(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_BYTES {
        return Err(format!(
            "{}: larger than 1 MiB, not read as a container definition",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Paths

/// `p` without `.` components and with `..` applied lexically (symbolic links are not read):
/// `deploy/./nginx/../x` -> `deploy/x`. `..` above the root is dropped, `..` above a relative
/// start is kept; an empty result is `.`.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let out = crate::plan::mounts::normalize(p);
    if out.as_os_str().is_empty() {
        return PathBuf::from(".");
    }
    out
}

/// A path inside the container: `p` taken from `dir` (an absolute working directory).
fn in_container(dir: &Path, p: &str) -> PathBuf {
    normalize(&Path::new("/").join(dir).join(p))
}

/// A directory name for display: `deploy/nginx` -> `nginx`.
fn base_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn origin(file: &Path, line: usize, what: &str) -> String {
    format!("{}:{line} ({what})", file.display())
}

// ---------------------------------------------------------------------------------------------
// Variables

/// Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:+alt}`,
/// `${NAME+alt}` and `${NAME:?message}` with the variables `lookup` knows. `None` when the value
/// depends on a variable it does not know: the caller then drops what it was building rather
/// than guess. `compose` selects the escape: `$$` in Compose files, `\$` in Dockerfiles.
fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>, compose: bool) -> Option<String> {
    // Defaults nest by recursion: a bound keeps a hostile file from exhausting the stack.
    if s.matches("${").count() > 64 {
        return None;
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['$', '\\']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("\\$").filter(|_| !compose) {
            out.push('$');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('\\') {
            out.push('\\');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("$$").filter(|_| compose) {
            out.push('$');
            rest = after;
        } else if let Some(braced) = tail.strip_prefix("${") {
            let end = closing_brace(braced)?;
            out.push_str(&expand_braced(&braced[..end], lookup, compose)?);
            rest = &braced[end + 1..];
        } else {
            let after = &tail[1..];
            let len = name_len(after);
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(&lookup(&after[..len])?);
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The length of the variable name at the start of `s`.
fn name_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return 0;
    }
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
}

/// The index of the `}` that closes a `${`, nested `${…}` in a default included.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The inside of `${…}`.
fn expand_braced(
    inner: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    compose: bool,
) -> Option<String> {
    let len = name_len(inner);
    let (name, op) = inner.split_at(len);
    if name.is_empty() {
        return None;
    }
    let value = lookup(name);
    let (colon, op) = match op.strip_prefix(':') {
        Some(op) => (true, op),
        None => (false, op),
    };
    let set = value.as_deref().is_some_and(|v| !colon || !v.is_empty());
    match op.chars().next() {
        None if !colon => value,
        Some('-') if set => value,
        Some('-') => expand(&op[1..], lookup, compose),
        // Whether the alternative applies depends on the variable: unknown when it is.
        Some('+') if value.is_none() => None,
        Some('+') if set => expand(&op[1..], lookup, compose),
        Some('+') => Some(String::new()),
        Some('?') if set => value,
        _ => None,
    }
}

/// Compose interpolation: no variable is known, so only defaults can fill them.
fn interpolate(s: &str) -> Option<String> {
    expand(s, &|_| None, true)
}

mod command;
mod compose;
mod dockerfile;
mod templates;

use command::*;
pub(crate) use compose::from_compose_in;
#[cfg(test)]
use compose::*;
pub(crate) use dockerfile::from_dockerfile;
use dockerfile::*;
use templates::*;

// ---------------------------------------------------------------------------------------------
// Which proxy

/// Is this service a proxy gwlint lints, and which: by image name (nginx, nginxinc/*, openresty/*, bitnami/nginx,
/// linuxserver/swag, lscr.io/linuxserver/*nginx*, jc21/nginx-proxy-manager → Nginx; haproxy, haproxytech/* → Haproxy),
/// else by its mounts' runtime paths (/etc/nginx…, /usr/local/openresty…, /etc/haproxy…, /usr/local/etc/haproxy…).
///
/// Between the two, the base image of a built service and a command that runs haproxy or nginx
/// count too.
pub(crate) fn proxy_kind(s: &Service) -> Option<Dialect> {
    if let Some(d) = [&s.image, &s.base_image]
        .into_iter()
        .flatten()
        .find_map(|i| image_dialect(i))
    {
        return Some(d);
    }
    if !s.haproxy_files.is_empty() {
        return Some(Dialect::Haproxy);
    }
    let words = command_words(&s.command);
    if words.iter().any(|w| is_program(w, "haproxy")) {
        return Some(Dialect::Haproxy);
    }
    if words
        .iter()
        .any(|w| is_program(w, "nginx") || is_program(w, "openresty"))
    {
        return Some(Dialect::Nginx);
    }
    s.mounts.iter().find_map(|m| path_dialect(&m.runtime))
}

/// The dialect of a proxy image, by its repository name (registry, tag and digest ignored).
fn image_dialect(image: &str) -> Option<Dialect> {
    let repo = image_repo(image);
    let nginx = repo == "nginx"
        || repo == "nginx/nginx" // the official image's mirror on public.ecr.aws
        || repo.starts_with("nginxinc/")
        || repo.starts_with("openresty/")
        || repo == "bitnami/nginx"
        || repo == "linuxserver/swag"
        || repo.starts_with("linuxserver/") && repo.contains("nginx")
        || repo == "jc21/nginx-proxy-manager";
    if nginx {
        Some(Dialect::Nginx)
    } else if repo == "haproxy" || repo.starts_with("haproxytech/") {
        Some(Dialect::Haproxy)
    } else {
        None
    }
}

/// `docker.io/library/nginx:1.27@sha256:…` -> `nginx`; `lscr.io/linuxserver/swag` ->
/// `linuxserver/swag`.
fn image_repo(image: &str) -> String {
    let image = image.split('@').next().unwrap_or("");
    // A tag is a `:` after the last `/` (a registry's port comes before it).
    let name = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    };
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        parts.remove(0);
    }
    for prefix in [["docker", "library"].as_slice(), ["library"].as_slice()] {
        if parts.len() > prefix.len() && parts.starts_with(prefix) {
            parts.drain(..prefix.len());
        }
    }
    parts.join("/").to_ascii_lowercase()
}

/// The dialect whose configuration lives under a run-time path.
fn path_dialect(p: &Path) -> Option<Dialect> {
    const NGINX: [&str; 4] = [
        "/etc/nginx",
        "/usr/local/openresty",
        "/usr/local/nginx",
        "/opt/bitnami/nginx",
    ];
    const HAPROXY: [&str; 2] = ["/etc/haproxy", "/usr/local/etc/haproxy"];
    if NGINX.iter().any(|d| p.starts_with(d)) {
        Some(Dialect::Nginx)
    } else if HAPROXY.iter().any(|d| p.starts_with(d)) {
        Some(Dialect::Haproxy)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
