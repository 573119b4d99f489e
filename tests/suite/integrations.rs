//! The files that plug gwlint into other tools: `.pre-commit-hooks.yaml` (fields and the
//! `files` pattern) and the GitHub Action `action.yml` (its script run here as the runner
//! would run it). The real pre-commit run is in tests/precommit.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(docs.len(), 1, "{name} is one YAML document");
    docs.remove(0)
}

fn str_of<'a>(y: &'a Yaml, key: &str) -> &'a str {
    y[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {y:?}"))
}

// ---- pre-commit -------------------------------------------------------------------------------

fn hooks() -> Vec<Yaml> {
    load(".pre-commit-hooks.yaml")
        .into_vec()
        .expect("a list of hooks")
}

#[test]
fn hooks_have_what_pre_commit_requires() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| str_of(h, "id")).collect();
    assert_eq!(ids, ["gwlint", "gwlint-system"]);
    for h in &hooks {
        for key in ["id", "name", "entry", "language", "files", "description"] {
            assert!(!str_of(h, key).is_empty());
        }
        assert_eq!(str_of(h, "entry"), "gwlint");
        assert_eq!(h["require_serial"].as_bool(), Some(true));
    }
    assert_eq!(str_of(&hooks[0], "language"), "rust");
    assert_eq!(str_of(&hooks[1], "language"), "system");
    assert_eq!(str_of(&hooks[0], "files"), str_of(&hooks[1], "files"));
}

#[test]
fn hook_files_pattern_matches_configs_by_name_and_place() {
    // pre-commit applies `files` with Python's re.search; this pattern uses only syntax that
    // Python's `re` and Rust's `regex` read alike.
    let hooks = hooks();
    let re = regex::Regex::new(str_of(&hooks[0], "files")).expect("a valid pattern");
    let matched = [
        "nginx.conf",
        "deploy/nginx.conf",
        "nginx/proxy.conf",
        "etc/nginx/snippets/headers.conf",
        "conf.d/api.conf",
        "deploy/conf.d/api.conf",
        "sites-enabled/shop.conf",
        "etc/nginx/sites-available/default",
        "etc/nginx/sites-available/example.com",
        "sites-enabled/api.example.org",
        "templates/default.conf.template",
        "nginx/templates/stream/tcp.conf.stream-template",
        "config/nginx/site-confs/default.conf",
        "haproxy.cfg",
        "lb/haproxy.cfg",
        "haproxy/edge.cfg",
        "etc/haproxy/conf/backends.cfg",
    ];
    let skipped = [
        "docs/example.conf",
        "setup.cfg",
        "mynginx.conf",
        "nginx.conf.bak",
        "nginx.conf.d/x",
        "conf.d/api.conf.orig",
        "sites-enabled/README.md",
        "sites-available/default.dpkg-dist",
        "templates/index.html",
        "haproxy/README.md",
        "nginx/Dockerfile",
        "src/config.cfg",
    ];
    for p in matched {
        assert!(re.is_match(p), "{p} should be linted");
    }
    for p in skipped {
        assert!(!re.is_match(p), "{p} should be skipped");
    }
}

// ---- GitHub Action ----------------------------------------------------------------------------

fn action() -> Yaml {
    load("action.yml")
}

#[test]
fn action_is_a_composite_with_inputs() {
    let a = action();
    assert!(!str_of(&a, "name").is_empty() && !str_of(&a, "description").is_empty());
    assert_eq!(str_of(&a["runs"], "using"), "composite");
    for input in ["paths", "args", "sarif", "install"] {
        assert!(
            !str_of(&a["inputs"][input], "description").is_empty(),
            "input {input}"
        );
    }
    let steps = a["runs"]["steps"].as_vec().unwrap();
    for s in steps {
        // Composite steps with `run` must name their shell.
        assert_eq!(str_of(s, "shell"), "bash");
    }
    let install = str_of(&steps[0], "run");
    assert!(install.contains("cargo install") && install.contains("$GITHUB_ACTION_PATH"));
}

