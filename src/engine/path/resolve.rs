//! Resolving the ends of a flow (SPEC §3 step 1): a source or destination as named — an
//! endpoint, subnet, network, address, `internet` or an FQDN — to the place it is and the party
//! rules see, a PaaS service through its nearest private endpoint.
//!
//! Owns: [`End`], [`resolve_src`], [`name_dst`], [`resolve_dst`]. Must never: evaluate a rule
//! set, print, or panic on a name (unknown names are [`TraceError`]s with a did-you-mean).

use std::borrow::Cow;
use std::net::IpAddr;

use super::dns::{DnsStep, resolve_name};
use super::route::Router;
use crate::engine::policy::Party;
use crate::engine::trace::{TraceError, TraceErrorCode};
use crate::model::{EntityRef, EpIx, Kind, NetIx, SubnetIx, Topology};

/// What an end is called in the path: a model id by index (no copy of it is made while
/// planning; reachability plans millions of flows and never reads one), an address, or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Endpoint(EpIx),
    Subnet(SubnetIx),
    Network(NetIx),
    Addr(IpAddr),
    Text(Cow<'static, str>),
}

impl Label {
    /// The id, address or name.
    pub fn text<'t>(&'t self, t: &'t Topology) -> Cow<'t, str> {
        match self {
            Label::Endpoint(e) => Cow::Borrowed(&t.endpoint(*e).id),
            Label::Subnet(s) => Cow::Borrowed(&t.subnet(*s).id),
            Label::Network(n) => Cow::Borrowed(&t.network(*n).id),
            Label::Addr(a) => Cow::Owned(a.to_string()),
            Label::Text(x) => Cow::Borrowed(x),
        }
    }

    /// The end named `internet` (the path's word for the outside).
    pub fn is_internet(&self) -> bool {
        matches!(self, Label::Text(x) if x == "internet")
    }
}

#[derive(Debug, Clone)]
pub struct End {
    pub party: Party,
    /// What the end is called in the path ([`End::label`] gives the text).
    pub name: Label,
    /// The endpoint itself (the service, for one reached through a private endpoint).
    pub ep: Option<EpIx>,
    pub subnet: Option<SubnetIx>,
    pub network: Option<NetIx>,
    pub via_pe: Option<EpIx>,
    /// Reached over (or coming from) the internet.
    pub outside: bool,
    /// How the destination was named: by its private address (the internet cannot route to
    /// it), or by its public address (traffic from inside leaves and comes back in).
    pub naming: Naming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Other,
    PrivateAddr,
    PublicAddr,
}

pub fn ep_end(t: &Topology, e: EpIx) -> End {
    let mut end = End::blank();
    end.set_endpoint(t, e);
    end
}

/// A whole subnet as one end (an anonymous host inside it).
fn subnet_end(t: &Topology, s: SubnetIx) -> End {
    let sub = t.subnet(s);
    End {
        party: Party {
            subnet: Some(s),
            network: Some(sub.network),
            zone: sub.zone,
            ..Party::default()
        },
        name: Label::Subnet(s),
        ep: None,
        subnet: Some(s),
        network: Some(sub.network),
        via_pe: None,
        outside: false,
        naming: Naming::Other,
    }
}

/// A whole network as one end (an anonymous host inside it).
fn network_end(n: NetIx) -> End {
    End {
        party: Party {
            network: Some(n),
            ..Party::default()
        },
        name: Label::Network(n),
        ep: None,
        subnet: None,
        network: Some(n),
        via_pe: None,
        outside: false,
        naming: Naming::Other,
    }
}

/// An endpoint reached over the internet (a service resolved publicly), whatever private
/// endpoints it has.
pub fn public_end(t: &Topology, e: EpIx) -> End {
    let mut end = ep_end(t, e);
    end.party.subnet = None;
    end.party.network = None;
    end.party.addr = None;
    end.party.outside = true;
    end.subnet = None;
    end.network = None;
    end.outside = true;
    end
}

