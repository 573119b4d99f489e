//! A finding as an LSP diagnostic.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    NumberOrString, Range,
};

use super::lint::Found;
use super::position::{Encoding, to_position};
use crate::finding::Severity;

pub(crate) fn diagnostic(f: &Found, text: &str, enc: Encoding) -> Diagnostic {
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    Diagnostic {
        range: Range::new(
            to_position(text, f.start, enc),
            to_position(text, f.end, enc),
        ),
        severity: Some(match f.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(f.rule.code.to_string())),
        code_description: f
            .rule
            .url()
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("gwlint".into()),
        message,
        related_information: (!f.related.is_empty()).then(|| {
            f.related
                .iter()
                .map(|(location, message)| DiagnosticRelatedInformation {
                    location: location.clone(),
                    message: message.clone(),
                })
                .collect()
        }),
        // An unused suppression is dead text: editors grey it out.
        tags: (f.rule.code == crate::rules::unused_suppression::RULE.code)
            .then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}
