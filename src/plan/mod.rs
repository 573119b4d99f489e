//! plan: from the files found to *deployments*, one proxy process each: its main file (or
//! HAProxy's `-f` list) and where every file it loads sits at run time, mapped back to the
//! files of the repository. Nothing outside the linted tree is read unless a mount maps it.
//!
//! Where a main file runs, in order of evidence: `--mount` and `[[mount]]`; the Compose files
//! and Dockerfiles of the repository ([`containers`]); and, failing both, an absolute include
//! under a well-known root (`/etc/nginx/conf.d/*.conf`) whose files are found around the main
//! file ([`roots::ROOTS`]).

pub(crate) mod canon;
pub(crate) mod containers;
pub(crate) mod dump;
pub(crate) mod haproxy;
pub(crate) mod mounts;
pub mod place;
pub(crate) mod roots;
pub(crate) mod stock;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::finding::Dialect;
use mounts::{Mount, Mounts, Origin, normalize};
use place::Place;

/// The main file a deployment starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Main {
    /// A file of the repository.
    File(PathBuf),
    /// The image's own main file (the official nginx image's `nginx.conf`), for a container
    /// that mounts only `conf.d/`: the index into [`Planner::services`] of that container.
    Image(usize),
}

/// Finds deployments for the files of a run, reading container definitions once per tree.
#[derive(Default)]
pub(crate) struct Planner {
    /// `--mount` mounts, applied to every deployment.
    pub(crate) flag_mounts: Vec<Mount>,
    /// `--system`: read the host's files where a configuration names them.
    pub(crate) system: bool,
    /// Every container definition found, across the trees of the run.
    pub(crate) services: Vec<containers::Service>,
    /// The tree (boundary) each service was read in, parallel to `services`: a file is
    /// placed only by its own tree's containers, whatever else the run reads.
    service_tree: Vec<Option<PathBuf>>,
    /// The trees whose definitions were read.
    read: std::collections::HashSet<PathBuf>,
    boundaries: HashMap<PathBuf, Option<PathBuf>>,
    /// Directories a walk of the run has seen whole, with the definitions found there.
    walks: Vec<(PathBuf, Vec<PathBuf>, Vec<PathBuf>)>,
    /// The repository each directory lies in (`repository_of`).
    repos: HashMap<PathBuf, Option<PathBuf>>,
    /// `boundary` by the path as given.
    by_path: HashMap<PathBuf, Option<PathBuf>>,
    /// `boundary` by the directory as given.
    given: HashMap<PathBuf, Option<PathBuf>>,
    /// Each service's mount sources, resolved (for `covering`), parallel to `services`.
    resolved_mounts: Vec<Vec<Option<PathBuf>>>,
    cwd: Option<PathBuf>,
    /// The image main files made for containers ([`Main::Image`]), by file.
    images: HashMap<crate::source::FileId, usize>,
    /// Resolved paths, shared with every deployment's `Place`.
    pub(crate) canon: std::sync::Arc<canon::Canon>,
    /// Definition files that could not be read, as "path: message".
    pub(crate) errors: Vec<String>,
}

impl Planner {
    pub(crate) fn new(flag_mounts: Vec<Mount>, system: bool) -> Planner {
        Planner {
            flag_mounts,
            system,
            cwd: std::env::current_dir()
                .ok()
                .and_then(|d| std::fs::canonicalize(d).ok()),
            ..Planner::default()
        }
    }

