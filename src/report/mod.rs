//! Reporters: one file per output format. A reporter only formats findings; it never reads
//! or parses files.

pub(crate) mod checkstyle;
pub mod concise;
pub(crate) mod crossplane;
pub mod github;
pub(crate) mod gitlab;
pub(crate) mod html;
pub mod json;
pub(crate) mod junit;
pub mod pretty;
pub mod sarif;
pub(crate) mod tree;

use crate::finding::Finding;
use crate::source::{SourceMap, Span};

/// A finding's place, 1-based; the end is exclusive (the character after the span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
    pub(crate) end_column: usize,
}

pub(crate) fn position(sources: &SourceMap, span: Span) -> Position {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Sorted by file, line, column, code: the order every format prints.
pub fn sort(findings: &mut [Finding], sources: &SourceMap) {
    findings.sort_by_cached_key(|f| {
        let p = position(sources, f.span);
        (
            sources.get(f.span.file).name.clone(),
            p.line,
            p.column,
            f.rule.code,
            f.message.clone(),
        )
    });
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Pretty,
    Concise,
    Json,
    Sarif,
    Github,
    Checkstyle,
    Junit,
    Gitlab,
    // A self-contained page: findings with their source lines, the chain drawn.
    Html,
}

/// Summary counts: "3 errors, 1 warning".
pub(crate) fn summary(findings: &[Finding]) -> String {
    use crate::finding::Severity::*;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let parts: Vec<String> = [(Error, "error"), (Warning, "warning"), (Info, "info")]
        .into_iter()
        .filter_map(|(s, word)| {
            let n = count(s);
            (n > 0).then(|| {
                format!(
                    "{n} {word}{}",
                    if n == 1 || word == "info" { "" } else { "s" }
                )
            })
        })
        .collect();
    parts.join(", ")
}

/// A finding's path as CI systems want it: relative to the repository root (the workspace
/// CI names, else the working directory), with forward slashes and no `./` in it.
pub(crate) fn relative_path(name: &str) -> String {
    relative_to(name, &ci_root())
}

/// Where CI checked the repository out: GitHub's and GitLab's own variables, which stay the
/// root when gwlint runs in a subdirectory (`working-directory:`); else the working directory.
fn ci_root() -> std::path::PathBuf {
    ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// `name` relative to `base` when it lies under it (a relative name is taken from the working
/// directory), else as it is; `.` components dropped, forward slashes.
pub(crate) fn relative_to(name: &str, base: &std::path::Path) -> String {
    use std::path::{Component, Path};
    let path = Path::new(name);
    let absolute = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let shown = match absolute.strip_prefix(base) {
        Ok(rel) if !base.as_os_str().is_empty() && rel.as_os_str() != "" => rel,
        _ => path,
    };
    let parts: Vec<String> = shown
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => c.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    let joined = parts.join("/").replace('\\', "/");
    if shown.has_root() && !joined.starts_with('/') {
        format!("/{joined}")
    } else if joined.is_empty() {
        name.to_string()
    } else {
        joined
    }
}

/// One fingerprint per finding, stable across runs and line moves: the rule, the file and the
/// text it points at, plus a counter that keeps identical findings apart.
pub(crate) fn fingerprints(findings: &[Finding], sources: &SourceMap) -> Vec<String> {
    fingerprints_from(findings, sources, &ci_root())
}

/// [`fingerprints`] with paths taken relative to `base` (a baseline file's directory, so a
/// baseline holds wherever gwlint runs from).
pub(crate) fn fingerprints_from(
    findings: &[Finding],
    sources: &SourceMap,
    base: &std::path::Path,
) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let file = sources.get(f.span.file);
            let base = fnv1a(&format!(
                "{}\0{}\0{}",
                f.rule.code,
                relative_to(&file.name, base),
                file.slice(f.span)
            ));
            let n = seen.entry(base).and_modify(|n| *n += 1).or_insert(0u32);
            format!("{base:016x}:{n}")
        })
        .collect()
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// Text made safe for an XML attribute or element: markup characters become entities, line
/// breaks and tabs character references (so attributes keep them), and characters XML 1.0
/// forbids become U+FFFD.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The message with its fix, as formats with a single text field show it.
pub(crate) fn message_with_help(f: &Finding) -> String {
    match &f.help {
        Some(h) => format!("{}\nhelp: {h}", f.message),
        None => f.message.clone(),
    }
}
pub(crate) use crate::output::escape;

#[cfg(test)]
mod tests {
    #[test]
    fn relative_paths_drop_dot_components() {
        let base = std::path::Path::new("/repo");
        assert_eq!(
            super::relative_to("/repo/./conf.d/a.conf", base),
            "conf.d/a.conf"
        );
        assert_eq!(super::relative_to("/repo/x/../y.conf", base), "x/../y.conf");
        assert_eq!(
            super::relative_to("/elsewhere/n.conf", base),
            "/elsewhere/n.conf"
        );
        assert_eq!(super::relative_to("-", base), "-");
    }

    #[test]
    fn xml_escape_markup_and_controls() {
        assert_eq!(
            super::xml_escape("<a href=\"x\">&'\n\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;\u{FFFD}"
        );
    }
}
