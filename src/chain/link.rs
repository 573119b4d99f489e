//! Linking layers: an outer proxy's targets (HAProxy `server`, nginx upstream `server` and
//! `proxy_pass`/`grpc_pass` addresses) to the listeners of the other proxies of the run, the
//! way the kernel would connect them: a loopback target reaches a wildcard or loopback
//! listener on its port, any other address only a listener bound to exactly that address, a
//! host name through `[[link]]` in gwlint.toml, or, with `--online`, through the addresses
//! DNS gave for it.
//!
//! A hop by address needs evidence that both ends run side by side on one host:
//! - their main files sit in one directory or in sibling directories (`deploy/haproxy/`,
//!   `deploy/nginx/`): a repository of unrelated configurations is no chain;
//! - they do not collide: two configurations that bind the same port on overlapping
//!   addresses (the same address, or a wildcard of that family; a unix socket: the same
//!   path) cannot both start on one host (`bind() … Address already in use`). They are
//!   alternatives — production and staging, the cases of a test suite — and no hop joins
//!   them: not directly, and not along a chain through other configurations (A → C → B with
//!   A and B colliding describes no deployment; its hops between A and B are dropped);
//! - of the configurations in one deployment with the outer one (by their directories), one
//!   only is reached by the address. Every listener an address reaches covers that address,
//!   so two configurations reached by it always collide: they are alternatives, and the files
//!   do not say which one runs behind this proxy. A finding must claim a failure that really
//!   happens in the deployment the files are written for; a hop to each alternative would
//!   claim failures against a configuration that may never sit behind this one, so none is
//!   made (lint one deployment at a time, `gwlint haproxy/ nginx/`, to check it).
//!
//! A `[[link]]` entry is the user's own evidence and is honoured as before: the target links
//! to every other configuration listening at the address it names, wherever their files are
//! and whatever else they bind (a host name may well be another host, where the same port is
//! free).
//!
//! Cost: listeners are indexed once by port, bound address (a unix socket by path) and
//! directory; a target looks up the few keys its addresses reach in the directories of its
//! deployment and gives up as soon as two configurations answer, so linking N layers with M
//! targets costs O(N + M) lookups plus the hops made. Collisions are tested only for the pairs
//! a hop would join, through each layer's set of bound keys, and chains of hops only inside a
//! group of linked layers that holds a collision at all.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use super::Layer;
use crate::facts::Facts;
use crate::finding::Dialect;
use crate::model::listen::{Bound, Listener};
use crate::model::{Ctx, Endpoint, Pass, Target};

use crate::source::{SourceMap, Span};

/// One hop: an outer proxy's target reaching an inner proxy's listener.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Hop {
    /// Layer index of the outer proxy.
    pub(crate) outer: usize,
    /// The route that sends traffic there (an HAProxy backend no route uses has none).
    pub(crate) route: Option<usize>,
    /// The pool and server (None for an nginx `*_pass` straight to an address).
    pub(crate) pool: Option<usize>,
    pub(crate) server: Option<usize>,
    /// The argument naming the target address.
    pub(crate) target_span: Span,
    pub(crate) inner: usize,
    /// Index into the inner layer's listeners.
    pub(crate) listener: usize,
}

/// An address a target resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Addr {
    Ip(IpAddr, u16),
    Name(String, u16),
    Unix(String),
}

/// One target before linking.
struct Aim {
    route: Option<usize>,
    pool: Option<usize>,
    server: Option<usize>,
    endpoint: Endpoint,
    default_port: Option<u16>,
    span: Span,
}

/// What a bound socket occupies on its port, as the kernel tells sockets apart; the `Some*`
/// marks are only looked up (a wildcard collides with any address of its family).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    AnyV4,
    AnyV6,
    Name(String),
    Unix(String),
    SomeV4,
    SomeV6,
    SomeName,
}

