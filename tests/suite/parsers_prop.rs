//! Property tests for both parsers: any bytes parse without a panic and with spans inside
//! the text; valid configurations survive parse → print → parse unchanged.

use gwlint::source::FileId;
use gwlint::syntax::nginx::{self, Directive};
use gwlint::syntax::{haproxy, sections};
use gwlint::word::Quote;
use proptest::prelude::*;

use crate::generate;

// ---- printers --------------------------------------------------------------------------------

/// An nginx argument that reads back as `value`: every argument double-quoted, `"` and `\`
/// escaped (nginx keeps other escapes as written, so `\\` is needed for a backslash).
fn quoted(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

fn print_nginx(dirs: &[Directive], depth: usize, out: &mut String) {
    for d in dirs {
        out.push_str(&"  ".repeat(depth));
        let lua = d.args.last().is_some_and(|a| a.quote() == Quote::Lua);
        // A Lua block is recognised by its bare name; any other name may need quotes ('').
        if lua {
            out.push_str(d.name());
        } else {
            out.push_str(&quoted(d.name()));
        }
        for a in &d.args {
            out.push(' ');
            match a.quote() {
                Quote::Lua => {
                    out.push('{');
                    out.push_str(&a.value);
                    out.push('}');
                }
                _ if lua => out.push_str(&a.value),
                _ => out.push_str(&quoted(&a.value)),
            }
        }
        match d.block() {
            _ if lua => out.push('\n'),
            Some(children) => {
                out.push_str(" {\n");
                print_nginx(children, depth + 1, out);
                out.push_str(&"  ".repeat(depth));
                out.push_str("}\n");
            }
            None => out.push_str(";\n"),
        }
    }
}

fn printed(f: &nginx::File) -> String {
    let mut s = String::new();
    print_nginx(&f.directives, 0, &mut s);
    s
}

fn reparsed_nginx(text: &str) -> nginx::File {
    let f = nginx::parse(FileId(0), text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    f
}

/// Parse → print → parse gives the same tree (compared through its printing).
fn nginx_round_trip(text: &str) {
    let first = printed(&reparsed_nginx(text));
    let second = printed(&reparsed_nginx(&first));
    if first != second {
        let at = first
            .bytes()
            .zip(second.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        panic!(
            "parse → print → parse changed the text at byte {at}: {:?} became {:?}",
            &first[at.saturating_sub(40)..(at + 40).min(first.len())],
            &second[at.saturating_sub(40)..(at + 40).min(second.len())]
        );
    }
}

// ---- nginx -----------------------------------------------------------------------------------

fn spans_inside(f: &nginx::File, len: usize) {
    fn walk(dirs: &[Directive], len: usize) {
        for d in dirs {
            assert!(d.span.start <= d.span.end && d.span.end as usize <= len);
            for a in std::iter::once(d.name_arg()).chain(d.args.iter().copied()) {
                assert!(a.span.end as usize <= len);
            }
            walk(d.children(), len);
        }
    }
    walk(&f.directives, len);
    for e in &f.errors {
        assert!(e.span.start <= e.span.end && e.span.end as usize <= len);
    }
}

/// Names as nginx spells them; values anything without NUL.
fn nginx_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,12}"
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    args: Vec<String>,
    block: Option<Vec<Node>>,
}

fn node() -> impl Strategy<Value = Node> {
    let leaf =
        (nginx_name(), prop::collection::vec("[^\0]{0,12}", 0..4)).prop_map(|(name, args)| Node {
            name,
            args,
            block: None,
        });
    leaf.prop_recursive(5, 60, 6, |inner| {
        (
            nginx_name(),
            prop::collection::vec("[^\0]{0,12}", 0..3),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(name, args, children)| Node {
                name,
                args,
                block: Some(children),
            })
    })
}

fn print_nodes(nodes: &[Node], out: &mut String) {
    for n in nodes {
        out.push_str(&n.name);
        for a in &n.args {
            out.push(' ');
            out.push_str(&quoted(a));
        }
        match &n.block {
            Some(children) => {
                out.push_str(" {\n");
                print_nodes(children, out);
                out.push_str("}\n");
            }
            None => out.push_str(";\n"),
        }
    }
}

fn same(nodes: &[Node], dirs: &[Directive]) {
    assert_eq!(nodes.len(), dirs.len());
    for (n, d) in nodes.iter().zip(dirs) {
        assert_eq!(n.name, d.name());
        let values: Vec<&str> = d.args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(n.args, values);
        match (&n.block, d.block()) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => {}
            _ => panic!("block mismatch at {}", n.name),
        }
    }
}

