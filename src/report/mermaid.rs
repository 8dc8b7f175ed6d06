//! Mermaid flowchart export (like the seeds' diagrams): a subgraph per region, network and
//! subnet; peering, private link and backend edges labelled; a traced path highlighted with a
//! `linkStyle` and a `classDef`.
//!
//! Owns: Mermaid syntax and escaping. Must never: lay out the design (that is
//! [`super::Diagram`]) or emit an id that is not a plain identifier.

use std::fmt::Write;

use super::{Diagram, EdgeKind, Group, Node, NodeKind};
use crate::model::{Kind, Verdict};

/// A label safe inside `"..."`: quotes and angle brackets as Mermaid entities.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '#' => o.push_str("#35;"),
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

fn class_of(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Internet => "internet",
        NodeKind::Network => "net",
        NodeKind::Endpoint(Kind::Firewall) => "firewall",
        NodeKind::Endpoint(Kind::Gateway | Kind::ModelProxy) => "gateway",
        NodeKind::Endpoint(Kind::PrivateEndpoint) => "pe",
        NodeKind::Endpoint(Kind::AiService) => "ai",
        NodeKind::Endpoint(Kind::Storage | Kind::VectorDb | Kind::Secrets) => "data",
        NodeKind::Endpoint(_) => "ep",
    }
}

fn node_line(n: &Node) -> String {
    let l = label(&n.label);
    let shape = match n.kind {
        NodeKind::Internet | NodeKind::Endpoint(Kind::PrivateEndpoint) => format!("((\"{l}\"))"),
        NodeKind::Network => format!("{{{{\"{l}\"}}}}"),
        NodeKind::Endpoint(Kind::Storage | Kind::VectorDb) => format!("[(\"{l}\")]"),
        NodeKind::Endpoint(Kind::Gateway | Kind::ModelProxy) => format!("([\"{l}\"])"),
        NodeKind::Endpoint(Kind::Firewall) => format!("[[\"{l}\"]]"),
        NodeKind::Endpoint(_) => format!("[\"{l}\"]"),
    };
    format!("{}{shape}:::{}", n.key, class_of(n.kind))
}

fn group(out: &mut String, g: &Group, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", g.key, escape(&g.label));
    for n in &g.nodes {
        let _ = writeln!(out, "{pad}  {}", node_line(n));
    }
    for c in &g.groups {
        group(out, c, depth + 1);
    }
    let _ = writeln!(out, "{pad}end");
}

/// The diagram as a Mermaid flowchart.
pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "%% {} — exported by zonescope from {}",
        escape(&d.title),
        d.file
    );
    let _ = writeln!(out, "flowchart LR");
    for (name, style) in [
        ("internet", "fill:#f5f5f5,stroke:#616161"),
        ("net", "fill:#e3f2fd,stroke:#1565c0"),
        ("firewall", "fill:#ffebee,stroke:#c62828"),
        ("gateway", "fill:#fff3e0,stroke:#ef6c00"),
        ("pe", "fill:#ede7f6,stroke:#5e35b1"),
        ("ai", "fill:#e8f5e9,stroke:#2e7d32"),
        ("data", "fill:#fffde7,stroke:#f9a825"),
        ("ep", "fill:#ffffff,stroke:#455a64"),
        ("onpath", "stroke-width:4px,stroke:#d81b60"),
    ] {
        let _ = writeln!(out, "  classDef {name} {style}");
    }
    for n in &d.top {
        let _ = writeln!(out, "  {}", node_line(n));
    }
    for g in &d.groups {
        group(&mut out, g, 1);
    }
    let mut trace_links = Vec::new();
    for (i, e) in d.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Peering => "<-->",
            EdgeKind::PrivateLink | EdgeKind::Public => "-.->",
            EdgeKind::PublicBlocked => "-.-x",
            EdgeKind::Backend | EdgeKind::Egress => "-->",
            EdgeKind::Trace => {
                trace_links.push(i);
                "==>"
            }
        };
        if e.label.is_empty() {
            let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
        } else {
            let _ = writeln!(
                out,
                "  {} {arrow}|\"{}\"| {}",
                e.from,
                escape(&e.label),
                e.to
            );
        }
    }
    if let Some(tr) = &d.trace {
        let on: Vec<&str> = d
            .nodes()
            .into_iter()
            .filter(|n| n.on_path)
            .map(|n| n.key.as_str())
            .collect();
        if !on.is_empty() {
            let _ = writeln!(out, "  class {} onpath", on.join(","));
        }
        if !trace_links.is_empty() {
            let color = match tr.verdict {
                Verdict::Allow => "#2e7d32",
                Verdict::Deny => "#c62828",
                Verdict::NoRoute => "#ef6c00",
            };
            let ids: Vec<String> = trace_links.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "  linkStyle {} stroke:{color},stroke-width:4px",
                ids.join(",")
            );
        }
        let _ = writeln!(
            out,
            "  %% trace {} -> {}: {} — {}",
            tr.from,
            tr.to,
            tr.verdict,
            escape(&tr.reason)
        );
    }
    out
}
