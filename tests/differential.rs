//! Differential test: how often gwlint agrees with the real nginx and HAProxy on "this
//! configuration refuses to start", over mutants of the project's own configurations.
//!
//! `cargo test --release --features proof --test differential -- --nocapture`; needs `nginx`
//! and `haproxy` on the machine (Debian's packages) and fails when they are missing.
//!
//! - Bases (tests/differential/bases.rs): the rule pages' nginx and HAProxy examples (good and
//!   bad) and the main files of `examples/` and `tests/fixtures/`, prepared for this machine
//!   (listeners on loopback, paths into the check's directory). A base is used only when the
//!   real proxy accepts it, and (nginx) reads no file outside its directory.
//! - Mutants (tests/differential/mutate.rs): six kinds, each at sites chosen by a seeded
//!   xorshift, so every run checks the same mutants. Caps: at most [`CAP`] mutants per dialect,
//!   taken round-robin over bases and kinds, which keeps the run under ~3 minutes on 2 cores
//!   (a check is ~10 ms for nginx, ~30 ms for HAProxy, ~5 ms for gwlint).
//! - Verdicts (tests/differential/run.rs): `nginx -T` / `haproxy -c` on each mutant, every
//!   child killed after 10 s, at most [`jobs`] at a time. A refusal for a reason of the machine
//!   (DNS, missing file, certificate, bind, permission) is excluded from the figure. gwlint
//!   (`--format json --dialect … --nginx-version/--haproxy-version` of the installed proxy)
//!   "says it refuses" when it reports an error of a rule with `"refuses_to_start": true` in
//!   `gwlint rules --format json` (in one of the rule's `refuses_in` dialects, when the list
//!   is there); without the field a rule counts as not refusing, and the report says so loudly.
//!
//! The agreement (mutants where "the proxy refused" equals "gwlint says it refuses", over the
//! mutants not excluded) must reach `GWLINT_DIFF_MIN` percent (default 0) in each dialect, with
//! at least [`MIN_COUNTED`] mutants counted in each, and no harness error (gwlint exiting 2,
//! crashing, hanging or printing something that is not JSON). The summary and every
//! disagreement are printed and written to `target/differential-report.txt`.
//!
//! `GWLINT_DIFF_CORPUS=DIR` adds a measure on real configurations: every nginx main file and
//! HAProxy `.cfg` under DIR, prepared the same way, checked as it is (no mutant), and gwlint's
//! verdict set beside the proxy's (`target/differential-corpus.txt`).

#[path = "differential/bases.rs"]
mod bases;
#[path = "common/pages.rs"]
mod common_pages;
#[path = "differential/lex.rs"]
mod lex;
#[path = "differential/mutate.rs"]
mod mutate;
#[path = "differential/rng.rs"]
mod rng;
#[path = "differential/run.rs"]
mod run;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bases::{Base, Dialect};
use mutate::{KINDS, Kind, Mutant};
use run::{Lint, Verdict};

/// At most this many mutants per dialect (~1500 nginx and ~1500 HAProxy checks, each followed
/// by a gwlint run).
const CAP: usize = 1500;

/// Fewer counted mutants than this in a dialect fails the test: it cannot pass vacuously.
const MIN_COUNTED: usize = 200;

/// The agreement each dialect holds today, in percent: the test fails below it, so a change
/// that loses agreement shows here. Raised as the refusal checks grow; `GWLINT_DIFF_MIN`
/// overrides it for both dialects.
const FLOOR: [(bases::Dialect, f64); 2] = [
    (bases::Dialect::Nginx, 99.0),
    (bases::Dialect::Haproxy, 99.0),
];

/// How many checks run at once: `GWLINT_DIFF_JOBS`, else the machine's cores, at most 4.
fn jobs() -> usize {
    std::env::var("GWLINT_DIFF_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(4)
        })
        .max(1)
}

/// Runs `f` on every item, `jobs()` at a time, each worker with a scratch directory of its
/// own; the results are in the items' order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T, &Path) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..jobs().min(items.len().max(1)) {
            s.spawn(|| {
                let scratch = tempfile::tempdir().unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item, scratch.path());
                    *results[i].lock().unwrap() = Some(r);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap().expect("a worker died"))
        .collect()
}

