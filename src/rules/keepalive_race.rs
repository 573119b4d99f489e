//! nginx keeps an idle upstream connection longer than the backend does: requests race the
//! backend's close.

use crate::model::reuse::reuses;
use crate::model::exits::pool_facts;
use crate::units::show_ms;
use super::{Context, Version};
use crate::finding::Finding;
use crate::model::{Ctx, Target};

declare_rule! {
    code: "GW504",
    name: "keepalive-race",
    severity: Warning,
    family: ReuseAndBuffers,
    dialects: [Nginx],
    refuses: [],
    summary: "an upstream keeps idle connections at least as long as the backend's declared idle timeout: requests race its close",
}

/// From this version nginx speaks HTTP/1.1 to upstreams and keeps idle connections to every
/// `upstream {}` (`keepalive 32`) without being told.
const KEEPALIVE_BY_DEFAULT: Version = Version(1, 29, 7);

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // Unknown version: assume the defaults that reuse connections, where the race exists.
    let new_defaults = ctx.nginx_version.is_none_or(|v| v >= KEEPALIVE_BY_DEFAULT);
    for (i, pool) in proxy.pools.iter().enumerate() {
        if pool.ctx != Ctx::Http {
            continue;
        }
        // The backend that closes first decides.
        let Some((idle, fact)) = pool_facts(ctx.facts, ctx.sources, pool)
            .into_iter()
            .filter_map(|b| Some((b.idle_timeout?, b)))
            .min_by_key(|(d, _)| *d)
        else {
            continue;
        };
        let idle_ms = idle.as_millis() as u64;
        let own = &proxy.scopes[pool.scope].directives;
        let keepalive = own.iter().find(|d| d.name() == "keepalive");
        if keepalive.is_none() && !new_defaults {
            continue;
        }
        let Some(route) = proxy.routes.iter().find(|r| {
            matches!(r.target, Target::Pool(p) if p == i) && reuses(proxy, r, new_defaults)
        }) else {
            continue;
        };
        // The upstream module's keepalive_timeout, set in the upstream only (the one in
        // http/server is the client side's).
        let timeout = own.iter().rev().find(|d| d.name() == "keepalive_timeout");
        let nginx_ms = match timeout {
            Some(d) => match proxy.time_of(d) {
                Some(t) => t.value,
                None => continue,
            },
            None => 60_000,
        };
        if nginx_ms < idle_ms {
            continue;
        }
        let (span, kept) = match (timeout, keepalive) {
            (Some(d), _) => (
                d.span(),
                format!("`keepalive_timeout {}`", d.arg(0).unwrap_or("")),
            ),
            (None, Some(k)) => (
                k.span(),
                "`keepalive` with the default `keepalive_timeout` of 60s".to_string(),
            ),
            (None, None) => (
                pool.name_span,
                "nginx 1.29.7 and later keep idle connections to every upstream (`keepalive 32` by default) for the default `keepalive_timeout` of 60s".to_string(),
            ),
        };
        let suggest = if idle_ms > 2000 {
            idle_ms - 1000
        } else {
            idle_ms / 2
        };
        let origin = if fact.origin.is_empty() {
            String::new()
        } else {
            format!(", {}", fact.origin)
        };
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "upstream `{}` keeps idle connections for {} ({kept}), but the backend `{}` closes an idle connection after {} (declared{origin}): a request nginx sends on a connection just as the backend closes it fails with `recv() failed (104: Connection reset by peer) while reading response header from upstream` or `upstream prematurely closed connection while reading response header from upstream`; nginx retries GET and HEAD on another connection, but a POST, PATCH or LOCK gets 502",
                    pool.name,
                    show_ms(nginx_ms),
                    fact.target,
                    show_ms(idle_ms),
                ),
            )
            .label("outlives the backend's idle timeout")
            .help(format!(
                "close idle connections before the backend does: `keepalive_timeout {};` in upstream `{}`, or raise the backend's idle timeout above {}",
                show_ms(suggest),
                pool.name,
                show_ms(nginx_ms)
            ))
            .related(route.directive.span(), "requests reuse its connections here"),
        );
    }
}
