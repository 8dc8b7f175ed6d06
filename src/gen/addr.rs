//! The generator's address plan: aligned, non-overlapping IPv4 blocks handed out in order from
//! 10.0.0.0/8, then 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 and finally
//! 11.0.0.0–99.255.255.255 (reached only with very large parameters).
//!
//! Owns: [`Alloc`], [`Block`] and the block sizes of hubs, spokes and subnets. Must never:
//! decide what goes into a block (that is `build`), or format anything but a CIDR.

use std::fmt;
use std::net::Ipv4Addr;

/// Address pools, in the order they are used: `[start, end)`.
pub(super) const POOLS: [(u32, u32); 5] = [
    (0x0A00_0000, 0x0B00_0000), // 10.0.0.0/8
    (0xAC10_0000, 0xAC20_0000), // 172.16.0.0/12
    (0xC0A8_0000, 0xC0A9_0000), // 192.168.0.0/16
    (0x6440_0000, 0x6480_0000), // 100.64.0.0/10
    (0x0B00_0000, 0x6400_0000), // 11.0.0.0 – 99.255.255.255, for very large parameters only
];

/// Size of a spoke's private-endpoint subnet (a /26).
pub(super) const PE_SUBNET_SIZE: u64 = 64;
/// Size of a hub network (a /22).
pub(super) const HUB_SIZE: u64 = 1024;

/// Size of a workload subnet: a /24, or larger when `endpoints` (plus a gateway, the four
/// reserved addresses and the broadcast address) does not fit.
pub(super) fn workload_subnet_size(endpoints: u32) -> u64 {
    (u64::from(endpoints) + 6).next_power_of_two().max(256)
}

/// Size of a spoke: the smallest aligned block holding `subnets` workload subnets of
/// `subnet_size` and the private-endpoint subnet.
pub(super) fn spoke_size(subnets: u32, subnet_size: u64) -> u64 {
    (u64::from(subnets) + 1).next_power_of_two() * subnet_size
}

/// Hands out aligned, non-overlapping blocks.
pub(super) struct Alloc {
    pool: usize,
    next: u64,
}

impl Alloc {
    pub(super) fn new() -> Alloc {
        Alloc {
            pool: 0,
            next: u64::from(POOLS[0].0),
        }
    }

    /// A fresh block of `size` addresses (a power of two), aligned to `size`.
    pub(super) fn block(&mut self, size: u64) -> Block {
        Block {
            base: self.take(size),
            size,
        }
    }

    /// The base of a fresh block of `size` addresses (a power of two), aligned to `size`.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "blocks lie inside the IPv4 pools, below 2^32"
    )]
    fn take(&mut self, size: u64) -> u32 {
        loop {
            let (start, end) = POOLS[self.pool];
            let at = self.next.max(u64::from(start)).next_multiple_of(size);
            if at + size <= u64::from(end) {
                self.next = at + size;
                return at as u32;
            }
            if self.pool + 1 == POOLS.len() {
                // Unreachable within the MAX_* limits (at most ~0.9 G addresses are needed,
                // the pools hold ~1.5 G); overlap rather than fail.
                self.next = u64::from(end);
                return start;
            }
            self.pool += 1;
            self.next = u64::from(POOLS[self.pool].0);
        }
    }
}

/// An IPv4 block: `base/prefix` with `size` addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) base: u32,
    pub(super) size: u64,
}

impl Block {
    /// The block of `size` addresses at `offset` inside this one.
    pub(super) fn at(&self, offset: u64, size: u64) -> Block {
        Block {
            base: self.ip(offset).into(),
            size,
        }
    }

    /// The address at `offset` inside the block.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "offsets stay inside the block, below 2^32"
    )]
    pub(super) fn ip(&self, offset: u64) -> Ipv4Addr {
        Ipv4Addr::from(self.base.wrapping_add(offset as u32))
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            Ipv4Addr::from(self.base),
            32 - self.size.trailing_zeros()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MAX_ENDPOINTS, MAX_REGIONS, MAX_SPOKES, MAX_SUBNETS};
    use super::*;

    #[test]
    fn the_pools_hold_the_largest_clamped_topology() {
        let spoke = spoke_size(MAX_SUBNETS, workload_subnet_size(MAX_ENDPOINTS));
        // Worst case: each hub wastes a spoke-sized alignment gap, each pool's tail is lost.
        let need = u64::from(MAX_REGIONS) * (u64::from(MAX_SPOKES) + 1) * spoke
            + POOLS.len() as u64 * spoke;
        let have: u64 = POOLS
            .iter()
            .map(|&(a, b)| u64::from(b) - u64::from(a))
            .sum();
        assert!(need < have, "need {need}, have {have}");
    }

    #[test]
    fn blocks_are_aligned_and_disjoint() {
        let mut a = Alloc::new();
        let mut last_end = 0;
        for size in [1024, 4096, 1024, 65536, 1024] {
            let base = u64::from(a.take(size));
            assert_eq!(base % size, 0);
            assert!(base >= last_end);
            last_end = base + size;
        }
    }
}
