//! The gateway chain as inline SVG: one band per proxy (outer proxies first), in each band one
//! column per kind (listener, route, pool, server) and a last column for the next proxy's
//! listeners that the servers reach. Nodes and hops with findings are coloured by the worst
//! one and name the codes in their tooltip. Positions depend only on the graph's order.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::{relative_path, text};
use crate::chain::dialect_name;
use crate::chain::graph::{Graph, NodeKind};
use crate::finding::{Finding, Severity};
use crate::source::Span;

/// More nodes than this make an unreadable picture (and a page of megabytes).
const MAX_NODES: usize = 400;
const COL_W: usize = 244;
const BOX_W: usize = 200;
const BOX_H: usize = 38;
const ROW_H: usize = 48;
const HEAD_H: usize = 44;
const BAND_GAP: usize = 16;
const MARGIN: usize = 8;
/// Characters that fit a box line at the font size of the style sheet.
const LABEL_CHARS: usize = 28;
const COLUMNS: [&str; 5] = ["listener", "route", "pool", "server", "next proxy"];

/// What sits in a band's column: a node of the graph, or (last column) the listener of the
/// next proxy that a hop reaches, drawn again where the hop leaves.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Node(usize),
    Next(usize),
}

fn column(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Listener => 0,
        NodeKind::Route => 1,
        NodeKind::Pool => 2,
        NodeKind::Server => 3,
    }
}

pub(crate) fn render(out: &mut String, g: &Graph, findings: &[Finding]) {
    if g.nodes.is_empty() {
        out.push_str(
            "<p class=\"nograph\">No chain to draw: the run found no listener, route or pool.</p>\n",
        );
        return;
    }
    if g.nodes.len() > MAX_NODES {
        let _ = writeln!(
            out,
            "<p class=\"nograph\">The chain has {} nodes, too many to draw here; \
             <code>gwlint graph --format dot</code> draws it with Graphviz.</p>",
            g.nodes.len()
        );
        return;
    }
    if g.edges.is_empty() {
        out.push_str(
            "<p class=\"nograph\">Nothing to follow from these listeners: the run found no \
             route to a pool, a server or another proxy.</p>\n",
        );
    }
    let (on_node, on_edge) = marks(g, findings);
    let bands = bands(g);
    let mut tops = Vec::new();
    let mut y = MARGIN;
    for band in &bands {
        tops.push(y);
        y += HEAD_H + band.rows.max(1) * ROW_H + BAND_GAP;
    }
    let width = 2 * MARGIN + COLUMNS.len() * COL_W - (COL_W - BOX_W);
    let height = y;
    let mut at: HashMap<(usize, Item), (usize, usize)> = HashMap::new();
    for (b, band) in bands.iter().enumerate() {
        for (c, items) in band.cols.iter().enumerate() {
            for &(item, r) in items {
                at.insert(
                    (b, item),
                    (MARGIN + c * COL_W, tops[b] + HEAD_H + r * ROW_H),
                );
            }
        }
    }
    let band_of: HashMap<usize, usize> = bands
        .iter()
        .enumerate()
        .flat_map(|(b, band)| {
            band.cols
                .iter()
                .flatten()
                .filter_map(move |(i, _)| match i {
                    Item::Node(n) => Some((*n, b)),
                    Item::Next(_) => None,
                })
        })
        .collect();
    let _ = writeln!(
        out,
        "<svg class=\"chain\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"gateway chain\">"
    );
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" \
         markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\"/>\
         </marker></defs>\n",
    );
    for (b, band) in bands.iter().enumerate() {
        let proxy = band.proxy;
        let info = &g.proxies[proxy];
        let _ = writeln!(
            out,
            "<g class=\"band\" id=\"proxy-{proxy}\"><rect class=\"band\" x=\"0\" y=\"{}\" \
             width=\"{width}\" height=\"{}\"/><text class=\"proxy\" x=\"{MARGIN}\" y=\"{}\">{} \
             {}</text>",
            tops[b],
            tops[b + 1..].first().copied().unwrap_or(height) - tops[b] - BAND_GAP / 2,
            tops[b] + 16,
            dialect_name(info.dialect),
            text(&relative_path(&info.file))
        );
        // The last column is named only where a hop leaves for another proxy.
        let named = if band.cols[4].is_empty() { 4 } else { 5 };
        for (c, name) in COLUMNS.iter().enumerate().take(named) {
            let _ = writeln!(
                out,
                "<text class=\"colhead\" x=\"{}\" y=\"{}\">{name}</text>",
                MARGIN + c * COL_W,
                tops[b] + 36
            );
        }
        out.push_str("</g>\n");
    }
    for (e, edge) in g.edges.iter().enumerate() {
        let Some(&b) = band_of.get(&edge.from) else {
            continue;
        };
        let to = if edge.link {
            Item::Next(edge.to)
        } else {
            Item::Node(edge.to)
        };
        let (Some(&(x1, y1)), Some(&(x2, y2))) =
            (at.get(&(b, Item::Node(edge.from))), at.get(&(b, to)))
        else {
            continue;
        };
        let (x1, y1, x2, y2) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
        let mid = (x1 + x2) / 2;
        let hits = &on_edge[e];
        let class = match worst(findings, hits) {
            Some(s) => format!("edge {} hit", s.as_str()),
            None if edge.link => "edge link".to_string(),
            None => "edge".to_string(),
        };
        let _ = write!(
            out,
            "<path class=\"{class}\" d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" \
             marker-end=\"url(#arrow)\">"
        );
        if !hits.is_empty() {
            let _ = write!(out, "<title>{}</title>", codes(findings, hits));
        }
        out.push_str("</path>\n");
        if let Some(s) = worst(findings, hits) {
            let _ = writeln!(
                out,
                "<circle class=\"dot {}\" cx=\"{mid}\" cy=\"{}\" r=\"6\"><title>{}</title></circle>",
                s.as_str(),
                (y1 + y2) / 2,
                codes(findings, hits)
            );
        }
    }
    for (b, band) in bands.iter().enumerate() {
        for &(item, _) in band.cols.iter().flatten() {
            let (x, y) = at[&(b, item)];
            node(out, g, findings, item, x, y, &on_node);
        }
    }
    out.push_str("</svg>\n");
}

