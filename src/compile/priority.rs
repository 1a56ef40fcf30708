//! Listener rule priorities, chosen at compile time so no custom resource has to find a
//! free one at deploy time.
//!
//! All Load Balanced Web Services of an environment share one listener, so priorities
//! must be unique across their rules, and more specific rules must come first (a `/`
//! service must not shadow `/api`). A priority is a band by depth (deeper paths get
//! lower numbers, that is, are matched first; a rule with host names counts one level
//! deeper than its path) plus an offset hashed from the rule's key (the service name,
//! then `<service>/<n>` for its n-th additional rule), so a rule keeps its priority
//! when others are added or removed. Collisions are resolved by probing forward, in key
//! order. Pure and deterministic.

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

/// One listener rule to place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// Its key ([`rule_key`]).
    pub key: String,
    /// Its path.
    pub path: String,
    /// Whether it matches host names too (more specific than its path alone).
    pub hosts: bool,
}

/// The key of rule `index` of `service` (0 is the main rule): `<service>` or
/// `<service>/<index>`, which no service name contains.
pub fn rule_key(service: &str, index: usize) -> String {
    if index == 0 {
        service.to_string()
    } else {
        format!("{service}/{index}")
    }
}

/// A depth band with no free priority: more than [`BAND`] services route paths of one
/// depth through the same listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandFull {
    /// The first rule (in key order) that found no free priority: its [`rule_key`].
    pub service: String,
    /// The path depth of its band.
    pub depth: u32,
}

impl std::fmt::Display for BandFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule `{}` gets no listener rule priority: more than {BAND} listener rules \
             of this environment route paths with {} segment(s)",
            self.service, self.depth
        )
    }
}