    /// The directory no read may leave for a file or directory given: the repository that
    /// holds it (the nearest directory above with `.git`), else the working directory if it
    /// holds it, else the directory given (or the file's). None with `--system`.
    pub(crate) fn boundary(&mut self, path: &Path) -> Option<PathBuf> {
        if self.system {
            return None;
        }
        // Asked several times for every file of a run: by the path first (no system call),
        // then by the directory as given, so a fleet of 500 sites in one directory resolves
        // it once.
        if let Some(b) = self.by_path.get(path) {
            return b.clone();
        }
        let given = match path.is_dir() {
            true => path.to_path_buf(),
            false => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let b = match self.given.get(&given) {
            Some(b) => b.clone(),
            None => {
                let b = self.boundary_of(path);
                self.given.insert(given, b.clone());
                b
            }
        };
        self.by_path.insert(path.to_path_buf(), b.clone());
        b
    }

    fn boundary_of(&mut self, path: &Path) -> Option<PathBuf> {
        // From the directory the path is in, resolved, never from where a link named by the
        // path points: a committed `nginx.conf -> /elsewhere/nginx.conf` must not make
        // /elsewhere the tree.
        let given_dir = match path.is_dir() {
            true => path.to_path_buf(),
            false => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let dir = self
            .canon
            .path(&given_dir)
            .or_else(|| std::path::absolute(&given_dir).ok())
            .unwrap_or(given_dir);
        if let Some(b) = self.boundaries.get(&dir) {
            return b.clone();
        }
        let repo = self.repository_of(&dir);
        // Outside a repository and the working directory, the deployment's own directory:
        // that of the nginx.conf above the file (where `Roots` looks), else the file's.
        // The working directory counts as the tree only when it is a project's, not `/` or
        // the home directory (everything would be inside).
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let b = repo
            .or_else(|| {
                self.cwd.clone().filter(|c| {
                    dir.starts_with(c) && c.parent().is_some() && Some(c) != home.as_ref()
                })
            })
            .or_else(|| {
                // A directory given on the command line holds its Compose files and
                // Dockerfiles with the configuration: `gwlint /srv/stack` from anywhere reads
                // the deployment as `gwlint .` from inside it does.
                self.walks
                    .iter()
                    .map(|(w, _, _)| w)
                    .filter(|w| dir.starts_with(w) && w.parent().is_some())
                    .min_by_key(|w| w.as_os_str().len())
                    .cloned()
            })
            .or_else(|| {
                dir.ancestors()
                    .take(4)
                    .filter(|d| d.join("nginx.conf").is_file())
                    .last()
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| dir.clone());
        self.boundaries.insert(dir, Some(b.clone()));
        Some(b)
    }

    /// The nearest directory at or above `dir` (resolved) that holds `.git`; one look per
    /// directory in a run.
    fn repository_of(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut seen = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(r) = self.repos.get(d) {
                found = r.clone();
                break;
            }
            seen.push(d.to_path_buf());
            if d.join(".git").exists() {
                found = Some(d.to_path_buf());
                break;
            }
        }
        for d in seen {
            self.repos.insert(d, found.clone());
        }
        found
    }

    /// Reads the container definitions of the tree holding `path`, once.
    fn read_tree(&mut self, path: &Path) {
        let Some(tree) = self.boundary(path).or_else(|| {
            // With --system, the definitions near the file still say where it runs.
            std::fs::canonicalize(nonempty(path))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
        }) else {
            return;
        };
        if !self.read.insert(tree.clone()) {
            return;
        }
        // Directories the run walked whole already say what they hold: one that holds the
        // tree answers for all of it; the ones inside it are not searched again.
        let covering = self.walks.iter().find(|(w, _, _)| tree.starts_with(w));
        let known: Vec<_> = match covering {
            Some(w) => vec![w],
            None => self
                .walks
                .iter()
                .filter(|(w, _, _)| w.starts_with(&tree))
                .collect(),
        };
        let (mut composes, mut dockerfiles, errors) = match covering {
            Some(_) => (Vec::new(), Vec::new(), Vec::new()),
            None => {
                let skip: Vec<PathBuf> = known.iter().map(|(w, _, _)| w.clone()).collect();
                containers::definition_files_skipping(&tree, &skip)
            }
        };
        // Only as deep as a search of the tree itself looks: what places a tree's files does
        // not depend on which larger directory the run walked.
        let within = |p: &PathBuf| {
            self.canon.path(p).is_some_and(|c| {
                c.strip_prefix(&tree)
                    .is_ok_and(|rest| rest.components().count() <= containers::MAX_DEPTH)
            })
        };
        for (_, c, d) in known {
            composes.extend(c.iter().filter(|p| within(p)).cloned());
            dockerfiles.extend(d.iter().filter(|p| within(p)).cloned());
        }
        let (services, errors) = containers::read_definitions(&tree, composes, dockerfiles, errors);
        self.add_services(Some(tree), services, errors);
    }

    /// Takes the container definitions a directory walk found: the directory is then not
    /// searched a second time.
    pub(crate) fn prime(
        &mut self,
        walked: &Path,
        composes: Vec<PathBuf>,
        dockerfiles: Vec<PathBuf>,
    ) {
        // Read when a tree first asks (`read_tree`): for the trees it holds, and for the rest of
        // a larger tree.
        if let Some(dir) = self.canon.path(walked) {
            self.walks.push((dir, composes, dockerfiles));
        }
    }

    fn add_services(
        &mut self,
        tree: Option<PathBuf>,
        mut services: Vec<containers::Service>,
        errors: Vec<String>,
    ) {
        self.service_tree
            .extend(std::iter::repeat_n(tree, services.len()));
        let cwd = self.cwd.as_ref().map(|c| format!("{}/", c.display()));
        for s in &mut services {
            s.file = self.shown(&s.file);
            for m in &mut s.mounts {
                m.local = self.shown(&m.local);
                let origin = m.origin.strip_prefix("./").unwrap_or(&m.origin);
                let origin = cwd
                    .as_ref()
                    .and_then(|c| origin.strip_prefix(c.as_str()))
                    .unwrap_or(origin);
                m.origin = origin.to_string();
            }
        }
        self.services.extend(services);
        self.errors.extend(errors);
    }

    /// A path as the user sees it: relative to the working directory when it lies below it.
    pub(crate) fn shown(&self, p: &Path) -> PathBuf {
        match &self.cwd {
            Some(c) if p.is_absolute() => match p.strip_prefix(c) {
                Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
                Ok(rest) => rest.to_path_buf(),
                Err(_) => p.to_path_buf(),
            },
            _ => normalize(p),
        }
    }

    /// The services (nginx or HAProxy containers) one of whose mounts holds `path`.
    fn covering(&mut self, path: &Path, dialect: Dialect) -> Vec<usize> {
        self.read_tree(path);
        // Most repositories have no container of this proxy: nothing to resolve.
        if !self
            .services
            .iter()
            .any(|s| containers::proxy_kind(s) == Some(dialect))
        {
            return Vec::new();
        }
        let Some(canon) = self.canon.path(path) else {
            return Vec::new();
        };
        while self.resolved_mounts.len() < self.services.len() {
            let s = &self.services[self.resolved_mounts.len()];
            let resolved = s.mounts.iter().map(|m| self.canon.path(&m.local)).collect();
            self.resolved_mounts.push(resolved);
        }
        let tree = self.boundary(path);
        self.services
            .iter()
            .zip(&self.resolved_mounts)
            .enumerate()
            .filter(|(i, _)| tree.is_none() || self.service_tree[*i] == tree)
            .filter(|(_, (s, _))| containers::proxy_kind(s) == Some(dialect))
            .filter(|(_, (_, locals))| locals.iter().flatten().any(|l| canon.starts_with(l)))
            .map(|(i, _)| i)
            .collect()
    }

    /// The files below `dir` that an nginx or HAProxy container mounts or copies as files
    /// (`COPY proxy/conf /etc/nginx/conf.d/default.conf`): configuration whatever its name.
    pub(crate) fn mounted_files_under(&mut self, dir: &Path) -> Vec<PathBuf> {
        self.read_tree(dir);
        let Some(base) = self.canon.path(dir) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for s in &self.services {
            if containers::proxy_kind(s).is_none() {
                continue;
            }
            for m in &s.mounts {
                // Configuration at a proxy's configuration path: not its certificates,
                // scripts or pages.
                let at_config_path = roots::paths().any(|r| m.runtime.starts_with(r))
                    && m.runtime
                        .extension()
                        .is_none_or(|x| x == "conf" || x == "cfg");
                let under = at_config_path
                    && m.local.is_file()
                    && self
                        .canon
                        .path(&m.local)
                        .is_some_and(|c| c.starts_with(&base));
                // A template becomes configuration only through the image's start-up step.
                let template = m.local.extension().is_some_and(|x| x == "template");
                if under && !template && !out.contains(&m.local) {
                    out.push(m.local.clone());
                }
            }
        }
        out
    }

    /// May a file the plan found for `asked` (a path of the run) be read: does it lie, links
    /// resolved, inside the tree of `asked`? Every file the plan finds on its own (a
    /// container's main file or `-f` list, a `conf.d/` beside a main file) is asked for.
    pub(crate) fn admits(&mut self, asked: &Path, found: &Path) -> bool {
        match self.boundary(asked) {
            None => true,
            Some(b) => self.canon.path(found).is_some_and(|c| c.starts_with(&b)),
        }
    }

    /// The main files a containerised deployment would load `file` from: the file a
    /// container mounts as its main configuration, or the image's own.
    pub(crate) fn mains_for(&mut self, file: &Path) -> Vec<Main> {
        let mut out = Vec::new();
        for i in self.covering(file, Dialect::Nginx) {
            let s = &self.services[i];
            let mounts = mounts_of(s);
            let main = main_path(s);
            match mounts.local(Path::new(main)) {
                Some((local, _)) if local.is_file() => out.push(Main::File(local)),
                _ if is_official_nginx(s) => out.push(Main::Image(i)),
                _ => {}
            }
        }
        out
    }

    /// The `-f` list of the HAProxy container that loads `file` (its Compose `command:` or
    /// Dockerfile `CMD`), as repository files in HAProxy's order: a directory gives its `*.cfg`
    /// files in lexical order. None when no container says.
    pub(crate) fn haproxy_list(&mut self, file: &Path) -> Option<Vec<PathBuf>> {
        self.covering(file, Dialect::Haproxy)
            .into_iter()
            .find_map(|i| {
                let s = &self.services[i];
                let mounts = mounts_of(s);
                let locals: Vec<PathBuf> = s
                    .haproxy_files
                    .iter()
                    .filter_map(|rt| mounts.local(rt).map(|(local, _)| local))
                    .collect();
                haproxy::list_holding(&locals, file)
            })
    }

    /// How the deployment of a main file sees the file system. `prefix` is `--prefix` or
    /// gwlint.toml's `[nginx] prefix`; `configured` the `[[mount]]`s that apply.
    pub(crate) fn place_for(
        &mut self,
        main: &Path,
        main_text: &str,
        prefix: Option<&Path>,
        configured: &[Mount],
        prefix_from_cli: bool,
    ) -> Place {
        let boundary = self.boundary(main);
        let dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
        let home = self.canon.path(&dir);
        let mut mounts = Mounts::default();
        let container = self.covering(main, Dialect::Nginx).first().copied();
        if let Some(i) = container {
            for m in &self.services[i].mounts {
                mounts.push(container_mount(m));
            }
        }
        for m in configured.iter().chain(&self.flag_mounts) {
            mounts.push(m.clone());
        }
        // A prefix from gwlint.toml comes with the change, and stays inside the tree.
        let explicit_prefix = prefix.filter(|_| prefix_from_cli).map(Path::to_path_buf);
        let local_prefix = prefix.map(Path::to_path_buf).unwrap_or(dir.clone());
        let shown_prefix = self.shown(
            &self
                .canon
                .path(&local_prefix)
                .unwrap_or(local_prefix.clone()),
        );
        let runtime = mounts
            .runtime(&shown_prefix)
            .or_else(|| mounts.runtime(&local_prefix));
        let prefix = match runtime {
            Some(rt) => rt,
            None if mounts.is_empty() && prefix.is_none() => match infer(main_text, &dir) {
                Some(m) => {
                    let rt = m.runtime.clone();
                    mounts.push(m);
                    rt
                }
                None => local_prefix,
            },
            None => local_prefix,
        };
        // What the user pointed at on the command line is part of the tree; a gwlint.toml
        // comes with the (maybe untrusted) change, so its mounts stay inside the boundary.
        let allowed = self.allowed(explicit_prefix);
        Place {
            prefix,
            mounts,
            dump: None,
            boundary,
            allowed,
            home,
            prefix_unknown: false,
            canon: self.canon.clone(),
        }
    }

    /// Records that `file` is the image's main file of container `service`.
    pub(crate) fn note_image(&mut self, file: crate::source::FileId, service: usize) {
        self.images.insert(file, service);
    }

    /// The container whose image main file `file` is.
    pub(crate) fn image_of(&self, file: crate::source::FileId) -> Option<usize> {
        self.images.get(&file).copied()
    }

    /// What the command line points at outside the tree (`--mount`, and `--prefix` when
    /// given), resolved: a deployment may read there.
    fn allowed(&self, prefix: Option<PathBuf>) -> Vec<PathBuf> {
        self.flag_mounts
            .iter()
            .map(|m| m.local.clone())
            .chain(prefix)
            .filter_map(|p| self.canon.path(&p))
            .collect()
    }

    /// The place of a container's image-provided main file.
    pub(crate) fn place_of_image(&mut self, service: usize) -> Place {
        let s = &self.services[service];
        let file = s.file.clone();
        let mut mounts = mounts_of(s);
        for m in &self.flag_mounts {
            mounts.push(m.clone());
        }
        let allowed = self.allowed(None);
        Place {
            prefix: PathBuf::from("/etc/nginx"),
            mounts,
            dump: None,
            boundary: self.boundary(&file),
            allowed,
            home: None,
            prefix_unknown: false,
            canon: self.canon.clone(),
        }
    }
}

fn nonempty(p: &Path) -> &Path {
    if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    }
}

fn container_mount(m: &containers::Mount) -> Mount {
    let copied = m.origin.ends_with("(COPY)") || m.origin.ends_with("(ADD)");
    Mount {
        runtime: m.runtime.clone(),
        local: m.local.clone(),
        origin: match copied {
            true => Origin::Copied(m.origin.clone()),
            false => Origin::Container(m.origin.clone()),
        },
    }
}

fn mounts_of(s: &containers::Service) -> Mounts {
    let mut mounts = Mounts::default();
    for m in &s.mounts {
        mounts.push(container_mount(m));
    }
    mounts
}

/// The run-time path of an image's main nginx configuration.
fn main_path(s: &containers::Service) -> &'static str {
    let image = s.image.as_deref().unwrap_or("");
    if image.contains("openresty") {
        "/usr/local/openresty/nginx/conf/nginx.conf"
    } else if image.contains("bitnami") {
        "/opt/bitnami/nginx/conf/nginx.conf"
    } else if image.contains("linuxserver") {
        "/config/nginx/nginx.conf"
    } else {
        "/etc/nginx/nginx.conf"
    }
}

