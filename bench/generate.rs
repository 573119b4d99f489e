//! Realistic generated configurations for benchmarks and property tests: an nginx `http`
//! block with upstreams, servers and locations as sites write them (comments, quoted
//! strings, regular expressions, maps, variables), and HAProxy frontends and backends.
//! Deterministic: the same seed and size give the same text.

#![allow(dead_code)]

/// A small deterministic generator (xorshift64*); no dependency needed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const PATHS: &[&str] = &[
    "api", "static", "img", "auth", "v1", "v2", "admin", "ws", "health",
];
const HOSTS: &[&str] = &["shop", "blog", "api", "cdn", "mail", "admin", "docs"];

/// One upstream and one server using it: about 1.3 KB, 45 lines (`small`: 0.7 KB).
fn nginx_site(out: &mut String, r: &mut Rng, i: u64, small: bool) {
    let host = r.pick(HOSTS);
    let port = 8000 + r.below(1000);
    out.push_str(&format!(
        "\n    # {host} number {i}: application servers\n    upstream app_{i} {{\n"
    ));
    for s in 0..1 + r.below(3) {
        out.push_str(&format!(
            "        server 127.0.0.{}:{port} max_fails=3 fail_timeout=10s;\n",
            1 + s
        ));
    }
    out.push_str("        keepalive 16;\n    }\n");
    out.push_str(&format!(
        "\n    server {{\n        listen 80;\n        server_name {host}{i}.example.com www.{host}{i}.example.com;\n        root /srv/{host}/{i}/public;\n        access_log logs/{host}{i}.access.log;\n\n"
    ));
    out.push_str(
        "        location / {\n            try_files $uri $uri/ /index.html;\n        }\n",
    );
    // Distinct paths: nginx refuses a duplicate location.
    let first = r.below(PATHS.len() as u64) as usize;
    let n = if small { 1 } else { 2 + r.below(3) as usize };
    for k in 0..n {
        let p = PATHS[(first + k) % PATHS.len()];
        out.push_str(&format!(
            "\n        location /{p}/ {{\n            proxy_pass http://app_{i};\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_read_timeout 30s;\n            proxy_connect_timeout 5s;\n        }}\n"
        ));
    }
    if !small && r.below(2) == 0 {
        out.push_str(
            "\n        location ~* \\.(css|js|png|jpg|svg)$ {\n            expires 30d;\n            add_header Cache-Control \"public, max-age=2592000\";\n        }\n",
        );
    }
    if !small && r.below(3) == 0 {
        out.push_str("\n        location = /50x.html {\n            internal;\n            return 200 'gateway error; try again';\n        }\n");
    }
    out.push_str("    }\n");
}

/// A complete nginx configuration of at least `size` bytes; under 2 KB, one small site with
/// the bare minimum around it (about 1 KB).
pub fn nginx(size: usize, seed: u64) -> String {
    let mut r = Rng::new(seed);
    if size < 2048 {
        let mut out = String::from("events {\n    worker_connections 1024;\n}\n\nhttp {\n");
        nginx_site(&mut out, &mut r, seed, true);
        out.push_str("}\n");
        return out;
    }
    let mut out = String::with_capacity(size + 4096);
    out.push_str(
        "worker_processes auto;\n\nevents {\n    worker_connections 1024;\n}\n\nhttp {\n    types {\n        text/html html;\n        text/css css;\n    }\n    default_type application/octet-stream;\n    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n                    '$status $body_bytes_sent \"$http_referer\"';\n    sendfile on;\n    keepalive_timeout 65;\n\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        ''      close;\n    }\n",
    );
    let mut i = 0;
    while out.len() < size {
        nginx_site(&mut out, &mut r, i, false);
        i += 1;
    }
    out.push_str("}\n");
    out
}

/// A complete nginx configuration of about `lines` lines.
pub fn nginx_lines(lines: usize, seed: u64) -> String {
    // Sites average about 30 bytes a line.
    let mut s = nginx(lines * 30, seed);
    while s.lines().count() > lines + 60 {
        s = nginx(s.len() * 9 / 10, seed);
    }
    s
}

/// A complete HAProxy configuration of at least `size` bytes.
pub fn haproxy(size: usize, seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut out = String::with_capacity(size + 4096);
    out.push_str(
        "global\n    log /dev/log local0\n    maxconn 4096\n\ndefaults\n    mode http\n    log global\n    option httplog\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend www\n    bind :80\n",
    );
    let mut backends = String::new();
    let mut i = 0;
    while out.len() + backends.len() < size {
        let host = r.pick(HOSTS);
        out.push_str(&format!(
            "    acl host_{i} hdr(host) -i {host}{i}.example.com\n    use_backend be_{i} if host_{i}\n"
        ));
        backends.push_str(&format!(
            "\n# {host} number {i}\nbackend be_{i}\n    balance roundrobin\n    option httpchk GET /health\n    http-request set-header X-Site \"{host} {i}\"\n"
        ));
        for s in 0..1 + r.below(3) {
            backends.push_str(&format!(
                "    server s{s} 127.0.0.{}:{} check inter 2s fall 3 rise 2\n",
                1 + s,
                8000 + r.below(1000)
            ));
        }
        i += 1;
    }
    out.push_str("    default_backend be_0\n");
    out.push_str(&backends);
    out
}
