//! What gwlint knows about nginx directives, in one table: defaults (from nginx.org's
//! documentation, `data/nginx-directive-defaults.tsv`) and which directives hand traffic off.

use std::sync::OnceLock;

use super::lookup::NameMap;

const DEFAULTS_TSV: &str = include_str!("../../data/nginx-directive-defaults.tsv");

/// The documented default of a directive, e.g. `60s`; `(none)` when it has none. Values that
/// depend on the platform are written `4k|8k`: the first is x86-64 Linux's.
/// `in_upstream` selects the `upstream` module's meaning of a shared name (`keepalive_timeout`).
pub fn default(name: &str, in_upstream: bool) -> Option<&'static str> {
    // By name: [other modules' default, the upstream module's]. Asked on every lookup that
    // finds nothing set, so the table is hashed cheaply.
    type Table = NameMap<&'static str, [Option<&'static str>; 2]>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = Table::default();
        for line in DEFAULTS_TSV.lines() {
            let mut f = line.split('\t');
            if let (Some(module), Some(name), Some(value), None) =
                (f.next(), f.next(), f.next(), f.next())
            {
                let value = value.split('|').next().unwrap_or(value);
                t.entry(name).or_default()[(module == "upstream") as usize] = Some(value);
            }
        }
        t
    });
    let both = table.get(name)?;
    both[in_upstream as usize]
        .or(both[!in_upstream as usize])
        .filter(|v| *v != "(none)")
}

/// Directives that hand a request to a target, and the protocol they speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Proxy,
    FastCgi,
    Uwsgi,
    Scgi,
    Grpc,
    Memcached,
    /// HAProxy `use_backend`.
    UseBackend,
    /// HAProxy `default_backend` (and a `listen` section's own servers).
    DefaultBackend,
}

impl Pass {
    pub fn from_directive(name: &str) -> Option<Pass> {
        Some(match name {
            "proxy_pass" => Pass::Proxy,
            "fastcgi_pass" => Pass::FastCgi,
            "uwsgi_pass" => Pass::Uwsgi,
            "scgi_pass" => Pass::Scgi,
            "grpc_pass" => Pass::Grpc,
            "memcached_pass" => Pass::Memcached,
            _ => return None,
        })
    }
    /// The prefix of the directives that tune this hand-off (`proxy_read_timeout`,
    /// `fastcgi_buffer_size`, …); None for HAProxy routes.
    pub fn prefix(self) -> Option<&'static str> {
        Some(match self {
            Pass::Proxy => "proxy",
            Pass::FastCgi => "fastcgi",
            Pass::Uwsgi => "uwsgi",
            Pass::Scgi => "scgi",
            Pass::Grpc => "grpc",
            Pass::Memcached => "memcached",
            Pass::UseBackend | Pass::DefaultBackend => return None,
        })
    }

    pub fn directive(self) -> &'static str {
        match self {
            Pass::Proxy => "proxy_pass",
            Pass::FastCgi => "fastcgi_pass",
            Pass::Uwsgi => "uwsgi_pass",
            Pass::Scgi => "scgi_pass",
            Pass::Grpc => "grpc_pass",
            Pass::Memcached => "memcached_pass",
            Pass::UseBackend => "use_backend",
            Pass::DefaultBackend => "default_backend",
        }
    }
}

/// Block directives whose bodies are tables, not directives (`map`, `types`, …).
pub fn is_table_block(name: &str) -> bool {
    matches!(
        name,
        "map" | "geo" | "types" | "split_clients" | "charset_map" | "match"
    )
}

/// Top-level directives that only a main configuration file holds.
pub fn is_main_only(name: &str) -> bool {
    matches!(
        name,
        "events"
            | "http"
            | "stream"
            | "mail"
            | "worker_processes"
            | "user"
            | "pid"
            | "load_module"
            | "daemon"
            | "worker_rlimit_nofile"
            | "master_process"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn defaults_from_the_table() {
        assert_eq!(super::default("proxy_read_timeout", false), Some("60s"));
        assert_eq!(super::default("keepalive_timeout", true), Some("60s"));
        assert_eq!(super::default("keepalive_timeout", false), Some("75s"));
        assert_eq!(super::default("proxy_buffers", false), Some("8 4k"));
        assert_eq!(super::default("resolver", false), None);
    }
}
