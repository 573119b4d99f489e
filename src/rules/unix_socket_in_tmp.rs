//! A unix socket under `/tmp` or `/var/tmp`: a service with `PrivateTmp=` sees a /tmp of its
//! own, so the proxy and the backend do not meet there.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::model::listen::{Bound, listeners};
use crate::model::{Endpoint, Target};
use crate::source::Span;

declare_rule! {
    code: "GW114",
    name: "unix-socket-in-tmp",
    severity: Warning,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "a backend's unix socket under /tmp or /var/tmp: a systemd unit with PrivateTmp (php-fpm's, RHEL's nginx) has a /tmp of its own, and the proxy answers 502/503",
}

fn in_tmp(path: &str) -> bool {
    let p = path.trim_start_matches("//");
    p.starts_with("/tmp/") || p.starts_with("/var/tmp/")
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let proxy = ctx.proxy;
    // In a container /tmp is the container's: PrivateTmp is a host service's setting.
    if ctx.proxy.in_container() {
        return;
    }
    // Sockets this proxy creates itself (nginx `listen unix:…`, HAProxy `bind /…`) are in its
    // own /tmp, where it also looks.
    let own: Vec<String> = listeners(proxy)
        .into_iter()
        .filter_map(|l| match l.bound {
            Bound::Unix(p) => Some(p),
            _ => None,
        })
        .collect();
    let mut targets: Vec<(&str, Span)> = Vec::new();
    for route in &proxy.routes {
        if let Target::Endpoint(Endpoint::Unix(p)) = &route.target {
            targets.push((p, route.target_span));
        }
    }
    for pool in &proxy.pools {
        for s in &pool.servers {
            if let Endpoint::Unix(p) = &s.endpoint {
                targets.push((p, s.endpoint_span));
            }
        }
    }
    let (who, status, log) = match proxy.dialect {
        Dialect::Nginx => (
            "nginx",
            "502",
            "`connect() to unix:PATH failed (2: No such file or directory)`",
        ),
        Dialect::Haproxy => (
            "HAProxy",
            "503",
            "the server DOWN with `Layer4 connection problem` (or `SC` in the log)",
        ),
    };
    for (path, span) in targets {
        if !in_tmp(path) || own.iter().any(|o| o == path) {
            continue;
        }
        let log = log.replace("PATH", path);
        out.push(
            Finding::new(
                &RULE,
                span,
                format!(
                    "the socket `{path}` is under a temporary directory: a service whose systemd unit has `PrivateTmp=yes` (php-fpm's upstream unit, Fedora's and RHEL's nginx and php-fpm, many gunicorn and uwsgi units) gets a /tmp of its own, so the socket the backend creates is not where {who} looks: {who} logs {log} and answers {status}"
                ),
            )
            .dialect(proxy.dialect)
            .label("in a /tmp a unit may not share")
            .help(
                "put the socket under /run (e.g. `/run/php/php-fpm.sock`, or a `RuntimeDirectory=` of the backend's unit) in both the backend's listen setting and here",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_directories() {
        assert!(super::in_tmp("/tmp/php-fpm.sock"));
        assert!(super::in_tmp("/var/tmp/app.sock"));
        assert!(super::in_tmp("///tmp/a.sock"));
        assert!(!super::in_tmp("/run/php/php-fpm.sock"));
        assert!(!super::in_tmp("/tmpfs/a.sock"));
    }
}
