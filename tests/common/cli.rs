//! The gwlint binary as the CLI suites run it: from the repository root, with the settings
//! that would change its output (`GWLINT_FORMAT`, colour, fault injection) cleared.
#![allow(dead_code)]

use std::process::{Command, Output};

pub fn gwlint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwlint"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GWLINT_FORMAT")
        .env_remove("GWLINT_INJECT_PANIC")
        .env("NO_COLOR", "1");
    c
}

pub fn run(args: &[&str]) -> Output {
    gwlint().args(args).output().unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("gwlint was killed by a signal")
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
