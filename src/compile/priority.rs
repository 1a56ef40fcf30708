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

/// A depth band with no free priority: more than [`BAND`] services route paths of one
/// depth through the same listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandFull {
    /// The first service (in name order) that found no free priority.
    pub service: String,
    /// The path depth of its band.
    pub depth: u32,
}

impl std::fmt::Display for BandFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "service `{}` gets no listener rule priority: more than {BAND} Load Balanced Web \
             Services of this environment route paths with {} segment(s)",
            self.service, self.depth
        )
    }
}

/// Assigns a priority (1..=41000) to each `(service, path)`.
///
/// # Errors
/// [`BandFull`] when more than [`BAND`] services share one path depth (an Application
/// Load Balancer allows far fewer rules per listener anyway).
pub fn assign(services: &[(String, String)]) -> Result<BTreeMap<String, u32>, BandFull> {
    let mut sorted: Vec<&(String, String)> = services.iter().collect();
    sorted.sort();
    let mut taken = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for (name, path) in sorted {
        let band_start = (MAX_DEPTH - depth(path)) * BAND + 1;
        let first = fnv1a(name) % BAND;
        let free = (0..BAND)
            .map(|i| band_start + (first + i) % BAND)
            .find(|p| !taken.contains(p))
            .ok_or_else(|| BandFull {
                service: name.clone(),
                depth: depth(path),
            })?;
        taken.insert(free);
        out.insert(name.clone(), free);
    }
    Ok(out)
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

    fn assign_ok(services: &[(String, String)]) -> BTreeMap<String, u32> {
        assign(services).unwrap()
    }

    #[test]
    fn deeper_paths_come_first() {
        let p = assign_ok(&svc(&[("front", "/"), ("api", "api"), ("v1", "/api/v1")]));
        assert!(p["v1"] < p["api"] && p["api"] < p["front"], "{p:?}");
        assert!(p.values().all(|v| (1..=50_000).contains(v)));
    }

    #[test]
    fn stable_when_other_services_come_and_go() {
        let a = assign_ok(&svc(&[("front", "/"), ("api", "api")]));
        let b = assign_ok(&svc(&[
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
        let p = assign(&many).unwrap();
        let mut v: Vec<u32> = p.values().copied().collect();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 1000);
    }

    #[test]
    fn a_full_band_is_an_error_not_an_endless_search() {
        let many: Vec<(String, String)> = (0..=BAND)
            .map(|i| (format!("svc{i:04}"), "/api".to_string()))
            .collect();
        let err = assign(&many).unwrap_err();
        assert_eq!(err.depth, 1);
        assert!(many.iter().any(|(n, _)| *n == err.service));
        assert!(err.to_string().contains("more than 1000"), "{err}");
        // One band full does not stop another depth.
        let mut mixed = many[..1000].to_vec();
        mixed.push(("root".into(), "/".into()));
        assert_eq!(assign(&mixed).unwrap().len(), 1001);
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
