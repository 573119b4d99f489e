//! What gwlint cannot read in a proxy's configuration but the user (or a probe) can tell it:
//! a backend's idle timeout, its slowest response. Filled from `gwlint.toml` `[[backend]]`
//! (and, with `--online`, from probes); rules read it through `Context::facts`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use crate::source::Span;

/// Everything known about the world outside the configuration.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub backends: Vec<Backend>,
    /// Host names that reach another proxy of the run (`[[link]]`).
    pub links: Vec<Link>,
    /// The addresses `--online` resolved host name targets to, by the span of the argument
    /// that names the target: the chain links them as if the addresses were written there.
    pub resolved: HashMap<Span, Vec<IpAddr>>,
}

/// One `[[link]]` entry: a target host name reaches a listener of another proxy, which gwlint
/// cannot know without DNS.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Link {
    /// As the outer proxy writes it: `app.internal:8080`, or `app.internal` for every port.
    pub target: String,
    /// The listener's address as nginx writes `listen`: `127.0.0.1:8080`, `127.0.0.1` (the
    /// target's port), `unix:/run/app.sock`.
    pub listener: String,
    /// Where the link was declared (`gwlint.toml:12`), for messages.
    pub origin: String,
}

/// `websocket_ping` in `[[backend]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ping {
    Every(Duration),
    /// `"none"`: an idle WebSocket stays silent.
    Never,
}

/// One `[[backend]]` entry.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Backend {
    /// An upstream/backend name (`app`) or an address (`127.0.0.1:8080`, `unix:/run/app.sock`).
    pub target: String,
    /// The backend closes idle keep-alive connections after this long.
    pub idle_timeout: Option<Duration>,
    /// The backend's slowest expected response.
    pub max_response_time: Option<Duration>,
    /// The largest response header block the backend sends (large cookies, debug headers).
    pub max_header_size: Option<u64>,
    /// How often the backend sends a WebSocket ping (or any message) on an idle connection.
    pub websocket_ping: Option<Ping>,
    /// Whether the backend speaks TLS where the target points (`tls = false`: plain text).
    pub tls: Option<bool>,
    /// Where the fact was declared (`gwlint.toml:12`), for messages.
    pub origin: String,
}

impl Facts {
    /// Adds links not known yet (several layers may share one gwlint.toml).
    pub(crate) fn add_links(&mut self, links: &[Link]) {
        for l in links {
            if !self.links.contains(l) {
                self.links.push(l.clone());
            }
        }
    }

    /// The facts declared for a pool name or an address, most specific first: an exact
    /// address match before a name match.
    pub(crate) fn backend(&self, name_or_address: &str) -> Option<&Backend> {
        self.backends.iter().find(|b| b.target == name_or_address)
    }
}
