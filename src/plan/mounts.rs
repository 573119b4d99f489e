//! Where repository files sit at run time: a list of mounts, each a run-time path (a directory
//! or a file) bound to a path of the repository, and the reason gwlint believes it.

use std::path::{Component, Path, PathBuf};

/// Why gwlint maps a run-time path to a repository path. `gwlint files` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `--mount RUNTIME=PATH`.
    Flag,
    /// `[[mount]]` in a gwlint.toml (its path and line).
    Config(String),
    /// A Compose bind mount or config (where, as `containers::Mount::origin` says): the
    /// container sees the repository's directory in place of the image's.
    Container(String),
    /// A Dockerfile `COPY`/`ADD`: the files are added to the image's, which may hold more.
    Copied(String),
    /// An absolute include under a well-known root found its files around the main file.
    Inferred { root: PathBuf, include: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => write!(f, "--mount"),
            Origin::Config(at) => write!(f, "[[mount]] in {at}"),
            Origin::Container(at) | Origin::Copied(at) => write!(f, "{at}"),
            Origin::Inferred { root, include } => {
                write!(f, "inferred: {include} found under {}", root.display())
            }
        }
    }
}

/// One run-time path bound to a repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute and normalised.
    pub(crate) runtime: PathBuf,
    /// The repository path (relative to the working directory, or absolute).
    pub(crate) local: PathBuf,
    pub(crate) origin: Origin,
}

/// The mounts of one deployment. The longest run-time prefix wins; among equal ones, the
/// later (a Compose volume over a Dockerfile's COPY, as Docker layers them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Mounts {
    list: Vec<Mount>,
}

impl Mounts {
    pub(crate) fn push(&mut self, m: Mount) {
        let runtime = normalize(&m.runtime);
        self.list.push(Mount { runtime, ..m });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Mount> {
        self.list.iter()
    }

    /// The repository path of a run-time path, and the mount that maps it.
    pub(crate) fn local(&self, runtime: &Path) -> Option<(PathBuf, &Mount)> {
        let runtime = normalize(runtime);
        let m = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, m)| runtime.starts_with(&m.runtime))
            .max_by_key(|(i, m)| (m.runtime.components().count(), *i))?
            .1;
        let rest = runtime.strip_prefix(&m.runtime).ok()?;
        let local = if rest.as_os_str().is_empty() {
            m.local.clone()
        } else {
            m.local.join(rest)
        };
        Some((local, m))
    }

    /// The run-time path of a repository path, when a mount places it (the mount with the
    /// longest repository path; among equal ones, the last).
    pub(crate) fn runtime(&self, local: &Path) -> Option<PathBuf> {
        let local = normalize(local);
        self.list
            .iter()
            .filter_map(|m| {
                let rest = local.strip_prefix(normalize(&m.local)).ok()?;
                Some((m.local.components().count(), m.runtime.join(rest)))
            })
            .max_by_key(|(n, _)| *n)
            .map(|(_, p)| normalize(&p))
    }
}

/// `a/./b/../c` → `a/c`, lexically (run-time paths name no links gwlint could follow).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`; a relative path climbs on.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            Component::Normal(_) | Component::RootDir | Component::Prefix(_) => out.push(c),
        }
    }
    out
}

/// Parses `--mount RUNTIME=PATH`.
pub(crate) fn parse_flag(s: &str) -> Result<Mount, String> {
    let (runtime, local) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected RUNTIME=PATH, e.g. /etc/nginx=deploy/nginx"))?;
    if !Path::new(runtime).is_absolute() {
        return Err(format!(
            "`{runtime}`: the run-time path must be absolute, e.g. /etc/nginx"
        ));
    }
    if local.is_empty() {
        return Err(format!("`{s}`: the repository path is empty"));
    }
    Ok(Mount {
        runtime: normalize(Path::new(runtime)),
        local: PathBuf::from(local),
        origin: Origin::Flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(runtime: &str, local: &str) -> Mount {
        Mount {
            runtime: runtime.into(),
            local: local.into(),
            origin: Origin::Flag,
        }
    }

    #[test]
    fn longest_prefix_then_latest_wins() {
        let mut m = Mounts::default();
        m.push(mount("/etc/nginx", "deploy/nginx"));
        m.push(mount("/etc/nginx/conf.d", "deploy/sites"));
        m.push(mount("/etc/nginx/conf.d/", "override"));
        assert_eq!(
            m.local(Path::new("/etc/nginx/mime.types")).unwrap().0,
            PathBuf::from("deploy/nginx/mime.types")
        );
        assert_eq!(
            m.local(Path::new("/etc/nginx/conf.d/a.conf")).unwrap().0,
            PathBuf::from("override/a.conf")
        );
        assert_eq!(
            m.local(Path::new("/etc/nginx/x/../nginx.conf")).unwrap().0,
            PathBuf::from("deploy/nginx/nginx.conf")
        );
        assert!(m.local(Path::new("/etc/nginxx/a")).is_none());
        assert!(m.local(Path::new("/usr/share/nginx")).is_none());
        assert_eq!(
            m.runtime(Path::new("deploy/nginx/./nginx.conf")),
            Some(PathBuf::from("/etc/nginx/nginx.conf"))
        );
        assert_eq!(
            m.runtime(Path::new("deploy/sites/a.conf")),
            Some(PathBuf::from("/etc/nginx/conf.d/a.conf"))
        );
    }

    #[test]
    fn flags() {
        let m = parse_flag("/etc/nginx/=deploy/nginx").unwrap();
        assert_eq!(m.runtime, PathBuf::from("/etc/nginx"));
        assert_eq!(m.local, PathBuf::from("deploy/nginx"));
        assert!(parse_flag("etc/nginx=x").is_err());
        assert!(parse_flag("/etc/nginx").is_err());
        assert!(parse_flag("/etc/nginx=").is_err());
    }

    #[test]
    fn normalizing() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(
            normalize(Path::new("x/../../../etc/passwd")),
            PathBuf::from("../../etc/passwd")
        );
    }
}
