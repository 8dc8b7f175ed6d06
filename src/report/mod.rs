//! `export FILE --to mermaid|dot|markdown|json`: the design as a diagram, a review report for
//! meetings, or JSON — one file per format, and the diagram layout they share.
//!
//! Owns: [`Diagram`] (regions → networks → subnets → endpoints, and the peering, private link,
//! backend and public edges), the export formats and [`run`]. Must never: write anywhere but the
//! given writer or the `-o` file (atomically), overwrite the input file, or decide a verdict
//! (traces come from `trace`, findings from `check`).

pub mod diff;
pub mod dot;
pub mod flows;
pub mod json;
pub mod markdown;
pub mod mermaid;
pub mod sarif;
pub mod trace_text;
pub mod words;

pub use words::{article, plural, with_article};

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::engine::trace::Trace;
use crate::model::{self, Endpoint, Kind, PublicIp, Topology, Verdict};

/// What a node of the diagram stands for (for shapes and colours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Internet,
    Network,
    Endpoint(Kind),
}

#[derive(Debug, Clone)]
pub struct Node {
    /// A safe identifier (letters, digits, `_`), unique in the diagram.
    pub key: String,
    /// Lines of the label, unescaped.
    pub label: Vec<String>,
    pub kind: NodeKind,
    /// On the highlighted trace's path.
    pub on_path: bool,
}

/// A region, network or subnet box.
#[derive(Debug, Clone)]
pub struct Group {
    pub key: String,
    pub label: String,
    /// region | network | subnet | services
    pub level: &'static str,
    pub nodes: Vec<Node>,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    Peering,
    PrivateLink,
    Backend,
    Public,
    /// A PaaS service whose public access is disabled.
    PublicBlocked,
    Egress,
    /// A hop of the highlighted trace.
    Trace,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
    pub kind: EdgeKind,
}

/// The layout both diagram formats draw.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub title: String,
    pub file: String,
    pub top: Vec<Node>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
    /// The highlighted trace, if any.
    pub trace: Option<Trace>,
}

struct Keys {
    used: HashMap<String, usize>,
    of: HashMap<(char, String), String>,
}

