//! Raised while loading: an include gwlint does not follow, so what it holds is unknown.

use std::path::Path;

use crate::finding::Finding;
use crate::plan::place::Unfollowed;
use crate::source::Span;

declare_rule! {
    code: "GW005",
    name: "include-not-followed",
    severity: Info,
    family: SyntaxAndFiles,
    dialects: [Nginx],
    refuses: [],
    summary: "an include gwlint does not follow (outside the repository, or not mapped into it): what it defines is unknown",
}

/// The finding for an include not followed: it names the include as written (and the
/// run-time path it leads to), never what is there, which may be any file of the machine
/// running gwlint.
pub(crate) fn finding(arg: Span, written: &str, runtime: &Path, why: &Unfollowed) -> Finding {
    let shown = match Path::new(written) == runtime {
        true => written.to_string(),
        // Closes the quote the messages open before it: "`include X` (at run time `Y`)".
        false => format!("{written}` at run time `{}", runtime.display()),
    };
    let shown = crate::output::escape(&shown);
    let (what, label, help) = match why {
        Unfollowed::Outside => (
            format!("`include {shown}` leaves the linted tree: gwlint does not read it"),
            "outside the repository",
            "keep included files inside the repository; to lint the host's own files, run with --system".to_string(),
        ),
        Unfollowed::Unmapped => (
            format!("`include {shown}` names a run-time path no mount maps into the repository: gwlint does not read it"),
            "not mapped into the repository",
            "tell gwlint where that directory is in the repository: --mount RUNTIME=PATH, or [[mount]] in gwlint.toml (runtime = \"/etc/nginx\", path = \"nginx\"); or run with --system on the gateway".to_string(),
        ),
        Unfollowed::NotInRepository { local, mount } => (
            format!(
                "`include {shown}` maps to {} (this deployment's files at run time come from {mount}), where no such file is: the image or its start-up may provide it",
                local.display()
            ),
            "not in the repository",
            "if the image does not provide the file, nginx refuses to start with `open() ... failed (2: No such file or directory)`; if it does, nothing is wrong".to_string(),
        ),
        Unfollowed::PrefixUnknown => (
            format!("`include {shown}` is relative, and this file is a fragment no main configuration loads: relative includes start at nginx's prefix (the main file's directory), which gwlint does not know"),
            "relative to an unknown prefix",
            "lint the fragment with the main file that includes it, or give --prefix DIR (or [nginx] prefix in gwlint.toml)".to_string(),
        ),
        Unfollowed::LinkOut(target) => (
            format!(
                "`include {shown}` reaches a link to `{}`, a run-time path no mount maps into the repository: gwlint does not follow it",
                crate::output::escape(&target.display().to_string())
            ),
            "a link out of the repository",
            "link to a file of the repository (a relative link such as ../sites-available/x, or an absolute one under a mapped root), or map the path with --mount".to_string(),
        ),
        Unfollowed::NotInDump => (
            format!("`include {shown}` names a file the nginx -T dump does not hold"),
            "not in the dump",
            "take the dump again with `nginx -T` on the running configuration".to_string(),
        ),
    };
    Finding::new(
        &RULE,
        arg,
        format!("{what}; what it defines (upstreams, resolvers, settings) is unknown, so rules that depend on it stay silent"),
    )
    .label(label)
    .help(help)
}
