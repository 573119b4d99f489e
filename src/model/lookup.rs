//! Finding directives by name without comparing every name: a two-bit mask of the names
//! each scope holds lets `Proxy::setting` skip the levels that cannot hold a name, and big
//! sections (an HAProxy frontend with thousands of lines) keep their directives sorted by
//! name for a binary search, so one lookup never scans a whole section.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Scope;
use super::Statement;

/// Scopes with more directives than this get a sorted index; smaller ones are scanned.
const SORTED_ABOVE: usize = 32;

/// The first (up to) 8 bytes of `b`, little-endian, zero-padded. (A copy of a variable
/// length would be a call to `memcpy`, twice per name.)
fn load8(b: &[u8]) -> u64 {
    match b.first_chunk::<8>() {
        Some(head) => u64::from_le_bytes(*head),
        None => b
            .iter()
            .enumerate()
            .fold(0, |v, (i, &x)| v | (x as u64) << (8 * i)),
    }
}

const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// A hash of a short key from its length and its first and last 8 bytes: cheap, and
/// directive names that share a prefix differ in length or ending.
fn mix(b: &[u8]) -> u64 {
    let tail = load8(&b[b.len().saturating_sub(8)..]);
    let h = (load8(b) ^ tail.rotate_left(29) ^ b.len() as u64).wrapping_mul(MUL);
    // The product's low bits depend only on the input's low bits: fold the high ones in.
    h ^ (h >> 32)
}

/// A directive name's two bits of a scope mask.
pub(crate) fn bits(name: &str) -> u64 {
    let h = mix(name.as_bytes());
    (1 << (h >> 58)) | (1 << ((h >> 52) & 63))
}

/// A fast hasher for short keys such as directive names (std's SipHash guards against
/// attacker-chosen keys; these come from a table compiled in).
#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(5) ^ mix(bytes);
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(MUL);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// How many occurrences `Found` holds without allocating: a location's `proxy_set_header`s.
const INLINE: usize = 4;

