//! Proxy versions (`1.29.7`, `2.6.12`), as `--nginx-version` and the tables write them.

/// A proxy version such as 1.29.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.trim().trim_start_matches("nginx/").split('.');
        let mut next = || -> Result<u32, String> {
            parts
                .next()
                .unwrap_or("0")
                .parse()
                .map_err(|_| format!("invalid version \"{s}\" (expected e.g. 1.24.0)"))
        };
        Ok(Version(next()?, next()?, next()?))
    }
}