impl Keys {
    fn get(&mut self, prefix: char, id: &str) -> String {
        if let Some(k) = self.of.get(&(prefix, id.to_string())) {
            return k.clone();
        }
        let mut base = format!("{prefix}_");
        base.extend(
            id.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
        let n = self.used.entry(base.clone()).or_insert(0);
        *n += 1;
        let key = if *n == 1 { base } else { format!("{base}_{n}") };
        self.of.insert((prefix, id.to_string()), key.clone());
        key
    }
}

fn ep_label(e: &Endpoint) -> Vec<String> {
    let mut first = e.id.clone();
    if let Some(n) = &e.name
        && n != &e.id
    {
        first = format!("{} — {n}", e.id);
    }
    let mut second = e.kind_text.clone();
    if let Some(ip) = e.ip {
        let _ = write!(second, " {ip}");
    }
    if let Some(p) = &e.ports {
        let _ = write!(second, " :{p}");
    }
    let mut v = vec![first, second];
    if let Some(f) = &e.fqdn {
        v.push(f.clone());
    }
    if e.is_paas() && !e.public_access {
        v.push("public access disabled".to_string());
    }
    v
}

impl Diagram {
    /// Lay out `t`, highlighting `tr`'s path when given.
    pub fn build(t: &Topology, tr: Option<&Trace>) -> Diagram {
        let mut keys = Keys {
            used: HashMap::new(),
            of: HashMap::new(),
        };
        // A denied flow is highlighted up to the hop that denies it, not past it.
        let reached: &[String] = tr.map_or(&[], reached);
        let on_path = |id: &str| reached.iter().any(|p| p == id);
        let ep_node = |keys: &mut Keys, e: &Endpoint| Node {
            key: keys.get('e', &e.id),
            label: ep_label(e),
            kind: NodeKind::Endpoint(e.kind),
            on_path: on_path(&e.id),
        };
        let mut regions: Vec<Option<String>> = Vec::new();
        for r in t.networks().iter().map(|n| n.region.clone()).chain(
            t.endpoints()
                .iter()
                .filter(|e| e.is_paas())
                .map(|e| e.region.clone()),
        ) {
            if !regions.contains(&r) {
                regions.push(r);
            }
        }
        let mut groups = Vec::new();
        for r in &regions {
            let mut g = Group {
                key: keys.get('r', r.as_deref().unwrap_or("no region")),
                label: r.clone().unwrap_or_else(|| "(no region)".to_string()),
                level: "region",
                nodes: Vec::new(),
                groups: Vec::new(),
            };
            for n in t.networks().iter().filter(|n| &n.region == r) {
                let cidrs: Vec<String> = n.cidrs.iter().map(ToString::to_string).collect();
                let mut ng = Group {
                    key: keys.get('g', &n.id),
                    label: format!("{} ({})", n.id, n.role.as_str()),
                    level: "network",
                    nodes: vec![Node {
                        key: keys.get('n', &n.id),
                        label: vec![n.id.clone(), cidrs.join(", ")],
                        kind: NodeKind::Network,
                        on_path: on_path(&n.id),
                    }],
                    groups: Vec::new(),
                };
                for &six in &n.subnets {
                    let s = t.subnet(six);
                    let zone = s
                        .zone
                        .map(|z| format!(" · {}", t.zone(z).id))
                        .unwrap_or_default();
                    let cidrs: Vec<String> = s.cidrs.iter().map(ToString::to_string).collect();
                    let nodes = t
                        .endpoints()
                        .iter()
                        .filter(|e| e.subnet == Some(six))
                        .map(|e| ep_node(&mut keys, e))
                        .collect();
                    ng.groups.push(Group {
                        key: keys.get('s', &s.id),
                        label: format!("{} {}{zone}", s.id, cidrs.join(", ")),
                        level: "subnet",
                        nodes,
                        groups: Vec::new(),
                    });
                }
                g.groups.push(ng);
            }
            let paas: Vec<Node> = t
                .endpoints()
                .iter()
                .filter(|e| e.is_paas() && &e.region == r)
                .map(|e| ep_node(&mut keys, e))
                .collect();
            if !paas.is_empty() {
                g.groups.push(Group {
                    key: keys.get('p', r.as_deref().unwrap_or("no region")),
                    label: "PaaS services".to_string(),
                    level: "services",
                    nodes: paas,
                    groups: Vec::new(),
                });
            }
            groups.push(g);
        }

        let mut edges = Vec::new();
        for p in t.peerings() {
            edges.push(Edge {
                from: keys.get('n', &t.network(p.a).id),
                to: keys.get('n', &t.network(p.b).id),
                label: if p.implied { "hub peering" } else { "peering" }.to_string(),
                kind: EdgeKind::Peering,
            });
        }
        for n in t.networks() {
            if let Some(fw) = n.egress {
                edges.push(Edge {
                    from: keys.get('n', &n.id),
                    to: keys.get('e', &t.endpoint(fw).id),
                    label: "egress".to_string(),
                    kind: EdgeKind::Egress,
                });
            }
        }
        for e in t.endpoints() {
            for b in &e.backends {
                let mut label = format!("backend p{}", b.priority);
                if let Some(w) = b.weight {
                    let _ = write!(label, " w{w}");
                }
                edges.push(Edge {
                    from: keys.get('e', &e.id),
                    to: keys.get('e', &t.endpoint(b.endpoint).id),
                    label,
                    kind: EdgeKind::Backend,
                });
            }
            if let Some(target) = e.target {
                edges.push(Edge {
                    from: keys.get('e', &e.id),
                    to: keys.get('e', &t.endpoint(target).id),
                    label: "private link".to_string(),
                    kind: EdgeKind::PrivateLink,
                });
            }
        }
        let mut top = Vec::new();
        let internet_key = keys.get('i', "internet");
        for e in t.endpoints() {
            let (label, kind) = match (e.public_ip, e.is_paas(), e.public_access) {
                (Some(PublicIp::Address(a)), _, _) => (format!("public IP {a}"), EdgeKind::Public),
                (Some(PublicIp::Yes), _, _) => ("public IP".to_string(), EdgeKind::Public),
                (None, true, true) => ("public access".to_string(), EdgeKind::Public),
                (None, true, false) => (
                    "public access disabled".to_string(),
                    EdgeKind::PublicBlocked,
                ),
                (None, false, _) => continue,
            };
            edges.push(Edge {
                from: internet_key.clone(),
                to: keys.get('e', &e.id),
                label,
                kind,
            });
        }
        let internet_used =
            edges.iter().any(|e| e.from == internet_key) || reached.iter().any(|p| p == "internet");
        if internet_used {
            top.push(Node {
                key: internet_key.clone(),
                label: vec!["internet".to_string()],
                kind: NodeKind::Internet,
                on_path: on_path("internet"),
            });
        }
        if let Some(tr) = tr {
            let hops: Vec<String> = reached
                .iter()
                .filter_map(|id| {
                    if id == "internet" {
                        return Some(internet_key.clone());
                    }
                    match t.find(id) {
                        Some(model::EntityRef::Endpoint(_)) => Some(keys.get('e', id)),
                        Some(model::EntityRef::Network(_)) => Some(keys.get('n', id)),
                        _ => None,
                    }
                })
                .collect();
            let mut hops_dedup: Vec<String> = Vec::new();
            for h in hops {
                if hops_dedup.last() != Some(&h) {
                    hops_dedup.push(h);
                }
            }
            // A flow denied before it leaves its first hop: a loop on that hop carries the
            // label (there is no edge to put it on).
            if hops_dedup.len() == 1 && tr.verdict == Verdict::Deny {
                hops_dedup.push(hops_dedup[0].clone());
            }
            let n = hops_dedup.len();
            for (i, w) in hops_dedup.windows(2).enumerate() {
                let label = if i + 2 == n {
                    trace_label(tr)
                } else {
                    String::new()
                };
                edges.push(Edge {
                    from: w[0].clone(),
                    to: w[1].clone(),
                    label,
                    kind: EdgeKind::Trace,
                });
            }
        }
        Diagram {
            title: t.name.clone(),
            file: t.file.clone(),
            top,
            groups,
            edges,
            trace: tr.cloned(),
        }
    }

