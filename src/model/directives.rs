//! Which directives hand traffic off, and the block shapes lowering needs; defaults and
//! everything else about a directive come from the directive table (`crate::tables`).

/// The documented default of a directive (from the directive table, `crate::tables::nginx`).
pub(crate) use crate::tables::nginx::default;

/// Directives that hand a request to a target, and the protocol they speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
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
    pub(crate) fn from_directive(name: &str) -> Option<Pass> {
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
    pub(crate) fn prefix(self) -> Option<&'static str> {
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

    pub(crate) fn directive(self) -> &'static str {
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

/// Block directives whose bodies nginx does not read as directives: tables (`map`, `types`,
/// `geo`, `split_clients`), code (`content_by_lua_block`).
pub(crate) fn is_table_block(name: &str) -> bool {
    crate::tables::nginx::ctx::body(None, name).is_none()
}

/// Directives that only a main configuration file holds: the table allows them nowhere but
/// the main context (`events`, `http`, `worker_processes`, `load_module`, …).
pub(crate) fn is_main_only(name: &str) -> bool {
    use crate::tables::nginx::{ctx, table};
    let rows = table().rows(name);
    !rows.is_empty()
        && rows
            .iter()
            .all(|r| r.contexts & ctx::MAIN != 0 && r.contexts & !(ctx::MAIN | ctx::DIRECT) == 0)
}
