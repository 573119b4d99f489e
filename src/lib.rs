//! gwlint: finds what makes an NGINX or HAProxy gateway answer 502/503/504, before deploy.
//!
//! One pipeline: discover → load → parse → lower → check → filter → report. This file wires
//! the stages; `main.rs` only runs the CLI.

pub mod atom;
pub mod baseline;
pub mod chain;
pub mod cli;
pub mod config;
pub mod discover;
pub mod facts;
pub mod filter;
pub mod finding;
pub mod fix;
pub mod gather;
pub mod load;
pub mod model;
pub mod output;
pub mod panics;
pub mod par;
pub mod plan;
pub mod probe;
pub mod report;
pub mod rules;
pub mod server;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod syntax;
pub mod tables;
pub mod units;
pub mod version;
pub mod word;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use discover::Scope;
use finding::Finding;
use load::Loader;
use load::include::{self, Tree};
use source::{FileId, Span};

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
    /// Discover, plan and load only (`gwlint files`, `gwlint graph`): no rule runs, nothing
    /// is lowered but what the graph links, nothing is probed. gwlint.toml's `[[link]]`
    /// entries are still read for the graph.
    pub plan_only: bool,
    /// Probe the targets for real (`--online`); None: nothing is sent to the network.
    pub online: Option<probe::OnlineOptions>,
    /// `--mount RUNTIME=PATH`: where run-time paths are in the repository, for every
    /// deployment of the run.
    pub mounts: Vec<plan::mounts::Mount>,
    /// `--system`: follow includes to the host's files (linting on the gateway itself).
    pub system: bool,
    /// Texts in place of files on disk (path as loaded, name as shown, text): `--fix` lints
    /// its repairs with them before it writes anything.
    pub overlays: Vec<(PathBuf, String, Vec<u8>)>,
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
    /// Files a directory walk passed over that a user may have meant, and why.
    pub skipped: Vec<(String, &'static str)>,
    /// Files a walk found by name that do not read as nginx or HAProxy configuration.
    pub not_config: Vec<(String, &'static str)>,
    /// What the run could not use but did not need (a Compose file it cannot read): said on
    /// standard error, without failing the run.
    pub notes: Vec<String>,
}

/// One file a run linted, its dialect, and the main configuration that includes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linted {
    pub file: FileId,
    pub dialect: finding::Dialect,
    /// The nginx configuration this file was linted as part of (None: it is one itself).
    pub root: Option<FileId>,
    /// Where the file sits at run time, and what says so (a mount's origin).
    pub runtime: Option<(PathBuf, Option<String>)>,
}

