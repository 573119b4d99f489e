//! `nginx -T` output as input: a dump holds every configuration file nginx read, each with
//! the run-time path it was read from, so splitting it gives both the files and their layout
//! without the repository or the image at hand.
//!
//! The format, from nginx's `src/core/nginx.c` (commit 3f6f7824d4e2; the same since `-T`
//! appeared in 1.9.2), after the `-t` messages went to stderr:
//!
//! ```c
//! if (ngx_dump_config) {
//!     cd = cycle->config_dump.elts;
//!
//!     for (i = 0; i < cycle->config_dump.nelts; i++) {
//!
//!         ngx_write_stdout("# configuration file ");
//!         (void) ngx_write_fd(ngx_stdout, cd[i].name.data,
//!                             cd[i].name.len);
//!         ngx_write_stdout(":" NGX_LINEFEED);
//!
//!         b = cd[i].buffer;
//!
//!         (void) ngx_write_fd(ngx_stdout, b->pos, b->last - b->pos);
//!         ngx_write_stdout(NGX_LINEFEED);
//!     }
//! }
//! ```
//!
//! So each file is a marker line, its bytes exactly as read, and one linefeed that nginx
//! *always* adds (`NGX_LINEFEED` is `"\x0a"`, `CRLF` on Windows), whether or not the file ends
//! in one: a file without a final newline runs straight into that linefeed, an empty file
//! leaves just it. Stripping exactly one linefeed before the next marker (or the end) gives
//! the file back byte for byte. Files come in the order nginx opened them (an included file
//! after the one that includes it, even when included from its middle), and since 1.11.6
//! each name once: `ngx_conf_add_dump` (`src/core/ngx_conf_file.c`) skips a name already in
//! the dump's tree. Before 1.11.6 a file included twice is printed twice, the same both times.
//! The name is the one nginx opened: the prefix-resolved full path, so always absolute.
//!
//! With `2>&1` the stderr lines of `-t` (`nginx: the configuration file … syntax is ok`,
//! `nginx: configuration file … test is successful`, warnings) come first, since nginx writes
//! them before the dump with unbuffered writes; they are skipped. Tools that merge the two
//! streams themselves (`docker exec … nginx -T` read through the docker CLI) can put them
//! after the dump instead, so such lines are also dropped from the end of the last file.
//!
//! A line inside a file that itself reads `# configuration file /…:` cannot be told from a
//! marker, by nginx's format or by this module: the file is cut there and the rest is taken
//! as a file of that path (or dropped, when that path was already printed). Requiring an
//! absolute path keeps ordinary comments (`# configuration file for example.com:`) out.

use std::collections::HashSet;
use std::ops::Range;

/// One file of an `nginx -T` dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DumpFile {
    /// The run-time path, as printed in its marker line.
    pub(crate) path: String,
    /// The byte range of its content in the dump: exactly the file's bytes.
    pub(crate) text: Range<usize>,
    /// The 1-based line in the dump where its content starts (the line after the marker).
    pub(crate) line: usize,
}

/// What nginx prints before a file's path.
const MARKER: &str = "# configuration file ";

/// How far into the text [`is_dump`] looks for the first marker: past a few stderr lines.
const SNIFF_LINES: usize = 8;

/// Most files [`split`] returns; a real dump has a few hundred at most.
const MAX_FILES: usize = 100_000;

/// A marker line found in a dump.
struct Marker<'a> {
    /// Byte offset of the line's start.
    start: usize,
    /// Byte offset just past the line: where the file's content starts.
    body: usize,
    /// 1-based number of the marker line.
    line: usize,
    path: &'a str,
    /// The linefeed nginx used, read off the marker line: `"\r\n"` from a Windows build.
    linefeed: &'static str,
}

/// Is this text an `nginx -T` dump? True when one of its first 8 lines is a marker
/// (`# configuration file /…:`), which leaves room for the stderr lines `2>&1` puts first.
pub(crate) fn is_dump(text: &str) -> bool {
    lines(text)
        .take(SNIFF_LINES)
        .any(|(number, start, line)| marker(number, start, line).is_some())
}

