//! The hooks of `.pre-commit-hooks.yaml`, run by a real pre-commit (`pre-commit try-repo`) on
//! a throwaway git repository: failing on a bad configuration, passing on a good one, skipping
//! files that are not configurations, and linting a changed snippet in its parent's context.
//!
//! Runs with `cargo test --features precommit --test precommit`; needs `pre-commit` on PATH
//! (`pip install pre-commit`) and git. The `gwlint-system` hook uses the gwlint just built, so
//! nothing is fetched. The mirror's hook (`pre-commit-mirror/`, `language: python`) installs
//! gwlint from a wheel built beforehand (`maturin build --release --locked --out
//! target/wheels`, as .ci/run does; `GWLINT_WHEELS` names another directory), with pip finding
//! it there instead of on PyPI; pip fetches only setuptools, to build the mirror's package.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pre_commit_available() {
    match Command::new("pre-commit").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "this test needs `pre-commit` on PATH (pip install pre-commit, or pipx install \
             pre-commit); running it gave {other:?}"
        ),
    }
}

struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
    /// A git repository holding this checkout's `.pre-commit-hooks.yaml` as it is on disk
    /// (try-repo would otherwise read the last commit's): all a `language: system` hook needs.
    hooks: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        pre_commit_available();
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            hooks: tempfile::tempdir().unwrap(),
        };
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
            repo.hooks.path().join(".pre-commit-hooks.yaml"),
        )
        .unwrap();
        for args in [
            &["init", "--quiet"][..],
            &["add", ".pre-commit-hooks.yaml"],
            &["commit", "--quiet", "-m", "hooks"],
        ] {
            git(repo.hooks.path(), args);
        }
        git(repo.dir.path(), &["init", "--quiet"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        git(self.dir.path(), args)
    }

    fn write(&self, name: &str, text: &str) {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self.git(&["add", name]);
    }

    /// `pre-commit try-repo <gwlint> gwlint-system --files FILES…`, with the gwlint just
    /// built first on PATH and pre-commit's cache in a temporary directory.
    fn try_repo(&self, files: &[&str]) -> (i32, String) {
        let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_gwlint"))
            .parent()
            .unwrap()
            .into();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        self.run(
            self.hooks.path(),
            "gwlint-system",
            files,
            &[("PATH", &path)],
        )
    }

    /// `pre-commit try-repo HOOKS HOOK --files FILES…` with these environment variables set.
    fn run(&self, hooks: &Path, hook: &str, files: &[&str], env: &[(&str, &str)]) -> (i32, String) {
        let o: Output = Command::new("pre-commit")
            .arg("try-repo")
            .arg(hooks)
            .args([hook, "--color", "never", "--verbose", "--files"])
            .args(files)
            .current_dir(self.dir.path())
            .envs(env.iter().copied())
            .env("PRE_COMMIT_HOME", self.home.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GWLINT_FORMAT")
            .output()
            .expect("pre-commit runs");
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code().expect("pre-commit exited"), out)
    }
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@localhost")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@localhost")
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {o:?}");
}

const MAIN: &str =
    "events {}\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  include conf.d/*.conf;\n}\n";
const GOOD_SITE: &str = "server {\n  listen 80;\n  location / { proxy_pass http://app; }\n}\n";
const BAD_SITE: &str = "server {\n  listen 80;\n  location / { proxy_pass http://ap; }\n}\n";

