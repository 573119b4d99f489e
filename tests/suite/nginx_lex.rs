//! The hand-written nginx lexer finds exactly the tokens of `grammar/nginx.pest`: on every
//! fixture and example, on generated configurations (whole and cut short), and on random
//! text built from the characters the grammar treats specially.

use gwlint::syntax::nginx_lex::{Lexer, tokens};
use proptest::prelude::*;

use crate::generate;

fn agree(text: &str) {
    let fast = tokens(text, Lexer::Fast);
    let pest = tokens(text, Lexer::Pest);
    assert_eq!(fast, pest, "the lexers disagree on {text:?}");
}

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        // Links are the deployment fixtures' sites-enabled/, some dangling by design.
        if e.file_type().unwrap().is_symlink() {
            continue;
        }
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn fixtures_and_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("tests/fixtures"), &mut all);
    files(&root.join("examples"), &mut all);
    files(&root.join("rules"), &mut all);
    assert!(all.len() > 50, "{all:?}");
    for p in all {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        agree(&text);
    }
}

#[test]
fn generated_configurations_whole_and_cut() {
    for seed in 1..6 {
        let text = generate::nginx(16 * 1024, seed);
        agree(&text);
        // Cut anywhere: unterminated strings, blocks and statements.
        let mut r = generate::Rng::new(seed);
        for _ in 0..20 {
            let mut cut = r.below(text.len() as u64) as usize;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            agree(&text[..cut]);
        }
    }
}

/// Pieces the grammar treats specially, and ordinary text around them.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        "\t",
        "\n",
        "\r\n",
        "#",
        "# c\n",
        ";",
        "{",
        "}",
        "\"",
        "'",
        "\\",
        "\\\"",
        "$",
        "${",
        "$x",
        "a",
        "word",
        "é",
        "_",
        "_by_lua_block",
        "content_by_lua_block",
        "set_by_lua_block",
        "--",
        "[[",
        "]]",
        "x{2}",
        ")",
        "\0",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn special_pieces(pieces in prop::collection::vec(piece(), 0..40)) {
        agree(&pieces.concat());
    }

    #[test]
    fn any_text(text in "\\PC{0,200}") {
        agree(&text);
    }
}
