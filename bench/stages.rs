//! Where the time goes: `cargo run --release --example stages -- FILE...` loads, parses,
//! lowers, checks and reports each file and prints the CPU time of each stage.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts live heap bytes, so each stage's memory is known apart from the allocator's slack.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Live allocations by requested size in 16-byte steps (the last counts the rest): what glibc
/// adds per allocation is what many small ones cost.
static SIZES: [AtomicUsize; 17] = [const { AtomicUsize::new(0) }; 17];

fn class(size: usize) -> &'static AtomicUsize {
    &SIZES[(size / 16).min(16)]
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        class(l.size()).fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        class(l.size()).fetch_sub(1, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        class(new).fetch_add(1, Ordering::Relaxed);
        class(l.size()).fetch_sub(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1e6
}

/// CPU time of this process, all its threads (parsing and the rules run on every core): on
/// a shared machine, wall time measures the neighbours too.
#[derive(Clone, Copy)]
struct Instant(Duration);

impl Instant {
    fn now() -> Instant {
        let ns: u64 = std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        Instant(Duration::from_nanos(ns))
    }
    fn elapsed(&self) -> Duration {
        Instant::now().0.saturating_sub(self.0)
    }
}

use gwlint::finding::Dialect;
use gwlint::load::Loader;
use gwlint::load::include::{self, Tree};

fn main() {
    gwlint::tune_allocator();
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut t = [Duration::ZERO; 5];
    let mut bytes = 0;
    let mut loader = Loader::default();
    let mut trees = Vec::new();
    for p in &paths {
        let s = Instant::now();
        let Ok(id) = loader.load(p, &p.to_string_lossy()) else {
            eprintln!("{}: cannot load", p.display());
            continue;
        };
        bytes += loader.sources.get(id).text.len();
        t[0] += s.elapsed();
        eprintln!(
            "after load: rss {:.1} MB, heap {:.1} MB",
            status_mb("VmRSS"),
            live_mb()
        );
        let s = Instant::now();
        let haproxy = gwlint::discover::looks_like_haproxy(&loader.sources.get(id).text);
        let tree = if haproxy {
            Tree::haproxy(&mut loader, vec![id])
        } else {
            let prefix = p.parent().map(PathBuf::from).unwrap_or_default();
            include::build(
                &mut loader,
                id,
                gwlint::plan::place::Place::local(&prefix),
                false,
            )
        };
        t[1] += s.elapsed();
        trees.push(tree);
    }
    eprintln!(
        "after parse: rss {:.1} MB, peak {:.1} MB, heap {:.1} MB",
        status_mb("VmRSS"),
        status_mb("VmHWM"),
        live_mb()
    );
    if std::env::var_os("STAGES_CENSUS").is_some() {
        let mut c = [0usize; 5];
        for f in loader.parsed_map().values() {
            census(&f.directives, &mut c);
        }
        eprintln!(
            "directives {} args {} blocks {} long values {} atoms {}",
            c[0],
            c[1],
            c[2],
            c[3],
            gwlint::atom::count()
        );
        use gwlint::model::*;
        eprintln!(
            "size Scope {} Route {} Server {} Pool {} Endpoint {}",
            std::mem::size_of::<Scope>(),
            std::mem::size_of::<Route>(),
            std::mem::size_of::<Server>(),
            std::mem::size_of::<Pool>(),
            std::mem::size_of::<Endpoint>()
        );
        eprintln!(
            "size Directive {} Arg {}",
            std::mem::size_of::<gwlint::syntax::nginx::Directive>(),
            std::mem::size_of::<gwlint::word::Arg>()
        );
    }
    let parse_only = std::env::var_os("STAGES_PARSE_ONLY").is_some();
    let mut findings = Vec::new();
    let facts = gwlint::facts::Facts::default();
    for tree in trees.iter().filter(|_| !parse_only) {
        let s = Instant::now();
        let parsed = loader.parsed_map();
        let proxy = match tree.dialect {
            Dialect::Nginx => gwlint::model::nginx::lower(tree, parsed),
            Dialect::Haproxy => gwlint::model::haproxy::lower(tree, parsed),
        };
        t[2] += s.elapsed();
        let s = Instant::now();
        // The refusal checks read the tree against the directive tables; counted with check.
        let refusals = match tree.dialect {
            Dialect::Nginx => {
                gwlint::model::refusals::nginx::check(tree, parsed, None, &Default::default())
            }
            Dialect::Haproxy => gwlint::model::refusals::haproxy::check(tree, parsed, None),
        };
        let ctx = gwlint::rules::Context {
            sources: &loader.sources,
            proxy: &proxy,
            nginx_version: None,
            haproxy_version: None,
            facts: &facts,
            observed: None,
            refusals: &refusals,
        };
        eprintln!(
            "after lower: rss {:.1} MB, peak {:.1} MB, heap {:.1} MB",
            status_mb("VmRSS"),
            status_mb("VmHWM"),
            live_mb()
        );
        if std::env::var_os("STAGES_CENSUS").is_some() {
            model_census(&proxy);
            malloc_census();
        }
        findings.extend(gwlint::rules::check(&ctx));
        eprintln!(
            "after check: rss {:.1} MB, peak {:.1} MB, heap {:.1} MB",
            status_mb("VmRSS"),
            status_mb("VmHWM"),
            live_mb()
        );
        t[3] += s.elapsed();
    }
    let s = Instant::now();
    gwlint::report::sort(&mut findings, &loader.sources);
    let out = gwlint::report::concise::render(&findings, &loader.sources);
    t[4] += s.elapsed();
    let mb = bytes as f64 / 1e6;
    let total: Duration = t.iter().sum();
    println!(
        "{:.1} MB, {} findings, {} bytes of report",
        mb,
        findings.len(),
        out.len()
    );
    for (name, d) in ["load", "parse", "lower", "check", "report"].iter().zip(t) {
        println!(
            "{name:>7} {:>9.2} ms  {:>8.1} MB/s",
            d.as_secs_f64() * 1e3,
            mb / d.as_secs_f64()
        );
    }
    let peak = status_mb("VmHWM");
    println!("   peak {peak:>9.1} MB   {:>8.1}x the input", peak / mb);
    println!(
        "  total {:>9.2} ms  {:>8.1} MB/s",
        total.as_secs_f64() * 1e3,
        mb / total.as_secs_f64()
    );
}

/// A figure of /proc/self/status (`VmRSS`, `VmHWM`) in MB.
fn status_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1e3
}

