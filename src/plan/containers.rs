//! Container definitions (Compose files and Dockerfiles) found in a repository, read for one
//! question: where does each repository file sit at run time inside the container? With that,
//! the absolute paths of a configuration (`include /etc/nginx/conf.d/*.conf;`) map back to the
//! files of the repository.
//!
//! Only what the definitions say is used: no environment is read (a variable without a default
//! makes its mount unknown, and an unknown mount is dropped rather than guessed), no image is
//! pulled, and nothing outside the walked tree is followed.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use yaml_rust2::parser::{Event, EventReceiver, Parser};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlLoader};

use crate::finding::Dialect;

/// One bind of a repository path at a run-time path inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute path inside the container, normalised (no trailing slash, no `.`/`..`).
    pub runtime: PathBuf,
    /// The repository path, as the compose file's / Dockerfile's directory joined with the
    /// source and lexically normalised (`deploy/./nginx/../x` -> `deploy/x`). Relative paths stay
    /// relative when the definition file's path was relative.
    pub local: PathBuf,
    /// Where this mount was declared, for `gwlint files`: e.g. "deploy/compose.yaml:12 (service proxy, volumes)"
    /// or "deploy/Dockerfile:4 (COPY)" or "deploy/compose.yaml:20 (templates → conf.d)".
    pub origin: String,
    /// 1-based line of the declaration in `file`.
    pub line: usize,
}

/// One container that runs a proxy (or might): its image and what it mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The Compose service name; for a bare Dockerfile, the name of its directory.
    pub name: String,
    /// The Compose file or Dockerfile that declares it.
    pub file: PathBuf,
    /// 1-based line of the declaration (for Compose files found by searching the text, so
    /// approximate: the YAML loader gives no positions).
    pub line: usize,
    /// `image:`, or the final stage's `FROM` (e.g. "nginx:1.27-alpine", "haproxy:2.8").
    pub image: Option<String>,
    /// The final stage's `FROM` when the service is built from a Dockerfile (resolved through
    /// earlier stages), even when `image:` names the built image.
    pub base_image: Option<String>,
    /// The Dockerfile the image is built from, if any.
    pub dockerfile: Option<PathBuf>,
    /// In declaration order; later ones win on the same runtime path.
    pub mounts: Vec<Mount>,
    /// HAProxy `-f` arguments from `command:` / `entrypoint:` / Dockerfile `CMD`/`ENTRYPOINT`
    /// (run-time paths, in order), when the command is haproxy. Empty when the image's own
    /// command runs (`haproxy -f /usr/local/etc/haproxy/haproxy.cfg` for the official image).
    pub haproxy_files: Vec<PathBuf>,
    /// The effective command line (entrypoint then command) as far as the definitions say it.
    /// Words whose variables are unknown are kept as written.
    pub command: Vec<String>,
    /// Environment from compose `environment:` (list or map form) and Dockerfile `ENV`, in that
    /// order of precedence reversed: Dockerfile first, so the last entry of a name wins.
    pub env: Vec<(String, String)>,
    /// Compose service names this service can reach (all services of the same compose file),
    /// for chain linking. Empty for a bare Dockerfile.
    pub project: Vec<String>,
}

impl Service {
    /// The value of an environment variable of the container (the last definition wins).
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery

const MAX_DEPTH: usize = 6;
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
pub fn is_compose_name(name: &str) -> bool {
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
pub fn is_dockerfile_name(name: &str) -> bool {
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
pub fn discover(root: &Path) -> (Vec<Service>, Vec<String>) {
    let (composes, dockerfiles, errors) = definition_files(root, &[]);
    read_definitions(root, composes, dockerfiles, errors)
}

/// The Compose files and Dockerfiles under `root` outside the directories in `skip` (whose
/// definitions a directory walk found already), as [`discover`] finds them.
pub fn definition_files_skipping(
    root: &Path,
    skip: &[PathBuf],
) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<String>) {
    definition_files(root, skip)
}

/// The services of definition files already found (by a directory walk that saw them),
/// as [`discover`] reads them.
pub fn read_definitions(
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
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let mut normals = 0usize;
    for c in p.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c),
            Component::CurDir => {}
            Component::ParentDir if normals > 0 => {
                out.pop();
                normals -= 1;
            }
            Component::ParentDir if out.has_root() => {}
            Component::ParentDir => out.push(".."),
            Component::Normal(n) => {
                out.push(n);
                normals += 1;
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
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

// ---------------------------------------------------------------------------------------------
// YAML helpers

/// Counts the nodes a YAML text expands to. yaml-rust2's loader copies the anchored node at
/// each alias, so a few lines of nested aliases ("billion laughs") would fill the memory: the
/// text is measured with this first, and refused past [`MAX_YAML_NODES`].
#[derive(Default)]
struct AliasBudget {
    /// Size of each anchored node, by anchor id.
    sizes: HashMap<usize, u64>,
    /// Open sequences and mappings: (anchor id, size so far).
    open: Vec<(usize, u64)>,
    total: u64,
}

impl AliasBudget {
    fn measure(text: &str) -> u64 {
        let mut budget = AliasBudget::default();
        // A syntax error is reported by the real load; what was read until then is measured.
        let _ = Parser::new_from_str(text).load(&mut budget, true);
        budget.total
    }

    /// A complete node of `size` nodes, anchored as `anchor` (0: none).
    fn node(&mut self, anchor: usize, size: u64) {
        if anchor > 0 {
            self.sizes.insert(anchor, size);
        }
        if let Some(parent) = self.open.last_mut() {
            parent.1 = parent.1.saturating_add(size);
        }
    }
}

impl EventReceiver for AliasBudget {
    fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Scalar(_, _, anchor, _) => {
                self.total = self.total.saturating_add(1);
                self.node(anchor, 1);
            }
            Event::Alias(id) => {
                let size = self.sizes.get(&id).copied().unwrap_or(1);
                self.total = self.total.saturating_add(size);
                self.node(0, size);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.total = self.total.saturating_add(1);
                self.open.push((anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, size)) = self.open.pop() {
                    self.node(anchor, size);
                }
            }
            _ => {}
        }
    }
}

/// A scalar as Compose reads it: `8080`, `true` and `1.5` are strings to it too.
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `<<: *anchor` merge keys applied (yaml-rust2 resolves the alias but does not merge): keys of
/// the map win over merged ones, earlier merged maps over later ones.
fn merged(h: &Hash) -> Hash {
    let mut out = h.clone();
    let key = Yaml::String("<<".into());
    let Some(merge) = out.remove(&key) else {
        return out;
    };
    let sources = match merge {
        Yaml::Array(list) => list,
        other => vec![other],
    };
    for source in sources {
        if let Yaml::Hash(m) = source {
            for (k, v) in merged(&m) {
                out.entry(k).or_insert(v);
            }
        }
    }
    out
}

/// A command as a list of words: a YAML list as is, a string split as a shell would.
fn words(y: &Yaml) -> Option<Vec<String>> {
    match y {
        Yaml::Array(list) => Some(list.iter().filter_map(scalar).collect()),
        Yaml::Null | Yaml::BadValue => None,
        other => scalar(other).map(|s| shell_words(&s)),
    }
}

/// Key/value pairs from a Compose map (`KEY: value`) or list (`- KEY=value`). Entries without
/// a value take it from the host, which is unknown: left out.
fn pairs(y: &Yaml) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match y {
        Yaml::Hash(h) => {
            for (k, v) in h {
                if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                    out.push((k, v));
                }
            }
        }
        Yaml::Array(list) => {
            for item in list.iter().filter_map(scalar) {
                if let Some((k, v)) = item.split_once('=') {
                    out.push((k.to_string(), v.to_string()));
                }
            }
        }
        _ => {}
    }
    out
}

/// The line of `needle` in `text`: the first line at or after `from` (1-based) containing it,
/// else `from`. Approximate by design: yaml-rust2's loader gives no positions, and the first
/// occurrence after the service's own line is nearly always the declaration.
fn line_of(text: &str, from: usize, needle: &str) -> usize {
    if needle.is_empty() {
        return from;
    }
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

/// The line of a mapping key `name:` (bare or quoted) at or after `from`, and its indentation;
/// with `indent`, only a key indented so (a service's own key, not a nested one of that name).
fn key_line(text: &str, from: usize, name: &str, indent: Option<usize>) -> Option<(usize, usize)> {
    let keys = [
        format!("{name}:"),
        format!("\"{name}\":"),
        format!("'{name}':"),
    ];
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| {
            let t = l.trim_start();
            let at = l.len() - t.len();
            let is_key = keys.iter().any(|k| t.starts_with(k.as_str()));
            (is_key && indent.is_none_or(|n| n == at)).then_some((i + 1, at))
        })
}