/// The directives of one scope with a given name, in order: none, up to `INLINE` (no
/// allocation: rules ask per route), or more.
#[derive(Debug, Clone, Default)]
pub(crate) enum Found<'a> {
    #[default]
    Empty,
    /// The first `len` are found; the rest repeat the first.
    Few(u8, [&'a Statement; INLINE]),
    Many(Vec<&'a Statement>),
}

impl<'a> Found<'a> {
    fn push(&mut self, d: &'a Statement) {
        match self {
            Found::Empty => *self = Found::Few(1, [d; INLINE]),
            Found::Few(len, few) if (*len as usize) < INLINE => {
                few[*len as usize] = d;
                *len += 1;
            }
            Found::Few(_, few) => {
                let mut v = Vec::with_capacity(2 * INLINE);
                v.extend_from_slice(few);
                v.push(d);
                *self = Found::Many(v);
            }
            Found::Many(v) => v.push(d),
        }
    }
}

impl<'a> std::ops::Deref for Found<'a> {
    type Target = [&'a Statement];
    fn deref(&self) -> &[&'a Statement] {
        match self {
            Found::Empty => &[],
            Found::Few(len, few) => &few[..*len as usize],
            Found::Many(v) => v,
        }
    }
}

/// Per scope: the mask of its names and how many directives it had when indexed; the mask of
/// its own and all enclosing scopes' names, so that a name set nowhere on the way up is
/// settled without a walk; and for big scopes, their directives' positions sorted by name.
#[derive(Debug, Default)]
pub(crate) struct Index {
    masks: Vec<u64>,
    /// How many statements each scope had when indexed.
    lens: Vec<u32>,
    inherited: Vec<u64>,
    /// Positions as (run, offset in the run) of the scope's [`Statements`].
    sorted: HashMap<usize, Box<[(u32, u32)]>>,
}

/// Scopes per task when the index is built on all cores.
const CHUNK: usize = 4096;

impl Index {
    pub(crate) fn build(scopes: &[Scope]) -> Index {
        use rayon::prelude::*;
        let (masks, lens): (Vec<u64>, Vec<u32>) = scopes
            .par_iter()
            .with_min_len(CHUNK)
            .map(|sc| {
                let mask = sc.directives.iter().fold(0, |m, d| m | bits(d.name()));
                (mask, sc.directives.len() as u32)
            })
            .unzip();
        let sorted = scopes
            .par_iter()
            .with_min_len(CHUNK)
            .enumerate()
            .filter(|(_, sc)| sc.directives.len() > SORTED_ABOVE)
            .map(|(id, sc)| {
                let runs = sc.directives.runs();
                let mut pos: Vec<(u32, u32)> = Vec::with_capacity(sc.directives.len());
                for (r, run) in runs.iter().enumerate() {
                    pos.extend((0..run.len() as u32).map(|i| (r as u32, i)));
                }
                let at = |(r, i): (u32, u32)| Statement::of(&runs[r as usize][i as usize]);
                // Stable: a name's occurrences stay in their written order.
                pos.sort_by(|&a, &b| at(a).name().cmp(at(b).name()));
                (id, pos.into_boxed_slice())
            })
            .collect();
        let mut inherited: Vec<u64> = Vec::with_capacity(scopes.len());
        for (id, sc) in scopes.iter().enumerate() {
            let outer = match sc.parent {
                // Lowering numbers a parent before its children.
                Some(p) if p < id => inherited[p],
                Some(p) => {
                    let mut m = 0;
                    let mut up = Some(p);
                    while let Some(u) = up {
                        m |= masks[u];
                        up = scopes[u].parent.filter(|&q| q != u);
                    }
                    m
                }
                None => 0,
            };
            inherited.push(masks[id] | outer);
        }
        Index {
            masks,
            lens,
            inherited,
            sorted,
        }
    }

    /// Can any of the names whose `bits` are or-ed in `any` be set in scope `id` or a scope
    /// around it? False is certain. A scope changed since the index was built says true.
    pub(crate) fn may_inherit_any(&self, id: usize, sc: &Scope, any: u64) -> bool {
        match self.inherited.get(id) {
            Some(&mask) if self.unchanged(id, sc) => mask & any != 0,
            _ => true,
        }
    }

    fn unchanged(&self, id: usize, sc: &Scope) -> bool {
        self.lens
            .get(id)
            .is_some_and(|&n| n as usize == sc.directives.len())
    }

    /// Can `name` (whose `bits` are given) be set in scope `id` or a scope around it? False
    /// is certain; true may be a collision. A scope changed since the index was built says
    /// true. (Lowering builds the index after its last change to the scopes.)
    pub(crate) fn may_inherit(&self, id: usize, sc: &Scope, bits: u64) -> bool {
        match self.inherited.get(id) {
            Some(&mask) if self.unchanged(id, sc) => mask & bits == bits,
            _ => true,
        }
    }

    /// The directives named `name` (whose `bits` are given) in scope `id`, in order. A scope
    /// that changed since the index was built is scanned.
    pub(crate) fn find<'a>(&self, id: usize, sc: &Scope<'a>, name: &str, bits: u64) -> Found<'a> {
        let mut found = Found::Empty;
        let current = self.masks.get(id).filter(|_| self.unchanged(id, sc));
        match current {
            Some(&mask) if mask & bits != bits => {}
            Some(_) if self.sorted.contains_key(&id) => {
                let pos = &self.sorted[&id];
                let runs = sc.directives.runs();
                let at = |(r, i): (u32, u32)| Statement::of(&runs[r as usize][i as usize]);
                let start = pos.partition_point(|&p| at(p).name() < name);
                for &p in pos[start..].iter().take_while(|&&p| at(p).name() == name) {
                    found.push(at(p));
                }
            }
            _ => {
                for d in sc.directives.iter().filter(|d| d.name() == name) {
                    found.push(d);
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Dialect;
    use crate::load::include::Tree;
    use crate::model::{ScopeKind, nginx};
    use crate::source::FileId;

    #[test]
    fn short_and_long_names_load_as_zero_padded_little_endian() {
        assert_eq!(load8(b""), 0);
        assert_eq!(load8(b"ab"), 0x6261);
        assert_eq!(load8(b"abcdefghij"), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(load8(b"abcdefg"), u64::from_le_bytes(*b"abcdefg\0"));
    }

    #[test]
    fn names_that_share_a_prefix_get_different_bits() {
        let names = [
            "proxy_buffer_size",
            "proxy_buffers",
            "proxy_busy_buffers_size",
            "fastcgi_buffer_size",
            "fastcgi_buffers",
        ];
        for a in names {
            assert!((1..=2).contains(&bits(a).count_ones()));
            for b in names.iter().filter(|b| **b != a) {
                assert_ne!(bits(a), bits(b), "{a} and {b}");
            }
        }
    }

    #[test]
    fn sorted_and_scanned_scopes_find_the_same_directives_in_order() {
        let mut text = String::from("http { server {\n");
        for i in 0..40 {
            text.push_str(&format!("proxy_set_header X-{i} v;\nadd_header A{i} b;\n"));
        }
        text.push_str("location / { proxy_set_header Host h; proxy_set_header A b; } } }\n");
        let file = FileId(0);
        let parsed = crate::syntax::nginx::parse(file, &text);
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(Dialect::Nginx, vec![file]);
        let proxy = nginx::lower(&tree, &files);
        let index = Index::build(&proxy.scopes);
        let server = proxy
            .scopes
            .iter()
            .position(|s| s.kind == ScopeKind::Server)
            .unwrap();
        assert!(index.sorted.contains_key(&server), "80 directives: sorted");
        let sc = &proxy.scopes[server];
        let name = "proxy_set_header";
        let found = index.find(server, sc, name, bits(name));
        let args: Vec<&str> = found.iter().map(|d| d.arg(0).unwrap()).collect();
        let want: Vec<String> = (0..40).map(|i| format!("X-{i}")).collect();
        assert_eq!(args, want);
        assert!(
            index
                .find(server, sc, "proxy_pass", bits("proxy_pass"))
                .is_empty()
        );
        let loc = proxy
            .scopes
            .iter()
            .position(|s| s.kind == ScopeKind::Location)
            .unwrap();
        let found = index.find(loc, &proxy.scopes[loc], name, bits(name));
        assert!(matches!(found, Found::Few(2, _)), "two: no allocation");
        assert_eq!(found.len(), 2);
        let one = index.find(loc, &proxy.scopes[loc], "add_header", bits("add_header"));
        assert!(one.is_empty());
    }

    #[test]
    fn inherited_masks_settle_names_set_nowhere_around() {
        let text = "http { proxy_buffers 8 8k; server { location /a { proxy_read_timeout 5s; } }
            server { location /b { location /c { } } } }";
        let file = FileId(0);
        let parsed = crate::syntax::nginx::parse(file, text);
        let files = HashMap::from([(file, parsed)]);
        let tree = Tree::of_files(Dialect::Nginx, vec![file]);
        let proxy = nginx::lower(&tree, &files);
        let index = Index::build(&proxy.scopes);
        let loc = |n: usize| {
            let (id, _) = proxy
                .scopes
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == ScopeKind::Location)
                .nth(n)
                .unwrap();
            id
        };
        let (a, c) = (loc(0), loc(2));
        let may = |id: usize, name: &str| index.may_inherit(id, &proxy.scopes[id], bits(name));
        assert!(may(a, "proxy_read_timeout") && may(a, "proxy_buffers"));
        assert!(may(c, "proxy_buffers"), "from http, two levels up");
        assert!(
            !may(c, "proxy_read_timeout"),
            "set only in the other server"
        );
        let any = bits("proxy_read_timeout") | bits("proxy_buffer_size");
        assert!(!index.may_inherit_any(c, &proxy.scopes[c], any));
        assert!(index.may_inherit_any(a, &proxy.scopes[a], any));
        assert_eq!(proxy.deciding(c, "proxy_buffers").len(), 1);
        assert!(proxy.deciding(c, "proxy_read_timeout").is_empty());
        assert_eq!(proxy.setting(c, "proxy_read_timeout").first(), Some("60s"));
    }

    #[test]
    fn a_scope_changed_after_indexing_is_scanned() {
        let parsed = crate::syntax::nginx::parse(FileId(0), "proxy_read_timeout 5s;\n");
        let mut scope = Scope {
            parent: None,
            kind: ScopeKind::Location,
            block: None,
            directives: Default::default(),
        };
        let index = Index::build(std::slice::from_ref(&scope));
        scope.directives.push_run(&parsed.directives);
        let name = "proxy_read_timeout";
        assert_eq!(index.find(0, &scope, name, bits(name)).len(), 1);
    }
}
