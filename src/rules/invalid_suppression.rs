//! Raised by the filter stage (`src/filter.rs`), from the suppression comments.


declare_rule! {
    code: "GW013",
    name: "invalid-suppression",
    severity: Warning,
    family: SyntaxAndFiles,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a gwlint comment that cannot suppress anything (unknown rule, bad form)",
}
