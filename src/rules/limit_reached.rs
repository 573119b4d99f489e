//! Raised while loading: gwlint reached one of its bounds, and what lies past it is unchecked.

use crate::finding::Finding;
use crate::load::bounds::Bound;
use crate::source::Span;

declare_rule! {
    code: "GW006",
    name: "limit-reached",
    severity: Warning,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [],
    summary: "gwlint stopped at one of its bounds (include expansion, include nesting): what lies past it is not checked",
}

/// The finding at the first include not followed; `more` counts the include targets cut
/// after it.
pub(crate) fn include(span: Span, why: &Bound, more: usize) -> Finding {
    let what = match *why {
        Bound::Expansion { expanded, bound } => {
            let holds = match expanded {
                u64::MAX => "more than 18 quintillion".to_string(),
                n => n.to_string(),
            };
            format!(
                "with every include expanded this configuration holds {holds} statements, more than gwlint reads ({bound}): this include is not followed"
            )
        }
        Bound::Nesting(n) => format!(
            "blocks and includes nest more than {n} levels deep here: this include is not followed"
        ),
    };
    let more = match more {
        0 => String::new(),
        1 => ", nor 1 include target after it".to_string(),
        n => format!(", nor {n} include targets after it"),
    };
    Finding::new(
        &RULE,
        span,
        format!("{what}{more}; what they define is unknown and not checked"),
    )
    .label("not followed: a bound of gwlint")
    .help("look for files that include each other many times over (a snippet that includes a glob of its own directory, includes repeated at every level) or a long list included in hundreds of blocks (an include of a 2,000-line deny list in every server); nginx itself reads them all, and a configuration this large is best split so that each part is included once")
}
