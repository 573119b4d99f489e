//! nginx's `ngx_conf_handler()`, offline: each statement is looked up in the directive table
//! in the context it stands in (includes expanded where they stand), in the order nginx
//! checks: the name, the context, `;` or `{`, the number of arguments, then the value.

use std::collections::{HashMap, HashSet};

use super::{Kind, Refusal, cap};
use crate::load::include::Tree;
use crate::source::{FileId, Span};
use crate::syntax::nginx::{Directive, File, Quote};
use crate::tables::nginx::{self as table, Build, Row, ctx};
use crate::version::Version;

/// Includes may chain through blocks; past this depth the walk stops descending (lowering
/// stops at the same depth).
const MAX_DEPTH: usize = 1000;

/// What the checks know of the build.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// The modules compiled in (`[nginx] modules`, or a preset's); None: unknown, and every
    /// module's directives count as known.
    pub(crate) modules: Option<Vec<String>>,
    /// Where the module list comes from, for messages (`the official image`).
    pub(crate) from: Option<String>,
}

pub fn check(
    tree: &Tree,
    files: &HashMap<FileId, File>,
    version: Option<Version>,
    build: &BuildInfo,
) -> Vec<Refusal> {
    let Some(root) = files.get(&tree.root) else {
        return Vec::new();
    };
    let main = crate::model::nginx::is_main(&root.directives);
    let mut w = Walk {
        tree,
        files,
        version,
        build,
        modules: build.modules.clone(),
        out: Vec::new(),
        reported: HashSet::new(),
        walked: HashSet::new(),
        active: vec![tree.root],
        servers: Vec::new(),
        first_error: HashMap::new(),
        http: TlsServer::default(),
    };
    // `load_module` adds a module to the build for the rest of the configuration.
    if let Some(m) = &mut w.modules {
        for d in &root.directives {
            if d.name() == "load_module"
                && let Some(path) = d.arg(0)
            {
                let stem = path.rsplit('/').next().unwrap_or(path);
                m.push(stem.trim_end_matches(".so").to_string());
            }
        }
    }
    let mut seen = Level::default();
    w.block(&root.directives, main.then_some(ctx::MAIN), &mut seen, 0);
    w.addresses();
    cap(w.out)
}

/// What one level (a block, includes expanded) has met so far.
#[derive(Default)]
struct Level {
    /// Directives that may appear once, by name.
    names: HashMap<&'static str, Span>,
    /// Exact (`=`) and prefix locations by URI: nginx refuses a second one.
    locations: HashMap<(bool, &'static str), Span>,
    /// `listen` addresses of this server.
    listens: HashMap<String, Span>,
    /// The location this level is the body of: (exact, URI), for nested locations.
    location: Option<(bool, &'static str)>,
}

/// What an http `server` says about TLS, for nginx's start-up check that the default server
/// of each `listen … ssl` address has a certificate.
#[derive(Debug, Default)]
struct TlsServer {
    /// (address as nginx groups it, the address as written, its `ssl` word, `default_server`)
    listens: Vec<(String, Span, Option<Span>, bool)>,
    certificate: bool,
    reject: bool,
    /// An include gwlint does not follow stands in it: it may set a certificate.
    unknown: bool,
}

struct Walk<'a> {
    tree: &'a Tree,
    files: &'a HashMap<FileId, File>,
    version: Option<Version>,
    build: &'a BuildInfo,
    modules: Option<Vec<String>>,
    out: Vec<Refusal>,
    /// A file included from two places is reported once per statement.
    reported: HashSet<(Span, Kind)>,
    /// Files already walked in a context: a file included many times is walked once each.
    walked: HashSet<(FileId, Option<u32>)>,
    active: Vec<FileId>,
    servers: Vec<TlsServer>,
    /// Where each file's first syntax error starts, once asked.
    first_error: HashMap<FileId, Option<u32>>,
    /// The http level: a certificate, `ssl_reject_handshake on`, an unknown include.
    http: TlsServer,
}

impl Walk<'_> {
    /// One level: `seen` holds the directives met at this level so far (includes expanded),
    /// for "is duplicate".
    fn block(&mut self, dirs: &[Directive], c: Option<u32>, seen: &mut Level, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for d in dirs {
            // nginx stops at a file's first syntax error: what reaches it is not read.
            if self.after_error(d) {
                continue;
            }
            if d.name() == "include" {
                for &f in self.tree.included(d) {
                    if self.active.contains(&f) || !self.walked.insert((f, c)) {
                        continue;
                    }
                    let Some(file) = self.files.get(&f) else {
                        continue;
                    };
                    self.active.push(f);
                    self.block(&file.directives, c, seen, depth + 1);
                    self.active.pop();
                }
            }
            let ok = self.statement(d, c, seen);
            if c == Some(ctx::HTTP_SRV) || c == Some(ctx::HTTP) {
                self.tls(d, c == Some(ctx::HTTP));
            }
            if let Some(body) = d.block() {
                let Some(child) = ctx::body(c, d.name()) else {
                    continue;
                };
                if child == Some(ctx::HTTP_SRV) {
                    self.servers.push(TlsServer::default());
                }
                // After an error nginx stops; the body is still read for its own names.
                let child = if ok { child } else { None };
                let mut seen = Level {
                    location: (d.name() == "location").then(|| location_key(d)).flatten(),
                    ..Level::default()
                };
                self.block(body, child, &mut seen, depth + 1);
            }
        }
    }

