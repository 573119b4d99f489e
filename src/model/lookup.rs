//! Finding directives by name without comparing every name: a two-bit mask of the names
//! each scope holds lets `Proxy::setting` skip the levels that cannot hold a name, and big
//! sections (an HAProxy frontend with thousands of lines) keep their directives sorted by
//! name for a binary search, so one lookup never scans a whole section.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Scope;
use crate::syntax::nginx::Directive;

/// Scopes with more directives than this get a sorted index; smaller ones are scanned.
const SORTED_ABOVE: usize = 32;

/// The first (up to) 8 bytes of `b`, little-endian, zero-padded.
fn load8(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    let n = b.len().min(8);
    a[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(a)
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
pub fn bits(name: &str) -> u64 {
    let h = mix(name.as_bytes());
    (1 << (h >> 58)) | (1 << ((h >> 52) & 63))
}

/// A fast hasher for short keys such as directive names (std's SipHash guards against
/// attacker-chosen keys; these come from a table compiled in).
#[derive(Default)]
pub struct NameHasher(u64);

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

pub type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// The directives of one scope with a given name, in order: none, one (no allocation), or
/// several (`proxy_set_header`).
#[derive(Debug, Clone, Default)]
pub enum Found<'a> {
    #[default]
    Empty,
    One(&'a Directive),
    Many(Vec<&'a Directive>),
}

impl<'a> Found<'a> {
    fn push(&mut self, d: &'a Directive) {
        *self = match std::mem::take(self) {
            Found::Empty => Found::One(d),
            Found::One(first) => Found::Many(vec![first, d]),
            Found::Many(mut v) => {
                v.push(d);
                Found::Many(v)
            }
        };
    }
}

impl<'a> std::ops::Deref for Found<'a> {
    type Target = [&'a Directive];
    fn deref(&self) -> &[&'a Directive] {
        match self {
            Found::Empty => &[],
            Found::One(d) => std::slice::from_ref(d),
            Found::Many(v) => v,
        }
    }
}

/// Per scope: the mask of its names and how many directives it had when indexed; and for big
/// scopes, their directives' positions sorted by name.
#[derive(Debug, Default)]
pub struct Index {
    masks: Vec<(u64, usize)>,
    sorted: HashMap<usize, Box<[u32]>>,
}

impl Index {
    pub fn build(scopes: &[Scope]) -> Index {
        let mut masks = Vec::with_capacity(scopes.len());
        let mut sorted = HashMap::new();
        for (id, sc) in scopes.iter().enumerate() {
            let mask = sc.directives.iter().fold(0, |m, d| m | bits(d.name()));
            masks.push((mask, sc.directives.len()));
            if sc.directives.len() > SORTED_ABOVE {
                let mut pos: Vec<u32> = (0..sc.directives.len() as u32).collect();
                // Stable: a name's occurrences stay in their written order.
                pos.sort_by(|&a, &b| {
                    sc.directives[a as usize]
                        .name()
                        .cmp(sc.directives[b as usize].name())
                });
                sorted.insert(id, pos.into_boxed_slice());
            }
        }
        Index { masks, sorted }
    }

    /// The directives named `name` (whose `bits` are given) in scope `id`, in order. A scope
    /// that changed since the index was built is scanned.
    pub fn find<'a>(&self, id: usize, sc: &Scope<'a>, name: &str, bits: u64) -> Found<'a> {
        let mut found = Found::Empty;
        let current = self.masks.get(id).filter(|m| m.1 == sc.directives.len());
        match current {
            Some(&(mask, _)) if mask & bits != bits => {}
            Some(_) if self.sorted.contains_key(&id) => {
                let pos = &self.sorted[&id];
                let at = |p: u32| sc.directives[p as usize];
                let start = pos.partition_point(|&p| at(p).name() < name);
                for &p in pos[start..].iter().take_while(|&&p| at(p).name() == name) {
                    found.push(at(p));
                }
            }
            _ => {
                for &d in sc.directives.iter().filter(|d| d.name() == name) {
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
    use crate::model::{ScopeKind, nginx};
    use crate::source::FileId;
    use crate::syntax::include::Tree;

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
        assert!(matches!(found, Found::Many(_)));
        assert_eq!(found.len(), 2);
        let one = index.find(loc, &proxy.scopes[loc], "add_header", bits("add_header"));
        assert!(one.is_empty());
    }

    #[test]
    fn a_scope_changed_after_indexing_is_scanned() {
        let parsed = crate::syntax::nginx::parse(FileId(0), "proxy_read_timeout 5s;\n");
        let mut scope = Scope {
            parent: None,
            kind: ScopeKind::Location,
            block: None,
            directives: Vec::new(),
        };
        let index = Index::build(std::slice::from_ref(&scope));
        scope.directives.push(&parsed.directives[0]);
        let name = "proxy_read_timeout";
        assert_eq!(index.find(0, &scope, name, bits(name)).len(), 1);
    }
}
