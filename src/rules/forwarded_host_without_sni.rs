//! TLS to an IP address without SNI while the request's Host is forwarded: Apache httpd
//! 2.4.64 and later answers 421 when that Host names one of its other TLS virtual hosts.

use super::Context;
use crate::model::tls::PLAIN_PORTS;
use crate::model::sections::{SNI_AUTO_FROM, flag, in_service, own, port, server_name, sni_auto};
use crate::finding::{Dialect, Finding};
use crate::model::tls::{Wire, deciding_span, explicit_ssl_name, reach, is_dotted_host_name, is_ip, is_on, ssl_setting, wire};
use crate::model::{Endpoint, Pass, Target};

declare_rule! {
    code: "GW407",
    name: "forwarded-host-without-sni",
    severity: Info,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "TLS to an IP address without SNI while the client's Host is forwarded: Apache httpd 2.4.64+ answers 421 Misdirected Request when the Host names one of its other TLS virtual hosts",
}

const APACHE: &str = "a backend with several name-based TLS virtual hosts picks its default one for the handshake, and Apache httpd 2.4.64 and later then answers a request whose Host names another of them (with a certificate of its own) with 421 Misdirected Request and logs `AH02032: Hostname <default> (default host as no SNI was provided) and hostname <Host> provided via HTTP have no compatible SSL setup`";

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.proxy.dialect == Dialect::Haproxy {
        return haproxy(ctx, out);
    }
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        if route.pass != Pass::Proxy || wire(route) != Wire::Tls {
            continue;
        }
        // Where the traffic goes: an IP literal, or an upstream of IP literals only (a named
        // host among them is GW403's).
        let (target, pool) = match &route.target {
            Target::Endpoint(Endpoint::Inet { host, port }) if is_ip(host) => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.to_string()
                };
                match port {
                    Some(port) => (format!("{host}:{port}"), false),
                    None => (host, false),
                }
            }
            Target::Pool(i) => {
                let pool = &proxy.pools[*i];
                let live: Vec<_> = pool.servers.iter().filter(|s| !s.flag("down")).collect();
                if live.is_empty()
                    || !live
                        .iter()
                        .all(|s| matches!(&s.endpoint, Endpoint::Inet { host, .. } if is_ip(host)))
                {
                    continue;
                }
                (format!("upstream `{}`", pool.name), true)
            }
            _ => continue,
        };
        // TLS to a plain-HTTP port is GW402's.
        if reach(proxy, route)
            .iter()
            .any(|r| r.port.is_some_and(|p| PLAIN_PORTS.contains(&p)))
        {
            continue;
        }
        // Does nginx send SNI? Only with `proxy_ssl_server_name on` and a name that is not an
        // IP literal: `proxy_ssl_name`, or by default the upstream's own name.
        let sni = ssl_setting(proxy, route, "server_name");
        let sni_on = is_on(&sni);
        let name = explicit_ssl_name(proxy, route);
        let verify_on = is_on(&ssl_setting(proxy, route, "verify"));
        if !sni_on && !verify_on && name.as_deref().is_some_and(|n| !is_ip(n)) {
            // GW403: the name is set but takes no effect.
            continue;
        }
        if sni_on {
            let sent = match &name {
                Some(n) => !is_ip(strip_port(n)),
                None => pool,
            };
            if sent {
                continue;
            }
        }
        // With --online GW403 reports a backend that refuses a ClientHello without SNI.
        if super::support_online::sni_required(ctx, route).is_some_and(|r| !r.is_empty()) {
            continue;
        }
        // Is a Host forwarded that may name a site? nginx's default is `$proxy_host`.
        let headers = proxy.deciding(route.scope, "proxy_set_header");
        let Some(host) = headers
            .iter()
            .rev()
            .find(|d| d.arg(0).is_some_and(|n| n.eq_ignore_ascii_case("host")))
        else {
            continue;
        };
        let Some(value) = host.args.get(1) else {
            continue;
        };
        let v = value.value.as_str();
        let forwarded = if value.has_variable() {
            !v.contains("$proxy_host")
        } else {
            is_dotted_host_name(strip_port(v))
        };
        if !forwarded {
            continue;
        }
        let why = if sni_on {
            "`proxy_ssl_server_name` is on but the name nginx would send is an IP address, and an IP address is never sent as SNI".to_string()
        } else {
            "`proxy_ssl_server_name` is off".to_string()
        };
        let mut f = Finding::new(
            &RULE,
            host.span,
            format!(
                "`proxy_set_header Host {v}` forwards a site's name to the TLS backend {target}, an IP address, to which nginx sends no SNI ({why}): {APACHE}"
            ),
        )
        .label("Host without SNI")
        .help("add `proxy_ssl_server_name on;` and `proxy_ssl_name $host;`, so that the SNI names the site the Host header names")
        .related(route.target_span, "TLS to an IP address");
        if sni.is_set() {
            f = f.related(deciding_span(&sni, route), "SNI decided here");
        }
        out.push(f);
    }
}

