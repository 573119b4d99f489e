//! TLS to an IP address without SNI while the request's Host is forwarded: Apache httpd
//! 2.4.64 and later answers 421 when that Host names one of its other TLS virtual hosts.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::Origin;
use crate::model::sections::{placed, server_name, sni_auto};
use crate::model::tls::{
    HostHeader, HostRewrites, PLAIN_PORTS, Sni, Wire, hops, is_dotted_host_name, is_ip,
};

declare_rule! {
    code: "GW407",
    name: "forwarded-host-without-sni",
    severity: Info,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "TLS to an IP address without SNI while the client's Host is forwarded: Apache httpd 2.4.64+ answers 421 Misdirected Request when the Host names one of its other TLS virtual hosts",
}

/// The same when the SNI names no virtual host of the backend (an upstream's name).
const APACHE_SNI: &str = "a backend with several name-based TLS virtual hosts picks its default one for the handshake when the SNI names none of them, and Apache httpd 2.4.64 and later then answers a request whose Host names another of them (with a certificate of its own) with 421 Misdirected Request and logs `AH02032: Hostname <upstream> provided via SNI and hostname <Host> provided via HTTP have no compatible SSL setup`";

const APACHE: &str = "a backend with several name-based TLS virtual hosts picks its default one for the handshake, and Apache httpd 2.4.64 and later then answers a request whose Host names another of them (with a certificate of its own) with 421 Misdirected Request and logs `AH02032: Hostname <default> (default host as no SNI was provided) and hostname <Host> provided via HTTP have no compatible SSL setup`";

