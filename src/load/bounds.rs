//! Bounds on what includes make of one configuration. A file included from ten places that
//! each include it ten times grows tenfold per level, and nested includes deepen every walk;
//! real configurations stay far below both bounds. Where one is reached, the includes past it
//! are not followed: what they define is unknown (`Tree::unknown`), and GW006 says where.

use std::collections::HashMap;

use super::include::{Survey, Tree, TreeProblem};
use crate::source::{FileId, Span};

/// Blocks and includes along one path where an include is entered: an include entered deeper
/// is cut. The blocks of the file entered add at most the parser's 200, so walks stay below
/// 600 levels (lowering stops at 1000).
pub(crate) const MAX_NESTING: usize = 400;
/// Statements once every include is expanded: at least this many, and
const MIN_EXPANDED: u64 = 1_000_000;
/// at least this many times the statements of the configuration's own files (a snippet
/// included in every virtual host of a large estate).
const EXPANSION_FACTOR: u64 = 8;

/// Which bound an include crossed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    /// The configuration's includes expand to `expanded` statements, past `bound`.
    Expansion { expanded: u64, bound: u64 },
    /// Blocks and includes nest deeper than this.
    Nesting(usize),
}

/// Cuts the includes that would take the tree past a bound, in read order.
pub(crate) fn apply(tree: &mut Tree, surveys: &HashMap<FileId, Survey>) {
    let own: u64 = surveys.values().map(|s| s.statements).sum();
    let bound = MIN_EXPANDED.max(own.saturating_mul(EXPANSION_FACTOR));
    let mut b = Bounder {
        surveys,
        size: HashMap::new(),
        budget: bound,
        first: None,
        cut: 0,
    };
    for f in postorder(tree, surveys) {
        b.measure(tree, f);
    }
    let (expanded, height) = b.size.get(&tree.root).copied().unwrap_or((0, 0));
    if expanded <= bound && height <= MAX_NESTING {
        return;
    }
    let root = tree.root;
    let statements = surveys.get(&root).map_or(0, |s| s.statements);
    b.budget = b.budget.saturating_sub(statements);
    b.visit(tree, root, 0);
    if let Some((span, why)) = b.first {
        let why = match why {
            Why::Expansion => Bound::Expansion { expanded, bound },
            Why::Nesting => Bound::Nesting(MAX_NESTING),
        };
        tree.problems.push(TreeProblem::Bound {
            include: span,
            why,
            more: b.cut.saturating_sub(1),
        });
    }
}

/// The tree's files, each after every file it includes (the tree has no cycles left).
fn postorder(tree: &Tree, surveys: &HashMap<FileId, Survey>) -> Vec<FileId> {
    let targets = |f: FileId| -> Vec<FileId> {
        let Some(s) = surveys.get(&f) else {
            return Vec::new();
        };
        s.includes
            .iter()
            .flat_map(|(span, _)| tree.includes.get(span).into_iter().flatten().copied())
            .collect()
    };
    let mut order = Vec::with_capacity(tree.files.len());
    let mut seen = std::collections::HashSet::from([tree.root]);
    let mut stack = vec![(tree.root, targets(tree.root), 0)];
    while let Some((f, out, next)) = stack.last_mut() {
        if let Some(&t) = out.get(*next) {
            *next += 1;
            if seen.insert(t) {
                let out = targets(t);
                stack.push((t, out, 0));
            }
        } else {
            order.push(*f);
            stack.pop();
        }
    }
    order
}

enum Why {
    Expansion,
    Nesting,
}

struct Bounder<'s> {
    surveys: &'s HashMap<FileId, Survey>,
    /// Per file: statements with its includes expanded, and how deep it nests.
    size: HashMap<FileId, (u64, usize)>,
    budget: u64,
    first: Option<(Span, Why)>,
    /// Include targets not followed.
    cut: usize,
}

impl Bounder<'_> {
    /// The file's size from its targets' sizes (measured first: files come in postorder).
    fn measure(&mut self, tree: &Tree, f: FileId) {
        let Some(s) = self.surveys.get(&f) else {
            self.size.insert(f, (0, 0));
            return;
        };
        let (mut total, mut height) = (s.statements, s.depth);
        for (span, level) in &s.includes {
            for t in tree.includes.get(span).into_iter().flatten() {
                let (w, h) = self.size.get(t).copied().unwrap_or((0, 0));
                total = total.saturating_add(w);
                height = height.max(level + 1 + h);
            }
        }
        self.size.insert(f, (total, height));
    }

    /// Walks one instance of `f`, entered at nesting `entry`: an included file that fits
    /// whole is counted whole; one that does not is entered and bounded inside, or, when
    /// that cannot help, not followed.
    fn visit(&mut self, tree: &mut Tree, f: FileId, entry: usize) {
        let Some(s) = self.surveys.get(&f) else {
            return;
        };
        for &(span, level) in &s.includes {
            let at = entry + level + 1;
            let Some(targets) = tree.includes.get(&span).cloned() else {
                continue;
            };
            let mut kept = Vec::with_capacity(targets.len());
            for &t in &targets {
                let (w, h) = self.size.get(&t).copied().unwrap_or((0, 0));
                let (own, splits) = self
                    .surveys
                    .get(&t)
                    .map_or((0, false), |s| (s.statements, !s.includes.is_empty()));
                if w <= self.budget && at + h <= MAX_NESTING {
                    self.budget -= w;
                    kept.push(t);
                } else if at > MAX_NESTING {
                    self.stop(tree, span, Why::Nesting);
                } else if (w <= self.budget || splits) && own <= self.budget {
                    self.budget -= own;
                    kept.push(t);
                    self.visit(tree, t, at);
                    self.measure(tree, t);
                } else {
                    self.stop(tree, span, Why::Expansion);
                }
            }
            if kept.len() < targets.len() {
                tree.named.entry(span).or_insert(targets);
                tree.includes.insert(span, kept);
            }
        }
    }

    fn stop(&mut self, tree: &mut Tree, span: Span, why: Why) {
        self.cut += 1;
        if !tree.unknown.contains(&span) {
            tree.unknown.push(span);
        }
        if self.first.is_none() {
            self.first = Some((span, why));
        }
    }
}