/// Splits a dump into its files, in order. A path printed twice keeps the first (nginx before
/// 1.11.6 prints a file once per include, the same each time; otherwise a second one is a
/// lookalike line or a second dump pasted after the first). Text before the first marker is
/// not a file. Never panics; at most 100,000 files.
pub(crate) fn split(text: &str) -> Vec<DumpFile> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut markers = markers(text).peekable();
    while let Some(current) = markers.next() {
        if files.len() == MAX_FILES {
            break;
        }
        let end = match markers.peek() {
            Some(next) => strip_linefeed(text, current.body, next.start, current.linefeed),
            None => last_end(text, &current),
        };
        if seen.insert(current.path) {
            files.push(DumpFile {
                path: current.path.to_owned(),
                text: current.body..end,
                line: current.line + 1,
            });
        }
    }
    files
}

/// Every marker line of `text`, in order.
fn markers(text: &str) -> impl Iterator<Item = Marker<'_>> {
    lines(text).filter_map(|(number, start, line)| marker(number, start, line))
}

/// The lines of `text` with their 1-based number and byte offset; each keeps its `\n`.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    text.split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .zip(1..)
        .map(|((start, line), number)| (number, start, line))
}

/// The marker a line is, if it is one.
fn marker(number: usize, start: usize, line: &str) -> Option<Marker<'_>> {
    // A dump saved by an editor may start with a byte order mark.
    let bare = if start == 0 {
        line.trim_start_matches('\u{feff}')
    } else {
        line
    };
    let bare = bare.strip_suffix('\n').unwrap_or(bare);
    let (bare, linefeed) = match bare.strip_suffix('\r') {
        Some(bare) => (bare, "\r\n"),
        None => (bare, "\n"),
    };
    let path = bare.strip_prefix(MARKER)?.strip_suffix(':')?;
    is_absolute(path).then_some(Marker {
        start,
        body: start + line.len(),
        line: number,
        path,
        linefeed,
    })
}

/// Is `path` absolute, as nginx prints every configuration file's name: `/…` on Unix,
/// `C:\…` or `C:/…` on Windows.
fn is_absolute(path: &str) -> bool {
    match path.as_bytes() {
        [b'/', ..] => true,
        [drive, b':', b'\\' | b'/', ..] => drive.is_ascii_alphabetic(),
        _ => false,
    }
}

/// The end of a file's content that runs from `body` to `end`: `end` less the linefeed nginx
/// adds after every file, when it is there (a truncated dump may lack it).
fn strip_linefeed(text: &str, body: usize, end: usize, linefeed: &str) -> usize {
    let content = &text[body..end];
    if content.ends_with(linefeed) {
        end - linefeed.len()
    } else if content.ends_with('\n') {
        end - 1
    } else {
        end
    }
}

/// The end of the last file's content: before nginx's stderr lines when a tool merged them in
/// after the dump, then before nginx's linefeed.
fn last_end(text: &str, last: &Marker) -> usize {
    let mut end = text.len();
    while let Some(start) = last_line_start(text, last.body, end) {
        if !is_nginx_stderr(&text[start..end]) {
            break;
        }
        end = start;
    }
    strip_linefeed(text, last.body, end, last.linefeed)
}

/// Where the complete line ending at `end` starts, not before `body`; `None` when the text
/// there does not end in a newline or has no line.
fn last_line_start(text: &str, body: usize, end: usize) -> Option<usize> {
    let content = text[body..end].strip_suffix('\n')?;
    Some(content.rfind('\n').map_or(body, |at| body + at + 1))
}