impl End {
    /// The id (or address / name) shown in the path.
    pub fn label<'t>(&'t self, t: &'t Topology) -> Cow<'t, str> {
        self.name.text(t)
    }

    /// An end of nothing, to be set in place.
    fn blank() -> End {
        End {
            party: Party::default(),
            name: Label::Text(Cow::Borrowed("")),
            ep: None,
            subnet: None,
            network: None,
            via_pe: None,
            outside: false,
            naming: Naming::Other,
        }
    }

    /// The source end a rule sees as `party` (exact reachability starts from parties).
    pub fn of_party(party: &Party) -> End {
        let mut end = End::blank();
        end.set_party(party);
        end
    }

    /// Make this end [`ep_end`] of endpoint `e` in place, field by field.
    pub fn set_endpoint(&mut self, t: &Topology, e: EpIx) {
        let End {
            party,
            name,
            ep,
            subnet,
            network,
            via_pe,
            outside,
            naming,
        } = self;
        let rec = t.endpoint(e);
        party.set_endpoint(t, e);
        *name = Label::Endpoint(e);
        *ep = Some(e);
        *subnet = rec.subnet;
        *network = rec.network;
        *via_pe = None;
        *outside = rec.subnet.is_none();
        *naming = Naming::Other;
    }

    /// Make this end [`End::of_party`] of `party` in place (a name asked for reuses this end's).
    pub fn set_party(&mut self, party: &Party) {
        self.party.copy_from(party);
        self.name = Label::Text(Cow::Borrowed(""));
        self.ep = party.ep;
        self.subnet = party.subnet;
        self.network = party.network;
        self.via_pe = None;
        self.outside = party.outside;
        self.naming = Naming::Other;
    }
}

pub fn addr_end(t: &Topology, a: IpAddr) -> End {
    addr_end_at(t, a, t.lookup_ip(a))
}

/// [`addr_end`] of an address already looked up (`m`): a flow log's plan looks each
/// destination up once.
fn addr_end_at(t: &Topology, a: IpAddr, m: crate::model::AddrMatch) -> End {
    if let Some(e) = m.endpoint {
        let mut end = ep_end(t, e);
        end.party.addr = Some(a);
        return end;
    }
    let zone = m.subnet.and_then(|s| t.subnet(s).zone);
    End {
        party: Party {
            subnet: m.subnet,
            network: m.network,
            zone,
            addr: Some(a),
            outside: m.network.is_none(),
            onprem: m
                .network
                .is_none()
                .then(|| t.routing().onprem_gateway(a))
                .flatten(),
            ..Party::default()
        },
        name: Label::Addr(a),
        ep: None,
        subnet: m.subnet,
        network: m.network,
        via_pe: None,
        outside: m.network.is_none(),
        naming: Naming::Other,
    }
}

pub fn internet_end(label: &str, fqdn: Option<String>) -> End {
    End {
        party: Party {
            outside: true,
            fqdn,
            ..Party::default()
        },
        name: Label::Text(if label == "internet" {
            Cow::Borrowed("internet")
        } else {
            Cow::Owned(label.to_string())
        }),
        ep: None,
        subnet: None,
        network: None,
        via_pe: None,
        outside: true,
        naming: Naming::Other,
    }
}