/// The slots a listener binds: a dual-stack `[::]` takes IPv4's wildcard too, `localhost`
/// its loopback addresses (nginx binds every address a name resolves to).
fn slots(b: &Bound) -> Vec<Slot> {
    match b {
        Bound::Ip(IpAddr::V4(a)) => vec![Slot::V4(*a)],
        Bound::Ip(IpAddr::V6(a)) => vec![Slot::V6(*a)],
        Bound::AnyV4 => vec![Slot::AnyV4],
        Bound::AnyV6 { v4: false } => vec![Slot::AnyV6],
        Bound::AnyV6 { v4: true } => vec![Slot::AnyV6, Slot::AnyV4],
        Bound::Name(n) if n == "localhost" => vec![
            Slot::Name(n.clone()),
            Slot::V4(Ipv4Addr::LOCALHOST),
            Slot::V6(Ipv6Addr::LOCALHOST),
        ],
        Bound::Name(n) => vec![Slot::Name(n.clone())],
        Bound::Unix(p) => vec![Slot::Unix(p.clone())],
    }
}

/// What a layer records for one bound slot: the slot and the mark of its family.
fn footprint(slot: Slot, out: &mut Vec<Slot>) {
    let mark = match slot {
        Slot::V4(_) => Some(Slot::SomeV4),
        Slot::V6(_) => Some(Slot::SomeV6),
        Slot::Name(_) => Some(Slot::SomeName),
        _ => None,
    };
    out.push(slot);
    out.extend(mark);
}

/// The slots of another socket on the same port that this one cannot share: its own, the
/// wildcard of its family (for an address), every address of its family (for a wildcard).
/// A host name's family is unknown until nginx resolves it: it collides with both wildcards.
fn conflicts(slot: &Slot) -> Vec<Slot> {
    match slot {
        Slot::V4(_) => vec![slot.clone(), Slot::AnyV4],
        Slot::V6(_) => vec![slot.clone(), Slot::AnyV6],
        Slot::AnyV4 => vec![Slot::AnyV4, Slot::SomeV4, Slot::SomeName],
        Slot::AnyV6 => vec![Slot::AnyV6, Slot::SomeV6, Slot::SomeName],
        Slot::Name(_) => vec![slot.clone(), Slot::AnyV4, Slot::AnyV6],
        Slot::Unix(_) => vec![slot.clone()],
        Slot::SomeV4 | Slot::SomeV6 | Slot::SomeName => Vec::new(),
    }
}

/// The listener slots a connection to this address arrives at, with how specifically: 2
/// bound to it exactly, 1 through a wildcard (only a loopback address surely is this
/// machine; any other address reaches a wildcard listener only when the proxy runs there,
/// which gwlint cannot know).
fn reach_keys(a: &Addr) -> Vec<(u16, Slot, u8)> {
    match a {
        Addr::Ip(IpAddr::V4(ip), p) => {
            let mut v = vec![(*p, Slot::V4(*ip), 2)];
            if ip.is_loopback() {
                v.push((*p, Slot::AnyV4, 1));
            }
            v
        }
        Addr::Ip(IpAddr::V6(ip), p) => {
            let mut v = vec![(*p, Slot::V6(*ip), 2)];
            if ip.is_loopback() {
                v.push((*p, Slot::AnyV6, 1));
            }
            v
        }
        Addr::Name(n, p) => vec![(*p, Slot::Name(n.clone()), 2)],
        Addr::Unix(path) => vec![(0, Slot::Unix(path.clone()), 2)],
    }
}

/// A port range too wide to index port by port (HAProxy `:1-65535`).
fn wide(l: &Listener) -> bool {
    l.ports.1.saturating_sub(l.ports.0) > 1024
}

fn ports(l: &Listener) -> std::ops::RangeInclusive<u16> {
    l.ports.0..=l.ports.1
}

/// Do two sockets collide (could not be bound by two processes of one host)?
fn listeners_collide(a: &Listener, b: &Listener) -> bool {
    if a.ports.1 < b.ports.0 || b.ports.1 < a.ports.0 {
        return false;
    }
    let mut theirs = Vec::new();
    for s in slots(&b.bound) {
        footprint(s, &mut theirs);
    }
    slots(&a.bound)
        .iter()
        .flat_map(conflicts)
        .any(|c| theirs.contains(&c))
}