    /// Notes what an http-level or server-level statement says about TLS.
    fn tls(&mut self, d: &Directive, http: bool) {
        let unknown = d.name() == "include" && self.tree.unknown.contains(&d.span);
        let rec = if http {
            &mut self.http
        } else {
            match self.servers.last_mut() {
                Some(r) => r,
                None => return,
            }
        };
        match d.name() {
            "ssl_certificate" => rec.certificate = true,
            "ssl_reject_handshake" => {
                rec.reject = d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("on"))
            }
            "listen" if !http => {
                let ssl = d.args.iter().skip(1).find(|a| a.value.as_str() == "ssl");
                let default = d
                    .args
                    .iter()
                    .skip(1)
                    .any(|a| matches!(a.value.as_str(), "default_server" | "default"));
                if let Some(addr) = d.args.first().filter(|a| !a.value.contains('$')) {
                    let key = listen_key_of(d, &addr.value);
                    rec.listens
                        .push((key, addr.span, ssl.map(|s| s.span), default));
                }
            }
            _ if unknown => rec.unknown = true,
            _ => {}
        }
    }

    /// What nginx checks when it groups servers by address: one `default_server` per address,
    /// and a certificate (or `ssl_reject_handshake on`) for the default server of a
    /// `listen … ssl` address.
    fn addresses(&mut self) {
        let mut found = Vec::new();
        let mut defaults: HashMap<&str, Span> = HashMap::new();
        for s in &self.servers {
            for (key, addr, _, default) in &s.listens {
                if !default {
                    continue;
                }
                match defaults.get(key.as_str()) {
                    Some(&first) => {
                        let mut r = Refusal::new(
                            Kind::Duplicate,
                            *addr,
                            format!("a duplicate default server for {key}: nginx refuses to start"),
                        )
                        .help("mark one server of the address `default_server`");
                        r.related.push((first, "the first default server".into()));
                        found.push(r);
                    }
                    None => {
                        defaults.insert(key, *addr);
                    }
                }
            }
        }
        if !(self.http.unknown || self.http.certificate || self.http.reject) {
            found.extend(self.certificates());
        }
        for r in found {
            self.report(r);
        }
    }

    /// `ngx_http_ssl_init()`: an address is TLS when any `listen` of it says `ssl` (nginx
    /// merges the flag over the address), and then its default server (`default_server`, else
    /// the first) needs a certificate; one that only rejects handshakes
    /// (`ssl_reject_handshake on`) passes the need on to every other server of the address.
    fn certificates(&self) -> Vec<Refusal> {
        struct Address<'k> {
            key: &'k str,
            /// The first `ssl` of the address.
            ssl: Option<Span>,
            /// The default server: index, its `listen` argument and `ssl`, explicit or not.
            default: (usize, Span, Option<Span>, bool),
            /// Every server on the address, with its `listen` argument and `ssl`.
            servers: Vec<(usize, Span, Option<Span>)>,
        }
        // A fleet has thousands of servers on one address: index the addresses.
        let mut addresses: Vec<Address> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.servers.iter().enumerate() {
            for (key, addr, ssl, default) in &s.listens {
                let at = match index.get(key.as_str()) {
                    Some(&at) => at,
                    None => {
                        index.insert(key, addresses.len());
                        addresses.push(Address {
                            key,
                            ssl: None,
                            default: (i, *addr, *ssl, *default),
                            servers: Vec::new(),
                        });
                        addresses.len() - 1
                    }
                };
                let a = &mut addresses[at];
                a.ssl = a.ssl.or(*ssl);
                if *default && !a.default.3 {
                    a.default = (i, *addr, *ssl, true);
                }
                // Servers come in order: one already listed is the last.
                if a.servers.last().is_none_or(|(j, _, _)| *j != i) {
                    a.servers.push((i, *addr, *ssl));
                }
            }
        }
        let emerg = "nginx refuses to start with `no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive`";
        let help = "set `ssl_certificate` and `ssl_certificate_key` in this server (or in `http`), or `ssl_reject_handshake on;` for a server that only refuses TLS";
        let mut found = Vec::new();
        for a in &addresses {
            let Some(ssl) = a.ssl else { continue };
            let (d, d_addr, d_ssl, _) = a.default;
            let server = &self.servers[d];
            if server.certificate || server.unknown {
                continue;
            }
            let addr = a.key.strip_prefix("*:").unwrap_or(a.key);
            if !server.reject {
                found.push(match d_ssl {
                    Some(own) => Refusal::new(
                        Kind::SslWithoutCertificate,
                        own,
                        format!("`listen {addr} ssl` without a certificate: {emerg}"),
                    )
                    .help(help),
                    None => {
                        let mut r = Refusal::new(
                            Kind::SslWithoutCertificate,
                            d_addr,
                            format!(
                                "`listen {addr}` shares its address with a `listen {addr} ssl`, so nginx speaks TLS there for every server, and this server, the address's default, has no certificate: {emerg}"
                            ),
                        )
                        .help("set `ssl_certificate` and `ssl_certificate_key` in this server (or in `http`), mark the TLS server `default_server`, or listen on another address for plain HTTP");
                        r.related.push((ssl, "TLS turned on for the address here".into()));
                        r
                    }
                });
                continue;
            }
            // The default server only rejects handshakes: every other server needs its own.
            for (i, listen, own) in &a.servers {
                let s = &self.servers[*i];
                if *i == d || s.certificate || s.reject || s.unknown {
                    continue;
                }
                let mut r = Refusal::new(
                    Kind::SslWithoutCertificate,
                    own.unwrap_or(*listen),
                    format!(
                        "`listen {addr}{}` without a certificate, on an address whose default server only rejects TLS handshakes (`ssl_reject_handshake on`): {emerg}",
                        if own.is_some() { " ssl" } else { "" }
                    ),
                )
                .help(help);
                r.related
                    .push((d_addr, "the address's default server".into()));
                if own.is_none() {
                    r.related
                        .push((ssl, "TLS turned on for the address here".into()));
                }
                found.push(r);
            }
        }
        found
    }

    fn after_error(&mut self, d: &Directive) -> bool {
        let files = self.files;
        let first = *self.first_error.entry(d.span.file).or_insert_with(|| {
            files
                .get(&d.span.file)
                .and_then(|f| f.errors.iter().map(|e| e.span.start).min())
        });
        first.is_some_and(|first| d.span.end > first)
    }

    fn report(&mut self, r: Refusal) {
        if self.tree.is_own(r.span.file) && self.reported.insert((r.span, r.kind)) {
            self.out.push(r);
        }
    }

    fn has_module(&self, row: &Row) -> bool {
        let Some(modules) = &self.modules else {
            return true;
        };
        match row.build {
            Build::Plus => false,
            _ => modules.iter().any(|m| m == row.module),
        }
    }

    /// Checks one statement; false when it is refused.
    fn statement(&mut self, d: &Directive, c: Option<u32>, seen: &mut Level) -> bool {
        let name = d.name();
        let name_span = d.name_arg().span;
        // A name built at start (`envsubst` templates, `${VAR}`) is not known yet.
        if name.contains('$') || name.is_empty() {
            return true;
        }
        // A template (`{{ .Env.X }}`, `{% … %}`) is filled in before nginx reads it.
        if name.contains("{{")
            || name.contains("{%")
            || d.args
                .iter()
                .any(|a| a.value.contains("{{") || a.value.contains("{%"))
        {
            return true;
        }
        let t = table::table();
        let all = t.rows(name);
        if all.is_empty() {
            // Past the cap nothing more is shown: the suggestion is not worth its cost.
            let near = if self.out.len() < super::MAX_REFUSALS {
                self.suggest(name, c)
            } else {
                None
            };
            let mut r = Refusal::new(
                Kind::Unknown,
                name_span,
                format!("unknown directive \"{name}\": nginx refuses to start"),
            );
            r = match near {
                Some(s) => r.help(format!("did you mean `{s}`?")),
                None => r.help("remove it, or load the module that provides it"),
            };
            // No near name and the build unknown: it may come from a module gwlint does not
            // know, which the deployment loads.
            if near.is_none() && self.modules.is_none() {
                r.message = format!(
                    "unknown directive \"{name}\": no module gwlint knows has it (nginx, NGINX Plus, Lua, headers-more, njs, brotli, GeoIP2, VTS, acme, otel); nginx refuses to start unless a module that has it is loaded"
                );
                r = r.help("if a third-party module provides it, name the build in gwlint.toml (`[nginx] build`, `modules`)");
                r.severity = Some(crate::finding::Severity::Info);
            }
            self.report(r);
            return false;
        }
        let built: Vec<&Row> = all.iter().filter(|r| self.has_module(r)).collect();
        if built.is_empty() {
            let module = all[0].module;
            let from = self.build.from.as_deref().unwrap_or("the configured build");
            let r = Refusal::new(
                Kind::Unknown,
                name_span,
                format!(
                    "unknown directive \"{name}\": it comes from {module}, which {from} does not have, so nginx refuses to start"
                ),
            )
            .help(format!(
                "load the module (`load_module modules/{module}.so;`) or install a build that has it"
            ));
            self.report(r);
            return false;
        }
        let rows: Vec<&Row> = built
            .iter()
            .copied()
            .filter(|r| r.in_version(self.version))
            .collect();
        // The release is unknown and the newest does not have it: say from when nginx refuses.
        if self.version.is_none() && !built.iter().any(|r| r.in_version(Some(t.newest))) {
            if let Some(last) = built.iter().filter_map(|r| r.versions.last()).max() {
                let mut r = Refusal::new(
                    Kind::Version,
                    name_span,
                    format!(
                        "\"{name}\" was removed after nginx {last}: later releases refuse to start with `unknown directive \"{name}\"` (set --nginx-version for a verdict on the release you run)"
                    ),
                )
                .help(replacement(name).map_or_else(
                    || "remove it, or set --nginx-version to the release you run".to_string(),
                    |r| format!("use {r} instead"),
                ));
                r.severity = Some(crate::finding::Severity::Warning);
                self.report(r);
                return false;
            }
        }
        if rows.is_empty() {
            let v = self
                .version
                .expect("a release is known when rows are filtered out");
            let oldest = t.oldest;
            let added = built.iter().filter_map(|r| r.versions.added(oldest)).min();
            let last = built.iter().filter_map(|r| r.versions.last()).max();
            let when = match (added, last) {
                (Some(a), _) if a > v => format!("it was added in nginx {a}"),
                (_, Some(l)) if l < v => format!("it was removed after nginx {l}"),
                _ => "not in this release".to_string(),
            };
            let r = Refusal::new(
                Kind::Version,
                name_span,
                format!(
                    "unknown directive \"{name}\" in nginx {v}: {when}, so nginx {v} refuses to start"
                ),
            )
            .help(replacement(name).map_or_else(
                || "upgrade nginx, or set --nginx-version to the release you run".to_string(),
                |r| format!("use {r} instead"),
            ));
            self.report(r);
            return false;
        }
        let here: Vec<&Row> = match c {
            Some(c) => rows.iter().copied().filter(|r| r.in_context(c)).collect(),
            None => rows.clone(),
        };
        if here.is_empty() {
            let c = c.expect("known context");
            let mut places: Vec<&str> = Vec::new();
            for (_, bit) in ctx::NAMES {
                if rows.iter().any(|r| r.contexts & bit != 0) {
                    let p = ctx::describe(bit);
                    if !places.contains(&p) {
                        places.push(p);
                    }
                }
            }
            let r = Refusal::new(
                Kind::NotAllowed,
                name_span,
                format!(
                    "\"{name}\" directive is not allowed here ({}): nginx refuses to start",
                    ctx::describe(c)
                ),
            )
            .help(format!("move it to {}", places.join(", ")));
            self.report(r);
            return false;
        }
        // A Lua block's body is one argument written as a block.
        let lua = d.args.last().is_some_and(|a| a.quote() == Quote::Lua);
        let is_block = d.block().is_some() || lua;
        let nargs = d.args.len() - usize::from(lua);
        // Words that `envsubst` fills in at start may become several.
        let templated = d.args.iter().any(|a| a.value.contains("${"));
        if !here.iter().any(|r| r.is_block() == is_block) {
            let message = if is_block {
                format!("directive \"{name}\" is not terminated by \";\": nginx refuses to start")
            } else {
                format!("directive \"{name}\" has no opening \"{{\": nginx refuses to start")
            };
            let help = if is_block {
                format!("`{name}` takes no block: end it with `;`")
            } else {
                format!("`{name}` opens a block: write `{name} … {{ … }}`")
            };
            let mut r = Refusal::new(Kind::Arguments, name_span, message).help(help);
            if is_block && !lua {
                r.run_on = Some(
                    std::iter::once(name_span)
                        .chain(d.args.iter().map(|a| a.span))
                        .collect(),
                );
            }
            self.report(r);
            return false;
        }
        if !templated
            && !here
                .iter()
                .any(|r| r.is_block() == is_block && r.takes(nargs))
        {
            let r = Refusal::new(
                Kind::Arguments,
                d.span,
                format!(
                    "invalid number of arguments in \"{name}\" directive ({nargs} given): nginx refuses to start"
                ),
            )
            .help(format!(
                "`{name}` takes {}; a missing `;` on the line before joins two lines into one",
                shape(&here)
            ));
            let mut r = r;
            if !is_block {
                r.run_on = Some(
                    std::iter::once(name_span)
                        .chain(d.args.iter().map(|a| a.span))
                        .collect(),
                );
            }
            self.report(r);
            return false;
        }
        if !templated && !self.value(d, &here, &built) {
            return false;
        }
        // `dup` is "every repeat": `limit_req` of another zone or `mirror` twice are fine.
        if here.iter().all(|r| r.dup) {
            if let Some(&first) = seen.names.get(name) {
                let mut r = Refusal::new(
                    Kind::Duplicate,
                    name_span,
                    format!("\"{name}\" directive is duplicate: nginx refuses to start"),
                )
                .help(format!("keep one `{name}` at this level"));
                r.related
                    .push((first, format!("`{name}` is first set here")));
                self.report(r);
                return false;
            }
            seen.names.insert(name, name_span);
        }
        match name {
            "location" if c.is_some() => self.location(d, seen),
            "listen" if c == Some(ctx::HTTP_SRV) => self.listen(d, seen),
            _ => true,
        }
    }

    /// A location's modifier, a second location of one URI, a nested location outside its
    /// parent: what `ngx_http_core_location()` and the location tree refuse.
    fn location(&mut self, d: &Directive, seen: &mut Level) -> bool {
        if d.args.len() == 2 {
            let m = &d.args[0];
            if !matches!(m.value.as_str(), "=" | "~" | "~*" | "^~") {
                self.report(
                    Refusal::new(
                        Kind::Arguments,
                        m.span,
                        format!(
                            "invalid location modifier \"{}\": nginx refuses to start",
                            m.value.as_str()
                        ),
                    )
                    .help(
                        "the modifiers are `=`, `~`, `~*` and `^~`; a URI with a space is quoted",
                    ),
                );
                return false;
            }
        }
        let Some((exact, uri)) = location_key(d) else {
            return true;
        };
        let span = d.args.last().map_or(d.span, |a| a.span);
        if let Some((parent_exact, parent)) = seen.location {
            let refused = if parent_exact {
                Some((
                    format!(
                        "location \"{uri}\" cannot be inside the exact location \"{parent}\": nginx refuses to start"
                    ),
                    "move it out of the `location =` block".to_string(),
                ))
            } else if !uri.starts_with(parent) {
                Some((
                    format!(
                        "location \"{uri}\" is outside location \"{parent}\": nginx refuses to start"
                    ),
                    format!("a nested prefix location starts with its parent's URI: `{parent}…`"),
                ))
            } else {
                None
            };
            if let Some((message, help)) = refused {
                self.report(Refusal::new(Kind::NotAllowed, span, message).help(help));
                return false;
            }
        }
        if let Some(&first) = seen.locations.get(&(exact, uri)) {
            let mut r = Refusal::new(
                Kind::Duplicate,
                span,
                format!("duplicate location \"{uri}\": nginx refuses to start"),
            )
            .help("merge the two blocks, or give one of them another URI");
            r.related.push((first, "first defined here".into()));
            self.report(r);
            return false;
        }
        seen.locations.insert((exact, uri), span);
        true
    }

    /// The same address twice in one server.
    fn listen(&mut self, d: &Directive, seen: &mut Level) -> bool {
        let Some(addr) = d.args.first() else {
            return true;
        };
        if addr.value.contains('$') {
            return true;
        }
        let a = addr.value.as_str();
        if !a.starts_with("unix:") {
            // `8080`, `127.0.0.1:8080`, `[::1]:8080`, `*:8080`.
            let port = if a.bytes().all(|b| b.is_ascii_digit()) {
                Some(a)
            } else {
                a.rsplit_once(':')
                    .filter(|(host, _)| !host.starts_with('[') || host.ends_with(']'))
                    .map(|(_, p)| p)
            };
            if let Some(p) = port.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                && p.parse::<u32>().map_or(true, |n| n > 65535)
            {
                self.report(
                    Refusal::new(
                        Kind::Value,
                        addr.span,
                        format!(
                            "port {p} is above 65535: nginx refuses to start with `invalid port in \"{a}\" of the \"listen\" directive`"
                        ),
                    )
                    .help("a TCP port is 1 to 65535"),
                );
                return false;
            }
        }
        let key = listen_key_of(d, &addr.value);
        if let Some(&first) = seen.listens.get(&key) {
            let mut r = Refusal::new(
                Kind::Duplicate,
                addr.span,
                format!(
                    "a duplicate listen {}: nginx refuses to start",
                    addr.value.as_str()
                ),
            )
            .help("keep one `listen` per address in a server");
            r.related.push((first, "first here".into()));
            self.report(r);
            return false;
        }
        seen.listens.insert(key, addr.span);
        true
    }

    /// Flags and enumerations: nginx compares case-insensitively.
    fn value(&mut self, d: &Directive, here: &[&Row], built: &[&Row]) -> bool {
        let name = d.name();
        let flag = here.iter().all(|r| r.kind == table::Kind::Flag);
        let values: Option<&[&str]> = match &here[0].kind {
            table::Kind::Enum(v) | table::Kind::Bitmask(v)
                if here.iter().all(|r| r.kind == here[0].kind) =>
            {
                Some(v)
            }
            _ => None,
        };
        for a in d.args.iter() {
            let v = a.value.as_str();
            let bad = if flag {
                !v.eq_ignore_ascii_case("on") && !v.eq_ignore_ascii_case("off")
            } else if let Some(values) = values {
                !values.iter().any(|x| x.eq_ignore_ascii_case(v))
            } else {
                false
            };
            if !bad {
                continue;
            }
            let (message, help) = if flag {
                (
                    format!(
                        "invalid value \"{v}\" in \"{name}\" directive, it must be \"on\" or \"off\": nginx refuses to start"
                    ),
                    format!("write `{name} on;` or `{name} off;`"),
                )
            } else {
                let values = values.unwrap_or_default();
                (
                    format!("invalid value \"{v}\" in \"{name}\": nginx refuses to start"),
                    match crate::suggest::closest(v, values) {
                        Some(s) => {
                            format!("did you mean `{s}`? `{name}` takes {}", values.join(", "))
                        }
                        None => format!("`{name}` takes {}", values.join(", ")),
                    },
                )
            };
            self.report(Refusal::new(Kind::Value, a.span, message).help(help));
            return false;
        }
        self.params(d, here, built)
    }

    /// The parameter words of a setter of its own (`listen … default_server`, upstream
    /// `server … backup`): from its position on, a word that is none of them is refused. A
    /// word that another release takes (`resolve`, `quic`) is left to the rules that know
    /// when it came.
    fn params(&mut self, d: &Directive, here: &[&Row], built: &[&Row]) -> bool {
        let Some(lists) = here
            .iter()
            .map(|r| r.params.as_ref())
            .collect::<Option<Vec<_>>>()
        else {
            return true;
        };
        let matches = |w: &str, p: &str| match p.strip_suffix('*') {
            Some(prefix) => starts_with_ignore_case(w, prefix),
            None if p.ends_with('=') => starts_with_ignore_case(w, p),
            None => w.eq_ignore_ascii_case(p),
        };
        for (i, a) in d.args.iter().enumerate() {
            let w = a.value.as_str();
            let refused = lists
                .iter()
                .all(|(pos, words)| i >= *pos && !words.iter().any(|p| matches(w, p)));
            if !refused {
                continue;
            }
            let elsewhere = built
                .iter()
                .filter(|r| here.iter().any(|h| h.module == r.module))
                .filter_map(|r| r.params.as_ref())
                .any(|(pos, words)| i >= *pos && words.iter().any(|p| matches(w, p)));
            if elsewhere {
                return true;
            }
            let name = d.name();
            let mut known: Vec<&str> = lists.iter().flat_map(|(_, w)| w.iter().copied()).collect();
            known.sort_unstable();
            known.dedup();
            let t = table::table();
            let help = if !t.rows(w).is_empty() {
                format!("\"{w}\" is a directive: a missing `;` before it joins two lines into one")
            } else {
                let near = crate::suggest::closest(w.split('=').next().unwrap_or(w), &known)
                    .map_or(String::new(), |n| format!("did you mean `{n}`? "));
                format!("{near}`{name}` takes {}", known.join(" "))
            };
            let mut r = Refusal::new(
                Kind::Value,
                a.span,
                format!("invalid parameter \"{w}\" of \"{name}\": nginx refuses to start"),
            )
            .help(help);
            // NGINX Plus has parameters that no source gwlint reads (`slow_start=`).
            if self.modules.is_none() && w.contains('=') {
                r.message = format!(
                    "invalid parameter \"{w}\" of \"{name}\": nginx refuses to start (unless it is NGINX Plus, which has more parameters)"
                );
                r.severity = Some(crate::finding::Severity::Warning);
            }
            self.report(r);
            return false;
        }
        true
    }

    /// The nearest known name: first among those allowed here, then among all.
    fn suggest(&self, name: &str, c: Option<u32>) -> Option<&'static str> {
        let t = table::table();
        let near: Vec<&'static str> = t
            .names_near(name.len())
            .filter(|n| {
                t.rows(n)
                    .iter()
                    .any(|r| self.has_module(r) && r.in_version(self.version))
            })
            .collect();
        let here: Vec<&'static str> = near
            .iter()
            .copied()
            .filter(|n| c.is_none_or(|c| t.rows(n).iter().any(|r| r.in_context(c))))
            .collect();
        crate::suggest::closest(name, &here).or_else(|| crate::suggest::closest(name, &near))
    }
}

