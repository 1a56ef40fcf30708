//! Listener rule priorities, chosen at compile time so no custom resource has to find a
//! free one at deploy time.
//!
//! All Load Balanced Web Services of an environment share one listener, so priorities
//! must be unique across them, and more specific paths must come first (a `/` service
//! must not shadow `/api`). A priority is a band by path depth (deeper paths get lower
//! numbers, that is, are matched first) plus an offset hashed from the service name, so a
//! service keeps its priority when others are added or removed. Collisions are resolved
//! by probing forward, in name order. Pure and deterministic.

use std::collections::BTreeMap;

/// Width of one depth band.
const BAND: u32 = 1000;
/// Paths deeper than this share the first band.
const MAX_DEPTH: u32 = 40;

/// Number of path segments: `/` is 0, `/api` 1, `/api/v1` 2.
pub fn depth(path: &str) -> u32 {
    u32::try_from(path.split('/').filter(|s| !s.is_empty()).count())
        .unwrap_or(u32::MAX)
        .min(MAX_DEPTH)
}

/// FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Assigns a priority (1..=41000) to each `(service, path)`.
pub fn assign(services: &[(String, String)]) -> BTreeMap<String, u32> {
    let mut sorted: Vec<&(String, String)> = services.iter().collect();
    sorted.sort();
    let mut taken = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for (name, path) in sorted {
        let band_start = (MAX_DEPTH - depth(path)) * BAND + 1;
        let mut offset = fnv1a(name) % BAND;
        while taken.contains(&(band_start + offset)) {
            offset = (offset + 1) % BAND;
        }
        taken.insert(band_start + offset);
        out.insert(name.clone(), band_start + offset);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn deeper_paths_come_first() {
        let p = assign(&svc(&[("front", "/"), ("api", "api"), ("v1", "/api/v1")]));
        assert!(p["v1"] < p["api"] && p["api"] < p["front"], "{p:?}");
        assert!(p.values().all(|v| (1..=50_000).contains(v)));
    }

    #[test]
    fn stable_when_other_services_come_and_go() {
        let a = assign(&svc(&[("front", "/"), ("api", "api")]));
        let b = assign(&svc(&[
            ("front", "/"),
            ("api", "api"),
            ("admin", "admin"),
            ("docs", "docs"),
        ]));
        assert_eq!(a["front"], b["front"]);
        assert_eq!(a["api"], b["api"]);
    }

    #[test]
    fn unique_even_with_many_services_in_one_band() {
        let many: Vec<(String, String)> = (0..1000)
            .map(|i| (format!("svc{i}"), "/".to_string()))
            .collect();
        let p = assign(&many);
        let mut v: Vec<u32> = p.values().copied().collect();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 1000);
    }

    #[test]
    fn same_input_same_output() {
        let input = svc(&[("b", "/"), ("a", "/x")]);
        assert_eq!(assign(&input), assign(&input));
        // FNV-1a reference values: the offsets must not change between releases.
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
    }
}
