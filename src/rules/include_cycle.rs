//! Raised while loading and parsing.


declare_rule! {
    code: "GW003",
    name: "include-cycle",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "files include each other in a loop",
}
