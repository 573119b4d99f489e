//! The whole pipeline on any bytes read as standard input, in each dialect and every report
//! format: no panic, and no GW000 (a crash caught inside gwlint is a bug too).
#![no_main]

use std::path::PathBuf;

use gwlint::finding::Dialect;
use gwlint::report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for dialect in [None, Some(Dialect::Nginx), Some(Dialect::Haproxy)] {
        let opts = gwlint::Options {
            stdin: Some(("nginx.conf".into(), data.to_vec())),
            dialect,
            ..Default::default()
        };
        let o = gwlint::lint(&[PathBuf::from("-")], &opts);
        assert!(
            !o.findings.iter().any(|f| f.rule.code == "GW000"),
            "{:?}",
            o.findings
        );
        let s = &o.loader.sources;
        let _ = report::concise::render(&o.findings, s);
        let _ = report::json::render(&o.findings, s);
        let _ = report::sarif::render(&o.findings, s, &o.errors);
        let _ = report::github::render(&o.findings, s);
        let _ = report::pretty::render(&o.findings, s, false);
    }
});
