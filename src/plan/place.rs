//! How one deployment sees the file system: where its main file sits at run time, which
//! repository paths its run-time paths map to, and the directory no read may leave. An
//! `include` is resolved here: to repository files, to a stock file the image ships, to the
//! files of an `nginx -T` dump, or to "not followed" (never read, and said).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::mounts::{Mounts, normalize};
use crate::source::FileId;

/// Files that images write at container start, known by what they hold: they are not in the
/// repository, and their content is not up to it.
const GENERATED: &[(&str, &str)] = &[
    // linuxserver's images write both at start (the resolver from /etc/resolv.conf).
    (
        "/config/nginx/resolver.conf",
        "resolver 127.0.0.11 valid=30s;\n",
    ),
    (
        "/config/nginx/worker_processes.conf",
        "worker_processes auto;\n",
    ),
];

/// One deployment's view of the file system.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// nginx's prefix at run time: relative includes start here. A repository path when
    /// the run-time location is unknown.
    pub(crate) prefix: PathBuf,
    pub(crate) mounts: Mounts,
    /// The files of an `nginx -T` dump, by run-time path: the only files such a deployment has.
    pub(crate) dump: Option<BTreeMap<PathBuf, FileId>>,
    /// No file outside this directory (resolved) is read; None: any file (`--system`).
    pub(crate) boundary: Option<PathBuf>,
    /// Directories the user pointed at on the command line (`--prefix`, `--mount`),
    /// resolved: reads there are allowed too. Never from gwlint.toml.
    pub(crate) allowed: Vec<PathBuf>,
    /// The main file's directory, resolved: an absolute include below it is the file there,
    /// when no mount says otherwise (a checkout linted where it is deployed).
    pub(crate) home: Option<PathBuf>,
    /// The file is a fragment no main file loads: nginx's prefix, where relative includes
    /// start, is unknown, so a relative include that is not found is unknown too.
    pub(crate) prefix_unknown: bool,
    /// Resolved paths, shared by the deployments of a run.
    pub(crate) canon: std::sync::Arc<super::canon::Canon>,
}

/// Why an include is not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unfollowed {
    /// The path leaves the linted tree (`include /etc/shadow;`, `../../..`, a link out).
    Outside,
    /// An absolute path that no mount maps into the repository.
    Unmapped,
    /// Mapped (by inference) into the repository, where no such file is: the image or its
    /// start-up may provide it.
    NotInRepository { local: PathBuf, mount: String },
    /// An `nginx -T` dump does not hold the file.
    NotInDump,
    /// A relative include in a fragment no main file loads: it starts at nginx's prefix,
    /// which is unknown.
    PrefixUnknown,
    /// A file the include names (or one its glob matches) is a link to this run-time path,
    /// which no mount maps into the repository.
    LinkOut(PathBuf),
}

/// A match of a glob that is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A dangling link: nginx fails to open it (GW002).
    Missing(PathBuf),
    Unfollowed(PathBuf, Unfollowed),
}

/// What an include's argument resolves to.
#[derive(Debug)]
pub(crate) enum Resolved {
    /// Repository files to read, in nginx's order, each with its run-time path; and the
    /// matches of a glob that cannot be read.
    Files(Vec<(PathBuf, PathBuf)>, Vec<Problem>),
    /// Files of the dump.
    Dumped(Vec<FileId>),
    /// A file the image or package ships (or writes at start): its run-time path and text.
    Stock(PathBuf, &'static str),
    /// A plain path that does not exist where the deployment has it (GW002).
    Missing(PathBuf),
    /// Not read: what it could hold is unknown.
    Unfollowed(PathBuf, Unfollowed),
}

/// nginx matches includes with glob(3): `*` never crosses `/`, and `**` is just two stars.
pub(crate) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn glob_options() -> glob::MatchOptions {
    // glob(3): `*` never crosses `/`, and a leading dot is matched only by a dot.
    glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    }
}

/// The glob crate reads `**` as "any directories"; glob(3) reads it as `*`.
fn as_glob3(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if !(c == '*' && out.ends_with('*')) {
            out.push(c);
        }
    }
    out
}