/// Lints the given paths (`-` is standard input).
pub fn lint(paths: &[PathBuf], opts: &Options) -> Outcome {
    let mut loader = Loader::default();
    for (path, name, text) in &opts.overlays {
        // An overlay is read as the file would be; a failure shows when the file is loaded.
        let _ = loader.overlay(path, name, text.clone());
    }
    let mut errors = Vec::new();
    let mut findings = Vec::new();

    let mut planner = plan::Planner::new(opts.mounts.clone(), opts.system);
    let gather::Found {
        requested,
        dumps,
        alone,
        skipped,
        not_config,
        haproxy,
    } = gather::gather(
        paths,
        &gather::Asked {
            stdin: opts.stdin.as_ref(),
            dialect: opts.dialect,
            config: &opts.config,
            prefix: opts.prefix.as_deref(),
        },
        &mut loader,
        &mut planner,
        &mut findings,
        &mut errors,
    );

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
            let given = path_as_given(&loader, file);
            let mut mains = planner.mains_for(&given);
            // Only main files inside this file's tree (a container may name any path).
            mains.retain(|m| match m {
                plan::Main::File(p) => planner.admits(&given, p),
                plan::Main::Image(_) => true,
            });
            for r in roots.of(&given) {
                if planner.admits(&given, &r) {
                    mains.push(plan::Main::File(r));
                }
            }
            for main in mains {
                let root = match &main {
                    plan::Main::File(root_path) => {
                        let name = root_path.to_string_lossy().into_owned();
                        let Ok(root) = loader.load(root_path, &name) else {
                            continue;
                        };
                        root
                    }
                    plan::Main::Image(s) => image_main(&mut loader, &mut planner, *s),
                };
                let t = tree_index(
                    &mut loader,
                    &mut trees,
                    &mut tree_of_root,
                    root,
                    opts,
                    &mut planner,
                );
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
        tree_index(
            &mut loader,
            &mut trees,
            &mut tree_of_root,
            f,
            opts,
            &mut planner,
        );
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
    // nginx -T dumps: each is one deployment, its files at the paths the dump names.
    for dump in dumps {
        let tree = dump_tree(&mut loader, dump);
        trees.push((tree, Scope::All));
        kept.push(trees.len() - 1);
    }
    let alone: std::collections::HashSet<FileId> = alone.into_iter().collect();
    // A container's `-f` list joins the groups it names (`-f haproxy.cfg -f conf.d/`).
    let mut lists: Vec<(Vec<FileId>, Vec<FileId>)> = Vec::new();
    for (dir, files) in haproxy {
        let named_alone = files.iter().all(|f| alone.contains(f));
        let listed = (!dir.starts_with("<stdin>"))
            .then(|| {
                let first = PathBuf::from(&loader.sources.get(files[0]).name);
                // gwlint.toml's `[haproxy] files` first, then a container's command.
                let configured = opts
                    .config
                    .for_source(loader.sources.get(files[0]))
                    .map(|c| c.haproxy_files.clone())
                    .unwrap_or_default();
                plan::haproxy::list_holding(&configured, &first)
                    .or_else(|| planner.haproxy_list(&first))
                    .or_else(|| plan::haproxy::conf_d_list(&dir, &first))
            })
            .flatten();
        let files = match listed {
            Some(list) => {
                let first = PathBuf::from(&loader.sources.get(files[0]).name);
                let admitted: Vec<FileId> = list
                    .iter()
                    // A container's or gwlint.toml's list may name any path: only the tree's.
                    .filter(|p| planner.admits(&first, p))
                    .filter_map(|p| loader.load(p, &p.to_string_lossy()).ok())
                    .collect();
                match admitted.contains(&files[0]) {
                    true => admitted,
                    false => files,
                }
            }
            None if named_alone => haproxy_list(&mut loader, &mut planner, &dir, files),
            None => files,
        };
        let named: Vec<FileId> = match named_alone {
            true => files
                .iter()
                .copied()
                .filter(|f| alone.contains(f))
                .collect(),
            false => files.clone(),
        };
        match lists.iter_mut().find(|(l, _)| *l == files) {
            Some((_, n)) => n.extend(named),
            None => lists.push((files, named)),
        }
    }
    for (files, named) in lists {
        // Only files named alone report: the rest of their list is context.
        let scope = match named.iter().all(|f| alone.contains(f)) {
            true => Scope::Files(named.into_iter().collect()),
            false => Scope::All,
        };
        for files in haproxy_alternatives(&loader, files) {
            loader.parse_all(
                &files
                    .iter()
                    .map(|&f| (f, finding::Dialect::Haproxy))
                    .collect::<Vec<_>>(),
            );
            trees.push((Tree::haproxy(&mut loader, files), scope.clone()));
            kept.push(trees.len() - 1);
        }
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
            if scope.contains(f) && tree.is_own(f) && files_linted.insert(f, tree.dialect).is_none()
            {
                // HAProxy files read together are each a main configuration.
                let included = tree.dialect == finding::Dialect::Nginx && f != tree.root;
                linted.push(Linted {
                    file: f,
                    dialect: tree.dialect,
                    root: included.then_some(tree.root),
                    runtime: tree.runtime.get(&f).cloned(),
                });
            }
        }
    }
    let interrupted = std::sync::atomic::AtomicBool::new(false);
    let loader_ref = &loader;
    let mut lowered = Vec::with_capacity(kept.len());
    for done in par::par_map(&kept, |&t| {
        lint_tree(loader_ref, &trees[t].0, &trees[t].1, opts, &interrupted)
    }) {
        lowered.push(done.proxy);
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
        lowered,
        &chain_facts,
        opts.nginx_version,
        opts.graph,
        match opts.plan_only {
            true => |_: &chain::Chain| Vec::new(),
            false => rules::check_chain,
        },
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
        skipped,
        not_config,
        notes: std::mem::take(&mut planner.errors),
    }
}