    /// Every node, in the order they are declared.
    pub fn nodes(&self) -> Vec<&Node> {
        fn walk<'a>(g: &'a Group, out: &mut Vec<&'a Node>) {
            out.extend(g.nodes.iter());
            for c in &g.groups {
                walk(c, out);
            }
        }
        let mut out: Vec<&Node> = self.top.iter().collect();
        for g in &self.groups {
            walk(g, &mut out);
        }
        out
    }
}

/// The part of `tr`'s path the flow travels: all of it, unless a rule denies it at a hop of
/// the path — then up to that hop (a subnet's rule set stops it in the subnet, which the
/// diagram draws as its network). A deny that names no hop (a zone policy, `zone -> zone`)
/// keeps the whole path: the policy is not enforced at one place of it.
pub fn reached(tr: &Trace) -> &[String] {
    if tr.verdict != Verdict::Deny {
        return &tr.path;
    }
    let Some(d) = &tr.decided_by else {
        return &tr.path;
    };
    match tr.path.iter().position(|p| *p == d.at) {
        Some(i) => &tr.path[..=i],
        None => &tr.path,
    }
}

/// "tcp/443 DENY at fw-eus: fw-policy-eus/eus-deny-app-to-ai".
pub fn trace_label(tr: &Trace) -> String {
    let port = tr.port.map(|p| format!("/{p}")).unwrap_or_default();
    let v = match tr.verdict {
        Verdict::Allow => "ALLOW",
        Verdict::Deny => "DENY",
        Verdict::NoRoute => "NO ROUTE",
    };
    match &tr.decided_by {
        // The hop that denies is named: the highlight stops there.
        Some(d) if tr.verdict == Verdict::Deny && reached(tr).last() == Some(&d.at) => {
            format!("{}{port} {v} at {}: {d}", tr.protocol, d.at)
        }
        Some(d) => format!("{}{port} {v}: {d}", tr.protocol),
        None => format!("{}{port} {v}", tr.protocol),
    }
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ExportFormat {
    Mermaid,
    Dot,
    Markdown,
    Json,
}

/// Render `t` in `to`, with `tr` highlighted in diagrams.
pub fn render(t: &Topology, to: ExportFormat, tr: Option<&Trace>) -> String {
    match to {
        ExportFormat::Mermaid => mermaid::render(&Diagram::build(t, tr)),
        ExportFormat::Dot => dot::render(&Diagram::build(t, tr)),
        ExportFormat::Markdown => markdown::render(t),
        ExportFormat::Json => json::render(t),
    }
}
