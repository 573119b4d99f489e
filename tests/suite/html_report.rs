//! `--format html`: the page holds every finding with its rule link and source lines, draws
//! the chain, escapes what comes from the input, shows failed paths, and loads nothing.

use crate::common::cli as common_cli;
use common_cli::{code, err, gwlint, out, run};

const BAD: &str = "tests/fixtures/chain/bad";

fn url(code: &str) -> String {
    gwlint::rules::RULES
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("{code} is a rule"))
        .url()
}

/// The inline SVG of a page.
fn svg(page: &str) -> &str {
    let start = page.find("<svg").expect("the page draws the chain");
    let end = page[start..].find("</svg>").expect("the SVG is closed") + start;
    &page[start..end]
}

#[test]
fn findings_with_links_excerpts_and_the_chain() {
    let o = run(&["--format", "html", BAD]);
    // The same exit code as any other format: findings, no failed path.
    assert_eq!(code(&o), 1, "{}", err(&o));
    let page = out(&o);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    for c in ["GW701", "GW703", "GW704", "GW705", "GW505"] {
        assert!(
            page.contains(&format!("href=\"{}\">{c}</a>", url(c))),
            "{c} linked to its page"
        );
    }
    assert!(page.contains("Found 5 problems (3 errors, 2 warnings) in 2 files."));
    assert!(page.contains(">3 errors</button>") && page.contains(">2 warnings</button>"));
    // Findings grouped under their file, relative, in order.
    let file = page
        .find("<h3>tests/fixtures/chain/bad/haproxy.cfg <span class=\"count\">5</span></h3>")
        .expect("a section for the file");
    let order: Vec<usize> = ["GW701", "GW705", "GW703", "GW704", "GW505"]
        .iter()
        .map(|c| page.find(&format!(">{c}</a>")).unwrap())
        .collect();
    assert!(file < order[0] && order.is_sorted(), "{order:?}");
    // The finding's line with one line of context each side, the span marked.
    assert!(page.contains(
        "<span class=\"ln\">34</span> backend secure\n\
         <span class=\"ln hit\">35</span>     server sec1 127.0.0.1:28083 \
         <mark title=\"TLS to a plain listener\">ssl</mark> verify none\n\
         <span class=\"ln\">36</span> \n"
    ));
    assert!(page.contains("<li><span class=\"at\">tests/fixtures/chain/bad/nginx.conf:21:16</span> plain text here</li>"));

    let svg = svg(&page);
    for label in [
        ">bind 127.0.0.1:28080</text>",
        ">backend secure</text>",
        ">server sec1 127.0.0.1:28083…</text>",
        ">listen 127.0.0.1:28083</text>",
        ">proxy_pass http://127.0.0.1…</text>",
    ] {
        assert!(svg.contains(label), "{label} drawn");
    }
    // The server with a finding is marked and links to it; the hop it starts too.
    assert!(svg.contains(
        "<a href=\"#f2\"><g class=\"node server error\" data-node=\"17\"><title>backend secure\n\
         server sec1 127.0.0.1:28083 ssl verify none\n\
         tests/fixtures/chain/bad/haproxy.cfg:35\n\
         GW703 chain-protocol-mismatch (error)</title>"
    ));
    assert!(page.contains("id=\"f2\""));
    // GW701 is on the hop to nginx's 28082 (its places: HAProxy's defaults, nginx's server).
    let hops: Vec<&str> = svg
        .lines()
        .filter(|l| l.starts_with("<path class=\"edge warning hit\""))
        .collect();
    assert_eq!(hops.len(), 1, "{hops:?}");
    assert!(hops[0].contains("<title>GW701 chain-timeout-order (warning)</title>"));
    assert_eq!(svg.matches("<path class=\"edge error hit\"").count(), 3);
    assert_eq!(svg.matches("<path class=\"edge link\"").count(), 1);
}

#[test]
fn written_with_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let o = run(&["--format", "html", "-o", file.to_str().unwrap(), BAD]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert_eq!(out(&o), "");
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains(">GW703</a>") && page.ends_with("</html>\n"));
}

