//! Shared helpers for the timeout, buffer, connection-reuse and name-resolution rules: nginx
//! sizes and times, and walking scopes.

use crate::model::{Proxy, ScopeId, ScopeKind};
use crate::syntax::nginx::Directive;

/// nginx's size syntax (`ngx_parse_size`): a number with an optional `k`/`K` or `m`/`M`.
pub fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1024),
        b'm' | b'M' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// A size for messages: `16k`, `1m`, `1500`.
pub fn show_size(n: u64) -> String {
    if n != 0 && n % (1024 * 1024) == 0 {
        format!("{}m", n / (1024 * 1024))
    } else if n != 0 && n % 1024 == 0 {
        format!("{}k", n / 1024)
    } else {
        n.to_string()
    }
}

/// nginx's time syntax (`ngx_parse_time`) in milliseconds: `60`, `60s`, `1m30s`, `500ms`,
/// `2h`, `1d`; a plain number is seconds.
pub fn parse_time_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (mut i, mut total, mut any) = (0, 0u64, false);
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return None;
        }
        let n: u64 = s[start..i].parse().ok()?;
        let unit_start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let mult = match &s[unit_start..i] {
            "" | "s" => 1000,
            "ms" => 1,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "M" => 2_592_000_000,
            "y" => 31_536_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(mult)?)?;
        any = true;
    }
    any.then_some(total)
}

/// Is this scope inside `stream {}`?
pub fn in_stream(proxy: &Proxy, mut scope: ScopeId) -> bool {
    loop {
        match proxy.scopes[scope].kind {
            ScopeKind::Stream | ScopeKind::StreamServer => return true,
            _ => {}
        }
        match proxy.scopes[scope].parent {
            Some(p) => scope = p,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("8K"), Some(8192));
        assert_eq!(parse_size("1m"), Some(1 << 20));
        assert_eq!(parse_size("1500"), Some(1500));
        assert_eq!(parse_size("1g"), None);
        assert_eq!(parse_size("k"), None);
        assert_eq!(show_size(16384), "16k");
    }

    #[test]
    fn times() {
        assert_eq!(parse_time_ms("60s"), Some(60_000));
        assert_eq!(parse_time_ms("75"), Some(75_000));
        assert_eq!(parse_time_ms("1m30s"), Some(90_000));
        assert_eq!(parse_time_ms("500ms"), Some(500));
        assert_eq!(parse_time_ms("1h"), Some(3_600_000));
        assert_eq!(parse_time_ms("x"), None);
        assert_eq!(show_ms(5000), "5s");
        assert_eq!(show_ms(90_000), "90s");
        assert_eq!(show_ms(120_000), "2m");
        assert_eq!(show_ms(330_000), "5m30s");
        assert_eq!(show_ms(1500), "1500ms");
    }
}

/// What the configuration assigns to a variable: every value written by `set`, `map`, `geo`
/// and `split_clients` (in every file of the tree), or None when something assigns it in a
/// way gwlint cannot list (an `include` inside a `map`, a value built from variables…).
#[derive(Debug, Default)]
pub struct VarValues {
    pub values: Vec<String>,
    /// Some assignment could not be listed.
    pub open: bool,
}

/// Every variable the configuration assigns, with its values: listed in one pass over the
/// tree the first time a rule asks, since rules ask per route.
#[derive(Debug, Default)]
pub struct Assignments(std::sync::OnceLock<std::collections::HashMap<String, VarValues>>);

/// Values the configuration gives `$name` (without the `$`); None when nothing assigns it.
pub fn variable_values<'c>(ctx: &'c super::Context, name: &str) -> Option<&'c VarValues> {
    let all = ctx.variables.0.get_or_init(|| {
        let mut all = std::collections::HashMap::new();
        // The files of this deployment, in the order nginx reads them: never another
        // deployment's, and never in hash-map order (the first value listed is named in
        // messages).
        for file in ctx.tree.files.iter().filter_map(|f| ctx.files.get(f)) {
            collect(&file.directives, &mut all);
        }
        all
    });
    all.get(name)
}

