//! Certificate verification against the name of an `upstream` (or an IP address), because no
//! `proxy_ssl_name` says which name the certificate holds.

use crate::model::tls::{
    Wire, explicit_ssl_name, is_dotted_host_name, is_ip, is_on, is_single_label, prefix,
    ssl_setting, wire,
};
use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::{Endpoint, Target};

declare_rule! {
    code: "GW405",
    name: "verify-against-upstream-name",
    severity: Error,
    family: Tls,
    dialects: [Nginx],
    refuses: [],
    summary: "*_ssl_verify on checks the certificate against an upstream's name (or an IP) because *_ssl_name is not set",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        if wire(route) != Wire::Tls {
            continue;
        }
        let Some(p) = prefix(route) else { continue };
        if !is_on(&ssl_setting(proxy, route, "verify")) || explicit_ssl_name(proxy, route).is_some()
        {
            continue;
        }
        let (name, severity, why) = match &route.target {
            Target::Pool(i) => {
                let name = proxy.pools[*i].name.as_str();
                if is_dotted_host_name(name) {
                    // `upstream api.example.com {}`: the name may well be the certificate's.
                    continue;
                }
                if is_single_label(name) {
                    (
                        name,
                        Severity::Warning,
                        format!(
                            "unless the backend's certificate is issued for the bare name \"{name}\" (only a private CA would do that), "
                        ),
                    )
                } else {
                    (name, Severity::Error, String::new())
                }
            }
            Target::Endpoint(Endpoint::Inet { host, .. }) if is_ip(host) => (
                host.as_str(),
                Severity::Warning,
                format!(
                    "unless the backend's certificate lists the IP address {host} (public CAs rarely issue those), "
                ),
            ),
            _ => continue,
        };
        let what = match &route.target {
            Target::Pool(_) => format!("the upstream's name \"{name}\""),
            _ => format!("the address \"{name}\""),
        };
        out.push(
            Finding::new(
                &RULE,
                route.directive.span(),
                format!(
                    "`{p}_ssl_verify` is on and `{p}_ssl_name` is not set, so nginx checks the backend's certificate against {what}: {why}every handshake fails with `upstream SSL certificate does not match \"{name}\" while SSL handshaking to upstream` and the client gets 502"
                ),
            )
            .severity(severity)
            .label(format!("certificate checked against \"{name}\""))
            .help(format!(
                "add `{p}_ssl_name <the name in the backend's certificate>;` (and `{p}_ssl_server_name on;` to send it as SNI)"
            )),
        );
    }
}
