//! A `*_pass` built from variables that can name a host while no `resolver` is in scope.

use crate::model::endpoint::pass_host;
use super::Context;
use crate::finding::Finding;
use crate::model::{Endpoint, Route};

declare_rule! {
    code: "GW601",
    name: "variable-pass-without-resolver",
    severity: Error,
    family: NameResolution,
    dialects: [Nginx],
    refuses: [],
    summary: "a *_pass with variables can name a host, and no resolver is in scope",
}

/// Variables that hold the request's path or query: where they start, the host has ended.
const URI_VARS: &[&str] = &[
    "$request_uri",
    "$uri",
    "$document_uri",
    "$is_args",
    "$args",
    "$query_string",
];

/// Variables nginx defines whose value is whatever the client sends or the request matched.
fn client_controlled(name: &str) -> bool {
    matches!(name, "host" | "http_host" | "server_name" | "hostname")
        || name.starts_with("http_")
        || name.starts_with("arg_")
        || name.starts_with("cookie_")
        || name.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // An include gwlint did not follow may set the resolver: unknown, not absent.
    if ctx.proxy.unknown_includes() {
        return;
    }
    let proxy = ctx.proxy;
    for route in &proxy.routes {
        let arg = &route.directive.args()[0];
        if !arg.has_variable() || proxy.setting(route.scope, "resolver").is_set() {
            continue;
        }
        let mut written = arg.value.as_str();
        for v in URI_VARS {
            if let Some(i) = written.find(v) {
                written = &written[..i];
            }
        }
        let Some((host, port)) = pass_host(written) else {
            continue; // unix socket
        };
        let Some(example) = needs_resolver(ctx, route, host, port) else {
            continue;
        };
        let directive = route.pass.directive();
        out.push(
            Finding::new(
                &RULE,
                route.target_span,
                format!(
                    "`{directive}` has variables, so nginx resolves its host at request time, and no `resolver` is in scope: when the host is {example}, the request fails with `[error] no resolver defined to resolve …` and the client gets 502"
                ),
            )
            .label("resolved per request; no resolver in scope")
            .help(
                "add `resolver <DNS server address> valid=30s;` to the server or http block (nginx does not read /etc/resolv.conf), or let the variable hold only names of `upstream {}` blocks, written without a port",
            ),
        );
    }
}

/// A value of the host that needs DNS, described for the message; None when every value the
/// host can take is an upstream name, an IP address or a socket.
fn needs_resolver(ctx: &Context, route: &Route, host: &str, port: Option<&str>) -> Option<String> {
    let proxy = ctx.proxy;
    let is_upstream = |name: &str| proxy.pools_named(route.ctx, name).next().is_some();
    let host_needs_dns = |value: &str| -> bool {
        let value = value.trim();
        if value.is_empty() || value.starts_with("unix:") {
            return false;
        }
        match Endpoint::parse(value) {
            Endpoint::Inet { host: h, port: p } => {
                if h.parse::<std::net::IpAddr>().is_ok() {
                    return false;
                }
                // Only a name without a port (in the value and in the pass) finds an upstream.
                !(p.is_none() && port.is_none() && is_upstream(&h))
            }
            _ => false,
        }
    };
    let with_port = |h: &str| match port {
        Some(p) => format!("\"{h}:{p}\""),
        None => format!("\"{h}\""),
    };
    if !crate::model::has_variable(host) {
        return host_needs_dns(host).then(|| with_port(host));
    }
    if let Some(name) = single_variable(host) {
        return match ctx.proxy.variable_values(name) {
            // Assigned nowhere: an nginx variable, a regex capture, a map in a parent file
            // (fragment) or an unknown variable (nginx refuses to start: another failure).
            None => {
                if !client_controlled(name) {
                    None
                } else {
                    Some(format!(
                        "whatever `${name}` holds (e.g. a host name from the request)"
                    ))
                }
            }
            Some(v) if v.open => None,
            Some(v) => v
                .values
                .iter()
                .find(|x| host_needs_dns(x))
                .map(|x| format!("{} (a value of `${name}`)", with_port(x))),
        };
    }
    // Text and variables mixed (`$region.api.internal`, `app-$color`): an upstream may match
    // the pattern, an IP address may be built; otherwise it is a host name.
    let literal: String = strip_variables(host);
    if literal
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b':')
    {
        return None;
    }
    if port.is_none()
        && proxy
            .pools
            .iter()
            .filter(|p| p.ctx == route.ctx)
            .any(|p| matches_template(host, &p.name))
    {
        return None;
    }
    Some(format!("the name built by `{host}`"))
}

/// `$name` or `${name}` alone → `name`.
fn single_variable(s: &str) -> Option<&str> {
    let v = s.strip_prefix('$')?;
    if let Some(inner) = v.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
        return Some(inner);
    }
    v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        .then_some(v)
}

/// The text parts of a template, concatenated.
fn strip_variables(s: &str) -> String {
    parts(s).into_iter().flatten().collect()
}

/// A template split at variables: Some(text) or None for a variable.
fn parts(s: &str) -> Vec<Option<&str>> {
    let b = s.as_bytes();
    let (mut out, mut i, mut start) = (Vec::new(), 0, 0);
    while i < b.len() {
        if b[i] == b'$'
            && i + 1 < b.len()
            && (b[i + 1] == b'{' || b[i + 1] == b'_' || b[i + 1].is_ascii_alphanumeric())
        {
            if start < i {
                out.push(Some(&s[start..i]));
            }
            let mut j = i + 1;
            if b[j] == b'{' {
                while j < b.len() && b[j] != b'}' {
                    j += 1;
                }
                j += 1;
            } else {
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
            }
            out.push(None);
            i = j.min(b.len());
            start = i;
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        out.push(Some(&s[start..]));
    }
    out
}

/// Could `template` (variables match anything) produce `name`? Upstream names compare
/// without case.
fn matches_template(template: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let ps = parts(template);
    let mut pos = 0;
    let mut free = false;
    for (k, p) in ps.iter().enumerate() {
        match p {
            None => free = true,
            Some(t) => {
                let t = t.to_ascii_lowercase();
                let last = k == ps.len() - 1;
                if last && free {
                    return name.len() >= pos + t.len() && name.ends_with(&t);
                }
                let found = if free {
                    name[pos..].find(&t).map(|i| pos + i)
                } else {
                    name[pos..].starts_with(&t).then_some(pos)
                };
                let Some(at) = found else { return false };
                pos = at + t.len();
                free = false;
            }
        }
    }
    free || pos == name.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert!(matches_template("app-$color", "app-blue"));
        assert!(matches_template("$x-api", "eu-api"));
        assert!(!matches_template("$region.api.internal", "backend"));
        assert!(!matches_template("app-$color", "web-blue"));
        assert_eq!(single_variable("${b}"), Some("b"));
        assert_eq!(single_variable("$b"), Some("b"));
        assert_eq!(single_variable("$b.x"), None);
        assert_eq!(strip_variables("$r.api.internal"), ".api.internal");
    }
}
