//! `proxy_pass http://…:9000` in a location that serves PHP: HTTP spoken to php-fpm.

use super::Context;
use crate::finding::Finding;
use crate::model::{Ctx, Endpoint, Pass, Route, ScopeKind, Target};

declare_rule! {
    code: "GW109",
    name: "proxy-pass-to-fastcgi-port",
    severity: Warning,
    family: DeadTargets,
    dialects: [Nginx],
    refuses: [],
    summary: "`proxy_pass` speaks HTTP to php-fpm's port 9000 in a location that serves PHP",
}

/// php-fpm's default `listen` port.
const FPM_PORT: u16 = 9000;

fn looks_php(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.contains("php") || s.contains("fpm")
}

/// Why the route looks like it was meant for php-fpm, if it does.
fn php_evidence(ctx: &Context, route: &Route, names: &[&str]) -> Option<String> {
    if let Some(n) = names.iter().find(|n| looks_php(n)) {
        return Some(format!("the target is named \"{n}\""));
    }
    // The route's own level and the locations around it.
    let mut s = Some(route.scope);
    while let Some(id) = s {
        let scope = &ctx.proxy.scopes[id];
        if let Some(d) = scope
            .directives
            .iter()
            .find(|d| d.name().starts_with("fastcgi_"))
        {
            return Some(format!("`{}` is set for this location", d.name()));
        }
        if scope.kind == ScopeKind::Location
            && let Some(block) = scope.block
            && block
                .args()
                .iter()
                .any(|a| a.value.to_ascii_lowercase().contains(".php"))
        {
            return Some("the location matches `.php`".to_string());
        }
        if !matches!(
            scope.kind,
            ScopeKind::Location | ScopeKind::If | ScopeKind::LimitExcept
        ) {
            break;
        }
        s = scope.parent;
    }
    None
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for route in &ctx.proxy.routes {
        if route.ctx != Ctx::Http || route.pass != Pass::Proxy {
            continue;
        }
        if !matches!(route.scheme, Some("http" | "https")) {
            continue;
        }
        // The names to judge by: the host, or the upstream and its servers' hosts.
        let mut names: Vec<&str> = Vec::new();
        match &route.target {
            Target::Endpoint(Endpoint::Inet {
                host,
                port: Some(FPM_PORT),
            }) => names.push(host),
            Target::Pool(i) => {
                let pool = &ctx.proxy.pools[*i];
                let all_fpm = !pool.servers.is_empty()
                    && pool.servers.iter().all(|s| {
                        matches!(
                            &s.endpoint,
                            Endpoint::Inet {
                                port: Some(FPM_PORT),
                                ..
                            }
                        )
                    });
                if !all_fpm {
                    continue;
                }
                names.push(&pool.name);
                for s in &pool.servers {
                    if let Endpoint::Inet { host, .. } = &s.endpoint {
                        names.push(host);
                    }
                }
            }
            _ => continue,
        }
        let Some(why) = php_evidence(ctx, route, &names) else {
            continue;
        };
        let scheme = route.scheme.unwrap_or("http");
        let url = route.directive.arg(0).unwrap_or("");
        let addr = url
            .strip_prefix(&format!("{scheme}://"))
            .unwrap_or(url)
            .split('/')
            .next()
            .unwrap_or("");
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`proxy_pass` speaks HTTP to port {FPM_PORT}, php-fpm's port, and {why}: php-fpm speaks FastCGI and resets the connection, so nginx answers 502 with `recv() failed (104: Connection reset by peer) while reading response header from upstream`"
                ),
            )
            .label("HTTP to a FastCGI port")
            .help(format!(
                "talk FastCGI to php-fpm: `include fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; fastcgi_pass {addr};` — if port {FPM_PORT} really is an HTTP server, ignore this"
            )),
        );
    }
}
