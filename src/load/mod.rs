//! Reading files into the [`SourceMap`] once each, and parsing each once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(crate) mod bounds;
pub mod include;

use crate::finding::Dialect;
use crate::source::{FileId, SourceMap};
use crate::syntax::nginx;

/// Larger files are refused rather than read into memory.
pub(crate) const MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// Why a file could not be loaded as configuration text.
#[derive(Debug, Clone)]
pub enum LoadError {
    NotFound,
    /// Any other I/O failure (permission, a directory where a file was expected, …).
    Io(String),
    /// A NUL byte: the file is not configuration text. The file is still in the source map.
    Binary {
        file: FileId,
        offset: usize,
    },
    TooLarge(u64),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound => write!(f, "no such file or directory"),
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Binary { offset, .. } => {
                write!(f, "not a text file (NUL byte at offset {offset})")
            }
            LoadError::TooLarge(n) => {
                write!(f, "file too large ({n} bytes; at most {MAX_FILE_SIZE})")
            }
        }
    }
}

/// Holds every loaded file and every parse, so that a file shared by several trees is read
/// and parsed once.
#[derive(Default)]
pub struct Loader {
    pub sources: SourceMap,
    by_path: HashMap<PathBuf, Result<FileId, LoadError>>,
    /// Directories resolved so far: a fleet of files shares a few, and resolving a path
    /// reads every link on it.
    dirs: HashMap<PathBuf, PathBuf>,
    /// Plain files read ahead on all cores ([`Loader::prefetch`]), waiting for `load`.
    prefetched: HashMap<PathBuf, Result<Vec<u8>, LoadError>>,
    nginx: HashMap<FileId, nginx::File>,
    binary: HashMap<FileId, usize>,
    /// Files whose parsing panicked (a bug in gwlint): what the panic said. They count as
    /// parsed with no statements.
    pub(crate) panics: Vec<(FileId, String)>,
}

impl Loader {
    /// Reads a file once; `display` is how the path is shown to the user.
    pub fn load(&mut self, path: &Path, display: &str) -> Result<FileId, LoadError> {
        // A file read ahead is a plain file: its metadata was asked then.
        let ahead = self.prefetched.remove(path);
        let meta = ahead.is_none().then(|| std::fs::symlink_metadata(path));
        let plain = match &meta {
            Some(m) => m.as_ref().is_ok_and(|m| !m.file_type().is_symlink()),
            None => true,
        };
        let key = match plain {
            true => self.resolved(path),
            false => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        };
        if let Some(r) = self.by_path.get(&key) {
            return r.clone();
        }
        if kernel(&key) {
            let e = LoadError::Io("a file of the kernel's /proc or /sys, not configuration".into());
            self.by_path.insert(key, Err(e.clone()));
            return Err(e);
        }
        let bytes = match (ahead, meta) {
            (Some(read), _) => read,
            // The metadata of a link is the target's; a plain file's is at hand.
            (None, Some(meta)) if plain => read(path, meta),
            (None, _) => read(path, std::fs::metadata(path)),
        };
        let r = bytes.map(|bytes| self.add(&key, display, bytes));
        let r = r.and_then(|id| self.check_text(id));
        self.by_path.insert(key, r.clone());
        r
    }

    /// Reads the plain files among `paths` on all cores, for `load` to take in order: a
    /// directory of 500 sites is otherwise read one file at a time. Links are left to `load`.
    pub(crate) fn prefetch(&mut self, paths: &[PathBuf]) {
        use rayon::prelude::*;
        let read: Vec<_> = paths
            .par_iter()
            .filter_map(|p| {
                let meta = std::fs::symlink_metadata(p);
                match meta {
                    Ok(m) if !m.file_type().is_symlink() && !kernel(p) => {
                        Some((p.clone(), read(p, Ok(m))))
                    }
                    _ => None,
                }
            })
            .collect();
        self.prefetched.extend(read);
    }

