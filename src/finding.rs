//! What a check reports.

use serde::Serialize;

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Nginx,
    Haproxy,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Nginx => "nginx",
            Dialect::Haproxy => "haproxy",
        }
    }
}

/// Failure families; the hundreds digit of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    SyntaxAndFiles,
    DeadTargets,
    Timeouts,
    HealthChecks,
    Tls,
    ReuseAndBuffers,
    NameResolution,
    Chains,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::SyntaxAndFiles => "syntax and files",
            Family::DeadTargets => "dead targets",
            Family::Timeouts => "timeouts",
            Family::HealthChecks => "health checks",
            Family::Tls => "TLS",
            Family::ReuseAndBuffers => "connection reuse and buffers",
            Family::NameResolution => "name resolution",
            Family::Chains => "gateway chains",
        }
    }
}

/// What a rule is, apart from how it checks (`rules::REGISTRY` pairs the two): declared once
/// per rule by `rules::declare_rule!`.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub(crate) family: Family,
    pub dialects: &'static [Dialect],
    /// The dialects in which a finding of this rule means the proxy refuses to start (or to
    /// reload): `nginx -t` / `haproxy -c` fail.
    pub(crate) refuses: &'static [Dialect],
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The rule's page (`rules/<code>-<name>.md`).
    pub page: &'static str,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// Where the project lives (Cargo.toml's `repository`): rule pages are linked from here.
pub const HOME: &str = env!("CARGO_PKG_REPOSITORY");

impl Rule {
    /// The rule's page on the web, as SARIF's `helpUri` and an editor's link show it.
    pub fn url(&self) -> String {
        format!("{HOME}/blob/main/rules/{}-{}.md", self.code, self.name)
    }

    /// Does `selector` (a code, a name, a code prefix such as `GW1`, or `ALL`) pick this rule?
    pub(crate) fn matches(&self, selector: &str) -> bool {
        selector.eq_ignore_ascii_case("ALL")
            || selector == self.name
            || self.code.starts_with(&selector.to_ascii_uppercase())
    }
}

/// One finding: a rule, the exact place, what will fail and how to fix it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The exact directive or argument.
    pub span: Span,
    /// Text of the label on the span in the pretty format.
    pub(crate) label: Option<String>,
    /// Other places that explain the finding (the upstream it refers to, the first definition).
    pub related: Vec<(Span, String)>,
    pub dialect: Dialect,
    /// The repair, when it is mechanical and certain (`--fix`, `--diff`, an editor's action).
    pub fix: Option<Fix>,
}

/// A finding's repair: edits to the text the finding's spans point into. `--fix` applies it
/// only if the configuration still parses, the finding is gone and nothing new appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as an editor's code action or `--diff`'s summary says it.
    pub(crate) title: String,
    /// Non-overlapping replacements of the original text; an empty span inserts.
    pub(crate) edits: Vec<Edit>,
    /// A repair of the syntax: the proxy then reads on past it, and may refuse what was
    /// hidden behind this error. Refusals after it are uncovered, not caused, by the fix.
    pub(crate) uncovers: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) span: Span,
    pub(crate) text: String,
}

impl Fix {
    pub(crate) fn replace(title: impl Into<String>, span: Span, text: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
            uncovers: false,
        }
    }

    /// A `;` inserted at `span` (empty), ending a statement the proxy reads as running on.
    pub(crate) fn semicolon(span: Span) -> Fix {
        Fix {
            uncovers: true,
            ..Fix::replace("End the statement with `;`", span, ";")
        }
    }
}

impl Finding {
    pub(crate) fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            span,
            label: None,
            related: Vec::new(),
            dialect: Dialect::Nginx,
            fix: None,
        }
    }
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub(crate) fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push((span, text.into()));
        self
    }
    pub(crate) fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub(crate) fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
    pub(crate) fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }
}