// ---------------------------------------------------------------------------------------------
// Compose

/// The text with every line that only closes flow collections (`]`, `}`, `],`) indented two
/// more columns; nothing else changes, so line numbers hold.
fn indent_flow_closers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() && t.chars().all(|c| matches!(c, ']' | '}' | ',')) {
            out.push_str("  ");
        }
        out.push_str(line);
    }
    out
}

/// What a Compose file declares at its top level, which services refer to.
struct Compose<'a> {
    path: &'a Path,
    /// No Dockerfile outside this directory (resolved) is read.
    root: Option<PathBuf>,
    dir: PathBuf,
    text: &'a str,
    /// Top-level `configs:` and `secrets:` with a `file:`: name -> repository path.
    configs: HashMap<String, PathBuf>,
    secrets: HashMap<String, PathBuf>,
}

/// The services of a Compose file. Services without anything gwlint can use are returned
/// too: [`proxy_kind`] decides which run a proxy.
pub fn from_compose(path: &Path, text: &str) -> Result<Vec<Service>, String> {
    from_compose_in(path, text, None)
}

/// [`from_compose`], reading a `build:` context's Dockerfile only inside `root` (resolved):
/// a Compose file from a pull request may name `context: ../../elsewhere`.
pub fn from_compose_in(
    path: &Path,
    text: &str,
    root: Option<&Path>,
) -> Result<Vec<Service>, String> {
    if AliasBudget::measure(text) > MAX_YAML_NODES {
        return Err(format!(
            "{}: YAML aliases expand to more than {MAX_YAML_NODES} nodes, not read",
            path.display()
        ));
    }
    let docs = YamlLoader::load_from_str(text)
        .or_else(|e| {
            // yaml-rust2 refuses a flow collection closed at its key's indentation
            // (`test: [⏎  "CMD", ⏎ ]`), which Compose (Go's yaml.v3) and libyaml accept:
            // indent such closing lines further and try once more.
            YamlLoader::load_from_str(&indent_flow_closers(text)).map_err(|_| e)
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(Yaml::Hash(top)) = docs.into_iter().next() else {
        return Ok(Vec::new());
    };
    let top = Yaml::Hash(top);
    let dir = path.parent().unwrap_or(Path::new(""));
    let compose = Compose {
        path,
        root: root.map(Path::to_path_buf),
        dir: dir.to_path_buf(),
        text,
        configs: file_entries(&top["configs"], dir),
        secrets: file_entries(&top["secrets"], dir),
    };
    let Some(services) = top["services"].as_hash() else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = services.keys().filter_map(scalar).collect();
    let mut line = key_line(text, 1, "services", Some(0)).map_or(1, |(l, _)| l);
    let mut indent = None;
    let mut out = Vec::new();
    for (name, body) in services {
        let (Some(name), Some(body)) = (scalar(name), body.as_hash()) else {
            continue;
        };
        // Services appear in the text in map order: search on from the previous one.
        if let Some((l, at)) = key_line(text, line + 1, &name, indent) {
            (line, indent) = (l, Some(at));
        }
        let mut service = compose.service(&name, line, &merged(body));
        service.project = names.clone();
        out.push(service);
    }
    Ok(out)
}

/// Top-level `configs:`/`secrets:` entries backed by a file: name -> path beside the file.
fn file_entries(y: &Yaml, dir: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    for (name, body) in y.as_hash().into_iter().flatten() {
        let file = scalar(&body["file"]).and_then(|f| interpolate(&f));
        if let (Some(name), Some(file)) = (scalar(name), file)
            && is_local_source(&file)
        {
            out.insert(name, normalize(&dir.join(file)));
        }
    }
    out
}

/// A bind source inside the repository: relative. Absolute and `~` sources are outside it.
fn is_local_source(s: &str) -> bool {
    let windows_drive = s.get(1..2) == Some(":"); // C:\ and C:/ on Windows hosts
    !(s.is_empty() || s.starts_with(['/', '~', '\\']) || windows_drive)
}

impl Compose<'_> {
    fn service(&self, name: &str, line: usize, body: &Hash) -> Service {
        let get = |k: &str| body.get(&Yaml::String(k.into())).unwrap_or(&Yaml::BadValue);
        let image = scalar(get("image")).and_then(|i| interpolate(&i));
        let built = self.build(get("build"));
        let mut service = Service {
            name: name.to_string(),
            file: self.path.to_path_buf(),
            line,
            image: image.or_else(|| built.as_ref().and_then(|b| b.0.image.clone())),
            base_image: built.as_ref().and_then(|b| b.0.image.clone()),
            dockerfile: built.as_ref().map(|b| b.1.clone()),
            mounts: Vec::new(),
            haproxy_files: Vec::new(),
            command: Vec::new(),
            env: Vec::new(),
            project: Vec::new(),
        };
        let mut workdir = PathBuf::from("/");
        let (mut entrypoint, mut cmd) = (None, None);
        if let Some((stage, _)) = &built {
            // The image's layers come first: bind mounts are laid over them.
            service.mounts.extend(stage.mounts.iter().cloned());
            service.env.extend(stage.env.iter().cloned());
            workdir.clone_from(&stage.workdir);
            entrypoint.clone_from(&stage.entrypoint);
            cmd.clone_from(&stage.cmd);
        }
        for (k, v) in pairs(get("environment")) {
            if let Some(v) = interpolate(&v) {
                service.env.push((k, v));
            }
        }
        // Declaration order of the keys, so mounts stay in the order they were written.
        for (key, value) in body {
            match key.as_str() {
                Some("volumes") => self.volumes(&mut service, value),
                Some("configs") => self.files(&mut service, value, "configs"),
                Some("secrets") => self.files(&mut service, value, "secrets"),
                _ => {}
            }
        }
        if let Some(dir) = scalar(get("working_dir")).and_then(|d| interpolate(&d)) {
            workdir = in_container(&workdir, &dir);
        }
        let compose_entrypoint = words(get("entrypoint")).map(|w| interpolate_words(&w));
        let compose_cmd = words(get("command")).map(|w| interpolate_words(&w));
        // Compose's `entrypoint:` also clears the image's command.
        if compose_entrypoint.is_some() {
            cmd = None;
        }
        let argv: Vec<String> = compose_entrypoint
            .or(entrypoint)
            .into_iter()
            .chain(compose_cmd.or(cmd))
            .flatten()
            .collect();
        service.haproxy_files = haproxy_files(&argv, &service, &workdir);
        service.command = argv;
        add_template_mounts(&mut service);
        service
    }

    /// `build:` as a string (the context) or `{context, dockerfile, target, args}`: the
    /// Dockerfile's final stage, and its path.
    fn build(&self, y: &Yaml) -> Option<(Stage, PathBuf)> {
        let context = match y {
            Yaml::Hash(_) => scalar(&y["context"]).unwrap_or_else(|| ".".into()),
            Yaml::BadValue | Yaml::Null => return None,
            other => scalar(other)?,
        };
        let context = interpolate(&context)?;
        // A Git URL or remote tarball is not in the repository.
        if context.contains("://") || context.starts_with("git@") || !is_local_source(&context) {
            return None;
        }
        let context = normalize(&self.dir.join(context));
        let dockerfile = scalar(&y["dockerfile"])
            .and_then(|d| interpolate(&d))
            .unwrap_or_else(|| "Dockerfile".into());
        if !is_local_source(&dockerfile) {
            return None;
        }
        let path = normalize(&context.join(dockerfile));
        if let Some(root) = &self.root
            && !std::fs::canonicalize(&path).is_ok_and(|p| p.starts_with(root))
        {
            return None;
        }
        let text = read_bounded(&path).ok()?;
        let args: HashMap<String, String> = pairs(&y["args"])
            .into_iter()
            .filter_map(|(k, v)| Some((k, interpolate(&v)?)))
            .collect();
        let target = scalar(&y["target"]).and_then(|t| interpolate(&t));
        let stage = dockerfile_stage(&path, &text, &context, &args, target.as_deref())?;
        Some((stage, path))
    }

    /// `volumes:` in short (`./nginx:/etc/nginx:ro`) and long (`type: bind`) syntax.
    fn volumes(&self, service: &mut Service, y: &Yaml) {
        for item in y.as_vec().into_iter().flatten() {
            let (raw, source, target) = match item {
                Yaml::Hash(_) => {
                    let kind = scalar(&item["type"]);
                    if kind.as_deref().is_some_and(|k| k != "bind") {
                        continue;
                    }
                    let (Some(source), Some(target)) =
                        (scalar(&item["source"]), scalar(&item["target"]))
                    else {
                        continue;
                    };
                    let (Some(s), Some(t)) = (interpolate(&source), interpolate(&target)) else {
                        continue;
                    };
                    (target, s, t)
                }
                other => {
                    let Some(raw) = scalar(other) else { continue };
                    // Interpolated first: a default holds a `:` of its own (`${X:-./a}`).
                    let Some(spec) = interpolate(&raw) else {
                        continue;
                    };
                    let mut parts = spec.splitn(3, ':');
                    let (Some(source), Some(target)) = (parts.next(), parts.next()) else {
                        continue; // an anonymous volume: only a target
                    };
                    (raw, source.to_string(), target.to_string())
                }
            };
            // A named volume's source is a bare name; an absolute or `~` source is outside.
            let is_path = source.starts_with('.') || source.contains('/');
            if !is_path || !is_local_source(&source) || !target.starts_with('/') {
                continue;
            }
            let line = line_of(self.text, service.line, &raw);
            service.mounts.push(Mount {
                runtime: normalize(Path::new(&target)),
                local: normalize(&self.dir.join(&source)),
                origin: origin(
                    self.path,
                    line,
                    &format!("service {}, volumes", service.name),
                ),
                line,
            });
        }
    }

    /// A service's `configs:` or `secrets:`: `- NAME` or `- {source: NAME, target: PATH}`.
    /// Configs land at `/NAME` by default, secrets under `/run/secrets/`.
    fn files(&self, service: &mut Service, y: &Yaml, what: &str) {
        let (known, base) = if what == "secrets" {
            (&self.secrets, "/run/secrets")
        } else {
            (&self.configs, "/")
        };
        for item in y.as_vec().into_iter().flatten() {
            let (name, target) = match item {
                Yaml::Hash(_) => (scalar(&item["source"]), scalar(&item["target"])),
                other => (scalar(other), None),
            };
            let Some(name) = name else { continue };
            let Some(local) = known.get(&name) else {
                continue; // external, `content:` or undefined: no repository file
            };
            let Some(target) = interpolate(target.as_deref().unwrap_or(&name)) else {
                continue;
            };
            let line = line_of(self.text, service.line, &target);
            service.mounts.push(Mount {
                runtime: in_container(Path::new(base), &target),
                local: local.clone(),
                origin: origin(
                    self.path,
                    line,
                    &format!("service {}, {what}", service.name),
                ),
                line,
            });
        }
    }
}

/// Compose interpolation of command words; a word that needs an unknown variable stays as
/// written, so that the words around it keep their places.
fn interpolate_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| interpolate(w).unwrap_or_else(|| w.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

/// What one build stage leaves in its image.
#[derive(Debug, Clone, Default)]
struct Stage {
    name: Option<String>,
    /// The external image at the bottom of the stage chain (`None` when a variable hides it).
    image: Option<String>,
    line: usize,
    workdir: PathBuf,
    mounts: Vec<Mount>,
    env: Vec<(String, String)>,
    /// `ARG` values in scope (stage-local, as in Docker).
    args: HashMap<String, String>,
    cmd: Option<Vec<String>>,
    /// The `CMD` came from the parent stage: a new `ENTRYPOINT` clears it.
    cmd_inherited: bool,
    entrypoint: Option<Vec<String>>,
}

impl Stage {
    /// A variable for substitution: `ENV` wins over `ARG`.
    fn var(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| self.args.get(name).cloned())
    }

    fn expand(&self, s: &str) -> Option<String> {
        expand(s, &|n| self.var(n), false)
    }
}

/// The service of a bare Dockerfile, built with `context` as the build context. Empty when the
/// file has no `FROM`.
pub fn from_dockerfile(path: &Path, text: &str, context: &Path) -> Vec<Service> {
    let Some(stage) = dockerfile_stage(path, text, context, &HashMap::new(), None) else {
        return Vec::new();
    };
    let name = match path.parent().map(base_name).filter(|n| !n.is_empty()) {
        Some(n) => n,
        // `Dockerfile` in the working directory: the directory's own name.
        None => std::env::current_dir()
            .ok()
            .map(|d| base_name(&d))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Dockerfile".into()),
    };
    let argv: Vec<String> = stage
        .entrypoint
        .iter()
        .chain(stage.cmd.iter())
        .flatten()
        .cloned()
        .collect();
    let mut service = Service {
        name,
        file: path.to_path_buf(),
        line: stage.line,
        image: stage.image.clone(),
        base_image: stage.image.clone(),
        dockerfile: Some(path.to_path_buf()),
        mounts: stage.mounts,
        haproxy_files: Vec::new(),
        command: Vec::new(),
        env: stage.env,
        project: Vec::new(),
    };
    service.haproxy_files = haproxy_files(&argv, &service, &stage.workdir);
    service.command = argv;
    add_template_mounts(&mut service);
    vec![service]
}

/// Parses a Dockerfile into its final stage (or the stage named `target`): the stages it
/// builds on included, unrelated ones (builders) left out.
fn dockerfile_stage(
    path: &Path,
    text: &str,
    context: &Path,
    build_args: &HashMap<String, String>,
    target: Option<&str>,
) -> Option<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    // ARGs before the first FROM: usable in FROM lines, and in stages that redeclare them.
    let mut global = HashMap::new();
    for (line, instruction) in logical_lines(text) {
        let (keyword, args) = match instruction.split_once(char::is_whitespace) {
            Some((k, a)) => (k.to_ascii_uppercase(), a.trim()),
            None => (instruction.to_ascii_uppercase(), ""),
        };
        if keyword == "FROM" {
            stages.push(new_stage(args, line, &stages, &global));
            continue;
        }
        let Some(stage) = stages.last_mut() else {
            if keyword == "ARG" {
                for (k, v) in arg_values(args, build_args, &HashMap::new()) {
                    global.insert(k, v);
                }
            }
            continue;
        };
        match keyword.as_str() {
            "ARG" => {
                for (k, v) in arg_values(args, build_args, &global) {
                    stage.args.insert(k, v);
                }
            }
            "ENV" => {
                for (k, v) in env_pairs(args) {
                    if let Some(v) = stage.expand(&v) {
                        stage.env.push((k, v));
                    }
                }
            }
            "WORKDIR" => {
                if let Some(dir) = stage.expand(args) {
                    stage.workdir = in_container(&stage.workdir, &dir);
                }
            }
            "COPY" | "ADD" => {
                let mounts = copy_mounts(stage, &keyword, args, context, path, line);
                stage.mounts.extend(mounts);
            }
            "CMD" => {
                stage.cmd = Some(exec_or_shell(args));
                stage.cmd_inherited = false;
            }
            "ENTRYPOINT" => {
                stage.entrypoint = Some(exec_or_shell(args));
                if stage.cmd_inherited {
                    stage.cmd = None;
                }
            }
            _ => {}
        }
    }
    match target {
        Some(t) => stages
            .into_iter()
            .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t))),
        None => stages.pop(),
    }
}

