//! gwlint: finds what makes an NGINX or HAProxy gateway answer 502/503/504, before deploy.
//!
//! One pipeline: discover → load → parse → lower → check → filter → report. This file wires
//! the stages; `main.rs` only runs the CLI.

pub mod chain;
pub mod cli;
pub mod config;
pub mod discover;
pub mod facts;
pub mod filter;
pub mod finding;
pub mod load;
pub mod model;
pub mod probe;
pub mod report;
pub mod rules;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod syntax;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use discover::Scope;
use finding::Finding;
use load::{LoadError, Loader};
use source::{FileId, Span};
use syntax::include::{self, Tree};

/// What to lint and how to find it.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// nginx's conf prefix: relative includes start here (default: the main file's directory).
    pub prefix: Option<PathBuf>,
    /// Text read from standard input, and the name to report it under.
    pub stdin: Option<(String, Vec<u8>)>,
    /// The nginx version to judge version-dependent defaults by (None: assume the worst).
    pub nginx_version: Option<rules::Version>,
    /// The HAProxy version the configuration runs on (None: unknown).
    pub haproxy_version: Option<rules::Version>,
    /// Read every input as this dialect instead of detecting it.
    pub dialect: Option<finding::Dialect>,
    /// Facts about the backends that the configuration cannot show (`gwlint.toml`).
    pub facts: facts::Facts,
    /// Where `gwlint.toml` comes from (default: none). Explicit fields above take precedence
    /// over the file's values.
    pub config: config::Resolver,
    /// `--select`, `--extend-select`, `--ignore`.
    pub selection: config::Selection,
    /// Draw how the proxies reach each other into `Outcome::graph` (`gwlint graph`).
    pub graph: bool,
    /// Probe the targets for real (`--online`); None: nothing is sent to the network.
    pub online: Option<probe::OnlineOptions>,
    /// The process ends after this run (the command line): each configuration's model is
    /// left for the operating system to reclaim instead of being freed piece by piece, which
    /// costs as much as a rule on a big configuration. Leave false in a program that lints
    /// more than once.
    pub exiting: bool,
}

/// Is this loaded file HAProxy configuration? `--dialect` decides; otherwise its text.
fn is_haproxy(loader: &Loader, f: FileId, opts: &Options) -> bool {
    match opts.dialect {
        Some(d) => d == finding::Dialect::Haproxy,
        None => discover::looks_like_haproxy(&loader.sources.get(f).text),
    }
}

/// A finished run: every file loaded, every finding, and the errors that make it exit 2.
pub struct Outcome {
    pub loader: Loader,
    pub findings: Vec<Finding>,
    /// Paths that could not be linted (missing, unreadable, no configuration in a directory).
    pub errors: Vec<String>,
    /// How many files were linted (roots and their includes).
    pub files: usize,
    /// The text files linted, in the order read: `gwlint files` lists them.
    pub linted: Vec<Linted>,
    /// How the proxies of the run reach each other (`gwlint graph`).
    pub graph: chain::Graph,
}

/// One file a run linted, its dialect, and the main configuration that includes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Linted {
    pub file: FileId,
    pub dialect: finding::Dialect,
    /// The nginx configuration this file was linted as part of (None: it is one itself).
    pub root: Option<FileId>,
}