    /// The path with every link resolved, for a path that is not a link itself: its
    /// directory resolved (once per run) and its name.
    fn resolved(&mut self, path: &Path) -> PathBuf {
        // Elsewhere a path may differ from the resolved one in letter case (Windows, macOS):
        // only the system's own resolution gives one name per file there.
        if cfg!(not(target_os = "linux")) {
            return std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        }
        match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => match self.resolved_dir(dir) {
                Some(d) => d.join(name),
                None => path.to_path_buf(),
            },
            _ => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    }

    /// A directory with every link resolved: a directory that is not a link is its resolved
    /// parent and its name. One `lstat` per new directory, where resolving a path from the
    /// root reads every link on it (a fleet of 500 sites shares the directories above them).
    fn resolved_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut names = Vec::new();
        let mut d = dir;
        let mut base = loop {
            if let Some(b) = self.dirs.get(d) {
                break b.clone();
            }
            let plain = std::fs::symlink_metadata(d).is_ok_and(|m| !m.file_type().is_symlink());
            match (d.parent(), d.file_name()) {
                (Some(parent), Some(name)) if plain && !parent.as_os_str().is_empty() => {
                    names.push((d, name));
                    d = parent;
                }
                // The root, ".", "..", a link, or a relative path's first component.
                _ => {
                    let shown = if d.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        d
                    };
                    let b = std::fs::canonicalize(shown).ok()?;
                    self.dirs.insert(d.to_path_buf(), b.clone());
                    break b;
                }
            }
        };
        for (d, name) in names.into_iter().rev() {
            base.push(name);
            self.dirs.insert(d.to_path_buf(), base.clone());
        }
        Some(base)
    }

    /// Reads a file reached through an `include`: only a regular file. A FIFO with no writer
    /// would block the run forever (nginx hangs on it too); a device or socket is no
    /// configuration. A path the user names may also be a pipe (`gwlint <(…)`, see `read`).
    pub(crate) fn load_included(
        &mut self,
        path: &Path,
        display: &str,
    ) -> Result<FileId, LoadError> {
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() && !m.is_dir() => Err(LoadError::Io(
                "not a regular file (a FIFO, socket or device)".into(),
            )),
            _ => self.load(path, display),
        }
    }

    /// A file an image or package ships, known by content (`plan::stock`), under its run-time
    /// path: loaded once per run.
    pub(crate) fn stock(&mut self, runtime: &Path, text: &'static str) -> FileId {
        let key = PathBuf::from(format!("<stock>{}", runtime.display()));
        if let Some(Ok(id)) = self.by_path.get(&key) {
            return *id;
        }
        let id = self.add(&key, &runtime.to_string_lossy(), text.as_bytes().to_vec());
        self.by_path.insert(key, Ok(id));
        id
    }

    /// A file that is not on disk under its name (a file of an `nginx -T` dump), keyed by
    /// `key`; the same key again gives the same file.
    pub(crate) fn add_virtual(&mut self, key: &Path, display: &str, bytes: Vec<u8>) -> FileId {
        if let Some(Ok(id)) = self.by_path.get(key) {
            return *id;
        }
        let id = self.add(key, display, bytes);
        self.by_path.insert(key.to_path_buf(), Ok(id));
        id
    }

    /// Puts `bytes` in place of the file at `path` (an editor's buffer given on standard
    /// input with `--stdin-filename`): the file is linted in its deployment with this text.
    pub(crate) fn overlay(
        &mut self,
        path: &Path,
        display: &str,
        bytes: Vec<u8>,
    ) -> Result<FileId, LoadError> {
        // Named by a link (Debian's sites-enabled/app -> ../sites-available/app): the buffer
        // stands for the file the link leads to, which is what includes load.
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let key = match link.then(|| std::fs::canonicalize(path).ok()).flatten() {
            Some(target) => target,
            None => self.resolved(path),
        };
        let id = self.add(&key, display, bytes);
        let r = self.check_text(id);
        self.by_path.insert(key, r.clone());
        r
    }

    /// Adds text that did not come from a file (standard input).
    pub(crate) fn add_text(&mut self, display: &str, bytes: Vec<u8>) -> Result<FileId, LoadError> {
        let key = PathBuf::from(format!("<stdin>/{display}"));
        let id = self.add(&key, display, bytes);
        let r = self.check_text(id);
        self.by_path.insert(key, r.clone());
        r
    }

    fn add(&mut self, key: &Path, display: &str, bytes: Vec<u8>) -> FileId {
        // A binary file keeps no text: only its name is needed to report it.
        if let Some(offset) = memchr::memchr(0, &bytes) {
            let id = self.sources.add(key, display.to_string(), Vec::new());
            self.binary.insert(id, offset);
            return id;
        }
        self.sources.add(key, display.to_string(), bytes)
    }

    fn check_text(&self, id: FileId) -> Result<FileId, LoadError> {
        match self.binary.get(&id) {
            Some(&offset) => Err(LoadError::Binary { file: id, offset }),
            None => Ok(id),
        }
    }

    /// The syntax tree of an HAProxy file, parsed on first use (as sections of statements).
    pub(crate) fn haproxy(&mut self, id: FileId) -> &nginx::File {
        self.parsed(id, Dialect::Haproxy)
    }

    /// The nginx syntax tree of a loaded file, parsed on first use.
    pub(crate) fn nginx(&mut self, id: FileId) -> &nginx::File {
        self.parsed(id, Dialect::Nginx)
    }

    fn parsed(&mut self, id: FileId, dialect: Dialect) -> &nginx::File {
        if !self.nginx.contains_key(&id) {
            let (file, panic) = parse(id, &self.sources.get(id).text, dialect);
            self.panics.extend(panic.map(|p| (id, p)));
            self.nginx.insert(id, file);
        }
        &self.nginx[&id]
    }

    /// Parses the files not parsed yet, in parallel on all cores.
    pub(crate) fn parse_all(&mut self, files: &[(FileId, Dialect)]) {
        let todo: Vec<(FileId, Dialect)> = files
            .iter()
            .filter(|(id, _)| !self.nginx.contains_key(id))
            .copied()
            .collect();
        let sources = &self.sources;
        let parsed: Vec<_> = crate::par::par_map(&todo, |&(id, dialect)| {
            (id, parse(id, &sources.get(id).text, dialect))
        });
        for (id, (file, panic)) in parsed {
            self.panics.extend(panic.map(|p| (id, p)));
            self.nginx.entry(id).or_insert(file);
        }
    }

    pub(crate) fn nginx_parsed(&self, id: FileId) -> Option<&nginx::File> {
        self.nginx.get(&id)
    }

    /// Every parsed nginx file.
    pub fn parsed_map(&self) -> &HashMap<FileId, nginx::File> {
        &self.nginx
    }
}

