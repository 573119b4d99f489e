//! One buffer linted in its deployment: the buffer's text stands for the file at its path, as
//! `gwlint --stdin-filename PATH -` lints it, so an included file sees the upstreams and the
//! resolver of the `nginx.conf` that includes it.

use std::path::{Path, PathBuf};

use lsp_types::{Location, Range, Uri};

use super::position::{self, Encoding};
use super::uri;
use crate::finding::Severity;
use crate::rules::Rule;
use crate::source::FileId;

/// How the server was started: what every lint of a buffer takes from the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// `--config FILE` (None: the nearest gwlint.toml, as the CLI finds it).
    pub(crate) config: Option<PathBuf>,
    pub(crate) isolated: bool,
    pub(crate) nginx_version: Option<crate::rules::Version>,
    pub(crate) haproxy_version: Option<crate::rules::Version>,
    pub(crate) mounts: Vec<crate::plan::mounts::Mount>,
    pub(crate) system: bool,
}

/// A finding in the buffer, kept for hover and code actions.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) rule: &'static Rule,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// Byte offsets in the buffer.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Other places that explain it, in files an editor can open.
    pub(crate) related: Vec<(Location, String)>,
    /// The comment on the finding's first line, if any (byte offsets): a suppression must
    /// join it rather than be written inside it.
    pub(crate) comment: Option<(usize, usize)>,
    /// The finding's repair (`--fix`'s), when all its edits are in this buffer: its title and
    /// (start, end, text) in byte offsets.
    pub(crate) fix: Option<(String, Vec<BufferEdit>)>,
}

/// (start, end, text): replace the buffer's bytes from start to end.
pub(crate) type BufferEdit = (usize, usize, String);

/// What one lint gives the editor.
#[derive(Debug, Default)]
pub(crate) struct Linted {
    pub(crate) found: Vec<Found>,
    /// What could not be linted (a broken gwlint.toml, an unreadable include): logged.
    pub(crate) errors: Vec<String>,
}

impl Settings {
    /// The options of one lint, and why `--config`'s file was not used if it was not. The
    /// configuration resolver is made anew each time so that an edited gwlint.toml counts at
    /// the next keystroke (a resolver caches what it read).
    fn options(&self, name: &str, text: &str) -> (crate::Options, Vec<String>) {
        use crate::config::Resolver;
        let mut errors = Vec::new();
        let config = match (&self.config, self.isolated) {
            (_, true) => Resolver::isolated(),
            (Some(file), false) => Resolver::fixed(file).unwrap_or_else(|e| {
                errors.extend(e.iter().map(|e| format!("{e} (linted without it)")));
                Resolver::isolated()
            }),
            (None, false) => Resolver::discover(),
        };
        let opts = crate::Options {
            config,
            stdin: Some((name.to_string(), text.as_bytes().to_vec())),
            nginx_version: self.nginx_version,
            haproxy_version: self.haproxy_version,
            mounts: self.mounts.clone(),
            system: self.system,
            // The server lints again and again: every run's memory must be freed.
            ..Default::default()
        };
        (opts, errors)
    }
}

/// Lints `text` as the file at `path` (None: a buffer with no file, linted alone). A panic
/// anywhere in the lint is caught and returned as its message: the server goes on.
pub(crate) fn run(
    settings: &Settings,
    path: Option<&Path>,
    text: &str,
    doc: &Uri,
    enc: Encoding,
) -> Result<Linted, String> {
    let name = path.map_or_else(|| "-".to_string(), |p| p.to_string_lossy().into_owned());
    let (opts, mut errors) = settings.options(&name, text);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::panics::inject_panic("server", text);
        crate::lint(&[PathBuf::from("-")], &opts)
    }))
    .map_err(|p| crate::panics::panic_message(&*p))?;
    let sources = &outcome.loader.sources;
    let Some(buffer) = (0..sources.len() as u32)
        .map(FileId)
        .find(|&f| sources.get(f).name == name)
    else {
        errors.extend(outcome.errors);
        return Ok(Linted {
            found: Vec::new(),
            errors,
        });
    };
    let comments: Vec<(usize, usize)> = outcome
        .loader
        .nginx_parsed(buffer)
        .map(|p| {
            p.comments
                .iter()
                .map(|c| (c.start as usize, c.end as usize))
                .collect()
        })
        .unwrap_or_default();
    let location = |span: crate::source::Span| -> Option<Location> {
        let file = sources.get(span.file);
        let uri = match span.file == buffer {
            true => doc.clone(),
            false => uri::from_path(&file.path).filter(|_| file.path.is_file())?,
        };
        let start = position::to_position(&file.text, span.start as usize, enc);
        let end = position::to_position(&file.text, span.end as usize, enc);
        Some(Location::new(uri, Range::new(start, end)))
    };
    let found = outcome
        .findings
        .iter()
        .filter(|f| f.span.file == buffer)
        .map(|f| {
            let start = f.span.start as usize;
            let line = position::start_of_line(text, start);
            Found {
                rule: f.rule,
                severity: f.severity,
                message: f.message.clone(),
                help: f.help.clone(),
                start,
                end: f.span.end as usize,
                related: f
                    .related
                    .iter()
                    .filter_map(|(s, m)| Some((location(*s)?, m.clone())))
                    .collect(),
                comment: comments
                    .iter()
                    .copied()
                    .find(|&(c, _)| c >= line && position::start_of_line(text, c) == line),
                fix: f
                    .fix
                    .as_ref()
                    .filter(|x| x.edits.iter().all(|e| e.span.file == buffer))
                    .map(|x| {
                        let edits = x
                            .edits
                            .iter()
                            .map(|e| (e.span.start as usize, e.span.end as usize, e.text.clone()));
                        (x.title.clone(), edits.collect())
                    }),
            }
        })
        .collect();
    errors.extend(outcome.errors.iter().cloned());
    Ok(Linted { found, errors })
}
