//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.


declare_rule! {
    code: "GW012",
    name: "unused-suppression",
    severity: Warning,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a gwlint suppression comment suppresses nothing",
}
