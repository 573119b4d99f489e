//! Baselines, for adopting gwlint on an estate that already has findings:
//! `--write-baseline FILE` records today's findings by fingerprint, `--baseline FILE` reports
//! only findings not recorded, and names recorded ones that no longer occur.
//!
//! The fingerprint is SARIF's (`report::fingerprints`): the rule, the file and the text the
//! finding points at, plus a counter for identical ones, so a baseline survives lines moving.
//! Paths are taken relative to the baseline file's directory, so it holds wherever gwlint
//! runs from.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::report::{self, fingerprints_from, relative_to};
use crate::source::SourceMap;

/// The file's format version: a baseline of another version is refused, not misread.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    gwlint_baseline: u32,
    findings: Vec<Entry>,
}

/// One recorded finding. Only the fingerprint matches; the rest tells a reader what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub(crate) fingerprint: String,
    pub(crate) code: String,
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// A baseline read from its file.
#[derive(Debug)]
pub(crate) struct Baseline {
    entries: Vec<Entry>,
    /// The directory fingerprints are taken from.
    base: std::path::PathBuf,
}

fn base_of(path: &Path) -> std::path::PathBuf {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
    std::fs::canonicalize(&dir).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(&dir))
            .unwrap_or(dir)
    })
}

fn entries(findings: &[Finding], sources: &SourceMap, base: &Path) -> Vec<Entry> {
    findings
        .iter()
        .zip(fingerprints_from(findings, sources, base))
        .map(|(f, fingerprint)| Entry {
            fingerprint,
            code: f.rule.code.to_string(),
            file: relative_to(&sources.get(f.span.file).name, base),
            line: report::position(sources, f.span).line,
            message: f.message.clone(),
        })
        .collect()
}

/// The baseline of `findings` as it is written to `path` (pretty JSON, one entry per finding,
/// in report order, so a baseline's diff in review reads as the findings that changed).
pub(crate) fn render(findings: &[Finding], sources: &SourceMap, path: &Path) -> String {
    let file = File {
        gwlint_baseline: VERSION,
        findings: entries(findings, sources, &base_of(path)),
    };
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    s
}

impl Baseline {
    /// Reads a baseline; the error says what is wrong with the file.
    pub(crate) fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a gwlint baseline: {e}", path.display()))?;
        if file.gwlint_baseline != VERSION {
            return Err(format!(
                "{} is a baseline of format {}; this gwlint reads format {VERSION}",
                path.display(),
                file.gwlint_baseline
            ));
        }
        Ok(Baseline {
            entries: file.findings,
            base: base_of(path),
        })
    }

    /// Drops the findings the baseline records, and returns the recorded entries that no
    /// finding matched (fixed since, or moved to other text).
    pub(crate) fn apply(&self, findings: &mut Vec<Finding>, sources: &SourceMap) -> Vec<Entry> {
        let prints = fingerprints_from(findings, sources, &self.base);
        let mut recorded: HashMap<&str, usize> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            recorded.entry(e.fingerprint.as_str()).or_insert(i);
        }
        let mut matched = vec![false; self.entries.len()];
        let keep: Vec<bool> = prints
            .iter()
            .map(|p| match recorded.get(p.as_str()) {
                Some(&i) => {
                    matched[i] = true;
                    false
                }
                None => true,
            })
            .collect();
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
        self.entries
            .iter()
            .zip(matched)
            .filter(|(_, m)| !m)
            .map(|(e, _)| e.clone())
            .collect()
    }
}