/// `FROM [--platform=…] IMAGE [AS NAME]`: a fresh stage, or a copy of the earlier stage it
/// names (its files, environment and command carry over; its ARGs do not).
fn new_stage(args: &str, line: usize, stages: &[Stage], global: &HashMap<String, String>) -> Stage {
    let mut words = args.split_whitespace().filter(|w| !w.starts_with("--"));
    let from = words.next().unwrap_or("");
    let name = match (words.next(), words.next()) {
        (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => Some(name.to_string()),
        _ => None,
    };
    let from = expand(from, &|n| global.get(n).cloned(), false);
    let parent = from.as_deref().and_then(|f| {
        stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(f)))
    });
    match parent {
        Some(p) => Stage {
            name,
            line,
            args: HashMap::new(),
            cmd_inherited: true,
            ..p.clone()
        },
        None => Stage {
            name,
            image: from,
            line,
            workdir: PathBuf::from("/"),
            ..Stage::default()
        },
    }
}

/// `ARG A=1 B`: the values of the names, build arguments first, then the default, then (for
/// a bare redeclaration) the value of the ARG before the first FROM.
fn arg_values(
    args: &str,
    build_args: &HashMap<String, String>,
    global: &HashMap<String, String>,
) -> Vec<(String, String)> {
    args.split_whitespace()
        .filter_map(|a| {
            let (name, default) = match a.split_once('=') {
                Some((n, d)) => (n, Some(unquote(d))),
                None => (a, None),
            };
            let value = build_args
                .get(name)
                .cloned()
                .or(default)
                .or_else(|| global.get(name).cloned())?;
            Some((name.to_string(), value))
        })
        .collect()
}

