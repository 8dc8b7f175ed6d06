//! zonescope: can X reach Y on port P, along which path, and which rule decides?
//!
//! Data flows one way:
//! `YAML → topology::load (parse, then validate) → Topology (petgraph + indices)
//!  → trace / check / flows / diff / export → CLI output or TUI view`.
//!
//! - [`topology`]: the file schema (raw, with spans), validation, the graph and address index.
//! - [`policy`]: rules, selectors, and how each kind of rule set decides.
//! - [`trace`]: resolve, route, enforce → a [`trace::Trace`] with its evidence; the matrix.
//! - [`check`]: design findings and `expect:` results.
//! - [`diff`]: what changed between two versions of a file, and which flows changed verdict.
//! - [`export`]: Mermaid, Graphviz DOT, a Markdown review report, JSON.
//! - [`commands`]: what each subcommand does; [`cli`]: its flags.
//! - [`tui`]: the explorer (ratatui + crossterm), on top of the core.
//!
//! The core (`topology`, `policy`, `trace`, `check`) never imports a terminal UI crate.

pub mod check;
pub mod cli;
pub mod commands;
pub mod diff;
pub mod export;
pub mod flows;
pub mod generate;
pub mod policy;
pub mod safe_write;
pub mod text_safe;
pub mod topology;
pub mod trace;
pub mod tui;
