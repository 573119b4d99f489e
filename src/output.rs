//! How the command line writes: every subcommand builds its output in memory and hands it to
//! [`stdout`], which writes it, flushes it and checks both; messages go to standard error
//! through [`errln!`], which never panics.
//!
//! `print!` is not used: it panics when the write fails (a closed pipe, a full disk), and the
//! line-buffered standard output only reports some failures when it is flushed.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Writes `bytes` to standard output and flushes it. `Err` carries the status the run ends
/// with: the write failed, and [`failed`] has said why.
///
/// A broken pipe (`gwlint … | head -1`: the reader has all it wants and went away) is not a
/// failure: the rest of the output is dropped without a word, as ripgrep and ruff do (a C
/// program would be killed by SIGPIPE; the Rust runtime ignores SIGPIPE, so the write returns
/// EPIPE instead), and the run ends with the status it has anyway: a linter's status says
/// whether there are findings, and `gwlint . | head` under `set -o pipefail` must still fail.
pub(crate) fn stdout(bytes: &[u8]) -> Result<(), ExitCode> {
    let mut lock = io::stdout().lock();
    match lock.write_all(bytes).and_then(|()| lock.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(failed(e)),
        _ => Ok(()),
    }
}

/// The status to end with after a failed write to standard output (ENOSPC, EIO): the output
/// is lost, which is said on standard error, status 2.
pub(crate) fn failed(e: io::Error) -> ExitCode {
    stderr(format_args!("gwlint: error: cannot write output: {e}\n"));
    ExitCode::from(2)
}

/// Writes to standard error, ignoring failure: when standard error itself cannot be written
/// there is nowhere left to say so, and the exit status still tells the outcome. (`eprint!`
/// would panic on a closed pipe or a full disk; std already ignores a closed descriptor.)
pub(crate) fn stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `eprintln!` that never panics: see [`stderr`].
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use errln;

/// A name from the input as it may be printed on a line of its own: control characters
/// (a newline that would start a `::warning` workflow command, terminal escapes) written as
/// escapes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