/// Where each layer is bound, and which layers listen where.
struct Index {
    /// (port, slot) → (layer, listener), in layer order: for `[[link]]` targets.
    at: HashMap<(u16, Slot), Vec<(usize, usize)>>,
    /// (port, slot, directory of the main file) → (layer, listener), in layer order.
    in_dir: HashMap<(u16, Slot, usize), Vec<(usize, usize)>>,
    /// (port, slot, the directory above it) → (layer, listener), in layer order.
    under: HashMap<(u16, Slot, usize), Vec<(usize, usize)>>,
    /// Per layer: its directory and the one above (interned).
    dir: Vec<(usize, Option<usize>)>,
    /// Listeners with a port range too wide to index: (layer, listener).
    wide: Vec<(usize, usize)>,
    /// Per layer: the (port, slot) keys it binds, with the family marks.
    bound: Vec<HashSet<(u16, Slot)>>,
    /// Per layer: its wide listeners.
    wide_of: Vec<Vec<usize>>,
}

impl Index {
    fn new(layers: &[Layer], dirs: &[PathBuf]) -> Self {
        let mut ix = Index {
            at: HashMap::new(),
            in_dir: HashMap::new(),
            under: HashMap::new(),
            dir: Vec::with_capacity(layers.len()),
            wide: Vec::new(),
            bound: Vec::with_capacity(layers.len()),
            wide_of: Vec::with_capacity(layers.len()),
        };
        let mut ids: HashMap<&Path, usize> = HashMap::new();
        for d in dirs {
            let mut id = |p| {
                let n = ids.len();
                *ids.entry(p).or_insert(n)
            };
            let here = id(d.as_path());
            let up = d.parent().map(id);
            ix.dir.push((here, up));
        }
        for (i, layer) in layers.iter().enumerate() {
            let (here, up) = ix.dir[i];
            let mut bound = HashSet::new();
            let mut wide_of = Vec::new();
            let mut marks = Vec::new();
            for (li, l) in layer.listeners.iter().enumerate() {
                if wide(l) {
                    ix.wide.push((i, li));
                    wide_of.push(li);
                    continue;
                }
                let slots = slots(&l.bound);
                marks.clear();
                for s in &slots {
                    footprint(s.clone(), &mut marks);
                }
                for p in ports(l) {
                    for s in &slots {
                        ix.at.entry((p, s.clone())).or_default().push((i, li));
                        ix.in_dir
                            .entry((p, s.clone(), here))
                            .or_default()
                            .push((i, li));
                        if let Some(up) = up {
                            ix.under
                                .entry((p, s.clone(), up))
                                .or_default()
                                .push((i, li));
                        }
                    }
                    for m in &marks {
                        bound.insert((p, m.clone()));
                    }
                }
            }
            ix.bound.push(bound);
            ix.wide_of.push(wide_of);
        }
        ix
    }

    /// Could layers `a` and `b` not run side by side on one host?
    fn collide(&self, layers: &[Layer], a: usize, b: usize) -> bool {
        if a == b {
            return false;
        }
        let (small, big) = match self.bound[a].len() <= self.bound[b].len() {
            true => (&self.bound[a], &self.bound[b]),
            false => (&self.bound[b], &self.bound[a]),
        };
        let keyed = small
            .iter()
            .any(|(p, s)| conflicts(s).into_iter().any(|c| big.contains(&(*p, c))));
        keyed
            || [(a, b), (b, a)].iter().any(|&(x, y)| {
                self.wide_of[x].iter().any(|&li| {
                    let l = &layers[x].listeners[li];
                    layers[y].listeners.iter().any(|m| listeners_collide(l, m))
                })
            })
    }

    /// Are two layers one deployment by their directories: the same, one the other's
    /// parent, or siblings?
    fn near(&self, a: usize, b: usize) -> bool {
        let ((da, pa), (db, pb)) = (self.dir[a], self.dir[b]);
        da == db || pa == Some(db) || pb == Some(da) || (pa.is_some() && pa == pb)
    }

