//! The generator's randomness: a private `SplitMix64`, derived from the seed and the keys of
//! the part being generated (region, spoke), so that one spoke's content does not depend on how
//! many spokes come before it.
//!
//! Owns: [`Rng`]. Must never: read the clock, the environment or any other source of entropy —
//! every choice derives from `GenParams::seed`.

/// `SplitMix64`: tiny, fast, good enough for choosing rules.
pub(super) struct Rng(u64);

impl Rng {
    /// A stream for one part of the topology, derived from the seed and the part's keys.
    pub(super) fn derive(seed: u64, keys: &[u64]) -> Rng {
        let mut h = Rng(seed).next_u64();
        for &k in keys {
            h = Rng(h ^ k.wrapping_mul(0xA24B_AED4_963E_E407)).next_u64();
        }
        Rng(h)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the high 64 bits of a 64×64-bit product fit in u64"
    )]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen index below `len`.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the result is below `len`, a usize"
    )]
    pub(super) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}
