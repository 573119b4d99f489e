//! `--online`: the client certificate the proxy presents to its backends is expired or about to
//! expire.

use super::support_online::date;
use super::Context;
use crate::finding::{Dialect, Finding, Severity};
use crate::probe::certs::{CertFile, Role};

declare_rule! {
    code: "GW805",
    name: "client-certificate-expiry",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "(--online) the client certificate of proxy_ssl_certificate or an HAProxy crt is expired, or expires within --cert-warn-days",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(obs) = ctx.observed else { return };
    let nginx = ctx.proxy.dialect == Dialect::Nginx;
    for (span, (path, role, state)) in &obs.files {
        let (
            Role::ClientCert,
            CertFile::Pem {
                leaf: Some((subject, not_after)),
                ..
            },
        ) = (role, state)
        else {
            continue;
        };
        let warn_before = i64::from(obs.cert_warn_days) * 86_400;
        let consequence = if nginx {
            "a backend that checks client certificates rejects the handshake: nginx logs `SSL_do_handshake() failed (… sslv3 alert certificate expired:SSL alert number 45) while SSL handshaking to upstream` and answers 502"
        } else {
            "a backend that checks client certificates rejects the handshake: HAProxy answers 503 with termination state `SC--`"
        };
        let f = if *not_after < obs.now {
            Finding::new(
                &RULE,
                *span,
                format!(
                    "the client certificate in `{}` ({subject}) expired on {}: {consequence}",
                    path.display(),
                    date(*not_after)
                ),
            )
            .label("expired")
        } else if *not_after < obs.now + warn_before {
            let days = (*not_after - obs.now) / 86_400;
            Finding::new(
                &RULE,
                *span,
                format!(
                    "the client certificate in `{}` ({subject}) expires on {}, in {days} day{}: then {consequence}",
                    path.display(),
                    date(*not_after),
                    if days == 1 { "" } else { "s" }
                ),
            )
            .severity(Severity::Warning)
            .label("expires soon")
        } else {
            continue;
        };
        out.push(f.help("renew the certificate and deploy it with its key before it expires"));
    }
}
