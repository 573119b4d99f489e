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
