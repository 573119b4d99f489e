//! Which findings the user wants: `--select`, `--ignore`.

use crate::finding::Finding;
use crate::rules::{RULES, Rule};

/// A rule selection from `--select` and `--ignore` (codes, names, code prefixes, `ALL`).
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Selectors that match no rule: a typo in `--select GW1O1` must not silently select nothing.
    pub fn unknown(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|s| !RULES.iter().any(|r| r.matches(s)))
            .collect()
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| rule.matches(s));
        selected && !self.ignore.iter().any(|s| rule.matches(s))
    }

    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| self.enabled(f.rule));
    }
}
