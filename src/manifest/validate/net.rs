//! CIDR blocks: parsing and containment, for subnet and source-IP checks. Pure.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// An IP network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/16` or `2001:db8::/32`. The address must be the network address.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not in CIDR notation (like `10.0.0.0/16`)"))?;
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("`{a}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = p
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to {max}"))?;
        let c = Cidr { addr, prefix };
        if c.network() != bits(addr) {
            return Err(format!(
                "`{s}` has host bits set; the network address is `{}`",
                c.network_string()
            ));
        }
        Ok(c)
    }

    fn mask(&self) -> u128 {
        let width = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == 0 {
            0
        } else {
            (!0u128 << (width - u32::from(self.prefix)))
                & if width == 32 { 0xffff_ffff } else { !0 }
        }
    }

    fn network(&self) -> u128 {
        bits(self.addr) & self.mask()
    }

    fn network_string(&self) -> String {
        let n = self.network();
        match self.addr {
            IpAddr::V4(_) => format!("{}/{}", std::net::Ipv4Addr::from(n as u32), self.prefix),
            IpAddr::V6(_) => format!("{}/{}", std::net::Ipv6Addr::from(n), self.prefix),
        }
    }

    /// Whether `other` lies entirely inside this network.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.addr.is_ipv4() == other.addr.is_ipv4()
            && other.prefix >= self.prefix
            && (other.network() & self.mask()) == self.network()
    }

    /// Whether the two networks share any address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.network_string())
    }
}

/// The subnets a managed VPC's stack creates where the manifest gives none: `public`
/// and `private` are the given ones (empty when not given). Each list not given gets
/// as many subnets as the given list has (two when neither is given), taken in address
/// order from the VPC's block, public ones first, skipping any block that overlaps a
/// given subnet. Their size is /24 (Copilot's, in its default `10.0.0.0/16`), or
/// smaller when the VPC's block has no room for that many /24s, down to /28, the
/// smallest subnet AWS allows
/// (<https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html>).
///
/// # Errors
/// A message when the VPC's block cannot hold them beside the given subnets.
pub fn default_subnets(
    vpc: &Cidr,
    public: &[Cidr],
    private: &[Cidr],
) -> Result<(Vec<Cidr>, Vec<Cidr>), String> {
    let per_list = match (public.len(), private.len()) {
        (0, 0) => 2,
        (0, n) | (n, _) => n,
    };
    subnets_of(vpc, public, private, per_list)
}

/// [`default_subnets`] with `per_list` subnets in each list not given (one per
/// Availability Zone, for `env init --override-az-names`).
///
/// # Errors
/// As [`default_subnets`].
pub fn subnets_of(
    vpc: &Cidr,
    public: &[Cidr],
    private: &[Cidr],
    per_list: usize,
) -> Result<(Vec<Cidr>, Vec<Cidr>), String> {
    let wanted = |given: &[Cidr]| if given.is_empty() { per_list } else { 0 };
    let (want_public, want_private) = (wanted(public), wanted(private));
    let total = want_public + want_private;
    if total == 0 || !vpc.addr.is_ipv4() {
        return Ok((public.to_vec(), private.to_vec()));
    }
    let given: Vec<&Cidr> = public.iter().chain(private).collect();
    for prefix in vpc.prefix.max(24)..=28 {
        let free = vpc.free_blocks(prefix, &given, total);
        if free.len() == total {
            let (p, q) = free.split_at(want_public);
            let pick = |given: &[Cidr], made: &[Cidr]| {
                if given.is_empty() {
                    made.to_vec()
                } else {
                    given.to_vec()
                }
            };
            return Ok((pick(public, p), pick(private, q)));
        }
    }
    Err(format!(
        "VPC block {vpc} has no room for {total} more subnets of at least /28 beside the ones given"
    ))
}

impl Cidr {
    /// The first `n` IPv4 blocks of `prefix` bits inside this network that overlap none
    /// of `taken`, in address order; fewer when there are not that many.
    fn free_blocks(&self, prefix: u8, taken: &[&Cidr], n: usize) -> Vec<Cidr> {
        let mut out = Vec::new();
        if prefix < self.prefix || prefix > 32 {
            return out;
        }
        let size = 1u128 << (32 - u32::from(prefix));
        let count = 1u128 << u32::from(prefix - self.prefix);
        let mut i = 0u128;
        while i < count && out.len() < n {
            let addr = std::net::Ipv4Addr::from((self.network() + i * size) as u32);
            let block = Cidr {
                addr: IpAddr::V4(addr),
                prefix,
            };
            if !taken.iter().any(|t| t.overlaps(&block)) {
                out.push(block);
            }
            i += 1;
        }
        out
    }
}

