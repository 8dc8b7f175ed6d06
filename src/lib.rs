//! zonescope: can X reach Y on port P, along which path, and which rule decides?
//!
//! Data flows one way, in layers:
//! `input (YAML) → model → engine (path → trace / reach) → report → cli | tui`.
//!
//! - [`model`]: ids, rules, ports, selectors and the topology; `load` parses, then validates.
//! - [`engine`]: rule evaluation, routing, the trace of one flow, exact reachability, the
//!   matrix, design checks, diff and flow-log analysis.
//! - [`report`]: every writer (text, JSON, SARIF, Markdown, Mermaid, DOT).
//! - [`cli`]: the subcommands and their flags; [`tui`]: the explorer (ratatui + crossterm).
//! - [`generate`]: synthetic designs for tests and benchmarks.
//!
//! The core (`model`, `engine`) never names `cli`, `tui` or `report`, and never prints.

#[cfg(feature = "cli")]
pub mod cli;
pub mod engine;
pub mod import;
// `gen` is a reserved word in Rust 2024: the folder is `gen/`, the module `generate`.
#[path = "gen/mod.rs"]
pub mod generate;
pub mod model;
pub mod report;
pub mod safe_write;
pub mod text_safe;
#[cfg(feature = "tui")]
pub mod tui;
