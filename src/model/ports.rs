//! Port sets as sorted, disjoint, inclusive intervals over 0..=65535.
//!
//! Owns: parsing `443`, `"6333-6334"`, `[443, 8443]`, `"*"` and the interval algebra (union,
//! intersection, difference) that exact reachability is built on. Must never: know about
//! rules, endpoints or protocols.

use std::fmt;

use smallvec::{SmallVec, smallvec};

/// The ranges of a set: held inline up to four (almost every rule's and every answer's), so
/// that the interval algebra of exact reachability does not allocate per rule or per flow.
type Ranges = SmallVec<[(u16, u16); 4]>;

/// A set of TCP/UDP ports, kept as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, PartialEq, Eq, Hash, Default)]
pub struct PortSet {
    ranges: Ranges,
}

/// A copy of the ranges as one block (`SmallVec`'s own `Clone` pushes them one by one): a
/// matrix copies a set per rule set it asks, tens of millions of times on L.
impl Clone for PortSet {
    #[inline]
    fn clone(&self) -> Self {
        PortSet {
            ranges: Ranges::from_slice(&self.ranges),
        }
    }

    #[inline]
    fn clone_from(&mut self, source: &Self) {
        self.ranges.clear();
        self.ranges.extend_from_slice(&source.ranges);
    }
}

impl PortSet {
    /// Every port, 0 to 65535.
    pub fn all() -> Self {
        PortSet {
            ranges: smallvec![(0, u16::MAX)],
        }
    }

    /// No port.
    pub fn empty() -> Self {
        PortSet {
            ranges: SmallVec::new(),
        }
    }

    pub fn single(p: u16) -> Self {
        PortSet {
            ranges: smallvec![(p, p)],
        }
    }

    /// The inclusive range `lo..=hi` (empty when `lo > hi`).
    pub fn range(lo: u16, hi: u16) -> Self {
        if lo > hi {
            return Self::empty();
        }
        PortSet {
            ranges: smallvec![(lo, hi)],
        }
    }

    /// Build from any ranges (unsorted, overlapping): normalises them.
    pub fn from_ranges(iter: impl IntoIterator<Item = (u16, u16)>) -> Self {
        let mut v: SmallVec<[(u16, u16); 8]> = iter.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort_unstable();
        let mut out = Ranges::with_capacity(v.len());
        for (a, b) in v {
            if let Some(last) = out.last_mut()
                && u32::from(a) <= u32::from(last.1) + 1
            {
                last.1 = last.1.max(b);
                continue;
            }
            out.push((a, b));
        }
        PortSet { ranges: out }
    }

    /// The set of `ranges` that are already a port set's: sorted, disjoint and not adjacent
    /// (another set's [`PortSet::ranges`]); anything else is normalised as by
    /// [`PortSet::from_ranges`].
    pub fn from_normalized(ranges: &[(u16, u16)]) -> Self {
        let normal = ranges.iter().all(|(a, b)| a <= b)
            && ranges
                .windows(2)
                .all(|w| u32::from(w[0].1) + 1 < u32::from(w[1].0));
        if !normal {
            return Self::from_ranges(ranges.iter().copied());
        }
        PortSet {
            ranges: Ranges::from_slice(ranges),
        }
    }

    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_all(&self) -> bool {
        self.ranges[..] == [(0, u16::MAX)]
    }

