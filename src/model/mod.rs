//! The gateway model both dialects lower into: routes that hand traffic to targets, pools of
//! servers, and effective settings that remember where they came from.

pub(crate) mod directives;
pub(crate) mod endpoint;
pub(crate) mod exits;
pub mod haproxy;
pub(crate) mod listen;
pub(crate) mod lookup;
pub mod nginx;
pub(crate) mod pools;
pub mod refusals;
pub(crate) mod reuse;
pub(crate) mod sections;
pub(crate) mod sends;
pub(crate) mod statements;
pub(crate) mod tls;
pub(crate) mod variables;

use std::collections::HashMap;

use crate::finding::Dialect;
use crate::load::include::{Tree, TreeProblem};
use crate::source::{FileId, Span};
use crate::syntax;
/// Does a word hold a variable (`$name`, `${name}`)?
pub(crate) use crate::word::has_variable;

pub(crate) use directives::Pass;
pub use endpoint::Endpoint;
pub(crate) use lookup::Found;
pub(crate) use statements::{Statement, Statements};

/// http or stream: upstream names live in separate namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ctx {
    Http,
    Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Main,
    Http,
    Server,
    Location,
    If,
    LimitExcept,
    Upstream,
    Stream,
    StreamServer,
    /// HAProxy `global`.
    Global,
    /// HAProxy `defaults`.
    Defaults,
    /// HAProxy `frontend`, `backend`, `listen`.
    Frontend,
    Backend,
    Listen,
    /// HAProxy `program`: a process the master starts beside the proxy.
    Program,
}

pub(crate) type ScopeId = usize;

/// One level of configuration (http, server, location, …) and the plain directives set there.
#[derive(Debug)]
pub struct Scope<'a> {
    pub(crate) parent: Option<ScopeId>,
    pub(crate) kind: ScopeKind,
    /// The block directive that opens it (None for the top level).
    pub(crate) block: Option<&'a Statement>,
    /// The plain directives at this level, includes expanded, in order.
    pub directives: Statements<'a>,
}

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// nginx's (or HAProxy's) default.
    Default,
    /// Set by the directive at this span.
    Set(Span),
}

/// An effective setting: the directive(s) that decide it, or the default.
#[derive(Debug, Clone)]
pub(crate) struct Setting<'a> {
    /// Every occurrence at the level that decides (array directives such as
    /// `proxy_set_header` have several); empty when the default applies.
    pub(crate) directives: Found<'a>,
    /// The documented default, when nothing sets it.
    pub(crate) default: Option<&'static str>,
}

impl<'a> Setting<'a> {
    pub(crate) fn origin(&self) -> Origin {
        match self.directives.last() {
            Some(d) => Origin::Set(d.span()),
            None => Origin::Default,
        }
    }
    pub(crate) fn is_set(&self) -> bool {
        !self.directives.is_empty()
    }
    /// The arguments of the deciding (last) directive, or the default split into words.
    pub(crate) fn args(&self) -> Vec<&str> {
        match self.directives.last() {
            Some(d) => d.args().iter().map(|a| a.value.as_str()).collect(),
            None => self
                .default
                .map(|d| d.split_whitespace().collect())
                .unwrap_or_default(),
        }
    }
    /// The `i`th argument of the deciding directive, or the `i`th word of the default.
    pub(crate) fn arg(&self, i: usize) -> Option<&str> {
        match self.directives.last() {
            Some(d) => d.arg(i),
            None => self.default?.split_whitespace().nth(i),
        }
    }
    pub(crate) fn first(&self) -> Option<&str> {
        self.arg(0)
    }
}

/// What a route hands traffic to.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A pool of this proxy (index into `Proxy::pools`).
    Pool(usize),
    Endpoint(Endpoint),
    /// A pool name that names no pool (HAProxy: a backend that does not exist).
    Missing(String),
}