fn node(
    out: &mut String,
    g: &Graph,
    findings: &[Finding],
    item: Item,
    x: usize,
    y: usize,
    on_node: &[Vec<usize>],
) {
    let (id, next) = match item {
        Item::Node(n) => (n, false),
        Item::Next(n) => (n, true),
    };
    let n = &g.nodes[id];
    let proxy = &g.proxies[n.proxy];
    let file = relative_path(&n.file);
    let (top, label) = if next {
        let name = std::path::Path::new(&file)
            .file_name()
            .map_or(file.clone(), |f| f.to_string_lossy().into_owned());
        (
            format!("→ {} {name}", dialect_name(proxy.dialect)),
            &n.label,
        )
    } else {
        (n.block.clone(), &n.label)
    };
    let hits: &[usize] = if next { &[] } else { &on_node[id] };
    let sev = worst(findings, hits).map_or("", Severity::as_str);
    // Each part escaped on its own: the line breaks between them are the tooltip's.
    let mut tip = [&n.block, &n.label, &format!("{file}:{}", n.line)]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| text(p))
        .collect::<Vec<_>>()
        .join("\n");
    if !hits.is_empty() {
        tip.push('\n');
        tip.push_str(&codes(findings, hits));
    }
    let href = if next {
        Some(format!("#proxy-{}", n.proxy))
    } else {
        hits.first().map(|f| format!("#f{f}"))
    };
    if let Some(h) = &href {
        let _ = write!(out, "<a href=\"{h}\">");
    }
    let kind = if next {
        "next"
    } else {
        COLUMNS[column(n.kind)]
    };
    let _ = write!(
        out,
        "<g class=\"node {kind} {sev}\" data-node=\"{id}\"><title>{tip}</title>\
         <rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"4\"/>",
    );
    // A pool has no block around it: its one line is centred.
    let label_y = if top.is_empty() {
        y + 23
    } else {
        let _ = write!(
            out,
            "<text class=\"block\" x=\"{}\" y=\"{}\">{}</text>",
            x + 6,
            y + 14,
            text(&short(&top))
        );
        y + 30
    };
    let _ = write!(
        out,
        "<text class=\"label\" x=\"{}\" y=\"{label_y}\">{}</text>",
        x + 6,
        text(&short(label))
    );
    if !hits.is_empty() {
        let _ = write!(
            out,
            "<circle class=\"dot {sev}\" cx=\"{}\" cy=\"{y}\" r=\"8\"/>\
             <text class=\"count\" x=\"{}\" y=\"{}\">{}</text>",
            x + BOX_W - 4,
            x + BOX_W - 4,
            y + 4,
            hits.len()
        );
    }
    out.push_str("</g>");
    if href.is_some() {
        out.push_str("</a>");
    }
    out.push('\n');
}

