//! HAProxy: `timeout client`, `timeout connect`, `timeout server` unset or 0.

use super::Context;
use crate::finding::Finding;
use crate::model::ScopeKind;

declare_rule! {
    code: "GW210",
    name: "missing-timeouts",
    severity: Warning,
    family: Timeouts,
    dialects: [Haproxy],
    refuses: [],
    summary: "an HAProxy frontend or backend runs without client, connect or server timeout",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for (id, scope) in proxy.scopes.iter().enumerate() {
        let needs: &[&str] = match scope.kind {
            ScopeKind::Frontend => &["client"],
            ScopeKind::Backend => &["connect", "server"],
            ScopeKind::Listen => &["client", "connect", "server"],
            _ => continue,
        };
        let Some(block) = scope.block else { continue };
        // Only proxies that carry traffic: HTTP or TCP, not `mode log` & co.
        if !matches!(
            proxy.setting(id, "mode").first(),
            None | Some("http" | "tcp")
        ) {
            continue;
        }
        let mut missing = Vec::new();
        for kind in needs {
            let s = proxy.setting(id, &format!("timeout {kind}"));
            // The keyword HAProxy 2.0 still read for it: accepted there, refused later
            // (GW025), never a missing timeout.
            let legacy = match *kind {
                "client" => "clitimeout",
                "connect" => "contimeout",
                _ => "srvtimeout",
            };
            match s.directives.last() {
                None if proxy.setting(id, legacy).is_set() => {}
                None => missing.push(*kind),
                Some(d) if is_zero(d.arg(0)) => {
                    out.push(
                        Finding::new(
                            &RULE,
                            d.span(),
                            format!("`timeout {kind} 0` means no timeout: {}", consequence(kind)),
                        )
                        .label("0 disables the timeout")
                        .help(format!(
                            "set a real value, e.g. `timeout {kind} {}`",
                            suggestion(kind)
                        )),
                    );
                }
                Some(_) => {}
            }
        }
        if missing.is_empty() {
            continue;
        }
        let name = block.arg(0).unwrap_or("?");
        let list = missing
            .iter()
            .map(|k| format!("`timeout {k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let what: Vec<String> = missing.iter().map(|k| consequence(k)).collect();
        let span = block.args().first().map_or(block.name_arg().span, |a| a.span);
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "{} '{name}' has no {list}: HAProxy warns `missing timeouts for {} '{name}'` and runs with none; {}",
                    block.name(),
                    block.name(),
                    what.join("; ")
                ),
            )
            .label("no timeout set here or in its defaults")
            .help(format!(
                "set them in the `defaults` section this {} uses: {}",
                block.name(),
                missing
                    .iter()
                    .map(|k| format!("`timeout {k} {}`", suggestion(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

fn is_zero(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty() && digits.chars().all(|c| c == '0')
    })
}

fn consequence(kind: &str) -> String {
    match kind {
        "server" => "a backend that stops answering holds the request and its connection forever instead of a 504 (`sH--`)".into(),
        "connect" => "a SYN to a dead server waits forever instead of failing over or answering 503 (`sC--`)".into(),
        _ => "idle and half-open client connections are never closed, until connection slots run out and new clients wait".into(),
    }
}

fn suggestion(kind: &str) -> &'static str {
    match kind {
        "connect" => "5s",
        _ => "30s",
    }
}