    /// The listeners of other layers that connections from `outer` to `a` arrive at, with
    /// their rank: (layer, listener, rank). For a `[[link]]` target every other layer there;
    /// by address only the layers in one deployment with `outer` by their directories, and
    /// None when there are two of them (alternatives: the files do not say which one runs).
    fn reached(
        &self,
        layers: &[Layer],
        a: &Addr,
        outer: usize,
        declared: bool,
    ) -> Option<Vec<(usize, usize, u8)>> {
        let mut out: Vec<(usize, usize, u8)> = Vec::new();
        if declared {
            for (p, slot, rank) in reach_keys(a) {
                let list = self.at.get(&(p, slot)).map_or(&[][..], Vec::as_slice);
                out.extend(
                    list.iter()
                        .filter(|e| e.0 != outer)
                        .map(|&(layer, li)| (layer, li, rank)),
                );
            }
            for &(layer, li) in &self.wide {
                if let Some(rank) =
                    reaches(a, &layers[layer].listeners[li]).filter(|_| layer != outer)
                {
                    out.push((layer, li, rank));
                }
            }
            return Some(out);
        }
        let (here, up) = self.dir[outer];
        let mut inner: Option<usize> = None;
        // One more layer found: false when it is a second one.
        let mut one = |layer: usize| *inner.get_or_insert(layer) == layer;
        for (p, slot, rank) in reach_keys(a) {
            // The same directory, the one above, the ones below, the siblings.
            let lists = [
                self.in_dir.get(&(p, slot.clone(), here)),
                up.and_then(|up| self.in_dir.get(&(p, slot.clone(), up))),
                self.under.get(&(p, slot.clone(), here)),
                up.and_then(|up| self.under.get(&(p, slot.clone(), up))),
            ];
            for list in lists.into_iter().flatten() {
                // A list is in layer order: `outer`'s own entries are one run, and the
                // others' ends tell one layer from several.
                let lo = list.partition_point(|e| e.0 < outer);
                let hi = list.partition_point(|e| e.0 <= outer);
                for part in [&list[..lo], &list[hi..]] {
                    let (Some(first), Some(last)) = (part.first(), part.last()) else {
                        continue;
                    };
                    if first.0 != last.0 || !one(first.0) {
                        return None;
                    }
                    out.extend(part.iter().map(|&(layer, li)| (layer, li, rank)));
                }
            }
        }
        for &(layer, li) in &self.wide {
            if layer == outer || !self.near(outer, layer) {
                continue;
            }
            if let Some(rank) = reaches(a, &layers[layer].listeners[li]) {
                if !one(layer) {
                    return None;
                }
                out.push((layer, li, rank));
            }
        }
        Some(out)
    }
}