/// A directory to write one configuration into (readable by nginx's workers when root).
fn check_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("gw-diff-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

struct Env {
    versions: BTreeMap<Dialect, String>,
    rules: run::Rules,
}

impl Env {
    fn version(&self, d: Dialect) -> &str {
        &self.versions[&d]
    }
}

/// What checking a base found.
struct BaseCheck {
    /// Why it is not used, or None.
    dropped: Option<String>,
    /// nginx: the files of the base it read.
    read: Vec<usize>,
    lint: Result<Lint, String>,
}

/// Writes a base (one file replaced by a mutant's text, if given) to a fresh directory and
/// runs the proxy's check and gwlint on it; the directory lives as long as the result.
fn run_both(
    env: &Env,
    base: &Base,
    replace: Option<(usize, &str)>,
    scratch: &Path,
) -> (
    tempfile::TempDir,
    Verdict,
    run::Output,
    Result<Lint, String>,
) {
    let dir = check_dir();
    base.write(dir.path(), replace);
    let (verdict, out) = run::check(base.dialect, dir.path(), base.root_path(), scratch);
    let lint = run::gwlint(
        base.dialect,
        env.version(base.dialect),
        dir.path(),
        base.root_path(),
        &env.rules,
        scratch,
    );
    (dir, verdict, out, lint)
}

fn check_base(env: &Env, base: &Base, scratch: &Path) -> BaseCheck {
    let (dir, verdict, out, lint) = run_both(env, base, None, scratch);
    let mut check = BaseCheck {
        dropped: None,
        read: Vec::new(),
        lint,
    };
    match verdict {
        Verdict::Accepted => {}
        Verdict::Refused(m) => check.dropped = Some(format!("refused: {m}")),
        Verdict::Environment(m) => check.dropped = Some(format!("environment: {m}")),
        Verdict::Timeout => check.dropped = Some("timeout".to_string()),
    }
    if check.dropped.is_none() && base.dialect == Dialect::Nginx {
        for f in run::nginx_files(&out.stdout, dir.path()) {
            match f {
                Err(p) => {
                    check.dropped = Some(format!("outside: reads {p}, not a file of the base"));
                    break;
                }
                Ok(f) => {
                    if let Some(i) = base.files.iter().position(|(p, _)| *p == f) {
                        if !check.read.contains(&i) {
                            check.read.push(i);
                        }
                    }
                }
            }
        }
    }
    check
}

/// A mutant's outcome.
struct Outcome {
    verdict: Verdict,
    lint: Result<Lint, String>,
}

fn check_mutant(env: &Env, base: &Base, m: &Mutant, scratch: &Path) -> Outcome {
    let (_dir, verdict, _, lint) = run_both(env, base, Some((m.file, &m.text)), scratch);
    Outcome { verdict, lint }
}

/// Takes the mutants round-robin over bases and kinds (one each per round), skipping sites
/// that give nothing and mutants already taken, up to [`CAP`] per dialect.
fn choose(bases: &[Base], used: &[usize], dialect: Dialect) -> Vec<Mutant> {
    let used: Vec<usize> = used
        .iter()
        .copied()
        .filter(|&b| bases[b].dialect == dialect)
        .collect();
    let sites: Vec<Vec<Vec<mutate::Site>>> = used
        .iter()
        .map(|&b| KINDS.iter().map(|&k| mutate::sites(&bases[b], k)).collect())
        .collect();
    let mut cursor = vec![[0usize; 6]; used.len()];
    let mut seen: HashSet<(usize, usize, String)> = HashSet::new();
    let mut out = Vec::new();
    loop {
        let mut progress = false;
        for (u, &b) in used.iter().enumerate() {
            for (k, &kind) in KINDS.iter().enumerate() {
                while cursor[u][k] < sites[u][k].len() {
                    let site = sites[u][k][cursor[u][k]];
                    cursor[u][k] += 1;
                    let Some(m) = mutate::mutant(b, &bases[b], kind, site) else {
                        continue;
                    };
                    if seen.insert((b, m.file, m.text.clone())) {
                        out.push(m);
                        progress = true;
                        break;
                    }
                }
                if out.len() == CAP {
                    return out;
                }
            }
        }
        if !progress {
            return out;
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    excluded: usize,
    harness: usize,
    refused: usize,
    agree: usize,
    proxy_only: usize,
    gwlint_only: usize,
}

impl Tally {
    fn counted(&self) -> usize {
        self.total - self.excluded - self.harness
    }

    fn agreement(&self) -> f64 {
        if self.counted() == 0 {
            0.0
        } else {
            100.0 * self.agree as f64 / self.counted() as f64
        }
    }

    fn add(&mut self, o: &Tally) {
        self.total += o.total;
        self.excluded += o.excluded;
        self.harness += o.harness;
        self.refused += o.refused;
        self.agree += o.agree;
        self.proxy_only += o.proxy_only;
        self.gwlint_only += o.gwlint_only;
    }

    fn row(&self, dialect: &str, kind: &str) -> String {
        format!(
            "{dialect:<8} {kind:<12} {:>6} {:>6} {:>7} {:>7} {:>6} {:>10} {:>11} {:>9.1}%\n",
            self.total,
            self.excluded + self.harness,
            self.counted(),
            self.refused,
            self.agree,
            self.proxy_only,
            self.gwlint_only,
            self.agreement()
        )
    }
}

/// A message with its particulars (names, numbers, files) replaced, to group like with like.
fn pattern(message: &str) -> String {
    use std::sync::OnceLock;
    static RES: OnceLock<Vec<(regex::Regex, &'static str)>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            (r#""[^"]*""#, "\"…\""),
            (r"'[^']*'", "'…'"),
            (r"`[^`]*`", "`…`"),
            (r"\[[^\]\s]+:\d+\]", "[FILE:N]"),
            (r"in \S+:\d+", "in FILE:N"),
            (r"\d+", "N"),
        ]
        .into_iter()
        .map(|(r, w)| (regex::Regex::new(r).unwrap(), w))
        .collect()
    });
    let mut m = message.to_string();
    for (re, w) in res {
        m = re.replace_all(&m, *w).into_owned();
    }
    m
}

#[test]
fn gwlint_agrees_with_the_proxies_on_refusing_to_start() {
    let started = Instant::now();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().unwrap();
    let mut versions = BTreeMap::new();
    let mut binaries = BTreeMap::new();
    for d in [Dialect::Nginx, Dialect::Haproxy] {
        binaries.insert(d, run::binary(d.name()));
        versions.insert(d, run::version(d, scratch.path()));
    }
    let env = Env {
        versions,
        rules: run::rules(scratch.path()),
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "gwlint differential test: does gwlint say \"refuses to start\" when the proxy does?\n\
         nginx {} ({}), HAProxy {} ({}); gwlint --nginx-version {} / --haproxy-version {}; {} jobs",
        env.version(Dialect::Nginx),
        binaries[&Dialect::Nginx].display(),
        env.version(Dialect::Haproxy),
        binaries[&Dialect::Haproxy].display(),
        env.version(Dialect::Nginx),
        env.version(Dialect::Haproxy),
        jobs(),
    );
    let _ = writeln!(
        report,
        "gwlint says it refuses: an error of a rule with `refuses_to_start: true` in `gwlint rules \
         --format json`{}",
        if env.rules.per_dialect {
            ", in one of the rule's `refuses_in` dialects"
        } else {
            ""
        }
    );
    if !env.rules.missing.is_empty() {
        let warning = format!(
            "\n!!!!!!!! WARNING: `gwlint rules --format json` has no `refuses_to_start` for {} of \
             {} rules ({}); they count as NOT refusing to start, so gwlint never \"says it \
             refuses\" through them. !!!!!!!!\n",
            env.rules.missing.len(),
            env.rules.refuses.len(),
            if env.rules.missing.len() == env.rules.refuses.len() {
                "all of them".to_string()
            } else {
                env.rules.missing.join(", ")
            }
        );
        eprintln!("{warning}");
        report.push_str(&warning);
    }

    // ------------------------------------------------------------------ bases
    let mut all = bases::pages();
    all.extend(bases::fixtures(manifest));
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    all.retain(|b| {
        let fresh = seen.insert((b.dialect, b.root, b.files.clone()));
        duplicates += usize::from(!fresh);
        fresh
    });
    let checks = parallel(&all, |b, s| check_base(&env, b, s));
    let mut used = Vec::new();
    let mut harness: Vec<String> = Vec::new();
    let mut base_lines = String::new();
    let mut flagged = String::new();
    for (i, (b, c)) in all.iter_mut().zip(&checks).enumerate() {
        match &c.dropped {
            // (gwlint's run on a base that is not used is not measured.)
            Some(why) => {
                let _ = writeln!(base_lines, "  {:<8} {:<55} {why}", b.dialect.name(), b.name);
            }
            None => {
                if let Err(e) = &c.lint {
                    harness.push(format!("base {}: {e}", b.name));
                }
                if b.dialect == Dialect::Nginx {
                    b.mutable = c
                        .read
                        .iter()
                        .copied()
                        .filter(|f| !b.added.contains(f))
                        .collect();
                }
                used.push(i);
                if let Ok(l) = &c.lint {
                    if l.refuses {
                        let _ = writeln!(
                            flagged,
                            "  {:<8} {:<55} {}",
                            b.dialect.name(),
                            b.name,
                            l.codes.join(" ")
                        );
                    }
                }
            }
        }
    }
    let _ = writeln!(report, "\nBases (accepted by the proxy as prepared: used)");
    for d in [Dialect::Nginx, Dialect::Haproxy] {
        let of = |v: &[usize]| v.iter().filter(|&&i| all[i].dialect == d).count();
        let every: Vec<usize> = (0..all.len()).collect();
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for (b, c) in all.iter().zip(&checks) {
            if let (true, Some(why)) = (b.dialect == d, &c.dropped) {
                *reasons.entry(why.split(':').next().unwrap()).or_default() += 1;
            }
        }
        let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let _ = writeln!(
            report,
            "  {:<8} {} used of {} (dropped: {})",
            d.name(),
            of(&used),
            of(&every),
            if reasons.is_empty() {
                "none".to_string()
            } else {
                reasons.join(", ")
            }
        );
    }
    let _ = writeln!(
        report,
        "  ({duplicates} examples identical to another were skipped)"
    );
    if !flagged.is_empty() {
        let _ = writeln!(
            report,
            "  gwlint already says \"refuses\" on these accepted bases (not in the figures):\n{flagged}"
        );
    }

    // ------------------------------------------------------------------ mutants
    let mut mutants = choose(&all, &used, Dialect::Nginx);
    mutants.extend(choose(&all, &used, Dialect::Haproxy));
    let outcomes = parallel(&mutants, |m, s| check_mutant(&env, &all[m.base], m, s));

    let mut tally: BTreeMap<(Dialect, Kind), Tally> = BTreeMap::new();
    let mut disagreements = String::new();
    let mut patterns: BTreeMap<(String, String, String, String), (usize, String)> = BTreeMap::new();
    let mut excluded: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut n_disagree = 0;
    let mut inconsistent: BTreeMap<String, usize> = BTreeMap::new();
    for (m, o) in mutants.iter().zip(&outcomes) {
        let b = &all[m.base];
        let t = tally.entry((b.dialect, m.kind)).or_default();
        t.total += 1;
        let lint = match &o.lint {
            Ok(l) => l,
            Err(e) => {
                t.harness += 1;
                harness.push(format!("{} [{}] {}: {e}", b.name, m.kind.label(), m.what));
                continue;
            }
        };
        for c in &lint.inconsistent {
            *inconsistent
                .entry(format!("{} {c}", b.dialect.name()))
                .or_default() += 1;
        }
        let proxy_refused = match &o.verdict {
            Verdict::Accepted => false,
            Verdict::Refused(_) => true,
            Verdict::Environment(e) => {
                t.excluded += 1;
                *excluded
                    .entry((b.dialect.name().to_string(), pattern(e)))
                    .or_default() += 1;
                continue;
            }
            Verdict::Timeout => {
                t.excluded += 1;
                *excluded
                    .entry((b.dialect.name().to_string(), "proxy timed out".to_string()))
                    .or_default() += 1;
                continue;
            }
        };
        t.refused += usize::from(proxy_refused);
        if proxy_refused == lint.refuses {
            t.agree += 1;
            continue;
        }
        n_disagree += 1;
        let (direction, message) = match &o.verdict {
            Verdict::Refused(msg) => {
                t.proxy_only += 1;
                ("proxy-only", msg.clone())
            }
            _ => {
                t.gwlint_only += 1;
                ("gwlint-only", "accepted".to_string())
            }
        };
        let codes = if lint.codes.is_empty() {
            "(none)".to_string()
        } else {
            lint.codes.join(" ")
        };
        let _ = writeln!(
            disagreements,
            "[{} {}] {direction}  {}  {}\n      proxy:  {message}\n      gwlint: {codes}",
            b.dialect.name(),
            m.kind.label(),
            b.name,
            m.what,
        );
        // What gwlint refused with, when the proxy accepted (the proxy's message otherwise).
        let refusing: Vec<&str> = lint
            .codes
            .iter()
            .filter(|c| direction == "gwlint-only" && c.ends_with('!'))
            .map(String::as_str)
            .collect();
        let key = (
            b.dialect.name().to_string(),
            direction.to_string(),
            pattern(&message),
            refusing.join(" "),
        );
        let entry = patterns
            .entry(key)
            .or_insert((0, format!("{} — {}", b.name, m.what)));
        entry.0 += 1;
    }

    // ------------------------------------------------------------------ report
    let _ = writeln!(report, "\nMutation kinds");
    for k in KINDS {
        let (n, h) = (k.about(Dialect::Nginx), k.about(Dialect::Haproxy));
        let about = if n == h {
            n.to_string()
        } else {
            format!("nginx: {n}; haproxy: {h}")
        };
        let _ = writeln!(report, "  {:<12} {about}", k.label());
    }
    let _ = writeln!(
        report,
        "\nResults: agreement = (proxy refused for the configuration) == (gwlint says it refuses),\n\
         over the counted mutants (total less excluded: refused for a reason of the machine).\n\
         refused: the proxy refused; proxy-only: it refused and gwlint did not say so;\n\
         gwlint-only: gwlint says it refuses and the proxy accepted.\n"
    );
    let _ = writeln!(
        report,
        "{:<8} {:<12} {:>6} {:>6} {:>7} {:>7} {:>6} {:>10} {:>11} {:>10}",
        "dialect",
        "kind",
        "total",
        "excl",
        "counted",
        "refused",
        "agree",
        "proxy-only",
        "gwlint-only",
        "agreement"
    );
    let mut per_dialect: BTreeMap<Dialect, Tally> = BTreeMap::new();
    let mut overall = Tally::default();
    for d in [Dialect::Nginx, Dialect::Haproxy] {
        let mut sum = Tally::default();
        for k in KINDS {
            let t = tally.get(&(d, k)).copied().unwrap_or_default();
            report.push_str(&t.row(d.name(), k.label()));
            sum.add(&t);
        }
        report.push_str(&sum.row(d.name(), "all"));
        report.push('\n');
        overall.add(&sum);
        per_dialect.insert(d, sum);
    }
    report.push_str(&overall.row("both", "all"));

    let mut top: Vec<_> = patterns.into_iter().collect();
    top.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        report,
        "\nMost common disagreement patterns (of {n_disagree})"
    );
    for ((d, dir, msg, codes), (n, example)) in top.iter().take(20) {
        let codes = if codes.is_empty() {
            String::new()
        } else {
            format!("  [{codes}]")
        };
        let _ = writeln!(
            report,
            "  {n:>5}  {d:<8} {dir:<11} {msg}{codes}\n         e.g. {example}"
        );
    }
    let mut ex: Vec<_> = excluded.into_iter().collect();
    ex.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(report, "\nExcluded mutants, by reason");
    for ((d, msg), n) in ex.iter().take(15) {
        let _ = writeln!(report, "  {n:>5}  {d:<8} {msg}");
    }
    if ex.len() > 15 {
        let rest: usize = ex[15..].iter().map(|e| e.1).sum();
        let _ = writeln!(report, "  {rest:>5}  (other reasons)");
    }
    if !inconsistent.is_empty() {
        let list: Vec<String> = inconsistent
            .iter()
            .map(|(c, n)| format!("{c} ×{n}"))
            .collect();
        let _ = writeln!(
            report,
            "\nWARNING: findings whose own `refuses_to_start` differs from the rule list's: {}",
            list.join(", ")
        );
    }
    if !harness.is_empty() {
        let _ = writeln!(report, "\nHARNESS ERRORS ({})", harness.len());
        for h in &harness {
            let _ = writeln!(report, "  {h}");
        }
    }
    let mut taken: BTreeMap<usize, [usize; 6]> = BTreeMap::new();
    for m in &mutants {
        taken.entry(m.base).or_default()[KINDS.iter().position(|&k| k == m.kind).unwrap()] += 1;
    }
    let _ = writeln!(
        report,
        "\nBases used: mutants taken per kind (1 to 6) and the files mutated"
    );
    for &i in &used {
        let b = &all[i];
        let n = taken.get(&i).copied().unwrap_or_default();
        let n: Vec<String> = n.iter().map(|n| n.to_string()).collect();
        let files: Vec<&str> = b.mutable.iter().map(|&f| b.files[f].0.as_str()).collect();
        let _ = writeln!(
            report,
            "  {:<8} {:<55} {:<17} {}",
            b.dialect.name(),
            b.name,
            n.join(" "),
            files.join(" ")
        );
    }
    let _ = writeln!(
        report,
        "\nBases not used\n{base_lines}\nDisagreements ({n_disagree})\n{disagreements}"
    );
    let _ = writeln!(report, "runtime: {:.1}s", started.elapsed().as_secs_f64());

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let file = target.join("differential-report.txt");
    std::fs::write(&file, &report).unwrap();
    println!("{report}");
    println!("(written to {})", file.display());

    // ------------------------------------------------------------------ corpus
    if let Some(dir) = std::env::var_os("GWLINT_DIFF_CORPUS") {
        corpus(&env, Path::new(&dir), target);
    }

    // ------------------------------------------------------------------ verdict
    assert!(
        harness.is_empty(),
        "{} harness errors (gwlint exit 2, crash, hang or bad JSON), see above:\n{}",
        harness.len(),
        harness.join("\n")
    );
    let set: Option<f64> = std::env::var("GWLINT_DIFF_MIN").ok().map(|v| {
        v.trim()
            .trim_end_matches('%')
            .parse()
            .unwrap_or_else(|_| panic!("GWLINT_DIFF_MIN={v} is not a percentage"))
    });
    for (d, t) in &per_dialect {
        let floor = FLOOR.iter().find(|(f, _)| f == d).map_or(0.0, |f| f.1);
        let min = set.unwrap_or(floor);
        assert!(
            t.counted() >= MIN_COUNTED,
            "only {} {} mutants counted (at least {MIN_COUNTED} needed): too many bases dropped or \
             mutants excluded, see {}",
            t.counted(),
            d.name(),
            file.display()
        );
        assert!(
            t.agreement() >= min,
            "{}: gwlint agrees with the proxy on {:.1}% of {} mutants, below the floor of {min}%; \
             see {}",
            d.name(),
            t.agreement(),
            t.counted(),
            file.display()
        );
    }
}