/// `name:port` or `[v6]:port` without the port, as nginx strips it from the SNI name.
fn strip_port(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match name.split_once(':') {
        Some((h, p)) if !p.contains(':') => h,
        _ => name,
    }
}

/// Does a sample expression fetch the Host header (`hdr(host)`, `hdr_dom(host)`,
/// `req.hdr(Host),lower`...)?
fn names_host(arg: &str) -> bool {
    let a = arg.to_ascii_lowercase();
    a.match_indices("hdr").any(|(i, _)| {
        let rest = &a[i + 3..];
        let rest = rest.trim_start_matches(|c: char| c == '_' || c.is_ascii_alphabetic());
        rest.strip_prefix('(')
            .is_some_and(|r| r.starts_with("host)") || r.starts_with("host,"))
    })
}

/// HAProxy sends no SNI without `sni` (before 3.3, and from 3.3 under `no-sni-auto`) and
/// forwards the client's Host header as it came.
fn haproxy(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // A Host rewritten anywhere: what reaches the backend is not known.
    let rewritten = proxy.scopes.iter().any(|s| {
        s.directives.iter().any(|d| {
            d.name() == "http-request"
                && matches!(
                    d.arg(0),
                    Some("set-header" | "replace-header" | "del-header" | "add-header")
                )
                && d.arg(1).is_some_and(|h| h.eq_ignore_ascii_case("host"))
        })
    });
    if rewritten {
        return;
    }
    // Only a configuration that routes or filters by the Host header is known to carry more
    // than one site; without one, nothing says the backend chooses among virtual hosts.
    let Some(by_host) = proxy.scopes.iter().find_map(|s| {
        s.directives
            .iter()
            .find(|d| {
                matches!(
                    d.name(),
                    "acl" | "use_backend" | "http-request" | "use-server"
                ) && d.args.iter().any(|a| names_host(&a.value))
            })
            .map(|d| d.span)
    }) else {
        return;
    };
    for pool in &proxy.pools {
        if proxy.setting(pool.scope, "mode").first() != Some("http") {
            continue;
        }
        for s in &pool.servers {
            let Endpoint::Inet { host, .. } = &s.endpoint else {
                continue;
            };
            if !is_ip(host)
                || s.value("sni").is_some()
                || !in_service(s)
                || port(s).is_some_and(|p| PLAIN_PORTS.contains(&p))
            {
                continue;
            }
            let Some(ssl) = flag(s, "ssl", "no-ssl") else {
                continue;
            };
            let auto = sni_auto(s);
            let release = match ctx.haproxy_version {
                Some(v) if v >= SNI_AUTO_FROM && auto => continue,
                Some(_) if !auto => " (`no-sni-auto`)",
                Some(_) => "",
                None if auto => {
                    " (before HAProxy 3.3; from 3.3, `sni-auto` sends the Host header as SNI)"
                }
                None => " (`no-sni-auto`)",
            };
            let (span, other, note) = if own(s, ssl) {
                (ssl, s.endpoint_span, "an IP address")
            } else {
                (s.endpoint_span, ssl, "TLS turned on by `default-server`")
            };
            out.push(
                Finding::new(
                    &RULE,
                    span,
                    format!(
                        "server '{}' connects with TLS to the IP address {host} without `sni`, so HAProxy sends no SNI{release}, while it forwards the client's Host header as it came: {APACHE}",
                        server_name(pool, s)
                    ),
                )
                .label("TLS without SNI")
                .help("add `sni req.hdr(host)` to the server line, so that the SNI names the site the Host header names")
                .related(other, note)
                .related(by_host, "sites told apart by Host"),
            );
        }
    }
}
