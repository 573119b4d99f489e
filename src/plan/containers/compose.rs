//! Compose files: services, their volumes, configs and secrets, `build:` and commands, read
//! with yaml-rust2.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, EventReceiver, Parser};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlLoader};

use super::*;

// ---------------------------------------------------------------------------------------------
// YAML helpers

/// Counts the nodes a YAML text expands to. yaml-rust2's loader copies the anchored node at
/// each alias, so a few lines of nested aliases ("billion laughs") would fill the memory: the
/// text is measured with this first, and refused past [`MAX_YAML_NODES`].
#[derive(Default)]
pub(super) struct AliasBudget {
    /// Size of each anchored node, by anchor id.
    pub(super) sizes: HashMap<usize, u64>,
    /// Open sequences and mappings: (anchor id, size so far).
    pub(super) open: Vec<(usize, u64)>,
    pub(super) total: u64,
}

impl AliasBudget {
    pub(super) fn measure(text: &str) -> u64 {
        let mut budget = AliasBudget::default();
        // A syntax error is reported by the real load; what was read until then is measured.
        let _ = Parser::new_from_str(text).load(&mut budget, true);
        budget.total
    }

    /// A complete node of `size` nodes, anchored as `anchor` (0: none).
    pub(super) fn node(&mut self, anchor: usize, size: u64) {
        if anchor > 0 {
            self.sizes.insert(anchor, size);
        }
        if let Some(parent) = self.open.last_mut() {
            parent.1 = parent.1.saturating_add(size);
        }
    }
}

impl EventReceiver for AliasBudget {
    fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Scalar(_, _, anchor, _) => {
                self.total = self.total.saturating_add(1);
                self.node(anchor, 1);
            }
            Event::Alias(id) => {
                let size = self.sizes.get(&id).copied().unwrap_or(1);
                self.total = self.total.saturating_add(size);
                self.node(0, size);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.total = self.total.saturating_add(1);
                self.open.push((anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, size)) = self.open.pop() {
                    self.node(anchor, size);
                }
            }
            _ => {}
        }
    }
}

/// A scalar as Compose reads it: `8080`, `true` and `1.5` are strings to it too.
pub(super) fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `<<: *anchor` merge keys applied (yaml-rust2 resolves the alias but does not merge): keys of
/// the map win over merged ones, earlier merged maps over later ones.
pub(super) fn merged(h: &Hash) -> Hash {
    let mut out = h.clone();
    let key = Yaml::String("<<".into());
    let Some(merge) = out.remove(&key) else {
        return out;
    };
    let sources = match merge {
        Yaml::Array(list) => list,
        other => vec![other],
    };
    for source in sources {
        if let Yaml::Hash(m) = source {
            for (k, v) in merged(&m) {
                out.entry(k).or_insert(v);
            }
        }
    }
    out
}

/// A command as a list of words: a YAML list as is, a string split as a shell would.
pub(super) fn words(y: &Yaml) -> Option<Vec<String>> {
    match y {
        Yaml::Array(list) => Some(list.iter().filter_map(scalar).collect()),
        Yaml::Null | Yaml::BadValue => None,
        other => scalar(other).map(|s| shell_words(&s)),
    }
}

/// Key/value pairs from a Compose map (`KEY: value`) or list (`- KEY=value`). Entries without
/// a value take it from the host, which is unknown: left out.
pub(super) fn pairs(y: &Yaml) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match y {
        Yaml::Hash(h) => {
            for (k, v) in h {
                if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                    out.push((k, v));
                }
            }
        }
        Yaml::Array(list) => {
            for item in list.iter().filter_map(scalar) {
                if let Some((k, v)) = item.split_once('=') {
                    out.push((k.to_string(), v.to_string()));
                }
            }
        }
        _ => {}
    }
    out
}