#[test]
fn markup_in_a_value_and_a_file_name_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let name = "<img src=x onerror=alert(1)>.conf";
    std::fs::write(
        dir.path().join(name),
        "events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      \
         proxy_pass \"http://up</script><img src=x onerror=alert(2)>\";\n    }\n  }\n}\n",
    )
    .unwrap();
    let o = gwlint()
        .args(["--format", "html", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", err(&o));
    let page = out(&o);
    assert!(!page.contains("<img"), "{page}");
    assert_eq!(page.matches("</script>").count(), 1, "only the page's own");
    assert!(!page.contains("onerror=alert(1)>"));
    assert!(!page.contains("onerror=alert(2)>"));
    // The name in the file's heading, the finding's place and the drawing.
    assert!(page.contains("<h3>&lt;img src=x onerror=alert(1)&gt;.conf <span"));
    assert!(page.contains("nginx &lt;img src=x onerror=alert(1)&gt;.conf</text>"));
    // The value in the excerpt and in the graph's tooltip.
    assert!(page.contains(
        "<mark title=\"no upstream of this name\">&quot;http://up&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;</mark>"
    ));
    assert!(
        page.contains("proxy_pass http://up&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;\n")
    );
}

#[test]
fn control_characters_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      \
         proxy_pass http://up\u{1b}[31m;\n    }\n  }\n}\n",
    )
    .unwrap();
    let o = gwlint()
        .args(["--format", "html", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let page = out(&o);
    assert!(!page.contains('\u{1b}'), "{page}");
    assert!(page.contains("http://up\\u{1b}[31m"), "{page}");
}

#[test]
fn a_failed_path_is_shown_and_is_not_no_problems() {
    let o = run(&[
        "--format",
        "html",
        "tests/fixtures/chain/good/nginx.conf",
        "tests/fixtures/no-such-dir",
    ]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    let page = out(&o);
    assert!(!page.contains("No problems"), "{page}");
    let errors = page
        .find("<section class=\"errors\" role=\"alert\">")
        .expect("an error box");
    assert!(
        page[errors..].contains("tests/fixtures/no-such-dir"),
        "{page}"
    );
    // At the top: before the chain and the findings.
    assert!(errors < page.find("id=\"chain\"").unwrap());
    assert!(page.contains("1 file checked; 1 path could not be read."));
}

#[test]
fn a_clean_run_says_so() {
    let o = run(&["--format", "html", "tests/fixtures/chain/good"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let page = out(&o);
    assert!(page.contains("No problems found in 2 files."));
    assert!(!page.contains("class=\"errors\""));
    assert!(svg(&page).contains(">server 127.0.0.1:18082 max_…</text>"));
    // The outer proxy's band first, though nginx is the run's first configuration.
    let band = |name: &str| svg(&page).find(&format!(">{name}</text>")).expect(name);
    assert!(
        band("HAProxy tests/fixtures/chain/good/haproxy.cfg")
            < band("nginx tests/fixtures/chain/good/nginx.conf")
    );
    // The hop leaves for the next proxy, drawn again in the server's band, linked to its own.
    assert!(svg(&page).contains("<a href=\"#proxy-0\"><g class=\"node next \""));
}

#[test]
fn a_run_without_a_chain_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nginx.conf"), "events {}\n").unwrap();
    let o = gwlint()
        .args(["--format", "html", "nginx.conf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let page = out(&o);
    assert!(!page.contains("<svg"), "{page}");
    assert!(page.contains("No chain to draw"), "{page}");
}

#[test]
fn the_page_loads_nothing() {
    let page = out(&run(&["--format", "html", BAD]));
    let home = format!("{}/blob/main/rules/", gwlint::rules::HOME);
    let attr =
        regex::Regex::new(r#"\b(?:src|href|xlink:href|action|data)\s*=\s*"([^"]*)""#).unwrap();
    let mut links = 0;
    for c in attr.captures_iter(&page) {
        let v = &c[1];
        assert!(v.starts_with('#') || v.starts_with(&home), "loads {v}");
        links += 1;
    }
    assert!(links > 5, "the attributes were found: {links}");
    for tag in [
        "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(http",
    ] {
        assert!(!page.contains(tag), "{tag}");
    }
    // Scripts are inline: no src.
    assert!(
        !regex::Regex::new(r"<script[^>]*\bsrc")
            .unwrap()
            .is_match(&page)
    );
    // And the policy forbids any load the escaping would miss.
    assert!(page.contains("content=\"default-src 'none';"));
    // The only other addresses: the SVG namespace and the rule pages.
    let other = regex::Regex::new(r"https?://[^\s<>]*").unwrap();
    for m in other.find_iter(&page) {
        let u = m.as_str();
        assert!(
            u.starts_with(&home)
                || u.starts_with("http://www.w3.org/2000/svg")
                || u.starts_with("http://127.0.0.1"),
            "{u}"
        );
    }
}

#[test]
fn a_chain_without_edges_says_so_and_draws_the_listener() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n  server {\n    listen 8080;\n    return 200;\n  }\n}\n",
    )
    .unwrap();
    let o = gwlint()
        .args(["--format", "html", "nginx.conf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    let page = out(&o);
    assert!(
        page.contains("Nothing to follow from these listeners"),
        "{page}"
    );
    assert!(svg(&page).contains(">listen 8080</text>"));
}

/// The row a node's box is drawn at, by the start of its tooltip.
fn box_y(svg: &str, tip: &str) -> u32 {
    let re = regex::Regex::new(&format!(
        r#"<title>{}[^<]*</title><rect x="\d+" y="(\d+)""#,
        regex::escape(tip)
    ))
    .unwrap();
    re.captures(svg)
        .unwrap_or_else(|| panic!("{tip} drawn: {svg}"))[1]
        .parse()
        .unwrap()
}

#[test]
fn a_hop_straight_from_a_route_has_its_row_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    for (sub, conf) in [
        (
            "outer",
            // Two servers: the second is on the row below its pool, the direct route's.
            "events {}\nhttp {\n  upstream app { server 127.0.0.1:8082; server 127.0.0.1:8083; }\n  \
             server {\n    listen 8080;\n    location /app/ { proxy_pass http://app; }\n    \
             location / { proxy_pass http://127.0.0.1:8081; }\n  }\n}\n",
        ),
        (
            "inner",
            "events {}\nhttp {\n  server { listen 127.0.0.1:8081; return 200; }\n  \
             server { listen 127.0.0.1:8082; return 200; }\n}\n",
        ),
    ] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("nginx.conf"), conf).unwrap();
    }
    let o = gwlint()
        .args(["--format", "html", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let page = out(&o);
    let svg = svg(&page);
    let direct = box_y(svg, "location /\nproxy_pass http://127.0.0.1:8081\n");
    // The line from that route to the next proxy crosses the pool and server columns: none
    // of their boxes is on its row.
    for crossed in [
        "upstream app\n",
        "upstream app\nserver 127.0.0.1:8082",
        "upstream app\nserver 127.0.0.1:8083",
    ] {
        assert_ne!(direct, box_y(svg, crossed), "{crossed}");
    }
    assert_eq!(
        box_y(svg, "location /app/\n"),
        box_y(svg, "upstream app\n"),
        "a route level with its pool"
    );
}

#[test]
fn a_chain_too_large_to_draw_says_how_to_draw_it() {
    let dir = tempfile::tempdir().unwrap();
    let servers: String = (0..500)
        .map(|i| format!("    server 10.0.{}.{}:80;\n", i / 200, i % 200 + 1))
        .collect();
    std::fs::write(
        dir.path().join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n  upstream app {{\n{servers}  }}\n  server {{\n    \
             listen 8080;\n    location / {{ proxy_pass http://app; }}\n  }}\n}}\n"
        ),
    )
    .unwrap();
    let o = gwlint()
        .args(["--format", "html", "nginx.conf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let page = out(&o);
    assert!(!page.contains("<svg"), "{}", err(&o));
    assert!(page.contains("too many to draw here"), "{page}");
    assert!(page.contains("gwlint graph --format dot"));
}