/// CIDR blocks seen so far, each with a value (its name), to find an earlier block that
/// overlaps a new one without comparing it with every earlier block. Two CIDR blocks
/// overlap only when one contains the other, so it takes one lookup for each block that
/// could contain the new one (at most 129) and one range query for blocks inside it.
#[derive(Debug)]
pub struct CidrSet<T> {
    /// By (IPv6?, network address, prefix length).
    blocks: BTreeMap<(bool, u128, u8), T>,
}

impl<T> Default for CidrSet<T> {
    fn default() -> Self {
        CidrSet {
            blocks: BTreeMap::new(),
        }
    }
}

impl<T> CidrSet<T> {
    /// A block in the set that shares an address with `c`, if any.
    pub fn overlapping(&self, c: &Cidr) -> Option<&T> {
        let v6 = c.addr.is_ipv6();
        let containing = (0..=c.prefix).find_map(|prefix| {
            let outer = Cidr {
                addr: c.addr,
                prefix,
            };
            self.blocks.get(&(v6, outer.network(), prefix))
        });
        let first = c.network();
        let last = first | !c.mask() & if v6 { !0 } else { 0xffff_ffff };
        containing.or_else(|| {
            self.blocks
                .range((v6, first, 0)..=(v6, last, u8::MAX))
                .next()
                .map(|(_, t)| t)
        })
    }

    /// Adds a block (keeping the first value when the block is already there).
    pub fn insert(&mut self, c: &Cidr, value: T) {
        self.blocks
            .entry((c.addr.is_ipv6(), c.network(), c.prefix))
            .or_insert(value);
    }
}

fn bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