/// Lowers and checks one tree: its include and syntax findings, then every rule's, for the
/// files in its scope. A crash while lowering becomes a GW000 finding.
fn lint_tree<'a>(
    loader: &'a Loader,
    tree: &'a Tree,
    scope: &Scope,
    opts: &Options,
    interrupted: &std::sync::atomic::AtomicBool,
) -> TreeResult<'a> {
    use std::sync::atomic::Ordering;
    if opts.plan_only {
        let cfg = opts.config.for_source(loader.sources.get(tree.root));
        let mut facts = opts.facts.clone();
        facts
            .links
            .extend(cfg.iter().flat_map(|c| c.links.iter().cloned()));
        return TreeResult {
            proxy: None,
            findings: Vec::new(),
            errors: Vec::new(),
            links: facts.links,
            resolved: Vec::new(),
        };
    }
    let mut found = rules::tree_findings(tree);
    let mut errors = Vec::new();
    let mut links = Vec::new();
    let mut resolved = Vec::new();
    // A last line without LF: HAProxy refuses it from 2.3, warns in 2.2.
    let lf_warns = tree.dialect == finding::Dialect::Haproxy && {
        let cfg = opts.config.for_source(loader.sources.get(tree.root));
        let v = opts.haproxy_version.or(cfg
            .as_deref()
            .and_then(|c| c.haproxy_version.as_ref())
            .map(|v| v.value));
        v.is_some_and(|v| v < rules::Version(2, 3, 0))
    };
    for &f in &tree.files {
        if let Some(parsed) = loader.nginx_parsed(f) {
            found.extend(parsed.errors.iter().map(|e| {
                let mut x = Finding::new(&rules::syntax_error::RULE, e.span, e.message.clone())
                    .label(match tree.dialect {
                        finding::Dialect::Nginx => "nginx stops reading here",
                        finding::Dialect::Haproxy => "HAProxy refuses this",
                    });
                x.help = e.help.clone();
                if let Some(at) = e.semicolon {
                    let at = at as usize;
                    x = x.fix(finding::Fix::semicolon(Span::new(e.span.file, at, at)));
                }
                if lf_warns && e.message.starts_with(syntax::haproxy::MISSING_LF) {
                    x.severity = finding::Severity::Warning;
                    x.message = format!(
                        "{}: the configured HAProxy warns and starts (2.3 and later refuse)",
                        e.message
                    );
                    x = x.label("HAProxy 2.3 and later refuse this");
                }
                x
            }));
        }
    }
    let parsed = loader.parsed_map();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        panics::inject_panic("lower", &loader.sources.get(tree.root).text);
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
                    probe::run(
                        &proxy,
                        &base,
                        &cfg.map_or_else(|| o.clone(), |c| c.online.fill(o)),
                    )
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
        let nginx_version = opts
            .nginx_version
            .or(cfg.and_then(|c| c.nginx_version.as_ref()).map(|v| v.value));
        let haproxy_version = opts.haproxy_version.or(cfg
            .and_then(|c| c.haproxy_version.as_ref())
            .map(|v| v.value));
        let refusals = match tree.dialect {
            finding::Dialect::Nginx => {
                let build = cfg.map(|c| c.nginx_build()).unwrap_or_default();
                model::refusals::nginx::check(tree, parsed, nginx_version, &build)
            }
            finding::Dialect::Haproxy => {
                model::refusals::haproxy::check(tree, parsed, haproxy_version)
            }
        };
        let ctx = rules::Context {
            sources: &loader.sources,
            proxy: &proxy,
            nginx_version,
            haproxy_version,
            refusals: &refusals,
            facts: &facts,
            observed: observed.as_ref(),
        };
        let found = rules::check(&ctx);
        (found, errs, facts.links, seen, proxy)
    }));
    let mut lowered = None;
    match checked {
        Ok((f, errs, l, r, proxy)) => {
            found.extend(f);
            errors.extend(errs);
            links = l;
            resolved = r;
            lowered = Some(proxy);
        }
        Err(p) => found.push(rules::internal_error::failed(
            tree.root,
            "checking",
            &panics::panic_message(&*p),
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
        .filter(|f| scope.contains(f.span.file) && tree.is_own(f.span.file))
        .map(|f| f.dialect(tree.dialect))
        .collect();
    TreeResult {
        proxy: lowered,
        findings,
        errors,
        links,
        resolved,
    }
}

/// What linting one tree gives the run: its findings and errors, and what the chain step
/// needs from it (its `[[link]]` entries, the addresses `--online` resolved).
struct TreeResult<'a> {
    /// The proxy as lowered, for the chain step (None when lowering or a rule crashed, or
    /// nothing was checked).
    proxy: Option<model::Proxy<'a>>,
    findings: Vec<Finding>,
    errors: Vec<String>,
    links: Vec<facts::Link>,
    resolved: Vec<(Span, Vec<std::net::IpAddr>)>,
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
    planner: &mut plan::Planner,
) -> usize {
    if let Some(&t) = tree_of_root.get(&root) {
        return t;
    }
    let place = match planner.image_of(root) {
        Some(service) => planner.place_of_image(service),
        None => {
            let cfg = opts.config.for_source(loader.sources.get(root));
            let prefix = opts
                .prefix
                .clone()
                .or_else(|| cfg.as_ref()?.nginx_prefix.as_ref().map(|p| p.value.clone()));
            let configured = cfg.as_ref().map(|c| c.mounts.clone()).unwrap_or_default();
            let given = path_as_given(loader, root);
            if loader.sources.get(root).path.starts_with("<stdin>") {
                let mut place = plan::place::Place::local(&prefix.unwrap_or_default());
                place.boundary = planner.boundary(Path::new("."));
                place
            } else {
                let text = loader.sources.get(root).text.clone();
                // A fragment that no main file loads: its relative includes start at the
                // prefix of the main configuration around it, if there is one; else where
                // they lead is unknown.
                let fragment = !loader
                    .nginx(root)
                    .directives
                    .iter()
                    .any(|d| model::directives::is_main_only(d.name()));
                let around = (fragment && prefix.is_none())
                    .then(|| {
                        let boundary = planner.boundary(&given);
                        discover::Roots::default().of(&given).into_iter().find(|r| {
                            boundary.as_ref().is_none_or(|b| {
                                std::fs::canonicalize(r).is_ok_and(|c| c.starts_with(b))
                            })
                        })
                    })
                    .flatten()
                    .and_then(|r| r.parent().map(Path::to_path_buf));
                let mut place = planner.place_for(
                    &given,
                    &text,
                    around.as_deref().or(prefix.as_deref()),
                    &configured,
                    opts.prefix.is_some(),
                );
                place.prefix_unknown = fragment && prefix.is_none() && around.is_none();
                place
            }
        }
    };
    let mut tree = include::build(loader, root, place, false);
    if planner.image_of(root).is_some() {
        // The image's own file: read for what it sets, never reported on.
        tree.stock.push(root);
    }
    trees.push((tree, Scope::Files(Default::default())));
    tree_of_root.insert(root, trees.len() - 1);
    trees.len() - 1
}

/// The image's own main file for a container that mounts only part of `/etc/nginx`: one
/// file per container, as each has its own mounts.
fn image_main(loader: &mut Loader, planner: &mut plan::Planner, service: usize) -> FileId {
    let s = &planner.services[service];
    let stock = plan::stock::official_image_main();
    let key = PathBuf::from(format!(
        "<image:{}:{}>/etc/nginx/nginx.conf",
        s.file.display(),
        s.name
    ));
    let shown = format!(
        "/etc/nginx/nginx.conf of {} ({} service {})",
        s.image.as_deref().unwrap_or("the nginx image"),
        s.file.display(),
        s.name
    );
    let id = loader.add_virtual(&key, &shown, stock.text.as_bytes().to_vec());
    planner.note_image(id, service);
    id
}

/// The tree of an `nginx -T` dump: its first file is the main one; includes resolve among
/// the dump's files only.
fn dump_tree(loader: &mut Loader, dump: FileId) -> Tree {
    let src = loader.sources.get(dump);
    let (name, text) = (src.name.clone(), src.text.clone());
    let mut files = std::collections::BTreeMap::new();
    let mut first = None;
    for f in plan::dump::split(&text) {
        let key = PathBuf::from(format!("<dump:{name}>{}", f.path));
        let id = loader.add_virtual(&key, &f.path, text[f.text.clone()].as_bytes().to_vec());
        first.get_or_insert((id, PathBuf::from(&f.path)));
        files.entry(PathBuf::from(&f.path)).or_insert(id);
    }
    let Some((main, main_path)) = first else {
        return Tree::of_files(finding::Dialect::Nginx, vec![dump]);
    };
    let place = plan::place::Place {
        prefix: main_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        dump: Some(files),
        ..Default::default()
    };
    include::build(loader, main, place, false)
}

/// The `-f` list an HAProxy file named alone belongs to: the other `*.cfg` files of its
/// directory (as `haproxy -f DIR` reads them, in lexical order), when they make one
/// configuration (at most one `global` among them).
fn haproxy_list(
    loader: &mut Loader,
    planner: &mut plan::Planner,
    dir: &Path,
    named: Vec<FileId>,
) -> Vec<FileId> {
    let here = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let paths: Vec<PathBuf> = plan::haproxy::expand(std::iter::once(here.to_path_buf()))
        .into_iter()
        .filter(|p| planner.admits(here, p))
        .collect();
    let mut files = Vec::new();
    for p in paths {
        let shown = if dir.as_os_str().is_empty() {
            p.strip_prefix(".").unwrap_or(&p).to_path_buf()
        } else {
            p.clone()
        };
        if let Ok(id) = loader.load(&p, &shown.to_string_lossy())
            && discover::looks_like_haproxy(&loader.sources.get(id).text)
        {
            files.push(id);
        }
    }
    let texts: Vec<&str> = files
        .iter()
        .map(|&f| loader.sources.get(f).text.as_str())
        .collect();
    if plan::haproxy::alternatives(&texts) || !named.iter().all(|f| files.contains(f)) {
        return named;
    }
    files
}

/// HAProxy files found together that each hold a `global` section are alternatives
/// (`haproxy.cfg` beside `haproxy-staging.cfg`), not one configuration: each is its own.
fn haproxy_alternatives(loader: &Loader, files: Vec<FileId>) -> Vec<Vec<FileId>> {
    let texts: Vec<&str> = files
        .iter()
        .map(|&f| loader.sources.get(f).text.as_str())
        .collect();
    match plan::haproxy::alternatives(&texts) {
        true => files.into_iter().map(|f| vec![f]).collect(),
        false => vec![files],
    }
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
