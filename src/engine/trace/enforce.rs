//! The trace's interpreter of a [`Plan`]: each stage at one port, in order, until one denies;
//! each check recorded as the trace shows it, and a denial explained with a fix in words.
//!
//! Owns: [`Enforcer`]. Must never: decide what is on the path (that is the plan), or print.

use std::fmt::Write as _;

use super::{Check, WhatIf};
use crate::engine::path::plan::{Stage, ZoneSide, return_ports};
use crate::engine::path::resolve::End;
use crate::engine::policy::{Ctx, Decision, Flow, Party, evaluate, free_priority_below};
use crate::model::rules::{Action, Direction, PortSet, Protocol, RuleSet, RuleSetKind};
use crate::model::{NetIx, SubnetIx, Topology};

pub(super) struct Enforcer<'a> {
    pub t: &'a Topology,
    pub w: &'a WhatIf,
    pub flow_protocol: Protocol,
    pub port: Option<PortSet>,
    pub checks: Vec<Check>,
    /// The check that denied, the reason and the fix in words.
    pub denied: Option<(Check, String, Option<String>)>,
    pub src: &'a End,
    pub dst: &'a End,
    /// The rule (index in its rule set) that decided the last rule set run, `None` for a
    /// default: which DNAT rule of a firewall took the flow.
    pub last_rule: Option<usize>,
}

