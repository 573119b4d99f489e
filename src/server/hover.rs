//! Hover over a finding: which rule, what it finds, where its page is.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Range};

use super::lint::Found;
use super::position::{Encoding, to_offset, to_position};

pub(crate) fn hover(found: &[Found], text: &str, at: Position, enc: Encoding) -> Option<Hover> {
    let offset = to_offset(text, at, enc);
    let here: Vec<&Found> = found
        .iter()
        .filter(|f| f.start <= offset && offset <= f.end)
        .collect();
    let first = here.first()?;
    let value = here
        .iter()
        .map(|f| {
            format!(
                "**{}** `{}` ({}): {}\n\n{}\n\n[{} {}]({})",
                f.rule.code,
                f.rule.name,
                f.severity.as_str(),
                f.rule.summary,
                f.message,
                f.rule.code,
                f.rule.name,
                f.rule.url()
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(Range::new(
            to_position(text, first.start, enc),
            to_position(text, first.end, enc),
        )),
    })
}
