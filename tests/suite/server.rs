//! `gwlint server` spoken to as an editor speaks to it: JSON-RPC with Content-Length framing
//! over the built binary's standard input and output. Every read is bounded, and the server is
//! killed when a test ends, passing or not.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for another one.
    seen: Vec<Value>,
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Client {
    fn start(dir: &Path, env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gwlint"))
            .arg("server")
            .current_dir(dir)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("gwlint server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            while let Some(m) = read_message(&mut stdout) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            seen: Vec::new(),
        }
    }

    /// Started and initialized; the result of `initialize` is returned too.
    fn initialized(dir: &Path, capabilities: Value) -> (Client, Value) {
        let mut c = Client::start(dir, &[]);
        let result = c.request("initialize", json!({ "capabilities": capabilities }));
        c.notify("initialized", json!({}));
        (c, result)
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result (an error response fails the test).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let r = self.wait(&format!("the response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        });
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The first message (read before or now) that `want` accepts.
    fn wait(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&want) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(m) => self.seen.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {TIMEOUT:?}; read: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server ended before {what}; read: {:#?}", self.seen)
                }
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait(&format!("diagnostics of {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "nginx", "version": 1, "text": text
            }}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    /// Waits for the process to end, at most TIMEOUT; its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not end within {TIMEOUT:?}");
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A configuration whose `proxy_pass` holds a variable and no resolver is in scope: GW601 on
/// the `proxy_pass` argument (nginx answers 502 at request time).
const NO_RESOLVER: &str = "events {}
http {
    server {
        listen 80;
        location / {
            set $target app.internal;
            proxy_pass http://$target:8080;
        }
    }
}
";

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect()
}

fn the<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

/// (line, UTF-16 column) of the first `needle` in `text`, 0-based.
fn utf16_position(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..at].matches('\n').count() as u64,
        text[line_start..at].encode_utf16().count() as u64,
    )
}

fn start(d: &Value) -> (u64, u64) {
    let s = &d["range"]["start"];
    (
        s["line"].as_u64().unwrap(),
        s["character"].as_u64().unwrap(),
    )
}

#[test]
fn initialize_advertises_what_the_server_does() {
    let dir = tempfile::tempdir().unwrap();
    let (_c, result) = Client::initialized(dir.path(), json!({}));
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16", "{result}");
    assert_eq!(caps["textDocumentSync"]["openClose"], true, "{result}");
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync: {result}");
    assert_eq!(caps["hoverProvider"], true, "{result}");
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"]),
        "{result}"
    );
    assert_eq!(result["serverInfo"]["name"], "gwlint");
    // A client that offers UTF-8 gets it.
    let (_c, result) = Client::initialized(
        dir.path(),
        json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }),
    );
    assert_eq!(
        result["capabilities"]["positionEncoding"], "utf-8",
        "{result}"
    );
}

#[test]
fn an_opened_buffer_is_linted_and_a_fix_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    // On disk: nothing wrong. The buffer is what is linted.
    std::fs::write(&path, "events {}\nhttp {}\n").unwrap();
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    let u = uri(&path);
    c.open(&u, NO_RESOLVER);
    let ds = c.diagnostics(&u, 1);
    let d = the(&ds, "GW601");
    assert_eq!(
        start(d),
        utf16_position(NO_RESOLVER, "http://$target"),
        "{d}"
    );
    let end = &d["range"]["end"];
    assert_eq!(end["line"], 6, "{d}");
    assert_eq!(
        end["character"],
        utf16_position(NO_RESOLVER, ";\n        }").1,
        "the span ends with the argument: {d}"
    );
    assert_eq!(d["severity"], 1, "error: {d}");
    assert_eq!(d["source"], "gwlint");
    let href = d["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("/rules/GW601-variable-pass-without-resolver.md"),
        "{href}"
    );
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("no `resolver` is in scope"), "{message}");
    assert!(message.contains("\nhelp: add `resolver"), "{message}");

    let fixed = NO_RESOLVER.replace("http {\n", "http {\n    resolver 127.0.0.11 valid=10s;\n");
    c.change(&u, 2, &fixed);
    let ds = c.diagnostics(&u, 2);
    assert!(!codes(&ds).contains(&"GW601"), "{ds:#?}");

    // Closing the buffer clears what was published for it.
    c.change(&u, 3, NO_RESOLVER);
    assert!(codes(&c.diagnostics(&u, 3)).contains(&"GW601"));
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": u } }),
    );
    let m = c.wait("diagnostics cleared on close", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["version"].is_null()
    });
    assert_eq!(m["params"]["diagnostics"], json!([]), "{m}");
}