/// A label cut to what a box holds (the tooltip has it whole).
fn short(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// One proxy's drawing: per column its items with their rows.
struct Band {
    proxy: usize,
    cols: [Vec<(Item, usize)>; 5],
    rows: usize,
}

/// One band per proxy with nodes, proxies that others send to after those that send; in
/// each band the nodes in the order a walk from the listeners meets them, each level with
/// the first of what it leads to (a tidy tree, left to right).
fn bands(g: &Graph) -> Vec<Band> {
    let n = g.proxies.len();
    // Depth: the longest run of hops from a proxy nothing sends to, bounded (loops).
    let mut depth = vec![0usize; n];
    for _ in 0..n {
        for e in g.edges.iter().filter(|e| e.link) {
            let (a, b) = (g.nodes[e.from].proxy, g.nodes[e.to].proxy);
            if a != b && depth[b] <= depth[a] && depth[a] < n {
                depth[b] = depth[a] + 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&p| (depth[p], p));
    let mut kids: Vec<Vec<(usize, bool)>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        kids[e.from].push((e.to, e.link));
    }
    let mut bands = Vec::new();
    for proxy in order {
        let mut walk = Walk {
            g,
            kids: &kids,
            cols: Default::default(),
            free: [0; 5],
            seen: HashSet::new(),
        };
        for node in g.nodes.iter().filter(|x| x.proxy == proxy) {
            walk.node(node.id, 0);
        }
        if walk.cols.iter().any(|c| !c.is_empty()) {
            bands.push(Band {
                proxy,
                rows: walk.free.into_iter().max().unwrap_or(0),
                cols: walk.cols,
            });
        }
    }
    bands
}

/// A band being laid out: `free` is the first free row of each column.
struct Walk<'g> {
    g: &'g Graph,
    kids: &'g [Vec<(usize, bool)>],
    cols: [Vec<(Item, usize)>; 5],
    free: [usize; 5],
    seen: HashSet<Item>,
}

impl Walk<'_> {
    fn place(&mut self, c: usize, item: Item, row: usize) {
        self.cols[c].push((item, row));
        self.free[c] = row + 1;
    }

    /// Places a node at `row` or below and what it leads to; edges inside a proxy go from
    /// one kind to a later one, so the walk is at most four deep.
    fn node(&mut self, id: usize, row: usize) {
        if !self.seen.insert(Item::Node(id)) {
            return;
        }
        let g = self.g;
        let c = column(g.nodes[id].kind);
        let kids = &self.kids[id];
        // A hop straight from a route (nginx `proxy_pass` to an address) crosses the pool
        // and server columns: it gets a row free in all of them, kept free.
        let skips = c < 3 && kids.iter().any(|&(_, link)| link);
        let last = if skips { 4 } else { (c + 1).min(4) };
        let reach = if kids.is_empty() { c } else { last };
        let row = (c..=reach).map(|k| self.free[k]).fold(row, usize::max);
        self.place(c, Item::Node(id), row);
        if skips {
            for k in c + 1..4 {
                self.free[k] = self.free[k].max(row + 1);
            }
        }
        for &(to, link) in kids {
            if link {
                if self.seen.insert(Item::Next(to)) {
                    let r = self.free[4].max(row);
                    self.place(4, Item::Next(to), r);
                }
            } else if g.nodes[to].proxy == g.nodes[id].proxy && column(g.nodes[to].kind) > c {
                self.node(to, row);
            }
        }
    }
}

