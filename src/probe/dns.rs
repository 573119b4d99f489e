//! DNS: A and AAAA for every host name a target names, from the system's resolver
//! configuration (resolv.conf and the hosts file, as the proxy sees them) or the servers given
//! with `--resolver`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{
    LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};

/// The answer for one address family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Addrs(Vec<IpAddr>),
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no record of this family.
    NoData,
    ServFail,
    /// The server refused the query (REFUSED).
    Refused,
    TimedOut,
    Failed(String),
}

impl Answer {
    pub(crate) fn addrs(&self) -> &[IpAddr] {
        match self {
            Answer::Addrs(a) => a,
            _ => &[],
        }
    }
    /// How telling a failure is: the most telling of A and AAAA is the one reported.
    fn weight(&self) -> u8 {
        match self {
            Answer::Addrs(_) => 0,
            Answer::Failed(_) => 1,
            Answer::TimedOut => 2,
            Answer::Refused => 3,
            Answer::ServFail => 4,
            Answer::NoData => 5,
            Answer::NxDomain => 6,
        }
    }
    pub(crate) fn describe(&self) -> String {
        match self {
            Answer::Addrs(a) => a
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Answer::NxDomain => "NXDOMAIN".into(),
            Answer::NoData => "no address records".into(),
            Answer::ServFail => "SERVFAIL".into(),
            Answer::Refused => "REFUSED".into(),
            Answer::TimedOut => "no answer (timed out)".into(),
            Answer::Failed(e) => e.clone(),
        }
    }
}

/// A and AAAA for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lookup {
    pub(crate) name: String,
    pub(crate) v4: Answer,
    pub(crate) v6: Answer,
}

impl Lookup {
    /// Every address, IPv4 first (the order nginx's getaddrinfo() usually gives).
    pub(crate) fn addrs(&self) -> Vec<IpAddr> {
        self.v4
            .addrs()
            .iter()
            .chain(self.v6.addrs())
            .copied()
            .collect()
    }
    /// The failure to report when the name has no address at all.
    pub(crate) fn failure(&self) -> Option<&Answer> {
        if !self.addrs().is_empty() {
            return None;
        }
        Some(if self.v6.weight() > self.v4.weight() {
            &self.v6
        } else {
            &self.v4
        })
    }
}

/// Two resolvers (one per family, so that each family's failure is seen apart) and the name of
/// what they ask, for messages.
pub(crate) struct Resolver {
    v4: TokioResolver,
    v6: TokioResolver,
    pub(crate) description: String,
    timeout: Duration,
}

impl Resolver {
    pub(crate) fn new(servers: &[SocketAddr], timeout: Duration) -> Result<Resolver, String> {
        let (config, mut opts, description) = if servers.is_empty() {
            let (config, opts) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| format!("cannot read the system's resolver configuration: {e}"))?;
            let names: Vec<String> = config
                .name_servers()
                .iter()
                .map(|n| n.socket_addr.ip().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let description = format!(
                "the system resolver ({}, /etc/hosts)",
                if names.is_empty() {
                    "no nameserver".to_string()
                } else {
                    format!("nameserver {}", names.join(", "))
                }
            );
            (config, opts, description)
        } else {
            let mut config = ResolverConfig::new();
            for s in servers {
                config.add_name_server(NameServerConfig::new(*s, Protocol::Udp));
            }
            let mut opts = ResolverOpts::default();
            // getaddrinfo() reads the hosts file before asking any server; so does the proxy.
            opts.use_hosts_file = ResolveHosts::Always;
            let list: Vec<String> = servers.iter().map(SocketAddr::to_string).collect();
            (config, opts, list.join(", "))
        };
        opts.timeout = timeout;
        opts.attempts = 1;
        opts.cache_size = 0;
        let build = |strategy| {
            let mut o = opts.clone();
            o.ip_strategy = strategy;
            TokioResolver::builder_with_config(config.clone(), TokioConnectionProvider::default())
                .with_options(o)
                .build()
        };
        Ok(Resolver {
            v4: build(LookupIpStrategy::Ipv4Only),
            v6: build(LookupIpStrategy::Ipv6Only),
            description,
            timeout,
        })
    }

    pub(crate) async fn lookup(&self, name: &str) -> Lookup {
        let one = |r: &TokioResolver| {
            let r = r.clone();
            let name = name.to_string();
            let timeout = self.timeout;
            async move {
                // hickory has its own timeout; this one bounds anything else it may wait on.
                match tokio::time::timeout(timeout + Duration::from_millis(250), r.lookup_ip(name))
                    .await
                {
                    Err(_) => Answer::TimedOut,
                    Ok(Ok(l)) => {
                        let addrs: Vec<IpAddr> = l.iter().collect();
                        if addrs.is_empty() {
                            Answer::NoData
                        } else {
                            Answer::Addrs(addrs)
                        }
                    }
                    Ok(Err(e)) => classify(&e),
                }
            }
        };
        let (v4, v6) = tokio::join!(one(&self.v4), one(&self.v6));
        Lookup {
            name: name.to_string(),
            v4,
            v6,
        }
    }
}

fn classify(e: &ResolveError) -> Answer {
    let Some(p) = e.proto() else {
        return Answer::Failed(e.to_string());
    };
    match p.kind() {
        ProtoErrorKind::NoRecordsFound { response_code, .. } => match *response_code {
            ResponseCode::NXDomain => Answer::NxDomain,
            ResponseCode::NoError => Answer::NoData,
            ResponseCode::ServFail => Answer::ServFail,
            ResponseCode::Refused => Answer::Refused,
            other => Answer::Failed(format!("response code {other}")),
        },
        ProtoErrorKind::Timeout => Answer::TimedOut,
        ProtoErrorKind::RequestRefused => Answer::Refused,
        _ => Answer::Failed(p.to_string()),
    }
}