fn var_name(s: &str) -> Option<&str> {
    let v = s.strip_prefix('$')?;
    Some(
        v.strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(v),
    )
}

fn collect(dirs: &[Directive], all: &mut std::collections::HashMap<String, VarValues>) {
    for d in dirs {
        match d.name() {
            "set" => {
                if let Some(name) = d.arg(0).and_then(var_name) {
                    let out = all.entry(name.to_string()).or_default();
                    match d.args.get(1) {
                        Some(a) if !a.has_variable() => out.values.push(a.value.to_string()),
                        _ => out.open = true,
                    }
                }
            }
            "map" | "geo" | "split_clients" if d.block().is_some() => {
                // map $src $dst; geo [$src] $dst; split_clients "$src" $dst.
                let Some(dst) = d.args.last() else { continue };
                let Some(name) = var_name(&dst.value) else {
                    continue;
                };
                let out = all.entry(name.to_string()).or_default();
                for e in d.children() {
                    let special = match d.name() {
                        "map" => matches!(e.name(), "hostnames" | "volatile"),
                        "geo" => {
                            matches!(e.name(), "ranges" | "delete" | "proxy" | "proxy_recursive")
                        }
                        _ => false,
                    };
                    if special {
                        continue;
                    }
                    if e.name() == "include" || e.block().is_some() {
                        out.open = true;
                        continue;
                    }
                    match e.args.first() {
                        Some(a) if !a.has_variable() => out.values.push(a.value.to_string()),
                        _ => out.open = true,
                    }
                }
                // A map or split_clients without a default yields "" for the rest.
            }
            _ => {}
        }
        if d.block().is_some() && !crate::model::directives::is_table_block(d.name()) {
            collect(d.children(), all);
        }
    }
}

/// The host and port of a `*_pass` argument as written, variables left in: `http://$b:8080/x`
/// → ("$b", Some("8080")); None for unix sockets.
pub fn pass_host(arg: &str) -> Option<(&str, Option<&str>)> {
    let (_, addr) = crate::model::endpoint::split_url(arg);
    if addr.starts_with("unix:") {
        return None;
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')));
    }
    match addr.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, Some(p))),
        _ => Some((addr, None)),
    }
}

/// Milliseconds for messages: `5s`, `90s`, `5m30s`, `500ms`.
pub fn show_ms(ms: u64) -> String {
    if ms == 0 || ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match (s / 60, s % 60) {
        _ if s < 120 => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

/// The facts declared for a pool: by its name, or by the address of one of its servers as
/// written (`127.0.0.1:8080`; an nginx `server`'s first word, an HAProxy `server`'s second).
pub fn pool_facts<'f>(
    ctx: &super::Context<'f>,
    pool: &crate::model::Pool,
) -> Vec<&'f crate::facts::Backend> {
    ctx.facts
        .backends
        .iter()
        .filter(|b| {
            b.target.eq_ignore_ascii_case(&pool.name)
                || pool
                    .servers
                    .iter()
                    .any(|s| ctx.sources.text(s.endpoint_span) == b.target)
        })
        .collect()
}

/// The facts declared for where a route sends: its pool's ([`pool_facts`]), or those of the
/// address it names.
pub fn route_facts<'f>(
    ctx: &super::Context<'f>,
    route: &crate::model::Route,
) -> Vec<&'f crate::facts::Backend> {
    use crate::model::Target;
    match &route.target {
        Target::Pool(i) => pool_facts(ctx, &ctx.proxy.pools[*i]),
        Target::Endpoint(_) => {
            let addr = route
                .directive
                .arg(0)
                .map(|a| crate::model::endpoint::split_url(a).1)
                .unwrap_or("");
            ctx.facts
                .backends
                .iter()
                .filter(|b| b.target == addr)
                .collect()
        }
        Target::Missing(_) => Vec::new(),
    }
}
