//! Flow logs: read AWS VPC and Azure NSG/VNet flow logs (`read`), and compare what the network
//! did with what the design says.
//!
//! Owns: everything about observed traffic. Must never: hold a log in memory (records stream
//! through a callback), or import a UI crate.

pub mod read;