#[test]
fn edits_in_a_burst_are_linted_once_after_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    let u = uri(&path);
    c.open(&u, NO_RESOLVER);
    c.diagnostics(&u, 1);
    for v in 2..=5 {
        c.change(&u, v, NO_RESOLVER);
    }
    let ds = c.diagnostics(&u, 5);
    assert!(codes(&ds).contains(&"GW601"), "{ds:#?}");
    let earlier: Vec<&Value> = c
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(earlier.is_empty(), "versions 2-4 were linted: {earlier:#?}");
}

#[test]
fn a_buffer_is_linted_in_its_deployment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("repo/conf.d")).unwrap();
    std::fs::create_dir_all(dir.path().join("alone")).unwrap();
    // The resolver is the parent's: linted alone, the site would have GW601.
    std::fs::write(
        dir.path().join("repo/nginx.conf"),
        "events {}\nhttp {\n    resolver 127.0.0.11 valid=10s;\n    include conf.d/*.conf;\n}\n",
    )
    .unwrap();
    let site = "server {
    listen 80;
    location / {
        set $target app.internal;
        proxy_pass http://$target:8080;
    }
}
";
    let in_repo = dir.path().join("repo/conf.d/site.conf");
    std::fs::write(&in_repo, "").unwrap();
    let alone = dir.path().join("alone/site.conf");
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.open(&uri(&alone), site);
    let ds = c.diagnostics(&uri(&alone), 1);
    assert!(codes(&ds).contains(&"GW601"), "the control: {ds:#?}");
    c.open(&uri(&in_repo), site);
    let ds = c.diagnostics(&uri(&in_repo), 1);
    assert!(!codes(&ds).contains(&"GW601"), "{ds:#?}");
}

#[test]
fn columns_are_utf16_or_the_negotiated_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    // An emoji is 2 UTF-16 units and 4 bytes; "é" 1 unit and 2 bytes.
    let text = NO_RESOLVER.replace(
        "proxy_pass http://$target:8080;",
        "set $x \"é😀\"; proxy_pass http://$target:8080;",
    );
    let u = uri(&path);
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.open(&u, &text);
    let ds = c.diagnostics(&u, 1);
    let (line, col) = start(the(&ds, "GW601"));
    assert_eq!((line, col), utf16_position(&text, "http://$target"));
    let chars = text.lines().nth(line as usize).unwrap();
    let chars = chars[..chars.find("http://").unwrap()].chars().count() as u64;
    assert_eq!(col, chars + 1, "the emoji counts twice");

    let (mut c, _) = Client::initialized(
        dir.path(),
        json!({ "general": { "positionEncodings": ["utf-8"] } }),
    );
    c.open(&u, &text);
    let ds = c.diagnostics(&u, 1);
    let line_text = text.lines().nth(line as usize).unwrap();
    let bytes = line_text.find("http://").unwrap() as u64;
    assert_eq!(start(the(&ds, "GW601")), (line, bytes));
}

#[test]
fn hover_names_the_rule_and_links_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let u = uri(&path);
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.open(&u, NO_RESOLVER);
    c.diagnostics(&u, 1);
    let (line, col) = utf16_position(NO_RESOLVER, "$target:8080");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": col } }),
    );
    assert_eq!(h["contents"]["kind"], "markdown", "{h}");
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**GW601** `variable-pass-without-resolver`"),
        "{value}"
    );
    assert!(
        value.contains("(https://github.com/gwlint/gwlint/blob/main/rules/GW601-variable-pass-without-resolver.md)"),
        "{value}"
    );
    // Where nothing is found, nothing is shown.
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(h.is_null(), "{h}");
}

#[test]
fn the_suppression_action_suppresses_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let u = uri(&path);
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.open(&u, NO_RESOLVER);
    let ds = c.diagnostics(&u, 1);
    let (line, _) = start(the(&ds, "GW601"));
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": u },
            "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Suppress GW601 on this line")
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(action["kind"], "quickfix");
    let edits = action["edit"]["changes"][&u].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{action:#}");
    let e = &edits[0];
    let new = e["newText"].as_str().unwrap();
    assert_eq!(new, "  # gwlint: ignore[GW601] TODO: say why this is safe");
    // Applied as an editor applies it: the finding goes, and no new one comes (GW011 for a
    // suppression without reason, GW013 for one that does not parse).
    let mut lines: Vec<String> = NO_RESOLVER.lines().map(String::from).collect();
    let at = &e["range"]["start"];
    assert_eq!(at["line"], line);
    let l = &mut lines[line as usize];
    assert_eq!(
        at["character"].as_u64().unwrap() as usize,
        l.encode_utf16().count()
    );
    l.push_str(new);
    let edited = lines.join("\n") + "\n";
    c.change(&u, 2, &edited);
    let ds = c.diagnostics(&u, 2);
    assert!(ds.is_empty(), "{edited}\n{ds:#?}");

    // No action where nothing is found.
    let none = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": u },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(none, json!([]));
}