/// Lints the given paths (`-` is standard input).
pub fn lint(paths: &[PathBuf], opts: &Options) -> Outcome {
    let mut loader = Loader::default();
    let mut errors = Vec::new();
    let mut findings = Vec::new();

    // discover: the files the user asked about, in order. HAProxy files found in one
    // directory form one configuration, as `haproxy -f DIR` reads them.
    let mut requested: Vec<FileId> = Vec::new();
    let mut haproxy: Vec<(PathBuf, Vec<FileId>)> = Vec::new();
    let mut add_haproxy =
        |group: PathBuf, f: FileId| match haproxy.iter_mut().find(|(g, _)| *g == group) {
            // Duplicates are removed once discovery is done.
            Some((_, files)) => files.push(f),
            None => haproxy.push((group, vec![f])),
        };
    for path in paths {
        if path.as_os_str() == "-" {
            let (name, bytes) = opts
                .stdin
                .clone()
                .unwrap_or_else(|| ("-".into(), Vec::new()));
            let r = loader.add_text(&name, bytes);
            if let Ok(id) = r
                && is_haproxy(&loader, id, opts)
            {
                add_haproxy(PathBuf::from(format!("<stdin>/{name}")), id);
                continue;
            }
            push_loaded(r, &name, &mut requested, &mut findings, &mut errors);
            continue;
        }
        if path.is_dir() {
            let (files, walk_errors) = discover::walk(path);
            errors.extend(walk_errors);
            loader.prefetch(&files);
            let mut found = 0;
            for f in files {
                let name = f.to_string_lossy().into_owned();
                let haproxy_name = discover::is_haproxy_candidate(&f);
                let r = loader.load(&f, &name);
                if let Ok(id) = r
                    && (haproxy_name || opts.dialect == Some(finding::Dialect::Haproxy))
                {
                    if is_haproxy(&loader, id, opts) {
                        add_haproxy(f.parent().map(Path::to_path_buf).unwrap_or_default(), id);
                        found += 1;
                    }
                    continue;
                }
                if haproxy_name {
                    continue;
                }
                found += 1;
                push_loaded(r, &name, &mut requested, &mut findings, &mut errors);
            }
            if found == 0 {
                errors.push(format!(
                    "{}: no nginx or HAProxy configuration found in this directory",
                    path.display()
                ));
            }
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let r = loader.load(path, &name);
        if let Ok(id) = r
            && is_haproxy(&loader, id, opts)
        {
            add_haproxy(path.clone(), id);
            continue;
        }
        push_loaded(r, &name, &mut requested, &mut findings, &mut errors);
    }

    // A file named twice (or found in two walks) is linted once, where it first appeared.
    let mut seen = std::collections::HashSet::new();
    requested.retain(|f| seen.insert(*f));
    for (_, files) in &mut haproxy {
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(*f));
    }

    // parse: every requested file at once, on all cores; includes are parsed as trees find them.
    loader.parse_all(
        &requested
            .iter()
            .map(|&f| (f, finding::Dialect::Nginx))
            .collect::<Vec<_>>(),
    );

    // load + parse: the tree each requested file belongs to.
    let mut trees: Vec<(Tree, Scope)> = Vec::new();
    let mut tree_of_root: HashMap<FileId, usize> = HashMap::new();
    let mut standalone: Vec<FileId> = Vec::new();
    let mut roots = discover::Roots::default();
    for &file in &requested {
        let path = loader.sources.get(file).path.clone();
        let is_stdin = path.starts_with("<stdin>");
        let mut covered = false;
        if !is_stdin {
            for root_path in roots.of(&path_as_given(&loader, file)) {
                let name = root_path.to_string_lossy().into_owned();
                let Ok(root) = loader.load(&root_path, &name) else {
                    continue;
                };
                let t = tree_index(&mut loader, &mut trees, &mut tree_of_root, root, opts);
                if trees[t].0.files.contains(&file) && root != file {
                    let edges = include_edges(&trees[t].0);
                    trees[t]
                        .1
                        .merge(Scope::Files(discover::reachable(file, &edges)));
                    covered = true;
                    break;
                }
            }
        }
        if !covered {
            standalone.push(file);
        }
    }
    // A requested file that another requested file includes is linted as part of that tree.
    // Main configurations first, then the largest trees.
    for &f in &standalone {
        tree_index(&mut loader, &mut trees, &mut tree_of_root, f, opts);
    }
    standalone.sort_by_key(|f| {
        let t = &trees[tree_of_root[f]].0;
        let main = loader.nginx_parsed(*f).is_some_and(|p| {
            p.directives
                .iter()
                .any(|d| model::directives::is_main_only(d.name()))
        });
        (!main, std::cmp::Reverse(t.files.len()))
    });
    let mut kept: Vec<usize> = trees
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| !matches!(s, Scope::Files(f) if f.is_empty()))
        .map(|(i, _)| i)
        .collect();
    // The files of the kept trees that report everything (kept in sets: a directory may hold
    // 100,000 files).
    let mut kept_set: std::collections::HashSet<usize> = kept.iter().copied().collect();
    let mut covered: std::collections::HashSet<FileId> = kept
        .iter()
        .filter(|&&k| matches!(trees[k].1, Scope::All))
        .flat_map(|&k| trees[k].0.files.iter().copied())
        .collect();
    for f in standalone {
        let t = tree_of_root[&f];
        if !covered.contains(&f) {
            trees[t].1 = Scope::All;
            covered.extend(trees[t].0.files.iter().copied());
            if kept_set.insert(t) {
                kept.push(t);
            }
        }
    }
    kept.sort();
    for (_, files) in haproxy {
        loader.parse_all(
            &files
                .iter()
                .map(|&f| (f, finding::Dialect::Haproxy))
                .collect::<Vec<_>>(),
        );
        trees.push((Tree::haproxy(&mut loader, files), Scope::All));
        kept.push(trees.len() - 1);
    }

    // lower + check, tree by tree, on all cores; results are gathered in tree order.
    let kept: Vec<usize> = kept
        .into_iter()
        .filter(|&t| !matches!(&trees[t].1, Scope::Files(f) if f.is_empty()))
        .collect();
    let mut files_linted = HashMap::new();
    let mut linted = Vec::new();
    // The chain links every layer by the `[[link]]` entries of all of them.
    let mut chain_facts = opts.facts.clone();
    for &t in &kept {
        let (tree, scope) = &trees[t];
        for &f in &tree.files {
            if scope.contains(f) && files_linted.insert(f, tree.dialect).is_none() {
                // HAProxy files read together are each a main configuration.
                let included = tree.dialect == finding::Dialect::Nginx && f != tree.root;
                linted.push(Linted {
                    file: f,
                    dialect: tree.dialect,
                    root: included.then_some(tree.root),
                });
            }
        }
    }
    let interrupted = std::sync::atomic::AtomicBool::new(false);
    let loader_ref = &loader;
    for done in par_map(&kept, |&t| {
        lint_tree(loader_ref, &trees[t].0, &trees[t].1, opts, &interrupted)
    }) {
        findings.extend(done.findings);
        errors.extend(done.errors);
        chain_facts.add_links(&done.links);
        chain_facts.resolved.extend(done.resolved);
    }
    if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
        errors.push("interrupted: the online probes were stopped".into());
    }
    // A crash in gwlint (parser, lowering, a rule) is reported where it happened, and the
    // run fails with exit 2: what it would have checked was not checked.
    for (f, what) in &loader.panics {
        findings.push(rules::internal_error::failed(*f, "parsing", what));
    }
    for f in findings
        .iter()
        .filter(|f| f.rule.code == rules::internal_error::RULE.code)
    {
        let name = &loader.sources.get(f.span.file).name;
        errors.push(format!("{name}: internal error (GW000): {}", f.message));
    }

    // chains: the proxies of the run linked to each other, each hop checked as one path.
    let linked: Vec<&(Tree, Scope)> = kept.iter().map(|&t| &trees[t]).collect();
    let chained = chain::check(
        &loader,
        &linked,
        &chain_facts,
        opts.nginx_version,
        opts.graph,
    );
    findings.extend(chained.findings);

    // One finding per place, even when several trees share a file.
    let key = |f: &Finding| (f.span, f.rule.code, f.message.clone());
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert(key(f)));
    // filter: selection, severities and inline suppressions.
    filter::apply(
        &mut findings,
        &loader,
        &files_linted,
        &opts.config,
        &opts.selection,
    );
    // After the filter: a GW101 turned off leaves the GW801 it would have explained.
    rules::name_not_resolved::drop_explained(&mut findings);
    errors.extend(opts.config.take_errors().iter().map(|e| e.to_string()));
    report::sort(&mut findings, &loader.sources);
    // Binary files given directly count as linted too.
    let binary = findings
        .iter()
        .filter(|f| {
            f.rule.code == rules::not_text::RULE.code && !files_linted.contains_key(&f.span.file)
        })
        .count();
    Outcome {
        files: files_linted.len() + binary,
        linted,
        loader,
        findings,
        errors,
        graph: chained.graph,
    }
}

