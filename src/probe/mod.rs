//! `--online`: what the targets really do, seen from where gwlint runs. DNS (A and AAAA), TCP
//! connect, a TLS ClientHello, unix sockets and certificate files, probed concurrently within
//! bounded time. The probe records observations; rules decide what they mean.
//!
//! Without `--online` nothing here runs, and nothing is sent.

pub(crate) mod certs;
pub(crate) mod dns;
pub(crate) mod targets;
pub(crate) mod tcp;
pub(crate) mod tls;
pub(crate) mod unix;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::model::Proxy;
use crate::source::Span;
use targets::{Place, Sniff};

/// How to probe (`--online` and its flags). A value left unset is taken from `[online]` in
/// gwlint.toml ([`crate::config::file::Online::fill`]), else from the built-in default.
#[derive(Debug, Clone)]
pub struct OnlineOptions {
    /// DNS servers to ask (`--resolver`); empty: `[online] resolver`, else the system's
    /// configuration.
    pub resolvers: Vec<SocketAddr>,
    /// None: `[online] dns-timeout`, else [`DNS_TIMEOUT`].
    pub dns_timeout: Option<Duration>,
    /// None: `[online] connect-timeout`, else [`CONNECT_TIMEOUT`].
    pub connect_timeout: Option<Duration>,
    /// A client certificate expiring within this many days is reported. None:
    /// `[online] cert-warn-days`, else [`CERT_WARN_DAYS`].
    pub cert_warn_days: Option<u32>,
    /// Draw a progress bar on standard error (a terminal) when there are many targets.
    pub progress: bool,
    /// Sockets open at once.
    pub max_sockets: usize,
}

/// The built-in defaults (`--help` and the README say the same).
pub(crate) const DNS_TIMEOUT: Duration = Duration::from_secs(2);
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub(crate) const CERT_WARN_DAYS: u32 = 14;

impl Default for OnlineOptions {
    fn default() -> Self {
        OnlineOptions {
            resolvers: Vec::new(),
            dns_timeout: None,
            connect_timeout: None,
            cert_warn_days: None,
            progress: false,
            max_sockets: 128,
        }
    }
}

impl OnlineOptions {
    fn dns_timeout(&self) -> Duration {
        self.dns_timeout.unwrap_or(DNS_TIMEOUT)
    }
    fn connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(CONNECT_TIMEOUT)
    }
}

/// Everything observed for one proxy configuration.
#[derive(Debug, Default)]
pub struct Observations {
    /// The resolver asked, for messages ("127.0.0.1:5353", "the system resolver (…)").
    pub(crate) resolver: String,
    /// By the span of the argument that names the target.
    pub(crate) targets: HashMap<Span, Observed>,
    /// By the span of the argument that names the file.
    pub(crate) files: HashMap<Span, (std::path::PathBuf, certs::Role, certs::CertFile)>,
    pub(crate) cert_warn_days: u32,
    /// Seconds since the epoch when the probe ran (certificate expiry is judged against it).
    pub(crate) now: i64,
    /// Ctrl-C stopped the probes; what was observed before is kept.
    pub(crate) interrupted: bool,
    /// What kept the probes from running (an unreadable resolv.conf).
    pub(crate) errors: Vec<String>,
}

/// What was observed at one target.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observed {
    /// The DNS answers, when the target is a host name.
    pub(crate) dns: Option<dns::Lookup>,
    /// Each address connected to.
    pub(crate) addrs: Vec<Probed>,
    /// The socket's path and what was found there.
    pub(crate) unix: Option<(String, unix::UnixSocket)>,
}

/// One address of a target.
#[derive(Debug, Clone)]
pub(crate) struct Probed {
    pub(crate) addr: SocketAddr,
    pub(crate) connect: tcp::Connect,
    /// The answer to a ClientHello with the SNI the proxy sends (None: no SNI).
    pub(crate) hello: Option<(Option<String>, tls::Hello)>,
    /// The answer to a second ClientHello with this name as SNI, sent when the proxy sends none.
    pub(crate) hello_with_sni: Option<(String, tls::Hello)>,
}

impl Observations {
    pub(crate) fn at(&self, span: Span) -> Option<&Observed> {
        self.targets.get(&span)
    }
    /// The host name targets DNS gave addresses for, by span.
    pub(crate) fn resolved(&self) -> impl Iterator<Item = (Span, Vec<IpAddr>)> + '_ {
        self.targets.iter().filter_map(|(span, o)| {
            let addrs = o.dns.as_ref()?.addrs();
            (!addrs.is_empty()).then_some((*span, addrs))
        })
    }
}

