//! nginx `include`: resolving paths and globs against the prefix, loading each file once,
//! and finding cycles. The result is a [`Tree`]: the files of one configuration and the
//! include edges between them.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::load::{LoadError, Loader};
use crate::plan::place::{Place, Problem, Resolved, Unfollowed};
use crate::source::{FileId, Span};
use crate::syntax::nginx::Directive;

/// One nginx configuration: a root file and everything it includes.
#[derive(Debug)]
pub struct Tree {
    pub dialect: crate::finding::Dialect,
    pub root: FileId,
    /// The root first, then included files in the order they are first included.
    pub(crate) files: Vec<FileId>,
    /// The files each `include` directive (by its span) brings in.
    pub(crate) includes: HashMap<Span, Vec<FileId>>,
    /// What an include names where that is more than it brings in (a cycle, a bound):
    /// the parse formats show what the include matches.
    pub(crate) named: HashMap<Span, Vec<FileId>>,
    /// Missing includes, unreadable includes, cycles, includes not followed, bounds reached:
    /// values, which the rules report (`rules::tree_findings`).
    pub(crate) problems: Vec<TreeProblem>,
    /// Includes gwlint does not follow (outside the tree, unmapped, not in the repository):
    /// what they would define is unknown, never absent. Each is also a GW005 finding.
    pub(crate) unknown: Vec<Span>,
    /// Files the image or package ships (`mime.types`), known by content: read for what they
    /// set, never reported on.
    pub(crate) stock: Vec<FileId>,
    /// How this deployment sees the file system.
    pub(crate) place: Place,
    /// Where included files sit at run time, and the mount that placed them there.
    pub(crate) runtime: HashMap<FileId, (PathBuf, Option<String>)>,
}

/// What went wrong while following a tree's includes.
#[derive(Debug, Clone)]
pub(crate) enum TreeProblem {
    /// An included file is missing or cannot be read (GW002), or is not text (GW004).
    Unloadable {
        arg: Span,
        shown: String,
        error: LoadError,
    },
    /// An include gwlint does not follow (GW005): what it defines is unknown.
    NotFollowed {
        arg: Span,
        written: String,
        runtime: PathBuf,
        why: Unfollowed,
    },
    /// An include that closes a cycle (GW003), with the files on the cycle by name.
    Cycle { include: Span, chain: Vec<String> },
    /// The first include cut by a bound (GW006), and how many include targets were cut after.
    Bound {
        include: Span,
        why: super::bounds::Bound,
        more: usize,
    },
}

impl Tree {
    /// Files read in order as one configuration, with no includes between them.
    pub fn of_files(dialect: crate::finding::Dialect, files: Vec<FileId>) -> Tree {
        Tree {
            dialect,
            root: files[0],
            files,
            includes: HashMap::new(),
            named: HashMap::new(),
            problems: Vec::new(),
            unknown: Vec::new(),
            stock: Vec::new(),
            place: Place::default(),
            runtime: HashMap::new(),
        }
    }

    /// Is this file of the repository (not a stock file)?
    pub(crate) fn is_own(&self, f: FileId) -> bool {
        !self.stock.contains(&f)
    }

    /// An HAProxy configuration: its files are read in order as one (`haproxy -f a -f b`).
    pub fn haproxy(loader: &mut Loader, files: Vec<FileId>) -> Tree {
        for &f in &files {
            loader.haproxy(f);
        }
        Tree::of_files(crate::finding::Dialect::Haproxy, files)
    }

    /// The files an include brings in, as every walk of the configuration expands it.
    pub(crate) fn included(&self, d: &Directive) -> &[FileId] {
        self.includes.get(&d.span).map_or(&[], Vec::as_slice)
    }

    /// The files an include matches, including those not expanded (a cycle, a bound).
    pub(crate) fn matched(&self, d: &Directive) -> &[FileId] {
        match self.named.get(&d.span) {
            Some(all) => all,
            None => self.included(d),
        }
    }

    /// Stops expanding `target` at the include `span`.
    pub(crate) fn cut(&mut self, span: Span, target: FileId) {
        if let Some(t) = self.includes.get_mut(&span) {
            self.named.entry(span).or_insert_with(|| t.clone());
            t.retain(|&f| f != target);
        }
    }
}

/// Loads the tree of `root` as `place` sees the file system; with `single`, includes are not
/// followed.
pub fn build(loader: &mut Loader, root: FileId, place: Place, single: bool) -> Tree {
    let mut tree = Tree {
        dialect: crate::finding::Dialect::Nginx,
        root,
        files: vec![root],
        includes: HashMap::new(),
        named: HashMap::new(),
        problems: Vec::new(),
        unknown: Vec::new(),
        stock: Vec::new(),
        place,
        runtime: HashMap::new(),
    };
    let given = std::path::Path::new(&loader.sources.get(root).name);
    if let Some(rt) = tree.place.mounts.runtime(given) {
        let by = tree
            .place
            .mounts
            .local(&rt)
            .map(|(_, m)| m.origin.to_string());
        tree.runtime.insert(root, (rt, by));
    }
    let mut edges: HashMap<FileId, Vec<(Span, FileId)>> = HashMap::new();
    let mut seen = std::collections::HashSet::from([root]);
    let mut surveys: HashMap<FileId, Survey> = HashMap::new();
    loader.nginx(root);
    let mut i = 0;
    while i < tree.files.len() && !single {
        let file = tree.files[i];
        i += 1;
        let mut found = Vec::new();
        // A name is its text unescaped, and unescaping cannot make `include`: a file without
        // the word has no include to walk its whole tree for.
        let has_word =
            memchr::memmem::find(loader.sources.get(file).text.as_bytes(), b"include").is_some();
        let parsed = &loader.nginx(file).directives;
        let mut survey = Survey::default();
        survey.walk(parsed, 0, has_word, &mut found);
        surveys.insert(file, survey);
        for (span, arg_span, pattern) in found {
            let targets = resolve(loader, &mut tree, span, arg_span, &pattern);
            for &t in &targets {
                if seen.insert(t) {
                    tree.files.push(t);
                }
                edges.entry(file).or_default().push((span, t));
            }
            tree.includes.insert(span, targets);
        }
    }
    find_cycles(loader, &mut tree, &edges);
    if !single {
        super::bounds::apply(&mut tree, &surveys);
    }
    tree
}

