//! What more than one suite uses. The integration suite (`tests/suite/`) has it as its
//! `common` module; the feature-gated binaries (`proof.rs`, `differential.rs`, `schemas.rs`,
//! `browser.rs`) include the files they need with `#[path]`.

pub mod cli;
pub mod pages;
pub mod sarif;
