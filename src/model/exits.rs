//! Where traffic leaves a proxy for its backends, in both dialects alike: an nginx route (a
//! `*_pass` in a location) or an HAProxy backend that traffic reaches; and the typed settings
//! in force there (`Typed`: a value and where it comes from).

use super::{Ctx, Origin, Pool, Proxy, Route, ScopeId, Statement, Target};
use crate::facts::{Backend, Facts};
use crate::finding::Dialect;
use crate::source::SourceMap;
use crate::source::Span;

/// One way out of the proxy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exit<'p, 'a> {
    /// The settings in force (the nginx location, the HAProxy backend).
    pub(crate) scope: ScopeId,
    /// nginx: the route.
    pub(crate) route: Option<&'p Route<'a>>,
    /// HAProxy: the backend; nginx: the upstream the route names, if any.
    pub(crate) pool: Option<&'p Pool<'a>>,
    /// HTTP goes out here (nginx `http {}` routes, HAProxy `mode http` backends), not a
    /// stream or a TCP tunnel.
    pub(crate) http: bool,
    /// Where the exit is written: the `*_pass` directive, the `backend` line.
    pub(crate) span: Span,
}

/// A setting's value, typed, with where it comes from and how it is named and written.
#[derive(Debug, Clone)]
pub(crate) struct Typed<T> {
    pub(crate) value: T,
    pub(crate) origin: Origin,
    /// The directive or keyword: `proxy_read_timeout`, `timeout server`.
    pub(crate) name: String,
    /// The value as written (the default's text when nothing sets it).
    pub(crate) written: String,
}

impl Typed<u64> {
    /// A time as a message names it: `` `proxy_read_timeout 30s` ``, or
    /// `` `proxy_read_timeout` (default 60s) `` when nothing sets it.
    pub(crate) fn shown(&self) -> String {
        match self.origin {
            Origin::Set(_) => format!("`{} {}`", self.name, self.written),
            Origin::Default => format!(
                "`{}` (default {})",
                self.name,
                crate::units::show_ms(self.value)
            ),
        }
    }
}

impl<T> Typed<T> {
    /// Where the setting is written, or `otherwise` (the route, the listener) by default.
    pub(crate) fn at(&self, otherwise: Span) -> Span {
        match self.origin {
            Origin::Set(span) => span,
            Origin::Default => otherwise,
        }
    }
}

/// What an exit waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The backend's response to start (nginx `*_read_timeout`, HAProxy `timeout server`).
    Response,
}

