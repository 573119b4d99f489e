//! Raised while loading and parsing.


declare_rule! {
    code: "GW004",
    name: "not-text",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx],
    summary: "a configuration file is binary (holds NUL bytes)",
}