/// Is this line one nginx writes to stderr under `-T`: the `-t` verdicts, or a message with a
/// level (`nginx: [warn] …`)? None of them parses as configuration, so none ends a real file.
fn is_nginx_stderr(line: &str) -> bool {
    let line = line.trim_end_matches(['\r', '\n']);
    let Some(message) = line.strip_prefix("nginx: ") else {
        return false;
    };
    message.starts_with('[')
        || (message.starts_with("the configuration file ") && message.ends_with(" syntax is ok"))
        || (message.starts_with("configuration file ") && message.ends_with(" test is successful"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `nginx -T -e stderr -p /tmp/gwdump/ -c /tmp/gwdump/nginx.conf 2>&1` of nginx 1.22.1
    /// (Debian 1.22.1-9+deb12u7), verbatim.
    const REAL_DUMP: &str = r#"nginx: the configuration file /tmp/gwdump/nginx.conf syntax is ok
nginx: configuration file /tmp/gwdump/nginx.conf test is successful
# configuration file /tmp/gwdump/nginx.conf:
# main configuration
worker_processes 1;
error_log stderr;
pid nginx.pid;

events {
    worker_connections 64;
}

http {
    include mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

    include conf.d/*.conf;
}

# configuration file /tmp/gwdump/mime.types:
types {
    text/html  html htm;
    text/css   css;
    application/json  json;
}

# configuration file /tmp/gwdump/conf.d/app.conf:
upstream app {
    server 127.0.0.1:8080;
}

server {
    listen 127.0.0.1:8081;
    location / {
        include snippets/proxy.conf;
        proxy_pass http://app;
    }
    location /api/ {
        include snippets/proxy.conf;
        proxy_pass http://app;
    }
}
# configuration file /tmp/gwdump/snippets/proxy.conf:
proxy_set_header Host $host;
# configuration file lookalike, not a marker: no colon at the end
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;


# configuration file /tmp/gwdump/conf.d/empty.conf:

"#;

    /// The files that dump was made from, verbatim: `conf.d/app.conf` has no final newline,
    /// `snippets/proxy.conf` is included twice and printed once, `conf.d/empty.conf` is empty.
    const REAL_FILES: [(&str, &str); 5] = [
        (
            "/tmp/gwdump/nginx.conf",
            r#"# main configuration
worker_processes 1;
error_log stderr;
pid nginx.pid;

events {
    worker_connections 64;
}

http {
    include mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

    include conf.d/*.conf;
}
"#,
        ),
        (
            "/tmp/gwdump/mime.types",
            r#"types {
    text/html  html htm;
    text/css   css;
    application/json  json;
}
"#,
        ),
        (
            "/tmp/gwdump/conf.d/app.conf",
            r#"upstream app {
    server 127.0.0.1:8080;
}

server {
    listen 127.0.0.1:8081;
    location / {
        include snippets/proxy.conf;
        proxy_pass http://app;
    }
    location /api/ {
        include snippets/proxy.conf;
        proxy_pass http://app;
    }
}"#,
        ),
        (
            "/tmp/gwdump/snippets/proxy.conf",
            r#"proxy_set_header Host $host;
# configuration file lookalike, not a marker: no colon at the end
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

"#,
        ),
        ("/tmp/gwdump/conf.d/empty.conf", r#""#),
    ];

    /// The content of each file `split` finds, by path.
    fn contents(dump: &str) -> Vec<(String, &str)> {
        split(dump)
            .into_iter()
            .map(|file| (file.path, &dump[file.text]))
            .collect()
    }

    fn real_files() -> Vec<(String, &'static str)> {
        REAL_FILES
            .iter()
            .map(|&(path, text)| (path.to_owned(), text))
            .collect()
    }

    #[test]
    fn real_dump_gives_back_every_file_byte_for_byte() {
        assert!(is_dump(REAL_DUMP));
        assert_eq!(contents(REAL_DUMP), real_files());
    }

    #[test]
    fn real_dump_lines() {
        let lines: Vec<usize> = split(REAL_DUMP).iter().map(|file| file.line).collect();
        assert_eq!(lines, [4, 27, 34, 50, 56]);
        for file in split(REAL_DUMP) {
            let before = &REAL_DUMP[..file.text.start];
            assert_eq!(before.matches('\n').count() + 1, file.line, "{}", file.path);
            assert!(before.ends_with(&format!("# configuration file {}:\n", file.path)));
        }
    }

    #[test]
    fn stderr_lines_after_the_dump_are_not_content() {
        let (stderr, dump) = REAL_DUMP.split_at(REAL_DUMP.find("# configuration").unwrap_or(0));
        let merged_late = format!("{dump}{stderr}nginx: [warn] late warning\n");
        assert_eq!(contents(&merged_late), real_files());
        let without_stderr = contents(dump);
        assert_eq!(without_stderr, real_files());
    }

    #[test]
    fn sniffing() {
        assert!(is_dump(
            "# configuration file /etc/nginx/nginx.conf:\nevents {}\n\n"
        ));
        let late = format!(
            "{}# configuration file /etc/nginx/nginx.conf:\n",
            "nginx: x\n".repeat(7)
        );
        assert!(is_dump(&late));
        let too_late = format!(
            "{}# configuration file /etc/nginx/nginx.conf:\n",
            "x\n".repeat(8)
        );
        assert!(!is_dump(&too_late));
        assert!(is_dump(
            "# configuration file C:\\nginx/conf/nginx.conf:\r\nevents {}\r\n\r\n"
        ));
        assert!(is_dump(
            "\u{feff}# configuration file /etc/nginx/nginx.conf:\n\n"
        ));
        for text in [
            "",
            "events {}\nhttp {}\n",
            REAL_FILES[0].1,
            "# configuration file for example.com:\nserver {}\n",
            "# configuration file nginx.conf:\n",
            "# configuration file /etc/nginx/nginx.conf\n",
            " # configuration file /etc/nginx/nginx.conf:\n",
            "# configuration file :\n",
        ] {
            assert!(!is_dump(text), "{text:?}");
        }
    }

    #[test]
    fn file_without_final_newline_and_empty_files() {
        // `x;` without a newline, then an empty file, then a file of one empty line.
        let dump = "# configuration file /a:\nx;\n# configuration file /b:\n\n# configuration file /c:\n\n\n";
        assert_eq!(
            contents(dump),
            [
                ("/a".to_owned(), "x;"),
                ("/b".to_owned(), ""),
                ("/c".to_owned(), "\n")
            ]
        );
    }

    #[test]
    fn truncated_dumps() {
        assert_eq!(
            contents("# configuration file /a:\nevents {"),
            [("/a".to_owned(), "events {")]
        );
        assert_eq!(
            contents("# configuration file /a:"),
            [("/a".to_owned(), "")]
        );
        assert_eq!(split("# configuration file /a:")[0].line, 2);
        assert!(split("").is_empty());
        assert!(split("nginx: [emerg] unknown directive \"foo\"\n").is_empty());
    }

    #[test]
    fn a_path_printed_twice_keeps_the_first() {
        let dump = "# configuration file /a:\none;\n\n# configuration file /b:\ntwo;\n\n\
                    # configuration file /a:\nthree;\n\n";
        assert_eq!(
            contents(dump),
            [("/a".to_owned(), "one;\n"), ("/b".to_owned(), "two;\n")]
        );
    }

    #[test]
    fn a_lookalike_line_is_taken_as_a_marker() {
        // nginx would print this file unchanged; nothing tells its second line from a marker.
        let dump = "# configuration file /a:\none;\n# configuration file /x:\ntwo;\n\n";
        assert_eq!(
            contents(dump),
            [("/a".to_owned(), "one;"), ("/x".to_owned(), "two;\n")]
        );
    }

    #[test]
    fn windows_linefeeds() {
        let dump = "nginx: the configuration file C:\\nginx/conf/nginx.conf syntax is ok\r\n\
                    # configuration file C:\\nginx/conf/nginx.conf:\r\nevents {}\r\n\r\n\
                    # configuration file C:\\nginx/conf/mime.types:\r\ntypes {}\r\n";
        assert_eq!(
            contents(dump),
            [
                ("C:\\nginx/conf/nginx.conf".to_owned(), "events {}\r\n"),
                ("C:\\nginx/conf/mime.types".to_owned(), "types {}"),
            ]
        );
    }

    #[test]
    fn unix_dump_of_a_crlf_file_keeps_its_carriage_returns() {
        let dump = "# configuration file /a:\nevents {}\r\n\n# configuration file /b:\n\n";
        assert_eq!(
            contents(dump),
            [("/a".to_owned(), "events {}\r\n"), ("/b".to_owned(), "")]
        );
    }

    #[test]
    fn at_most_max_files() {
        let dump: String = (0..=MAX_FILES)
            .map(|i| format!("# configuration file /f{i}:\n\n"))
            .collect();
        let files = split(&dump);
        assert_eq!(files.len(), MAX_FILES);
        assert_eq!(files[MAX_FILES - 1].path, format!("/f{}", MAX_FILES - 1));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_ranges_hold(
            text in "(# configuration file /[ab]:\r?\n|# configuration file /é:|nginx: \\[warn\\] x\r?\n|é|x|\r|\n|:|\u{feff})*"
        ) {
            let mut previous_end = 0;
            for file in split(&text) {
                proptest::prop_assert!(previous_end <= file.text.start);
                proptest::prop_assert!(file.text.start <= file.text.end);
                proptest::prop_assert!(text.get(file.text.clone()).is_some());
                proptest::prop_assert!(file.line >= 2);
                previous_end = file.text.end;
            }
            let _ = is_dump(&text);
        }
    }
}
