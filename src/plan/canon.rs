//! Resolved paths, cached by directory: the plan asks whether a path lies inside the tree for
//! every file of a run, and resolving a path from the root reads every link on it (a fleet of
//! 500 sites shares the directories above them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Resolves paths as `std::fs::canonicalize` does, with each directory resolved once.
#[derive(Debug, Default)]
pub(crate) struct Canon {
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Canon {
    /// The path with every link resolved; None when it does not exist.
    pub(crate) fn path(&self, p: &Path) -> Option<PathBuf> {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        let meta = std::fs::symlink_metadata(p).ok()?;
        if meta.is_dir() {
            return self.dir(p);
        }
        match (meta.file_type().is_symlink(), p.parent(), p.file_name()) {
            (false, Some(parent), Some(name)) => Some(self.dir(parent)?.join(name)),
            _ => std::fs::canonicalize(p).ok(),
        }
    }

    fn dir(&self, d: &Path) -> Option<PathBuf> {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = dirs.get(d) {
            return c.clone();
        }
        let c = std::fs::canonicalize(d).ok();
        dirs.insert(d.to_path_buf(), c.clone());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_canonicalize() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("a")).unwrap();
        std::fs::write(d.join("a/f.conf"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a", d.join("link")).unwrap();
            std::os::unix::fs::symlink("a/f.conf", d.join("flink")).unwrap();
        }
        let c = Canon::default();
        for p in [
            "a",
            "a/f.conf",
            "link/f.conf",
            "flink",
            "link",
            "missing",
            "a/missing",
        ] {
            let p = d.join(p);
            assert_eq!(
                c.path(&p),
                std::fs::canonicalize(&p).ok(),
                "{}",
                p.display()
            );
            // Asked again, from the cache.
            assert_eq!(
                c.path(&p),
                std::fs::canonicalize(&p).ok(),
                "{}",
                p.display()
            );
        }
    }
}