pub(crate) fn link(layers: &[Layer], facts: &Facts, sources: &SourceMap) -> Vec<Hop> {
    let dir = |l: &Layer| -> PathBuf {
        let p = &sources.get(l.proxy.root).path;
        // The loader resolved the path of every file it read (standard input stays relative).
        let p = match p.is_absolute() {
            true => p.clone(),
            false => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
        };
        p.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let dirs: Vec<_> = layers.iter().map(dir).collect();
    let index = Index::new(layers, &dirs);
    let mut collide: HashMap<(usize, usize), bool> = HashMap::new();
    let mut collides = |a: usize, b: usize| {
        *collide
            .entry((a.min(b), a.max(b)))
            .or_insert_with(|| index.collide(layers, a, b))
    };
    let mut hops = Vec::new();
    // Hops made by address alone, which must not join alternatives along a chain.
    let mut by_address: Vec<bool> = Vec::new();
    for (outer, layer) in layers.iter().enumerate() {
        for aim in aims(layer) {
            let declared = declared(&aim.endpoint, aim.default_port, facts);
            let mut addrs = resolve(&aim.endpoint, aim.default_port, facts);
            // A host name `--online` resolved links like the addresses it resolved to.
            if let ([Addr::Name(_, port)], Some(ips), false) =
                (addrs.as_slice(), facts.resolved.get(&aim.span), declared)
            {
                let port = *port;
                addrs = ips.iter().map(|ip| Addr::Ip(*ip, port)).collect();
            }
            // Per inner layer, the listeners reached and how specifically.
            let mut found: Vec<(usize, usize, u8)> = Vec::new();
            for a in &addrs {
                // By address, two layers of one deployment there are alternatives.
                let Some(reached) = index.reached(layers, a, outer, declared) else {
                    continue;
                };
                found.extend(reached);
            }
            found.sort_unstable_by_key(|&(inner, li, rank)| (inner, std::cmp::Reverse(rank), li));
            let mut i = 0;
            while i < found.len() {
                let inner = found[i].0;
                let end = i + found[i..].iter().take_while(|f| f.0 == inner).count();
                // The most specific listeners win, as the kernel (and nginx) pick them.
                let best = found[i].2;
                let group = &found[i..end];
                i = end;
                if !declared && collides(outer, inner) {
                    continue;
                }
                let mut last = None;
                for &(_, listener, _) in group.iter().take_while(|f| f.2 == best) {
                    if last == Some(listener) {
                        continue;
                    }
                    last = Some(listener);
                    let hop = Hop {
                        outer,
                        route: aim.route,
                        pool: aim.pool,
                        server: aim.server,
                        target_span: aim.span,
                        inner,
                        listener,
                    };
                    // Each aim is one server (or one `*_pass`) of one route, and its listeners
                    // are each taken once above: no hop is made twice.
                    by_address.push(!declared);
                    hops.push(hop);
                }
            }
        }
    }
    debug_assert_eq!(hops.iter().collect::<HashSet<_>>().len(), hops.len());
    let cut = joining_alternatives(&hops, &by_address, &index, &mut collides);
    if cut.is_empty() {
        return hops;
    }
    hops.into_iter()
        .zip(by_address)
        .filter(|(h, address)| !(*address && cut.contains(&(h.outer, h.inner))))
        .map(|(h, _)| h)
        .collect()
}

/// The layer pairs (outer, inner) of hops by address that lie on a chain joining two
/// configurations that collide: A → C → B where A and B cannot run side by side describes no
/// deployment, so none of its hops from A to B is kept. A hop X → Y is cut when a layer that
/// reaches X (or X) collides with a layer Y reaches (or Y); after the cut no chain of the
/// remaining hops joins two alternatives. Only a group of linked layers that holds a
/// collision at all is looked at hop by hop: a real deployment costs one pass over its keys.
fn joining_alternatives(
    hops: &[Hop],
    by_address: &[bool],
    index: &Index,
    collides: &mut impl FnMut(usize, usize) -> bool,
) -> HashSet<(usize, usize)> {
    let mut edges: Vec<(usize, usize)> = hops
        .iter()
        .zip(by_address)
        .filter(|(_, address)| **address)
        .map(|(h, _)| (h.outer, h.inner))
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let mut cut = HashSet::new();
    if edges.len() < 2 {
        // One hop joins two layers already known not to collide.
        return cut;
    }
    // Groups of layers joined by hops (union-find over the layers that have one).
    let mut parent: HashMap<usize, usize> = HashMap::new();
    fn root(parent: &mut HashMap<usize, usize>, x: usize) -> usize {
        let mut r = x;
        while let Some(&p) = parent.get(&r).filter(|&&p| p != r) {
            r = p;
        }
        let mut y = x;
        while y != r {
            let next = parent[&y];
            parent.insert(y, r);
            y = next;
        }
        r
    }
    for &(a, b) in &edges {
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent.insert(ra, rb);
        }
    }
    // Per group: its layers and its edges.
    type Group = (Vec<usize>, Vec<(usize, usize)>);
    let mut groups: HashMap<usize, Group> = HashMap::new();
    let mut members: Vec<usize> = parent.keys().copied().collect();
    members.sort_unstable();
    for m in members {
        let r = root(&mut parent, m);
        groups.entry(r).or_default().0.push(m);
    }
    for &(a, b) in &edges {
        let r = root(&mut parent, a);
        groups.entry(r).or_default().1.push((a, b));
    }
    let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut into: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(a, b) in &edges {
        out.entry(a).or_default().push(b);
        into.entry(b).or_default().push(a);
    }
    for (group, group_edges) in groups.values() {
        // Two layers: the hop between them was made only if they do not collide.
        if group.len() < 3 || !holds_collision(group, index) {
            continue;
        }
        for &(x, y) in group_edges {
            let before = crate::discover::reachable(x, &into);
            let after = crate::discover::reachable(y, &out);
            if before
                .iter()
                .any(|&a| after.iter().any(|&b| collides(a, b)))
            {
                cut.insert((x, y));
            }
        }
    }
    cut
}

