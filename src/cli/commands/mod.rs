//! One file per subcommand: load, compute with the engine, write with `report`.
//!
//! Owns: each subcommand's I/O and exit code. Must never: exit the process or print error
//! reports (`main` does both).

pub mod check;
pub mod diff;
pub mod export;
pub mod flows;
pub mod generate;
pub mod import;
pub mod matrix;
pub mod trace;
