//! Validating the groups a rule may name (SPEC §11.5): application security groups, address
//! groups, and the `name:`/`cloud_id:` aliases of networks, subnets, endpoints and rule sets.
//!
//! Owns: declaring them (ids unique across the file) and the alias table. Must never: evaluate
//! a rule (that is the engine's `policy`).

use std::collections::HashMap;

use crate::model::entities::{Asg, EntityRef, EpIx, NetIx, RuleSetIx, SubnetIx};
use crate::model::error::ErrorCode as C;
use crate::model::raw::{Pos, RawFile, Sp};
use crate::model::rules::RuleSetKind;

use super::{Validator, ix32};

/// What a reference names.
pub(super) enum Lookup {
    Found(EntityRef),
    /// A name of several things (already reported).
    Ambiguous,
    Unknown,
}

impl Validator {
    pub(super) fn groups_(&mut self, raw: &RawFile) {
        self.rs_kinds = raw
            .rule_sets
            .iter()
            .map(|r| RuleSetKind::parse(&r.kind.value))
            .collect();
        for a in &raw.application_security_groups {
            let id = a.id.value.trim().to_string();
            if !self.group_id_free(&a.id) {
                continue;
            }
            self.asg_ix.insert(id.clone(), ix32(self.asgs.len()));
            self.asgs.push(Asg {
                id,
                name: a.name.clone(),
                cloud_id: a.cloud_id.as_ref().map(|c| c.value.trim().to_string()),
                at: a.id.at,
            });
        }
        for (id, cidrs) in &raw.address_groups {
            let key = Sp {
                value: id.clone(),
                at: cidrs.at,
            };
            if !self.group_id_free(&key) {
                continue;
            }
            let list = self.cidrs_lenient(cidrs);
            self.address_groups.insert(id.trim().to_string(), list);
        }
        self.aliases_(raw);
    }

    /// An endpoint's `application_security_groups:` (ids of the top-level list).
    pub(super) fn endpoint_asgs(&mut self, names: &[Sp<String>]) -> Vec<u32> {
        let mut out = Vec::new();
        for n in names {
            let name = n.value.trim();
            if let Some(&i) = self.asg_ix.get(name) {
                if !out.contains(&i) {
                    out.push(i);
                }
                continue;
            }
            let mut known: Vec<&str> = self.asg_ix.keys().map(String::as_str).collect();
            known.sort_unstable();
            let hint = pick(name, &known).map_or_else(
                || {
                    "declare it in the top-level `application_security_groups:` list".to_string()
                },
                |k| format!("did you mean `{k}`? (ASGs are declared in the top-level `application_security_groups:` list)"),
            );
            let what = match self.ids.get(name) {
                Some(e) => format!(
                    "`{name}` is {}, not an application security group",
                    crate::model::load::with_article(e.kind_name())
                ),
                None => format!("unknown application security group `{name}`"),
            };
            self.err(C::UnknownId, n.at, what, hint);
        }
        out
    }

    /// An ASG or address-group id must not repeat another id of the file.
    fn group_id_free(&mut self, id: &Sp<String>) -> bool {
        let name = id.value.trim();
        if name.is_empty() {
            self.err(
                C::BadValue,
                id.at,
                "an id is empty",
                "give every item a non-empty `id`",
            );
            return false;
        }
        let prev = if let Some(e) = self.ids.get(name) {
            Some((
                e.kind_name(),
                self.id_pos.get(name).copied().unwrap_or_default(),
            ))
        } else if let Some(&i) = self.asg_ix.get(name) {
            Some(("application security group", self.asgs[i as usize].at))
        } else if self.address_groups.contains_key(name) {
            Some(("address group", Pos::default()))
        } else {
            None
        };
        if let Some((kind, at)) = prev {
            self.err(
                C::DuplicateId,
                id.at,
                format!(
                    "the id `{name}` is already used by {} (line {})",
                    crate::model::load::with_article(kind),
                    at.line
                ),
                "ids are unique across the whole file (zones, networks, subnets, endpoints, rule sets, application security groups, address groups): rename one of them",
            );
            return false;
        }
        true
    }

    /// `name:` and `cloud_id:` as second ways to name networks, subnets, endpoints and rule sets
    /// (an id always wins; a name given to several things is ambiguous where it is used).
    fn aliases_(&mut self, raw: &RawFile) {
        let mut table: HashMap<String, Vec<EntityRef>> = HashMap::new();
        let mut add = |name: Option<&str>, e: EntityRef| {
            if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
                let v = table.entry(n.to_string()).or_default();
                if !v.contains(&e) {
                    v.push(e);
                }
            }
        };
        let mut si = 0usize;
        for (i, n) in raw.networks.iter().enumerate() {
            let e = EntityRef::Network(NetIx(ix32(i)));
            add(n.name.as_deref(), e);
            add(n.cloud_id.as_ref().map(|c| c.value.as_str()), e);
            for s in &n.subnets {
                let e = EntityRef::Subnet(SubnetIx(ix32(si)));
                add(s.name.as_deref(), e);
                add(s.cloud_id.as_ref().map(|c| c.value.as_str()), e);
                si += 1;
            }
        }
        for (i, p) in raw.endpoints.iter().enumerate() {
            let e = EntityRef::Endpoint(EpIx(ix32(i)));
            add(p.name.as_deref(), e);
            add(p.cloud_id.as_ref().map(|c| c.value.as_str()), e);
        }
        for (i, r) in raw.rule_sets.iter().enumerate() {
            let e = EntityRef::RuleSet(RuleSetIx(ix32(i)));
            add(r.name.as_deref(), e);
            add(r.cloud_id.as_ref().map(|c| c.value.as_str()), e);
        }
        table.retain(|k, _| !self.ids.contains_key(k));
        self.aliases = table;
    }

    /// What an id, `name:` or `cloud_id:` names; an ambiguous name is reported with its
    /// candidates; an unknown one is left to the caller.
    pub(super) fn lookup_ref(&mut self, name: &str, at: Pos) -> Lookup {
        if let Some(e) = self.ids.get(name) {
            return Lookup::Found(*e);
        }
        let Some(found) = self.aliases.get(name).cloned() else {
            return Lookup::Unknown;
        };
        if let [one] = found.as_slice() {
            return Lookup::Found(*one);
        }
        let list: Vec<String> = found
            .iter()
            .map(|e| format!("{} `{}`", e.kind_name(), self.id_of_ref(*e)))
            .collect();
        self.err(
            C::AmbiguousName,
            at,
            format!(
                "`{name}` is the name or cloud id of {} things: {}",
                found.len(),
                list.join(", ")
            ),
            "name one of them by its `id`",
        );
        Lookup::Ambiguous
    }

    fn id_of_ref(&self, e: EntityRef) -> String {
        match e {
            EntityRef::Zone(i) => self.zones.get(i.index()).map(|z| z.id.clone()),
            EntityRef::Network(i) => self.networks.get(i.index()).map(|n| n.id.clone()),
            EntityRef::Subnet(i) => self.subnets.get(i.index()).map(|s| s.id.clone()),
            EntityRef::Endpoint(i) => self.endpoints.get(i.index()).map(|x| x.id.clone()),
            EntityRef::RuleSet(i) => self.rule_sets.get(i.index()).map(|r| r.id.clone()),
        }
        .or_else(|| {
            self.id_pos
                .keys()
                .find(|k| self.ids.get(*k) == Some(&e))
                .cloned()
        })
        .unwrap_or_default()
    }
}

/// The known name closest to `name`, when close enough to be a typo.
fn pick<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lname = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            (
                crate::model::load::levenshtein(&lname, &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}
