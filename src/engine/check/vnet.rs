//! `vnet-tag-widened` (SPEC §11.3): a subnet whose NSGs' `VirtualNetwork` covers more than its
//! network and its peers — the prefixes of user-defined routes effective in that subnet (a `0.0.0.0/0`
//! route makes it everything) and VPN gateways' on-premises prefixes — so `AllowVnetInBound`
//! admits sources from outside the network's peers.
//!
//! Owns: which subnets are affected. Must never: print, or report a subnet no NSG guards.

use super::{Finding, Location, Severity};
use crate::model::rules::RuleSetKind;
use crate::model::{SubnetIx, Topology};

/// Every `vnet-tag-widened` finding, one per affected subnet.
pub fn vnet_tag_widened(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, s) in t.subnets().iter().enumerate() {
        let ix = SubnetIx(u32::try_from(i).unwrap_or(u32::MAX));
        let extra = t.vnet_extra_at(s.network, Some(ix));
        if extra.is_empty() {
            continue;
        }
        let nsg = |rs: &[crate::model::RuleSetIx]| {
            rs.iter().any(|r| t.rule_set(*r).kind == RuleSetKind::Nsg)
        };
        let guarded = nsg(&s.rule_sets)
            || t.endpoints()
                .iter()
                .any(|e| e.subnet == Some(ix) && nsg(&e.rule_sets));
        if !guarded {
            continue;
        }
        let list: Vec<String> = extra.iter().map(ToString::to_string).collect();
        let everything = extra.iter().any(|p| p.prefix_len() == 0);
        out.push(Finding {
            id: "vnet-tag-widened".to_string(),
            severity: Severity::Warning,
            message: format!(
                "in subnet `{}`, the NSG tag `VirtualNetwork` also covers {}{} (user-defined routes and on-premises prefixes join it), so `AllowVnetInBound` admits those sources",
                s.id,
                list.join(", "),
                if everything { " — that is every address" } else { "" }
            ),
            subject: s.id.clone(),
            location: Location::of(t, s.at),
            fix: Some(
                "add an inbound NSG rule with a priority number below 65000 that denies what should not come in (e.g. deny VirtualNetwork, then allow the networks that should), or narrow the routes".to_string(),
            ),
            evidence: None,
        });
    }
    out
}