/// Parses one file; a panic in the parser (a bug in gwlint) leaves the file empty and
/// returns what the panic said, so the other files are still linted.
fn parse(id: FileId, text: &str, dialect: Dialect) -> (nginx::File, Option<String>) {
    let r = std::panic::catch_unwind(|| {
        crate::panics::inject_panic("parse", text);
        match dialect {
            Dialect::Nginx => nginx::parse(id, text),
            Dialect::Haproxy => {
                crate::syntax::sections::from_haproxy(crate::syntax::haproxy::parse(id, text))
            }
        }
    });
    match r {
        Ok(file) => (file, None),
        Err(p) => (
            nginx::File::default(),
            Some(crate::panics::panic_message(&*p)),
        ),
    }
}

fn read(path: &Path, meta: std::io::Result<std::fs::Metadata>) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let meta = meta.map_err(io_error)?;
    if meta.is_dir() {
        return Err(LoadError::Io("is a directory".into()));
    }
    // Only regular files are configuration; a pipe the user hands over (`-` is read
    // elsewhere, `gwlint <(…)` names /dev/fd/N) is read to its end, bounded like a file.
    let piped = path.starts_with("/dev/fd") || path == Path::new("/dev/stdin");
    if !meta.is_file() && !piped {
        return Err(not_regular());
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge(meta.len()));
    }
    let mut file = open(path, piped).map_err(io_error)?;
    // The path may have changed between the look and the open: the open file decides.
    if !piped && !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(not_regular());
    }
    // Sized from the metadata at hand; a file that grows meanwhile is read to its end, up
    // to the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    huge_pages(&mut bytes);
    file.by_ref()
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// /proc and /sys hold regular files that are the kernel's interfaces: one blocks until the
/// kernel logs (/proc/kmsg), another reads as half a gigabyte of zeros.
fn kernel(path: &Path) -> bool {
    path.starts_with("/proc") || path.starts_with("/sys")
}