/// Real configurations, unmutated: does gwlint say "refuses to start" exactly when the proxy
/// refuses? Printed and written to `target/differential-corpus.txt`; a measure, not a floor.
fn corpus(env: &Env, dir: &Path, target: &Path) {
    let bases = bases::corpus(dir);
    let checks = parallel(&bases, |b, s| {
        let (_dir, verdict, _, lint) = run_both(env, b, None, s);
        (verdict, lint)
    });
    let mut report = format!("gwlint on the real configurations of {}\n", dir.display());
    let mut lines = String::new();
    for d in [Dialect::Nginx, Dialect::Haproxy] {
        // accepted & silent, accepted & refuses, refused & refuses, refused & silent, excluded
        let mut t = [0usize; 5];
        for (b, (verdict, lint)) in bases.iter().zip(&checks).filter(|(b, _)| b.dialect == d) {
            let says = lint.as_ref().map(|l| l.refuses);
            let codes = lint
                .as_ref()
                .map_or_else(|e| format!("harness error: {e}"), |l| l.codes.join(" "));
            let (slot, line) = match (verdict, says) {
                (Verdict::Accepted, Ok(false)) => (0, None),
                (Verdict::Accepted, Ok(true)) => (1, Some(format!("gwlint-only  {codes}"))),
                (Verdict::Refused(_), Ok(true)) => (2, None),
                (Verdict::Refused(m), Ok(false)) => {
                    (3, Some(format!("proxy-only   {m}  (gwlint: {codes})")))
                }
                (Verdict::Environment(m), _) => (4, Some(format!("excluded     {m}"))),
                (Verdict::Timeout, _) => (4, Some("excluded     timeout".to_string())),
                (_, Err(e)) => (4, Some(format!("harness      {e}"))),
            };
            t[slot] += 1;
            if let Some(l) = line {
                let _ = writeln!(lines, "  {:<8} {:<60} {l}", d.name(), b.name);
            }
        }
        let counted = t[0] + t[1] + t[2] + t[3];
        let _ = writeln!(
            report,
            "{:<8} {} files: {} excluded (environment); of {counted}: accepted {} (gwlint \
             silent {}, says it refuses {}), refused {} (gwlint says so {}, silent {}); \
             agreement {:.1}%",
            d.name(),
            counted + t[4],
            t[4],
            t[0] + t[1],
            t[0],
            t[1],
            t[2] + t[3],
            t[2],
            t[3],
            if counted == 0 {
                100.0
            } else {
                100.0 * (t[0] + t[2]) as f64 / counted as f64
            }
        );
    }
    report.push_str(&lines);
    let file = target.join("differential-corpus.txt");
    std::fs::write(&file, &report).unwrap();
    println!("{report}\n(written to {})", file.display());
}
