//! nginx's start-up arithmetic on `*_buffer_size`, `*_buffers` and `*_busy_buffers_size`.

use std::collections::HashSet;

use crate::model::in_stream;
use crate::units::{parse_size, show_size};
use super::Context;
use crate::finding::Finding;
use crate::model::{Found, ScopeKind};
use crate::source::Span;

declare_rule! {
    code: "GW501",
    name: "busy-buffers-too-large",
    severity: Error,
    family: ReuseAndBuffers,
    dialects: [Nginx],
    refuses: [Nginx],
    summary: "*_busy_buffers_size (set or defaulted) fails nginx's start-up check against *_buffer_size and *_buffers",
}

macro_rules! module {
    ($p:literal) => {
        Module {
            prefix: $p,
            buffer_size: concat!($p, "_buffer_size"),
            buffers: concat!($p, "_buffers"),
            busy: concat!($p, "_busy_buffers_size"),
        }
    };
}

/// The modules with buffered responses (grpc has no `grpc_buffers`), and the names of their
/// three directives, written out once rather than formatted per scope.
const MODULES: &[Module] = &[
    module!("proxy"),
    module!("fastcgi"),
    module!("uwsgi"),
    module!("scgi"),
];

struct Module {
    prefix: &'static str,
    buffer_size: &'static str,
    buffers: &'static str,
    busy: &'static str,
}

/// One page on x86-64 Linux: the default of `*_buffer_size` and of one `*_buffers` buffer.
const PAGE: u64 = 4096;

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    let mut seen: HashSet<(&str, Span)> = HashSet::new();
    for (id, scope) in proxy.scopes.iter().enumerate() {
        // nginx merges (and checks) every server and location configuration.
        if !matches!(
            scope.kind,
            ScopeKind::Server | ScopeKind::Location | ScopeKind::If | ScopeKind::LimitExcept
        ) || in_stream(proxy, id)
        {
            continue;
        }
        for m in MODULES {
            // Most scopes set none of the three, nor do the scopes around them.
            if !proxy.may_set_any(id, &[m.buffer_size, m.buffers, m.busy]) {
                continue;
            }
            let p = m.prefix;
            // The defaults are known here: nginx's table is not asked.
            let bs = proxy.deciding(id, m.buffer_size);
            let bufs = proxy.deciding(id, m.buffers);
            let busy = proxy.deciding(id, m.busy);
            if bs.is_empty() && bufs.is_empty() && busy.is_empty() {
                continue;
            }
            let Some(buffer_size) = value(&bs, |a| parse_size(a.first()?), PAGE) else {
                continue;
            };
            let Some((num, one)) = value(
                &bufs,
                |a| Some((a.first()?.parse::<u64>().ok()?, parse_size(a.get(1)?)?)),
                (8, PAGE),
            ) else {
                continue;
            };
            if num < 2 {
                continue; // "there must be at least 2 proxy_buffers": another failure
            }
            let size = buffer_size.max(one);
            let busy_value = match busy.last() {
                Some(d) => match parse_size(d.arg(0).unwrap_or("")) {
                    Some(v) => v,
                    None => continue,
                },
                None => 2 * size,
            };
            let limit = (num - 1) * one;
            let written = |s: &Found, name: &str, default: &str| match s.last() {
                Some(d) => format!("`{name} {}`", d.args_text()),
                None => format!("`{name} {default}` (default)"),
            };
            let (bs_w, bufs_w) = (
                written(&bs, m.buffer_size, "4k"),
                written(&bufs, m.buffers, "8 4k"),
            );
            let busy_name = m.busy;
            let (span, message, help) = if busy_value < size {
                let Some(d) = busy.last() else {
                    continue;
                };
                (
                    d.span(),
                    format!(
                        "`{busy_name} {}` is smaller than the larger of {bs_w} and one buffer of {bufs_w} ({}): nginx refuses to start with `[emerg] \"{busy_name}\" must be equal to or greater than the maximum of the value of \"{p}_buffer_size\" and one of the \"{p}_buffers\"`",
                        show_size(busy_value),
                        show_size(size)
                    ),
                    suggestion(p, size, num, one, limit),
                )
            } else if busy_value > limit {
                // The directive that decides: busy when set, else whichever of buffer_size
                // and buffers makes the default busy size too large.
                let order = if buffer_size >= one {
                    [&busy, &bs, &bufs]
                } else {
                    [&busy, &bufs, &bs]
                };
                let Some(span) = order.iter().find_map(|s| s.last().map(|d| d.span())) else {
                    continue;
                };
                let busy_w = match busy.last() {
                    Some(d) => format!("`{busy_name} {}`", d.args_text()),
                    None => format!(
                        "`{busy_name}` defaults to 2 × {} = {}",
                        show_size(size),
                        show_size(busy_value)
                    ),
                };
                (
                    span,
                    format!(
                        "with {bs_w} and {bufs_w}, {busy_w}, more than all `{p}_buffers` minus one ({} × {} = {}): nginx refuses to start with `[emerg] \"{busy_name}\" must be less than the size of all \"{p}_buffers\" minus one buffer`",
                        num - 1,
                        show_size(one),
                        show_size(limit)
                    ),
                    suggestion(p, size, num, one, limit),
                )
            } else {
                continue;
            };
            if !seen.insert((p, span)) {
                continue;
            }
            let mut f = Finding::new(&RULE, span, message)
                .label("nginx refuses to start")
                .help(help);
            for s in [&bs, &bufs, &busy] {
                if let Some(d) = s.last()
                    && d.span() != span
                {
                    f = f.related(d.span(), format!("`{}` is set here", d.name()));
                }
            }
            out.push(f);
        }
    }
}

/// The setting's value, its default when unset, None when written in a form not understood.
fn value<T>(s: &Found, parse: impl Fn(&[&str]) -> Option<T>, default: T) -> Option<T> {
    match s.last() {
        Some(d) => parse(&d.args().iter().map(|a| a.value.as_str()).collect::<Vec<_>>()),
        None => Some(default),
    }
}

fn suggestion(p: &str, size: u64, num: u64, one: u64, limit: u64) -> String {
    // Enough buffers of the same size that all but one hold 2 × size.
    let need = (2 * size).div_ceil(one) + 1;
    let mut help = format!(
        "give `{p}_buffers` room: `{p}_buffers {} {};` (all but one buffer must hold 2 × {})",
        need.max(num),
        show_size(one),
        show_size(size)
    );
    if size <= limit {
        help.push_str(&format!(
            ", or set `{p}_busy_buffers_size` between {} and {}",
            show_size(size),
            show_size(limit)
        ));
    }
    help
}
