//! The path a flow takes, as a [`plan::Plan`]: the ends resolved ([`resolve`], with DNS in
//! [`dns`]), the route ([`route`]) and the ordered stages that enforce it ([`plan`]).
//!
//! Owns: every network semantic of a flow but rule evaluation itself (that is
//! [`crate::engine::policy`]). Must never: evaluate a rule set, decide a verdict, or print.

pub mod dns;
pub mod plan;
pub mod resolve;
pub mod route;