impl Place {
    /// A place that knows nothing of run time: relative includes start at `prefix`.
    pub fn local(prefix: &Path) -> Place {
        Place {
            prefix: prefix.to_path_buf(),
            home: std::fs::canonicalize(if prefix.as_os_str().is_empty() {
                Path::new(".")
            } else {
                prefix
            })
            .ok(),
            ..Place::default()
        }
    }

    /// Resolves an include's argument.
    pub(crate) fn resolve(&self, pattern: &str) -> Resolved {
        let runtime = normalize(&self.prefix.join(pattern));
        if let Some(dump) = &self.dump {
            return resolve_dumped(dump, &runtime);
        }
        if let Some(g) = generated(&runtime) {
            return g;
        }
        let (local, inferred) = match self.mounts.local(&runtime) {
            Some((local, m)) => {
                // Where the repository's files are added to the image's (inferred, or a
                // Dockerfile COPY), a file that is not in the repository may be the image's.
                let inferred = matches!(
                    m.origin,
                    super::mounts::Origin::Inferred { .. } | super::mounts::Origin::Copied(_)
                );
                (local, inferred.then(|| m.local.display().to_string()))
            }
            None if runtime.is_absolute()
                && !self.home.as_ref().is_some_and(|h| runtime.starts_with(h))
                && !self.allowed.iter().any(|a| runtime.starts_with(a))
                && self
                    .boundary
                    .as_ref()
                    .is_some_and(|b| !runtime.starts_with(b)) =>
            {
                // Files mounted one by one into a directory the image owns
                // (`./app.conf:/etc/nginx/conf.d/app.conf`).
                if is_glob(pattern) {
                    let mut out = Vec::new();
                    if let Err(why) = self.file_mounts(&runtime, &mut out) {
                        return Resolved::Unfollowed(runtime, why);
                    }
                    if !out.is_empty() {
                        return Resolved::Files(out, Vec::new());
                    }
                }
                // A relative include that climbs out of the prefix leaves the tree.
                let why = match Path::new(pattern).is_relative() {
                    true => Unfollowed::Outside,
                    false => Unfollowed::Unmapped,
                };
                return stock(&runtime, pattern).unwrap_or(Resolved::Unfollowed(runtime, why));
            }
            None => (runtime.clone(), None),
        };
        let text = local.to_string_lossy().into_owned();
        if is_glob(pattern) {
            return self.expand(&runtime, &text);
        }
        match self.follow(&local) {
            Ok(found) if found.exists() => Resolved::Files(vec![(runtime, found)], Vec::new()),
            // A stock name (`mime.types`, `fastcgi_params`) that the repository lacks is the
            // image's or package's own file.
            Ok(found) => match (stock(&runtime, pattern), inferred) {
                (Some(s), _) => s,
                (None, Some(mount)) => Resolved::Unfollowed(
                    runtime,
                    Unfollowed::NotInRepository {
                        local: found,
                        mount,
                    },
                ),
                (None, None) if self.prefix_unknown && Path::new(pattern).is_relative() => {
                    Resolved::Unfollowed(runtime, Unfollowed::PrefixUnknown)
                }
                (None, None) => Resolved::Missing(found),
            },
            Err(why) => Resolved::Unfollowed(runtime, why),
        }
    }

    fn expand(&self, runtime: &Path, local_pattern: &str) -> Resolved {
        // Never list a directory outside the tree: the pattern's literal directory must lie
        // inside it.
        let literal: PathBuf = Path::new(local_pattern)
            .components()
            .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
            .collect();
        if let Some(dir) = self.canon.path(&literal)
            && !self.inside(&dir)
        {
            return Resolved::Unfollowed(runtime.to_path_buf(), Unfollowed::Outside);
        }
        let mut paths: Vec<PathBuf> =
            match glob::glob_with(&as_glob3(local_pattern), glob_options()) {
                Ok(p) => p.filter_map(Result::ok).filter(|p| !p.is_dir()).collect(),
                Err(_) => Vec::new(),
            };
        paths.sort();
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for p in paths {
            let rt = match (
                runtime.parent(),
                p.file_name(),
                Path::new(local_pattern).parent(),
            ) {
                // The run-time name of a match: the pattern's directory and the match's name.
                (Some(d), Some(n), Some(lp)) if !is_glob(&lp.to_string_lossy()) => d.join(n),
                _ => p.clone(),
            };
            // Each match on its own: one that cannot be read does not drop the others.
            match self.follow(&p) {
                Ok(found) if found.exists() => out.push((rt, found)),
                // A dangling link nginx would fail on.
                Ok(found) => problems.push(Problem::Missing(found)),
                // Named by the pattern, not the match: the name may be of a directory
                // outside the tree.
                Err(why) => problems.push(Problem::Unfollowed(runtime.to_path_buf(), why)),
            }
        }
        if let Err(why) = self.file_mounts(runtime, &mut out) {
            problems.push(Problem::Unfollowed(runtime.to_path_buf(), why));
        }
        problems.dedup();
        Resolved::Files(out, problems)
    }

