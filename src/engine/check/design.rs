//! Designs that make no sense but load: findings for them (issue 16), and ids written in more
//! than one script.
//!
//! Owns: `private-endpoint-targets-itself`, `egress-not-a-firewall`, `backend-is-itself` and
//! `mixed-script-id`. Pure: reads a [`Topology`], returns findings. Must never: trace flows,
//! print, or refuse a file (that is the loader's job).

use super::{Finding, Location, Severity};
use crate::model::{Kind, Pos, Topology};

fn finding(
    t: &Topology,
    id: &str,
    severity: Severity,
    subject: &str,
    at: Pos,
    message: String,
    fix: String,
) -> Finding {
    Finding {
        id: id.to_string(),
        severity,
        message,
        subject: subject.to_string(),
        location: Location::of(t, at),
        fix: Some(fix),
        evidence: None,
    }
}

/// The findings of this module.
pub fn findings(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, e) in t.endpoints().iter().enumerate() {
        if e.target.is_some_and(|x| x.0 as usize == i) {
            out.push(finding(
                t,
                "private-endpoint-targets-itself",
                Severity::Error,
                &e.id,
                e.at,
                format!("private endpoint {} names itself as its target, so it brings no service into the network", e.id),
                format!("set `target:` of {} to the service it exposes (an ai_service, storage, … endpoint)", e.id),
            ));
        }
        if e.backends.iter().any(|b| b.endpoint.0 as usize == i) {
            out.push(finding(
                t,
                "backend-is-itself",
                Severity::Error,
                &e.id,
                e.at,
                format!(
                    "{} lists itself as one of its backends: a request would loop back to it",
                    e.id
                ),
                format!("remove {} from its own `backends:`", e.id),
            ));
        }
    }
    for n in t.networks() {
        if let Some(eg) = n.egress {
            let e = t.endpoint(eg);
            if e.kind != Kind::Firewall {
                out.push(finding(
                    t,
                    "egress-not-a-firewall",
                    Severity::Warning,
                    &n.id,
                    n.at,
                    format!(
                        "network {} sends its egress through {} (kind {}) rather than a firewall, so no firewall rule inspects it",
                        n.id, e.id, e.kind_text
                    ),
                    format!("name a `kind: firewall` endpoint in `egress:` of {}", n.id),
                ));
            }
        }
    }
    let ids = t
        .zones()
        .iter()
        .map(|z| (&z.id, z.at))
        .chain(t.networks().iter().map(|n| (&n.id, n.at)))
        .chain(t.subnets().iter().map(|s| (&s.id, s.at)))
        .chain(t.endpoints().iter().map(|e| (&e.id, e.at)))
        .chain(t.rule_sets().iter().map(|r| (&r.id, r.at)));
    for (id, at) in ids {
        let scripts = crate::model::ids::scripts(id);
        if scripts.len() > 1 {
            out.push(finding(
                t,
                "mixed-script-id",
                Severity::Warning,
                id,
                at,
                format!(
                    "the id `{id}` mixes the {} scripts, so it can look like another id",
                    scripts.join(" and ")
                ),
                format!("write `{id}` in one script"),
            ));
        }
    }
    out
}