    pub fn contains(&self, p: u16) -> bool {
        // Few ranges in practice; binary search keeps big sets fast too.
        self.ranges
            .binary_search_by(|&(a, b)| {
                if b < p {
                    std::cmp::Ordering::Less
                } else if a > p {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// How many ports the set holds.
    pub fn count(&self) -> u32 {
        self.ranges
            .iter()
            .map(|&(a, b)| u32::from(b) - u32::from(a) + 1)
            .sum()
    }

    /// The lowest port in the set.
    pub fn first(&self) -> Option<u16> {
        self.ranges.first().map(|r| r.0)
    }

    #[must_use]
    pub fn union(&self, other: &PortSet) -> PortSet {
        PortSet::from_ranges(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    #[must_use]
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::empty();
        self.intersect_into(other, &mut out);
        out
    }

    /// `self ∩ other` written into `out` (its buffer reused: no allocation once it is big
    /// enough).
    pub fn intersect_into(&self, other: &PortSet, out: &mut PortSet) {
        out.ranges.clear();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a1, b1) = self.ranges[i];
            let (a2, b2) = other.ranges[j];
            let lo = a1.max(a2);
            let hi = b1.min(b2);
            if lo <= hi {
                out.ranges.push((lo, hi));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
    }

    /// `self ∩= other`, in place: most sets of an answer are one range or all ports, which
    /// leaves nothing to build.
    pub fn intersect_with(&mut self, other: &PortSet) {
        if self.ranges.is_empty() || other.is_all() {
            return;
        }
        if let ([(a1, b1)], [(a2, b2)]) = (&mut self.ranges[..], &other.ranges[..]) {
            let (lo, hi) = ((*a1).max(*a2), (*b1).min(*b2));
            if lo <= hi {
                (*a1, *b1) = (lo, hi);
            } else {
                self.ranges.clear();
            }
            return;
        }
        let mut out = PortSet::empty();
        self.intersect_into(other, &mut out);
        self.ranges = out.ranges;
    }

    /// The ports of `self` not in `other`.
    #[must_use]
    pub fn difference(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::empty();
        self.difference_into(other, &mut out);
        out
    }

    /// `self \ other` written into `out` (its buffer reused).
    pub fn difference_into(&self, other: &PortSet, out: &mut PortSet) {
        let out = &mut out.ranges;
        out.clear();
        let mut j = 0;
        for &(a, b) in &self.ranges {
            let mut lo = u32::from(a);
            let hi = u32::from(b);
            while j < other.ranges.len() && u32::from(other.ranges[j].1) < lo {
                j += 1;
            }
            let mut k = j;
            while lo <= hi && k < other.ranges.len() && u32::from(other.ranges[k].0) <= hi {
                let (ca, cb) = (u32::from(other.ranges[k].0), u32::from(other.ranges[k].1));
                if ca > lo {
                    out.push((lo as u16, (ca - 1) as u16));
                }
                lo = lo.max(cb + 1);
                k += 1;
            }
            if lo <= hi {
                out.push((lo as u16, hi as u16));
            }
        }
    }

    /// Whether every port of `self` is in `other` (no allocation).
    pub fn is_subset(&self, other: &PortSet) -> bool {
        let mut j = 0;
        for &(a, b) in &self.ranges {
            while j < other.ranges.len() && other.ranges[j].1 < a {
                j += 1;
            }
            // the ranges are non-adjacent, so one range of `other` must hold all of a..=b
            match other.ranges.get(j) {
                Some(&(c, d)) if c <= a && b <= d => {}
                _ => return false,
            }
        }
        true
    }

    /// Parse one item: `443`, `"6333-6334"`, `"*"`, `"any"`, `"0-65535"`.
    pub fn parse_item(s: &str) -> Result<PortSet, String> {
        let s = s.trim();
        if s == "*" || s.eq_ignore_ascii_case("any") {
            return Ok(PortSet::all());
        }
        if let Some((a, b)) = s.split_once('-') {
            let lo = parse_port(a)?;
            let hi = parse_port(b)?;
            if lo > hi {
                return Err(format!(
                    "the port range \"{s}\" runs backwards ({lo} > {hi})"
                ));
            }
            return Ok(PortSet::range(lo, hi));
        }
        Ok(PortSet::single(parse_port(s)?))
    }
}

fn parse_port(s: &str) -> Result<u16, String> {
    let t = s.trim();
    t.parse::<u32>()
        .ok()
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| format!("\"{t}\" is not a port (a whole number from 0 to 65535)"))
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("*");
        }
        if self.ranges.is_empty() {
            return f.write_str("none");
        }
        for (i, &(a, b)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_of_the_file_format() {
        assert_eq!(PortSet::parse_item("443").unwrap(), PortSet::single(443));
        assert_eq!(
            PortSet::parse_item("6333-6334").unwrap(),
            PortSet::range(6333, 6334)
        );
        assert!(PortSet::parse_item("*").unwrap().is_all());
        assert!(PortSet::parse_item("0-65535").unwrap().is_all());
        assert!(PortSet::parse_item("70000").is_err());
        assert!(PortSet::parse_item("20-10").is_err());
        assert!(PortSet::parse_item("http").is_err());
    }

    #[test]
    fn difference_splits_ranges() {
        let a = PortSet::range(1000, 2000);
        let b = PortSet::from_ranges([(1100, 1200), (1500, 1500)]);
        assert_eq!(
            a.difference(&b).to_string(),
            "1000-1099,1201-1499,1501-2000"
        );
        assert_eq!(a.difference(&PortSet::all()), PortSet::empty());
    }

    #[test]
    fn union_merges_adjacent_ranges() {
        let a = PortSet::from_ranges([(1, 5), (6, 9), (20, 30)]);
        assert_eq!(a.to_string(), "1-9,20-30");
    }
}