/// Assigns a priority (1..=41000) to each route, by key.
///
/// # Errors
/// [`BandFull`] when more than [`BAND`] rules share one depth (an Application Load
/// Balancer allows far fewer rules per listener anyway).
pub fn assign(routes: &[Route]) -> Result<BTreeMap<String, u32>, BandFull> {
    // Rules without host names first: a rule with host names shares the band of paths
    // one level deeper, and must come after those of them below its own path.
    let mut sorted: Vec<&Route> = routes.iter().collect();
    sorted.sort_by(|a, b| (a.hosts, a).cmp(&(b.hosts, b)));
    let mut taken = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for r in sorted {
        let d = (depth(&r.path) + u32::from(r.hosts)).min(MAX_DEPTH);
        let band_start = (MAX_DEPTH - d) * BAND + 1;
        let first = fnv1a(&r.key) % BAND;
        // The offset after which this rule must come: past every deeper rule without
        // host names under its path (`/api` with hosts after `/api/v1`).
        let floor = if r.hosts {
            routes
                .iter()
                .filter(|o| {
                    !o.hosts && depth(&o.path).min(MAX_DEPTH) == d && under(&o.path, &r.path)
                })
                .filter_map(|o| out.get(&o.key))
                .map(|p: &u32| p - band_start + 1)
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let free = (0..BAND)
            .map(|i| (first.max(floor) + i) % BAND)
            .filter(|off| *off >= floor)
            .map(|off| band_start + off)
            .find(|p| !taken.contains(p))
            .ok_or_else(|| BandFull {
                service: r.key.clone(),
                depth: d,
            })?;
        taken.insert(free);
        out.insert(r.key.clone(), free);
    }
    Ok(out)
}

/// Whether `path` is `prefix` or below it, segment by segment (`/api/v1` is under
/// `api`; `/apiv2` is not).
fn under(path: &str, prefix: &str) -> bool {
    let segments = |p: &str| {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (p, pre) = (segments(path), segments(prefix));
    p.len() >= pre.len() && p[..pre.len()] == pre[..]
}

/// A rule to place on a listener shared with rules wharf does not own (an imported
/// load balancer's, `http.alb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// The priority the rule holds now, when the stack has it on that listener.
    pub current: Option<u32>,
    /// The priority [`assign`] gave it.
    pub preferred: u32,
}

/// Priorities for `wanted` rules on a listener whose rules hold `taken` (every rule's,
/// this stack's included). A rule keeps its current priority while that is in its
/// preferred priority's depth band (so a deploy changes none); otherwise it takes the
/// preferred one, or the next free one in that band (wrapping within it). A priority
/// still held by a rule being moved away is not given to another (CloudFormation
/// creates new rules before it deletes old ones). In `wanted`'s order.
///
/// # Errors
/// The band has no free priority: the rule's index in `wanted`.
pub fn place(
    taken: &std::collections::BTreeSet<u32>,
    wanted: &[Wanted],
) -> Result<Vec<u32>, usize> {
    let band_of = |p: u32| p.saturating_sub(1) / BAND;
    let mut used = taken.clone();
    let mut out: Vec<Option<u32>> = wanted
        .iter()
        .map(|w| w.current.filter(|c| band_of(*c) == band_of(w.preferred)))
        .collect();
    // A priority two wanted rules keep (possible only if the listener lied) goes to the first.
    let mut kept = std::collections::BTreeSet::new();
    for slot in &mut out {
        if let Some(p) = *slot
            && !kept.insert(p)
        {
            *slot = None;
        }
    }
    for (i, w) in wanted.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let start = band_of(w.preferred) * BAND + 1;
        let first = w.preferred - start;
        let free = (0..BAND)
            .map(|k| start + (first + k) % BAND)
            .find(|p| !used.contains(p))
            .ok_or(i)?;
        used.insert(free);
        out[i] = Some(free);
    }
    Ok(out.into_iter().map(|p| p.unwrap_or_default()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placing_keeps_current_priorities_and_steps_over_foreign_ones() {
        let taken: std::collections::BTreeSet<u32> = [38_100, 38_101, 38_500, 1].into();
        let wanted = [
            // Ours already, in its band: kept.
            Wanted {
                current: Some(38_500),
                preferred: 38_200,
            },
            // New, its preferred one is someone else's: the next free one.
            Wanted {
                current: None,
                preferred: 38_100,
            },
            // Ours, but its path moved to another band: placed again.
            Wanted {
                current: Some(1),
                preferred: 39_999,
            },
        ];
        assert_eq!(place(&taken, &wanted), Ok(vec![38_500, 38_102, 39_999]));
        // Wrapping within the band, never into the next one.
        let taken: std::collections::BTreeSet<u32> = [39_999, 40_000].into();
        let w = [Wanted {
            current: None,
            preferred: 39_999,
        }];
        assert_eq!(place(&taken, &w), Ok(vec![39_001]));
        // Two new rules wanting one priority get two.
        let w = [
            Wanted {
                current: None,
                preferred: 5,
            },
            Wanted {
                current: None,
                preferred: 5,
            },
        ];
        assert_eq!(place(&Default::default(), &w), Ok(vec![5, 6]));
    }

    #[test]
    fn a_full_band_on_a_shared_listener_is_an_error() {
        let taken: std::collections::BTreeSet<u32> = (1..=1000).collect();
        let w = [
            Wanted {
                current: None,
                preferred: 2000,
            },
            Wanted {
                current: None,
                preferred: 3,
            },
        ];
        assert_eq!(place(&taken, &w), Err(1));
    }

    fn svc(pairs: &[(&str, &str)]) -> Vec<Route> {
        pairs
            .iter()
            .map(|(a, b)| Route {
                key: a.to_string(),
                path: b.to_string(),
                hosts: false,
            })
            .collect()
    }

    fn assign_ok(services: &[Route]) -> BTreeMap<String, u32> {
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
        let many: Vec<Route> = (0..1000)
            .map(|i| Route {
                key: format!("svc{i}"),
                path: "/".into(),
                hosts: false,
            })
            .collect();
        let p = assign(&many).unwrap();
        let mut v: Vec<u32> = p.values().copied().collect();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 1000);
    }

    #[test]
    fn a_full_band_is_an_error_not_an_endless_search() {
        let many: Vec<Route> = (0..=BAND)
            .map(|i| Route {
                key: format!("svc{i:04}"),
                path: "/api".into(),
                hosts: false,
            })
            .collect();
        let err = assign(&many).unwrap_err();
        assert_eq!(err.depth, 1);
        assert!(many.iter().any(|r| r.key == err.service));
        assert!(err.to_string().contains("more than 1000"), "{err}");
        // One band full does not stop another depth.
        let mut mixed = many[..1000].to_vec();
        mixed.push(Route {
            key: "root".into(),
            path: "/".into(),
            hosts: false,
        });
        assert_eq!(assign(&mixed).unwrap().len(), 1001);
    }

    #[test]
    fn host_rules_come_before_any_host_at_one_path_and_extra_rules_have_keys() {
        let mut routes = svc(&[("front", "/"), ("api", "api")]);
        routes.push(Route {
            key: rule_key("front", 1),
            path: "/".into(),
            hosts: true,
        });
        let p = assign_ok(&routes);
        assert_eq!(rule_key("front", 0), "front");
        assert!(p["front/1"] < p["front"], "{p:?}");
        // Hosts count as one level: beside `/api`, not before it.
        assert_eq!(p["front/1"] / BAND, p["api"] / BAND);
    }

    #[test]
    fn a_host_rule_comes_after_deeper_paths_under_its_own_whatever_the_names() {
        for name in ["legacy", "api", "old", "zz", "a"] {
            let routes = vec![
                Route {
                    key: rule_key(name, 0),
                    path: "/legacy".into(),
                    hosts: true,
                },
                Route {
                    key: rule_key(name, 1),
                    path: "/legacy/plain".into(),
                    hosts: false,
                },
                Route {
                    key: "other".into(),
                    path: "/elsewhere/deep".into(),
                    hosts: false,
                },
            ];
            let p = assign_ok(&routes);
            let (host, deeper) = (p[&rule_key(name, 0)], p[&rule_key(name, 1)]);
            assert!(deeper < host, "{name}: {p:?}");
            // Still the band of paths one level deeper, ahead of `/legacy` alone.
            assert_eq!((host - 1) / BAND, (deeper - 1) / BAND);
        }
        assert!(under("/api/v1", "api") && under("/api", "/") && !under("/apiv2", "/api"));
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