/// Lowers and checks one tree: its include and syntax findings, then every rule's, for the
/// files in its scope. A crash while lowering becomes a GW000 finding.
fn lint_tree(
    loader: &Loader,
    tree: &Tree,
    scope: &Scope,
    opts: &Options,
    interrupted: &std::sync::atomic::AtomicBool,
) -> TreeResult {
    use std::sync::atomic::Ordering;
    let mut found = tree.findings.clone();
    let mut errors = Vec::new();
    let mut links = Vec::new();
    let mut resolved = Vec::new();
    for &f in &tree.files {
        if let Some(parsed) = loader.nginx_parsed(f) {
            found.extend(parsed.errors.iter().map(|e| {
                let mut x = Finding::new(&rules::syntax_error::RULE, e.span, e.message.clone())
                    .label(match tree.dialect {
                        finding::Dialect::Nginx => "nginx stops reading here",
                        finding::Dialect::Haproxy => "HAProxy refuses this",
                    });
                x.help = e.help.clone();
                x
            }));
        }
    }
    let parsed = loader.parsed_map();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        inject_panic("lower", &loader.sources.get(tree.root).text);
        let proxy = match tree.dialect {
            finding::Dialect::Nginx => model::nginx::lower(tree, parsed),
            finding::Dialect::Haproxy => model::haproxy::lower(tree, parsed),
        };
        let cfg = opts.config.for_source(loader.sources.get(tree.root));
        let cfg = cfg.as_deref();
        let mut facts = opts.facts.clone();
        facts
            .backends
            .extend(cfg.iter().flat_map(|c| c.backends.iter().cloned()));
        facts
            .links
            .extend(cfg.iter().flat_map(|c| c.links.iter().cloned()));
        // probe: only with --online, and not after Ctrl-C.
        let observed =
            opts.online
                .as_ref()
                .filter(|_| !interrupted.load(Ordering::Relaxed))
                .map(|o| {
                    let root = &loader.sources.get(tree.root).path;
                    let base = opts.prefix.clone().unwrap_or_else(|| {
                        root.parent().map(Path::to_path_buf).unwrap_or_default()
                    });
                    probe::run(&proxy, &base, &o.with_file(cfg.map(|c| &c.online)))
                });
        let mut errs = Vec::new();
        let mut seen = Vec::new();
        if let Some(o) = &observed {
            seen.extend(o.resolved());
            errs.extend(o.errors.iter().cloned());
            if o.interrupted {
                interrupted.store(true, Ordering::Relaxed);
            }
        }
        let ctx = rules::Context {
            sources: &loader.sources,
            tree,
            files: parsed,
            proxy: &proxy,
            nginx_version: opts
                .nginx_version
                .or(cfg.and_then(|c| c.nginx_version.as_ref()).map(|v| v.value)),
            haproxy_version: opts.haproxy_version.or(cfg
                .and_then(|c| c.haproxy_version.as_ref())
                .map(|v| v.value)),
            facts: &facts,
            observed: observed.as_ref(),
            variables: Default::default(),
        };
        let found = rules::check(&ctx);
        if opts.exiting {
            std::mem::forget(ctx);
            std::mem::forget(proxy);
        }
        (found, errs, facts.links, seen)
    }));
    match checked {
        Ok((f, errs, l, r)) => {
            found.extend(f);
            errors.extend(errs);
            links = l;
            resolved = r;
        }
        Err(p) => found.push(rules::internal_error::failed(
            tree.root,
            "checking",
            &panic_message(&*p),
        )),
    }
    if tree.dialect == finding::Dialect::Haproxy {
        syntax::sections::note_conditions(
            &mut found,
            tree.files.iter().filter_map(|f| parsed.get(f)),
        );
    }
    let findings = found
        .into_iter()
        .filter(|f| scope.contains(f.span.file))
        .map(|f| f.dialect(tree.dialect))
        .collect();
    TreeResult {
        findings,
        errors,
        links,
        resolved,
    }
}

