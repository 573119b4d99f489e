//! `--fix` and `--diff`: the findings' mechanical repairs, each one kept only if a lint of the
//! repaired text shows it parses, the finding is gone and nothing new appears.
//!
//! A fix is tried on the text with every fix kept so far (in file order); the run is linted
//! again with the changed files in place of those on disk (`Options::overlays`), so a fix is
//! judged in its deployment, includes and all. Only files of the tree given are changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::finding::{Edit, Finding};
use crate::source::{FileId, SourceMap};

/// A file the fixes change.
#[derive(Debug, Clone)]
pub struct Changed {
    /// Where it is on disk (links resolved: what is written).
    pub(crate) path: PathBuf,
    /// As the report shows it.
    pub(crate) name: String,
    pub(crate) before: String,
    pub(crate) after: String,
}

/// What `--fix` would do.
#[derive(Default)]
pub struct Plan {
    pub changed: Vec<Changed>,
    /// How many findings the kept fixes repair.
    pub(crate) fixed: usize,
    /// Fixes not kept: (file, line, code, why).
    pub rejected: Vec<(String, usize, &'static str, String)>,
    /// The run linted with every kept fix in place: what remains.
    pub outcome: Option<crate::Outcome>,
}

/// What identifies a finding across a repair: its rule, file and message with numbers
/// blanked (lines move when a repair adds one, and messages name places).
type Key = (&'static str, String, String);

fn key(f: &Finding, sources: &SourceMap) -> Key {
    let mut message = String::with_capacity(f.message.len());
    for c in f.message.chars() {
        if !(c.is_ascii_digit() && message.ends_with('#')) {
            message.push(if c.is_ascii_digit() { '#' } else { c });
        }
    }
    (f.rule.code, sources.get(f.span.file).name.clone(), message)
}

/// Findings of a run counted by key: what a repair may only lower.
fn counts(findings: &[Finding], sources: &SourceMap) -> HashMap<Key, usize> {
    let mut m = HashMap::new();
    for f in findings {
        *m.entry(key(f, sources)).or_insert(0) += 1;
    }
    m
}

/// May `--fix` write this file? A real file of the tree given, read as UTF-8 text.
fn writable(sources: &SourceMap, file: FileId, roots: &[PathBuf]) -> Result<PathBuf, String> {
    let src = sources.get(file);
    if src.lossy {
        return Err("the file holds bytes that are not UTF-8".into());
    }
    let Ok(path) = std::fs::canonicalize(&src.path) else {
        return Err("not a file on disk (standard input, a stock or dumped file)".into());
    };
    if !path.is_file() {
        return Err("not a regular file".into());
    }
    if !roots.iter().any(|r| path.starts_with(r)) {
        return Err("outside the paths given".into());
    }
    Ok(path)
}

/// `text` with `edits` (spans into `text`) applied; None if two overlap.
fn apply(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for e in sorted {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            return None;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.text);
        at = t;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// At most this many rounds: a repair of the syntax may uncover a further error, whose own
/// repair is found by linting again.
const PASSES: usize = 4;

/// Tries every fix of `outcome`'s findings, in file order, keeping those a new lint accepts;
/// then again on what remains, while a round keeps something.
pub fn plan(paths: &[PathBuf], opts: &crate::Options, outcome: crate::Outcome) -> Plan {
    // The tree: each directory given, and the directory of each file given (what it
    // includes from beside it belongs to it).
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .map(|p| match p.is_dir() {
            true => p,
            false => p.parent().map(Path::to_path_buf).unwrap_or(p),
        })
        .collect();
    let mut plan = Plan::default();
    // Each file's text before any repair, and where it is on disk.
    let mut originals: BTreeMap<String, (PathBuf, PathBuf, String)> = BTreeMap::new();
    let mut outcome = outcome;
    for _ in 0..PASSES {
        let (next, kept) = round(paths, opts, outcome, &roots, &mut plan, &mut originals);
        outcome = next;
        if kept == 0 {
            break;
        }
    }
    let sources = &outcome.loader.sources;
    for (name, (disk, _, before)) in &originals {
        let now = (0..sources.len())
            .map(|i| sources.get(FileId(i as u32)))
            .find(|f| &f.name == name)
            .map(|f| f.text.clone());
        if let Some(after) = now.filter(|a| a != before) {
            plan.changed.push(Changed {
                path: disk.clone(),
                name: name.clone(),
                before: before.clone(),
                after,
            });
        }
    }
    plan.outcome = Some(outcome);
    plan
}

/// One round over `outcome`'s fixes; returns the run with the kept ones in place and how many
/// were kept. A fix rejected in a later round for a finding already reported is not repeated.
fn round(
    paths: &[PathBuf],
    opts: &crate::Options,
    outcome: crate::Outcome,
    roots: &[PathBuf],
    plan: &mut Plan,
    originals: &mut BTreeMap<String, (PathBuf, PathBuf, String)>,
) -> (crate::Outcome, usize) {
    let sources = &outcome.loader.sources;
    let mut candidates: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.fix.is_some())
        .collect();
    candidates.sort_by_key(|f| (sources.get(f.span.file).name.clone(), f.span.start));

    // Kept edits per file, spans into this round's text.
    let mut kept: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    let mut kept_count = 0;
    let mut current = counts(&outcome.findings, sources);
    let mut last: Option<crate::Outcome> = None;

    for f in candidates {
        let fix = f.fix.as_ref().expect("filtered on fixes");
        let file = sources.get(f.span.file);
        let line = file.line(f.span.start as usize);
        let mut reject = |why: String| {
            let r = (file.name.clone(), line, f.rule.code, why);
            if !plan.rejected.contains(&r) {
                plan.rejected.push(r);
            }
        };
        if let Some(why) = fix
            .edits
            .iter()
            .find_map(|e| writable(sources, e.span.file, roots).err())
        {
            reject(why);
            continue;
        }
        let mut trial = kept.clone();
        for e in &fix.edits {
            trial.entry(e.span.file).or_default().push(e);
        }
        let mut overlays = Vec::new();
        for (&id, edits) in &trial {
            let src = sources.get(id);
            let Some(text) = apply(&src.text, edits) else {
                overlays.clear();
                break;
            };
            overlays.push((src.path.clone(), src.name.clone(), text.into_bytes()));
        }
        if overlays.is_empty() {
            reject("it overlaps a fix already made".into());
            continue;
        }
        // Files changed in earlier rounds keep their text from then.
        for (name, (_, loaded, text)) in originals.iter() {
            if !overlays.iter().any(|o| &o.1 == name) {
                let now = (0..sources.len())
                    .map(|i| sources.get(FileId(i as u32)))
                    .find(|s| &s.name == name)
                    .map_or_else(|| text.clone(), |s| s.text.clone());
                overlays.push((loaded.clone(), name.clone(), now.into_bytes()));
            }
        }
        let relint_opts = crate::Options {
            overlays,
            ..opts.clone()
        };
        let again = crate::lint(paths, &relint_opts);
        let after = counts(&again.findings, &again.loader.sources);
        let k = key(f, sources);
        let (was, now) = (
            current.get(&k).copied().unwrap_or(0),
            after.get(&k).copied().unwrap_or(0),
        );
        // What the repair raised: keys with more findings than before, unless a repair of the
        // syntax uncovered them (refusals later in the same file).
        let at = fix.edits.iter().map(|e| e.span.start).min().unwrap_or(0);
        let raised = again.findings.iter().find(|g| {
            let gk = key(g, &again.loader.sources);
            after[&gk] > current.get(&gk).copied().unwrap_or(0)
                && !(fix.uncovers
                    && !g.rule.refuses.is_empty()
                    && again.loader.sources.get(g.span.file).name == file.name
                    && g.span.start >= at)
        });
        if now >= was {
            reject("the finding is still there after the fix".into());
            continue;
        }
        if let Some(g) = raised {
            reject(format!(
                "the fix would raise {} in {}",
                g.rule.code,
                again.loader.sources.get(g.span.file).name
            ));
            continue;
        }
        if !again.errors.is_empty() {
            reject("the run failed after the fix".into());
            continue;
        }
        plan.fixed += was - now;
        kept_count += 1;
        current = after;
        kept = trial;
        last = Some(again);
    }
    for &id in kept.keys() {
        let src = sources.get(id);
        let disk = writable(sources, id, roots).expect("checked before the fix was kept");
        originals
            .entry(src.name.clone())
            .or_insert_with(|| (disk, src.path.clone(), src.text.clone()));
    }
    (last.unwrap_or(outcome), kept_count)
}

/// A unified diff of every changed file (`--diff`), `a/` and `b/` before the names as git
/// writes them.
pub(crate) fn diff(changed: &[Changed]) -> String {
    let mut out = String::new();
    for c in changed {
        let d = similar::TextDiff::from_lines(&c.before, &c.after);
        let name = crate::output::escape(&c.name);
        out.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string(),
        );
    }
    out
}

/// Writes each changed file in place: a temporary file beside it, renamed over it, so a
/// reader never sees half a file. Keeps the file's permissions.
pub fn write(changed: &[Changed]) -> Result<(), String> {
    for c in changed {
        write_one(&c.path, c.after.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", crate::output::escape(&c.name)))?;
    }
    Ok(())
}

fn write_one(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.gwlint-fix-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let perms = std::fs::metadata(path)?.permissions();
    let result = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::set_permissions(&tmp, perms))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: u32, end: u32, text: &str) -> Edit {
        Edit {
            span: Span {
                file: FileId(0),
                start,
                end,
            },
            text: text.into(),
        }
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_are_refused() {
        let (a, b) = (edit(6, 11, "there"), edit(0, 0, "> "));
        assert_eq!(apply("hello world", &[&a, &b]).unwrap(), "> hello there");
        let c = edit(8, 9, "x");
        assert_eq!(apply("hello world", &[&a, &c]), None);
        assert_eq!(apply("hi", &[&edit(1, 5, "")]), None);
    }
}