/// The line of `needle` in `text`: the first line at or after `from` (1-based) containing it,
/// else `from`. Approximate by design: yaml-rust2's loader gives no positions, and the first
/// occurrence after the service's own line is nearly always the declaration.
pub(super) fn line_of(text: &str, from: usize, needle: &str) -> usize {
    if needle.is_empty() {
        return from;
    }
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

/// The line of a mapping key `name:` (bare or quoted) at or after `from`, and its indentation;
/// with `indent`, only a key indented so (a service's own key, not a nested one of that name).
pub(super) fn key_line(
    text: &str,
    from: usize,
    name: &str,
    indent: Option<usize>,
) -> Option<(usize, usize)> {
    let keys = [
        format!("{name}:"),
        format!("\"{name}\":"),
        format!("'{name}':"),
    ];
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| {
            let t = l.trim_start();
            let at = l.len() - t.len();
            let is_key = keys.iter().any(|k| t.starts_with(k.as_str()));
            (is_key && indent.is_none_or(|n| n == at)).then_some((i + 1, at))
        })
}

// ---------------------------------------------------------------------------------------------
// Compose

/// The text with every line that only closes flow collections (`]`, `}`, `],`) indented two
/// more columns; nothing else changes, so line numbers hold.
pub(super) fn indent_flow_closers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() && t.chars().all(|c| matches!(c, ']' | '}' | ',')) {
            out.push_str("  ");
        }
        out.push_str(line);
    }
    out
}

/// What a Compose file declares at its top level, which services refer to.
pub(super) struct Compose<'a> {
    pub(super) path: &'a Path,
    /// No Dockerfile outside this directory (resolved) is read.
    pub(super) root: Option<PathBuf>,
    pub(super) dir: PathBuf,
    pub(super) text: &'a str,
    /// Top-level `configs:` and `secrets:` with a `file:`: name -> repository path.
    pub(super) configs: HashMap<String, PathBuf>,
    pub(super) secrets: HashMap<String, PathBuf>,
}

/// The services of a Compose file. Services without anything gwlint can use are returned
/// too: [`proxy_kind`] decides which run a proxy.
#[cfg(test)]
pub(crate) fn from_compose(path: &Path, text: &str) -> Result<Vec<Service>, String> {
    from_compose_in(path, text, None)
}

