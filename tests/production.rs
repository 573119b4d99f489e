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
