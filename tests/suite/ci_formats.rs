//! The formats other CI systems read: checkstyle and JUnit XML, GitLab's Code Climate JSON.
//! Each is snapshotted on `examples/` and parsed back to check what its consumers require.

use std::collections::BTreeMap;
use std::process::Output;

use insta_cmd::assert_cmd_snapshot;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::common::cli as common_cli;
use crate::snapshots;
use common_cli::{gwlint, run};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("output is UTF-8")
}

#[test]
fn format_checkstyle() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "ci_formats__format_checkstyle",
            gwlint().args(["--format", "checkstyle", "examples/"])
        );
    });
}

#[test]
fn format_junit() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "ci_formats__format_junit",
            gwlint().args(["--format", "junit", "examples/"])
        );
    });
}

#[test]
fn format_gitlab() {
    snapshots().bind(|| {
        assert_cmd_snapshot!(
            "ci_formats__format_gitlab",
            gwlint().args(["--format", "gitlab", "examples/"])
        );
    });
}

// ---- an XML document parsed back ------------------------------------------------------------

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, k: &str) -> &str {
        self.attrs
            .get(k)
            .unwrap_or_else(|| panic!("<{}> has no {k}: {:?}", self.name, self.attrs))
    }
    fn all(&self, name: &str) -> Vec<&Node> {
        assert!(
            self.children.iter().all(|c| c.name == name),
            "<{}> holds only <{name}>: {:?}",
            self.name,
            self.children.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        self.children.iter().collect()
    }
    fn num(&self, k: &str) -> usize {
        self.attr(k)
            .parse()
            .unwrap_or_else(|_| panic!("{k}={:?} is a number", self.attr(k)))
    }
}

fn element(e: &BytesStart) -> Node {
    let mut n = Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.expect("well-formed attribute");
        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
        let value = a
            .normalized_value(XmlVersion::Explicit1_0)
            .expect("attribute value escaped")
            .into_owned();
        assert!(n.attrs.insert(key, value).is_none(), "duplicate attribute");
    }
    n
}

/// Parses the whole document (panicking where it is not well-formed) and returns its root.
fn parse_xml(s: &str) -> Node {
    assert!(s.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let mut reader = Reader::from_str(s);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().expect("balanced tags").children.push(n);
            }
            Event::Text(t) => {
                let t = t.xml10_content().unwrap();
                stack.last_mut().unwrap().text.push_str(&t);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap())
                        .expect("only XML's predefined entities")
                        .to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.remove(0)
}

fn concise_lines() -> Vec<String> {
    stdout(&run(&["--format", "concise", "-q", "examples/"]))
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn checkstyle_structure() {
    let root = parse_xml(&stdout(&run(&["--format", "checkstyle", "examples/"])));
    assert_eq!(root.name, "checkstyle");
    let mut seen = Vec::new();
    for file in root.all("file") {
        let name = file.attr("name");
        assert!(!name.starts_with('/') && !name.starts_with("./"), "{name}");
        for e in file.all("error") {
            assert!(e.num("line") >= 1 && e.num("column") >= 1);
            assert!(["error", "warning", "info"].contains(&e.attr("severity")));
            assert!(e.attr("source").starts_with("gwlint.GW"));
            assert!(!e.attr("message").is_empty());
            let code = e.attr("source").split('.').nth(1).unwrap();
            seen.push(format!(
                "{name}:{}:{}: {}[{code}]",
                e.attr("line"),
                e.attr("column"),
                e.attr("severity")
            ));
        }
    }
    // The same findings as the concise format, in the same order.
    let concise: Vec<String> = concise_lines()
        .iter()
        .map(|l| l.split_once("] ").unwrap().0.to_string() + "]")
        .collect();
    assert_eq!(seen, concise);
}

#[test]
fn junit_structure() {
    let root = parse_xml(&stdout(&run(&["--format", "junit", "examples/"])));
    assert_eq!(root.name, "testsuites");
    let suites = root.all("testsuite");
    let mut total = 0;
    for s in &suites {
        assert!(!s.attr("name").is_empty());
        let cases = s.all("testcase");
        assert_eq!(s.num("tests"), cases.len());
        assert_eq!(s.num("failures"), cases.len());
        for c in cases {
            assert!(c.attr("name").starts_with("GW"));
            assert_eq!(c.attr("classname"), s.attr("name"));
            let failures = c.all("failure");
            assert_eq!(failures.len(), 1);
            assert!(!failures[0].attr("message").is_empty());
            assert!(failures[0].text.starts_with(s.attr("name")));
        }
        total += s.num("tests");
    }
    assert_eq!(root.num("tests"), total);
    assert_eq!(root.num("failures"), total);
    assert_eq!(total, concise_lines().len());
}

#[test]
fn junit_clean_run_is_one_passing_case() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n",
    )
    .unwrap();
    let o = run(&["--format", "junit", conf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let root = parse_xml(&stdout(&o));
    assert_eq!((root.num("tests"), root.num("failures")), (1, 0));
    let case = &root.all("testsuite")[0].all("testcase")[0];
    assert!(case.children.is_empty(), "no <failure> in a clean run");
}

/// A message that carries XML's markup characters (from an upstream name in quotes) comes
/// back unchanged from both XML formats.
#[test]
fn xml_formats_escape_markup() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp {\n  server {\n    listen 80;\n    location / { proxy_pass \"http://a<&\\\"'b\"; }\n  }\n}\n",
    )
    .unwrap();
    let conf = conf.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "json", conf]).stdout).unwrap();
    let message = json[0]["message"].as_str().unwrap();
    assert!(message.contains("a<&\"'b"), "{message}");
    let help = json[0]["help"].as_str().unwrap();

    let root = parse_xml(&stdout(&run(&["--format", "checkstyle", conf])));
    let error = &root.all("file")[0].all("error")[0];
    assert_eq!(error.attr("message"), format!("{message}\nhelp: {help}"));

    let root = parse_xml(&stdout(&run(&["--format", "junit", conf])));
    let failure = &root.all("testsuite")[0].all("testcase")[0].all("failure")[0];
    assert_eq!(failure.attr("message"), message);
    assert!(failure.text.contains(message), "{}", failure.text);
}

