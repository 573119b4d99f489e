//! `gwlint.toml`: finding the configuration file that applies to a linted file (the nearest
//! `gwlint.toml` or `.gwlint.toml` above it, `--config FILE`, or none with `--isolated`), and
//! what it sets for that file.

pub(crate) mod file;
pub(crate) mod schema;
pub(crate) mod show;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use file::{ConfigError, ConfigFile};

use crate::finding::Severity;
use crate::rules::Rule;
use crate::source::SourceFile;

/// The names a configuration file is found under, in order of preference within a directory.
pub(crate) const FILE_NAMES: &[&str] = &["gwlint.toml", ".gwlint.toml"];

/// Where configuration comes from.
#[derive(Debug, Default, Clone)]
enum Mode {
    /// No configuration file (`--isolated`, and the library's default).
    #[default]
    Isolated,
    /// One file for every path (`--config FILE`).
    Fixed(Arc<ConfigFile>),
    /// The nearest file above each linted file.
    Discover,
}

/// Finds and caches the configuration of each linted file. Cheap to clone (shared cache).
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    mode: Mode,
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    /// Directory (absolute) → the configuration that applies in it.
    by_dir: HashMap<PathBuf, Option<Arc<ConfigFile>>>,
    /// Errors of files found while discovering, each reported once.
    errors: Vec<ConfigError>,
}

impl Resolver {
    /// No configuration files.
    pub(crate) fn isolated() -> Resolver {
        Resolver::default()
    }

    /// The nearest `gwlint.toml` or `.gwlint.toml` above each linted file.
    pub(crate) fn discover() -> Resolver {
        Resolver {
            mode: Mode::Discover,
            ..Default::default()
        }
    }

    /// This file for every linted file (`--config FILE`).
    pub(crate) fn fixed(path: &Path) -> Result<Resolver, Vec<ConfigError>> {
        let file = ConfigFile::load(&absolute(path))?;
        Ok(Resolver {
            mode: Mode::Fixed(Arc::new(file)),
            ..Default::default()
        })
    }

    /// The configuration that applies to a file or directory.
    pub(crate) fn for_path(&self, path: &Path) -> Option<Arc<ConfigFile>> {
        match &self.mode {
            Mode::Isolated => None,
            Mode::Fixed(f) => Some(f.clone()),
            Mode::Discover => {
                let path = absolute(path);
                let start = if path.is_dir() {
                    path
                } else {
                    path.parent().map(Path::to_path_buf).unwrap_or_default()
                };
                self.nearest(&start)
            }
        }
    }

    /// The configuration that applies to a loaded file; standard input is placed by the name
    /// it is reported under (`--stdin-filename`), relative to the working directory.
    pub(crate) fn for_source(&self, src: &SourceFile) -> Option<Arc<ConfigFile>> {
        let path = source_path(src);
        match (&self.mode, path.parent()) {
            // A loaded file's path is resolved already, and is a file: its directory is where
            // the search starts.
            (Mode::Discover, Some(dir))
                if path.is_absolute() && !src.path.starts_with("<stdin>") =>
            {
                self.nearest(dir)
            }
            _ => self.for_path(&path),
        }
    }

    fn nearest(&self, dir: &Path) -> Option<Arc<ConfigFile>> {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        let mut visited = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(f) = shared.by_dir.get(d) {
                found = f.clone();
                break;
            }
            visited.push(d.to_path_buf());
            let Some(path) = FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) else {
                continue;
            };
            match ConfigFile::load(&path) {
                Ok(f) => found = Some(Arc::new(f)),
                // A broken file stops the search: silently using one further up would lint
                // with settings the user did not mean.
                Err(errors) => shared.errors.extend(errors),
            }
            break;
        }
        for d in visited {
            shared.by_dir.insert(d, found.clone());
        }
        found
    }

    /// The errors found in configuration files so far (each once).
    pub(crate) fn take_errors(&self) -> Vec<ConfigError> {
        std::mem::take(&mut self.shared.lock().unwrap_or_else(|e| e.into_inner()).errors)
    }
}