/// A `listen` address as nginx groups them: a port alone, `*:port` and `0.0.0.0:port` are
/// one address.
/// The address of a `listen`, as nginx groups them: a `quic` listen is a UDP socket of its
/// own (`ngx_http_add_listen` compares the socket type), so `listen 443 ssl;` and
/// `listen 443 quic;` in one server are two addresses.
fn listen_key_of(d: &Directive, addr: &str) -> String {
    let key = listen_key(addr);
    match d.args.iter().skip(1).any(|a| a.value.as_str() == "quic") {
        true => format!("{key} quic"),
        false => key,
    }
}

fn listen_key(addr: &str) -> String {
    if addr.bytes().all(|b| b.is_ascii_digit()) {
        return format!("*:{addr}");
    }
    match addr.strip_prefix("0.0.0.0:") {
        Some(port) => format!("*:{port}"),
        None => addr.to_string(),
    }
}

/// A location nginx keeps in its static tree, by (exact, URI); None for regular expressions
/// and named locations, which may repeat.
fn location_key(d: &Directive) -> Option<(bool, &'static str)> {
    let (modifier, uri) = match d.args.len() {
        1 => ("", d.arg(0)?),
        2 => (d.arg(0)?, d.arg(1)?),
        _ => return None,
    };
    if uri.starts_with('@') || uri.contains('$') {
        return None;
    }
    match modifier {
        "" | "^~" => Some((false, uri)),
        "=" => Some((true, uri)),
        _ => None,
    }
}

