//! Raised while loading and parsing.


declare_rule! {
    code: "GW001",
    name: "syntax-error",
    severity: Error,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [Nginx, Haproxy],
    summary: "nginx (or HAProxy) cannot parse the configuration",
}