fn within(span: Span, extent: Span) -> bool {
    span.file == extent.file
        && extent.start <= span.start
        && span.start < extent.end.max(extent.start + 1)
}

/// Which findings each node and each edge carries. A node carries the findings whose place
/// (or a related place) lies in it and in no smaller node; a hop between proxies carries the
/// chain findings with a place in the listener it reaches and one in the file it leaves —
/// among several such hops, those whose server or pool holds a place too.
fn marks(g: &Graph, findings: &[Finding]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut on_node = vec![Vec::new(); g.nodes.len()];
    let mut on_edge = vec![Vec::new(); g.edges.len()];
    let chain_rule = |f: &Finding| {
        crate::rules::REGISTRY
            .iter()
            .any(|e| matches!(e.run, crate::rules::Run::Chain(_)) && e.rule.code == f.rule.code)
    };
    for (i, f) in findings.iter().enumerate() {
        let places: Vec<Span> = std::iter::once(f.span)
            .chain(f.related.iter().map(|(s, _)| *s))
            .collect();
        for &s in &places {
            let smallest = g
                .nodes
                .iter()
                .filter(|n| within(s, n.extent))
                .min_by_key(|n| (n.extent.len(), std::cmp::Reverse(n.id)));
            if let Some(n) = smallest
                && on_node[n.id].last() != Some(&i)
            {
                on_node[n.id].push(i);
            }
        }
        if !chain_rule(f) {
            continue;
        }
        let holds = |node: usize| places.iter().any(|&s| within(s, g.nodes[node].extent));
        let candidates: Vec<usize> = g
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.link && holds(e.to))
            .filter(|(_, e)| {
                let file = g.nodes[e.from].extent.file;
                places.iter().any(|s| s.file == file)
            })
            .map(|(k, _)| k)
            .collect();
        let outer = |k: usize| {
            let from = g.edges[k].from;
            holds(from)
                || g.edges
                    .iter()
                    .any(|e| e.to == from && !e.link && holds(e.from))
        };
        let close: Vec<usize> = candidates.iter().copied().filter(|&k| outer(k)).collect();
        for k in if close.is_empty() { candidates } else { close } {
            on_edge[k].push(i);
        }
    }
    (on_node, on_edge)
}

fn worst(findings: &[Finding], hits: &[usize]) -> Option<Severity> {
    hits.iter().map(|&i| findings[i].severity).max()
}

/// "GW701 chain-timeout-order (warning)", one a line, escaped.
fn codes(findings: &[Finding], hits: &[usize]) -> String {
    let mut lines: Vec<String> = hits
        .iter()
        .map(|&i| {
            let f = &findings[i];
            text(&format!(
                "{} {} ({})",
                f.rule.code,
                f.rule.name,
                f.severity.as_str()
            ))
        })
        .collect();
    lines.dedup();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn labels_are_cut_to_a_box() {
        assert_eq!(short("listen 80"), "listen 80");
        let long = "server 127.0.0.1:18082 max_fails=3 fail_timeout=10s";
        assert_eq!(short(long).chars().count(), LABEL_CHARS);
        assert!(short(long).ends_with('…'));
    }

    #[test]
    fn a_place_is_within_an_extent_of_its_file() {
        let extent = Span::new(FileId(1), 10, 20);
        assert!(within(Span::new(FileId(1), 10, 12), extent));
        assert!(within(Span::new(FileId(1), 19, 30), extent));
        assert!(!within(Span::new(FileId(1), 20, 21), extent));
        assert!(!within(Span::new(FileId(2), 12, 13), extent));
        // An empty extent holds the place where it starts.
        assert!(within(
            Span::new(FileId(1), 5, 5),
            Span::new(FileId(1), 5, 5)
        ));
    }
}
