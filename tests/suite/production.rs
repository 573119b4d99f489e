//! A production-grade configuration gets no error and no warning: precision is the point.

use gwlint::finding::Severity;

#[test]
fn production_config_is_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/production/nginx.conf");
    let o = gwlint::lint(&[root], &gwlint::Options::default());
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    let loud: Vec<String> = o
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| format!("{} {}", f.rule.code, f.message))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert!(o.files >= 2, "the fastcgi_params include was followed");
}

/// A multi-file site (`nginx.conf` including `conf.d/*.conf` with upstreams and settings and
/// `sites/*.conf` with servers): nothing at all, linted as a whole, as a directory, or one
/// file at a time — also with the backends' facts declared, which it respects.
mod site {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use gwlint::facts::{Backend, Facts};

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/production-site")
    }

    fn facts(shop_idle: u64) -> Facts {
        Facts {
            backends: vec![
                Backend {
                    target: "shop_app".into(),
                    idle_timeout: Some(Duration::from_secs(shop_idle)),
                    ..Backend::default()
                },
                Backend {
                    target: "reports".into(),
                    idle_timeout: Some(Duration::from_secs(60)),
                    max_response_time: Some(Duration::from_secs(100)),
                    ..Backend::default()
                },
            ],
            ..Facts::default()
        }
    }

    fn findings(path: PathBuf, facts: Facts) -> (Vec<String>, usize) {
        let opts = gwlint::Options {
            facts,
            ..gwlint::Options::default()
        };
        let o = gwlint::lint(&[path], &opts);
        assert!(o.errors.is_empty(), "{:?}", o.errors);
        let found = o
            .findings
            .iter()
            .map(|f| format!("{} {}", f.rule.code, f.message))
            .collect();
        (found, o.files)
    }

    #[test]
    fn clean_as_a_whole_as_a_directory_and_file_by_file() {
        let d = dir();
        for (path, files) in [(d.join("nginx.conf"), 6), (d.clone(), 6)] {
            let (found, n) = findings(path.clone(), facts(5));
            assert!(found.is_empty(), "{}: {found:#?}", path.display());
            assert_eq!(
                n,
                files,
                "{}: every file of the site was read",
                path.display()
            );
        }
        for f in [
            "conf.d/proxy.conf",
            "conf.d/upstreams.conf",
            "sites/shop.conf",
            "sites/billing.conf",
            "snippets/proxy-headers.conf",
        ] {
            let (found, _) = findings(d.join(f), facts(5));
            assert!(found.is_empty(), "{f} alone: {found:#?}");
        }
    }

    #[test]
    fn the_same_site_with_a_faster_closing_backend_is_reported() {
        // Node.js before its 65s default closes after 5s; a backend closing after 3s races
        // nginx's `keepalive_timeout 4s`.
        let (found, _) = findings(dir().join("nginx.conf"), facts(3));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("GW504 upstream `shop_app`"),
            "{found:#?}"
        );
    }
}
