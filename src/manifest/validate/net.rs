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
}