/// The official image (`nginx`, `nginx:1.27-alpine`, `nginxinc/nginx-unprivileged`), whose
/// own main file includes `/etc/nginx/conf.d/*.conf`.
fn is_official_nginx(s: &containers::Service) -> bool {
    let image = s.image.as_deref().unwrap_or("");
    let name = image
        .rsplit_once('/')
        .map_or(image, |(_, n)| n)
        .split([':', '@'])
        .next()
        .unwrap_or("");
    let repo = image.split([':', '@']).next().unwrap_or("");
    matches!(
        repo,
        "nginx" | "library/nginx" | "docker.io/nginx" | "docker.io/library/nginx"
    ) || (name.starts_with("nginx-unprivileged") && image.contains("nginxinc"))
}

/// Infers where a main file runs from its own absolute includes: the first include under a
/// well-known root whose rest, taken from the main file's directory, finds files there.
pub(crate) fn infer(main_text: &str, dir: &Path) -> Option<Mount> {
    let dir = nonempty(dir);
    for pattern in absolute_includes(main_text) {
        let p = normalize(Path::new(&pattern));
        for root in roots::paths() {
            let Ok(rest) = p.strip_prefix(root) else {
                continue;
            };
            if rest.as_os_str().is_empty() {
                continue;
            }
            let local = dir.join(rest);
            let text = local.to_string_lossy();
            let found = if place::is_glob(&pattern) {
                glob::glob(&text).is_ok_and(|mut g| g.next().is_some())
                    // `sites-enabled/*` of a repository with no site enabled yet.
                    || local.parent().is_some_and(|d| d.is_dir() && !place::is_glob(&d.to_string_lossy()))
            } else {
                local.exists()
            };
            if found {
                return Some(Mount {
                    runtime: PathBuf::from(root),
                    local: dir.to_path_buf(),
                    origin: Origin::Inferred {
                        root: dir.to_path_buf(),
                        include: pattern,
                    },
                });
            }
        }
    }
    None
}