/// What linting one tree gives the run: its findings and errors, and what the chain step
/// needs from it (its `[[link]]` entries, the addresses `--online` resolved).
struct TreeResult {
    findings: Vec<Finding>,
    errors: Vec<String>,
    links: Vec<facts::Link>,
    resolved: Vec<(Span, Vec<std::net::IpAddr>)>,
}

/// `f` over `items` on all cores, results in the order of `items`. One item runs on the
/// calling thread: a single small configuration pays nothing for the thread pool.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < 2 {
        return items.iter().map(f).collect();
    }
    items.par_iter().map(f).collect()
}

/// What a caught panic said.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Fault injection for the tests of crash handling (debug builds only): with
/// `GWLINT_INJECT_PANIC=<stage>`, the stage panics on a file whose text holds
/// `gwlint-inject-panic`.
pub fn inject_panic(stage: &str, text: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("GWLINT_INJECT_PANIC").is_some_and(|s| s == stage)
        && text.contains("gwlint-inject-panic")
    {
        panic!("injected panic in {stage}");
    }
    let _ = (stage, text);
}

fn push_loaded(
    r: Result<FileId, LoadError>,
    name: &str,
    requested: &mut Vec<FileId>,
    findings: &mut Vec<Finding>,
    errors: &mut Vec<String>,
) {
    match r {
        // Duplicates are removed once discovery is done.
        Ok(id) => requested.push(id),
        Err(LoadError::Binary { file, offset }) => findings.push(
            Finding::new(
                &rules::not_text::RULE,
                Span::new(file, 0, 0),
                format!("not a text file (NUL byte at offset {offset}): neither nginx nor HAProxy can read it"),
            )
            .help("point gwlint (and the proxy) at configuration text; exclude this file"),
        ),
        Err(e) => errors.push(format!("{name}: {e}")),
    }
}