/// One check over the model's hops (`model::tls::Hop`): TLS to IP addresses only, no SNI
/// sent (`Hop::sni`), and a Host header that names a site (`Hop::host_header`).
pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // HAProxy forwards the client's Host; only a configuration that routes or filters by it
    // is known to carry more than one site.
    let by_host = match proxy.dialect {
        Dialect::Haproxy => match sites_by_host(proxy) {
            Some(span) => Some(span),
            None => return,
        },
        Dialect::Nginx => None,
    };
    let rewrites = HostRewrites::of(proxy);
    for hop in hops(proxy) {
        if hop.wire != Wire::Tls || !hop.in_service {
            continue;
        }
        // Where the traffic goes: IP literals only (a named host among them is GW403's).
        let Some(target) = hop.ip_only(proxy) else {
            continue;
        };
        // TLS to a plain-HTTP port is GW402's.
        if hop
            .reach(proxy)
            .iter()
            .any(|r| r.port.is_some_and(|p| PLAIN_PORTS.contains(&p)))
        {
            continue;
        }
        let Some(host) = hop.host_header(proxy, &rewrites) else {
            continue;
        };
        let forwarded = match &host.value {
            HostHeader::PerRequest => true,
            HostHeader::Fixed(v) => is_dotted_host_name(strip_port(v)),
            HostHeader::PassHost => false,
        };
        if !forwarded {
            continue;
        }
        let sni = hop.sni(proxy, ctx.haproxy_version);
        match (hop.route, hop.server, hop.pool) {
            (Some(route), _, _) => {
                // Does nginx send SNI? Only with `proxy_ssl_server_name on` and a name that
                // is not an IP literal: `proxy_ssl_name`, or by default the upstream's name.
                let sent = match &sni.value {
                    Sni::Set(n) => !is_ip(strip_port(n)),
                    Sni::PassHost => hop.pool.is_some(),
                    _ => false,
                };
                // The upstream's name goes out as SNI: a name such as `sites` or `backend`
                // (no dot) names no virtual host, while the Host names the site. A dotted
                // upstream name may be the site's own, and is not judged.
                if let (Sni::PassHost, Some(pool)) = (&sni.value, hop.pool)
                    && !is_dotted_host_name(&pool.name)
                    && !matches!(&host.value, HostHeader::Fixed(v) if strip_port(v).eq_ignore_ascii_case(&pool.name))
                    && let Origin::Set(at) = host.origin
                {
                    out.push(
                        Finding::new(
                            &RULE,
                            at,
                            format!(
                                "`proxy_set_header Host {}` forwards a site's name to the TLS backend {target}, an IP address, while nginx sends the upstream's name \"{}\" as SNI (`proxy_ssl_server_name` is on and `proxy_ssl_name` is not set), which names no site: {APACHE_SNI}",
                                host.written, pool.name
                            ),
                        )
                        .label("Host differs from the SNI")
                        .help("add `proxy_ssl_name $host;`, so that the SNI names the site the Host header names")
                        .related(route.target_span, "TLS to an IP address"),
                    );
                    continue;
                }
                let name = hop.name(proxy);
                if sent
                    || (sni.value == Sni::Off
                        && !hop.verify(proxy).value
                        && name.as_deref().is_some_and(|n| !is_ip(n)))
                {
                    // Sent, or GW403's: the name is set but takes no effect.
                    continue;
                }
                // With --online GW403 reports a backend that refuses a ClientHello without SNI.
                if super::support_online::sni_required(ctx, route).is_some_and(|r| !r.is_empty())
                {
                    continue;
                }
                let Origin::Set(at) = host.origin else {
                    continue;
                };
                let why = if sni.value == Sni::Off {
                    "`proxy_ssl_server_name` is off".to_string()
                } else {
                    "`proxy_ssl_server_name` is on but the name nginx would send is an IP address, and an IP address is never sent as SNI".to_string()
                };
                let mut f = Finding::new(
                    &RULE,
                    at,
                    format!(
                        "`proxy_set_header Host {}` forwards a site's name to the TLS backend {target}, an IP address, to which nginx sends no SNI ({why}): {APACHE}",
                        host.written
                    ),
                )
                .label("Host without SNI")
                .help("add `proxy_ssl_server_name on;` and `proxy_ssl_name $host;`, so that the SNI names the site the Host header names")
                .related(route.target_span, "TLS to an IP address");
                if let Origin::Set(span) = sni.origin {
                    f = f.related(span, "SNI decided here");
                }
                out.push(f);
            }
            (None, Some(s), Some(pool)) => {
                let (Some(ssl), Some(by_host)) = (hop.ssl, by_host) else {
                    continue;
                };
                let release = match (&sni.value, sni_auto(s)) {
                    (Sni::OffBefore(_), _) => {
                        " (before HAProxy 3.3; from 3.3, `sni-auto` sends the Host header as SNI)"
                    }
                    (Sni::Off, false) => " (`no-sni-auto`)",
                    (Sni::Off, true) => "",
                    _ => continue,
                };
                let (span, other, own) = placed(s, ssl);
                let note = match own {
                    true => "an IP address",
                    false => "TLS turned on by `default-server`",
                };
                out.push(
                    Finding::new(
                        &RULE,
                        span,
                        format!(
                            "server '{}' connects with TLS to the IP address {target} without `sni`, so HAProxy sends no SNI{release}, while it forwards the client's Host header as it came: {APACHE}",
                            server_name(pool, s)
                        ),
                    )
                    .label("TLS without SNI")
                    .help("add `sni req.hdr(host)` to the server line, so that the SNI names the site the Host header names")
                    .related(other, note)
                    .related(by_host, "sites told apart by Host"),
                );
            }
            _ => {}
        }
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

/// HAProxy: the first line that routes or filters by the Host header (`acl`, `use_backend`,
/// `http-request`, `use-server` reading `hdr(host)`); without one, nothing says the backend
/// chooses among virtual hosts.
fn sites_by_host(proxy: &crate::model::Proxy) -> Option<crate::source::Span> {
    proxy.scopes.iter().find_map(|s| {
        s.directives
            .iter()
            .find(|d| {
                matches!(
                    d.name(),
                    "acl" | "use_backend" | "http-request" | "use-server"
                ) && d.args().iter().any(|a| names_host(&a.value))
            })
            .map(|d| d.span())
    })
}
