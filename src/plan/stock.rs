//! The files nginx packages and images ship next to `nginx.conf` (`mime.types`,
//! `fastcgi_params`, Debian's `proxy_params`, …). Repositories `include` them without keeping
//! a copy, and what they set matters to rules (a `fastcgi_params` that sets `HTTPS`, a
//! `mime.types` that is a `types` block), so they are known here by their real content,
//! embedded from `data/stock/` (see `data/stock/README.md` for where each came from).

use std::path::{Component, Path};

/// A file an image or package ships, known by its content.
#[derive(Debug)]
pub(crate) struct Stock {
    /// The name below the configuration root, e.g. `mime.types` or `snippets/snakeoil.conf`.
    pub(crate) name: &'static str,
    /// The file's content, byte for byte as shipped.
    pub(crate) text: &'static str,
}

/// Builds a [`Stock`] from a file under `data/stock/`; the second argument says where the
/// content comes from (`nginx 1.31.4 conf/mime.types (stock)`), as `data/stock/README.md` does.
macro_rules! stock {
    ($name:literal, $origin:expr, $file:expr) => {
        Stock {
            name: $name,
            text: include_str!(concat!("../../data/stock/", $file)),
        }
    };
}

/// One of nginx's own `conf/` files: every build installs them into its configuration root.
macro_rules! upstream {
    ($name:literal) => {
        stock!(
            $name,
            concat!("nginx 1.31.4 conf/", $name, " (stock)"),
            concat!("nginx/", $name)
        )
    };
}

/// One of the files only Debian's (and Ubuntu's) `nginx-common` adds under `/etc/nginx`.
macro_rules! debian {
    ($name:literal) => {
        stock!(
            $name,
            concat!("Debian nginx-common 1.22.1 /etc/nginx/", $name, " (stock)"),
            concat!("debian/", $name)
        )
    };
}

/// Every file [`lookup`] knows. Upstream's versions of the shared names, not Debian's: the
/// official image, OpenResty, Bitnami and source builds ship upstream's, and Debian's differ
/// only in a few parameters (see the README).
static STOCK: [Stock; 11] = [
    upstream!("mime.types"),
    upstream!("fastcgi_params"),
    upstream!("fastcgi.conf"),
    upstream!("scgi_params"),
    upstream!("uwsgi_params"),
    upstream!("koi-utf"),
    upstream!("koi-win"),
    upstream!("win-utf"),
    debian!("proxy_params"),
    debian!("snippets/fastcgi-php.conf"),
    debian!("snippets/snakeoil.conf"),
];

static OFFICIAL_MAIN: Stock = stock!(
    "nginx.conf",
    "nginx:1.29.8 image /etc/nginx/nginx.conf (stock)",
    "docker-nginx/nginx.conf"
);

#[cfg(test)]
static OFFICIAL_DEFAULT_SITE: Stock = stock!(
    "conf.d/default.conf",
    "nginx:1.29.8 image /etc/nginx/conf.d/default.conf (stock)",
    "docker-nginx/default.conf"
);

/// The stock file a run-time path names, if any.
///
/// An absolute path matches when it is one of the names right below one of the known
/// configuration roots (`/etc/nginx/mime.types`, `/usr/local/openresty/nginx/conf/fastcgi.conf`,
/// `/etc/nginx/snippets/snakeoil.conf`); a relative path matches when it is the name itself
/// (`mime.types`, `./fastcgi_params`), for a caller that could not resolve the prefix.
/// Repeated slashes and `.` components are ignored; a path with `..` never matches, since
/// what it names depends on symbolic links.
///
/// Every name matches under every root, although not every image ships every file (the
/// official image has no `fastcgi.conf`, `koi-*`, `proxy_params` or `snippets/`): nginx
/// would fail to open a missing one, which is not this function's to judge.
pub(crate) fn lookup(runtime: &Path) -> Option<&'static Stock> {
    let name = name_below_root(runtime)?;
    STOCK.iter().find(|stock| stock.name == name)
}

/// The main configuration of the official nginx image (`/etc/nginx/nginx.conf` in `nginx:*`),
/// used when a deployment mounts only `conf.d/` into that image.
pub(crate) fn official_image_main() -> &'static Stock {
    &OFFICIAL_MAIN
}

/// The official image's `/etc/nginx/conf.d/default.conf`, as packaged (before the image's
/// entrypoint adds `listen [::]:80;` on hosts with IPv6).
#[cfg(test)]
pub(crate) fn official_image_default_site() -> &'static Stock {
    &OFFICIAL_DEFAULT_SITE
}

