//! Flow-log records that carry a translated address: what such a record is, so that the report
//! judges the flow it stands for and not a flow its addresses would name at face value.
//!
//! A NAT gateway's own interface logs each connection through it in four records ("Traffic
//! through a NAT gateway",
//! <https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html>): the
//! instance's request with `dstaddr` = the NAT gateway's private address (the packet's
//! destination only in `pkt-dstaddr`, see
//! <https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html>), the NAT gateway →
//! the host, the host's answer to the NAT gateway, and the NAT gateway's answer to the instance
//! (`srcaddr` = the NAT gateway). A NAT gateway opens no connection of its own and accepts no
//! unsolicited one (it lets instances reach the internet "but prevent[s] the internet from
//! initiating a connection with those instances",
//! <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html>), so a record from
//! beyond its network to it, or from it to a host of its network, is a reply whatever its ports;
//! a record from a host of its network to it names no destination the design could judge.
//! The NAT gateway → host record is judged as it reads (the plan: its subnet's network ACL, its
//! route; it has no security group).
//!
//! Translations the plan follows need nothing here: a record at a DNAT backend whose source is
//! the firewall's address is judged by the plan as a flow from the firewall (past its policy);
//! a record with a translated public source (a NAT gateway's Elastic IP, a firewall's public IP)
//! is an internet address to the design, as it is to the rule sets that see it.
//!
//! Owns: [`nat_gateway_leg`]. Must never: resolve, route or enforce (that is the plan), or read
//! a log.

use super::classify::AddrClass;
use crate::model::Topology;

/// What a record through a NAT gateway's interface is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatLeg {
    /// The answer half of a connection through the NAT gateway (host → NAT gateway, NAT
    /// gateway → instance): a reply, whatever its ports.
    Reply,
    /// An instance's request as the NAT gateway's interface logs it: `dstaddr` is the NAT
    /// gateway, the flow's destination is not in the record, so it is not judged.
    Transit,
}

/// Whether the record `src → dst` is one of a NAT gateway's own records, and which; `None` for
/// every other record (the NAT gateway → host record included: it is judged as it reads).
#[inline]
pub fn nat_gateway_leg(t: &Topology, src: &AddrClass, dst: &AddrClass) -> Option<NatLeg> {
    // The class says whether an end is a NAT gateway: nothing of the topology is read for
    // the records that do not involve one.
    let nat = |c: &AddrClass| c.endpoint.filter(|_| c.nat_gateway);
    let inside = |c: &AddrClass, gw: crate::model::EpIx| {
        c.network.is_some() && c.network == t.endpoint(gw).network && c.endpoint != Some(gw)
    };
    if let Some(gw) = nat(dst) {
        if src.endpoint == Some(gw) {
            return None;
        }
        return Some(if inside(src, gw) {
            NatLeg::Transit
        } else {
            NatLeg::Reply
        });
    }
    let gw = nat(src)?;
    inside(dst, gw).then_some(NatLeg::Reply)
}
