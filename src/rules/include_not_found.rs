//! Raised while loading and parsing.


declare_rule! {
    code: "GW002",
    name: "include-not-found",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "an include names a file that does not exist or cannot be read",
}