#[test]
fn hook_fails_on_a_bad_config_and_passes_on_a_good_one() {
    let repo = Repo::new();
    repo.write("nginx/nginx.conf", MAIN);
    repo.write("nginx/conf.d/site.conf", BAD_SITE);
    let (code, out) = repo.try_repo(&["nginx/nginx.conf", "nginx/conf.d/site.conf"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        out.contains("nginx/conf.d/site.conf:3:") && out.contains("[GW101]"),
        "gwlint's finding is shown: {out}"
    );

    repo.write("nginx/conf.d/site.conf", GOOD_SITE);
    let (code, out) = repo.try_repo(&["nginx/nginx.conf", "nginx/conf.d/site.conf"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Passed"), "{out}");
}

/// Only the snippet changed: the hook gets it alone, and gwlint lints it with the nginx.conf
/// above it, where the upstream it uses is defined.
#[test]
fn a_changed_snippet_alone_is_linted_in_its_parents_context() {
    let repo = Repo::new();
    repo.write("nginx/nginx.conf", MAIN);
    repo.write("nginx/conf.d/site.conf", GOOD_SITE);
    let (code, out) = repo.try_repo(&["nginx/conf.d/site.conf"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Passed"), "{out}");

    repo.write("nginx/conf.d/site.conf", BAD_SITE);
    let (code, out) = repo.try_repo(&["nginx/conf.d/site.conf"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[GW101]"), "{out}");
}

#[test]
fn hook_skips_files_that_are_not_configurations_and_reads_haproxy() {
    let repo = Repo::new();
    // Broken, but not a configuration by name or place.
    repo.write("docs/example.conf", "server { proxy_pass http://nowhere\n");
    let (code, out) = repo.try_repo(&["docs/example.conf"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("no files to check") && out.contains("Skipped"),
        "{out}"
    );

    repo.write(
        "haproxy/haproxy.cfg",
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\nfrontend www\n  bind 127.0.0.1:8081\n  default_backend ap\nbackend app\n  server a 127.0.0.1:8080 check\n",
    );
    let (code, out) = repo.try_repo(&["haproxy/haproxy.cfg"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("haproxy/haproxy.cfg:8:") && out.contains("[GW101]"),
        "{out}"
    );
}

/// The directory holding a gwlint wheel of this version, or a panic that says how to build one.
fn wheels() -> PathBuf {
    let dir = match std::env::var_os("GWLINT_WHEELS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wheels"),
    };
    let prefix = format!("gwlint-{}-", env!("CARGO_PKG_VERSION"));
    let found = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".whl")
        });
    assert!(
        found,
        "no {prefix}*.whl in {}: the mirror's hook installs gwlint from the wheel. Build it \
         first with `maturin build --release --locked --out target/wheels` (pip install \
         maturin), as .ci/run does, or name its directory in GWLINT_WHEELS",
        dir.display()
    );
    dir
}

/// `pre-commit-mirror/` as a git repository of its own, as the mirror repository holds it.
fn mirror_repo() -> tempfile::TempDir {
    let mirror = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("pre-commit-mirror");
    git(mirror.path(), &["init", "--quiet"]);
    for f in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::copy(src.join(f), mirror.path().join(f)).unwrap();
        git(mirror.path(), &["add", f]);
    }
    git(mirror.path(), &["commit", "--quiet", "-m", "mirror"]);
    mirror
}

/// The hook of `pre-commit-mirror/` (`language: python`): pre-commit pip-installs the mirror's
/// package, whose one dependency, `gwlint==VERSION`, comes from the wheel (PIP_FIND_LINKS).
/// No gwlint is on PATH: what runs is the wheel's, in the hook's environment.
#[test]
fn mirror_hook_installs_the_wheel_and_fails_on_a_bad_config() {
    let wheels = wheels();
    let mirror = mirror_repo();
    let repo = Repo::new();
    // Beside any find-links of the environment (a space-separated list).
    let find_links = match std::env::var("PIP_FIND_LINKS") {
        Ok(more) if !more.trim().is_empty() => format!("{} {more}", wheels.display()),
        _ => wheels.display().to_string(),
    };
    // PATH without any gwlint: the one that runs can only be the hook environment's, which
    // pip installed from the wheel (try-repo makes that environment anew in a store of its own).
    let path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("gwlint").exists())
        .collect::<Vec<_>>();
    let path = std::env::join_paths(path).unwrap().into_string().unwrap();
    let env = [
        ("PATH", path.as_str()),
        ("PIP_FIND_LINKS", find_links.as_str()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    ];
    repo.write("nginx/nginx.conf", MAIN);
    repo.write("nginx/conf.d/site.conf", BAD_SITE);
    let files = ["nginx/nginx.conf", "nginx/conf.d/site.conf"];
    let (code, out) = repo.run(mirror.path(), "gwlint", &files, &env);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Failed")
            && out.contains("nginx/conf.d/site.conf:3:")
            && out.contains("[GW101]"),
        "{out}"
    );
    repo.write("nginx/conf.d/site.conf", GOOD_SITE);
    let (code, out) = repo.run(mirror.path(), "gwlint", &files, &env);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Passed"), "{out}");
}

/// The mirror's hook is the main repository's `gwlint` hook but for the language, and it pins
/// this version of gwlint.
#[test]
fn mirror_hook_matches_the_main_hook_and_pins_this_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hook = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
        docs[0]
            .as_vec()
            .unwrap()
            .iter()
            .find(|h| h["id"].as_str() == Some("gwlint"))
            .unwrap_or_else(|| panic!("no hook gwlint in {}", path.display()))
            .as_hash()
            .unwrap()
            .clone()
    };
    let main = hook(&root.join(".pre-commit-hooks.yaml"));
    let mirror = hook(&root.join("pre-commit-mirror/.pre-commit-hooks.yaml"));
    let key = |k: &str| yaml_rust2::Yaml::String(k.into());
    assert_eq!(mirror[&key("language")].as_str(), Some("python"));
    let mut keys: Vec<String> = main
        .keys()
        .chain(mirror.keys())
        .filter_map(|k| k.as_str().map(String::from))
        .collect();
    keys.sort();
    keys.dedup();
    for k in keys.iter().filter(|k| *k != "language") {
        assert_eq!(
            main.get(&key(k)),
            mirror.get(&key(k)),
            "`{k}` differs between the hooks"
        );
    }

    let pyproject = std::fs::read_to_string(root.join("pre-commit-mirror/pyproject.toml")).unwrap();
    let pin = format!("\"gwlint=={}\"", env!("CARGO_PKG_VERSION"));
    assert!(
        pyproject.contains(&format!("dependencies = [{pin}]")),
        "pre-commit-mirror/pyproject.toml must depend on {pin} (this version): {pyproject}"
    );
}
