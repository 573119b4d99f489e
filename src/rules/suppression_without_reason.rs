//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.


declare_rule! {
    code: "GW011",
    name: "suppression-without-reason",
    severity: Warning,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a gwlint suppression comment gives no reason",
}
