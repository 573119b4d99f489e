//! Commands: shell words, and the `-f` list of an HAProxy command line.

use std::path::{Path, PathBuf};

use super::*;

// ---------------------------------------------------------------------------------------------
// Commands

/// Splits a command line as a POSIX shell would split words: quotes and backslashes, no
/// expansion.
pub(super) fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The words of a command with the script of `sh -c SCRIPT` split too, so that
/// `sh -c "haproxy -f /a.cfg"` reads as the haproxy command it runs.
pub(super) fn command_words(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, w) in argv.iter().enumerate() {
        if i > 0 && argv[i - 1] == "-c" && w.contains(char::is_whitespace) {
            out.extend(shell_words(w));
        } else {
            out.push(w.clone());
        }
    }
    out
}

pub(super) fn is_program(word: &str, name: &str) -> bool {
    word == name || word.ends_with(&format!("/{name}"))
}

/// The `-f` files (and those after `--`) of the haproxy the command runs, as run-time paths:
/// relative ones from `-C DIR` or the working directory. Empty when the command is not haproxy.
pub(super) fn haproxy_files(argv: &[String], service: &Service, workdir: &Path) -> Vec<PathBuf> {
    let words = command_words(argv);
    let start = match words.iter().position(|w| is_program(w, "haproxy")) {
        Some(i) => i + 1,
        None => {
            // The official image's entrypoint runs haproxy when the first argument is an option.
            let skip = usize::from(
                words
                    .first()
                    .is_some_and(|w| w.ends_with("docker-entrypoint.sh")),
            );
            let by_image = [&service.image, &service.base_image]
                .into_iter()
                .flatten()
                .any(|i| image_dialect(i) == Some(Dialect::Haproxy));
            match words.get(skip) {
                Some(w) if by_image && w.starts_with('-') => skip,
                _ => return Vec::new(),
            }
        }
    };
    let mut dir = workdir.to_path_buf();
    let mut files = Vec::new();
    let mut args = words[start..]
        .iter()
        .take_while(|w| !matches!(w.as_str(), "&&" | "||" | ";" | "|" | "&"));
    let mut rest_are_files = false;
    while let Some(w) = args.next() {
        let file = match w.as_str() {
            _ if rest_are_files => Some(w),
            "--" => {
                rest_are_files = true;
                None
            }
            "-f" => args.next(),
            "-C" => {
                if let Some(d) = args.next().and_then(|d| runtime_value(d, service)) {
                    dir = in_container(&dir, &d);
                }
                None
            }
            _ => None,
        };
        if let Some(f) = file.and_then(|f| runtime_value(f, service)) {
            files.push(in_container(&dir, &f));
        }
    }
    files
}

/// A word as the container's shell would see it: `$CONFIG` from the service's environment.
/// `None` when it needs a variable the environment does not define.
pub(super) fn runtime_value(word: &str, service: &Service) -> Option<String> {
    expand(word, &|n| service.env_var(n).map(String::from), false)
}