    /// Adds the files mounted one by one at run-time paths the glob matches; a file mount
    /// hides the file a directory mount has at the same path, as in the container.
    fn file_mounts(
        &self,
        runtime: &Path,
        out: &mut Vec<(PathBuf, PathBuf)>,
    ) -> Result<(), Unfollowed> {
        let Ok(pattern) = glob::Pattern::new(&as_glob3(&runtime.to_string_lossy())) else {
            return Ok(());
        };
        let mut added = false;
        for m in self.mounts.iter() {
            if pattern.matches_path_with(&m.runtime, glob_options()) && m.local.is_file() {
                let found = self.follow(&m.local)?;
                out.retain(|(rt, _)| *rt != m.runtime);
                out.push((m.runtime.clone(), found));
                added = true;
            }
        }
        if added {
            // nginx reads glob matches sorted by their (run-time) names.
            out.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(())
    }

    /// Follows the links of a repository path the way they resolve at run time: an
    /// absolute link target is a run-time path, mapped through the mounts. The result lies
    /// inside the boundary, or is refused.
    pub(crate) fn follow(&self, path: &Path) -> Result<PathBuf, Unfollowed> {
        let mut p = path.to_path_buf();
        for _ in 0..40 {
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                break;
            };
            if !meta.file_type().is_symlink() {
                break;
            }
            let Ok(target) = std::fs::read_link(&p) else {
                break;
            };
            p = if target.is_absolute() {
                match self.mounts.local(&target) {
                    Some((local, _)) => local,
                    None if self.boundary.is_none() => target,
                    None if self.home.as_ref().is_some_and(|h| target.starts_with(h)) => target,
                    None => return Err(Unfollowed::LinkOut(target)),
                }
            } else {
                normalize(&p.parent().unwrap_or(Path::new("")).join(target))
            };
        }
        if self.boundary.is_none() {
            return Ok(p);
        }
        // Resolve what exists of the path: a missing file's directory still must be inside.
        let mut probe = p.as_path();
        loop {
            if let Some(c) = self.canon.path(probe) {
                return if self.inside(&c) {
                    Ok(p)
                } else {
                    Err(Unfollowed::Outside)
                };
            }
            match probe.parent() {
                Some(parent) => probe = parent,
                None => return Ok(p),
            }
        }
    }

    /// May a file at this resolved path be read?
    fn inside(&self, resolved: &Path) -> bool {
        match &self.boundary {
            None => true,
            Some(b) => {
                resolved.starts_with(b) || self.allowed.iter().any(|a| resolved.starts_with(a))
            }
        }
    }
}

/// The stock file an include names: by its run-time path, or by the name as written
/// (`include mime.types;` when the run-time prefix is unknown).
fn stock(runtime: &Path, pattern: &str) -> Option<Resolved> {
    let s = crate::plan::stock::lookup(runtime)
        .or_else(|| crate::plan::stock::lookup(&normalize(Path::new(pattern))))?;
    Some(Resolved::Stock(runtime.to_path_buf(), s.text))
}

fn generated(runtime: &Path) -> Option<Resolved> {
    GENERATED
        .iter()
        .find(|(p, _)| runtime == Path::new(p))
        .map(|(p, text)| Resolved::Stock(PathBuf::from(p), text))
}

