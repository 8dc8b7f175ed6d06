//! Flow logs: read AWS VPC and Azure NSG/VNet flow logs (`read`), map their addresses to the
//! design and compare what the network did with what the design says (`classify`, `report`),
//! and run the `flows` subcommand (`run`).
//!
//! Owns: everything about observed traffic. Must never: hold a log in memory (records stream
//! through a callback; a part holds at most a batch, and while the design loads a bounded
//! early buffer, `early`), or import a UI crate.

pub mod classes;
pub mod classify;
pub mod early;
pub mod gcp;
pub mod layout;
pub mod progress;
pub mod read;
pub mod report;
pub mod run;
pub mod synth;
pub mod translated;
pub mod window;

pub use report::{Analyzer, FlowReport};
pub use run::{Options, analyze_logs};