/// The part of `path` a stock name would be: below a known root for an absolute path, the
/// whole of a relative one; joined with `/` whatever the platform.
fn name_below_root(path: &Path) -> Option<String> {
    let tail = if path.has_root() {
        crate::plan::roots::stock_paths().find_map(|root| path.strip_prefix(root).ok())?
    } else {
        path
    };
    join_normal(tail)
}

/// Joins the plain components of a relative path with `/`; `None` when it has `..`, a root or
/// a name that is not UTF-8 (no stock name is any of those).
fn join_normal(path: &Path) -> Option<String> {
    let mut joined = String::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => {
                if !joined.is_empty() {
                    joined.push('/');
                }
                joined.push_str(part.to_str()?);
            }
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 11] = [
        "mime.types",
        "fastcgi_params",
        "fastcgi.conf",
        "scgi_params",
        "uwsgi_params",
        "koi-utf",
        "koi-win",
        "win-utf",
        "proxy_params",
        "snippets/fastcgi-php.conf",
        "snippets/snakeoil.conf",
    ];

    fn found(path: &str) -> Option<&'static str> {
        lookup(Path::new(path)).map(|stock| stock.name)
    }

    #[test]
    fn every_name_under_every_root() {
        for root in crate::plan::roots::stock_paths() {
            for name in NAMES {
                assert_eq!(
                    found(&format!("{root}/{name}")),
                    Some(name),
                    "{root}/{name}"
                );
            }
        }
    }

    #[test]
    fn relative_names() {
        for name in NAMES {
            assert_eq!(found(name), Some(name));
            assert_eq!(found(&format!("./{name}")), Some(name));
        }
    }

    #[test]
    fn untidy_spellings_of_a_root() {
        assert_eq!(found("/etc//nginx/./mime.types"), Some("mime.types"));
        assert_eq!(
            found("/etc/nginx/snippets//snakeoil.conf"),
            Some("snippets/snakeoil.conf")
        );
    }

    #[test]
    fn no_match() {
        for path in [
            "/etc/nginx/conf.d/x.conf",
            "/etc/nginx/mime.types.bak",
            "/etc/nginx/conf.d/mime.types",
            "/etc/nginx/conf.d/../mime.types",
            "/srv/app/mime.types",
            "/mime.types",
            "/etc/nginx",
            "/etc/nginx/",
            "/etc/nginx/snippets",
            "/etc/nginx/nginx.conf",
            "conf/mime.types",
            "../mime.types",
            "MIME.TYPES",
            "",
        ] {
            assert_eq!(found(path), None, "{path}");
        }
    }

    #[test]
    fn names_and_files_agree() {
        let names: Vec<&str> = STOCK.iter().map(|stock| stock.name).collect();
        assert_eq!(names, NAMES);
        for stock in &STOCK {
            assert!(stock.text.ends_with('\n'), "{}", stock.name);
        }
    }

    #[test]
    fn content_is_the_real_one() {
        let text = |name: &str| lookup(Path::new(name)).map_or("", |stock| stock.text);
        assert!(text("mime.types").starts_with("\ntypes {\n"));
        assert!(text("mime.types").contains("    text/html "));
        assert!(
            text("fastcgi_params").contains("fastcgi_param  QUERY_STRING       $query_string;")
        );
        assert!(
            text("fastcgi.conf")
                .contains("fastcgi_param  SCRIPT_FILENAME    $document_root$fastcgi_script_name;")
        );
        assert!(text("scgi_params").contains("scgi_param  REQUEST_METHOD     $request_method;"));
        assert!(text("uwsgi_params").contains("uwsgi_param  QUERY_STRING       $query_string;"));
        assert!(text("koi-utf").contains("charset_map  koi8-r  utf-8 {"));
        assert!(text("koi-win").contains("charset_map  koi8-r  windows-1251 {"));
        assert!(text("win-utf").contains("charset_map  windows-1251  utf-8 {"));
        assert!(
            text("proxy_params")
                .contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
        );
        assert!(text("snippets/fastcgi-php.conf").contains("include fastcgi.conf;"));
        assert!(
            text("snippets/snakeoil.conf")
                .contains("ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;")
        );
    }

    #[test]
    fn official_image() {
        let main = official_image_main();
        assert!(
            main.text
                .contains("    include       /etc/nginx/mime.types;\n")
        );
        assert!(
            main.text
                .contains("    include /etc/nginx/conf.d/*.conf;\n")
        );
        assert!(main.text.contains("user  nginx;"));
        let site = official_image_default_site();
        assert!(site.text.starts_with("server {\n    listen       80;\n"));
        assert!(site.text.contains("root   /usr/share/nginx/html;"));
    }
}
