//! A fast hasher for the keys the engine probes per flow: addresses, prefixes, ports.
//!
//! Owns: [`FxHasher`] (the multiply-rotate scheme rustc uses), [`FxMap`], and [`AddrKey`]
//! (an address hashed as its bits). Must never: be used for keys an attacker chooses
//! without a bound on the map they fill (the flow caches are capped).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::net::IpAddr;

/// A fast, non-cryptographic hasher for index and cache keys (the Fx multiply-rotate scheme):
/// the keys are addresses, prefixes and ports of the design or of a log; the caches are bounded
/// and the indexes built from the design, so hash flooding costs at most a slow run, never
/// memory.
#[derive(Clone, Copy, Default)]
pub struct FxHasher(u64);

const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(FX_K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// An address as a hash key: its bits and whether it is IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrKey(pub IpAddr);

impl Hash for AddrKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.0 {
            IpAddr::V4(a) => state.write_u64(u64::from(a.to_bits())),
            IpAddr::V6(a) => {
                let bits = a.to_bits();
                state.write_u64((bits >> 64) as u64 ^ 0x6);
                state.write_u64(bits as u64);
            }
        }
    }
}