/// The path a file was given or discovered under (relative paths stay relative).
fn path_as_given(loader: &Loader, f: FileId) -> PathBuf {
    PathBuf::from(&loader.sources.get(f).name)
}

fn tree_index(
    loader: &mut Loader,
    trees: &mut Vec<(Tree, Scope)>,
    tree_of_root: &mut HashMap<FileId, usize>,
    root: FileId,
    opts: &Options,
) -> usize {
    if let Some(&t) = tree_of_root.get(&root) {
        return t;
    }
    let configured = || {
        let cfg = opts.config.for_source(loader.sources.get(root))?;
        cfg.nginx_prefix.as_ref().map(|p| p.value.clone())
    };
    let prefix = match opts.prefix.clone().or_else(configured) {
        Some(p) => p,
        None => {
            let given = path_as_given(loader, root);
            if loader.sources.get(root).path.starts_with("<stdin>") {
                PathBuf::new()
            } else {
                given.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        }
    };
    let tree = include::build(loader, root, &prefix, false);
    trees.push((tree, Scope::Files(Default::default())));
    tree_of_root.insert(root, trees.len() - 1);
    trees.len() - 1
}

fn include_edges(tree: &Tree) -> HashMap<FileId, Vec<FileId>> {
    let mut edges: HashMap<FileId, Vec<FileId>> = HashMap::new();
    for (span, targets) in &tree.includes {
        edges.entry(span.file).or_default().extend(targets);
    }
    edges
}

/// For programs that lint large inputs, called before any thread starts. glibc raises its mmap
/// threshold each time a large block is freed, after which freed blocks below it stay in the
/// heap as holes: on a 50 MB configuration that was 20 MB of resident memory nothing used. A
/// fixed threshold (glibc's initial one) keeps large blocks mapped and returns them when freed.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
