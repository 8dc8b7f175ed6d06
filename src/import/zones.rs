//! Zones of an imported design (SPEC §12): the `SecurityZone` tag a resource carries, else the
//! `--zones MAP` file `{ZONE: [subnet id or name, CIDR, tag=value, ...]}`, else none.
//!
//! Owns: reading the map (through the model's YAML reader) and applying it to a [`Document`].
//! Must never: invent a zone nobody named.

use std::collections::BTreeMap;
use std::path::Path;

use ipnet::IpNet;

use super::doc::{Document, Zone};
use super::{ImportReport, Imported};
use crate::model::{self, LoadError};

/// Zone → selectors.
pub type ZoneMap = BTreeMap<String, Vec<String>>;

/// The tag whose value names a resource's zone.
pub const ZONE_TAG: &str = "SecurityZone";

/// Read a `--zones MAP` file.
pub fn parse_zone_map(path: &Path) -> Result<ZoneMap, LoadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadError::single(
            &name,
            std::sync::Arc::from(""),
            model::InputError::new(
                model::ErrorCode::Io,
                model::raw::Pos::default(),
                format!("cannot read the zone map: {e}"),
                "check the path given to --zones",
            ),
        )
    })?;
    model::zone_map_from_yaml(&text, &name)
}

/// Make sure `zone` is declared.
pub(crate) fn declare(doc: &mut Document, zone: &str) {
    if !doc.zones.iter().any(|z| z.id == zone) {
        doc.zones.push(Zone {
            id: zone.to_string(),
        });
    }
}

fn has_tag(tags: &[(String, String)], sel: &str) -> bool {
    let Some((k, v)) = sel.split_once('=') else {
        return false;
    };
    tags.iter()
        .any(|(tk, tv)| tk.trim() == k.trim() && tv.trim() == v.trim())
}

/// Apply `map` to the subnets and endpoints that have no zone from their tag yet. A selector
/// that matches nothing is reported (`assumed`: it is ignored).
pub fn apply_zone_map(imported: &mut Imported, map: &ZoneMap, map_file: &str) {
    let Imported {
        document: doc,
        report,
        tags,
    } = imported;
    let none = Vec::new();
    for (zone, sels) in map {
        for (i, sel) in sels.iter().enumerate() {
            let sel = sel.trim();
            let net: Option<IpNet> = sel.parse().ok();
            let mut hits = 0;
            let mut zoned_subnets = Vec::new();
            for n in &mut doc.networks {
                for s in &mut n.subnets {
                    let t = tags.get(&s.id).unwrap_or(&none);
                    let m = if sel.contains('=') {
                        has_tag(t, sel)
                    } else if let Some(net) = net {
                        !s.cidr.is_empty()
                            && s.cidr
                                .iter()
                                .all(|c| c.parse::<IpNet>().is_ok_and(|c| net.contains(&c)))
                    } else {
                        s.id == sel
                            || s.name.as_deref() == Some(sel)
                            || s.cloud_id.as_deref() == Some(sel)
                    };
                    if m {
                        hits += 1;
                        zoned_subnets.push(s.id.clone());
                        if s.zone.is_none() {
                            s.zone = Some(zone.clone());
                        }
                    }
                }
            }
            for e in &mut doc.endpoints {
                if e.subnet.as_ref().is_some_and(|s| zoned_subnets.contains(s)) {
                    continue;
                }
                let t = tags.get(&e.id).unwrap_or(&none);
                let m = if sel.contains('=') {
                    has_tag(t, sel)
                } else if let Some(net) = net {
                    e.ip.as_deref()
                        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
                        .is_some_and(|a| net.contains(&a))
                } else {
                    e.id == sel || e.name.as_deref() == Some(sel)
                };
                if m {
                    hits += 1;
                    if e.zone.is_none() {
                        e.zone = Some(zone.clone());
                    }
                }
            }
            if hits == 0 {
                report.assumed(
                    map_file,
                    format!("{zone}[{i}]"),
                    format!("`{sel}` matches no subnet or endpoint of the import: ignored"),
                );
            }
        }
        declare(doc, zone);
    }
    count_zones(doc, report);
}

/// Record how many subnets and endpoints ended in a zone.
pub(crate) fn count_zones(doc: &Document, report: &mut ImportReport) {
    let subnets = doc
        .networks
        .iter()
        .flat_map(|n| &n.subnets)
        .filter(|s| s.zone.is_some())
        .count();
    report.counts.insert("zoned subnets".into(), subnets);
}