/// `--resolver`: an IP address with an optional port (53 by default); IPv6 with a port in
/// brackets (`[::1]:5353`).
pub(crate) fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    s.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("\"{s}\" is not an IP address with an optional port"))
}

/// A probe timeout from the command line (`crate::units::duration`), 1ms to 10m.
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = crate::units::duration(s)
        .ok_or_else(|| format!("\"{s}\" is not a duration (e.g. 2s, 500ms)"))?;
    if !(Duration::from_millis(1)..=Duration::from_secs(600)).contains(&d) {
        return Err(format!("\"{s}\" is out of range (1ms to 10m)"));
    }
    Ok(d)
}

/// Probes every target of `proxy`; relative file paths start at `base`.
pub(crate) fn run(proxy: &Proxy, base: &Path, opts: &OnlineOptions) -> Observations {
    let mut obs = Observations {
        cert_warn_days: opts.cert_warn_days.unwrap_or(CERT_WARN_DAYS),
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
        ..Default::default()
    };
    // Files need no network.
    for f in targets::files(proxy, base) {
        let found = certs::check(&f.path, f.role);
        obs.files.insert(f.span, (f.path, f.role, found));
    }
    let list = targets::collect(proxy);
    if list.is_empty() {
        return obs;
    }
    let user = targets::worker_user(proxy).and_then(|(u, g)| unix::user(&u, g.as_deref()));
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            obs.errors
                .push(format!("cannot start the online probes: {e}"));
            return obs;
        }
    };
    rt.block_on(async {
        tokio::select! {
            () = probe_all(&list, user.as_ref(), opts, &mut obs) => {}
            _ = tokio::signal::ctrl_c() => obs.interrupted = true,
        }
    });
    obs
}

/// One connection to make: an address and the ClientHello(s) to send there.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Job {
    addr: SocketAddr,
    sniff: Option<Sniff>,
}

/// What a probe task hands back.
enum Done {
    Dns(dns::Lookup),
    Unix(String, unix::UnixSocket),
    Addr(Job, Probed),
}