#[test]
fn shutdown_then_exit_ends_with_0_and_exit_alone_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    assert!(c.request("shutdown", Value::Null).is_null());
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(0));

    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(1), "exit without shutdown (LSP: 1)");
}

/// A crash inside a lint is logged and publishes nothing for that version; the server goes
/// on. (The crash is injected, in debug builds, by GWLINT_INJECT_PANIC.)
#[test]
fn a_panic_in_a_lint_is_logged_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let u = uri(&path);
    let mut c = Client::start(dir.path(), &[("GWLINT_INJECT_PANIC", "server")]);
    c.request("initialize", json!({ "capabilities": {} }));
    c.notify("initialized", json!({}));
    c.open(&u, &format!("# gwlint-inject-panic\n{NO_RESOLVER}"));
    let log = c.wait("a log of the crash", |m| m["method"] == "window/logMessage");
    assert_eq!(log["params"]["type"], 1, "an error: {log}");
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.contains("injected panic in server"), "{message}");
    c.change(&u, 2, NO_RESOLVER);
    let ds = c.diagnostics(&u, 2);
    assert!(codes(&ds).contains(&"GW601"), "{ds:#?}");
    let v1: Vec<&Value> = c
        .seen
        .iter()
        .filter(|m| m["params"]["version"] == 1)
        .collect();
    assert!(v1.is_empty(), "published for the crashed version: {v1:#?}");
}

/// The README's Editors section is copied into editors' settings: the flags it names exist,
/// and its Helix snippet is TOML that runs `gwlint server`.
#[test]
fn the_readme_editors_section_is_true() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Editors\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("an ## Editors section");
    let help = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["server", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let flags: Vec<&str> = section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("--") && !s.contains(' '))
        .collect();
    assert!(flags.len() >= 5, "{flags:?}");
    for flag in flags.iter().filter(|f| **f != "--stdin-filename") {
        assert!(help.contains(flag), "gwlint server has no {flag}:\n{help}");
    }
    let toml_block = section.split("```toml\n").nth(1).expect("a Helix snippet");
    let toml_block = &toml_block[..toml_block.find("```").unwrap()];
    let v: toml::Value = toml_block.parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v["language-server"]["gwlint"]["command"].as_str(),
        Some("gwlint")
    );
    assert_eq!(
        v["language-server"]["gwlint"]["args"].as_array().unwrap()[0].as_str(),
        Some("server")
    );
}

#[test]
fn an_haproxy_buffer_is_linted_as_haproxy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("haproxy.cfg");
    let text = "defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend www
    bind 127.0.0.1:8080

backend app
    server a 127.0.0.1:8081
";
    let u = uri(&path);
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "haproxy", "version": 1, "text": text }}),
    );
    let ds = c.diagnostics(&u, 1);
    let d = the(&ds, "GW125");
    assert_eq!(start(d), utf16_position(text, "www"), "{d}");
}

#[test]
fn a_config_file_that_cannot_be_read_stops_the_server_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .args(["server", "--config", "missing.toml"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing.toml"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_repair_action_is_what_fix_makes_and_clears_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let u = uri(&path);
    let text = "events {}\nhttp {\n    upstream api_backend {\n        server 127.0.0.1:9000;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://api_backnd;\n        }\n    }\n}\n";
    let (mut c, _) = Client::initialized(dir.path(), json!({}));
    c.open(&u, text);
    let ds = c.diagnostics(&u, 1);
    let (line, _) = start(the(&ds, "GW101"));
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": u },
            "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Name upstream `api_backend`")
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    let edits = action["edit"]["changes"][&u].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{action:#}");
    let e = &edits[0];
    assert_eq!(e["newText"], "api_backend");
    let (l, col) = utf16_position(text, "api_backnd;");
    assert_eq!(e["range"]["start"], json!({ "line": l, "character": col }));
    assert_eq!(
        e["range"]["end"],
        json!({ "line": l, "character": col + "api_backnd".len() as u64 })
    );
    c.change(&u, 2, &text.replace("api_backnd", "api_backend"));
    let ds = c.diagnostics(&u, 2);
    assert!(ds.is_empty(), "{ds:#?}");
}
