//! `gwlint server`: a language server over standard input and output. Each open buffer is
//! linted in its deployment (`lint.rs`) when it is opened or saved, and shortly after the
//! last of a burst of edits; its findings are published as diagnostics, explained on hover and
//! suppressible by a code action.
//!
//! Synchronous on purpose: one thread reads messages and lints (the lint itself uses every
//! core), so no request waits behind another's lock.

mod actions;
mod diagnostics;
mod hover;
mod lint;
mod position;
mod uri;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, InitializeResult, MessageType, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};

pub(crate) use lint::Settings;
use position::Encoding;

/// How long after the last edit a buffer is linted: typing does not lint on every key.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// An open buffer.
struct Doc {
    uri: Uri,
    version: i32,
    text: String,
    /// The file it stands for (None: no file, such as an `untitled:` buffer).
    path: Option<PathBuf>,
    /// Its findings at the last lint, for hover and code actions.
    found: Vec<lint::Found>,
}

struct Server {
    conn: Connection,
    settings: Settings,
    enc: Encoding,
    docs: HashMap<String, Doc>,
    /// Buffers edited and not linted since, and when to lint them.
    due: HashMap<String, Instant>,
}

/// Runs the server until the client says `exit`: 0 after a `shutdown`, 1 otherwise (as LSP
/// says), 2 when the connection fails.
pub(crate) fn run(settings: Settings) -> ExitCode {
    let (conn, io) = Connection::stdio();
    let code = match serve(conn, settings) {
        Ok(clean) => ExitCode::from(u8::from(!clean)),
        Err(e) => {
            crate::output::errln!("gwlint: error: server: {e}");
            ExitCode::from(2)
        }
    };
    if let Err(e) = io.join() {
        crate::output::errln!("gwlint: error: server: {e}");
        return ExitCode::from(2);
    }
    code
}

