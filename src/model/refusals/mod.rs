//! What makes the proxy refuse the configuration, found by reading each statement against the
//! directive table (`crate::tables`) the way the proxy's own configuration parser does: an
//! unknown name, a name in the wrong context, the wrong number of arguments, a value the
//! setter rejects, a second occurrence where one is allowed, a directive the configured
//! release does not have. The rules of the syntax family turn each kind into findings.

pub mod haproxy;
pub mod nginx;

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// No module of the build has the name.
    Unknown,
    /// The name exists, but not in this context.
    NotAllowed,
    /// The wrong number of arguments, or a block where `;` belongs (or the reverse).
    Arguments,
    /// A value the directive's setter rejects (`on`/`off`, an enum).
    Value,
    /// A second occurrence where the proxy says "is duplicate" (HAProxy: a second proxy of
    /// one name and kind).
    Duplicate,
    /// The configured release does not have it (added later, or removed).
    Version,
    /// `listen … ssl` (HAProxy: `bind … ssl`) without a certificate.
    SslWithoutCertificate,
    /// HAProxy: `no option X` for an option that cannot be negated.
    NotNegatable,
    /// HAProxy: a `program` section without `master-worker`.
    ProgramWithoutMasterWorker,
}

#[derive(Debug, Clone)]
pub struct Refusal {
    pub(crate) kind: Kind,
    /// The exact name or argument.
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    pub(crate) related: Vec<(Span, String)>,
    /// Lower than the rule's severity when the failure depends on what gwlint does not know
    /// (the release, the build).
    pub(crate) severity: Option<crate::finding::Severity>,
    /// The name and arguments of a statement read as running into the next one (`listen 80`
    /// with no `;`, then `location / {`): where a `;` belongs is decided from the text.
    pub(crate) run_on: Option<Vec<Span>>,
}

impl Refusal {
    fn new(kind: Kind, span: Span, message: String) -> Refusal {
        Refusal {
            kind,
            span,
            message,
            help: None,
            related: Vec::new(),
            severity: None,
            run_on: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Refusal {
        self.help = Some(help.into());
        self
    }
}

/// At most this many refusals are reported per configuration: a file of something else than
/// a configuration would otherwise yield one per line. The last says how many more there are.
pub(crate) const MAX_REFUSALS: usize = 200;

fn cap(mut out: Vec<Refusal>) -> Vec<Refusal> {
    if out.len() > MAX_REFUSALS {
        let more = out.len() - MAX_REFUSALS;
        out.truncate(MAX_REFUSALS);
        if let Some(last) = out.last_mut() {
            last.message
                .push_str(&format!(" ({more} more such findings are not reported)"));
        }
    }
    out
}
