//! "Did you mean …?" for mistyped names.

/// The candidate closest to `name` when it is close enough to be a typo.
pub fn closest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case(name))
        // Cheap first: a name two letters longer or shorter is never within reach.
        .filter(|c| c.len().abs_diff(lower.len()) <= 2)
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|&(d, c)| {
            let len = lower.chars().count().max(c.chars().count());
            d <= 2 && d * 3 <= len
        })
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn typos_only() {
        assert_eq!(
            super::closest("backnd", &["backend", "api"]),
            Some("backend")
        );
        assert_eq!(
            super::closest("app_backend", &["app-backend"]),
            Some("app-backend")
        );
        assert_eq!(super::closest("web", &["api"]), None);
        assert_eq!(super::closest("ab", &["ac"]), None);
    }
}