/// Why `name` is not a DNS name a load balancer, Route 53 and ACM all take, or `None`:
/// at most 253 characters, at least two labels of 1 to 63 letters, digits and hyphens
/// (not at either end), with `*.` in front only when `wildcard`
/// (<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>).
pub fn dns_name_problem(name: &str, wildcard: bool) -> Option<String> {
    let rest = match name.strip_prefix("*.") {
        Some(r) if wildcard => r,
        Some(_) => return Some("a wildcard (`*.`) is not allowed here".into()),
        None => name,
    };
    if name.len() > 253 {
        return Some(format!("{} characters, over 253", name.len()));
    }
    let labels: Vec<&str> = rest.split('.').collect();
    if labels.len() < 2 {
        return Some("it needs at least two labels, like `example.com`".into());
    }
    for l in labels {
        if l.is_empty() {
            return Some("it has an empty label (`..`, or a dot at either end)".into());
        }
        if l.len() > 63 {
            return Some(format!("label `{l}` is over 63 characters"));
        }
        if !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some(format!(
                "label `{l}` has characters other than letters, digits and hyphens"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some(format!("label `{l}` starts or ends with a hyphen"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_set_finds_containing_contained_and_equal_blocks() {
        let c = |s: &str| Cidr::parse(s).unwrap();
        let mut set = CidrSet::default();
        set.insert(&c("10.0.0.0/24"), "a");
        set.insert(&c("10.1.0.0/16"), "b");
        set.insert(&c("2001:db8::/32"), "v6");
        assert_eq!(set.overlapping(&c("10.0.0.128/25")), Some(&"a"));
        assert_eq!(set.overlapping(&c("10.0.0.0/8")), Some(&"a"));
        assert_eq!(set.overlapping(&c("10.1.0.0/16")), Some(&"b"));
        assert_eq!(set.overlapping(&c("10.1.200.0/24")), Some(&"b"));
        assert_eq!(set.overlapping(&c("10.0.1.0/24")), None);
        assert_eq!(set.overlapping(&c("10.2.0.0/16")), None);
        assert_eq!(set.overlapping(&c("0.0.0.0/0")), Some(&"a"));
        assert_eq!(set.overlapping(&c("2001:db8:1::/48")), Some(&"v6"));
        assert_eq!(set.overlapping(&c("::/0")), Some(&"v6"));
    }

    #[test]
    fn default_subnets_come_from_the_vpcs_block_around_given_ones() {
        let c = |s: &str| Cidr::parse(s).unwrap();
        let show = |(p, q): (Vec<Cidr>, Vec<Cidr>)| {
            (
                p.iter().map(ToString::to_string).collect::<Vec<_>>(),
                q.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )
        };
        // Copilot's layout in its default VPC.
        assert_eq!(
            show(default_subnets(&c("10.0.0.0/16"), &[], &[]).unwrap()),
            (
                vec!["10.0.0.0/24".to_string(), "10.0.1.0/24".into()],
                vec!["10.0.2.0/24".to_string(), "10.0.3.0/24".into()]
            )
        );
        // Another block: inside it (user's case 3).
        let (p, q) = show(default_subnets(&c("192.168.0.0/16"), &[], &[]).unwrap());
        assert_eq!(p, ["192.168.0.0/24", "192.168.1.0/24"]);
        assert_eq!(q, ["192.168.2.0/24", "192.168.3.0/24"]);
        // Given public subnets: private ones around them, as many.
        let public = [c("10.0.0.0/24"), c("10.0.2.0/24"), c("10.0.4.0/24")];
        let (p, q) = show(default_subnets(&c("10.0.0.0/16"), &public, &[]).unwrap());
        assert_eq!(p, ["10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/24"]);
        assert_eq!(q, ["10.0.1.0/24", "10.0.3.0/24", "10.0.5.0/24"]);
        // A given block larger than a /24 is skipped whole.
        let (_, q) = show(
            default_subnets(
                &c("10.0.0.0/16"),
                &[c("10.0.0.0/22"), c("10.0.4.0/22")],
                &[],
            )
            .unwrap(),
        );
        assert_eq!(q, ["10.0.8.0/24", "10.0.9.0/24"]);
        // A small VPC gets smaller subnets.
        let (p, q) = show(default_subnets(&c("10.1.0.0/24"), &[], &[]).unwrap());
        assert_eq!(
            (p, q),
            (
                vec!["10.1.0.0/26".to_string(), "10.1.0.64/26".into()],
                vec!["10.1.0.128/26".to_string(), "10.1.0.192/26".into()]
            )
        );
        // No room: said.
        let full = [c("10.1.0.0/25"), c("10.1.0.128/25")];
        let e = default_subnets(&c("10.1.0.0/24"), &full, &[]).unwrap_err();
        assert!(e.contains("no room for 2 more subnets"), "{e}");
        // Both given: nothing to make.
        let both =
            default_subnets(&c("10.0.0.0/16"), &[c("10.0.0.0/24")], &[c("10.0.1.0/24")]).unwrap();
        assert_eq!(
            show(both),
            (
                vec!["10.0.0.0/24".to_string()],
                vec!["10.0.1.0/24".to_string()]
            )
        );
    }

    #[test]
    fn parses_and_checks_containment() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        let sub = Cidr::parse("10.0.1.0/24").unwrap();
        assert!(vpc.contains(&sub));
        assert!(!sub.contains(&vpc));
        assert!(!vpc.contains(&Cidr::parse("10.1.0.0/24").unwrap()));
        assert!(sub.overlaps(&vpc));
        assert!(!sub.overlaps(&Cidr::parse("10.0.2.0/24").unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(&sub));
        assert!(Cidr::parse("2001:db8::/32").is_ok());
    }

    #[test]
    fn rejects_bad_cidrs_with_reasons() {
        assert!(
            Cidr::parse("10.0.0.0")
                .unwrap_err()
                .contains("CIDR notation")
        );
        assert!(
            Cidr::parse("10.0.0.300/24")
                .unwrap_err()
                .contains("not an IP")
        );
        assert!(Cidr::parse("10.0.0.0/33").unwrap_err().contains("prefix"));
        assert!(
            Cidr::parse("10.0.1.0/16")
                .unwrap_err()
                .contains("`10.0.0.0/16`")
        );
    }

    #[test]
    fn dns_names() {
        use super::dns_name_problem as p;
        assert_eq!(p("example.com", false), None);
        assert_eq!(p("a-b.example.com", true), None);
        assert_eq!(p("*.example.com", true), None);
        assert!(p("*.example.com", false).unwrap().contains("wildcard"));
        assert!(p("localhost", false).unwrap().contains("two labels"));
        assert!(p("a..com", false).unwrap().contains("empty label"));
        assert!(p("-a.com", false).unwrap().contains("hyphen"));
        assert!(p("a_b.com", false).unwrap().contains("characters"));
        assert!(
            p(&format!("{}.com", "a".repeat(64)), false)
                .unwrap()
                .contains("63")
        );
        let long = format!("{}com", "abcdefgh.".repeat(29));
        assert!(p(&long, false).unwrap().contains("253"));
    }
}
