//! Writes a generated configuration to standard output:
//! `cargo run --release --example genconf -- nginx 50M [SEED]`, or `haproxy 1M`, or
//! `nginx-lines 1000`.

#[path = "generate.rs"]
mod generate;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: genconf nginx|haproxy SIZE[K|M] [SEED] | genconf nginx-lines LINES [SEED]";
    let (Some(kind), Some(size)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let n: usize = match size.strip_suffix(['K', 'k']) {
        Some(k) => k.parse::<usize>().map(|k| k << 10),
        None => match size.strip_suffix(['M', 'm']) {
            Some(m) => m.parse::<usize>().map(|m| m << 20),
            None => size.parse(),
        },
    }
    .unwrap_or_else(|_| {
        eprintln!("{usage}");
        std::process::exit(2)
    });
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let text = match kind.as_str() {
        "nginx" => generate::nginx(n, seed),
        "nginx-lines" => generate::nginx_lines(n, seed),
        "haproxy" => generate::haproxy(n, seed),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2)
        }
    };
    std::io::stdout().write_all(text.as_bytes()).unwrap();
}