fn not_regular() -> LoadError {
    LoadError::Io("not a regular file (a FIFO, socket or device): not read".into())
}

/// Opens without blocking: a FIFO put where a file was looked at does not hang the run. A
/// pipe the user hands over is opened as usual: its reads must wait for the writer.
fn open(path: &Path, piped: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    if !piped {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// Asks the kernel to back a large buffer with 2 MB pages where it can: a 50 MB file is
/// otherwise read through 13 thousand page faults, one per 4 KiB, before parsing starts.
fn huge_pages(buf: &mut Vec<u8>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let spare = buf.spare_capacity_mut();
        if spare.len() < 4 * HUGE {
            return;
        }
        let start = spare.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let end = (start + spare.len()) / HUGE * HUGE;
        if end > aligned {
            // SAFETY: the range lies inside the buffer's own allocation; the advice changes
            // how its pages are backed, not its contents.
            unsafe {
                libc::madvise(
                    aligned as *mut libc::c_void,
                    end - aligned,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
}

fn io_error(e: std::io::Error) -> LoadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        std::io::ErrorKind::PermissionDenied => LoadError::Io("permission denied".into()),
        _ => LoadError::Io(e.to_string()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A file is one file however it is reached: through a linked directory, a linked file,
    /// `..` or a relative path; and its path is resolved like `realpath`.
    #[test]
    fn a_file_reached_by_links_is_loaded_once() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap().join("real");
        std::fs::create_dir_all(real.join("sites")).unwrap();
        let file = real.join("sites/a.conf");
        std::fs::write(&file, "events {}\n").unwrap();
        std::os::unix::fs::symlink(&real, tmp.path().join("dirlink")).unwrap();
        std::os::unix::fs::symlink(&file, tmp.path().join("filelink.conf")).unwrap();

        let mut loader = Loader::default();
        let id = loader.load(&file, "a").unwrap();
        assert_eq!(loader.sources.get(id).path, file);
        for other in [
            tmp.path().join("dirlink/sites/a.conf"),
            tmp.path().join("filelink.conf"),
            real.join("sites/../sites/a.conf"),
            tmp.path().join("dirlink/sites/../sites/a.conf"),
        ] {
            assert_eq!(loader.load(&other, "b").unwrap(), id, "{}", other.display());
        }
        // A second file in a directory resolved before.
        std::fs::write(real.join("sites/b.conf"), "events {}\n").unwrap();
        let b = loader
            .load(&tmp.path().join("dirlink/sites/b.conf"), "b")
            .unwrap();
        assert_ne!(b, id);
        assert_eq!(loader.sources.get(b).path, real.join("sites/b.conf"));
        assert!(matches!(
            loader.load(&real.join("sites/missing.conf"), "m"),
            Err(LoadError::NotFound)
        ));

        // Read ahead on all cores, then loaded: the same files, the same errors.
        let mut ahead = Loader::default();
        let paths = [
            file.clone(),
            real.join("sites/b.conf"),
            tmp.path().join("dirlink/sites/a.conf"),
            real.join("sites"),
        ];
        ahead.prefetch(&paths);
        let a = ahead.load(&paths[0], "a").unwrap();
        assert_eq!(ahead.sources.get(a).text, "events {}\n");
        assert_eq!(ahead.sources.get(a).path, file);
        assert_ne!(ahead.load(&paths[1], "b").unwrap(), a);
        assert_eq!(ahead.load(&paths[2], "a2").unwrap(), a, "one file");
        assert!(matches!(ahead.load(&paths[3], "d"), Err(LoadError::Io(_))));
    }
}