/// `ENV K=V K2="v 2"` or the old `ENV K V with spaces`.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let first = args.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        return match args.split_once(char::is_whitespace) {
            Some((k, v)) => vec![(k.to_string(), v.trim().to_string())],
            None => Vec::new(),
        };
    }
    shell_words(args)
        .into_iter()
        .filter_map(|w| {
            let (k, v) = w.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

fn unquote(s: &str) -> String {
    shell_words(s).into_iter().next().unwrap_or_default()
}

/// `CMD ["a", "b"]` as is; the shell form `CMD a b` as Docker runs it, through `/bin/sh -c`.
fn exec_or_shell(args: &str) -> Vec<String> {
    json_array(args).unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into(), args.to_string()])
}

fn json_array(s: &str) -> Option<Vec<String>> {
    if !s.trim_start().starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(s.trim()).ok()
}

/// The instructions of a Dockerfile with the 1-based line each starts on: continuation lines
/// joined, comments and heredoc bodies (`COPY <<EOF …`) left out.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let escape = escape_char(text);
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut heredocs: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if let Some(end) = heredocs.first() {
            if raw.trim_start_matches('\t') == end {
                heredocs.remove(0);
            }
            continue;
        }
        let trimmed = raw.trim_start();
        // Docker drops comment lines and blank lines, even inside a continuation.
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let body = raw.trim_end();
        let (body, continues) = match body.strip_suffix(escape) {
            Some(b) => (b, true),
            None => (body, false),
        };
        let entry = current.get_or_insert_with(|| (i + 1, String::new()));
        entry.1.push_str(body);
        if !continues && let Some((line, instruction)) = current.take() {
            heredocs = heredoc_ends(&instruction);
            out.push((line, instruction.trim().to_string()));
        }
    }
    if let Some((line, instruction)) = current {
        out.push((line, instruction.trim().to_string()));
    }
    out
}

/// The `# escape=` parser directive (a backtick on Windows images), else `\`.
fn escape_char(text: &str) -> char {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break; // directives only come first
        };
        if let Some((k, v)) = directive.split_once('=')
            && k.trim().eq_ignore_ascii_case("escape")
        {
            return v.trim().chars().next().unwrap_or('\\');
        }
    }
    '\\'
}

/// The terminators of the heredocs a RUN/COPY/ADD opens (`<<EOF`, `<<-"EOF"`).
fn heredoc_ends(instruction: &str) -> Vec<String> {
    let keyword = instruction
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if !matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
        return Vec::new();
    }
    instruction
        .split("<<")
        .skip(1)
        .filter_map(|after| {
            let after = after.strip_prefix('-').unwrap_or(after);
            let word: String = after
                .trim_matches(|c| c == '"' || c == '\'')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let starts_as_name = word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            starts_as_name.then_some(word)
        })
        .collect()
}

/// What a `COPY`/`ADD` puts in the image from the build context.
fn copy_mounts(
    stage: &Stage,
    keyword: &str,
    args: &str,
    context: &Path,
    file: &Path,
    line: usize,
) -> Vec<Mount> {
    let mut rest = args.trim_start();
    let mut parents = false;
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let flag = &rest[..end];
        if flag.starts_with("--from") {
            return Vec::new(); // from another stage or image, not the repository
        }
        parents |= flag == "--parents" || flag == "--parents=true";
        rest = rest[end..].trim_start();
    }
    let mut items = json_array(rest).unwrap_or_else(|| {
        rest.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    });
    let Some(dest) = items.pop().and_then(|d| stage.expand(&d)) else {
        return Vec::new();
    };
    let sources: Vec<String> = items
        .iter()
        .filter(|s| !s.starts_with("<<")) // heredoc: inline text, not a file
        .filter_map(|s| stage.expand(s))
        .filter(|s| !(is_remote(s) || keyword == "ADD" && is_archive(s)))
        .collect();
    let mut matches = Vec::new();
    for src in &sources {
        matches.extend(context_matches(context, src));
    }
    // Several sources, also through a wildcard, make DEST a directory.
    let dest_is_dir = dest.ends_with('/')
        || dest == "."
        || dest.ends_with("/.")
        || dest.ends_with("..")
        || matches.len() > 1;
    let dest = in_container(&stage.workdir, &dest);
    matches
        .into_iter()
        .map(|(src, local)| {
            let runtime = if parents {
                normalize(&dest.join(&src))
            } else if src == Path::new(".") || is_dir(&local) {
                dest.clone() // a directory's contents (the whole context for `.`) land in DEST
            } else if dest_is_dir {
                dest.join(local.file_name().unwrap_or_default())
            } else {
                dest.clone()
            };
            Mount {
                runtime,
                local,
                origin: origin(file, line, keyword),
                line,
            }
        })
        .collect()
}

fn is_dir(p: &Path) -> bool {
    if p == Path::new(".") || p.as_os_str().is_empty() {
        return Path::new(".").is_dir();
    }
    p.is_dir()
}

fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("git@")
}

/// ADD unpacks local archives: their contents are not a repository file.
fn is_archive(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| s.ends_with(ext))
}

