//! The path a flow takes: routes between networks and to the internet.
//!
//! Owns: [`route`]. Must never: evaluate a rule set or print.

pub mod route;