/// A hand-off: an nginx `*_pass` (HAProxy: `use_backend`/`default_backend`).
#[derive(Debug)]
pub struct Route<'a> {
    pub(crate) directive: &'a Statement,
    pub(crate) pass: Pass,
    pub(crate) ctx: Ctx,
    /// `http`, `https`, `grpc`, `grpcs`, `uwsgi`, `suwsgi` when the target names one
    /// (lower case, interned).
    pub(crate) scheme: Option<&'static str>,
    pub(crate) target: Target,
    /// The argument that names the target.
    pub(crate) target_span: Span,
    /// The settings in force where the route is.
    pub(crate) scope: ScopeId,
}

/// A server parameter as written: `weight=2` → ("weight", Some("2")), `down` → ("down",
/// None), with the span of the word. Borrowed from the interned words.
pub(crate) type Param = (&'static str, Option<&'static str>, Span);

/// One `server` of a pool.
#[derive(Debug)]
pub struct Server<'a> {
    pub(crate) directive: &'a Statement,
    pub(crate) endpoint: Endpoint,
    pub(crate) endpoint_span: Span,
    /// HAProxy: the server's keywords merged with `default-server`'s. None (nginx): the words
    /// after the address, read from the directive when asked, as a fleet holds millions.
    listed: Option<Vec<Param>>,
    /// The name masks ([`lookup::bits`]) of the parameters, or-ed: rules ask every server
    /// for flags it mostly lacks (`down`, `backup`, `resolve`), and "no" reads no word.
    names: u64,
}

impl<'a> Server<'a> {
    /// A server whose parameters are the words after its address (`weight=2 down`).
    pub(crate) fn new(directive: &'a Statement, endpoint: Endpoint, endpoint_span: Span) -> Self {
        Server::with(directive, endpoint, endpoint_span, None)
    }
    /// A server whose parameters are listed apart from its directive (HAProxy).
    pub(crate) fn listed(
        directive: &'a Statement,
        endpoint: Endpoint,
        endpoint_span: Span,
        params: Vec<Param>,
    ) -> Self {
        Server::with(directive, endpoint, endpoint_span, Some(params))
    }
    fn with(
        directive: &'a Statement,
        endpoint: Endpoint,
        endpoint_span: Span,
        listed: Option<Vec<Param>>,
    ) -> Self {
        let mut s = Server {
            directive,
            endpoint,
            endpoint_span,
            listed,
            names: 0,
        };
        s.names = s.params().fold(0, |m, (n, _, _)| m | lookup::bits(n));
        s
    }
    /// The parameters in order: for HAProxy the server's own keywords, then
    /// `default-server`'s.
    pub(crate) fn params(&self) -> impl Iterator<Item = Param> + '_ {
        let listed = self.listed.as_deref().unwrap_or_default();
        let written = match self.listed {
            Some(_) => &[][..],
            None => self.directive.args().get(1..).unwrap_or_default(),
        };
        listed.iter().copied().chain(written.iter().map(
            |a| match a.value.as_str().split_once('=') {
                Some((k, v)) => (k, Some(v), a.span),
                None => (a.value.as_str(), None, a.span),
            },
        ))
    }
    pub(crate) fn param(&self, name: &str) -> Option<Param> {
        // A parameter's name ends at its first `=`.
        if name.contains('=') {
            return None;
        }
        let bits = lookup::bits(name);
        if self.names & bits != bits {
            return None;
        }
        if self.listed.is_some() {
            return self.params().find(|(n, _, _)| *n == name);
        }
        // Rules ask a fleet's servers for a flag each: the word is matched where it stands,
        // not split first.
        let args = self.directive.args().get(1..).unwrap_or_default();
        args.iter().find_map(|a| {
            let w = a.value.as_str();
            match w.strip_prefix(name)?.strip_prefix('=') {
                Some(v) => Some((&w[..name.len()], Some(v), a.span)),
                None if w.len() == name.len() => Some((w, None, a.span)),
                None => None,
            }
        })
    }
    /// The value of a parameter that has one (`max_fails=3`, HAProxy `verify required`).
    pub(crate) fn value(&self, name: &str) -> Option<(&'static str, Span)> {
        let (_, value, span) = self.param(name)?;
        Some((value?, span))
    }
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.param(name).is_some()
    }
}

