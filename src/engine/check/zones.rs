//! Ends the zone policy cannot place (SPEC §11.8): with a zone policy, an endpoint in no zone is
//! judged as `unzoned` — so a stray machine gets the policy's default deny rather than slipping
//! past it — and `check` says so, once per endpoint.
//!
//! Owns: `unzoned-endpoint`. Pure: reads a [`Topology`], returns findings. Must never: trace
//! flows, print, or refuse a file.

use super::{Finding, Location, Severity};
use crate::model::{Kind, Topology};

/// Every `unzoned-endpoint` finding: endpoints inside a network (not private endpoints, whose
/// service's zone counts) with no zone of their own or of their subnet, in a design with a zone
/// policy.
pub fn unzoned_endpoints(t: &Topology) -> Vec<Finding> {
    if t.zone_policy().is_none() {
        return Vec::new();
    }
    t.endpoints()
        .iter()
        .filter(|e| e.zone.is_none() && e.subnet.is_some() && e.kind != Kind::PrivateEndpoint)
        .map(|e| Finding {
            id: "unzoned-endpoint".to_string(),
            severity: Severity::Warning,
            message: format!(
                "{} is in no zone: the zone policy judges it as `unzoned`, so its flows to every zone meet the policy's default deny unless a policy names `unzoned`",
                e.id
            ),
            subject: e.id.clone(),
            location: Location::of(t, e.at),
            fix: Some(format!(
                "give {} (or its subnet) a `zone:`, or add a policy for `unzoned` if such machines are intended",
                e.id
            )),
            evidence: None,
        })
        .collect()
}