/// Do any two layers of a group collide? One pass over their keys (a layer with a port
/// range too wide to index counts as a yes: the caller then tests pairs exactly).
fn holds_collision(group: &[usize], index: &Index) -> bool {
    let mut taken: HashSet<&(u16, Slot)> = HashSet::new();
    for &l in group {
        if !index.wide_of[l].is_empty() {
            return true;
        }
        let bound = &index.bound[l];
        if bound
            .iter()
            .any(|(p, s)| conflicts(s).into_iter().any(|c| taken.contains(&(*p, c))))
        {
            return true;
        }
        taken.extend(bound.iter());
    }
    false
}

/// Does a `[[link]]` entry name this target? Then it links wherever the layers live.
fn declared(e: &Endpoint, default_port: Option<u16>, facts: &Facts) -> bool {
    let written = match e {
        Endpoint::Unix(p) => format!("unix:{p}"),
        Endpoint::Inet { host, port } => match port.or(default_port) {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        },
        _ => return false,
    };
    facts.links.iter().any(|l| {
        l.target.eq_ignore_ascii_case(&written)
            || matches!(e, Endpoint::Inet { host, .. } if l.target.eq_ignore_ascii_case(host))
    })
}

/// Every target of a layer that could be another proxy's listener.
fn aims(layer: &Layer) -> Vec<Aim> {
    let proxy = &layer.proxy;
    let mut out = Vec::new();
    match proxy.dialect {
        Dialect::Haproxy => {
            // Settings live in the backend: one hop per server, whichever frontend uses it.
            for (p, pool) in proxy.pools.iter().enumerate() {
                let route = proxy
                    .routes
                    .iter()
                    .position(|r| matches!(r.target, Target::Pool(i) if i == p));
                for (s, server) in pool.servers.iter().enumerate() {
                    out.push(Aim {
                        route,
                        pool: Some(p),
                        server: Some(s),
                        endpoint: server.endpoint.clone(),
                        default_port: None,
                        span: server.endpoint_span,
                    });
                }
            }
        }
        Dialect::Nginx => {
            for (r, route) in proxy.routes.iter().enumerate() {
                if !matches!(route.pass, Pass::Proxy | Pass::Grpc) {
                    continue;
                }
                // A `server` or URL without a port: 80 (443 for https/grpcs) in http; a
                // stream `proxy_pass` always has one.
                let default_port = match (route.ctx, route.scheme) {
                    (Ctx::Stream, _) => None,
                    (_, Some("https" | "grpcs")) => Some(443),
                    _ => Some(80),
                };
                match &route.target {
                    Target::Pool(p) => {
                        for (s, server) in proxy.pools[*p].servers.iter().enumerate() {
                            out.push(Aim {
                                route: Some(r),
                                pool: Some(*p),
                                server: Some(s),
                                endpoint: server.endpoint.clone(),
                                default_port: match route.ctx {
                                    Ctx::Stream => None,
                                    Ctx::Http => Some(80),
                                },
                                span: server.endpoint_span,
                            });
                        }
                    }
                    Target::Endpoint(e) => out.push(Aim {
                        route: Some(r),
                        pool: None,
                        server: None,
                        endpoint: e.clone(),
                        default_port,
                        span: route.target_span,
                    }),
                    Target::Missing(_) => {}
                }
            }
        }
    }
    out
}

/// The addresses a target connects to. `[[link]]` entries name a host (`app.internal:8080`
/// or `app.internal`) and the listener it reaches (`127.0.0.1:8080`, `unix:/run/a.sock`).
fn resolve(e: &Endpoint, default_port: Option<u16>, facts: &Facts) -> Vec<Addr> {
    let (host, port) = match e {
        Endpoint::Unix(p) => {
            return linked(&format!("unix:{p}"), None, facts)
                .unwrap_or_else(|| vec![Addr::Unix(p.clone())]);
        }
        Endpoint::Inet { host, port } => (host.to_ascii_lowercase(), port.or(default_port)),
        Endpoint::Dynamic | Endpoint::Invalid(_) => return Vec::new(),
    };
    let Some(port) = port else { return Vec::new() };
    let written = match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{host}:{port}"),
    };
    if let Some(a) =
        linked(&written, Some(port), facts).or_else(|| linked(&host, Some(port), facts))
    {
        return a;
    }
    match host.as_str() {
        "localhost" => vec![
            Addr::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            Addr::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ],
        h => match h.parse::<IpAddr>() {
            Ok(ip) => vec![Addr::Ip(ip, port)],
            Err(_) => vec![Addr::Name(h.to_string(), port)],
        },
    }
}