/// An nginx `upstream` (HAProxy: backend).
#[derive(Debug)]
pub struct Pool<'a> {
    pub(crate) name: String,
    pub(crate) name_span: Span,
    pub(crate) directive: &'a Statement,
    pub(crate) ctx: Ctx,
    pub servers: Vec<Server<'a>>,
    pub(crate) scope: ScopeId,
}

/// One proxy configuration, lowered.
#[derive(Debug)]
pub struct Proxy<'a> {
    pub(crate) dialect: Dialect,
    pub(crate) root: FileId,
    /// The configuration is a fragment (a `server {}` snippet, a `conf.d` file) with no main
    /// file around it: names may be defined where gwlint cannot see.
    pub(crate) fragment: bool,
    pub scopes: Vec<Scope<'a>>,
    pub routes: Vec<Route<'a>>,
    pub pools: Vec<Pool<'a>>,
    /// Pools by name (lower-case for nginx), in definition order.
    pub(crate) pool_index: lookup::NameMap<String, Vec<usize>>,
    /// Which names each scope holds, for `setting`; built on first use.
    pub(crate) lookup: std::sync::OnceLock<lookup::Index>,
    /// The tree lowered and its parsed files: the model answers from them (`variable_values`,
    /// `unknown_includes`...); rules never see them.
    tree: &'a Tree,
    files: &'a HashMap<FileId, syntax::nginx::File>,
    variables: std::sync::OnceLock<variables::Assignments>,
}

