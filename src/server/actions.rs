//! Code actions: a finding's repair (what `--fix` makes), and "Suppress GWnnn on this line",
//! written as gwlint's inline suppression (`src/suppress.rs`). A suppression without a reason is itself a finding (GW011), so the
//! comment carries a reason for the user to replace.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::diagnostics::diagnostic;
use super::lint::Found;
use super::position::{Encoding, line_end, start_of_line, to_offset, to_position};

/// What the inserted suppression says until the user says why.
pub(crate) const REASON: &str = "TODO: say why this is safe";

pub(crate) fn actions(
    uri: &Uri,
    found: &[Found],
    text: &str,
    range: Range,
    enc: Encoding,
) -> Vec<CodeActionOrCommand> {
    let from = start_of_line(text, to_offset(text, range.start, enc));
    let to = line_end(text, to_offset(text, range.end, enc));
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for f in found {
        if f.start > to || f.end < from {
            continue;
        }
        if let Some((title, edits)) = &f.fix {
            let edits = edits
                .iter()
                .map(|(s, e, t)| {
                    let range = Range::new(to_position(text, *s, enc), to_position(text, *e, enc));
                    TextEdit::new(range, t.clone())
                })
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(f, text, enc)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
        if !suppressible(f.rule) {
            continue;
        }
        let line = start_of_line(text, f.start);
        if seen.contains(&(line, f.rule.code)) {
            continue;
        }
        seen.push((line, f.rule.code));
        let edit = suppression(f, text, enc);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Suppress {} on this line", f.rule.code),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(f, text, enc)]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..Default::default()
            }),
            ..Default::default()
        }));
    }
    out
}

/// The edit that suppresses `f`: its code added to a suppression already on the line, else a
/// comment at the line's end, else (the line ends in another comment) a comment line above,
/// which covers the statement that follows it.
fn suppression(f: &Found, text: &str, enc: Encoding) -> TextEdit {
    let at = |offset| {
        let p = to_position(text, offset, enc);
        Range::new(p, p)
    };
    let code = f.rule.code;
    match f.comment {
        Some((start, end)) => {
            let comment = text.get(start..end).unwrap_or_default();
            if let Some(close) = existing_list_end(comment) {
                return TextEdit::new(at(start + close), format!(", {code}"));
            }
            let line = start_of_line(text, f.start);
            let indent: String = text[line..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let p = Position::new(to_position(text, line, enc).line, 0);
            TextEdit::new(
                Range::new(p, p),
                format!("{indent}# gwlint: ignore[{code}] {REASON}\n"),
            )
        }
        None => TextEdit::new(
            at(line_end(text, f.start)),
            format!("  # gwlint: ignore[{code}] {REASON}"),
        ),
    }
}

/// Findings about suppressions cannot be suppressed inline (see `suppress::apply`), nor can
/// a crash of gwlint's own.
fn suppressible(rule: &crate::rules::Rule) -> bool {
    use crate::rules::unused_suppression;
    use crate::rules::{internal_error, invalid_suppression, suppression_without_reason};
    ![
        &internal_error::RULE,
        &invalid_suppression::RULE,
        &suppression_without_reason::RULE,
        &unused_suppression::RULE,
    ]
    .iter()
    .any(|r| r.code == rule.code)
}

/// Where the rule list of a `# gwlint: ignore[…]` comment closes, if the comment is one.
fn existing_list_end(comment: &str) -> Option<usize> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("gwlint:")?.trim_start();
    rest.strip_prefix("ignore[")?;
    comment.find(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, needle: &str, comment: Option<&str>) -> Found {
        let start = text.find(needle).unwrap();
        Found {
            rule: &crate::rules::variable_pass_without_resolver::RULE,
            severity: crate::finding::Severity::Error,
            message: "m".into(),
            help: None,
            start,
            end: start + needle.len(),
            related: Vec::new(),
            comment: comment.map(|c| {
                let s = text.find(c).unwrap();
                (s, s + c.len())
            }),
            fix: None,
        }
    }

    fn apply(text: &str, f: &Found) -> String {
        let e = suppression(f, text, Encoding::Utf16);
        let start = to_offset(text, e.range.start, Encoding::Utf16);
        let end = to_offset(text, e.range.end, Encoding::Utf16);
        format!("{}{}{}", &text[..start], e.new_text, &text[end..])
    }

    #[test]
    fn suppressions_go_where_the_parser_reads_them() {
        let code = crate::rules::variable_pass_without_resolver::RULE.code;
        let text = "  proxy_pass http://$h;\r\n";
        assert_eq!(
            apply(text, &found(text, "http", None)),
            format!("  proxy_pass http://$h;  # gwlint: ignore[{code}] {REASON}\r\n")
        );
        let text = "  proxy_pass http://$h; # legacy\n";
        assert_eq!(
            apply(text, &found(text, "http", Some("# legacy"))),
            format!("  # gwlint: ignore[{code}] {REASON}\n  proxy_pass http://$h; # legacy\n")
        );
        let text = "proxy_pass http://$h; # gwlint: ignore[GW101] known\n";
        assert_eq!(
            apply(
                text,
                &found(text, "http", Some("# gwlint: ignore[GW101] known"))
            ),
            format!("proxy_pass http://$h; # gwlint: ignore[GW101, {code}] known\n")
        );
    }
}