/// The action's lint step, run with bash as the runner runs it (`bash -e -o pipefail`), with
/// the inputs set as its `env` maps them.
fn run_step(paths: &str, args: &str, sarif: &str, summary: &Path) -> std::process::Output {
    let a = action();
    let step = a["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Run gwlint"))
        .expect("a Run gwlint step")
        .clone();
    let env = &step["env"];
    assert_eq!(str_of(env, "GWLINT_PATHS"), "${{ inputs.paths }}");
    assert_eq!(str_of(env, "GWLINT_ARGS"), "${{ inputs.args }}");
    assert_eq!(str_of(env, "GWLINT_SARIF"), "${{ inputs.sarif }}");
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_gwlint"))
        .parent()
        .unwrap()
        .into();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"])
        .arg(str_of(&step, "run"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", path)
        .env_remove("GWLINT_FORMAT")
        .env("GWLINT_PATHS", paths)
        .env("GWLINT_ARGS", args)
        .env("GWLINT_SARIF", sarif)
        .env("GITHUB_STEP_SUMMARY", summary)
        .output()
        .unwrap()
}

#[test]
fn action_annotates_and_prints_the_full_report() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let sarif = dir.path().join("gwlint.sarif");
    let o = run_step(
        "examples/shop\nexamples/edge",
        "--fail-on warning",
        sarif.to_str().unwrap(),
        &summary,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let annotations = out
        .lines()
        .filter(|l| {
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .count();
    // The report is printed with workflow commands stopped, and resumed after it.
    let lines: Vec<&str> = out.lines().collect();
    let stop = lines
        .iter()
        .position(|l| l.starts_with("::stop-commands::"))
        .expect("the report is wrapped in ::stop-commands::");
    let token = lines[stop].trim_start_matches("::stop-commands::");
    assert!(token.len() >= 32, "an unguessable token: {token}");
    let resume = lines
        .iter()
        .position(|l| *l == format!("::{token}::"))
        .expect("commands resumed with the token");
    assert!(lines[stop..resume].iter().any(|l| l.starts_with("Found ")));
    let report: Vec<&str> = out
        .lines()
        .filter(|l| {
            l.contains(": error[GW") || l.contains(": warning[GW") || l.contains(": info[GW")
        })
        .collect();
    assert!(annotations >= 4, "{out}");
    // Every annotation also appears in the printed report (GitHub may show only 10 of each).
    assert_eq!(annotations, report.len(), "{out}");
    assert!(out.contains("Found "), "the summary line: {out}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    for line in &report {
        assert!(
            summary.contains(line),
            "{line} missing from the job summary"
        );
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        v["runs"][0]["results"].as_array().unwrap().len(),
        report.len()
    );
}

#[test]
fn action_passes_on_a_clean_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        "events {}\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n",
    )
    .unwrap();
    let o = run_step(conf.to_str().unwrap(), "", "", &dir.path().join("s.md"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("No problems found in 1 file."), "{out}");
    assert!(!out.contains("::error"), "{out}");
}

#[test]
fn action_writes_the_sarif_file_when_a_path_fails() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("gwlint.sarif");
    let o = run_step(
        "examples/shop no/such/dir",
        "",
        sarif.to_str().unwrap(),
        &dir.path().join("s.md"),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = inv["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.contains("no/such/dir"), "{note}");
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn action_splits_args_and_paths_as_a_shell_does_without_expanding() {
    let dir = tempfile::tempdir().unwrap();
    let spaced = dir.path().join("my configs");
    std::fs::create_dir(&spaced).unwrap();
    std::fs::write(
        spaced.join("nginx.conf"),
        "events {}\nhttp {\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n",
    )
    .unwrap();
    let paths = format!("'{}'", spaced.display());
    let o = run_step(
        &paths,
        "--select 'GW101' --fail-on \"warning\"",
        "",
        &dir.path().join("s.md"),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("::warning file="), "{out}");
    assert!(out.contains("warning[GW101]"), "{out}");
    // `$HOME` reaches gwlint as those five characters: an unknown selector, said as such.
    let o = run_step(&paths, "--ignore \"$HOME\"", "", &dir.path().join("s.md"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no rule matches \"$HOME\""), "{err}");
}

// ---- the README's snippets --------------------------------------------------------------------

fn readme_yaml_blocks() -> Vec<Yaml> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("a closed code block");
        let mut docs = YamlLoader::load_from_str(&body[..end])
            .unwrap_or_else(|e| panic!("README YAML block does not parse: {e}\n{}", &body[..end]));
        blocks.push(docs.remove(0));
        rest = &body[end..];
    }
    blocks
}

#[test]
fn readme_snippets_parse_and_match_the_hooks_and_the_action() {
    let blocks = readme_yaml_blocks();
    assert!(blocks.len() >= 3, "pre-commit, GitHub and GitLab snippets");

    // pre-commit: the hook ids exist.
    let precommit = blocks
        .iter()
        .find(|b| !b["repos"].is_badvalue())
        .expect("a .pre-commit-config.yaml snippet");
    let ids: Vec<String> = hooks().iter().map(|h| str_of(h, "id").into()).collect();
    for h in precommit["repos"][0]["hooks"].as_vec().unwrap() {
        assert!(ids.contains(&str_of(h, "id").to_string()));
    }

    // GitHub: the action's inputs as the action names them, and the SARIF upload of the file
    // the action writes.
    let workflow = blocks
        .iter()
        .find(|b| !b["jobs"].is_badvalue())
        .expect("a workflow snippet");
    let steps = workflow["jobs"]["gwlint"]["steps"].as_vec().unwrap();
    let ours = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("/gwlint@")))
        .expect("a step using the action");
    let action = action();
    for (k, _) in ours["with"].as_hash().unwrap() {
        let k = k.as_str().unwrap();
        assert!(
            !action["inputs"][k].is_badvalue(),
            "no input {k} in action.yml"
        );
    }
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("a SARIF upload");
    assert_eq!(upload["with"]["sarif_file"], ours["with"]["sarif"]);
}