// ---- GitLab code quality ----------------------------------------------------------------------

#[test]
fn gitlab_is_code_climate() {
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "gitlab", "examples/"]).stdout).unwrap();
    let issues = v.as_array().expect("an array of issues");
    assert_eq!(issues.len(), concise_lines().len());
    let mut prints = std::collections::HashSet::new();
    for i in issues {
        // Code Climate's required fields and GitLab's.
        assert_eq!(i["type"], "issue");
        assert!(i["check_name"].as_str().unwrap().starts_with("GW"));
        assert!(!i["description"].as_str().unwrap().is_empty());
        assert!(
            i["categories"]
                .as_array()
                .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c.is_string()))
        );
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        let path = i["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.starts_with("./"), "{path}");
        let begin = i["location"]["lines"]["begin"].as_u64().unwrap();
        assert!(begin >= 1 && i["location"]["lines"]["end"].as_u64().unwrap() >= begin);
        assert!(
            prints.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "fingerprints are unique"
        );
    }
    // Stable between runs.
    assert_eq!(
        v,
        serde_json::from_slice::<serde_json::Value>(
            &run(&["--format", "gitlab", "examples/"]).stdout
        )
        .unwrap()
    );
}

#[test]
fn gitlab_clean_run_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n",
    )
    .unwrap();
    let o = run(&["--format", "gitlab", conf.to_str().unwrap()]);
    assert_eq!(stdout(&o), "[]\n");
}

#[test]
fn output_file_holds_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let o = run(&[
        "--format",
        "sarif",
        "-o",
        file.to_str().unwrap(),
        "examples/",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn baseline_hides_recorded_findings_and_names_fixed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    let body = |extra: &str| {
        format!(
            "events {{}}\nhttp {{\n  server {{\n    listen 80;\n    location / {{ proxy_pass http://app; }}\n{extra}  }}\n}}\n"
        )
    };
    std::fs::write(&conf, body("")).unwrap();
    let base = dir.path().join("gwlint-baseline.json");
    let (c, b) = (conf.to_str().unwrap(), base.to_str().unwrap());
    let o = run(&["--write-baseline", b, c]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(recorded["findings"][0]["code"], "GW101");
    // Recorded: nothing new, exit 0, and the summary says what the baseline hides.
    let o = run(&["--baseline", b, "--format", "concise", c]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("recorded in the baseline"),
        "{}",
        stdout(&o)
    );
    // A new finding on a moved line is reported; the old one stays hidden.
    std::fs::write(
        &conf,
        format!(
            "# moved\n{}",
            body("    location /b { proxy_pass http://other; }\n")
        ),
    )
    .unwrap();
    let o = run(&["--baseline", b, "--format", "concise", c]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("\"other\"") && !out.contains("\"app\""),
        "{out}"
    );
    // Fixed: the entry is named as no longer occurring.
    std::fs::write(
        &conf,
        body("").replace("http://app", "http://127.0.0.1:8080"),
    )
    .unwrap();
    let out = stdout(&run(&["--baseline", b, "--format", "concise", c]));
    assert!(out.contains("1 baseline entry no longer occurs"), "{out}");
    // A file that is not a baseline is a usage error.
    let o = run(&["--baseline", c, c]);
    assert_eq!(o.status.code(), Some(2));
}