/// What a directive's rows accept, for the help text (`1 or 2 arguments`).
fn shape(rows: &[&Row]) -> String {
    use table::args as a;
    let mut counts = Vec::new();
    let mut more = None;
    for r in rows {
        if r.args & a::ANY != 0 {
            return "any number of arguments".into();
        }
        if r.args & a::FLAG != 0 {
            return "`on` or `off`".into();
        }
        if r.args & a::MORE1 != 0 {
            more = Some(more.map_or(1, |m: usize| m.min(1)));
        }
        if r.args & a::MORE2 != 0 {
            more = Some(more.map_or(2, |m: usize| m.min(2)));
        }
        if r.args & a::NOARGS != 0 {
            counts.push(0);
        }
        for n in 1..=7u32 {
            if r.args & a::take(n) != 0 {
                counts.push(n as usize);
            }
        }
    }
    if let Some(m) = more {
        return format!("{m} or more arguments");
    }
    counts.sort_unstable();
    counts.dedup();
    let words: Vec<String> = counts.iter().map(ToString::to_string).collect();
    match words.len() {
        0 => "no arguments".into(),
        1 if counts[0] == 0 => "no arguments".into(),
        1 if counts[0] == 1 => "1 argument".into(),
        1 => format!("{} arguments", words[0]),
        _ => {
            let (last, rest) = words.split_last().expect("two or more");
            format!("{} or {last} arguments", rest.join(", "))
        }
    }
}

/// What nginx's changelog names in place of a removed directive.
fn replacement(name: &str) -> Option<&'static str> {
    Some(match name {
        "ssl" => "`listen … ssl`",
        "http2_push" | "http2_push_preload" => "`103 Early Hints` (the push support was removed)",
        _ => return None,
    })
}

fn starts_with_ignore_case(w: &str, prefix: &str) -> bool {
    w.len() >= prefix.len()
        && w.is_char_boundary(prefix.len())
        && w[..prefix.len()].eq_ignore_ascii_case(prefix)
}
