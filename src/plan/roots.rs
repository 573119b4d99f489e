//! The directories a proxy's configuration lives in at run time, in one table
//! (`reference/deployments.md`): where a main file is looked for by inference, and where the
//! stock files a package or image ships sit.

/// One run-time configuration root.
pub(crate) struct Root {
    pub(crate) path: &'static str,
    /// nginx's stock files (`mime.types`, `fastcgi_params`, …) sit right below it.
    pub(crate) stock: bool,
}

const fn root(path: &'static str, stock: bool) -> Root {
    Root { path, stock }
}

/// Longest first, so that `/config/nginx` wins over `/config`.
pub(crate) const ROOTS: &[Root] = &[
    // OpenResty, Bitnami, a source build's default prefix.
    root("/usr/local/openresty/nginx/conf", true),
    root("/opt/bitnami/nginx/conf", true),
    root("/usr/local/nginx/conf", true),
    // HAProxy's official image, FreeBSD ports and Homebrew's nginx.
    root("/usr/local/etc/haproxy", false),
    root("/opt/homebrew/etc/nginx", true),
    root("/usr/local/etc/nginx", true),
    // linuxserver's images: their nginx.conf includes /etc/nginx/mime.types, so no stock
    // files below /config.
    root("/config/nginx", false),
    // Distribution packages and most images.
    root("/etc/haproxy", false),
    root("/etc/nginx", true),
    root("/config", false),
];

/// Every root's path, longest first.
pub(crate) fn paths() -> impl Iterator<Item = &'static str> {
    ROOTS.iter().map(|r| r.path)
}

/// The roots nginx's stock files sit below.
pub(crate) fn stock_paths() -> impl Iterator<Item = &'static str> {
    ROOTS.iter().filter(|r| r.stock).map(|r| r.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_roots_come_before_their_prefixes() {
        for (i, a) in ROOTS.iter().enumerate() {
            for b in &ROOTS[i + 1..] {
                assert!(
                    !b.path.starts_with(a.path) || b.path == a.path,
                    "{} comes after its prefix {}",
                    b.path,
                    a.path
                );
            }
        }
    }
}
