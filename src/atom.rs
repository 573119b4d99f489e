//! Interned words. Configurations repeat their words (`proxy_set_header`, `$host`, `on`,
//! `30s`): a generated 50 MB nginx configuration holds 2.9 million words but 230 thousand
//! distinct ones. Each distinct text is stored once for the whole run and an [`Atom`] names it
//! in 4 bytes, so an argument (value and span) takes 16 bytes instead of 40, and comparing two
//! names is comparing two integers.
//!
//! The table is global and append-only: reading an atom takes no lock, and parsing on several
//! threads interns through 16 independently locked shards. Interned text is never freed; what
//! it holds is bounded by the distinct text of the configurations read.

use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{OnceLock, RwLock};

use hashbrown::HashTable;

/// The low 30 bits name the text (index + 1); the top 2 bits are a tag for the holder
/// ([`crate::word::Arg`] keeps its quoting there) and take no part in equality.
const INDEX_BITS: u32 = 30;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;

/// The atom of a string literal, interned once per call site: `d.is(atom!("include"))`
/// compares two integers where `d.name() == "include"` compares text.
#[macro_export]
macro_rules! atom {
    ($s:literal) => {{
        static ATOM: std::sync::OnceLock<$crate::atom::Atom> = std::sync::OnceLock::new();
        *ATOM.get_or_init(|| $crate::atom::Atom::new($s))
    }};
}

/// An interned string: `Deref<Target = str>`, `Copy`, compared and hashed by identity,
/// ordered by text.
#[derive(Clone, Copy)]
pub struct Atom(NonZeroU32);

impl Atom {
    /// The atom of `text`, interning it on first sight.
    pub fn new(text: &str) -> Atom {
        table().intern(text)
    }

    pub fn as_str(self) -> &'static str {
        table().get(self.index())
    }

    fn index(self) -> u32 {
        (self.0.get() & INDEX_MASK) - 1
    }

    /// The same text with a 2-bit tag (0..=3) of the holder's.
    pub(crate) fn tagged(self, tag: u8) -> Atom {
        let raw = (self.0.get() & INDEX_MASK) | (u32::from(tag & 3) << INDEX_BITS);
        Atom(NonZeroU32::new(raw).expect("the index part is never zero"))
    }

    pub(crate) fn tag(self) -> u8 {
        (self.0.get() >> INDEX_BITS) as u8
    }
}

/// The empty text, interned once (every statement without arguments asks for it).
impl Default for Atom {
    fn default() -> Atom {
        crate::atom!("")
    }
}

impl Deref for Atom {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Atom {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        self.index() == other.index()
    }
}
impl Eq for Atom {}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index().hash(state);
    }
}

/// By text, so that output sorted by value does not depend on which thread interned first.
impl Ord for Atom {
    fn cmp(&self, other: &Atom) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}
impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Atom) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Atom {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Atom {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Atom {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<Atom> for str {
    fn eq(&self, other: &Atom) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<Atom> for &str {
    fn eq(&self, other: &Atom) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Atom {
    fn from(s: &str) -> Atom {
        Atom::new(s)
    }
}

/// How many distinct texts are interned.
pub fn count() -> usize {
    let shards = &table().shards;
    shards
        .iter()
        .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len as usize)
        .sum()
}

/// A front for the global table, for one thread's run of interning (one file's parse): a word
/// seen before in the same run is found without the shared table's lock.
#[derive(Default)]
pub(crate) struct Local {
    /// The text kept beside its atom: comparing needs no trip through the global index.
    seen: HashTable<(&'static str, Atom)>,
}

impl Local {
    /// A front sized for about this many distinct words.
    pub(crate) fn with_capacity(words: usize) -> Local {
        Local {
            seen: HashTable::with_capacity(words),
        }
    }

    pub(crate) fn atom(&mut self, text: &str) -> Atom {
        let t = table();
        let hash = t.hasher.hash_one(text);
        if let Some(&(_, a)) = self.seen.find(hash, |(s, _)| *s == text) {
            return a;
        }
        let a = RECENT.with(|r| {
            let mut r = r.borrow_mut();
            if let Some(&(_, a)) = r.find(hash, |(s, _)| *s == text) {
                return a;
            }
            let a = t.intern_hashed(text, hash);
            if r.len() >= RECENT_MAX {
                r.clear();
            }
            r.insert_unique(hash, (a.as_str(), a), |(s, _)| t.hasher.hash_one(s));
            a
        });
        self.seen
            .insert_unique(hash, (a.as_str(), a), |(s, _)| t.hasher.hash_one(s));
        a
    }
}

/// Per thread, the words it interned lately: a run of many small files repeats the same
/// vocabulary, and this keeps the threads off the shared table's locks. Bounded, as threads
/// outlive a run.
const RECENT_MAX: usize = 8192;

thread_local! {
    static RECENT: std::cell::RefCell<HashTable<(&'static str, Atom)>> =
        const { std::cell::RefCell::new(HashTable::new()) };
}

const SHARDS: usize = 16;
/// Chunk `k` of a shard's slots holds `FIRST_CHUNK << k` entries: 21 chunks cover more than
/// the 2^26 words a shard can number.
const FIRST_CHUNK: u32 = 1 << 10;
const CHUNKS: usize = 21;
/// Text is copied into leaked blocks of this size; longer words get a block of their own.
const ARENA_BLOCK: usize = 16 * 1024;

/// A run of slots, made when the first of them is needed.
type Chunk = OnceLock<Box<[AtomicPtr<u8>]>>;

struct Table {
    shards: [RwLock<Shard>; SHARDS],
    /// Per shard, per index in the shard, a pointer to its text stored as a 4-byte
    /// little-endian length and the bytes: 8 bytes a slot, and the text found in one hop.
    /// Each shard's slots grow with its own words, so a file whose words all fall in one
    /// shard costs no more than spread ones.
    chunks: [[Chunk; CHUNKS]; SHARDS],
    /// Seeded per process: which shard a word falls in cannot be chosen by a file.
    hasher: foldhash::fast::FixedState,
}

#[derive(Default)]
struct Shard {
    /// Indexes of this shard's texts, found by their hash.
    map: HashTable<u32>,
    /// The unused end of the current arena block.
    free: &'static mut [u8],
    /// How many texts this shard holds: its indexes are `n * SHARDS + shard`, so threads
    /// interning new words share no counter.
    len: u32,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table {
        shards: std::array::from_fn(|_| RwLock::new(Shard::default())),
        chunks: std::array::from_fn(|_| std::array::from_fn(|_| OnceLock::new())),
        hasher: foldhash::fast::FixedState::with_seed(
            std::collections::hash_map::RandomState::new().hash_one(0x6777_6c69_6e74u64),
        ),
    })
}

/// Chunk and offset of an index.
fn slot(index: u32) -> (usize, usize) {
    let j = index + FIRST_CHUNK;
    let k = (31 - j.leading_zeros()) - FIRST_CHUNK.trailing_zeros();
    (k as usize, (j - (FIRST_CHUNK << k)) as usize)
}

impl Table {
    fn get(&self, index: u32) -> &'static str {
        let (k, i) = slot(index / SHARDS as u32);
        let chunks = &self.chunks[index as usize % SHARDS];
        // An atom exists only once its slot is written (under its shard's lock).
        let Some(p) = chunks[k].get().map(|c| c[i].load(Ordering::Acquire)) else {
            return "";
        };
        if p.is_null() {
            return "";
        }
        // SAFETY: a slot is null or points to a length (4 bytes, little-endian) followed by
        // that many bytes copied from a `str`, written before the pointer was published
        // (Release, above Acquire) and never changed or freed.
        unsafe {
            let len = u32::from_le_bytes(std::ptr::read_unaligned(p as *const [u8; 4]));
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(p.add(4), len as usize))
        }
    }

    fn intern(&self, text: &str) -> Atom {
        self.intern_hashed(text, self.hasher.hash_one(text))
    }

    fn intern_hashed(&self, text: &str, hash: u64) -> Atom {
        let n = (hash >> 60) as usize % SHARDS;
        let shard = &self.shards[n];
        // Most texts are interned already (by another file, or thread): readers share the lock.
        {
            let read = shard.read().unwrap_or_else(|e| e.into_inner());
            if let Some(&i) = read.map.find(hash, |&i| self.get(i) == text) {
                return atom(i);
            }
        }
        let mut shard = shard.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&i) = shard.map.find(hash, |&i| self.get(i) == text) {
            return atom(i);
        }
        let index = shard.len as u64 * SHARDS as u64 + n as u64;
        assert!(
            index < u64::from(INDEX_MASK),
            "more distinct words than gwlint can intern"
        );
        let index = index as u32;
        let (k, i) = slot(shard.len);
        shard.len += 1;
        let stored = shard.store(text);
        let chunk = self.chunks[n][k].get_or_init(|| {
            (0..(FIRST_CHUNK as usize) << k)
                .map(|_| AtomicPtr::new(std::ptr::null_mut()))
                .collect()
        });
        chunk[i].store(stored, Ordering::Release);
        shard
            .map
            .insert_unique(hash, index, |&i| self.hasher.hash_one(self.get(i)));
        atom(index)
    }
}

fn atom(index: u32) -> Atom {
    Atom(NonZeroU32::new(index + 1).expect("index + 1 is never zero"))
}

impl Shard {
    /// A copy of `text`, after its length, that lives for the rest of the run.
    fn store(&mut self, text: &str) -> *mut u8 {
        let len = u32::try_from(text.len()).expect("a word is shorter than a file");
        let need = text.len() + 4;
        let dst: &'static mut [u8] = if need > ARENA_BLOCK / 4 {
            Box::leak(vec![0u8; need].into_boxed_slice())
        } else {
            if self.free.len() < need {
                self.free = Box::leak(vec![0u8; ARENA_BLOCK].into_boxed_slice());
            }
            let (dst, rest) = std::mem::take(&mut self.free).split_at_mut(need);
            self.free = rest;
            dst
        };
        dst[..4].copy_from_slice(&len.to_le_bytes());
        dst[4..].copy_from_slice(text.as_bytes());
        dst.as_mut_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_atom_and_back() {
        let a = Atom::new("proxy_pass");
        let b = Atom::new(&String::from("proxy_pass"));
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "proxy_pass");
        assert_ne!(a, Atom::new("proxy_pas"));
        assert_eq!(Atom::default().as_str(), "");
        assert_eq!(&*Atom::new("é ü"), "é ü");
        let long = "x".repeat(100_000);
        assert_eq!(Atom::new(&long).as_str(), long);
    }

    #[test]
    fn tags_do_not_change_identity() {
        let a = Atom::new("tagged");
        let t = a.tagged(3);
        assert_eq!(t.tag(), 3);
        assert_eq!(a.tag(), 0);
        assert_eq!(t, a);
        assert_eq!(t.as_str(), "tagged");
        assert_eq!(t.tagged(1).tag(), 1);
    }

    #[test]
    fn slots_cover_every_index_once() {
        assert_eq!(slot(0), (0, 0));
        assert_eq!(slot(FIRST_CHUNK - 1), (0, FIRST_CHUNK as usize - 1));
        assert_eq!(slot(FIRST_CHUNK), (1, 0));
        assert_eq!(slot(3 * FIRST_CHUNK), (2, 0));
        let (k, i) = slot(INDEX_MASK - 1);
        assert!(k < CHUNKS && i < (FIRST_CHUNK as usize) << k);
    }

    #[test]
    fn local_front_gives_the_global_atoms() {
        let mut l = Local::default();
        let a = l.atom("keepalive_timeout");
        assert_eq!(a, Atom::new("keepalive_timeout"));
        assert_eq!(l.atom("keepalive_timeout"), a);
        assert_eq!(crate::atom!("keepalive_timeout"), a);
        assert_ne!(l.atom("keepalive"), a);
    }

    #[test]
    fn threads_agree() {
        let words: Vec<String> = (0..5000).map(|i| format!("w{}", i % 1500)).collect();
        let run = || words.iter().map(|w| Atom::new(w)).collect::<Vec<_>>();
        let (x, y) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!(x, y);
        assert!(x.iter().zip(&words).all(|(a, w)| a.as_str() == w));
    }
}
