//! Graphviz DOT export: a cluster per region, network and subnet; peering, private link and
//! backend edges labelled; a traced path drawn bold in the verdict's colour.
//!
//! Owns: DOT syntax and quoting (every id and label is a quoted string). Must never: lay out the
//! design (that is [`super::Diagram`]).

use std::fmt::Write;

use super::{Diagram, EdgeKind, Group, Node, NodeKind};
use crate::model::{Kind, Verdict};

/// A DOT quoted string: `"` and `\` escaped, newlines as `\n`.
pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn node_attrs(n: &Node) -> String {
    let (shape, fill) = match n.kind {
        NodeKind::Internet => ("ellipse", "#f5f5f5"),
        NodeKind::Network => ("hexagon", "#e3f2fd"),
        NodeKind::Endpoint(Kind::Firewall) => ("box3d", "#ffebee"),
        NodeKind::Endpoint(Kind::Gateway | Kind::ModelProxy) => ("box", "#fff3e0"),
        NodeKind::Endpoint(Kind::PrivateEndpoint) => ("circle", "#ede7f6"),
        NodeKind::Endpoint(Kind::AiService) => ("box", "#e8f5e9"),
        NodeKind::Endpoint(Kind::Storage | Kind::VectorDb | Kind::Secrets) => {
            ("cylinder", "#fffde7")
        }
        NodeKind::Endpoint(_) => ("box", "#ffffff"),
    };
    let mut a = format!(
        "label={}, shape={shape}, style=\"rounded,filled\", fillcolor={}",
        quote(&n.label.join("\n")),
        quote(fill)
    );
    if n.on_path {
        a.push_str(", penwidth=3, color=\"#d81b60\"");
    }
    a
}

fn group(out: &mut String, g: &Group, depth: usize) {
    let pad = "  ".repeat(depth);
    let style = match g.level {
        "region" => "dashed",
        "network" => "rounded",
        _ => "solid",
    };
    let _ = writeln!(
        out,
        "{pad}subgraph {} {{",
        quote(&format!("cluster_{}", g.key))
    );
    let _ = writeln!(out, "{pad}  label={}; style={style};", quote(&g.label));
    for n in &g.nodes {
        let _ = writeln!(out, "{pad}  {} [{}];", quote(&n.key), node_attrs(n));
    }
    for c in &g.groups {
        group(out, c, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

/// The diagram as a Graphviz digraph.
pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// {} — exported by zonescope from {}",
        d.title.replace('\n', " "),
        d.file
    );
    let _ = writeln!(out, "digraph {} {{", quote(&d.title));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", label={}, labelloc=t];",
        quote(&d.title)
    );
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for n in &d.top {
        let _ = writeln!(out, "  {} [{}];", quote(&n.key), node_attrs(n));
    }
    for g in &d.groups {
        group(&mut out, g, 1);
    }
    let trace_color = d.trace.as_ref().map(|t| match t.verdict {
        Verdict::Allow => "#2e7d32",
        Verdict::Deny => "#c62828",
        Verdict::NoRoute => "#ef6c00",
    });
    for e in &d.edges {
        let style = match e.kind {
            EdgeKind::Peering => "dir=both, color=\"#1565c0\"".to_string(),
            EdgeKind::PrivateLink => "style=dashed, color=\"#5e35b1\"".to_string(),
            EdgeKind::Public => "style=dotted".to_string(),
            EdgeKind::PublicBlocked => "style=dotted, arrowhead=tee, color=\"#9e9e9e\"".to_string(),
            EdgeKind::Backend => "color=\"#ef6c00\"".to_string(),
            EdgeKind::Egress => "style=dashed, color=\"#c62828\"".to_string(),
            EdgeKind::Trace => format!(
                "penwidth=3, color={}, fontcolor={}",
                quote(trace_color.unwrap_or("#d81b60")),
                quote(trace_color.unwrap_or("#d81b60"))
            ),
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, {style}];",
            quote(&e.from),
            quote(&e.to),
            quote(&e.label)
        );
    }
    out.push_str("}\n");
    out
}