/// The absolute `include` arguments of a text, by a scan cheap enough for every main file
/// (the parse of the include tree comes later, through the mounts found here).
fn absolute_includes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix("include") else {
            continue;
        };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let arg = rest
            .trim()
            .trim_end_matches(';')
            .trim()
            .trim_matches(['"', '\'']);
        if arg.starts_with('/') {
            out.push(arg.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_includes_are_found() {
        let text = "http {\n    include /etc/nginx/mime.types;\n  include conf.d/*.conf;\n include \"/etc/nginx/conf.d/*.conf\";\n}\n# include /x;\nincluded /y;\n";
        assert_eq!(
            absolute_includes(text),
            vec!["/etc/nginx/mime.types", "/etc/nginx/conf.d/*.conf"]
        );
    }

    #[test]
    fn inference_needs_the_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/a.conf"), "").unwrap();
        let m = infer("include /etc/nginx/conf.d/*.conf;", dir.path()).unwrap();
        assert_eq!(m.runtime, PathBuf::from("/etc/nginx"));
        assert_eq!(m.local, dir.path());
        let m = infer("include /config/nginx/conf.d/*.conf;", dir.path()).unwrap();
        assert_eq!(m.runtime, PathBuf::from("/config/nginx"));
        assert!(infer("include /etc/nginx/sites/*.conf;", dir.path()).is_none());
        assert!(infer("include /srv/conf.d/*.conf;", dir.path()).is_none());
        assert!(infer("include /etc/nginx/mime.types;", dir.path()).is_none());
    }

    #[test]
    fn official_images() {
        let s = |image: &str| containers::Service {
            name: "proxy".into(),
            file: "compose.yaml".into(),
            line: 1,
            image: Some(image.into()),
            base_image: None,
            dockerfile: None,
            command: Vec::new(),
            mounts: Vec::new(),
            haproxy_files: Vec::new(),
            env: Vec::new(),
            project: Vec::new(),
        };
        assert!(is_official_nginx(&s("nginx")));
        assert!(is_official_nginx(&s("nginx:1.27-alpine")));
        assert!(is_official_nginx(&s("docker.io/library/nginx:stable")));
        assert!(is_official_nginx(&s("nginxinc/nginx-unprivileged:1.27")));
        assert!(!is_official_nginx(&s("bitnami/nginx:1.27")));
        assert!(!is_official_nginx(&s("openresty/openresty")));
        assert_eq!(
            main_path(&s("bitnami/nginx")),
            "/opt/bitnami/nginx/conf/nginx.conf"
        );
    }
}
