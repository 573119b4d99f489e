//! The nginx parser on any bytes: no panic, every span inside the text.
#![no_main]

use gwlint::source::FileId;
use gwlint::syntax::nginx::{self, Directive};
use libfuzzer_sys::fuzz_target;

fn spans_inside(dirs: &[Directive], len: usize) {
    for d in dirs {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= len);
        for a in std::iter::once(d.name_arg()).chain(d.args.iter().copied()) {
            assert!(a.span.start <= a.span.end && a.span.end as usize <= len);
        }
        spans_inside(d.children(), len);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let f = nginx::parse(FileId(0), &text);
    spans_inside(&f.directives, text.len());
    for e in &f.errors {
        assert!(e.span.end as usize <= text.len());
    }
});
