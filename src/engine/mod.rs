//! The engine: what the network does with a flow, computed from a [`crate::model::Topology`].
//!
//! Owns: rule evaluation per rule-set kind ([`policy`]), routing ([`path`]), the trace of one
//! flow ([`trace`]), exact reachability over port sets ([`reach`]), the zone matrix
//! ([`matrix`]), design review ([`check`]), version comparison ([`diff`]) and flow-log analysis
//! ([`flows`]). Must never: name `cli`, `tui` or `report`, print, or exit.

pub mod check;
pub mod diff;
pub mod flows;
pub mod matrix;
pub mod path;
pub mod policy;
pub mod reach;
pub mod trace;
pub mod whatif;
