//! `cargo bench`: parse, lower and check on generated configurations of growing size. Each
//! size is four times the last; linear cost shows as four times the time.

use std::collections::HashMap;

use divan::{Bencher, black_box};
use gwlint::finding::Dialect;
use gwlint::load::include::Tree;
use gwlint::source::{FileId, SourceMap};
use gwlint::syntax::nginx;

#[path = "../bench/generate.rs"]
mod generate;

const SIZES: &[usize] = &[16 << 10, 64 << 10, 256 << 10, 1 << 20];

fn main() {
    divan::main();
}

/// One generated file, parsed, as one tree.
struct Parsed {
    sources: SourceMap,
    tree: Tree,
    files: HashMap<FileId, nginx::File>,
}

fn parsed(dialect: Dialect, size: usize) -> Parsed {
    let text = match dialect {
        Dialect::Nginx => generate::nginx(size, 1),
        Dialect::Haproxy => generate::haproxy(size, 1),
    };
    let mut sources = SourceMap::default();
    let id = sources.add("gen.conf".as_ref(), "gen.conf".into(), text.into_bytes());
    let text = &sources.get(id).text;
    let file = match dialect {
        Dialect::Nginx => nginx::parse(id, text),
        Dialect::Haproxy => {
            gwlint::syntax::sections::from_haproxy(gwlint::syntax::haproxy::parse(id, text))
        }
    };
    Parsed {
        tree: Tree::of_files(dialect, vec![id]),
        files: HashMap::from([(id, file)]),
        sources,
    }
}

fn bytes<'a, 'b>(b: Bencher<'a, 'b>, text: &str) -> Bencher<'a, 'b> {
    b.counter(divan::counter::BytesCount::new(text.len()))
}

#[divan::bench(args = SIZES)]
fn parse_nginx(b: Bencher, size: usize) {
    let text = generate::nginx(size, 1);
    bytes(b, &text).bench(|| nginx::parse(FileId(0), black_box(&text)));
}

#[divan::bench(args = SIZES)]
fn parse_haproxy(b: Bencher, size: usize) {
    let text = generate::haproxy(size, 1);
    bytes(b, &text).bench(|| gwlint::syntax::haproxy::parse(FileId(0), black_box(&text)));
}

#[divan::bench(args = SIZES)]
fn lower_nginx(b: Bencher, size: usize) {
    let p = parsed(Dialect::Nginx, size);
    let text = &p.sources.get(p.tree.root).text;
    bytes(b, text).bench(|| gwlint::model::nginx::lower(&p.tree, &p.files));
}

#[divan::bench(args = SIZES)]
fn check_nginx(b: Bencher, size: usize) {
    check(b, Dialect::Nginx, size);
}

#[divan::bench(args = SIZES)]
fn check_haproxy(b: Bencher, size: usize) {
    check(b, Dialect::Haproxy, size);
}

fn check(b: Bencher, dialect: Dialect, size: usize) {
    let p = parsed(dialect, size);
    let proxy = match dialect {
        Dialect::Nginx => gwlint::model::nginx::lower(&p.tree, &p.files),
        Dialect::Haproxy => gwlint::model::haproxy::lower(&p.tree, &p.files),
    };
    let facts = gwlint::facts::Facts::default();
    let ctx = gwlint::rules::Context {
        sources: &p.sources,
        proxy: &proxy,
        nginx_version: None,
        haproxy_version: None,
        facts: &facts,
        observed: None,
        refusals: &[],
    };
    let text = &p.sources.get(p.tree.root).text;
    bytes(b, text).bench(|| gwlint::rules::check(&ctx));
}
