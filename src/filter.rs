//! The filter stage: which findings the user wants. Rule selection and severities from
//! `gwlint.toml` and the command line, per file; then inline suppressions, and findings about
//! suppressions that lack a reason, suppress nothing or cannot work.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) use crate::config::Selection;
use crate::config::{ConfigFile, FileRules, Resolver, source_path};
use crate::finding::{Dialect, Finding};
use crate::load::Loader;
use crate::rules::{invalid_suppression, suppression_without_reason, unused_suppression};
use crate::source::FileId;
use crate::suppress;

/// Filters `findings` (from the files in `linted`, with their dialect) in place.
pub(crate) fn apply(
    findings: &mut Vec<Finding>,
    loader: &Loader,
    linted: &HashMap<FileId, Dialect>,
    config: &Resolver,
    cli: &Selection,
) {
    let sources = &loader.sources;
    let mut settings = Settings {
        loader,
        config,
        cache: HashMap::new(),
    };
    let keep = |f: &mut Finding, settings: &mut Settings| {
        let (cfg, path) = settings.of(f.span.file);
        let rules = FileRules::new(cfg.as_deref(), cli, &path);
        if !rules.enabled(f.rule) {
            return false;
        }
        // A rule may grade its own findings; only an explicit override replaces that.
        if let Some(sev) = rules.severity(f.rule) {
            f.severity = sev;
        }
        true
    };
    findings.retain_mut(|f| keep(f, &mut settings));

    let mut files: Vec<FileId> = linted.keys().copied().collect();
    files.sort();
    let mut suppressions = Vec::new();
    let mut extra = Vec::new();
    for &f in &files {
        let Some(parsed) = loader.nginx_parsed(f) else {
            continue;
        };
        let (s, invalid) = suppress::scan(f, sources.get(f), parsed);
        suppressions.extend(s);
        extra.extend(invalid.into_iter().map(|i| {
            Finding::new(&invalid_suppression::RULE, i.span, i.message)
                .help(i.help)
                .label("this suppresses nothing")
        }));
    }
    suppress::apply(findings, &mut suppressions, |span| {
        sources.get(span.file).line(span.start as usize)
    });

    for s in &suppressions {
        let (cfg, path) = settings.of(s.span.file);
        let rules = FileRules::new(cfg.as_deref(), cli, &path);
        let names: Vec<&str> = s.rules.iter().map(|n| n.selector.as_str()).collect();
        let form = if s.file_wide { "ignore-file" } else { "ignore" };
        if s.reason.is_none() {
            extra.push(
                Finding::new(
                    &suppression_without_reason::RULE,
                    s.span,
                    format!(
                        "suppression of {} gives no reason: the next reader cannot tell whether it still applies",
                        names.join(", ")
                    ),
                )
                .label("no reason after ]")
                .help(format!(
                    "say why after the bracket: # gwlint: {form}[{}] <why this is safe here>",
                    names.join(", ")
                )),
            );
        }
        // A rule turned off here could not have fired: its suppression is not known unused.
        let unused: Vec<&suppress::Named> = s
            .rules
            .iter()
            .filter(|n| !n.used)
            .filter(|n| {
                crate::rules::RULES
                    .iter()
                    .any(|r| r.matches(&n.selector) && rules.enabled(r))
            })
            .collect();
        if unused.is_empty() {
            continue;
        }
        let list: Vec<&str> = unused.iter().map(|n| n.selector.as_str()).collect();
        let place = if s.file_wide {
            "in this file".to_string()
        } else if s.lines.0 == 0 {
            "after it (no statement follows it)".to_string()
        } else if s.lines.0 == s.lines.1 {
            format!("on line {}", s.lines.0)
        } else {
            format!("on lines {}-{}", s.lines.0, s.lines.1)
        };
        let span = if unused.len() == s.rules.len() {
            s.span
        } else {
            unused[0].span
        };
        let help = if unused.len() == s.rules.len() {
            "remove the comment: the problem it was for is gone (or it sits on the wrong line: \
             at the end of the reported line, or alone on the line before the statement)"
                .to_string()
        } else {
            format!("remove {} from the list", list.join(", "))
        };
        extra.push(
            Finding::new(
                &unused_suppression::RULE,
                span,
                format!(
                    "unused suppression: no {} finding {place} to suppress",
                    list.join(" or ")
                ),
            )
            .label("suppresses nothing")
            .help(help),
        );
    }
    for mut f in extra {
        f.dialect = linted.get(&f.span.file).copied().unwrap_or(Dialect::Nginx);
        if keep(&mut f, &mut settings) {
            findings.push(f);
        }
    }
}

/// The configuration file and path of each file, looked up once.
struct Settings<'a> {
    loader: &'a Loader,
    config: &'a Resolver,
    cache: HashMap<FileId, (Option<Arc<ConfigFile>>, PathBuf)>,
}

impl Settings<'_> {
    fn of(&mut self, f: FileId) -> (Option<Arc<ConfigFile>>, PathBuf) {
        self.cache
            .entry(f)
            .or_insert_with(|| {
                let src = self.loader.sources.get(f);
                (self.config.for_source(src), source_path(src))
            })
            .clone()
    }
}
