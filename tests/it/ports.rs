//! The port-interval algebra against brute force over all 65,536 ports, and the exact
//! per-rule-set port sets (`allowed_ports`) against `evaluate` on single ports.

use proptest::prelude::*;

use zonescope::model::rules::PortSet;

fn bits(p: &PortSet) -> Vec<bool> {
    let mut v = vec![false; 65536];
    for &(a, b) in p.ranges() {
        for x in a..=b {
            v[x as usize] = true;
        }
    }
    v
}

fn from_bits(v: &[bool]) -> PortSet {
    PortSet::from_ranges(
        v.iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| (i as u16, i as u16)),
    )
}

fn port_set() -> impl Strategy<Value = PortSet> {
    // Ranges clustered near interesting places (0, 443, 1024, 65535) as well as anywhere.
    let port = prop_oneof![
        0u16..=70,
        400u16..=500,
        1000u16..=1100,
        65400u16..=65535,
        any::<u16>(),
    ];
    prop::collection::vec((port.clone(), port), 0..6)
        .prop_map(|v| PortSet::from_ranges(v.into_iter().map(|(a, b)| (a.min(b), a.max(b)))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn algebra_matches_brute_force(a in port_set(), b in port_set()) {
        let (x, y) = (bits(&a), bits(&b));
        let u: Vec<bool> = x.iter().zip(&y).map(|(p, q)| *p || *q).collect();
        let i: Vec<bool> = x.iter().zip(&y).map(|(p, q)| *p && *q).collect();
        let d: Vec<bool> = x.iter().zip(&y).map(|(p, q)| *p && !*q).collect();
        prop_assert_eq!(a.union(&b), from_bits(&u));
        prop_assert_eq!(a.intersect(&b), from_bits(&i));
        prop_assert_eq!(a.difference(&b), from_bits(&d));
        prop_assert_eq!(a.is_subset(&b), x.iter().zip(&y).all(|(p, q)| !*p || *q));
        prop_assert_eq!(a.count() as usize, x.iter().filter(|p| **p).count());
        for (k, bit) in x.iter().enumerate().step_by(97) {
            prop_assert_eq!(a.contains(k as u16), *bit);
        }
        // Canonical form: sorted, disjoint, not adjacent.
        for w in a.union(&b).ranges().windows(2) {
            prop_assert!(u32::from(w[0].1) + 1 < u32::from(w[1].0));
        }
    }

    /// The fast path of a set's own ranges gives what normalising them gives, and anything
    /// else (unsorted, overlapping, adjacent or reversed ranges) is normalised the same way.
    #[test]
    fn from_normalized_is_from_ranges(
        a in port_set(),
        raw in prop::collection::vec((any::<u16>(), any::<u16>()), 0..6),
    ) {
        prop_assert_eq!(PortSet::from_normalized(a.ranges()), a.clone());
        prop_assert_eq!(PortSet::from_normalized(&raw), PortSet::from_ranges(raw.iter().copied()));
    }
}
