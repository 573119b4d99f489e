//! `server … resolve` that nginx refuses: a version without it, or an upstream without the
//! shared-memory `zone` or the `resolver` it needs.

use super::{Context, Version};
use crate::finding::{Finding, Severity};

declare_rule! {
    code: "GW604",
    name: "upstream-resolve-unusable",
    severity: Error,
    family: NameResolution,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "`server … resolve` without a `zone` or a `resolver`, or on an nginx older than 1.27.3: nginx refuses to start",
}

/// `server … resolve` in an open-source upstream.
const RESOLVE_SINCE: Version = Version(1, 27, 3);

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for pool in &proxy.pools {
        // nginx stops at the first server with `resolve`.
        let Some((_, _, span)) = pool.servers.iter().find_map(|s| s.param("resolve")) else {
            continue;
        };
        let name = &pool.name;
        if let Some(v) = ctx.nginx_version.filter(|v| *v < RESOLVE_SINCE) {
            out.push(
                Finding::new(
                    &RULE,
                    span,
                    format!(
                        "nginx {}.{}.{} has no `resolve` parameter for upstream servers (open source nginx has it from 1.27.3): it refuses to start with `[emerg] invalid parameter \"resolve\"`",
                        v.0, v.1, v.2
                    ),
                )
                .label("not known to this nginx")
                .help("upgrade to nginx 1.27.3 or later, or drop `resolve` and re-resolve through a variable in the `*_pass` (`set $backend host:port;` with a `resolver`)"),
            );
            continue;
        }
        let zone = proxy.scopes[pool.scope]
            .directives
            .iter()
            .any(|d| d.name() == "zone");
        if !zone {
            out.push(
                Finding::new(
                    &RULE,
                    span,
                    format!(
                        "upstream `{name}` re-resolves its servers but has no `zone`: nginx refuses to start with `[emerg] resolving names at run time requires upstream \"{name}\" … to be in shared memory`"
                    ),
                )
                .label("needs a shared-memory zone")
                .help(format!("add `zone {name} 64k;` to upstream `{name}`")),
            );
            continue;
        }
        if !proxy.setting(pool.scope, "resolver").is_set() {
            out.push(
                Finding::new(
                    &RULE,
                    span,
                    format!(
                        "upstream `{name}` re-resolves its servers but no `resolver` is in scope (in the upstream or `http {{}}`): nginx refuses to start with `[emerg] no resolver defined to resolve names at run time in upstream \"{name}\"`"
                    ),
                )
                .label("no resolver to ask")
                .help("add `resolver ADDRESS valid=30s;` to `http {}` (or to the upstream); nginx does not read /etc/resolv.conf"),
            );
            continue;
        }
        if ctx.nginx_version.is_none() {
            out.push(
                Finding::new(
                    &RULE,
                    span,
                    "`resolve` on an upstream server needs nginx 1.27.3 or later (or NGINX Plus): older open-source versions refuse to start with `[emerg] invalid parameter \"resolve\"`",
                )
                .severity(Severity::Info)
                .label("nginx 1.27.3 or later")
                .help("tell gwlint the version (`--nginx-version 1.27.3` or later) to confirm it, or make sure every host that runs this configuration has it"),
            );
        }
    }
}
