//! The HAProxy parser on any bytes, and its conversion to the generic tree: no panic, every
//! span inside the text.
#![no_main]

use gwlint::source::FileId;
use gwlint::syntax::{haproxy, sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let f = haproxy::parse(FileId(0), &text);
    for e in &f.errors {
        assert!(e.span.end as usize <= text.len());
    }
    let generic = sections::from_haproxy(f);
    for d in &generic.directives {
        assert!(d.span.end as usize <= text.len());
    }
});
