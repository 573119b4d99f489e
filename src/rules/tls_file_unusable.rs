//! `--online`: a CA, certificate or key file that a TLS setting names and the proxy cannot load.

use super::Context;
use crate::finding::{Dialect, Finding};
use crate::probe::certs::CertFile;

declare_rule! {
    code: "GW804",
    name: "tls-file-unusable",
    severity: Error,
    family: Tls,
    dialects: [Nginx, Haproxy],
    refuses: [],
    summary: "(--online) a proxy_ssl_trusted_certificate, proxy_ssl_certificate(_key), ca-file or crt that is missing, unreadable or not PEM",
}

pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(obs) = ctx.observed else { return };
    let nginx = ctx.proxy.dialect == Dialect::Nginx;
    for (span, (path, _, state)) in &obs.files {
        let p = path.display();
        let directive = ctx.sources.text(*span);
        let (what, label) = match state {
            CertFile::Missing => (format!("`{p}` does not exist"), "no such file"),
            CertFile::Unreadable(e) => (format!("`{p}` cannot be read ({e})"), "unreadable"),
            CertFile::NotPem(found) => (format!("`{p}` holds {found}"), "not the PEM it needs"),
            CertFile::Pem { .. } => continue,
        };
        let consequence = if nginx {
            "nginx refuses to start (`[emerg] SSL_CTX_load_verify_locations(…) failed` for a CA file, `cannot load certificate …` for a certificate)".to_string()
        } else {
            format!(
                "HAProxy refuses to start (`Couldn't open the ca-file '{directive}'` for a CA file, `unable to load SSL certificate` for a crt)"
            )
        };
        out.push(
            Finding::new(&RULE, *span, format!("{what}: {consequence}"))
                .label(label)
                .help("deploy the file with the configuration, or fix the path (a relative path starts at the configuration's directory)"),
        );
    }
}