/// [`from_compose`], reading a `build:` context's Dockerfile only inside `root` (resolved):
/// a Compose file from a pull request may name `context: ../../elsewhere`.
pub(crate) fn from_compose_in(
    path: &Path,
    text: &str,
    root: Option<&Path>,
) -> Result<Vec<Service>, String> {
    if AliasBudget::measure(text) > MAX_YAML_NODES {
        return Err(format!(
            "{}: YAML aliases expand to more than {MAX_YAML_NODES} nodes, not read",
            path.display()
        ));
    }
    let docs = YamlLoader::load_from_str(text)
        .or_else(|e| {
            // yaml-rust2 refuses a flow collection closed at its key's indentation
            // (`test: [⏎  "CMD", ⏎ ]`), which Compose (Go's yaml.v3) and libyaml accept:
            // indent such closing lines further and try once more.
            YamlLoader::load_from_str(&indent_flow_closers(text)).map_err(|_| e)
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(Yaml::Hash(top)) = docs.into_iter().next() else {
        return Ok(Vec::new());
    };
    let top = Yaml::Hash(top);
    let dir = path.parent().unwrap_or(Path::new(""));
    let compose = Compose {
        path,
        root: root.map(Path::to_path_buf),
        dir: dir.to_path_buf(),
        text,
        configs: file_entries(&top["configs"], dir),
        secrets: file_entries(&top["secrets"], dir),
    };
    let Some(services) = top["services"].as_hash() else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = services.keys().filter_map(scalar).collect();
    let mut line = key_line(text, 1, "services", Some(0)).map_or(1, |(l, _)| l);
    let mut indent = None;
    let mut out = Vec::new();
    for (name, body) in services {
        let (Some(name), Some(body)) = (scalar(name), body.as_hash()) else {
            continue;
        };
        // Services appear in the text in map order: search on from the previous one.
        if let Some((l, at)) = key_line(text, line + 1, &name, indent) {
            (line, indent) = (l, Some(at));
        }
        let mut service = compose.service(&name, line, &merged(body));
        service.project = names.clone();
        out.push(service);
    }
    Ok(out)
}

/// Top-level `configs:`/`secrets:` entries backed by a file: name -> path beside the file.
pub(super) fn file_entries(y: &Yaml, dir: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    for (name, body) in y.as_hash().into_iter().flatten() {
        let file = scalar(&body["file"]).and_then(|f| interpolate(&f));
        if let (Some(name), Some(file)) = (scalar(name), file)
            && is_local_source(&file)
        {
            out.insert(name, normalize(&dir.join(file)));
        }
    }
    out
}

/// A bind source inside the repository: relative. Absolute and `~` sources are outside it.
pub(super) fn is_local_source(s: &str) -> bool {
    let windows_drive = s.get(1..2) == Some(":"); // C:\ and C:/ on Windows hosts
    !(s.is_empty() || s.starts_with(['/', '~', '\\']) || windows_drive)
}

impl Compose<'_> {
    pub(super) fn service(&self, name: &str, line: usize, body: &Hash) -> Service {
        let get = |k: &str| body.get(&Yaml::String(k.into())).unwrap_or(&Yaml::BadValue);
        let image = scalar(get("image")).and_then(|i| interpolate(&i));
        let built = self.build(get("build"));
        let mut service = Service {
            name: name.to_string(),
            file: self.path.to_path_buf(),
            line,
            image: image.or_else(|| built.as_ref().and_then(|b| b.0.image.clone())),
            base_image: built.as_ref().and_then(|b| b.0.image.clone()),
            dockerfile: built.as_ref().map(|b| b.1.clone()),
            mounts: Vec::new(),
            haproxy_files: Vec::new(),
            command: Vec::new(),
            env: Vec::new(),
            project: Vec::new(),
        };
        let mut workdir = PathBuf::from("/");
        let (mut entrypoint, mut cmd) = (None, None);
        if let Some((stage, _)) = &built {
            // The image's layers come first: bind mounts are laid over them.
            service.mounts.extend(stage.mounts.iter().cloned());
            service.env.extend(stage.env.iter().cloned());
            workdir.clone_from(&stage.workdir);
            entrypoint.clone_from(&stage.entrypoint);
            cmd.clone_from(&stage.cmd);
        }
        for (k, v) in pairs(get("environment")) {
            if let Some(v) = interpolate(&v) {
                service.env.push((k, v));
            }
        }
        // Declaration order of the keys, so mounts stay in the order they were written.
        for (key, value) in body {
            match key.as_str() {
                Some("volumes") => self.volumes(&mut service, value),
                Some("configs") => self.files(&mut service, value, "configs"),
                Some("secrets") => self.files(&mut service, value, "secrets"),
                _ => {}
            }
        }
        if let Some(dir) = scalar(get("working_dir")).and_then(|d| interpolate(&d)) {
            workdir = in_container(&workdir, &dir);
        }
        let compose_entrypoint = words(get("entrypoint")).map(|w| interpolate_words(&w));
        let compose_cmd = words(get("command")).map(|w| interpolate_words(&w));
        // Compose's `entrypoint:` also clears the image's command.
        if compose_entrypoint.is_some() {
            cmd = None;
        }
        let argv: Vec<String> = compose_entrypoint
            .or(entrypoint)
            .into_iter()
            .chain(compose_cmd.or(cmd))
            .flatten()
            .collect();
        service.haproxy_files = haproxy_files(&argv, &service, &workdir);
        service.command = argv;
        add_template_mounts(&mut service);
        service
    }

    /// `build:` as a string (the context) or `{context, dockerfile, target, args}`: the
    /// Dockerfile's final stage, and its path.
    pub(super) fn build(&self, y: &Yaml) -> Option<(Stage, PathBuf)> {
        let context = match y {
            Yaml::Hash(_) => scalar(&y["context"]).unwrap_or_else(|| ".".into()),
            Yaml::BadValue | Yaml::Null => return None,
            other => scalar(other)?,
        };
        let context = interpolate(&context)?;
        // A Git URL or remote tarball is not in the repository.
        if context.contains("://") || context.starts_with("git@") || !is_local_source(&context) {
            return None;
        }
        let context = normalize(&self.dir.join(context));
        let dockerfile = scalar(&y["dockerfile"])
            .and_then(|d| interpolate(&d))
            .unwrap_or_else(|| "Dockerfile".into());
        if !is_local_source(&dockerfile) {
            return None;
        }
        let path = normalize(&context.join(dockerfile));
        if let Some(root) = &self.root
            && !std::fs::canonicalize(&path).is_ok_and(|p| p.starts_with(root))
        {
            return None;
        }
        let text = read_bounded(&path).ok()?;
        let args: HashMap<String, String> = pairs(&y["args"])
            .into_iter()
            .filter_map(|(k, v)| Some((k, interpolate(&v)?)))
            .collect();
        let target = scalar(&y["target"]).and_then(|t| interpolate(&t));
        let stage = dockerfile_stage(&path, &text, &context, &args, target.as_deref())?;
        Some((stage, path))
    }

    /// `volumes:` in short (`./nginx:/etc/nginx:ro`) and long (`type: bind`) syntax.
    pub(super) fn volumes(&self, service: &mut Service, y: &Yaml) {
        for item in y.as_vec().into_iter().flatten() {
            let (raw, source, target) = match item {
                Yaml::Hash(_) => {
                    let kind = scalar(&item["type"]);
                    if kind.as_deref().is_some_and(|k| k != "bind") {
                        continue;
                    }
                    let (Some(source), Some(target)) =
                        (scalar(&item["source"]), scalar(&item["target"]))
                    else {
                        continue;
                    };
                    let (Some(s), Some(t)) = (interpolate(&source), interpolate(&target)) else {
                        continue;
                    };
                    (target, s, t)
                }
                other => {
                    let Some(raw) = scalar(other) else { continue };
                    // Interpolated first: a default holds a `:` of its own (`${X:-./a}`).
                    let Some(spec) = interpolate(&raw) else {
                        continue;
                    };
                    let mut parts = spec.splitn(3, ':');
                    let (Some(source), Some(target)) = (parts.next(), parts.next()) else {
                        continue; // an anonymous volume: only a target
                    };
                    (raw, source.to_string(), target.to_string())
                }
            };
            // A named volume's source is a bare name; an absolute or `~` source is outside.
            let is_path = source.starts_with('.') || source.contains('/');
            if !is_path || !is_local_source(&source) || !target.starts_with('/') {
                continue;
            }
            let line = line_of(self.text, service.line, &raw);
            service.mounts.push(Mount {
                runtime: normalize(Path::new(&target)),
                local: normalize(&self.dir.join(&source)),
                origin: origin(
                    self.path,
                    line,
                    &format!("service {}, volumes", service.name),
                ),
                line,
            });
        }
    }

    /// A service's `configs:` or `secrets:`: `- NAME` or `- {source: NAME, target: PATH}`.
    /// Configs land at `/NAME` by default, secrets under `/run/secrets/`.
    pub(super) fn files(&self, service: &mut Service, y: &Yaml, what: &str) {
        let (known, base) = if what == "secrets" {
            (&self.secrets, "/run/secrets")
        } else {
            (&self.configs, "/")
        };
        for item in y.as_vec().into_iter().flatten() {
            let (name, target) = match item {
                Yaml::Hash(_) => (scalar(&item["source"]), scalar(&item["target"])),
                other => (scalar(other), None),
            };
            let Some(name) = name else { continue };
            let Some(local) = known.get(&name) else {
                continue; // external, `content:` or undefined: no repository file
            };
            let Some(target) = interpolate(target.as_deref().unwrap_or(&name)) else {
                continue;
            };
            let line = line_of(self.text, service.line, &target);
            service.mounts.push(Mount {
                runtime: in_container(Path::new(base), &target),
                local: local.clone(),
                origin: origin(
                    self.path,
                    line,
                    &format!("service {}, {what}", service.name),
                ),
                line,
            });
        }
    }
}

/// Compose interpolation of command words; a word that needs an unknown variable stays as
/// written, so that the words around it keep their places.
pub(super) fn interpolate_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| interpolate(w).unwrap_or_else(|| w.clone()))
        .collect()
}
