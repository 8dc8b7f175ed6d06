//! The address index: IP → endpoint / subnet / network by exact match and longest-prefix match.
//!
//! Owns: fast lookups for traces, rules and flow logs (IPv4 and IPv6). Must never: decide
//! verdicts.

use std::net::IpAddr;

use ipnet::IpNet;

use super::entities::{EpIx, NetIx, SubnetIx};
use super::fxhash::{AddrKey, FxMap};

/// What an address falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddrMatch {
    pub endpoint: Option<EpIx>,
    pub subnet: Option<SubnetIx>,
    pub network: Option<NetIx>,
}

/// Prefix tables keyed by (prefix length, masked address), probed from the longest length down.
#[derive(Debug, Clone)]
struct PrefixTable<T: Copy> {
    v4: FxMap<(u8, u32), T>,
    v6: FxMap<(u8, u128), T>,
    v4_lens: Vec<u8>,
    v6_lens: Vec<u8>,
}

fn mask4(a: u32, len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        a & (u32::MAX << (32 - u32::from(len)))
    }
}

fn mask6(a: u128, len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        a & (u128::MAX << (128 - u32::from(len)))
    }
}

impl<T: Copy> Default for PrefixTable<T> {
    fn default() -> Self {
        PrefixTable {
            v4: FxMap::default(),
            v6: FxMap::default(),
            v4_lens: Vec::new(),
            v6_lens: Vec::new(),
        }
    }
}

impl<T: Copy> PrefixTable<T> {
    fn insert(&mut self, net: IpNet, v: T) {
        match net {
            IpNet::V4(n) => {
                let len = n.prefix_len();
                self.v4
                    .entry((len, mask4(u32::from(n.network()), len)))
                    .or_insert(v);
                if !self.v4_lens.contains(&len) {
                    self.v4_lens.push(len);
                    self.v4_lens.sort_unstable_by(|a, b| b.cmp(a));
                }
            }
            IpNet::V6(n) => {
                let len = n.prefix_len();
                self.v6
                    .entry((len, mask6(u128::from(n.network()), len)))
                    .or_insert(v);
                if !self.v6_lens.contains(&len) {
                    self.v6_lens.push(len);
                    self.v6_lens.sort_unstable_by(|a, b| b.cmp(a));
                }
            }
        }
    }

    fn lookup(&self, ip: IpAddr) -> Option<T> {
        match ip {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4_lens
                    .iter()
                    .find_map(|&len| self.v4.get(&(len, mask4(a, len))).copied())
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                self.v6_lens
                    .iter()
                    .find_map(|&len| self.v6.get(&(len, mask6(a, len))).copied())
            }
        }
    }
}

/// IP → endpoint (exact), subnet and network (longest prefix).
#[derive(Debug, Default, Clone)]
pub struct AddrIndex {
    endpoints: FxMap<AddrKey, EpIx>,
    subnets: PrefixTable<SubnetIx>,
    networks: PrefixTable<NetIx>,
}

impl AddrIndex {
    pub(crate) fn add_endpoint(&mut self, ip: IpAddr, ep: EpIx) {
        self.endpoints.entry(AddrKey(ip)).or_insert(ep);
    }

    pub(crate) fn add_subnet(&mut self, net: IpNet, s: SubnetIx) {
        self.subnets.insert(net, s);
    }

    pub(crate) fn add_network(&mut self, net: IpNet, n: NetIx) {
        self.networks.insert(net, n);
    }

    pub fn lookup(&self, ip: IpAddr) -> AddrMatch {
        AddrMatch {
            endpoint: self.endpoints.get(&AddrKey(ip)).copied(),
            subnet: self.subnets.lookup(ip),
            network: self.networks.lookup(ip),
        }
    }
}
