//! HAProxy's `-f` lists: which files one HAProxy process reads, in its order.

use std::path::{Path, PathBuf};

/// A `-f` list's files: a directory gives its `*.cfg` files in lexical order, as HAProxy
/// loads them (links inside it are not followed).
pub(crate) fn expand(list: impl Iterator<Item = PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for local in list {
        if local.is_dir() {
            let mut cfgs: Vec<PathBuf> = std::fs::read_dir(&local)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "cfg"))
                .collect();
            cfgs.sort();
            out.extend(cfgs);
        } else if local.is_file() {
            out.push(local);
        }
    }
    out
}

/// The expanded list, when it holds `file`.
pub(crate) fn list_holding(list: &[PathBuf], file: &Path) -> Option<Vec<PathBuf>> {
    let same = |p: &Path| std::fs::canonicalize(p).ok();
    let file = same(file)?;
    let expanded = expand(list.iter().cloned());
    expanded
        .iter()
        .any(|p| same(p).as_ref() == Some(&file))
        .then_some(expanded)
}

/// Fedora's and RHEL's package runs `haproxy -f /etc/haproxy/haproxy.cfg -f
/// /etc/haproxy/conf.d` (`CONFIG` and `CFGDIR` in haproxy.service): a main file beside a
/// `conf.d/` of `*.cfg` files is that list, when it holds `file` (found in `dir`).
pub(crate) fn conf_d_list(dir: &Path, file: &Path) -> Option<Vec<PathBuf>> {
    let base = match dir.file_name().is_some_and(|n| n == "conf.d") {
        true => dir.parent()?.to_path_buf(),
        false => dir.to_path_buf(),
    };
    let conf_d = base.join("conf.d");
    if !conf_d.is_dir() {
        return None;
    }
    // The main file: haproxy.cfg, or the one `.cfg` beside conf.d/ (a `defaults.cfg` that a
    // start script puts first).
    let main = base.join("haproxy.cfg");
    let main = match main.is_file() {
        true => main,
        false => {
            let mut cfgs = std::fs::read_dir(&base)
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "cfg"));
            let only = cfgs.next()?;
            if cfgs.next().is_some() {
                return None;
            }
            only
        }
    };
    list_holding(&[main, conf_d], file)
}

/// Do these files, found together, each stand alone? Two or more with a `global` section are
/// alternatives (`haproxy.cfg` beside `haproxy-staging.cfg`), not one configuration; so are
/// files that each have a `defaults` section and define the same proxy name (example
/// configurations side by side: read as one, HAProxy would refuse the second name).
pub(crate) fn alternatives(texts: &[&str]) -> bool {
    if texts.iter().filter(|t| has_global(t)).count() > 1 {
        return true;
    }
    let own: Vec<&&str> = texts
        .iter()
        .filter(|t| has_section(t, "defaults"))
        .collect();
    if own.len() < 2 {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    for t in own {
        let names: std::collections::HashSet<(&str, &str)> = proxies(t).collect();
        for n in names {
            if !seen.insert(n) {
                return true;
            }
        }
    }
    false
}

/// The proxies a file defines: (`frontend`, name), with `listen` as a frontend.
fn proxies(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|l| {
        let mut w = l.split_whitespace();
        let kind = match w.next()? {
            "frontend" | "listen" => "frontend",
            "backend" => "backend",
            _ => return None,
        };
        Some((kind, w.next()?))
    })
}

fn has_section(text: &str, section: &str) -> bool {
    text.lines()
        .any(|l| l.split_whitespace().next() == Some(section))
}

fn has_global(text: &str) -> bool {
    text.lines()
        .any(|l| l.split_whitespace().next() == Some("global"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_make_alternatives() {
        let main = "global\n    maxconn 10\ndefaults\n    mode http\n";
        let part = "backend app\n    server a 10.0.0.1:80\n";
        assert!(!alternatives(&[main, part, part]));
        assert!(alternatives(&[main, part, main]));
        assert!(!alternatives(&[
            "# global is a comment here\nbackend b\n",
            main
        ]));
        // Example configurations side by side, neither with `global`.
        let a = "defaults\n    mode http\nfrontend www\n    bind :80\n";
        let b = "defaults\n    mode tcp\nlisten www\n    bind :81\n";
        assert!(alternatives(&[a, b]));
        // A split configuration: one `defaults`, names of their own.
        assert!(!alternatives(&[
            a,
            "backend app\n    server s 10.0.0.1:80\n"
        ]));
    }

    #[test]
    fn conf_d_beside_a_main_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("conf.d")).unwrap();
        std::fs::write(d.join("defaults.cfg"), "").unwrap();
        std::fs::write(d.join("conf.d/b.cfg"), "").unwrap();
        std::fs::write(d.join("conf.d/a.cfg"), "").unwrap();
        std::fs::write(d.join("conf.d/notes.txt"), "").unwrap();
        let list = conf_d_list(&d.join("conf.d"), &d.join("conf.d/b.cfg")).unwrap();
        let names: Vec<_> = list
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["defaults.cfg", "conf.d/a.cfg", "conf.d/b.cfg"]);
        // A second main candidate: which comes first is unknown.
        std::fs::write(d.join("other.cfg"), "").unwrap();
        assert!(conf_d_list(&d.join("conf.d"), &d.join("conf.d/b.cfg")).is_none());
    }
}
