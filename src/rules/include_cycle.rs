//! Raised while loading and parsing.


use crate::finding::Finding;
use crate::source::Span;

declare_rule! {
    code: "GW003",
    name: "include-cycle",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "files include each other in a loop",
}

/// The finding at an include that closes a cycle; `chain` names the files on it.
pub(crate) fn finding(include: Span, chain: &[String]) -> Finding {
    Finding::new(
        &RULE,
        include,
        format!("include cycle: {}", chain.join(" → ")),
    )
    .label("includes a file that is already being included")
    .help("remove this include, or narrow its glob so it does not match a file on the chain; nginx would include the files again and again")
}