/// The listener address `[[link]]` gives a target, written as nginx writes `listen`.
fn linked(target: &str, port: Option<u16>, facts: &Facts) -> Option<Vec<Addr>> {
    let l = facts
        .links
        .iter()
        .find(|l| l.target.eq_ignore_ascii_case(target))?;
    let to = l.listener.trim();
    if let Some(p) = to.strip_prefix("unix:") {
        return Some(vec![Addr::Unix(p.to_string())]);
    }
    match Endpoint::parse(to) {
        Endpoint::Inet { host, port: p } => {
            let port = p.or(port)?;
            Some(match host.parse::<IpAddr>() {
                Ok(ip) => vec![Addr::Ip(ip, port)],
                Err(_) => vec![Addr::Name(host.to_ascii_lowercase(), port)],
            })
        }
        _ => None,
    }
}

/// How specifically a listener takes connections to this address: 2 bound to it exactly, 1
/// through a wildcard; None when it does not (the index's rule, for one listener).
fn reaches(a: &Addr, l: &Listener) -> Option<u8> {
    let bound = slots(&l.bound);
    reach_keys(a)
        .into_iter()
        .filter(|(p, s, _)| ports(l).contains(p) && bound.contains(s))
        .map(|(_, _, rank)| rank)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(bound: Bound, port: u16) -> Listener<'static> {
        static D: std::sync::OnceLock<crate::syntax::nginx::Directive> = std::sync::OnceLock::new();
        let d = D.get_or_init(|| {
            crate::syntax::nginx::parse(crate::source::FileId(0), "listen 80;")
                .directives
                .remove(0)
        });
        Listener {
            directive: crate::model::Statement::parsed(d),
            span: d.span,
            bound,
            ports: (port, port),
            ssl: false,
            http2: false,
            proxy_protocol: false,
            tcp: false,
            implied: false,
            scope: 0,
        }
    }

    #[test]
    fn loopback_and_wildcards_match_as_at_run_time() {
        let lo = Addr::Ip("127.0.0.1".parse().unwrap(), 8080);
        let lo6 = Addr::Ip("::1".parse().unwrap(), 8080);
        let other = Addr::Ip("10.0.0.5".parse().unwrap(), 8080);
        assert_eq!(reaches(&lo, &listener(Bound::AnyV4, 8080)), Some(1));
        assert_eq!(reaches(&lo, &listener(Bound::AnyV4, 8081)), None);
        assert_eq!(
            reaches(
                &lo,
                &listener(Bound::Ip("127.0.0.1".parse().unwrap()), 8080)
            ),
            Some(2)
        );
        assert_eq!(
            reaches(
                &lo,
                &listener(Bound::Ip("127.0.0.2".parse().unwrap()), 8080)
            ),
            None
        );
        assert_eq!(
            reaches(&lo, &listener(Bound::AnyV6 { v4: false }, 8080)),
            None
        );
        assert_eq!(
            reaches(&lo, &listener(Bound::AnyV6 { v4: true }, 8080)),
            Some(1)
        );
        assert_eq!(
            reaches(&lo6, &listener(Bound::AnyV6 { v4: false }, 8080)),
            Some(1)
        );
        assert_eq!(reaches(&lo6, &listener(Bound::AnyV4, 8080)), None);
        // `localhost` binds 127.0.0.1 and ::1, not the rest of 127.0.0.0/8.
        let localhost = || listener(Bound::Name("localhost".into()), 8080);
        assert_eq!(reaches(&lo, &localhost()), Some(2));
        assert_eq!(reaches(&lo6, &localhost()), Some(2));
        assert_eq!(
            reaches(&Addr::Ip("127.0.0.2".parse().unwrap(), 8080), &localhost()),
            None
        );
        assert_eq!(reaches(&other, &listener(Bound::AnyV4, 8080)), None);
        assert_eq!(
            reaches(
                &other,
                &listener(Bound::Ip("10.0.0.5".parse().unwrap()), 8080)
            ),
            Some(2)
        );
        assert_eq!(
            reaches(
                &Addr::Unix("/a".into()),
                &listener(Bound::Unix("/a".into()), 0)
            ),
            Some(2)
        );
    }

    #[test]
    fn sockets_collide_as_bind_would_refuse_them() {
        let ip = |s: &str| Bound::Ip(s.parse().unwrap());
        let c = |a: Bound, b: Bound| listeners_collide(&listener(a, 8080), &listener(b, 8080));
        // The same address, or a wildcard of its family.
        assert!(c(ip("127.0.0.1"), ip("127.0.0.1")));
        assert!(c(ip("127.0.0.1"), Bound::AnyV4));
        assert!(c(Bound::AnyV4, ip("10.0.0.5")));
        assert!(c(Bound::AnyV4, Bound::AnyV4));
        assert!(c(ip("::1"), Bound::AnyV6 { v4: false }));
        // A dual-stack [::] takes IPv4's addresses too; an IPv6-only one does not.
        assert!(c(Bound::AnyV6 { v4: true }, ip("127.0.0.1")));
        assert!(c(Bound::AnyV6 { v4: true }, Bound::AnyV4));
        assert!(!c(Bound::AnyV6 { v4: false }, Bound::AnyV4));
        assert!(!c(Bound::AnyV6 { v4: false }, ip("127.0.0.1")));
        // Other addresses, other families.
        assert!(!c(ip("127.0.0.1"), ip("127.0.0.2")));
        assert!(!c(ip("127.0.0.1"), ip("::1")));
        assert!(!c(ip("::1"), Bound::AnyV4));
        // localhost is its loopback addresses; another name only collides with wildcards.
        assert!(c(Bound::Name("localhost".into()), ip("127.0.0.1")));
        assert!(c(Bound::Name("localhost".into()), ip("::1")));
        assert!(c(Bound::Name("app.internal".into()), Bound::AnyV4));
        assert!(!c(Bound::Name("app.internal".into()), ip("10.0.0.5")));
        // Unix sockets by path.
        assert!(c(Bound::Unix("/a".into()), Bound::Unix("/a".into())));
        assert!(!c(Bound::Unix("/a".into()), Bound::Unix("/b".into())));
        // Another port.
        assert!(!listeners_collide(
            &listener(Bound::AnyV4, 8080),
            &listener(Bound::AnyV4, 8081)
        ));
        let mut range = listener(Bound::AnyV4, 8000);
        range.ports = (8000, 8099);
        assert!(listeners_collide(&range, &listener(ip("127.0.0.1"), 8080)));
    }

    #[test]
    fn host_names_need_a_link() {
        let e = Endpoint::parse("app.internal:8080");
        let none = Facts::default();
        assert_eq!(
            resolve(&e, None, &none),
            vec![Addr::Name("app.internal".into(), 8080)]
        );
        let facts = Facts {
            links: vec![crate::facts::Link {
                target: "app.internal:8080".into(),
                listener: "127.0.0.1:9000".into(),
                origin: String::new(),
            }],
            ..Facts::default()
        };
        assert_eq!(
            resolve(&e, None, &facts),
            vec![Addr::Ip("127.0.0.1".parse().unwrap(), 9000)]
        );
        // A link by host name keeps the target's port.
        let facts = Facts {
            links: vec![crate::facts::Link {
                target: "app.internal".into(),
                listener: "127.0.0.1".into(),
                origin: String::new(),
            }],
            ..Facts::default()
        };
        assert_eq!(
            resolve(&e, None, &facts),
            vec![Addr::Ip("127.0.0.1".parse().unwrap(), 8080)]
        );
        assert_eq!(
            resolve(&Endpoint::parse("localhost"), Some(80), &none).len(),
            2
        );
    }
}