impl Enforcer<'_> {
    fn party_text(&self, p: &Party, label: &str) -> String {
        match (p.addr, p.ep) {
            (Some(a), Some(e)) => format!("{a} ({})", self.t.endpoint(e).id),
            (Some(a), None) => a.to_string(),
            (None, _) => label.to_string(),
        }
    }

    /// The selector a fix should name for one end: its subnet, else its address, else its id.
    fn sel_text(&self, end: &End) -> String {
        if end.outside && end.ep.is_none() {
            return if end.party.fqdn(self.t).is_some() && !end.name.is_internet() {
                end.label(self.t).into_owned()
            } else {
                "Internet".to_string()
            };
        }
        if let Some(s) = end.subnet {
            return self.t.subnet(s).id.clone();
        }
        if let Some(a) = end.party.addr {
            return a.to_string();
        }
        end.label(self.t).into_owned()
    }

    fn flow_text(&self) -> String {
        match &self.port {
            Some(p) => format!("{}/{}", self.flow_protocol, p),
            None => self.flow_protocol.to_string(),
        }
    }

    /// Interpret one stage of the plan; returns false once the flow is denied.
    pub fn stage(&mut self, st: &Stage, tr_dns_public: bool) -> bool {
        let t = self.t;
        match *st {
            Stage::Rules {
                set,
                at,
                dir,
                net,
                stateless,
            } => {
                let rs = t.rule_set(set);
                let scope = (net, at.subnet(t));
                let at = at.id(t).to_string();
                if !self.run(rs, &at, dir, scope, false) {
                    return false;
                }
                if stateless {
                    let back = dir.map(|d| match d {
                        Direction::Inbound => Direction::Outbound,
                        Direction::Outbound => Direction::Inbound,
                    });
                    return self.run(rs, &at, back, scope, true);
                }
                true
            }
            Stage::NoRules { appliance } => {
                let f = t.endpoint(appliance);
                self.builtin_deny(
                    &f.id,
                    "default-deny",
                    format!("firewall {} has no rules, so it denies everything", f.id),
                    Some(format!(
                        "attach a firewall rule set to {} (`rules: [...]`) that allows this flow",
                        f.id
                    )),
                );
                false
            }
            Stage::ZonePolicy { from, to, net } => {
                let Some(pol) = t.zone_policy() else {
                    return true;
                };
                let at = format!("{} -> {}", from.name(t), to.name(t));
                self.run(pol, &at, None, (net, None), false)
            }
            Stage::PublicAccessOff { service } => {
                self.public_access_off(service, tr_dns_public);
                false
            }
            Stage::Listener { owner } => {
                let (Some(p), Some(ports)) = (
                    self.port.as_ref().and_then(PortSet::first),
                    t.endpoint(owner).ports.as_ref(),
                ) else {
                    return true;
                };
                if ports.contains(p) {
                    return true;
                }
                let o = t.endpoint(owner);
                self.builtin_deny(
                    &o.id,
                    "no-listener",
                    format!(
                        "{} listens on {} only, not on {}/{p}",
                        o.id,
                        ports,
                        self.flow_protocol.transport()
                    ),
                    Some(format!(
                        "call {} on {ports}, or add {p} to its `ports`",
                        o.id
                    )),
                );
                false
            }
        }
    }

    /// A PaaS service reached over the internet with its public access disabled: denied, and
    /// the fix is the private way in.
    fn public_access_off(&mut self, e: crate::model::EpIx, dns_public: bool) {
        let t = self.t;
        let ep = t.endpoint(e);
        let pes = t.private_endpoints_of(e);
        let fix = if pes.is_empty() {
            format!(
                "add a private endpoint for {} in a network the source can reach, and link its DNS zone there",
                ep.id
            )
        } else {
            let names: Vec<&str> = pes.iter().map(|p| t.endpoint(*p).id.as_str()).collect();
            if dns_public {
                format!(
                    "{} is reachable only through {}: link the private DNS zone{} to {} (or its hub) so the name resolves privately",
                    ep.id,
                    names.join(", "),
                    t.endpoint(pes[0])
                        .dns_zone
                        .as_ref()
                        .map(|z| format!(" {z}"))
                        .unwrap_or_default(),
                    self.src
                        .network
                        .map_or("the source network".to_string(), |n| t
                            .network(n)
                            .id
                            .clone()),
                )
            } else {
                format!(
                    "{} is reachable only through {}: give the source a route to one of them (peering or hub)",
                    ep.id,
                    names.join(", ")
                )
            }
        };
        self.builtin_deny(
            &ep.id,
            "public-access-disabled",
            format!(
                "{} is reached over the internet, but its public access is disabled",
                ep.id
            ),
            Some(fix),
        );
    }

    /// Run one rule set; returns false once the flow is denied.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        rs: &RuleSet,
        at: &str,
        dir: Option<Direction>,
        (ctx_net, ctx_subnet): (Option<NetIx>, Option<SubnetIx>),
        reverse: bool,
    ) -> bool {
        let (sp, dp) = if reverse {
            (&self.dst.party, &self.src.party)
        } else {
            (&self.src.party, &self.dst.party)
        };
        let eph = return_ports(rs);
        let ports = if reverse {
            self.port.as_ref().map(|_| &eph)
        } else {
            self.port.as_ref()
        };
        let flow = Flow {
            src: sp,
            dst: dp,
            protocol: self.flow_protocol,
            ports,
        };
        let w = self.w;
        let disabled = move |s: &str, r: &str| w.rule_down(s, r);
        let ctx = Ctx {
            topo: self.t,
            network: ctx_net,
            subnet: ctx_subnet,
            disabled: &disabled,
        };
        let d = evaluate(rs, &flow, dir, &ctx);
        if !reverse {
            self.last_rule = d.rule;
        }
        let check = self.check_of(rs, &d, at, dir, reverse);
        self.checks.push(check.clone());
        if d.action == Action::Deny {
            let (reason, fix) = self.explain(rs, &d, at, dir, reverse);
            self.denied = Some((check, reason, fix));
            return false;
        }
        true
    }

    #[allow(
        clippy::unused_self,
        reason = "a method beside run/explain, which read the enforcer's state"
    )]
    fn check_of(
        &self,
        rs: &RuleSet,
        d: &Decision,
        at: &str,
        dir: Option<Direction>,
        reverse: bool,
    ) -> Check {
        let rule = d.rule.map(|i| &rs.rules[i]);
        Check {
            at: at.to_string(),
            rule_set: rs.id.clone(),
            rule: d.name.clone(),
            action: d.action,
            priority: d.priority.or(match (rs.kind, d.rule) {
                (RuleSetKind::Nsg, None) => Some(65500),
                _ => None,
            }),
            direction: if rs.kind.directional() { dir } else { None },
            kind: rs.kind.as_str().to_string(),
            return_flow: reverse,
            default_rule: rule.is_none_or(|r| r.default_rule),
            justification: rule.and_then(|r| r.justification.clone()),
            classification: rule.and_then(|r| r.classification.clone()),
            line: rule.map_or(0, |r| r.at.line),
        }
    }

    #[allow(clippy::format_push_string)] // one reason built in place
    fn explain(
        &self,
        rs: &RuleSet,
        d: &Decision,
        at: &str,
        dir: Option<Direction>,
        reverse: bool,
    ) -> (String, Option<String>) {
        let t = self.t;
        let rule = d.rule.map(|i| &rs.rules[i]);
        let prio = d
            .priority
            .or(if rs.kind == RuleSetKind::Nsg && d.rule.is_none() {
                Some(65500)
            } else {
                None
            });
        let prio_text = prio.map(|p| format!(" ({p})")).unwrap_or_default();
        let dir_text = dir
            .filter(|_| rs.kind.directional())
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        let (src_end, dst_end) = if reverse {
            (self.dst, self.src)
        } else {
            (self.src, self.dst)
        };
        let flow = if reverse {
            match self.port {
                Some(_) => format!(
                    "{}/{} (the return traffic)",
                    self.flow_protocol,
                    return_ports(rs)
                ),
                None => format!("{} (the return traffic)", self.flow_protocol),
            }
        } else {
            self.flow_text()
        };
        let from = self.party_text(&src_end.party, &src_end.label(self.t));
        let to = self.party_text(&dst_end.party, &dst_end.label(self.t));
        let explicit = rule.is_some_and(|r| !r.default_rule);
        let what = match rs.kind {
            RuleSetKind::Policy => format!("zone policy rule {}", d.name),
            _ => format!("{} {} rule {}{prio_text}", rs.kind.label(), rs.id, d.name),
        };
        let mut reason = format!("{what} denies {dir_text}{flow} from {from} to {to}");
        if let Some(j) = rule
            .and_then(|r| r.justification.as_ref())
            .filter(|_| explicit)
        {
            let _ = write!(reason, " — \"{j}\"");
        }
        if !explicit {
            reason.push_str(": no rule allows it");
        }
        let src_sel = self.sel_text(src_end);
        let dst_sel = self.sel_text(dst_end);
        let flow_ports = if self.port.is_none() {
            String::new()
        } else if reverse {
            format!("/{}", return_ports(rs))
        } else {
            format!(
                "/{}",
                self.port
                    .as_ref()
                    .map_or("*".to_string(), ToString::to_string)
            )
        };
        let proto = self.flow_protocol.transport();
        let fix = match rs.kind {
            RuleSetKind::Nsg | RuleSetKind::Nacl => {
                // A NACL's final `*` rule is number 32767.
                let limit = prio.unwrap_or(if rs.kind == RuleSetKind::Nacl {
                    32767
                } else {
                    65500
                });
                let free = free_priority_below(rs, dir, limit);
                let below = if prio.is_none() && rs.kind == RuleSetKind::Nacl {
                    "before the final `*` rule".to_string()
                } else {
                    format!("below {limit}")
                };
                let where_ = free.map_or_else(
                    || format!("(no free priority {below}: renumber the rules)"),
                    |p| format!("at priority {p} (free, {below})"),
                );
                let lead = if explicit {
                    format!(
                        "rule {} explicitly denies this flow; if the flow is intended, ",
                        d.name
                    )
                } else {
                    String::new()
                };
                Some(format!(
                    "{lead}add to {} an {}allow rule for {proto}{flow_ports} from {src_sel} to {dst_sel} {where_}",
                    rs.id, dir_text
                ))
            }
            RuleSetKind::SecurityGroup => {
                let peer = if dir == Some(Direction::Outbound) {
                    format!("to {dst_sel}")
                } else {
                    format!("from {src_sel}")
                };
                Some(format!(
                    "add an {dir_text}rule to security group {} allowing {proto}{flow_ports} {peer}",
                    rs.id
                ))
            }
            RuleSetKind::Firewall => {
                let app = dst_end
                    .party
                    .fqdn(self.t)
                    .map(|f| format!(" (or an application rule with `fqdns: [{f}]`)"))
                    .unwrap_or_default();
                if explicit {
                    Some(format!(
                        "rule {} of {} denies this flow; if it is intended, add an allow rule with a lower priority number for {proto}{flow_ports} from {src_sel} to {dst_sel}{app}",
                        d.name, rs.id
                    ))
                } else {
                    Some(format!(
                        "add a rule to {} allowing {proto}{flow_ports} from {src_sel} to {dst_sel}{app}",
                        rs.id
                    ))
                }
            }
            RuleSetKind::Policy => {
                let zones = |p: &Party| ZoneSide::of(p).name(t).to_string();
                let (zs, zd) = (zones(&src_end.party), zones(&dst_end.party));
                if explicit {
                    Some(format!(
                        "the zone policy forbids {zs} → {zd} on this port: send the flow through the approved path (e.g. the gateway or proxy the policy allows), not around it"
                    ))
                } else {
                    Some(format!(
                        "add a zone policy allowing {zs} → {zd} {proto}{flow_ports}, with its justification and data classification"
                    ))
                }
            }
        };
        let _ = at;
        (reason, fix)
    }

    fn builtin_deny(&mut self, at: &str, name: &str, reason: String, fix: Option<String>) {
        let c = Check {
            at: at.to_string(),
            rule_set: at.to_string(),
            rule: name.to_string(),
            action: Action::Deny,
            priority: None,
            direction: None,
            kind: "builtin".to_string(),
            return_flow: false,
            default_rule: true,
            justification: None,
            classification: None,
            line: 0,
        };
        self.checks.push(c.clone());
        self.denied = Some((c, reason, fix));
    }
}