#[allow(dead_code)]
fn census(dirs: &[gwlint::syntax::nginx::Directive], c: &mut [usize; 5]) {
    for d in dirs {
        c[0] += 1;
        c[1] += d.args.len();
        c[3] += d.args.iter().filter(|a| a.value.len() > 24).count();
        if let Some(b) = d.block() {
            c[2] += 1;
            census(b, c);
        }
    }
}

fn model_census(p: &gwlint::model::Proxy) {
    use std::mem::size_of;
    let mb = |b: usize| b as f64 / 1e6;
    let lists: usize = p.scopes.iter().map(|s| s.directives.run_count()).sum();
    let servers: usize = p.pools.iter().map(|x| x.servers.len()).sum();
    eprintln!(
        "scopes {} ({:.1} MB) runs {} ({:.1} MB) routes {} ({:.1} MB) pools {} ({:.1} MB) servers {} ({:.1} MB)",
        p.scopes.len(),
        mb(p.scopes.capacity() * size_of::<gwlint::model::Scope>()),
        lists,
        mb(lists * 16),
        p.routes.len(),
        mb(p.routes.capacity() * size_of::<gwlint::model::Route>()),
        p.pools.len(),
        mb(p.pools.capacity() * size_of::<gwlint::model::Pool>()),
        servers,
        mb(servers * size_of::<gwlint::model::Server>()),
    );
}

/// glibc's view: bytes in use (chunks, headers included), free inside its arenas, mapped.
fn malloc_census() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 only reads the allocator's counters.
        let m = unsafe { libc::mallinfo2() };
        eprintln!(
            "malloc: in use {:.1} MB, free in arenas {:.1} MB, mapped {:.1} MB, arenas {:.1} MB (live {:.1} MB requested)\nlive allocations by size (16-byte steps from 0): {:?}",
            m.uordblks as f64 / 1e6,
            m.fordblks as f64 / 1e6,
            m.hblkhd as f64 / 1e6,
            m.arena as f64 / 1e6,
            live_mb(),
            SIZES
                .iter()
                .map(|c| c.load(Ordering::Relaxed))
                .collect::<Vec<_>>()
        );
    }
}