/// Where a loaded file is, for configuration purposes: standard input is placed by the name it
/// is reported under (`--stdin-filename`), relative to the working directory.
pub(crate) fn source_path(src: &SourceFile) -> PathBuf {
    if src.path.starts_with("<stdin>") {
        let name = if src.name == "-" { "." } else { &src.name };
        return absolute(Path::new(name));
    }
    src.path.clone()
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// The command line's rule selection, which takes precedence over the configuration file's.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Replaces the file's `select` when not empty.
    pub select: Vec<String>,
    /// Added to the file's `extend-select`.
    pub extend_select: Vec<String>,
    /// Added to the file's `ignore`.
    pub ignore: Vec<String>,
}

impl Selection {
    /// Selectors that match no rule: a typo in `--select GW1O1` must not silently select nothing.
    pub(crate) fn unknown(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.extend_select)
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|s| !crate::rules::RULES.iter().any(|r| r.matches(s)))
            .collect()
    }
}

/// The rules in force for one file: its configuration file merged with the command line.
pub(crate) struct FileRules<'a> {
    pub(crate) config: Option<&'a ConfigFile>,
    pub(crate) cli: &'a Selection,
    /// The file's path relative to the configuration's directory, for `[[per-file]]`.
    pub(crate) relative: PathBuf,
}

impl<'a> FileRules<'a> {
    /// `path`: the file's absolute path ([`source_path`]).
    pub(crate) fn new(config: Option<&'a ConfigFile>, cli: &'a Selection, path: &Path) -> Self {
        let relative = match config {
            Some(c) => path.strip_prefix(&c.dir).unwrap_or(path).to_path_buf(),
            None => path.to_path_buf(),
        };
        FileRules {
            config,
            cli,
            relative,
        }
    }

    pub(crate) fn enabled(&self, rule: &Rule) -> bool {
        let any = |list: &[String]| list.iter().any(|s| rule.matches(s));
        let cfg = self.config;
        let selected = if !self.cli.select.is_empty() {
            any(&self.cli.select)
        } else {
            cfg.and_then(|c| c.select.as_ref())
                .is_none_or(|s| any(&s.value))
        };
        let extended = any(&self.cli.extend_select)
            || cfg
                .and_then(|c| c.extend_select.as_ref())
                .is_some_and(|s| any(&s.value));
        let ignored = any(&self.cli.ignore)
            || cfg.is_some_and(|c| {
                c.ignore.as_ref().is_some_and(|s| any(&s.value))
                    || c.per_file.iter().any(|p| any(&p.ignore) && self.matches(p))
            });
        (selected || extended) && !ignored
    }

    fn matches(&self, p: &file::PerFile) -> bool {
        let opts = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        // A glob without a slash matches a file's name wherever it is, as in .gitignore.
        if !p.glob.contains('/') {
            return self
                .relative
                .file_name()
                .is_some_and(|n| p.pattern.matches_with(&n.to_string_lossy(), opts));
        }
        p.pattern.matches_path_with(&self.relative, opts)
    }

    /// The severity `[severity]` gives a rule's findings here: the most specific entry (a code
    /// or name before a longer prefix before a shorter one before ALL). None: the rule's own.
    pub(crate) fn severity(&self, rule: &Rule) -> Option<Severity> {
        let specificity = |s: &str| match s {
            _ if s == rule.name || s.eq_ignore_ascii_case(rule.code) => usize::MAX,
            _ if s.eq_ignore_ascii_case("ALL") => 0,
            _ => s.len(),
        };
        self.config
            .into_iter()
            .flat_map(|c| &c.severity)
            .filter(|(s, _)| rule.matches(s))
            .max_by_key(|(s, l)| (specificity(s), l.line))
            .map(|(_, l)| l.value)
    }
}