/// The context paths a COPY source names: itself, or the sorted matches of its wildcard.
/// Each as (source relative to the context, repository path).
fn context_matches(context: &Path, src: &str) -> Vec<(PathBuf, PathBuf)> {
    let rel = normalize(Path::new(src.trim_start_matches('/')));
    if !src.contains(['*', '?', '[']) {
        return vec![(rel.clone(), normalize(&context.join(&rel)))];
    }
    let base = glob::Pattern::escape(&context.to_string_lossy());
    let pattern = if base.is_empty() || base == "." {
        rel.to_string_lossy().into_owned()
    } else {
        format!("{base}/{}", rel.to_string_lossy())
    };
    let options = glob::MatchOptions {
        case_sensitive: true,
        // Go's filepath.Match, which Docker uses: `*` stops at `/`, dot files match.
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let Ok(paths) = glob::glob_with(&pattern, options) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, PathBuf)> = paths
        .filter_map(Result::ok)
        .take(MAX_MATCHES)
        .map(|p| {
            let local = normalize(&p);
            let src = local
                .strip_prefix(normalize(context))
                .map_or_else(|_| local.clone(), Path::to_path_buf);
            (src, local)
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// Commands

/// Splits a command line as a POSIX shell would split words: quotes and backslashes, no
/// expansion.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The words of a command with the script of `sh -c SCRIPT` split too, so that
/// `sh -c "haproxy -f /a.cfg"` reads as the haproxy command it runs.
fn command_words(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, w) in argv.iter().enumerate() {
        if i > 0 && argv[i - 1] == "-c" && w.contains(char::is_whitespace) {
            out.extend(shell_words(w));
        } else {
            out.push(w.clone());
        }
    }
    out
}

fn is_program(word: &str, name: &str) -> bool {
    word == name || word.ends_with(&format!("/{name}"))
}

/// The `-f` files (and those after `--`) of the haproxy the command runs, as run-time paths:
/// relative ones from `-C DIR` or the working directory. Empty when the command is not haproxy.
fn haproxy_files(argv: &[String], service: &Service, workdir: &Path) -> Vec<PathBuf> {
    let words = command_words(argv);
    let start = match words.iter().position(|w| is_program(w, "haproxy")) {
        Some(i) => i + 1,
        None => {
            // The official image's entrypoint runs haproxy when the first argument is an option.
            let skip = usize::from(
                words
                    .first()
                    .is_some_and(|w| w.ends_with("docker-entrypoint.sh")),
            );
            let by_image = [&service.image, &service.base_image]
                .into_iter()
                .flatten()
                .any(|i| image_dialect(i) == Some(Dialect::Haproxy));
            match words.get(skip) {
                Some(w) if by_image && w.starts_with('-') => skip,
                _ => return Vec::new(),
            }
        }
    };
    let mut dir = workdir.to_path_buf();
    let mut files = Vec::new();
    let mut args = words[start..]
        .iter()
        .take_while(|w| !matches!(w.as_str(), "&&" | "||" | ";" | "|" | "&"));
    let mut rest_are_files = false;
    while let Some(w) = args.next() {
        let file = match w.as_str() {
            _ if rest_are_files => Some(w),
            "--" => {
                rest_are_files = true;
                None
            }
            "-f" => args.next(),
            "-C" => {
                if let Some(d) = args.next().and_then(|d| runtime_value(d, service)) {
                    dir = in_container(&dir, &d);
                }
                None
            }
            _ => None,
        };
        if let Some(f) = file.and_then(|f| runtime_value(f, service)) {
            files.push(in_container(&dir, &f));
        }
    }
    files
}

/// A word as the container's shell would see it: `$CONFIG` from the service's environment.
/// `None` when it needs a variable the environment does not define.
fn runtime_value(word: &str, service: &Service) -> Option<String> {
    expand(word, &|n| service.env_var(n).map(String::from), false)
}

// ---------------------------------------------------------------------------------------------
// The official nginx image's templates

/// One envsubst pass of the official image's `20-envsubst-on-templates.sh`: files under the
/// template directory ending in `suffix` become `output/RELATIVE` without the suffix.
struct TemplatePass {
    suffix: String,
    output: PathBuf,
}

/// Adds what the official nginx image's entrypoint generates at start: each `*.template` under
/// `/etc/nginx/templates` (subdirectories kept) becomes `/etc/nginx/conf.d/NAME`, each
/// `*.stream-template` `/etc/nginx/stream-conf.d/NAME`, honouring the `NGINX_ENVSUBST_*`
/// variables. The generated file maps back to its template.
fn add_template_mounts(service: &mut Service) {
    let env = |name: &str, default: &str| {
        service
            .env_var(name)
            .filter(|v| !v.is_empty())
            .unwrap_or(default)
            .to_string()
    };
    let dir = in_container(
        Path::new("/"),
        &env("NGINX_ENVSUBST_TEMPLATE_DIR", "/etc/nginx/templates"),
    );
    let passes = [
        TemplatePass {
            suffix: env("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template"),
            output: in_container(
                Path::new("/"),
                &env("NGINX_ENVSUBST_OUTPUT_DIR", "/etc/nginx/conf.d"),
            ),
        },
        TemplatePass {
            suffix: env("NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX", ".stream-template"),
            output: in_container(
                Path::new("/"),
                &env(
                    "NGINX_ENVSUBST_STREAM_OUTPUT_DIR",
                    "/etc/nginx/stream-conf.d",
                ),
            ),
        },
    ];
    let mut generated = Vec::new();
    for (i, mount) in service.mounts.iter().enumerate() {
        for (runtime, local) in templates_of(mount, &dir) {
            // A later mount over the same place hides this one's file.
            if service.mounts[i + 1..]
                .iter()
                .any(|m| runtime.starts_with(&m.runtime))
            {
                continue;
            }
            let Ok(rel) = runtime.strip_prefix(&dir) else {
                continue;
            };
            for pass in &passes {
                let Some(out) = strip_name_suffix(rel, &pass.suffix) else {
                    continue;
                };
                let location = mount
                    .origin
                    .rsplit_once(" (")
                    .map_or(mount.origin.as_str(), |(l, _)| l);
                generated.push(Mount {
                    runtime: normalize(&pass.output.join(out)),
                    local: local.clone(),
                    origin: format!("{location} (templates → {})", base_name(&pass.output)),
                    line: mount.line,
                });
            }
        }
    }
    service.mounts.extend(generated);
}

/// The files a mount puts under the template directory: (run-time path, repository path).
fn templates_of(mount: &Mount, dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let (scan, runtime_base) = if let Ok(below) = dir.strip_prefix(&mount.runtime) {
        (mount.local.join(below), dir.to_path_buf()) // the mount holds the template directory
    } else if mount.runtime.starts_with(dir) {
        (mount.local.clone(), mount.runtime.clone()) // the mount is inside it
    } else {
        return Vec::new();
    };
    walkdir::WalkDir::new(&scan)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(MAX_MATCHES)
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&scan).ok()?;
            Some((normalize(&runtime_base.join(rel)), normalize(e.path())))
        })
        .collect()
}

/// `rel` with `suffix` taken off its file name, when the name ends with it (and is more).
fn strip_name_suffix(rel: &Path, suffix: &str) -> Option<PathBuf> {
    let name = rel.file_name()?.to_str()?;
    let stem = name.strip_suffix(suffix).filter(|s| !s.is_empty())?;
    Some(rel.with_file_name(stem))
}

// ---------------------------------------------------------------------------------------------
// Which proxy

