//! The discover stage: the files the user asked about, in order, loaded and sorted into nginx
//! files, HAProxy `-f` groups and `nginx -T` dumps. HAProxy files found in one directory form
//! one configuration, as `haproxy -f DIR` reads them.

use std::path::{Path, PathBuf};

use crate::config::Resolver;
use crate::finding::{self, Finding};
use crate::load::{LoadError, Loader};
use crate::source::{FileId, Span};
use crate::{discover, plan, rules};

/// What the user asked for, beside the paths.
pub(crate) struct Asked<'a> {
    /// Standard input's text and the name to report it under (`--stdin-filename`).
    pub(crate) stdin: Option<&'a (String, Vec<u8>)>,
    /// `--dialect`: read every input as this dialect.
    pub(crate) dialect: Option<finding::Dialect>,
    pub(crate) config: &'a Resolver,
    pub(crate) prefix: Option<&'a Path>,
}

/// What the run reads.
pub(crate) struct Found {
    /// nginx files the user asked about, in order, each once.
    pub(crate) requested: Vec<FileId>,
    /// `nginx -T` dumps, each one deployment.
    pub(crate) dumps: Vec<FileId>,
    /// HAProxy files named alone: linted with the rest of their `-f` list, reported alone.
    pub(crate) alone: Vec<FileId>,
    /// What the walks left out, and why.
    pub(crate) skipped: Vec<(String, &'static str)>,
    /// Files found by name that are not configuration of either proxy.
    pub(crate) not_config: Vec<(String, &'static str)>,
    /// HAProxy files by the directory (or group) they were found in, each once.
    pub(crate) haproxy: Vec<(PathBuf, Vec<FileId>)>,
}

/// Loads what `paths` name (files, directories, `-` for standard input); binary files become
/// findings, unreadable paths errors.
pub(crate) fn gather(
    paths: &[PathBuf],
    asked: &Asked,
    loader: &mut Loader,
    planner: &mut plan::Planner,
    findings: &mut Vec<Finding>,
    errors: &mut Vec<String>,
) -> Found {
    // discover: the files the user asked about, in order. HAProxy files found in one
    // directory form one configuration, as `haproxy -f DIR` reads them.
    let mut requested: Vec<FileId> = Vec::new();
    // `nginx -T` dumps, each one deployment.
    let mut dumps: Vec<FileId> = Vec::new();
    // HAProxy files named alone: linted with the rest of their `-f` list, reported alone.
    let mut alone: Vec<FileId> = Vec::new();
    let mut skipped: Vec<(String, &'static str)> = Vec::new();
    // Files found by name that are not configuration of either proxy.
    let mut not_config: Vec<(String, &'static str)> = Vec::new();
    let mut haproxy: Vec<(PathBuf, Vec<FileId>)> = Vec::new();
    let mut add_haproxy =
        |group: PathBuf, f: FileId| match haproxy.iter_mut().find(|(g, _)| *g == group) {
            // Duplicates are removed once discovery is done.
            Some((_, files)) => files.push(f),
            None => haproxy.push((group, vec![f])),
        };
    for path in paths {
        if path.as_os_str() == "-" {
            let (name, bytes) = asked
                .stdin
                .cloned()
                .unwrap_or_else(|| ("-".into(), Vec::new()));
            if plan::dump::is_dump(&String::from_utf8_lossy(&bytes)) {
                let r = loader.add_text(&name, bytes);
                if let Ok(id) = r {
                    dumps.push(id);
                }
                continue;
            }
            // A buffer named after a file of the repository is that file, in its deployment.
            let named = name != "-" && {
                let p = Path::new(&name);
                p.parent()
                    .is_none_or(|d| d.as_os_str().is_empty() || d.is_dir())
            };
            let r = if named {
                loader.overlay(Path::new(&name), &name, bytes)
            } else {
                loader.add_text(&name, bytes)
            };
            if let Ok(id) = r
                && is_haproxy(loader, id, asked)
            {
                let group = match named {
                    true => Path::new(&name)
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_default(),
                    false => PathBuf::from(format!("<stdin>/{name}")),
                };
                add_haproxy(group, id);
                alone.push(id);
                continue;
            }
            push_loaded(r, &name, &mut requested, findings, errors);
            continue;
        }
        if path.is_dir() {
            let discover::Walk {
                files,
                errors: walk_errors,
                skipped: walk_skipped,
                composes,
                dockerfiles,
            } = discover::walk(path);
            planner.prime(path, composes, dockerfiles);
            errors.extend(walk_errors);
            skipped.extend(
                walk_skipped
                    .into_iter()
                    .map(|(p, why)| (p.to_string_lossy().into_owned(), why)),
            );
            // Files a container puts at the proxy's paths, whatever their names.
            let mounted = planner.mounted_files_under(path);
            let mounted_canon: Vec<PathBuf> = mounted
                .iter()
                .filter_map(|m| planner.canon.path(m))
                .collect();
            let mut files = files;
            if !mounted.is_empty() {
                let walked: std::collections::HashSet<PathBuf> =
                    files.iter().filter_map(|f| planner.canon.path(f)).collect();
                let base = plan::mounts::normalize(path);
                for m in &mounted {
                    if !planner.canon.path(m).is_some_and(|c| walked.contains(&c)) {
                        // Spelled as the walk spells its files (`./proxy/conf`).
                        let spelled = match m.strip_prefix(&base) {
                            Ok(rest) => path.join(rest),
                            Err(_) => m.clone(),
                        };
                        files.push(spelled);
                    }
                }
            }
            loader.prefetch(&files);
            let mut found = 0;
            for f in files {
                let name = f.to_string_lossy().into_owned();
                let haproxy_name = discover::is_haproxy_candidate(&f);
                let r = loader.load(&f, &name);
                if discover::is_dump_candidate(&f) {
                    if let Ok(id) = r
                        && plan::dump::is_dump(&loader.sources.get(id).text)
                    {
                        dumps.push(id);
                        found += 1;
                    }
                    continue;
                }
                if let Ok(id) = r
                    && (haproxy_name || asked.dialect == Some(finding::Dialect::Haproxy))
                {
                    if is_haproxy(loader, id, asked) {
                        add_haproxy(f.parent().map(Path::to_path_buf).unwrap_or_default(), id);
                        found += 1;
                    }
                    continue;
                }
                if haproxy_name {
                    continue;
                }
                // A `*.conf` found by name is linted as nginx only when it reads as nginx
                // (redis, supervisord, fail2ban and Apache use the extension too).
                if let Ok(id) = r
                    && asked.dialect.is_none()
                    && let Err(why) = discover::looks_like_nginx(&loader.sources.get(id).text)
                    && !planner
                        .canon
                        .path(&f)
                        .is_some_and(|c| mounted_canon.contains(&c))
                {
                    not_config.push((name, why));
                    continue;
                }
                found += 1;
                push_loaded(r, &name, &mut requested, findings, errors);
            }
            if found == 0 {
                errors.push(format!(
                    "{}: no nginx or HAProxy configuration found in this directory",
                    path.display()
                ));
            }
            continue;
        }
        // A link named on the command line (a changed `sites-enabled/x`, as pre-commit
        // passes it) whose target lies outside the tree is read as its deployment maps it,
        // never from this machine.
        // A pipe the shell hands over (`gwlint <(…)`) is a link to no file: read as it is.
        let piped = path.starts_with("/dev/fd") || path == Path::new("/dev/stdin");
        let is_link =
            !piped && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let mapped = match is_link && !planner.admits(path, path) {
            true => match link_in_deployment(loader, planner, path, asked) {
                Some(local) => Some(local),
                // A dangling link reads nothing: loading it says so (exit 2).
                None if std::fs::metadata(path).is_err() => None,
                None => {
                    planner.errors.push(format!(
                        "{}: a link out of the repository that no deployment here maps: not read",
                        path.display()
                    ));
                    continue;
                }
            },
            false => None,
        };
        let path = mapped.as_ref().unwrap_or(path);
        let name = path.to_string_lossy().into_owned();
        let r = loader.load(path, &name);
        if let Ok(id) = r
            && plan::dump::is_dump(&loader.sources.get(id).text)
        {
            dumps.push(id);
            continue;
        }
        if let Ok(id) = r
            && is_haproxy(loader, id, asked)
        {
            add_haproxy(path.parent().map(Path::to_path_buf).unwrap_or_default(), id);
            alone.push(id);
            continue;
        }
        push_loaded(r, &name, &mut requested, findings, errors);
    }

    // A file named twice (or found in two walks) is linted once, where it first appeared.
    let mut seen = std::collections::HashSet::new();
    requested.retain(|f| seen.insert(*f));
    for (_, files) in &mut haproxy {
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(*f));
    }

    Found {
        requested,
        dumps,
        alone,
        skipped,
        not_config,
        haproxy,
    }
}

/// Is this loaded file HAProxy configuration? `--dialect` decides; otherwise its text.
fn is_haproxy(loader: &Loader, f: FileId, asked: &Asked) -> bool {
    match asked.dialect {
        Some(d) => d == finding::Dialect::Haproxy,
        None => discover::looks_like_haproxy(&loader.sources.get(f).text),
    }
}

fn push_loaded(
    r: Result<FileId, LoadError>,
    name: &str,
    requested: &mut Vec<FileId>,
    findings: &mut Vec<Finding>,
    errors: &mut Vec<String>,
) {
    match r {
        // Duplicates are removed once discovery is done.
        Ok(id) => requested.push(id),
        Err(LoadError::Binary { file, offset }) => findings.push(
            Finding::new(
                &rules::not_text::RULE,
                Span::new(file, 0, 0),
                format!("not a text file (NUL byte at offset {offset}): neither nginx nor HAProxy can read it"),
            )
            .help("point gwlint (and the proxy) at configuration text; exclude this file"),
        ),
        Err(e) => errors.push(format!("{name}: {e}")),
    }
}

/// Where a link named on the command line leads in the deployment of the `nginx.conf` above
/// it (Debian's `sites-enabled/x -> /etc/nginx/sites-available/x` is the repository's
/// `sites-available/x`), when that lies inside the tree.
fn link_in_deployment(
    loader: &mut Loader,
    planner: &mut plan::Planner,
    link: &Path,
    asked: &Asked,
) -> Option<PathBuf> {
    let main = discover::Roots::default()
        .of(link)
        .into_iter()
        .find(|m| planner.admits(link, m))?;
    let id = loader.load(&main, &main.to_string_lossy()).ok()?;
    let cfg = asked.config.for_source(loader.sources.get(id));
    let configured = cfg.as_ref().map(|c| c.mounts.clone()).unwrap_or_default();
    let text = loader.sources.get(id).text.clone();
    let place = planner.place_for(
        &main,
        &text,
        asked.prefix,
        &configured,
        asked.prefix.is_some(),
    );
    place.follow(link).ok().filter(|local| local.is_file())
}
