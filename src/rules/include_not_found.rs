//! Raised while loading and parsing.


use crate::finding::Finding;
use crate::load::LoadError;
use crate::source::Span;

declare_rule! {
    code: "GW002",
    name: "include-not-found",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "an include names a file that does not exist or cannot be read",
}

/// The finding for an included file that is missing or cannot be read (GW004 when it is
/// not text).
pub(crate) fn unloadable(arg_span: Span, shown: &str, e: &LoadError) -> Finding {
    match e {
        LoadError::NotFound => Finding::new(
            &RULE,
            arg_span,
            format!(
                "included file \"{shown}\" does not exist: nginx refuses to start with `open() \"{shown}\" failed (2: No such file or directory)`"
            ),
        )
        .label("no such file")
        .help(
            "create the file, fix the path (relative paths start at the directory of the main nginx.conf, or --prefix), or use a glob (\"conf.d/*.conf\") if it may be absent",
        ),
        LoadError::Binary { file, offset } => {
            Finding::new(
                &super::not_text::RULE,
                Span::new(*file, 0, 0),
                format!("\"{shown}\" is not a text file (NUL byte at offset {offset}); nginx refuses to start"),
            )
            .help("include only nginx configuration files")
            .related(arg_span, "included here")
        }
        other => Finding::new(
            &RULE,
            arg_span,
            format!("included file \"{shown}\" cannot be read ({other}): nginx refuses to start"),
        )
        .label("cannot be read"),
    }
}
