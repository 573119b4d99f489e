//! Where a repair puts a directive: on its own line after a route's `*_pass`, indented as it.

use super::Context;
use crate::finding::Edit;
use crate::model::{Route, ScopeKind};
use crate::source::Span;

/// `lines` (whole directives, `;` included) inserted after `route`'s directive with its
/// indentation; None unless the route is in a `location` (`if` and `limit_except` blocks
/// take few of the `proxy_*` directives) and alone on its line.
pub(crate) fn after_route(ctx: &Context, route: &Route, lines: &[&str]) -> Option<Edit> {
    if ctx.proxy.scopes[route.scope].kind != ScopeKind::Location || lines.is_empty() {
        return None;
    }
    let span = route.directive.span();
    let src = ctx.sources.get(span.file);
    let start = span.start as usize;
    let line_start = src.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &src.text[line_start..start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        // Another statement before it on the line: no indentation to copy.
        return None;
    }
    let end = span.end as usize;
    if src.text.as_bytes().get(end.checked_sub(1)?) != Some(&b';') {
        return None;
    }
    let text: String = lines.iter().map(|l| format!("\n{indent}{l}")).collect();
    Some(Edit {
        span: Span::new(span.file, end, end),
        text,
    })
}