impl<'a> Proxy<'a> {
    /// The effective value of `name` at `scope`, with nginx's inheritance: the innermost level
    /// that sets the directive decides, and all its occurrences there count.
    pub(crate) fn setting(&self, scope: ScopeId, name: &str) -> Setting<'a> {
        let (directives, in_upstream) = self.innermost(scope, name, true);
        let default = match self.dialect {
            Dialect::Nginx if directives.is_empty() => directives::default(name, in_upstream),
            _ => None,
        };
        Setting {
            directives,
            default,
        }
    }

    /// Values the configuration gives `$name` (without the `$`); None when nothing assigns it.
    pub(crate) fn variable_values(&self, name: &str) -> Option<&variables::VarValues> {
        let all = self.variables.get_or_init(|| match self.dialect {
            Dialect::Nginx => variables::collect(
                self.tree
                    .files
                    .iter()
                    .filter_map(|f| self.files.get(f))
                    .map(|f| f.directives.as_slice()),
            ),
            Dialect::Haproxy => Default::default(),
        });
        all.get(name)
    }

    /// Does the configuration include files gwlint does not follow (GW005, a bound)? What they
    /// define is unknown.
    pub(crate) fn unknown_includes(&self) -> bool {
        !self.tree.unknown.is_empty()
    }

    /// Is an included file missing or unreadable (GW002)? What it would define is unknown.
    pub(crate) fn missing_includes(&self) -> bool {
        self.tree.problems.iter().any(|p| {
            matches!(p, TreeProblem::Unloadable { error, .. }
                if !matches!(error, crate::load::LoadError::Binary { .. }))
        })
    }

    /// Does this deployment run in a container (its files are mounted or copied into an
    /// image)?
    pub(crate) fn in_container(&self) -> bool {
        !self.tree.place.mounts.is_empty()
    }

    /// The files an `include` brings in.
    pub(crate) fn included(&self, include: &Statement) -> &[FileId] {
        self.tree.included(include.syntax())
    }

    /// Builds the index `setting` looks names up in (otherwise built on first use).
    pub(crate) fn index_settings(&self) {
        self.index();
    }

    fn index(&self) -> &lookup::Index {
        self.lookup
            .get_or_init(|| lookup::Index::build(&self.scopes))
    }

    /// The directives that decide `name` at `scope` (as `setting`), without looking up the
    /// default when none does: for rules that ask often and know the default themselves.
    pub(crate) fn deciding(&self, scope: ScopeId, name: &str) -> Found<'a> {
        self.innermost(scope, name, false).0
    }

    /// The `proxy_set_header NAME …` in force at `scope` (header names compare without case;
    /// the last of the deciding level wins), as nginx sends it.
    pub(crate) fn set_header(&self, scope: ScopeId, name: &str) -> Option<&'a Statement> {
        self.deciding(scope, "proxy_set_header")
            .iter()
            .rev()
            .find(|d| d.arg(0).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .copied()
    }

    /// Can any of `names` be set at `scope` or around it? False is certain, true may be wrong:
    /// for rules that ask about many scopes for names that are seldom set.
    pub(crate) fn may_set_any(&self, scope: ScopeId, names: &[&str]) -> bool {
        let any = names.iter().fold(0, |m, n| m | lookup::bits(n));
        self.index()
            .may_inherit_any(scope, &self.scopes[scope], any)
    }

    /// The innermost level's occurrences of `name`, and whether the walk passed an upstream
    /// (only known for sure when `upstream` asks for it).
    fn innermost(&self, scope: ScopeId, name: &str, upstream: bool) -> (Found<'a>, bool) {
        let index = self.index();
        let bits = lookup::bits(name);
        let mut s = Some(scope);
        let mut in_upstream = false;
        // Most names asked for are set nowhere around the scope: settled by one mask.
        let walk = index.may_inherit(scope, &self.scopes[scope], bits);
        while let Some(id) = s {
            let sc = &self.scopes[id];
            in_upstream |= sc.kind == ScopeKind::Upstream;
            if walk {
                let found = index.find(id, sc, name, bits);
                if !found.is_empty() {
                    return (found, in_upstream);
                }
            } else if in_upstream || !upstream {
                break;
            }
            s = sc.parent;
        }
        (Found::Empty, in_upstream)
    }

    /// Pools with this name in this context (nginx compares upstream names without case,
    /// HAProxy backend names with it).
    pub(crate) fn pools_named(
        &self,
        ctx: Ctx,
        name: &str,
    ) -> impl Iterator<Item = (usize, &Pool<'a>)> {
        self.pool_index
            .get(self.pool_key(name).as_ref())
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.pools[i]))
            .filter(move |(_, p)| p.ctx == ctx)
    }

    fn pool_key<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        match self.dialect {
            Dialect::Nginx if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                name.to_ascii_lowercase().into()
            }
            _ => name.into(),
        }
    }

    /// Called once lowering is done: the model is kept for the whole run, so the scopes'
    /// lists drop the spare capacity they grew with; the pools are indexed by name.
    pub(crate) fn finish(&mut self) {
        for s in &mut self.scopes {
            s.directives.shrink_to_fit();
        }
        self.index_pools();
    }

    /// Indexes the pools by name; called once lowering has found them all.
    pub(crate) fn index_pools(&mut self) {
        // Scopes are complete now: a name index built before would be stale.
        self.lookup = Default::default();
        self.pool_index.clear();
        for (i, p) in self.pools.iter().enumerate() {
            let key = self.pool_key(&p.name).into_owned();
            self.pool_index.entry(key).or_default().push(i);
        }
    }
}

/// Is this scope inside `stream {}`?
pub(crate) fn in_stream(proxy: &Proxy, mut scope: ScopeId) -> bool {
    loop {
        match proxy.scopes[scope].kind {
            ScopeKind::Stream | ScopeKind::StreamServer => return true,
            _ => {}
        }
        match proxy.scopes[scope].parent {
            Some(p) => scope = p,
            None => return false,
        }
    }
}