/// Initializes, then serves; true when the client shut the server down before `exit`.
fn serve(conn: Connection, settings: Settings) -> Result<bool, lsp_server::ProtocolError> {
    let (id, params) = conn.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let enc = Encoding::negotiate(&params.capabilities);
    let result = InitializeResult {
        capabilities: capabilities(enc),
        server_info: Some(ServerInfo {
            name: "gwlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    conn.initialize_finish(id, serde_json::to_value(result).unwrap_or_default())?;
    let mut server = Server {
        conn,
        settings,
        enc,
        docs: HashMap::new(),
        due: HashMap::new(),
    };
    server.main_loop()
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(
                    SaveOptions {
                        include_text: Some(true),
                    }
                    .into(),
                ),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        ..Default::default()
    }
}

impl Server {
    fn main_loop(&mut self) -> Result<bool, lsp_server::ProtocolError> {
        loop {
            let next = self.due.values().min().copied();
            let msg = match next {
                Some(at) => self
                    .conn
                    .receiver
                    .recv_timeout(at.saturating_duration_since(Instant::now())),
                None => self
                    .conn
                    .receiver
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match msg {
                Err(RecvTimeoutError::Timeout) => self.lint_due(),
                // The client went away without `exit`.
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
                Ok(Message::Request(r)) => {
                    if self.conn.handle_shutdown(&r)? {
                        return Ok(true);
                    }
                    self.request(r);
                }
                Ok(Message::Notification(n)) if n.method == note::Exit::METHOD => return Ok(false),
                Ok(Message::Notification(n)) => self.notification(n),
                Ok(Message::Response(_)) => {}
            }
        }
    }

    fn request(&mut self, r: Request) {
        let result = match r.method.as_str() {
            req::HoverRequest::METHOD => r
                .clone()
                .extract::<lsp_types::HoverParams>(req::HoverRequest::METHOD)
                .map(|(_, p)| {
                    let at = p.text_document_position_params;
                    let hover = self
                        .docs
                        .get(at.text_document.uri.as_str())
                        .and_then(|d| hover::hover(&d.found, &d.text, at.position, self.enc));
                    serde_json::to_value(hover)
                }),
            req::CodeActionRequest::METHOD => {
                r.clone()
                    .extract::<lsp_types::CodeActionParams>(req::CodeActionRequest::METHOD)
                    .map(|(_, p)| {
                        let actions = self.docs.get(p.text_document.uri.as_str()).map(|d| {
                            actions::actions(&d.uri, &d.found, &d.text, p.range, self.enc)
                        });
                        serde_json::to_value(actions.unwrap_or_default())
                    })
            }
            _ => {
                self.send(Response::new_err(
                    r.id,
                    ErrorCode::MethodNotFound as i32,
                    format!("gwlint does not handle {}", r.method),
                ));
                return;
            }
        };
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(r.id, value),
            Ok(Err(e)) => Response::new_err(r.id, ErrorCode::InternalError as i32, e.to_string()),
            Err(e) => Response::new_err(r.id, ErrorCode::InvalidParams as i32, e.to_string()),
        };
        self.send(response);
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    note::DidOpenTextDocument::METHOD,
                ) else {
                    return;
                };
                let d = p.text_document;
                let key = d.uri.as_str().to_string();
                self.docs.insert(
                    key.clone(),
                    Doc {
                        path: uri::to_path(d.uri.as_str()),
                        uri: d.uri,
                        version: d.version,
                        text: d.text,
                        found: Vec::new(),
                    },
                );
                self.lint(&key);
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    note::DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                let Some(doc) = self.docs.get_mut(&key) else {
                    return;
                };
                doc.version = p.text_document.version;
                // Its findings' offsets are of the old text: none until it is linted again.
                doc.found.clear();
                for change in p.content_changes {
                    match change.range {
                        // Full sync is what the server asks for; a client that sends ranges
                        // anyway is followed.
                        Some(r) => {
                            let start = position::to_offset(&doc.text, r.start, self.enc);
                            let end = position::to_offset(&doc.text, r.end, self.enc);
                            doc.text.replace_range(start..end.max(start), &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                self.due.insert(key, Instant::now() + DEBOUNCE);
            }
            note::DidSaveTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidSaveTextDocumentParams>(
                    note::DidSaveTextDocument::METHOD,
                ) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                if let (Some(doc), Some(text)) = (self.docs.get_mut(&key), p.text) {
                    doc.text = text;
                }
                self.lint(&key);
                // The saved file may be part of the other buffers' deployments.
                let later = Instant::now() + DEBOUNCE;
                for other in self.docs.keys().filter(|k| **k != key) {
                    self.due.insert(other.clone(), later);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    note::DidCloseTextDocument::METHOD,
                ) else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                self.due.remove(&key);
                if self.docs.remove(&key).is_some() {
                    self.publish(p.text_document.uri, Vec::new(), None);
                }
            }
            _ => {}
        }
    }

    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            self.lint(&key);
        }
    }

    /// Lints one buffer and publishes its diagnostics; a crash publishes nothing for this
    /// version (the last diagnostics stay) and is logged.
    fn lint(&mut self, key: &str) {
        self.due.remove(key);
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let linted = lint::run(
            &self.settings,
            doc.path.as_deref(),
            &doc.text,
            &doc.uri,
            self.enc,
        );
        match linted {
            Ok(linted) => {
                for e in &linted.errors {
                    self.log(MessageType::WARNING, format!("gwlint: {e}"));
                }
                let Some(doc) = self.docs.get_mut(key) else {
                    return;
                };
                doc.found = linted.found;
                let diagnostics = doc
                    .found
                    .iter()
                    .map(|f| diagnostics::diagnostic(f, &doc.text, self.enc))
                    .collect();
                let (uri, version) = (doc.uri.clone(), doc.version);
                self.publish(uri, diagnostics, Some(version));
            }
            Err(panic) => {
                let version = doc.version;
                self.log(
                    MessageType::ERROR,
                    format!(
                        "gwlint: internal error while linting {} (version {version}): {panic}",
                        doc.uri.as_str()
                    ),
                );
            }
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify::<note::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify::<note::LogMessage>(lsp_types::LogMessageParams { typ, message });
    }

    fn notify<N: note::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    /// A message to the client; when the client is gone, the loop ends at the next read.
    fn send(&self, msg: impl Into<Message>) {
        let _ = self.conn.sender.send(msg.into());
    }
}