fn resolve_dumped(dump: &BTreeMap<PathBuf, FileId>, runtime: &Path) -> Resolved {
    let text = runtime.to_string_lossy();
    if is_glob(&text) {
        let Ok(pattern) = glob::Pattern::new(&as_glob3(&text)) else {
            return Resolved::Dumped(Vec::new());
        };
        return Resolved::Dumped(
            dump.iter()
                .filter(|(p, _)| pattern.matches_path_with(p, glob_options()))
                .map(|(_, &f)| f)
                .collect(),
        );
    }
    match dump.get(runtime) {
        Some(&f) => Resolved::Dumped(vec![f]),
        None => Resolved::Unfollowed(runtime.to_path_buf(), Unfollowed::NotInDump),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_glob3() {
        assert_eq!(as_glob3("/a/**/*.conf"), "/a/*/*.conf");
        assert!(is_glob("conf.d/*.conf"));
        assert!(!is_glob("conf.d/a.conf"));
    }

    #[test]
    fn dump_lookup() {
        let mut d = BTreeMap::new();
        d.insert(PathBuf::from("/etc/nginx/conf.d/a.conf"), FileId(1));
        d.insert(PathBuf::from("/etc/nginx/conf.d/b.conf"), FileId(2));
        d.insert(PathBuf::from("/etc/nginx/conf.d/x/c.conf"), FileId(3));
        match resolve_dumped(&d, Path::new("/etc/nginx/conf.d/*.conf")) {
            Resolved::Dumped(f) => assert_eq!(f, vec![FileId(1), FileId(2)]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve_dumped(&d, Path::new("/etc/nginx/x.conf")),
            Resolved::Unfollowed(_, Unfollowed::NotInDump)
        ));
    }

    /// A checkout linted where it is: its root is the prefix, the boundary and home.
    fn at(root: &Path) -> Place {
        Place {
            prefix: root.to_path_buf(),
            boundary: Some(root.to_path_buf()),
            home: Some(root.to_path_buf()),
            ..Place::default()
        }
    }

    #[test]
    fn leading_dots_as_glob3() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("conf.d/.old")).unwrap();
        std::fs::write(root.join("conf.d/a.conf"), "").unwrap();
        std::fs::write(root.join("conf.d/.b.conf"), "").unwrap();
        std::fs::write(root.join("conf.d/.old/c.conf"), "").unwrap();
        let place = at(&root);
        let names = |pattern: &str| match place.resolve(pattern) {
            Resolved::Files(found, _) => found
                .iter()
                .map(|(_, l)| l.strip_prefix(&root).unwrap().display().to_string())
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(names("conf.d/*.conf"), ["conf.d/a.conf"]);
        assert_eq!(names("conf.d/*/*.conf"), Vec::<String>::new());
        assert_eq!(names("conf.d/**.conf"), ["conf.d/a.conf"]);
    }

    #[test]
    fn outside_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("conf.d")).unwrap();
        std::fs::write(root.join("conf.d/a.conf"), "").unwrap();
        let place = at(&root);
        assert!(
            matches!(place.resolve("conf.d/*.conf"), Resolved::Files(f, p) if f.len() == 1 && p.is_empty())
        );
        assert!(matches!(
            place.resolve("/etc/shadow"),
            Resolved::Unfollowed(_, Unfollowed::Unmapped)
        ));
        assert!(matches!(
            place.resolve("../../../../../../etc/passwd"),
            Resolved::Unfollowed(_, Unfollowed::Outside)
        ));
        assert!(matches!(
            place.resolve("/*"),
            Resolved::Unfollowed(_, Unfollowed::Unmapped)
        ));
        assert!(matches!(
            place.resolve("missing.conf"),
            Resolved::Missing(_)
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", root.join("conf.d/link.conf")).unwrap();
            match place.resolve("conf.d/*.conf") {
                Resolved::Files(found, problems) => {
                    assert_eq!(found.len(), 1);
                    assert_eq!(
                        problems,
                        vec![Problem::Unfollowed(
                            root.join("conf.d/*.conf"),
                            Unfollowed::LinkOut("/etc/hostname".into())
                        )]
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