/// What the bounds need to know of one file: its statements, how deep its blocks go, and
/// where its includes stand.
#[derive(Default)]
pub(crate) struct Survey {
    pub(crate) statements: u64,
    /// The deepest block level a statement of the file sits at (0: top level).
    pub(crate) depth: usize,
    /// Each include (by its span) with the block level it stands at, in read order.
    pub(crate) includes: Vec<(Span, usize)>,
}

impl Survey {
    fn walk(
        &mut self,
        dirs: &[Directive],
        level: usize,
        includes: bool,
        out: &mut Vec<(Span, Span, String)>,
    ) {
        self.statements += dirs.len() as u64;
        if !dirs.is_empty() {
            self.depth = self.depth.max(level);
        }
        for d in dirs {
            if includes
                && d.is(crate::atom!("include"))
                && let Some(a) = d.args.first()
            {
                out.push((d.span, a.span, a.value.to_string()));
                self.includes.push((d.span, level));
            }
            self.walk(d.children(), level + 1, includes, out);
        }
    }
}

fn resolve(
    loader: &mut Loader,
    tree: &mut Tree,
    span: Span,
    arg_span: Span,
    pattern: &str,
) -> Vec<FileId> {
    match tree.place.resolve(pattern) {
        Resolved::Files(found, problems) => {
            for problem in problems {
                match problem {
                    Problem::Missing(local) => {
                        let shown = local.to_string_lossy().into_owned();
                        tree.problems.push(TreeProblem::Unloadable {
                            arg: arg_span,
                            shown,
                            error: LoadError::NotFound,
                        });
                    }
                    Problem::Unfollowed(runtime, why) => {
                        not_followed(tree, span, arg_span, pattern, runtime, why)
                    }
                }
            }
            let mut out = Vec::new();
            for (runtime, local) in found {
                let name = local.to_string_lossy().into_owned();
                match loader.load_included(&local, &name) {
                    Ok(id) => {
                        let by = tree
                            .place
                            .mounts
                            .local(&runtime)
                            .map(|(_, m)| m.origin.to_string());
                        if runtime.is_absolute() {
                            tree.runtime.entry(id).or_insert((runtime, by));
                        }
                        out.push(id)
                    }
                    Err(error) => tree.problems.push(TreeProblem::Unloadable {
                        arg: arg_span,
                        shown: name,
                        error,
                    }),
                }
            }
            out
        }
        Resolved::Dumped(files) => files,
        Resolved::Stock(runtime, text) => {
            let id = loader.stock(&runtime, text);
            if !tree.stock.contains(&id) {
                tree.stock.push(id);
            }
            vec![id]
        }
        Resolved::Missing(local) => {
            let shown = local.to_string_lossy().into_owned();
            tree.problems.push(TreeProblem::Unloadable {
                arg: arg_span,
                shown,
                error: LoadError::NotFound,
            });
            Vec::new()
        }
        Resolved::Unfollowed(runtime, why) => {
            not_followed(tree, span, arg_span, pattern, runtime, why);
            Vec::new()
        }
    }
}

/// An include gwlint does not follow: what it defines is unknown (`Tree::unknown`), and GW005
/// says why.
fn not_followed(
    tree: &mut Tree,
    span: Span,
    arg_span: Span,
    pattern: &str,
    runtime: PathBuf,
    why: Unfollowed,
) {
    tree.unknown.push(span);
    tree.problems.push(TreeProblem::NotFollowed {
        arg: arg_span,
        written: pattern.to_string(),
        runtime,
        why,
    });
}

/// Every include that closes a cycle is reported once, at that include.
fn find_cycles(loader: &Loader, tree: &mut Tree, edges: &HashMap<FileId, Vec<(Span, FileId)>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark: HashMap<FileId, Mark> = HashMap::new();
    // Iterative depth-first search: (file, next edge index).
    let mut stack: Vec<(FileId, usize)> = vec![(tree.root, 0)];
    mark.insert(tree.root, Mark::Active);
    while let Some(&mut (file, ref mut next)) = stack.last_mut() {
        let out = edges.get(&file).map_or(&[][..], Vec::as_slice);
        if *next >= out.len() {
            mark.insert(file, Mark::Done);
            stack.pop();
            continue;
        }
        let (span, target) = out[*next];
        *next += 1;
        match mark.get(&target).copied().unwrap_or(Mark::New) {
            Mark::New => {
                mark.insert(target, Mark::Active);
                stack.push((target, 0));
            }
            Mark::Active => {
                let from = stack.iter().position(|&(f, _)| f == target).unwrap_or(0);
                let mut chain: Vec<&str> = stack[from..]
                    .iter()
                    .map(|&(f, _)| loader.sources.get(f).name.as_str())
                    .collect();
                chain.push(&loader.sources.get(target).name);
                // The include is not expanded: lowering and every walk see a tree without
                // cycles, so no expansion can repeat itself.
                tree.cut(span, target);
                let chain = chain.into_iter().map(str::to_string).collect();
                tree.problems.push(TreeProblem::Cycle {
                    include: span,
                    chain,
                });
            }
            Mark::Done => {}
        }
    }
}
