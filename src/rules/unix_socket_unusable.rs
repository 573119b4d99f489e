//! `--online`: a unix socket target that is missing, stale, not a socket, or closed to the
//! worker user.

use super::support_online::places;
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::probe::tcp::Connect;
use crate::probe::unix::UnixSocket;

declare_rule! {
    code: "GW803",
    name: "unix-socket-unusable",
    severity: Error,
    family: DeadTargets,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "(--online) a unix: target that does not exist, is not a socket, accepts no connection, or that the worker user may not connect to",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let nginx = ctx.proxy.dialect == Dialect::Nginx;
    for place in places(ctx) {
        let Some((path, state)) = &place.observed.unix else {
            continue;
        };
        let (what, errno, label, severity) = match state {
            UnixSocket::Missing => (
                format!("`{path}` does not exist"),
                "2: No such file or directory",
                "no such socket",
                Severity::Error,
            ),
            UnixSocket::NotSocket(kind) => (
                format!("`{path}` is {kind}, not a socket"),
                "111: Connection refused",
                "not a socket",
                Severity::Error,
            ),
            UnixSocket::Socket {
                connect: Connect::Refused,
                ..
            } => (
                format!(
                    "nothing accepts connections on `{path}`: a stale socket left by a service that stopped"
                ),
                "111: Connection refused",
                "stale socket",
                Severity::Error,
            ),
            UnixSocket::Socket {
                connect: Connect::TimedOut,
                ..
            } => (
                format!(
                    "`{path}` did not accept a connection within the connect timeout: its listen queue is full"
                ),
                "11: Resource temporarily unavailable",
                "no room in the listen queue",
                Severity::Warning,
            ),
            UnixSocket::Socket {
                access: Some(access),
                ..
            } if access.denied.is_some() => {
                let (denied, perm) = access.denied.clone().unwrap_or_default();
                (
                    format!(
                        "the worker user `{}` may not connect to `{path}`: `{}` does not grant it {perm} permission",
                        access.user,
                        denied.display()
                    ),
                    "13: Permission denied",
                    "permission denied",
                    Severity::Error,
                )
            }
            _ => continue,
        };
        let consequence = if nginx {
            format!(
                "nginx logs `[crit] connect() to unix:{path} failed ({errno}) while connecting to upstream` and answers 502"
            )
        } else {
            "HAProxy answers 503 with termination state `SC--`".to_string()
        };
        out.push(
            Finding::new(&RULE, place.span, format!("{what}: {consequence}"))
                .severity(severity)
                .label(label)
                .help("point the target at the socket the service creates (its `listen` setting), start the service, and give the proxy's user access to it (php-fpm: `listen.owner`/`listen.group`/`listen.mode`)"),
        );
    }
}
