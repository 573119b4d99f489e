//! Times and sizes as the proxies write them: one parser per syntax, one printer per kind.

use crate::finding::Dialect;

/// nginx's time syntax (`ngx_parse_time`) in milliseconds: `60`, `60s`, `1m30s`, `500ms`,
/// `2h`, `1d`; a plain number is seconds.
pub fn nginx_time_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (mut i, mut total, mut any) = (0, 0u64, false);
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return None;
        }
        let n: u64 = s[start..i].parse().ok()?;
        let unit_start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let mult = match &s[unit_start..i] {
            "" | "s" => 1000,
            "ms" => 1,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "M" => 2_592_000_000,
            "y" => 31_536_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(mult)?)?;
        any = true;
    }
    any.then_some(total)
}

/// HAProxy's time syntax in milliseconds: a number with `us`, `ms`, `s`, `m`, `h` or `d`;
/// no unit means milliseconds.
pub(crate) fn haproxy_time_ms(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = s[..digits].parse().ok()?;
    let mult = match &s[digits..] {
        "us" => return Some(n / 1000),
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A time of either dialect in milliseconds.
pub(crate) fn time_ms(dialect: Dialect, s: &str) -> Option<u64> {
    match dialect {
        Dialect::Nginx => nginx_time_ms(s),
        Dialect::Haproxy => haproxy_time_ms(s),
    }
}

/// Milliseconds for messages: `500ms`, `5s`, `150s` (seconds up to ten minutes, as most
/// timeouts are written and compared), then `10m`, `12m30s`.
pub(crate) fn show_ms(ms: u64) -> String {
    if ms == 0 || ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match (s / 60, s % 60) {
        _ if s < 600 => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

/// nginx's size syntax (`ngx_parse_size`): a number with an optional `k`/`K` or `m`/`M`.
pub fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1024),
        b'm' | b'M' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// A size for messages: `16k`, `1m`, `1500`.
pub(crate) fn show_size(n: u64) -> String {
    if n != 0 && n % (1024 * 1024) == 0 {
        format!("{}m", n / (1024 * 1024))
    } else if n != 0 && n % 1024 == 0 {
        format!("{}k", n / 1024)
    } else {
        n.to_string()
    }
}

/// gwlint's own durations (`--probe-timeout`, gwlint.toml `[online]`), in nginx's time syntax:
/// `500ms`, `5s`, `1m30s`; a plain number is seconds.
pub(crate) fn duration(s: &str) -> Option<std::time::Duration> {
    nginx_time_ms(s.trim()).map(std::time::Duration::from_millis)
}

/// A duration as gwlint.toml writes it.
pub(crate) fn show_duration(d: std::time::Duration) -> String {
    show_ms(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A size as HAProxy reads it: bytes, or with a `k`, `m`, `g` suffix.
pub(crate) fn haproxy_size(v: &str) -> Option<u64> {
    let (digits, mult) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 1 << 10),
        'm' | 'M' => (&v[..v.len() - 1], 1 << 20),
        'g' | 'G' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haproxy_sizes() {
        assert_eq!(haproxy_size("16384"), Some(16384));
        assert_eq!(haproxy_size("8k"), Some(8192));
        assert_eq!(haproxy_size("1m"), Some(1 << 20));
        assert_eq!(haproxy_size("big"), None);
        assert_eq!(haproxy_size(""), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("8K"), Some(8192));
        assert_eq!(parse_size("1m"), Some(1 << 20));
        assert_eq!(parse_size("1500"), Some(1500));
        assert_eq!(parse_size("1g"), None);
        assert_eq!(parse_size("k"), None);
        assert_eq!(show_size(16384), "16k");
    }

    #[test]
    fn times() {
        assert_eq!(nginx_time_ms("60s"), Some(60_000));
        assert_eq!(nginx_time_ms("75"), Some(75_000));
        assert_eq!(nginx_time_ms("1m30s"), Some(90_000));
        assert_eq!(nginx_time_ms("500ms"), Some(500));
        assert_eq!(nginx_time_ms("1h"), Some(3_600_000));
        assert_eq!(nginx_time_ms("x"), None);
        assert_eq!(show_ms(5000), "5s");
        assert_eq!(show_ms(90_000), "90s");
        assert_eq!(show_ms(330_000), "330s");
        assert_eq!(show_ms(1500), "1500ms");
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(duration("5"), Some(Duration::from_secs(5)));
        for bad in [
            "",
            "s",
            "5 s",
            "5sec",
            "-5s",
            "1.5s",
            "99999999999999999999s",
        ] {
            assert_eq!(duration(bad), None, "{bad}");
        }
        assert_eq!(show_duration(Duration::from_millis(2500)), "2500ms");
    }

    #[test]
    fn haproxy_times() {
        assert_eq!(haproxy_time_ms("30s"), Some(30_000));
        assert_eq!(haproxy_time_ms("500"), Some(500));
        assert_eq!(haproxy_time_ms("2m"), Some(120_000));
        assert_eq!(haproxy_time_ms("1500us"), Some(1));
        assert_eq!(haproxy_time_ms("x"), None);
        assert_eq!(haproxy_time_ms("5x"), None);
        assert_eq!(show_ms(90_000), "90s");
        assert_eq!(show_ms(120_000), "120s");
        assert_eq!(show_ms(150_000), "150s");
        assert_eq!(show_ms(750_000), "12m30s");
        assert_eq!(show_ms(600_000), "10m");
        assert_eq!(show_ms(1500), "1500ms");
    }
}
