//! Writes a generated configuration to standard output:
//! `cargo run --release --example genconf -- nginx 50M [SEED]`, or `haproxy 1M`, or
//! `nginx-lines 1000`, or `nginx-loopback 900 [SEED]`: a complete configuration that listens
//! on `127.0.0.1:8080` and keeps its application servers on `127.0.0.1:8081-8083` in the same
//! file, as the cases of a test suite do (every case on the same loopback ports).

#[path = "generate.rs"]
mod generate;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: genconf nginx|haproxy SIZE[K|M] [SEED] | genconf nginx-lines|nginx-loopback LINES|SIZE [SEED]";
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
        "nginx-loopback" => loopback(&generate::nginx(n, seed), seed),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2)
        }
    };
    std::io::stdout().write_all(text.as_bytes()).unwrap();
}

/// A generated configuration moved onto the loopback ports a test suite uses: the sites listen
/// on `127.0.0.1:8080`, their upstreams name `127.0.0.1:8081-8083`, and one more `server`
/// listens there in front of an application on `127.0.0.1:9000` (with a read timeout above
/// the sites' 30s in every other case: linked to another case, that would be a chain finding).
fn loopback(text: &str, seed: u64) -> String {
    let mut out = String::with_capacity(text.len() + 512);
    let mut k = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if t == "listen 80;" {
            out.push_str("        listen 127.0.0.1:8080;\n");
        } else if let Some(rest) = t.strip_prefix("server 127.0.0.") {
            let (_, params) = rest.split_once(' ').unwrap_or(("", ""));
            k = if out.ends_with("{\n") { 0 } else { k + 1 };
            out.push_str(&format!(
                "        server 127.0.0.1:{} {params}\n",
                8081 + k % 3
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    // The closing brace of `http`.
    out.truncate(out.trim_end().len() - 1);
    let timeout = if seed % 2 == 0 { "120s" } else { "20s" };
    out.push_str(&format!(
        "\n    server {{\n        listen 127.0.0.1:8081;\n        listen 127.0.0.1:8082;\n        listen 127.0.0.1:8083;\n        location / {{\n            proxy_read_timeout {timeout};\n            proxy_pass http://127.0.0.1:9000;\n        }}\n    }}\n}}\n"
    ));
    out
}
