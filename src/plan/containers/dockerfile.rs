//! Dockerfiles: the final stage's `COPY`/`ADD`, `WORKDIR`, `ENV`, `ARG`, `CMD` and
//! `ENTRYPOINT`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;

// ---------------------------------------------------------------------------------------------
// Dockerfile

/// What one build stage leaves in its image.
#[derive(Debug, Clone, Default)]
pub(super) struct Stage {
    pub(super) name: Option<String>,
    /// The external image at the bottom of the stage chain (`None` when a variable hides it).
    pub(super) image: Option<String>,
    pub(super) line: usize,
    pub(super) workdir: PathBuf,
    pub(super) mounts: Vec<Mount>,
    pub(super) env: Vec<(String, String)>,
    /// `ARG` values in scope (stage-local, as in Docker).
    pub(super) args: HashMap<String, String>,
    pub(super) cmd: Option<Vec<String>>,
    /// The `CMD` came from the parent stage: a new `ENTRYPOINT` clears it.
    pub(super) cmd_inherited: bool,
    pub(super) entrypoint: Option<Vec<String>>,
}

impl Stage {
    /// A variable for substitution: `ENV` wins over `ARG`.
    pub(super) fn var(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| self.args.get(name).cloned())
    }

    pub(super) fn expand(&self, s: &str) -> Option<String> {
        expand(s, &|n| self.var(n), false)
    }
}

/// The service of a bare Dockerfile, built with `context` as the build context. Empty when the
/// file has no `FROM`.
pub(crate) fn from_dockerfile(path: &Path, text: &str, context: &Path) -> Vec<Service> {
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
pub(super) fn dockerfile_stage(
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
pub(super) fn new_stage(
    args: &str,
    line: usize,
    stages: &[Stage],
    global: &HashMap<String, String>,
) -> Stage {
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
pub(super) fn arg_values(
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
pub(super) fn env_pairs(args: &str) -> Vec<(String, String)> {
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

pub(super) fn unquote(s: &str) -> String {
    shell_words(s).into_iter().next().unwrap_or_default()
}

/// `CMD ["a", "b"]` as is; the shell form `CMD a b` as Docker runs it, through `/bin/sh -c`.
pub(super) fn exec_or_shell(args: &str) -> Vec<String> {
    json_array(args).unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into(), args.to_string()])
}

pub(super) fn json_array(s: &str) -> Option<Vec<String>> {
    if !s.trim_start().starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(s.trim()).ok()
}

/// The instructions of a Dockerfile with the 1-based line each starts on: continuation lines
/// joined, comments and heredoc bodies (`COPY <<EOF …`) left out.
pub(super) fn logical_lines(text: &str) -> Vec<(usize, String)> {
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
pub(super) fn escape_char(text: &str) -> char {
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
pub(super) fn heredoc_ends(instruction: &str) -> Vec<String> {
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
pub(super) fn copy_mounts(
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

pub(super) fn is_dir(p: &Path) -> bool {
    if p == Path::new(".") || p.as_os_str().is_empty() {
        return Path::new(".").is_dir();
    }
    p.is_dir()
}

pub(super) fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("git@")
}

/// ADD unpacks local archives: their contents are not a repository file.
pub(super) fn is_archive(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| s.ends_with(ext))
}

/// The context paths a COPY source names: itself, or the sorted matches of its wildcard.
/// Each as (source relative to the context, repository path).
pub(super) fn context_matches(context: &Path, src: &str) -> Vec<(PathBuf, PathBuf)> {
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