/// Is this service a proxy gwlint lints, and which: by image name (nginx, nginxinc/*, openresty/*, bitnami/nginx,
/// linuxserver/swag, lscr.io/linuxserver/*nginx*, jc21/nginx-proxy-manager → Nginx; haproxy, haproxytech/* → Haproxy),
/// else by its mounts' runtime paths (/etc/nginx…, /usr/local/openresty…, /etc/haproxy…, /usr/local/etc/haproxy…).
///
/// Between the two, the base image of a built service and a command that runs haproxy or nginx
/// count too.
pub fn proxy_kind(s: &Service) -> Option<Dialect> {
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
mod tests {
    use super::*;

    fn compose(path: &str, text: &str) -> Vec<Service> {
        from_compose(Path::new(path), text).expect("valid compose file")
    }

    /// (runtime, local) of each mount, as strings.
    fn binds_of(mounts: &[Mount]) -> Vec<(String, String)> {
        mounts
            .iter()
            .map(|m| {
                (
                    m.runtime.display().to_string(),
                    m.local.display().to_string(),
                )
            })
            .collect()
    }

    fn binds(s: &Service) -> Vec<(String, String)> {
        binds_of(&s.mounts)
    }

    fn pair(runtime: &str, local: impl AsRef<Path>) -> (String, String) {
        (runtime.to_string(), local.as_ref().display().to_string())
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn short_volumes_are_joined_with_the_compose_directory_whatever_the_mode() {
        let text = "\
services:
  proxy:
    image: nginx:1.27-alpine
    volumes:
      - ./nginx:/etc/nginx
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
      - ../shared/snippets/:/etc/nginx/snippets/:rw
      - ./certs/./live/../live:/etc/ssl/live:ro,z
";
        let services = compose("deploy/compose.yaml", text);
        assert_eq!(services.len(), 1);
        let s = &services[0];
        assert_eq!((s.name.as_str(), s.line), ("proxy", 2));
        assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
        assert_eq!(
            binds(s),
            vec![
                pair("/etc/nginx", "deploy/nginx"),
                pair("/etc/nginx/nginx.conf", "deploy/nginx.conf"),
                pair("/etc/nginx/snippets", "shared/snippets"),
                pair("/etc/ssl/live", "deploy/certs/live"),
            ]
        );
        let lines: Vec<usize> = s.mounts.iter().map(|m| m.line).collect();
        assert_eq!(lines, vec![5, 6, 7, 8]);
        assert_eq!(
            s.mounts[1].origin,
            "deploy/compose.yaml:6 (service proxy, volumes)"
        );
        assert_eq!(s.project, vec!["proxy".to_string()]);
    }

    #[test]
    fn named_anonymous_and_outside_volumes_are_skipped() {
        let text = "\
services:
  proxy:
    image: nginx
    volumes:
      - logs:/var/log/nginx
      - /etc/letsencrypt:/etc/letsencrypt:ro
      - ~/certs:/certs
      - /var/cache/nginx
      - ./a.conf:relative/target
      - ./conf.d:/etc/nginx/conf.d
volumes:
  logs: {}
";
        let s = &compose("compose.yaml", text)[0];
        assert_eq!(binds(s), vec![pair("/etc/nginx/conf.d", "conf.d")]);
        assert_eq!(s.mounts[0].line, 10);
    }

    #[test]
    fn long_volume_syntax_keeps_binds_only() {
        let text = "\
services:
  lb:
    image: haproxy:2.8
    volumes:
      - type: volume
        source: data
        target: /var/lib/haproxy
      - type: bind
        source: ./haproxy.cfg
        target: /usr/local/etc/haproxy/haproxy.cfg
        read_only: true
      - type: tmpfs
        target: /run
      - type: bind
        source: /srv/errors
        target: /etc/haproxy/errors
";
        let s = &compose("ops/lb/compose.yml", text)[0];
        assert_eq!(
            binds(s),
            vec![pair(
                "/usr/local/etc/haproxy/haproxy.cfg",
                "ops/lb/haproxy.cfg"
            )]
        );
        assert_eq!(s.mounts[0].line, 10);
    }

    #[test]
    fn configs_and_secrets_mount_their_files() {
        let text = "\
services:
  lb:
    image: haproxy:2.8
    configs:
      - source: proxy_conf
        target: /usr/local/etc/haproxy/haproxy.cfg
      - site
      - managed
    secrets:
      - cert
      - source: cert
        target: tls.pem
configs:
  proxy_conf:
    file: ./haproxy.cfg
  site:
    file: ./sites/site.cfg
  managed:
    external: true
secrets:
  cert:
    file: ../certs/site.pem
";
        let s = &compose("deploy/compose.yaml", text)[0];
        assert_eq!(
            binds(s),
            vec![
                pair("/usr/local/etc/haproxy/haproxy.cfg", "deploy/haproxy.cfg"),
                pair("/site", "deploy/sites/site.cfg"),
                pair("/run/secrets/cert", "certs/site.pem"),
                pair("/run/secrets/tls.pem", "certs/site.pem"),
            ]
        );
        assert_eq!(
            s.mounts[0].origin,
            "deploy/compose.yaml:6 (service lb, configs)"
        );
        assert!(s.mounts[2].origin.ends_with("(service lb, secrets)"));
    }

    #[test]
    fn interpolation_uses_defaults_and_drops_unknowns() {
        let text = "\
services:
  proxy:
    image: nginx:${TAG:-1.27}
    volumes:
      - ${NGINX_DIR:-./nginx}:/etc/nginx
      - ${CONF-./conf.d}:${TARGET:-/etc/nginx/conf.d}:ro
      - ${CERTS}:/certs
      - $LOGS/x:/x
      - ./a:/b/${UNSET}
    environment:
      SERVER_NAME: ${HOST:-example.com}
      UNKNOWN: ${NOPE}
      PORT: 8080
";
        let s = &compose("compose.yaml", text)[0];
        assert_eq!(s.image.as_deref(), Some("nginx:1.27"));
        assert_eq!(
            binds(s),
            vec![
                pair("/etc/nginx", "nginx"),
                pair("/etc/nginx/conf.d", "conf.d"),
            ]
        );
        assert_eq!(
            s.env,
            vec![
                ("SERVER_NAME".to_string(), "example.com".to_string()),
                ("PORT".to_string(), "8080".to_string()),
            ]
        );
    }

    #[test]
    fn expansion_rules() {
        assert_eq!(interpolate("${A:-${B:-x}}/y").as_deref(), Some("x/y"));
        assert_eq!(interpolate("$$HOST and $").as_deref(), Some("$HOST and $"));
        assert_eq!(interpolate("${A:?required}"), None);
        assert_eq!(interpolate("${A:+alt}"), None);
        assert_eq!(interpolate("${A"), None);
        let vars = |n: &str| match n {
            "DIR" => Some("/etc/nginx".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        assert_eq!(
            expand("$DIR/${EMPTY:-conf.d}", &vars, false).as_deref(),
            Some("/etc/nginx/conf.d")
        );
        assert_eq!(expand("${EMPTY-x}", &vars, false).as_deref(), Some(""));
        assert_eq!(expand("${DIR:+on}", &vars, false).as_deref(), Some("on"));
        assert_eq!(expand("\\$DIR", &vars, false).as_deref(), Some("$DIR"));
        assert_eq!(expand("$OTHER", &vars, false), None);
    }

    #[test]
    fn merge_keys_and_service_lines() {
        let text = "\
x-proxy: &proxy
  image: nginx:1.27
  volumes:
    - ./nginx.conf:/etc/nginx/nginx.conf:ro
services:
  app:
    image: node:20
    depends_on:
      b:
        condition: service_started
  a:
    <<: *proxy
  b:
    <<: *proxy
    image: openresty/openresty
";
        let services = compose("compose.yaml", text);
        let summary: Vec<(&str, usize, Option<&str>, usize)> = services
            .iter()
            .map(|s| (s.name.as_str(), s.line, s.image.as_deref(), s.mounts.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("app", 6, Some("node:20"), 0),
                ("a", 11, Some("nginx:1.27"), 1),
                ("b", 13, Some("openresty/openresty"), 1),
            ]
        );
        assert_eq!(services[2].project, vec!["app", "a", "b"]);
    }

    #[test]
    fn unparseable_yaml_is_an_error_naming_the_file() {
        let err = from_compose(Path::new("x/compose.yaml"), "services: [\n  a: b\n").unwrap_err();
        assert!(err.starts_with("x/compose.yaml: "), "{err}");
        assert_eq!(from_compose(Path::new("c.yaml"), "").unwrap(), Vec::new());
        assert_eq!(
            from_compose(Path::new("c.yaml"), "- a\n").unwrap(),
            Vec::new()
        );
        // Nested aliases that would expand to 10^7 nodes are refused, not expanded.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..7 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = from_compose(Path::new("c.yaml"), &laughs).unwrap_err();
        assert!(err.starts_with("c.yaml: YAML aliases expand"), "{err}");
        // The map, two keys, two lists, x and y, and two copies of the anchored list (3 each).
        assert_eq!(AliasBudget::measure("a: &a [x, y]\nb: [*a, *a]\n"), 13);
    }

    #[test]
    fn build_context_reads_the_dockerfile_with_its_workdir() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "deploy/compose.yaml",
            "\
services:
  gateway:
    build:
      context: ./proxy
      dockerfile: Dockerfile.prod
    volumes:
      - ./override.conf:/etc/nginx/conf.d/override.conf:ro
  named:
    image: myorg/gateway:3
    build: ./proxy
",
        );
        write(
            root,
            "deploy/proxy/Dockerfile.prod",
            "\
FROM nginx:1.27-alpine
WORKDIR /etc/nginx
COPY nginx.conf .
WORKDIR conf.d
COPY sites/ ./
COPY upstream.conf \\
     cache.conf ./snippets/
",
        );
        write(root, "deploy/proxy/sites/a.conf", "");
        write(
            root,
            "deploy/proxy/Dockerfile",
            "FROM haproxy:2.8\nCOPY haproxy.cfg /usr/local/etc/haproxy/\n",
        );
        let path = root.join("deploy/compose.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let services = from_compose(&path, &text).unwrap();
        let proxy = root.join("deploy/proxy");
        let s = &services[0];
        assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
        assert_eq!(s.dockerfile, Some(proxy.join("Dockerfile.prod")));
        assert_eq!(
            binds(s),
            vec![
                pair("/etc/nginx/nginx.conf", proxy.join("nginx.conf")),
                pair("/etc/nginx/conf.d", proxy.join("sites")),
                pair(
                    "/etc/nginx/conf.d/snippets/upstream.conf",
                    proxy.join("upstream.conf")
                ),
                pair(
                    "/etc/nginx/conf.d/snippets/cache.conf",
                    proxy.join("cache.conf")
                ),
                pair(
                    "/etc/nginx/conf.d/override.conf",
                    root.join("deploy/override.conf")
                ),
            ]
        );
        assert_eq!(
            s.mounts[0].origin,
            format!("{}:3 (COPY)", proxy.join("Dockerfile.prod").display())
        );
        assert_eq!(s.mounts[2].line, 6);
        // `image:` names the built image; the base still tells what runs.
        let named = &services[1];
        assert_eq!(named.image.as_deref(), Some("myorg/gateway:3"));
        assert_eq!(named.base_image.as_deref(), Some("haproxy:2.8"));
        assert_eq!(
            binds(named),
            vec![pair(
                "/usr/local/etc/haproxy/haproxy.cfg",
                proxy.join("haproxy.cfg")
            )]
        );
        assert_eq!(proxy_kind(named), Some(Dialect::Haproxy));
    }

    #[test]
    fn copy_lands_directory_contents_files_and_globs_like_docker() {
        let tmp = tempfile::tempdir().unwrap();
        let ctx = tmp.path().join("lb");
        for f in [
            "conf/a.cfg",
            "haproxy.cfg",
            "errors/503.http",
            "maps/hosts.map",
            "b.lua",
            "a.lua",
            "single1.cfg",
        ] {
            write(&ctx, f, "");
        }
        let text = "\
FROM haproxy:2.8
COPY conf /usr/local/etc/haproxy/
COPY conf /usr/local/etc/haproxy/conf
COPY haproxy.cfg /usr/local/etc/haproxy/haproxy.cfg
COPY haproxy.cfg errors /usr/local/etc/haproxy/extra/
COPY [\"maps/hosts.map\", \"/usr/local/etc/haproxy/maps/\"]
COPY --chown=haproxy:haproxy --chmod=644 *.lua /usr/local/etc/haproxy/lua/
COPY single*.cfg /etc/haproxy/only.cfg
";
        let services = from_dockerfile(&ctx.join("Dockerfile"), text, &ctx);
        assert_eq!(services.len(), 1);
        let s = &services[0];
        assert_eq!((s.name.as_str(), s.line), ("lb", 1));
        assert_eq!(
            binds(s),
            vec![
                pair("/usr/local/etc/haproxy", ctx.join("conf")),
                pair("/usr/local/etc/haproxy/conf", ctx.join("conf")),
                pair(
                    "/usr/local/etc/haproxy/haproxy.cfg",
                    ctx.join("haproxy.cfg")
                ),
                pair(
                    "/usr/local/etc/haproxy/extra/haproxy.cfg",
                    ctx.join("haproxy.cfg")
                ),
                pair("/usr/local/etc/haproxy/extra", ctx.join("errors")),
                pair(
                    "/usr/local/etc/haproxy/maps/hosts.map",
                    ctx.join("maps/hosts.map")
                ),
                pair("/usr/local/etc/haproxy/lua/a.lua", ctx.join("a.lua")),
                pair("/usr/local/etc/haproxy/lua/b.lua", ctx.join("b.lua")),
                pair("/etc/haproxy/only.cfg", ctx.join("single1.cfg")),
            ]
        );
        assert_eq!(
            s.mounts[6].origin,
            format!("{}:7 (COPY)", ctx.join("Dockerfile").display())
        );
    }

    #[test]
    fn only_the_final_stage_counts_and_copy_from_is_skipped() {
        let text = "\
# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app
FROM nginx:1.27 AS base
COPY nginx.conf /etc/nginx/nginx.conf
ENV NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/http.d
FROM base
COPY --from=build /out/app /usr/local/bin/app
ADD https://example.com/mime.types /etc/nginx/mime.types
ADD rootfs.tar.gz /
COPY <<EOF /etc/nginx/conf.d/inline.conf
COPY not-an-instruction /nowhere
EOF
COPY conf.d/default.conf /etc/nginx/conf.d/
";
        let services = from_dockerfile(Path::new("web/Dockerfile"), text, Path::new("web"));
        let s = &services[0];
        assert_eq!((s.name.as_str(), s.line), ("web", 9));
        assert_eq!(s.image.as_deref(), Some("nginx:1.27"));
        assert_eq!(
            binds(s),
            vec![
                pair("/etc/nginx/nginx.conf", "web/nginx.conf"),
                pair("/etc/nginx/conf.d/default.conf", "web/conf.d/default.conf"),
            ]
        );
        assert_eq!(s.mounts[1].line, 16);
        assert_eq!(
            s.env_var("NGINX_ENVSUBST_OUTPUT_DIR"),
            Some("/etc/nginx/http.d")
        );
        // A build target picks its stage instead.
        let build = dockerfile_stage(
            Path::new("web/Dockerfile"),
            text,
            Path::new("web"),
            &HashMap::new(),
            Some("build"),
        )
        .unwrap();
        assert_eq!(build.image.as_deref(), Some("golang:1.22"));
        assert_eq!(binds_of(&build.mounts), vec![pair("/src", "web")]);
        let empty = from_dockerfile(Path::new("Dockerfile"), "# nothing\n", Path::new("."));
        assert!(empty.is_empty());
    }

    #[test]
    fn dockerfile_continuations_comments_env_and_args() {
        let text = "\
ARG TAG=1.27
FROM nginx:${TAG}-alpine
ARG CONF_DIR=/etc/nginx
COPY a.conf \\
# a comment inside the continuation
     b.conf $CONF_DIR/conf.d/
ENV A=1 B=\"two words\"
ENV LEGACY some value
COPY c.conf ${MISSING}/c.conf
";
        let s = &from_dockerfile(Path::new("p/Dockerfile"), text, Path::new("p"))[0];
        assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
        assert_eq!(
            binds(s),
            vec![
                pair("/etc/nginx/conf.d/a.conf", "p/a.conf"),
                pair("/etc/nginx/conf.d/b.conf", "p/b.conf"),
            ]
        );
        assert_eq!(s.mounts[1].line, 4);
        let env: Vec<(&str, &str)> = s
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            env,
            vec![("A", "1"), ("B", "two words"), ("LEGACY", "some value")]
        );
        let args = HashMap::from([("TAG".to_string(), "1.25".to_string())]);
        let stage = dockerfile_stage(Path::new("p/Dockerfile"), text, Path::new("p"), &args, None);
        assert_eq!(stage.unwrap().image.as_deref(), Some("nginx:1.25-alpine"));
    }

    #[test]
    fn haproxy_file_lists_from_commands() {
        let text = "\
services:
  lb:
    image: haproxy:2.8
    working_dir: /usr/local/etc/haproxy
    command: haproxy -f /usr/local/etc/haproxy/haproxy.cfg -f conf.d -- /etc/haproxy/extra.cfg
  lb2:
    image: haproxy:2.8-alpine
    command: [\"-f\", \"/usr/local/etc/haproxy/base.cfg\", \"-f\", \"${SITES:-/usr/local/etc/haproxy/sites}\"]
  lb3:
    image: alpine:3.20
    entrypoint: [\"/bin/sh\", \"-c\"]
    command: [\"exec /usr/sbin/haproxy -W -f /etc/haproxy/haproxy.cfg -f $$EXTRA && true\"]
    environment:
      EXTRA: /etc/haproxy/extra.cfg
  web:
    image: nginx
    command: [\"nginx\", \"-g\", \"daemon off;\"]
  app:
    image: node:20
    command: [\"-f\", \"/x\"]
";
        let services = compose("compose.yaml", text);
        let files: Vec<Vec<PathBuf>> = services.iter().map(|s| s.haproxy_files.clone()).collect();
        assert_eq!(
            files,
            vec![
                paths(&[
                    "/usr/local/etc/haproxy/haproxy.cfg",
                    "/usr/local/etc/haproxy/conf.d",
                    "/etc/haproxy/extra.cfg"
                ]),
                paths(&[
                    "/usr/local/etc/haproxy/base.cfg",
                    "/usr/local/etc/haproxy/sites"
                ]),
                paths(&["/etc/haproxy/haproxy.cfg", "/etc/haproxy/extra.cfg"]),
                Vec::new(),
                Vec::new(),
            ]
        );
        assert_eq!(services[3].command, vec!["nginx", "-g", "daemon off;"]);
        let kinds: Vec<Option<Dialect>> = services.iter().map(proxy_kind).collect();
        assert_eq!(
            kinds,
            vec![
                Some(Dialect::Haproxy),
                Some(Dialect::Haproxy),
                Some(Dialect::Haproxy),
                Some(Dialect::Nginx),
                None
            ]
        );
    }

    #[test]
    fn haproxy_file_lists_from_dockerfile_cmd() {
        let exec = "\
FROM haproxy:2.8
ENV CFG_DIR=/usr/local/etc/haproxy
COPY haproxy.cfg $CFG_DIR/haproxy.cfg
CMD [\"haproxy\", \"-f\", \"/usr/local/etc/haproxy/haproxy.cfg\", \"-f\", \"/usr/local/etc/haproxy/conf.d/\"]
";
        let s = &from_dockerfile(Path::new("lb/Dockerfile"), exec, Path::new("lb"))[0];
        assert_eq!(
            s.haproxy_files,
            paths(&[
                "/usr/local/etc/haproxy/haproxy.cfg",
                "/usr/local/etc/haproxy/conf.d"
            ])
        );
        assert_eq!(
            binds(s),
            vec![pair("/usr/local/etc/haproxy/haproxy.cfg", "lb/haproxy.cfg")]
        );
        let shell = "\
FROM debian:12
ENV CFG=/etc/haproxy/haproxy.cfg
WORKDIR /etc/haproxy
ENTRYPOINT haproxy -W -f $CFG -f extra.d
";
        let s = &from_dockerfile(Path::new("lb/Dockerfile"), shell, Path::new("lb"))[0];
        assert_eq!(
            s.haproxy_files,
            paths(&["/etc/haproxy/haproxy.cfg", "/etc/haproxy/extra.d"])
        );
        assert_eq!(proxy_kind(s), Some(Dialect::Haproxy));
    }

    #[test]
    fn templates_become_conf_d_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in [
            "templates/default.conf.template",
            "templates/api/upstream.conf.template",
            "templates/tcp.conf.stream-template",
            "templates/README.md",
            "one.conf.template",
            "custom/site.conf.tmpl",
            "custom/ignored.template",
        ] {
            write(root, f, "");
        }
        let text = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - ./templates:/etc/nginx/templates:ro
      - ./one.conf.template:/etc/nginx/templates/extra/one.conf.template
  custom:
    image: nginx:1.27
    environment:
      - NGINX_ENVSUBST_TEMPLATE_DIR=/tpl
      - NGINX_ENVSUBST_TEMPLATE_SUFFIX=.tmpl
      - NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/sites
    volumes:
      - ./custom:/tpl
  shadow:
    image: nginx:1.27
    volumes:
      - ./templates:/etc/nginx/templates
      - ./custom:/etc/nginx/templates
";
        let path = root.join("compose.yaml");
        let services = from_compose(&path, text).unwrap();
        let web = &services[0];
        assert_eq!(
            binds(web)[2..].to_vec(),
            vec![
                pair(
                    "/etc/nginx/conf.d/api/upstream.conf",
                    root.join("templates/api/upstream.conf.template")
                ),
                pair(
                    "/etc/nginx/conf.d/default.conf",
                    root.join("templates/default.conf.template")
                ),
                pair(
                    "/etc/nginx/stream-conf.d/tcp.conf",
                    root.join("templates/tcp.conf.stream-template")
                ),
                pair(
                    "/etc/nginx/conf.d/extra/one.conf",
                    root.join("one.conf.template")
                ),
            ]
        );
        assert_eq!(
            web.mounts[3].origin,
            format!("{}:5 (templates → conf.d)", path.display())
        );
        assert_eq!(
            web.mounts[4].origin,
            format!("{}:5 (templates → stream-conf.d)", path.display())
        );
        assert_eq!(web.mounts[5].line, 6);
        assert_eq!(
            binds(&services[1])[1..].to_vec(),
            vec![pair(
                "/etc/nginx/sites/site.conf",
                root.join("custom/site.conf.tmpl")
            )]
        );
        // The later mount hides the first one's templates.
        assert_eq!(
            binds(&services[2])[2..].to_vec(),
            vec![pair(
                "/etc/nginx/conf.d/ignored",
                root.join("custom/ignored.template")
            )]
        );
    }

    #[test]
    fn proxy_kind_by_image_then_mounts() {
        let service = |image: Option<&str>, runtime: &[&str]| Service {
            name: "s".into(),
            file: "compose.yaml".into(),
            line: 1,
            image: image.map(String::from),
            base_image: None,
            dockerfile: None,
            mounts: runtime
                .iter()
                .map(|r| Mount {
                    runtime: r.into(),
                    local: "x".into(),
                    origin: String::new(),
                    line: 1,
                })
                .collect(),
            haproxy_files: Vec::new(),
            command: Vec::new(),
            env: Vec::new(),
            project: Vec::new(),
        };
        let nginx = [
            "nginx:1.27-alpine",
            "docker.io/library/nginx",
            "nginxinc/nginx-unprivileged:stable",
            "openresty/openresty:alpine",
            "bitnami/nginx:1.25",
            "lscr.io/linuxserver/swag",
            "lscr.io/linuxserver/nginx:latest",
            "jc21/nginx-proxy-manager:2",
            "registry.example.com:5000/nginx:1.27",
        ];
        for image in nginx {
            let kind = proxy_kind(&service(Some(image), &[]));
            assert_eq!(kind, Some(Dialect::Nginx), "{image}");
        }
        for image in [
            "haproxy:2.8",
            "haproxytech/haproxy-alpine:2.9",
            "haproxy@sha256:abc",
        ] {
            let kind = proxy_kind(&service(Some(image), &[]));
            assert_eq!(kind, Some(Dialect::Haproxy), "{image}");
        }
        for image in ["nginx/unit:1.32", "redis:7", "myorg/nginx-app"] {
            assert_eq!(proxy_kind(&service(Some(image), &[])), None, "{image}");
        }
        let by_mount = |runtime: &str| proxy_kind(&service(Some("myorg/gateway:3"), &[runtime]));
        assert_eq!(by_mount("/usr/local/etc/haproxy"), Some(Dialect::Haproxy));
        assert_eq!(by_mount("/etc/haproxy/haproxy.cfg"), Some(Dialect::Haproxy));
        assert_eq!(by_mount("/etc/nginx/conf.d"), Some(Dialect::Nginx));
        assert_eq!(
            by_mount("/usr/local/openresty/nginx/conf"),
            Some(Dialect::Nginx)
        );
        assert_eq!(by_mount("/etc/nginxish"), None);
        assert_eq!(proxy_kind(&service(None, &[])), None);
    }

    #[test]
    fn discover_walks_within_bounds_and_reads_built_dockerfiles_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "deploy/compose.yaml",
            "services:\n  gateway:\n    build: ./proxy\n",
        );
        write(
            root,
            "deploy/proxy/Dockerfile",
            "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/\n",
        );
        write(
            root,
            "deploy/docker-compose.prod.yml",
            "services:\n  gateway:\n    volumes:\n      - ./prod.conf:/etc/nginx/conf.d/prod.conf\n",
        );
        write(root, "web/Dockerfile", "FROM haproxy:2.8\n");
        write(
            root,
            ".hidden/compose.yaml",
            "services:\n  h:\n    image: nginx\n",
        );
        write(root, "node_modules/x/Dockerfile", "FROM nginx\n");
        write(root, "docs/Dockerfile.md", "FROM nginx\n");
        write(
            root,
            "notcompose.yaml",
            "services:\n  n:\n    image: nginx\n",
        );
        write(
            root,
            "a/b/c/d/e/f/compose.yaml",
            "services:\n  deep:\n    image: nginx\n",
        );
        write(
            root,
            "a/b/c/d/e/compose.yaml",
            "services:\n  shallow:\n    image: nginx\n",
        );
        write(root, "broken/compose.yml", "services: [\n  a: b\n");
        let big = format!("services: {{}}\n#{}\n", " ".repeat(1 << 20));
        write(root, "huge/compose.yaml", &big);
        let (services, errors) = discover(root);
        let found: Vec<(String, PathBuf)> = services
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.file.strip_prefix(root).unwrap().to_path_buf(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "shallow".to_string(),
                    PathBuf::from("a/b/c/d/e/compose.yaml")
                ),
                ("gateway".to_string(), PathBuf::from("deploy/compose.yaml")),
                (
                    "gateway".to_string(),
                    PathBuf::from("deploy/docker-compose.prod.yml")
                ),
                ("web".to_string(), PathBuf::from("web/Dockerfile")),
            ]
        );
        assert_eq!(
            binds(&services[1]),
            vec![pair(
                "/etc/nginx/nginx.conf",
                root.join("deploy/proxy/nginx.conf")
            )]
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        let broken = root.join("broken/compose.yml");
        assert!(errors[0].starts_with(&format!("{}: ", broken.display())));
        assert!(errors[1].contains("larger than 1 MiB"), "{}", errors[1]);
    }

    #[test]
    fn definition_file_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
            "docker-compose.override.yml",
            "compose.prod.yaml",
        ] {
            assert!(is_compose_name(name), "{name}");
        }
        for name in [
            "compose.json",
            "docker-compose..yml",
            "my-compose.yml",
            "compose.yaml.bak",
        ] {
            assert!(!is_compose_name(name), "{name}");
        }
        for name in [
            "Dockerfile",
            "Dockerfile.prod",
            "proxy.Dockerfile",
            "dockerfile",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in ["Dockerfile.dockerignore", "Dockerfile.md", "Dockerfiles"] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn normalize_is_lexical() {
        let n = |p: &str| normalize(Path::new(p)).display().to_string();
        assert_eq!(n("deploy/./nginx/../x"), "deploy/x");
        assert_eq!(n("./deploy/"), "deploy");
        assert_eq!(n("deploy/.."), ".");
        assert_eq!(n("../a/../../b"), "../../b");
        assert_eq!(n("/etc/nginx/../../../x/"), "/x");
    }

    #[test]
    fn shell_words_split_like_sh() {
        assert_eq!(
            shell_words(r#"nginx -g 'daemon off;' -c "/etc/a b.conf" x\ y"#),
            vec!["nginx", "-g", "daemon off;", "-c", "/etc/a b.conf", "x y"]
        );
    }
}

#[cfg(test)]
mod flow_tests {
    use super::*;

    /// A flow sequence over several lines (`test: [⏎ "CMD-SHELL", ⏎ "true" ⏎ ]`) is plain YAML.
    #[test]
    fn multi_line_flow_sequences() {
        let text = "services:\n  db:\n    healthcheck:\n      test: [\n        \"CMD-SHELL\",\n        \"true\"\n      ]\n  web:\n    image: nginx\n    volumes: [\"./nginx.conf:/etc/nginx/nginx.conf:ro\"]\n";
        let services = from_compose(Path::new("compose.yaml"), text).unwrap();
        let web = services.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.mounts.len(), 1);
        assert_eq!(
            web.mounts[0].runtime,
            PathBuf::from("/etc/nginx/nginx.conf")
        );
    }
}
