//! The hand-written nginx lexer against the grammar (grammar/nginx.pest): the same tokens on
//! any input.
#![no_main]

use gwlint::syntax::nginx_lex::{Lexer, tokens};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert_eq!(tokens(&text, Lexer::Fast), tokens(&text, Lexer::Pest));
});
