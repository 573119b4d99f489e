//! What a check reports.

use serde::Serialize;

use crate::rules::Rule;
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
    pub label: Option<String>,
    /// Other places that explain the finding (the upstream it refers to, the first definition).
    pub related: Vec<(Span, String)>,
    pub dialect: Dialect,
}

impl Finding {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            span,
            label: None,
            related: Vec::new(),
            dialect: Dialect::Nginx,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        self.related.push((span, text.into()));
        self
    }
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }
}
