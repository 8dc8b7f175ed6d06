//! What is switched off for a what-if (SPEC §8): endpoints, networks, regions, peerings and
//! rules. The plan applies it to its inputs, once: routes avoid what is down, rule sets skip the
//! switched-off rules.
//!
//! Owns: [`WhatIf`] and its typed errors. Must never: route, evaluate or print.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::{EntityRef, EpIx, NetIx, Topology};

/// What is switched off for a what-if: endpoints (private endpoints too), networks, regions,
/// peerings and rules. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhatIf {
    pub endpoints: HashSet<EpIx>,
    pub networks: HashSet<NetIx>,
    pub regions: HashSet<String>,
    pub peerings: HashSet<usize>,
    /// (rule set id, rule id); the zone policy's set id is `policies`.
    pub rules: HashSet<(String, String)>,
}

impl WhatIf {
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
            && self.networks.is_empty()
            && self.regions.is_empty()
            && self.peerings.is_empty()
            && self.rules.is_empty()
    }

    /// Switch off what `spec` names: an endpoint, network or region id, a peering `A<->B`
    /// (or `A,B`), or a rule `RULESET/RULE` (or `policies/NET-001`). Returns what it disabled.
    pub fn disable(&mut self, t: &Topology, spec: &str) -> Result<String, WhatIfError> {
        let spec = spec.trim();
        if let Some((a, b)) = spec.split_once("<->").or_else(|| spec.split_once(',')) {
            let (a, b) = (a.trim(), b.trim());
            let find = |x: &str| match t.find(x) {
                Some(EntityRef::Network(n)) => Ok(n),
                _ => Err(whatif_err(
                    WhatIfErrorCode::NotAPeering,
                    format!("`{x}` is not a network"),
                )),
            };
            let (na, nb) = (find(a)?, find(b)?);
            let p = t
                .peerings()
                .iter()
                .position(|p| (p.a == na && p.b == nb) || (p.a == nb && p.b == na))
                .ok_or_else(|| {
                    whatif_err(
                        WhatIfErrorCode::NotAPeering,
                        format!("`{a}` and `{b}` are not peered"),
                    )
                })?;
            self.peerings.insert(p);
            return Ok(format!("peering {a} <-> {b}"));
        }
        if let Some((set, rule)) = spec.split_once('/') {
            let (set, rule) = (set.trim(), rule.trim());
            let rs = if set == "policies" {
                t.zone_policy()
            } else {
                match t.find(set) {
                    Some(EntityRef::RuleSet(r)) => Some(t.rule_set(r)),
                    _ => None,
                }
            }
            .ok_or_else(|| {
                whatif_err(
                    WhatIfErrorCode::NoSuchRule,
                    format!("`{set}` is not a rule set"),
                )
            })?;
            if !rs.rules.iter().any(|r| r.id == rule) {
                return Err(whatif_err(
                    WhatIfErrorCode::NoSuchRule,
                    format!("rule set `{set}` has no rule `{rule}`"),
                ));
            }
            self.rules.insert((set.to_string(), rule.to_string()));
            return Ok(format!("rule {set}/{rule}"));
        }
        match t.find(spec) {
            Some(EntityRef::Endpoint(e)) => {
                self.endpoints.insert(e);
                Ok(format!("{} {spec}", t.endpoint(e).kind))
            }
            Some(EntityRef::Network(n)) => {
                self.networks.insert(n);
                Ok(format!("network {spec}"))
            }
            Some(other) => Err(whatif_err(
                WhatIfErrorCode::CannotDisable,
                format!("`{spec}` is a {}", other.kind_name()),
            )),
            None => {
                if t.regions().iter().any(|r| r == spec) {
                    self.regions.insert(spec.to_string());
                    Ok(format!("region {spec}"))
                } else {
                    Err(whatif_err(
                        WhatIfErrorCode::Unknown,
                        format!("`{spec}` names nothing"),
                    ))
                }
            }
        }
    }

    #[inline]
    pub fn network_down(&self, t: &Topology, n: NetIx) -> bool {
        if self.is_empty() {
            return false;
        }
        self.networks.contains(&n)
            || t.network(n)
                .region
                .as_ref()
                .is_some_and(|r| self.regions.contains(r))
    }

    #[inline]
    pub fn endpoint_down(&self, t: &Topology, e: EpIx) -> bool {
        if self.is_empty() {
            return false;
        }
        let ep = t.endpoint(e);
        self.endpoints.contains(&e)
            || ep.network.is_some_and(|n| self.network_down(t, n))
            || ep.region.as_ref().is_some_and(|r| self.regions.contains(r))
    }

    #[inline]
    pub fn peering_down(&self, p: usize) -> bool {
        self.peerings.contains(&p)
    }

    #[inline]
    pub fn rule_down(&self, set: &str, rule: &str) -> bool {
        !self.rules.is_empty() && self.rules.iter().any(|(s, r)| s == set && r == rule)
    }
}

/// A what-if that names nothing it can switch off (exit 2 on the command line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}: {help}")]
pub struct WhatIfError {
    /// What kind of mistake: a stable code, as the loader's.
    pub code: WhatIfErrorCode,
    pub message: String,
    pub help: String,
}

/// The kinds of bad what-if, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WhatIfErrorCode {
    /// A peering's end is not a network, or the two networks are not peered.
    NotAPeering,
    /// A rule's set or the rule itself does not exist.
    NoSuchRule,
    /// The id names something a what-if cannot switch off (a zone, a subnet …).
    CannotDisable,
    /// The id names nothing.
    Unknown,
}

impl WhatIfErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WhatIfErrorCode::NotAPeering => "zonescope::whatif-not-a-peering",
            WhatIfErrorCode::NoSuchRule => "zonescope::whatif-no-such-rule",
            WhatIfErrorCode::CannotDisable => "zonescope::whatif-cannot-disable",
            WhatIfErrorCode::Unknown => "zonescope::whatif-unknown",
        }
    }
}

const WHATIF_HELP: &str =
    "disable an endpoint, network, region, peering (A<->B) or rule (SET/RULE)";

fn whatif_err(code: WhatIfErrorCode, message: String) -> WhatIfError {
    WhatIfError {
        code,
        message,
        help: WHATIF_HELP.to_string(),
    }
}