fn unknown(t: &Topology, what: &str, name: &str) -> TraceError {
    let several = t.candidates(name);
    if several.len() > 1 {
        let ids: Vec<String> = several
            .iter()
            .map(|e| format!("`{}`", t.id_of(*e)))
            .collect();
        return TraceError {
            code: TraceErrorCode::UnknownEnd,
            message: format!(
                "the {what} `{name}` is the name (or cloud id) of {} things",
                several.len()
            ),
            help: format!("name one by its id: {}", ids.join(", ")),
        };
    }
    let lname = name.to_ascii_lowercase();
    let close: Vec<&str> = t
        .endpoints()
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| {
            let l = id.to_ascii_lowercase();
            l.contains(&lname) || lname.contains(&l)
        })
        .take(5)
        .collect();
    // As a file's unknown id does: the closest id by edit distance.
    let mut close = close;
    if close.is_empty()
        && let Some((_, k)) = t
            .ids
            .keys()
            .map(|k| {
                (
                    crate::model::levenshtein(&lname, &k.to_ascii_lowercase()),
                    k,
                )
            })
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min_by_key(|(d, k)| {
                // Ties: the same first letter, then the closest length (a typo keeps both).
                let first =
                    k.chars().next().map(|c| c.to_ascii_lowercase()) != lname.chars().next();
                (*d, first, k.len().abs_diff(lname.len()), *k)
            })
    {
        close.push(k.as_str());
    }
    TraceError {
        code: TraceErrorCode::UnknownEnd,
        message: format!("unknown {what} `{name}`"),
        help: if close.is_empty() {
            "name an endpoint id, a subnet or network id, an IP address, `internet`, or (destination only) an FQDN".to_string()
        } else {
            format!(
                "did you mean {}?",
                close
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    }
}

pub fn resolve_src(t: &Topology, from: &str) -> Result<End, TraceError> {
    if let Some(e) = t.find(from) {
        return match e {
            EntityRef::Endpoint(e) => {
                let ep = t.endpoint(e);
                if ep.kind == Kind::PrivateEndpoint {
                    return Err(TraceError {
                        code: TraceErrorCode::NotASource,
                        message: format!(
                            "`{from}` is a private endpoint: it receives traffic and sends none"
                        ),
                        help: "trace from the client that calls it".to_string(),
                    });
                }
                Ok(ep_end(t, e))
            }
            EntityRef::Subnet(s) => Ok(subnet_end(t, s)),
            EntityRef::Network(n) => Ok(network_end(n)),
            other => Err(TraceError {
                code: TraceErrorCode::NotASource,
                message: format!(
                    "`{from}` is a {}: a trace starts at an endpoint, a subnet, a network or an address",
                    other.kind_name()
                ),
                help: "use `zonescope matrix --by zone` to compare whole zones".to_string(),
            }),
        };
    }
    if from.eq_ignore_ascii_case("internet") {
        return Ok(internet_end("internet", None));
    }
    if let Ok(a) = from.parse::<IpAddr>() {
        return Ok(addr_end(t, a));
    }
    Err(unknown(t, "source", from))
}

/// The destination as named, before routing decides how it is reached.
pub enum DstName {
    Ep(EpIx),
    Subnet(SubnetIx),
    Network(NetIx),
    Addr(IpAddr),
    Fqdn(String),
    Internet,
    /// A PaaS service reached over the internet, as when its private endpoints fail.
    Public(EpIx),
}

pub fn name_dst(t: &Topology, to: &str) -> Result<DstName, TraceError> {
    if let Some(e) = t.find(to) {
        return match e {
            EntityRef::Endpoint(e) => Ok(DstName::Ep(e)),
            EntityRef::Subnet(s) => Ok(DstName::Subnet(s)),
            EntityRef::Network(n) => Ok(DstName::Network(n)),
            other => Err(TraceError {
                code: TraceErrorCode::NotADestination,
                message: format!(
                    "`{to}` is a {}: a trace goes to an endpoint, a subnet, a network, an address or an FQDN",
                    other.kind_name()
                ),
                help: "use `zonescope matrix --by zone` to compare whole zones".to_string(),
            }),
        };
    }
    if to.eq_ignore_ascii_case("internet") {
        return Ok(DstName::Internet);
    }
    if let Ok(a) = to.parse::<IpAddr>() {
        return Ok(DstName::Addr(a));
    }
    if to.contains('.') && !to.contains(' ') && !to.contains('/') {
        return Ok(DstName::Fqdn(to.trim_end_matches('.').to_ascii_lowercase()));
    }
    Err(unknown(t, "destination", to))
}

/// A service as the far end of a flow through its private endpoint `pe`: the service (its
/// zone, name and rules) at the private endpoint's place and address.
pub fn party_via_pe(t: &Topology, service: EpIx, pe: EpIx) -> Party {
    let p = t.endpoint(pe);
    let mut party = Party::of_endpoint(t, service);
    party.alias = Some(pe);
    party.subnet = p.subnet;
    party.network = p.network;
    party.addr = p.ip;
    party.outside = false;
    party
}

/// A destination endpoint reached through private endpoint `pe`.
pub fn via_pe_end(t: &Topology, service: EpIx, pe: EpIx) -> End {
    let p = t.endpoint(pe);
    End {
        party: party_via_pe(t, service, pe),
        name: Label::Endpoint(service),
        ep: Some(service),
        subnet: p.subnet,
        network: p.network,
        via_pe: Some(pe),
        outside: false,
        naming: Naming::Other,
    }
}

/// The private endpoint of `service` the source reaches in the fewest network hops.
fn best_pe(r: &Router<'_>, src: &End, service: EpIx) -> Option<EpIx> {
    let (t, w) = (r.t, r.w);
    let from = src.network?;
    t.private_endpoints_of(service)
        .iter()
        .filter(|pe| !w.endpoint_down(t, **pe))
        .filter_map(|pe| {
            let net = t.endpoint(*pe).network?;
            r.hops(from, net).map(|h| (h, *pe))
        })
        .min_by_key(|(h, pe)| (*h, pe.index()))
        .map(|(_, pe)| pe)
}

/// Where the destination is, as seen from the source: a PaaS service through its nearest
/// private endpoint, an address as the endpoint holding it, a name as DNS answers it.
pub fn resolve_dst(r: &Router<'_>, src: &End, name: DstName) -> (End, Option<Box<DnsStep>>) {
    let mut end = End::blank();
    let dns = resolve_dst_into(r, src, name, &mut end);
    (end, dns)
}

/// [`resolve_dst`] written into `out` (an endpoint named by itself, field by field: a matrix
/// resolves one per pair), with the DNS step.
pub fn resolve_dst_into(
    r: &Router<'_>,
    src: &End,
    name: DstName,
    out: &mut End,
) -> Option<Box<DnsStep>> {
    let t = r.t;
    *out = match name {
        DstName::Ep(e) => {
            let ep = t.endpoint(e);
            if ep.kind == Kind::PrivateEndpoint
                && let Some(target) = ep.target
            {
                via_pe_end(t, target, e)
            } else if ep.is_paas()
                && let Some(pe) = best_pe(r, src, e)
            {
                via_pe_end(t, e, pe)
            } else {
                out.set_endpoint(t, e);
                return None;
            }
        }
        DstName::Subnet(s) => subnet_end(t, s),
        DstName::Network(n) => network_end(n),
        DstName::Addr(a) => addr_to_dst(t, a),
        DstName::Internet => internet_end("internet", None),
        DstName::Public(e) => public_end(t, e),
        DstName::Fqdn(name) => {
            let (end, step) = resolve_name(t, src, &name);
            *out = end;
            return step.map(Box::new);
        }
    };
    None
}

pub fn addr_to_dst(t: &Topology, a: IpAddr) -> End {
    if let Some(e) = t.endpoint_by_public_ip(a) {
        // Its public address: the rules see the private one behind it.
        let mut end = ep_end(t, e);
        end.naming = Naming::PublicAddr;
        return end;
    }
    let m = t.lookup_ip(a);
    if let Some(e) = m.endpoint {
        let ep = t.endpoint(e);
        if ep.kind == Kind::PrivateEndpoint
            && let Some(target) = ep.target
        {
            return via_pe_end(t, target, e);
        }
    }
    let mut end = addr_end_at(t, a, m);
    if end.network.is_some() {
        end.naming = Naming::PrivateAddr;
    }
    end
}