#[test]
fn generated_nginx_configurations_round_trip() {
    for seed in 1..4 {
        nginx_round_trip(&generate::nginx(32 * 1024, seed));
    }
    nginx_round_trip(
        "content_by_lua_block { ngx.say(\"}\") -- }\n }\nset_by_lua_block $x { return 1 }\nhttp { a \"b\\\\c\" 'd\"e'; }\n",
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn nginx_any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let text = String::from_utf8_lossy(&bytes);
        let f = nginx::parse(FileId(0), &text);
        spans_inside(&f, text.len());
    }

    #[test]
    fn nginx_printed_trees_parse_back(nodes in prop::collection::vec(node(), 0..6)) {
        let mut text = String::new();
        print_nodes(&nodes, &mut text);
        let f = reparsed_nginx(&text);
        same(&nodes, &f.directives);
        nginx_round_trip(&text);
    }
}

// ---- HAProxy ---------------------------------------------------------------------------------

fn haproxy_word(value: &str) -> String {
    // Double quotes keep spaces and `#`; a backslash escapes `"`, `\` and `$`.
    let mut s = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '$') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

#[derive(Debug, Clone)]
struct Sec {
    kind: &'static str,
    name: String,
    lines: Vec<(String, Vec<String>)>,
}

fn section() -> impl Strategy<Value = Sec> {
    (
        prop::sample::select(vec!["frontend", "backend", "listen", "defaults", "global"]),
        "[a-z][a-z0-9_]{0,8}",
        prop::collection::vec(
            (
                "[a-z][a-z0-9-]{0,10}",
                prop::collection::vec("[ -~]{1,12}", 0..4),
            ),
            0..8,
        ),
    )
        .prop_map(|(kind, name, lines)| Sec { kind, name, lines })
}

fn print_sections(secs: &[Sec]) -> String {
    let mut out = String::new();
    for s in secs {
        out.push_str(s.kind);
        if s.kind != "global" {
            out.push(' ');
            out.push_str(&s.name);
        }
        out.push('\n');
        for (k, args) in &s.lines {
            out.push_str("    ");
            out.push_str(k);
            for a in args {
                out.push(' ');
                out.push_str(&haproxy_word(a));
            }
            out.push('\n');
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn haproxy_any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let text = String::from_utf8_lossy(&bytes);
        let f = haproxy::parse(FileId(0), &text);
        for e in &f.errors {
            prop_assert!(e.span.end as usize <= text.len());
        }
        let generic = sections::from_haproxy(f);
        spans_inside(&generic, text.len());
    }

    #[test]
    fn haproxy_printed_sections_parse_back(secs in prop::collection::vec(section(), 0..5)) {
        let keywords: Vec<&str> = secs.iter().flat_map(|s| s.lines.iter().map(|(k, _)| k.as_str())).collect();
        // A line whose keyword opens a section is a section header, not a statement.
        prop_assume!(!keywords.iter().any(|k| haproxy::is_section_keyword(k)));
        let text = print_sections(&secs);
        let f = haproxy::parse(FileId(0), &text);
        prop_assert!(f.errors.is_empty(), "{:?}\n{}", f.errors, text);
        prop_assert_eq!(f.sections.len(), secs.len());
        for (s, p) in secs.iter().zip(&f.sections) {
            prop_assert_eq!(s.kind, p.kind());
            prop_assert_eq!(s.lines.len(), p.statements.len());
            for ((k, args), st) in s.lines.iter().zip(&p.statements) {
                prop_assert_eq!(k.as_str(), st.keyword());
                let values: Vec<&str> = st.args().iter().map(|w| w.value.as_str()).collect();
                prop_assert_eq!(args, &values);
            }
        }
        // And printed again from what was parsed, the text is the same.
        let again: Vec<Sec> = f
            .sections
            .iter()
            .map(|p| Sec {
                kind: secs.iter().find(|s| s.kind == p.kind()).map_or("global", |s| s.kind),
                name: p.name().unwrap_or("").to_string(),
                lines: p
                    .statements
                    .iter()
                    .map(|st| {
                        (
                            st.keyword().to_string(),
                            st.args().iter().map(|w| w.value.clone()).collect(),
                        )
                    })
                    .collect(),
            })
            .collect();
        prop_assert_eq!(print_sections(&again), text);
    }
}