impl<'a> Proxy<'a> {
    /// Every exit: nginx routes that name a target (their upstream with them), HAProxy
    /// backends that traffic reaches (`use_backend`, `default_backend`, a dynamic name).
    pub(crate) fn exits(&self) -> Vec<Exit<'_, 'a>> {
        match self.dialect {
            Dialect::Nginx => self
                .routes
                .iter()
                .filter(|r| !matches!(r.target, Target::Missing(_)))
                .map(|r| Exit {
                    scope: r.scope,
                    route: Some(r),
                    pool: match r.target {
                        Target::Pool(i) => self.pools.get(i),
                        _ => None,
                    },
                    http: r.ctx == Ctx::Http,
                    span: r.directive.span(),
                })
                .collect(),
            Dialect::Haproxy => {
                let reached = self.reached();
                self.pools
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| reached[*i])
                    .map(|(_, p)| Exit {
                        scope: p.scope,
                        route: None,
                        pool: Some(p),
                        http: self.setting(p.scope, "mode").first() == Some("http"),
                        span: p.name_span,
                    })
                    .collect()
            }
        }
    }

    /// Per pool, can traffic reach it: a `use_backend`/`default_backend` (or the `listen`
    /// itself, an nginx `*_pass`) names it, or a frontend picks backends by a name computed
    /// at run time.
    pub(crate) fn reached(&self) -> Vec<bool> {
        let dynamic = self
            .routes
            .iter()
            .any(|r| matches!(r.target, Target::Endpoint(super::Endpoint::Dynamic)));
        let mut reached = vec![dynamic; self.pools.len()];
        for r in &self.routes {
            if let Target::Pool(i) = r.target {
                reached[i] = true;
            }
        }
        reached
    }

    /// The exit of route `i`: its location's settings, its upstream.
    pub(crate) fn route_exit(&self, i: usize) -> Exit<'_, 'a> {
        let r = &self.routes[i];
        Exit {
            scope: r.scope,
            route: Some(r),
            pool: match r.target {
                Target::Pool(p) => self.pools.get(p),
                _ => None,
            },
            http: r.ctx == Ctx::Http,
            span: r.directive.span(),
        }
    }

    /// The exit of pool `i` (an HAProxy backend).
    pub(crate) fn pool_exit(&self, i: usize) -> Exit<'_, 'a> {
        let p = &self.pools[i];
        Exit {
            scope: p.scope,
            route: None,
            pool: Some(p),
            http: self.setting(p.scope, "mode").first() == Some("http"),
            span: p.name_span,
        }
    }

    /// The time a setting gives at `scope`, typed: its value in milliseconds, where it comes
    /// from (nginx's default when nothing sets it), its name and its text. None when no value
    /// is in force or it does not read as a time.
    pub(crate) fn time(&self, scope: ScopeId, name: &str) -> Option<Typed<u64>> {
        let setting = self.setting(scope, name);
        let written = setting.first()?.to_string();
        Some(Typed {
            value: crate::units::time_ms(self.dialect, &written)?,
            origin: setting.origin(),
            name: name.to_string(),
            written,
        })
    }

    /// The time a statement sets (its first word, in the dialect's time syntax), typed: for
    /// rules that judge every statement of a name where it stands, not the value in force.
    pub(crate) fn time_of(&self, d: &Statement) -> Option<Typed<u64>> {
        let written = d.arg(0)?;
        Some(Typed {
            value: crate::units::time_ms(self.dialect, written)?,
            origin: Origin::Set(d.span()),
            name: d.name().to_string(),
            written: written.to_string(),
        })
    }

    /// How long a listener's server (an HAProxy frontend) keeps an idle client connection:
    /// nginx `keepalive_timeout` (75s by default; 0 closes after each response), HAProxy
    /// `timeout http-keep-alive`, else `timeout http-request`, else `timeout client` (None
    /// under `option httpclose`, or when none is set).
    pub(crate) fn client_idle(&self, scope: ScopeId) -> Option<Typed<u64>> {
        match self.dialect {
            Dialect::Nginx => self
                .time(scope, "keepalive_timeout")
                .filter(|t| t.value > 0),
            Dialect::Haproxy => {
                // `option http-server-close` closes the server side only.
                if crate::model::sections::option(self, scope, "httpclose") {
                    return None;
                }
                [
                    "timeout http-keep-alive",
                    "timeout http-request",
                    "timeout client",
                ]
                .into_iter()
                .filter_map(|name| self.time(scope, name))
                .find(|t| matches!(t.origin, Origin::Set(_)))
            }
        }
    }

    /// How long `exit` waits for `what`, in milliseconds. None where the proxy has no such
    /// wait (an nginx route whose module has no read timeout) or no value is in force (no
    /// `timeout server` in HAProxy: GW210's finding); 0 is HAProxy's "for ever".
    pub(crate) fn wait(&self, exit: &Exit, what: Wait) -> Option<Typed<u64>> {
        let Wait::Response = what;
        let name = match self.dialect {
            // The stream module has no read timeout.
            Dialect::Nginx if !exit.http => return None,
            Dialect::Nginx => format!("{}_read_timeout", exit.route?.pass.prefix()?),
            Dialect::Haproxy => "timeout server".to_string(),
        };
        self.time(exit.scope, &name)
    }
}

/// The facts declared for a pool: by its name, or by the address of one of its servers as
/// written (`127.0.0.1:8080`; an nginx `server`'s first word, an HAProxy `server`'s second).
pub(crate) fn pool_facts<'f>(
    facts: &'f Facts,
    sources: &SourceMap,
    pool: &Pool,
) -> Vec<&'f Backend> {
    facts
        .backends
        .iter()
        .filter(|b| {
            b.target.eq_ignore_ascii_case(&pool.name)
                || pool
                    .servers
                    .iter()
                    .any(|s| sources.text(s.endpoint_span) == b.target)
        })
        .collect()
}

/// The facts declared for where a route sends: its pool's ([`pool_facts`]), or those of the
/// address it names.
pub(crate) fn route_facts<'f>(
    facts: &'f Facts,
    sources: &SourceMap,
    proxy: &Proxy,
    route: &Route,
) -> Vec<&'f Backend> {
    match &route.target {
        Target::Pool(i) => pool_facts(facts, sources, &proxy.pools[*i]),
        Target::Endpoint(_) => {
            let addr = route
                .directive
                .arg(0)
                .map(|a| crate::model::endpoint::split_url(a).1)
                .unwrap_or("");
            facts.backends.iter().filter(|b| b.target == addr).collect()
        }
        Target::Missing(_) => Vec::new(),
    }
}