async fn probe_all(
    list: &[targets::Target],
    user: Option<&unix::User>,
    opts: &OnlineOptions,
    obs: &mut Observations,
) {
    let names: HashSet<&str> = list
        .iter()
        .filter_map(|t| match &t.place {
            Place::Inet { host, .. } if host.parse::<IpAddr>().is_err() => Some(host.as_str()),
            _ => None,
        })
        .collect();
    let sockets: HashSet<&str> = list
        .iter()
        .filter_map(|t| match &t.place {
            Place::Unix(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    // The connections to make once a host's addresses are known.
    let jobs_for = |host: &str, lookups: &HashMap<String, dns::Lookup>| -> Vec<Job> {
        let mut out = Vec::new();
        for t in list.iter().filter(|t| t.connect) {
            if let Place::Inet {
                host: h,
                port: Some(port),
            } = &t.place
                && h == host
            {
                for ip in addresses(h, lookups) {
                    out.push(Job {
                        addr: SocketAddr::new(ip, *port),
                        sniff: t.sniff.clone(),
                    });
                }
            }
        }
        out
    };
    let bar = progress(opts, names.len() + sockets.len() + list.len());
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.max_sockets.max(1)));
    let mut set: tokio::task::JoinSet<Done> = tokio::task::JoinSet::new();
    let mut started: HashSet<Job> = HashSet::new();
    let spawn_job = |set: &mut tokio::task::JoinSet<Done>, job: Job| {
        let limit = limit.clone();
        let timeout = opts.connect_timeout();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let probed = probe_addr(&job, timeout).await;
            Done::Addr(job, probed)
        });
    };

    // Everything starts at once: DNS, unix sockets, and the connections to IP literals; the
    // connections to a name start when its answer arrives.
    if !names.is_empty() {
        match dns::Resolver::new(&opts.resolvers, opts.dns_timeout()) {
            Ok(r) => {
                obs.resolver = r.description.clone();
                let r = Arc::new(r);
                for n in &names {
                    let (r, n) = (r.clone(), n.to_string());
                    set.spawn(async move { Done::Dns(r.lookup(&n).await) });
                }
            }
            Err(e) => obs.errors.push(e),
        }
    }
    for p in &sockets {
        let (p, user, timeout) = (p.to_string(), user.cloned(), opts.connect_timeout());
        set.spawn(async move {
            let found = unix::check(&p, user.as_ref(), timeout).await;
            Done::Unix(p, found)
        });
    }
    let no_lookups = HashMap::new();
    for t in list {
        if let Place::Inet { host, .. } = &t.place
            && host.parse::<IpAddr>().is_ok()
        {
            for job in jobs_for(host, &no_lookups) {
                if started.insert(job.clone()) {
                    spawn_job(&mut set, job);
                }
            }
        }
    }

    // One deadline for the whole phase: the larger of the DNS timeout and a connect plus a
    // hello, and a margin. A probe still running then is dropped and reports nothing.
    let budget = (opts.dns_timeout() + Duration::from_millis(250)).max(opts.connect_timeout() * 2);
    let deadline = tokio::time::Instant::now() + budget + Duration::from_millis(500);
    let mut lookups: HashMap<String, dns::Lookup> = HashMap::new();
    let mut sockets_seen: HashMap<String, unix::UnixSocket> = HashMap::new();
    let mut done: HashMap<Job, Probed> = HashMap::new();
    while let Ok(Some(Ok(result))) = tokio::time::timeout_at(deadline, set.join_next()).await {
        bar.inc(1);
        match result {
            Done::Dns(l) => {
                let name = l.name.clone();
                lookups.insert(name.clone(), l);
                for job in jobs_for(&name, &lookups) {
                    if started.insert(job.clone()) {
                        spawn_job(&mut set, job);
                    }
                }
            }
            Done::Unix(p, found) => {
                sockets_seen.insert(p, found);
            }
            Done::Addr(job, probed) => {
                done.insert(job, probed);
            }
        }
    }
    set.abort_all();

    for t in list {
        let mut o = Observed::default();
        match &t.place {
            Place::Unix(p) => o.unix = sockets_seen.get(p).map(|u| (p.clone(), u.clone())),
            Place::Inet { host, port } => {
                o.dns = lookups.get(host).cloned();
                if let (true, Some(port)) = (t.connect, port) {
                    for ip in addresses(host, &lookups) {
                        let job = Job {
                            addr: SocketAddr::new(ip, *port),
                            sniff: t.sniff.clone(),
                        };
                        if let Some(p) = done.get(&job) {
                            o.addrs.push(p.clone());
                        }
                    }
                }
            }
        }
        obs.targets.insert(t.span, o);
    }
    bar.finish_and_clear();
}

/// The addresses of a host: itself when it is an IP literal, else what DNS answered.
fn addresses(host: &str, lookups: &HashMap<String, dns::Lookup>) -> Vec<IpAddr> {
    match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => lookups
            .get(host)
            .map(dns::Lookup::addrs)
            .unwrap_or_default(),
    }
}

async fn probe_addr(job: &Job, timeout: Duration) -> Probed {
    let (connect, stream) = tcp::connect(job.addr, timeout).await;
    let mut probed = Probed {
        addr: job.addr,
        connect,
        hello: None,
        hello_with_sni: None,
    };
    let (Some(stream), Some(sniff)) = (stream, &job.sniff) else {
        return probed;
    };
    let first = tls::sniff(stream, sniff.sni.as_deref(), timeout);
    // The second hello goes out at the same time, on its own connection, so that both fit in
    // one timeout.
    let second = async {
        let name = sniff.retry_with.as_deref()?;
        let (_, s) = tcp::connect(job.addr, timeout).await;
        Some((name.to_string(), tls::sniff(s?, Some(name), timeout).await))
    };
    let (first, second) = tokio::join!(first, second);
    probed.hello = Some((sniff.sni.clone(), first));
    probed.hello_with_sni = second;
    probed
}

fn progress(opts: &OnlineOptions, len: usize) -> indicatif::ProgressBar {
    if !opts.progress || len < 20 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("probing {bar:30} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(
            parse_resolver("127.0.0.1").unwrap(),
            "127.0.0.1:53".parse().unwrap()
        );
        assert_eq!(
            parse_resolver("[::1]:5353").unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert_eq!(parse_resolver("::1").unwrap(), "[::1]:53".parse().unwrap());
        assert!(parse_resolver("dns.example").is_err());
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("fast").is_err());
    }
}
